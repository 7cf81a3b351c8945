"""The respondent's journey as a service: decide, store, say what to show.

Handlers pass in what the respondent did; this module writes it to SQLite
(committed before returning) and answers with the screen to show next. It
never talks to Telegram, so the rules here are easy to test and to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversations import guardian
from conversations.callbacks import StepAction
from conversations.screens import (
    MAX_TEXT,
    Screen,
    consent_screen,
    edit_list_screen,
    language_screen,
    profile_selection,
    review_screen,
    step_screen,
    thanks_screen,
)
from conversations.services import Services
from locales.i18n import translator
from locales.textlimits import utf16_len
from storage import guardians, responses, users
from storage.responses import Answers, Rating, Response
from storage.store import utc_now
from storage.users import User
from survey.model import LANGUAGES, Survey
from survey.steps import (
    RATING_KINDS,
    Step,
    comment_key,
    draft_key,
    find_step,
    frontier,
    is_visible,
    next_step,
    open_kinds,
    previous_step,
    section_done,
    section_index_of,
    skipped_steps,
    step_index,
    visible,
)

REVIEW = "rv"
WAIT = "gw"  # a child waiting for a guardian's consent (derived, never a step)


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


def screen_for(
    services: Services, answers: Answers, shown: str | None, language: str, info: bool = False
) -> Screen:
    survey = services.survey
    shown = live_shown(services, answers, shown)
    if shown and shown.startswith(REVIEW + ":"):
        target = shown.split(":", 1)[1]
        return edit_list_screen(
            survey, answers, language, None if target == "prf" else int(target[1:])
        )
    step = find_step(survey, shown)
    if step is None and shown != REVIEW:
        step = frontier(survey, answers)  # a key from an older survey: derive it again
    if step is None:
        return review_screen(survey, answers, language)
    return step_screen(survey, answers, step, language, info)


def position(services: Services, answers: Answers) -> str:
    step = frontier(services.survey, answers)
    return step.key if step else REVIEW


def live_shown(services: Services, answers: Answers, shown: str | None) -> str | None:
    """``shown``, unless skip logic hides it now (a profile answer changed since it
    was shown): then the first open question, as on resume."""
    survey = services.survey
    step = find_step(survey, shown)
    if step is not None and not is_visible(survey, answers, step):
        return position(services, answers)
    if shown and shown.startswith(REVIEW + ":s") and not _goal_visible(services, answers, shown):
        return position(services, answers)
    return shown


def _goal_visible(services: Services, answers: Answers, shown: str) -> bool:
    target = shown.split(":", 1)[1][1:]
    return target.isdigit() and int(target) in visible(services.survey, answers).by_section


def hidden(services: Services, answers: Answers, action: StepAction) -> bool:
    """A press on a question, goal or indicator that skip logic hides from this
    respondent: out of date (their profile changed), or forged. Never stored."""
    survey = services.survey
    if action.step is not None:
        if not is_visible(survey, answers, action.step):
            return True
        question = survey.closing[action.step.index] if action.step.kind == "closing" else None
        goal = action.value[1:] if question and question.kind == "pick_goals" else ""
        return goal.isdigit() and int(goal) not in visible(survey, answers).sections
    value = action.value
    if value.startswith("e"):
        step = find_step(survey, value[1:])
        return step is None or not is_visible(survey, answers, step)
    if value.startswith("s") and value[1:].isdigit():
        return int(value[1:]) not in visible(survey, answers).by_section
    return False


async def where_am_i(services: Services, user: User, *, resume: bool = False) -> Reply:
    """The screen for someone arriving with /start, /resume or an unexpected message.

    ``resume`` shows the first unanswered question; otherwise the screen the
    live message already shows is repeated.
    """
    language = language_of(services, user)
    if user.language is None:
        return Reply(language_screen(services.survey), fresh_message=True)
    consent = await users.get_consent(services.store, user.id)
    if consent is None or not consent.agreed:
        return Reply(consent_screen(language, services.survey), fresh_message=True)
    response = await active_response(services, user)
    if response is None:
        response = await begin(services, user)
    services = services.on(response)  # the version the response began on
    if response.submitted_at is not None:
        return Reply(thanks_screen(language), fresh_message=True)
    answers = await responses.load_answers(services.store, response.id)
    wait = await guardian_wait(services, user, response, answers)
    if wait is not None:
        return wait
    shown = (
        live_shown(services, answers, response.shown_step)
        if (response.shown_step and not resume)
        else position(services, answers)
    )
    return Reply(screen_for(services, answers, shown, language), shown=shown, fresh_message=True)


async def guardian_wait(
    services: Services, user: User, response: Response, answers: Answers, *, new_link: bool = False
) -> Reply | None:
    """The waiting screen for a child without a guardian's yes; None for everyone else.

    Derived from stored data only (the profile answers and the guardian's
    decision), so a restart resumes exactly. A link is made (and sent, as a
    message to forward) when the child has no usable one, or asks for a new one.
    """
    if not guardian.is_minor(answers):
        return None
    decision = await guardians.get_consent(services.store, user.id)
    if decision is not None and decision.agreed:
        return None
    language = language_of(services, user)
    expires = None if new_link else await guardians.live_link_expiry(services.store, user.id)
    notice = None
    if expires is None:
        token = guardian.new_token()
        moment = datetime.now(UTC) + timedelta(days=services.guardian_link_days)
        expires = moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        await guardians.replace_link(services.store, user.id, guardian.token_hash(token), expires)
        notice = guardian.link_message(language, guardian.deep_link(services.bot_username, token))
    await responses.set_shown(services.store, response.id, WAIT, None)
    screen = guardian.wait_screen(language, services.local_time(expires), user.pseudonym)
    return Reply(screen, shown=WAIT, fresh_message=True, notice=notice)


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
    step, value = action.step, action.value
    if step is None:
        return False
    survey = services.survey
    if step.kind == "rating" and value[:1] in {"n", "f"} and value[1:] in _RATING_VALUES:
        code = survey.items[step.index][1].code
        return answers.ratings.get((code, _KIND[value[0]])) == _rating_of(value[1:])
    if step.kind == "profile":
        question = survey.profile[step.index]
        selected = profile_selection(survey, answers, step)
        if question.multiple and value[:1] in {"a", "u"}:
            ticked = question.choices[int(value[1:])].id in selected
            return ticked == (value[0] == "a")
        if not question.multiple and value != "b":
            return answers.profile.get(question.id) == _profile_choice(services, step, value)
    if step.kind == "closing" and value[:1] in {"a", "u"}:
        question = survey.closing[step.index]
        selected = answers.choices.get(question.id, ([], False))[0]
        return (survey.sections[int(value[1:])].id in selected) == (value[0] == "a")
    return False


_KIND = {"n": "now", "f": "forecast"}
_RATING_VALUES = {"1", "2", "3", "4", "5", "d"}


def _rating_of(value: str) -> Rating:
    return Rating(None if value == "d" else int(value), False)


def _profile_choice(services: Services, step: Step, value: str) -> str:
    return (
        "prefer_not" if value == "n" else services.survey.profile[step.index].choices[int(value)].id
    )


def shown_now(services: Services, response: Response, answers: Answers) -> str:
    """What the live message shows: set by navigation, else the first open step
    (never a step that skip logic hides now)."""
    return live_shown(services, answers, response.shown_step) or position(services, answers)


def _after(services: Services, answers: Answers, step: Step) -> str:
    """Where "next" leads from ``step``: the following question, but never past the
    first open one; the review once everything is answered."""
    survey = services.survey
    first_open = frontier(survey, answers)
    if first_open is None:
        return REVIEW
    following = next_step(survey, answers, step)
    order = step_index(survey, answers)
    if following is None or order[following.key] > order[first_open.key]:
        return first_open.key
    return following.key


async def _show(
    services: Services, response: Response, answers: Answers, shown: str, *, stored: bool = True
) -> None:
    """Point the live message at ``shown``. Every stored answer already resets it to
    the first open question (migration 3), so only a different target costs a write;
    an action that ``stored`` nothing writes whatever the target."""
    if not stored or shown != position(services, answers):
        here = None if shown == position(services, answers) else shown
        await responses.set_shown(services.store, response.id, here, None)


async def apply(
    services: Services, user: User, response: Response, action: StepAction, answers: Answers
) -> Reply:
    """Apply a current (not stale) button press: store first, then say what is next.

    A profile answer that makes the respondent a child leads to the waiting
    screen until a guardian agrees (the handlers refuse every other answer then).
    """
    reply = await _apply(services, user, response, action, answers)
    if reply.shown is not None and guardian.is_minor(answers):
        wait = await guardian_wait(services, user, response, answers)
        if wait is not None:
            return wait
    return reply


async def _apply(
    services: Services, user: User, response: Response, action: StepAction, answers: Answers
) -> Reply:
    survey = services.survey
    language = language_of(services, user)
    step, value = action.step, action.value

    if step is None:  # review screen and its lists
        return await _apply_review(services, user, response, answers, value)
    if value == "b":
        if step.kind == "comment":
            shown = f"{REVIEW}:s{step.index}"
        else:
            before = previous_step(survey, answers, step)
            shown = before.key if before else step.key
        await responses.set_shown(services.store, response.id, shown, None)
        return Reply(screen_for(services, answers, shown, language), shown=shown)
    if step.kind == "rating":
        return await _apply_rating(services, response, answers, step, value, language)
    if step.kind == "profile":
        return await _apply_profile(services, response, answers, step, value, language)
    if step.kind == "comment" or survey.closing[step.index].kind == "text":
        return await _apply_text_button(services, response, answers, step, value, language)
    return await _apply_goals(services, response, answers, step, value, language)


async def _apply_rating(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    value: str,
    language: str,
) -> Reply:
    survey = services.survey
    _ = translator(language)
    section, item = survey.items[step.index]
    if value in {"hn", "hf"}:  # a row's label: say what the row is for
        kind = survey.kind(_KIND[value[1]])
        return Reply(
            screen_for(services, answers, step.key, language),
            shown=step.key,
            alert=_("Tap a number on this row: {label}.").format(label=kind.heading(language)),
        )
    if value in {"i", "j"}:
        return Reply(
            screen_for(services, answers, step.key, language, info=value == "i"), shown=step.key
        )
    was_open = open_kinds(survey, answers, step.index)
    if value == "s":  # skip what is still open, then move on
        for kind in was_open:
            answers.ratings[(item.code, kind)] = Rating(None, True)
            await responses.save_rating(
                services.store, response.id, item.code, kind, section.sdg, None, True
            )
        shown = _after(services, answers, step)
        await _show(services, response, answers, shown, stored=bool(was_open))
        return Reply(
            screen_for(services, answers, shown, language),
            shown=shown,
            alert=_milestone(services, answers, step, shown, language),
        )
    else:
        kind, rating = _KIND[value[0]], _rating_of(value[1:])
        answers.ratings[(item.code, kind)] = rating
        await responses.save_rating(
            services.store, response.id, item.code, kind, section.sdg, rating.value, False
        )
        # Stay until both ratings are given; a change to a finished indicator
        # stays too, so that both rows can be corrected before "Next".
        done_now = not open_kinds(survey, answers, step.index)
        shown = _after(services, answers, step) if done_now and was_open else step.key
    await _show(services, response, answers, shown)
    return Reply(
        screen_for(services, answers, shown, language),
        shown=shown,
        alert=_milestone(services, answers, step, shown, language) or _("Saved"),
    )


def _milestone(
    services: Services, answers: Answers, step: Step, shown: str, language: str
) -> str | None:
    """A short cheer when the answer finished a goal and the respondent moves on
    (goals and indicators hidden by skip logic are not counted)."""
    survey = services.survey
    section_index = section_index_of(survey, step.index)
    goals = visible(survey, answers).sections
    next_shown = find_step(survey, shown)
    leaving = (
        next_shown is None
        or next_shown.kind != "rating"
        or (section_index_of(survey, next_shown.index) != section_index)
    )
    if not leaving or not section_done(survey, answers, section_index):
        return None
    _ = translator(language)
    number = goals.index(section_index) + 1 if section_index in goals else section_index + 1
    return _("✅ Goal {number} of {goals} done!").format(number=number, goals=len(goals))


async def _apply_profile(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    value: str,
    language: str,
) -> Reply:
    store, survey = services.store, services.survey
    _ = translator(language)
    question = survey.profile[step.index]
    before = answers.profile.get(question.id)
    if not question.multiple or value == "n":
        answers.profile[question.id] = _profile_choice(services, step, value)
        if question.multiple:  # "prefer not to say" clears any ticks
            answers.choices[draft_key(question.id)] = ([], True)
            await responses.save_choices(store, response.id, draft_key(question.id), [], True)
        await responses.save_profile(store, response.id, question.id, answers.profile[question.id])
        shown = position(services, answers)
        # The same answer again (after "Back") writes no row, so nothing resets the
        # live message's step: point it at the next question here.
        await _show(
            services, response, answers, shown, stored=before != answers.profile[question.id]
        )
        return Reply(screen_for(services, answers, shown, language), shown=shown, alert=_("Saved"))
    ticked = [c for c in profile_selection(survey, answers, step) if c != "prefer_not"]
    if value == "k":
        if not ticked:
            return Reply(
                screen_for(services, answers, step.key, language),
                shown=step.key,
                alert=_('Choose at least one answer, or "Prefer not to say".'),
            )
        answers.choices[draft_key(question.id)] = (ticked, True)
        answers.profile[question.id] = " ".join(ticked)
        await responses.save_choices(store, response.id, draft_key(question.id), ticked, True)
        await responses.save_profile(store, response.id, question.id, answers.profile[question.id])
        shown = position(services, answers)
        await _show(
            services, response, answers, shown, stored=before != answers.profile[question.id]
        )
        return Reply(screen_for(services, answers, shown, language), shown=shown, alert=_("Saved"))
    # Ticks carry the state they set (a = ticked, u = not), so a repeated
    # press stores the same result as one press.
    choice = question.choices[int(value[1:])].id
    wanted = set(ticked) | {choice} if value[0] == "a" else set(ticked) - {choice}
    ticked = [c.id for c in question.choices if c.id in wanted]  # the survey's order
    answers.choices[draft_key(question.id)] = (ticked, False)
    await responses.save_choices(store, response.id, draft_key(question.id), ticked, False)
    await _show(services, response, answers, step.key)
    return Reply(screen_for(services, answers, step.key, language), shown=step.key)


async def _apply_text_button(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    value: str,
    language: str,
) -> Reply:
    """Skip / keep (s) or remove (x) on a comment or a closing text question.

    Skip never erases: on a question that holds an answer it keeps it and moves on;
    only the explicit "remove" button deletes the text."""
    survey = services.survey
    _ = translator(language)
    key = text_key(survey, step)
    if value == "x":
        answers.texts[key] = None
        await responses.save_text(services.store, response.id, key, None)
        await _show(services, response, answers, step.key)
        return Reply(
            screen_for(services, answers, step.key, language), shown=step.key, alert=_("Removed")
        )
    keep = bool(answers.texts.get(key))
    if not keep:
        answers.texts[key] = None
        await responses.save_text(services.store, response.id, key, None)
    shown = _after_text(services, answers, step)
    await _show(services, response, answers, shown, stored=not keep)
    return Reply(screen_for(services, answers, shown, language), shown=shown)


def text_key(survey: Survey, step: Step) -> str:
    if step.kind == "comment":
        return comment_key(survey.sections[step.index].id)
    return survey.closing[step.index].id


def _after_text(services: Services, answers: Answers, step: Step) -> str:
    """A goal's comment is edited from the review's list of that goal: back there."""
    if step.kind == "comment":
        return f"{REVIEW}:s{step.index}"
    return position(services, answers)


async def _apply_goals(
    services: Services,
    response: Response,
    answers: Answers,
    step: Step,
    value: str,
    language: str,
) -> Reply:
    survey = services.survey
    _ = translator(language)
    question = survey.closing[step.index]
    selected, _done = answers.choices.get(question.id, ([], False))
    if value == "k":
        answers.choices[question.id] = (selected, True)
        await responses.save_choices(services.store, response.id, question.id, selected, True)
        shown = position(services, answers)
        return Reply(screen_for(services, answers, shown, language), shown=shown, alert=_("Saved"))
    goal = survey.sections[int(value[1:])].id
    if value[0] == "a" and goal not in selected and len(selected) >= question.max_choices:
        return Reply(
            screen_for(services, answers, step.key, language),
            shown=step.key,
            alert=_("You can pick up to {most} goals.").format(most=question.max_choices),
        )
    # The press says the state it wants (a = ticked, u = not): idempotent.
    wanted = set(selected) | {goal} if value[0] == "a" else set(selected) - {goal}
    selected = [s.id for s in survey.sections if s.id in wanted]
    answers.choices[question.id] = (selected, False)
    await responses.save_choices(services.store, response.id, question.id, selected, False)
    await _show(services, response, answers, step.key)
    return Reply(
        screen_for(services, answers, step.key, language), shown=step.key, alert=_("Saved")
    )


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
    store, survey = services.store, services.survey
    if await responses.answered_by_message(store, response.id, message_id):
        return None
    language = language_of(services, user)
    _ = translator(language)
    current = shown_now(services, response, answers)
    step = find_step(survey, current)

    def again(notice: str) -> Reply:
        return Reply(
            screen_for(services, answers, current, language),
            shown=current,
            fresh_message=True,
            notice=notice,
        )

    if step is not None and step.kind == "rating":
        typed = _TYPED.match(text)
        if typed:
            return await _typed_ratings(
                services, response, answers, step, typed, message_id, language
            )
    is_text_step = step is not None and (
        step.kind in {"rating", "comment"}
        or (step.kind == "closing" and survey.closing[step.index].kind == "text")
    )
    if step is None or not is_text_step:
        return again(_("Please answer with the buttons below the question."))
    cleaned = text.strip()
    key = (
        comment_key(survey.items[step.index][0].id)
        if step.kind == "rating"
        else text_key(survey, step)
    )
    if step.kind == "rating" and answers.texts.get(key):
        # Typed on a rating screen: added to the goal's comment, never replacing it.
        cleaned = f"{answers.texts[key]}\n\n{cleaned}" if cleaned else ""
    if not cleaned:
        return again(_("That message is empty: please type your answer, or tap Skip."))
    if utf16_len(cleaned) > MAX_TEXT:  # as Telegram counts: an emoji is 2
        return again(
            _(
                "That message is too long: please keep it under {limit} characters ({length} now)."
            ).format(limit=MAX_TEXT, length=utf16_len(cleaned))
        )
    answers.texts[key] = cleaned
    await responses.save_text(store, response.id, key, cleaned, message_id)
    if step.kind == "rating":
        shown = step.key
        section = survey.items[step.index][0]
        notice = _("Saved as your comment on {goal}.").format(goal=section.short_title(language))
    else:
        shown = _after_text(services, answers, step)
        notice = _("Saved")
    await _show(services, response, answers, shown)
    return Reply(
        screen_for(services, answers, shown, language),
        shown=shown,
        fresh_message=True,
        notice=notice,
    )


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
        return Reply(
            screen_for(services, answers, step.key, language),
            shown=step.key,
            fresh_message=True,
            notice=_(
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
    shown = _after(services, answers, step) if done_now and was_open else step.key
    await _show(services, response, answers, shown)
    return Reply(
        screen_for(services, answers, shown, language),
        shown=shown,
        fresh_message=True,
        notice=_milestone(services, answers, step, shown, language) or _("Saved"),
    )
