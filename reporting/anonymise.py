"""The shareable export: ratings of respondents whose every attribute is shared by k.

**Threat.** The file sits beside the digests. A digest publishes exact sums
(mean × people) for every group, region, area and mode it shows, and a
person's 138 ratings are a fingerprint: whoever holds the file can find, by
matching sums, which of its rows make up any published group. So any profile
value the file withholds or coarsens can be put back from the digests, and a
row whose combination is rare is a person. Withholding values (``*``) is
therefore no protection here, and this export does not do it.

**Method** (global recoding, then suppression of whole records, in the
sense of sdcMicro):

- *Recoding.* The columns are every dimension a digest publishes (round,
  survey version, mode, region, area, and one 0/1 column per group, so a
  woman from an ethnic minority is ``group_women=1, group_ethnic_minority=1``),
  all of them quasi-identifiers together. Everything else is left out of
  this file: the partner label, the other profile answers, dates, the survey
  hash (the version says the same), finished or not, comments.
- *Records.* A respondent is written when at least ``k`` respondents share
  their whole combination; the others are held back whole. Held-back people
  must not be recoverable either: for every row the round's publication
  shows, its held-back people number 0 or at least ``k``, and none of them
  can be isolated by adding and subtracting shown rows over the held-back
  people (``protect.derivable_groups``); where that fails, the smallest written
  combination of the offending row is held back too, until it holds.
- Respondent ids are renumbered at random (``A0001`` ...).

What it costs is printed: people written and held back. On a small round
nearly everyone is held back; that is the honest answer, not a bug.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reporting import publication
from reporting.publication.protect import derivable_groups
from storage import analytics
from storage import publication as stored
from storage.export import spreadsheet_safe
from storage.publication import Person
from survey.model import Survey

RATING_COLUMNS = ("sdg", "indicator_code", "kind", "value")
Key = tuple[str, ...]


@dataclass(slots=True)
class Summary:
    """What the anonymisation changed, for the person who runs it."""

    k: int
    respondents: int = 0  # written
    ratings: int = 0  # rows written
    held_back: int = 0  # respondents not written
    rounds: dict[str, tuple[int, int]] = field(default_factory=dict)  # written, held back

    def lines(self) -> list[str]:
        lines = [
            f"anonymised for k = {self.k}: {self.respondents} respondents written,"
            f" {self.ratings} ratings; every combination of round, version, mode, groups,"
            f" region and area is shared by at least {self.k} of them"
        ]
        for round_id, (written, held) in self.rounds.items():
            lines.append(f"  round {round_id or '(none)'}: {written} written, {held} held back")
        if self.held_back:
            lines.append(
                f"  {self.held_back} respondents held back whole: their combination, or what"
                " the digests would let anyone work out about them, was shared by fewer"
                f" than {self.k}"
            )
        lines.append(
            "  left out: partner, other profile answers, dates, survey hash, comments;"
            " respondent ids renumbered"
        )
        return lines


def columns(survey: Survey) -> list[str]:
    groups = _group_choices(survey)
    return [
        "respondent_id", "round", "survey_version", "mode",
        *(f"group_{choice}" for choice in groups), "region", "area", *RATING_COLUMNS,
    ]  # fmt: skip


def _group_choices(survey: Survey) -> list[str]:
    question = survey.profile_question("group")
    return [*(c.id for c in question.choices), "prefer_not"] if question else []


def key_of(person: Person, version: str, groups: Sequence[str]) -> Key:
    chosen = set(analytics.chosen(person.group))
    flags = tuple(("1" if g in chosen else "0") if chosen else "" for g in groups)
    return (version, person.mode, *flags, person.region, person.area)


def written_people(
    people: Sequence[Person],
    keys: Mapping[int, Key],
    shown: Sequence[frozenset[int]],
    k: int,
    rated: set[int],
) -> set[int]:
    """The response ids to write for one round (module doc)."""
    counts = Counter(keys[p.response_id] for p in people if p.response_id in rated)
    # Someone with no rating has no row in the file: held back like the rest.
    written = {
        p.response_id for p in people if p.response_id in rated and counts[keys[p.response_id]] >= k
    }
    everyone = frozenset(p.response_id for p in people)
    rows = [*shown, everyone]
    while written:
        held = everyone - written
        problem = next((row for row in rows if 0 < len(row & held) < k), None)
        if problem is None and held:
            restricted = [row & held for row in rows if row & held]
            found = derivable_groups(restricted, dict.fromkeys(held, 1), k, first=True)
            problem = next((row for row in rows if found and found[0] <= row), None)
        if problem is None:
            return written
        # Hold back the smallest written combination inside the offending row.
        inside = Counter(keys[r] for r in problem & written) or Counter(keys[r] for r in written)
        smallest = min(inside, key=lambda key: (counts[key], key))
        written -= {r for r in written if keys[r] == smallest}
    return written


def write_anonymised_csv(
    database: Path | str, out: TextIO, survey: Survey, k: int, seed: int | None = None
) -> Summary:
    """Write the anonymised tidy CSV (module doc); returns what was changed."""
    groups = _group_choices(survey)
    summary = Summary(k)
    chosen_rows: list[tuple[Person, str, Key]] = []
    with analytics.snapshot(database) as db:
        for round_id in stored.round_ids(db):
            versions = stored.response_versions(db, survey.id, round_id)
            published = publication.load(db, survey.id, round_id, k)
            people = published.people
            keys = {
                p.response_id: key_of(p, versions.get(p.response_id, ""), groups) for p in people
            }
            rated = stored.rated_responses(db, survey.id, round_id)
            written = written_people(people, keys, published.shown_sets(), k, rated)
            summary.rounds[round_id] = (len(written), len(people) - len(written))
            chosen_rows += [
                (p, round_id, keys[p.response_id]) for p in people if p.response_id in written
            ]
        ratings = stored.ratings_of(db, [p.response_id for p, _r, _k in chosen_rows])
    random.Random(seed).shuffle(chosen_rows)
    width = max(4, len(str(len(chosen_rows))))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(survey))
    for number, (person, round_id, key) in enumerate(chosen_rows, start=1):
        version, mode, *flags_and_place = key
        prefix = [f"A{number:0{width}d}", round_id, version, mode, *flags_and_place]
        for sdg, code, kind, value in ratings.get(person.response_id, []):
            writer.writerow([spreadsheet_safe(cell) for cell in (*prefix, sdg, code, kind, value)])
            summary.ratings += 1
    summary.respondents = len(chosen_rows)
    summary.held_back = sum(held for _w, held in summary.rounds.values())
    return summary
