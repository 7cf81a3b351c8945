"""``scorecard-bot publish --out DIR``: the static results site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, reference_from_settings
from bot.coordinator.delivery import official_overrides
from cli.common import audit_export, command, existing_database
from survey.model import load_survey


def _publish_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder to write the site into")


@command(
    "publish",
    "write the static, bilingual results site (index.html, a page per goal, downloads)",
    _publish_arguments,
)
def publish(settings: Settings, args: argparse.Namespace) -> int:
    from reporting.site.build import PAGE_BUDGET, build_site

    if str(args.out) == "-":
        raise ConfigError("--out: publish writes a folder, not standard output")
    survey = load_survey(settings.survey.file)
    built = build_site(
        existing_database(settings),
        survey,
        args.out,
        settings.zone,
        settings.disclosure.k,
        official_overrides(settings),
        reference_from_settings(settings.digest),
        settings.publish.designed_by,
    )
    audit_export(settings, f"publish out={args.out}")
    heaviest, size = built.heaviest
    print(
        f"wrote {len(built.pages)} pages and {len(built.downloads)} downloads to {args.out}"
        f" in {built.seconds:.1f} s; heaviest page {heaviest.name} {size / 1000:.0f} kB"
        f" (budget {PAGE_BUDGET / 1000:.0f} kB)",
        file=sys.stderr,
    )
    if built.analysis.refusal is not None:
        print(f"publish: too few people ({built.analysis.refusal}): no numbers", file=sys.stderr)
    return 0


COMMANDS = (publish,)
