"""Partner invitations: admins create codes with a link and a QR poster; /start uses them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from cli.main import main
from storage import audit, users
from storage.schema import MIGRATIONS
from tests.auxil.harness import Harness, Person
from tests.auxil.journeys import labels
from tests.outreach.conftest import ADMIN

LINK = re.compile(r"https://t\.me/ScorecardTestBot\?start=([A-Za-z0-9_-]+)")


async def _invite(harness: Harness, words: str) -> str:
    await harness.text(Person(ADMIN, "en"), f"/invite {words}")
    caption = harness.telegram.last_bot_message(ADMIN).text
    match = LINK.search(caption)
    assert match, caption
    return match.group(1)


async def test_admin_gets_a_deep_link_and_a_printable_qr_png(outreach: Harness) -> None:
    code = await _invite(outreach, "Youth Union Hà Giang group=youth region=north max=30")
    caption = outreach.telegram.last_bot_message(ADMIN).text
    assert "Youth Union Hà Giang" in caption and "uses: 0/30" in caption
    # Unguessable: 128 random bits as 22 URL-safe characters, far below the 64 limit.
    assert len(code) == 22
    method, png = outreach.telegram.uploads[-1]
    assert method == "sendPhoto"
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 500
    entry = (await audit.recent(outreach.services.store, 1))[0]
    assert (entry.actor_id, entry.action, entry.outcome[:2]) == (ADMIN, "invite", "ok")
    assert "group=youth" in entry.detail


async def test_a_created_code_prefills_the_profile_and_counts_its_use(outreach: Harness) -> None:
    code = await _invite(outreach, "Youth Union group=youth region=north")
    person = Person(5001, "en")
    await outreach.text(person, f"/start {code}")
    await outreach.press(person, "English")
    await outreach.press(person, "I agree")
    assert "What kind of area do you live in?" in outreach.screen(person).text
    assert "Urban" in labels(outreach, person)
    invitation = await users.get_invitation(outreach.services.store, code)
    assert invitation is not None and invitation.uses == 1


async def test_a_code_language_and_its_use_limit_apply(outreach: Harness) -> None:
    code = await _invite(outreach, "Women's Union lang=en max=1")
    first, second = Person(5011, "vi"), Person(5012, "vi")
    await outreach.text(first, f"/start {code}")
    # The code's language replaces the language question.
    assert "Do you agree to take part?" in outreach.screen(first).text
    await outreach.press(first, "I agree")
    await outreach.text(second, f"/start {code}")
    texts = [m.text for m in outreach.telegram.bot_messages(second.id)]
    assert any("đã hết lượt" in text or "used up" in text for text in texts)


async def test_a_revoked_code_is_refused_politely(outreach: Harness) -> None:
    code = await _invite(outreach, "School 5")
    await outreach.text(Person(ADMIN, "en"), f"/revoke {code}")
    assert "Revoked" in outreach.telegram.last_bot_message(ADMIN).text
    person = Person(5021, "en")
    await outreach.text(person, f"/start {code}")
    messages = outreach.telegram.bot_messages(person.id)
    assert "unknown, expired or already used up" in messages[-2].text
    await outreach.text(Person(ADMIN, "en"), "/invites")
    assert "School 5" not in outreach.telegram.last_bot_message(ADMIN).text


async def test_bad_fields_are_explained_and_create_nothing(outreach: Harness) -> None:
    admin = Person(ADMIN, "en")
    await outreach.text(admin, "/invite Youth group=pirates")
    assert "group must be one of: children, youth" in outreach.telegram.last_bot_message(ADMIN).text
    await outreach.text(admin, "/invite Youth colour=red")
    assert "Unknown field colour" in outreach.telegram.last_bot_message(ADMIN).text
    await outreach.text(admin, "/invite Youth max=zero")
    assert "max must be a whole number" in outreach.telegram.last_bot_message(ADMIN).text
    await outreach.text(admin, "/invites")
    assert "No invitation codes yet" in outreach.telegram.last_bot_message(ADMIN).text
    entries = await audit.recent(outreach.services.store, 4)
    assert [e.outcome for e in entries[1:]] == ["rejected: bad request"] * 3


async def test_others_are_not_allowed_to_invite_revoke_or_read_the_audit(
    outreach: Harness,
) -> None:
    stranger = Person(5031, "en")
    for command in ("/invite Partner group=youth", "/invites", "/revoke abc", "/audit"):
        await outreach.text(stranger, command)
        # Refused plainly, in the Telegram language of someone unknown (README).
        assert outreach.telegram.last_bot_message(stranger.id).text == "Not allowed."
    assert outreach.telegram.count("sendPhoto") == 0
    assert await audit.recent(outreach.services.store) == []


async def test_admins_read_the_audit_log(outreach: Harness) -> None:
    admin = Person(ADMIN, "en")
    await _invite(outreach, "Youth group=youth")
    await outreach.text(admin, "/audit 5")
    text = outreach.telegram.last_bot_message(ADMIN).text
    assert f"{ADMIN} · invite Youth group=youth → ok" in text


def qr_sizes_cm(path: Path) -> list[tuple[float, float]]:
    """Per PDF page, the width and height of the path with the most points: the QR
    code's dark modules, one compound path (``reporting.posters``)."""
    reader = PdfReader(path)
    sizes = []
    for page in reader.pages:
        best: list[tuple[float, float]] = []
        points: list[tuple[float, float]] = []
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"m", b"l"):
                points.append((float(operands[0]), float(operands[1])))
            elif operator in (b"f", b"f*", b"B", b"b", b"S", b"n"):
                best, points = max(best, points, key=len), []
        xs, ys = [x for x, _y in best], [y for _x, y in best]
        sizes.append(((max(xs) - min(xs)) / 72 * 2.54, (max(ys) - min(ys)) / 72 * 2.54))
    return sizes


