"""The documentation builds: mkdocs --strict without a warning, every page in the nav,
and a README short enough to read (the rest is in docs/)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README_MAX_LINES = 250


def test_mkdocs_builds_strict_without_warnings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output, output
    assert (tmp_path / "site" / "index.html").is_file()


def test_the_readme_is_short() -> None:
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_every_docs_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    nav = config.split("\nnav:", 1)[1]
    listed = set(re.findall(r":\s*([\w./-]+\.md)\s*$", nav, flags=re.MULTILINE))
    pages = {page.relative_to(DOCS).as_posix() for page in DOCS.rglob("*.md")}
    assert pages, "docs/ has no pages"
    assert pages == listed, (
        f"not in the nav: {sorted(pages - listed)}; in the nav but missing: {sorted(listed - pages)}"
    )


def test_the_readme_links_every_docs_page() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for page in DOCS.rglob("*.md"):
        if page.name != "index.md":
            assert f"(docs/{page.relative_to(DOCS).as_posix()}" in readme, page.name
