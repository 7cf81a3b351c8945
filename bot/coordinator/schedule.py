"""Digest schedules: ``daily 08:00`` (or just ``08:00``), ``mon 08:00``, or ``off``.

Times are wall-clock times in the configured time zone. Every function takes
"now" as an argument, so the scheduling logic is tested without waiting.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PATTERN = re.compile(r"^(?:(daily|mon|tue|wed|thu|fri|sat|sun)\s+)?([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """Not a schedule."""


@dataclass(frozen=True, slots=True)
class Schedule:
    weekday: int | None  # 0 Monday .. 6 Sunday; None: every day
    at: time

    @property
    def period(self) -> timedelta:
        return timedelta(days=1 if self.weekday is None else 7)

    def text(self) -> str:
        day = "daily" if self.weekday is None else WEEKDAYS[self.weekday]
        return f"{day} {self.at:%H:%M}"

    def last_due(self, now: datetime, zone: tzinfo) -> datetime:
        """The latest scheduled moment at or before ``now`` (aware, in ``zone``)."""
        local = now.astimezone(zone)
        due = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if self.weekday is not None:
            due -= timedelta(days=(local.weekday() - self.weekday) % 7)
        if due > local:
            due -= self.period
        return due

    def next_due(self, now: datetime, zone: tzinfo) -> datetime:
        return self.last_due(now, zone) + self.period

    def window(self, due: datetime) -> tuple[datetime, datetime]:
        """What a digest sent at ``due`` covers: the period just ended."""
        return due - self.period, due


def parse_schedule(text: str) -> Schedule | None:
    """A schedule, or None for ``off`` (digests on demand only)."""
    cleaned = " ".join(text.lower().split())
    if cleaned == "off":
        return None
    match = PATTERN.match(cleaned)
    if match is None:
        raise ScheduleError(f"not a schedule: {text!r} (use 'daily 08:00', 'mon 08:00' or 'off')")
    day, hour, minute = match.groups()
    weekday = None if day in (None, "daily") else WEEKDAYS.index(day)
    return Schedule(weekday, time(int(hour), int(minute)))
