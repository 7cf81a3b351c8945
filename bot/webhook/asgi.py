"""The HTTP face of one worker: Telegram POSTs each update to ``[webhook] path``.

As python-telegram-bot's custom-webhook example: an Application without an
updater, a starlette app, updates handed to ``Application.process_update``
(here through :class:`~bot.webhook.cluster.Cluster`, which keeps the rules
between workers). The reply is 200 only once the update was handled, so an
update a killed worker never finished is delivered again by Telegram.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from telegram.request import BaseRequest

from bot.app import build_application, freeze_start_up_objects
from bot.config import Settings, load_settings
from bot.logs import configure_logging
from bot.webhook.cluster import Cluster
from bot.webhook.jobs import take_over
from storage import webhook
from storage.database import database_errors
from survey.model import Survey

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# How ``serve`` tells its worker processes which configuration file to read.
CONFIG_ENV = "SDG_SCORECARD_SERVE_CONFIG"
MAX_BODY = 1_000_000


def create_app(
    settings: Settings,
    survey: Survey | None = None,
    *,
    request: BaseRequest | None = None,
    rate_limiter: bool = True,
    holder: str | None = None,
    freeze: bool = False,
) -> Starlette:
    """One worker: the Application, its cluster rules and the route Telegram posts to."""
    secret = settings.webhook.require_secret().encode()
    application = build_application(
        settings, survey, request=request, rate_limiter=rate_limiter, webhook=True
    )
    cluster = Cluster(
        application,
        person_lease=settings.webhook.person_lease_seconds,
        leader_lease=settings.webhook.leader_lease_seconds,
        holder=holder,
    )
    application.bot_data.cluster = cluster
    cluster.on_lead = lambda: take_over(application)

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return Response(status_code=413)
        try:
            data: Any = json.loads(raw)
        except ValueError:
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        try:
            done = await cluster.handle(data, raw.decode("utf-8"))
        except database_errors() as error:  # still down after wait_seconds: delivered again
            log.warning("update %d not done: the database failed: %s", data["update_id"], error)
            return Response(status_code=503)
        except Exception:  # Telegram delivers it again
            log.exception("update %d could not be taken in", data["update_id"])
            return Response(status_code=503)
        return Response(status_code=200 if done else 503)

    async def health(request: Request) -> Response:
        try:
            waiting = await webhook.backlog(cluster.store)
        except database_errors() as error:
            log.warning("health check: the database failed: %s", error)
            return JSONResponse(
                {"ok": False, "leader": cluster.leader, "database": "unavailable"},
                status_code=503,
            )
        return JSONResponse({"ok": True, "leader": cluster.leader, "waiting": waiting})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await application.initialize()
        await application.start()
        if freeze:
            freeze_start_up_objects()
        cluster.start()
        try:
            yield
        finally:
            await cluster.stop()
            await application.stop()
            await application.shutdown()

    app = Starlette(
        routes=[
            Route(settings.webhook.path, receive, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.application = application
    app.state.cluster = cluster
    return app


def from_environment() -> Starlette:
    """uvicorn's factory in each worker process: the configuration ``serve`` was given."""
    path = os.environ.get(CONFIG_ENV) or None
    settings = load_settings(Path(path) if path else None)
    token = settings.telegram.token
    configure_logging(settings.log_level, [token.get_secret_value()] if token else [])
    return create_app(settings, freeze=True)
