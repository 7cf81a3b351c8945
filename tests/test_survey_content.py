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


# --- the readability budget (survey 2026.3, issue 17) -------------------------
#
# Every statement is one observable thing where the person lives, readable by a
# 14-year-old or a person with little schooling:
# - at most MAX_PLAIN characters (one or two lines at 390 px);
# - at most one "và" / "hoặc" / "hay" (Vietnamese), "and" / "or" (English):
#   one joined pair, never a chain of clauses;
# - positive wording: no "không ai", "không còn", "không bị", "không phải",
#   "no one", "never", which meet "Không đúng" / "Not true" as double negatives;
# - no acronym (two or more capitals, like ATM, GDP, LGBTIQ) unless the item's
#   "ⓘ" text explains it in brackets;
# - none of the jargon the first walk-through found stopping people; where the
#   idea is needed, it is explained in "ⓘ".

MAX_PLAIN = 100
MAX_SHORT = 30
CONJUNCTIONS = {"vi": ("và", "hoặc", "hay"), "en": ("and", "or")}
DOUBLE_NEGATIVES = {
    "vi": ("không ai", "không còn", "không bị", "không phải"),
    "en": ("no one", "never", "not "),
}
JARGON = ("an sinh", "yếu thế", "bạo lực tinh thần", "năng lượng sạch", "đạt chuẩn")
ACRONYM = re.compile(r"\b[A-Z]{2,}\+?")


def conjunctions(text: str, language: str) -> int:
    words = re.findall(r"\w+", text.casefold())
    return sum(words.count(word) for word in CONJUNCTIONS[language])


@pytest.mark.parametrize("item", ITEMS, ids=lambda item: item.code)
def test_every_statement_keeps_the_readability_budget(item) -> None:
    for language in LANGUAGES:
        statement = item.label(language)
        where = f"{item.code}.{language}: {statement!r}"
        assert len(statement) <= MAX_PLAIN, f"{where}: {len(statement)} characters"
        assert conjunctions(statement, language) <= 1, f"{where}: more than one joined pair"
        lowered = statement.casefold()
        assert not any(n in lowered for n in DOUBLE_NEGATIVES[language]), (
            f"{where}: a negative statement makes a double negative with the scale"
        )
        for term in JARGON:
            assert term not in lowered, f"{where}: jargon {term!r}"
        for acronym in ACRONYM.findall(statement):
            about = item.about(language)
            explained = re.search(re.escape(acronym) + r"\s*\(", about) or re.search(
                r"\(" + re.escape(acronym), about
            )
            assert explained, f"{where}: {acronym} is not explained in ⓘ"


def test_the_readability_budget_catches_a_chain_of_clauses_and_a_double_negative() -> None:
    assert conjunctions("Cha mẹ và thầy cô dạy dỗ trẻ mà không đánh hay mắng.", "vi") == 2
    assert conjunctions("Parents and teachers, without hitting or shouting.", "en") == 2
    assert ACRONYM.findall("vì là người LGBTIQ+ hay ATM") == ["LGBTIQ+", "ATM"]


def test_every_item_has_a_short_title_that_tells_it_apart() -> None:
    for language in LANGUAGES:
        titles = []
        for item in ITEMS:
            assert item.short is not None, f"{item.code}: no short title"
            title = item.short(language)
            assert 3 <= len(title) <= MAX_SHORT, f"{item.code}.{language}: {title!r}"
            titles.append(title.casefold())
        assert len(set(titles)) == len(titles), f"{language}: two items share a short title"


def test_the_duplicates_across_goals_ask_different_things() -> None:
    for first, second in (("1.5.1", "13.1.1"), ("1.5.4", "13.1.3")):
        one, other = SURVEY.item_by_code[first][1], SURVEY.item_by_code[second][1]
        for language in LANGUAGES:
            words = set(re.findall(r"\w+", one.label(language).casefold()))
            others = set(re.findall(r"\w+", other.label(language).casefold()))
            shared = len(words & others) / min(len(words), len(others))
            assert shared < 0.5, (first, second, language, shared)


def test_here_the_stem_and_each_row_are_worded_in_both_languages() -> None:
    assert SURVEY.version == "2026.3"
    assert SURVEY.here is not None and SURVEY.stem is not None
    assert "Ở đây" in SURVEY.here.vi and "Here" in SURVEY.here.en
    for kind in SURVEY.rating_kinds:
        assert kind.question is not None
    forecast = SURVEY.kind("forecast")
    assert forecast.asked("en") == "what you expect by 2030"
    assert forecast.asked("vi") == "bạn dự đoán đến năm 2030"


def test_the_scale_rates_how_true_a_statement_is_in_both_languages() -> None:
    """Both languages ask "how true", and every scale word answers that question."""
    assert SURVEY.stem is not None
    assert "how true" in SURVEY.stem.en.casefold() and "đúng" in SURVEY.stem.vi
    for point in SURVEY.scale.points:
        assert "true" in point.label.en.casefold(), point.label.en
        assert "đúng" in point.label.vi.casefold(), point.label.vi


def test_every_change_of_2026_3_is_in_the_changelog() -> None:
    changelog = (Path(__file__).resolve().parent.parent / "docs" / "survey-changelog.md").read_text(
        "utf-8"
    )
    for item in ITEMS:
        assert f"| {item.code} |" in changelog, f"{item.code} is not in the changelog"
