"""What the respondent sees: one text and one inline keyboard per screen.

Survey wording comes from the survey file (escaped for HTML); UI wording comes
from the gettext catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from html import escape

from conversations.callbacks import choice_data, step_data
from conversations.keyboard import Button, Keyboard, layout
from locales.i18n import Translate, translator
from storage.responses import Answers, Rating
from survey.model import Survey
from survey.steps import (
    RATING_KINDS,
    Step,
    comment_key,
    draft_key,
    section_done,
    section_index_of,
    section_items,
    visible,
    visible_steps,
)

MAX_TEXT = 2000
# A voice comment, not a recording session (conversations.voice).
MAX_VOICE_SECONDS = 5 * 60
MAX_VOICE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    keyboard: Keyboard | None = None


def button(text: str, data: str) -> Button:
    return Button(text, callback_data=data)


def estimated_minutes(survey: Survey, items: int | None = None) -> tuple[int, int]:
    """How long a scorecard takes (the whole one, or ``items`` indicators), rounded
    to 5 minutes: 10-20 s an indicator."""

    def round_up(seconds: int) -> int:
        return max(5, -(-seconds // 300) * 5)

    count = len(survey.items) if items is None else items
    low = round_up(10 * count)
    return low, max(low + 5, round_up(20 * count))  # never "5–5 minutes"


def language_screen(survey: Survey | None = None) -> Screen:
    """The language picker; with a survey, the first screen: who asks, what for,
    how long it takes, in both languages, before anyone has chosen one."""
    parts = []
    if survey is not None:
        low, high = estimated_minutes(survey)
        for language in ("vi", "en"):
            _ = translator(language)
            paragraph = [f"<b>{escape(survey.title(language))}</b>"]
            if survey.welcome is not None:
                paragraph.append(escape(survey.welcome(language)))
            paragraph.append(
                escape(
                    _(
                        "It takes about {low}–{high} minutes. You can stop at any time and"
                        " continue later where you left off."
                    ).format(low=low, high=high)
                )
            )
            parts.append("\n".join(paragraph))
    parts.append("<b>Chọn ngôn ngữ · Choose your language</b>")
    return Screen(
        "\n\n".join(parts),
        layout(
            [
                [
                    button("Tiếng Việt", choice_data("L", "vi")),
                    button("English", choice_data("L", "en")),
                ]
            ]
        ),
    )


def scale_words(survey: Survey, language: str) -> str:
    """The scale as the respondent reads it everywhere: "1 Not at all … 5 Fully achieved"."""
    return " · ".join(f"{p.value} {p.label(language)}" for p in survey.scale.points)


def _is_first(survey: Survey, answers: Answers, step: Step) -> bool:
    """The first question this respondent sees: it has no "Back"."""
    steps = visible_steps(survey, answers)
    return bool(steps) and step.key == steps[0].key


def _nav_row(
    survey: Survey, step: Step, language: str, forward: str | None, first: bool
) -> list[Button]:
    """Back (except on the first question) and, when given, a forward button."""
    _ = translator(language)
    row = []
    if step.kind == "comment" or not first:
        row.append(button(_("◀ Back"), step_data(survey, step.key, "b")))
    if forward:
        row.append(button(forward, step_data(survey, step.key, "s")))
    return row


def rows_of(buttons: list[Button], per_row: int) -> list[list[Button]]:
    return [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]


def profile_selection(survey: Survey, answers: Answers, step: Step) -> list[str]:
    """The ticked choices of a profile question: the draft while ticking, else the answer."""
    question = survey.profile[step.index]
    draft = answers.choices.get(draft_key(question.id))
    if draft is not None and not draft[1]:
        return draft[0]
    stored = answers.profile.get(question.id)
    return stored.split() if stored else []


def profile_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    question = survey.profile[step.index]
    mark = "✓ "
    selected = profile_selection(survey, answers, step)
    if question.multiple:
        buttons = [
            button(
                (mark if c.id in selected else "") + c.label(language),
                step_data(survey, step.key, ("u" if c.id in selected else "a") + str(i)),
            )
            for i, c in enumerate(question.choices)
        ]
    else:
        buttons = [
            button(
                (mark if c.id in selected else "") + c.label(language),
                step_data(survey, step.key, str(i)),
            )
            for i, c in enumerate(question.choices)
        ]
    if question.sensitive:
        buttons.append(
            button(
                (mark if "prefer_not" in selected else "") + _("Prefer not to say"),
                step_data(survey, step.key, "n"),
            )
        )
    asked = [s.key for s in visible_steps(survey, answers) if s.kind == "profile"]
    header = _("About you ({number}/{total})").format(
        number=asked.index(step.key) + 1 if step.key in asked else step.index + 1,
        total=len(asked),
    )
    text = f"<i>{escape(header)}</i>\n\n<b>{escape(question.prompt(language))}</b>"
    rows = rows_of(buttons, 2 if len(buttons) > 4 else 1)
    if question.multiple:
        chosen = [c for c in selected if c != "prefer_not"]
        text += "\n\n" + escape(_("Tap every answer that fits you, then tap Continue."))
        text += "\n" + _chosen_line(
            _, [c.label(language) for c in question.choices if c.id in chosen]
        )
        rows.append(
            [
                button(
                    _("Continue ({count} chosen) ▶").format(count=len(chosen)),
                    step_data(survey, step.key, "k"),
                )
            ]
        )
    nav = _nav_row(survey, step, language, None, _is_first(survey, answers, step))
    return Screen(text, layout([*rows, nav] if nav else rows))


def rating_label(survey: Survey, language: str, rating: Rating | None) -> str:
    """A stored rating in words: "4 Mostly", "Don't know", "skipped" or "not answered"."""
    _ = translator(language)
    if rating is None:
        return _("not answered yet")
    if rating.skipped:
        return _("skipped")
    if rating.value is None:
        return survey.scale.dont_know(language)
    return f"{rating.value} {survey.scale.points[rating.value - 1].label(language)}"


def goal_number(survey: Survey, answers: Answers, section_index: int) -> int:
    """A goal's number among the goals this respondent sees, from 1."""
    sections = visible(survey, answers).sections
    return sections.index(section_index) + 1 if section_index in sections else section_index + 1


