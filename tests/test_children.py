"""Children: nothing is rated before a parent or guardian agrees, by link or on paper."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from conversations.callbacks import step_data
from conversations.guardian import GUARDIAN_CONSENT_VERSION, is_minor, token_hash
from storage import guardians
from storage.responses import Answers
from survey.model import load_survey
from survey.steps import visible
from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import agree, answer_all, answer_profile, labels, rate, step_of

ADMIN = 9001
LINK = re.compile(r"https://t\.me/ScorecardTestBot\?start=g([A-Za-z0-9_-]{22})")


@pytest.fixture
async def harness(database: Path):  # type: ignore[no-untyped-def]
    async with Harness(make_settings(database, access={"admins": [ADMIN]})) as running:
        yield running


async def become_child(
    harness: Harness, child: Person, how: str = "group", language: str = "English"
) -> str:
    """Agree, then answer the profile as a child; returns the guardian's token."""
    await agree(harness, child, language)
    if how == "group":  # tick Children (the first group) and continue
        await answer_profile(harness, child, [0])
    else:  # Youth, then "under 16" for the age
        await answer_profile(harness, child, [1, 0, 0, 0])
    links = [m.text for m in harness.telegram.bot_messages(child.id) if LINK.search(m.text)]
    assert links, "no link for the guardian was sent"
    match = LINK.search(links[-1])
    assert match is not None
    return match.group(1)


async def table(harness: Harness, sql: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in await harness.services.store.fetchall(sql)]


async def ratings(harness: Harness) -> int:
    return len(await table(harness, "SELECT * FROM ratings"))


async def test_a_child_rates_nothing_until_the_guardian_agrees(harness: Harness) -> None:
    child, parent = Person(3001, "en"), Person(3002, "vi", "Hoa")
    token = await become_child(harness, child)
    waiting = harness.screen(child).text
    assert "First, ask a parent" in waiting and "You told us you are a child" in waiting
    assert labels(harness, child) == ["🔗 Send a new link", "🙅 I don't want to take part"]
    assert (
        "Hello! Your child would like to answer" in harness.telegram.bot_messages(child.id)[-2].text
    )

    # A rating button (well-formed, as a client could forge it) and typed digits: refused.
    survey = harness.services.survey
    await harness.press_data(child, step_data(survey, "r0", "n4"))
    assert "wait for your parent or guardian" in harness.telegram.callback_answers()[-1]["text"]
    await harness.text(child, "4 5")
    assert any(
        "wait for your parent or guardian" in m.text
        for m in harness.telegram.bot_messages(child.id)
    )
    await harness.text(child, "my comment")
    assert await ratings(harness) == 0
    assert await table(harness, "SELECT * FROM texts") == []
    assert await table(harness, "SELECT * FROM guardian_consents") == []
    # Only the hash of the token is stored.
    stored = await table(harness, "SELECT token_hash FROM guardian_links")
    assert stored == [(token_hash(token),)] and token not in str(stored)

    # The parent opens the link in their own Telegram and agrees.
    await harness.text(parent, f"/start g{token}")
    consent_text = harness.screen(parent).text
    assert "Consent for your child" in consent_text and "/delete" in consent_text
    assert "even if you say yes" in consent_text
    await harness.press(parent, "Yes, I am the parent")
    assert "Your child can now take part" in harness.screen(parent).text
    decision = await guardians.get_consent(harness.services.store, 1)
    assert decision is not None and decision.agreed and decision.relation == "parent"
    assert decision.method == "telegram" and decision.text_version == GUARDIAN_CONSENT_VERSION
    # Nothing identifies the parent: no user row, their id nowhere in the database.
    assert await table(harness, f"SELECT * FROM users WHERE telegram_id = {parent.id}") == []
    dump = "\n".join(sqlite3.connect(harness.settings.storage.database).iterdump())
    # Whole numbers only: a timestamp's microseconds may hold the same digits.
    assert not re.search(rf"(?<![\d.]){parent.id}(?!\d)", dump) and "Hoa" not in dump

    # The child is told, may still say no, and goes on with "Yes, start".
    assert "said yes" in harness.screen(child).text
    await harness.press(child, "Yes, start")
    await answer_profile(harness, child)
    await rate(harness, child, "n", "4")
    assert await ratings(harness) == 1
    await harness.text(child, "/mydata")
    shown = harness.screen(child).text
    assert "Guardian&#x27;s consent: agreed by your parent, in Telegram" in shown


