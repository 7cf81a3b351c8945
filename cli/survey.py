"""``scorecard-bot survey export|import|check``: the survey in Excel (XLSForm) and back.

Coordinators adapt the scorecard in the tool their data teams already use:
export the current survey as XLSForm, edit it in Excel (or Kobo's form
builder), check it, import it as a survey file. A file with errors is never
written, so ``[survey] file`` can point at the import's output safely.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bot.config import Settings
from cli.common import command
from survey.model import SurveyFileError, load_survey, parse_survey


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="export|import|check")
    export = verbs.add_parser(
        "export", help="write the current survey ([survey] file or the shipped one) as XLSForm"
    )
    export.add_argument("--format", choices=["xlsform"], default="xlsform", help="xlsform")
    export.add_argument("--out", type=Path, required=True, help="the workbook to write (.xlsx)")
    read = verbs.add_parser("import", help="read an XLSForm workbook into a survey file (TOML)")
    read.add_argument("form", type=Path, help="the XLSForm workbook (.xlsx)")
    read.add_argument(
        "--out", type=Path, required=True, help="the survey file to write ('-': standard output)"
    )
    check = verbs.add_parser(
        "check", help="list errors and draft translations of an XLSForm or a survey file"
    )
    check.add_argument("file", type=Path, help="FORM.xlsx or SURVEY.toml")


@command("survey", "export, import or check a survey in Excel (XLSForm)", _arguments)
def survey(settings: Settings, args: argparse.Namespace) -> int:
    return {"export": _export, "import": _import, "check": _check}[args.verb](settings, args)


def _write_atomically(out: Path, write) -> None:
    """Write through a temporary file beside ``out``: a failure leaves no half file."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from survey.xlsform_export import write_xlsform

    survey = load_survey(settings.survey.file)
    _write_atomically(args.out, lambda path: write_xlsform(survey, path))
    print(
        f"wrote survey {survey.id} {survey.version} ({len(survey.items)} indicators)"
        f" as XLSForm to {args.out}",
        file=sys.stderr,
    )
    return 0


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from survey.toml_writer import survey_toml
    from survey.xlsform_import import XLSFormError, read_xlsform

    try:
        survey, warnings = read_xlsform(args.form)
    except XLSFormError as error:
        errors = [p for p in error.problems if not p.warning]
        print(
            f"scorecard-bot: {args.form}: {len(errors)} error(s), nothing written:",
            file=sys.stderr,
        )
        for problem in errors:
            print(f"  {problem}", file=sys.stderr)
        return 2
    # Drafts are counted (survey check lists them); any other warning is shown.
    drafts = [p for p in warnings if p.message.startswith("draft translation")]
    for problem in warnings:
        if problem not in drafts:
            print(f"  {problem}", file=sys.stderr)
    text = survey_toml(
        survey,
        f"Imported from {args.form.name} by `scorecard-bot survey import`.\n"
        "Edit the workbook and import it again rather than editing this file by hand.",
    )
    # The file must read back as the same survey before anyone can point the bot at it.
    try:
        written = parse_survey(text.encode("utf-8"), args.out)
    except SurveyFileError as error:  # a bug here, never the coordinator's doing
        raise RuntimeError(
            f"the survey file written for {args.form} does not read back: {error}"
        ) from error
    if written.model_dump(exclude={"content_hash"}) != survey.model_dump(exclude={"content_hash"}):
        raise RuntimeError(f"the survey file written for {args.form} reads back differently")
    if str(args.out) == "-":
        sys.stdout.write(text)
    else:
        _write_atomically(args.out, lambda path: path.write_text(text, encoding="utf-8"))
        print(
            f"wrote survey {survey.id} {survey.version} ({len(survey.items)} indicators,"
            f" {len(drafts)} draft translation(s) to review: survey check lists them)"
            f" to {args.out}",
            file=sys.stderr,
        )
    return 0


def _check(settings: Settings, args: argparse.Namespace) -> int:
    from survey.check import check_survey_file

    findings = check_survey_file(args.file)
    errors = [f for f in findings if not f.warning]
    for finding in findings:
        print(finding)
    drafts = len(findings) - len(errors)
    if errors:
        print(f"{args.file}: {len(errors)} error(s), {drafts} warning(s)")
        return 2
    print(f"{args.file}: no errors, {drafts} warning(s)")
    return 0
