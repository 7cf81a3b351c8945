"""Facilitators (issue 11): the role, facilitated interviews, group sessions."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from html import escape
from pathlib import Path

import pytest

from storage import audit, facilitation
from storage.export import write_ratings_csv
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, rate
from tests.digest.conftest import FilesTelegram

ADMIN = 9001
FACILITATOR = 987654321
CONFIG_FACILITATOR = 9003
PROFILE = ["group", "region", "area", "age_band", "gender"]


def settings(database: Path):  # type: ignore[no-untyped-def]
    return make_settings(
        database,
        access={"admins": [ADMIN]},
        facilitators=[{"telegram_id": CONFIG_FACILITATOR}],
    )


@pytest.fixture
async def running(database: Path) -> AsyncIterator[Harness]:
    async with Harness(settings(database), FilesTelegram()) as harness:
        yield harness


def texts(harness: Harness, person: Person) -> list[str]:
    return [m.text for m in harness.telegram.bot_messages(person.id)]


async def make_facilitator(harness: Harness) -> Person:
    await harness.text(Person(ADMIN, "en"), "/facilitator add 987654321")
    facilitator = Person(FACILITATOR, "en")
    await agree(harness, facilitator)  # their own consent: English from now on
    return facilitator


async def open_a_session(harness: Harness, facilitator: Person) -> None:
    """/session for youth in the rural north, 8 people (4 women, 4 men): the first item."""
    await harness.text(facilitator, "/session")
    await harness.press(facilitator, "Youth")
    await harness.press(facilitator, "North")
    await harness.press(facilitator, "Rural")
    await harness.text(facilitator, "8 4 4")


async def start_interview(harness: Harness, facilitator: Person, child: bool = False) -> str:
    """/interview, read aloud, attest; returns the new respondent's pseudonym."""
    await harness.text(facilitator, "/interview")
    screen = harness.screen(facilitator)
    assert "read this aloud to the person" in screen.text
    assert "Do you agree to take part?" in screen.text  # the respondent's own consent text
    await harness.press(facilitator, "A child" if child else "The person agreed aloud")
    notice = next(t for t in reversed(texts(harness, facilitator)) if "started:" in t)
    return notice.split("started: ")[1].split(".")[0]


async def test_only_admins_manage_facilitators_and_only_facilitators_interview(
    running: Harness,
) -> None:
    stranger, admin = Person(5005, "en"), Person(ADMIN, "en")
    await agree(running, stranger)
    for command in ("/interview", "/session", "/interview list", "/facilitator add 5005"):
        await running.text(stranger, command)
        assert texts(running, stranger)[-1] == "Not allowed."
    await running.text(stranger, "/help")
    assert "/interview" not in texts(running, stranger)[-1]

    await running.text(admin, "/language en")
    await running.text(admin, "/facilitator add 987654321")
    await running.text(admin, "/facilitator add nobody")
    await running.text(admin, "/facilitator list")
    replies = texts(running, admin)[2:]  # after the language note and consent screen
    assert replies[0].startswith("Facilitator 987654321 added")
    assert replies[1].startswith("Use /facilitator list")
    assert "987654321" in replies[2] and "9003 (config)" in replies[2]
    await running.text(Person(FACILITATOR, "en"), "/help")
    assert "/interview" in texts(running, Person(FACILITATOR))[-1]
    await running.text(Person(CONFIG_FACILITATOR, "en"), "/help")
    assert "/session" in texts(running, Person(CONFIG_FACILITATOR))[-1]

    await running.text(admin, "/facilitator remove 987654321")
    assert texts(running, admin)[-1] == "Facilitator 987654321 removed."
    await running.text(Person(FACILITATOR, "en"), "/interview")
    assert texts(running, Person(FACILITATOR))[-1] == "Not allowed."
    entries = await audit.recent(running.services.store, 10)
    actions = [(e.action, e.detail, e.outcome) for e in entries]
    assert ("facilitator", "add 987654321", "ok") in actions
    assert ("facilitator", "add nobody", "rejected: usage") in actions
    assert ("facilitator", "remove 987654321", "ok") in actions


