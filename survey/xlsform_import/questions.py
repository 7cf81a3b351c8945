"""The survey sheet's questions outside the goals: profile questions and closing questions."""

from __future__ import annotations

import re

from pydantic import ValidationError

from survey.model import ProfileQuestion, relevant_problem
from survey.xlsform_export import EXCLUSIVE_PREFER_NOT, GOALS_LIST, PREFER_NOT
from survey.xlsform_import.cells import Reader, Row
from survey.xlsform_import.choices import read_options

MAX_CHOICES = re.compile(r"^count-selected\(\s*\.\s*\)\s*<=\s*(\d+)$")


def read_relevant(reader: Reader, row: Row, target: dict, before: list) -> None:
    """Copy the row's ``relevant`` into ``target`` if it only asks about earlier profile questions."""
    expression = row.get("relevant")
    if not expression:
        return
    questions = []
    for question in before:
        try:
            questions.append(ProfileQuestion.model_validate(question))
        except ValidationError:
            continue  # its own row already reports the problem
    problem = relevant_problem(expression, questions)
    if problem:
        reader.error(row, "relevant", problem)
    target["relevant"] = expression


def read_profile_question(
    reader: Reader, lists: dict[str, list[Row]], row: Row, select: re.Match, before: list[dict]
) -> dict:
    """A ``select_one`` / ``select_multiple`` row before the goals."""
    reader.only(
        row,
        {"label::vi", "label::en", "required", "relevant", "constraint"},
        "a profile question",
    )
    reader.required(row, True, "the bot asks every profile question: write yes")
    choices, sensitive = read_options(reader, lists, row, select[2])
    multiple = select[1].replace(" ", "_") == "select_multiple"
    constraint = row.get("constraint")
    if constraint and not (multiple and sensitive and constraint == EXCLUSIVE_PREFER_NOT):
        reader.error(
            row,
            "constraint",
            f"only {EXCLUSIVE_PREFER_NOT} is understood here, on a select_multiple"
            f" question with {PREFER_NOT}",
        )
    question = {
        "id": row.get("name"),
        "prompt": reader.text(row, "label", "question"),
        "choices": choices,
        "sensitive": sensitive,
        "multiple": multiple,
    }
    read_relevant(reader, row, question, before)
    return question


def read_pick_goals(reader: Reader, row: Row, data: dict, select_type: str) -> None:
    """The closing ``select_multiple goals`` row: which goals matter most, at most N."""
    reader.only(row, {"label::vi", "label::en", "required", "constraint"}, "a closing question")
    reader.required(row, False, "the bot lets everyone skip a closing question")
    if not data["sections"]:
        reader.error(row, "type", "the goals question comes after the goals")
    if select_type.replace(" ", "_") != "select_multiple":
        reader.error(row, "type", f"write select_multiple {GOALS_LIST}")
    match = MAX_CHOICES.match(row.get("constraint"))
    if not match:
        reader.error(row, "constraint", "write count-selected(.) <= N (N from 1 to 6)")
    data["closing"].append(
        {
            "id": row.get("name"),
            "kind": "pick_goals",
            "prompt": reader.text(row, "label", "prompt"),
            "max_choices": int(match[1]) if match else 3,
        }
    )


def read_closing_text(reader: Reader, row: Row) -> dict:
    """A free-text ``text`` row after the goals."""
    reader.only(row, {"label::vi", "label::en", "required"}, "a closing question")
    reader.required(row, False, "the bot lets everyone skip a free-text question")
    return {"id": row.get("name"), "kind": "text", "prompt": reader.text(row, "label", "prompt")}
