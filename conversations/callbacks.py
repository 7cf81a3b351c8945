"""Callback data: one codec for every button the bot makes.

Clients can forge callback data, so nothing in it is trusted. Every button's
data is built here (the ``*_data`` encoders) and read back here (the
``decode_*`` functions): the envelope first (at most 64 bytes, printable
ASCII, a known prefix), then every field against its own alphabet and range.
Anything this bot did not produce raises :class:`ForgedCallback` with the
reason, before a single row is written. The journey's and the group
sessions' presses are then checked against the survey (``parse`` here,
``conversations.sessions.parse_press``).

The formats never change in place: buttons already sitting in people's chats
must keep working, so a new meaning gets a new prefix (``2|``, ``o2|``, …).
Every flow, its prefix and its fields (``|`` separates them)::

    flow       data                         fields
    ---------  ---------------------------  ---------------------------------------------
    journey    1|<tag>|<step>|<value>       an answer or navigation within a survey:
                                            <tag> the survey file's version (6 hex digits
                                            of its content hash; another tag is an old
                                            message, StaleCallback), <step> p<n> r<n>
                                            q<n> c<n>, rv (review) or ed (edit <value>),
                                            <value> [a-z0-9]{1,6}, checked per step
               1|L|<vi|en>                  language choice
               1|C|<y|n>                    consent
               1|D|<y|n>                    delete my data, confirmed or not
               1|K|<l|n|y>                  a child: a new link for the guardian,
                                            "I don't want to take part", "yes, start"
               1|U|<y|n>                    after submitting: tell me about the actions
                                            agreed on what I rated, or not
    outreach   o1|b|<c|x>|<broadcast id>    confirm / cancel a previewed broadcast
               o1|r|go                      a reminder's "continue" button
    interview  i1|c|<a|g|n>                 a facilitator's attestation: the person
                                            agreed aloud, a child and a guardian agreed,
                                            they did not agree
    session    g1|<session id>|<step>|<v>   a group session's button: <step> pg pr pa
                                            (profile, <v> a choice index), i<n>
                                            (indicator, <v> n1-5 nd f1-5 fd s k b hn hf),
                                            tp tr (<v> s: skip), rv (<v> sub: submit)
    guardian   gc1|<a|b|n>|<token>          a guardian's yes as parent, yes as legal
                                            guardian, or no; <token> the link's 22
                                            characters of token_urlsafe(16)
    actions    a1|<l|n|k|y|x>               a coordinator's action plan: the list, a new
                                            action, indicators chosen, save, cancel
               a1|c|<index>                 toggle an indicator (an index of the survey's)
               a1|v|<action id>             one action and its status buttons
               a1|t|<action id>|<p|d|x>     move it to in progress, done or dropped

Ids are canonical decimals from 1 to :data:`MAX_ID` ("07", "0", "-1" and
"+1" are forged); indexes are canonical decimals below what the survey has.
``g1|`` and ``gc1|`` differ in their first field, so every prefix's route
pattern (``Flow.pattern``) matches its own flow only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from survey.model import LANGUAGES, Survey
from survey.steps import Step, find_step

MAX_BYTES = 64  # Telegram's limit for callback data
MAX_ID = 9_999_999_999  # ten digits: any row id the database will ever hand out
_PRINTABLE = re.compile(r"^[!-~]+$")  # ASCII without spaces or control characters
_ID = re.compile(r"^[1-9][0-9]{0,9}$")
_WORD = re.compile(r"^[a-z0-9]{1,6}$")
_TAG = re.compile(r"^[0-9a-f]{6}$")
# token_urlsafe(16): 128 bits in 22 characters, so the last one carries 2 bits
# and the 4 unused bits are zero: it is A, Q, g or w.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{21}[AQgw]$")


class ForgedCallback(ValueError):
    """Callback data this bot did not produce."""


class StaleCallback(ForgedCallback):
    """Well-formed data from another version of the survey: an old message."""


# --- the envelope: prefix and fields --------------------------------------------


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    prefix: str

    @property
    def pattern(self) -> str:
        """The route's regex (bot/routes.py): this flow's prefix and nothing else."""
        return rf"^{re.escape(self.prefix)}\|"

    def encode(self, *fields: str | int) -> str:
        data = "|".join([self.prefix, *map(str, fields)])
        if not _PRINTABLE.match(data) or len(data) > MAX_BYTES:
            raise ValueError(f"not valid callback data: {data!r}")
        return data


JOURNEY = Flow("journey", "1")
OUTREACH = Flow("outreach", "o1")
INTERVIEW = Flow("interview", "i1")
SESSION = Flow("session", "g1")
GUARDIAN = Flow("guardian", "gc1")
ACTIONS = Flow("actions", "a1")
FLOWS = {flow.prefix: flow for flow in (JOURNEY, OUTREACH, INTERVIEW, SESSION, GUARDIAN, ACTIONS)}


def _split(data: object) -> tuple[Flow, list[str]]:
    """The flow and the fields after its prefix; checks the envelope only."""
    if not isinstance(data, str) or not data:
        raise ForgedCallback("no callback data")
    if not data.isascii():
        raise ForgedCallback("not ASCII")
    if len(data) > MAX_BYTES:
        raise ForgedCallback("longer than 64 bytes")
    if not _PRINTABLE.match(data):
        raise ForgedCallback("a space or control character")
    prefix, *fields = data.split("|")
    flow = FLOWS.get(prefix)
    if flow is None:
        raise ForgedCallback("unknown prefix")
    if not all(fields):
        raise ForgedCallback("an empty field")
    return flow, fields


def _fields(data: object, flow: Flow, *counts: int) -> list[str]:
    found, fields = _split(data)
    if found is not flow:
        raise ForgedCallback(f"not {flow.name} data")
    if len(fields) not in counts:
        raise ForgedCallback("wrong number of fields")
    return fields


def flow_of(data: object) -> Flow:
    """Which flow a press belongs to (envelope checked, fields not yet)."""
    return _split(data)[0]


def _id(text: str, what: str) -> int:
    if not _ID.match(text) or not 1 <= int(text) <= MAX_ID:
        raise ForgedCallback(f"{what} is not an id")
    return int(text)


def _index(text: str, limit: int) -> bool:
    """A canonical decimal index below ``limit`` ("07" and "+1" are not)."""
    return text.isdigit() and text == str(int(text)) and int(text) < limit


def _one_of(text: str, allowed: object, what: str) -> str:
    if text not in allowed:  # type: ignore[operator]
        raise ForgedCallback(f"unknown {what}")
    return text


# --- journey: 1|... ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    topic: str  # L, C, D or K
    value: str


@dataclass(frozen=True, slots=True)
class StepPress:
    """A journey press as sent, before it is checked against the survey."""

    tag: str
    key: str
    value: str


@dataclass(frozen=True, slots=True)
class StepAction:
    step: Step | None  # None for the review screen
    value: str  # for review: sub, skp, prf, rv, s<section>, q<closing>, e<step key>


CHOICES = {
    "L": frozenset(LANGUAGES),
    "C": frozenset("ynm"),
    "D": frozenset("yn"),
    "K": frozenset("lny"),
    "U": frozenset("yn"),  # hear about the actions agreed on what I rated (issue 20)
}


def survey_tag(survey: Survey) -> str:
    return survey.content_hash[:6]


def step_data(survey: Survey, step_key: str, value: str) -> str:
    return JOURNEY.encode(survey_tag(survey), step_key, value)


def choice_data(topic: str, value: str) -> str:
    return JOURNEY.encode(topic, value)


def decode_journey(data: object) -> Choice | StepPress:
    fields = _fields(data, JOURNEY, 2, 3)
    if len(fields) == 2:
        topic, value = fields
        if value not in CHOICES.get(topic, ()):
            raise ForgedCallback("unknown choice")
        return Choice(topic, value)
    tag, key, value = fields
    if not _TAG.match(tag):
        raise ForgedCallback("malformed survey tag")
    if not _WORD.match(key) or not _WORD.match(value):
        raise ForgedCallback("malformed step or value")
    return StepPress(tag, key, value)


def is_choice(data: object) -> bool:
    """A language, consent, /delete or child's button: always about the presser."""
    try:
        return isinstance(decode_journey(data), Choice)
    except ForgedCallback:
        return False


