"""``privacy audit``: the project's own attacks, run on every output a scope can obtain.

The audit does not trust the publication. It calls the real outputs (the
digest analysis behind the text, workbook and charts, for every view of the
scope with and without each mode filter; the Open SDG rows and the SDMX
observations of every round; /results' comparisons; the anonymised export) and notes, for each row they
show or hide, who it is about, worked out again here from the raw profile
answers. Then, round by round:

- **differencing**: whether any group of 1 to k−1 people — a hidden row, one
  person, a combination of profile answers, the difference of two shown
  rows, those still answering — is a sum of shown rows with signs (a rank
  test over every shown row of every output at once);
- **ratings**: the same, inside shown rows: whether the ratings of 1 to
  k−1 people of one indicator or goal (a mean few rated, the difference of
  two means) are a sum of shown means with signs, goal by goal and kind by
  kind, over every output's goal and indicator means;
- **small counts**: any count from 1 to k−1 printed anywhere;
- **precision**: any mean with more than two decimals;
- **rounds**: any row whose people are not its round's (all-time totals);
- **linking**: the anonymised file's rows matched back to people by their
  ratings, then the same tests on the people it leaves out, and every
  combination of its columns shared by at least k.

A correct deployment yields no finding. Each finding names the attack,
where, and what it gives away.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from reporting import anonymise, publication
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.opensdg import DISAGGREGATIONS, opensdg_frame
from reporting.publication import Publication, View
from reporting.publication.protect import derivable_groups
from reporting.results import comparisons
from reporting.sdmx.observations import BREAKDOWNS, Observation, code_of, round_rows, series_code
from storage import analytics
from storage import publication as stored
from storage.publication import Person
from storage.rounds import rounds_of
from survey.model import Survey

Condition = tuple[str, str]
Rating = tuple[int, str]  # (profile number, indicator code)


@dataclass(frozen=True, slots=True)
class Finding:
    attack: str  # differencing, small count, precision, rounds, linking
    where: str
    detail: str

    def line(self) -> str:
        return f"{self.attack}: {self.where}: {self.detail}"


@dataclass(slots=True)
class Seen:
    """One round's rows as an attacker sees them: who each is about, shown or not."""

    people: list[Person]
    shown: dict[frozenset[int], str] = field(default_factory=dict)  # members -> where
    hidden: dict[frozenset[int], str] = field(default_factory=dict)
    # Who rated what: response id -> (indicator, kind) rated (not "don't know").
    rated: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    # Shown means, goal by goal and kind by kind, as the ratings they sum: of one
    # indicator by the people of one profile (whom no output can tell apart).
    means: dict[tuple[int, str], dict[frozenset[Rating], str]] = field(default_factory=dict)
    _who: dict[tuple[Condition, ...], frozenset[int]] = field(default_factory=dict)
    _profiles: dict[frozenset[int], frozenset[int]] = field(default_factory=dict)
    _raters: Counter[tuple[int, str, str]] = field(default_factory=Counter)
    _profile_of: dict[int, int] = field(default_factory=dict)

    def raters(self, rating: Rating, kind: str) -> int:
        """How many people of a profile rated an indicator (``note_mean``'s unknowns)."""
        return self._raters[(rating[0], rating[1], kind)]

    def who(self, conditions: Iterable[Condition]) -> frozenset[int]:
        """``members`` of the round's people, remembered (outputs ask again and again)."""
        key = tuple(sorted(conditions))
        if key not in self._who:
            self._who[key] = members(self.people, key)
        return self._who[key]

    def note(self, members: frozenset[int], shown: bool, where: str) -> None:
        if members:
            (self.shown if shown else self.hidden).setdefault(members, where)

    def note_mean(
        self, members: frozenset[int], sdg: int, kind: str, codes: Iterable[str], where: str
    ) -> None:
        """A shown mean of ``codes`` (one indicator, or a goal's) over ``members``."""
        codes = list(codes)
        if not self._profile_of:
            numbering: dict[tuple[str, ...], int] = {}
            for p in self.people:
                profile = (p.mode, p.partner, p.group, p.region, p.area)
                self._profile_of[p.response_id] = numbering.setdefault(profile, len(numbering))
            for r, given in self.rated.items():
                for code, rated_kind in given:
                    self._raters[(self._profile_of[r], code, rated_kind)] += 1
        profiles = self._profiles.get(members)
        if profiles is None:
            profiles = frozenset(self._profile_of[r] for r in members)
            self._profiles[members] = profiles
        ratings = frozenset(
            (n, code) for n in profiles for code in codes if self._raters[(n, code, kind)]
        )
        if ratings:
            self.means.setdefault((sdg, kind), {}).setdefault(ratings, where)


