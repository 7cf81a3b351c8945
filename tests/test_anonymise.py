"""The shareable export: ``scorecard-bot export --format csv --anonymise --out FILE``.

A dataset with rare combinations: 12 young urban women of the north (common),
6 men of the south, and one each of rarer people (an LGBTIQ+ person over 60
in a remote area, a child of an ethnic minority, a woman with a disability
from the centre who came through a partner's invitation). Every combination
of partner, mode and profile answers in the file must be shared by k = 5.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.main import main
from reporting.anonymise import quasi_identifiers, write_anonymised_csv
from storage import audit, users
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent, digest_settings

RATINGS = {("1.1.1", "now"): 3, ("1.1.1", "forecast"): 4}
FIELDS = ["group", "region", "area", "age_band", "gender"]


def profile(group: str, region: str, area: str, age: str, gender: str) -> dict[str, str]:
    return dict(zip(FIELDS, (group, region, area, age, gender), strict=True))


PEOPLE = [
    *[profile("youth women", "north", "urban", "16_30", "female") for _ in range(12)],
    *[profile("youth", "south", "rural", "16_30" if n % 2 else "31_45", "male") for n in range(6)],
    profile("lgbtiq", "south", "remote", "over_60", "other"),
    profile("children ethnic_minority", "north", "remote", "under_16", "prefer_not"),
    profile("women disability", "central", "rural", "46_60", "female"),
]


@pytest.fixture
async def rare(database: Path) -> AsyncIterator[Harness]:
    async with Harness(digest_settings(database)) as running:
        store, survey = running.services.store, running.services.survey
        await users.add_invitation(store, "PARTNER1", label="Hội người khuyết tật Huế")
        for number, answers in enumerate(PEOPLE):
            invitation = "PARTNER1" if answers["region"] == "central" else None
            person = Respondent(880000 + number, answers, dict(RATINGS), invitation=invitation)
            await add_respondent(store, survey, person)
        yield running


def combinations(rows: list[dict[str, str]]) -> Counter[tuple[str, ...]]:
    """Respondents per combination of the quasi-identifiers, as written."""
    people = {
        row["respondent_id"]: tuple(row[c] for c in quasi_identifiers(FIELDS)) for row in rows
    }
    return Counter(people.values())


async def test_every_combination_is_shared_by_k(rare: Harness) -> None:
    out = io.StringIO()
    summary = write_anonymised_csv(rare.settings.storage.database, out, rare.services.survey.id,
                                   FIELDS, 5, seed=1)  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    counts = combinations(rows)
    assert counts and min(counts.values()) >= 5, counts
    # Everyone is still there (21 >= 5), each with both ratings; the common group kept.
    assert summary.respondents == 21 and summary.ratings == len(rows) == 42
    assert counts[("", "self", "female", "16_30", "urban", "north", "youth women")] == 12
    # Rare people's profile answers are withheld, least useful columns first.
    assert "Huế" not in out.getvalue() and "lgbtiq" not in out.getvalue()
    # Partner first, for all 9 outside the common combination (the men split by age).
    assert summary.withheld["partner"] == 9
    assert summary.withheld["gender"] >= 3
    # New ids, months only: nothing to join with the full export or the comments.
    assert all(row["respondent_id"].startswith("A") for row in rows)
    assert all(len(row["answered_at"]) == 7 for row in rows)
    assert any("every combination of profile answers" in line for line in summary.lines())


async def test_too_few_people_in_all_gives_an_empty_file(database: Path) -> None:
    async with Harness(digest_settings(database)) as running:
        for number in range(3):
            answers = profile("youth", "north", "urban", "16_30", "male")
            person = Respondent(881000 + number, answers, dict(RATINGS))
            await add_respondent(running.services.store, running.services.survey, person)
        out = io.StringIO()
        summary = write_anonymised_csv(database, out, running.services.survey.id, FIELDS, 5)
    assert out.getvalue().count("\n") == 1  # the header only
    assert summary.left_out == 3 and summary.respondents == 0


async def test_the_command_line_export_is_anonymised_and_audited(
    rare: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    database = rare.settings.storage.database
    survey_file = rare.settings.survey.file
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    monkeypatch.setenv("SCORECARD_SURVEY__FILE", str(survey_file))
    shared, full = tmp_path / "shared.csv", tmp_path / "full.csv"
    assert main(["export", "--format", "csv", "--anonymise", "--out", str(shared)]) == 0
    err = capsys.readouterr().err
    assert "anonymised for k = 5: 21 respondents, 42 ratings" in err
    assert "gender: withheld ('*') for" in err
    rows = list(csv.DictReader(shared.open(encoding="utf-8")))
    assert min(combinations(rows).values()) >= 5
    # The full export stays, with every answer as given.
    assert main(["export", "--format", "csv", "--out", str(full)]) == 0
    assert "lgbtiq" in full.read_text(encoding="utf-8")
    assert main(["export", "--format", "opensdg", "--anonymise", "--out", str(tmp_path)]) == 2
    entries = await audit.recent(rare.services.store, 5)
    exports = [(e.actor_id, e.action, e.detail.split(" user=")[0]) for e in entries]
    assert (0, "export", f"csv anonymised out={shared}") in exports
    assert (0, "export", f"csv full out={full}") in exports
    assert all(e.at for e in entries)
