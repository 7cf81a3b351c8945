"""The results site's pages as HTML strings: one home page and one page per goal.

Plain HTML and one small inline style sheet: no script, no web fonts, no
external file, so a page opens from a folder or any static host and stays
light on a cheap phone. Every number is the digest's (``Analysis`` of the
everyone view of the round's protected publication), formatted as in the
digest; a hidden row says so. Each chart is inline SVG with a title and a
description, followed by the table of its numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from locales.dates import format_day
from locales.i18n import LANGUAGES, N_, translator
from reporting.actions.words import status_word
from reporting.digest.analysis import Analysis, GoalRow
from reporting.digest.reference import Reference
from reporting.digest.scope import choice_label
from reporting.digest.text import number, whole
from reporting.means import Mean
from reporting.quality import lines
from reporting.site.links import ENGLISH
from reporting.site.svg import BACKGROUND, MUTED, NOW, TEXT, Bar, bar_chart
from survey.model import Section

DIMENSIONS = ("group", "region", "area")
STYLE = (
    f"body{{margin:0 auto;max-width:60rem;padding:0 1rem 2rem;font:16px/1.5 sans-serif;"
    f"color:{TEXT};background:{BACKGROUND}}}a{{color:{NOW}}}"
    "table{border-collapse:collapse;margin:.5rem 0 1rem;max-width:100%}"
    "th,td{border:1px solid #b0b0b0;padding:.25rem .5rem;text-align:left}"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}"
    f".hidden{{color:{MUTED};font-style:italic}}.skip{{position:absolute;left:-999px}}"
    ".skip:focus{left:1rem}nav ul{padding-left:1.2rem}figure{margin:1rem 0}"
    ".wide{overflow-x:auto}dt{font-weight:bold}dd{margin:0 0 .5rem}"
    "header{display:flex;flex-wrap:wrap;gap:1rem;justify-content:space-between;padding:.5rem 0}"
)
DOWNLOADS = (
    ("sdmx/sdg_scorecard.csv", "SDMX-CSV 2.0"),
    ("sdmx/sdg_scorecard.xml", "SDMX-ML 2.1"),
    ("sdmx/structure.xml", N_("SDMX data structure (DSD)")),
    ("opensdg/opensdg_long.csv", N_("CSV (Open SDG format)")),
)


@dataclass(frozen=True, slots=True)
class Site:
    analysis: Analysis
    reference: Reference | None


def goal_name(section: Section, language: str, short: bool = True) -> str:
    """ "SDG 1: No poverty" (the short title), or the goal's full title (which names it)."""
    _ = translator(language)
    if not short:
        return section.title(language)
    return _("SDG {sdg}: {title}").format(sdg=section.sdg, title=section.short_title(language))


def page_name(sdg: int | None) -> str:
    return "index.html" if sdg is None else f"sdg{sdg}.html"


def _root(language: str) -> str:
    """From a page in ``language`` to the site's root folder."""
    return "../" if language == ENGLISH else ""


def page(site: Site, language: str, title: str, body: str, sdg: int | None) -> str:
    """A whole page: head, the other language's link, the goals' navigation, ``body``."""
    _ = translator(language)
    other = next(lang for lang in LANGUAGES if lang != language)
    other_href = ("" if other != ENGLISH else f"{ENGLISH}/") if language != ENGLISH else "../"
    other_href += page_name(sdg)
    other_name = {"vi": "Tiếng Việt", "en": "English"}[other]
    survey = site.analysis.survey
    goals = "".join(
        f'<li><a href="{page_name(s.sdg)}"'
        + (' aria-current="page"' if s.sdg == sdg else "")
        + f">{escape(goal_name(s, language))}</a></li>"
        for s in survey.sections
    )
    home = escape(_("All goals"))
    skip, goals_heading = escape(_("Skip to the results")), escape(_("Goals"))
    return (
        f'<!doctype html>\n<html lang="{language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>"
        f'<link rel="alternate" hreflang="{other}" href="{other_href}">'
        f"<style>{STYLE}</style></head><body>"
        f'<a class="skip" href="#main">{skip}</a>'
        f'<header><a href="{page_name(None)}">{home}</a>'
        f'<a href="{other_href}" hreflang="{other}" lang="{other}">{other_name}</a></header>'
        f'<main id="main">{body}</main>'
        f'<footer><nav aria-label="{goals_heading}"><h2>{goals_heading}</h2>'
        f"<ul>{goals}</ul></nav></footer></body></html>\n"
    )


