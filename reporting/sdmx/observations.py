"""The rows an SDMX file holds, read from each round's protected publication.

One row per indicator, rating kind and published row of the everyone view:
the headline (every dimension ``_T``) and one row per choice of group,
region and area. A row the publication hides (too few people, or hidden so
that none can be worked out), or an indicator's mean it hides inside a
shown row, is written without a value and marked confidential
(``OBS_STATUS`` M, ``CONF_STATUS`` C), never left out;
"prefer not to say" and unanswered rows are not categories and are not
written. Values are the publication's means, rounded as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from locales.numbers import half_up_array
from reporting.digest.analysis import KINDS, MEAN_DECIMALS, SUMS, cell_frame, explode
from reporting.digest.views import row_states, view_cells
from reporting.publication import Publication, View
from survey.model import Survey

TOTAL = "_T"
BREAKDOWNS = ("group", "region", "area")
# Dimensions of the structure (SDG global ids), in key order.
DIMENSIONS = (
    "FREQ", "REPORTING_TYPE", "SERIES", "REF_AREA", "SEX", "AGE", "URBANISATION",
    "DISABILITY_STATUS", "CUST_BREAKDOWN", "TIME_PERIOD",
)  # fmt: skip
COUNTRY = "VN"
AREA_CODES = {"urban": "U", "rural": "R"}  # others: upper-cased choice id
DISABILITY_GROUP = "disability"  # the group that is DISABILITY_STATUS=PD


def series_code(item_code: str, kind: str) -> str:
    """``CSC_1_1_1_NOW`` / ``CSC_1_1_1_FCST``: community scorecard, indicator, kind."""
    suffix = {"now": "NOW", "forecast": "FCST"}[kind]
    return f"CSC_{item_code.replace('.', '_').upper()}_{suffix}"


def code_of(dimension: str, choice: str) -> tuple[str, str]:
    """(SDMX dimension, code) of a publication breakdown's choice."""
    if dimension == "region":
        return "REF_AREA", f"{COUNTRY}_{choice.upper()}"
    if dimension == "area":
        return "URBANISATION", AREA_CODES.get(choice, choice.upper())
    if choice == DISABILITY_GROUP:
        return "DISABILITY_STATUS", "PD"
    return "CUST_BREAKDOWN", choice.upper()


@dataclass(frozen=True, slots=True)
class Observation:
    key: dict[str, str]  # every dimension's code
    value: float | None  # None: hidden (confidential)
    round_id: str

    @property
    def hidden(self) -> bool:
        return self.value is None


def observations(
    survey: Survey, parts: Sequence[tuple[Publication, Mapping[str, int]]]
) -> list[Observation]:
    """Every round's rows (``parts``: publication and its years, oldest first); where two
    rounds give the same key (same years), the later round's row is kept."""
    found: dict[tuple[str, ...], Observation] = {}
    for published, years in parts:
        for obs in round_rows(survey, published, years):
            found[tuple(obs.key[d] for d in DIMENSIONS)] = obs
    return list(found.values())


def round_rows(
    survey: Survey, published: Publication, years: Mapping[str, int]
) -> list[Observation]:
    """One round's observations (the privacy audit reads them as an output too)."""
    view = View.of({})
    if published.view_status(view) is not None:
        return []  # the round is refused as a whole (fewer than k people): nothing to say
    frame = cell_frame(view_cells(published, view))
    states = row_states(published, view)
    codes = [item.code for _section, item in survey.items]
    rows: list[Observation] = []
    breakdowns: list[tuple[str, str, dict[tuple[str, str], float]]] = [
        ("all", "", _means(frame, []))
    ]
    for dimension in BREAKDOWNS:
        exploded = explode(frame, dimension)
        for choice in published.choices(view, dimension):
            if not choice or choice == "prefer_not":
                continue
            part = exploded[exploded[dimension] == choice]
            breakdowns.append((dimension, choice, _means(part, [])))
    for dimension, choice, means in breakdowns:
        key = {d: TOTAL for d in DIMENSIONS}
        key.update(FREQ="A", REPORTING_TYPE="N", REF_AREA=COUNTRY)
        if dimension != "all":
            name, code = code_of(dimension, choice)
            key[name] = code
        row_shown = states(dimension, choice).shown
        for item_code in codes:
            # A shown row can hide one indicator's mean (too few rated it, or to protect).
            shown = row_shown and states(dimension, choice, item_code).shown
            for kind in KINDS:
                value = means.get((item_code, kind))
                if shown and value is None:
                    continue  # nobody rated it: no observation
                if row_shown and not shown and value is None:
                    continue  # nobody rated it here either: nothing to mark
                full = {**key, "SERIES": series_code(item_code, kind)}
                full["TIME_PERIOD"] = str(years[kind])
                rows.append(Observation(full, value if shown else None, published.round_id))
    return rows


def _means(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, str], float]:
    pooled = frame.groupby([*keys, "item_code", "kind"])[SUMS].sum()
    pooled = pooled[pooled["rated"] > 0]
    mean = half_up_array(pooled["total"] / pooled["rated"], MEAN_DECIMALS)
    return {(str(code), str(kind)): float(value) for (code, kind), value in mean.items()}
