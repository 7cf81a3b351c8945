"""How published numbers protect small groups: the one home of the disclosure settings.

``bot.config`` reads them once (``[digest] min_cell``) into a :class:`Disclosure`;
the bot, the command line and every output (digests, /results, exports) take
``k`` from that object, never from the configuration themselves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Disclosure:
    """``k``: a group of fewer people than this is never shown on its own, and
    nothing is shown that would let one work it out (secondary suppression);
    the anonymised export's combinations are shared by at least ``k`` people."""

    k: int = 5
