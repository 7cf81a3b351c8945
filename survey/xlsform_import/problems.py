"""What is wrong with a workbook, and where: sheet, row and column as Excel numbers them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None  # the header, e.g. "label::English (en)"
    letter: str | None  # Excel's column letter
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.letter} ({self.column})"
        return f"{'warning' if self.warning else 'error'}: {where}: {self.message}"


class XLSFormError(Exception):
    """The workbook does not follow the convention: every problem found."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(str(p) for p in problems))
