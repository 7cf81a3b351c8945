"""The one gate every respondent input passes, before anything is stored.

A button, a text, a voice note, a photo, a sticker, a location, anything a
respondent sends: the handler gathers the :class:`Facts` (what arrived, in
which chat, the person's consent, response, guardian's consent, round and,
for a facilitator, what their chat is on) and :func:`decide` says what
happens, as a typed :data:`Verdict`. The rules are here and nowhere else, in
the order they apply:

1. **Chat** (:func:`chat_rule`): only the person's own private chat with the
   bot. A press in a group, a channel or an inline message is refused
   (:class:`NotPrivate`), and so is one whose private chat is someone else's
   (:class:`NotOwnChat`, a forged press): nothing is stored, and the
   person's chat is never taken to be that one. ``bot.guards`` applies this
   rule to every update, before any handler.
2. **Button data**: forged data is refused (:class:`Forged`); the buttons about
   the person themselves (language, consent, /delete, a child's own buttons)
   always work (:class:`Setting`), also during an interview or a guardian's wait.
3. **Facilitator focus**: while a facilitator's chat is on a group session,
   their text and voice notes are the session's (:class:`ToSession`); while it
   is on an interview, the facts below are the interviewed person's
   (:func:`acts_for`).
4. **Stale button**: one from another version of the survey shows the current
   question (:class:`OutOfDate`).
5. **Consent**: without a yes, or before the response exists, nothing is
   answered: the consent question or the current screen (:class:`WhereAmI`).
6. **Submitted**: a submitted scorecard is not changed (:class:`AlreadySubmitted`).
7. **Guardian**: a child without a guardian's yes gets the waiting screen,
   whatever they send (:class:`ShowWaiting`).
8. **Round**: a closed round with no open one still takes answers in that
   round (README, "Versions and rounds"), so the round never refuses.

Pure: no Telegram, no database. ``tests/test_gate.py`` runs every input kind
against every state through the real application.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Input(Enum):
    """What arrived."""

    BUTTON = "button"
    TEXT = "text"
    VOICE = "voice"
    # Photo, document, contact, location, sticker, video, audio, animation,
    # video note, poll, dice, venue...: nothing the survey can read.
    OTHER_MEDIA = "other media"


class Chat(Enum):
    OWN = "own"  # the person's own private chat with the bot (chat id = their id)
    OTHER_PRIVATE = "other private"  # a private chat, but not theirs: forged
    NOT_PRIVATE = "not private"  # a group, a channel, an inline message


class Press(Enum):
    """A button's data (buttons only)."""

    ANSWER = "answer"  # an answer or navigation in the survey
    SETTING = "setting"  # language, consent, /delete, a child's own buttons
    STALE = "stale"  # a button of another version of the survey
    FORGED = "forged"  # data this bot never made


class Consent(Enum):
    NONE = "none"
    DECLINED = "declined"  # or withdrawn
    AGREED = "agreed"


class Progress(Enum):
    NONE = "none"  # no response in the current round yet
    OPEN = "open"
    SUBMITTED = "submitted"


class Guardian(Enum):
    NOT_NEEDED = "not needed"  # not a child by their profile answers
    WAITING = "waiting"  # a child; no guardian has said yes (or one said no)
    AGREED = "agreed"


class Round(Enum):
    NONE = "none"  # no round yet: as before rounds existed
    OPEN = "open"
    CLOSED = "closed"  # and no other open: answers go on in it


class Focus(Enum):
    """What a facilitator's chat is on; NONE for everyone else."""

    NONE = "none"
    INTERVIEW = "interview"
    SESSION = "session"


