"""The features that ship, in one list.

Each feature module offers ``register(application, settings)`` to add its
handlers and jobs, and may add CLI sub-commands with ``bot.cli.command``
when imported. Respondent handlers come first and fallbacks last (see
``bot.app.build_application``).
"""

from __future__ import annotations

from collections.abc import Callable

from telegram.ext import Application

from bot.backups import register as register_backups
from bot.config import Settings
from bot.digest.feature import register as register_digest
from bot.facilitation import register as register_facilitation
from bot.guardian import register as register_guardian
from bot.outreach import register as register_outreach
from bot.paper.cli import paper as _paper  # noqa: F401  (the CLI command)
from bot.playground import playground as _playground  # noqa: F401  (the CLI command)
from bot.privacy import register as register_privacy
from bot.round_cli import round_command as _round  # noqa: F401  (the CLI command)
from bot.survey_cli import survey as _survey  # noqa: F401  (the CLI command)

FEATURES: list[Callable[[Application, Settings], None]] = [  # type: ignore[type-arg]
    register_outreach,
    register_digest,
    register_backups,
    register_facilitation,
    register_guardian,
    register_privacy,
]
