"""Broadcasts: preview, explicit confirm, limits, statuses, and resuming without duplicates."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.admin.broadcasting import tasks
from storage import audit, broadcasts, users
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import agree
from tests.outreach.conftest import (
    ADMIN,
    FileTelegram,
    english_admin,
    outreach_settings,
    sent_texts,
)

MESSAGE = "Join our scorecard meeting on Saturday"


async def _people(harness: Harness, first: int, count: int) -> list[Person]:
    people = [Person(first + n, "en") for n in range(count)]
    for person in people:
        await agree(harness, person)
    return people


async def _finish(harness: Harness) -> dict[str, int]:
    results = [await task for task in list(tasks(harness.app).values())]
    return results[-1]


def _received(harness: Harness, person: Person) -> int:
    """Messages that reached the person's chat (refused calls deliver nothing)."""
    return [m.text for m in harness.telegram.bot_messages(person.id)].count(MESSAGE)


async def test_preview_first_then_each_person_gets_it_once(outreach: Harness) -> None:
    people = await _people(outreach, 6000, 4)
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    preview = outreach.screen(admin)
    assert "Recipients: 5" in preview.text  # four respondents and the admin
    assert all(_received(outreach, person) == 0 for person in people)  # nothing before confirm
    send = outreach.button(admin, "Send now (5)")
    await outreach.press_data(admin, send, preview)
    counts = await _finish(outreach)
    assert counts["sent"] == 5
    assert all(_received(outreach, person) == 1 for person in people)
    report = outreach.screen(admin).text
    assert "Broadcast 1 finished." in report and "Sent: 5" in report and "Failed: 0" in report
    # A second tap on the old button sends nothing again.
    await outreach.press_data(admin, send, preview)
    await asyncio.sleep(0)
    assert all(_received(outreach, person) == 1 for person in people)
    assert "already sent" in outreach.telegram.callback_answers()[-1]["text"]
    outcomes = [entry.outcome for entry in await audit.recent(outreach.services.store, 3)]
    assert outcomes == ["rejected: #1 not a draft", "ok: #1 confirmed", "ok: draft #1 to 5"]


async def test_cancel_sends_nothing(outreach: Harness) -> None:
    people = await _people(outreach, 6100, 2)
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    await outreach.press(admin, "Cancel")
    assert "cancelled. Nothing was sent." in outreach.screen(admin).text
    assert tasks(outreach.app) == {}
    assert all(_received(outreach, person) == 0 for person in people)


async def test_forged_or_foreign_confirmations_do_nothing(outreach: Harness) -> None:
    people = await _people(outreach, 6200, 2)
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    preview = outreach.screen(admin)
    await outreach.press_data(admin, "o1|b|c|1;drop", preview)
    assert "not valid" in outreach.telegram.callback_answers()[-1]["text"]
    # A respondent who got hold of the button is refused.
    screen = outreach.screen(people[0])
    await outreach.press_data(people[0], "o1|b|c|1", screen)
    refusal = outreach.telegram.callback_answers()[-1]  # the press itself is answered
    assert refusal["text"] == "Not allowed." and refusal["show_alert"] is True
    assert outreach.screen(people[0]) is screen  # and nothing else is said
    assert tasks(outreach.app) == {}
    assert all(_received(outreach, person) == 0 for person in people)


async def test_audiences_paused_and_by_code(outreach: Harness) -> None:
    store = outreach.services.store
    await users.add_invitation(store, "partner-code-1", label="Youth")
    invited = Person(6301, "en")
    await outreach.text(invited, "/start partner-code-1")
    await outreach.press(invited, "English")
    await outreach.press(invited, "I agree")  # started: paused mid-survey
    never_began = Person(6302, "en")
    await outreach.text(never_began, "/start")
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast paused {MESSAGE}")
    assert "Recipients: 1" in outreach.screen(admin).text
    await outreach.text(
        admin, "/broadcast code=partner-code-1 link=partner-code-1\nLine 1\n\nLine 2"
    )
    assert "Recipients: 1" in outreach.screen(admin).text
    await outreach.press(admin, "Send now (1)")
    await _finish(outreach)
    # The message keeps its line breaks.
    assert outreach.screen(invited).text == "Line 1\n\nLine 2"
    assert outreach.telegram.bot_messages(never_began.id)[-1].text != "Line 1\n\nLine 2"
    call = [c for c in outreach.telegram.calls if c.params.get("text") == "Line 1\n\nLine 2"][-1]
    button = call.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == "https://t.me/ScorecardTestBot?start=partner-code-1"


async def test_a_csv_of_ids_is_an_audience(outreach: Harness) -> None:
    people = await _people(outreach, 6400, 3)
    telegram = outreach.telegram
    assert isinstance(telegram, FileTelegram)
    telegram.files["csv1"] = b"telegram_id\n6400\n6402\n"
    admin = Person(ADMIN, "en")
    message = telegram.add_user_message(ADMIN, "")
    await outreach.feed(
        {
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": {"id": ADMIN, "type": "private", "first_name": "Admin"},
                "from": admin.json(),
                "caption": f"/broadcast csv {MESSAGE}",
                "document": {"file_id": "csv1", "file_unique_id": "csv1", "file_size": 20},
            }
        }
    )
    assert "Recipients: 2" in outreach.screen(admin).text
    await outreach.press(admin, "Send now (2)")
    await _finish(outreach)
    assert [_received(outreach, person) for person in people] == [1, 0, 1]