async def test_under_16_waits_too_and_a_restart_resumes_the_wait(
    harness: Harness, database: Path
) -> None:
    child, parent = Person(3011, "vi"), Person(3012, "vi")
    token = await become_child(harness, child, how="age", language="Tiếng Việt")
    await harness.app.shutdown()
    async with Harness(harness.settings) as again:
        sent_before = len(again.telegram.bot_messages(child.id))
        await again.text(child, "/resume")
        assert "Trước hết, hãy hỏi bố mẹ" in again.screen(child).text
        # The link from before the restart still works, so no new one is sent.
        assert not any(LINK.search(m.text) for m in again.telegram.bot_messages(child.id))
        assert sent_before == 0
        await again.text(parent, f"/start g{token}")
        await again.press(parent, "người giám hộ")
        decision = await guardians.get_consent(again.services.store, 1)
        assert decision is not None and decision.relation == "guardian"
        await again.press(child, "Có, bắt đầu")
        first = again.screen(child).buttons()[0]["callback_data"]
        assert step_of(first) == "p4"  # the question after the age, where the child stopped
    await harness.app.initialize()  # the fixture shuts it down again


async def test_a_guardian_says_no_and_the_childs_answers_go(harness: Harness) -> None:
    child, parent = Person(3021, "en"), Person(3022, "en")
    token = await become_child(harness, child)
    assert await table(harness, "SELECT * FROM profile_answers")
    await harness.text(parent, f"/start g{token}")
    await harness.press(parent, "No")
    assert "will not take part" in harness.screen(parent).text
    assert "said no" in harness.screen(child).text
    assert await table(harness, "SELECT * FROM responses") == []
    assert await table(harness, "SELECT * FROM profile_answers") == []
    assert await table(harness, "SELECT agreed, relation FROM guardian_consents") == [(0, None)]


async def test_links_work_once_expire_and_cannot_be_forged(harness: Harness) -> None:
    child, parent, other = Person(3031, "en"), Person(3032, "en"), Person(3033, "en")
    token = await become_child(harness, child)
    waiting = harness.screen(child)
    # The child cannot answer for themselves.
    await harness.text(child, f"/start g{token}")
    assert "This link is for your parent or guardian" in harness.screen(child).text
    # A made-up token and forged buttons: refused, nothing stored.
    await harness.text(other, "/start g" + "A" * 22)
    assert "does not work any more" in harness.screen(other).text
    await harness.press_data(other, "gc1|a|" + "B" * 22)
    await harness.press_data(other, "gc1|z|" + token)
    assert await table(harness, "SELECT * FROM guardian_consents") == []
    # A new link replaces the old one.
    await harness.press(child, "Send a new link", waiting)
    newer = LINK.search(harness.telegram.bot_messages(child.id)[-2].text)
    assert newer is not None and newer.group(1) != token
    await harness.text(parent, f"/start g{token}")
    assert "does not work any more" in harness.screen(parent).text
    # Expired.
    await harness.services.store.execute(
        "UPDATE guardian_links SET expires_at = '2020-01-01T00:00:00.000000Z'"
    )
    await harness.text(parent, f"/start g{newer.group(1)}")
    assert "does not work any more" in harness.screen(parent).text
    # A fresh link works once: the second press (or a second guardian) changes nothing.
    await harness.press(child, "Send a new link")
    fresh = LINK.search(harness.telegram.bot_messages(child.id)[-2].text)
    assert fresh is not None
    await harness.text(parent, f"/start g{fresh.group(1)}")
    consent_screen = harness.screen(parent)
    yes = harness.button(parent, "Yes, I am the parent")
    await harness.press(parent, "No", consent_screen)
    await harness.press_data(parent, yes, consent_screen)  # an old button, or pressed twice
    assert await table(harness, "SELECT agreed FROM guardian_consents") == [(0,)]
    await harness.text(other, f"/start g{fresh.group(1)}")
    assert "does not work any more" in harness.screen(other).text


async def test_a_child_can_say_no_even_after_the_guardian_agreed(harness: Harness) -> None:
    child, parent = Person(3041, "en"), Person(3042, "en")
    token = await become_child(harness, child)
    await harness.text(parent, f"/start g{token}")
    await harness.press(parent, "Yes, I am the parent")
    await harness.press(child, "I don't want to take part")
    assert "you are not taking part" in harness.screen(child).text
    assert await table(harness, "SELECT agreed FROM consents") == [(0,)]
    assert await table(harness, "SELECT * FROM responses") == []
    assert await table(harness, "SELECT * FROM guardian_consents") == []


async def test_an_admin_attests_a_paper_consent(harness: Harness) -> None:
    child, admin, stranger = Person(3051, "en"), Person(ADMIN, "en"), Person(3052, "en")
    await become_child(harness, child)
    code = (await table(harness, f"SELECT pseudonym FROM users WHERE telegram_id = {child.id}"))[0][
        0
    ]
    assert code in harness.screen(child).text  # shown to the facilitator
    await harness.text(stranger, f"/guardian {code} paper")
    assert harness.screen(stranger).text in {"Not allowed.", "Không được phép."}
    assert await table(harness, "SELECT * FROM guardian_consents") == []
    await harness.text(admin, "/language en")
    await harness.text(admin, f"/guardian {code} paper grandma")
    assert "Usage" in harness.screen(admin).text
    await harness.text(admin, f"/guardian {code} paper guardian")
    assert "agreed on paper" in harness.screen(admin).text
    row = await table(
        harness, "SELECT agreed, relation, method, attested_by, text_version FROM guardian_consents"
    )
    assert row == [(1, "guardian", "paper", ADMIN, GUARDIAN_CONSENT_VERSION)]
    audit = await table(harness, "SELECT actor_id, action, detail, outcome FROM audit_log")
    assert (ADMIN, "guardian", f"{code} paper guardian", "ok: paper, guardian") in audit
    await harness.text(admin, f"/guardian {code}")
    assert "yes by the legal guardian (on paper)" in harness.screen(admin).text
    assert "said yes" in harness.screen(child).text
    await harness.press(child, "Yes, start")
    await answer_profile(harness, child)
    await answer_all(harness, child)
    # The child's form: every item but the three on an adult's intimate life.
    assert await ratings(harness) == 2 * (len(harness.services.survey.items) - 3)


