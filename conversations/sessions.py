"""Group scoring sessions as a service: decide, store, say what to show.

A facilitator records a focus group's scorecard: the group's profile, then
per indicator the group's consensus score or its vote counts (for the "now"
year and the forecast), a short note of the reasons, and finally the
group's top priorities and recommendations. Like the journey, this module
stores first (committed before returning) and never talks to Telegram.

Steps, in order (the position is the first one without an answer)::

    pg pr pa    the group, region and area (the survey's profile choices)
    pp          how many people, women and men (typed: "12 7 5")
    i<n>        indicator n (0-based, the survey's order)
    tp tr       top priorities, recommendations (typed, or skipped)
    rv          review and submit

Callback data: ``g1|<session id>|<step>|<value>`` (at most 30 bytes), built
and checked field by field in ``conversations.callbacks``; :func:`parse_press`
checks it against the survey too, and a button of another session or step
changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from conversations import callbacks
from conversations.callbacks import ForgedCallback
from conversations.callbacks import SessionPress as Press
from conversations.keyboard import Button, Keyboard, layout
from conversations.screens import MAX_TEXT, Screen
from conversations.services import Services
from locales.i18n import plural_translator, translator
from locales.numbers import format_number
from locales.textlimits import clean_typed, utf16_len
from storage import sessions
from storage.sessions import Score, Session
from survey.model import Survey

PROFILE_STEPS = {"pg": ("group", "grp"), "pr": ("region", "region"), "pa": ("area", "area")}
TEXT_STEPS = {"tp": "priorities", "tr": "recommendations"}
KINDS = {"n": "now", "f": "forecast"}
# "3" or "3 4": consensus (0 or ? = don't know); six counts for 1-5 and don't
# know ("0 2 5 3 1 0"); a "/" or a new line separates now from the forecast.
_CONSENSUS = re.compile(r"^\s*([0-5?])(?:\s+([0-5?]))?\s*$")
_COUNTS = re.compile(r"^\s*\d{1,4}(?:\s+\d{1,4}){5}\s*$")
# Anything made of numbers is an attempt at scores, never the group's reasons:
# "0 0 -1 0 0 0" or "1.5 2 2 2 0 0" is refused with the reason, not saved as text.
_NUMBERS_ONLY = re.compile(r"^(?=.*[\d?])[\d\s/?.,+\-]+$")
_WHOLE = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True, slots=True)
class Outcome:
    screen: Screen
    alert: str | None = None
    notice: str | None = None  # a separate message before the screen
    fresh: bool = False  # send the screen as a new message
    submitted: bool = False


def step_keys(survey: Survey) -> list[str]:
    keys = [k for k, (q, _c) in PROFILE_STEPS.items() if survey.profile_question(q) is not None]
    keys.append("pp")
    keys += [f"i{n}" for n in range(len(survey.items))]
    return [*keys, "tp", "tr"]


def parse_press(data: str | None, survey: Survey) -> Press:
    """The press, checked by the codec and then against this survey."""
    press = callbacks.decode_session(data)
    step, value = press.step, press.value
    if step in PROFILE_STEPS:
        question = survey.profile_question(PROFILE_STEPS[step][0])
        if question is None or int(value) >= len(question.choices):
            raise ForgedCallback("no such choice")
    elif step.startswith("i"):
        index = int(step[1:])
        if index >= len(survey.items):
            raise ForgedCallback("no such indicator")
        if value == "b" and index == 0:  # Back exists from the second indicator on
            raise ForgedCallback("no Back before the first indicator")
    return press


def _data(session: Session, step: str, value: str) -> str:
    return callbacks.session_data(session.id, step, value)


def item_done(session: Session, code: str) -> bool:
    return all((code, kind) in session.scores for kind in KINDS.values())


def position(survey: Survey, session: Session) -> str:
    """The first step without an answer; ``rv`` when everything is answered."""
    for key in step_keys(survey):
        if key in PROFILE_STEPS and session.profile[PROFILE_STEPS[key][1]] is None:
            return key
        if key == "pp" and session.profile["people"] is None:
            return key
        if key.startswith("i") and not item_done(session, survey.items[int(key[1:])][1].code):
            return key
        if key in TEXT_STEPS and session.texts[TEXT_STEPS[key]] is None:
            return key
    return "rv"


def shown(survey: Survey, session: Session) -> str:
    return session.shown_step or position(survey, session)


def _header(session: Session, language: str) -> str:
    _ = translator(language)
    return "👥 <b>" + escape(_("Group session {id}").format(id=session.pseudonym)) + "</b>"


def score_text(survey: Survey, score: Score | None, language: str) -> str:
    _ = translator(language)
    if score is None:
        return _("not scored yet")
    if score.method == "skip":
        return _("skipped")
    if score.method == "consensus":
        if score.value is None:
            return _("consensus: {answer}").format(answer=survey.scale.dont_know(language))
        return _("consensus: {value}").format(value=score.value)
    votes = score.votes or ()
    mean = score.mean
    text = _("votes 1–5 and don't know: {votes}").format(votes=" ".join(map(str, votes)))
    if mean is not None:
        text += " → " + _("mean {mean}").format(mean=format_number(mean, language, 2))
    return text


def screen(services: Services, session: Session, step: str) -> Screen:
    survey, language = services.survey, session.language
    _ = translator(language)
    head = _header(session, language)
    if step in PROFILE_STEPS:
        question = survey.profile_question(PROFILE_STEPS[step][0])
        assert question is not None
        prompts = {
            "pg": _("Which group is taking part?"),
            "pr": _("Which region is the group from?"),
            "pa": _("What kind of area does the group live in?"),
        }
        current = session.profile[PROFILE_STEPS[step][1]]
        buttons = [
            Button(
                ("✓ " if choice.id == current else "") + choice.label(language),
                callback_data=_data(session, step, str(i)),
            )
            for i, choice in enumerate(question.choices)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        return Screen(f"{head}\n\n<b>{escape(prompts[step])}</b>", layout(rows))
    if step == "pp":
        return Screen(
            f"{head}\n\n<b>"
            + escape(_("How many people take part, and how many of them are women and men?"))
            + "</b>\n\n"
            + escape(
                _(
                    "Type three numbers: everyone, women, men. For example 12 7 5 (people who"
                    " prefer not to say are in the first number only)."
                )
            )
        )
    if step.startswith("i"):
        return _indicator_screen(services, session, int(step[1:]))
    if step in TEXT_STEPS:
        prompt = (
            _("What are the group's top priorities? Type them in a few words, one message.")
            if step == "tp"
            else _("What does the group recommend? Type it in one message.")
        )
        stored = session.texts[TEXT_STEPS[step]]
        text = f"{head}\n\n<b>{escape(prompt)}</b>"
        if stored:
            text += "\n\n<i>" + escape(_("Saved: {text}").format(text=stored[:300])) + "</i>"
        keyboard = layout([[Button(_("Skip ▶"), callback_data=_data(session, step, "s"))]])
        return Screen(text, keyboard)
    return _review_screen(services, session)


def _indicator_screen(services: Services, session: Session, index: int) -> Screen:
    return Screen(
        _indicator_text(services.survey, session, index),
        _indicator_keyboard(services.survey, session, index),
    )


def _indicator_text(survey: Survey, session: Session, index: int) -> str:
    """The statement, the scores given so far and the reasons noted."""
    language = session.language
    _ = translator(language)
    section, item = survey.items[index]
    lines = [
        _header(session, language),
        "<i>"
        + escape(
            _("Indicator {number} of {total} · {goal}").format(
                number=index + 1, total=len(survey.items), goal=section.short_title(language)
            )
        )
        + "</i>",
        "",
        f"<b>{escape(item.label(language))}</b>",
        "",
    ]
    for kind_id in KINDS.values():
        kind = survey.kind(kind_id)
        score = session.scores.get((item.code, kind_id))
        marker = "✓" if score is not None else "▸"
        lines.append(
            f"{marker} {escape(kind.heading(language))}: "
            f"<b>{escape(score_text(survey, score, language))}</b>"
        )
    note = session.notes.get(item.code)
    if note:
        lines.append("<i>" + escape(_("Reasons: {text}").format(text=note[:300])) + "</i>")
    lines += [
        "",
        escape(
            _(
                "Tap the score the group agreed on, or type the votes for 1, 2, 3, 4, 5 and"
                " don't know, e.g. 0 2 5 3 1 0 (a / then the forecast's votes). Anything else"
                " you type is kept as the group's reasons."
            )
        ),
    ]
    return "\n".join(lines)


def _indicator_keyboard(survey: Survey, session: Session, index: int) -> Keyboard:
    """Per kind a label row and the scores 1-5 and ?, then Back and Skip or Next."""
    language = session.language
    _ = translator(language)
    item = survey.items[index][1]
    step = f"i{index}"
    rows = []
    for prefix, kind_id in KINDS.items():
        kind = survey.kind(kind_id)
        chosen = session.scores.get((item.code, kind_id))
        row = [
            Button(
                ("✓" if chosen and chosen.method == "consensus" and chosen.value == v else "")
                + str(v),
                callback_data=_data(session, step, f"{prefix}{v}"),
            )
            for v in range(1, 6)
        ]
        dont_know = chosen is not None and chosen.method == "consensus" and chosen.value is None
        row.append(
            Button(("✓" if dont_know else "") + "?", callback_data=_data(session, step, f"{prefix}d"))
        )
        rows.append(
            [Button(kind.heading(language) + ":", callback_data=_data(session, step, f"h{prefix}"))]
        )
        rows.append(row)
    if session.notes.get(item.code):
        rows.append([Button(_("✕ Remove the reasons"), callback_data=_data(session, step, "x"))])
    nav = []
    if index > 0:
        nav.append(Button(_("◀ Back"), callback_data=_data(session, step, "b")))
    if item_done(session, item.code):
        nav.append(Button(_("Next ▶"), callback_data=_data(session, step, "k")))
    else:
        nav.append(Button(_("Skip ▶"), callback_data=_data(session, step, "s")))
    rows.append(nav)
    return layout(rows)


def _review_screen(services: Services, session: Session) -> Screen:
    _ = translator(session.language)
    scored = sum(1 for s in session.scores.values() if s.method != "skip")
    text = "\n".join(
        [
            _header(session, session.language),
            "",
            escape(
                _("Scores given: {scored} of {total}").format(
                    scored=scored, total=2 * len(services.survey.items)
                )
            ),
            escape(
                _("People: {people} (women {women}, men {men})").format(
                    people=session.profile["people"],
                    women=session.profile["women"],
                    men=session.profile["men"],
                )
            ),
            "",
            escape(_("Tap Submit when the group is done.")),
        ]
    )
    keyboard = layout([[Button(_("✅ Submit"), callback_data=_data(session, "rv", "sub"))]])
    return Screen(text, keyboard)


def submitted_screen(session: Session) -> Screen:
    _ = translator(session.language)
    return Screen(
        "<b>"
        + escape(_("Group session {id} submitted. Thank the group!").format(id=session.pseudonym))
        + "</b>\n\n"
        + escape(_("Coordinators see it in the digest's Sessions sheet. /session starts another."))
    )


async def _reload(services: Services, session: Session) -> Session:
    fresh = await sessions.get_session(services.store, session.id)
    assert fresh is not None
    return fresh


async def _go(services: Services, session: Session, step: str) -> Session:
    """Point the session's live message at ``step``; the position needs no row."""
    target = None if step == position(services.survey, session) else step
    await sessions.set_shown(services.store, session.id, target, None)
    session.shown_step = target
    return session


