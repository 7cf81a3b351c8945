"""``export --format sdmx``: files an SDMX library reads back equal to the publication."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import sdmx

from cli.main import main
from reporting import publication
from reporting.digest.opensdg import opensdg_frame
from reporting.publication import View
from reporting.sdmx import read_back
from reporting.sdmx.structure import SHIPPED
from survey.model import load_survey
from tests.auxil.harness import Harness
from tests.digest.conftest import report_round_survey
from tests.release.conftest import write_config

ROOT = Path(__file__).resolve().parents[2]
LABEL_TO_CODE = {"Group": "CUST_BREAKDOWN", "Region": "REF_AREA", "Area": "URBANISATION"}


def _expected(database: Path) -> dict[tuple[str, ...], float]:
    """The Open SDG rows of the publication (shown rows only), keyed like SDMX rows."""
    survey = load_survey()
    with sqlite3.connect(database) as db:
        published = publication.load(db, survey.id, "", 5)
    frame = opensdg_frame(survey, published, View.of({}))
    labels = {}
    for dimension in ("group", "region", "area"):
        question = survey.profile_question(dimension)
        assert question is not None
        labels.update({(dimension, c.label("en")): c.id for c in question.choices})
    expected = {}
    for row in frame.to_dict("records"):
        kind = "NOW" if row["Year"] == survey.years["now"] else "FCST"
        series = f"CSC_{row['Indicator'].replace('.', '_').upper()}_{kind}"
        split = next(((d, row[d]) for d in ("Group", "Region", "Area") if row[d]), None)
        expected[(series, str(row["Year"]), *(split or ("", "")))] = row["Value"]
    return expected


def _key(row: dict[str, object]) -> tuple[str, ...]:
    for dimension, label in (("DISABILITY_STATUS", "Group"), ("CUST_BREAKDOWN", "Group"),
                             ("REF_AREA", "Region"), ("URBANISATION", "Area")):  # fmt: skip
        value = str(row[dimension])
        if value not in ("_T", "VN"):
            return (str(row["SERIES"]), str(row["TIME_PERIOD"]), label, value)
    return (str(row["SERIES"]), str(row["TIME_PERIOD"]), "", "")


def test_the_synthetic_round_reads_back_equal_to_the_publication(
    synthetic_db: Path, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    config = write_config(tmp_path, synthetic_db)
    out = tmp_path / "sdmx"
    assert main(["--config", str(config), "export", "--format", "sdmx", "--out", str(out)]) == 0
    assert "wrote 1932 observations (0 confidential)" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [
        "sdg_scorecard.csv", "sdg_scorecard.xml", "structure.xml",
    ]  # fmt: skip
    assert (
        (out / "sdg_scorecard.csv")
        .read_text(encoding="utf-8")
        .startswith("STRUCTURE,STRUCTURE_ID,ACTION,FREQ,REPORTING_TYPE,SERIES,REF_AREA,")
    )
    _structure, rows = read_back(out)
    survey = load_survey()
    codes = {}
    for dimension in ("group", "region", "area"):
        question = survey.profile_question(dimension)
        assert question is not None
        codes.update({c.label("en"): c.id for c in question.choices})
    expected = _expected(synthetic_db)
    for name in ("sdg_scorecard.xml", "sdg_scorecard.csv"):
        got = {}
        for row in (r for r in rows if r["file"] == name):
            assert row["NATURE"] == "CG" and row["UNIT_MEASURE"] == "SCORE_1_5"
            assert (row["OBS_STATUS"], row["CONF_STATUS"]) == ("A", "F")
            got[_key(row)] = float(row["OBS_VALUE"])  # type: ignore[arg-type]
        # Open SDG labels the split by its English label; SDMX by its code.
        want = {}
        for (series, year, label, value), mean in expected.items():
            if label:
                choice = codes[value]
                code = {"disability": "PD", "urban": "U", "rural": "R"}.get(choice)
                code = code or (f"VN_{choice.upper()}" if label == "Region" else choice.upper())
                want[(series, year, label, code)] = mean
            else:
                want[(series, year, "", "")] = mean
        assert got == want, name
    assert len(expected) == 1932


def test_every_key_is_in_the_shipped_structure(synthetic_db: Path, tmp_path: Path) -> None:
    config = write_config(tmp_path, synthetic_db)
    out = tmp_path / "sdmx"
    assert main(["--config", str(config), "export", "--format", "sdmx", "--out", str(out)]) == 0
    shipped = sdmx.read_sdmx(SHIPPED)
    dsd = shipped.structure["DSD_SDG_SCORECARD"]
    lists = {}
    for component in [*dsd.dimensions.components, *dsd.attributes.components]:
        representation = component.local_representation
        if representation is not None and representation.enumerated is not None:
            lists[component.id] = {code.id for code in representation.enumerated}
    assert set(lists) >= {
        "FREQ",
        "SERIES",
        "REF_AREA",
        "SEX",
        "AGE",
        "URBANISATION",
        "DISABILITY_STATUS",
        "CUST_BREAKDOWN",
        "OBS_STATUS",
        "NATURE",
    }
    _structure, rows = read_back(out)
    for row in rows:
        for component, allowed in lists.items():
            assert row[component] in allowed, (component, row[component])
    assert {"VN", "VN_NORTH", "VN_CENTRAL", "VN_SOUTH"} <= {r["REF_AREA"] for r in rows}
    assert {"PD", "_T"} == {r["DISABILITY_STATUS"] for r in rows}
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "sdmx_structure.py"), "--check"], cwd=ROOT
    )
    assert result.returncode == 0, "the shipped structure is out of date"


async def test_hidden_rows_are_confidential_not_left_out(
    digest_harness: Harness, tmp_path: Path
) -> None:
    """The designed data: the women (2 people) hidden, youth hidden with them."""
    database = digest_harness.settings.storage.database
    config = write_config(
        tmp_path, database, f'[survey]\nfile = "{report_round_survey(database.parent)}"\n'
    )
    out = tmp_path / "sdmx"
    assert main(["--config", str(config), "export", "--format", "sdmx", "--out", str(out)]) == 0
    _structure, rows = read_back(out)
    for name in ("sdg_scorecard.xml", "sdg_scorecard.csv"):
        mine = [r for r in rows if r["file"] == name]
        women = [r for r in mine if r["CUST_BREAKDOWN"] == "WOMEN"]
        youth = [r for r in mine if r["CUST_BREAKDOWN"] == "YOUTH"]
        assert women and youth, "hidden groups must be present, marked"
        for row in women + youth:
            assert (row["OBS_STATUS"], row["CONF_STATUS"]) == ("M", "C")
            assert row["OBS_VALUE"] is None
        headline = [
            r
            for r in mine
            if r["SERIES"] == "CSC_1_1_1_NOW"
            and r["CUST_BREAKDOWN"] == "_T"
            and r["REF_AREA"] == "VN"
            and r["URBANISATION"] == "_T"
        ]
        assert [float(r["OBS_VALUE"]) for r in headline] == [2.43]  # type: ignore[arg-type]
    # No hidden value is anywhere in the files: women's 1.1.1 now is 1.0, youth's 3.0.
    text = (out / "sdg_scorecard.csv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if ",WOMEN," in line or ",YOUTH," in line:
            assert ",,SCORE_1_5," in line, line


async def test_a_mean_hidden_inside_a_shown_row_is_confidential(
    digest_harness: Harness, tmp_path: Path
) -> None:
    """4.1.1 was rated by the two women only: the headline row is shown (eight people),
    its 4.1.1 mean (two ratings) is not, in SDMX as in the digest."""
    database = digest_harness.settings.storage.database
    config = write_config(
        tmp_path, database, f'[survey]\nfile = "{report_round_survey(database.parent)}"\n'
    )
    out = tmp_path / "sdmx"
    assert main(["--config", str(config), "export", "--format", "sdmx", "--out", str(out)]) == 0
    _structure, rows = read_back(out)
    headline = [
        (r["SERIES"], r["OBS_VALUE"], r["CONF_STATUS"])
        for r in rows
        if r["file"] == "sdg_scorecard.csv"
        and r["SERIES"] in ("CSC_4_1_1_NOW", "CSC_1_1_1_NOW")
        and (r["REF_AREA"], r["CUST_BREAKDOWN"], r["URBANISATION"]) == ("VN", "_T", "_T")
        and r["DISABILITY_STATUS"] == "_T"
    ]
    assert sorted(headline) == [("CSC_1_1_1_NOW", 2.43, "F"), ("CSC_4_1_1_NOW", None, "C")]
