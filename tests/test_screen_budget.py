"""A whole scorecard stays within issue 8's budget: at most 80 question screens
and 155 taps, counted by the same script that prints the figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "survey_screens.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("survey_screens", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_a_whole_scorecard_fits_the_screen_and_tap_budget(language: str) -> None:
    script = _script()
    figures = await script.play(language, goals=3, typed=False, survey=None)
    assert figures["ratings_stored"] == 138  # everything answered, both ratings each
    assert figures["question_screens"] <= script.TARGET_SCREENS == 80
    assert figures["taps"] <= script.TARGET_TAPS == 155
    assert figures["messages"] <= 3  # one live message, edited in place
