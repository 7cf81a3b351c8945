"""Guardian consent for children: one-time links (hashed) and the decisions.

Every decision is one transaction: a link is used up in the same transaction
that records what the guardian said, so a link works exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.store import Store, utc_now
from storage.users import User, user_from_row


@dataclass(frozen=True, slots=True)
class GuardianConsent:
    agreed: bool
    relation: str | None  # parent or guardian; None when a guardian declined by link
    method: str  # telegram or paper
    text_version: str
    attested_by: int | None  # the admin who attested a paper form
    decided_at: str


async def get_consent(store: Store, user_id: int) -> GuardianConsent | None:
    row = await store.fetchone("SELECT * FROM guardian_consents WHERE user_id = ?", (user_id,))
    if row is None:
        return None
    return GuardianConsent(
        bool(row["agreed"]),
        row["relation"],
        row["method"],
        row["text_version"],
        row["attested_by"],
        row["decided_at"],
    )


async def live_link_expiry(store: Store, user_id: int) -> str | None:
    """When the child's newest usable link expires; None when there is none."""
    row = await store.fetchone(
        "SELECT MAX(expires_at) FROM guardian_links"
        " WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
        (user_id, utc_now()),
    )
    return row[0] if row else None


async def replace_link(store: Store, user_id: int, token_hash: str, expires_at: str) -> None:
    """A new link for the child; any earlier one stops working."""
    async with store.write() as db:
        await db.execute("DELETE FROM guardian_links WHERE user_id = ?", (user_id,))
        await db.execute(
            "INSERT INTO guardian_links (token_hash, user_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            (token_hash, user_id, utc_now(), expires_at),
        )


async def child_of_link(store: Store, token_hash: str) -> User | None:
    """The child a usable (unused, unexpired) link belongs to."""
    row = await store.fetchone(
        "SELECT u.* FROM guardian_links g JOIN users u ON u.id = g.user_id"
        " WHERE g.token_hash = ? AND g.used_at IS NULL AND g.expires_at > ?",
        (token_hash, utc_now()),
    )
    return user_from_row(row) if row else None


async def decide_by_link(
    store: Store, token_hash: str, agreed: bool, relation: str | None, version: str
) -> User | None:
    """Use the link up and record the guardian's decision, or None when the link
    is not usable (used, expired, unknown). A "no" deletes the child's answers."""
    now = utc_now()
    async with store.write() as db:
        async with db.execute(
            "UPDATE guardian_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL"
            " AND expires_at > ? RETURNING user_id",
            (now, token_hash, now),
        ) as cursor:
            row = await cursor.fetchone()
        if row is None:
            return None
        user_id = row[0]
        await _record(db, user_id, agreed, relation, "telegram", version, None, now)
        if not agreed:
            await db.execute("DELETE FROM responses WHERE user_id = ?", (user_id,))
        async with db.execute("SELECT * FROM users WHERE id = ?", (user_id,)) as cursor:
            child = await cursor.fetchone()
    return user_from_row(child)


async def attest_paper(
    store: Store, user_id: int, relation: str, version: str, attested_by: int
) -> None:
    """A guardian's consent given on a paper form, attested by staff."""
    async with store.write() as db:
        await _record(db, user_id, True, relation, "paper", version, attested_by, utc_now())
        await db.execute("DELETE FROM guardian_links WHERE user_id = ?", (user_id,))


async def _record(
    db: object,
    user_id: int,
    agreed: bool,
    relation: str | None,
    method: str,
    version: str,
    attested_by: int | None,
    now: str,
) -> None:
    await db.execute(  # type: ignore[attr-defined]
        "INSERT INTO guardian_consents (user_id, agreed, relation, method, text_version,"
        " attested_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id) DO UPDATE"
        " SET agreed = excluded.agreed, relation = excluded.relation, method = excluded.method,"
        " text_version = excluded.text_version, attested_by = excluded.attested_by,"
        " decided_at = excluded.decided_at",
        (user_id, int(agreed), relation, method, version, attested_by, now),
    )


async def child_declines(store: Store, user_id: int, consent_version: str) -> None:
    """The child says no (whatever a guardian said): only the refusal is kept."""
    async with store.write() as db:
        await db.execute("DELETE FROM responses WHERE user_id = ?", (user_id,))
        await db.execute("DELETE FROM guardian_links WHERE user_id = ?", (user_id,))
        await db.execute("DELETE FROM guardian_consents WHERE user_id = ?", (user_id,))
        await db.execute(
            "INSERT INTO consents (user_id, agreed, consent_version, decided_at)"
            " VALUES (?, 0, ?, ?) ON CONFLICT (user_id) DO UPDATE SET agreed = 0,"
            " consent_version = excluded.consent_version, decided_at = excluded.decided_at",
            (user_id, consent_version, utc_now()),
        )


async def user_by_id(store: Store, user_id: int) -> User | None:
    row = await store.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    return user_from_row(row) if row else None


async def user_by_pseudonym(store: Store, pseudonym: str) -> User | None:
    row = await store.fetchone("SELECT * FROM users WHERE pseudonym = ?", (pseudonym,))
    return user_from_row(row) if row else None
