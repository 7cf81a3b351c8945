"""An earlier round's per-goal means, shown beside this round's (``[digest.reference]``).

The report's 2022 → 2025 round used the same 1-5 scale, so its figures stay a
useful yardstick after the survey moves on to new years: coordinators type
them into the config and digests draw them as a separate, labelled series.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from locales.numbers import format_number


@dataclass(frozen=True, slots=True)
class ReferencePoint:
    """One goal's means in the earlier round; None where the round gave none."""

    now: float | None = None
    forecast: float | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    label: str
    now_year: int
    forecast_year: int
    goals: Mapping[int, ReferencePoint] = field(default_factory=dict)

    def get(self, sdg: int) -> ReferencePoint | None:
        return self.goals.get(sdg)


def reference_number(value: float | None, language: str) -> str:
    """Up to two decimals: the report gives figures such as 3.49 that one would round away."""
    if value is None:
        return "–"
    text = format_number(value, language, 2)
    return text[:-1] if text.endswith("0") else text
