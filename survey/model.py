"""The survey as data: a pydantic model of a survey file, and its loader.

A survey file is TOML. Every human-readable text carries both UI languages
(``vi`` and ``en``) and may mark some of them as draft translations, so a
coordinator can see which wording still needs a native speaker's review.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from locales.i18n import LANGUAGES, Language
from survey.relevance import Compare, RelevantError, conditions, parse_relevant

__all__ = ["LANGUAGES", "Language"]  # with the model: every survey has both languages
RatingKindId = Literal["now", "forecast"]
DEFAULT_SURVEY = "sdg_scorecard.toml"


class SurveyFileError(Exception):
    """A survey file that cannot be read or does not validate."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """One text in both languages; ``draft`` lists languages still in review."""

    vi: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]
    draft: list[Language] = []

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class RatingKind(_Strict):
    id: RatingKindId
    year: Annotated[int, Field(ge=2000, le=2100)]
    label: Text  # may hold "{year}", e.g. "By {year}": the row's name
    # The row's own question on the rating screen ("How true do you expect it
    # to be by {year}?"); None: the row is named by its label alone.
    question: Text | None = None

    @model_validator(mode="after")
    def _only_year_placeholder(self) -> RatingKind:
        for field_name in ("label", "question"):
            text: Text | None = getattr(self, field_name)
            for language in LANGUAGES if text is not None else ():
                try:
                    text(language).format(year=self.year)
                except (KeyError, IndexError, ValueError) as exc:
                    raise ValueError(
                        f"{field_name}.{language}: only {{year}} may be a placeholder"
                    ) from exc
        return self

    def heading(self, language: str) -> str:
        """The label with the year filled in: "By 2030"."""
        return self.label(language).format(year=self.year)

    def asked(self, language: str) -> str | None:
        """The row's question with the year filled in, or None."""
        return self.question(language).format(year=self.year) if self.question else None


class ScalePoint(_Strict):
    """One point of the 1-5 scale: ``label`` is the same words on every item."""

    value: Annotated[int, Field(ge=1, le=5)]
    label: Text


class Scale(_Strict):
    points: list[ScalePoint]
    dont_know: Text

    @model_validator(mode="after")
    def _one_to_five(self) -> Scale:
        if [p.value for p in self.points] != [1, 2, 3, 4, 5]:
            raise ValueError("scale points must be exactly 1, 2, 3, 4, 5 in order")
        return self


