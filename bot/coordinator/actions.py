"""/actions: a coordinator's action plan in chat, with buttons (``a1|`` presses).

Thin: the screens and the checks of every typed answer are in
``conversations.actionplan``; the records in ``storage.actions``. A coordinator
sees the actions of their scope (and narrower ones); admins see all. Anyone
else's command, press or typed answer is refused and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot import presenters
from bot.config import Settings
from bot.context import Context
from bot.coordinator.commands import Access, coordinator_only
from bot.coordinator.followup import announce
from conversations import actionplan
from conversations.actionplan import Draft, draft_from_json, draft_to_json
from conversations.callbacks import ForgedCallback, decode_actions
from conversations.services import Services
from locales.i18n import translator
from reporting.digest.analysis import analyse
from reporting.digest.scope import scope_from_json, scope_to_json
from storage import actions, rounds
from storage.actions import Action, ActionError

log = logging.getLogger(__name__)
OFFERED = 8  # the lowest-scoring indicators offered as buttons


def visible(access: Access, action: Action) -> bool:
    """An action of the caller's scope or a narrower one (admins: every action)."""
    scope = scope_from_json(action.scope)
    return all(scope.get(dimension) == choice for dimension, choice in access.scope.items())


async def _listed(services: Services, access: Access) -> list[Action]:
    return [a for a in await actions.list_actions(services.store) if visible(access, a)]


def _today(settings: Settings) -> date:
    return datetime.now(settings.zone).date()


def _lowest(settings: Settings, services: Services, scope: dict[str, str]) -> tuple[str, ...]:
    """The digest's lowest-scoring indicators of the scope (protected means only)."""
    end = datetime.now(UTC)
    analysis = analyse(
        settings.storage.database, services.survey, scope,
        end - timedelta(days=settings.digest.window_days), end, settings.disclosure.k,
    )  # fmt: skip
    return tuple(row.code for row in analysis.ranked_indicators()[:OFFERED])


@coordinator_only
async def actions_command(update: Update, context: Context, access: Access) -> None:
    services: Services = context.bot_data.services
    chat = update.effective_chat
    assert chat is not None
    screen = actionplan.list_screen(access.language, await _listed(services, access))
    await presenters.send_screen(context, chat.id, screen)


async def _start_draft(context: Context, access: Access, user_id: int) -> Draft:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    current = await rounds.current_round(services.store)
    offered = await asyncio.to_thread(_lowest, settings, services, access.scope)
    draft = Draft(scope_to_json(access.scope), current.id if current else "", offered)
    await actions.put_draft(services.store, user_id, draft_to_json(draft))
    return draft


async def _keep(services: Services, user_id: int, draft: Draft) -> Draft:
    await actions.put_draft(services.store, user_id, draft_to_json(draft))
    return draft


@coordinator_only
async def on_actions_button(update: Update, context: Context, access: Access) -> None:
    try:
        await _on_press(update, context, access)
    finally:
        raise ApplicationHandlerStop


