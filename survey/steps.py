"""The respondent's path through a survey, derived from stored answers only.

A survey unrolls into a flat list of steps: profile questions, then one step
per indicator (both ratings, "now" and the forecast, on one screen), then the
closing questions. The current position is the first step with something
left to answer, so a restarted process resumes exactly where the respondent
was. Each goal's comment is optional: it is typed on any of the goal's rating
screens, or edited from the review, so comment steps are reachable by key but
are not on the forward path.

Skip logic (``relevant``, conversations/relevance.py) narrows the path per
person: :func:`visible_steps` keeps the profile questions, goals and
indicators whose expressions hold for the respondent's profile answers, and
every function here that walks the path, counts or says "done" reads that
list. An answer stored for a step that is hidden now stays stored, but is
neither asked for nor counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from storage.responses import Answers
from survey.model import Survey
from survey.relevance import Node, is_relevant, parse_relevant

StepKind = Literal["profile", "rating", "comment", "closing"]
RATING_KINDS = ("now", "forecast")
Profile = tuple[tuple[str, str], ...]  # profile answers, sorted: a cache key


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
    """The whole forward path, as if every ``relevant`` held."""
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
def _all_steps(survey: Survey) -> dict[str, Step]:
    return {step.key: step for step in (*steps_of(survey), *comment_steps(survey))}


def find_step(survey: Survey, key: str | None) -> Step | None:
    return _all_steps(survey).get(key or "")


def section_index_of(survey: Survey, item_index: int) -> int:
    return _section_of_item(survey)[item_index]


@cache
def _section_of_item(survey: Survey) -> tuple[int, ...]:
    position = {section.id: i for i, section in enumerate(survey.sections)}
    return tuple(position[section.id] for section, _item in survey.items)


# --- skip logic ---------------------------------------------------------------


@cache
def _node(expression: str) -> Node:
    return parse_relevant(expression)


def _holds(expression: str | None, profile: dict[str, str]) -> bool:
    return expression is None or is_relevant(_node(expression), profile)


@cache
def has_skip_logic(survey: Survey) -> bool:
    return any(q.relevant for q in survey.profile) or any(
        s.relevant or any(i.relevant for i in s.items) for s in survey.sections
    )


def _path(survey: Survey, stored: Profile, only: frozenset[str]) -> tuple[Step, ...]:
    """The forward path for one profile (and, with ``only``, those indicators alone).
    As in ODK, the answer to a profile question that is hidden now does not count
    in the expressions after it."""
    answers = dict(stored)
    profile: dict[str, str] = {}
    steps: list[Step] = []
    for index, question in enumerate(survey.profile):
        if _holds(question.relevant, profile):
            steps.append(Step(f"p{index}", "profile", index))
            if question.id in answers:
                profile[question.id] = answers[question.id]
    goals = {s.id for s in survey.sections if _holds(s.relevant, profile)}
    steps.extend(
        Step(f"r{index}", "rating", index)
        for index, (section, item) in enumerate(survey.items)
        if section.id in goals
        and _holds(item.relevant, profile)
        and (not only or item.code in only)
    )
    steps.extend(Step(f"q{i}", "closing", i) for i in range(len(survey.closing)))
    return tuple(steps)


@dataclass(frozen=True)
class Visible:
    """What one profile sees of the survey, computed once per distinct profile."""

    steps: tuple[Step, ...]
    index: dict[str, int]  # step key -> position on the path
    items: tuple[int, ...]  # indexes into survey.items
    sections: tuple[int, ...]  # indexes into survey.sections (a goal with an item shown)
    by_section: dict[int, tuple[int, ...]]  # section index -> its visible items


@lru_cache(maxsize=1024)
def _visible_of(survey: Survey, stored: Profile, only: frozenset[str] = frozenset()) -> Visible:
    narrowed = has_skip_logic(survey) or only
    steps = _path(survey, stored, only) if narrowed else steps_of(survey)
    items = tuple(s.index for s in steps if s.kind == "rating")
    by_section: dict[int, tuple[int, ...]] = {}
    for item in items:
        section = section_index_of(survey, item)
        by_section[section] = (*by_section.get(section, ()), item)
    index = {step.key: position for position, step in enumerate(steps)}
    return Visible(steps, index, items, tuple(by_section), by_section)


def visible(survey: Survey, answers: Answers) -> Visible:
    """What skip logic leaves of the survey for this respondent's profile answers
    (a survey without ``relevant`` shares one entry for everyone), narrowed to the
    indicators of a provider invitation that names some."""
    kept = answers.derived
    if (
        kept is not None
        and kept[0] is survey
        and kept[1] == answers.profile
        and kept[2] is answers.only
    ):
        return kept[3]  # type: ignore[return-value]
    narrowed = has_skip_logic(survey) or answers.only
    stored = tuple(sorted(answers.profile.items())) if narrowed else ()
    result = _visible_of(survey, stored, answers.only)
    answers.derived = (survey, dict(answers.profile), answers.only, result)
    return result


def visible_steps(survey: Survey, answers: Answers) -> tuple[Step, ...]:
    """The forward path this respondent walks: what "next" and "back" go through."""
    return visible(survey, answers).steps


def step_index(survey: Survey, answers: Answers) -> dict[str, int]:
    """Positions on the respondent's path, by step key (hidden steps are absent)."""
    return visible(survey, answers).index


