"""The digest as one Telegram HTML message, in the coordinator's language.

Narrow enough for a phone: the one table is about 30 characters wide. The
text never exceeds Telegram's 4096 characters: optional parts are dropped
(longest first) until it fits.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import partial
from html import escape as escape_html

from babel.numbers import format_decimal

from locales.dates import format_moment
from locales.i18n import plural_translator, translator
from locales.numbers import format_number
from reporting.digest.analysis import Analysis, GoalRow
from reporting.digest.reference import Reference, reference_number
from reporting.digest.scope import scope_label
from reporting.site.links import site_line

LIMIT = 4096
escape = partial(escape_html, quote=False)


def number(value: float | None, language: str, digits: int = 1, sign: bool = False) -> str:
    """Rounded half up (``locales.numbers``), in the language's notation; "–" when absent."""
    return "–" if value is None else format_number(value, language, digits, sign)


def whole(value: int | None, language: str, k: int | None = None) -> str:
    """A count; a withheld one (None, 1 to k−1 people) reads "<k"."""
    if value is None:
        return f"<{k}" if k else "–"
    return format_decimal(value, format="#,##0", locale=language)


def percent(share: float | None, language: str) -> str:
    return "–" if share is None else f"{format_number(100 * share, language, 0)}%"


def _goal_line(row: GoalRow, language: str, hidden: str) -> str:
    def cell(value: float | None, suppressed: bool, width: int, **kw: object) -> str:
        text = hidden if suppressed else number(value, language, **kw)  # type: ignore[arg-type]
        return text.rjust(width)

    share = row.now.dont_know_share
    return (
        f"{row.sdg:>3} "
        + cell(row.now.mean, row.now.suppressed, 4)
        + " "
        + cell(row.forecast.mean, row.forecast.suppressed, 4)
        + " "
        + cell(
            row.change.per_year,
            row.now.suppressed or row.forecast.suppressed,
            5,
            digits=2,
            sign=True,
        )
        + " "
        + ("–" if share is None else percent(share, language)).rjust(4)
    )


def too_small_note(k: int, language: str, reason: str | None = None) -> str:
    """Said instead of every number when the publication refuses the view: too few
    people, a filter that would single out the rest of the scope, or a scope the
    round's publication does not hold (``reporting.publication``)."""
    _ = translator(language)
    if reason == "complement":
        return _(
            "This filter is refused: fewer than {k} people in this scope answered another"
            " way, and the unfiltered digest minus this one would show their answers."
        ).format(k=k)
    if reason == "not_published":
        return _(
            "This scope is not part of the round's publication, so no numbers are shown."
            " Use everything, one group, region or area, or a coordinator's scope."
        )
    return _(
        "Fewer than {k} people in this scope have answered in this round. To protect them,"
        " no numbers and no comments are shown until at least {k} have answered."
    ).format(k=k)


def render_text(
    analysis: Analysis,
    language: str,
    zone: tzinfo,
    reference: Reference | None = None,
    site_url: str | None = None,
) -> str:
    """The digest message (HTML): one function below per section, in the message's order."""
    heading = _heading(analysis, language, zone)
    if analysis.too_small:
        sessions = _sessions(analysis, language)
        return "\n".join(
            [
                *heading,
                "",
                escape(too_small_note(analysis.k, language, analysis.refusal)),
                *(["", *sessions] if sessions else []),
            ]
        )
    head = [*heading, *_versions(analysis, language), "", *_responses(analysis, language)]
    invitations = _invitations(analysis, language)
    table = _goals_table(analysis, language)
    group_sessions = _sessions(analysis, language)
    official = _official(analysis, language)
    earlier = _earlier(analysis, language, reference)
    extremes = _extremes(analysis, language)
    rescored = _since_meeting(analysis, language)
    providers = _providers(analysis, language)
    footer = _footer(language) + site_line(site_url, language)
    parts = [head, invitations, table, group_sessions, official, earlier, providers, rescored,
             extremes, footer]  # fmt: skip
    text = "\n".join(line for part in parts for line in part)
    # Optional parts go first when too long: invitations, then extremes, then the
    # earlier round, the group sessions (the workbook has them all), the official view.
    for drop in (invitations, extremes, providers, rescored, earlier, group_sessions, official):
        if len(text) <= LIMIT:
            break
        drop.clear()
        text = "\n".join(line for part in parts for line in part)
    return text[:LIMIT]


def _providers(analysis: Analysis, language: str) -> list[str]:
    """Service providers' own means beside the community's, the largest gaps first."""
    _ = translator(language)
    if not analysis.providers:
        return []
    lines = ["", _bold(_("Service providers' self-assessment (never in the means above)"))]
    for gap in analysis.providers[:5]:
        lines.append(
            escape(
                _("{code}: community {community}, providers {providers} (gap {gap})").format(
                    code=gap.code, community=number(gap.community, language, 2),
                    providers=number(gap.providers, language, 2),
                    gap=number(gap.gap, language, 2, sign=True),
                )
            )
        )  # fmt: skip
    return lines


