"""The survey sheet, walked row by row: years, welcome, profile, goals, closing questions.

Rows mean different things at different depths (outside the goals, in a
goal, in an indicator), so :class:`_Walk` keeps the stack of open groups and
hands each row to the reader for its depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from survey.xlsform_export import GOALS_LIST, NOTES, SCALE_LIST, YEAR_FIELDS
from survey.xlsform_import.cells import Reader, Row
from survey.xlsform_import.goals import (
    Frame,
    close_group,
    read_comment,
    read_goal,
    read_indicator,
    read_rating,
)
from survey.xlsform_import.questions import (
    read_closing_text,
    read_pick_goals,
    read_profile_question,
)

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
SELECT = re.compile(r"^(select_one|select_multiple|select one|select multiple)\s+(\S+)$")


def read_survey_sheet(
    reader: Reader, rows: list[Row], lists: dict[str, list[Row]], data: dict
) -> None:
    """Put the profile, sections, closing questions, welcome and rating kinds into ``data``."""
    data["profile"], data["sections"], data["closing"] = [], [], []
    walk = _Walk(reader, lists, data)
    for row in rows:
        walk.row(row)
    walk.finish()


@dataclass
class _Walk:
    """The walk's state: open groups, names and codes seen, years and headings.

    One class over 60 lines: every row's meaning depends on this shared state;
    each method reads one kind of row and is short.
    """

    reader: Reader
    lists: dict[str, list[Row]]
    data: dict
    names: dict[str, Row] = field(default_factory=dict)
    years: dict[str, int] = field(default_factory=dict)
    headings: dict[str, tuple[Row, dict | None, dict | None]] = field(default_factory=dict)
    stack: list[Frame] = field(default_factory=list)
    seen_goal: bool = False
    codes: dict[str, Row] = field(default_factory=dict)
    sdgs: dict[str, Row] = field(default_factory=dict)

    def row(self, row: Row) -> None:
        kind = row.get("type")
        if not kind:
            self.reader.error(row, "type", "empty type")
            return
        if kind != "end group":  # an end group may repeat its group's name
            self._name(row)
        select = SELECT.match(kind)
        level = self.stack[-1][0] if self.stack else "top"
        if level == "top":
            understood = self._top_row(row, kind, select)
        elif level == "section":
            understood = self._goal_row(row, kind)
        else:
            understood = self._indicator_row(row, kind, select)
        if not understood:
            self.reader.error(row, "type", self._misplaced(kind, level, row.get("name")))

    # -- rows at each depth ----------------------------------------------
    def _top_row(self, row: Row, kind: str, select: re.Match | None) -> bool:
        name = row.get("name")
        if kind == "calculate" and name in YEAR_FIELDS.values():
            self._year(row, name)
        elif kind == "note" and name in NOTES:
            self.reader.only(row, {"label::vi", "label::en"}, f"the {name} note")
            self.data[name] = self.reader.text(row, "label", name)
        elif select and select[2] == GOALS_LIST:
            read_pick_goals(self.reader, row, self.data, select[1])
        elif select and not self.seen_goal:
            profile = self.data["profile"]
            profile.append(read_profile_question(self.reader, self.lists, row, select, profile))
        elif kind == "text" and self.seen_goal:
            self.data["closing"].append(read_closing_text(self.reader, row))
        elif kind == "begin group":
            self.seen_goal = True
            if self.data["closing"]:
                self.reader.error(row, "type", "goals come before the closing questions")
            section = read_goal(self.reader, row, self.sdgs, self.data["profile"])
            self.data["sections"].append(section)
            self.stack.append(("section", row, section))
        else:
            return False
        return True

    def _goal_row(self, row: Row, kind: str) -> bool:
        if kind == "begin group":
            item = read_indicator(self.reader, row, self.codes, self.data["profile"])
            self.stack[-1][2]["items"].append(item)
            self.stack.append(("item", row, item))
        elif kind == "text":
            read_comment(self.reader, row, self.stack[-1][2])
        elif kind == "end group":
            close_group(self.reader, self.stack.pop())
        else:
            return False
        return True

    def _indicator_row(self, row: Row, kind: str, select: re.Match | None) -> bool:
        if select and select[2] == SCALE_LIST:
            read_rating(self.reader, row, self.stack[-1], self.headings)
        elif kind == "end group":
            close_group(self.reader, self.stack.pop())
        else:
            return False
        return True

    def _year(self, row: Row, name: str) -> None:
        self.reader.only(row, {"calculation"}, "a year row")
        try:
            self.years[name] = int(row.get("calculation"))
        except ValueError:
            self.reader.error(row, "calculation", "write the year, e.g. 2026")

    # -- names and misplaced rows ----------------------------------------
    def _name(self, row: Row) -> None:
        name = row.get("name")
        if not name:
            self.reader.error(row, "name", "empty name")
        elif not NAME.match(name):
            self.reader.error(
                row, "name", f"{name!r}: start with a letter; letters, digits, _ . - only"
            )
        elif name in self.names:
            self.reader.error(row, "name", f"{name!r} is already row {self.names[name].number}")
        else:
            self.names[name] = row

    def _misplaced(self, kind: str, level: str, name: str) -> str:
        where = {
            "top": "outside the goals",
            "section": "in a goal, outside an indicator",
            "item": "in an indicator",
        }[level]
        if kind == "end group":
            return "an 'end group' without its 'begin group'"
        if SELECT.match(kind) and level == "top" and self.seen_goal:
            return "profile questions come before the first goal"
        if kind == "text" and level == "top":
            return "free-text questions come after the goals (closing questions)"
        if kind == "calculate":
            return f"only the calculate rows {' and '.join(YEAR_FIELDS.values())} are understood"
        return f"the bot does not understand a {kind!r} row {where} (see the convention in docs/survey-authors.md)"

    # -- after the last row ----------------------------------------------
    def finish(self) -> None:
        for _level, row, _data in self.stack:
            self.reader.error(row, "type", "this group has no 'end group' row")
        self._check_years()
        self.data["rating_kinds"] = [
            {
                "id": kind_id,
                "year": self.years.get(field_name, 0),
                "label": self.headings.get(kind_id, (None, None, None))[1],
                **(
                    {"question": question}
                    if (question := self.headings.get(kind_id, (None, None, None))[2])
                    else {}
                ),
            }
            for kind_id, field_name in YEAR_FIELDS.items()
        ]
        for kind_id in YEAR_FIELDS:
            if kind_id not in self.headings:
                self.reader.error(
                    None, None, f"no '{kind_id}' rating row in any indicator", "survey"
                )

    def _check_years(self) -> None:
        years = self.years
        for kind_id, field_name in YEAR_FIELDS.items():
            if field_name not in years:
                self.reader.error(
                    None,
                    None,
                    f"no 'calculate' row named {field_name} (the {kind_id} year)",
                    "survey",
                )
        if len(years) == 2 and years["forecast_year"] <= years["now_year"]:
            self.reader.error(
                self.names.get("forecast_year"),
                "calculation",
                f"the forecast year ({years['forecast_year']}) must come after the now year"
                f" ({years['now_year']})",
            )
