"""The ceiling for benchmarks/webhook.py: the same HTTP path as ``serve`` with a
trivial handler and no database.

A starlette app with python-telegram-bot's Application (no updater), as in
``bot/webhook/asgi.py``: the secret header checked, each update handled by
``process_update`` before the 200. /start sends one button; each press
answers the callback and edits the message to the next number: the two Bot
API calls a real answer costs, nothing else.

    python -m uvicorn webhook_ceiling:create --factory --app-dir benchmarks --workers 2
"""

from __future__ import annotations

import contextlib
import hmac
import os
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes


def _markup(n: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"tap {n}", callback_data=f"t|{n}")]])


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "0", reply_markup=_markup(0))


async def _press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    n = int(query.data.split("|")[1]) + 1
    await query.answer()
    await query.edit_message_text(str(n), reply_markup=_markup(n))


def create() -> Starlette:
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["SCORECARD_TELEGRAM__BASE_URL"])
        .updater(None)
        .build()
    )
    application.add_handler(CommandHandler("start", _start))
    application.add_handler(CallbackQueryHandler(_press))
    secret = os.environ["SCORECARD_WEBHOOK__SECRET"].encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
        if not hmac.compare_digest(given, secret):
            return Response(status_code=403)
        update = Update.de_json(await request.json(), application.bot)
        await application.process_update(update)
        return Response(status_code=200)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with application:
            yield

    return Starlette(routes=[Route("/telegram", receive, methods=["POST"])], lifespan=lifespan)
