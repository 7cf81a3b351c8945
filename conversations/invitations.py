"""Invitation codes: parse an admin's request, create, list and revoke codes.

Shared by the chat commands and the CLI. Codes are ``secrets.token_urlsafe(16)``:
128 random bits in 22 URL-safe characters, well within Telegram's 64-character
deep-link limit, so nobody finds a partner's code by guessing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from locales.i18n import Translate
from storage import users
from storage.store import Store
from storage.users import Invitation
from survey.model import LANGUAGES, Survey

MAX_LABEL = 80


class InviteError(ValueError):
    """A request that cannot become a code; the message is for the admin."""


@dataclass(slots=True)
class InviteRequest:
    label: str = ""
    prefill: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    max_uses: int | None = None
    expires_at: str | None = None
    role: str = "community"  # or "provider": service providers' self-assessment
    organisation: str = ""
    only: tuple[str, ...] = ()  # a provider invitation's indicators (codes); () is all


ROLES = ("community", "provider")


def new_code() -> str:
    """A random code that never starts with "-": a command line would read it as an option."""
    while True:
        code = secrets.token_urlsafe(16)
        if not code.startswith("-"):
            return code


def deep_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_request(
    words: list[str], survey: Survey, zone: ZoneInfo, _: Translate, today: date | None = None
) -> InviteRequest:
    """``Partner label group=youth region=north lang=vi max=100 days=30|until=2026-12-31``."""
    request = InviteRequest()
    label_words: list[str] = []
    for word in words:
        if "=" not in word:
            label_words.append(word)
            continue
        key, value = (part.strip() for part in word.split("=", 1))
        key = key.lower()
        if key in {"lang", "language"}:
            if value not in LANGUAGES:
                raise InviteError(_("Language must be vi or en."))
            request.language = value
        elif key in {"max", "max_uses"}:
            if not value.isdigit() or int(value) < 1:
                raise InviteError(_("max must be a whole number of at least 1."))
            request.max_uses = int(value)
        elif key == "days":
            if not value.isdigit() or not 1 <= int(value) <= 3650:
                raise InviteError(_("days must be a whole number from 1 to 3650."))
            start = today or datetime.now(zone).date()
            end = datetime.combine(start + timedelta(days=int(value)), time(23, 59, 59), zone)
            request.expires_at = _iso(end)
        elif key == "role":
            if value not in ROLES:
                raise InviteError(_("role must be community or provider."))
            request.role = value
        elif key == "only":
            request.only = _only(value, survey, _)
        elif key in {"org", "organisation", "organization"}:
            request.organisation = value.replace("_", " ").strip()[:MAX_LABEL]
        elif key in {"until", "expires"}:
            try:
                end_day = date.fromisoformat(value)
            except ValueError:
                raise InviteError(_("until must be a date like 2026-12-31.")) from None
            request.expires_at = _iso(datetime.combine(end_day, time(23, 59, 59), zone))
        else:
            question = survey.profile_question(key)
            if question is None:
                known = ", ".join(q.id for q in survey.profile)
                raise InviteError(
                    _("Unknown field {key}. Profile fields: {known}.").format(key=key, known=known)
                )
            choices = [choice.id for choice in question.choices]
            if value not in choices:
                raise InviteError(
                    _("{key} must be one of: {choices}.").format(
                        key=key, choices=", ".join(choices)
                    )
                )
            request.prefill[key] = value
    request.label = " ".join(label_words).strip()
    if not request.label:
        raise InviteError(
            _("Give the partner's name, for example: /invite Youth Union group=youth")
        )
    if len(request.label) > MAX_LABEL:
        raise InviteError(_("The partner's name is too long (at most 80 characters)."))
    if request.only and request.role != "provider":
        raise InviteError(_("only= is for service providers: add role=provider."))
    if request.role == "provider" and not request.organisation:
        request.organisation = request.label  # the commune People's Committee, the school
    return request


def _only(value: str, survey: Survey, _: Translate) -> tuple[str, ...]:
    """``only=4,1.4.1``: goals (every indicator of SDG 4) and indicator codes, in
    the survey's order, each once."""
    wanted: set[str] = set()
    for word in (w.strip() for w in value.split(",")):
        section = next((s for s in survey.sections if word in (str(s.sdg), f"sdg{s.sdg}")), None)
        if section is not None:
            wanted.update(item.code for item in section.items)
        elif word in survey.item_by_code:
            wanted.add(word)
        else:
            raise InviteError(
                _("only= takes goal numbers and indicator codes, for example only=4,1.4.1;"
                  " {word} is neither.").format(word=word or "''")
            )  # fmt: skip
    return tuple(item.code for _section, item in survey.items if item.code in wanted)


async def create(store: Store, request: InviteRequest, created_by: int | None) -> Invitation:
    return await users.add_invitation(
        store,
        new_code(),
        label=request.label,
        prefill=request.prefill,
        language=request.language,
        max_uses=request.max_uses,
        expires_at=request.expires_at,
        created_by=created_by,
        role=request.role,
        organisation=request.organisation,
        only=request.only,
    )


def describe(invitation: Invitation, _: Translate) -> str:
    """One line per code for admins: label, fields, uses and limits."""
    parts = [invitation.label]
    parts += [f"{key}={value}" for key, value in invitation.prefill.items()]
    if invitation.language:
        parts.append(f"lang={invitation.language}")
    if invitation.role == "provider":
        parts.append(f"role=provider org={invitation.organisation.replace(' ', '_')}")
    if invitation.only:
        parts.append("only=" + ",".join(invitation.only))
    uses = str(invitation.uses) + (f"/{invitation.max_uses}" if invitation.max_uses else "")
    parts.append(_("uses: {uses}").format(uses=uses))
    if invitation.expires_at:
        parts.append(_("until {date}").format(date=invitation.expires_at[:10]))
    if invitation.revoked_at:
        parts.append(_("revoked"))
    return " · ".join(parts)
