"""The respondent's journey as a service: decide, store, say what to show.

Handlers pass in what the respondent did; this module writes it to SQLite
(committed before returning) and answers with the screen to show next. It
never talks to Telegram, so the rules here are easy to test and to read.
"""

from __future__ import annotations

from dataclasses import dataclass

from conversations import guardian, shown
from conversations.callbacks import StepAction
from conversations.consent import consent_for
from conversations.review import edit_list_screen, review_screen
from conversations.screens import (
    Screen,
    language_screen,
    profile_selection,
    row_name,
    step_screen,
    thanks_screen,
)
from conversations.services import Services
from conversations.shown import AtStep, GuardianWait, Review, Shown
from locales.i18n import translator
from storage import guardians, responses, users
from storage.responses import Answers, Rating, Response
from storage.store import utc_now
from storage.users import User
from survey.model import LANGUAGES, Survey
from survey.steps import (
    Step,
    comment_key,
    draft_key,
    find_step,
    frontier,
    is_visible,
    open_kinds,
    previous_step,
    section_done,
    section_index_of,
    skipped_steps,
    visible,
)


@dataclass(frozen=True, slots=True)
class Reply:
    screen: Screen
    shown: Shown | None = None  # what the live message shows afterwards
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
    services: Services, answers: Answers, at: Shown | None, language: str, info: bool = False
) -> Screen:
    survey = services.survey
    match shown.live(survey, answers, at):
        case Review(None):
            return review_screen(survey, answers, language)
        case Review(target):
            return edit_list_screen(
                survey, answers, language, None if target == shown.PROFILE else target
            )
        case live:
            # A key from an older survey (or nothing stored): derive the step again.
            step = shown.step_of(survey, live) or frontier(survey, answers)
    if step is None:
        return review_screen(survey, answers, language)
    return step_screen(survey, answers, step, language, info)


def position(services: Services, answers: Answers) -> AtStep | Review:
    return shown.position(services.survey, answers)


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
        screen = await consent_for(services.store, user, language, services.survey)
        return Reply(screen, fresh_message=True)
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
    here = (
        shown.current(services.survey, answers, response.shown_step)
        if not resume
        else position(services, answers)
    )
    return Reply(screen_for(services, answers, here, language), shown=here, fresh_message=True)


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
    return await waiting(services, user, response, new_link=new_link)


async def waiting(
    services: Services, user: User, response: Response, *, new_link: bool = False
) -> Reply:
    """The waiting screen of a child known to be waiting for a guardian's yes."""
    language = language_of(services, user)
    expires = None if new_link else await guardians.live_link_expiry(services.store, user.id)
    notice = None
    if expires is None:
        token = guardian.new_token()
        expires = services.end_of_local_day(services.guardian_link_days)
        await guardians.replace_link(services.store, user.id, guardian.token_hash(token), expires)
        link = guardian.deep_link(services.bot_username, token)
        notice = guardian.link_message(language, link, services.survey)
    await responses.set_shown(services.store, response.id, shown.encode(GuardianWait()), None)
    answers = await responses.load_answers(services.store, response.id)
    screen = guardian.wait_screen(
        language,
        services.local_date(expires, language),
        user.pseudonym,
        under_16=guardian.says_under_16(answers),
    )
    return Reply(screen, shown=GuardianWait(), fresh_message=True, notice=notice)


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


def is_current(action: StepAction, at: Shown) -> bool:
    """Whether ``action`` is a button of the screen the live message shows."""
    if action.step is not None:
        return at == AtStep(action.step.key)
    if action.value == "rv" or action.value.startswith("e"):  # the buttons of a list
        return isinstance(at, Review) and at.is_list
    return at == Review()


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


def shown_now(services: Services, response: Response, answers: Answers) -> Shown:
    """What the live message shows: set by navigation, else the first open step
    (never a step that skip logic hides now)."""
    return shown.current(services.survey, answers, response.shown_step)