class Whom(Enum):
    OWN = "own"  # the sender's own survey
    INTERVIEWED = "interviewed"  # the survey of the person a facilitator interviews
    SESSION = "session"  # a facilitator's group session


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything the gate decides on. Consent, progress, guardian and round are
    those of the person whose survey the input is for (:func:`acts_for`)."""

    input: Input
    chat: Chat = Chat.OWN
    press: Press | None = None  # buttons only
    consent: Consent = Consent.NONE
    progress: Progress = Progress.NONE
    guardian: Guardian = Guardian.NOT_NEEDED
    round: Round = Round.NONE
    focus: Focus = Focus.NONE


# Verdicts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proceed:
    """Answer it: store, then show what is next."""


@dataclass(frozen=True, slots=True)
class NotPrivate:
    """Not a private chat: a short alert pointing to one; nothing stored."""


@dataclass(frozen=True, slots=True)
class NotOwnChat:
    """Someone else's private chat: a short alert; nothing stored, no chat rebound."""


@dataclass(frozen=True, slots=True)
class Forged:
    """Button data the bot never made: an alert, nothing stored."""


@dataclass(frozen=True, slots=True)
class Setting:
    """A button about the person themselves: language, consent, /delete, a child's."""


@dataclass(frozen=True, slots=True)
class ToSession:
    """The facilitator's group session takes it."""


@dataclass(frozen=True, slots=True)
class OutOfDate:
    """An older survey's button: the current screen (``resume``: the first open one)."""

    resume: bool


@dataclass(frozen=True, slots=True)
class WhereAmI:
    """Nothing can be answered yet: the consent question, or the screen to go on
    with (``resume``: the first open question rather than the live one)."""

    resume: bool


@dataclass(frozen=True, slots=True)
class AlreadySubmitted:
    """The scorecard is submitted: nothing in it changes."""


@dataclass(frozen=True, slots=True)
class ShowWaiting:
    """A child waiting for a guardian's yes: the waiting screen, nothing stored."""


Verdict = (
    Proceed
    | NotPrivate
    | NotOwnChat
    | Forged
    | Setting
    | ToSession
    | OutOfDate
    | WhereAmI
    | AlreadySubmitted
    | ShowWaiting
)
Refusal = NotPrivate | NotOwnChat


def chat_of(chat_type: str | None, chat_id: int | None, sender_id: int | None) -> Chat:
    """Classify a chat: ``chat_type`` as Telegram names it (None: no chat, as for a
    press on an inline message)."""
    if chat_type != "private":
        return Chat.NOT_PRIVATE
    if sender_id is not None and chat_id != sender_id:
        return Chat.OTHER_PRIVATE
    return Chat.OWN


def chat_rule(chat: Chat) -> Refusal | None:
    """Rule 1, for every update: None when the chat is the person's own."""
    if chat is Chat.NOT_PRIVATE:
        return NotPrivate()
    if chat is Chat.OTHER_PRIVATE:
        return NotOwnChat()
    return None


def acts_for(kind: Input, press: Press | None, focus: Focus) -> Whom:
    """Whose survey an input is for (rule 3), so the handler gathers their facts."""
    if focus is Focus.SESSION and kind in (Input.TEXT, Input.VOICE):
        return Whom.SESSION
    if focus is Focus.INTERVIEW and press not in (Press.SETTING, Press.FORGED):
        return Whom.INTERVIEWED
    return Whom.OWN


def decide(facts: Facts) -> Verdict:
    """The verdict on one input: the rules of this module, in order."""
    refusal = chat_rule(facts.chat)
    if refusal is not None:
        return refusal
    if facts.press is Press.FORGED:
        return Forged()
    if facts.press is Press.SETTING:
        return Setting()
    if acts_for(facts.input, facts.press, facts.focus) is Whom.SESSION:
        return ToSession()
    answering = facts.consent is Consent.AGREED and facts.progress is Progress.OPEN
    if facts.press is Press.STALE:
        return OutOfDate(resume=not answering)
    if facts.consent is not Consent.AGREED or facts.progress is Progress.NONE:
        # A press starts from the first open question; anything typed keeps the
        # screen the person is on.
        return WhereAmI(resume=facts.input is Input.BUTTON)
    if facts.progress is Progress.SUBMITTED:
        return AlreadySubmitted()
    if facts.guardian is Guardian.WAITING:
        return ShowWaiting()
    # Rule 8: a closed round with no open one keeps taking answers in it (README,
    # "Versions and rounds"): the round never refuses an answer.
    return Proceed()
