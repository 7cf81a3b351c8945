"""Children: who needs a guardian's consent, the one-time link, and what is shown.

Vietnam's personal data law asks a parent's or guardian's consent for the
data of a child under 16. A respondent is a child when a stored profile
answer says so (``MINOR_ANSWERS``); from then on nothing more is stored until
a guardian has agreed, by their own Telegram through a one-time link, or on
paper, attested by staff. Nothing here talks to Telegram.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from html import escape

from conversations.callbacks import choice_data, guardian_data
from conversations.keyboard import Button, layout
from conversations.screens import Screen, estimated_minutes, helpline
from locales.i18n import translator
from storage.responses import Answers
from survey.model import Survey

# Bump when the guardians' consent text (or the paper form) changes meaning.
GUARDIAN_CONSENT_VERSION = "2026-12-g2"  # g2: states the duration and the topics

# (profile question, choice) answers that make a respondent a child. A
# multiple-choice answer ("all that apply") counts when the choice is among them.
MINOR_ANSWERS = frozenset({("age_band", "under_16"), ("group", "children")})

RELATIONS = ("parent", "guardian")

# The deep-link parameter: "g" and a token_urlsafe(16) (22 characters). Invitation
# codes are 22 characters, so the two can never be confused.
START_PARAMETER = re.compile(r"^g([A-Za-z0-9_-]{22})$")
# Guardian buttons (gc1|<a: yes, parent | b: yes, guardian | n: no>|<token>) are
# built and checked in conversations.callbacks.


def is_minor(answers: Answers) -> bool:
    for question_id, choice in MINOR_ANSWERS:
        stored = answers.profile.get(question_id)
        if stored is not None and choice in stored.split(" "):
            return True
    return False


def says_under_16(answers: Answers) -> bool:
    """The age the child gave is under 16 (a 16-17-year-old who ticked "children" is not)."""
    return answers.profile.get("age_band") == "under_16"


def new_token() -> str:
    return secrets.token_urlsafe(16)


def token_hash(token: str) -> str:
    """Only this is stored: the token has 128 random bits, so a plain hash cannot
    be reversed, and a stolen database holds no working link."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def deep_link(bot_username: str | None, token: str) -> str:
    return f"https://t.me/{bot_username or 'bot'}?start=g{token}"


def link_message(language: str, link: str, survey: Survey) -> str:
    """The message the child forwards: addressed to the adult, with the link."""
    _ = translator(language)
    low, high = estimated_minutes(survey)
    return (
        _(
            "Hello! Your child would like to answer a survey about life in your community"
            " (about {low}–{high} minutes). Please open this link in your own Telegram to read"
            " about it and say yes or no:"
        ).format(low=low, high=high)
        + f"\n{link}"
    )


def wait_screen(language: str, expires: str, pseudonym: str, under_16: bool = True) -> Screen:
    """What a child sees while waiting: short sentences a 10-year-old can follow.
    ``expires`` is a plain date ("9 December"); ``under_16`` says which reason to give
    (a 16- or 17-year-old who ticked "children" is not told they are under 16)."""
    _ = translator(language)
    why = (
        _("You are under 16, so a parent or guardian must say yes before you answer.")
        if under_16
        else _(
            "You told us you are a child, so a parent or guardian must say yes before you answer."
        )
    )
    text = "\n\n".join(
        [
            "<b>" + escape(_("First, ask a parent")) + "</b>",
            escape(why),
            escape(
                _(
                    "1. Forward the message above to your mum, your dad or the adult who looks"
                    " after you.\n2. They open the link in their own Telegram and say yes or no."
                    "\n3. We tell you here. Then you can start."
                )
            ),
            escape(_("The link works once, until {date}.").format(date=expires)),
            escape(
                _(
                    "Did your parent sign a paper form? Show this code to the person who gave"
                    " you the form: {code}"
                ).format(code=pseudonym)
            ),
            escape(_("You can also say no. It is your choice.")),
            "📞 " + escape(helpline(language)),
        ]
    )
    keyboard = layout(
        [
            [Button(_("🔗 Send a new link"), callback_data=choice_data("K", "l"))],
            [Button(_("🙅 I don't want to take part"), callback_data=choice_data("K", "n"))],
        ]
    )
    return Screen(text, keyboard)