async def test_an_interview_from_consent_to_export(running: Harness, database: Path) -> None:
    facilitator = await make_facilitator(running)
    await answer_profile(running, facilitator)  # the facilitator's own survey, half done
    await rate(running, facilitator, "n", "5")

    pseudonym = await start_interview(running, facilitator)
    assert pseudonym.startswith("R")
    first = running.screen(facilitator)
    assert f"Interview {pseudonym}" in first.text  # the banner: whose survey this is
    assert "Which of these groups do you belong to?" in first.text
    await answer_profile(running, facilitator, [2, 0, 2, 1, 0])
    assert f"Interview {pseudonym}" in running.screen(facilitator).text
    await answer_all(running, facilitator, value="2", comment="Đường vào bản rất xấu")
    await running.press(facilitator, "Submit")
    done = running.screen(facilitator).text
    assert f"Interview {pseudonym} submitted" in done
    assert "no longer shown to you" in done

    # Nobody's answers afterwards: no resume, no /mydata for the interview.
    await running.text(facilitator, "/interview resume 1")
    assert texts(running, facilitator)[-1].startswith("No paused interview")
    await running.text(facilitator, "/mydata")
    mine = texts(running, facilitator)[-1]
    assert "Đường vào bản" not in mine and pseudonym not in mine
    # The facilitator's own survey is where they left it.
    await running.text(facilitator, "/resume")
    own = running.screen(facilitator).text
    assert "Interview" not in own
    assert "1 of 69" in own and "Row 2026 – now: <b>5 " in own

    out = io.StringIO()
    write_ratings_csv(database, out, "sdg-scorecard-vn", PROFILE)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    interviewed = [r for r in rows if r["respondent_id"] == pseudonym]
    assert len(interviewed) == 138
    assert {r["mode"] for r in interviewed} == {"interview"}
    assert {r["submitted"] for r in interviewed} == {"yes"}
    assert {r["group"] for r in interviewed} == {"women"}
    assert not any(str(FACILITATOR) in ",".join(r.values()) for r in rows)
    own_rows = [r for r in rows if r["respondent_id"] != pseudonym]
    assert {r["mode"] for r in own_rows} == {"self"} and len(own_rows) == 1


async def test_pause_and_resume_two_interviews(running: Harness) -> None:
    facilitator = await make_facilitator(running)
    own_question = running.screen(facilitator)  # their own first question
    first = await start_interview(running, facilitator)
    await answer_profile(running, facilitator)
    await rate(running, facilitator, "n", "4")
    await running.text(facilitator, "/interview pause")
    assert texts(running, facilitator)[-1].startswith(f"Interview 1 ({first}) paused.")

    second = await start_interview(running, facilitator, child=True)
    assert second != first
    await answer_profile(running, facilitator, [1, 1, 1, 1, 1])
    await rate(running, facilitator, "n", "1")
    await rate(running, facilitator, "f", "2")  # moves on to the second indicator
    # A button of the facilitator's own survey changes nothing in the interview.
    await running.press_data(facilitator, own_question.buttons()[0]["callback_data"], own_question)
    assert f"Interview {second}" in running.screen(facilitator).text
    await running.text(facilitator, "/interview list")
    listing = texts(running, facilitator)[-1]
    assert f"1. {first}: 1 rating so far" in listing
    assert f"2. {second}: 2 ratings so far — open now" in listing

    await running.text(facilitator, "/interview resume 1")
    screen = running.screen(facilitator).text
    assert f"Interview {first}" in screen and "Row 2026 – now: <b>4 " in screen
    await rate(running, facilitator, "f", "5")
    await running.text(facilitator, "/interview resume 2")
    screen = running.screen(facilitator).text
    assert f"Interview {second}" in screen and "Goal 1 of 6 · 2 of 69" in screen

    store = running.services.store
    one = await facilitation.interview_by_number(store, FACILITATOR, 1)
    two = await facilitation.interview_by_number(store, FACILITATOR, 2)
    assert one and two and one.consent == "verbal" and two.consent == "guardian"
    assert one.answered == 2 and two.answered == 2
    # Out of interview mode, the facilitator's own survey is theirs again.
    await running.text(facilitator, "/interview end")
    assert "ended" in texts(running, facilitator)[-1]
    await running.text(facilitator, "/resume")
    assert "Interview" not in running.screen(facilitator).text
    await running.text(facilitator, "/interview resume 2")
    assert texts(running, facilitator)[-1].startswith("No paused interview")