async def apply(services: Services, session: Session, press: Press) -> Outcome:
    """A button press on the screen now shown (the caller checks that): store, then
    the next screen."""
    survey, store = services.survey, services.store
    _ = translator(session.language)
    step, value = press.step, press.value
    if step == "rv":
        if position(survey, session) != "rv":
            return Outcome(screen(services, session, shown(survey, session)))
        await sessions.submit(store, session.id, session.facilitator_id)
        return Outcome(submitted_screen(session), submitted=True)
    if step in PROFILE_STEPS:
        question_id, column = PROFILE_STEPS[step]
        question = survey.profile_question(question_id)
        assert question is not None
        await sessions.save_field(store, session.id, column, question.choices[int(value)].id)
        session = await _reload(services, session)
        return Outcome(screen(services, session, shown(survey, session)), alert=_("Saved"))
    if step in TEXT_STEPS:  # skip: keeps what is there, or stores an empty answer
        field = TEXT_STEPS[step]
        if session.texts[field] is None:
            await sessions.save_field(store, session.id, field, "")
        session = await _reload(services, session)
        return Outcome(screen(services, session, position(survey, session)))
    index = int(step[1:])
    section, item = survey.items[index]
    if value in {"hn", "hf"}:  # a row's label: say what the row is for
        kind = survey.kind(KINDS[value[1]])
        return Outcome(
            screen(services, session, step),
            alert=_("Tap a number on this row: {label}.").format(
                label=kind.heading(session.language)
            ),
        )
    if value == "x":  # the group's reasons for this indicator, removed
        await sessions.delete_note(store, session.id, item.code)
        session = await _reload(services, session)
        return Outcome(screen(services, session, step), alert=_("Reasons removed"))
    if value == "b":
        session = await _go(services, session, f"i{index - 1}")
        return Outcome(screen(services, session, f"i{index - 1}"))
    if value in {"s", "k"}:
        for kind in KINDS.values():
            if (item.code, kind) not in session.scores:
                await sessions.save_score(
                    store, session.id, item.code, kind, section.sdg, Score("skip", None, None)
                )
        session = await _reload(services, session)
        following = _following(survey, session, index)
        session = await _go(services, session, following)
        return Outcome(screen(services, session, following))
    kind = KINDS[value[0]]
    rating = None if value[1] == "d" else int(value[1])
    await sessions.save_score(
        store, session.id, item.code, kind, section.sdg, Score("consensus", rating, None)
    )
    session = await _go(services, await _reload(services, session), step)
    return Outcome(screen(services, session, step), alert=_("Saved"))