def _value(mean: Mean | None, language: str, key: str) -> str:
    """A table cell of a mean: the number, or the word for hidden."""
    _ = translator(language)
    if mean is None or mean.mean is None:
        text = escape(_("hidden")) if mean is not None and mean.suppressed else "–"
        return f'<td class="n hidden" data-key="{key}">{text}</td>'
    return f'<td class="n" data-key="{key}">{number(mean.mean, language, digits=2)}</td>'


def _people(mean: Mean | None, language: str) -> str:
    if mean is None or mean.suppressed:
        return '<td class="n hidden">–</td>'
    return f'<td class="n">{whole(mean.respondents, language)}</td>'


def _years(site: Site) -> tuple[int, int]:
    years = site.analysis.survey.years
    return years["now"], years["forecast"]


def _hidden_note(site: Site, language: str) -> str:
    _ = translator(language)
    return escape(
        _(
            "“Hidden”: fewer than {k} people, or hidden so that no group of fewer than {k}"
            " can be worked out from the other numbers."
        ).format(k=site.analysis.k)
    )


def index_body(site: Site, language: str) -> str:
    _ = translator(language)
    analysis = site.analysis
    survey = analysis.survey
    now, forecast = _years(site)
    title = escape(survey.title(language))
    if analysis.too_small:
        from reporting.digest.text import too_small_note

        note = escape(too_small_note(analysis.k, language, analysis.refusal))
        return f"<h1>{title}</h1><p>{note}</p>" + quality_section(site, language)
    rows = []
    bars = []
    official = any(row.official is not None for row in analysis.goals)
    for row in analysis.goals:
        section = next(s for s in survey.sections if s.sdg == row.sdg)
        name = goal_name(section, language)
        rows.append(
            f'<tr><th scope="row"><a href="{page_name(row.sdg)}">{escape(name)}</a></th>'
            + _value(row.now, language, f"{row.sdg}:all:now")
            + _value(row.forecast, language, f"{row.sdg}:all:forecast")
            + (_official_cells(row, language) if official else "")
            + "</tr>"
        )
        label = f"{row.sdg}. {section.short_title(language)}"
        bars.append(_bar(label, row.now, row.forecast, language))
    header = _goal_header(language, now, forecast, official)
    chart = bar_chart(
        "goals",
        _("Mean rating per goal, {now} and {forecast}").format(now=now, forecast=forecast),
        _(
            "Bars from 1 to 5 for each goal: the mean rating now and the forecast; the"
            " table below gives the same numbers."
        ),
        bars,
        (str(now), str(forecast)),
    )
    round_line = _round_line(site, language)
    heading = escape(_("Goals: mean rating {now} → {forecast}").format(now=now, forecast=forecast))
    same = escape(_("The table below gives the same numbers."))
    caption = escape(_("Mean rating per goal (1 to 5)"))
    return (
        f"<h1>{title}</h1><p>{round_line}</p><h2>{heading}</h2>"
        f"<figure>{chart}<figcaption>{same}</figcaption></figure>"
        f'<div class="wide"><table><caption>{caption}</caption>{header}{"".join(rows)}</table></div>'
        f"<p>{_hidden_note(site, language)}</p>"
        + downloads_section(language)
        + quality_section(site, language)
    )


def _round_line(site: Site, language: str) -> str:
    _ = translator(language)
    analysis = site.analysis
    started = whole(analysis.progress.started, language, analysis.k)
    text = _(
        "Ratings from 1 (not true) to 5 (completely true) by the people who answered;"
        " {people} people started."
    ).format(people=started)
    if analysis.round_title:
        text = _("Round {round}.").format(round=analysis.round_title) + " " + text
    return escape(text)


