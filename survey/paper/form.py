"""The paper form's columns, shared by the template and the import.

Row 1 of the data sheet holds a machine key per column (hidden when printed),
so the import reads columns by key, whatever the language or column order:

- ``form_id``: the form's unique id, pre-filled by the template
- ``consent``: ``x`` when the person agreed on paper (required on a filled row)
- ``profile:<question>``: one choice of a single-answer question
- ``profile:<question>:<choice>``: ``x`` per ticked choice of an "all that
  apply" question (``prefer_not`` too, for sensitive ones)
- ``rate:<code>:now`` / ``rate:<code>:forecast``: 1-5, ``?`` (don't know) or blank
- ``text:section:<section>``: the comment on a goal
- ``text:<closing question>``: a closing text question
- ``pick:<closing question>:<section>``: ``x`` per goal picked
"""

from __future__ import annotations

from dataclasses import dataclass

from locales.i18n import Translate
from survey.model import Survey
from survey.steps import comment_key

FORM_ID = "form_id"
CONSENT = "consent"
TICK = "x"
DONT_KNOW = "?"
RATING_VALUES = ["1", "2", "3", "4", "5", DONT_KNOW]
PREFER_NOT = "prefer_not"

# The data sheet's layout: keys, two heading rows, then one row per respondent.
KEY_ROW = 0
HEADING_ROWS = (1, 2, 3)  # group heading, statement or question, short column label
FIRST_DATA_ROW = 4


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    kind: str  # form_id, consent, choice, tick, rating, text
    group: str  # heading over a run of columns (a goal, "Profile"...)
    question: str  # the statement or question
    label: str  # the short label right above the cells
    width: float = 6


def columns(survey: Survey, language: str, _: Translate) -> list[Column]:
    """Every column of the data sheet, in order: form id and consent, profile, goals, closing."""
    return [
        Column(FORM_ID, FORM_ID, _("Form"), _("Form id (do not change)"), _("Form id"), 14),
        Column(
            CONSENT,
            CONSENT,
            _("Consent"),
            _("The person agreed after the consent text was read to them"),
            _("Agreed (x)"),
            10,
        ),
        *_profile_columns(survey, language, _),
        *_goal_columns(survey, language, _),
        *_closing_columns(survey, language, _),
    ]


def _profile_columns(survey: Survey, language: str, _: Translate) -> list[Column]:
    """A list column per single-answer question, a tick column per choice of the others."""
    cols = []
    for question in survey.profile:
        choices = [(c.id, c.label(language)) for c in question.choices]
        if question.sensitive:
            choices.append((PREFER_NOT, _("Prefer not to say")))
        if question.multiple:
            cols += [
                Column(
                    f"profile:{question.id}:{choice}",
                    "tick",
                    _("Profile"),
                    question.prompt(language),
                    label + " (x)",
                    10,
                )
                for choice, label in choices
            ]
        else:
            cols.append(
                Column(
                    f"profile:{question.id}",
                    "choice",
                    _("Profile"),
                    question.prompt(language),
                    _("Choose from the list"),
                    18,
                )
            )
    return cols


def _goal_columns(survey: Survey, language: str, _: Translate) -> list[Column]:
    """Per goal: a rating column per indicator and kind, then the goal's comment."""
    cols = []
    for section in survey.sections:
        goal = _("SDG {number}: {title}").format(
            number=section.sdg, title=section.short_title(language)
        )
        for item in section.items:
            for kind in survey.rating_kinds:
                cols.append(
                    Column(
                        f"rate:{item.code}:{kind.id}",
                        "rating",
                        goal,
                        f"{item.code} {item.label(language)}",
                        kind.heading(language),
                        9,
                    )
                )
        prompt = section.comment(language) if section.comment else _("Comment on this goal")
        cols.append(
            Column("text:" + comment_key(section.id), "text", goal, prompt, _("Comment"), 30)
        )
    return cols


def _closing_columns(survey: Survey, language: str, _: Translate) -> list[Column]:
    """A text column per closing text question, a tick column per goal to pick."""
    cols = []
    for closing in survey.closing:
        if closing.kind == "text":
            cols.append(
                Column(
                    f"text:{closing.id}",
                    "text",
                    _("Closing"),
                    closing.prompt(language),
                    _("Answer"),
                    40,
                )
            )
            continue
        for section in survey.sections:
            cols.append(
                Column(
                    f"pick:{closing.id}:{section.id}",
                    "tick",
                    _("Closing"),
                    closing.prompt(language)
                    + " "
                    + _("(at most {most})").format(most=closing.max_choices),
                    _("SDG {number}").format(number=section.sdg) + " (x)",
                    9,
                )
            )
    return cols


def choice_labels(survey: Survey, question_id: str, _: Translate, language: str) -> list[str]:
    """The words offered in a single-answer profile column's list."""
    question = survey.profile_question(question_id)
    assert question is not None
    labels = [c.label(language) for c in question.choices]
    if question.sensitive:
        labels.append(_("Prefer not to say"))
    return labels