def _following(survey: Survey, session: Session, index: int) -> str:
    """The next indicator, but never past the first open step."""
    first_open = position(survey, session)
    keys = step_keys(survey)
    following = keys[keys.index(f"i{index}") + 1]
    if first_open == "rv":  # all answered: walk the indicators, then the review
        return following if following.startswith("i") else "rv"
    return following if keys.index(following) <= keys.index(first_open) else first_open


async def answer_text(
    services: Services, session: Session, text: str, message_id: int
) -> Outcome | None:
    """A typed line: the group's size, votes or a consensus, reasons, or a closing
    answer. ``None``: this message was already applied (delivered twice)."""
    if session.last_message_id is not None and message_id <= session.last_message_id:
        return None
    step = shown(services.survey, session)
    cleaned = clean_typed(text)
    if step == "pp":
        return await _answer_people(services, session, cleaned, message_id)
    if step in TEXT_STEPS:
        return await _answer_closing(services, session, step, cleaned, message_id)
    if not step.startswith("i"):
        _ = translator(session.language)
        return _again(services, session, _("Please answer with the buttons below the question."))
    if _NUMBERS_ONLY.match(cleaned):
        return await _answer_scores(services, session, int(step[1:]), cleaned, message_id)
    return await _answer_reasons(services, session, int(step[1:]), cleaned, message_id)


