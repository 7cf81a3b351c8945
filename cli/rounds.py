"""``scorecard-bot round open|close|list``: the scorecard as a cycle (issue 12).

A round takes the configured survey's years and version when it opens. While
the bot runs, a round opened or closed here counts from the next tap: the
current round is read from the database on every update.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys

from bot.config import Settings
from cli.common import command
from survey.model import load_survey


def _arguments(parser: argparse.ArgumentParser) -> None:
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="open|close|list")
    opening = verbs.add_parser(
        "open", help="open a round with the configured survey's years and version"
    )
    opening.add_argument("id", help="the round's id, e.g. 2027")
    opening.add_argument("--title", required=True, help="the round's title")
    opening.add_argument("--closes", help="the planned closing date, YYYY-MM-DD")
    closing = verbs.add_parser("close", help="close the open round")
    closing.add_argument("id", help="the round's id")
    verbs.add_parser("list", help="every round, oldest first")


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from storage import rounds
    from storage.store import Store

    store = await Store.open(settings.storage.database)
    try:
        if args.verb == "list":
            listed = await rounds.list_rounds(store)
            counts = await rounds.submitted_counts(store)
            for r in listed:
                state = "open" if r.is_open else f"closed {r.closed_at[:10]}"  # type: ignore[index]
                planned = f", closes {r.closes_on}" if r.closes_on else ""
                print(
                    f"{r.id}\t{r.title}\t{r.now_year}/{r.forecast_year}\t{state}{planned}"
                    f"\tsurvey {r.survey_hash[:12]}\t{counts.get(r.id, 0)} submitted"
                )
            if not listed:
                print("no rounds yet")
            return 0
        if args.verb == "close":
            closed = await rounds.close_round(store, args.id)
            print(f"closed round {closed.id}")
            return 0
        if args.closes and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.closes):
            print("scorecard-bot: --closes takes a date, YYYY-MM-DD", file=sys.stderr)
            return 2
        survey = load_survey(settings.survey.file)
        years = (survey.years["now"], survey.years["forecast"])
        opened = await rounds.open_round(
            store, args.id, args.title, years, survey.content_hash, args.closes
        )
        print(
            f"opened round {opened.id} ({opened.now_year}, forecast {opened.forecast_year},"
            f" survey {survey.version})"
        )
        return 0
    except rounds.RoundError as error:
        print(f"scorecard-bot: {error}", file=sys.stderr)
        return 1
    finally:
        await store.close()


@command("round", "open, close or list the scoring rounds", _arguments)
def round_command(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_run(settings, args))
