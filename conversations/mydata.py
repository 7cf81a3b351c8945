"""/mydata: everything stored about a person, shown to them in the chat."""

from __future__ import annotations

from html import escape

from conversations.services import Services
from locales.i18n import plural_translator, translator
from locales.textlimits import utf16_cut, utf16_len
from storage import guardians, responses, users, voice
from storage.responses import Answers, Rating
from storage.users import User
from survey.model import Section, Survey
from survey.steps import RATING_KINDS, comment_key

CHUNK = 3800  # below Telegram's 4096 UTF-16 units, markup included
PIECE = 1500  # a long answer is shown in pieces of at most this, escaped


async def describe_my_data(services: Services, user: User) -> list[str]:
    """The /mydata messages: who they are, their consents, then their answers part by part."""
    language = user.language or services.default_language
    _ = translator(language)
    survey = services.survey
    lines = _identity(user, language)
    lines += await _consents(services, user, language)
    response = await responses.get_response(services.store, user.id, survey.id)
    if response is None:
        lines.append(escape(_("No answers are stored.")))
        return _chunks(lines)
    answers = await responses.load_answers(services.store, response.id)
    status = _("submitted") if response.submitted_at else _("in progress")
    lines += [
        "",
        escape(
            _("Survey: {survey} ({status})").format(survey=survey.title(language), status=status)
        ),
    ]
    lines += _profile(survey, answers, language)
    for section in survey.sections:
        lines += _section(section, survey, answers, language)
    lines += _closing(survey, answers, language)
    lines += await _voice_notes(services, response.id, language)
    lines += [
        "",
        escape(
            _(
                '– means not answered or skipped, ? means "don\'t know". Delete everything with /delete.'
            )
        ),
    ]
    return _chunks(lines)


def _identity(user: User, language: str) -> list[str]:
    _ = translator(language)
    return [
        "<b>" + escape(_("What is stored about you")) + "</b>",
        escape(_("Anonymous respondent id: {id}").format(id=user.pseudonym)),
        escape(
            _("Language: {language}").format(
                language="English" if language == "en" else "Tiếng Việt"
            )
        ),
    ]


async def _consents(services: Services, user: User, language: str) -> list[str]:
    """Their own consent and, for a minor, their parent's or guardian's."""
    _ = translator(language)
    lines = []
    consent = await users.get_consent(services.store, user.id)
    if consent is not None:
        decision = _("agreed") if consent.agreed else _("declined")
        lines.append(
            escape(
                _("Consent: {decision} on {time} (text version {version})").format(
                    decision=decision,
                    time=services.local_time(consent.decided_at),
                    version=consent.consent_version,
                )
            )
        )
    guardian = await guardians.get_consent(services.store, user.id)
    if guardian is not None:
        who = {"parent": _("your parent"), "guardian": _("your legal guardian")}.get(
            guardian.relation or "", _("your parent or guardian")
        )
        lines.append(
            escape(
                _(
                    "Guardian's consent: {decision} by {who}, {how}, on {time} (text {version})"
                ).format(
                    decision=_("agreed") if guardian.agreed else _("declined"),
                    who=who,
                    how=_("on paper") if guardian.method == "paper" else _("in Telegram"),
                    time=services.local_time(guardian.decided_at),
                    version=guardian.text_version,
                )
            )
        )
    return lines


def _profile(survey: Survey, answers: Answers, language: str) -> list[str]:
    """Each profile question answered, with the chosen labels."""
    _ = translator(language)
    lines = []
    for question in survey.profile:
        choice = answers.profile.get(question.id)
        if choice is None:
            continue
        labels = [
            _("Prefer not to say")
            if chosen == "prefer_not"
            else next((c.label(language) for c in question.choices if c.id == chosen), chosen)
            for chosen in choice.split()
        ]
        lines.append(f"• {escape(question.prompt(language))} <b>{escape(', '.join(labels))}</b>")
    return lines


def _section(section: Section, survey: Survey, answers: Answers, language: str) -> list[str]:
    """A goal's ratings (now → forecast) and comment, if any was given."""
    _ = translator(language)
    rows = []
    for item in section.items:
        values = [_short(answers.ratings.get((item.code, kind))) for kind in RATING_KINDS]
        if values != ["–", "–"]:
            rows.append(
                f"• {escape(item.label(language))} <b>{values[0]} → {values[1]}</b>"
                f" <i>({escape(item.code)})</i>"
            )
    comment = answers.texts.get(comment_key(section.id))
    if not (rows or comment):
        return []
    now, forecast = survey.kind("now"), survey.kind("forecast")
    lines = [
        "",
        f"<b>{escape(section.short_title(language))}</b> "
        + escape(f"({now.heading(language)} → {forecast.heading(language)})"),
        *rows,
    ]
    if comment:
        lines += ["💬 " + escape(_("Your comment:")), *_italic(comment)]
    return lines


def _closing(survey: Survey, answers: Answers, language: str) -> list[str]:
    """The closing questions answered: free text, or the goals picked."""
    lines: list[str] = []
    for question in survey.closing:
        if question.kind == "text" and answers.texts.get(question.id):
            lines += [
                "",
                f"<b>{escape(question.prompt(language))}</b>",
                *_italic(answers.texts[question.id] or ""),
            ]
        elif question.kind == "pick_goals" and answers.choices.get(question.id):
            picked = [
                s.short_title(language)
                for s in survey.sections
                if s.id in answers.choices[question.id][0]
            ]
            lines += ["", f"<b>{escape(question.prompt(language))}</b>", escape(", ".join(picked))]
    return lines


async def _voice_notes(services: Services, response_id: int, language: str) -> list[str]:
    """The voice comments kept, by question, length and age."""
    notes = await voice.voice_comments(services.store, response_id)
    if not notes:
        return []
    _ = translator(language)
    lines = ["", "<b>" + escape(_("Your voice comments")) + "</b>"]
    for note in notes:
        lines.append(
            "• "
            + escape(
                plural_translator(language)(
                    "{question}: a voice note of 1 second, kept since {time}",
                    "{question}: a voice note of {seconds} seconds, kept since {time}",
                    note.duration,
                ).format(
                    question=_question_name(services.survey, note.question_id, language),
                    seconds=note.duration,
                    time=services.local_time(note.created_at),
                )
            )
        )
    return lines


def _question_name(survey: Survey, question_id: str, language: str) -> str:
    """A goal's short title for its comment, or the closing question's prompt."""
    for section in survey.sections:
        if comment_key(section.id) == question_id:
            return section.short_title(language)
    closing = next((c for c in survey.closing if c.id == question_id), None)
    return closing.prompt(language) if closing else question_id


def _short(rating: Rating | None) -> str:
    if rating is None or rating.skipped:
        return "–"
    return "?" if rating.value is None else str(rating.value)


def _italic(text: str) -> list[str]:
    """A person's own words, escaped, in lines short enough for any message
    (emoji count twice and ``&`` becomes ``&amp;``, hence the margin)."""
    pieces = []
    while text:
        piece, text = utf16_cut(text, PIECE // 5)
        while text and utf16_len(escape(piece + text[: PIECE // 5])) <= PIECE:
            more, text = utf16_cut(text, PIECE // 5)
            piece += more
        pieces.append(f"<i>{escape(piece)}</i>")
    return pieces


def _chunks(lines: list[str]) -> list[str]:
    """Messages of whole lines, each under :data:`CHUNK` UTF-16 units."""
    chunks, current = [], ""
    for line in lines:
        if current and utf16_len(current) + utf16_len(line) + 1 > CHUNK:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks
