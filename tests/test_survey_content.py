"""The shipped scorecard's wording: plain statements a respondent can rate.

Each item carries a short statement (``label``), the official indicator name
(``name``) and one sentence on what it measures (``about``), in both languages.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from cli.main import main
from survey.model import LANGUAGES, load_survey

TOKEN = "123456789:AAHexampleexampleexampleexample000"
MAX_STATEMENT = 140  # one bold line or two on a 390 px phone screen

SURVEY = load_survey()
ITEMS = [item for _section, item in SURVEY.items]


def _shipped_text() -> str:
    return resources.files("survey.files").joinpath("sdg_scorecard.toml").read_text("utf-8")


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_every_item_has_a_statement_a_name_and_an_about_in_both_languages(item) -> None:
    for field in ("label", "name", "about"):
        text = getattr(item, field)
        assert text is not None, f"{item.code}: no {field}"
        for language in LANGUAGES:
            assert text(language).strip(), f"{item.code}: empty {field}.{language}"


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_a_statement_is_not_the_indicator_name_and_is_short(item) -> None:
    for language in LANGUAGES:
        statement = item.label(language).strip()
        assert statement.casefold() != item.name(language).strip().casefold(), (
            f"{item.code}.{language}: the statement repeats the official name"
        )
        assert len(statement) <= MAX_STATEMENT, (
            f"{item.code}.{language}: {len(statement)} characters (at most {MAX_STATEMENT})"
        )


def test_statements_are_all_different() -> None:
    for language in LANGUAGES:
        statements = [item.label(language) for item in ITEMS]
        assert len(set(statements)) == len(statements), language


def test_verified_official_names_are_not_marked_draft() -> None:
    # (v) in the reference: wording found in official Vietnamese sources.
    name = SURVEY.item_by_code["16.9.1"][1].name
    assert name.vi == "Tỷ lệ trẻ em dưới 5 tuổi đã được đăng ký khai sinh" and name.draft == []
    assert SURVEY.item_by_code["1.2.1"][1].name.vi == "Tỷ lệ nghèo"
    assert SURVEY.item_by_code["1.2.2"][1].name.vi == "Tỷ lệ nghèo đa chiều"


def test_no_section_title_reads_like_a_scale_label() -> None:
    scale_words = {
        text(language).strip().casefold()
        for text in [SURVEY.scale.dont_know, *(p.label for p in SURVEY.scale.points)]
        for language in LANGUAGES
    }
    for section in SURVEY.sections:
        for field in ("title", "short_title"):
            for language in LANGUAGES:
                words = getattr(section, field)(language).strip().casefold()
                assert words not in scale_words, f"{section.id}.{field}.{language}"


def test_each_goal_invites_a_comment_in_one_short_line() -> None:
    for section in SURVEY.sections:
        assert section.comment is not None, section.id
        for language in LANGUAGES:
            line = section.comment(language)
            assert "\n" not in line and len(line) <= 110, (section.id, language, line)


def test_the_forecast_year_comes_after_now() -> None:
    assert SURVEY.years["forecast"] > SURVEY.years["now"]


@pytest.mark.parametrize("forecast", [2026, 2020])
def test_check_config_rejects_a_forecast_not_after_now(
    forecast: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shipped = _shipped_text()
    now = SURVEY.years["now"]
    pattern = re.compile(r'(\[\[rating_kinds\]\]\nid = "forecast"\nyear = )\d+')
    assert pattern.search(shipped), "the forecast block moved: update this test"
    broken = tmp_path / "forecast.toml"
    broken.write_text(pattern.sub(rf"\g<1>{forecast}", shipped), encoding="utf-8")
    assert forecast <= now
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_SURVEY__FILE", str(broken))
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "forecast.toml" in err and "rating_kinds[forecast].year" in err
