"""Thin Telegram handlers for outreach: admin commands, /stop and reminder buttons."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.admin import broadcasting
from bot.admin.broadcasting import AudienceError
from bot.context import Context
from bot.respondent import handlers as journey_handlers
from bot.roles import Outcome, admin_only, caller_language
from conversations import callbacks, invitations
from conversations.callbacks import BroadcastChoice, ForgedCallback
from conversations.services import Services
from locales.i18n import Translate, translator
from reporting import posters
from storage import audit, broadcasts, outreach, users

log = logging.getLogger(__name__)


def _services(context: Context) -> Services:
    return context.bot_data.services


async def _translator(update: Update, context: Context) -> Translate:
    user = update.effective_user
    return translator(await caller_language(context, user.id, user.language_code) if user else None)


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


# --- invitations ----------------------------------------------------------


@admin_only("invite")
async def invite(update: Update, context: Context) -> Outcome | None:
    _ = await _translator(update, context)
    services, settings = _services(context), context.bot_data.settings
    try:
        request = invitations.parse_request(
            list(context.args or []), services.survey, settings.zone, _
        )
    except invitations.InviteError as error:
        await _reply(update, str(error))
        return Outcome("rejected: bad request")
    user = update.effective_user
    invitation = await invitations.create(services.store, request, user.id if user else None)
    link = invitations.deep_link(context.bot.username, invitation.code)
    png = await asyncio.to_thread(posters.poster_png, link, invitation.label)
    assert update.effective_chat is not None
    await context.bot.send_photo(
        update.effective_chat.id,
        png,
        caption=_("Invitation for {label}:\n{link}\n{details}").format(
            label=invitation.label, link=link, details=invitations.describe(invitation, _)
        ),
    )
    return Outcome(f"ok: code {invitation.code[:6]}…")


@admin_only("invites")
async def list_invites(update: Update, context: Context) -> None:
    _ = await _translator(update, context)
    rows = await outreach.list_invitations(_services(context).store)
    if not rows:
        await _reply(update, _("No invitation codes yet. Create one with /invite."))
        return
    username = context.bot.username
    lines = []
    for invitation in rows[-50:]:
        link = invitations.deep_link(username, invitation.code)
        lines.append(f"{invitations.describe(invitation, _)}\n{link}")
    await _reply(update, "\n\n".join(lines))


@admin_only("revoke")
async def revoke(update: Update, context: Context) -> Outcome | None:
    _ = await _translator(update, context)
    if len(context.args or []) != 1:
        await _reply(update, _("Usage: /revoke <code>"))
        return
    code = (context.args or [""])[0].rsplit("start=", 1)[-1]
    if await outreach.revoke_invitation(_services(context).store, code):
        await _reply(update, _("Revoked. The link no longer works."))
    else:
        await _reply(update, _("No live invitation with that code."))
        return Outcome("rejected: no such code")
    return None


# --- broadcasts -----------------------------------------------------------

USAGE = "/broadcast all|paused|code=<code>|csv [link=<code>] <message>"


def _after_command(text: str | None) -> str:
    """What follows ``/broadcast`` (or ``/broadcast@bot``), line breaks kept."""
    parts = (text or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def _prepare(
    update: Update,
    context: Context,
    request: str,
    ids: list[int] | None,
) -> Outcome | None:
    """Create a draft broadcast and show the preview with Send / Cancel buttons."""
    _ = await _translator(update, context)
    services = _services(context)
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    words = request.split(maxsplit=1)
    if len(words) < 2:
        await _reply(update, _("Usage: {usage}").format(usage=USAGE))
        return Outcome("rejected: usage")
    audience, rest = words[0], words[1]
    if audience not in {"all", "paused", "csv"} and not audience.startswith("code="):
        await _reply(update, _("Unknown audience. Usage: {usage}").format(usage=USAGE))
        return Outcome("rejected: audience")
    if audience == "csv" and ids is None:
        await _reply(update, _("Send the CSV file with this command as its caption."))
        return Outcome("rejected: csv without a file")
    link_code = None
    if rest.startswith("link="):
        link_word, *remainder = rest.split(maxsplit=1)
        link_code, rest = link_word.removeprefix("link="), "".join(remainder)
        invitation = await users.get_invitation(services.store, link_code)
        if invitation is None or invitation.revoked_at is not None:
            await _reply(update, _("No live invitation with that code."))
            return Outcome("rejected: link")
    text = rest.strip()
    if not text or len(text) > 4000:
        await _reply(update, _("The message must have 1 to 4000 characters."))
        return Outcome("rejected: text")
    recipients = await broadcasting.recipients_for(services, audience, ids)
    broadcast_id = await broadcasts.create(
        services.store,
        user.id,
        audience,
        text,
        recipients,
        invitation_code=link_code,
        report_chat_id=chat.id,
    )
    await _show_preview(context, chat.id, text, broadcast_id, len(recipients), audience, _)
    return Outcome(f"ok: draft #{broadcast_id} to {len(recipients)}")


async def _show_preview(
    context: Context,
    chat_id: int,
    text: str,
    broadcast_id: int,
    recipients: int,
    audience: str,
    _: Translate,
) -> None:
    """The message as it will be sent, then who gets it, with Send now / Cancel."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    _("Send now ({n})").format(n=recipients),
                    callback_data=callbacks.confirm_data(broadcast_id),
                ),
                InlineKeyboardButton(
                    _("Cancel"), callback_data=callbacks.cancel_data(broadcast_id)
                ),
            ]
        ]
    )
    await context.bot.send_message(chat_id, text)
    await context.bot.send_message(
        chat_id,
        _(
            "Preview of broadcast {id} above. Recipients: {n} (audience: {audience})."
            " Nothing is sent until you press Send now."
        ).format(id=broadcast_id, n=recipients, audience=audience),
        reply_markup=keyboard,
    )


