"""The quality statement: in the workbook (tests/digest), the SDMX structure, Open SDG metadata."""

from __future__ import annotations

import re
from pathlib import Path

import sdmx

from cli.main import main
from tests.auxil.harness import Harness
from tests.digest.conftest import report_round_survey
from tests.release.conftest import write_config


def _config(h: Harness, tmp_path: Path, extra: str = "") -> Path:
    database = h.settings.storage.database
    survey = f'[survey]\nfile = "{report_round_survey(database.parent)}"\n'
    return write_config(tmp_path, database, survey + extra)


async def test_the_statement_travels_with_sdmx_and_open_sdg(
    digest_harness: Harness, tmp_path: Path
) -> None:
    config = _config(digest_harness, tmp_path, '[publish]\ndesigned_by = "Mạng lưới LNOB"\n')
    out = tmp_path / "sdmx"
    assert main(["--config", str(config), "export", "--format", "sdmx", "--out", str(out)]) == 0
    flow = sdmx.read_sdmx(out / "structure.xml").dataflow["DF_SDG_SCORECARD"]
    note = next(a for a in flow.annotations if a.id == "QUALITY_STATEMENT")
    vi, en = note.text.localizations["vi"], note.text.localizations["en"]
    assert "Đơn vị thiết kế: Mạng lưới LNOB" in vi and "Designed by: Mạng lưới LNOB" in en
    assert "không phải là mẫu xác suất" in vi and "not a probability sample" in en
    assert "Started: 8" in en and "(k = 5)" in en
    # The two women are a group of 2: hidden, never printed (nor youth, hidden with them).
    assert "Women: hidden" in en and "Youth: hidden" in en
    assert not re.search(r": [1-4]\b(?!\.)", en.replace("k = 5", "")), en

    data = tmp_path / "opensdg"
    assert main(["--config", str(config), "export", "--format", "opensdg", "--out", str(data)]) == 0
    meta = (data / "meta" / "1-1-1.md").read_text(encoding="utf-8")
    assert meta.startswith("---\nindicator_number: '1.1.1'\n")
    assert "data_notes: |\n  What this is: Citizen-generated data" in meta
    # Vietnamese first, then English.
    assert 0 < meta.index("# Tuyên bố chất lượng") < meta.index("# Quality statement")
