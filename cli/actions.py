"""CLI: ``scorecard-bot actions export|import``: the action plan as an XLSX table.

``import`` checks the whole file first and writes nothing unless every row is
right: problems are printed one a line, by sheet, row and column (exit 1).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.config import Settings
from cli.common import audit_export, command, existing_database
from survey.model import load_survey

CLI_ACTOR = 0  # the audit trail's actor for the command line


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True)
    exporting = verbs.add_parser("export", help="write every action to an XLSX file")
    exporting.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    importing = verbs.add_parser("import", help="add actions and status changes from an XLSX file")
    importing.add_argument("file", type=Path, help="an action-plan .xlsx (as export writes it)")
    importing.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would change"
    )


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from reporting.actions.plan import PlanFileError, read_plan, write_plan
    from storage import actions, rounds
    from storage.store import Store

    existing_database(settings)
    store = await Store.open(settings.storage.database)
    try:
        listed = await actions.list_actions(store)
        if args.verb == "export":
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(write_plan(listed))
            print(f"wrote {len(listed)} actions to {args.out}")
            audit_export(settings, f"actions export out={args.out}")
            return 0
        try:
            data = args.file.read_bytes()
        except OSError as error:
            print(f"scorecard-bot: cannot read {args.file}: {error.strerror}", file=sys.stderr)
            return 1
        current = await rounds.current_round(store)
        today = datetime.now(settings.zone).date()
        survey = load_survey(settings.survey.file)
        try:
            plan = read_plan(data, survey, today, current.id if current else "",
                             {a.id: a for a in listed})  # fmt: skip
        except PlanFileError as error:
            print(f"scorecard-bot: {args.file}: {error}", file=sys.stderr)
            return 1
        for problem in plan.problems:
            print(f"{args.file}: {problem}", file=sys.stderr)
        if plan.problems:
            print(f"nothing imported: {len(plan.problems)} problems", file=sys.stderr)
            return 1
        summary = f"{len(plan.new)} new actions, {len(plan.changes)} status changes"
        if args.dry_run:
            print(f"dry run: would import {summary}")
            return 0
        await actions.apply_plan(store, CLI_ACTOR, plan.new, plan.changes)
        print(f"imported {summary}")
        return 0
    finally:
        await store.close()


@command("actions", "export or import the action plan (XLSX)", _arguments)
def actions_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))
