"""``scorecard-bot export``: the tidy CSV (full or anonymised) and Open SDG files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from bot.config import ConfigError, Settings
from cli.common import audit_export, command, existing_database
from survey.model import load_survey


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=["csv", "opensdg", "sdmx"],
        default="csv",
        help="csv (default): every rating; opensdg: mean ratings in the Open SDG data"
        " format, one file per indicator, into the folder --out; sdmx: SDMX-CSV 2.0,"
        " SDMX-ML 2.1 and the data structure into the folder --out",
    )
    parser.add_argument(
        "--out", type=Path, required=True, help="file to write ('-' for standard output)"
    )
    parser.add_argument(
        "--anonymise",
        action="store_true",
        help="csv only: a file safe to share beside the digests: only respondents whose"
        " round, version, mode, groups (one column each), region and area are shared by at"
        " least digest.min_cell, and none the digests would single out; no dates, partner or"
        " comments; new respondent ids; what changed goes to stderr",
    )


@command("export", "export every rating as a tidy CSV (pseudonymous ids only)", _export_arguments)
def export(settings: Settings, args: argparse.Namespace) -> int:
    from storage.export import write_ratings_csv

    if args.anonymise and args.format != "csv":
        raise ConfigError("--anonymise: only with --format csv")
    if args.format == "opensdg":
        from cli.digest import export_opensdg

        code = export_opensdg(settings, args.out)
        audit_export(settings, f"opensdg out={args.out}")
        return code
    if args.format == "sdmx":
        code = export_sdmx(settings, args.out)
        audit_export(settings, f"sdmx out={args.out}")
        return code
    survey = load_survey(settings.survey.file)
    database = existing_database(settings)
    fields = [q.id for q in survey.profile]
    k = settings.disclosure.k

    def write(out: IO[str]) -> str:
        if not args.anonymise:
            return f"wrote {write_ratings_csv(database, out, survey.id, fields)} ratings"
        from reporting.anonymise import write_anonymised_csv

        summary = write_anonymised_csv(database, out, survey, k)
        return "\n".join(summary.lines())

    if str(args.out) == "-":
        report = write(sys.stdout)
    else:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("w", encoding="utf-8", newline="") as out:
            report = write(out)
    what = "csv anonymised" if args.anonymise else "csv full"
    audit_export(settings, f"{what} out={args.out}")
    if args.anonymise or str(args.out) != "-":
        print(report + ("" if str(args.out) == "-" else f" (to {args.out})"), file=sys.stderr)
    return 0


def export_sdmx(settings: Settings, out: Path) -> int:
    """``export --format sdmx --out DIR``: every round of the protected publication."""
    from reporting.sdmx import export_sdmx as write

    if str(out) == "-":
        raise ConfigError("--out: the sdmx format writes a folder, not standard output")
    survey = load_survey(settings.survey.file)
    database = existing_database(settings)
    paths, rows = write(database, survey, settings.disclosure.k, out, settings.publish.designed_by)
    hidden = sum(row.hidden for row in rows)
    print(
        f"wrote {len(rows)} observations ({hidden} confidential) in"
        f" {', '.join(p.name for p in paths)} to {out}",
        file=sys.stderr,
    )
    return 0