def progress_line(survey: Survey, answers: Answers, item_index: int, language: str) -> str:
    """ "Goal 2 of 6 · 14 of 69", counting only what skip logic shows this respondent."""
    _ = translator(language)
    shown = visible(survey, answers)
    return _("Goal {goal} of {goals} · {item} of {items}").format(
        goal=goal_number(survey, answers, section_index_of(survey, item_index)),
        goals=len(shown.sections),
        item=shown.items.index(item_index) + 1 if item_index in shown.items else item_index + 1,
        items=len(shown.items),
    )


def rating_screen(
    survey: Survey, answers: Answers, step: Step, language: str, info: bool = False
) -> Screen:
    _ = translator(language)
    section, item = survey.items[step.index]
    lines = _rating_heading(survey, answers, step, language)
    if info:
        official = _("Official indicator {code}: {name}").format(
            code=item.code, name=item.name(language)
        )
        lines += ["ⓘ " + escape(item.about(language)), f"<i>{escape(official)}</i>", ""]
    lines += _rows_lines(survey, answers, item.code, language)
    if item.sensitive:
        lines += ["", "📞 " + escape(helpline(language))]
    if section.comment is not None:
        comment = answers.texts.get(comment_key(section.id))
        lines += ["", "💬 " + escape(section.comment(language))]
        if comment:
            lines.append(
                "<i>"
                + escape(_("Your comment: {text}").format(text=shorten(comment, 120)))
                + "</i>"
            )
    chosen = tuple(_chosen(answers.ratings.get((item.code, kind))) for kind in RATING_KINDS)
    complete = all(value is not None for value in chosen)
    first = _is_first(survey, answers, step)
    return Screen(
        "\n".join(lines), _rating_keyboard(survey, step, language, chosen, complete, info, first)
    )


def _rating_heading(survey: Survey, answers: Answers, step: Step, language: str) -> list[str]:
    """A rating screen's first lines: the goal just finished, where this one is, the statement."""
    _ = translator(language)
    section, item = survey.items[step.index]
    lines = []
    before = _goal_before(survey, answers, step.index)
    if before is not None and section_done(survey, answers, before):
        lines += [
            "✅ "
            + escape(
                _("Goal {number} done: {goal}. Thank you!").format(
                    number=goal_number(survey, answers, before),
                    goal=survey.sections[before].short_title(language),
                )
            ),
            "",
        ]
    here = []
    if survey.here is not None and visible(survey, answers).items[:1] == (step.index,):
        here = [f"<i>{escape(survey.here(language))}</i>"]  # the first statement only
    return [
        *lines,
        f"<i>{escape(progress_line(survey, answers, step.index, language))}</i>",
        f"<i>{escape(section.short_title(language))}</i>",
        "",
        f"<b>{escape(item.label(language))}</b>",
        *here,
        "",
    ]


def stem(survey: Survey, language: str) -> str:
    """The question every statement answers, the same for both rows."""
    _ = translator(language)
    return survey.stem(language) if survey.stem else _("How true is this where you live?")


