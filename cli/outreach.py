"""CLI sub-commands: ``invite`` (with a printable QR sheet), ``invites``, ``revoke``.

Run them next to the bot: they share the SQLite file (WAL) and audit as the
CLI (actor id 0).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import unicodedata
from pathlib import Path

from bot.config import ConfigError, Settings
from cli.common import command
from conversations import invitations
from locales.i18n import translator
from reporting import posters
from storage import audit, outreach
from storage.store import Store
from storage.users import Invitation
from survey.model import load_survey

CLI_ACTOR = 0


def _username(settings: Settings, args: argparse.Namespace) -> str:
    username = (getattr(args, "bot_username", None) or settings.outreach.bot_username or "").lstrip(
        "@"
    )
    if not re.match(r"^[A-Za-z][A-Za-z0-9_]{3,31}$", username):
        raise ConfigError("outreach.bot_username: needed for links; set it or pass --bot-username")
    return username


def _invite_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("label", help="the partner's name, printed on the sheet")
    parser.add_argument(
        "fields",
        nargs="*",
        help="prefilled profile answers and limits: group=youth region=north lang=vi max=100"
        " days=30 (or until=2026-12-31)",
    )
    parser.add_argument("--label-en", help="the partner's English name, printed under the label")
    parser.add_argument("--copies", type=int, default=6, help="QR cards on the sheet (default 6)")
    parser.add_argument("--out", type=Path, help="folder for the printable sheet (PDF and PNG)")
    parser.add_argument(
        "--bot-username", help="the bot's @username (default outreach.bot_username)"
    )


def _slug(label: str) -> str:
    # "Hội Phụ nữ" -> "hoi-phu-nu": file names safe everywhere.
    ascii_label = unicodedata.normalize("NFKD", label.replace("đ", "d").replace("Đ", "D"))
    ascii_label = ascii_label.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_label).strip("-").lower()[:40] or "invitation"


@command(
    "invite", "create a partner invitation code; --out DIR writes a QR sheet", _invite_arguments
)
def invite(settings: Settings, args: argparse.Namespace) -> int:
    username = _username(settings, args)
    survey = load_survey(settings.survey.file)
    _ = translator("en")
    try:
        request = invitations.parse_request(
            [*args.label.split(), *args.fields], survey, settings.zone, _
        )
    except invitations.InviteError as error:
        raise ConfigError(f"invite: {error}") from None
    if not 1 <= args.copies <= 60:
        raise ConfigError("invite: --copies must be from 1 to 60")

    async def create() -> Invitation:
        store = await Store.open(settings.storage.database)
        try:
            invitation = await invitations.create(store, request, CLI_ACTOR)
            await audit.record(
                store, CLI_ACTOR, "invite", " ".join([args.label, *args.fields]), "ok (cli)"
            )
            return invitation
        finally:
            await store.close()

    invitation = asyncio.run(create())
    link = invitations.deep_link(username, invitation.code)
    print(link)
    print(invitations.describe(invitation, _))
    if args.out is not None:
        cards = [(link, invitation.label, args.label_en)] * args.copies
        stem = args.out / f"invite-{_slug(invitation.label)}-{invitation.code[:6]}"
        for suffix in (".pdf", ".png"):
            print(f"wrote {posters.write_sheet(cards, stem.with_suffix(suffix))}")
    return 0


def _list_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all", action="store_true", help="include revoked codes")
    parser.add_argument(
        "--bot-username", help="the bot's @username (default outreach.bot_username)"
    )


@command("invites", "list invitation codes with their links and use counts", _list_arguments)
def list_invites(settings: Settings, args: argparse.Namespace) -> int:
    username = _username(settings, args)
    _ = translator("en")

    async def rows() -> list[Invitation]:
        store = await Store.open(settings.storage.database)
        try:
            return await outreach.list_invitations(store, include_revoked=args.all)
        finally:
            await store.close()

    for invitation in asyncio.run(rows()):
        link = invitations.deep_link(username, invitation.code)
        print(f"{invitations.describe(invitation, _)}\t{link}")
    return 0


def _revoke_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "code",
        help="the code (or its whole link); `revoke -- CODE` for any code, even one starting with -",
    )


@command("revoke", "revoke an invitation code so its link stops working", _revoke_arguments)
def revoke(settings: Settings, args: argparse.Namespace) -> int:
    code = args.code.rsplit("start=", 1)[-1]

    async def run() -> bool:
        store = await Store.open(settings.storage.database)
        try:
            done = await outreach.revoke_invitation(store, code)
            await audit.record(
                store, CLI_ACTOR, "revoke", code[:6] + "…", "ok (cli)" if done else "no such code"
            )
            return done
        finally:
            await store.close()

    if not asyncio.run(run()):
        print("no live invitation with that code")
        return 1
    print("revoked")
    return 0


COMMANDS = (invite, list_invites, revoke)
