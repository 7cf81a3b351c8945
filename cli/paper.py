"""``scorecard-bot paper template|import``: paper forms for people without the app."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, Settings
from cli.common import command
from survey.model import LANGUAGES, load_survey


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="paper_command", required=True)
    template = verbs.add_parser("template", help="write a printable, fill-in XLSX form")
    template.add_argument("--language", choices=LANGUAGES, default=None, help="vi (default) or en")
    template.add_argument("--rows", type=int, default=30, help="form rows (default 30)")
    template.add_argument("--out", type=Path, required=True, help="the XLSX file to write")
    imported = verbs.add_parser("import", help="import filled-in forms as paper respondents")
    imported.add_argument("file", type=Path, help="the filled-in XLSX file")
    imported.add_argument("--dry-run", action="store_true", help="check and report, write nothing")


@command("paper", "paper forms: 'template' writes one, 'import' reads filled-in ones", _arguments)
def paper(settings: Settings, args: argparse.Namespace) -> int:
    survey = load_survey(settings.survey.file)
    if args.paper_command == "template":
        from survey.paper.template import write_template

        if not 1 <= args.rows <= 1000:
            raise ConfigError("--rows: must be between 1 and 1000")
        language = args.language or settings.default_language
        rows = write_template(survey, language, args.rows, args.out)
        print(f"wrote a paper form with {rows} rows ({language}) to {args.out}", file=sys.stderr)
        return 0
    return asyncio.run(_import(settings, survey, args.file, args.dry_run))


async def _import(settings: Settings, survey, path: Path, dry_run: bool) -> int:  # type: ignore[no-untyped-def]
    from storage import paper
    from storage.store import Store
    from survey.paper.importer import PaperFileError, paper_consent_version, read_forms

    try:
        checked = read_forms(path, survey, settings.default_language)
    except PaperFileError as error:
        print(f"scorecard-bot: {error}", file=sys.stderr)
        return 1
    if checked.errors:
        print(
            f"{path}: {len(checked.errors)} errors, nothing imported:",
            *checked.errors,
            sep="\n",
            file=sys.stderr,
        )
        return 1
    database = settings.storage.database
    ids = [form.form_id for form in checked.forms]
    if dry_run:
        # A dry run never creates the database: without one, nothing was imported before.
        already: set[str] = set()
        if database.exists():
            store = await Store.open(database)
            try:
                already = await paper.imported_form_ids(store, ids)
            finally:
                await store.close()
        print(
            f"{path}: {len(ids)} filled forms are valid; {len(ids) - len(already)} would be"
            f" imported, {len(already)} were imported before (dry run, nothing written)"
        )
        _list_already(sorted(already))
        return 0
    store = await Store.open(database)
    try:
        result = await paper.import_forms(
            store,
            checked.forms,
            survey_id=survey.id,
            survey_version=survey.version,
            survey_hash=survey.content_hash,
            language=checked.language,
            consent_version=paper_consent_version(),
        )
    finally:
        await store.close()
    print(
        f"{path}: imported {len(result.imported)} paper forms;"
        f" {len(result.already)} were imported before and skipped"
    )
    _list_already(result.already)
    return 0


def _list_already(form_ids: list[str]) -> None:
    if form_ids:
        print("already imported: " + ", ".join(form_ids))