def row_name(survey: Survey, kind_id: str, language: str) -> str:
    """What a row asks, named by the year its buttons start with: "Row 2030 – what you
    expect by 2030" (or the kind's label when the survey gives no question)."""
    _ = translator(language)
    kind = survey.kind(kind_id)
    asked = kind.asked(language)
    if asked is None:
        return kind.heading(language)
    return _("Row {year} – {question}").format(year=kind.year, question=asked)


def _rows_lines(survey: Survey, answers: Answers, code: str, language: str) -> list[str]:
    """The stem, then one line per row with what it asks and the answer given."""
    lines = [escape(stem(survey, language))]
    for kind in RATING_KINDS:
        stored = answers.ratings.get((code, kind))
        marker = "✓" if stored is not None else "▸"
        lines.append(
            f"{marker} {escape(row_name(survey, kind, language))}: "
            f"<b>{escape(rating_label(survey, language, stored))}</b>"
        )
    scale = scale_words(survey, language) + " · ? " + survey.scale.dont_know(language)
    return [*lines, f"<i>{escape(scale)}</i>"]


def helpline(language: str) -> str:
    """The child-protection helpline: on sensitive items, at the end and in /help."""
    _ = translator(language)
    return _(
        "Worried about a child, or about yourself? Call 111, the national child protection"
        " helpline: free, day and night."
    )


def _goal_before(survey: Survey, answers: Answers, item_index: int) -> int | None:
    """On the first visible indicator of a goal, the goal seen just before it."""
    section_index = section_index_of(survey, item_index)
    if section_items(survey, answers, section_index)[:1] != (item_index,):
        return None
    sections = visible(survey, answers).sections
    position = sections.index(section_index)
    return sections[position - 1] if position > 0 else None


def _chosen(rating: Rating | None) -> str | None:
    if rating is None:
        return None
    return "s" if rating.skipped else str(rating.value or "d")


def shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=8192)
def _rating_keyboard(
    survey: Survey,
    step: Step,
    language: str,
    chosen: tuple[str | None, ...],
    complete: bool,
    info: bool,
    first: bool = False,
) -> Keyboard:
    """Built once per question, language and marked answers: keyboards are immutable,
    and building the buttons on every tap costs more than the database does."""
    _ = translator(language)
    rows = []
    dont_know = []
    # Read aloud, each button says what it is: the year, then the numbers, and
    # "don't know" in words with its year on a row of its own (a lone "?"
    # reads "question mark"). The ✓ is repeated in words in the text above.
    for prefix, kind, marked in zip("nf", RATING_KINDS, chosen, strict=True):
        year = survey.kind(kind).year
        # The row's label, not an answer: "2030:" reads as a label before the numbers (a
        # press only explains the row).
        row = [button(f"{year}:", step_data(survey, step.key, "h" + prefix))]
        for point in survey.scale.points:
            value = str(point.value)
            row.append(
                button(
                    ("✓" if marked == value else "") + value,
                    step_data(survey, step.key, prefix + value),
                )
            )
        rows.append(row)
        dont_know.append(
            button(
                ("✓ " if marked == "d" else "") + f"? {survey.scale.dont_know(language)} ({year})",
                step_data(survey, step.key, prefix + "d"),
            )
        )
    rows.append(dont_know)
    forward = _("Next ▶") if complete else _("Skip ▶")
    nav = _nav_row(survey, step, language, forward, first)
    nav.insert(
        1 if len(nav) > 1 else 0,
        button(
            _("ⓘ About") if not info else _("ⓘ Hide"),
            step_data(survey, step.key, "j" if info else "i"),
        ),
    )
    rows.append(nav)
    return layout(rows)


def text_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    if step.kind == "comment":
        section = survey.sections[step.index]
        prompt = section.comment(language) if section.comment else ""
        stored = answers.texts.get(comment_key(section.id))
        header = f"<i>{escape(section.short_title(language))}</i>\n\n"
    else:
        question = survey.closing[step.index]
        prompt = question.prompt(language)
        stored = answers.texts.get(question.id)
        header = ""
    text = header + f"<b>{escape(prompt)}</b>\n\n"
    rows = []
    if stored:
        text += (
            escape(_("Your answer so far:"))
            + f"\n<i>{escape(stored)}</i>\n\n"
            + escape(
                _("Type a new message to replace it (up to {limit} characters).").format(
                    limit=MAX_TEXT
                )
            )
        )
        forward = _("Keep it and continue ▶")
        rows.append([button(_("🗑 Remove my answer"), step_data(survey, step.key, "x"))])
    else:
        text += escape(
            _("Type your answer as a message (up to {limit} characters), or tap Skip.").format(
                limit=MAX_TEXT
            )
        )
        forward = _("Skip ▶")
    text += "\n" + escape(_("You can also send a voice note."))
    rows.insert(0, _nav_row(survey, step, language, forward, _is_first(survey, answers, step)))
    return Screen(text, layout(rows))


