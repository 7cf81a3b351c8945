"""What the respondent sees: one text and one inline keyboard per screen.

Survey wording comes from the survey file (escaped for HTML); UI wording comes
from the gettext catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from conversations.callbacks import choice_data, step_data
from conversations.i18n import translator
from conversations.steps import Step, Tally, comment_key, skipped_steps, steps_of, tally
from conversations.survey import Survey
from storage.responses import Answers

MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=data)


def language_screen() -> Screen:
    return Screen(
        "Chọn ngôn ngữ · Choose your language",
        InlineKeyboardMarkup(
            [
                [
                    _button("Tiếng Việt", choice_data("L", "vi")),
                    _button("English", choice_data("L", "en")),
                ]
            ]
        ),
    )


def consent_screen(language: str, survey: Survey) -> Screen:
    _ = translator(language)
    text = "\n\n".join(
        [
            f"<b>{escape(survey.title(language))}</b>",
            _(
                "This survey asks how far the Sustainable Development Goals have come where you"
                " live, in your own view. Your answers help civil-society organisations speak"
                " for communities like yours."
            ),
            _(
                "Who sees your answers: only the survey coordinators of the organising network."
                " Every report is anonymous: your name, username and Telegram account never"
                " appear in any report or export, and small groups are never shown."
            ),
            _(
                "Some questions touch on sensitive matters (for example disability or gender);"
                ' you can always answer "prefer not to say" or skip.'
            ),
            _(
                "You can stop at any time and continue later. You can see your data with /mydata"
                " and delete it with /delete whenever you want."
            ),
            _("Do you agree to take part?"),
        ]
    )
    return Screen(
        text,
        InlineKeyboardMarkup(
            [
                [_button(_("I agree"), choice_data("C", "y"))],
                [_button(_("No, thank you"), choice_data("C", "n"))],
            ]
        ),
    )


def _nav_row(survey: Survey, step: Step, language: str, skip: bool) -> list[InlineKeyboardButton]:
    _ = translator(language)
    row = []
    if step.key != steps_of(survey)[0].key:
        row.append(_button(_("◀ Back"), step_data(survey, step.key, "b")))
    if skip:
        row.append(_button(_("Skip ▶"), step_data(survey, step.key, "s")))
    return row


def _rows(buttons: list[InlineKeyboardButton], per_row: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def profile_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    question = survey.profile[step.index]
    current = answers.profile.get(question.id)
    mark = "✓ "
    buttons = [
        _button(
            (mark if current == c.id else "") + c.label(language),
            step_data(survey, step.key, str(i)),
        )
        for i, c in enumerate(question.choices)
    ]
    if question.sensitive:
        buttons.append(
            _button(
                (mark if current == "prefer_not" else "") + _("Prefer not to say"),
                step_data(survey, step.key, "n"),
            )
        )
    header = _("About you ({number}/{total})").format(
        number=step.index + 1, total=len(survey.profile)
    )
    text = f"<i>{escape(header)}</i>\n\n<b>{escape(question.prompt(language))}</b>"
    rows = _rows(buttons, 2 if len(buttons) > 4 else 1)
    nav = _nav_row(survey, step, language, skip=False)
    return Screen(text, InlineKeyboardMarkup([*rows, nav] if nav else rows))


def _rating_label(survey: Survey, language: str, value: int | None, skipped: bool) -> str:
    _ = translator(language)
    if skipped:
        return _("skipped")
    if value is None:
        return survey.scale.dont_know(language)
    return f"{value} · {survey.scale.points[value - 1].label(language)}"


def rating_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    section, item = survey.items[step.index]
    kind = survey.kind(step.rating_kind or "now")
    lines = [
        f"<b>{escape(section.short_title(language))}</b> · {step.index + 1}/{len(survey.items)}",
        f"<b>{escape(item.code)}</b> {escape(item.label(language))}",
        "",
    ]
    if kind.id == "forecast":
        now = answers.ratings.get((item.code, "now"))
        if now is not None:
            lines.append(
                f"{escape(survey.kind('now').label(language))}: "
                f"{escape(_rating_label(survey, language, now.value, now.skipped))}"
            )
        lines.append(
            "<b>"
            + escape(_("{label}: where will it be?").format(label=kind.label(language)))
            + "</b>"
        )
    else:
        lines.append(
            "<b>"
            + escape(
                _("{label}: how far has this come where you live?").format(
                    label=kind.label(language)
                )
            )
            + "</b>"
        )
    current = answers.ratings.get((item.code, kind.id))
    chosen = None if current is None else ("s" if current.skipped else str(current.value or "d"))
    return Screen("\n".join(lines), _rating_keyboard(survey, step, language, chosen))


@lru_cache(maxsize=8192)
def _rating_keyboard(
    survey: Survey, step: Step, language: str, chosen: str | None
) -> InlineKeyboardMarkup:
    """Built once per question, language and marked answer: keyboards are immutable,
    and building eight buttons on every tap costs more than the database does."""

    def labelled(value: str, label: str) -> InlineKeyboardButton:
        mark = "✓ " if chosen == value else ""
        return _button(mark + label, step_data(survey, step.key, value))

    points = [labelled(str(p.value), f"{p.value} {p.short(language)}") for p in survey.scale.points]
    return InlineKeyboardMarkup(
        [
            points[:3],
            points[3:],
            [labelled("d", survey.scale.dont_know(language))],
            _nav_row(survey, step, language, skip=True),
        ]
    )


def text_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    if step.kind == "comment":
        section = survey.sections[step.index]
        prompt = section.comment(language) if section.comment else ""
        stored = answers.texts.get(comment_key(section.id))
        header = f"<b>{escape(section.short_title(language))}</b>\n\n"
    else:
        question = survey.closing[step.index]
        prompt = question.prompt(language)
        stored = answers.texts.get(question.id)
        header = ""
    text = (
        header
        + f"<b>{escape(prompt)}</b>\n\n"
        + escape(
            _("Type your answer as a message (up to {limit} characters), or tap Skip.").format(
                limit=MAX_TEXT
            )
        )
    )
    if stored:
        text += "\n\n" + escape(_("Your answer so far:")) + f"\n<i>{escape(stored)}</i>"
    return Screen(text, InlineKeyboardMarkup([_nav_row(survey, step, language, skip=True)]))


def goals_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    question = survey.closing[step.index]
    selected, _done = answers.choices.get(question.id, ([], False))
    buttons = [
        _button(
            ("✓ " if section.id in selected else "") + section.short_title(language),
            step_data(survey, step.key, f"t{i}"),
        )
        for i, section in enumerate(survey.sections)
    ]
    done = _("Done ({count}/{most})").format(count=len(selected), most=question.max_choices)
    rows = [*_rows(buttons, 1), [_button(done, step_data(survey, step.key, "k"))]]
    nav = _nav_row(survey, step, language, skip=False)
    text = f"<b>{escape(question.prompt(language))}</b>"
    return Screen(text, InlineKeyboardMarkup([*rows, nav] if nav else rows))


def step_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    if step.kind == "profile":
        return profile_screen(survey, answers, step, language)
    if step.kind == "rating":
        return rating_screen(survey, answers, step, language)
    if step.kind == "closing" and survey.closing[step.index].kind == "pick_goals":
        return goals_screen(survey, answers, step, language)
    return text_screen(survey, answers, step, language)


def review_screen(survey: Survey, answers: Answers, language: str) -> Screen:
    _ = translator(language)
    counts: Tally = tally(survey, answers)
    text = "\n".join(
        [
            "<b>" + escape(_("Review your answers")) + "</b>",
            "",
            escape(
                _("Ratings given: {rated} of {total}").format(
                    rated=counts.rated, total=counts.total
                )
            ),
            escape(_("Don't know: {count}").format(count=counts.dont_know)),
            escape(_("Skipped: {count}").format(count=counts.skipped)),
            "",
            escape(
                _(
                    "Change anything you like, then tap Submit. After submitting you can still see or delete your data."
                )
            ),
        ]
    )
    rows = [[_button(_("✅ Submit"), step_data(survey, "rv", "sub"))]]
    if skipped_steps(survey, answers):
        rows.append(
            [
                _button(
                    _("Answer skipped questions ({count})").format(count=counts.skipped),
                    step_data(survey, "rv", "skp"),
                )
            ]
        )
    goal_buttons = [
        _button(
            _("Change {goal}").format(goal=section.short_title(language)),
            step_data(survey, "rv", f"s{i}"),
        )
        for i, section in enumerate(survey.sections)
    ]
    rows.extend(_rows(goal_buttons, 1))
    rows.append([_button(_("Change my profile"), step_data(survey, "rv", "prf"))])
    return Screen(text, InlineKeyboardMarkup(rows))


def edit_list_screen(
    survey: Survey, answers: Answers, language: str, section_index: int | None
) -> Screen:
    """A list of questions to jump to: a goal's indicators, or the profile."""
    _ = translator(language)
    buttons = []
    if section_index is None:
        title = _("Change my profile")
        for step in steps_of(survey):
            if step.kind == "profile":
                question = survey.profile[step.index]
                buttons.append(
                    _button(question.prompt(language)[:40], step_data(survey, "ed", step.key))
                )
    else:
        section = survey.sections[section_index]
        title = section.short_title(language)
        for step in steps_of(survey):
            if step.kind != "rating" or survey.items[step.index][0].id != section.id:
                continue
            item = survey.items[step.index][1]
            rating = answers.ratings.get((item.code, step.rating_kind or ""))
            value = (
                "–"
                if rating is None or rating.skipped
                else ("?" if rating.value is None else str(rating.value))
            )
            year = survey.years[step.rating_kind or "now"]
            buttons.append(
                _button(f"{item.code} · {year}: {value}", step_data(survey, "ed", step.key))
            )
    rows = _rows(buttons, 2 if section_index is not None else 1)
    rows.append([_button(_("◀ Back to review"), step_data(survey, "rv", "rv"))])
    return Screen(
        f"<b>{escape(title)}</b>\n\n" + escape(_("Tap a question to change its answer.")),
        InlineKeyboardMarkup(rows),
    )


def thanks_screen(language: str) -> Screen:
    _ = translator(language)
    return Screen(
        "<b>"
        + escape(_("Thank you! Your scorecard has been submitted."))
        + "</b>\n\n"
        + escape(_("See how people like you rated each goal with /results."))
        + "\n"
        + escape(_("See what is stored about you with /mydata, or delete it with /delete."))
    )