@admin_only("broadcast")
async def broadcast_command(update: Update, context: Context) -> Outcome | None:
    message = update.effective_message
    return await _prepare(update, context, _after_command(message.text if message else ""), None)


@admin_only("broadcast")
async def broadcast_csv(update: Update, context: Context) -> Outcome | None:
    _ = await _translator(update, context)
    message = update.effective_message
    assert message is not None and message.document is not None
    request = _after_command(message.caption)
    if (message.document.file_size or 0) > broadcasting.MAX_CSV_BYTES:
        await _reply(update, _("The file is too large (at most 1 MB)."))
        return Outcome("rejected: file too large")
    file = await message.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    try:
        ids = broadcasting.parse_ids(raw, _)
    except AudienceError as error:
        await _reply(update, str(error))
        return Outcome("rejected: bad CSV")
    if request.split(maxsplit=1)[:1] != ["csv"]:
        request = "csv " + request
    return await _prepare(update, context, request, ids)


@admin_only("broadcast_decision")
async def broadcast_decision(update: Update, context: Context) -> Outcome | None:
    _ = await _translator(update, context)
    query = update.callback_query
    assert query is not None
    choice = callbacks.decode_outreach(query.data)  # on_outreach_button checked it
    services = _services(context)
    if not isinstance(choice, BroadcastChoice):
        await _answer_quietly(query, _("This button is not valid."), show_alert=True)
        return Outcome("rejected: not a broadcast button")
    message = query.message if isinstance(query.message, Message) else None
    if choice.confirm:
        started = await broadcasts.set_status(
            services.store, choice.broadcast_id, "running", expect="draft"
        )
        if not started:
            await query.answer(_("This broadcast was already sent or cancelled."), show_alert=True)
            return Outcome(f"rejected: #{choice.broadcast_id} not a draft")
        await query.answer()
        broadcasting.start_delivery(context.application, choice.broadcast_id)
        text = _("Broadcast {id} is being sent. You will get a report here.")
    else:
        cancelled = await broadcasts.set_status(
            services.store, choice.broadcast_id, "cancelled", expect="draft"
        )
        await query.answer()
        text = (
            _("Broadcast {id} cancelled. Nothing was sent.")
            if cancelled
            else _("This broadcast was already sent or cancelled.")
        )
    if message is not None:
        with contextlib.suppress(TelegramError):
            await message.edit_text(text.format(id=choice.broadcast_id))
    verb = "confirmed" if choice.confirm else "cancelled"
    return Outcome(f"ok: #{choice.broadcast_id} {verb}")


async def on_outreach_button(update: Update, context: Context) -> None:
    """Every ``o1|`` button ends here, before the journey's own callback handler."""
    query = update.callback_query
    assert query is not None
    try:
        press = callbacks.decode_outreach(query.data)
    except ForgedCallback as reason:
        log.warning("rejected outreach callback data from a client: %s", reason)
        _ = await _translator(update, context)
        await _answer_quietly(query, _("This button is not valid."), show_alert=True)
        raise ApplicationHandlerStop from None
    if isinstance(press, callbacks.Continue):
        await _answer_quietly(query)
        await journey_handlers.resume(update, context)
    else:
        await broadcast_decision(update, context)
    raise ApplicationHandlerStop


async def _answer_quietly(query: CallbackQuery, text: str | None = None, **kwargs: bool) -> None:
    """Answer a press; one already answered or too old (delivered twice) is no error."""
    try:
        await query.answer(text, **kwargs)
    except TelegramError as error:
        log.info("callback query not answered: %s", getattr(error, "message", error))


# --- opting out, audit ----------------------------------------------------


async def stop(update: Update, context: Context) -> None:
    user = update.effective_user
    assert user is not None
    services = _services(context)
    await users.ensure_user(
        services.store, user.id, update.effective_chat.id if update.effective_chat else user.id
    )
    await outreach.set_opted_out(services.store, user.id, True)
    _ = await _translator(update, context)
    await _reply(
        update,
        _(
            "Done: you will get no more reminders or announcements from this bot."
            " Your answers are kept. Send /start to take part again."
        ),
    )


async def opt_back_in(update: Update, context: Context) -> None:
    """/start after /stop: reminders and announcements may reach this person again."""
    user = update.effective_user
    if user is not None:
        await outreach.set_opted_out(_services(context).store, user.id, False)


@admin_only("audit")
async def audit_command(update: Update, context: Context) -> None:
    _ = await _translator(update, context)
    args = context.args or []
    limit = int(args[0]) if args and args[0].isdigit() else 20
    entries = await audit.recent(_services(context).store, max(1, min(limit, 100)))
    if not entries:
        await _reply(update, _("The audit log is empty."))
        return
    lines = [
        f"{entry.at[:19].replace('T', ' ')} UTC · {entry.actor_id} · {entry.action}"
        f" {entry.detail[:80]} → {entry.outcome}"
        for entry in entries
    ]
    text = "\n".join(lines)
    await _reply(update, text[:4000])
