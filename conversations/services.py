"""What the respondent's dialogue needs from the outside, assembled once by ``bot``."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from storage.responses import Response
from storage.store import Store
from survey.model import Survey

# Bump when the consent text changes meaning; each decision stores the version.
CONSENT_VERSION = "2026-11-1"


@dataclass(slots=True)
class Services:
    store: Store
    survey: Survey
    default_language: str = "vi"
    consent_version: str = CONSENT_VERSION
    # Times shown to people are in the survey's time zone, never UTC.
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))
    # For deep links (a child's link for their guardian); asked from Telegram at start.
    bot_username: str | None = None
    guardian_link_days: int = 7
    # Earlier versions of the survey by content hash (storage.versions): a
    # response finishes on the version it began on.
    versions: dict[str, Survey] = field(default_factory=dict)

    def on(self, response: Response | None) -> Services:
        """These services with the survey ``response`` began on, when that
        version is known; otherwise (a new person, or a version from before
        versions were kept) the current survey."""
        if response is None or response.survey_hash == self.survey.content_hash:
            return self
        survey = self.versions.get(response.survey_hash)
        if survey is None or survey.id != self.survey.id:
            return self
        return replace(self, survey=survey)

    def local_date(self, stored: str, language: str) -> str:
        """A stored UTC timestamp as a plain local date a child can read: "9 December",
        "9 tháng 12"."""
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(self.zone)
        return format_date(moment.date(), "d MMMM", locale=language)

    def end_of_local_day(self, days: int) -> str:
        """The last second of the local day ``days`` from today, as a stored UTC
        timestamp: a link that "works until 9 December" works all that day."""
        today = datetime.now(self.zone).date() + timedelta(days=days)
        end = datetime.combine(today, time(23, 59, 59), self.zone).astimezone(UTC)
        return end.strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def local_time(self, stored: str) -> str:
        """A stored UTC timestamp (ISO 8601) as "2026-11-25 15:15 (+07)"."""
        moment = datetime.fromisoformat(stored.replace("Z", "+00:00")).astimezone(self.zone)
        offset = moment.strftime("%z")
        return (
            moment.strftime("%Y-%m-%d %H:%M")
            + f" (UTC{offset[:3]}{':' + offset[3:] if offset[3:] != '00' else ''})"
        )
