"""/results: after submitting, how people like you rated each goal, beside your own ratings.

"People like you" are respondents of the same group and of the same region;
each comparison is a mean over everyone in it (the respondent included) and
is hidden when fewer than ``digest.min_cell`` respondents are in it, exactly
as in the coordinators' digests.
"""

from __future__ import annotations

import asyncio
from html import escape

from babel.numbers import format_decimal
from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from conversations.i18n import translator
from conversations.services import Services
from conversations.survey import Survey
from storage import analytics, users
from storage.analytics import Mean


def _number(value: float | None, language: str) -> str:
    return "–" if value is None else format_decimal(value, format="0.0", locale=language)


def _pair(now: Mean | None, forecast: Mean | None, language: str, hidden: str) -> str:
    if now is None or forecast is None or now.suppressed or forecast.suppressed:
        return hidden
    return f"{_number(now.mean, language)} → {_number(forecast.mean, language)}"


def _choice_label(survey: Survey, question_id: str, choice: str, language: str) -> str | None:
    question = survey.profile_question(question_id)
    for option in question.choices if question else []:
        if option.id == choice:
            return option.label(language)
    return None  # prefer_not: no comparison group to show


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
    comparisons = []
    for dimension in ("group", "region"):
        choice = profile.get(dimension)
        label = _choice_label(survey, dimension, choice or "", language)
        if choice is not None and label is not None:
            means = analytics.pooled_means(
                [c for c in cells if c.dimension(dimension) == choice],
                lambda c: (c.sdg, c.kind),
                k,
            )
            comparisons.append((label, means))
    hidden = _("too few answers to show")
    years = survey.years
    lines = [
        "<b>" + escape(_("How people like you rated the goals")) + "</b>",
        escape(
            _("Mean rating {now} → {forecast}").format(now=years["now"], forecast=years["forecast"])
        ),
    ]
    for section in survey.sections:
        mine_now, mine_forecast = own.get((section.sdg, "now")), own.get((section.sdg, "forecast"))
        mine = (
            f"{_number(mine_now, language)} → {_number(mine_forecast, language)}"
            if mine_now is not None or mine_forecast is not None
            else "–"
        )
        lines += ["", f"<b>SDG {section.sdg}: {escape(section.short_title(language))}</b>"]
        lines.append(escape(_("You: {ratings}").format(ratings=mine)))
        for label, means in comparisons:
            pair = _pair(
                means.get((section.sdg, "now")),
                means.get((section.sdg, "forecast")),
                language,
                hidden,
            )
            lines.append(escape(f"{label}: {pair}"))
    lines += ["", escape(_("Groups with fewer than {k} people are not shown.").format(k=k))]
    return "\n".join(lines)


async def results_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services: Services = context.bot_data["services"]
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None:
        return
    stored = await users.get_user(services.store, user.id)
    language = (stored.language if stored else None) or services.default_language
    _ = translator(language)
    k = context.bot_data["settings"].digest.min_cell
    text = await asyncio.to_thread(
        results_text, str(services.store.path), services.survey, user.id, language, k
    )
    if text is None:
        await context.bot.send_message(
            chat.id, _("You will see the results here after you submit your answers.")
        )
        return
    await context.bot.send_message(chat.id, text, parse_mode=ParseMode.HTML)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(
        CommandHandler("results", results_command, filters=filters.ChatType.PRIVATE)
    )
