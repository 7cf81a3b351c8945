"""CLI: ``scorecard-bot meeting pack``: the interface meeting's printable pack."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.coordinator.delivery import official_overrides
from cli.common import audit_export, command, existing_database
from locales.i18n import translator
from reporting.digest.scope import ScopeError, parse_scope, scope_label
from survey.model import load_survey


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True)
    pack = verbs.add_parser("pack", help="write the meeting pack (PDF and XLSX) to a folder")
    pack.add_argument("--scope", default="all", help="all (default) or e.g. region=north")
    pack.add_argument("--out", type=Path, required=True, help="folder for the files")
    pack.add_argument("--language", choices=["vi", "en"], default=None)


@command("meeting", "the interface meeting: write its pack (PDF and XLSX)", _arguments)
def meeting_command(settings: Settings, args: argparse.Namespace) -> int:
    from reporting.meeting.build import build_pack
    from storage import actions, analytics

    survey = load_survey(settings.survey.file)
    database = existing_database(settings)
    try:
        scope = parse_scope(args.scope, survey)
    except ScopeError as error:
        raise ConfigError(f"--scope: {error}") from None
    language = args.language or settings.default_language
    with analytics.snapshot(database) as db:
        listed = [a for a in actions.actions_of(db) if _within(a.scope, scope)]
    label = scope_label(survey, scope, language, translator(language)("everything"))
    pack = build_pack(
        database, survey, scope, language, settings.disclosure.k, label, listed,
        official_overrides(settings),
    )  # fmt: skip
    for path in pack.write(args.out):
        print(path)
    audit_export(settings, f"meeting pack scope={args.scope} out={args.out}")
    if pack.content.refusal is not None:
        print(f"meeting pack: refused ({pack.content.refusal}): no numbers in it", file=sys.stderr)
        return 1
    return 0


def _within(action_scope: str, scope: dict[str, str]) -> bool:
    from reporting.digest.scope import scope_from_json

    theirs = scope_from_json(action_scope)
    return all(theirs.get(d) == c for d, c in scope.items())
