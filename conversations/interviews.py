"""Facilitated interviews: what the facilitator reads aloud and sees.

A facilitator answers the survey on behalf of a person who is with them.
The respondent is an offline user with its own pseudonym; this module only
builds screens and texts (it never talks to Telegram), the handlers route
buttons and typed answers to the interview the facilitator's chat is on.

Callback data (built and checked in ``conversations.callbacks``)::

    i1|c|a   the person agreed aloud (verbal consent)
    i1|c|g   a child: the child and a parent or guardian agreed aloud
    i1|c|n   the person did not agree: nothing is stored
"""

from __future__ import annotations

from html import escape

from conversations.callbacks import consent_data
from conversations.consent import consent_screen
from conversations.keyboard import Button, layout
from conversations.screens import Screen
from locales.i18n import plural_translator, translator
from storage.facilitation import Interview
from survey.model import Survey


def read_aloud_screen(language: str, survey: Survey) -> Screen:
    """The respondent's own consent text, framed for reading aloud, and the
    facilitator's attestation buttons."""
    _ = translator(language)
    body = consent_screen(language, survey, more=True).text
    text = "\n\n".join(
        [
            "<b>" + escape(_("New interview: read this aloud to the person")) + "</b>",
            escape(
                _(
                    "Read the text below to the person in full, in a language they understand,"
                    " and answer their questions. Then tap what they said. For a child, the"
                    " child and a parent or guardian must both agree."
                )
            ),
            "———",
            body,
            "———",
            escape(
                _(
                    "Their answers get their own anonymous id, never your name or account."
                    " Without a phone of their own, they can ask the organisers to see or delete"
                    " their answers by quoting that id."
                )
            ),
        ]
    )
    keyboard = layout(
        [
            [Button(_("The person agreed aloud"), callback_data=consent_data("a"))],
            [
                Button(
                    _("A child: the child and a guardian agreed"), callback_data=consent_data("g")
                )
            ],
            [Button(_("They did not agree"), callback_data=consent_data("n"))],
        ]
    )
    return Screen(text, keyboard)


def banner(language: str, pseudonym: str) -> str:
    """The first line of every interview screen: whose survey this is."""
    _ = translator(language)
    return (
        "🎙 <b>"
        + escape(_("Interview {id}").format(id=pseudonym))
        + "</b> · "
        + escape(_("answering for the person with you"))
    )


def started_notice(language: str, interview: Interview) -> str:
    _ = translator(language)
    return _(
        "Interview {number} started: {id}. Write this id down for the person: with it they can"
        " ask the organisers to see or delete their answers. Read each statement aloud and tap"
        " or type their answer. /interview pause to stop for now."
    ).format(number=interview.number, id=interview.pseudonym)


def submitted_screen(language: str, pseudonym: str) -> Screen:
    _ = translator(language)
    return Screen(
        "<b>"
        + escape(
            _("Interview {id} submitted. Thank the person for their time.").format(id=pseudonym)
        )
        + "</b>\n\n"
        + escape(
            _(
                "Its answers are no longer shown to you. Send /interview to start the next"
                " interview, or /interview list for the ones you paused."
            )
        )
    )


def list_text(language: str, interviews: list[Interview], closed: int, current: int | None) -> str:
    _, ngettext = translator(language), plural_translator(language)
    if not interviews:
        lines = [_("No paused interviews.")]
    else:
        lines = [_("Interviews you can resume:")]
        for interview in interviews:
            line = ngettext(
                "{number}. {id}: 1 rating so far",
                "{number}. {id}: {answered} ratings so far",
                interview.answered,
            ).format(
                number=interview.number, id=interview.pseudonym, answered=interview.answered
            )
            if interview.id == current:
                line += " — " + _("open now")
            lines.append(line)
        lines.append(_("Send /interview resume <number> to continue one."))
    if closed:
        lines.append(
            _("Submitted or ended: {count} (their answers are not shown).").format(count=closed)
        )
    return "\n".join(lines)