def guardian_said_yes_screen(language: str, survey: Survey) -> Screen:
    """The child's own consent, in plain words: the guardian's yes never takes away
    the child's own choice."""
    _ = translator(language)
    low, high = estimated_minutes(survey)
    text = "\n\n".join(
        [
            "<b>" + escape(_("Your parent or guardian said yes!")) + "</b>",
            escape(
                _(
                    "Now it is your turn to choose. You will read short sentences about the"
                    " place where you live and tap a number from 1 to 5. It takes about"
                    " {low}–{high} minutes."
                ).format(low=low, high=high)
            ),
            escape(
                _(
                    "Some sentences are about hitting, abuse and other hard things. You can"
                    " skip any of them. You can stop at any time, and /delete removes all your"
                    " answers."
                )
            ),
            "📞 " + escape(helpline(language)),
            "<b>" + escape(_("Do you want to take part?")) + "</b>",
        ]
    )
    keyboard = layout(
        [
            [Button(_("▶️ Yes, start"), callback_data=choice_data("K", "y"))],
            [Button(_("🙅 I don't want to take part"), callback_data=choice_data("K", "n"))],
        ]
    )
    return Screen(text, keyboard)


def guardian_said_no(language: str) -> str:
    _ = translator(language)
    return _(
        "Your parent or guardian said no, so you cannot take part this time. That is OK."
        " Thank you for wanting to help! Nothing you answered has been kept."
    )


def child_declined(language: str) -> str:
    _ = translator(language)
    return _(
        "OK, you are not taking part. Nothing you answered has been kept. If you change"
        " your mind, send /start."
    )


def refused(language: str) -> str:
    _ = translator(language)
    return _(
        "Please wait for your parent or guardian to say yes. Until then, no answer can be saved."
    )


def guardian_screen(language: str, survey: Survey, token: str) -> Screen:
    """The consent text for the guardian: what, how long, the sensitive topics, what
    is stored, the child's rights."""
    _ = translator(language)
    low, high = estimated_minutes(survey)
    text = "\n\n".join(
        [
            "<b>" + escape(_("Consent for your child")) + "</b>",
            escape(
                _(
                    'Your child wants to answer the community survey "{title}": short statements'
                    " about life where you live, each rated from 1 to 5. It takes about"
                    " {low}–{high} minutes. It is run by civil-society organisations."
                ).format(title=survey.title(language), low=low, high=high)
            ),
            escape(
                _(
                    "Some statements touch on sensitive matters: {topics}. Your child can skip"
                    " any of them, and sees the child protection helpline 111 beside them."
                ).format(topics=_topics(survey, language))
            ),
            escape(
                _(
                    "What is stored: your child's answers, a few facts about them (group,"
                    " region, area, age band, gender), your relation to the child and the date"
                    " of your answer. Not stored: your name, your child's name, or your"
                    " Telegram account. Reports only show groups of people, never one person."
                )
            ),
            escape(
                _(
                    "Your child can stop at any time, and can delete all their answers by"
                    " sending /delete. Your child can also say no, even if you say yes."
                )
            ),
            "<b>" + escape(_("Do you agree that your child takes part?")) + "</b>",
        ]
    )
    keyboard = layout(
        [
            [Button(_("✅ Yes, I am the parent"), callback_data=guardian_data("a", token))],
            [Button(_("✅ Yes, I am the legal guardian"), callback_data=guardian_data("b", token))],
            [Button(_("❌ No"), callback_data=guardian_data("n", token))],
        ]
    )
    return Screen(text, keyboard)


def _topics(survey: Survey, language: str) -> str:
    """The sensitive topics a child sees, as the survey file words them."""
    _ = translator(language)
    if survey.sensitive_topics is not None:
        return survey.sensitive_topics(language)
    return _("violence and abuse")


def guardian_thanks(language: str, agreed: bool) -> str:
    _ = translator(language)
    if agreed:
        return _("Thank you. Your child can now take part, and we have told them.")
    return _(
        "Thank you. Your child will not take part, and what they answered so far has been"
        " deleted. We have told them."
    )


def link_not_usable(language: str) -> str:
    _ = translator(language)
    return _(
        "This link does not work any more: it was already used, it has expired, or it is"
        ' wrong. Ask the child to tap "Send a new link" and forward the new one.'
    )


def link_is_for_guardian(language: str) -> str:
    _ = translator(language)
    return _(
        "This link is for your parent or guardian: please forward it to them. You cannot say"
        " yes for yourself."
    )
