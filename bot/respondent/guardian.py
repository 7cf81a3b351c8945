"""Guardians of children: the one-time link they open, and paper consent.

A guardian is not a respondent: their update is handled here, before the
journey (which would make them a user), and nothing about them is stored but
the relation they chose. ``/guardian`` lets staff record a consent given on
paper; it is admin-only today, and a facilitator role can be allowed by
replacing the ``admin_only`` check (the recording itself is in storage).
"""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    filters,
)

from bot import presenters
from bot.context import Context
from bot.respondent.handlers import present
from bot.roles import Outcome, admin_only, caller_language
from conversations import callbacks, guardian, journey
from conversations.callbacks import ForgedCallback
from conversations.journey import Reply
from conversations.services import Services
from locales.i18n import translator
from storage import guardians, responses
from storage.users import User

log = logging.getLogger(__name__)

# Before outreach (-1) and the journey (0): a guardian must never become a user.
GUARDIAN_GROUP = -2
START_WITH_TOKEN = filters.Regex(r"^/start(@\w+)?\s+g[A-Za-z0-9_-]{22}\s*$")


def _services(context: Context) -> Services:
    return context.bot_data.services


def _opener_language(update: Update, services: Services) -> str:
    person = update.effective_user
    return journey.suggest_language(
        person.language_code if person else None, services.default_language
    )


async def open_link(update: Update, context: Context) -> None:
    """``/start g<token>``: the consent text for the guardian, in the child's language."""
    services = _services(context)
    message, person = update.effective_message, update.effective_user
    assert message is not None and person is not None
    match = guardian.START_PARAMETER.match((context.args or [""])[0])
    child = (
        await guardians.child_of_link(services.store, guardian.token_hash(match.group(1)))
        if match
        else None
    )
    if child is None:
        await message.reply_text(guardian.link_not_usable(_opener_language(update, services)))
    elif child.telegram_id == person.id:
        await message.reply_text(
            guardian.link_is_for_guardian(journey.language_of(services, child))
        )
    else:
        assert match is not None
        screen = guardian.guardian_screen(
            journey.language_of(services, child), services.survey, match.group(1)
        )
        await message.reply_text(
            screen.text, parse_mode=ParseMode.HTML, reply_markup=presenters.markup(screen.keyboard)
        )
    raise ApplicationHandlerStop


async def on_guardian_button(update: Update, context: Context) -> None:
    """``gc1|<a|b|n>|<token>``: the guardian's yes (as parent or guardian) or no."""
    services = _services(context)
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    language = _opener_language(update, services)
    try:
        decision = callbacks.decode_guardian(query.data)
    except ForgedCallback as reason:
        log.warning("rejected guardian callback data from a client: %s", reason)
        await _answer(query, translator(language)("This button is not valid."), alert=True)
        raise ApplicationHandlerStop from None
    agreed, relation = decision.agreed, decision.relation
    token_hash = guardian.token_hash(decision.token)
    child = await guardians.child_of_link(services.store, token_hash)
    if child is not None and child.telegram_id == query.from_user.id:
        await _answer(query, guardian.link_is_for_guardian(language), alert=True)
        raise ApplicationHandlerStop
    if child is not None:
        child = await guardians.decide_by_link(
            services.store, token_hash, agreed, relation, guardian.GUARDIAN_CONSENT_VERSION
        )
    await _answer(query, None)
    if child is None:  # used (maybe by this very press, delivered twice), expired, forged
        text = guardian.link_not_usable(language)
    else:
        text = guardian.guardian_thanks(journey.language_of(services, child), agreed)
    if message is not None:
        try:
            await message.edit_text(text)
        except TelegramError as error:
            log.info("guardian's message not edited: %s", error)
    if child is not None:
        await tell_child(context, child, agreed)
    raise ApplicationHandlerStop


async def _answer(query: object, text: str | None, alert: bool = False) -> None:
    try:
        await query.answer(text, show_alert=alert)  # type: ignore[attr-defined]
    except TelegramError as error:
        log.info("callback query not answered: %s", error)


async def tell_child(context: Context, child: User, agreed: bool) -> None:
    """The child hears the guardian's decision at once (a respondent without
    Telegram, chat 0, cannot be told: the facilitator is there)."""
    if child.chat_id == 0 or child.telegram_id <= 0:
        return
    services = _services(context)
    language = journey.language_of(services, child)
    try:
        if agreed:
            response = await journey.active_response(services, child)
            reply = Reply(
                guardian.guardian_said_yes_screen(language, services.survey),
                None,
                fresh_message=True,
            )
            await present(context, child.chat_id, reply, response)
        else:
            await context.bot.send_message(child.chat_id, guardian.guardian_said_no(language))
    except TelegramError as error:  # blocked, say: /resume shows them where they are
        log.info("could not tell a child about the guardian's decision: %s", error)


@admin_only("guardian")
async def guardian_command(update: Update, context: Context) -> Outcome | None:
    """``/guardian <code>`` shows a child's guardian consent; ``/guardian <code> paper
    [parent|guardian]`` records one given on paper."""
    services = _services(context)
    person, message = update.effective_user, update.effective_message
    assert person is not None and message is not None
    _ = translator(await caller_language(context, person.id, person.language_code))
    args = list(context.args or [])
    usage = _("Usage: /guardian <respondent code> [paper [parent|guardian]]")
    if not 1 <= len(args) <= 3:
        await message.reply_text(usage)
        return Outcome("rejected: usage")
    child = await guardians.user_by_pseudonym(services.store, args[0].upper())
    if child is None:
        await message.reply_text(_("No respondent has the code {code}.").format(code=args[0]))
        return Outcome("rejected: unknown code")
    relations = {"parent": _("parent"), "guardian": _("legal guardian")}
    if len(args) == 1:
        decision = await guardians.get_consent(services.store, child.id)
        if decision is None:
            text = _("{code}: no guardian has answered yet.").format(code=child.pseudonym)
        else:
            text = _("{code}: {answer} by the {relation} ({how}), {time}, text {version}.").format(
                code=child.pseudonym,
                answer=_("yes") if decision.agreed else _("no"),
                relation=relations.get(decision.relation or "", "–"),
                how=_("on paper") if decision.method == "paper" else _("in Telegram"),
                time=services.local_time(decision.decided_at),
                version=decision.text_version,
            )
        await message.reply_text(text)
        return None
    relation = args[2].lower() if len(args) == 3 else "parent"
    if args[1].lower() != "paper" or relation not in guardian.RELATIONS:
        await message.reply_text(usage)
        return Outcome("rejected: usage")
    await guardians.attest_paper(
        services.store, child.id, relation, guardian.GUARDIAN_CONSENT_VERSION, person.id
    )
    await message.reply_text(
        _("Recorded: the {relation} of {code} agreed on paper.").format(
            relation=relations[relation], code=child.pseudonym
        )
    )
    response = await journey.active_response(services, child)
    if response is not None and response.submitted_at is None:
        answers = await responses.load_answers(services.store, response.id)
        if guardian.is_minor(answers):
            await tell_child(context, child, True)
    return Outcome(f"ok: paper, {relation}")
