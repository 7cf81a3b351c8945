"""The one gate (conversations.gate): every kind of input against every state.

Each row of the table is a state a person can be in; each column a kind of
input (a survey button, a text, a voice note, and ten kinds of media). Every
cell goes through the real Application and the offline request layer, and
says what the person notices: the note they get (an alert or a message), the
screen they end on, and what was stored (the database, compared before and
after). The voice note from a child waiting for a guardian is one of the cells.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conversations.callbacks import step_data
from storage import rounds
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, rating_button
from tests.test_children import become_child
from tests.test_facilitation import make_facilitator, start_interview
from tests.test_facilitation import settings as facilitation_settings

GROUP = -1009876543210

# Anything the survey cannot read, as Telegram sends it.
MEDIA: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p1", "file_unique_id": "p1u", "width": 90, "height": 90}]},
    "document": {"document": {"file_id": "d1", "file_unique_id": "d1u", "file_name": "a.pdf"}},
    "contact": {"contact": {"phone_number": "+84900000000", "first_name": "Hoa"}},
    "location": {"location": {"latitude": 21.03, "longitude": 105.85}},
    "sticker": {
        "sticker": {
            "file_id": "s1",
            "file_unique_id": "s1u",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    },
    "video": {
        "video": {
            "file_id": "vi1",
            "file_unique_id": "vi1u",
            "width": 9,
            "height": 9,
            "duration": 3,
        }
    },
    "audio": {"audio": {"file_id": "a1", "file_unique_id": "a1u", "duration": 3}},
    "animation": {
        "animation": {
            "file_id": "an1",
            "file_unique_id": "an1u",
            "width": 9,
            "height": 9,
            "duration": 1,
        },
        "document": {"file_id": "an1", "file_unique_id": "an1u"},
    },
    "video_note": {
        "video_note": {"file_id": "vn1", "file_unique_id": "vn1u", "length": 240, "duration": 2}
    },
    "dice": {"dice": {"emoji": "🎲", "value": 4}},
}
KINDS = ["button", "text", "voice", *MEDIA]

# What the person notices, from the texts of alerts and messages (first match).
NOTES = [
    ("not for you", "not yours"),
    ("private chat", "private"),
    ("wait for your parent or guardian", "wait"),
    ("already submitted", "submitted"),
    ("Please use the buttons", "use buttons"),
    ("only read text messages", "only text"),
    ("out of date", "out of date"),
    ("Saved your voice comment", "voice kept"),
    ("typed notes only", "typed notes only"),
    ("Saved", "saved"),
]
# Tables whose rows are answers or about the person (users: their chat id too).
TABLES = [
    "SELECT * FROM ratings",
    "SELECT * FROM texts",
    "SELECT response_id, question_id, file_unique_id FROM voice_comments",
    "SELECT * FROM profile_answers",
    "SELECT * FROM choices",
    "SELECT user_id, agreed FROM consents",
    "SELECT * FROM guardian_consents",
    "SELECT * FROM session_scores",
    "SELECT * FROM session_notes",
    "SELECT telegram_id, chat_id FROM users",
]


@dataclass(frozen=True)
class Outcome:
    notes: tuple[str, ...]  # what the person was told, in alerts and messages
    screen: str  # where they end up: the last message the bot sent or edited
    stored: tuple[str, ...]  # the tables that changed


@dataclass
class Cell:
    """Who sends, from which chat, and what the button press is."""

    person: Person
    chat_id: int
    chat_type: str = "private"
    press: Callable[[Harness], str] | None = None  # the button's callback data


def nothing(*notes: str, screen: str = "unchanged") -> Outcome:
    return Outcome(tuple(notes), screen, ())


def stored(screen: str, notes: tuple[str, ...], *tables: str) -> Outcome:
    return Outcome(notes, screen, tuple(tables))


def row(button: Outcome, text: Outcome, voice: Outcome, media: Outcome) -> dict[str, Outcome]:
    return {"button": button, "text": text, "voice": voice, **dict.fromkeys(MEDIA, media)}


# The table: for each state, what each kind of input does. --------------------------

ANSWERING = row(
    stored("question", ("saved",), "ratings"),
    stored("question", ("saved",), "ratings"),  # "4": a typed rating
    stored("question", ("voice kept",), "voice_comments"),
    nothing("only text", screen="question"),
)
BEFORE_CONSENT = row(
    nothing(screen="consent"),
    nothing("use buttons", screen="consent"),
    nothing("use buttons", screen="consent"),
    nothing("only text", screen="consent"),
)
EXPECTED: dict[str, dict[str, Outcome]] = {
    "no consent yet": BEFORE_CONSENT,
    "consent declined": BEFORE_CONSENT,
    "answering": ANSWERING,
    "answering, round closed": ANSWERING,
    "submitted": row(
        nothing("submitted"),
        nothing("use buttons", screen="thanks"),
        nothing("use buttons", screen="thanks"),
        nothing("only text", screen="thanks"),
    ),
    "child waiting for a guardian": row(
        nothing("wait", screen="waiting"),
        nothing("wait", screen="waiting"),
        nothing("wait", screen="waiting"),  # the voice note that used to move on
        nothing("wait", screen="waiting"),
    ),
    "child, guardian agreed": ANSWERING,
    "someone else's private chat": row(nothing("not yours"), nothing(), nothing(), nothing()),
    "a group": row(nothing("private"), nothing(), nothing(), nothing()),
    "facilitator in a group session": row(
        nothing("out of date", screen="question"),  # a press on their own survey's button
        stored("session", ("saved",), "session_scores"),  # "4": the session's consensus
        nothing("typed notes only", screen="note"),
        nothing("only text", screen="question"),  # their own survey's question again
    ),
    "facilitator in an interview": row(
        stored("interview", ("saved",), "ratings"),
        stored("interview", ("saved",), "ratings"),
        stored("interview", ("voice kept",), "voice_comments"),
        nothing("only text", screen="interview"),
    ),
}


def live_rating(person: Person) -> Callable[[Harness], str]:
    return lambda harness: rating_button(harness, person, "n", "4")


def forged_rating(harness: Harness) -> str:
    """A well-formed rating button, as an old message or a client could send it."""
    return step_data(harness.services.survey, "r0", "n4")


# The states ---------------------------------------------------------------------------


async def answering(harness: Harness) -> Cell:
    person = Person(6001, "en")
    await agree(harness, person)
    await answer_profile(harness, person)
    return Cell(person, person.id, press=live_rating(person))


async def no_consent_yet(harness: Harness) -> Cell:
    person = Person(6002, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")
    return Cell(person, person.id, press=forged_rating)


async def consent_declined(harness: Harness) -> Cell:
    person = Person(6003, "en")
    await harness.text(person, "/start")
    await harness.press(person, "English")
    await harness.press(person, "No, thank you")
    return Cell(person, person.id, press=forged_rating)


async def round_closed(harness: Harness) -> Cell:
    cell = await answering(harness)
    store, survey = harness.services.store, harness.services.survey
    await rounds.open_round(store, "2026", "First round", (2026, 2030), survey.content_hash)
    await rounds.close_round(store, "2026")
    return cell


async def submitted(harness: Harness) -> Cell:
    cell = await answering(harness)
    await answer_all(harness, cell.person)
    await harness.press(cell.person, "Submit")
    return Cell(cell.person, cell.person.id, press=forged_rating)


async def child_waiting(harness: Harness) -> Cell:
    child = Person(6004, "en")
    await become_child(harness, child)
    return Cell(child, child.id, press=forged_rating)


async def guardian_agreed(harness: Harness) -> Cell:
    child, parent = Person(6005, "en"), Person(6006, "en")
    token = await become_child(harness, child)
    await harness.text(parent, f"/start g{token}")
    await harness.press(parent, "Yes, I am the parent")
    await harness.press(child, "Yes, start")
    await answer_profile(harness, child)
    return Cell(child, child.id, press=live_rating(child))


async def other_persons_chat(harness: Harness) -> Cell:
    """A forged update: the sender's own survey, sent from another person's chat."""
    cell = await answering(harness)
    victim = Person(6007, "en")
    await agree(harness, victim)
    return Cell(cell.person, victim.id, press=live_rating(cell.person))


async def group(harness: Harness) -> Cell:
    cell = await answering(harness)
    return Cell(cell.person, GROUP, "supergroup", press=live_rating(cell.person))


async def in_session(harness: Harness) -> Cell:
    facilitator = await make_facilitator(harness)
    await harness.text(facilitator, "/session")
    for label in ("Youth", "North", "Rural"):
        await harness.press(facilitator, label)
    await harness.text(facilitator, "12 7 5")
    assert "Indicator 1 of 69" in harness.screen(facilitator).text
    return Cell(facilitator, facilitator.id, press=forged_rating)


async def in_interview(harness: Harness) -> Cell:
    facilitator = await make_facilitator(harness)
    await start_interview(harness, facilitator)
    await answer_profile(harness, facilitator)
    return Cell(facilitator, facilitator.id, press=live_rating(facilitator))


STATES: dict[str, Callable[[Harness], Awaitable[Cell]]] = {
    "no consent yet": no_consent_yet,
    "consent declined": consent_declined,
    "answering": answering,
    "answering, round closed": round_closed,
    "submitted": submitted,
    "child waiting for a guardian": child_waiting,
    "child, guardian agreed": guardian_agreed,
    "someone else's private chat": other_persons_chat,
    "a group": group,
    "facilitator in a group session": in_session,
    "facilitator in an interview": in_interview,
}


# Sending and observing ----------------------------------------------------------------


def _message(harness: Harness, cell: Cell, content: dict[str, Any]) -> dict[str, Any]:
    message = harness.telegram.add_user_message(cell.chat_id, content.get("text", ""))
    chat: dict[str, Any] = {"id": cell.chat_id, "type": cell.chat_type}
    if cell.chat_type != "private":
        chat["title"] = "Village group"
    return {
        "message": {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": cell.person.json(),
            **content,
        }
    }


async def send(harness: Harness, cell: Cell, kind: str) -> None:
    if kind == "button":
        assert cell.press is not None
        data = cell.press(harness)
        message = harness.telegram.last_bot_message(cell.person.id)
        shown = harness.telegram.message_json(cell.chat_id, message)
        shown["chat"]["type"] = cell.chat_type
        query = {
            "id": f"q{time.monotonic_ns()}",
            "from": cell.person.json(),
            "chat_instance": "gate",
            "data": data,
            "message": shown,
        }
        await harness.feed({"callback_query": query})
    elif kind == "text":
        await harness.feed(_message(harness, cell, {"text": "4"}))
    elif kind == "voice":
        voice = {"file_id": "v9", "file_unique_id": "v9u", "duration": 3, "file_size": 64}
        await harness.feed(_message(harness, cell, {"voice": voice}))
    else:
        await harness.feed(_message(harness, cell, MEDIA[kind]))


def _chats(harness: Harness) -> dict[tuple[int, int], tuple[str, str]]:
    return {
        (chat, m.message_id): (m.text, repr(m.reply_markup))
        for chat, messages in harness.telegram.chats.items()
        for m in messages.values()
        if m.from_bot and not m.deleted
    }


async def _database(harness: Harness) -> list[list[tuple[Any, ...]]]:
    store = harness.services.store
    return [sorted(tuple(r) for r in await store.fetchall(sql)) for sql in TABLES]


def _screen(text: str, buttons: list[str], pseudonyms: list[str]) -> str:
    if any(p in text for p in pseudonyms):
        return "interview"
    if any(b.startswith("g1|") for b in buttons):
        return "session"
    if "First, ask a parent" in text:
        return "waiting"
    if "Your scorecard has been submitted" in text:
        return "thanks"
    if "Do you agree to take part?" in text:
        return "consent"
    if any(b.startswith("1|") and b.count("|") == 3 for b in buttons):
        return "question"
    return "note"


async def observe(harness: Harness, cell: Cell, kind: str) -> Outcome:
    chats, database = _chats(harness), await _database(harness)
    calls = len(harness.telegram.calls)
    await send(harness, cell, kind)
    said = [
        str(call.params.get("text") or "")
        for call in harness.telegram.calls[calls:]
        if call.method in {"sendMessage", "answerCallbackQuery", "editMessageText"}
    ]
    notes = []
    for text in said:
        label = next((label for phrase, label in NOTES if phrase in text), None)
        if label is not None and label not in notes:
            notes.append(label)
    after = _chats(harness)
    changed = sorted(key for key, value in after.items() if chats.get(key) != value)
    screen = "unchanged"
    if changed:
        chat, message_id = changed[-1]
        message = harness.telegram.chats[chat][message_id]
        pseudonyms = [
            r[0]
            for r in await harness.services.store.fetchall(
                "SELECT pseudonym FROM users WHERE telegram_id < 0"
            )
        ]
        screen = _screen(
            message.text, [b.get("callback_data", "") for b in message.buttons()], pseudonyms
        )
    now = await _database(harness)
    tables = tuple(
        sql.split(" FROM ")[1]
        for sql, old, new in zip(TABLES, database, now, strict=True)
        if old != new
    )
    return Outcome(tuple(notes), screen, tables)


@pytest.mark.parametrize("state", list(STATES))
async def test_every_input_kind_in_every_state(database: Path, state: str) -> None:
    async with Harness(facilitation_settings(database)) as harness:
        cell = await STATES[state](harness)
        seen = {kind: await observe(harness, cell, kind) for kind in KINDS}
    assert seen == EXPECTED[state]


async def test_a_forged_press_never_rebinds_the_pressers_chat(database: Path) -> None:
    """Issue 18: a press on another person's private message is refused, and
    reminders keep going to the presser's own chat."""
    async with Harness(make_settings(database)) as harness:
        cell = await other_persons_chat(harness)
        victim_chat = list(harness.telegram.bot_messages(6007))
        for kind in KINDS:
            await send(harness, cell, kind)
        rows = await harness.services.store.fetchall("SELECT telegram_id, chat_id FROM users")
        assert sorted(tuple(r) for r in rows) == [(6001, 6001), (6007, 6007)]
        assert harness.telegram.bot_messages(6007) == victim_chat  # nothing posted there


async def test_an_ordinary_respondents_message_makes_no_session_lookup(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The facilitator focus rides along with the state query: a respondent's text
    or voice note costs no query for a group session (the gate knows there is none)."""
    from storage import facilitation, sessions

    async with Harness(make_settings(database)) as harness:
        cell = await answering(harness)
        looked_up: list[str] = []

        async def lookup(*_args: object) -> None:
            looked_up.append("lookup")

        monkeypatch.setattr(facilitation, "get_focus", lookup)
        monkeypatch.setattr(sessions, "get_session", lookup)
        for kind in ("text", "voice"):
            assert await observe(harness, cell, kind) == ANSWERING[kind]
        assert looked_up == []