@dataclass(slots=True)
class Report:
    findings: list[Finding] = field(default_factory=list)
    outputs: int = 0
    rows: int = 0

    def lines(self) -> list[str]:
        head = f"privacy audit: {self.outputs} outputs, {self.rows} rows checked"
        if not self.findings:
            return [head, "nothing could be derived"]
        return [head, *(f.line() for f in self.findings)]


def members(people: Iterable[Person], conditions: Iterable[Condition]) -> frozenset[int]:
    """Response ids matching every condition: worked out here, not by the publication."""
    conditions = list(conditions)

    def match(person: Person, dimension: str, choice: str) -> bool:
        value = getattr(person, dimension)
        if dimension == "group":
            return choice in value.split() if choice else not value.split()
        return value == choice

    return frozenset(p.response_id for p in people if all(match(p, d, c) for d, c in conditions))


def views_for(published: Publication, scope: Mapping[str, str] | None) -> list[View]:
    """The views a coordinator of ``scope`` can ask for (every view for None: an admin)."""
    family = list(published.views)
    if scope is None:
        return family
    wanted = View.of(scope).scope
    return [view for view in family if view.scope == wanted]


def audit(
    database: Path | str, survey: Survey, k: int, scope: Mapping[str, str] | None = None
) -> Report:
    report = Report()
    end = datetime.now(UTC)
    start = end - timedelta(days=7)
    with analytics.snapshot(database) as db:
        listed = rounds_of(db)
        round_ids = [r.id for r in listed] or [""]
        publications = {rid: publication.load(db, survey.id, rid, k) for rid in round_ids}
        # Who is in each round, read here and not taken from the publication.
        seen = {rid: Seen(stored.people(db, survey.id, rid)) for rid in round_ids}
        for rows in seen.values():
            given = stored.ratings_of(db, [p.response_id for p in rows.people])
            rows.rated = {
                r: {(code, kind) for _sdg, code, kind, value in values if value is not None}
                for r, values in given.items()
            }
    current = next((r.id for r in listed if r.is_open), round_ids[-1])
    for rid, published in publications.items():
        for view in views_for(published, scope):
            frame = opensdg_frame(survey, published, view)
            report.outputs += 1
            _opensdg_rows(survey, seen[rid], view, frame, report, rid)
            _opensdg_means(survey, seen[rid], view, frame, rid)
            if rid == current:
                analysis = analyse(
                    database, survey, dict(view.scope), start, end, k,
                    mode=view.mode, publications=publications,
                )  # fmt: skip
                report.outputs += 1
                _digest_rows(seen[rid], view, analysis, report, rid)
                _digest_means(survey, seen[rid], view, analysis, rid)
        if scope is None or not scope:  # SDMX is the everyone view of every round
            report.outputs += 1
            _sdmx_rows(survey, seen[rid], published, report, rid)
        if rid == current:
            _results_rows(survey, seen[rid], publications[rid], report)
    for rid, rows in seen.items():
        report.rows += len(rows.shown) + len(rows.hidden)
        report.findings += differencing(rows, k, rid)
        report.findings += rating_differencing(rows, k, rid)
    report.findings += linking(database, survey, k, seen)
    return report


def _where(rid: str, view: View, condition: Condition | None, output: str) -> str:
    scope = ",".join(f"{d}={c}" for d, c in view.scope) or "all"
    mode = f" mode={view.mode}" if view.mode else ""
    row = f" {condition[0]}={condition[1] or '(unanswered)'}" if condition else ""
    return f"round {rid or '(none)'} {output} scope={scope}{mode}{row}"


