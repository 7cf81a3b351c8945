"""Overlapping groups: a respondent counts in each group chosen, never twice in a total.

The group answer holds the chosen ids joined by spaces, in survey order
(``"women ethnic_minority"``). SDG 1, indicator 1.1.1, k = 5:

    respondent  group                     region  area   now  forecast
    B1..B3      women ethnic_minority     north   rural  1..3 2, 3, 4
    W1, W2      women                     north   urban  5, 5 5, 5
    E1, E2      ethnic_minority           south   rural  2, 2 3, 3
    Y1, Y2      youth                     south   urban  4, 4 4, 4
    Y3, Y4      youth disability          south   urban  3, 3 4, 4

    everyone (11 people, each once):  now 34/11, forecast 41/11
    women  (B1-3, W1-2: 5):           now 16/5 = 3.2, forecast 19/5 = 3.8 (shown,
                                      though neither combination alone has 5)
    ethnic minorities (B1-3, E1-2: 5): now 10/5 = 2.0, forecast 15/5 = 3.0 (shown)
    youth (Y1-4: 4):                  hidden, though 4 people; at k = 4 hidden
                                      second (urban minus youth is W1, W2);
                                      14/4 = 3.5 at k = 2
    disability (Y3-4: 2):             hidden
    group respondents 5 + 5 + 4 + 2 = 16 > 11 in the total
    north (5): now 16/5 = 3.2, forecast 19/5 = 3.8; south (6): now 18/6 = 3.0,
    forecast 22/6; rural (5): now 10/5 = 2.0; urban (6): now 24/6 = 4.0

Means leave the publication rounded to two decimals (34/11 reads 3.09).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from pytest import approx

from reporting.digest.analysis import Analysis, analyse, cell_frame, explode
from reporting.digest.charts import heat_map
from reporting.digest.opensdg import opensdg_frame
from reporting.digest.workbook import render_workbook
from reporting.publication import LINKED, SMALL, View
from reporting.results import message_parts
from storage import analytics, users
from storage.export import write_ratings_csv
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import Respondent, add_respondent, digest_settings, published

BOTH = "women ethnic_minority"
PEOPLE = [
    # (telegram id, group, region, area, now, forecast)
    (860001, BOTH, "north", "rural", 1, 2),
    (860002, BOTH, "north", "rural", 2, 3),
    (860003, BOTH, "north", "rural", 3, 4),
    (860004, "women", "north", "urban", 5, 5),
    (860005, "women", "north", "urban", 5, 5),
    (860006, "ethnic_minority", "south", "rural", 2, 3),
    (860007, "ethnic_minority", "south", "rural", 2, 3),
    (860008, "youth", "south", "urban", 4, 4),
    (860009, "youth", "south", "urban", 4, 4),
    (860010, "youth disability", "south", "urban", 3, 4),
    (860011, "youth disability", "south", "urban", 3, 4),
]


@pytest.fixture
async def overlap_harness(database: Path) -> AsyncIterator[Harness]:
    async with Harness(digest_settings(database)) as running:
        for telegram_id, group, region, area, now, forecast in PEOPLE:
            person = Respondent(
                telegram_id,
                {"group": group, "region": region, "area": area},
                {("1.1.1", "now"): now, ("1.1.1", "forecast"): forecast},
            )
            await add_respondent(running.services.store, running.services.survey, person)
        yield running


def analysis_of(h: Harness, scope: dict[str, str] | None = None, k: int = 5) -> Analysis:
    end = datetime.now(UTC) + timedelta(minutes=1)
    return analyse(
        h.settings.storage.database, h.services.survey, scope or {}, end - timedelta(7), end, k
    )


def sdg1(analysis: Analysis):  # type: ignore[no-untyped-def]
    return next(row for row in analysis.goals if row.sdg == 1)


async def test_totals_count_each_respondent_once(overlap_harness: Harness) -> None:
    analysis = analysis_of(overlap_harness)
    goal = sdg1(analysis)
    assert (goal.now.mean, goal.forecast.mean) == (round(34 / 11, 2), round(41 / 11, 2))
    assert (goal.now.rated, goal.now.respondents) == (11, 11)
    items = analysis.indicator_table.set_index("code")
    assert items.loc["1.1.1", "now_respondents"] == 11
    assert items.loc["1.1.1", "now_mean"] == round(34 / 11, 2)
    regions = analysis.breakdowns["region"]
    assert regions[("north", 1, "now")].mean == approx(16 / 5)
    assert regions[("north", 1, "now")].respondents == 5
    assert regions[("south", 1, "forecast")].mean == round(22 / 6, 2)
    assert regions[("south", 1, "now")].respondents == 6
    areas = analysis.breakdowns["area"]
    assert areas[("rural", 1, "now")].mean == approx(2.0)
    assert areas[("urban", 1, "now")].mean == approx(4.0)
    assert areas[("rural", 1, "now")].respondents + areas[("urban", 1, "now")].respondents == 11


async def test_groups_count_each_respondent_in_every_group_chosen(
    overlap_harness: Harness,
) -> None:
    groups = analysis_of(overlap_harness).breakdowns["group"]
    women, minorities = groups[("women", 1, "now")], groups[("ethnic_minority", 1, "now")]
    assert (women.mean, women.respondents, women.rated) == (approx(3.2), 5, 5)
    assert groups[("women", 1, "forecast")].mean == approx(3.8)
    assert (minorities.mean, minorities.respondents) == (approx(2.0), 5)
    assert groups[("ethnic_minority", 1, "forecast")].mean == approx(3.0)
    # Only single ids, never a combination, in the breakdown.
    assert {choice for choice, _sdg, _kind in groups} == {
        "youth", "women", "disability", "ethnic_minority",
    }  # fmt: skip
    # The group counts add up to more than the total: 16 > 11.
    counts = [mean.respondents for (_c, sdg, kind), mean in groups.items() if sdg == 1]
    assert sum(counts) == 2 * 16  # now and forecast


async def test_suppression_applies_to_each_exploded_group(overlap_harness: Harness) -> None:
    groups = analysis_of(overlap_harness).breakdowns["group"]
    youth = groups[("youth", 1, "now")]  # "youth" 2 + "youth disability" 2
    assert youth.suppressed and youth.mean is None and youth.respondents == 4
    assert groups[("disability", 1, "now")].suppressed
    # At k = 4 youth (4) is enough, but urban (6) minus youth would be the two
    # urban women (W1, W2): youth is hidden second; disability (2) is too few.
    at_four = analysis_of(overlap_harness, k=4).breakdowns["group"]
    assert at_four[("youth", 1, "now")].suppressed and at_four[("youth", 1, "now")].mean is None
    assert at_four[("disability", 1, "now")].suppressed
    everyone = View((), None)
    four = published(overlap_harness, k=4)
    assert four.row(everyone, ("group", "youth")).hidden == LINKED
    assert four.row(everyone, ("group", "disability")).hidden == SMALL
    assert four.row(everyone, ("area", "urban")).shown
    at_two = analysis_of(overlap_harness, k=2).breakdowns["group"]
    assert at_two[("youth", 1, "now")].mean == approx(14 / 4)
    assert at_two[("disability", 1, "now")].mean == approx(3.0)


async def test_scope_matches_a_group_within_combinations(overlap_harness: Harness) -> None:
    women = analysis_of(overlap_harness, {"group": "women"})
    assert women.progress.started == 5  # B1-B3 and W1, W2; no youth
    assert sdg1(women).now.mean == approx(16 / 5)
    groups = women.breakdowns["group"]
    assert groups[("women", 1, "now")].respondents == 5
    assert groups[("ethnic_minority", 1, "now")].suppressed  # B1-B3 only, inside this scope
    assert not any(choice == "youth" for choice, _sdg, _kind in groups)
    # k = 4: the youth scope is published, but its own row is hidden second (urban
    # minus youth would be W1, W2), its count with it; k = 2 shows it.
    hidden = analysis_of(overlap_harness, {"group": "youth"}, k=4)
    assert not hidden.too_small and hidden.progress.started is None
    assert sdg1(hidden).now.mean is None
    youth = analysis_of(overlap_harness, {"group": "youth"}, k=2)
    assert youth.progress.started == 4 and sdg1(youth).now.mean == approx(14 / 4)


async def test_scope_matches_whole_ids_only(overlap_harness: Harness) -> None:
    h = overlap_harness
    # A hypothetical id that starts like "women": stored directly, never matched by it.
    await add_respondent(
        h.services.store, h.services.survey,
        Respondent(860100, {"group": "women_leaders"}, {("1.1.1", "now"): 1}),
    )  # fmt: skip
    db = analytics.connect(h.settings.storage.database)
    try:
        cells = analytics.rating_cells(db, h.services.survey.id, {"group": "women"})
        leaders = analytics.rating_cells(db, h.services.survey.id, {"group": "women_leaders"})
        progress = analytics.progress(db, h.services.survey.id, {"group": "women"}, "", "9")
    finally:
        db.close()
    assert {cell.group for cell in cells} == {BOTH, "women"}
    assert {cell.group for cell in leaders} == {"women_leaders"}
    assert progress.started == 5
    assert analytics.has_choice(BOTH, "ethnic_minority")
    assert not analytics.has_choice("ethnicXminority", "ethnic_minority")
    assert analytics.chosen("") == [] and analytics.chosen("prefer_not") == ["prefer_not"]


def test_explode_splits_combinations_and_keeps_unanswered() -> None:
    cells = [
        analytics.Cell(BOTH, "north", "", 1, "1.1.1", "now", 3, 6, 0),
        analytics.Cell("", "north", "", 1, "1.1.1", "now", 1, 4, 1),
    ]
    exploded = explode(cell_frame(cells), "group")
    assert list(zip(exploded["group"], exploded["rated"], strict=True)) == [
        ("women", 3), ("ethnic_minority", 3), ("", 1),
    ]  # fmt: skip
    single = cell_frame(cells[1:])
    assert explode(single, "group") is single  # nothing to split


async def test_heat_map_and_workbook_read_the_exploded_groups(overlap_harness: Harness) -> None:
    analysis = analysis_of(overlap_harness)
    means, hidden = analysis.breakdown_grid("group", "now")
    assert list(means.index) == ["youth", "women", "disability", "ethnic_minority"]
    assert means.loc["women", 1] == approx(3.2) and means.loc["ethnic_minority", 1] == approx(2.0)
    assert hidden.loc["youth", 1] and hidden.loc["disability", 1]
    assert heat_map(analysis, "en").startswith(b"\x89PNG")
    book = load_workbook(io.BytesIO(render_workbook(analysis, "en", ZoneInfo("UTC"))))
    rows = [
        (row[1].value, row[6].value)
        for row in book["Breakdowns"].iter_rows(min_row=2)
        if row[0].value == "Group" and row[2].value == 1 and row[3].value == "Now"
    ]
    assert rows == [
        ("Youth", "<5"), ("Women", 5), ("People with disabilities", "<5"),
        ("Ethnic minorities", 5),
    ]  # fmt: skip


async def test_open_sdg_group_rows_count_each_group_chosen(overlap_harness: Harness) -> None:
    h = overlap_harness
    rows = opensdg_frame(h.services.survey, published(h), View((), None))
    now = rows[rows["Year"] == h.services.survey.years["now"]]
    assert list(zip(now["Group"], now["Region"], now["Area"], now["Value"], strict=True)) == [
        ("", "", "", round(34 / 11, 2)),
        ("Ethnic minorities", "", "", 2.0),
        ("Women", "", "", 3.2),
        ("", "North", "", 3.2),
        ("", "South", "", 3.0),
        ("", "", "Rural", 2.0),
        ("", "", "Urban", 4.0),
    ]
    assert not now["Group"].str.contains("Youth|disabilities").any()


async def english(h: Harness, telegram_id: int) -> Person:
    user = await users.get_user(h.services.store, telegram_id)
    assert user is not None
    await users.set_language(h.services.store, user.id, "en")
    return Person(telegram_id, "en")


def goal_block(text: str, heading: str) -> list[str]:
    return text.split(f"<b>{heading}</b>\n")[1].split("\n\n")[0].splitlines()


async def test_results_compare_with_each_group_chosen(overlap_harness: Harness) -> None:
    person = await english(overlap_harness, 860001)  # B1: women + ethnic minority, north
    await overlap_harness.text(person, "/results")
    text = overlap_harness.screen(person).text
    assert goal_block(text, "SDG 1: No poverty") == [
        "You: 1.0 → 2.0",
        "Women: 3.2 → 3.8",
        "Ethnic minorities: 2.0 → 3.0",
        "North: 3.2 → 3.8",
    ]
    # Nobody rated SDG 4: "–" there, explained once at the end.
    assert goal_block(text, "SDG 4: Quality education") == [
        "You: not rated", "Women: –", "Ethnic minorities: –", "North: –",
    ]  # fmt: skip
    assert text.count("–: no ratings of this goal yet.") == 1
    assert text.endswith(
        "–: no ratings of this goal yet.\nGroups with fewer than 5 people are never shown."
        "\nThis keeps the people in them from being recognised."
    )
    assert "Hidden:" not in text and "1.1.1" not in text


async def test_results_name_groups_hidden_everywhere_once(overlap_harness: Harness) -> None:
    person = await english(overlap_harness, 860010)  # Y3: youth + disability, south
    await overlap_harness.text(person, "/results")
    text = overlap_harness.screen(person).text
    assert goal_block(text, "SDG 1: No poverty") == ["You: 3.0 → 4.0", "South: 3.0 → 3.7"]
    # Both too few (4 and 2 people): named once, with the reason.
    assert (
        "Hidden: Youth, People with disabilities. Fewer than 5 people in them have answered."
        in text
    )
    assert "smaller group" not in text
    assert text.count("Youth") == 1 and text.count("People with disabilities") == 1


async def test_tidy_export_keeps_one_group_column_with_the_list(overlap_harness: Harness) -> None:
    h = overlap_harness
    out = io.StringIO()
    write_ratings_csv(h.settings.storage.database, out, h.services.survey.id, ["group", "region"])
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert len(rows) == 22  # one row per rating: a person with two groups is not repeated
    assert sorted({row["group"] for row in rows}) == [
        "ethnic_minority", "women", "women ethnic_minority", "youth", "youth disability",
    ]  # fmt: skip


def test_long_results_are_cut_between_goals() -> None:
    paragraphs = ["<b>SDG 1</b>\n" + "x" * 40, "<b>SDG 2</b>\n" + "y" * 40, "end"]
    text = "\n\n".join(paragraphs)
    assert message_parts(text) == [text]
    assert message_parts(text, limit=110) == ["\n\n".join(paragraphs[:2]), "end"]
    assert message_parts(text, limit=55) == paragraphs
