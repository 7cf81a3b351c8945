"""An earlier round's means ([digest.reference]): settings, digest text, workbook, chart."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.config import ConfigError, load_settings, reference_from_settings
from cli.main import main
from reporting.digest.analysis import analyse
from reporting.digest.reference import Reference, ReferencePoint
from reporting.digest.text import render_text
from reporting.digest.workbook import render_workbook
from tests.auxil.harness import Harness
from tests.digest.test_cli import config as cli_config

GOOD = """
[digest.reference]
label = "Báo cáo 2022"
now_year = 2022
forecast_year = 2025
sdg1 = { now = 3.3, forecast = 3.7 }
sdg4 = { now = 3.49 }
"""


def test_reference_settings_are_read_into_goals(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD, encoding="utf-8")
    reference = reference_from_settings(load_settings(config).digest)
    assert reference == Reference(
        "Báo cáo 2022", 2022, 2025, {1: ReferencePoint(3.3, 3.7), 4: ReferencePoint(3.49, None)}
    )
    assert reference_from_settings(load_settings(tmp_path / "config.toml").digest) is not None
    config.write_text("[digest]\nmin_cell = 5\n")
    assert reference_from_settings(load_settings(config).digest) is None


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("3.7 }", "5.5 }"), "digest.reference.sdg1.forecast: must be between 1 and 5"),
        (("sdg4 =", "sdg18 ="), "digest.reference: 'sdg18' is not a setting"),
        (("sdg4 =", "goal4 ="), "digest.reference: 'goal4' is not a setting"),
        (("forecast_year = 2025", "forecast_year = 2022"), "forecast_year must come after"),
        (("{ now = 3.49 }", "{ }"), "digest.reference.sdg4: give now, forecast or both"),
        (("{ now = 3.49 }", "{ now = 3.49, later = 4 }"), "digest.reference.sdg4.later: unknown"),
        (('label = "Báo cáo 2022"\n', ""), "digest.reference.label: Field required"),
    ],
)
def test_bad_reference_settings_name_the_setting_in_one_line(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(GOOD.replace(*edit), encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_earlier_round_can_come_from_a_csv_of_goal_means(tmp_path: Path) -> None:
    means = tmp_path / "report-2022.csv"
    means.write_text('sdg,now,forecast\nSDG 1,3.3,3.7\n4,"3,49",\n8,3.31,3.72\n', "utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        '[digest.reference]\nlabel = "Báo cáo 2022"\nnow_year = 2022\nforecast_year = 2025\n'
        f'file = "{means}"\nsdg8 = {{ now = 3.3 }}\n',  # a line in the config wins
        encoding="utf-8",
    )
    reference = reference_from_settings(load_settings(config).digest)
    assert reference is not None and dict(reference.goals) == {
        1: ReferencePoint(3.3, 3.7),
        4: ReferencePoint(3.49, None),
        8: ReferencePoint(3.3, None),
    }
    means.write_text("sdg,now,forecast\n1,3.3,3.7\n19,3,3\n", "utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(config)
    assert "digest.reference" in str(error.value) and "row 3: sdg must be 1 to 17" in str(
        error.value
    )
    means.write_text("sdg,now,forecast\n1,high,3.7\n", "utf-8")
    with pytest.raises(ConfigError, match="row 2: now is not a number"):
        load_settings(config)
    means.unlink()
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(config)


REFERENCE = Reference(
    "Báo cáo 2022", 2022, 2025, {1: ReferencePoint(3.3, 3.7), 4: ReferencePoint(3.49)}
)


async def test_digest_text_and_workbook_show_the_earlier_round(digest_harness: Harness) -> None:
    end = datetime.now(UTC)
    analysis = analyse(
        digest_harness.settings.storage.database, digest_harness.services.survey, {},
        end - timedelta(7), end,
    )  # fmt: skip
    text = render_text(analysis, "vi", ZoneInfo("UTC"), REFERENCE)
    assert "Vòng trước, Báo cáo 2022: điểm trung bình 2022 → 2025" in text
    assert "SDG 1: 3,3 → 3,7" in text and "SDG 4: 3,49 → –" in text  # decimal commas
    assert text.split("Vòng trước")[1].split("\n\n")[0].count("SDG ") == 2  # rated goals only
    assert "Vòng trước" not in render_text(analysis, "vi", ZoneInfo("UTC"))
    book = load_workbook(io.BytesIO(render_workbook(analysis, "en", ZoneInfo("UTC"), REFERENCE)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = next(row for row in rows if row[0] == "SDG")
    first, fourth, fifth = (next(row for row in rows if row[0] == sdg) for sdg in (1, 4, 5))
    now, forecast = header.index("Báo cáo 2022: mean 2022"), header.index("Báo cáo 2022: mean 2025")
    assert (first[now], first[forecast]) == (3.3, 3.7)
    assert (fourth[now], fourth[forecast]) == (3.49, None)  # blank cell
    assert (fifth[now], fifth[forecast]) == (None, None)


async def test_the_digest_command_reads_the_reference_from_the_config(
    digest_harness: Harness, tmp_path: Path
) -> None:
    path = cli_config(tmp_path, digest_harness.settings.storage.database)
    path.write_text(path.read_text(encoding="utf-8") + GOOD, encoding="utf-8")
    out = tmp_path / "digest"
    assert main(["--config", str(path), "digest", "--language", "en", "--out", str(out)]) == 0
    text = (out / "digest.html").read_text(encoding="utf-8")
    assert "Earlier round, Báo cáo 2022: mean rating 2022 → 2025" in text
    assert "SDG 1: 3.3 → 3.7" in text
