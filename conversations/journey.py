"""The respondent's journey as a service: decide, store, say what to show.

Handlers pass in what the respondent did; this module writes it to SQLite
(committed before returning) and answers with the screen to show next. It
never talks to Telegram, so the rules here are easy to test and to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations.callbacks import StepAction
from conversations.i18n import translator
from conversations.screens import (
    MAX_TEXT,
    Screen,
    consent_screen,
    edit_list_screen,
    language_screen,
    review_screen,
    step_screen,
    thanks_screen,
)
from conversations.services import Services
from conversations.steps import (
    Step,
    comment_key,
    find_step,
    frontier,
    previous_step,
    skipped_steps,
)
from conversations.survey import LANGUAGES
from storage import responses, users
from storage.responses import Answers, Rating, Response
from storage.store import utc_now
from storage.users import User

REVIEW = "rv"


@dataclass(frozen=True, slots=True)
class Reply:
    screen: Screen
    shown: str | None = None  # what the live message shows afterwards
    alert: str | None = None  # a short note on the button press
    fresh_message: bool = False  # send a new message instead of editing
    notice: str | None = None  # a separate message before the screen


def suggest_language(language_code: str | None, default: str) -> str:
    code = (language_code or "").split("-")[0].lower()
    return code if code in LANGUAGES else default


def language_of(services: Services, user: User) -> str:
    return user.language or services.default_language


async def active_response(services: Services, user: User) -> Response | None:
    return await responses.get_response(services.store, user.id, services.survey.id)


def screen_for(services: Services, answers: Answers, shown: str | None, language: str) -> Screen:
    survey = services.survey
    if shown and shown.startswith(REVIEW + ":"):
        target = shown.split(":", 1)[1]
        return edit_list_screen(
            survey, answers, language, None if target == "prf" else int(target[1:])
        )
    step = find_step(survey, shown)
    if step is None:
        return review_screen(survey, answers, language)
    return step_screen(survey, answers, step, language)


def position(services: Services, answers: Answers) -> str:
    step = frontier(services.survey, answers)
    return step.key if step else REVIEW


async def where_am_i(services: Services, user: User, *, resume: bool = False) -> Reply:
    """The screen for someone arriving with /start, /resume or an unexpected message.

    ``resume`` shows the first unanswered question; otherwise the screen the
    live message already shows is repeated.
    """
    language = language_of(services, user)
    if user.language is None:
        return Reply(language_screen(), fresh_message=True)
    consent = await users.get_consent(services.store, user.id)
    if consent is None or not consent.agreed:
        return Reply(consent_screen(language, services.survey), fresh_message=True)
    response = await active_response(services, user)
    if response is None:
        response = await begin(services, user)
    if response.submitted_at is not None:
        return Reply(thanks_screen(language), fresh_message=True)
    answers = await responses.load_answers(services.store, response.id)
    shown = (
        response.shown_step if (response.shown_step and not resume) else position(services, answers)
    )
    return Reply(screen_for(services, answers, shown, language), shown=shown, fresh_message=True)


async def begin(services: Services, user: User) -> Response:
    """Start the response, applying the pending invitation if it is still usable."""
    survey = services.survey
    code, prefill = None, {}
    if user.invitation_code:
        invitation = await users.get_invitation(services.store, user.invitation_code)
        if invitation is not None and invitation.usable(utc_now()):
            code = invitation.code
            prefill = _valid_prefill(services, invitation.prefill)
    return await responses.start_response(
        services.store, user.id, survey.id, survey.version, survey.content_hash, code, prefill
    )


def _valid_prefill(services: Services, prefill: dict[str, str]) -> dict[str, str]:
    """Keep only prefilled answers that the survey knows, so a code cannot store junk."""
    valid = {}
    for question_id, choice in prefill.items():
        question = services.survey.profile_question(question_id)
        if question and any(c.id == choice for c in question.choices):
            valid[question_id] = choice
    return valid


def _expected_shown(action: StepAction) -> str:
    if action.step is not None:
        return action.step.key
    return REVIEW + ":*" if action.value == "rv" or action.value.startswith("e") else REVIEW


def is_current(action: StepAction, shown: str | None) -> bool:
    expected = _expected_shown(action)
    if expected.endswith(":*"):
        return bool(shown) and shown.startswith(REVIEW + ":")  # type: ignore[union-attr]
    return expected == shown


def repeats_stored_answer(services: Services, answers: Answers, action: StepAction) -> bool:
    """A second tap on the same button: the answer is stored already, nothing to do."""
    step = action.step
    if step is None or action.value in {"b", "k"} or action.value.startswith("t"):
        return False
    survey = services.survey
    if step.kind == "rating":
        code = survey.items[step.index][1].code
        stored = answers.ratings.get((code, step.rating_kind or ""))
        return stored is not None and stored == _rating_of(action.value)
    if step.kind == "profile":
        return answers.profile.get(survey.profile[step.index].id) == _profile_choice(
            services, step, action.value
        )
    return False


def _rating_of(value: str) -> Rating:
    if value == "s":
        return Rating(None, True)
    return Rating(None if value == "d" else int(value), False)


def _profile_choice(services: Services, step: Step, value: str) -> str:
    return (
        "prefer_not" if value == "n" else services.survey.profile[step.index].choices[int(value)].id
    )


def shown_now(services: Services, response: Response, answers: Answers) -> str:
    """What the live message shows: set by navigation, else the first open step."""
    return response.shown_step or position(services, answers)


async def apply(
    services: Services, user: User, response: Response, action: StepAction, answers: Answers
) -> Reply:
    """Apply a current (not stale) button press: store first, then say what is next."""
    store, survey = services.store, services.survey
    language = language_of(services, user)
    _ = translator(language)
    step, value = action.step, action.value

    if step is None:  # review screen and its lists
        return await _apply_review(services, user, response, answers, value)

    if value == "b":
        before = previous_step(survey, step)
        shown = before.key if before else step.key
        await responses.set_shown(store, response.id, shown, None)
        return Reply(screen_for(services, answers, shown, language), shown=shown)

    if step.kind == "rating":
        section, item = survey.items[step.index]
        kind = step.rating_kind or "now"
        rating = _rating_of(value)
        answers.ratings[(item.code, kind)] = rating
        shown = position(services, answers)
        await responses.save_rating(
            store, response.id, item.code, kind, section.sdg, rating.value, rating.skipped
        )
    elif step.kind == "profile":
        question = survey.profile[step.index]
        answers.profile[question.id] = _profile_choice(services, step, value)
        shown = position(services, answers)
        await responses.save_profile(store, response.id, question.id, answers.profile[question.id])
    elif step.kind == "comment":  # only "skip" comes as a button
        key = comment_key(survey.sections[step.index].id)
        answers.texts[key] = None
        shown = position(services, answers)
        await responses.save_text(store, response.id, key, None)
    elif survey.closing[step.index].kind == "text":
        question = survey.closing[step.index]
        answers.texts[question.id] = None
        shown = position(services, answers)
        await responses.save_text(store, response.id, question.id, None)
    else:
        question = survey.closing[step.index]
        selected, _done = answers.choices.get(question.id, ([], False))
        if value == "k":
            answers.choices[question.id] = (selected, True)
            shown = position(services, answers)
            await responses.save_choices(store, response.id, question.id, selected, True)
        else:
            goal = survey.sections[int(value[1:])].id
            if goal in selected:
                selected = [g for g in selected if g != goal]
            elif len(selected) >= question.max_choices:
                return Reply(
                    screen_for(services, answers, step.key, language),
                    shown=step.key,
                    alert=_("You can pick up to {most} goals.").format(most=question.max_choices),
                )
            else:
                selected = [*selected, goal]
            answers.choices[question.id] = (selected, False)
            shown = step.key
            await responses.save_choices(store, response.id, question.id, selected, False)
    return Reply(screen_for(services, answers, shown, language), shown=shown, alert=_("Saved"))


async def _apply_review(
    services: Services, user: User, response: Response, answers: Answers, value: str
) -> Reply:
    store, survey = services.store, services.survey
    language = language_of(services, user)
    if value == "sub":
        if frontier(survey, answers) is not None:  # forged or raced: not finished yet
            shown = position(services, answers)
            await responses.set_shown(store, response.id, shown, None)
            return Reply(screen_for(services, answers, shown, language), shown=shown)
        await responses.submit(store, response.id)
        return Reply(thanks_screen(language), shown=None)
    if value == "skp":
        skipped = skipped_steps(survey, answers)
        shown = skipped[0].key if skipped else REVIEW
    elif value == "rv":
        shown = REVIEW
    elif value == "prf":
        shown = REVIEW + ":prf"
    elif value.startswith("e"):
        shown = value[1:]
    else:
        shown = REVIEW + ":" + value
    await responses.set_shown(store, response.id, shown, None)
    return Reply(screen_for(services, answers, shown, language), shown=shown)


async def answer_text(
    services: Services,
    user: User,
    response: Response,
    answers: Answers,
    text: str,
    message_id: int,
) -> Reply | None:
    """Free text: stored when the current question is a text question.

    ``None`` means the message was already answered: Telegram delivered it twice.
    """
    store, survey = services.store, services.survey
    if await responses.answered_by_message(store, response.id, message_id):
        return None
    language = language_of(services, user)
    _ = translator(language)
    current = response.shown_step or position(services, answers)
    step = find_step(survey, current)
    is_text_step = step is not None and (
        step.kind == "comment"
        or (step.kind == "closing" and survey.closing[step.index].kind == "text")
    )
    if step is None or not is_text_step:
        return Reply(
            screen_for(services, answers, current, language),
            shown=current,
            fresh_message=True,
            notice=_("Please answer with the buttons below the question."),
        )
    from conversations.textlimits import utf16_len

    cleaned = text.strip()
    if not cleaned or utf16_len(cleaned) > MAX_TEXT:  # as Telegram counts (emoji are 2)
        notice = (
            _(
                "That message is too long: please keep it under {limit} characters ({length} now)."
            ).format(limit=MAX_TEXT, length=utf16_len(cleaned))
            if cleaned
            else _("That message is empty: please type your answer, or tap Skip.")
        )
        return Reply(
            screen_for(services, answers, current, language),
            shown=current,
            fresh_message=True,
            notice=notice,
        )
    key = (
        comment_key(survey.sections[step.index].id)
        if step.kind == "comment"
        else survey.closing[step.index].id
    )
    answers.texts[key] = cleaned
    shown = position(services, answers)
    await responses.save_text(store, response.id, key, cleaned, message_id)
    return Reply(
        screen_for(services, answers, shown, language),
        shown=shown,
        fresh_message=True,
        notice=_("Saved"),
    )