def is_visible(survey: Survey, answers: Answers, step: Step) -> bool:
    """On the respondent's path, or the comment of a goal they see."""
    if step.kind == "comment":
        return step.index in visible(survey, answers).by_section
    return step.key in step_index(survey, answers)


def section_items(survey: Survey, answers: Answers, section_index: int) -> tuple[int, ...]:
    """The visible indicators of one goal, as indexes into ``survey.items``."""
    return visible(survey, answers).by_section.get(section_index, ())


# --- walking and counting -----------------------------------------------------


def previous_step(survey: Survey, answers: Answers, step: Step) -> Step | None:
    position = step_index(survey, answers).get(step.key)
    return visible_steps(survey, answers)[position - 1] if position else None


def next_step(survey: Survey, answers: Answers, step: Step) -> Step | None:
    position = step_index(survey, answers).get(step.key)
    steps = visible_steps(survey, answers)
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
    """The first unanswered visible step; ``None`` when all are answered (review)."""
    return next(
        (s for s in visible_steps(survey, answers) if not is_answered(survey, answers, s)), None
    )


def section_done(survey: Survey, answers: Answers, section_index: int) -> bool:
    """Both ratings of every visible indicator of the goal are given."""
    codes = [survey.items[i][1].code for i in section_items(survey, answers, section_index)]
    return all((code, kind) in answers.ratings for code in codes for kind in RATING_KINDS)


@dataclass(frozen=True, slots=True)
class Tally:
    rated: int
    dont_know: int
    skipped: int
    total: int


def tally(survey: Survey, answers: Answers) -> Tally:
    """The ratings of the visible indicators (one kept for a hidden indicator is not counted)."""
    items = visible(survey, answers).items
    codes = {survey.items[i][1].code for i in items}
    rated = dont_know = skipped = 0
    for (code, _kind), rating in answers.ratings.items():
        if code not in codes:
            continue
        if rating.skipped:
            skipped += 1
        elif rating.value is None:
            dont_know += 1
        else:
            rated += 1
    return Tally(rated, dont_know, skipped, len(RATING_KINDS) * len(items))


def skipped_steps(survey: Survey, answers: Answers) -> list[Step]:
    """Visible indicators with at least one skipped rating, in survey order."""
    result = []
    for step in visible_steps(survey, answers):
        if step.kind == "rating":
            code = survey.items[step.index][1].code
            if any(
                (rating := answers.ratings.get((code, kind))) is not None and rating.skipped
                for kind in RATING_KINDS
            ):
                result.append(step)
    return result


@dataclass(frozen=True, slots=True)
class Questions:
    """The review's counts, in statements (each has two ratings, "now" and the forecast)."""

    answered: int  # both ratings given, "don't know" included
    dont_know: int  # of those, at least one "don't know"
    skipped: int  # at least one rating skipped
    total: int


def question_tally(survey: Survey, answers: Answers) -> Questions:
    """How many of the visible statements are answered, with a "don't know", or skipped."""
    answered = dont_know = skipped = 0
    items = visible(survey, answers).items
    for index in items:
        code = survey.items[index][1].code
        given = [answers.ratings.get((code, kind)) for kind in RATING_KINDS]
        if any(rating is None or rating.skipped for rating in given):
            skipped += any(rating is not None and rating.skipped for rating in given)
            continue
        answered += 1
        dont_know += any(rating is not None and rating.value is None for rating in given)
    return Questions(answered, dont_know, skipped, len(items))