def goals_screen(survey: Survey, answers: Answers, step: Step, language: str) -> Screen:
    _ = translator(language)
    question = survey.closing[step.index]
    selected, _done = answers.choices.get(question.id, ([], False))
    shown = visible(survey, answers).sections
    buttons = [
        button(
            ("✓ " if section.id in selected else "") + section.short_title(language),
            step_data(survey, step.key, ("u" if section.id in selected else "a") + str(i)),
        )
        for i, section in enumerate(survey.sections)
        if i in shown
    ]
    done = _("Continue ({count} of {most} chosen) ▶").format(
        count=len(selected), most=question.max_choices
    )
    rows = [*rows_of(buttons, 1), [button(done, step_data(survey, step.key, "k"))]]
    nav = _nav_row(survey, step, language, None, _is_first(survey, answers, step))
    text = f"<b>{escape(question.prompt(language))}</b>\n\n" + _chosen_line(
        _, [s.short_title(language) for s in survey.sections if s.id in selected]
    )
    return Screen(text, layout([*rows, nav] if nav else rows))


def _chosen_line(_: Translate, labels: list[str]) -> str:
    """What is ticked, in words: a screen reader user hears the state, not "✓"."""
    if not labels:
        return escape(_("Chosen: none yet"))
    return escape(_("Chosen: {answers}").format(answers=", ".join(labels)))


def step_screen(
    survey: Survey, answers: Answers, step: Step, language: str, info: bool = False
) -> Screen:
    if step.kind == "profile":
        return profile_screen(survey, answers, step, language)
    if step.kind == "rating":
        return rating_screen(survey, answers, step, language, info)
    if step.kind == "closing" and survey.closing[step.index].kind == "pick_goals":
        return goals_screen(survey, answers, step, language)
    return text_screen(survey, answers, step, language)


def help_text(survey: Survey, language: str) -> str:
    _ = translator(language)
    now, forecast = survey.kind("now"), survey.kind("forecast")
    lines = [
        "<b>" + escape(_("Community SDG scorecard")) + "</b>",
        escape(
            _(
                "Each screen shows a statement about where you live. Say how true it is now"
                " ({now}) and how true you expect it to be by {forecast}:"
            ).format(now=now.year, forecast=forecast.year)
        ),
        *(escape(f"{p.value} – {p.label(language)}") for p in survey.scale.points),
        escape(f"? – {survey.scale.dont_know(language)}"),
        "",
        escape(
            _(
                "You can also type your answer: a number from 1 to 5 answers the first open"
                ' rating, 0 or ? means "{dont_know}", and two numbers (for example 3 4) answer'
                " both. Anything else you type is saved as your comment on that goal."
            ).format(dont_know=survey.scale.dont_know(language))
        ),
        escape(
            _(
                "Instead of typing a comment you can send a voice note (up to {minutes}"
                " minutes): it is kept with your answers, and /delete removes it."
            ).format(minutes=MAX_VOICE_SECONDS // 60)
        ),
        escape(_("“ⓘ About” shows what an item is about and its official name.")),
        "",
        "/resume – " + escape(_("continue where you stopped")),
        "/language – " + escape(_("change the language")),
        "/results – " + escape(_("see how people like you rated each goal")),
        "/mydata – " + escape(_("see what is stored about you")),
        "/delete – " + escape(_("delete all your data")),
        "/stop – " + escape(_("no more reminders or announcements")),
        "/help – " + escape(_("this help")),
        "",
        "📞 " + escape(helpline(language)),
    ]
    return "\n".join(lines)


def thanks_screen(language: str) -> Screen:
    _ = translator(language)
    return Screen(
        "<b>"
        + escape(_("Thank you! Your scorecard has been submitted."))
        + "</b>\n\n"
        + escape(_("See how people like you rated each goal with /results."))
        + "\n"
        + escape(_("See what is stored about you with /mydata, or delete it with /delete."))
        + "\n\n📞 "
        + escape(helpline(language))
        + "\n\n"
        + escape(
            _(
                "Would you like a short message when an action is agreed or done on what you"
                " rated, where you live? Nobody is named. Stop any time with /stop."
            )
        ),
        layout(
            [
                [
                    button(_("Yes, tell me"), choice_data("U", "y")),
                    button(_("No, thank you"), choice_data("U", "n")),
                ]
            ]
        ),
    )