async def test_consent_tapped_twice_starts_one_interview_and_refusal_stores_nothing(
    running: Harness,
) -> None:
    facilitator = await make_facilitator(running)
    store = running.services.store
    before = (await store.fetchone("SELECT COUNT(*) FROM users"))[0]
    await running.text(facilitator, "/interview")
    await running.press(facilitator, "They did not agree")
    assert "Nothing was stored" in running.screen(facilitator).text
    assert (await store.fetchone("SELECT COUNT(*) FROM users"))[0] == before

    await running.text(facilitator, "/interview")
    consent = running.screen(facilitator)
    data = running.button(facilitator, "The person agreed aloud", consent)
    await running.press_data(facilitator, data, consent)
    await running.press_data(facilitator, data, consent)  # a double tap
    await running.press_data(facilitator, "i1|c|x", consent)  # forged
    assert (await store.fetchone("SELECT COUNT(*) FROM interviews"))[0] == 1
    assert (await store.fetchone("SELECT COUNT(*) FROM users"))[0] == before + 1
    alerts = [a.get("text") for a in running.telegram.callback_answers()]
    assert "This button is not valid." in alerts


async def test_restart_mid_interview_resumes_exactly(database: Path) -> None:
    async with Harness(settings(database)) as first:
        facilitator = await make_facilitator(first)
        pseudonym = await start_interview(first, facilitator)
        await answer_profile(first, facilitator)
        await rate(first, facilitator, "n", "3")
        before = first.screen(facilitator)
        telegram = first.telegram
    async with Harness(settings(database), telegram) as second:
        # The old message's button still works: the interview is its state.
        assert second.screen(facilitator).message_id == before.message_id
        await rate(second, facilitator, "f", "4")
        screen = second.screen(facilitator).text
        assert f"Interview {pseudonym}" in screen
        assert "Goal 1 of 6 · 2 of 69" in screen
        await second.text(facilitator, "/resume")
        assert "Goal 1 of 6 · 2 of 69" in second.screen(facilitator).text
        assert f"Interview {pseudonym}" in second.screen(facilitator).text


async def score_group_session(harness: Harness, facilitator: Person) -> str:
    """/session through to submit; returns the session's pseudonym."""
    await harness.text(facilitator, "/session")
    started = next(t for t in reversed(texts(harness, facilitator)) if "started." in t)
    pseudonym = started.split("Group session ")[1].split(" ")[0]
    assert "Which group is taking part?" in harness.screen(facilitator).text
    await harness.press(facilitator, "Youth")
    assert "Which region" in harness.screen(facilitator).text
    await harness.press(facilitator, "North")
    await harness.press(facilitator, "Rural")
    await harness.text(facilitator, "12 9 5")  # more women and men than people
    assert "Please type the three numbers again" in texts(harness, facilitator)[-2]
    await harness.text(facilitator, "12 7 5")
    first = harness.screen(facilitator)
    assert f"Group session {pseudonym}" in first.text and "Indicator 1 of 69" in first.text
    # Indicator 1: consensus by buttons, then Next; a don't-know consensus gets its ✓.
    await harness.press(facilitator, "?")  # the first row: now
    marks = [b["text"] for b in harness.screen(facilitator).buttons() if "✓" in b["text"]]
    assert marks == ["✓?"]
    await harness.press_data(facilitator, harness.button(facilitator, "3")[:-2] + "n3")
    await harness.press_data(facilitator, harness.button(facilitator, "4")[:-2] + "f4")
    marks = [b["text"] for b in harness.screen(facilitator).buttons() if "✓" in b["text"]]
    assert marks == ["✓3", "✓4"]
    assert "consensus: 3" in harness.screen(facilitator).text
    assert "consensus: 4" in harness.screen(facilitator).text
    await harness.press(facilitator, "Next")
    # Indicator 2: votes typed for both years, a count that does not fit, reasons.
    await harness.text(facilitator, "0 2 5 3 1 9")
    assert "20 votes, but the group has 12 people" in texts(harness, facilitator)[-2]
    await harness.text(facilitator, "0 2 5 3 1 0 / 0 0 3 5 2 1")
    screen = harness.screen(facilitator).text
    assert escape("votes 1–5 and don't know: 0 2 5 3 1 0 → mean 3.27") in screen
    await harness.text(facilitator, "Roads flood every rainy season")
    assert "Reasons: Roads flood every rainy season" in harness.screen(facilitator).text
    # Vote counts that are no whole numbers from 0 to 12 are refused, never kept as
    # the group's reasons (issue 17).
    for typed, token in (("0 0 -1 0 0 0", "-1"), ("1.5 2 2 2 0 0", "1.5")):
        await harness.text(facilitator, typed)
        assert (
            f"whole numbers from 0 to 12 (the group's size): “{token}” is not one"
            in texts(harness, facilitator)[-2]
        )
        assert typed not in harness.screen(facilitator).text
    # A reason typed by mistake can be removed, and written again.
    await harness.text(facilitator, "oops, wrong indicator")
    assert "oops" in harness.screen(facilitator).text
    await harness.press(facilitator, "Remove the reasons")
    assert "Reasons:" not in harness.screen(facilitator).text
    await harness.text(facilitator, "Roads flood every rainy season")
    await harness.press(facilitator, "Next")
    for _ in range(67):
        await harness.press(facilitator, "Skip")
    assert "top priorities" in harness.screen(facilitator).text
    await harness.text(facilitator, "Clean water; a road to the school")
    await harness.press(facilitator, "Skip")  # no recommendations
    assert "Scores given: 4 of 138" in harness.screen(facilitator).text
    await harness.press(facilitator, "Submit")
    assert f"Group session {pseudonym} submitted" in harness.screen(facilitator).text
    return pseudonym


