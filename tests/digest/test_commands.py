"""Who may ask for what, in the chat, through the real Application."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.coordinator import delivery
from storage import audit, digests
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import ADMIN, COORDINATOR, STRANGER, add_respondent, woman, youth


def documents(h: Harness, chat_id: int) -> list[dict]:  # type: ignore[type-arg]
    return [
        c.params
        for c in h.telegram.calls
        if c.method == "sendDocument" and int(c.params["chat_id"]) == chat_id
    ]


async def test_strangers_are_refused_and_get_nothing_else(digest_harness: Harness) -> None:
    stranger = Person(STRANGER, "en")
    for command in ("/digest", "/export xlsx", "/coordinator list", "/coordinator add 5"):
        await digest_harness.text(stranger, command)
    messages = digest_harness.telegram.bot_messages(STRANGER)
    # Strangers are no users yet: their Telegram language (English), as the README says.
    assert [m.text for m in messages] == ["Not allowed."] * 4
    await digest_harness.text(Person(STRANGER + 1, "vi"), "/digest")
    assert digest_harness.telegram.bot_messages(STRANGER + 1)[-1].text == "Không được phép."
    assert digest_harness.telegram.count("sendMediaGroup") == 0
    assert documents(digest_harness, STRANGER) == []


async def test_a_coordinator_gets_a_digest_of_their_scope_only(digest_harness: Harness) -> None:
    coordinator = Person(COORDINATOR, "en")
    await digest_harness.text(coordinator, "/digest")
    text = digest_harness.telegram.bot_messages(COORDINATOR)[0].text
    assert "Scope: North" in text
    # Everyone (8) minus the north (6) would give the two southern women away: the
    # north's own row is hidden, its counts and means with it ("<5" escaped).
    assert "Started: &lt;5 (+&lt;5 in this period)" in text
    assert "  1   &lt;5   &lt;5" in text and "3.0" not in text
    assert "<5" not in text  # every "<5" is escaped for Telegram's HTML
    # Three more southern women and four more rural youths (who rated nothing):
    # no set of fewer than 5 people is left, and the north digest shows the north.
    store, survey = digest_harness.services.store, digest_harness.services.survey
    for n in (3, 4, 5):
        await add_respondent(store, survey, woman(n, 1, 2, 3))
    for n in (7, 8, 9, 10):
        person = youth(n, None, None, area="rural")
        person.ratings = {}
        await add_respondent(store, survey, person)
    await digest_harness.text(coordinator, "/digest")
    digests_sent = [
        m.text for m in digest_harness.telegram.bot_messages(COORDINATOR) if "Scope:" in m.text
    ]
    text = digests_sent[1]
    assert "Started: 10 (+10 in this period)" in text  # the five women are in the south
    # SDG 1 in the north: youth only, 3.0 now and 3.8 forecast: +0.27 points a year
    # (no "+27": a per cent of a 1–5 score reads as a share of people).
    assert "  1  3.0  3.8 +0.27  17%" in text and "+27" not in text
    assert len(text) <= 4096
    assert digest_harness.telegram.count("sendMediaGroup") == 2
    assert len(documents(digest_harness, COORDINATOR)) == 2


async def test_admins_see_everything_with_small_cells_hidden(digest_harness: Harness) -> None:
    await digest_harness.text(Person(ADMIN, "en"), "/digest")
    text = digest_harness.telegram.bot_messages(ADMIN)[0].text
    assert "Scope: everything" in text
    assert "  1  2.4  3.3 +0.29  13%" in text  # 12.5 % rounds half up, as everywhere
    # SDG 4 (rated by the two women only) is hidden: the mean would be theirs.
    assert "  4   &lt;5   &lt;5" in text and "4.0  " not in text
    assert "official 4.0 (National report 2020), gap -1.6" in text


async def test_admins_manage_coordinators_and_their_schedules(digest_harness: Harness) -> None:
    admin = Person(ADMIN, "en")
    await digest_harness.text(admin, "/coordinator add 424242 region=south group=women")
    await digest_harness.text(admin, "/coordinator schedule 424242 daily 07:30")
    await digest_harness.text(admin, "/coordinator language 424242 en")
    await digest_harness.text(admin, "/coordinator schedule 424242 sometimes")
    await digest_harness.text(admin, "/coordinator add 424243 planet=mars")
    await digest_harness.text(admin, "/coordinator list")
    replies = [m.text for m in digest_harness.telegram.bot_messages(ADMIN)]
    assert replies[0] == "Coordinator 424242 added with scope group=women,region=south."
    assert replies[1] == "Schedule of 424242 is now daily 07:30."
    assert replies[2] == "Language of 424242 is now en."
    assert replies[3] == "Not a schedule: use daily 08:00, mon 08:00 or off."
    assert replies[4].startswith("Not a valid scope: unknown scope 'planet'")
    assert "424242: group=women,region=south, daily 07:30, en" in replies[5]
    assert digest_harness.app.job_queue.get_jobs_by_name("digest:424242")
    # The new coordinator sees the south's women only: two people, so every mean is hidden.
    await digest_harness.text(Person(424242, "en"), "/digest")
    text = digest_harness.telegram.bot_messages(424242)[0].text
    # Two people: the scope is too small for any count, comment or mean (issue 10, item 2).
    assert "Scope: Women, South" in text and "Started" not in text and "SDG" not in text
    assert "Fewer than 5 people in this scope have answered in this round." in text
    await digest_harness.text(admin, "/coordinator remove 424242")
    assert await digests.get_coordinator(digest_harness.services.store, 424242) is None
    await digest_harness.text(Person(424242, "en"), "/digest")
    assert digest_harness.telegram.bot_messages(424242)[-1].text == "Not allowed."


async def test_exports_in_the_chat(digest_harness: Harness) -> None:
    admin = Person(ADMIN, "en")
    await digest_harness.text(admin, "/export csv")
    await digest_harness.text(admin, "/export xlsx")
    await digest_harness.text(admin, "/export pdf")
    assert (
        digest_harness.telegram.last_bot_message(ADMIN).text == "Use /export csv or /export xlsx."
    )
    # Every export is in the audit table: who, what, when (not the refused "pdf").
    entries = await audit.recent(digest_harness.services.store, 10)
    exports = [(e.actor_id, e.action, e.detail) for e in entries if e.action == "export"]
    assert exports == [(ADMIN, "export", "xlsx scope=all"), (ADMIN, "export", "csv scope=all")]
    files = digest_harness.telegram.files  # type: ignore[attr-defined]
    csv_name = next(name for name in files if name.endswith(".csv"))
    xlsx_name = next(name for name in files if name.endswith(".xlsx"))
    lines = files[csv_name].decode().splitlines()
    assert lines[0] == "Indicator,Year,Units,Series,Group,Region,Area,Value"
    rows = [line for line in lines if line.startswith("1.1.1,2022,")]
    assert any(row.endswith(",,,,2.43") for row in rows)  # headline: 17/7, rounded
    # Youth (3.0) would give the two women away: headline 17/7 minus youth 15/5.
    assert not any("Youth" in row for row in rows)
    assert not any("Women" in row for row in lines)  # two people: suppressed
    # 4.1.1 was rated by the two women alone: no row at all, not even the headline.
    assert not [line for line in lines if line.startswith("4.1.1")]
    book = load_workbook(io.BytesIO(files[xlsx_name]))
    assert book.sheetnames == ["Summary", "Breakdowns", "Indicators", "Comments", "Quality"]
    # The quality statement: counts as the publication protects them (the two women hidden).
    quality = dict(book["Quality"].iter_rows(min_row=2, values_only=True))
    assert quality["Started"] == "8" and "k = 5" in quality["Disclosure control"]
    assert "not a probability sample" in quality["How people were reached"]
    assert "Youth: hidden" in quality["Coverage (people who started, by group, region and area)"]
    assert "Women: hidden" in quality["Coverage (people who started, by group, region and area)"]
    breakdown = {
        (r[0], r[1], r[2], r[3]): r[5]
        for r in book["Breakdowns"].iter_rows(min_row=2, values_only=True)
    }
    assert breakdown[("Group", "Women", 1, "Now")] == "<5"
    # Hidden second (secondary suppression): headline minus youth would give the women.
    assert breakdown[("Group", "Youth", 1, "Now")] == "<5"
    comments = list(book["Comments"].iter_rows(min_row=2, values_only=True))
    assert len(comments) == 1 and comments[0][2] == "Ý kiến 1"
    assert comments[0][0].startswith("R") and "800001" not in str(comments[0])


async def test_a_config_coordinators_schedule_is_changed_in_the_file_not_the_chat(
    digest_harness: Harness,
) -> None:
    """The config file is applied at every start: a change made in the chat would be
    undone silently at the next restart, so it is refused with where to make it."""
    await delivery.sync_config(digest_harness.app)  # as at start-up
    admin = Person(ADMIN, "en")
    for command in (
        f"/coordinator schedule {COORDINATOR} daily 07:30",
        f"/coordinator language {COORDINATOR} vi",
        f"/coordinator add {COORDINATOR} region=south",
        f"/coordinator remove {COORDINATOR}",
    ):
        await digest_harness.text(admin, command)
    replies = [m.text for m in digest_harness.telegram.bot_messages(ADMIN)][-4:]
    assert replies[0] == (
        f"{COORDINATOR} is a coordinator from the config file: change their schedule in its"
        f" [[coordinators]] entry (telegram_id = {COORDINATOR}) and restart the bot."
    )
    assert "change their language" in replies[1] and "change their scope" in replies[2]
    assert "remove their [[coordinators]] entry" in replies[3]
    stored = await digests.get_coordinator(digest_harness.services.store, COORDINATOR)
    assert stored is not None and (stored.schedule, stored.language) == ("daily 08:00", "en")
    assert stored.scope == '{"region":"north"}'
    # A coordinator added in the chat keeps what the chat sets (nothing overwrites it).
    await digest_harness.text(admin, "/coordinator add 515151 region=south")
    await digest_harness.text(admin, "/coordinator schedule 515151 daily 07:30")
    assert digest_harness.telegram.bot_messages(ADMIN)[-1].text == (
        "Schedule of 515151 is now daily 07:30."
    )