async def _blocks_the_bot(harness: Harness, person: Person) -> None:
    """The my_chat_member update Telegram sends when someone blocks the bot."""
    bot_user = {"id": 700000001, "is_bot": True, "first_name": "Scorecard"}
    await harness.feed(
        {
            "my_chat_member": {
                "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
                "from": person.json(),
                "date": int(time.time()),
                "old_chat_member": {"status": "member", "user": bot_user},
                "new_chat_member": {"status": "kicked", "user": bot_user, "until_date": 0},
            }
        }
    )


async def test_opted_out_and_blocked_people_are_skipped_and_recorded(outreach: Harness) -> None:
    people = await _people(outreach, 6500, 4)
    await outreach.text(people[0], "/stop")
    await _blocks_the_bot(outreach, people[1])
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    assert "Recipients: 3" in outreach.screen(admin).text  # the admin and two respondents
    # One more blocks the bot after the preview, Telegram says so for another.
    await outreach.text(people[2], "/stop")
    outreach.telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await outreach.press(admin, "Send now (3)")
    counts = await _finish(outreach)
    assert counts["sent"] + counts["blocked"] + counts["skipped"] == 3
    assert counts["skipped"] == 1 and counts["blocked"] == 1
    assert [_received(outreach, person) for person in people[:3]] == [0, 0, 0]
    assert "Blocked the bot: 1" in outreach.screen(admin).text


async def test_429_waits_retry_after_and_still_delivers_once(outreach: Harness) -> None:
    people = await _people(outreach, 6600, 3)
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    outreach.telegram.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    await outreach.press(admin, "Send now (4)")
    counts = await _finish(outreach)
    assert time.monotonic() - started >= 1.0
    assert counts["sent"] == 4
    assert all(_received(outreach, person) == 1 for person in people)
    # The preview, four deliveries and the one call refused with 429 and repeated.
    calls = [sent_texts(outreach.telegram, p.id).count(MESSAGE) for p in [*people, admin]]
    assert sum(calls) == 1 + 4 + 1


async def test_bad_requests_are_failed_with_a_reason(outreach: Harness) -> None:
    await _people(outreach, 6700, 1)
    admin = Person(ADMIN, "en")
    await outreach.text(admin, f"/broadcast all {MESSAGE}")
    outreach.telegram.fail("sendMessage", 400, "Bad Request: chat not found")
    await outreach.press(admin, "Send now (2)")
    counts = await _finish(outreach)
    assert counts["failed"] == 1 and counts["sent"] == 1
    reasons = await broadcasts.failure_reasons(outreach.services.store, 1)
    assert reasons == [("Chat not found", 1)]


async def test_a_restart_resumes_without_sending_anyone_twice(database: Path) -> None:
    settings = outreach_settings(database)
    people = [Person(6800 + n, "en") for n in range(6)]
    async with Harness(settings, FileTelegram()) as before:
        await english_admin(before)
        for person in people:
            await agree(before, person)
        store = before.services.store
        broadcast_id = await broadcasts.create(
            store, ADMIN, "all", MESSAGE, [(p.id, None) for p in people], report_chat_id=ADMIN
        )
        await broadcasts.set_status(store, broadcast_id, "running", expect="draft")
        # The crash: two were sent, one was mid-call, three still wait.
        for person in people[:3]:
            assert (await broadcasts.claim_next(store, broadcast_id)) is not None
            if person is not people[2]:
                await broadcasts.finish_recipient(store, broadcast_id, person.id, "sent")
    after = Harness(settings, FileTelegram())
    async with after:
        await after.app.start()  # the start-up job resumes the broadcast
        for _ in range(100):
            if tasks(after.app):
                break
            await asyncio.sleep(0.05)
        counts = await _finish(after)
        await after.app.stop()
    assert counts["sent"] == 5 and counts["uncertain"] == 1
    assert [_received(after, person) for person in people] == [0, 0, 0, 1, 1, 1]
    assert "Uncertain (interrupted mid-send, not resent): 1" in after.screen(Person(ADMIN)).text


async def test_broadcasts_at_once_share_the_rate_limit(database: Path) -> None:
    settings = outreach_settings(database, broadcast_rate=10)
    async with Harness(settings, FileTelegram()) as harness:
        await english_admin(harness)
        people = await _people(harness, 6900, 4)
        admin = Person(ADMIN, "en")
        for audience in ("all", "paused"):
            await harness.text(admin, f"/broadcast {audience} {MESSAGE}")
        previews = [m for m in harness.telegram.bot_messages(ADMIN) if m.buttons()]
        started = time.monotonic()
        for preview in previews:
            await harness.press_data(admin, preview.buttons()[0]["callback_data"], preview)
        for task in list(tasks(harness.app).values()):
            await task
        elapsed = time.monotonic() - started
    # 5 + 4 messages at 10 a second overall: no faster than 0.8 s, however many broadcasts.
    assert elapsed >= 0.8
    assert all(_received(harness, person) == 2 for person in people)
