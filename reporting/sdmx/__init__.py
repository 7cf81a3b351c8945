"""SDMX files of the protected publication, for a statistics office.

``write_sdmx`` writes, into one folder, ``sdg_scorecard.csv`` (SDMX-CSV
2.0), ``sdg_scorecard.xml`` (SDMX-ML 2.1, structure-specific data) and
``structure.xml`` (the data structure, code lists and the dataflow, with
the release's quality statement as an annotation in Vietnamese and
English). Both data files are written with ``sdmx1`` and read back with it
before the function returns; every key is checked against the structure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import sdmx
from sdmx import message
from sdmx.format.csv.v2 import FormatOptions
from sdmx.model import common, v21

from reporting.publication import Publication
from reporting.quality import DESIGNED_BY, texts
from reporting.release import load_release
from reporting.sdmx.observations import DIMENSIONS, Observation, observations
from reporting.sdmx.structure import ATTRIBUTES, NATURE, UNIT, codes, structure_message
from storage import analytics
from survey.model import Survey

__all__ = [
    "DIMENSIONS", "Observation", "export_sdmx", "observations", "problems", "read_back",
    "write_sdmx",
]  # fmt: skip

DATA_CSV = "sdg_scorecard.csv"
DATA_XML = "sdg_scorecard.xml"
STRUCTURE = "structure.xml"
QUALITY = "QUALITY_STATEMENT"


def problems(survey: Survey, rows: Sequence[Observation]) -> list[str]:
    """Codes in ``rows`` the survey's structure does not list (none when valid)."""
    lists = codes(survey)
    found = []
    for obs in rows:
        for dimension, code in obs.key.items():
            if dimension != "TIME_PERIOD" and code not in lists[dimension]:
                found.append(f"{dimension}={code} is not in CL_{dimension}")
            elif dimension == "TIME_PERIOD" and not (code.isdigit() and len(code) == 4):
                found.append(f"TIME_PERIOD={code} is not a year")
    return sorted(set(found))


def _attributes(
    obs: Observation, dsd: v21.DataStructureDefinition
) -> dict[str, common.AttributeValue]:
    values = {
        "UNIT_MEASURE": UNIT,
        "UNIT_MULT": "0",
        "OBS_STATUS": "M" if obs.hidden else "A",
        "CONF_STATUS": "C" if obs.hidden else "F",
        "NATURE": NATURE,
    }
    return {
        name: common.AttributeValue(value=values[name], value_for=dsd.attributes.get(name))
        for name in ATTRIBUTES
    }


def data_message(
    structure: message.StructureMessage, rows: Sequence[Observation]
) -> message.DataMessage:
    flow = next(iter(structure.dataflow.values()))
    dsd = next(iter(structure.structure.values()))
    dataset = v21.StructureSpecificDataSet(described_by=flow, structured_by=dsd)
    measure = dsd.measures.get("OBS_VALUE")
    dataset.add_obs(
        [
            v21.Observation(
                dimension=dsd.make_key(common.Key, obs.key),
                value=math.nan if obs.value is None else obs.value,
                value_for=measure,
                attached_attribute=_attributes(obs, dsd),
            )
            for obs in rows
        ]
    )
    return message.DataMessage(dataflow=flow, data=[dataset])


def write_sdmx(
    survey: Survey,
    parts: Sequence[tuple[Publication, Mapping[str, int]]],
    out: Path,
    quality: Mapping[str, str] | None = None,
) -> tuple[list[Path], list[Observation]]:
    """Write the three files into ``out``; ``quality``: language -> the quality statement."""
    rows = observations(survey, parts)
    found = problems(survey, rows)
    if found:
        raise ValueError("; ".join(found))
    structure = structure_message(survey, {QUALITY: dict(quality)} if quality else None)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / STRUCTURE, out / DATA_XML, out / DATA_CSV]
    paths[0].write_bytes(sdmx.to_xml(structure, pretty_print=True))
    data = data_message(structure, rows)
    paths[1].write_bytes(sdmx.to_xml(data, pretty_print=True))
    sdmx.to_csv(data.data[0], path=paths[2], format_options=FormatOptions(), attributes="o")
    _check(out, survey, rows)
    return paths, rows


def _check(out: Path, survey: Survey, rows: Sequence[Observation]) -> None:
    """Read both files back with sdmx1 against the structure written: the same
    observations, every code in its code list; else ValueError naming what differs."""
    _structure, back = read_back(out)
    lists = codes(survey)
    want = sorted((tuple(r.key[d] for d in DIMENSIONS), r.value) for r in rows)
    for name in (DATA_XML, DATA_CSV):
        got = sorted(
            (tuple(str(row[d]) for d in DIMENSIONS), row["OBS_VALUE"])
            for row in back
            if row["file"] == name
        )
        if got != want:
            raise ValueError(f"{name}: read back {len(got)} observations, wrote {len(want)}")
        for row in back:
            for attribute in ATTRIBUTES:
                if str(row[attribute]) not in lists[attribute]:
                    raise ValueError(f"{name}: {attribute}={row[attribute]} is not in its list")


def read_back(folder: Path) -> tuple[message.StructureMessage, list[dict[str, object]]]:
    """The structure and every observation of both data files, as plain rows
    (dimensions, OBS_VALUE, attributes; ``file`` says which): as an office would read them."""
    structure = sdmx.read_sdmx(folder / STRUCTURE)
    flow = next(iter(structure.dataflow.values()))
    dsd = next(iter(structure.structure.values()))
    rows: list[dict[str, object]] = []
    for name, given in ((DATA_XML, dsd), (DATA_CSV, flow)):
        msg = sdmx.read_sdmx(folder / name, structure=given)
        for dataset in msg.data:
            for obs in dataset.obs:
                row: dict[str, object] = {"file": name}
                row.update({k: str(v.value) for k, v in obs.key.values.items()})
                row["OBS_VALUE"] = _number(obs.value)
                row.update(
                    {
                        k: str(v.value.id if hasattr(v.value, "id") else v.value)
                        for k, v in obs.attached_attribute.items()
                    }
                )
                rows.append(row)
    return structure, rows


def export_sdmx(
    database: Path | str,
    survey: Survey,
    k: int,
    out: Path,
    designed_by: str = DESIGNED_BY,
) -> tuple[list[Path], list[Observation]]:
    """``scorecard-bot export --format sdmx``: every round, read in one snapshot, with the
    current round's quality statement."""
    with analytics.snapshot(database) as db:
        release = load_release(db, survey, k, designed_by)
    return write_sdmx(survey, release.parts, out, texts(release.quality))


def _number(value: object) -> float | None:
    """An observation's value as read: None when empty (hidden)."""
    if value is None or value == "":
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if math.isnan(number) else number
