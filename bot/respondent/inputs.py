"""Everything a respondent sends, through the one gate: gather, decide, act.

Each handler here gathers the facts of an update (one state query in the
common case: the person, consent, response, answers, guardian's decision,
round and facilitator focus), asks :func:`conversations.gate.decide` what
happens, and acts on the verdict. No rule is decided here; the rules and
their order are in :mod:`conversations.gate`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from html import escape

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode

from bot import guards
from bot.context import Context
from bot.presenters import acknowledge, edit, markup, newer_live_message, retire_keyboard
from bot.respondent.handlers import (
    focused_interview,
    present,
    services_of,
    show_where,
    state_of,
)
from conversations import gate, guardian, interviews, journey, text, voice
from conversations.callbacks import Choice, ForgedCallback, StaleCallback, StepAction, parse
from conversations.consent import consent_for
from conversations.gate import Facts, Focus, Input, Press, Whom
from conversations.journey import Reply
from conversations.services import Services
from locales.i18n import translator
from storage import facilitation, followup, guardians, responses, users
from storage.facilitation import Interview
from storage.responses import RespondentState
from storage.users import User
from survey.model import Survey

log = logging.getLogger(__name__)

# A facilitator's group session takes their text and voice notes: given the
# update and the session's id, True when it took it (False: the session is
# over, and the input is the facilitator's own). Wired in bot.routes.
SessionInput = Callable[[Update, Context, int], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Gathered:
    """One update's facts and what they were read from."""

    facts: Facts
    services: Services  # on the survey version of the acting response
    own: RespondentState  # the sender's
    acting: RespondentState  # whose survey it is for; the sender's chat
    interview: Interview | None = None
    action: StepAction | Choice | None = None  # a button's, parsed
    focus_id: int = 0  # the session or interview the facilitator's chat is on


async def on_button(update: Update, context: Context) -> None:
    await respond(update, context, Input.BUTTON)


async def on_text(update: Update, context: Context, session: SessionInput | None = None) -> None:
    await respond(update, context, Input.TEXT, session)


async def on_voice(update: Update, context: Context, session: SessionInput | None = None) -> None:
    """A voice note: kept as the comment the screen asks for, then the question again."""
    await respond(update, context, Input.VOICE, session)


async def on_other(update: Update, context: Context) -> None:
    """Photos, stickers, locations, contacts, documents...: a hint, then the question again."""
    await respond(update, context, Input.OTHER_MEDIA)


async def respond(
    update: Update, context: Context, kind: Input, session: SessionInput | None = None
) -> None:
    """Gather, decide, act: the path of every respondent input."""
    chat, sender = update.effective_chat, update.effective_user
    where = gate.chat_of(
        chat.type if chat else None, chat.id if chat else None, sender.id if sender else None
    )
    refusal = gate.chat_rule(where)
    if refusal is not None:  # bot.guards stops these first; nothing is read or stored
        await guards.refuse(update, context, refusal)
        return
    gathered = await gather(update, context, kind)
    verdict = gate.decide(gathered.facts)
    if isinstance(verdict, gate.ToSession):
        if session is not None and await session(update, context, gathered.focus_id):
            return
        # The session is over (its focus is cleared): the facilitator's own survey.
        gathered = replace(gathered, facts=replace(gathered.facts, focus=Focus.NONE))
        verdict = gate.decide(gathered.facts)
    await act(update, context, gathered, verdict)


async def gather(update: Update, context: Context, kind: Input) -> Gathered:
    services, own = await state_of(update, context)
    focus, focus_id = _focus(own)
    press, action = _press(update, services.survey) if kind is Input.BUTTON else (None, None)
    acting, interview = own, None
    if gate.acts_for(kind, press, focus) is Whom.INTERVIEWED:
        interview = await focused_interview(services, own.user.telegram_id, own)
        if interview is None:  # closed meanwhile: the focus is cleared
            focus = Focus.NONE
        else:
            services, acting = await _interviewed(context, own, interview)
            if kind is Input.BUTTON:  # read against the interview's survey version
                press, action = _press(update, services.survey)
    facts = Facts(
        kind,
        gate.Chat.OWN,
        press,
        _consent(acting),
        _progress(acting),
        _guardian(acting),
        _round(acting),
        focus,
    )
    return Gathered(facts, services, own, acting, interview, action, focus_id)


