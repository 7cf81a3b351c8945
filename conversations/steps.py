"""The respondent's path through a survey, derived from stored answers only.

A survey unrolls into a flat list of steps: profile questions, then one step
per indicator (both ratings, "now" and the forecast, on one screen), then the
closing questions. The current position is the first step with something
left to answer, so a restarted process resumes exactly where the respondent
was. Each goal's comment is optional: it is typed on any of the goal's rating
screens, or edited from the review, so comment steps are reachable by key but
are not on the forward path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from conversations.survey import Survey
from storage.responses import Answers

StepKind = Literal["profile", "rating", "comment", "closing"]
RATING_KINDS = ("now", "forecast")


@dataclass(frozen=True, slots=True)
class Step:
    key: str  # short ASCII, used in callback data: p0, r12, c3, q1
    kind: StepKind
    index: int  # into survey.profile / survey.items / survey.sections / survey.closing


def comment_key(section_id: str) -> str:
    return f"section:{section_id}"


def draft_key(question_id: str) -> str:
    """Where the ticks of an unfinished "all that apply" profile answer are kept."""
    return f"profile:{question_id}"


@cache
def steps_of(survey: Survey) -> tuple[Step, ...]:
    """The forward path: what "next" and "back" walk through."""
    steps: list[Step] = [Step(f"p{i}", "profile", i) for i in range(len(survey.profile))]
    steps.extend(Step(f"r{i}", "rating", i) for i in range(len(survey.items)))
    steps.extend(Step(f"q{i}", "closing", i) for i in range(len(survey.closing)))
    return tuple(steps)


@cache
def comment_steps(survey: Survey) -> tuple[Step, ...]:
    return tuple(
        Step(f"c{i}", "comment", i) for i, s in enumerate(survey.sections) if s.comment is not None
    )


@cache
def step_index(survey: Survey) -> dict[str, int]:
    return {step.key: position for position, step in enumerate(steps_of(survey))}


@cache
def _all_steps(survey: Survey) -> dict[str, Step]:
    return {step.key: step for step in (*steps_of(survey), *comment_steps(survey))}


def find_step(survey: Survey, key: str | None) -> Step | None:
    return _all_steps(survey).get(key or "")


def previous_step(survey: Survey, step: Step) -> Step | None:
    position = step_index(survey).get(step.key)
    return steps_of(survey)[position - 1] if position else None


def next_step(survey: Survey, step: Step) -> Step | None:
    position = step_index(survey).get(step.key)
    steps = steps_of(survey)
    return steps[position + 1] if position is not None and position + 1 < len(steps) else None


def open_kinds(survey: Survey, answers: Answers, item_index: int) -> list[str]:
    """The ratings of an indicator not given yet (a skip counts as given)."""
    code = survey.items[item_index][1].code
    return [kind for kind in RATING_KINDS if (code, kind) not in answers.ratings]


def is_answered(survey: Survey, answers: Answers, step: Step) -> bool:
    if step.kind == "profile":
        return survey.profile[step.index].id in answers.profile
    if step.kind == "rating":
        return not open_kinds(survey, answers, step.index)
    if step.kind == "comment":
        return comment_key(survey.sections[step.index].id) in answers.texts
    question = survey.closing[step.index]
    if question.kind == "text":
        return question.id in answers.texts
    return answers.choices.get(question.id, ([], False))[1]


def frontier(survey: Survey, answers: Answers) -> Step | None:
    """The first unanswered step; ``None`` when everything is answered (review)."""
    return next((s for s in steps_of(survey) if not is_answered(survey, answers, s)), None)


def section_index_of(survey: Survey, item_index: int) -> int:
    section = survey.items[item_index][0]
    return next(i for i, s in enumerate(survey.sections) if s.id == section.id)


def section_done(survey: Survey, answers: Answers, section_index: int) -> bool:
    codes = [item.code for item in survey.sections[section_index].items]
    return all((code, kind) in answers.ratings for code in codes for kind in RATING_KINDS)


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
    return Tally(rated, dont_know, skipped, len(RATING_KINDS) * len(survey.items))


def skipped_steps(survey: Survey, answers: Answers) -> list[Step]:
    """Indicators with at least one skipped rating, in survey order."""
    result = []
    for step in steps_of(survey):
        if step.kind == "rating":
            code = survey.items[step.index][1].code
            if any(
                (rating := answers.ratings.get((code, kind))) is not None and rating.skipped
                for kind in RATING_KINDS
            ):
                result.append(step)
    return result
