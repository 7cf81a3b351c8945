"""Dates as each language writes them: 25/11/2026 in Vietnamese, 25 Nov 2026 in English."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date

PATTERNS = {"vi": "dd/MM/y", "en": "d MMM y"}


def format_day(day: date, language: str) -> str:
    return format_date(day, format=PATTERNS.get(language, PATTERNS["vi"]), locale=language)


def format_moment(moment: datetime, language: str) -> str:
    """The day and the 24-hour time, in the moment's own zone: 25/11/2026 08:00."""
    return f"{format_day(moment.date(), language)} {moment:%H:%M}"
