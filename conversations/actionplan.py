"""A coordinator's action plan in chat: the list, one action, a new one step by step.

No syntax to learn: indicators are buttons (the lowest-scoring ones of the
coordinator's digest, or codes typed), then four short typed answers (the
issue, what was agreed, the responsible organisation, its role) and the due
date, then a summary to save or cancel. Every typed answer is checked here;
a wrong one gets the reason and the same question again. Knows no Telegram.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from html import escape

from conversations.callbacks import action_data
from conversations.keyboard import Button, layout
from conversations.screens import Screen
from locales.dates import format_day
from locales.i18n import Translate, plural_translator, translator
from storage.actions import NEXT, Action, NewAction
from survey.model import Survey

STEPS = ("codes", "issue", "agreed", "organisation", "role", "due", "confirm")
MAX_TEXT = 500
MAX_LISTED = 20  # the list shows the latest; the XLSX export has them all


@dataclass(frozen=True, slots=True)
class Draft:
    """A new action being entered: the step it is at and what it holds so far."""

    scope: str  # the coordinator's scope as JSON
    round_id: str
    offered: tuple[str, ...]  # indicator codes offered as buttons
    step: str = "codes"
    codes: tuple[str, ...] = ()
    values: dict[str, str] = field(default_factory=dict)

    def to_action(self, today: date) -> NewAction:
        v = self.values
        return NewAction(
            self.round_id, self.scope, v["issue"], v["agreed"], v["organisation"],
            v.get("role", ""), v["due"], self.codes, today.isoformat(),
        )  # fmt: skip


def draft_to_json(draft: Draft) -> str:
    """What ``storage.actions.put_draft`` keeps between a coordinator's messages."""
    return json.dumps(
        {"scope": draft.scope, "round_id": draft.round_id, "offered": list(draft.offered),
         "step": draft.step, "codes": list(draft.codes), "values": draft.values},
        ensure_ascii=False,
    )  # fmt: skip


def draft_from_json(text: str | None) -> Draft | None:
    """The stored draft, or None for none or one this version cannot read."""
    if text is None:
        return None
    try:
        data = json.loads(text)
        draft = Draft(
            str(data["scope"]), str(data["round_id"]), tuple(map(str, data["offered"])),
            str(data["step"]), tuple(map(str, data["codes"])),
            {str(k): str(v) for k, v in dict(data["values"]).items()},
        )  # fmt: skip
    except (ValueError, KeyError, TypeError):
        return None
    return draft if draft.step in STEPS else None


def status_label(_: Translate, status: str) -> str:
    return {
        "agreed": _("Agreed"),
        "in_progress": _("In progress"),
        "done": _("Done"),
        "dropped": _("Dropped"),
    }[status]


def list_screen(language: str, listed: Sequence[Action]) -> Screen:
    _ = translator(language)
    shown = list(listed)[-MAX_LISTED:]
    if not shown:
        text = _("<b>Action plan</b>\nNo actions yet. Add the first one agreed at the meeting.")
    else:
        ngettext = plural_translator(language)
        count = ngettext(
            "<b>Action plan</b> (1 action)", "<b>Action plan</b> ({count} actions)", len(listed)
        )
        lines = [count.format(count=len(listed))]
        for action in shown:
            lines.append(
                _("#{id} {codes}: {agreed} — {organisation}, by {due} ({status})").format(
                    id=action.id,
                    codes=", ".join(action.codes),
                    agreed=escape(action.agreed),
                    organisation=escape(action.organisation),
                    due=_day(action.due_on, language),
                    status=status_label(_, action.status),
                )
            )
        text = "\n".join(lines)
    rows = [[Button(f"#{a.id} {', '.join(a.codes)}", action_data("v", a.id))] for a in shown]
    rows.append([Button(_("➕ New action"), action_data("n"))])
    return Screen(text, layout(rows))