def _goal_header(language: str, now: int, forecast: int, official: bool) -> str:
    _ = translator(language)
    cells = [_("Goal"), str(now), str(forecast)]
    cells += [_("Official level"), _("Gap now")] if official else []
    return "<tr>" + "".join(f'<th scope="col">{escape(c)}</th>' for c in cells) + "</tr>"


def _official_cells(row: GoalRow, language: str) -> str:
    if row.official is None:
        return '<td class="n">–</td><td class="n">–</td>'
    gap = (
        f'<td class="n" data-key="{row.sdg}:gap">{number(row.gap, language, digits=2, sign=True)}</td>'
        if row.gap is not None
        else f'<td class="n hidden" data-key="{row.sdg}:gap">–</td>'
    )
    return f'<td class="n">{number(row.official.level, language, digits=2)}</td>{gap}'


def _bar(label: str, now: Mean | None, forecast: Mean | None, language: str) -> Bar:
    _ = translator(language)
    hidden = (now is None or now.mean is None) and (forecast is None or forecast.mean is None)
    return Bar(
        label,
        None if now is None else now.mean,
        None if forecast is None else forecast.mean,
        _("hidden") if hidden else "",
    )


def goal_body(site: Site, section: Section, language: str) -> str:
    _ = translator(language)
    analysis = site.analysis
    row = next(r for r in analysis.goals if r.sdg == section.sdg)
    title = goal_name(section, language, short=False)
    if analysis.too_small:
        from reporting.digest.text import too_small_note

        note = escape(too_small_note(analysis.k, language, analysis.refusal))
        return f"<h1>{escape(title)}</h1><p>{note}</p>" + quality_section(site, language)
    parts = [f"<h1>{escape(title)}</h1><p>{_round_line(site, language)}</p>"]
    parts.append(_summary(site, row, language))
    parts.append(_breakdowns(site, section.sdg, language))
    parts.append(_rounds(site, row, language))
    parts.append(_indicators(site, section, language))
    parts.append(_actions(site, section, language))
    parts.append(downloads_section(language))
    parts.append(quality_section(site, language))
    return "".join(parts)


def _summary(site: Site, row: GoalRow, language: str) -> str:
    _ = translator(language)
    now, forecast = _years(site)
    lines_ = [
        (_("Mean rating {year}").format(year=now), _value(row.now, language, f"{row.sdg}:all:now")),
        (
            _("Forecast for {year}").format(year=forecast),
            _value(row.forecast, language, f"{row.sdg}:all:forecast"),
        ),
    ]
    if row.official is not None:
        lines_.append(
            (
                _("Official level ({source})").format(source=row.official.source),
                f'<td class="n">{number(row.official.level, language, digits=2)}</td>',
            )
        )
        gap = row.gap
        lines_.append(
            (
                _("Gap now (citizens minus official)"),
                f'<td class="n" data-key="{row.sdg}:gap">'
                + (number(gap, language, digits=2, sign=True) if gap is not None else "–")
                + "</td>",
            )
        )
    body = "".join(f'<tr><th scope="row">{escape(h)}</th>{cell}</tr>' for h, cell in lines_)
    heading = _("Now and by {year}").format(year=forecast)
    note = ""
    if row.official is None:
        note = (
            "<p>"
            + escape(_("No official level is set for this goal, so there is no gap."))
            + "</p>"
        )
    return f"<h2>{escape(heading)}</h2><table>{body}</table>{note}"


