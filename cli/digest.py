"""CLI: ``scorecard-bot digest`` writes a digest to files; Open SDG export helpers."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import ConfigError, Settings, reference_from_settings
from bot.coordinator.delivery import official_overrides
from cli.common import audit_export, command, existing_database
from reporting.digest.build import build_digest
from reporting.digest.opensdg import write_opensdg
from reporting.digest.scope import ScopeError, parse_scope
from survey.model import load_survey


def _digest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scope", default="all", help="all (default) or e.g. region=north,group=youth"
    )
    parser.add_argument(
        "--mode",
        choices=["self", "interview", "paper"],
        default=None,
        help="only responses collected this way (default: all; group sessions are always apart)",
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the files")
    parser.add_argument("--language", choices=["vi", "en"], default=None)
    parser.add_argument(
        "--days", type=int, default=None, help="period in days (default digest.window_days)"
    )


def _scope(settings: Settings, text: str) -> dict[str, str]:
    try:
        return parse_scope(text, load_survey(settings.survey.file))
    except ScopeError as error:
        raise ConfigError(f"--scope: {error}") from None


@command(
    "digest",
    "write a digest (digest.html, goals.png, groups.png, digest.xlsx) to a folder",
    _digest_arguments,
)
def digest(settings: Settings, args: argparse.Namespace) -> int:
    survey = load_survey(settings.survey.file)
    database = existing_database(settings)
    scope = _scope(settings, args.scope)
    end = datetime.now(UTC)
    start = end - timedelta(days=args.days or settings.digest.window_days)
    built = build_digest(
        database,
        survey,
        scope,
        start,
        end,
        args.language or settings.default_language,
        settings.zone,
        settings.disclosure.k,
        official_overrides(settings),
        settings.digest.max_comments,
        reference_from_settings(settings.digest),
        args.mode,
        settings.publish.designed_by,
        settings.publish.url,
    )
    for path in built.write(args.out):
        print(path)
    audit_export(settings, f"digest scope={args.scope} out={args.out}")
    if built.analysis.refusal is not None:
        # The files say the same; the operator sees it without opening them.
        from reporting.digest.text import too_small_note

        note = too_small_note(settings.disclosure.k, "en", built.analysis.refusal)
        print(f"digest: refused ({built.analysis.refusal}): {note}", file=sys.stderr)
        return 1
    return 0


def export_opensdg(settings: Settings, out: Path, scope_text: str = "all") -> int:
    """``scorecard-bot export --format opensdg --out DIR``: one CSV per indicator + a long one."""
    survey = load_survey(settings.survey.file)
    if str(out) == "-":
        raise ConfigError("--out: the opensdg format writes a folder, not standard output")
    paths = write_opensdg(
        existing_database(settings),
        survey,
        _scope(settings, scope_text),
        settings.disclosure.k,
        out,
    )
    print(f"wrote {len(paths)} files to {out}", file=sys.stderr)
    return 0


COMMANDS = (digest,)