def _since_meeting(analysis: Analysis, language: str) -> list[str]:
    """Each action's indicators: the community's mean at the meeting's round and now."""
    _ = translator(language)
    if not analysis.since_meeting:
        return []
    lines = ["", _bold(_("Since the meeting (actions agreed)"))]
    for r in analysis.since_meeting[:12]:
        change = "–" if r.change is None else number(r.change, language, 2, sign=True)
        lines.append(
            escape(
                _("#{id} {code}: {before} in {round} → {now} now ({change})").format(
                    id=r.action_id, code=r.code, before=number(r.before, language, 2),
                    round=r.meeting_round, now=number(r.now, language, 2), change=change,
                )
            )
        )  # fmt: skip
    return lines


def _footer(language: str) -> list[str]:
    _ = translator(language)
    return ["", escape(_("Charts and the workbook follow."))]


def _italic(text: str) -> str:
    return "<i>" + escape(text) + "</i>"


def _bold(text: str) -> str:
    return "<b>" + escape(text) + "</b>"


def _heading(analysis: Analysis, language: str, zone: tzinfo) -> list[str]:
    """The title, scope, period and, when filtered, the mode of collection."""
    _ = translator(language)
    start = format_moment(analysis.start.astimezone(zone), language)
    end = format_moment(analysis.end.astimezone(zone), language)
    scope = scope_label(analysis.survey, analysis.scope, language, _("everything"))
    lines = [
        _bold(_("Scorecard digest")),
        _italic(_("Scope: {scope}").format(scope=scope)),
        _italic(_("Period: {start} – {end}").format(start=start, end=end)),
    ]
    if analysis.round_title:
        lines.append(_italic(_("Round: {round}").format(round=analysis.round_title)))
    if analysis.mode:
        mode = mode_name(analysis.mode, language)
        lines.append(_italic(_("Only responses collected as: {mode}").format(mode=mode)))
    return lines


def _versions(analysis: Analysis, language: str) -> list[str]:
    """The survey versions combined, when more than one (issue 12)."""
    if len(analysis.versions) <= 1:
        return []
    _ = translator(language)
    # Answers are matched by indicator code across versions (issue 12).
    versions = ", ".join(analysis.versions)
    lines = [_italic(_("Survey versions combined: {versions}").format(versions=versions))]
    if analysis.partial_items:
        codes = ", ".join(analysis.partial_items)
        lines.append(_italic(_("Indicators in only some versions: {codes}").format(codes=codes)))
    return lines


def _responses(analysis: Analysis, language: str) -> list[str]:
    """How many started and completed, how fast, where they stop, and by mode."""
    _ = translator(language)
    progress = analysis.progress
    lines = [
        _bold(_("Responses")),
        escape(
            _("Started: {total} (+{new} in this period)").format(
                total=whole(progress.started, language, analysis.k),
                new=whole(progress.started_in_window, language, analysis.k),
            )
        ),
        escape(
            _("Completed: {total} (+{new}), {rate} of those who started").format(
                total=whole(progress.completed, language, analysis.k),
                new=whole(progress.completed_in_window, language, analysis.k),
                rate=percent(analysis.completion_rate, language),
            )
        ),
        escape(
            _("Median time to complete: {minutes} min").format(
                minutes=number(analysis.median_minutes, language, digits=0)
            )
        ),
    ]
    if progress.stops:
        item, kind, people = progress.stops[0]
        ngettext = plural_translator(language)
        lines.append(
            escape(
                ngettext(
                    "Most often the last answer before stopping: {item} ({year}), 1 person",
                    "Most often the last answer before stopping: {item} ({year}), {people} people",
                    people,
                ).format(
                    item=item,
                    year=analysis.survey.years.get(kind, kind),
                    people=whole(people, language),
                )
            )
        )
    lines.append(
        escape(
            _("New comments: {count}").format(
                count=whole(progress.new_comments, language, analysis.k)
            )
        )
    )
    if len(progress.by_mode) > 1 or (progress.by_mode and progress.by_mode[0][0] != "self"):
        lines.append(
            escape(_("By mode (started):"))
            + " "
            + "; ".join(
                f"{escape(mode_name(mode, language))} {escape(whole(started, language, analysis.k))}"
                for mode, started, _completed in progress.by_mode
            )
        )
    return lines


def _invitations(analysis: Analysis, language: str) -> list[str]:
    """Started and completed per invitation link, the first six."""
    _ = translator(language)
    return [
        escape(_("By invitation (started):"))
        + " "
        + "; ".join(
            f"{escape(label or _('no invitation'))} {escape(whole(started, language, analysis.k))}"
            for label, started, _completed in analysis.progress.by_invitation[:6]
        )
    ]


