"""Write (or ``--check``) the shipped SDMX structure, reporting/sdmx/structure.xml.

    python tools/sdmx_structure.py          # after changing the survey's codes
    python tools/sdmx_structure.py --check  # exit 1 when the file is out of date

The structure is built from the shipped survey (``reporting.sdmx.structure``);
the header's preparation time is left out of the comparison.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sdmx

from reporting.sdmx.structure import SHIPPED, structure_message
from survey.model import load_survey

PREPARED = re.compile(rb"<mes:Prepared>[^<]*</mes:Prepared>")


def current() -> bytes:
    text = sdmx.to_xml(structure_message(load_survey()), pretty_print=True)
    return PREPARED.sub(b"<mes:Prepared>2026-01-01T00:00:00</mes:Prepared>", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = current()
    if args.check:
        if not SHIPPED.exists() or SHIPPED.read_bytes() != text:
            print(f"{SHIPPED}: out of date; run python tools/sdmx_structure.py", file=sys.stderr)
            return 1
        return 0
    SHIPPED.write_bytes(text)
    print(f"wrote {SHIPPED}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