# Rating values: n<1-5|d> and f<1-5|d> answer "now" / the forecast; s skips
# what is open (or moves on); i / j show / hide the "about" note; h<n|f> is a
# row's label, which only explains itself.
_RATING_VALUES = frozenset(
    [f"{kind}{value}" for kind in "nf" for value in "12345d"] + ["s", "i", "j", "hn", "hf"]
)


def _valid_step_value(survey: Survey, step: Step, value: str) -> bool:
    if value == "b":
        return True
    if step.kind == "rating":
        return value in _RATING_VALUES
    if step.kind == "profile":
        question = survey.profile[step.index]
        if value == "n":
            return question.sensitive
        if question.multiple:
            return value == "k" or (
                value[:1] in {"a", "u"} and _index(value[1:], len(question.choices))
            )
        return _index(value, len(question.choices))
    if step.kind == "comment":
        return value in {"s", "x"}
    question = survey.closing[step.index]
    if question.kind == "text":
        return value in {"s", "x"}
    return value == "k" or (value[:1] in {"a", "u"} and _index(value[1:], len(survey.sections)))


def _valid_review_value(survey: Survey, value: str) -> bool:
    if value in {"sub", "skp", "prf", "rv"}:
        return True
    if value.startswith("q"):  # change a closing answer (the recommendation)
        return _index(value[1:], len(survey.closing))
    return value.startswith("s") and _index(value[1:], len(survey.sections))