def _focus(state: RespondentState) -> tuple[Focus, int]:
    if state.focus is None:
        return Focus.NONE, 0
    kind, target = state.focus
    return (Focus.INTERVIEW if kind == "interview" else Focus.SESSION), target


def _press(update: Update, survey: Survey) -> tuple[Press, StepAction | Choice | None]:
    query = update.callback_query
    assert query is not None
    try:
        action = parse(query.data, survey)
    except StaleCallback:
        return Press.STALE, None
    except ForgedCallback as reason:
        log.warning("rejected callback data from a client: %s", reason)
        return Press.FORGED, None
    return (Press.SETTING if isinstance(action, Choice) else Press.ANSWER), action


def _consent(state: RespondentState) -> gate.Consent:
    if state.consent is None:
        return gate.Consent.NONE
    return gate.Consent.AGREED if state.consent.agreed else gate.Consent.DECLINED


def _progress(state: RespondentState) -> gate.Progress:
    if state.response is None:
        return gate.Progress.NONE
    return gate.Progress.OPEN if state.response.submitted_at is None else gate.Progress.SUBMITTED


def _guardian(state: RespondentState) -> gate.Guardian:
    if not guardian.is_minor(state.answers):
        return gate.Guardian.NOT_NEEDED
    return gate.Guardian.AGREED if state.guardian_agreed else gate.Guardian.WAITING


def _round(state: RespondentState) -> gate.Round:
    if state.round_open is None:
        return gate.Round.NONE
    return gate.Round.OPEN if state.round_open else gate.Round.CLOSED


async def _interviewed(
    context: Context, own: RespondentState, interview: Interview
) -> tuple[Services, RespondentState]:
    """The interviewed respondent's state, shown in the facilitator's chat (their
    own row keeps chat 0)."""
    services = services_of(context)
    other = await responses.respondent_state(
        services.store, interview.telegram_id, services.survey.id
    )
    assert other is not None
    user = replace(other.user, chat_id=own.user.chat_id)
    return services.on(other.response), replace(other, user=user, focus=None)


# Acting on a verdict ---------------------------------------------------------------


async def act(update: Update, context: Context, gathered: Gathered, verdict: gate.Verdict) -> None:
    """What the person sees and what is stored, for each verdict and kind of input."""
    kind, user = gathered.facts.input, gathered.acting.user
    query = update.callback_query
    _ = translator(journey.language_of(gathered.services, user))
    match verdict:
        case gate.NotPrivate() | gate.NotOwnChat():
            await guards.refuse(update, context, verdict)
        case gate.Forged():
            assert query is not None
            await acknowledge(
                query, _("This button is not valid. Send /resume to continue."), show_alert=True
            )
        case gate.Setting():
            assert isinstance(gathered.action, Choice)
            await on_choice(update, context, gathered.own.user, gathered.action)
        case gate.OutOfDate(resume=resume):
            assert query is not None
            await acknowledge(
                query,
                None
                if resume
                else _("That message is out of date. Here is your current question."),
            )
            await show_where(context, user, resume=resume)
        case gate.WhereAmI() | gate.AlreadySubmitted() if kind is not Input.BUTTON:
            await show_where(context, user, resume=False, notice=_hint(kind, _))
        case gate.WhereAmI():
            assert query is not None
            await acknowledge(query)
            await show_where(context, user, resume=True)
        case gate.AlreadySubmitted():
            assert query is not None
            await acknowledge(
                query, _("Your scorecard is already submitted. Thank you!"), show_alert=True
            )
        case gate.ShowWaiting():
            await _show_waiting(update, context, gathered)
        case gate.Proceed():
            await _proceed(update, context, gathered)
        case gate.ToSession():  # decided again without the focus: never here
            raise AssertionError("a session input reached the journey")


def _hint(kind: Input, _: Callable[[str], str]) -> str:
    if kind is Input.OTHER_MEDIA:
        return _(
            "Sorry, I can only read text messages and button taps. Here is your question again."
        )
    return _("Please use the buttons, or send /help.")


