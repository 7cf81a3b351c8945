"""The one place that assembles the bot; the CLI and the tests both use it."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

from bot import routes
from bot.config import Settings
from bot.context import CONTEXT_TYPES
from bot.facilitator import commands as facilitator
from bot.polling import SkipUnparseableUpdates
from bot.updates import PerUserUpdateProcessor
from conversations.services import Services
from locales.i18n import N_, translator
from storage import rounds, versions
from storage.store import Store
from survey.model import (
    Survey,
    SurveyFileError,
    load_survey,
    survey_source,
    survey_versions_from,
)

log = logging.getLogger(__name__)

COMMANDS = {
    "resume": N_("continue where you stopped"),
    "language": N_("change the language"),
    "results": N_("see how people like you rated each goal"),
    "mydata": N_("see what is stored about you"),
    "delete": N_("delete all your data"),
    "stop": N_("no more reminders or announcements"),
    "help": N_("this help"),
}


class ScorecardApplication(Application):  # type: ignore[type-arg]
    """Opens the database on ``initialize`` and closes it on ``shutdown``.

    Unlike ``post_init``, this also runs under ``async with application``,
    which is how the tests drive it.
    """

    async def initialize(self) -> None:
        # The Bot API first (getMe checks the token): a wrong token or no network
        # must not leave a new, migrated database behind.
        await super().initialize()
        if self.bot_data.open_services is None:
            settings: Settings = self.bot_data.settings
            store = await Store.open(settings.storage.database)
            self.bot_data.open_services = Services(
                store=store,
                survey=self.bot_data.survey,
                default_language=settings.default_language,
                zone=settings.zone,
                bot_username=self.bot.username,
                guardian_link_days=settings.privacy.guardian_link_days,
            )
            await remember_survey(
                self.bot_data.services,
                self.bot_data.survey_text,
                default_round=self.bot_data.cluster is None,  # serve's parent opens it
            )
            # Config facilitators into the database, before the first update.
            await facilitator.sync_config(self)

    async def shutdown(self) -> None:
        await super().shutdown()
        services, self.bot_data.open_services = self.bot_data.open_services, None
        if services is not None:
            await services.store.close()


def freeze_start_up_objects() -> None:
    """Move what start-up loaded (modules, the survey, pandas) out of the collector's sight.

    Each answer allocates thousands of short-lived python-telegram-bot objects,
    so the collector's full pass comes round every thousand answers or so;
    with ~190,000 start-up objects to walk it stalled every respondent for
    0.26-0.34 s on the 2-core machine (benchmarks/answers.py, issue 19).
    Frozen, they are never walked again; what is allocated later still is.
    Called once a process has started up (``run``'s post_init, each ``serve``
    worker's start), never per Application: tests build hundreds.
    """
    gc.collect()
    gc.freeze()


async def remember_survey(
    services: Services, text: str | None, *, default_round: bool = True
) -> None:
    """Keep the running survey file (issue 12, versions) and load the earlier
    versions responses began on; a database from before rounds gets its
    default round, named after the survey's now year (``default_round``: not
    in a webhook worker, see :func:`open_default_round`)."""
    survey, store = services.survey, services.store
    if text is not None:
        await versions.record_version(store, survey.id, survey.version, survey.content_hash, text)
    stored = await versions.survey_versions(store, survey.id)
    services.versions = survey_versions_from(
        {v.hash: v.text for v in stored if v.hash != survey.content_hash}
    )
    if default_round:
        await open_default_round(store, survey)


async def open_default_round(store: Store, survey: Survey) -> None:
    """The default round of a database that has responses and no round yet.

    It takes in every response begun without a round. Only while no update is
    being handled: ``run`` before it polls, ``serve`` before it starts its
    workers. A worker restarted while the others serve must not: the move of
    every response in the middle of people's answers deadlocks with them on
    PostgreSQL (seen in tests/e2e/test_webhook_workers.py)."""
    years = (survey.years["now"], survey.years["forecast"])
    await rounds.ensure_round(store, str(years[0]), years, survey.content_hash)


def build_application(
    settings: Settings,
    survey: Survey | None = None,
    *,
    request: BaseRequest | None = None,
    updates_request: BaseRequest | None = None,
    rate_limiter: bool = True,
    webhook: bool = False,
) -> Application:  # type: ignore[type-arg]
    """Build the bot; ``request`` lets tests answer Telegram's API offline.

    ``webhook``: for ``serve``, no updater (updates arrive over HTTP, see
    ``bot/webhook``) and a job queue that runs jobs on the leader worker only.
    """
    survey = survey or load_survey(settings.survey.file)
    builder = (
        ApplicationBuilder()
        .token(settings.require_token())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .concurrent_updates(PerUserUpdateProcessor())
        .application_class(ScorecardApplication)
        .context_types(CONTEXT_TYPES)
        .post_init(_after_start_up)
    )
    if rate_limiter:
        # Waits out 429 retry_after (up to five times). The overall 30/s cap is
        # off: it would queue the edit that answers each person's own tap behind
        # everyone else's (p99 of seconds at 200 people); bulk sends, where
        # Telegram's 30 messages/s limit applies, are paced by outreach itself.
        builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=5))
    if request is not None:
        builder = builder.request(request)
    if webhook:
        from bot.webhook.jobs import LeaderJobQueue

        builder = builder.updater(None).job_queue(LeaderJobQueue())
    else:
        # One update the library cannot parse must not stop polling for everyone.
        builder = builder.get_updates_request(
            SkipUnparseableUpdates(
                updates_request or request or HTTPXRequest(connection_pool_size=1)
            )
        )
    application = builder.build()
    application.bot_data.start(settings, survey)
    with contextlib.suppress(SurveyFileError, UnicodeDecodeError):
        # The file's text, kept as a version at start-up, when it is the survey run.
        source = survey_source(settings.survey.file)
        if hashlib.sha256(source).hexdigest() == survey.content_hash:
            application.bot_data.survey_text = source.decode("utf-8")
    routes.register(application, settings)
    return application


async def _after_start_up(application: Application) -> None:  # type: ignore[type-arg]
    """``run``'s post_init (not under ``async with``, so not in the tests)."""
    await _set_commands(application)
    freeze_start_up_objects()


async def _set_commands(application: Application) -> None:  # type: ignore[type-arg]
    for language in ("vi", "en"):
        _ = translator(language)
        commands = [BotCommand(name, _(text)) for name, text in COMMANDS.items()]
        try:
            await application.bot.set_my_commands(commands, language_code=language)
        except Exception:  # a menu is a nicety; never a reason not to start
            log.warning("could not set the command menu for %s", language)
