"""/results: after submitting, how people like you rated each goal, beside your own ratings.

"People like you" are respondents of each group the respondent chose (one
line per group: a woman from an ethnic minority sees both) and of the same
region, in the round the respondent answered. Every comparison is a row of
that round's protected publication (``reporting.publication``), read as the
unscoped digest's breakdown reads it: the same number, hidden where the
digest hides it. Hidden means read "–", and the message says once, at the
end, which rows are hidden and why: too few people, or hidden so that a
smaller group cannot be worked out from the others.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from locales.i18n import translator
from locales.numbers import format_number
from reporting import publication
from reporting.actions.words import status_word
from reporting.digest.analysis import breakdown_means, view_tables
from reporting.means import Mean
from reporting.publication import LINKED, Publication, View
from reporting.site.links import site_line
from storage import actions as stored_actions
from storage import analytics
from storage.actions import Action
from storage.rounds import rounds_of
from survey.model import Survey

LIMIT = 4096  # Telegram's longest message
COMPARED = ("group", "region")  # profile questions a respondent is compared within
HIDDEN = "–"


@dataclass(frozen=True, slots=True)
class Comparison:
    """People who share one of the respondent's choices, and their means per (goal, kind)."""

    label: str
    means: dict[tuple[int, str], Mean]
    hidden: str | None = None  # why the whole row is hidden (publication.SMALL or LINKED)


def _number(value: float | None, language: str) -> str:
    return "–" if value is None else format_number(value, language, 1)


def _pair(now: Mean | None, forecast: Mean | None, language: str) -> str | None:
    """ "now → forecast", or None when either is hidden (or nobody rated the goal)."""
    if now is None or forecast is None or now.suppressed or forecast.suppressed:
        return None
    if now.mean is None or forecast.mean is None:
        return None
    return f"{_number(now.mean, language)} → {_number(forecast.mean, language)}"


def _goal_pair(comparison: Comparison, sdg: int, language: str) -> str | None:
    means = comparison.means
    return _pair(means.get((sdg, "now")), means.get((sdg, "forecast")), language)


def _choice_label(survey: Survey, question_id: str, choice: str, language: str) -> str | None:
    question = survey.profile_question(question_id)
    for option in question.choices if question else []:
        if option.id == choice:
            return option.label(language)
    return None  # prefer_not: no comparison group to show


def comparisons(
    survey: Survey, profile: Mapping[str, str], published: Publication, language: str
) -> list[Comparison]:
    """One comparison per choice of each compared question, in the stored (survey) order:
    ``"women ethnic_minority"`` gives Women, then Ethnic minorities. Each is the
    unscoped view's breakdown row, as the digest shows it."""
    everyone = View((), None)
    refused = published.view_status(everyone) is not None
    table = view_tables(survey, published, everyone, {}).breakdowns
    rows = breakdown_means(table)
    result = []
    for dimension in COMPARED:
        for choice in analytics.chosen(profile.get(dimension, "")):
            label = _choice_label(survey, dimension, choice, language)
            if label is None:
                continue
            state = published.row(everyone, (dimension, choice))
            means = {
                (sdg, kind): mean
                for (row_choice, sdg, kind), mean in rows[dimension].items()
                if row_choice == choice
            }
            hidden = "refused" if refused else state.hidden
            result.append(Comparison(label, means, hidden))
    return result


def _own_pair(own: Mapping[tuple[int, str], float], sdg: int, language: str) -> str | None:
    now, forecast = own.get((sdg, "now")), own.get((sdg, "forecast"))
    if now is None and forecast is None:
        return None
    return f"{_number(now, language)} → {_number(forecast, language)}"


def _closing(
    always_hidden: Sequence[Comparison], some_hidden: bool, k: int, language: str
) -> list[str]:
    """What is hidden, then why (for each reason that applies), said once at the end."""
    _ = translator(language)
    lines = []
    few = [c.label for c in always_hidden if c.hidden != LINKED]
    linked = [c.label for c in always_hidden if c.hidden == LINKED]
    if few:
        lines.append(
            _("Hidden: {groups}. Fewer than {k} people in them have answered.").format(
                groups=", ".join(few), k=k
            )
        )
    if linked:
        lines.append(
            _(
                "Hidden: {groups}. Showing them would let a smaller group's answers"
                " be worked out from the other numbers."
            ).format(groups=", ".join(linked))
        )
    if some_hidden:
        lines.append(_("{hidden}: no ratings of this goal yet.").format(hidden=HIDDEN))
    lines.append(_("Groups with fewer than {k} people are never shown.").format(k=k))
    if lines[:-1]:
        lines.append(_("This keeps the people in them from being recognised."))
    return lines


