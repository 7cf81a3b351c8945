"""Chat commands: /digest and /export for coordinators, /coordinator for admins.

A coordinator sees only their scope; admins see everything; anyone else is
told "Not allowed." and nothing more.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import InputFile, Update
from telegram.constants import ChatAction
from telegram.ext import filters

from bot.config import Settings
from bot.context import Context
from bot.coordinator import delivery
from bot.coordinator.schedule import ScheduleError, parse_schedule
from bot.roles import admin_only, caller_language, is_admin, refuse
from conversations.services import Services
from locales.i18n import Translate, translator
from reporting.digest.opensdg import long_csv
from reporting.digest.scope import (
    ScopeError,
    parse_scope,
    scope_from_json,
    scope_text,
    scope_to_json,
)
from storage import audit, digests

PRIVATE = filters.ChatType.PRIVATE
# How a response was collected (responses.mode): /digest mode=… keeps one.
MODES = ("self", "interview", "paper")


@dataclass(frozen=True, slots=True)
class Access:
    """What the caller may see: a scope ({} is everything) and their language."""

    scope: dict[str, str]
    language: str


AccessHandler = Callable[[Update, Context, Access], Awaitable[Any]]
Handler = Callable[[Update, Context], Awaitable[Any]]


def coordinator_only(handler: AccessHandler) -> Handler:
    """Admins get everything, coordinators their scope, anyone else "Not allowed."."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> Any:
        settings: Settings = context.bot_data.settings
        services: Services = context.bot_data.services
        user = update.effective_user
        if user is None:
            return None
        coordinator = await digests.get_coordinator(services.store, user.id)
        if coordinator is None and any(c.telegram_id == user.id for c in settings.coordinators):
            # In the config but not yet in the database (start-up sync pending).
            await delivery.sync_config(context.application)
            coordinator = await digests.get_coordinator(services.store, user.id)
        if coordinator is not None:
            if not coordinator.active:  # they wrote to us, so they unblocked the bot
                await digests.set_active(services.store, user.id, True)
            access = Access(scope_from_json(coordinator.scope), coordinator.language)
        elif is_admin(settings, user.id):
            access = Access({}, await caller_language(context, user.id, user.language_code))
        else:
            await refuse(update, context)
            return None
        return await handler(update, context, access)

    return wrapper


def _window(settings: Settings) -> tuple[datetime, datetime]:
    end = datetime.now(UTC)
    return end - timedelta(days=settings.digest.window_days), end


@coordinator_only
async def digest_command(update: Update, context: Context, access: Access) -> None:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    args = context.args or []
    mode = None
    if args:
        mode = args[0].lower().removeprefix("mode=")
        if len(args) > 1 or not args[0].lower().startswith("mode=") or mode not in MODES:
            _ = translator(access.language)
            await context.bot.send_message(
                chat_id, _("Use /digest, or /digest mode=self|interview|paper.")
            )
            return
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO)
    digest = await delivery.produce(
        settings, services.survey, access.scope, *_window(settings), access.language, mode
    )
    await delivery.send_digest(context.bot, chat_id, digest, access.language)


@coordinator_only
async def export_command(update: Update, context: Context, access: Access) -> None:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    _ = translator(access.language)
    chat_id = update.effective_chat.id  # type: ignore[union-attr]
    kind = (context.args or [""])[0].lower()
    day = datetime.now(settings.zone).strftime("%Y-%m-%d")
    if kind == "csv":
        data = (await _opensdg_csv(settings, services, access.scope)).encode("utf-8")
        await context.bot.send_document(
            chat_id,
            InputFile(data, filename=f"scorecard-opensdg-{day}.csv"),
            caption=_("Mean ratings in the Open SDG data format; small groups left out."),
        )
    elif kind == "xlsx":
        digest = await delivery.produce(
            settings, services.survey, access.scope, *_window(settings), access.language
        )
        await context.bot.send_document(
            chat_id,
            InputFile(digest.workbook, filename=f"scorecard-digest-{day}.xlsx"),
            caption=_("Workbook: summary, breakdowns, indicators, comments."),
        )
    else:
        await context.bot.send_message(chat_id, _("Use /export csv or /export xlsx."))
        return
    # Every export is audited: who, what, when (the table /audit reads).
    user = update.effective_user
    await audit.record(
        services.store,
        user.id if user else 0,
        "export",
        f"{kind} scope={scope_text(access.scope)}",
        "ok",
    )


async def _opensdg_csv(settings: Settings, services: Services, scope: dict[str, str]) -> str:
    """The Open SDG long CSV of ``scope``, read and built in a worker thread."""

    def build() -> str:
        return long_csv(settings.storage.database, services.survey, scope, settings.disclosure.k)

    return await asyncio.to_thread(build)


