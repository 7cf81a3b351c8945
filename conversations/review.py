"""The review: the summary before submitting, and its lists to jump back to a question."""

from __future__ import annotations

from html import escape

from conversations.callbacks import step_data
from conversations.keyboard import Button, layout
from conversations.screens import Screen, button, rows_of, shorten
from locales.i18n import translator
from storage.responses import Answers, Rating
from survey.model import Survey
from survey.steps import (
    RATING_KINDS,
    comment_key,
    question_tally,
    section_items,
    skipped_steps,
    visible,
    visible_steps,
)


def review_screen(survey: Survey, answers: Answers, language: str) -> Screen:
    _ = translator(language)
    counts = question_tally(survey, answers)
    lines = [
        "<b>" + escape(_("Review your answers")) + "</b>",
        "",
        escape(
            _("Statements answered: {answered} of {total}").format(
                answered=counts.answered, total=counts.total
            )
        ),
        escape(_('With a "don\'t know": {count}').format(count=counts.dont_know)),
        escape(_("Skipped: {count}").format(count=counts.skipped)),
        *_closing_lines(survey, answers, language),
        "",
        escape(
            _(
                "Change anything you like, then tap Submit. After submitting you can still"
                " see or delete your data."
            )
        ),
    ]
    rows = [[button(_("✅ Submit"), step_data(survey, "rv", "sub"))]]
    if skipped_steps(survey, answers):
        rows.append(
            [
                button(
                    _("Answer skipped questions ({count})").format(count=counts.skipped),
                    step_data(survey, "rv", "skp"),
                )
            ]
        )
    goal_buttons = [
        button(
            _("Change {goal}").format(goal=survey.sections[i].short_title(language)),
            step_data(survey, "rv", f"s{i}"),
        )
        for i in visible(survey, answers).sections
    ]
    rows.extend(rows_of(goal_buttons, 1))
    rows.extend([closing] for closing in _closing_buttons(survey, language))
    rows.append([button(_("Change my profile"), step_data(survey, "rv", "prf"))])
    return Screen("\n".join(lines), layout(rows))


def _closing_lines(survey: Survey, answers: Answers, language: str) -> list[str]:
    """The closing answers as given: the goals picked, the recommendation (shortened)."""
    _ = translator(language)
    lines = []
    for question in survey.closing:
        if question.kind == "pick_goals":
            picked = answers.choices.get(question.id, ([], False))[0]
            names = [s.short_title(language) for s in survey.sections if s.id in picked]
            text = _("Goals that matter most: {goals}").format(
                goals=", ".join(names) if names else _("none")
            )
        else:
            typed = answers.texts.get(question.id)
            text = _("Your recommendation: {text}").format(
                text=f"“{shorten(typed, 80)}”" if typed else _("none")
            )
        lines.append(escape(text))
    return ["", *lines] if lines else []


def _closing_buttons(survey: Survey, language: str) -> list[Button]:
    """One button per closing question: change the goals picked, the recommendation."""
    _ = translator(language)
    return [
        button(
            _("✏️ Change the goals I picked")
            if question.kind == "pick_goals"
            else _("✏️ Change my recommendation"),
            step_data(survey, "rv", f"q{index}"),
        )
        for index, question in enumerate(survey.closing)
    ]


def _short_value(rating: Rating | None) -> str:
    if rating is None or rating.skipped:
        return "–"
    return "?" if rating.value is None else str(rating.value)


def edit_list_screen(
    survey: Survey, answers: Answers, language: str, section_index: int | None
) -> Screen:
    """A list of questions to jump to: a goal's statements and comment, or the profile."""
    _ = translator(language)
    rows: list[list[Button]] = []
    lines = []
    if section_index is None:
        title = _("Change my profile")
        for step in visible_steps(survey, answers):
            if step.kind == "profile":
                question = survey.profile[step.index]
                rows.append(
                    [
                        button(
                            shorten(question.prompt(language), 40),
                            step_data(survey, "ed", step.key),
                        )
                    ]
                )
    else:
        section = survey.sections[section_index]
        title = section.short_title(language)
        now, forecast = survey.kind("now"), survey.kind("forecast")
        lines.append(
            escape(
                _(
                    "Each line: your rating for {now} → {forecast} (? don't know, – skipped)."
                ).format(now=now.year, forecast=forecast.year)
            )
        )
        for item_index in section_items(survey, answers, section_index):
            item = survey.items[item_index][1]
            values = " → ".join(
                _short_value(answers.ratings.get((item.code, kind))) for kind in RATING_KINDS
            )
            rows.append(
                [
                    button(
                        f"{values} · {item.title(language)}",
                        step_data(survey, "ed", f"r{item_index}"),
                    )
                ]
            )
        if section.comment is not None:
            has_comment = bool(answers.texts.get(comment_key(section.id)))
            rows.append(
                [
                    button(
                        _("💬 Change my comment") if has_comment else _("💬 Add a comment"),
                        step_data(survey, "ed", f"c{section_index}"),
                    )
                ]
            )
    rows.append([button(_("◀ Back to review"), step_data(survey, "rv", "rv"))])
    text = f"<b>{escape(title)}</b>\n\n"
    if lines:
        text += "\n".join(lines) + "\n"
    text += escape(_("Tap a question to change its answer."))
    return Screen(text, layout(rows))
