"""One rounding rule for every number a person reads: half up, as taught at school.

Python's ``round``, NumPy/pandas ``round`` and Babel all round half to even
(3.25 → 3.2 but 2.75 → 2.8), so the same kind of number would round two ways.
Everything shown or published goes through ``half_up`` or ``format_number``.
Floats are read by their shortest decimal form (``repr``), so 2.675 is 2.675.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
from babel.numbers import format_decimal


def half_up(value: float, digits: int) -> float:
    """``value`` rounded to ``digits`` decimals, halves away from zero."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def half_up_array(values: Any, digits: int) -> Any:
    """``half_up`` over a NumPy array or pandas Series (NaN stays NaN)."""
    scale = 10.0**digits
    # The tiny nudge puts 2.675 (stored as 2.67499…) back on its decimal half.
    return np.sign(values) * np.floor(np.abs(values) * scale + 0.5 + 1e-9) / scale


def format_number(value: float, language: str, digits: int = 1, sign: bool = False) -> str:
    """``value`` with ``digits`` decimals in the language's notation (3,3 in Vietnamese)."""
    pattern = "0." + "0" * digits if digits else "0"
    with decimal.localcontext() as context:
        context.rounding = ROUND_HALF_UP  # Babel quantizes in the current context
        text = format_decimal(Decimal(repr(float(value))), format=pattern, locale=language)
    if not text.lstrip("-").strip("0,."):  # −0.04 reads 0.0, not -0.0
        return text.lstrip("-")
    if sign and not text.startswith("-"):
        return "+" + text
    return text