def parse(data: object, survey: Survey) -> StepAction | Choice:
    """A journey press checked against the survey the respondent is answering."""
    press = decode_journey(data)
    if isinstance(press, Choice):
        return press
    if press.tag != survey_tag(survey):
        raise StaleCallback("another version of the survey")
    key, value = press.key, press.value
    if key == "rv":
        if not _valid_review_value(survey, value):
            raise ForgedCallback("unknown review action")
        return StepAction(None, value)
    if key == "ed":
        if find_step(survey, value) is None:
            raise ForgedCallback("unknown step to edit")
        return StepAction(None, "e" + value)
    step = find_step(survey, key)
    if step is None:
        raise ForgedCallback("unknown step")
    if len(value) > 4 or not _valid_step_value(survey, step, value):
        raise ForgedCallback("value out of range")
    return StepAction(step, value)


# --- outreach: o1|... ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BroadcastChoice:
    confirm: bool
    broadcast_id: int


@dataclass(frozen=True, slots=True)
class Continue:
    """A reminder's "continue the scorecard" button."""


CONTINUE = OUTREACH.encode("r", "go")


def confirm_data(broadcast_id: int) -> str:
    return OUTREACH.encode("b", "c", broadcast_id)


def cancel_data(broadcast_id: int) -> str:
    return OUTREACH.encode("b", "x", broadcast_id)


def decode_outreach(data: object) -> BroadcastChoice | Continue:
    fields = _fields(data, OUTREACH, 2, 3)
    if fields == ["r", "go"]:
        return Continue()
    if len(fields) != 3 or fields[0] != "b":
        raise ForgedCallback("unknown outreach button")
    choice = _one_of(fields[1], {"c", "x"}, "broadcast choice")
    return BroadcastChoice(choice == "c", _id(fields[2], "broadcast id"))


# --- interview: i1|... ---------------------------------------------------------

InterviewCode = Literal["a", "g", "n"]
_CONSENT_METHODS = {"a": "verbal", "g": "guardian", "n": None}


@dataclass(frozen=True, slots=True)
class InterviewConsent:
    code: InterviewCode

    @property
    def method(self) -> str | None:
        """How consent was given ("verbal", "guardian"); None: they did not agree."""
        return _CONSENT_METHODS[self.code]


def consent_data(code: InterviewCode) -> str:
    return INTERVIEW.encode("c", _one_of(code, _CONSENT_METHODS, "consent"))


def decode_interview(data: object) -> InterviewConsent:
    topic, code = _fields(data, INTERVIEW, 2)
    _one_of(topic, {"c"}, "interview button")
    return InterviewConsent(_one_of(code, _CONSENT_METHODS, "consent"))  # type: ignore[arg-type]


# --- group session: g1|... -----------------------------------------------------

SESSION_PROFILE_STEPS = ("pg", "pr", "pa")
SESSION_TEXT_STEPS = ("tp", "tr")
MAX_INDICATOR = 999
_INDICATOR_VALUES = frozenset(
    [f"{kind}{value}" for kind in "nf" for value in "12345d"] + ["s", "k", "b", "hn", "hf", "x"]
)


@dataclass(frozen=True, slots=True)
class SessionPress:
    session_id: int
    step: str  # pg pr pa, i<n>, tp tr, rv
    value: str


def session_data(session_id: int, step: str, value: str) -> str:
    return SESSION.encode(session_id, step, value)


def _valid_session_value(step: str, value: str) -> bool:
    if step in SESSION_PROFILE_STEPS:
        return _index(value, 1000)
    if step in SESSION_TEXT_STEPS:
        return value == "s"
    if step == "rv":
        return value == "sub"
    if step.startswith("i") and _index(step[1:], MAX_INDICATOR + 1):
        return value in _INDICATOR_VALUES
    raise ForgedCallback("unknown session step")


