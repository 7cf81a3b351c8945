"""The README and docs/ match the code: migrations, required flags, a Quick start that pastes."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from cli.main import parser
from storage.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
# The contracts the README used to state now live in docs/: check them wherever they are.
DOCS = "\n".join(
    [README] + [page.read_text("utf-8") for page in sorted((ROOT / "docs").glob("*.md"))]
)


def test_every_migration_the_readme_names_exists() -> None:
    named = {int(n) for n in re.findall(r"\(migration (\d+)\)", DOCS)}
    assert named and named <= set(MIGRATIONS)


def test_quick_start_commands_paste_into_a_shell_as_written() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = [part.split("```", 1)[0] for part in section.split("```sh")[1:]]
    lines = [line for block in blocks for line in block.strip().splitlines() if line.strip()]
    # bash -n parses without running; a placeholder like <token> would be a redirection.
    for line in lines:
        assert subprocess.run(["bash", "-n", "-c", line]).returncode == 0, line
        assert "<" not in line and ">" not in line, line
    # Install, the playground (no token), the tests; the real-token run right after.
    order = ["pip install -e", "scorecard-bot playground", "python -m pytest -q",
             "export TELEGRAM_BOT_TOKEN=", "scorecard-bot run"]  # fmt: skip
    found = [next(i for i, line in enumerate(lines) if step in line) for step in order]
    assert found == sorted(found), lines
    assert "TELEGRAM_BOT_TOKEN" not in blocks[0]  # the first block needs no token


@pytest.mark.parametrize("kind", ["csv", "opensdg"])
def test_out_is_shown_as_required_because_it_is(kind: str) -> None:
    assert re.search(rf"scorecard-bot export --format {kind} --out [A-Z]+", DOCS)
    assert not re.search(rf"--format {kind} \[--out", DOCS)
    with pytest.raises(SystemExit) as failure:
        parser().parse_args(["export", "--format", kind])
    assert failure.value.code == 2


@pytest.mark.parametrize(
    ("usage", "argv"),
    [
        ("scorecard-bot survey export --format xlsform --out FORM.xlsx", ["survey", "export"]),
        ("scorecard-bot survey import FORM.xlsx --out SURVEY.toml", ["survey", "import", "f"]),
        ("scorecard-bot survey check FORM.xlsx\\|SURVEY.toml", ["survey", "check"]),
    ],
)
def test_the_survey_commands_are_documented_as_the_parser_wants_them(
    usage: str, argv: list[str]
) -> None:
    assert f"`{usage}`" in DOCS
    with pytest.raises(SystemExit) as failure:  # --out (or the file) is required, as shown
        parser().parse_args(argv)
    assert failure.value.code == 2
