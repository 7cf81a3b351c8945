"""What the respondent's dialogue needs from the outside, assembled once by ``bot``."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.survey import Survey
from storage.store import Store

# Bump when the consent text changes meaning; each decision stores the version.
CONSENT_VERSION = "2026-11-1"


@dataclass(slots=True)
class Services:
    store: Store
    survey: Survey
    default_language: str = "vi"
    consent_version: str = CONSENT_VERSION