async def _on_press(update: Update, context: Context, access: Access) -> None:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    assert query is not None and user is not None and chat is not None
    _ = translator(access.language)
    try:
        press = decode_actions(query.data)
    except ForgedCallback as reason:
        log.warning("rejected action-plan callback data from a client: %s", reason)
        await presenters.acknowledge(query, _("This button is not valid."), show_alert=True)
        return
    message = query.message if isinstance(query.message, Message) else None
    draft = draft_from_json(await actions.get_draft(services.store, user.id))
    alert = ""
    if press.verb == "l":
        screen = actionplan.list_screen(access.language, await _listed(services, access))
    elif press.verb == "n":
        draft = await _start_draft(context, access, user.id)
        screen = actionplan.draft_screen(access.language, services.survey, draft)
    elif press.verb in ("c", "k", "y", "x") and draft is None:
        alert = _("This action was already saved or cancelled.")
        screen = actionplan.list_screen(access.language, await _listed(services, access))
    elif press.verb == "x":
        await actions.drop_draft(services.store, user.id)
        screen = actionplan.list_screen(access.language, await _listed(services, access))
        alert = _("Cancelled: nothing was saved.")
    elif press.verb == "c" and draft is not None:
        items = services.survey.items
        if press.number >= len(items) or draft.step != "codes":
            await presenters.acknowledge(query, _("This button is not valid."), show_alert=True)
            return
        draft = await _keep(
            services, user.id, actionplan.toggle(draft, items[press.number][1].code)
        )
        screen = actionplan.draft_screen(access.language, services.survey, draft)
    elif press.verb == "k" and draft is not None:
        if draft.step == "codes" and draft.codes:
            draft = await _keep(services, user.id, actionplan.next_step(draft))
        screen = actionplan.draft_screen(access.language, services.survey, draft)
    elif press.verb == "y" and draft is not None:
        if draft.step != "confirm":
            screen = actionplan.draft_screen(access.language, services.survey, draft)
        else:
            new = draft.to_action(_today(settings))
            action_id = await actions.add_from_draft(services.store, user.id, new)
            saved = None if action_id is None else await actions.get(services.store, action_id)
            if saved is None:  # a second tap: the first one saved it
                alert = _("This action was already saved or cancelled.")
                screen = actionplan.list_screen(access.language, await _listed(services, access))
            else:
                screen = actionplan.action_screen(access.language, services.survey, saved)
                alert = _("Saved.")
                await announce(context, saved, "agreed")
    else:  # v: one action; t: a status step; e: an evidence note to type
        found = await actions.get(services.store, press.number)
        if found is None or not visible(access, found):
            await presenters.acknowledge(
                query, _("This action is not in your scope."), show_alert=True
            )
            return
        if press.verb == "e":
            await actions.put_draft(services.store, user.id, actionplan.evidence_draft(found.id))
            await presenters.acknowledge(query)
            await presenters.edit_or_send(
                context, chat.id, actionplan.evidence_screen(access.language, found), message
            )
            return
        if press.verb == "t":
            try:
                found = await actions.set_status(
                    services.store, user.id, found.id, press.status, _today(settings).isoformat()
                )
            except ActionError:
                alert = _("This action has moved on already.")
            else:
                alert = _("Status changed.")
                if found.status == "done":
                    await announce(context, found, "done")
        screen = actionplan.action_screen(access.language, services.survey, found)
    await presenters.acknowledge(query, alert or None)
    await presenters.edit_or_send(context, chat.id, screen, message)


async def on_draft_text(update: Update, context: Context) -> Any:
    """A typed answer while a coordinator enters an action; anything else falls through."""
    user = update.effective_user
    services: Services = context.bot_data.services
    # One small lookup per typed message (a press costs none): the draft lives in
    # the database, so any worker, or the bot after a restart, carries on with it.
    if user is None or await actions.get_draft(services.store, user.id) is None:
        return None
    await _on_draft_text(update, context)
    raise ApplicationHandlerStop


@coordinator_only
async def _on_draft_text(update: Update, context: Context, access: Access) -> None:
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    assert user is not None and chat is not None and message is not None
    stored = await actions.get_draft(services.store, user.id)
    target = actionplan.evidence_target(stored)
    if target is not None:
        await _on_evidence_text(context, access, user.id, chat.id, target, message.text or "")
        return
    draft = draft_from_json(stored)
    if draft is None:  # cancelled or saved meanwhile (another worker, a double tap)
        screen = actionplan.list_screen(access.language, await _listed(services, access))
        await presenters.send_screen(context, chat.id, screen)
        return
    draft, problem = actionplan.apply_text(
        access.language, services.survey, draft, message.text or "", _today(settings)
    )
    await _keep(services, user.id, draft)
    screen = actionplan.draft_screen(access.language, services.survey, draft, problem)
    await presenters.send_screen(context, chat.id, screen)


async def _on_evidence_text(
    context: Context, access: Access, user_id: int, chat_id: int, action_id: int, text: str
) -> None:
    """The typed evidence note for an action: kept (audited) and the action shown, or
    the reason and the same question again."""
    settings: Settings = context.bot_data.settings
    services: Services = context.bot_data.services
    found = await actions.get(services.store, action_id)
    if found is None or not visible(access, found):
        await actions.drop_draft(services.store, user_id)
        screen = actionplan.list_screen(access.language, await _listed(services, access))
        await presenters.send_screen(context, chat_id, screen)
        return
    note, problem = actionplan.check_evidence(access.language, text)
    if problem:
        screen = actionplan.evidence_screen(access.language, found, problem)
        await presenters.send_screen(context, chat_id, screen)
        return
    today = _today(settings).isoformat()
    await actions.note_from_draft(services.store, user_id, found.id, note, today)
    found = await actions.get(services.store, found.id) or found
    screen = actionplan.action_screen(access.language, services.survey, found)
    await presenters.send_screen(context, chat_id, screen)
