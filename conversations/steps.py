"""The respondent's path through a survey, derived from stored answers only.

A survey unrolls into a flat list of steps: profile questions, then each
section's indicators (now, then forecast) followed by its optional comment,
then the closing questions. The current position is the first step without a
stored answer, so a restarted process resumes exactly where the respondent was.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from conversations.survey import Survey
from storage.responses import Answers

StepKind = Literal["profile", "rating", "comment", "closing"]


@dataclass(frozen=True, slots=True)
class Step:
    key: str  # short ASCII, used in callback data: p0, r12n, r12f, c3, q1
    kind: StepKind
    index: int  # into survey.profile / survey.items / survey.sections / survey.closing
    rating_kind: str | None = None


def comment_key(section_id: str) -> str:
    return f"section:{section_id}"


@cache
def steps_of(survey: Survey) -> tuple[Step, ...]:
    steps: list[Step] = [Step(f"p{i}", "profile", i) for i in range(len(survey.profile))]
    item_index = 0
    for section_index, section in enumerate(survey.sections):
        for _item in section.items:
            steps.append(Step(f"r{item_index}n", "rating", item_index, "now"))
            steps.append(Step(f"r{item_index}f", "rating", item_index, "forecast"))
            item_index += 1
        if section.comment is not None:
            steps.append(Step(f"c{section_index}", "comment", section_index))
    steps.extend(Step(f"q{i}", "closing", i) for i in range(len(survey.closing)))
    return tuple(steps)


@cache
def step_index(survey: Survey) -> dict[str, int]:
    return {step.key: position for position, step in enumerate(steps_of(survey))}


def find_step(survey: Survey, key: str | None) -> Step | None:
    position = step_index(survey).get(key or "")
    return None if position is None else steps_of(survey)[position]


def previous_step(survey: Survey, step: Step) -> Step | None:
    position = step_index(survey)[step.key]
    return steps_of(survey)[position - 1] if position > 0 else None


def is_answered(survey: Survey, answers: Answers, step: Step) -> bool:
    if step.kind == "profile":
        return survey.profile[step.index].id in answers.profile
    if step.kind == "rating":
        _section, item = survey.items[step.index]
        return (item.code, step.rating_kind or "") in answers.ratings
    if step.kind == "comment":
        return comment_key(survey.sections[step.index].id) in answers.texts
    question = survey.closing[step.index]
    if question.kind == "text":
        return question.id in answers.texts
    return answers.choices.get(question.id, ([], False))[1]


def frontier(survey: Survey, answers: Answers) -> Step | None:
    """The first unanswered step; ``None`` when everything is answered (review)."""
    return next((s for s in steps_of(survey) if not is_answered(survey, answers, s)), None)


@dataclass(frozen=True, slots=True)
class Tally:
    rated: int
    dont_know: int
    skipped: int
    total: int


def tally(survey: Survey, answers: Answers) -> Tally:
    rated = dont_know = skipped = 0
    for rating in answers.ratings.values():
        if rating.skipped:
            skipped += 1
        elif rating.value is None:
            dont_know += 1
        else:
            rated += 1
    return Tally(rated, dont_know, skipped, 2 * len(survey.items))


def skipped_steps(survey: Survey, answers: Answers) -> list[Step]:
    result = []
    for step in steps_of(survey):
        if step.kind == "rating":
            code = survey.items[step.index][1].code
            rating = answers.ratings.get((code, step.rating_kind or ""))
            if rating is not None and rating.skipped:
                result.append(step)
    return result
