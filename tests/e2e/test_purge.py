"""``scorecard-bot purge`` as a process, beside the running bot: after retention_days,
the respondent's Telegram link is gone, their pseudonymous answers stay, and the
bot treats them as a new person when they come back."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

from localbotapi import ChatMessage, ControlClient
from survey.model import Survey
from tests.e2e.driver import BotProcess, Respondent, bot_environment, exported_ratings, live_screen


def purge(bot: BotProcess, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "purge", *flags],
        cwd=bot.database.parent,
        env=bot_environment(bot.server, bot.database, {"SCORECARD_PRIVACY__RETENTION_DAYS": "30"}),
        capture_output=True,
        timeout=60,
        check=True,
    )
    return result.stdout.decode("utf-8")


async def test_purge_beside_the_running_bot(
    bot: BotProcess, control: ControlClient, survey: Survey
) -> None:
    old = Respondent(await control.create_user("Mai", language_code="en"), survey)
    recent = Respondent(await control.create_user("Tuan", language_code="en"), survey)
    for person in (old, recent):
        await person.begin()
        await person.answer(until=lambda step: step == "r2n")
    before = exported_ratings(bot.export())
    assert len(before) == 2
    with sqlite3.connect(bot.database) as db:  # Mai's last answer was 40 days ago
        (pseudonym,) = db.execute(
            "SELECT pseudonym FROM users WHERE telegram_id = ?", (old.user.id,)
        ).fetchone()
        db.execute(
            "UPDATE responses SET updated_at = '2020-01-01T00:00:00.000000Z'"
            " WHERE user_id = (SELECT id FROM users WHERE telegram_id = ?)",
            (old.user.id,),
        )
        db.execute(
            "UPDATE users SET created_at = '2020-01-01T00:00:00.000000Z' WHERE telegram_id = ?",
            (old.user.id,),
        )
        db.execute("UPDATE consents SET decided_at = '2020-01-01T00:00:00.000000Z'")
        db.execute(
            "UPDATE consents SET decided_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE user_id"
            " = (SELECT id FROM users WHERE telegram_id = ?)",
            (recent.user.id,),
        )

    assert "would remove the Telegram and chat ids of 1 people" in purge(bot, "--dry-run")
    assert "removed the Telegram and chat ids of 1 people" in purge(bot)
    with sqlite3.connect(bot.database) as db:
        rows = db.execute(
            "SELECT telegram_id, chat_id FROM users WHERE pseudonym = ?", (pseudonym,)
        )
        (telegram_id, chat_id) = rows.fetchone()
        ids = {row[0] for row in db.execute("SELECT telegram_id FROM users")}
    assert telegram_id < 0 and chat_id == 0 and old.user.id not in ids and recent.user.id in ids
    assert exported_ratings(bot.export()) == before  # every answer kept, same pseudonym

    # Mai comes back: the running bot greets a new person (the language choice).
    newest = max(m.message_id for m in await old.user.chat())
    await old.user.send_command("/start")

    def greeting(chat: list[ChatMessage]) -> ChatMessage | None:
        screen = live_screen(chat)
        return screen if screen is not None and screen.message_id > newest else None

    screen = await old.user.wait_for(greeting, 30)
    assert screen is not None and "English" in screen.button_texts
    # Tuan goes on where he was.
    assert (await recent.screen()) is not None