async def test_a_group_session_and_an_interview_reach_the_digest(running: Harness) -> None:
    from openpyxl import load_workbook

    facilitator = await make_facilitator(running)
    pseudonym = await start_interview(running, facilitator)
    await answer_profile(running, facilitator)
    await answer_all(running, facilitator, value="2")
    await running.press(facilitator, "Submit")
    session = await score_group_session(running, facilitator)
    # Session answers never become ratings.
    store = running.services.store
    assert (await store.fetchone("SELECT COUNT(*) FROM session_scores"))[0] == 138
    interviewed = await store.fetchone("SELECT COUNT(*) FROM ratings")
    assert interviewed[0] == 138  # the interview's ratings only

    admin = Person(ADMIN, "en")
    await running.text(admin, "/language en")  # no response of their own: counts stay
    await running.text(admin, "/digest")
    text = next(
        m.text for m in running.telegram.bot_messages(ADMIN) if "Scorecard digest" in m.text
    )
    # Two people in all: too few to show their counts (a session is its own record).
    assert "Fewer than 5 people in this scope have answered in this round" in text
    assert "By mode" not in text and "Started:" not in text
    assert "Group sessions (not in the means above)" in text
    assert "1 session, 12 people; each session counts once." in text
    assert "SDG 1: 3.1 → 4.0" in text  # (3 + 3.27) / 2 now, (4 + 3.9) / 2 by 2030
    await running.text(admin, "/digest mode=interview")
    text = running.telegram.bot_messages(ADMIN)[-4].text
    assert "Only responses collected as: facilitated interviews" in text
    assert "Fewer than 5 people" in text and "Started:" not in text  # one interviewee
    await running.text(admin, "/digest mode=phone")
    assert running.telegram.bot_messages(ADMIN)[-1].text.startswith("Use /digest")

    await running.text(admin, "/export xlsx")
    files = running.telegram.files  # type: ignore[attr-defined]
    book = load_workbook(io.BytesIO(files[next(n for n in files if n.endswith(".xlsx"))]))
    assert book.sheetnames[-3:] == ["Sessions", "Session scores", "Quality"]
    overview = list(book["Sessions"].iter_rows(min_row=2, values_only=True))
    assert overview == [
        (session, overview[0][1], "Youth", "North", "Rural", 12, 7, 5,
         "Clean water; a road to the school", ""),
    ]  # fmt: skip
    scores = list(book["Session scores"].iter_rows(min_row=2, values_only=True))
    assert len(scores) == 138
    assert scores[0][:7] == (session, 1, "1.1.1", scores[0][3], 2026, "consensus", 3)
    second = scores[2]
    assert second[5:13] == ("votes", 3.27, 0, 2, 5, 3, 1, 0)  # 36 / 11, 2 decimals as published
    assert second[13] == "Roads flood every rainy season"
    everything = str([list(s.iter_rows(values_only=True)) for s in book.worksheets])
    assert str(FACILITATOR) not in everything
    assert pseudonym not in everything  # no comments: the interview's id appears nowhere