# --- the child's form (issue 17) ------------------------------------------------

ADULT_ONLY = {"5.2.1", "5.2.2", "5.6.1"}


async def test_a_child_answers_the_childs_form_with_the_helpline_beside_sensitive_items(
    harness: Harness,
) -> None:
    """No intimate-partner item for a child; the child's consent in plain words; the
    helpline on the sensitive items, at the end and in /help."""
    child, parent = Person(3061, "en"), Person(3062, "en")
    token = await become_child(harness, child)
    await harness.text(parent, f"/start g{token}")
    guardian_text = harness.screen(parent).text
    assert "It takes about 15–25 minutes" in guardian_text  # not "a short survey"
    for topic in ("sexual abuse of children", "child marriage", "reproductive health"):
        assert topic in guardian_text
    await harness.press(parent, "Yes, I am the parent")
    consent = harness.screen(child).text
    assert "Now it is your turn to choose" in consent and "15–25 minutes" in consent
    assert "Call 111" in consent and "free, day and night" in consent
    await harness.press(child, "Yes, start")
    await answer_profile(harness, child)
    survey = harness.services.survey
    seen: list[str] = []
    helpline_on: set[str] = set()
    for _ in range(200):
        screen = harness.screen(child)
        data = [b["callback_data"] for b in screen.buttons()]
        if any(d.endswith("|rv|sub") for d in data):
            break
        key = step_of(data[0])
        if key.startswith("r"):
            item = survey.items[int(key[1:])][1]
            seen.append(item.code)
            if "Call 111" in screen.text:
                helpline_on.add(item.code)
        await answer_all_one(harness, child)
    assert seen and not ADULT_ONLY & set(seen)
    assert len(seen) == len(survey.items) - len(ADULT_ONLY)
    sensitive = {item.code for _s, item in survey.items if item.sensitive}
    assert helpline_on == sensitive - ADULT_ONLY
    assert "Statements answered: 66 of 66" in harness.screen(child).text
    await harness.press(child, "Submit")
    assert "Call 111" in harness.screen(child).text  # at the end
    await harness.text(child, "/help")
    assert "Call 111" in harness.screen(child).text
    assert await ratings(harness) == 2 * len(seen)


async def answer_all_one(harness: Harness, person: Person) -> None:
    """One step forward: both ratings of a statement, or the next closing question."""
    data = [b["callback_data"] for b in harness.screen(person).buttons()]
    key = step_of(data[0])
    if key.startswith("r"):
        await rate(harness, person, "n", "3")
        await rate(harness, person, "f", "4")
        await harness.press_data(person, next(d for d in data if d.endswith(f"|{key}|s")))
    else:
        await harness.press_data(
            person, next(d for d in data if d.endswith("|s") or d.endswith("|k"))
        )


def test_the_childs_form_leaves_out_exactly_what_a_child_should_not_see() -> None:
    """The survey's skip logic and the guardian's rule agree on who is a child."""
    survey = load_survey()
    codes = {i: item.code for i, (_s, item) in enumerate(survey.items)}
    for group in ("children", "youth", "children women"):
        for age in ("under_16", "16_30", "31_45"):
            answers = Answers(profile={"group": group, "age_band": age})
            shown = {codes[i] for i in visible(survey, answers).items}
            if is_minor(answers):
                assert not shown & ADULT_ONLY, (group, age)
            else:
                assert shown >= ADULT_ONLY, (group, age)


@pytest.mark.parametrize(
    ("how", "reason"),
    [("age", "You are under 16"), ("group", "You told us you are a child")],
)
async def test_the_waiting_screen_gives_the_right_reason_and_a_plain_date(
    harness: Harness, how: str, reason: str
) -> None:
    child = Person(3071 + len(how), "en")
    # "group": a 16- or 17-year-old ticks Children and waits before the age is asked.
    await become_child(harness, child, how=how)
    text = harness.screen(child).text
    assert reason in text and (how == "age" or "under 16" not in text)
    expires = (await table(harness, "SELECT expires_at FROM guardian_links"))[0][0]
    day = harness.services.local_date(str(expires), "en")
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+", day)
    assert f"The link works once, until {day}." in text
    assert not re.search(r"\d{4}-\d\d-\d\d|UTC", text)