def _goals_table(analysis: Analysis, language: str) -> list[str]:
    """The one table: each goal's mean now and forecast, growth and "don't know" share."""
    _ = translator(language)
    year_now, year_forecast = analysis.survey.years["now"], analysis.survey.years["forecast"]
    hidden = f"<{analysis.k}"
    per_year, dont_know = _("/yr"), _("DK")
    return [
        "",
        _bold(
            _("Goals: mean rating {now} → {forecast}").format(now=year_now, forecast=year_forecast)
        ),
        "<pre>"
        + escape(
            f"SDG {year_now:>4} {year_forecast:>4} {per_year:>5} {dont_know:>4}".rstrip()
        )
        + "\n"
        + "\n".join(escape(_goal_line(row, language, hidden)) for row in analysis.goals)
        + "</pre>",
        escape(
            _(
                "/yr: growth in points per year on the 1–5 scale; DK: share of “don't know”;"
                " {hidden}: fewer than {k} respondents, hidden."
            ).format(hidden=hidden, k=analysis.k)
        ),
    ]


def _official(analysis: Analysis, language: str) -> list[str]:
    """Citizens' mean beside the official level, for goals that have one."""
    _ = translator(language)
    hidden = f"<{analysis.k}"
    lines = [
        escape(
            _("SDG {sdg}: citizens {mean}, official {level} ({source}), gap {gap}").format(
                sdg=row.sdg,
                mean=hidden if row.now.suppressed else number(row.now.mean, language),
                level=number(row.official.level, language),
                source=row.official.source,
                gap=hidden if row.gap is None else number(row.gap, language, sign=True),
            )
        )
        for row in analysis.goals
        if row.official is not None
    ]
    if not lines:
        return []
    return ["", _bold(_("Against the official view")), *lines]


def _earlier(analysis: Analysis, language: str, reference: Reference | None) -> list[str]:
    """The earlier round's means, for goals it has."""
    if reference is None:
        return []
    _ = translator(language)
    lines = [
        escape(
            _("SDG {sdg}: {now} → {forecast}").format(
                sdg=row.sdg,
                now=reference_number(point.now, language),
                forecast=reference_number(point.forecast, language),
            )
        )
        for row in analysis.goals
        if (point := reference.get(row.sdg)) is not None
    ]
    if not lines:
        return []
    title = _("Earlier round, {label}: mean rating {now} → {forecast}").format(
        label=reference.label, now=reference.now_year, forecast=reference.forecast_year
    )
    return ["", _bold(title), *lines]


def _extremes(analysis: Analysis, language: str) -> list[str]:
    """The three lowest and three highest rated indicators now."""
    ranked = analysis.ranked_indicators()
    if not ranked:
        return []
    _ = translator(language)
    # The statement's short title, never the official name: "5.3.1 Child marriage"
    # under "highest rated" would read as if child marriage were doing well.
    labels = {item.code: item.title(language) for _s, item in analysis.survey.items}

    def indicator(row_code: str, mean: float | None) -> str:
        label = labels.get(row_code, "")
        short = label if len(label) <= 48 else label[:47] + "…"
        return f"{row_code} {escape(short)}: <b>{number(mean, language)}</b>"

    return [
        "",
        _bold(_("Lowest rated now")),
        *(indicator(row.code, row.now.mean) for row in ranked[:3]),
        _bold(_("Highest rated now")),
        *(indicator(row.code, row.now.mean) for row in reversed(ranked[-3:])),
    ]


def mode_name(mode: str | None, language: str) -> str:
    """How responses were collected, in words."""
    _ = translator(language)
    names = {
        "self": _("by themselves in the chat"),
        "interview": _("facilitated interviews"),
        "paper": _("paper forms"),
    }
    return names.get(mode or "", mode or "")


def _sessions_count(sessions: int, language: str) -> str:
    ngettext = plural_translator(language)
    return ngettext("1 session,", "{sessions} sessions,", sessions).format(
        sessions=whole(sessions, language)
    )


def _people_count(people: int, k: int, language: str) -> str:
    """"1 person;" / "12 people;", or "<5 people;" for a withheld count."""
    ngettext = plural_translator(language)
    if 0 < people < k:
        return ngettext("1 person;", "{people} people;", k).format(people=f"<{k}")
    return ngettext("1 person;", "{people} people;", people).format(
        people=whole(people, language)
    )


def _sessions(analysis: Analysis, language: str) -> list[str]:
    """Group sessions beside the individual means, never pooled with them."""
    if not analysis.sessions:
        return []
    _ = translator(language)
    survey = analysis.survey
    means = analysis.session_goal_means()
    people = sum(record.people for record in analysis.sessions)
    lines = [
        "",
        "<b>" + escape(_("Group sessions (not in the means above)")) + "</b>",
        escape(
            _sessions_count(len(analysis.sessions), language)
            + " "
            + _people_count(people, analysis.k, language)
            + " "
            + _("each session counts once.")
        ),
    ]
    for section in survey.sections:
        now, forecast = means.get((section.sdg, "now")), means.get((section.sdg, "forecast"))
        if now is None and forecast is None:
            continue
        lines.append(
            escape(
                _("SDG {sdg}: {now} → {forecast}").format(
                    sdg=section.sdg,
                    now=number(now[0], language) if now else "–",
                    forecast=number(forecast[0], language) if forecast else "–",
                )
            )
        )
    return lines
