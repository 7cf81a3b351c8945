"""The site on the designed small data: hidden rows read "hidden", rounds are compared."""

from __future__ import annotations

import re
from pathlib import Path

from cli.main import main
from tests.auxil.harness import Harness
from tests.digest.conftest import report_round_survey
from tests.release.conftest import write_config
from tests.release.site_checks import read_page

REFERENCE = (
    '[digest.reference]\nlabel = "Report 2022"\nnow_year = 2022\nforecast_year = 2025\n'
    "sdg1 = { now = 3.30, forecast = 3.71 }\n"
)


async def test_hidden_groups_and_the_earlier_round(digest_harness: Harness, tmp_path: Path) -> None:
    database = digest_harness.settings.storage.database
    survey = f'[survey]\nfile = "{report_round_survey(database.parent)}"\n'
    config = write_config(tmp_path, database, survey + REFERENCE)
    site = tmp_path / "site"
    assert main(["--config", str(config), "publish", "--out", str(site)]) == 0
    page = read_page(site / "en" / "sdg1.html")
    # The round's eight people: 17/7 now; the two women and youth (hidden with them) hidden.
    assert page.cells["1:all:now"] == "2.43"
    assert page.cells["1:group:women:now"] == "hidden"
    assert page.cells["1:group:youth:now"] == "hidden"
    text = (site / "en" / "sdg1.html").read_text(encoding="utf-8")
    # Youth's 3.00 and the women's 1.00 appear nowhere; nor do their head counts.
    women_row = re.search(r"<th scope=\"row\">Women</th>(.*?)</tr>", text)
    assert women_row and "1.00" not in women_row.group(1) and ">2<" not in women_row.group(1)
    assert "Compared with the earlier round" in text
    assert page.cells["1:round:now"] == "2.43"
    assert "Report 2022 (2022 → 2025)" in text and "3.30" in text
    vietnamese = read_page(site / "sdg1.html")
    assert vietnamese.cells["1:group:women:now"] == "ẩn"