class Choice(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
    label: Text


class ProfileQuestion(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
    prompt: Text
    choices: Annotated[list[Choice], Field(min_length=1, max_length=20)]
    sensitive: bool = False
    # "All that apply": the answer is the chosen ids joined by single spaces,
    # in the survey's order (XLSForm's select_multiple format). "Prefer not
    # to say" stays exclusive.
    multiple: bool = False
    # XLSForm skip logic over earlier profile answers (conversations/relevance.py);
    # None: always asked.
    relevant: str | None = None

    @model_validator(mode="after")
    def _unique_choices(self) -> ProfileQuestion:
        ids = [c.id for c in self.choices]
        if len(ids) != len(set(ids)):
            raise ValueError("choice ids must be unique")
        if "prefer_not" in ids:
            raise ValueError("'prefer_not' is reserved: sensitive questions add it")
        return self


class Official(_Strict):
    """The official view of a goal on the same 1-5 scale, for gap analysis."""

    level: Annotated[float, Field(ge=1, le=5)]
    source: str


class Item(_Strict):
    """One indicator: ``label`` is the plain statement a respondent rates (a higher
    score always means closer to the goal); ``name`` is the official indicator
    name and ``about`` one sentence on what it is about, both behind "ⓘ"."""

    code: Annotated[str, Field(pattern=r"^\d{1,2}\.[0-9a-z]{1,2}\.\d{1,2}$")]
    label: Text
    name: Text
    about: Text
    # A title of a few words that tells the item apart in the review's lists;
    # None (older files): the statement, shortened.
    short: Text | None = None
    # Touches on violence, abuse or intimate life: the screen shows the
    # child-protection helpline.
    sensitive: bool = False
    relevant: str | None = None  # XLSForm skip logic over profile answers

    def title(self, language: str, limit: int = 34) -> str:
        """The short title, or the statement cut at a word when there is none."""
        if self.short is not None:
            return self.short(language)
        words, kept = self.label(language).split(), ""
        for word in words:
            if len(kept) + len(word) + 1 > limit - 1:
                return kept + "…"
            kept = f"{kept} {word}".strip()
        return kept


class Section(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
    sdg: Annotated[int, Field(ge=1, le=17)]
    title: Text
    short_title: Text
    items: Annotated[list[Item], Field(min_length=1)]
    comment: Text | None = None
    official: Official | None = None
    relevant: str | None = None  # XLSForm skip logic over profile answers


class ClosingQuestion(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,24}$")]
    kind: Literal["pick_goals", "text"]
    prompt: Text
    max_choices: Annotated[int, Field(ge=1, le=6)] = 3


class Survey(_Strict):
    """A whole survey file, checked.

    One pydantic model over 60 lines: its fields, its cross-field check and its
    lookups are the one survey every layer reads; the checks live below it.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9_-]{1,32}$")]
    version: Annotated[str, Field(min_length=1, max_length=32)]
    title: Text
    # Who runs the survey and what it is for: the first screen, in both languages.
    welcome: Text | None = None
    # What "here" in the statements means, shown on the first statement.
    here: Text | None = None
    # The question every statement answers ("How true is this where you
    # live?"); None: the UI's own wording.
    stem: Text | None = None
    # The sensitive matters a child will meet, for the guardian's consent text.
    sensitive_topics: Text | None = None
    rating_kinds: list[RatingKind]
    scale: Scale
    profile: list[ProfileQuestion]
    sections: Annotated[list[Section], Field(min_length=1)]
    closing: list[ClosingQuestion] = []
    content_hash: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Survey:
        """What one field cannot check alone; the first problem found is the error."""
        _check_rating_kinds(self.rating_kinds)
        _check_goal_titles(self.sections, self.scale)
        _check_unique_codes(self.sections)
        _check_unique_ids(self)
        for where, expression, before in _relevant_expressions(self):
            if problem := relevant_problem(expression, before):
                raise ValueError(f"{where}.relevant: {problem}")
        return self

    # The content hash identifies a survey exactly, and comparing it is cheap:
    # surveys key several caches, where a deep field-by-field comparison of
    # 69 indicators on every lookup would cost more than the lookup saves.
    def __hash__(self) -> int:
        return hash((self.id, self.content_hash))

    def __eq__(self, other: object) -> bool:
        if self is other:  # what a cache lookup nearly always finds
            return True
        if not isinstance(other, Survey):
            return NotImplemented
        return (self.id, self.content_hash) == (other.id, other.content_hash)

    @cached_property
    def items(self) -> list[tuple[Section, Item]]:
        return [(s, i) for s in self.sections for i in s.items]

    @cached_property
    def item_by_code(self) -> dict[str, tuple[Section, Item]]:
        return {i.code: (s, i) for s, i in self.items}

    @cached_property
    def years(self) -> dict[str, int]:
        return {k.id: k.year for k in self.rating_kinds}

    def kind(self, kind_id: str) -> RatingKind:
        return next(k for k in self.rating_kinds if k.id == kind_id)

    def profile_question(self, question_id: str) -> ProfileQuestion | None:
        return next((p for p in self.profile if p.id == question_id), None)

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)

    def draft_labels(self) -> list[str]:
        """Where each draft translation is, for coordinators reviewing wording."""
        found: list[str] = []
        _find_drafts(self, "", found)
        return found


def _find_drafts(node: object, path: str, found: list[str]) -> None:
    """Add each draft text under ``node`` to ``found``, by its path (codes and ids in lists)."""
    if isinstance(node, Text):
        if node.draft:
            found.append(f"{path} [{', '.join(node.draft)}]")
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            _find_drafts(getattr(node, name), f"{path}.{name}" if path else name, found)
    elif isinstance(node, list):
        for index, child in enumerate(node):
            key = getattr(child, "code", None) or getattr(child, "id", None)
            _find_drafts(child, f"{path}[{key if key is not None else index}]", found)


def _check_rating_kinds(kinds: list[RatingKind]) -> None:
    if [k.id for k in kinds] != ["now", "forecast"]:
        raise ValueError("rating_kinds must be 'now' then 'forecast'")
    now, forecast = kinds
    if forecast.year <= now.year:
        raise ValueError(
            f"rating_kinds[forecast].year ({forecast.year}) must come after"
            f" rating_kinds[now].year ({now.year})"
        )


def _check_goal_titles(sections: list[Section], scale: Scale) -> None:
    """A goal titled like a scale label ("Good") was almost surely pasted in the wrong place."""
    scale_words = {
        word.strip().casefold()
        for text in [scale.dont_know, *(p.label for p in scale.points)]
        for word in (text.vi, text.en)
    }
    for section in sections:
        for field_name in ("title", "short_title"):
            text: Text = getattr(section, field_name)
            for language in LANGUAGES:
                if text(language).strip().casefold() in scale_words:
                    raise ValueError(
                        f"sections[{section.id}].{field_name}.{language} reads like a scale"
                        f" label ({text(language)!r}): give the goal's name"
                    )


def _check_unique_codes(sections: list[Section]) -> None:
    seen: dict[str, str] = {}
    for section in sections:
        for item in section.items:
            if item.code in seen:
                raise ValueError(
                    f"sections[{section.id}].items[{item.code}]: duplicate indicator code"
                    f" {item.code} (already in sections[{seen[item.code]}])"
                )
            seen[item.code] = section.id


def _check_unique_ids(survey: Survey) -> None:
    for name, ids in (
        ("sections", [s.id for s in survey.sections]),
        ("sdg", [s.sdg for s in survey.sections]),
        ("profile", [p.id for p in survey.profile]),
        ("closing", [c.id for c in survey.closing]),
    ):
        duplicates = sorted({str(i) for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{name}: duplicate id {', '.join(duplicates)}")


def _relevant_expressions(survey: Survey) -> list[tuple[str, str, list[ProfileQuestion]]]:
    """Each expression with where it is and the profile questions it may read."""
    found = []
    for index, question in enumerate(survey.profile):
        if question.relevant is not None:
            found.append((f"profile[{question.id}]", question.relevant, survey.profile[:index]))
    for section in survey.sections:
        if section.relevant is not None:
            found.append((f"sections[{section.id}]", section.relevant, survey.profile))
        for item in section.items:
            if item.relevant is not None:
                where = f"sections[{section.id}].items[{item.code}]"
                found.append((where, item.relevant, survey.profile))
    return found


def relevant_problem(expression: str, questions: list[ProfileQuestion]) -> str | None:
    """What is wrong with a ``relevant`` expression over these profile questions, or None.

    Only answers given before can decide what is shown, so ``questions`` are
    the profile questions asked before the one the expression belongs to."""
    try:
        node = parse_relevant(expression)
    except RelevantError as exc:
        return f"{exc} in {expression!r}"
    by_id = {q.id: q for q in questions}
    for condition in conditions(node):
        question = by_id.get(condition.field)
        if question is None:
            return (
                f"${{{condition.field}}} is not a profile question asked before this one"
                f" (known: {', '.join(by_id) or 'none'})"
            )
        ids = [c.id for c in question.choices] + (["prefer_not"] if question.sensitive else [])
        if condition.value not in ids:
            return (
                f"'{condition.value}' is not a choice of ${{{question.id}}}"
                f" (choices: {', '.join(ids)})"
            )
        if isinstance(condition, Compare) and question.multiple:
            # ${group} = 'women' is true only for people who chose women alone.
            return (
                f"${{{question.id}}} takes several answers: write"
                f" selected(${{{question.id}}}, '{condition.value}') instead of"
                f" ${{{question.id}}} {condition.op} '{condition.value}'"
            )
    return None


def validation_problems(data: dict, error: ValidationError) -> list[str]:
    """Each problem as "where: what", where naming sections and items by id or code."""
    problems = []
    for err in error.errors():
        location, node = [], data
        for part in err["loc"]:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                node = node[part]
                key = node.get("code") or node.get("id") if isinstance(node, dict) else None
                location.append(f"[{key}]" if key else f"[{part}]")
            else:
                node = node.get(part) if isinstance(node, dict) else None
                location.append(f".{part}")
        message = err["msg"].removeprefix("Value error, ")
        where = "".join(location).lstrip(".")
        problems.append(f"{where}: {message}" if where else message)
    return problems


def _format_error(path: Path, data: dict, error: ValidationError) -> str:
    # One line, as every configuration error: the file, then each problem.
    return f"{path}: invalid survey file: " + "; ".join(validation_problems(data, error))


def parse_survey(raw: bytes, path: Path) -> Survey:
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SurveyFileError(f"{path}: not valid UTF-8 TOML: {exc}") from exc
    data.pop("content_hash", None)
    try:
        survey = Survey.model_validate(data)
    except ValidationError as exc:
        raise SurveyFileError(_format_error(path, data, exc)) from exc
    # The hash pins the exact wording a respondent saw, whatever the version says.
    return survey.model_copy(update={"content_hash": hashlib.sha256(raw).hexdigest()})


def survey_source(path: Path | None = None) -> bytes:
    """A survey file's bytes (what its hash is of); ``None``: the shipped scorecard."""
    if path is None:
        return resources.files("survey.files").joinpath(DEFAULT_SURVEY).read_bytes()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SurveyFileError(f"{path}: cannot read survey file: {exc.strerror}") from exc


def load_survey(path: Path | None = None) -> Survey:
    """Load and validate a survey file; ``None`` loads the shipped scorecard."""
    return parse_survey(survey_source(path), Path(path or DEFAULT_SURVEY))


def survey_versions_from(texts: dict[str, str]) -> dict[str, Survey]:
    """Stored survey texts by hash (storage.versions) as surveys; a text that no
    longer validates (the model grew stricter) is left out, and its responses
    continue on the current survey as before versions were kept."""
    surveys = {}
    for digest, text in texts.items():
        try:
            surveys[digest] = parse_survey(text.encode("utf-8"), Path(f"version {digest[:12]}"))
        except SurveyFileError:
            continue
    return surveys
