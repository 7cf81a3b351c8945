"""One meeting pack, end to end (blocking: callers run it in a thread)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reporting.meeting.content import Pack, build_content
from reporting.meeting.pdf import render_pdf
from reporting.meeting.workbook import render_workbook
from storage.actions import Action
from survey.model import Official, Survey


@dataclass(frozen=True, slots=True)
class MeetingPack:
    content: Pack
    pdf: bytes
    workbook: bytes

    def names(self) -> tuple[str, str]:
        day = self.content.made_on
        return f"meeting-pack-{day}.pdf", f"meeting-pack-{day}.xlsx"

    def write(self, folder: Path) -> list[Path]:
        folder.mkdir(parents=True, exist_ok=True)
        pdf_name, xlsx_name = self.names()
        paths = [folder / pdf_name, folder / xlsx_name]
        paths[0].write_bytes(self.pdf)
        paths[1].write_bytes(self.workbook)
        return paths


def build_pack(
    database: Path | str,
    survey: Survey,
    scope: Mapping[str, str],
    language: str,
    k: int,
    scope_label: str,
    actions: Sequence[Action] = (),
    overrides: Mapping[int, Official] | None = None,
) -> MeetingPack:
    content = build_content(database, survey, scope, language, k, scope_label, actions, overrides)
    return MeetingPack(content, render_pdf(content), render_workbook(content))