def _again(services: Services, session: Session, notice: str) -> Outcome:
    """The screen shown now, sent anew under a notice of what was wrong."""
    step = shown(services.survey, session)
    return Outcome(screen(services, session, step), notice=notice, fresh=True)


async def _answer_people(
    services: Services, session: Session, cleaned: str, message_id: int
) -> Outcome:
    """``pp``: three numbers, everyone, women and men."""
    _ = translator(session.language)
    numbers = cleaned.split()
    if len(numbers) != 3 or not all(n.isdigit() for n in numbers):
        return _again(
            services, session, _("Please type three numbers: everyone, women, men (e.g. 12 7 5).")
        )
    people, women, men = (int(n) for n in numbers)
    if not 1 <= people <= 1000 or women + men > people:
        return _again(
            services,
            session,
            _(
                "Everyone must be between 1 and 1000 and at least women plus men"
                " ({women} + {men}). Please type the three numbers again."
            ).format(women=women, men=men),
        )
    store = services.store
    await sessions.save_field(store, session.id, "women", women)
    await sessions.save_field(store, session.id, "men", men)
    await sessions.save_field(store, session.id, "people", people, message_id)
    session = await _reload(services, session)
    return Outcome(
        screen(services, session, shown(services.survey, session)), notice=_("Saved"), fresh=True
    )


async def _answer_closing(
    services: Services, session: Session, step: str, cleaned: str, message_id: int
) -> Outcome:
    """``tp`` / ``tr``: the group's priorities or recommendations, one message."""
    _ = translator(session.language)
    if not cleaned or utf16_len(cleaned) > MAX_TEXT:
        return _again(
            services,
            session,
            _("Please type the answer in one message of at most {limit} characters.").format(
                limit=MAX_TEXT
            ),
        )
    store = services.store
    await sessions.save_field(store, session.id, TEXT_STEPS[step], cleaned, message_id)
    session = await _reload(services, session)
    await sessions.set_shown(store, session.id, None, None)
    session.shown_step = None
    return Outcome(
        screen(services, session, position(services.survey, session)),
        notice=_("Saved"),
        fresh=True,
    )


