"""People, their consent and the invitation codes that brought them."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from storage.store import Store, utc_now


@dataclass(frozen=True, slots=True)
class User:
    id: int
    telegram_id: int
    chat_id: int
    pseudonym: str
    language: str | None
    invitation_code: str | None
    blocked_at: str | None
    opted_out_at: str | None


@dataclass(frozen=True, slots=True)
class Consent:
    agreed: bool
    consent_version: str
    decided_at: str


@dataclass(frozen=True, slots=True)
class Invitation:
    code: str
    label: str
    prefill: dict[str, str]
    language: str | None
    max_uses: int | None
    uses: int
    expires_at: str | None
    revoked_at: str | None
    created_at: str
    # 'community', or 'provider': service providers' self-assessment (migration 15)
    role: str = "community"
    organisation: str = ""
    # The indicator codes a provider invitation asks about; () is every one (migration 18).
    only: tuple[str, ...] = ()

    def usable(self, now: str) -> bool:
        if self.revoked_at is not None:
            return False
        if self.expires_at is not None and self.expires_at <= now:
            return False
        return self.max_uses is None or self.uses < self.max_uses


def new_pseudonym() -> str:
    """A random respondent id: unrelated to the Telegram id, so it leaks nothing."""
    return "R" + secrets.token_hex(6).upper()


def user_from_row(row: Any) -> User:
    return User(
        id=row["id"],
        telegram_id=row["telegram_id"],
        chat_id=row["chat_id"],
        pseudonym=row["pseudonym"],
        language=row["language"],
        invitation_code=row["invitation_code"],
        blocked_at=row["blocked_at"],
        opted_out_at=row["opted_out_at"],
    )


async def get_user(store: Store, telegram_id: int) -> User | None:
    row = await store.fetchone("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,))
    return user_from_row(row) if row else None


async def pseudonym_and_language(store: Store, user_id: int) -> tuple[str, str | None] | None:
    """A person's pseudonym and language by row id (an interview's banner)."""
    row = await store.fetchone("SELECT pseudonym, language FROM users WHERE id = ?", (user_id,))
    return (row["pseudonym"], row["language"]) if row else None


async def ensure_user(store: Store, telegram_id: int, chat_id: int) -> User:
    """The user row for a Telegram id, created on first contact."""
    known = await get_user(store, telegram_id)
    if known is not None and known.chat_id == chat_id and known.blocked_at is None:
        return known  # the common case: a read, no write transaction
    async with store.write() as db:
        await db.execute(
            "INSERT INTO users (telegram_id, chat_id, pseudonym, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET chat_id = excluded.chat_id,"
            " blocked_at = NULL WHERE chat_id IS NOT excluded.chat_id OR blocked_at IS NOT NULL",
            (telegram_id, chat_id, new_pseudonym(), utc_now()),
        )
        async with db.execute("SELECT * FROM users WHERE telegram_id = ?", (telegram_id,)) as cur:
            row = await cur.fetchone()
    assert row is not None
    return user_from_row(row)


async def create_offline_user(store: Store, language: str | None = None) -> User:
    """A respondent without a Telegram account of their own (an interview or a paper
    form): the next free negative id, chat 0, so no message can ever reach it."""
    async with store.write() as db:
        await db.execute(
            "INSERT INTO users (telegram_id, chat_id, pseudonym, language, created_at)"
            " SELECT MIN(COALESCE(MIN(telegram_id), 0), 0) - 1, 0, ?, ?, ? FROM users",
            (new_pseudonym(), language, utc_now()),
        )
        async with db.execute("SELECT * FROM users WHERE id = last_insert_rowid()") as cursor:
            row = await cursor.fetchone()
    assert row is not None
    return user_from_row(row)


async def set_language(store: Store, user_id: int, language: str) -> None:
    async with store.write() as db:
        await db.execute("UPDATE users SET language = ? WHERE id = ?", (language, user_id))


async def set_pending_invitation(store: Store, user_id: int, code: str | None) -> None:
    async with store.write() as db:
        await db.execute("UPDATE users SET invitation_code = ? WHERE id = ?", (code, user_id))


async def mark_blocked(store: Store, telegram_id: int, blocked: bool) -> None:
    async with store.write() as db:
        await db.execute(
            "UPDATE users SET blocked_at = ? WHERE telegram_id = ?",
            (utc_now() if blocked else None, telegram_id),
        )


async def get_consent(store: Store, user_id: int) -> Consent | None:
    row = await store.fetchone("SELECT * FROM consents WHERE user_id = ?", (user_id,))
    if row is None:
        return None
    return Consent(bool(row["agreed"]), row["consent_version"], row["decided_at"])


async def record_consent(store: Store, user_id: int, agreed: bool, version: str) -> None:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO consents (user_id, agreed, consent_version, decided_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET agreed = excluded.agreed,"
            " consent_version = excluded.consent_version, decided_at = excluded.decided_at",
            (user_id, int(agreed), version, utc_now()),
        )


async def delete_user(store: Store, user_id: int) -> None:
    """Delete the person and, by cascade, their consent, responses and answers."""
    async with store.write() as db:
        await db.execute("DELETE FROM users WHERE id = ?", (user_id,))


def invitation_from_row(row: Any) -> Invitation:
    return Invitation(
        code=row["code"],
        label=row["label"],
        prefill=json.loads(row["prefill"]),
        language=row["language"],
        max_uses=row["max_uses"],
        uses=row["uses"],
        expires_at=row["expires_at"],
        revoked_at=row["revoked_at"],
        created_at=row["created_at"],
        role=row["role"],
        organisation=row["organisation"],
        only=tuple(code for code in row["only_codes"].split(",") if code),
    )


async def add_invitation(
    store: Store,
    code: str,
    *,
    label: str = "",
    prefill: dict[str, str] | None = None,
    language: str | None = None,
    max_uses: int | None = None,
    expires_at: str | None = None,
    created_by: int | None = None,
    role: str = "community",
    organisation: str = "",
    only: tuple[str, ...] = (),
) -> Invitation:
    async with store.write() as db:
        await db.execute(
            "INSERT INTO invitations (code, label, prefill, language, max_uses, expires_at,"
            " created_by, created_at, role, organisation, only_codes)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code,
                label,
                json.dumps(prefill or {}),
                language,
                max_uses,
                expires_at,
                created_by,
                utc_now(),
                role,
                organisation,
                ",".join(only),
            ),
        )
    invitation = await get_invitation(store, code)
    assert invitation is not None
    return invitation


async def get_invitation(store: Store, code: str) -> Invitation | None:
    row = await store.fetchone("SELECT * FROM invitations WHERE code = ?", (code,))
    return invitation_from_row(row) if row else None
