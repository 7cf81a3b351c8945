"""The settings sheet: the survey's id, version and title."""

from __future__ import annotations

from survey.xlsform_import.cells import Reader, Row

_SETTINGS_COLUMNS = {
    "form_id",
    "version",
    "form_title",
    "survey_title::vi",
    "survey_title::en",
    "default_language",
}


def read_settings(reader: Reader, rows: list[Row], data: dict) -> None:
    """Put ``id``, ``version`` and ``title`` into ``data`` from the first settings row."""
    if not rows:
        reader.error(None, None, "no settings row (form_id, version, …)", "settings")
        return
    row = rows[0]
    for extra in rows[1:]:
        reader.error(extra, None, "only the first settings row is read: delete this one")
    for key, name in (("id", "form_id"), ("version", "version")):
        if not row.get(name):
            reader.error(row, name, f"empty {name}")
        data[key] = row.get(name)
    data["title"] = reader.text(row, "survey_title", "survey title")
    title_vi = row.get("survey_title::vi")
    if row.get("form_title") and title_vi and row.get("form_title") != title_vi:
        reader.error(
            row, "form_title", "differs from the Vietnamese survey_title: keep them the same"
        )
    reader.only(row, _SETTINGS_COLUMNS, "settings")
