"""A faithful local Telegram Bot API server for development and tests.

Start it with ``python -m localbotapi`` or programmatically::

    async with LocalBotApiServer() as server:
        bot = telegram.Bot(token, base_url=server.base_url, base_file_url=server.base_file_url)
        control = ControlClient(server.control_url)
"""

from .client import ChatMessage, ControlClient, SimulatedUser
from .server import LocalBotApiServer, build_app

__all__ = ["ChatMessage", "ControlClient", "LocalBotApiServer", "SimulatedUser", "build_app"]