def _digest_rows(seen: Seen, view: View, analysis: Analysis, report: Report, rid: str) -> None:
    base = [*view.conditions()]
    if analysis.too_small:
        seen.note(seen.who(base), False, _where(rid, view, None, "digest"))
        return
    where = _where(rid, view, None, "digest")
    headline = seen.who(base)
    progress = analysis.progress
    seen.note(headline, progress.started is not None, where)
    finished = frozenset(
        p.response_id for p in seen.people if p.submitted_at and p.response_id in headline
    )
    seen.note(finished, progress.completed is not None, where + " (completed)")
    counts = [progress.started, progress.completed, progress.started_in_window,
              progress.completed_in_window, progress.new_comments]  # fmt: skip
    counts += [people for _item, _kind, people in progress.stops]
    for dimension, rows in (("mode", progress.by_mode), ("partner", progress.by_invitation)):
        for choice, people, completed in rows:
            condition = (dimension, choice)
            seen.note(seen.who([*base, condition]), people is not None,
                      _where(rid, view, condition, "digest"))  # fmt: skip
            counts += [people, completed]
    _small_counts(counts, analysis.k, where, report)
    _check_table(analysis.goal_table, ["now_mean", "forecast_mean"], where, report)
    _check_table(analysis.indicator_table, ["now_mean", "forecast_mean"], where, report)
    _check_table(analysis.breakdown_table, ["mean"], where, report)
    respondents = analysis.goal_table.loc[~analysis.goal_table["now_suppressed"], "now_respondents"]
    _rounds_check(headline, respondents, where, report)
    table = analysis.breakdown_table
    for (dimension, choice), rows in table.groupby(["dimension", "choice"], sort=False):
        condition = (str(dimension), str(choice))
        cell = seen.who([*base, condition])
        shown = not bool(rows["suppressed"].all())
        row_where = _where(rid, view, condition, "digest")
        seen.note(cell, shown, row_where)
        if shown:
            _small_counts(list(rows["respondents"]), analysis.k, row_where, report)
            _rounds_check(cell, rows["respondents"], row_where, report)
    if analysis.previous_round is not None:
        values = [v for p in analysis.previous_round.goals.values() for v in (p.now, p.forecast)]
        _precision(values, where + " (earlier round)", report)


def _opensdg_rows(
    survey: Survey, seen: Seen, view: View, frame: pd.DataFrame, report: Report, rid: str
) -> None:
    base = [*view.conditions()]
    where = _where(rid, view, None, "Open SDG")
    _precision(list(frame["Value"]), where, report)
    headline = (frame[list(DISAGGREGATIONS.values())] == "").all(axis=1)
    seen.note(seen.who(base), bool(headline.any()), where)
    for dimension, column in DISAGGREGATIONS.items():
        question = survey.profile_question(dimension)
        ids = {c.label("en"): c.id for c in question.choices} if question else {}
        present = {ids[label] for label in frame[column] if label in ids}
        for choice in ids.values():
            condition = (dimension, choice)
            seen.note(seen.who([*base, condition]), choice in present,
                      _where(rid, view, condition, "Open SDG"))  # fmt: skip


def _sdmx_rows(
    survey: Survey, seen: Seen, published: Publication, report: Report, rid: str
) -> None:
    """The SDMX observations of the round: a key with any value is a shown row (of
    the people its dimension codes name), each value a shown mean of one indicator."""
    choices = {}
    for dimension in BREAKDOWNS:
        question = survey.profile_question(dimension)
        for choice in question.choices if question else ():
            choices[code_of(dimension, choice.id)] = (dimension, choice.id)
    series = {
        series_code(item.code, kind): (section.sdg, item.code, kind)
        for section, item in survey.items
        for kind in survey.years
    }
    rows: dict[tuple[Condition, ...], list[Observation]] = {}
    for obs in round_rows(survey, published, survey.years):
        conditions = tuple(
            choices[(name, code)] for name, code in obs.key.items() if (name, code) in choices
        )
        rows.setdefault(conditions, []).append(obs)
    view = View.of({})
    for conditions, listed in rows.items():
        where = _where(rid, view, conditions[0] if conditions else None, "SDMX")
        values = [obs.value for obs in listed if obs.value is not None]
        _precision(values, where, report)
        cell = seen.who(list(conditions))
        if values:  # a row whose every mean is confidential says nothing more
            seen.note(cell, True, where)
        for obs in listed:
            if obs.value is not None:
                sdg, code, kind = series[obs.key["SERIES"]]
                seen.note_mean(cell, sdg, kind, [code], where)


def _goal_codes(survey: Survey) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for section, item in survey.items:
        codes.setdefault(section.sdg, []).append(item.code)
    return codes


