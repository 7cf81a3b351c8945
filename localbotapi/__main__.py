"""``python -m localbotapi --port 8081 [--token TOKEN]``: run the local Bot API server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import LocalBotApiServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m localbotapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port, 0 for any free port")
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--bot-username", default="local_test_bot")
    parser.add_argument("--bot-name", default="Local Test Bot")
    parser.add_argument("--callback-ttl", type=float, default=15.0, help="callback query expiry, s")
    parser.add_argument("--verbose", action="store_true")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    server = LocalBotApiServer(
        port=args.port,
        host=args.host,
        token=args.token,
        bot_username=args.bot_username,
        bot_name=args.bot_name,
        callback_query_ttl=args.callback_ttl,
    )
    async with server:
        print(f"Bot API base_url:      {server.base_url}", flush=True)
        print(f"Bot API base_file_url: {server.base_file_url}", flush=True)
        print(f"Control API:           {server.control_url}", flush=True)
        print(f"Playground:            {server.playground_url}", flush=True)
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
