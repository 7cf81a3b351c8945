"""``scorecard-bot meeting pack``: every number in the pack is the digest's."""

from __future__ import annotations

import re
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from reporting.actions.plan import COLUMNS
from tests.actions.conftest import cli


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def sheet_rows(path: Path, index: int) -> list[tuple[object, ...]]:
    book = load_workbook(path)
    return [tuple(r) for r in book[book.sheetnames[index]].iter_rows(values_only=True)]


def digest_numbers(folder: Path) -> tuple[dict[str, tuple[object, object]], dict[tuple[str, int], object]]:
    """(indicator -> (mean now, mean forecast), (breakdown label, goal) -> mean now)."""
    book = load_workbook(folder / "digest.xlsx")
    indicators = {
        str(r[0]): (r[4], r[5]) for r in list(book["Indicators"].iter_rows(values_only=True))[1:]
    }
    breakdowns = {
        (str(r[1]), int(r[2])): r[5]  # type: ignore[arg-type]
        for r in list(book["Breakdowns"].iter_rows(values_only=True))[1:]
        if r[3] == "Now"
    }
    return indicators, breakdowns


def test_every_number_in_the_pack_is_the_digests(meeting_round: Path, tmp_path: Path) -> None:
    digest = tmp_path / "digest"
    assert cli(meeting_round, "digest", "--language", "en", "--out", str(digest)) == 0
    indicators, breakdowns = digest_numbers(digest)
    assert indicators["1.1.1"] == (2.92, 3.5) and indicators["4.1.1"] == (2.83, "<5")

    out = tmp_path / "en"
    assert cli(meeting_round, "meeting", "pack", "--language", "en", "--out", str(out)) == 0
    pdf, xlsx = sorted(out.iterdir())
    lowest = sheet_rows(xlsx, 1)[1:]
    assert [row[0] for row in lowest] == ["4.1.1", "1.1.1"]  # lowest first
    for code, _statement, _goal, now, forecast in lowest:
        digest_now, digest_forecast = indicators[str(code)]
        assert now == digest_now
        assert forecast == (None if digest_forecast == "<5" else digest_forecast)
    gaps = sheet_rows(xlsx, 2)[1:]
    assert gaps, "the groups are large enough to show their gap"
    for _goal, _between, high, high_mean, low, low_mean, gap in gaps:
        sdg = 1 if _goal == "No poverty" else 4
        assert breakdowns[(str(high), sdg)] == high_mean
        assert breakdowns[(str(low), sdg)] == low_mean
        assert gap == round(high_mean - low_mean, 2)  # type: ignore[operator]
    assert ("No poverty", "Groups", "Women", 4.0, "Youth", 1.83, 2.17) in gaps
    assert len(gaps) == 2  # the same people as regions and areas: one line each goal

    # The PDF prints the same numbers, two decimals, and nothing of who said what.
    text = pdf_text(pdf)
    for code, _s, _g, now, _f in lowest:
        assert re.search(rf"{re.escape(str(code))}.*?\n.*?{now:.2f}", text, re.S)
    assert "Women (4.00)" in text and "Youth (1.83)" in text and "2.17" in text
    assert "Nhiều nhà còn thiếu ăn" in text  # a comment of a shown group
    ranked = text.split("chose as priorities")[1]
    # Chosen by all twelve and by eight: a ranking, without the counts.
    assert ranked.index("No poverty") < ranked.index("Quality education")
    assert "12" not in ranked and "8" not in ranked.split("Joint action plan")[0]
    numbers = set(re.findall(r"\b\d\.\d\d\b", text))
    values = [v for pair in indicators.values() for v in pair] + list(breakdowns.values())
    published = {f"{v:.2f}" for v in values if isinstance(v, int | float)}
    derived = {f"{g[6]:.2f}" for g in gaps}
    assert numbers <= published | derived, numbers - published - derived

    # The blank action plan is the import format, in the PDF and the XLSX alike.
    plan = sheet_rows(xlsx, -1)
    assert list(plan[0]) == [header for _key, header in COLUMNS]
    for _key, header in COLUMNS:
        assert header.split(" / ")[0].split(" ")[0] in text


def test_the_pack_in_vietnamese_first(meeting_round: Path, tmp_path: Path) -> None:
    out = tmp_path / "vi"
    assert cli(meeting_round, "meeting", "pack", "--out", str(out)) == 0  # default: vi
    pdf, _xlsx = sorted(out.iterdir())
    text = pdf_text(pdf)
    assert "Tài liệu họp đối thoại" in text
    assert "2,92" in text and "1,83" in text  # Vietnamese decimals


def test_a_refused_scope_gets_a_pack_without_numbers(stored_round: Path, tmp_path: Path) -> None:
    out = tmp_path / "north"
    # The north's own row is hidden (everyone minus the north is two women).
    code = cli(stored_round, "meeting", "pack", "--scope", "group=women", "--language", "en",
               "--out", str(out))  # fmt: skip
    assert code == 1
    pdf, _xlsx = sorted(out.iterdir())
    text = pdf_text(pdf)
    assert "Fewer than 5 people" in text
    assert not re.search(r"\b\d\.\d\d\b", text)
