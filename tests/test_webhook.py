"""Webhook mode (``serve``), offline: the secret, once per update id, one person in
order across workers, and the leader's lease taken over after its holder dies.

Each "worker" is the real starlette app with the real Application on one
SQLite file, driven through httpx's ASGI transport; Telegram's side is the
recording request layer of tests/auxil.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from bot.admin import broadcasting
from bot.webhook.asgi import SECRET_HEADER, create_app
from bot.webhook.cluster import Cluster
from storage import webhook
from tests.auxil.harness import Person, make_settings
from tests.auxil.offline import OfflineTelegram

SECRET = "s3cret-token_for-tests"
_ids = itertools.count(5000)


def settings_for(database: Path, **webhook_values: Any) -> Any:
    return make_settings(database, webhook={"secret": SECRET, **webhook_values})


def message(person: Person, text: str, update_id: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
        "from": person.json(),
        "text": text,
    }
    if text.startswith("/"):
        data["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id if update_id is not None else next(_ids), "message": data}


class Worker:
    def __init__(self, app: Starlette, telegram: OfflineTelegram) -> None:
        self.app = app
        self.telegram = telegram
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://worker"
        )

    @property
    def cluster(self) -> Cluster:
        return self.app.state.cluster

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        response = await self.client.post("/telegram", json=update, headers=headers)
        return response.status_code

    def sent(self, chat_id: int) -> list[str]:
        return [m.text for m in self.telegram.bot_messages(chat_id)]


@contextlib.asynccontextmanager
async def worker(database: Path, holder: str, **webhook_values: Any) -> AsyncIterator[Worker]:
    telegram = OfflineTelegram()
    app = create_app(
        settings_for(database, **webhook_values),
        request=telegram,
        rate_limiter=False,
        holder=holder,
    )
    async with app.router.lifespan_context(app):
        one = Worker(app, telegram)
        try:
            yield one
        finally:
            await one.client.aclose()


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_handled(
    tmp_path: Path,
) -> None:
    async with worker(tmp_path / "db.sqlite3", "a") as one:
        person = Person(501)
        assert await one.post(message(person, "/start"), secret="not-the-secret") == 403
        assert await one.post(message(person, "/start"), secret=None) == 403
        assert one.sent(person.id) == []
        assert await webhook.backlog(one.cluster.store) == 0
        rows = await one.cluster.store.fetchall("SELECT * FROM webhook_inbox")
        assert rows == []
        assert await one.post(message(person, "/start")) == 200
        assert one.sent(person.id), "the right secret is served"


async def test_a_redelivered_update_is_handled_once_by_any_worker(database: Path) -> None:
    async with worker(database, "a") as a, worker(database, "b") as b:
        person = Person(502)
        update = message(person, "/start")
        assert await a.post(update) == 200
        greeted = a.sent(person.id)
        assert greeted
        # Telegram did not see the 200 and delivers it again, here and to the other worker.
        assert await a.post(update) == 200
        assert await b.post(update) == 200
        assert a.sent(person.id) == greeted
        assert b.sent(person.id) == []
        # The update's text is not kept once handled: only its id, to catch redeliveries.
        row = await a.cluster.store.fetchone(
            "SELECT person, body, done_at FROM webhook_inbox WHERE update_id = ?",
            (update["update_id"],),
        )
        assert row is not None and row["person"] is None and row["body"] is None
        assert row["done_at"] is not None


async def test_one_persons_updates_wait_for_the_worker_holding_them_and_go_in_order(
    database: Path,
) -> None:
    async with (
        worker(database, "a", person_lease_seconds=1.0) as a,
        worker(database, "b", person_lease_seconds=1.0) as b,
    ):
        person = Person(503)
        # A third worker holds this person (mid-update) and then dies without letting go.
        assert await webhook.take_lease(a.cluster.store, webhook.person_lease(503), "dead", 1.0)
        first, second = message(person, "/start"), message(person, "/help")
        assert first["update_id"] < second["update_id"]
        # The later update reaches worker b first, the earlier one worker a.
        later = asyncio.create_task(b.post(second))
        await asyncio.sleep(0.2)
        earlier = asyncio.create_task(a.post(first))
        await asyncio.sleep(0.3)
        assert not later.done() and not earlier.done(), "nobody handles a held person"
        assert a.sent(person.id) == [] and b.sent(person.id) == []
        assert await asyncio.wait_for(asyncio.gather(later, earlier), 10) == [200, 200]
        # Once the dead worker's lease expired, one worker took the person and
        # handled both in update id order: the greeting, then the help.
        replies = a.sent(person.id) + b.sent(person.id)
        assert len(replies) == 2, replies
        assert "Choose your language" in replies[0], "the greeting (update 1) first"
        assert "/delete" in replies[1] and "Choose your language" not in replies[1]
        assert a.sent(person.id) == replies or b.sent(person.id) == replies, (
            "one worker handled the person, never both at once"
        )


async def test_the_leader_lease_passes_to_another_worker_when_the_leader_dies(
    database: Path,
) -> None:
    async with (
        worker(database, "a", leader_lease_seconds=2.0) as a,
        worker(database, "b", leader_lease_seconds=2.0) as b,
    ):
        await asyncio.sleep(0.1)
        leaders = [w for w in (a, b) if w.cluster.leader]
        assert len(leaders) == 1, "exactly one worker leads"
        leader, other = (a, b) if a.cluster.leader else (b, a)
        ran: list[str] = []

        async def job(context: Any) -> None:
            ran.append(context.job.name)

        for name, one in (("leader", leader), ("other", other)):
            assert one.app.state.application.job_queue is not None
            one.app.state.application.job_queue.run_once(job, when=0.05, name=name)
        await asyncio.sleep(0.3)
        assert ran == ["leader"], "a scheduled job runs on the leader only"
        # A broadcast confirmed on another worker waits for the leader to deliver it.
        other_app = other.app.state.application
        assert broadcasting.start_delivery(other_app, 1) is None
        assert other_app.bot_data.broadcast_tasks == {}

        # The leader's process dies: it stops renewing (its task ends, nothing released).
        task = leader.cluster._leading
        assert task is not None
        task.cancel()
        leader.cluster.leader = False  # a dead process runs nothing
        holder = await webhook.lease_holder(other.cluster.store, webhook.LEADER)
        assert holder == leader.cluster.holder
        deadline = time.monotonic() + 10
        while not other.cluster.leader and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert other.cluster.leader, "another worker took over after the lease expired"
        assert await webhook.lease_holder(other.cluster.store, webhook.LEADER) == (
            other.cluster.holder
        )
        assert not await leader.cluster.try_lead(), "the old leader cannot take it back"
        ran.clear()
        other.app.state.application.job_queue.run_once(job, when=0.05, name="after")
        await asyncio.sleep(0.3)
        assert ran == ["after"]


@pytest.mark.parametrize("secret", ["", "has space", "x" * 257])
def test_a_malformed_secret_is_a_one_line_configuration_error(tmp_path: Path, secret: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="secret"):
        make_settings(tmp_path / "db.sqlite3", webhook={"secret": secret})


def test_serve_without_a_secret_stops_with_one_line_and_creates_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli.main import main
    from tests.auxil.offline import TOKEN

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SCORECARD_WEBHOOK__SECRET", raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(tmp_path / "db.sqlite3"))
    assert main(["serve", "--workers", "2"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "webhook.secret: missing" in error
    assert "SCORECARD_WEBHOOK__SECRET" in error
    assert not (tmp_path / "db.sqlite3").exists()


async def _a_response_without_a_round(database: Path) -> None:
    from storage import responses, users
    from storage.store import Store
    from survey.model import load_survey

    survey = load_survey()
    store = await Store.open(database)
    try:
        user = await users.ensure_user(store, 4242, 4242)
        await responses.start_response(
            store, user.id, survey.id, survey.version, survey.content_hash, None, {}
        )
    finally:
        await store.close()


async def _round_ids(database: Path) -> dict[str, list[str]]:
    from storage.store import Store

    store = await Store.open(database)
    try:
        opened = [row[0] for row in await store.fetchall("SELECT id FROM rounds")]
        moved = [row[0] for row in await store.fetchall("SELECT round_id FROM responses")]
    finally:
        await store.close()
    return {"rounds": opened, "responses": moved}


async def test_a_worker_never_opens_the_default_round_serve_does_before_its_workers(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker restarted while the others serve must not move every response into
    a new round in the middle of people's answers (on PostgreSQL that deadlocked
    with them); ``serve`` opens it before any worker takes an update."""
    await _a_response_without_a_round(database)
    async with worker(database, "restarted"):
        pass
    assert await _round_ids(database) == {"rounds": [], "responses": [""]}

    import uvicorn

    import cli.serve
    from cli.main import main
    from tests.auxil.offline import TOKEN

    seen_by_workers: list[dict[str, list[str]]] = []

    async def no_bot_api(settings: Any) -> None:
        return None

    def start_workers(*args: Any, **kwargs: Any) -> None:
        seen_by_workers.append(asyncio.run(_round_ids(database)))

    monkeypatch.setattr(cli.serve, "check_bot_api", no_bot_api)
    monkeypatch.setattr(uvicorn, "run", start_workers)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("SCORECARD_WEBHOOK__SECRET", SECRET)
    monkeypatch.setenv("SCORECARD_STORAGE__DATABASE", str(database))
    assert await asyncio.to_thread(main, ["serve", "--workers", "2"]) == 0
    assert seen_by_workers == [{"rounds": ["2026"], "responses": ["2026"]}]


