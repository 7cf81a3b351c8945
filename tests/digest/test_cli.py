"""``scorecard-bot digest`` and ``export --format opensdg`` write files."""

from __future__ import annotations

import csv
from pathlib import Path

from cli.main import main
from tests.auxil.harness import Harness
from tests.auxil.offline import TOKEN
from tests.digest.conftest import report_round_survey


def config(tmp_path: Path, database: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[telegram]\ntoken = "{TOKEN}"\n[storage]\ndatabase = "{database}"\n'
        f'[survey]\nfile = "{report_round_survey(tmp_path / "data")}"\n'
        '[digest.official]\nsdg1 = { level = 4.0, source = "National report 2020" }\n',
        encoding="utf-8",
    )
    return path


async def test_digest_and_opensdg_files(digest_harness: Harness, tmp_path: Path) -> None:
    path = config(tmp_path, digest_harness.settings.storage.database)
    out = tmp_path / "digest"
    assert main(["--config", str(path), "digest", "--scope", "region=north", "--language",
                 "en", "--out", str(out)]) == 0  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == [
        "digest.html", "digest.xlsx", "goals.png", "groups.png",
    ]  # fmt: skip
    assert "Scope: North" in (out / "digest.html").read_text(encoding="utf-8")
    assert (out / "goals.png").read_bytes().startswith(b"\x89PNG")

    data = tmp_path / "opensdg"
    assert main(["--config", str(path), "export", "--format", "opensdg", "--out", str(data)]) == 0
    with (data / "indicator_1-1-1.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["Year", "Units", "Series", "Group", "Region", "Area", "Value"]
    headline = [r for r in rows if not (r["Group"] or r["Region"] or r["Area"])]
    # Means leave the publication rounded to two decimals (17/7, 23/7).
    assert [(r["Year"], r["Value"]) for r in headline] == [("2022", "2.43"), ("2025", "3.29")]
    # Women (two people) left out, and Youth with them: the headline minus youth
    # would give the women away (secondary suppression).
    assert {r["Group"] for r in rows} == {""}
    # 4.1.1 (rated by the two women only): the file is written, with no row, not
    # even the round's headline (its mean would be the women's ratings).
    with (data / "indicator_4-1-1.csv").open(encoding="utf-8") as handle:
        four = list(csv.DictReader(handle))
    assert four == []


async def test_a_bad_scope_is_a_configuration_error(
    digest_harness: Harness, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    path = config(tmp_path, digest_harness.settings.storage.database)
    code = main(["--config", str(path), "digest", "--scope", "region=mars", "--out", str(tmp_path)])
    assert code == 2
    assert "--scope: unknown region 'mars'" in capsys.readouterr().err