async def _show_waiting(update: Update, context: Context, gathered: Gathered) -> None:
    """A child without a guardian's yes: nothing is stored, whatever they sent."""
    services, user, response = gathered.services, gathered.acting.user, gathered.acting.response
    assert response is not None
    refused = guardian.refused(journey.language_of(services, user))
    if update.callback_query is not None:
        await acknowledge(update.callback_query, refused, show_alert=True)
    else:
        await context.bot.send_message(user.chat_id, refused)
    await present(context, user.chat_id, await journey.waiting(services, user, response), response)


async def _proceed(update: Update, context: Context, gathered: Gathered) -> None:
    kind, services = gathered.facts.input, gathered.services
    user, response, answers = (
        gathered.acting.user,
        gathered.acting.response,
        gathered.acting.answers,
    )
    assert response is not None
    message = update.effective_message
    if kind is Input.BUTTON:
        assert isinstance(gathered.action, StepAction)
        await _answer_press(update, context, gathered, gathered.action)
        return
    if kind is Input.OTHER_MEDIA:
        _ = translator(journey.language_of(services, user))
        await show_where(context, user, resume=False, notice=_hint(kind, _))
        return
    assert message is not None
    if kind is Input.TEXT:
        assert message.text is not None
        reply = await text.answer_text(
            services, user, response, answers, message.text, message.message_id
        )
    else:
        reply = await _answer_voice(context, gathered, message)
    if reply is None:
        log.info("a message delivered twice was answered once")
        return
    await present(context, user.chat_id, reply, response)


async def _answer_voice(context: Context, gathered: Gathered, message: Message) -> Reply | None:
    note = message.voice
    assert note is not None and gathered.acting.response is not None

    async def fetch() -> bytes:
        file = await context.bot.get_file(note.file_id)
        return bytes(await file.download_as_bytearray())

    return await voice.answer_voice(
        gathered.services,
        gathered.acting.user,
        gathered.acting.response,
        gathered.acting.answers,
        voice.VoiceNote(
            note.file_id,
            note.file_unique_id,
            # Read as Telegram sent it (seconds): PTB 22 deprecates the int property.
            int(note.to_dict().get("duration", 0)),
            note.file_size,
            message.message_id,
        ),
        fetch,
    )


async def _answer_press(
    update: Update, context: Context, gathered: Gathered, action: StepAction
) -> None:
    """A survey button that passed the gate: stored if it is current, else the
    current screen again."""
    services, user = gathered.services, gathered.acting.user
    response, answers = gathered.acting.response, gathered.acting.answers
    query = update.callback_query
    assert query is not None and response is not None
    _ = translator(journey.language_of(services, user))
    message = query.message if isinstance(query.message, Message) else None
    is_live = message is not None and message.message_id == response.live_message_id
    hidden = journey.hidden(services, answers, action)  # skip logic: never stored
    if (
        hidden
        or not is_live
        or not journey.is_current(action, journey.shown_now(services, response, answers))
    ):
        reply = await journey.where_am_i(services, user, resume=False)
        if is_live and not hidden and journey.repeats_stored_answer(services, answers, action):
            # Stored already (a double tap): make sure the message shows what is
            # current, in case the first tap's edit never reached the phone.
            await acknowledge(query, _("Saved"))
            await present(
                context, user.chat_id, Reply(reply.screen, reply.shown), response, message
            )
            return
        live = newer_live_message(message, response.live_message_id)
        if live is not None and message is not None:
            # The question is further down already (nothing changes when the
            # live message shows it; sent anew if it is gone).
            await acknowledge(
                query,
                _("That message is out of date. Your current question is the last one below."),
            )
            await present(
                context, user.chat_id, Reply(reply.screen, reply.shown), response, live
            )
            await retire_keyboard(context, user.chat_id, message.message_id, live.message_id)
            return
        await acknowledge(query, _("That message is out of date. Here is your current question."))
        await present(context, user.chat_id, reply, response, message if is_live else None)
        return
    reply = await journey.apply(services, user, response, action, answers)
    interview = gathered.interview
    if interview is not None and action.step is None and action.value == "sub":
        submitted = await journey.active_response(services, user)
        if submitted is not None and submitted.submitted_at is not None:
            # Submitted: the interview closes and its answers are out of the
            # facilitator's sight for good.
            await facilitation.close_interview(services.store, interview.id)
            await acknowledge(query)
            screen = interviews.submitted_screen(
                journey.language_of(services, user), interview.pseudonym
            )
            await present(context, user.chat_id, Reply(screen), None, message)
            return
    await acknowledge(query, reply.alert)
    await present(context, user.chat_id, reply, response, message)


