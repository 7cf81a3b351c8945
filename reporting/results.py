"""/results: after submitting, how people like you rated each goal, beside your own ratings.

"People like you" are respondents of each group the respondent chose (one
line per group: a woman from an ethnic minority sees both) and of the same
region; each comparison is a mean over everyone in it (the respondent
included) and is hidden when fewer than ``digest.min_cell`` respondents are
in it, exactly as in the coordinators' digests, and so is one that would give
a hidden one away by subtraction (the unscoped digest's secondary
suppression, ``reporting.suppression``). Hidden means read "–", and
the message says once, at the end, what is hidden and why; a comparison
hidden on every goal is named there instead of filling every goal with "–".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from babel.numbers import format_decimal

from locales.i18n import translator
from reporting import means, suppression
from reporting.means import Mean
from storage import analytics
from storage.analytics import Cell
from survey.model import Survey

LIMIT = 4096  # Telegram's longest message
COMPARED = ("group", "region")  # profile questions a respondent is compared within
HIDDEN = "–"


@dataclass(frozen=True, slots=True)
class Comparison:
    """People who share one of the respondent's choices, and their means per (goal, kind)."""

    label: str
    means: dict[tuple[int, str], Mean]


def _number(value: float | None, language: str) -> str:
    return "–" if value is None else format_decimal(value, format="0.0", locale=language)


def _pair(now: Mean | None, forecast: Mean | None, language: str) -> str | None:
    """ "now → forecast", or None when either is hidden (or nobody rated the goal)."""
    if now is None or forecast is None or now.suppressed or forecast.suppressed:
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
    survey: Survey, profile: Mapping[str, str], cells: Sequence[Cell], language: str, k: int
) -> list[Comparison]:
    """One comparison per choice of each compared question, in the stored (survey) order:
    ``"women ethnic_minority"`` gives Women, then Ethnic minorities."""
    goals = {section.sdg for section in survey.sections}
    cells = [c for c in cells if c.sdg in goals and c.kind in ("now", "forecast")]
    # The unscoped digest's suppression, secondary included: /results shows a part
    # of the same table, so nothing hidden there can be worked out here.
    hidden = suppression.goal_suppression(
        ((c.group, c.region, c.area, c.sdg, c.item_code, c.kind, c.rated, c.total, c.dont_know)
         for c in cells),
        k,
    )  # fmt: skip
    result = []
    for dimension in COMPARED:
        for choice in analytics.chosen(profile.get(dimension, "")):
            label = _choice_label(survey, dimension, choice, language)
            if label is None:
                continue
            people = means.cells_with(cells, dimension, choice)
            pooled = means.pooled_means(people, lambda c: (c.sdg, c.kind), k)
            result.append(
                Comparison(
                    label,
                    {
                        (sdg, kind): Mean(None, mean.rated, mean.respondents, mean.dont_know, True)
                        if (dimension, choice, sdg) in hidden
                        else mean
                        for (sdg, kind), mean in pooled.items()
                    },
                )
            )
    return result


def _own_pair(own: Mapping[tuple[int, str], float], sdg: int, language: str) -> str | None:
    now, forecast = own.get((sdg, "now")), own.get((sdg, "forecast"))
    if now is None and forecast is None:
        return None
    return f"{_number(now, language)} → {_number(forecast, language)}"


def _closing(
    always_hidden: Sequence[Comparison], some_hidden: bool, k: int, language: str
) -> list[str]:
    """What is hidden, then why, said once at the end of the message."""
    _ = translator(language)
    lines = []
    if always_hidden:
        names = ", ".join(c.label for c in always_hidden)
        lines.append(_("Hidden on every goal: {groups}.").format(groups=names))
    if some_hidden:
        lines.append(_("{hidden}: hidden on this goal.").format(hidden=HIDDEN))
    why = _("Groups with fewer than {k} people are not shown.").format(k=k)
    if lines:
        why += " " + _("This keeps the people in them from being recognised.")
    return [*lines, why]


def results_text(
    database: str, survey: Survey, telegram_id: int, language: str, k: int
) -> str | None:
    """The /results message, or None when the caller has not submitted yet."""
    _ = translator(language)
    db = analytics.connect(database)
    try:
        found = analytics.submitted_response(db, telegram_id, survey.id)
        if found is None:
            return None
        response_id, profile = found
        own = analytics.own_sdg_means(db, response_id)
        cells = analytics.rating_cells(db, survey.id, {})
    finally:
        db.close()
    compared = comparisons(survey, profile, cells, language, k)
    sdgs = [section.sdg for section in survey.sections]
    # A comparison hidden on every goal is named once at the end, not shown per goal.
    always_hidden = [c for c in compared if all(_goal_pair(c, s, language) is None for s in sdgs)]
    shown = [c for c in compared if c not in always_hidden]
    years = survey.years
    lines = [
        "<b>" + escape(_("How people like you rated the goals")) + "</b>",
        escape(
            _("Mean rating {now} → {forecast}").format(now=years["now"], forecast=years["forecast"])
        ),
    ]
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
    return "\n".join(lines)


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