def results_text(
    database: str,
    survey: Survey,
    telegram_id: int,
    language: str,
    k: int,
    site_url: str | None = None,
) -> str | None:
    """The /results message, or None when the caller has not submitted yet."""
    _ = translator(language)
    with analytics.snapshot(database) as db:
        found = analytics.submitted_response(db, telegram_id, survey.id)
        if found is None:
            return None
        response_id, profile, round_id = found
        own = analytics.own_sdg_means(db, response_id)
        published = publication.load(db, survey.id, round_id, k)
        the_round = next((r for r in rounds_of(db) if r.id == round_id), None)
        agreed = [a for a in stored_actions.actions_of(db) if _where_they_live(a.scope, profile)]
    compared = comparisons(survey, profile, published, language)
    sdgs = [section.sdg for section in survey.sections]
    # A comparison hidden on every goal is named once at the end, not shown per goal.
    always_hidden = [c for c in compared if all(_goal_pair(c, s, language) is None for s in sdgs)]
    shown = [c for c in compared if c not in always_hidden]
    now, forecast = survey.years["now"], survey.years["forecast"]
    if the_round is not None:
        now, forecast = the_round.now_year, the_round.forecast_year
    heading = _("Mean rating {now} → {forecast}").format(now=now, forecast=forecast)
    if the_round is not None:
        title = the_round.title or the_round.id
        heading = _("Round {round}: mean rating {now} → {forecast}").format(
            round=title, now=now, forecast=forecast
        )
    lines = ["<b>" + escape(_("How people like you rated the goals")) + "</b>", escape(heading)]
    some_hidden = False
    for section in survey.sections:
        mine = _own_pair(own, section.sdg, language) or _("not rated")
        lines += ["", f"<b>SDG {section.sdg}: {escape(section.short_title(language))}</b>"]
        lines.append(escape(_("You: {ratings}").format(ratings=mine)))
        for comparison in shown:
            pair = _goal_pair(comparison, section.sdg, language)
            some_hidden = some_hidden or pair is None
            lines.append(escape(f"{comparison.label}: {pair or HIDDEN}"))
    lines += ["", *(escape(line) for line in _closing(always_hidden, some_hidden, k, language))]
    lines += site_line(site_url, language)
    lines += _actions(agreed, language)
    return "\n".join(lines)


def _where_they_live(scope_text: str, profile: Mapping[str, str]) -> bool:
    """An action of a scope the person is in (everything, their region, their group, ...)."""
    scope = json.loads(scope_text or "{}")
    return all(choice in analytics.chosen(profile.get(d, "")) for d, choice in scope.items())


MAX_ACTIONS = 8


def _actions(agreed: Sequence[Action], language: str) -> list[str]:
    """The actions agreed for the person's place: what, who, by when, how far."""
    if not agreed:
        return []
    _ = translator(language)
    lines = ["", "<b>" + escape(_("Actions agreed where you live")) + "</b>"]
    for action in list(agreed)[-MAX_ACTIONS:]:
        lines.append(
            escape(
                _("{codes}: {agreed} — {organisation}, by {due} ({status})").format(
                    codes=", ".join(action.codes), agreed=action.agreed,
                    organisation=action.organisation, due=action.due_on,
                    status=status_word(action.status, language),
                )
            )
        )  # fmt: skip
    return lines


def message_parts(text: str, limit: int = LIMIT) -> list[str]:
    """``text`` in messages of at most ``limit`` characters, cut between paragraphs.

    Someone who chose many groups gets a line per group on every goal, which
    can pass Telegram's limit; a paragraph (one goal) never holds an open tag.
    """
    parts: list[str] = []
    for paragraph in text.split("\n\n"):
        if parts and len(parts[-1]) + 2 + len(paragraph) <= limit:
            parts[-1] += "\n\n" + paragraph
        else:
            parts.append(paragraph[:limit])
    return parts
