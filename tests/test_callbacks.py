"""The callback-data codec (issue 15): one format table, every field checked.

Unit tests round-trip every flow and reject a table of forged inputs per flow;
the tests at the end press forged and refused buttons through the real
Application and check the alert, the single answer and that nothing is stored.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from conversations import callbacks, sessions
from conversations.callbacks import (
    ActionPress,
    BroadcastChoice,
    Choice,
    Continue,
    ForgedCallback,
    GuardianDecision,
    InterviewConsent,
    SessionPress,
    StaleCallback,
    StepAction,
    StepPress,
)
from conversations.guardian import new_token
from storage.dialect import is_postgres
from survey.model import load_survey
from survey.steps import find_step
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_profile

SURVEY = load_survey()
TAG = callbacks.survey_tag(SURVEY)
TOKEN = "Qx1_-abcdefghijklmnopw"  # the exact shape of token_urlsafe(16)
ADMIN = 9001
FACILITATOR = 987654321


# --- round trips ------------------------------------------------------------------


ROUND_TRIPS: list[tuple[str, str, object]] = [
    # (encoded by the codec, the bytes already in people's chats, decoded)
    (callbacks.choice_data("L", "vi"), "1|L|vi", Choice("L", "vi")),
    (callbacks.choice_data("L", "en"), "1|L|en", Choice("L", "en")),
    (callbacks.choice_data("C", "y"), "1|C|y", Choice("C", "y")),
    (callbacks.choice_data("C", "n"), "1|C|n", Choice("C", "n")),
    (callbacks.choice_data("D", "y"), "1|D|y", Choice("D", "y")),
    (callbacks.choice_data("K", "l"), "1|K|l", Choice("K", "l")),
    (callbacks.choice_data("U", "y"), "1|U|y", Choice("U", "y")),
    (callbacks.step_data(SURVEY, "r0", "n3"), f"1|{TAG}|r0|n3", StepPress(TAG, "r0", "n3")),
    (callbacks.step_data(SURVEY, "ed", "r12"), f"1|{TAG}|ed|r12", StepPress(TAG, "ed", "r12")),
    (callbacks.CONTINUE, "o1|r|go", Continue()),
    (callbacks.confirm_data(12), "o1|b|c|12", BroadcastChoice(True, 12)),
    (
        callbacks.cancel_data(9_999_999_999),
        "o1|b|x|9999999999",
        BroadcastChoice(False, 9_999_999_999),
    ),
    (callbacks.consent_data("a"), "i1|c|a", InterviewConsent("a")),
    (callbacks.consent_data("g"), "i1|c|g", InterviewConsent("g")),
    (callbacks.consent_data("n"), "i1|c|n", InterviewConsent("n")),
    (callbacks.session_data(3, "i12", "n4"), "g1|3|i12|n4", SessionPress(3, "i12", "n4")),
    (callbacks.session_data(1, "pg", "0"), "g1|1|pg|0", SessionPress(1, "pg", "0")),
    (callbacks.session_data(7, "tr", "s"), "g1|7|tr|s", SessionPress(7, "tr", "s")),
    (callbacks.session_data(7, "rv", "sub"), "g1|7|rv|sub", SessionPress(7, "rv", "sub")),
    (callbacks.guardian_data("a", TOKEN), f"gc1|a|{TOKEN}", GuardianDecision("a", TOKEN)),
    (callbacks.guardian_data("b", TOKEN), f"gc1|b|{TOKEN}", GuardianDecision("b", TOKEN)),
    (callbacks.guardian_data("n", TOKEN), f"gc1|n|{TOKEN}", GuardianDecision("n", TOKEN)),
    (callbacks.action_data("l"), "a1|l", ActionPress("l")),
    (callbacks.action_data("n"), "a1|n", ActionPress("n")),
    (callbacks.action_data("y"), "a1|y", ActionPress("y")),
    (callbacks.action_data("c", 68), "a1|c|68", ActionPress("c", 68)),
    (callbacks.action_data("v", 12), "a1|v|12", ActionPress("v", 12)),
    (callbacks.action_data("t", 12, "done"), "a1|t|12|d", ActionPress("t", 12, "done")),
    (callbacks.action_data("t", 3, "in_progress"), "a1|t|3|p", ActionPress("t", 3, "in_progress")),
]


@pytest.mark.parametrize(("encoded", "wire", "decoded"), ROUND_TRIPS)
def test_every_flow_round_trips_byte_for_byte(encoded: str, wire: str, decoded: object) -> None:
    assert encoded == wire
    assert callbacks.decode(wire) == decoded
    assert len(wire.encode()) <= callbacks.MAX_BYTES


def test_decoded_values_carry_their_meaning() -> None:
    assert InterviewConsent("a").method == "verbal"
    assert InterviewConsent("g").method == "guardian"
    assert InterviewConsent("n").method is None
    assert (GuardianDecision("a", TOKEN).agreed, GuardianDecision("a", TOKEN).relation) == (
        True,
        "parent",
    )
    assert GuardianDecision("b", TOKEN).relation == "guardian"
    assert (GuardianDecision("n", TOKEN).agreed, GuardianDecision("n", TOKEN).relation) == (
        False,
        None,
    )
    step = find_step(SURVEY, "r0")
    assert callbacks.parse(f"1|{TAG}|r0|n3", SURVEY) == StepAction(step, "n3")
    assert callbacks.parse(f"1|{TAG}|ed|r0", SURVEY) == StepAction(None, "er0")
    assert callbacks.parse(f"1|{TAG}|rv|sub", SURVEY) == StepAction(None, "sub")


def test_real_guardian_tokens_always_have_the_checked_shape() -> None:
    for _ in range(500):
        token = new_token()
        assert callbacks.is_token(token)
        assert callbacks.decode_guardian(callbacks.guardian_data("a", token)).token == token


def test_each_route_pattern_takes_its_own_flow_only() -> None:
    samples = {flow: [w for _e, w, _d in ROUND_TRIPS if callbacks.flow_of(w) is flow]
               for flow in callbacks.FLOWS.values()}  # fmt: skip
    for flow in callbacks.FLOWS.values():
        assert samples[flow]
        for other, wires in samples.items():
            for wire in wires:
                assert bool(re.match(flow.pattern, wire)) is (other is flow), (flow, wire)


def test_the_session_steps_agree_with_the_codec() -> None:
    assert tuple(sessions.PROFILE_STEPS) == callbacks.SESSION_PROFILE_STEPS
    assert tuple(sessions.TEXT_STEPS) == callbacks.SESSION_TEXT_STEPS
    assert len(SURVEY.items) <= callbacks.MAX_INDICATOR + 1


def test_the_encoders_refuse_to_build_what_decode_would_reject() -> None:
    with pytest.raises(ValueError):
        callbacks.guardian_data("a", "B" * 22)  # not the last character of a real token
    with pytest.raises(ValueError):
        callbacks.session_data(1, "i0", "n" * 80)  # over 64 bytes
    with pytest.raises(ValueError):
        callbacks.choice_data("L", "tiếng")  # not ASCII


# --- forged data, flow by flow ----------------------------------------------------

COMMON = [
    None,
    "",
    "garbage",
    "|",
    "2|L|vi",  # an unknown version
    "x1|r|go",  # an unknown prefix
    "O1|r|go",
]

FORGED: dict[str, list[str]] = {
    "journey": [
        "1",
        "1|L",  # a missing field
        "1|L|vi|x",  # an extra field
        "1|L|fr",
        "1|L|VI",
        "1|C|maybe",
        "1|X|y",
        "1|L|vì",  # not ASCII
        "1|L|v i",
        "1|L|vi\n",
        f"1|{TAG}|r0",
        f"1|{TAG}|r0|n3|x",
        "1||r0|n3",  # an empty field
        f"1|{TAG}|r0|",
        "1|ABCDEF|r0|n3",  # the tag is lower-case hex
        "1|abcde|r0|n3",
        "1|abcdefg|r0|n3",
        f"1|{TAG}|R0|n3",
        f"1|{TAG}|r0|N3",
        f"1|{TAG}|r0|n-3",
        f"1|{TAG}|r0|n3" + "x" * 60,  # over 64 bytes
    ],
    "outreach": [
        "o1",
        "o1|",
        "o1|r",
        "o1|r|stop",
        "o1|r|go|x",
        "o1|x|go",
        "o1|nonsense",
        "o1|b|c",
        "o1|b|c|1|2",
        "o1|b|z|1",
        "o1|b|C|1",
        "o1|b|c|0",
        "o1|b|c|-1",
        "o1|b|c|+1",
        "o1|b|c|01",
        "o1|b|c|1.0",
        "o1|b|c|1e3",
        "o1|b|c| 1",
        "o1|b|c|1;drop",
        "o1|b|c|10000000000",  # 11 digits
        "o1|b|c|" + "9" * 40,
        "o1|b|c|" + "9" * 60,  # over 64 bytes
        "o1|b|c|١",  # a digit, but not ASCII
    ],
    "interview": [
        "i1",
        "i1|c",
        "i1|c|x",
        "i1|c|A",
        "i1|c|a|a",
        "i1|d|a",
        "i1||a",
        "i1|c|á",
        "i2|c|a",
    ],
    "session": [
        "g1|1|i0",
        "g1|1|i0|n3|x",
        "g1|0|i0|n3",  # ids are positive
        "g1|-1|i0|n3",
        "g1|01|i0|n3",
        "g1|a|i0|n3",
        "g1|99999999999|i0|n3",  # beyond MAX_ID
        "g1|1|i0|n9",
        "g1|1|i0|n0",
        "g1|1|i0|z",
        "g1|1|i0|N3",
        "g1|1|i01|n3",  # a non-canonical index
        "g1|1|i1000|n3",
        "g1|1|i|n3",
        "g1|1|pp|1",  # typed, no buttons
        "g1|1|zz|s",
        "g1|1|pg|01",
        "g1|1|pg|a",
        "g1|1|pg|1000",
        "g1|1|rv|go",
        "g1|1|tp|k",
        "g1|1|i0|n3" + " " * 60,
        "g1|1|i0|ñ3",
    ],
    "guardian": [
        "gc1|a",
        f"gc1|a|{TOKEN}|x",
        f"gc1|z|{TOKEN}",
        f"gc1|A|{TOKEN}",
        f"gc1||{TOKEN}",
        "gc1|a|" + "B" * 22,  # the last character cannot end a 128-bit token
        "gc1|a|" + "A" * 21,
        "gc1|a|" + "A" * 23,
        "gc1|a|" + TOKEN[:-1] + "=",
        "gc1|a|" + "+" + TOKEN[1:],  # standard, not URL-safe, base64
        "gc1|a|" + "/" + TOKEN[1:],
        "gc1|a|" + "é" + TOKEN[2:],
        "gc1|a|" + TOKEN + "A" * 40,
        "gc2|a|" + TOKEN,
        "g1|a|" + TOKEN,  # a session's prefix
    ],
    "actions": [
        "a1|z",
        "a1|l|1",
        "a1|c",
        "a1|c|07",
        "a1|c|-1",
        "a1|c|1000",
        "a1|v|0",
        "a1|v|x",
        "a1|t|1",
        "a1|t|1|a",  # agreed is where an action starts, never a step
        "a1|t|1|d|x",
        "a2|l",
    ],
}

DECODERS = {
    "journey": callbacks.decode_journey,
    "outreach": callbacks.decode_outreach,
    "interview": callbacks.decode_interview,
    "session": callbacks.decode_session,
    "guardian": callbacks.decode_guardian,
    "actions": callbacks.decode_actions,
}

CASES = [(flow, data) for flow, rows in FORGED.items() for data in [*COMMON, *rows]]


@pytest.mark.parametrize(("flow", "data"), CASES)
def test_forged_data_is_rejected_with_a_reason(flow: str, data: str | None) -> None:
    with pytest.raises(ForgedCallback) as raised:
        DECODERS[flow](data)
    assert str(raised.value)
    if flow != "journey":  # every other flow's decode is final; the journey's is below
        with pytest.raises(ForgedCallback):
            callbacks.decode(data)


@pytest.mark.parametrize(
    "data",
    [
        f"1|{TAG}|r999|n3",  # an item the survey does not have
        f"1|{TAG}|r0|n9",
        f"1|{TAG}|r0|x3",
        f"1|{TAG}|r0|n3x",
        f"1|{TAG}|p0|a07",
        f"1|{TAG}|p0|a99",
        f"1|{TAG}|ed|zz9",  # an unknown step to edit
        f"1|{TAG}|rv|s999",
        f"1|{TAG}|rv|go",
        f"1|{TAG}|q0|a6",
    ],
)
def test_journey_presses_are_checked_against_the_survey(data: str) -> None:
    callbacks.decode_journey(data)  # well-formed ...
    with pytest.raises(ForgedCallback) as raised:  # ... but not this survey's
        callbacks.parse(data, SURVEY)
    assert not isinstance(raised.value, StaleCallback)


def test_another_survey_version_is_stale_not_forged() -> None:
    other = "ffffff" if TAG != "ffffff" else "000000"
    with pytest.raises(StaleCallback):
        callbacks.parse(f"1|{other}|r0|n3", SURVEY)
    with pytest.raises(StaleCallback):
        callbacks.parse(f"1|{other}|r0n|3", SURVEY)  # an older file's step names


@pytest.mark.parametrize(
    "data",
    [
        "g1|1|i69|n3",  # the survey has 69 indicators
        "g1|1|i999|k",
        "g1|1|i0|b",  # no Back before the first indicator
        "g1|1|pg|99",  # a choice the question does not have
    ],
)
def test_session_presses_are_checked_against_the_survey(data: str) -> None:
    callbacks.decode_session(data)
    with pytest.raises(ForgedCallback):
        sessions.parse_press(data, SURVEY)


def test_is_choice_is_the_codec_not_a_count_of_bars() -> None:
    assert callbacks.is_choice("1|L|vi")
    assert not callbacks.is_choice("o1|r|go")  # two bars, another flow
    assert not callbacks.is_choice("1|L|fr")
    assert not callbacks.is_choice(f"1|{TAG}|r0|n3")
    assert not callbacks.is_choice(None)


# --- through the real Application ------------------------------------------------


@pytest.fixture
async def running(database: Path) -> AsyncIterator[Harness]:
    settings = make_settings(database, access={"admins": [ADMIN]})
    async with Harness(settings) as harness:
        yield harness


async def snapshot(harness: Harness) -> dict[str, list[tuple[Any, ...]]]:
    store = harness.services.store
    names = await store.fetchall(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        " AND table_type = 'BASE TABLE'"
        if is_postgres(store.path)
        else "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return {
        row[0]: sorted(map(tuple, await store.fetchall(f'SELECT * FROM "{row[0]}"')), key=repr)
        for row in names
    }


def answers_of(harness: Harness, query_id: str) -> list[dict[str, Any]]:
    return [a for a in harness.telegram.callback_answers() if a["callback_query_id"] == query_id]


async def press_once(harness: Harness, person: Person, data: str, query_id: str) -> None:
    """A press with a given query id, so that the same press can be delivered again."""
    message = harness.telegram.last_bot_message(person.id)
    await harness.feed(
        {
            "callback_query": {
                "id": query_id,
                "from": person.json(),
                "chat_instance": str(person.id * 7),
                "data": data,
                "message": harness.telegram.message_json(person.id, message),
            }
        }
    )


async def setup_every_flow(harness: Harness) -> tuple[Person, Person, Person]:
    """A respondent on the first rating, an admin with a draft broadcast, and a
    facilitator with an interview consent screen and an open group session."""
    respondent, admin, facilitator = (
        Person(7101, "en"),
        Person(ADMIN, "en"),
        Person(FACILITATOR, "en"),
    )
    await agree(harness, respondent)
    await answer_profile(harness, respondent)
    await agree(harness, admin)
    await harness.text(admin, "/broadcast all Hello everyone")
    await harness.text(admin, f"/facilitator add {FACILITATOR}")
    await agree(harness, facilitator)
    await harness.text(facilitator, "/session")
    await harness.text(facilitator, "/interview")
    return respondent, admin, facilitator


async def test_a_forged_press_on_every_flow_gets_an_alert_and_stores_nothing(
    running: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    respondent, admin, facilitator = await setup_every_flow(running)
    before = await snapshot(running)
    presses = [
        (respondent, f"1|{TAG}|r0|n9"),
        (respondent, "1|L|fr"),
        (respondent, "1|L|vì"),
        (admin, "o1|b|c|-1"),
        (admin, "o1|b|c|99999999999"),
        (admin, "o1|b|c|1|x"),
        (facilitator, "i1|c|x"),
        (facilitator, "i1|c|a|" + "a" * 60),
        (facilitator, "g1|-1|i0|n3"),
        (facilitator, "g1|1|i0|n9"),
        (facilitator, "g1|1|pg|99"),
        (respondent, "gc1|a|" + "B" * 22),
        (respondent, "gc1|z|" + new_token()),
    ]
    for number, (person, data) in enumerate(presses):
        query_id = f"forged{number}"
        sent = len(running.telegram.calls)
        with caplog.at_level(logging.INFO):
            await press_once(running, person, data, query_id)
        answers = answers_of(running, query_id)
        assert len(answers) == 1, data
        assert answers[0].get("show_alert") is True, data
        assert "not valid" in answers[0]["text"], data
        later = [c.method for c in running.telegram.calls[sent:]]
        assert later == ["answerCallbackQuery"], (data, later)  # no message, no edit
    assert await snapshot(running) == before
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("who", "data"),
    [
        ("respondent", "o1|b|c|1"),  # a respondent who got hold of the admin's button
        ("respondent", "g1|1|i0|n3"),  # a non-facilitator's session button
        ("respondent", "i1|c|a"),
        ("respondent", "o1|b|c|-1"),  # forged as well
    ],
)
async def test_a_refused_press_delivered_twice_is_answered_once_and_logs_no_traceback(
    running: Harness, caplog: pytest.LogCaptureFixture, who: str, data: str
) -> None:
    respondent, _admin, _facilitator = await setup_every_flow(running)
    before = await snapshot(running)
    query_id = f"twice{time.monotonic_ns()}{secrets.token_hex(2)}"
    with caplog.at_level(logging.INFO):
        await press_once(running, respondent, data, query_id)
        first = answers_of(running, query_id)
        assert len(first) == 1 and first[0]["show_alert"] is True
        # Telegram delivers it again; by now the query can no longer be answered.
        running.telegram.fail(
            "answerCallbackQuery",
            400,
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        )
        await press_once(running, respondent, data, query_id)
    assert len(answers_of(running, query_id)) == 2  # one attempt per delivery, no more
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "Traceback" not in caplog.text
    assert await snapshot(running) == before