def press(worker: Worker, person: Person, data: str) -> dict[str, Any]:
    shown = worker.telegram.last_bot_message(person.id)
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": person.json(),
            "chat_instance": str(person.id * 7),
            "data": data,
            "message": worker.telegram.message_json(person.id, shown),
        },
    }


async def test_an_answer_refused_as_a_deadlock_with_another_worker_is_stored_on_a_second_try(
    database: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL refuses one of two workers' transactions that wait for each other;
    the refused one's update runs again, and the person never hears "try again".
    Refused twice, they do hear it, and nothing runs a third time."""
    import psycopg

    from storage import users

    real_record = users.record_consent
    refusals: list[int] = []

    async def crossing(*args: Any, **kwargs: Any) -> None:
        if len(refusals) < budget:
            refusals.append(1)
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        await real_record(*args, **kwargs)

    monkeypatch.setattr(users, "record_consent", crossing)
    async with worker(database, "a") as a:
        for person, budget in ((Person(503, "en"), 1), (Person(504, "en"), 2)):
            refusals.clear()
            assert await a.post(message(person, "/start")) == 200
            assert await a.post(press(a, person, "1|L|en")) == 200
            assert await a.post(press(a, person, "1|C|y")) == 200
            told = [answer.get("text") for answer in a.telegram.callback_answers()[-2:]]
            refused = any("could not be saved" in str(text) for text in told)
            user = await users.get_user(a.cluster.store, person.id)
            assert user is not None
            consent = await users.get_consent(a.cluster.store, user.id)
            if budget == 1:
                assert not refused and consent is not None and consent.agreed
                assert "About you (1/5)" in a.sent(person.id)[-1]
            else:
                assert refused and consent is None and len(refusals) == 2
