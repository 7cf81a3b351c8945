"""Callback data: short, versioned ASCII, checked field by field.

Clients can forge callback data, so nothing in it is trusted: every field is
parsed against the survey the respondent is answering, and anything that does
not fit is rejected before a single row is written.

Formats (all well under Telegram's 64-byte limit)::

    1|<hash6>|<step>|<value>   an answer or navigation within a survey
                               (<hash6> names the survey file's version)
    1|L|<language>             language choice
    1|C|y  1|C|n               consent
    1|D|y  1|D|n               delete my data, confirmed or not
    1|K|l  1|K|n  1|K|y        a child: a new link for the guardian, "I don't
                               want to take part", "yes, start" (see guardian.py)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from survey.model import LANGUAGES, Survey
from survey.steps import Step, find_step

VERSION = "1"
_VALUE = re.compile(r"^[a-z0-9]{1,4}$")


class ForgedCallback(ValueError):
    """Callback data this bot did not produce."""


class StaleCallback(ForgedCallback):
    """Well-formed data from another version of the survey: an old message."""


@dataclass(frozen=True, slots=True)
class StepAction:
    step: Step | None  # None for the review screen
    value: str  # for review: sub, skp, prf, rv, s<section>, e<step key>


@dataclass(frozen=True, slots=True)
class Choice:
    topic: str  # L, C, D or K
    value: str


def survey_tag(survey: Survey) -> str:
    return survey.content_hash[:6]


def step_data(survey: Survey, step_key: str, value: str) -> str:
    return f"{VERSION}|{survey_tag(survey)}|{step_key}|{value}"


def choice_data(topic: str, value: str) -> str:
    return f"{VERSION}|{topic}|{value}"


def _index(text: str, limit: int) -> bool:
    """A canonical decimal index below ``limit`` ("07" and "+1" are not)."""
    return text.isdigit() and text == str(int(text)) and int(text) < limit


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
    return value.startswith("s") and _index(value[1:], len(survey.sections))


def parse(data: str | None, survey: Survey) -> StepAction | Choice:
    if not data or len(data) > 64 or not data.isascii():
        raise ForgedCallback("not our callback data")
    parts = data.split("|")
    if parts[0] != VERSION:
        raise ForgedCallback("unknown version")
    if len(parts) == 3:
        topic, value = parts[1], parts[2]
        if (
            (topic == "L" and value in LANGUAGES)
            or (topic in {"C", "D"} and value in {"y", "n"})
            or (topic == "K" and value in {"l", "n", "y"})
        ):
            return Choice(topic, value)
        raise ForgedCallback("unknown choice")
    if len(parts) != 4:
        raise ForgedCallback("wrong number of fields")
    _version, tag, key, value = parts
    if tag != survey_tag(survey):
        raise StaleCallback("another version of the survey")
    if not _VALUE.match(value) and not (key == "ed" and find_step(survey, value)):
        raise ForgedCallback("malformed value")
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
    if not _valid_step_value(survey, step, value):
        raise ForgedCallback("value out of range")
    return StepAction(step, value)