def _digest_means(survey: Survey, seen: Seen, view: View, analysis: Analysis, rid: str) -> None:
    """The digest's shown means (goals and indicators of the view, goals by breakdown)."""
    if analysis.too_small:
        return
    base = [*view.conditions()]
    headline = seen.who(base)
    where = _where(rid, view, None, "digest")
    goals = _goal_codes(survey)
    for kind in ("now", "forecast"):
        for row in analysis.goal_table.to_dict("records"):
            if not row[f"{kind}_suppressed"]:
                seen.note_mean(headline, int(row["sdg"]), kind, goals[int(row["sdg"])], where)
        for row in analysis.indicator_table.to_dict("records"):
            if not row[f"{kind}_suppressed"]:
                seen.note_mean(headline, int(row["sdg"]), kind, [row["code"]], where)
    for row in analysis.breakdown_table.to_dict("records"):
        if not row["suppressed"]:
            condition = (str(row["dimension"]), str(row["choice"]))
            cell = seen.who([*base, condition])
            sdg = int(row["sdg"])
            seen.note_mean(cell, sdg, str(row["kind"]), goals[sdg], where)


def _opensdg_means(survey: Survey, seen: Seen, view: View, frame: pd.DataFrame, rid: str) -> None:
    """The Open SDG rows as shown means of one indicator each."""
    base = [*view.conditions()]
    kinds = {year: kind for kind, year in survey.years.items()}
    sdg_of = {item.code: section.sdg for section, item in survey.items}
    ids = {}
    for dimension in DISAGGREGATIONS:
        question = survey.profile_question(dimension)
        ids[dimension] = {c.label("en"): c.id for c in question.choices} if question else {}
    where = _where(rid, view, None, "Open SDG")
    for row in frame.to_dict("records"):
        conditions = [
            (dimension, ids[dimension].get(row[column], ""))
            for dimension, column in DISAGGREGATIONS.items()
            if row[column]
        ]
        kind = kinds.get(int(row["Year"]))
        code = str(row["Indicator"])
        if kind is None or code not in sdg_of:
            continue
        cell = seen.who([*base, *conditions])
        seen.note_mean(cell, sdg_of[code], kind, [code], where)


def rating_differencing(seen: Seen, k: int, rid: str) -> list[Finding]:
    """Ratings of 1 to k−1 people (of one goal, one kind) that sums and
    differences of shown means give. Ratings no shown mean tells apart are
    merged first (one unknown each), so the rank test stays small."""
    findings = []
    for (sdg, kind), shown in sorted(seen.means.items()):
        lines = list(shown)
        where: dict[Rating, list[int]] = {}
        for number, line in enumerate(lines):
            for rating in line:
                where.setdefault(rating, []).append(number)
        classes: dict[tuple[int, ...], list[Rating]] = {}
        for rating, found in where.items():
            classes.setdefault(tuple(found), []).append(rating)
        numbered = list(classes.values())
        class_of = {rating: n for n, ratings in enumerate(numbered) for rating in ratings}
        rows = [frozenset(class_of[rating] for rating in line) for line in lines]
        sizes = {
            n: sum(seen.raters(rating, kind) for rating in ratings)
            for n, ratings in enumerate(numbered)
        }
        for group in derivable_groups(rows, sizes, k, first=True):
            ratings = [rating for n in group for rating in numbered[n]]
            codes = sorted({code for _profile, code in ratings})
            count = sum(seen.raters(rating, kind) for rating in ratings)
            findings.append(
                Finding(
                    "ratings",
                    f"round {rid or '(none)'} SDG {sdg} {kind}",
                    f"{count} ratings of {', '.join(codes)} can be worked out from shown means",
                )
            )
    return findings


def _results_rows(survey: Survey, seen: Seen, published: Publication, report: Report) -> None:
    """/results: every respondent sees the unscoped rows of their groups and region."""
    everyone = View((), None)
    group = survey.profile_question("group")
    region = survey.profile_question("region")
    groups = [c.id for c in group.choices] if group else []
    for place in [c.id for c in region.choices] if region else [""]:
        profile = {"group": " ".join(groups), "region": place}
        compared = comparisons(survey, profile, published, "en")
        report.outputs += 1
        for (dimension, choice), comparison in zip(
            [("group", g) for g in groups] + [("region", place)], compared, strict=False
        ):
            shown = comparison.hidden is None and any(
                not mean.suppressed for mean in comparison.means.values()
            )
            cell = seen.who([(dimension, choice)])
            seen.note(
                cell, shown, _where(published.round_id, everyone, (dimension, choice), "/results")
            )
            if shown:
                counts = [mean.respondents for mean in comparison.means.values()]
                _small_counts(counts, published.k, "/results", report)
                _precision([mean.mean for mean in comparison.means.values()], "/results", report)


