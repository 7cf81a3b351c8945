"""The aiohttp application and :class:`LocalBotApiServer` (in-loop or background thread)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import threading
from importlib import resources
from typing import Any

from aiohttp import web

from . import methods  # noqa: F401 - registers the Bot API methods
from .control import STATE_KEY
from .control import routes as control_routes
from .errors import ApiError, not_found, unauthorized
from .methods.registry import ApiContext, Described, lookup
from .model import BotIdentity
from .params import Params, read_params
from .state import BotState
from .webhook import WebhookDelivery

log = logging.getLogger(__name__)
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,100}$")
CONTEXT_KEY: web.AppKey[ApiContext] = web.AppKey("localbotapi_context", ApiContext)
TOKEN_KEY: web.AppKey[str] = web.AppKey("localbotapi_token", str)
DEFAULT_BOT_ID = 7000000001


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        text=json.dumps(body, ensure_ascii=False), status=status, content_type="application/json"
    )


def _token_ok(app: web.Application, token: str) -> bool:
    expected = app[TOKEN_KEY]
    return token == expected if expected else bool(_TOKEN_RE.match(token))


async def call_method(ctx: ApiContext, method: str, params: Params) -> dict[str, Any]:
    """Run one Bot API method and return the response body (``ok`` true or false)."""
    handler = lookup(method)
    if handler is None:
        return not_found().payload()
    try:
        result = await handler(ctx, params)
    except ApiError as exc:
        return exc.payload()
    if isinstance(result, Described):
        return {"ok": True, "result": result.result, "description": result.description}
    return {"ok": True, "result": result}


async def handle_api(request: web.Request) -> web.StreamResponse:
    app = request.app
    ctx = app[CONTEXT_KEY]
    if not _token_ok(app, request.match_info["token"]):
        return _json(unauthorized().payload(), 401)
    method = request.match_info["method"]
    try:
        params = await read_params(request)
    except ApiError as exc:
        return _json(exc.payload(), exc.code)
    except ValueError:
        return _json(ApiError(400, "Bad Request: can't parse JSON object").payload(), 400)
    record = ctx.state.record_call(method, params.loggable())
    fault = ctx.state.faults.take(method)
    if fault is not None:
        record.fault = fault.kind
        if fault.kind == "drop":
            record.ok = False
            return await _drop_connection(request)
        if fault.kind == "delay":
            await asyncio.sleep(fault.delay)
        else:
            error = fault.error()
            assert error is not None
            record.ok, record.error_code, record.description = False, error.code, error.description
            return _json(error.payload(), error.code)
    body = await call_method(ctx, method, params)
    if not body["ok"]:
        record.ok, record.error_code, record.description = (
            False,
            body["error_code"],
            body["description"],
        )
    ctx.state.touch()
    return _json(body, 200 if body["ok"] else body["error_code"])


async def _drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket without writing any response (a 'dropped connection')."""
    transport = request.transport
    if transport is not None:
        transport.abort()
    raise asyncio.CancelledError


async def handle_file(request: web.Request) -> web.StreamResponse:
    if not _token_ok(request.app, request.match_info["token"]):
        return _json(unauthorized().payload(), 401)
    stored = request.app[CONTEXT_KEY].state.file_by_path(request.match_info["path"])
    if stored is None:
        return _json(not_found().payload(), 404)
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


async def handle_static(request: web.Request) -> web.StreamResponse:
    name = request.match_info.get("name") or "index.html"
    if name not in ("index.html", "playground.css", "playground.js"):
        raise web.HTTPNotFound()
    text = resources.files("localbotapi").joinpath("static", name).read_text("utf-8")
    kind = {"html": "text/html", "css": "text/css", "js": "application/javascript"}[
        name.rsplit(".", 1)[1]
    ]
    return web.Response(text=text, content_type=kind, charset="utf-8")


def build_app(
    token: str | None = None,
    bot_username: str = "local_test_bot",
    bot_name: str = "Local Test Bot",
    callback_query_ttl: float = 15.0,
    webhook_retry_delay: float = 1.0,
    first_message_id: int = 1,
) -> web.Application:
    bot_id = int(token.split(":", 1)[0]) if token and ":" in token else DEFAULT_BOT_ID
    state = BotState(
        BotIdentity(bot_id, bot_name, bot_username), callback_query_ttl, first_message_id
    )
    delivery = WebhookDelivery(state, retry_delay=webhook_retry_delay)
    ctx = ApiContext(state, delivery)

    async def execute_reply(method: str, params: dict[str, Any]) -> None:
        state.record_call(method, params)
        await call_method(ctx, method, Params(params))

    delivery.execute_reply = execute_reply
    app = web.Application(client_max_size=60 * 1024 * 1024)
    app[STATE_KEY] = state
    app[CONTEXT_KEY] = ctx
    app[TOKEN_KEY] = token or ""

    async def on_cleanup(_: web.Application) -> None:
        await delivery.stop()

    app.on_cleanup.append(on_cleanup)
    app.router.add_route("*", r"/bot{token}/{method}", handle_api)
    app.router.add_get(r"/file/bot{token}/{path:.+}", handle_file)
    app.add_routes(control_routes)
    app.router.add_get("/", handle_static)
    app.router.add_get("/static/{name}", handle_static)
    return app


async def _drain(tasks: set[asyncio.Task[Any]]) -> None:
    await asyncio.gather(*tasks, return_exceptions=True)


class LocalBotApiServer:
    """A local Bot API server on 127.0.0.1 (port 0 picks a free port).

    Use ``async with LocalBotApiServer() as server:`` inside a running loop, or
    ``server.run_in_thread()`` / ``server.stop_thread()`` from synchronous code.
    """

    def __init__(
        self, port: int = 0, host: str = "127.0.0.1", token: str | None = None, **options: Any
    ) -> None:
        self.host = host
        self.requested_port = port
        self.token = token
        self.app = build_app(token, **options)
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    @property
    def state(self) -> BotState:
        """Direct access to the model; only safe from the server's own event loop."""
        return self.app[STATE_KEY]

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("server is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    @property
    def control_url(self) -> str:
        return f"{self.root_url}/_control"

    @property
    def playground_url(self) -> str:
        return f"{self.root_url}/"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.requested_port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def run_in_thread(self, timeout: float = 10.0) -> LocalBotApiServer:
        """Start the server on its own event loop in a daemon thread; returns once listening."""
        ready = threading.Event()
        errors: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._thread_loop = loop
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self.stop())
            # Requests still waiting (a long poll of the page or of getUpdates) are
            # cancelled and awaited: closing the loop over them would log "Task was
            # destroyed but it is pending!" at every Ctrl-C.
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(_drain(pending))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=main, name="localbotapi", daemon=True)
        self._thread.start()
        if not ready.wait(timeout):
            raise TimeoutError("local Bot API server did not start")
        if errors:
            raise errors[0]
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        if self._thread_loop is not None and self._thread is not None:
            self._thread_loop.call_soon_threadsafe(self._thread_loop.stop)
            self._thread.join(timeout)
            self._thread = None
            self._thread_loop = None
