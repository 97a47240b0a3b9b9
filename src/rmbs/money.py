"""Exact money: integer cents and the PSA's rounding rule.

Section 1.02 of both seed PSAs (2002-3 L1739-1742, 2000-2 L1612-1615): "All dollar amounts calculated hereunder
shall be rounded to the nearest penny with one-half of one penny being rounded down." That is ROUND_HALF_DOWN at
the cent. Amounts are carried as ``int`` cents; intermediate products use :class:`decimal.Decimal` so that no
binary floating point touches a paid amount.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_DOWN, Decimal, InvalidOperation, getcontext

getcontext().prec = 40

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def to_decimal(value: str | int | float | Decimal) -> Decimal:
    """Parse a money or rate string as printed in a filing ("$1,043,938.935", "6.500%", "(1)" is rejected)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = value.strip().replace("$", "").replace(",", "").replace("%", "").replace(" ", "")
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_half_down(amount: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Round to ``quantum`` with one-half rounded down (PSA Section 1.02)."""
    return amount.quantize(quantum, rounding=ROUND_HALF_DOWN)


def to_cents(amount: str | int | float | Decimal) -> int:
    """Dollars to integer cents under the PSA rule (half a cent rounds down)."""
    return int(round_half_down(to_decimal(amount)) * 100)


def cents_to_decimal(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def format_cents(cents: int, *, dollar_sign: bool = True) -> str:
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{'$' if dollar_sign else ''}{whole:,}.{frac:02d}"


def mul_rate_cents(cents: int, numerator: Decimal, denominator: Decimal = Decimal(1)) -> int:
    """``cents * numerator / denominator`` rounded half down to the cent, exactly."""
    value = Decimal(cents) * numerator / denominator
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_DOWN))


def monthly_interest_cents(balance_cents: int, annual_rate_pct: Decimal) -> int:
    """One 30/360 month of interest: balance x rate / 12, rounded half down (Section 1.02)."""
    return mul_rate_cents(balance_cents, annual_rate_pct, Decimal(1200))


def percentage_rounded_up(numerator: Decimal, denominator: Decimal, places: int = 6) -> Decimal:
    """A percentage "carried six places rounded up" (2002-3 L1486-1487; 2000-2 Senior Percentage).

    Returns the percentage (not the fraction) with ``places`` decimals, rounded toward +infinity.
    """
    if denominator == 0:
        return Decimal(0)
    pct = numerator * HUNDRED / denominator
    return pct.quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING)