async def _answer_scores(
    services: Services, session: Session, index: int, cleaned: str, message_id: int
) -> Outcome:
    """Digits on an indicator: a consensus or vote counts, for the open kind or both."""
    _ = translator(session.language)
    section, item = services.survey.items[index]
    people = session.profile["people"]
    scores = _typed_scores(cleaned)
    if isinstance(scores, str):  # a count that is no whole number from 0 to the group's size
        return _again(services, session, _not_a_count(scores, people, session.language))
    if scores is None:
        return _again(
            services,
            session,
            _(
                "Type one score (1-5, or ? for don't know) or six vote counts for 1, 2, 3, 4,"
                " 5 and don't know, e.g. 0 2 5 3 1 0; a / and a second line of counts for"
                " the forecast."
            ),
        )
    for score in scores:
        counted = sum(score.votes or ())
        if people is not None and counted > people:
            ngettext = plural_translator(session.language)
            return _again(
                services,
                session,
                ngettext(
                    "{votes} votes, but the group has 1 person. Please count again.",
                    "{votes} votes, but the group has {people} people. Please count again.",
                    people,
                ).format(votes=counted, people=people),
            )
    open_kinds = [k for k in KINDS.values() if (item.code, k) not in session.scores]
    kinds = list(KINDS.values()) if len(scores) == 2 else open_kinds[:1]
    if not kinds:
        return _again(
            services,
            session,
            _(
                "Both scores are given. To change them, tap a score, or type both (now / the"
                " forecast)."
            ),
        )
    for kind, score in zip(kinds, scores, strict=False):
        await sessions.save_score(
            services.store, session.id, item.code, kind, section.sdg, score, message_id
        )
    step = f"i{index}"
    session = await _go(services, await _reload(services, session), step)
    return Outcome(screen(services, session, step), notice=_("Saved"), fresh=True)


async def _answer_reasons(
    services: Services, session: Session, index: int, cleaned: str, message_id: int
) -> Outcome:
    """Any other text on an indicator: added to the group's reasons."""
    _ = translator(session.language)
    if utf16_len(cleaned) > MAX_TEXT:
        return _again(
            services,
            session,
            _("That message is too long: please keep it under {limit} characters.").format(
                limit=MAX_TEXT
            ),
        )
    item = services.survey.items[index][1]
    existing = session.notes.get(item.code)
    note = f"{existing}\n\n{cleaned}" if existing else cleaned
    await sessions.save_note(services.store, session.id, item.code, note, message_id)
    step = f"i{index}"
    session = await _go(services, await _reload(services, session), step)
    return Outcome(
        screen(services, session, step), notice=_("Saved as the group's reasons."), fresh=True
    )


def _not_a_count(token: str, people: int | None, language: str) -> str:
    _ = translator(language)
    if people is None:
        return _("Vote counts are whole numbers, 0 or more: “{token}” is not one.").format(
            token=token
        )
    return _(
        "Vote counts are whole numbers from 0 to {people} (the group's size):"
        " “{token}” is not one. Please type the six counts again."
    ).format(token=token, people=people)


def _typed_scores(text: str) -> list[Score] | str | None:
    """One or two scores: a consensus digit, or six vote counts, per kind; a token
    that is not a whole number (such as -1 or 1.5) is returned to be refused."""
    consensus = _CONSENSUS.match(text)
    if consensus:
        return [
            Score("consensus", None if digit in {"0", "?"} else int(digit), None)
            for digit in consensus.groups()
            if digit is not None
        ]
    parts = [p for p in re.split(r"[/\n]", text) if p.strip()]
    for token in text.replace("/", " ").split():
        if not _WHOLE.match(token) and token != "?":
            return token
    if not 1 <= len(parts) <= 2 or not all(_COUNTS.match(p) for p in parts):
        return None
    scores = [Score("votes", None, tuple(int(n) for n in p.split())) for p in parts]
    if any(sum(s.votes or ()) == 0 for s in scores):
        return None
    return scores