# The person's own buttons: language, consent, /delete, a child's ----------------------


async def on_choice(update: Update, context: Context, user: User, choice: Choice) -> None:
    services = services_of(context)
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    if choice.topic == "L":
        await _language_choice(context, user, choice.value, query, message)
        return
    if choice.topic == "K":
        await _child_choice(context, user, choice.value, query, message)
        return
    _ = translator(journey.language_of(services, user))
    if choice.topic == "C" and choice.value == "m":  # "More": the whole consent text
        await acknowledge(query)
        if message is not None:
            screen = await consent_for(
                services.store, user, journey.language_of(services, user), services.survey, True
            )
            await edit(
                message,
                screen.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup(screen.keyboard),
            )
        return
    if choice.topic == "C":
        agreed = choice.value == "y"
        existing = await users.get_consent(services.store, user.id)
        if existing is not None and existing.agreed and not agreed:
            await acknowledge(query)  # a stale "no" after agreeing changes nothing
            return
        await users.record_consent(services.store, user.id, agreed, services.consent_version)
        await acknowledge(query)
        if not agreed:
            text = _(
                "Thank you for your time. Nothing but your refusal has been stored. If you change your mind, send /start."
            )
            if message is not None:
                await edit(message, text)
            return
        # The first question first: should it fail (the database away), the person
        # is told to try again and still has the consent's buttons to do it with.
        await show_where(context, user, resume=True)
        if message is not None:
            await edit(message, reply_markup=None)
        return
    if choice.topic == "U":  # hear about actions: off unless they say yes
        agreed = choice.value == "y"
        await followup.set_opt_in(services.store, user.id, agreed)
        await acknowledge(query)
        if message is not None:
            note = (
                _("Thank you: we will tell you when an action is agreed or done. Send /stop to end it.")
                if agreed
                else _("All right: no messages about actions.")
            )
            await edit(message, message.text_html + "\n\n" + escape(note), parse_mode=ParseMode.HTML)
        return
    # D: delete my data
    await acknowledge(query)
    if choice.value == "y":
        await voice.delete_person(services, user)
        text = _(
            "All your data has been deleted. Thank you for your time. Send /start if you ever want to take part again."
        )
    else:
        text = _("Nothing was deleted.")
    if message is not None:
        await edit(message, text)


async def _language_choice(
    context: Context, user: User, language: str, query: CallbackQuery, message: Message | None
) -> None:
    services = services_of(context)
    await users.set_language(services.store, user.id, language)
    _ = translator(language)
    note = _("Language: English") if language == "en" else _("Language: Vietnamese")
    await acknowledge(query, note)
    user = await users.ensure_user(services.store, user.telegram_id, user.chat_id)
    consent = await users.get_consent(services.store, user.id)
    if (consent is None or not consent.agreed) and message is not None:
        screen = await consent_for(services.store, user, language, services.survey)
        await edit(
            message, screen.text, parse_mode=ParseMode.HTML, reply_markup=markup(screen.keyboard)
        )
        return
    if message is not None:
        await edit(message, note)
    await show_where(context, user, resume=False)


async def _child_choice(
    context: Context,
    user: User,
    value: str,
    query: CallbackQuery,
    message: Message | None,
) -> None:
    """A child's buttons: a new link for the guardian (l), "I don't want to take
    part" (n), "yes, start" after the guardian's yes (y)."""
    services = services_of(context)
    language = journey.language_of(services, user)
    await acknowledge(query)
    response = await journey.active_response(services, user)
    answers = await responses.load_answers(services.store, response.id) if response else None
    # Declining deletes the answers: only before any rating, so that an old
    # message's button cannot wipe a scorecard; later, /delete does it.
    if value == "n" and (answers is None or not answers.ratings):
        await guardians.child_declines(services.store, user.id, services.consent_version)
        if message is not None:
            await edit(message, guardian.child_declined(language))
        return
    if message is not None:
        await edit(message, reply_markup=None)
    if value == "l" and response is not None and answers is not None:
        wait = await journey.guardian_wait(services, user, response, answers, new_link=True)
        if wait is not None:
            await present(context, user.chat_id, wait, response)
            return
    await show_where(context, user, resume=True)
