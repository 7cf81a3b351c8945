"""Bot API method registry: handlers are looked up case-insensitively, like Telegram does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..params import Params

if TYPE_CHECKING:
    from ..state import BotState
    from ..webhook import WebhookDelivery


@dataclass
class ApiContext:
    state: BotState
    webhook: WebhookDelivery


@dataclass
class Described:
    """A successful result that Telegram accompanies with a ``description``."""

    result: Any
    description: str


Handler = Callable[[ApiContext, Params], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def api_method(*names: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = handler
        return handler

    return register


def lookup(method: str) -> Handler | None:
    return METHODS.get(method.lower())