def decode_session(data: object) -> SessionPress:
    """Checked in itself; ``conversations.sessions.parse_press`` checks it
    against the survey (which choices and indicators it has)."""
    raw_id, step, value = _fields(data, SESSION, 3)
    session_id = _id(raw_id, "session id")
    if not _valid_session_value(step, value):
        raise ForgedCallback("unknown session value")
    return SessionPress(session_id, step, value)


# --- guardian: gc1|... ---------------------------------------------------------

GuardianCode = Literal["a", "b", "n"]
_DECISIONS: dict[str, tuple[bool, str | None]] = {
    "a": (True, "parent"),
    "b": (True, "guardian"),
    "n": (False, None),
}


@dataclass(frozen=True, slots=True)
class GuardianDecision:
    code: GuardianCode
    token: str  # the link's token, as in /start g<token>

    @property
    def agreed(self) -> bool:
        return _DECISIONS[self.code][0]

    @property
    def relation(self) -> str | None:
        """``parent`` or ``guardian`` for a yes; None for a no."""
        return _DECISIONS[self.code][1]


def is_token(text: str) -> bool:
    """The exact shape of ``secrets.token_urlsafe(16)``."""
    return _TOKEN.match(text) is not None


def guardian_data(code: GuardianCode, token: str) -> str:
    if not is_token(token):
        raise ValueError("not a guardian link token")
    return GUARDIAN.encode(_one_of(code, _DECISIONS, "decision"), token)


def decode_guardian(data: object) -> GuardianDecision:
    code, token = _fields(data, GUARDIAN, 2)
    _one_of(code, _DECISIONS, "guardian decision")
    if not is_token(token):
        raise ForgedCallback("malformed token")
    return GuardianDecision(code, token)  # type: ignore[arg-type]


# --- any flow ------------------------------------------------------------------

# --- action plans: a1|... -------------------------------------------------------

ActionVerb = Literal["l", "n", "k", "y", "x", "c", "v", "t", "e"]
_ACTION_STEPS = {"p": "in_progress", "d": "done", "x": "dropped"}
MAX_ITEMS = 999


@dataclass(frozen=True, slots=True)
class ActionPress:
    # l list, n new, k indicators chosen, y save, x cancel, c toggle, v view, t status,
    # e an evidence note to type
    verb: str
    number: int = 0  # the indicator index (c) or the action id (v, t, e)
    status: str = ""  # t: in_progress, done or dropped


def action_data(verb: ActionVerb, number: int | None = None, status: str | None = None) -> str:
    fields: list[str | int] = [verb]
    if number is not None:
        fields.append(number)
    if status is not None:
        code = {v: k for k, v in _ACTION_STEPS.items()}[status]
        fields.append(code)
    return ACTIONS.encode(*fields)


def decode_actions(data: object) -> ActionPress:
    fields = _fields(data, ACTIONS, 1, 2, 3)
    verb = _one_of(fields[0], {"l", "n", "k", "y", "x", "c", "v", "t", "e"}, "action button")
    wanted = {"c": 2, "v": 2, "e": 2, "t": 3}.get(verb, 1)
    if len(fields) != wanted:
        raise ForgedCallback("wrong number of fields")
    if verb == "c":
        if not _index(fields[1], MAX_ITEMS):
            raise ForgedCallback("indicator is not an index")
        return ActionPress(verb, int(fields[1]))
    if verb in ("v", "t", "e"):
        action_id = _id(fields[1], "action id")
        status = _ACTION_STEPS[_one_of(fields[2], _ACTION_STEPS, "status")] if verb == "t" else ""
        return ActionPress(verb, action_id, status)
    return ActionPress(verb)


Decoded = (
    Choice
    | StepPress
    | BroadcastChoice
    | Continue
    | InterviewConsent
    | SessionPress
    | GuardianDecision
    | ActionPress
)
_DECODERS = {
    JOURNEY: decode_journey,
    OUTREACH: decode_outreach,
    INTERVIEW: decode_interview,
    SESSION: decode_session,
    GUARDIAN: decode_guardian,
    ACTIONS: decode_actions,
}


def decode(data: object) -> Decoded:
    """Any button's data, every field checked (the journey's not yet against a survey)."""
    return _DECODERS[flow_of(data)](data)  # type: ignore[no-any-return]
