"""Exact cents arithmetic outside the interpreter (PSA Section 1.02: to the cent, half a cent rounded down): the
remittance and servicing figures and the clean-up call's inputs. The interpreter's own arithmetic is
:mod:`rmbs.waterfall.prim`."""

from __future__ import annotations

from decimal import ROUND_HALF_DOWN, Decimal

_ONE = Decimal(1)
HUNDRED = Decimal(100)


def rhd(value: Decimal) -> int:
    """Round a cents amount half down to a whole cent."""
    return int(value.quantize(_ONE, rounding=ROUND_HALF_DOWN))


def pct_of(cents: int, pct: Decimal) -> int:
    """``pct`` percent of an amount, rounded half down."""
    return rhd(Decimal(cents) * pct / HUNDRED)


def frac_of(cents: int, num: int, den: int) -> int:
    """``cents * num / den`` rounded half down, exactly."""
    if den == 0:
        return 0
    q, r = divmod(cents * num, den)
    if 2 * r > den:
        q += 1
    return q