def _small_counts(counts: list[object], k: int, where: str, report: Report) -> None:
    small = sorted({int(c) for c in counts if isinstance(c, int | float) and 0 < c < k})
    if small:
        report.findings.append(Finding("small count", where, f"prints {small}"))


def _precision(values: Iterable[object], where: str, report: Report) -> None:
    for value in values:
        if isinstance(value, float) and value == value and round(value, 2) != value:
            report.findings.append(Finding("precision", where, f"prints {value!r}"))
            return


def _check_table(table: pd.DataFrame, columns: list[str], where: str, report: Report) -> None:
    for column in columns:
        _precision(table[column].dropna().tolist(), where, report)


def _rounds_check(cell: frozenset[int], respondents: pd.Series, where: str, report: Report) -> None:
    wrong = {int(n) for n in respondents if int(n) != len(cell)}
    if wrong:
        report.findings.append(
            Finding("rounds", where, f"counts {sorted(wrong)} people, the round has {len(cell)}")
        )


def differencing(seen: Seen, k: int, rid: str) -> list[Finding]:
    """Small groups that are sums and differences of what is shown (module doc): every
    union of people no shown row tells apart, of 1 to k−1 people, tried by rank."""
    shown = list(seen.shown)
    groups = derivable_groups(shown, {p.response_id: 1 for p in seen.people}, k)
    profile = {
        p.response_id: (p.mode, p.group or "-", p.region or "-", p.area or "-") for p in seen.people
    }
    findings = []
    for group in groups:
        who = sorted({" ".join(profile[r]) for r in group})
        findings.append(
            Finding(
                "differencing",
                f"round {rid or '(none)'}",
                f"{len(group)} people ({'; '.join(who)}) can be worked out from shown rows",
            )
        )
    return findings


def linking(
    database: Path | str, survey: Survey, k: int, seen: Mapping[str, Seen]
) -> list[Finding]:
    """Match the anonymised file back to people by their ratings; test who it leaves out."""
    out = io.StringIO()
    anonymise.write_anonymised_csv(database, out, survey, k, seed=0)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    exported: dict[str, dict[str, object]] = {}
    for row in rows:
        record = exported.setdefault(row["respondent_id"], {"key": None, "ratings": set()})
        record["key"] = tuple(
            v for c, v in row.items() if c not in ("respondent_id", *anonymise.RATING_COLUMNS)
        )
        record["ratings"].add((row["indicator_code"], row["kind"], row["value"]))  # type: ignore[union-attr]
    findings = []
    keys = Counter(record["key"] for record in exported.values())
    for key, count in keys.items():
        if count < k:
            findings.append(Finding("linking", "anonymised export", f"{key} is shared by {count}"))
    with analytics.snapshot(database) as db:
        ids = [p.response_id for rows_ in seen.values() for p in rows_.people]
        ratings = stored.ratings_of(db, ids)
    # Two people may share every rating: each exported record takes one of them.
    fingerprints: dict[frozenset[tuple[str, str, str]], list[int]] = {}
    for response_id, values in ratings.items():
        mark = frozenset((code, kind, "" if v is None else str(v)) for _s, code, kind, v in values)
        fingerprints.setdefault(mark, []).append(response_id)
    found: set[int] = set()
    for record in exported.values():
        candidates = fingerprints.get(frozenset(record["ratings"]), [])  # type: ignore[arg-type]
        if candidates:
            found.add(candidates.pop())
    for rid, rows_ in seen.items():
        everyone = frozenset(p.response_id for p in rows_.people)
        held = everyone - found
        shown = [*rows_.shown, everyone]
        for row in shown:
            if 0 < len(row & held) < k:
                findings.append(Finding("linking", f"round {rid or '(none)'}",
                    f"{len(row & held)} people held back from the export are all that"
                    " separates it from a shown row"))  # fmt: skip
                break
        restricted = [row & held for row in shown if row & held]
        if restricted and derivable_groups(restricted, dict.fromkeys(held, 1), k, first=True):
            findings.append(Finding("linking", f"round {rid or '(none)'}",
                "a respondent held back from the export can be worked out from the digests"))  # fmt: skip
    return findings