def _breakdowns(site: Site, sdg: int, language: str) -> str:
    _ = translator(language)
    analysis = site.analysis
    survey = analysis.survey
    now, forecast = _years(site)
    row = next(r for r in analysis.goals if r.sdg == sdg)
    bars = [_bar(_("Everyone"), row.now, row.forecast, language)]
    tables = []
    names = {"group": _("Group"), "region": _("Region"), "area": _("Area")}
    for dimension in DIMENSIONS:
        means = analysis.breakdowns.get(dimension, {})
        choices = [c for c in analysis.breakdown_choices(dimension) if c and c != "prefer_not"]
        body = []
        for choice in choices:
            label = choice_label(survey, dimension, choice, language)
            now_mean = means.get((choice, sdg, "now"))
            forecast_mean = means.get((choice, sdg, "forecast"))
            bars.append(_bar(label, now_mean, forecast_mean, language))
            key = f"{sdg}:{dimension}:{choice}"
            body.append(
                f'<tr><th scope="row">{escape(label)}</th>'
                + _value(now_mean, language, f"{key}:now")
                + _value(forecast_mean, language, f"{key}:forecast")
                + _people(now_mean, language)
                + "</tr>"
            )
        if not body:
            continue
        header = "".join(
            f'<th scope="col">{escape(c)}</th>'
            for c in (names[dimension], str(now), str(forecast), _("People who rated"))
        )
        tables.append(
            f'<h3>{escape(names[dimension])}</h3><div class="wide"><table><caption>'
            + escape(_("Mean rating by {dimension}").format(dimension=names[dimension].lower()))
            + f"</caption><tr>{header}</tr>{''.join(body)}</table></div>"
        )
    official = None
    if row.official is not None:
        official = (row.official.level, _("Official level"))
    chart = bar_chart(
        f"sdg{sdg}",
        _("Mean rating by group, region and area, {now} and {forecast}").format(
            now=now, forecast=forecast
        ),
        _(
            "Bars from 1 to 5 for everyone and each group, region and area: the mean rating"
            " now and the forecast; a dashed line marks the official level where there is"
            " one. The tables below give the same numbers."
        ),
        bars,
        (str(now), str(forecast)),
        official,
    )
    heading = escape(_("By group, region and area"))
    same = escape(_("The tables below give the same numbers."))
    return (
        f"<h2>{heading}</h2><figure>{chart}<figcaption>{same}</figcaption></figure>"
        + "".join(tables)
        + f"<p>{_hidden_note(site, language)}</p>"
    )


def _rounds(site: Site, row: GoalRow, language: str) -> str:
    _ = translator(language)
    reference = site.reference
    if reference is None:
        return ""
    point = reference.get(row.sdg)
    now, forecast = _years(site)
    header = "".join(
        f'<th scope="col">{escape(c)}</th>' for c in (_("Round"), _("Now"), _("Forecast"))
    )

    def cell(value: float | None) -> str:
        return f'<td class="n">{number(value, language, digits=2)}</td>'

    this = site.analysis.round_title or _("This round")
    body = (
        f'<tr><th scope="row">{escape(reference.label)} ({reference.now_year} → '
        f"{reference.forecast_year})</th>"
        + cell(point.now if point else None)
        + cell(point.forecast if point else None)
        + f'</tr><tr><th scope="row">{escape(this)} ({now} → {forecast})</th>'
        + _value(row.now, language, f"{row.sdg}:round:now")
        + _value(row.forecast, language, f"{row.sdg}:round:forecast")
        + "</tr>"
    )
    heading = escape(_("Compared with the earlier round"))
    return f"<h2>{heading}</h2><table><tr>{header}</tr>{body}</table>"


def _indicators(site: Site, section: Section, language: str) -> str:
    _ = translator(language)
    now, forecast = _years(site)
    rows = {r.code: r for r in site.analysis.indicators}
    body = []
    for item in section.items:
        row = rows.get(item.code)
        body.append(
            f'<tr><th scope="row">{escape(item.code)}</th><td>{escape(item.label(language))}</td>'
            + _value(row.now if row else None, language, f"{item.code}:now")
            + _value(row.forecast if row else None, language, f"{item.code}:forecast")
            + "</tr>"
        )
    header = "".join(
        f'<th scope="col">{escape(c)}</th>'
        for c in (_("Indicator"), _("Statement"), str(now), str(forecast))
    )
    heading = escape(_("Statements rated"))
    return (
        f'<h2>{heading}</h2><div class="wide"><table><tr>{header}</tr>'
        + "".join(body)
        + "</table></div>"
    )