def test_cli_writes_a_printable_sheet_of_qr_codes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "config.toml"
    database = tmp_path / "db.sqlite3"
    config.write_text(
        f'[storage]\ndatabase = "{database}"\n[outreach]\nbot_username = "ScorecardTestBot"\n'
    )
    out = tmp_path / "sheets"
    code = main(
        [
            "invite",
            "Hội Phụ nữ",
            "group=women",
            "days=30",
            "--label-en",
            "Women's Union",
            "--out",
            str(out),
            "--config",
            str(config),
        ]
    )
    assert code == 0
    captured = capsys.readouterr()
    printed = captured.out
    assert LINK.search(printed)
    # Quiet: the migrations of a new database, no fontTools subsetting (~200 lines).
    assert "fontTools" not in captured.err
    assert len(captured.err.splitlines()) <= len(MIGRATIONS)
    pdf = next(out.glob("invite-hoi-phu-nu-*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    # Six cards: four a page, each QR code (its dark modules) over 5 cm across.
    sizes = qr_sizes_cm(pdf)
    assert len(sizes) == 2 and all(min(w, h) >= 5.0 for w, h in sizes), sizes
    png = Image.open(next(out.glob("invite-hoi-phu-nu-*.png")))
    assert png.size == (1240, 1754)  # A4 at 150 dpi
    assert main(["invites", "--config", str(config)]) == 0
    assert "Hội Phụ nữ · group=women" in capsys.readouterr().out
    assert main(["invite", "X", "region=mars", "--config", str(config)]) == 2
    assert "region must be one of" in capsys.readouterr().err
    link = LINK.search(printed)
    assert link is not None
    assert main(["revoke", link.group(0), "--config", str(config)]) == 0
    capsys.readouterr()
    assert main(["invites", "--config", str(config)]) == 0
    assert "Hội Phụ nữ" not in capsys.readouterr().out
    assert main(["revoke", link.group(1), "--config", str(config)]) == 1


def test_codes_never_start_with_a_dash_and_revoke_takes_one_after_two(
    tmp_path: Path,
    monkeypatch,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """A code starting with "-" would be read as an option on the command line."""
    from conversations import invitations

    drawn = iter(["-leading-dash-code-xyz", "ordinary_code_abcdefgh"])
    monkeypatch.setattr(invitations.secrets, "token_urlsafe", lambda _n: next(drawn))
    assert invitations.new_code() == "ordinary_code_abcdefgh"
    monkeypatch.undo()
    assert not any(invitations.new_code().startswith("-") for _ in range(2000))

    # A code made before this rule still revokes, in the general form `revoke -- CODE`.
    import asyncio

    from storage.store import Store

    config = tmp_path / "config.toml"
    database = tmp_path / "db.sqlite3"
    config.write_text(f'[storage]\ndatabase = "{database}"\n')

    async def add() -> None:
        store = await Store.open(database)
        await users.add_invitation(store, "-OldCodeWithADash12345", label="old")
        await store.close()

    asyncio.run(add())
    assert main(["revoke", "--config", str(config), "--", "-OldCodeWithADash12345"]) == 0
    assert "revoked" in capsys.readouterr().out
