"""Skip logic as XLSForm `relevant`: what a survey file accepts and what it refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from survey.model import SurveyFileError, load_survey
from survey.relevance import (
    And,
    Compare,
    Not,
    Or,
    RelevantError,
    Selected,
    is_relevant,
    parse_relevant,
)

SHIPPED = Path(__file__).parent.parent / "survey/files/sdg_scorecard.toml"


def test_the_supported_forms_parse_into_a_tree() -> None:
    assert parse_relevant("${region} = 'north'") == Compare("region", "=", "north")
    assert parse_relevant('${region}!="south"') == Compare("region", "!=", "south")
    assert parse_relevant(
        "selected(${group}, 'youth') and (${area} = 'rural' or not(${area} = 'urban'))"
    ) == And(
        (
            Selected("group", "youth"),
            Or((Compare("area", "=", "rural"), Not(Compare("area", "=", "urban")))),
        )
    )
    # "and" binds tighter than "or", as in XPath.
    assert parse_relevant("${a} = 'x' or ${b} = 'y' and ${c} = 'z'") == Or(
        (Compare("a", "=", "x"), And((Compare("b", "=", "y"), Compare("c", "=", "z"))))
    )


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("${age} > 16", "expected = or != after ${age}, found '>'"),
        ("count-selected(${group}) = 2", "'count-selected' is not supported"),
        ("${region} = north", "expected 'choice', found 'north'"),
        ("(${region} = 'north'", "expected ')', found the end"),
        ("${region} = 'north' ${area} = 'rural'", "unexpected '${area}'"),
        ("  ", "empty expression"),
    ],
)
def test_anything_else_is_refused_in_words(expression: str, message: str) -> None:
    with pytest.raises(RelevantError, match=re.escape(message)):
        parse_relevant(expression)


def _survey_with(tmp_path: Path, after: str, line: str) -> Path:
    text = SHIPPED.read_text("utf-8").replace(after, after + line, 1)
    path = tmp_path / "s.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("after", "line", "message"),
    [
        (
            'code = "1.2.1"\n',
            "relevant = \"${region} = 'mars'\"\n",
            "sections[sdg1].items[1.2.1].relevant: 'mars' is not a choice of ${region}"
            " (choices: north, central, south)",
        ),
        (
            'id = "region"\n',
            "relevant = \"${area} = 'rural'\"\n",
            "profile[region].relevant: ${area} is not a profile question asked before this one"
            " (known: group)",
        ),
        (
            'short_title = { vi = "Xóa nghèo", en = "No poverty" }\n',
            "relevant = \"${group} = 'women'\"\n",
            "sections[sdg1].relevant: ${group} takes several answers: write"
            " selected(${group}, 'women')",
        ),
    ],
)
def test_a_survey_file_refuses_skip_logic_it_cannot_follow(
    tmp_path: Path, after: str, line: str, message: str
) -> None:
    with pytest.raises(SurveyFileError) as failure:
        load_survey(_survey_with(tmp_path, after, line))
    assert message in str(failure.value)


def test_prefer_not_to_say_is_a_choice_of_a_sensitive_question(tmp_path: Path) -> None:
    path = _survey_with(tmp_path, 'code = "1.2.1"\n', "relevant = \"${gender} != 'prefer_not'\"\n")
    assert load_survey(path).item_by_code["1.2.1"][1].relevant == "${gender} != 'prefer_not'"


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ({"group": "women ethnic_minority", "area": "rural"}, True),
        ({"group": "youth", "area": "remote"}, True),
        ({"group": "youth cso", "area": "rural"}, False),  # not(selected(cso))
        ({"group": "women", "area": "urban"}, False),
        ({"group": "prefer_not"}, False),  # unanswered area reads as empty
    ],
)
def test_an_expression_decides_for_stored_profile_answers(
    profile: dict[str, str], expected: bool
) -> None:
    node = parse_relevant(
        "(${area} = 'rural' or ${area} = 'remote') and not(selected(${group}, 'cso'))"
    )
    assert is_relevant(node, profile) is expected