async def test_session_buttons_are_checked_and_a_restart_resumes(database: Path) -> None:
    async with Harness(settings(database)) as first:
        facilitator = await make_facilitator(first)
        await open_a_session(first, facilitator)
        await first.text(facilitator, "1 2 3 1 1 0")
        live = first.screen(facilitator)
        telegram = first.telegram
    async with Harness(settings(database), telegram) as second:
        assert escape("votes 1–5 and don't know: 1 2 3 1 1 0") in live.text
        await second.text(facilitator, "4")  # the forecast's consensus, typed
        screen = second.screen(facilitator).text
        assert "Indicator 1 of 69" in screen and "consensus: 4" in screen
        data = second.button(facilitator, "Next")
        stranger = Person(5005, "en")
        await agree(second, stranger)
        await second.press_data(stranger, data, second.screen(facilitator))
        await second.press_data(facilitator, data.replace("|i0|", "|i9|"))  # not shown now
        await second.press_data(facilitator, "g1|1|i0|n9")  # forged value
        await second.press_data(facilitator, "g1|1|i0|b")  # no Back before the first
        alerts = [a.get("text") for a in second.telegram.callback_answers()]
        assert "Not allowed." in alerts and alerts.count("This button is not valid.") == 2
        assert "Indicator 1 of 69" in second.screen(facilitator).text
        await second.text(facilitator, "/session pause")
        await second.text(facilitator, "/session list")
        assert ": 2 scores so far" in texts(second, facilitator)[-1]
        await second.text(facilitator, "Just chatting")  # own survey again: not a session note
        assert (await second.services.store.fetchone("SELECT COUNT(*) FROM session_notes"))[0] == 0
        await second.text(facilitator, "/session resume 1")
        assert "Indicator 1 of 69" in second.screen(facilitator).text


async def test_a_press_on_an_older_session_screen_points_below_and_sends_no_copy(
    running: Harness,
) -> None:
    facilitator = await make_facilitator(running)
    await open_a_session(running, facilitator)
    older = running.screen(facilitator)
    skip = running.button(facilitator, "Skip", older)
    await running.text(facilitator, "/session pause")
    await running.text(facilitator, "/session resume 1")  # the question again, below
    live = running.screen(facilitator)
    sent_before = len(running.telegram.bot_messages(facilitator.id))
    await running.press_data(facilitator, skip, older)
    assert running.telegram.callback_answers()[-1]["text"] == (
        "That message is out of date. Your current question is the last one below."
    )
    assert len(running.telegram.bot_messages(facilitator.id)) == sent_before
    assert running.screen(facilitator) is live and "Indicator 1 of 69" in live.text


async def test_delete_during_an_interview_deletes_the_facilitators_own_data_only(
    running: Harness,
) -> None:
    facilitator = await make_facilitator(running)
    pseudonym = await start_interview(running, facilitator)
    await answer_profile(running, facilitator)
    await running.text(facilitator, "/delete")
    await running.press(facilitator, "Yes, delete everything")
    assert "All your data has been deleted" in running.screen(facilitator).text
    store = running.services.store
    remaining = [row[0] for row in await store.fetchall("SELECT pseudonym FROM users")]
    assert pseudonym in remaining  # the interviewed person's answers are theirs
    assert await store.fetchone("SELECT 1 FROM users WHERE telegram_id = ?", (FACILITATOR,)) is None


async def test_the_default_language_applies_only_when_telegrams_is_neither(
    running: Harness,
) -> None:
    """README: a person who never picked a language reads their Telegram language when
    it is Vietnamese or English; the default only otherwise (issue 17)."""
    english, german = Person(CONFIG_FACILITATOR, "en"), Person(5151, "de")
    await running.text(english, "/session list")  # a config facilitator, never /start-ed
    assert texts(running, english)[-1] == "No open group sessions."
    await running.text(english, "/stop")
    assert texts(running, english)[-1].startswith("Done: you will get no more reminders")
    await running.text(english, "/help")
    assert "/interview" in texts(running, english)[-1] and "Lệnh" not in texts(running, english)[-1]
    await running.text(german, "/stop")
    assert texts(running, german)[-1].startswith("Đã ghi nhận")  # the default, vi
