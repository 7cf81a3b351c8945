"""What a respondent types: a comment, an answer to a text question, or ratings.

Like the rest of the journey, every answer is committed before the reply is
returned; a message Telegram delivers twice is answered once.
"""

from __future__ import annotations

import re

from conversations.journey import (
    Reply,
    after_text,
    language_of,
    milestone,
    point_at,
    screen_for,
    shown_now,
    text_key,
)
from conversations.screens import MAX_TEXT
from conversations.services import Services
from conversations.shown import AtStep, Shown, after, step_of
from locales.i18n import translator
from locales.textlimits import clean_typed, utf16_len
from storage import responses
from storage.responses import Answers, Rating, Response
from storage.users import User
from survey.steps import RATING_KINDS, Step, comment_key, open_kinds

# Typed ratings: one or two of 1-5, and 0 or ? for "don't know" ("4", "4 5", "45").
_TYPED = re.compile(r"^\s*([0-5?])(?:\s*[ ,;/.\-]?\s*([0-5?]))?\s*$")


async def answer_text(
    services: Services,
    user: User,
    response: Response,
    answers: Answers,
    text: str,
    message_id: int,
) -> Reply | None:
    """Free text: a comment, an answer to a text question, or typed ratings.

    ``None`` means the message was already answered: Telegram delivered it twice.
    """
    survey = services.survey
    if await responses.answered_by_message(services.store, response.id, message_id):
        return None
    language = language_of(services, user)
    _ = translator(language)
    current = shown_now(services, response, answers)
    step = step_of(survey, current)
    if step is not None and step.kind == "rating":
        typed = _TYPED.match(text)
        if typed:
            return await _typed_ratings(
                services, response, answers, step, typed, message_id, language
            )
    if step is None or not (
        step.kind in {"rating", "comment"}
        or (step.kind == "closing" and survey.closing[step.index].kind == "text")
    ):
        return again(
            services,
            answers,
            current,
            language,
            _("Please answer with the buttons below the question."),
        )
    return await _comment(services, response, answers, step, text, message_id, language)


def again(
    services: Services, answers: Answers, current: Shown, language: str, notice: str
) -> Reply:
    """The screen the respondent is on, sent anew after a note on what they sent."""
    return Reply(
        screen_for(services, answers, current, language),
        shown=current,
        fresh_message=True,
        notice=notice,
    )


async def _comment(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    text: str,
    message_id: int,
    language: str,
) -> Reply:
    """Text on a screen that takes it: checked, then stored, then the next screen."""
    survey = services.survey
    _ = translator(language)
    cleaned = clean_typed(text)
    key = (
        comment_key(survey.items[step.index][0].id)
        if step.kind == "rating"
        else text_key(survey, step)
    )
    if step.kind == "rating" and answers.texts.get(key):
        # Typed on a rating screen: added to the goal's comment, never replacing it.
        cleaned = f"{answers.texts[key]}\n\n{cleaned}" if cleaned else ""
    here = AtStep(step.key)
    if not cleaned:
        return again(
            services,
            answers,
            here,
            language,
            _("That message is empty: please type your answer, or tap Skip."),
        )
    if utf16_len(cleaned) > MAX_TEXT:  # as Telegram counts: an emoji is 2
        return again(
            services,
            answers,
            here,
            language,
            _(
                "That message is too long: please keep it under {limit} characters ({length} now)."
            ).format(limit=MAX_TEXT, length=utf16_len(cleaned)),
        )
    answers.texts[key] = cleaned
    await responses.save_text(services.store, response.id, key, cleaned, message_id)
    if step.kind == "rating":
        at: Shown = here
        section = survey.items[step.index][0]
        notice = _("Saved as your comment on {goal}.").format(goal=section.short_title(language))
    else:
        at = after_text(services, answers, step)
        notice = _("Saved")
    await point_at(services, response, answers, at)
    return again(services, answers, at, language, notice)


async def _typed_ratings(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    typed: re.Match[str],
    message_id: int,
    language: str,
) -> Reply:
    """ "4" answers the first open rating of the screen; "4 5" answers both."""
    survey = services.survey
    _ = translator(language)
    section, item = survey.items[step.index]
    digits = [d for d in typed.groups() if d is not None]
    was_open = open_kinds(survey, answers, step.index)
    kinds = list(RATING_KINDS) if len(digits) == 2 else was_open[:1]
    if not kinds:
        return again(
            services,
            answers,
            AtStep(step.key),
            language,
            _(
                "Both ratings are given. To change them, tap the buttons, or type two numbers"
                " (now, then the forecast)."
            ),
        )
    stored = []
    for kind, digit in zip(kinds, digits, strict=False):
        value = None if digit in {"0", "?"} else int(digit)
        answers.ratings[(item.code, kind)] = Rating(value, False)
        stored.append((item.code, kind, section.sdg, value))
    await responses.save_typed_ratings(services.store, response.id, stored, message_id)
    done_now = not open_kinds(survey, answers, step.index)
    at = after(survey, answers, step) if done_now and was_open else AtStep(step.key)
    await point_at(services, response, answers, at)
    notice = milestone(services, answers, step, at, language) or _("Saved")
    return again(services, answers, at, language, notice)
