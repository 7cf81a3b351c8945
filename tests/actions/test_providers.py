"""Service providers' self-assessment: kept apart from the community everywhere,
shown beside it (and the gap) in the meeting pack."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reporting import publication
from storage import publication as stored
from tests.actions.conftest import cli, table
from tests.actions.test_meeting_pack import digest_numbers, pdf_text, sheet_rows


def test_providers_are_never_in_the_communitys_numbers(
    meeting_with_providers: Path, database: Path
) -> None:
    connection = sqlite3.connect(database)
    try:
        community = publication.load(connection, "sdg-scorecard-vn", "", 5)
        providers = publication.load(connection, "sdg-scorecard-vn", "", 5,
                                     audience=stored.PROVIDER)  # fmt: skip
    finally:
        connection.close()
    assert len(providers.people) == 5 and len(community.people) == 12
    assert {p.partner for p in providers.people} == {"UBND xã Tân Lập"}
    assert all(p.partner != "UBND xã Tân Lập" for p in community.people)


def test_the_pack_shows_providers_beside_the_community(
    meeting_with_providers: Path, database: Path, tmp_path: Path
) -> None:
    digest = tmp_path / "digest"
    assert cli(meeting_with_providers, "digest", "--language", "en", "--out", str(digest)) == 0
    indicators, _breakdowns = digest_numbers(digest)
    # The community's means, as without the providers (35/12 and 34/12).
    assert indicators["1.1.1"][0] == 2.92 and indicators["4.1.1"][0] == 2.83
    assert "Started: 12" in (digest / "digest.html").read_text(encoding="utf-8")
    html = (digest / "digest.html").read_text(encoding="utf-8")
    assert "Ý kiến của cán bộ" not in html
    # ... and the providers beside them, apart.
    assert "Service providers' self-assessment" in html
    assert "1.1.1: community 2.92, providers 4.40 (gap +1.48)" in html
    book = __import__("openpyxl").load_workbook(digest / "digest.xlsx")
    assert [list(r) for r in book["Providers"].iter_rows(values_only=True)][1] == [
        "1.1.1",
        2.92,
        4.4,
        1.48,
    ]

    out = tmp_path / "pack"
    assert (
        cli(meeting_with_providers, "meeting", "pack", "--language", "en", "--out", str(out)) == 0
    )
    pdf, xlsx = sorted(out.iterdir())
    rows = sheet_rows(xlsx, 3)[1:]
    # code, statement, community, providers, gap: largest gap first.
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [
        ("1.1.1", 2.92, 4.4, 1.48), ("4.1.1", 2.83, 4.2, 1.37),
    ]  # fmt: skip
    text = pdf_text(pdf)
    assert "People who took part: 12" in text
    assert "4.40" in text and "1.48" in text
    assert "Ý kiến của cán bộ" not in text  # a provider's comment is not the community's


def test_a_provider_invitation_from_the_command_line(
    meeting_round: Path, database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(meeting_round, "invite", "Trạm Y tế xã", "role=provider", "region=north",
               "--bot-username", "scorecard_bot") == 0  # fmt: skip
    assert "role=provider org=Trạm_Y_tế_xã" in capsys.readouterr().out
    assert table(database, "SELECT label, role, organisation FROM invitations") == [
        ("Trạm Y tế xã", "provider", "Trạm Y tế xã")
    ]
    assert cli(meeting_round, "invite", "X", "role=boss", "--bot-username", "b") == 2


async def test_a_provider_takes_part_with_their_own_consent_text(database: Path) -> None:
    from conversations import invitations
    from locales.i18n import translator
    from tests.auxil.harness import Harness, Person, make_settings
    from tests.auxil.journeys import answer_all, answer_profile

    async with Harness(make_settings(database)) as h:
        request = invitations.parse_request(
            ["Trạm", "Y", "tế", "xã", "role=provider"], h.services.survey, h.settings.zone,
            translator("en"),
        )  # fmt: skip
        invitation = await invitations.create(h.services.store, request, 1)
        person = Person(7401, "en")
        await h.text(person, f"/start {invitation.code}")
        await h.press(person, "English")
        text = h.screen(person).text
        assert "You are invited as a service provider (Trạm Y tế xã)" in text
        assert "kept apart from the community" in text
        await h.press(person, "I agree")
        await answer_profile(h, person)
        await answer_all(h, person)
        await h.press(person, "Submit")
        with sqlite3.connect(database) as connection:
            community = publication.load(connection, h.services.survey.id, "", 5)
            providers = publication.load(connection, h.services.survey.id, "", 5,
                                         audience=stored.PROVIDER)  # fmt: skip
        assert community.people == [] and len(providers.people) == 1
        # Someone from an ordinary invitation sees everyone's consent text.
        other = Person(7402, "en")
        await h.text(other, "/start")
        await h.press(other, "English")
        assert "service provider" not in h.screen(other).text


async def test_a_school_rates_only_the_indicators_its_invitation_names(database: Path) -> None:
    from conversations import invitations
    from conversations.invitations import InviteError
    from locales.i18n import translator
    from tests.auxil.harness import Harness, Person, make_settings
    from tests.auxil.journeys import answer_all, answer_profile

    async with Harness(make_settings(database)) as h:
        survey, _ = h.services.survey, translator("en")
        goal_four = [item.code for item in survey.sections[1].items]
        assert survey.sections[1].sdg == 4 and "1.4.1" not in goal_four
        request = invitations.parse_request(
            ["Trường", "THCS", "role=provider", "only=4,1.4.1"], survey, h.settings.zone, _
        )
        assert request.only == ("1.4.1", *goal_four)  # the survey's order, each once
        invitation = await invitations.create(h.services.store, request, 1)
        assert invitation.only == request.only
        assert "only=1.4.1," in invitations.describe(invitation, _)
        for words, message in (
            (["X", "role=provider", "only=4,9.9.9"], "9.9.9 is neither"),
            (["X", "role=provider", "only=sdg17"], "sdg17 is neither"),
            (["X", "only=4"], "add role=provider"),
        ):
            with pytest.raises(InviteError, match=message):
                invitations.parse_request(words, survey, h.settings.zone, _)

        person = Person(7403, "en")
        await h.text(person, f"/start {invitation.code}")
        await h.press(person, "English")
        assert "It takes about 5–10 minutes." in h.screen(person).text  # not 15–25
        await h.press(person, "I agree")
        await answer_profile(h, person)
        # The first statement is 1.4.1's, the next SDG 4's first: nothing else is asked.
        first = survey.item_by_code["1.4.1"][1].label("en")
        count = len(request.only)
        screen = h.screen(person).text
        assert first in screen and f"Goal 1 of 2 · 1 of {count}" in screen
        await answer_all(h, person)
        review = h.screen(person)
        assert [b["text"] for b in review.buttons() if b["text"].startswith("Change ")][:2] == [
            "Change No poverty", "Change Quality education",
        ]  # fmt: skip
        await h.press(person, "Submit")
        rated = table(database, "SELECT DISTINCT item_code FROM ratings ORDER BY item_code")
        assert sorted(code for (code,) in rated) == sorted(request.only)
        assert table(database, "SELECT submitted_at IS NOT NULL FROM responses") == [(1,)]
