"""The respondent's consent: one phone screen, and "more" for the whole text.

The short screen says what a person needs to decide (what they will do, how
long it takes, who sees the answers, that they can skip, stop and delete);
"More" shows every paragraph, with the same two answers. A facilitator reads
the whole text aloud (conversations.interviews).
"""

from __future__ import annotations

from html import escape

from conversations.callbacks import choice_data
from conversations.keyboard import layout
from conversations.screens import Screen, button, estimated_minutes
from locales.i18n import translator
from storage import users
from storage.store import Store
from storage.users import User
from survey.model import Survey


async def consent_for(
    store: Store, user: User, language: str, survey: Survey, more: bool = False
) -> Screen:
    """The consent screen for this person: a service provider's own text when they came
    through a provider invitation (issue 20), else everyone's."""
    code = user.invitation_code
    invitation = await users.get_invitation(store, code) if code else None
    if invitation is not None and invitation.role == "provider":
        return consent_screen(
            language, survey, more, invitation.organisation or invitation.label,
            items=len(invitation.only) or None,
        )  # fmt: skip
    return consent_screen(language, survey, more)


def consent_screen(
    language: str,
    survey: Survey,
    more: bool = False,
    provider: str | None = None,
    items: int | None = None,
) -> Screen:
    _ = translator(language)
    low, high = estimated_minutes(survey, items)
    forecast = survey.kind("forecast")
    if provider is not None:
        return _provider_screen(language, survey, provider, low, high)
    short = [
        f"<b>{escape(survey.title(language))}</b>",
        escape(
            _(
                "You will read short statements about where you live and say how true each is,"
                " now and what you expect by {forecast}. It takes about {low}–{high} minutes."
            ).format(forecast=forecast.year, low=low, high=high)
        ),
        escape(
            _(
                "Your answers are anonymous: no report shows your name or your Telegram account."
                " You can skip any question, stop at any time, and delete everything with /delete."
            )
        ),
    ]
    parts = _full_text(language, survey) if more else short
    rows = [
        [button(_("I agree"), choice_data("C", "y"))],
        [button(_("No, thank you"), choice_data("C", "n"))],
    ]
    if not more:
        rows.append([button(_("ℹ️ More about this survey"), choice_data("C", "m"))])
    text = "\n\n".join([*parts, "<b>" + escape(_("Do you agree to take part?")) + "</b>"])
    return Screen(text, layout(rows))


def _provider_screen(
    language: str, survey: Survey, organisation: str, low: int, high: int
) -> Screen:
    """Service providers rate the same statements about the place they serve; their
    answers are kept apart from the community's and shown beside them."""
    _ = translator(language)
    parts = [
        f"<b>{escape(survey.title(language))}</b>",
        escape(
            _(
                "You are invited as a service provider ({organisation}). You will read the same"
                " statements the community rates about the place you serve and say how true each"
                " is. It takes about {low}–{high} minutes."
            ).format(organisation=organisation, low=low, high=high)
        ),
        escape(
            _(
                "Providers' answers are kept apart from the community's: never in their scores,"
                " shown beside them at the interface meeting only when at least 5 providers"
                " answered. No report shows your name or your Telegram account. You can skip any"
                " question, stop at any time, and delete everything with /delete."
            )
        ),
        "<b>" + escape(_("Do you agree to take part?")) + "</b>",
    ]
    rows = [
        [button(_("I agree"), choice_data("C", "y"))],
        [button(_("No, thank you"), choice_data("C", "n"))],
    ]
    return Screen("\n\n".join(parts), layout(rows))


def _full_text(language: str, survey: Survey) -> list[str]:
    """Every paragraph of the consent: what, who sees it, sensitive matters, rights."""
    _ = translator(language)
    now, forecast = survey.kind("now"), survey.kind("forecast")
    return [
        f"<b>{escape(survey.title(language))}</b>",
        escape(
            _(
                "You will read short statements about life where you live, for {goals} of the"
                " Sustainable Development Goals, and say how true each is: now ({now}) and what"
                ' you expect by {forecast}, from 1 ({lowest}) to 5 ({highest}), or "{dont_know}".'
                " Your answers help civil-society organisations speak for communities like"
                " yours."
            ).format(
                goals=len(survey.sections),
                now=now.year,
                forecast=forecast.year,
                lowest=survey.scale.points[0].label(language),
                highest=survey.scale.points[-1].label(language),
                dont_know=survey.scale.dont_know(language),
            )
        ),
        escape(
            _(
                "Who sees your answers: only the survey coordinators of the organising network."
                " Every report is anonymous: your name, username and Telegram account never"
                " appear in any report or export, and small groups are never shown."
            )
        ),
        escape(
            _(
                "Some questions touch on sensitive matters (for example disability or gender);"
                ' you can always answer "prefer not to say" or skip.'
            )
        ),
        escape(
            _(
                "You can stop at any time and continue later. You can see your data with"
                " /mydata and delete it with /delete whenever you want."
            )
        ),
    ]
