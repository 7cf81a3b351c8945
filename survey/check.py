"""``survey check``: everything wrong or unfinished in a survey, as a list.

A coordinator about to send a reworded survey wants every problem at once
(missing translations, empty labels, duplicate codes, years in the wrong
order) and the drafts still awaiting a native speaker, not the first error
only. Works on a survey file (TOML) and on an XLSForm workbook; an XLSForm's
findings name the sheet, row and column.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from survey.model import LANGUAGES, Survey, validation_problems


@dataclass(frozen=True)
class Finding:
    warning: bool
    text: str  # "where: what"

    def __str__(self) -> str:
        return f"{'warning' if self.warning else 'error'}: {self.text}"


def check_survey_file(path: Path) -> list[Finding]:
    """Errors and warnings of an XLSForm (``.xlsx``) or a survey file (anything else)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _check_xlsform(path)
    return _check_toml(path)


def _check_xlsform(path: Path) -> list[Finding]:
    from survey.xlsform_import import XLSFormError, read_xlsform

    try:
        _survey, warnings = read_xlsform(path)
    except XLSFormError as error:
        problems = error.problems
    else:
        problems = warnings
    return [Finding(p.warning, str(p).split(": ", 1)[1]) for p in problems]


def _check_toml(path: Path) -> list[Finding]:
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        return [Finding(False, f"cannot read the file: {exc.strerror}")]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return [Finding(False, f"not valid UTF-8 TOML: {exc}")]
    data.pop("content_hash", None)
    findings = _lint(data)
    reported = {f.text.split(": ", 1)[0] for f in findings if not f.warning}
    try:
        Survey.model_validate(data)
    except ValidationError as exc:
        for problem in validation_problems(data, exc):
            where, _, _message = problem.partition(": ")
            if any(where.startswith(place) for place in reported):
                continue  # already said in plainer words
            if not _message and reported:
                continue  # a whole-survey rule the list already names
            findings.append(Finding(False, problem))
    return findings


def _lint(data: dict) -> list[Finding]:
    """Texts, codes and years, walked over the raw file so every problem shows at once."""
    findings: list[Finding] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if node and set(node) <= {"vi", "en", "draft"} and set(node) & {"vi", "en"}:
                text(node, where)
                return
            for key, child in node.items():
                walk(child, f"{where}.{key}" if where else key)
        elif isinstance(node, list):
            for index, child in enumerate(node):
                key = child.get("code") or child.get("id") if isinstance(child, dict) else None
                walk(child, f"{where}[{key if key is not None else index}]")

    def text(node: dict, where: str) -> None:
        values = {language: node.get(language) for language in LANGUAGES}
        if not any(isinstance(v, str) and v.strip() for v in values.values()):
            findings.append(Finding(False, f"{where}: empty label (give it in vi and en)"))
            return
        for language, value in values.items():
            if not (isinstance(value, str) and value.strip()):
                findings.append(Finding(False, f"{where}.{language}: missing translation"))
        for language in node.get("draft") or []:
            findings.append(Finding(True, f"{where}.{language}: draft translation"))

    walk(data, "")
    codes: dict[str, str] = {}
    for section in data.get("sections") or []:
        for item in section.get("items") or [] if isinstance(section, dict) else []:
            code = item.get("code") if isinstance(item, dict) else None
            if not code:
                continue
            where = f"sections[{section.get('id')}].items[{code}]"
            if code in codes:
                findings.append(Finding(False, f"{where}: duplicate code (also {codes[code]})"))
            else:
                codes[code] = where
    years = {
        kind.get("id"): kind.get("year")
        for kind in data.get("rating_kinds") or []
        if isinstance(kind, dict)
    }
    now, forecast = years.get("now"), years.get("forecast")
    if isinstance(now, int) and isinstance(forecast, int) and forecast <= now:
        findings.append(
            Finding(
                False,
                f"rating_kinds[forecast].year: the forecast year ({forecast}) must come after"
                f" the now year ({now})",
            )
        )
    return findings
