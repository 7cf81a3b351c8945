"""What a respondent's live message shows, as a typed value, and where "next" leads.

The engine speaks of :data:`Shown` values only. ``responses.shown_step`` keeps
the strings it always had, so existing databases read as before; nothing
outside :func:`encode` and :func:`decode` reads or writes them:

==================  ===========================================================
stored              shown
==================  ===========================================================
``NULL``            nothing chosen: the first open question (:func:`position`)
a step key          :class:`AtStep` (``p0``, ``r12``, ``c3``, ``q1``)
``rv``              :class:`Review`, the review of all answers
``rv:prf``          ``Review(PROFILE)``, the review's list of profile questions
``rv:s<goal>``      ``Review(<goal>)``, the review's list of one goal
``gw``              :class:`GuardianWait`, a child waiting for a guardian
==================  ===========================================================

A step key is not checked against the survey here: one from an older survey
finds no step, and the engine derives the position again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from storage.responses import Answers
from survey.model import Survey
from survey.steps import Step, find_step, frontier, is_visible, next_step, step_index, visible

PROFILE: Final = "profile"


@dataclass(frozen=True, slots=True)
class AtStep:
    """A question, an indicator's rating screen or a goal's comment."""

    key: str


@dataclass(frozen=True, slots=True)
class Review:
    """The review (``target`` None) or one of its lists: a goal's (its section
    index) or the profile's (:data:`PROFILE`)."""

    target: int | Literal["profile"] | None = None

    @property
    def is_list(self) -> bool:
        return self.target is not None


@dataclass(frozen=True, slots=True)
class GuardianWait:
    """A child without a guardian's yes: the waiting screen, never a step."""


Shown = AtStep | Review | GuardianWait

_REVIEW = "rv"
_WAIT = "gw"
_PROFILE_LIST = "prf"


def encode(shown: Shown | None) -> str | None:
    """The value for ``responses.shown_step``."""
    match shown:
        case None:
            return None
        case AtStep(key):
            return key
        case GuardianWait():
            return _WAIT
        case Review(None):
            return _REVIEW
        case Review("profile"):
            return f"{_REVIEW}:{_PROFILE_LIST}"
        case Review(int(goal)):
            return f"{_REVIEW}:s{goal}"
    raise TypeError(f"not a shown value: {shown!r}")


def decode(stored: str | None) -> Shown | None:
    """A stored ``shown_step``; None for nothing stored or a value nobody can read
    (the engine shows the first open question then)."""
    if not stored:
        return None
    if stored == _WAIT:
        return GuardianWait()
    if stored == _REVIEW:
        return Review()
    if stored.startswith(_REVIEW + ":"):
        target = stored[len(_REVIEW) + 1 :]
        if target == _PROFILE_LIST:
            return Review(PROFILE)
        number = target[1:]
        if target[:1] == "s" and number.isdigit() and number == str(int(number)):
            return Review(int(number))
        return None
    return AtStep(stored)


def step_of(survey: Survey, shown: Shown | None) -> Step | None:
    """The survey step ``shown`` is on, if it is one this survey has."""
    return find_step(survey, shown.key) if isinstance(shown, AtStep) else None


def position(survey: Survey, answers: Answers) -> AtStep | Review:
    """The first open question; the review once everything is answered."""
    step = frontier(survey, answers)
    return AtStep(step.key) if step else Review()


def live(survey: Survey, answers: Answers, shown: Shown | None) -> Shown | None:
    """``shown``, unless it cannot be shown now: a question or a goal that skip
    logic hides (a profile answer changed since), or a guardian's wait that is
    over. Then the first open question, as on resume."""
    match shown:
        case AtStep():
            step = step_of(survey, shown)
            if step is not None and not is_visible(survey, answers, step):
                return position(survey, answers)
        case Review(int(goal)) if goal not in visible(survey, answers).by_section:
            return position(survey, answers)
        case GuardianWait():  # the engine only asks once the wait is over
            return position(survey, answers)
    return shown


def current(survey: Survey, answers: Answers, stored: str | None) -> Shown:
    """What the live message shows (``stored``: the response's ``shown_step``): set
    by navigation, else the first open step; never one that cannot be shown now."""
    return live(survey, answers, decode(stored)) or position(survey, answers)


def after(survey: Survey, answers: Answers, step: Step) -> AtStep | Review:
    """Where "next" leads from ``step``: the following question, but never past the
    first open one; the review once everything is answered."""
    first_open = frontier(survey, answers)
    if first_open is None:
        return Review()
    following = next_step(survey, answers, step)
    order = step_index(survey, answers)
    if following is None or order[following.key] > order[first_open.key]:
        return AtStep(first_open.key)
    return AtStep(following.key)