def _day(iso: str, language: str) -> str:
    """A stored date (YYYY-MM-DD) as the language writes it: 31/03/2027, 31 Mar 2027."""
    try:
        return format_day(date.fromisoformat(iso), language)
    except ValueError:
        return iso


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def action_screen(language: str, survey: Survey, action: Action) -> Screen:
    _ = translator(language)
    titles = [
        f"{code} {escape(survey.item_by_code[code][1].title(language))}"
        if code in survey.item_by_code
        else code
        for code in action.codes
    ]
    dates = [_("agreed on {date}").format(date=_day(action.agreed_on, language))]
    for label, value in (
        (_("started on {date}"), action.started_on),
        (_("done on {date}"), action.done_on),
        (_("dropped on {date}"), action.dropped_on),
    ):
        if value:
            dates.append(label.format(date=_day(value, language)))
    lines = [
        _("<b>Action #{id}</b> ({status})").format(
            id=action.id, status=status_label(_, action.status)
        ),
        _("Indicators: {codes}").format(codes="; ".join(titles)),
        _("Issue: {issue}").format(issue=escape(action.issue)),
        _("Agreed: {agreed}").format(agreed=escape(action.agreed)),
        _("Responsible: {organisation} ({role})").format(
            organisation=escape(action.organisation), role=escape(action.role or "—")
        ),
        _("Due: {due}").format(due=_day(action.due_on, language)),
        _capitalised(", ".join(dates)),
    ]
    if action.evidence:
        lines.append(_("Evidence: {evidence}").format(evidence=escape(action.evidence)))
    labels = {
        "in_progress": _("▶️ In progress"),
        "done": _("✅ Done"),
        "dropped": _("✖️ Dropped"),
    }
    steps = [Button(labels[s], action_data("t", action.id, s)) for s in NEXT[action.status]]
    rows = [steps] if steps else []
    rows.append([Button(_("📝 Add an evidence note"), action_data("e", action.id))])
    rows.append([Button(_("‹ All actions"), action_data("l"))])
    return Screen("\n".join(lines), layout(rows))


def evidence_draft(action_id: int) -> str:
    """The stored draft while an evidence note for an action is being typed."""
    return json.dumps({"evidence_for": action_id})


def evidence_target(text: str | None) -> int | None:
    """The action an evidence note is being typed for, if that is the stored draft."""
    try:
        data = json.loads(text or "")
        target = data["evidence_for"] if isinstance(data, dict) else None
    except (ValueError, KeyError):
        return None
    return target if isinstance(target, int) and not isinstance(target, bool) else None


def evidence_screen(language: str, action: Action, problem: str = "") -> Screen:
    _ = translator(language)
    head = f"⚠️ {escape(problem)}\n\n" if problem else ""
    text = head + _(
        "<b>Evidence for action #{id}</b>\nType what was done and where it can be seen"
        " (a report, a photo at the commune office, a meeting's minutes). Do not write"
        " anyone's name."
    ).format(id=action.id)
    return Screen(text, layout([[Button(_("Cancel"), action_data("x"))]]))


def check_evidence(language: str, text: str) -> tuple[str, str]:
    """(the note, "") or ("", why it cannot be kept)."""
    _ = translator(language)
    note = " ".join(text.split())
    if len(note) < 2:
        return "", _("Please type a short answer.")
    if len(note) > MAX_TEXT:
        return "", _("Please keep it under {limit} characters.").format(limit=MAX_TEXT)
    return note, ""


