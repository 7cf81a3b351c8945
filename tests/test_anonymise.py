"""The shareable export: ``scorecard-bot export --format csv --anonymise --out FILE``.

Common people: 12 young urban women of the north, 6 young men of the rural
south, 5 ethnic-minority children of the remote north. Rare ones: an LGBTIQ+
person over 60 in the remote south and a woman with a disability from the
centre who came through a partner's invitation. Every combination of the
file's columns must be shared by k = 5, and nobody held back may be
recoverable from the digests by subtracting the file from a shown row.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cli.main import main
from reporting import publication
from reporting.anonymise import RATING_COLUMNS, write_anonymised_csv
from reporting.audit import audit as audit_of
from storage import analytics, audit, users
from tests.auxil.harness import Harness
from tests.digest.conftest import Respondent, add_respondent, digest_settings

RATINGS = {("1.1.1", "now"): 3, ("1.1.1", "forecast"): 4}
FIELDS = ["group", "region", "area", "age_band", "gender"]


def profile(group: str, region: str, area: str, age: str, gender: str) -> dict[str, str]:
    return dict(zip(FIELDS, (group, region, area, age, gender), strict=True))


COMMON = [
    *[profile("youth women", "north", "urban", "16_30", "female") for _ in range(12)],
    *[profile("youth", "south", "rural", "16_30" if n % 2 else "31_45", "male") for n in range(6)],
    *[profile("children ethnic_minority", "north", "remote", "under_16", "male") for _ in range(5)],
]
PEOPLE = [
    *COMMON,
    profile("lgbtiq", "south", "remote", "over_60", "other"),
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
    """Respondents per combination of every column but the ratings, as written."""
    people = {
        row["respondent_id"]: tuple(
            v for c, v in row.items() if c not in ("respondent_id", *RATING_COLUMNS)
        )
        for row in rows
    }
    return Counter(people.values())


async def add(running: Harness, people: list[dict[str, str]], first: int) -> None:
    store, survey = running.services.store, running.services.survey
    for number, answers in enumerate(people):
        invitation = "PARTNER1" if answers["region"] == "central" else None
        person = Respondent(first + number, answers, dict(RATINGS), invitation=invitation)
        await add_respondent(store, survey, person)


async def test_common_people_are_written_with_one_column_per_group(database: Path) -> None:
    async with Harness(digest_settings(database)) as running:
        await add(running, COMMON, 882000)
        out = io.StringIO()
        summary = write_anonymised_csv(database, out, running.services.survey, 5, seed=1)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    counts = combinations(rows)
    assert summary.respondents == 23 and summary.held_back == 0 and len(rows) == 46
    assert min(counts.values()) >= 5
    both = [r for r in rows if r["group_youth"] == "1" and r["group_women"] == "1"]
    assert len(both) == 24 and {r["region"] for r in both} == {"north"}
    # Nothing to join with: new ids, no dates, partner, age, gender or hash.
    assert all(row["respondent_id"].startswith("A") for row in rows)
    assert not {"answered_at", "partner", "age_band", "gender", "survey_hash"} & set(rows[0])


async def test_rare_people_and_whoever_would_give_them_away_are_held_back(
    rare: Harness,
) -> None:
    database = rare.settings.storage.database
    out = io.StringIO()
    summary = write_anonymised_csv(database, out, rare.services.survey, 5, seed=1)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert min(combinations(rows).values(), default=5) >= 5
    assert not [r for r in rows if r["group_lgbtiq"] == "1" or r["group_disability"] == "1"]
    with analytics.snapshot(database) as db:
        everyone = len(publication.load(db, rare.services.survey.id, "", 5).people)
    assert summary.held_back == everyone - summary.respondents >= 2
    assert any("held back whole" in line for line in summary.lines())
    # The audit matches the file back to people by their ratings and tries the
    # digests' shown rows on whoever it leaves out: nothing.
    findings = audit_of(database, rare.services.survey, 5).findings
    assert not [f for f in findings if f.attack == "linking"], findings


async def test_too_few_people_in_all_gives_an_empty_file(database: Path) -> None:
    async with Harness(digest_settings(database)) as running:
        await add(running, [profile("youth", "north", "urban", "16_30", "male")] * 3, 881000)
        out = io.StringIO()
        summary = write_anonymised_csv(database, out, running.services.survey, 5)
    assert out.getvalue().count("\n") == 1  # the header only
    assert summary.held_back == 3 and summary.respondents == 0


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
    assert "anonymised for k = 5:" in err and "held back" in err
    rows = list(csv.DictReader(shared.open(encoding="utf-8")))
    assert min(combinations(rows).values(), default=5) >= 5
    # The full export stays, with every answer as given.
    assert main(["export", "--format", "csv", "--out", str(full)]) == 0
    assert "lgbtiq" in full.read_text(encoding="utf-8")
    assert main(["export", "--format", "opensdg", "--anonymise", "--out", str(tmp_path)]) == 2
    entries = await audit.recent(rare.services.store, 5)
    exports = [(e.actor_id, e.action, e.detail.split(" user=")[0]) for e in entries]
    assert (0, "export", f"csv anonymised out={shared}") in exports
    assert (0, "export", f"csv full out={full}") in exports
    assert all(e.at for e in entries)