def _actions(site: Site, section: Section, language: str) -> str:
    """The actions agreed on the goal's indicators at the interface meeting: what,
    who, by when, how far, and the community's change since (the digest's numbers,
    hidden where the digest hides them). Evidence notes are free text: left out.
    One short block per action, not a wide table: it reads on a phone."""
    _ = translator(language)
    codes = [item.code for item in section.items]
    listed = [a for a in site.analysis.actions if set(a.codes) & set(codes)]
    if not listed:
        return ""
    rescored = {(r.action_id, r.code): r for r in site.analysis.since_meeting}
    blocks = []
    for action in listed:
        due = format_day(date.fromisoformat(action.due_on), language)
        shown = [c for c in action.codes if c in codes]
        items = [
            (_("Responsible organisation"), escape(action.organisation)),
            (_("Due"), escape(due)),
            (_("Status"), escape(status_word(action.status, language))),
        ]
        for code in shown:
            found = rescored.get((action.id, code))
            key = f"action:{action.id}:{code}"
            if found is None:  # agreed in this round: nothing to compare with yet
                change = "<dd>–</dd>"
            elif found.change is None:
                change = f'<dd class="hidden" data-key="{key}">{escape(_("hidden"))}</dd>'
            else:
                value = number(found.change, language, digits=2, sign=True)
                change = f'<dd data-key="{key}">{value}</dd>'
            label = _("Change since the meeting") + (f" ({code})" if len(shown) > 1 else "")
            items.append((label, change))
        rows = "".join(
            f"<dt>{escape(term)}</dt>" + (value if value.startswith("<dd") else f"<dd>{value}</dd>")
            for term, value in items
        )
        title = f"{', '.join(shown)}: {action.agreed}"
        blocks.append(f"<h3>{escape(title)}</h3><dl>{rows}</dl>")
    note = _(
        "Agreed with service providers at the interface meeting. The change is the "
        "community's mean rating now minus its mean in the round of the meeting."
    )
    heading = escape(_("Actions agreed"))
    return f'<h2 id="actions">{heading}</h2><p>{escape(note)}</p>' + "".join(blocks)


def downloads_section(language: str) -> str:
    _ = translator(language)
    root = _root(language)
    workbook, heading = escape(_("Workbook (XLSX)")), escape(_("Downloads"))
    links = [
        f'<li><a href="{root}downloads/{path}">{escape(label)}</a></li>'
        for path, label in DOWNLOADS
    ]
    for lang in LANGUAGES:
        name = {"vi": "Tiếng Việt", "en": "English"}[lang]
        links.append(
            f'<li><a href="{root}downloads/scorecard-{lang}.xlsx" hreflang="{lang}">'
            f'{workbook}, <span lang="{lang}">{name}</span></a></li>'
        )
    return f"<h2>{heading}</h2><ul>{''.join(links)}</ul>"


def quality_section(site: Site, language: str) -> str:
    _ = translator(language)
    quality = site.analysis.quality
    if quality is None:
        return ""
    items = "".join(
        f"<dt>{escape(heading)}</dt><dd>{escape(body)}</dd>"
        for heading, body in lines(quality, language)
    )
    heading = escape(_("Quality statement"))
    return f'<h2 id="quality">{heading}</h2><dl>{items}</dl>'


def all_pages(site: Site, language: str) -> Sequence[tuple[str, str]]:
    """(file name, HTML) of every page in ``language``."""
    survey = site.analysis.survey
    pages = [
        (
            page_name(None),
            page(site, language, survey.title(language), index_body(site, language), None),
        )
    ]
    for section in survey.sections:
        title = goal_name(section, language, short=False)
        pages.append(
            (
                page_name(section.sdg),
                page(site, language, title, goal_body(site, section, language), section.sdg),
            )
        )
    return pages