def draft_screen(language: str, survey: Survey, draft: Draft, problem: str = "") -> Screen:
    """The question of the draft's step (with the reason first when an answer was wrong)."""
    _ = translator(language)
    cancel = Button(_("Cancel"), action_data("x"))
    head = f"⚠️ {escape(problem)}\n\n" if problem else ""
    if draft.step == "codes":
        chosen = ", ".join(draft.codes) or "—"
        text = head + _(
            "<b>New action (1/6)</b>\nWhich indicators is it about? Tap them (the lowest"
            " scores of your digest first), or type codes such as 1.1.1, 4.1.1.\nChosen: {chosen}"
        ).format(chosen=chosen)
        index = {code: n for n, (_s, item) in enumerate(survey.items) for code in [item.code]}
        buttons = [
            Button(
                ("✓ " if code in draft.codes else "")
                + f"{code} {survey.item_by_code[code][1].title(language, 24)}",
                action_data("c", index[code]),
            )
            for code in draft.offered
            if code in index
        ]
        rows: list[list[Button]] = [[b] for b in buttons]
        last = [cancel]
        if draft.codes:
            last.append(Button(_("Next ›"), action_data("k")))
        rows.append(last)
        return Screen(text, layout(rows))
    if draft.step == "confirm":
        v = draft.values
        text = head + _(
            "<b>New action: check and save</b>\nIndicators: {codes}\nIssue: {issue}\n"
            "Agreed: {agreed}\nResponsible: {organisation} ({role})\nDue: {due}"
        ).format(
            codes=", ".join(draft.codes), issue=escape(v["issue"]), agreed=escape(v["agreed"]),
            organisation=escape(v["organisation"]), role=escape(v.get("role") or "—"),
            due=_day(v["due"], language),
        )  # fmt: skip
        return Screen(text, layout([[cancel, Button(_("💾 Save"), action_data("y"))]]))
    questions = {
        "issue": _("<b>New action (2/6)</b>\nWhat is the issue, in a sentence?"),
        "agreed": _("<b>New action (3/6)</b>\nWhat was agreed at the meeting?"),
        "organisation": _(
            "<b>New action (4/6)</b>\nWhich organisation is responsible (e.g. the commune"
            " People's Committee, the school)?"
        ),
        "role": _(
            "<b>New action (5/6)</b>\nWhich role there (e.g. vice-chair, head teacher)?"
            " Type - if none."
        ),
        "due": _("<b>New action (6/6)</b>\nBy when? Type the date as YYYY-MM-DD or DD/MM/YYYY."),
    }
    return Screen(head + questions[draft.step], layout([[cancel]]))


def toggle(draft: Draft, code: str) -> Draft:
    codes = tuple(c for c in draft.codes if c != code)
    if code not in draft.codes:
        codes = (*draft.codes, code)
    return replace(draft, codes=codes)


def next_step(draft: Draft) -> Draft:
    return replace(draft, step=STEPS[STEPS.index(draft.step) + 1])


_DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def parse_date(text: str) -> date | None:
    text = text.strip()
    try:
        if match := _DAY_FIRST.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
        return date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
    except ValueError:
        return None


def apply_text(
    language: str, survey: Survey, draft: Draft, text: str, today: date
) -> tuple[Draft, str]:
    """A typed answer to the draft's step: the next draft, or the same and the reason."""
    _ = translator(language)
    text = text.strip()
    if draft.step == "codes":
        codes = [c for c in re.split(r"[,;\s]+", text) if c]
        unknown = [c for c in codes if c not in survey.item_by_code]
        if not codes or unknown:
            return draft, _("Unknown indicator code: {codes}. Codes look like 1.1.1.").format(
                codes=", ".join(unknown) or text
            )
        return next_step(replace(draft, codes=tuple(dict.fromkeys([*draft.codes, *codes])))), ""
    if draft.step == "confirm":
        return draft, _("Tap Save or Cancel.")
    if draft.step == "due":
        due = parse_date(text)
        if due is None:
            return draft, _("That is not a date: type it as YYYY-MM-DD or DD/MM/YYYY.")
        if due < today:
            return draft, _("{date} is in the past: type a date from today on.").format(
                date=due.isoformat()
            )
        return next_step(replace(draft, values={**draft.values, "due": due.isoformat()})), ""
    if not text or (draft.step != "role" and len(text) < 2):
        return draft, _("Please type a short answer.")
    if len(text) > MAX_TEXT:
        return draft, _("Please keep it under {limit} characters.").format(limit=MAX_TEXT)
    value = "" if draft.step == "role" and text == "-" else text
    return next_step(replace(draft, values={**draft.values, draft.step: value})), ""
