"""The digest workbook (XLSX): summary, breakdowns, per indicator, comments, and
group sessions (Sessions, Session scores) when the scope holds any.

Sheets are written from the analysis' DataFrames. Small cells are written as
the text ``<k`` (e.g. ``<5``), never as numbers. Comments carry the
pseudonymous respondent id only. No text is ever interpreted as a formula.
"""

from __future__ import annotations

import io
from datetime import tzinfo

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from locales.dates import format_moment
from locales.i18n import translator
from locales.numbers import half_up
from reporting.digest.analysis import Analysis
from reporting.digest.charts import dimension_label
from reporting.digest.reference import Reference
from reporting.digest.scope import choice_label, scope_label
from reporting.digest.text import mode_name, too_small_note
from reporting.quality import QualityStatement, lines
from survey.model import Survey


def _optional(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else half_up(value, digits)


def _shown(
    table: pd.DataFrame, column: str, hidden: str, k: int, digits: int | None = None
) -> pd.Series:
    """``table[column]`` for a sheet: ``<k`` where ``table[hidden]``, blank where absent,
    else the value (rounded half up, ``locales.numbers``, when ``digits`` is given)."""

    def cell(value: object) -> object:
        if pd.isna(value):  # type: ignore[call-overload]
            return ""
        return value if digits is None else half_up(value, digits)  # type: ignore[arg-type]

    values = table[column].astype(object).map(cell)
    return values.where(~table[hidden], f"<{k}")


def dimension_name(dimension: str, language: str) -> str:
    """The profile question a breakdown is by, in words (never its id "group")."""
    _ = translator(language)
    names = {"group": _("Group"), "region": _("Region"), "area": _("Area")}
    return names.get(dimension, dimension)


def kind_name(kind: str, language: str) -> str:
    """The rating row in words: "now" and "forecast" are ids, not labels."""
    _ = translator(language)
    return {"now": _("Now"), "forecast": _("Expected")}.get(kind, kind)


def method_name(method: str, language: str) -> str:
    _ = translator(language)
    names = {"votes": _("votes"), "consensus": _("consensus"), "skip": _("skipped")}
    return names.get(method, method)


def question_label(survey: Survey, question_id: str, language: str) -> str:
    """An indicator's code and short title, or the closing question in words."""
    _ = translator(language)
    for _section, item in survey.items:
        if item.code == question_id:
            return f"{item.code} {item.title(language)}"
    names = {"recommendations": _("Recommendations"), "priorities": _("Top priorities")}
    if question_id in names:
        return names[question_id]
    closing = next((c for c in survey.closing if c.id == question_id), None)
    return closing.prompt(language) if closing else question_id


def _write_frame(page: Worksheet, first_row: int, frame: pd.DataFrame) -> None:
    for number, values in enumerate(frame.itertuples(index=False, name=None), start=first_row):
        page.write_row(number, 0, values)


class _Book:
    """The workbook being written: every sheet has a bold, frozen header row."""

    def __init__(self, out: io.BytesIO) -> None:
        self.book = xlsxwriter.Workbook(
            out, {"in_memory": True, "strings_to_urls": False, "strings_to_formulas": False}
        )
        self.bold = self.book.add_format({"bold": True})

    def sheet(self, name: str, header: list[str], widths: list[int]) -> Worksheet:
        page = self.book.add_worksheet(name)
        page.write_row(0, 0, header, self.bold)
        page.freeze_panes(1, 0)
        for column, width in enumerate(widths):
            page.set_column(column, column, width)
        return page


def render_workbook(
    analysis: Analysis, language: str, zone: tzinfo, reference: Reference | None = None
) -> bytes:
    """The workbook's bytes: one function below per sheet, in the workbook's order."""
    out = io.BytesIO()
    book = _Book(out)
    _summary_sheet(book, analysis, language, zone, reference)
    _breakdowns_sheet(book, analysis, language)
    _indicators_sheet(book, analysis, language)
    _comments_sheet(book, analysis, language)
    if analysis.providers:
        _providers_sheet(book, analysis, language)
    if analysis.actions:
        _actions_sheet(book, analysis, language)
    if analysis.sessions:
        _sessions_sheet(book, analysis, language)
        _session_scores_sheet(book, analysis, language)
    if analysis.quality is not None:
        _quality_sheet(book, analysis.quality, language)
    book.book.close()
    return out.getvalue()


def _summary_sheet(
    book: _Book, analysis: Analysis, language: str, zone: tzinfo, reference: Reference | None
) -> None:
    """The measures, then below them the goal table."""
    _ = translator(language)
    summary = book.sheet(_("Summary"), [_("Measure"), _("Value")], [44, 40])
    rows = _summary_rows(analysis, language, zone)
    for number, (measure, value) in enumerate(rows, start=1):
        summary.write(number, 0, measure)
        summary.write(number, 1, value)
    start = len(rows) + 2
    summary.write_row(start, 0, _goal_header(language, reference), book.bold)
    _write_frame(summary, start + 1, _goal_frame(analysis, language, reference))


def _summary_rows(analysis: Analysis, language: str, zone: tzinfo) -> list[tuple[str, object]]:
    """Measure and value: scope, period, progress, and its counts by mode, stop and invitation."""
    _ = translator(language)
    survey, progress, k = analysis.survey, analysis.progress, analysis.k
    rows: list[tuple[str, object]] = [
        (_("Scope"), scope_label(survey, analysis.scope, language, _("everything"))),
        (_("Period start"), format_moment(analysis.start.astimezone(zone), language)),
        (_("Period end"), format_moment(analysis.end.astimezone(zone), language)),
        (_("Respondents started"), _count(progress.started, k)),
        (_("Respondents completed"), _count(progress.completed, k)),
        (_("Started in this period"), _count(progress.started_in_window, k)),
        (_("Completed in this period"), _count(progress.completed_in_window, k)),
        (_("Completion rate"), _optional(analysis.completion_rate, 4)),
        (_("Median time to complete (minutes)"), _optional(analysis.median_minutes, 1)),
        (_("New comments"), _count(progress.new_comments, k)),
        (_("Smallest group shown (k)"), k),
        (_("Mode"), mode_name(analysis.mode, language) if analysis.mode else _("all")),
        (_("Survey versions combined"), ", ".join(analysis.versions) or survey.version),
    ]
    if analysis.too_small:
        # No counts at all: the scope, the period, k and why (every table below is hidden).
        return [
            *rows[:3],
            (_("Smallest group shown (k)"), k),
            (_("Note"), too_small_note(k, language, analysis.refusal)),
        ]
    if analysis.partial_items:
        rows.append((_("Indicators in only some versions"), ", ".join(analysis.partial_items)))
    # Counts by mode and invitation are rows of the publication: people only.
    for mode, started, _completed in progress.by_mode:
        label = _("Started: {mode}").format(mode=mode_name(mode, language))
        rows.append((label, _count(started, k)))
    for item, kind, people in progress.stops:
        rows.append(
            (
                _("Last answer before stopping: {item} ({year})").format(
                    item=item, year=survey.years.get(kind, kind)
                ),
                people,
            )
        )
    for label, started, _completed in progress.by_invitation:
        name = label or _("no invitation")
        rows.append((_("Invitation {label}: started").format(label=name), _count(started, k)))
    return rows


def _count(value: int | None, k: int) -> int | str:
    """A protected count: withheld ones (None) read "<k", as hidden means do."""
    return f"<{k}" if value is None else value


def _goal_header(language: str, reference: Reference | None) -> list[str]:
    _ = translator(language)
    header = [
        "SDG",
        _("Goal"),
        _("Mean now"),
        _("Mean forecast"),
        _("Respondents now"),
        _("Don't know share"),
        _("Growth %"),
        _("Points per year"),
        _("Official level"),
        _("Official source"),
        _("Gap to official"),
    ]
    if reference is not None:
        # The earlier round's columns name it and its years: the sheet is read on its own.
        header += [
            _("{label}: mean {year}").format(label=reference.label, year=reference.now_year),
            _("{label}: mean {year}").format(label=reference.label, year=reference.forecast_year),
        ]
    return header


def _goal_frame(analysis: Analysis, language: str, reference: Reference | None) -> pd.DataFrame:
    """One row per goal, small cells as ``<k``, with the earlier round's means if given."""
    goals, k = analysis.goal_table, analysis.k
    titles = {section.sdg: section.title(language) for section in analysis.survey.sections}
    frame = pd.DataFrame(
        {
            "sdg": goals["sdg"],
            "title": goals["sdg"].map(titles).fillna(""),
            "now": _shown(goals, "now_mean", "now_suppressed", k, 3),
            "forecast": _shown(goals, "forecast_mean", "forecast_suppressed", k, 3),
            "respondents": _shown(goals, "now_respondents", "now_suppressed", k),
            "dont_know": _shown(goals, "now_dont_know_share", "now_suppressed", k, 4),
            "growth": _shown(goals, "growth_percent", "change_suppressed", k, 2),
            "per_year": _shown(goals, "points_per_year", "change_suppressed", k, 4),
            "official": goals["official_level"]
            .astype(object)
            .where(goals["official_level"].notna(), ""),
            "source": goals["official_source"].fillna(""),
            "gap": _shown(goals, "gap", "now_suppressed", k, 3),
        }
    )
    if reference is not None:
        points = goals["sdg"].map(lambda sdg: reference.get(int(sdg)))
        for column, kind in (("reference_now", "now"), ("reference_forecast", "forecast")):
            frame[column] = points.map(
                lambda point, kind=kind: "" if point is None or getattr(point, kind) is None
                else getattr(point, kind)
            )  # fmt: skip
    return frame


def _breakdowns_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """Means by profile dimension and choice, per goal and rating kind."""
    _ = translator(language)
    k = analysis.k
    breakdowns = book.sheet(
        _("Breakdowns"),
        [
            _("Dimension"),
            _("Value"),
            "SDG",
            _("Kind"),
            _("Year"),
            _("Mean"),
            _("Respondents"),
            _("Don't know share"),
        ],
        [12, 28, 6, 10, 8, 10, 12, 16],
    )
    # One row per single choice (the table is exploded, see analysis.explode):
    # group respondents may add up to more than the Summary's total.
    table = analysis.breakdown_table
    keys = list(zip(table["dimension"], table["choice"], strict=True))
    labels = {key: dimension_label(analysis, *key, language) for key in set(keys)}
    frame = pd.DataFrame(
        {
            "dimension": table["dimension"].map(lambda d: dimension_name(d, language)),
            "label": [labels[key] for key in keys],
            "sdg": table["sdg"],
            "kind": table["kind"].map(lambda kind: kind_name(kind, language)),
            "year": table["kind"].map(analysis.survey.years),
            "mean": _shown(table, "mean", "suppressed", k, 3),
            "respondents": _shown(table, "respondents", "suppressed", k),
            "dont_know": _shown(table, "dont_know_share", "suppressed", k, 4),
        }
    )
    _write_frame(breakdowns, 1, frame)


def _indicators_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """One row per indicator: its names, means, respondents and growth."""
    _ = translator(language)
    k = analysis.k
    indicators = book.sheet(
        _("Indicators"),
        [
            _("Indicator"),
            "SDG",
            _("Official name"),
            _("Statement rated"),
            _("Mean now"),
            _("Mean forecast"),
            _("Respondents now"),
            _("Respondents forecast"),
            _("Don't know share"),
            _("Growth %"),
            _("Points per year"),
        ],
        [10, 6, 40, 60, 10, 12, 12, 12, 14, 10, 12],
    )
    items = analysis.indicator_table
    item_names = {item.code: item.name(language) for _s, item in analysis.survey.items}
    item_labels = {item.code: item.label(language) for _s, item in analysis.survey.items}
    frame = pd.DataFrame(
        {
            "code": items["code"],
            "sdg": items["sdg"],
            "name": items["code"].map(item_names).fillna(""),
            "label": items["code"].map(item_labels).fillna(""),
            "now": _shown(items, "now_mean", "now_suppressed", k, 3),
            "forecast": _shown(items, "forecast_mean", "forecast_suppressed", k, 3),
            "respondents_now": _shown(items, "now_respondents", "now_suppressed", k),
            "respondents_forecast": _shown(items, "forecast_respondents", "forecast_suppressed", k),
            "dont_know": _shown(items, "now_dont_know_share", "now_suppressed", k, 4),
            "growth": _shown(items, "growth_percent", "change_suppressed", k, 2),
            "per_year": _shown(items, "points_per_year", "change_suppressed", k, 4),
        }
    )
    _write_frame(indicators, 1, frame)


def _providers_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """Service providers' self-assessment beside the community (their own publication)."""
    _ = translator(language)
    page = book.sheet(
        _("Providers"), [_("Indicator"), _("Community"), _("Providers"), _("Gap")], [10, 12, 12, 8]
    )
    for row, gap in enumerate(analysis.providers, start=1):
        page.write_row(row, 0, [gap.code, gap.community, gap.providers, gap.gap])


def _actions_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """The action plan of the scope with each action's status: metadata beside the numbers."""
    _ = translator(language)
    page = book.sheet(
        _("Actions"),
        ["#", _("Indicator"), _("Agreed"), _("Responsible organisation"), _("Due"), _("Status")],
        [5, 12, 40, 28, 12, 12],
    )
    for row, action in enumerate(analysis.actions, start=1):
        page.write_row(
            row, 0,
            [action.id, ", ".join(action.codes), action.agreed,
             action.organisation, action.due_on, action.status],
        )  # fmt: skip


def _comments_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    _ = translator(language)
    survey = analysis.survey
    comments = book.sheet(
        _("Comments"),
        [_("Respondent"), _("Question"), _("Comment"), _("Written at (UTC)")],
        [16, 20, 80, 22],
    )
    # Pseudonymous ids only; every value written as a string (the bulk of a big workbook).
    for number, comment in enumerate(analysis.comments, start=1):
        comments.write_string(number, 0, comment.respondent)
        comments.write_string(number, 1, question_label(survey, comment.question_id, language))
        comments.write_string(number, 2, comment.text)
        comments.write_string(number, 3, comment.answered_at)


def _sessions_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """Group sessions, apart from individual ratings: one row per session."""
    _ = translator(language)
    survey = analysis.survey
    overview = book.sheet(
        _("Sessions"),
        [
            _("Session"), _("Submitted at (UTC)"), _("Group"), _("Region"), _("Area"),
            _("People"), _("Women"), _("Men"), _("Top priorities"), _("Recommendations"),
        ],
        [16, 22, 16, 14, 12, 8, 8, 8, 60, 60],
    )  # fmt: skip
    for number, record in enumerate(analysis.sessions, start=1):
        overview.write_row(
            number,
            0,
            [
                record.pseudonym, record.submitted_at,
                choice_label(survey, "group", record.group, language),
                choice_label(survey, "region", record.region, language),
                choice_label(survey, "area", record.area, language),
                record.people, record.women, record.men,
            ],
        )  # fmt: skip
        overview.write_string(number, 8, record.priorities)
        overview.write_string(number, 9, record.recommendations)


def _session_scores_sheet(book: _Book, analysis: Analysis, language: str) -> None:
    """One row per session, indicator and year. Vote counts of a session with fewer than
    k people are hidden (a handful of votes nearly names the voters); its
    consensus, a statement of the whole group, stays."""
    _ = translator(language)
    survey, k = analysis.survey, analysis.k
    order = {item.code: n for n, (_s, item) in enumerate(survey.items)}
    names = {item.code: item.name(language) for _s, item in survey.items}
    scores = book.sheet(
        _("Session scores"),
        [
            _("Session"), "SDG", _("Indicator"), _("Indicator name"), _("Year"), _("Method"),
            _("Score"), _("Votes 1"), _("Votes 2"), _("Votes 3"), _("Votes 4"), _("Votes 5"),
            _("Votes don't know"), _("Reasons"),
        ],
        [16, 6, 10, 50, 8, 12, 8, 8, 8, 8, 8, 8, 10, 60],
    )  # fmt: skip
    row = 1
    for record in analysis.sessions:
        hide_votes = record.people < k
        for score in sorted(
            record.scores, key=lambda s: (order.get(s.item_code, 0), s.kind != "now")
        ):
            mean = score.mean
            if score.method == "votes" and hide_votes:
                shown: list[object] = [f"<{k}"] * 7
            else:
                shown = [half_up(mean, 2) if mean is not None else ""]
                shown += list(score.votes) if score.votes else [""] * 6
            scores.write_row(
                row,
                0,
                [
                    record.pseudonym, score.sdg, score.item_code, names.get(score.item_code, ""),
                    survey.years.get(score.kind, score.kind),
                    method_name(score.method, language), *shown,
                ],
            )  # fmt: skip
            scores.write_string(row, 13, score.note)
            row += 1


def _quality_sheet(book: _Book, quality: QualityStatement, language: str) -> None:
    """The release's quality statement: one heading and its text per row."""
    _ = translator(language)
    page = book.sheet(_("Quality"), [_("About the data"), _("Statement")], [36, 110])
    wrap = book.book.add_format({"text_wrap": True, "valign": "top"})
    for number, (heading, body) in enumerate(lines(quality, language), start=1):
        page.write(number, 0, heading, wrap)
        page.write(number, 1, body, wrap)
