"""Fault injection: make the next N calls of a Bot API method fail in a chosen way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .errors import BLOCKED, ApiError, bad_request, too_many_requests

FaultKind = Literal["retry_after", "forbidden", "bad_request", "server_error", "drop", "delay"]
FAULT_KINDS: tuple[str, ...] = (
    "retry_after",
    "forbidden",
    "bad_request",
    "server_error",
    "drop",
    "delay",
)


@dataclass
class FaultRule:
    """``method`` is a Bot API method name (case-insensitive) or ``*`` for any method."""

    method: str
    kind: FaultKind
    remaining: int = 1
    retry_after: int = 5
    description: str | None = None
    delay: float = 1.0

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method.lower() == method.lower()

    def error(self) -> ApiError | None:
        """The error to answer with; ``None`` for ``drop``/``delay`` handled by the server."""
        if self.kind == "retry_after":
            return too_many_requests(self.retry_after)
        if self.kind == "forbidden":
            return ApiError(403, self.description or BLOCKED)
        if self.kind == "bad_request":
            return bad_request(self.description or "Bad Request: injected failure")
        if self.kind == "server_error":
            return ApiError(500, self.description or "Internal Server Error")
        return None

    def view(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "kind": self.kind,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "description": self.description,
            "delay": self.delay,
        }


class FaultPlan:
    """Ordered list of armed fault rules; the first matching rule is consumed per call."""

    def __init__(self) -> None:
        self.rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> None:
        if rule.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {rule.kind!r}; expected one of {FAULT_KINDS}")
        if rule.remaining < 1:
            raise ValueError("count must be at least 1")
        self.rules.append(rule)

    def take(self, method: str) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self.rules.remove(rule)
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