async def point_at(
    services: Services, response: Response, answers: Answers, at: Shown, *, stored: bool = True
) -> None:
    """Point the live message at ``at``. Every stored answer already resets it to
    the first open question (migration 3), so only a different target costs a write;
    an action that ``stored`` nothing writes whatever the target."""
    first_open = position(services, answers)
    if not stored or at != first_open:
        here = None if at == first_open else at
        await responses.set_shown(services.store, response.id, shown.encode(here), None)


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
            at: Shown = Review(step.index)
        else:
            before = previous_step(survey, answers, step)
            at = AtStep(before.key if before else step.key)
        await responses.set_shown(services.store, response.id, shown.encode(at), None)
        return Reply(screen_for(services, answers, at, language), shown=at)
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
        label = row_name(survey, _KIND[value[1]], language)
        return Reply(
            screen_for(services, answers, AtStep(step.key), language),
            shown=AtStep(step.key),
            alert=_("Tap a number on this row: {label}.").format(label=label),
        )
    if value in {"i", "j"}:
        return Reply(
            screen_for(services, answers, AtStep(step.key), language, info=value == "i"),
            shown=AtStep(step.key),
        )
    was_open = open_kinds(survey, answers, step.index)
    if value == "s":  # skip what is still open, then move on
        for kind in was_open:
            answers.ratings[(item.code, kind)] = Rating(None, True)
            await responses.save_rating(
                services.store, response.id, item.code, kind, section.sdg, None, True
            )
        at = shown.after(services.survey, answers, step)
        await point_at(services, response, answers, at, stored=bool(was_open))
        return Reply(
            screen_for(services, answers, at, language),
            shown=at,
            alert=milestone(services, answers, step, at, language),
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
        at = (
            shown.after(services.survey, answers, step)
            if done_now and was_open
            else AtStep(step.key)
        )
    await point_at(services, response, answers, at)
    return Reply(
        screen_for(services, answers, at, language),
        shown=at,
        alert=milestone(services, answers, step, at, language) or _("Saved"),
    )


def milestone(
    services: Services, answers: Answers, step: Step, at: Shown, language: str
) -> str | None:
    """A short cheer when the answer finished a goal and the respondent moves on
    (goals and indicators hidden by skip logic are not counted)."""
    survey = services.survey
    section_index = section_index_of(survey, step.index)
    goals = visible(survey, answers).sections
    next_shown = shown.step_of(survey, at)
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
        at = position(services, answers)
        # The same answer again (after "Back") writes no row, so nothing resets the
        # live message's step: point it at the next question here.
        await point_at(
            services, response, answers, at, stored=before != answers.profile[question.id]
        )
        return Reply(screen_for(services, answers, at, language), shown=at, alert=_("Saved"))
    ticked = [c for c in profile_selection(survey, answers, step) if c != "prefer_not"]
    if value == "k":
        if not ticked:
            return Reply(
                screen_for(services, answers, AtStep(step.key), language),
                shown=AtStep(step.key),
                alert=_('Choose at least one answer, or "Prefer not to say".'),
            )
        answers.choices[draft_key(question.id)] = (ticked, True)
        answers.profile[question.id] = " ".join(ticked)
        await responses.save_choices(store, response.id, draft_key(question.id), ticked, True)
        await responses.save_profile(store, response.id, question.id, answers.profile[question.id])
        at = position(services, answers)
        await point_at(
            services, response, answers, at, stored=before != answers.profile[question.id]
        )
        return Reply(screen_for(services, answers, at, language), shown=at, alert=_("Saved"))
    # Ticks carry the state they set (a = ticked, u = not), so a repeated
    # press stores the same result as one press.
    choice = question.choices[int(value[1:])].id
    wanted = set(ticked) | {choice} if value[0] == "a" else set(ticked) - {choice}
    ticked = [c.id for c in question.choices if c.id in wanted]  # the survey's order
    answers.choices[draft_key(question.id)] = (ticked, False)
    await responses.save_choices(store, response.id, draft_key(question.id), ticked, False)
    await point_at(services, response, answers, AtStep(step.key))
    return Reply(screen_for(services, answers, AtStep(step.key), language), shown=AtStep(step.key))


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
        await point_at(services, response, answers, AtStep(step.key))
        return Reply(
            screen_for(services, answers, AtStep(step.key), language),
            shown=AtStep(step.key),
            alert=_("Removed"),
        )
    keep = bool(answers.texts.get(key))
    if not keep:
        answers.texts[key] = None
        await responses.save_text(services.store, response.id, key, None)
    at = after_text(services, answers, step)
    await point_at(services, response, answers, at, stored=not keep)
    return Reply(screen_for(services, answers, at, language), shown=at)


def text_key(survey: Survey, step: Step) -> str:
    if step.kind == "comment":
        return comment_key(survey.sections[step.index].id)
    return survey.closing[step.index].id


def after_text(services: Services, answers: Answers, step: Step) -> AtStep | Review:
    """A goal's comment is edited from the review's list of that goal: back there."""
    if step.kind == "comment":
        return Review(step.index)
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
        at = position(services, answers)
        return Reply(screen_for(services, answers, at, language), shown=at, alert=_("Saved"))
    goal = survey.sections[int(value[1:])].id
    if value[0] == "a" and goal not in selected and len(selected) >= question.max_choices:
        return Reply(
            screen_for(services, answers, AtStep(step.key), language),
            shown=AtStep(step.key),
            alert=_("You can pick up to {most} goals.").format(most=question.max_choices),
        )
    # The press says the state it wants (a = ticked, u = not): idempotent.
    wanted = set(selected) | {goal} if value[0] == "a" else set(selected) - {goal}
    selected = [s.id for s in survey.sections if s.id in wanted]
    answers.choices[question.id] = (selected, False)
    await responses.save_choices(services.store, response.id, question.id, selected, False)
    await point_at(services, response, answers, AtStep(step.key))
    return Reply(
        screen_for(services, answers, AtStep(step.key), language),
        shown=AtStep(step.key),
        alert=_("Saved"),
    )


async def _apply_review(
    services: Services, user: User, response: Response, answers: Answers, value: str
) -> Reply:
    store, survey = services.store, services.survey
    language = language_of(services, user)
    if value == "sub":
        if frontier(survey, answers) is not None:  # forged or raced: not finished yet
            at: Shown = position(services, answers)
            await responses.set_shown(store, response.id, shown.encode(at), None)
            return Reply(screen_for(services, answers, at, language), shown=at)
        await responses.submit(store, response.id)
        return Reply(thanks_screen(language), shown=None)
    if value == "skp":
        skipped = skipped_steps(survey, answers)
        at = AtStep(skipped[0].key) if skipped else Review()
    elif value == "rv":
        at = Review()
    elif value == "prf":
        at = Review(shown.PROFILE)
    elif value.startswith("e"):
        at = AtStep(value[1:])
    elif value.startswith("q"):  # a closing question, e.g. the recommendation
        at = AtStep(value)
    else:  # s<goal>: the goal's list (parse checked the number)
        at = Review(int(value[1:]))
    await responses.set_shown(store, response.id, shown.encode(at), None)
    return Reply(screen_for(services, answers, at, language), shown=at)
