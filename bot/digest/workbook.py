"""The digest workbook (XLSX): summary, breakdowns, per indicator, comments.

Small cells are written as the text ``<k`` (e.g. ``<5``), never as numbers.
Comments carry the pseudonymous respondent id only.
"""

from __future__ import annotations

import io
from datetime import tzinfo

import xlsxwriter

from bot.digest.analysis import Analysis
from bot.digest.charts import dimension_label
from bot.digest.scope import scope_label
from conversations.i18n import translator
from storage.analytics import Mean


def _mean(mean: Mean, k: int) -> float | str:
    if mean.suppressed:
        return f"<{k}"
    return "" if mean.mean is None else round(mean.mean, 3)


def _count(mean: Mean, k: int) -> int | str:
    return f"<{k}" if mean.suppressed else mean.respondents


def _share(mean: Mean, k: int) -> float | str:
    share = mean.dont_know_share
    if mean.suppressed:
        return f"<{k}"
    return "" if share is None else round(share, 4)


def _optional(value: float | None, digits: int = 3) -> float | str:
    return "" if value is None else round(value, digits)


def render_workbook(analysis: Analysis, language: str, zone: tzinfo) -> bytes:
    _ = translator(language)
    survey = analysis.survey
    k = analysis.k
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_urls": False})
    bold = book.add_format({"bold": True})

    def sheet(name: str, header: list[str], widths: list[int]) -> xlsxwriter.worksheet.Worksheet:
        page = book.add_worksheet(name)
        page.write_row(0, 0, header, bold)
        page.freeze_panes(1, 0)
        for column, width in enumerate(widths):
            page.set_column(column, column, width)
        return page

    progress = analysis.progress
    summary = sheet(_("Summary"), [_("Measure"), _("Value")], [44, 40])
    rows: list[tuple[str, object]] = [
        (_("Scope"), scope_label(survey, analysis.scope, language, _("everything"))),
        (_("Period start"), analysis.start.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
        (_("Period end"), analysis.end.astimezone(zone).strftime("%Y-%m-%d %H:%M")),
        (_("Respondents started"), progress.started),
        (_("Respondents completed"), progress.completed),
        (_("Started in this period"), progress.started_in_window),
        (_("Completed in this period"), progress.completed_in_window),
        (_("Completion rate"), _optional(analysis.completion_rate, 4)),
        (_("Median time to complete (minutes)"), _optional(analysis.median_minutes, 1)),
        (_("New comments"), progress.new_comments),
        (_("Smallest group shown (k)"), k),
    ]
    for item, kind, people in progress.stops:
        rows.append(
            (
                _("Last answer before stopping: {item} ({year})").format(
                    item=item, year=survey.years.get(kind, kind)
                ),
                people,
            )
        )
    for label, started, completed in progress.by_invitation:
        name = label or _("no invitation")
        rows.append((_("Invitation {label}: started").format(label=name), started))
        rows.append((_("Invitation {label}: completed").format(label=name), completed))
    for number, (measure, value) in enumerate(rows, start=1):
        summary.write(number, 0, measure)
        summary.write(number, 1, value)
    start = len(rows) + 2
    goal_header = [
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
    summary.write_row(start, 0, goal_header, bold)
    for offset, row in enumerate(analysis.goals, start=1):
        section = survey.section(row.section_id)
        suppressed = row.now.suppressed or row.forecast.suppressed
        summary.write_row(
            start + offset,
            0,
            [
                row.sdg,
                section.title(language) if section else "",
                _mean(row.now, k),
                _mean(row.forecast, k),
                _count(row.now, k),
                _share(row.now, k),
                f"<{k}" if suppressed else _optional(row.change.percent, 2),
                f"<{k}" if suppressed else _optional(row.change.per_year, 4),
                "" if row.official is None else row.official.level,
                "" if row.official is None else row.official.source,
                f"<{k}" if row.now.suppressed else _optional(row.gap),
            ],
        )

    breakdowns = sheet(
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
    line = 1
    for dimension, cells in analysis.breakdowns.items():
        for choice in analysis.breakdown_choices(dimension):
            for goal in analysis.goals:
                for kind in ("now", "forecast"):
                    mean = cells.get((choice, goal.sdg, kind))
                    if mean is None:
                        continue
                    breakdowns.write_row(
                        line,
                        0,
                        [
                            dimension,
                            dimension_label(analysis, dimension, choice, language),
                            goal.sdg,
                            kind,
                            survey.years[kind],
                            _mean(mean, k),
                            _count(mean, k),
                            _share(mean, k),
                        ],
                    )
                    line += 1

    indicators = sheet(
        _("Indicators"),
        [
            _("Indicator"),
            "SDG",
            _("Label"),
            _("Mean now"),
            _("Mean forecast"),
            _("Respondents now"),
            _("Respondents forecast"),
            _("Don't know share"),
            _("Growth %"),
            _("Points per year"),
        ],
        [10, 6, 60, 10, 12, 12, 12, 14, 10, 12],
    )
    labels = {item.code: item.label(language) for _s, item in survey.items}
    for number, row in enumerate(analysis.indicators, start=1):
        suppressed = row.now.suppressed or row.forecast.suppressed
        indicators.write_row(
            number,
            0,
            [
                row.code,
                row.sdg,
                labels.get(row.code, ""),
                _mean(row.now, k),
                _mean(row.forecast, k),
                _count(row.now, k),
                _count(row.forecast, k),
                _share(row.now, k),
                f"<{k}" if suppressed else _optional(row.change.percent, 2),
                f"<{k}" if suppressed else _optional(row.change.per_year, 4),
            ],
        )

    comments = sheet(
        _("Comments"),
        [_("Respondent"), _("Question"), _("Comment"), _("Written at (UTC)")],
        [16, 20, 80, 22],
    )
    for number, comment in enumerate(analysis.comments, start=1):
        # write_string: a comment starting with "=" stays text, never a formula.
        for column, value in enumerate(
            (comment.respondent, comment.question_id, comment.text, comment.answered_at)
        ):
            comments.write_string(number, column, value)
    book.close()
    return out.getvalue()
