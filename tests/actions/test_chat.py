"""/actions in chat, through the real Application: list, a guided new action,
status steps, and refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from storage import actions, users
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import ADMIN, COORDINATOR, STRANGER, FilesTelegram, digest_settings

SOON = date.today() + timedelta(days=30)


async def stored(h: Harness) -> list[tuple[object, ...]]:
    rows = await h.services.store.fetchall(
        "SELECT id, status, scope, issue, agreed, organisation, role, due_on FROM actions"
    )
    return [tuple(r) for r in rows]


async def test_an_admin_enters_an_action_with_buttons_and_moves_it_on(
    digest_harness: Harness,
) -> None:
    h, admin = digest_harness, Person(ADMIN, "en")
    await h.text(admin, "/actions")
    assert "No actions yet" in h.screen(admin).text
    await h.press(admin, "New action")
    screen = h.screen(admin)
    # The lowest-scoring shown indicators of the digest: 1.1.1 (2.43); 4.1.1's mean
    # (two women's ratings) is hidden, so it is not offered.
    labels = [b["text"] for b in screen.buttons()]
    assert labels[0].startswith("1.1.1 ") and labels[1:] == ["Cancel"]
    assert "Next" not in " ".join(labels)  # nothing chosen yet
    await h.press(admin, "1.1.1 ")
    assert "Chosen: 1.1.1" in h.screen(admin).text
    await h.press(admin, "Next")
    assert "What is the issue" in h.screen(admin).text
    await h.text(admin, "Nhiều hộ nghèo chưa được hỗ trợ")
    await h.text(admin, "Rà soát danh sách hộ nghèo")
    await h.text(admin, "UBND xã")
    await h.text(admin, "-")
    # A date in the past: the reason and the same question, nothing stored.
    await h.text(admin, "01/01/2020")
    assert "2020-01-01 is in the past" in h.screen(admin).text
    assert "By when?" in h.screen(admin).text
    await h.text(admin, "soon")
    assert "That is not a date" in h.screen(admin).text
    await h.text(admin, SOON.strftime("%d/%m/%Y"))
    assert "check and save" in h.screen(admin).text
    assert await stored(h) == []
    await h.press(admin, "Save")
    assert await stored(h) == [
        (1, "agreed", "{}", "Nhiều hộ nghèo chưa được hỗ trợ", "Rà soát danh sách hộ nghèo",
         "UBND xã", "", SOON.isoformat()),
    ]  # fmt: skip
    text = h.screen(admin).text
    assert "Action #1" in text and "(Agreed)" in text
    # Dates as people write them (2 Jan 2027), not as stored (2027-01-02).
    assert f"Due: {SOON.day} {SOON:%b %Y}" in text and SOON.isoformat() not in text
    await h.press(admin, "In progress")
    assert "(In progress)" in h.screen(admin).text
    await h.press(admin, "Done")
    assert "(Done)" in h.screen(admin).text
    # Done is final: only an evidence note can still be added.
    assert [b["text"] for b in h.screen(admin).buttons()] == [
        "📝 Add an evidence note", "‹ All actions",
    ]  # fmt: skip
    await h.press(admin, "Add an evidence note")
    assert "Evidence for action #1" in h.screen(admin).text
    await h.text(admin, " ")
    assert "Please type a short answer." in h.screen(admin).text  # and the question again
    assert "Evidence for action #1" in h.screen(admin).text
    await h.text(admin, "Danh sách mới  niêm yết tại UBND xã")
    assert "Evidence: Danh sách mới niêm yết tại UBND xã" in h.screen(admin).text
    trail = await actions.changes(h.services.store, 1)
    assert [(c.actor_id, c.field, c.old, c.new) for c in trail] == [
        (ADMIN, "created", None, "agreed"),
        (ADMIN, "status", "agreed", "in_progress"),
        (ADMIN, "status", "in_progress", "done"),
        (ADMIN, "evidence", "", "Danh sách mới niêm yết tại UBND xã"),
    ]
    await h.press(admin, "All actions")
    assert h.screen(admin).text.startswith("<b>Action plan</b> (1 action)\n")
    # After the draft is saved, typed text goes back to the journey as before.
    await h.text(admin, "hello")
    assert (await stored(h))[0][1] == "done"


async def test_a_coordinator_types_codes_and_sees_their_scope_only(
    digest_harness: Harness,
) -> None:
    h, coordinator = digest_harness, Person(COORDINATOR, "en")
    await h.text(coordinator, "/actions")
    await h.press(coordinator, "New action")
    # The north's own row is hidden in the digest: no indicator is offered; codes are typed.
    assert [b["text"] for b in h.screen(coordinator).buttons()] == ["Cancel"]
    await h.text(coordinator, "1.1.1, 9.9.9")
    assert "Unknown indicator code: 9.9.9" in h.screen(coordinator).text
    for answer in ("1.1.1 4.1.1", "Trường xa", "Xe đưa đón", "Trường tiểu học", "Hiệu trưởng",
                   SOON.isoformat()):  # fmt: skip
        await h.text(coordinator, answer)
    await h.press(coordinator, "Save")
    saved = await actions.get(h.services.store, 1)
    assert saved is not None and saved.codes == ("1.1.1", "4.1.1")
    assert saved.scope == '{"region":"north"}' and saved.role == "Hiệu trưởng"
    # An admin's action for everyone is not the coordinator's to see or change.
    admin_action = await actions.add(h.services.store, ADMIN, actions.NewAction(
        "", "{}", "issue", "agreed", "UBND xã", "", SOON.isoformat(), ("1.1.1",), "2026-01-01"))  # fmt: skip
    await h.text(coordinator, "/actions")
    assert "#2" not in h.screen(coordinator).text and "#1 " in h.screen(coordinator).text
    await h.press_data(coordinator, f"a1|t|{admin_action}|d")
    assert h.telegram.callback_answers()[-1]["text"] == "This action is not in your scope."
    assert (await actions.get(h.services.store, admin_action)).status == "agreed"  # type: ignore[union-attr]


async def test_strangers_are_refused_and_nothing_changes(digest_harness: Harness) -> None:
    h, admin, stranger = digest_harness, Person(ADMIN, "en"), Person(STRANGER, "en")
    action_id = await actions.add(h.services.store, ADMIN, actions.NewAction(
        "", "{}", "issue", "agreed", "UBND xã", "", SOON.isoformat(), ("1.1.1",), "2026-01-01"))  # fmt: skip
    await h.text(stranger, "/actions")
    assert h.screen(stranger).text == "Not allowed."
    for data in (f"a1|t|{action_id}|d", "a1|n", "a1|y", f"a1|v|{action_id}", f"a1|e|{action_id}"):
        await h.press_data(stranger, data, h.screen(stranger))
        answer = h.telegram.callback_answers()[-1]
        assert answer["text"] == "Not allowed." and answer["show_alert"] is True
    assert (await actions.get(h.services.store, action_id)).status == "agreed"  # type: ignore[union-attr]
    assert await actions.get_draft(h.services.store, STRANGER) is None
    # A forged press from the admin: an alert, nothing changed.
    await h.text(admin, "/actions")
    await h.press_data(admin, f"a1|t|{action_id}|a")
    assert h.telegram.callback_answers()[-1]["text"] == "This button is not valid."
    assert len(await actions.changes(h.services.store, action_id)) == 1


async def test_meeting_sends_the_pack_to_coordinators_only(digest_harness: Harness) -> None:
    h, admin, stranger = digest_harness, Person(ADMIN, "en"), Person(STRANGER, "en")
    await h.text(stranger, "/meeting")
    assert h.screen(stranger).text == "Not allowed."
    assert h.telegram.count("sendDocument") == 0
    await h.text(admin, "/meeting")
    names = sorted(h.telegram.files)  # type: ignore[attr-defined]
    assert [n.rsplit(".", 1)[1] for n in names] == ["pdf", "xlsx"]
    pdf = h.telegram.files[names[0]]  # type: ignore[attr-defined]
    assert pdf.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "Interface meeting pack" in text and "Scope: everything" in text
    assert "2.43" in text  # SDG 1's 1.1.1, as the admin's digest shows it (2.4 rounded)


async def test_coordinators_are_reminded_before_due_dates(digest_harness: Harness) -> None:
    from datetime import datetime

    from bot.coordinator.delivery import sync_config
    from bot.coordinator.due import send_due_reminders

    h = digest_harness
    await sync_config(h.app)  # the config's coordinators, as at start-up
    zone = h.settings.zone
    today = datetime.now(zone).date()
    morning = datetime.combine(today, datetime.min.time(), zone).replace(hour=10)
    # Nothing due yet: nothing sent, and no failure (PostgreSQL refused the empty list).
    assert await send_due_reminders(h.app, morning) == 0

    def action(scope: str, days: int) -> actions.NewAction:
        due = (today + timedelta(days=days)).isoformat()
        return actions.NewAction("", scope, "i", "Mở lớp học hè", "UBND xã", "", due, ("1.1.1",),
                                 today.isoformat())  # fmt: skip

    north = await actions.add(h.services.store, ADMIN, action('{"region":"north"}', 5))
    await actions.add(h.services.store, ADMIN, action('{"region":"south"}', 5))  # not theirs
    await actions.add(h.services.store, ADMIN, action('{"region":"north"}', 30))  # not yet
    night = morning.replace(hour=23)
    assert await send_due_reminders(h.app, night) == 0  # quiet hours
    before = len(h.telegram.bot_messages(COORDINATOR))
    assert await send_due_reminders(h.app, morning) == 1
    text = h.telegram.bot_messages(COORDINATOR)[-1].text
    assert f"Action #{north} is due in 5 days" in text and "Mở lớp học hè (UBND xã)" in text
    assert await send_due_reminders(h.app, morning) == 0  # once
    assert len(h.telegram.bot_messages(COORDINATOR)) == before + 1
    # On the day itself, once more.
    on_the_day = morning + timedelta(days=5)
    assert await send_due_reminders(h.app, on_the_day) == 1
    assert "is due today" in h.telegram.bot_messages(COORDINATOR)[-1].text


async def test_a_half_entered_action_outlives_a_restart_and_is_saved_once(
    database: Path,
) -> None:
    """The draft is in the database: the next typed answer may reach the bot after a
    restart (or another webhook worker) and carry on; a second tap on Save adds
    nothing."""
    settings, admin = digest_settings(database), Person(ADMIN, "en")
    async with Harness(settings, FilesTelegram()) as h:
        user = await users.ensure_user(h.services.store, ADMIN, ADMIN)
        await users.set_language(h.services.store, user.id, "en")
        await h.text(admin, "/actions")
        await h.press(admin, "New action")
        for answer in ("1.1.1", "Thiếu lớp học thêm", "Mở lớp học hè"):
            await h.text(admin, answer)
        assert "responsible" in h.screen(admin).text
    async with Harness(settings, FilesTelegram()) as h:  # a new process
        for answer in ("UBND xã", "-", SOON.isoformat()):
            await h.text(admin, answer)
        summary = h.screen(admin)
        assert "Mở lớp học hè" in summary.text and "UBND xã" in summary.text
        save = h.button(admin, "Save", summary)
        await h.press_data(admin, save, summary)
        assert h.telegram.callback_answers()[-1]["text"] == "Saved."
        await h.press_data(admin, save, summary)  # the same button again
        assert h.telegram.callback_answers()[-1]["text"] == (
            "This action was already saved or cancelled."
        )
        assert [
            (a.agreed, a.organisation) for a in await actions.list_actions(h.services.store)
        ] == [("Mở lớp học hè", "UBND xã")]
        assert await actions.get_draft(h.services.store, ADMIN) is None
        # Typed text is the journey's again: no action answer, nothing added.
        await h.text(admin, "Xin chào")
        assert "responsible" not in h.screen(admin).text
        assert len(await actions.list_actions(h.services.store)) == 1


async def test_two_workers_saving_the_same_draft_add_one_action(digest_harness: Harness) -> None:
    """Both read the draft before either saved (a press redelivered to a second
    worker): the draft is taken in the same transaction as the insert."""
    store = digest_harness.services.store
    new = actions.NewAction("", "{}", "issue", "agreed", "UBND xã", "", SOON.isoformat(),
                            ("1.1.1",), date.today().isoformat())  # fmt: skip
    await actions.put_draft(store, ADMIN, "{}")
    saved = [await actions.add_from_draft(store, ADMIN, new) for _ in range(2)]
    assert saved[0] is not None and saved[1] is None
    assert len(await actions.list_actions(store)) == 1
