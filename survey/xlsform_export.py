"""A survey as an XLSForm workbook (KoboToolbox, ODK), and the convention both ways.

NGO data teams author surveys in Excel as XLSForm. The export writes a valid
XLSForm (pyxform converts it) that also holds everything the bot's survey
file holds, so export then import gives back the same survey. The
convention (README, "Surveys in Excel (XLSForm)"):

- ``settings``: ``form_id`` (the survey id), ``version``, ``form_title`` and
  ``title::…`` (the title in each language), ``default_language``.
- ``survey``: two ``calculate`` rows ``now_year`` and ``forecast_year`` hold
  the years (rating headings say ``${now_year}``, so Kobo shows the year too);
  ``note`` rows ``welcome``, ``here``, ``stem`` and ``sensitive_topics``; the profile questions (``select_one`` /
  ``select_multiple`` over a list named like the question, ``required``);
  one ``begin group`` per goal (custom ``sdg``, ``official_level``,
  ``official_source``) holding one ``begin group`` per indicator
  (``indicator_code``, label = statement, ``hint`` = the "ⓘ" text,
  ``official_name::…``, ``short::…`` = the review's short title, custom
  ``sensitive`` = ``yes``) with a ``select_one scale`` row per rating kind
  (custom ``rating`` = ``now`` / ``forecast``, ``hint`` = the row's question), and the goal's comment as a
  ``text`` row; then the closing questions (``select_multiple goals`` with
  ``count-selected(.) <= N``, or ``text``).
- ``choices``: ``scale`` (1-5 and ``dont_know``), one list per profile
  question (a sensitive question's list ends with ``prefer_not``), and
  ``goals`` (each goal's id and short title).
- A custom ``draft`` column on any sheet lists the draft translations of its
  row as ``column::language`` words, e.g. ``official_name::vi``.
"""

from __future__ import annotations

from pathlib import Path

from locales.i18n import translator
from survey.model import LANGUAGES, Item, Survey, Text

# The header of each language's columns: what Kobo shows in its language menu.
LANGUAGE_NAMES = {"vi": "Tiếng Việt (vi)", "en": "English (en)"}
PREFER_NOT = "prefer_not"
SCALE_LIST = "scale"
GOALS_LIST = "goals"
DONT_KNOW = "dont_know"
YEAR_FIELDS = {"now": "now_year", "forecast": "forecast_year"}
WELCOME = "welcome"
# Survey-wide texts kept as ``note`` rows named like their key in the survey file.
NOTES = (WELCOME, "here", "stem", "sensitive_topics")


def column(base: str, language: str) -> str:
    return f"{base}::{LANGUAGE_NAMES[language]}"


def _texts(base: str) -> list[str]:
    return [column(base, language) for language in LANGUAGES]


SURVEY_COLUMNS = [
    "type",
    "name",
    *_texts("label"),
    *_texts("hint"),
    "required",
    "relevant",
    "constraint",
    "appearance",
    "calculation",
    "rating",
    "sdg",
    "indicator_code",
    *_texts("official_name"),
    *_texts("short"),
    "sensitive",
    "official_level",
    "official_source",
    "draft",
]
CHOICES_COLUMNS = ["list_name", "name", *_texts("label"), "draft"]
SETTINGS_COLUMNS = [
    "form_id",
    "version",
    "form_title",
    *_texts("survey_title"),
    "default_language",
    "draft",
]
SHEETS = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS, "settings": SETTINGS_COLUMNS}


def max_choices_constraint(count: int) -> str:
    return f"count-selected(.) <= {count}"


# Kobo and ODK enforce what the bot's buttons already do: "prefer not to say" stands alone.
EXCLUSIVE_PREFER_NOT = f"not(selected(., '{PREFER_NOT}') and count-selected(.) > 1)"


def item_name(code: str) -> str:
    """An XML-safe name for an indicator code: 16.b.1 -> 16_b_1."""
    return code.replace(".", "_")


def rating_label(survey: Survey, kind: str, language: str) -> str:
    """The heading with the year as an XLSForm reference: "Now (${now_year})"."""
    return survey.kind(kind).label(language).replace("{year}", f"${{{YEAR_FIELDS[kind]}}}")


class _Rows:
    """Rows of one sheet as dicts by column name, with texts split into languages."""

    def __init__(self) -> None:
        self.rows: list[dict[str, object]] = []

    def add(self, texts: dict[str, Text | None] | None = None, **cells: object) -> None:
        row: dict[str, object] = {k: v for k, v in cells.items() if v is not None}
        drafts = []
        for base, text in (texts or {}).items():
            if text is None:
                continue
            for language in LANGUAGES:
                row[column(base, language)] = text(language)
            drafts.extend(f"{base}::{language}" for language in text.draft)
        if drafts:
            row["draft"] = " ".join(drafts)
        self.rows.append(row)