@admin_only("coordinator")
async def coordinator_command(update: Update, context: Context) -> None:
    services: Services = context.bot_data.services
    user = update.effective_user
    assert user is not None and update.effective_chat is not None
    _ = translator(await caller_language(context, user.id, user.language_code))
    args = context.args or []
    action = args[0].lower() if args else "list"
    usage = _(
        "Use /coordinator list, /coordinator add <user id> [region=… group=…],"
        " /coordinator remove <user id>, /coordinator schedule <user id> <daily 08:00|mon 08:00|off>,"
        " /coordinator language <user id> <vi|en>."
    )
    reply = usage
    if action == "list":
        reply = await _list_coordinators(services, _)
    elif action in ("add", "remove", "schedule", "language") and len(args) >= 2:
        try:
            telegram_id = int(args[1])
        except ValueError:
            telegram_id = 0
        current = await digests.get_coordinator(services.store, telegram_id)
        if telegram_id <= 0:
            reply = _("A user id is a number, e.g. 123456789.")
        elif current is not None and current.source == "config":
            # The config file is applied again at every start: a change made here
            # would be silently undone, so it is refused with where to make it.
            reply = _config_coordinator(telegram_id, action, _)
        elif action == "add":
            reply = await _add_coordinator(services, telegram_id, args[2:], _)
        elif action == "remove":
            removed = await digests.remove_coordinator(services.store, telegram_id)
            reply = (
                _("Coordinator {id} removed.") if removed else _("{id} is not a coordinator.")
            ).format(id=telegram_id)
        elif action == "schedule":
            reply = await _set_schedule(services, telegram_id, " ".join(args[2:]), _)
        elif action == "language":
            language = (args[2] if len(args) > 2 else "").lower()
            reply = await _set_language(services, telegram_id, language, _) or usage
        # The digest job follows the coordinator as stored now.
        coordinator = await digests.get_coordinator(services.store, telegram_id)
        if coordinator is not None:
            delivery.plan_job(context.application, coordinator)
        elif telegram_id > 0:
            delivery.plan_job_removal(context.application, telegram_id)
    await context.bot.send_message(update.effective_chat.id, reply)


def _config_coordinator(telegram_id: int, action: str, _: Translate) -> str:
    if action == "remove":
        return _(
            "{id} is a coordinator from the config file: remove their [[coordinators]]"
            " entry (telegram_id = {id}) there and restart the bot."
        ).format(id=telegram_id)
    return _(
        "{id} is a coordinator from the config file: change their {setting} in its"
        " [[coordinators]] entry (telegram_id = {id}) and restart the bot."
    ).format(id=telegram_id, setting={"add": "scope"}.get(action, action))


async def _list_coordinators(services: Services, _: Translate) -> str:
    rows = await digests.list_coordinators(services.store)
    return "\n".join(
        f"{c.telegram_id}: {scope_text(scope_from_json(c.scope))}, {c.schedule}, {c.language}"
        + ("" if c.active else " — " + _("inactive"))
        for c in rows
    ) or _("No coordinators yet.")


async def _add_coordinator(
    services: Services, telegram_id: int, scope_words: list[str], _: Translate
) -> str:
    """Add a coordinator, or change their scope, keeping their schedule and language."""
    try:
        scope = parse_scope(",".join(scope_words), services.survey)
    except ScopeError as error:
        return _("Not a valid scope: {error}").format(error=error)
    current = await digests.get_coordinator(services.store, telegram_id)
    await digests.upsert_coordinator(
        services.store,
        telegram_id,
        scope_to_json(scope),
        current.schedule if current else "mon 08:00",
        current.language if current else services.default_language,
        "chat",
    )
    return _("Coordinator {id} added with scope {scope}.").format(
        id=telegram_id, scope=scope_text(scope)
    )


async def _set_schedule(services: Services, telegram_id: int, text: str, _: Translate) -> str:
    try:
        parse_schedule(text)
    except ScheduleError:
        return _("Not a schedule: use daily 08:00, mon 08:00 or off.")
    changed = await digests.set_schedule(services.store, telegram_id, text.lower())
    return (
        _("Schedule of {id} is now {schedule}.") if changed else _("{id} is not a coordinator.")
    ).format(id=telegram_id, schedule=text.lower())


async def _set_language(
    services: Services, telegram_id: int, language: str, _: Translate
) -> str | None:
    """The reply to changing a coordinator's digest language; None for a language not offered."""
    current = await digests.get_coordinator(services.store, telegram_id)
    if language not in ("vi", "en"):
        return None
    if current is None:
        return _("{id} is not a coordinator.").format(id=telegram_id)
    await digests.upsert_coordinator(
        services.store,
        telegram_id,
        current.scope,
        current.schedule,
        language,
        current.source,
    )
    return _("Language of {id} is now {language}.").format(id=telegram_id, language=language)
