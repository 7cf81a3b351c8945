"""The whole cycle through the real Application: a community round with providers,
the meeting pack, actions entered in chat and by XLSX, a respondent told, the next
round, and the digest's change per action indicator."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from cli.main import main
from storage import actions, rounds, users
from tests.actions.conftest import add_meeting_round, add_providers, fill_rows, write_config
from tests.actions.test_followup import add_action, take_part, texts
from tests.auxil.harness import Harness, Person
from tests.digest.conftest import (
    ADMIN,
    FilesTelegram,
    Respondent,
    add_respondent,
    digest_settings,
)
from tests.release.site_checks import number, read_page

SOON = date.today() + timedelta(days=45)


def workbook(data: bytes) -> object:
    return load_workbook(io.BytesIO(data))


def sent(h: Harness, prefix: str, suffix: str) -> bytes:
    files = h.telegram.files  # type: ignore[attr-defined]
    return files[next(n for n in files if n.startswith(prefix) and n.endswith(suffix))]


async def test_the_cycle_from_scores_to_action_and_back(database: Path, tmp_path: Path) -> None:
    settings = digest_settings(database, outreach={"quiet_hours": ""})
    config = write_config(tmp_path, database)
    telegram = FilesTelegram()
    async with Harness(settings, telegram) as h:
        store, survey = h.services.store, h.services.survey
        admin, person = Person(ADMIN, "en"), Person(7301, "en")
        await users.set_language(store, (await users.ensure_user(store, ADMIN, ADMIN)).id, "en")
        await rounds.open_round(store, "2026", "Round 2026", (2026, 2030), survey.content_hash)

        # 1. The community scores (twelve stored, one in chat who asks to hear back) ...
        await add_meeting_round(store, survey)
        await take_part(h, person, True)
        # 2. ... and the service providers assess themselves, kept apart.
        await add_providers(store, survey)

        # 3. The meeting pack in chat: every number is the digest's.
        await h.text(admin, "/export xlsx")
        digest = workbook(sent(h, "scorecard-digest-", ".xlsx"))
        digest_means = {
            r[0]: r[4] for r in list(digest["Indicators"].iter_rows(values_only=True))[1:]
        }  # type: ignore[index]
        await h.text(admin, "/meeting")
        pack = workbook(sent(h, "meeting-pack-", ".xlsx"))
        lowest = list(pack.worksheets[1].iter_rows(values_only=True))[1:]  # type: ignore[attr-defined]
        assert lowest and all(row[3] == digest_means[row[0]] for row in lowest)
        providers = list(pack.worksheets[3].iter_rows(values_only=True))[1:]  # type: ignore[attr-defined]
        # 4.1.1's community mean is hidden (means are protected one indicator at a
        # time: the chat respondent's rating could be worked out), in both.
        assert digest_means["4.1.1"] == "<5" and "4.1.1" not in {row[0] for row in lowest}
        assert {row[0] for row in providers} == {"1.1.1"}
        assert all(row[2] == digest_means[row[0]] for row in providers)  # community side
        pdf_text = "".join(
            p.extract_text() for p in PdfReader(io.BytesIO(sent(h, "meeting-pack-", ".pdf"))).pages
        )
        assert "Round 2026" in pdf_text and "People who took part: 13" in pdf_text

        # 4. Actions: one entered in chat, one from the pack's XLSX table.
        before = len(texts(h, person))
        await add_action(h, admin, "1.1.1")
        assert len(texts(h, person)) == before + 1  # the respondent who opted in hears
        assert "At the meeting on" in texts(h, person)[-1]
        plan = tmp_path / "plan.xlsx"
        plan.write_bytes(sent(h, "meeting-pack-", ".xlsx"))
        book = load_workbook(plan)
        book.active = book.sheetnames.index("Actions")
        book.save(plan)
        fill_rows(plan, [[None, "4.1.1", "all", "Trẻ đọc chưa tốt", "Thư viện lưu động",
                          "Trường tiểu học", "Hiệu trưởng", SOON.isoformat()]], start=3)  # fmt: skip
        code = await asyncio.to_thread(
            main, ["--config", str(config), "actions", "import", str(plan)]
        )
        assert code == 0
        assert [a.codes for a in await actions.list_actions(store)] == [("1.1.1",), ("4.1.1",)]
        one = digest_means["1.1.1"]

        # 5. The next round: the same place scores again, a little higher on 1.1.1.
        await rounds.close_round(store, "2026")
        await rounds.open_round(store, "2027", "Round 2027", (2027, 2030), survey.content_hash)
        await add_meeting_round(store, survey, offset=100, priorities=False)
        for n in range(3):  # three more who now say 5: (35 + 15) / 15 = 3.33
            await add_respondent(store, survey, Respondent(
                850000 + n, {"group": "youth", "region": "north", "area": "urban"},
                {("1.1.1", "now"): 5}))  # fmt: skip
        await h.text(admin, "/digest")
        text = next(m.text for m in reversed(h.telegram.bot_messages(ADMIN)) if "Scope:" in m.text)
        assert "Since the meeting (actions agreed)" in text
        # The new round's 3.33 on 1.1.1 against the first round's mean.
        assert f"#1 1.1.1: {one:.2f} in Round 2026 → 3.33 now ({3.33 - one:+.2f})" in text
        assert "#2 4.1.1:" in text
        # The workbook carries each action's status beside the numbers.
        await h.text(admin, "/export xlsx")
        statuses = list(
            workbook(sent(h, "scorecard-digest-", ".xlsx"))["Actions"].iter_rows(values_only=True)
        )  # type: ignore[index]
        assert [(r[0], r[1], r[5]) for r in statuses[1:]] == [
            (1, "1.1.1", "agreed"),
            (2, "4.1.1", "agreed"),
        ]
        # ... and the Open SDG files carry it as metadata.
        opensdg = tmp_path / "opensdg"
        code = await asyncio.to_thread(
            main, ["--config", str(config), "export", "--format", "opensdg", "--out", str(opensdg)]
        )
        assert code == 0
        meta = (opensdg / "meta" / "1-1-1.md").read_text(encoding="utf-8")
        front_matter = meta.split("\n---\n", 1)[0]
        assert meta.startswith("---\n") and "\ncommunity_actions:\n  - id: 1\n" in front_matter
        assert '    organisation: "UBND xã"\n' in meta and "    status: agreed\n" in meta
        # The next meeting's pack carries the same change, from the same publications.
        del h.telegram.files[
            next(
                n for n in h.telegram.files if n.startswith("meeting-pack-") and n.endswith(".xlsx")
            )
        ]  # type: ignore[attr-defined]
        await h.text(admin, "/meeting")
        again = workbook(sent(h, "meeting-pack-", ".xlsx"))
        sheet = again["Change since the meeting"]  # type: ignore[index]
        rows = list(sheet.iter_rows(values_only=True))[1:]
        assert (1, "1.1.1", one, 3.33, round(3.33 - one, 2)) in [r[:5] for r in rows]

        # The public site lists each action on its goal's page with the same change.
        site = tmp_path / "site"
        code = await asyncio.to_thread(
            main, ["--config", str(config), "publish", "--out", str(site)]
        )
        assert code == 0
        for folder, language, status, hidden in (
            (site, "vi", "Đã thống nhất", "ẩn"), (site / "en", "en", "Agreed", "hidden"),
        ):  # fmt: skip
            goal_one = (folder / "sdg1.html").read_text(encoding="utf-8")
            assert read_page(folder / "sdg1.html").cells["action:1:1.1.1"] == number(
                round(3.33 - one, 2), language, sign=True
            )
            assert "UBND xã" in goal_one and f"<dd>{status}</dd>" in goal_one
            assert "action:2:" not in goal_one  # 4.1.1 is on goal 4's page ...
            # ... where its change is hidden, as the digest's "–": 4.1.1 was hidden then.
            assert read_page(folder / "sdg4.html").cells["action:2:4.1.1"] == hidden
            assert 'id="actions"' not in (folder / "sdg5.html").read_text(encoding="utf-8")