def _survey_rows(survey: Survey) -> list[dict[str, object]]:
    rows = _Rows()
    for kind in survey.rating_kinds:
        rows.add(type="calculate", name=YEAR_FIELDS[kind.id], calculation=str(kind.year))
    for note in NOTES:
        if (text := getattr(survey, note)) is not None:
            rows.add({"label": text}, type="note", name=note)
    for question in survey.profile:
        rows.add(
            {"label": question.prompt},
            type=f"{'select_multiple' if question.multiple else 'select_one'} {question.id}",
            name=question.id,
            required="yes",
            relevant=question.relevant,
            constraint=EXCLUSIVE_PREFER_NOT if question.sensitive and question.multiple else None,
        )
    for section in survey.sections:
        rows.add(
            {"label": section.title},
            type="begin group",
            name=section.id,
            sdg=section.sdg,
            relevant=section.relevant,
            official_level=section.official.level if section.official else None,
            official_source=section.official.source if section.official else None,
        )
        for item in section.items:
            _item_rows(rows, survey, item)
        if section.comment is not None:
            rows.add({"label": section.comment}, type="text", name=f"{section.id}_comment")
        rows.add(type="end group", name=section.id)
    for closing in survey.closing:
        if closing.kind == "pick_goals":
            rows.add(
                {"label": closing.prompt},
                type=f"select_multiple {GOALS_LIST}",
                name=closing.id,
                constraint=max_choices_constraint(closing.max_choices),
            )
        else:
            rows.add({"label": closing.prompt}, type="text", name=closing.id)
    return rows.rows


def _item_rows(rows: _Rows, survey: Survey, item: Item) -> None:
    """An indicator's group: its statement, then one scale row per rating kind."""
    rows.add(
        {"label": item.label, "hint": item.about, "official_name": item.name, "short": item.short},
        type="begin group",
        name=f"item_{item_name(item.code)}",
        indicator_code=item.code,
        sensitive="yes" if item.sensitive else None,
        relevant=item.relevant,
        appearance="field-list",
    )
    for kind in survey.rating_kinds:
        row_texts = Text(
            vi=rating_label(survey, kind.id, "vi"),
            en=rating_label(survey, kind.id, "en"),
            draft=kind.label.draft,
        )
        asked = kind.question
        question = (
            Text(
                vi=asked.vi.replace("{year}", f"${{{YEAR_FIELDS[kind.id]}}}"),
                en=asked.en.replace("{year}", f"${{{YEAR_FIELDS[kind.id]}}}"),
                draft=asked.draft,
            )
            if asked is not None
            else None
        )
        rows.add(
            {"label": row_texts, "hint": question},
            type=f"select_one {SCALE_LIST}",
            name=f"{kind.id}_{item_name(item.code)}",
            rating=kind.id,
        )
    rows.add(type="end group", name=f"item_{item_name(item.code)}")


def prefer_not_text() -> Text:
    """The bot's own words for "prefer not to say", from the UI catalogs."""
    return Text(**{language: translator(language)("Prefer not to say") for language in LANGUAGES})


def _choices_rows(survey: Survey) -> list[dict[str, object]]:
    rows = _Rows()
    for point in survey.scale.points:
        rows.add({"label": point.label}, list_name=SCALE_LIST, name=str(point.value))
    rows.add({"label": survey.scale.dont_know}, list_name=SCALE_LIST, name=DONT_KNOW)
    for question in survey.profile:
        for choice in question.choices:
            rows.add({"label": choice.label}, list_name=question.id, name=choice.id)
        if question.sensitive:
            rows.add({"label": prefer_not_text()}, list_name=question.id, name=PREFER_NOT)
    for section in survey.sections:
        rows.add({"label": section.short_title}, list_name=GOALS_LIST, name=section.id)
    return rows.rows


def _settings_rows(survey: Survey) -> list[dict[str, object]]:
    rows = _Rows()
    rows.add(
        {"survey_title": survey.title},
        form_id=survey.id,
        version=survey.version,
        form_title=survey.title("vi"),
        default_language=LANGUAGE_NAMES["vi"],
    )
    return rows.rows


def write_xlsform(survey: Survey, out: Path) -> None:
    """Write ``survey`` as an XLSForm workbook at ``out``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    contents = {
        "survey": _survey_rows(survey),
        "choices": _choices_rows(survey),
        "settings": _settings_rows(survey),
    }
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in contents[name]:
            # Every cell is text (a version "2026.2" stays "2026.2"), except numbers
            # Excel users type as numbers: goal numbers, levels.
            sheet.append([row.get(name_) for name_ in columns])
        sheet.freeze_panes = "C2" if name == "survey" else "A2"
    workbook.save(out)
