"""Prices as traders type them: decimals (``99.5``) or 32nds (``99-16``, ``99-16+``, ``99-162``).

In the 32nds form the part after the dash is a whole number of 32nds (``00``..``31``), optionally followed by
``+`` (half a 32nd) or a single digit ``0``..``7`` giving eighths of a 32nd (``99-162`` = 99 + 16.25/32). Those
are the market's quoting conventions; anything else is refused with a message saying what was expected.
"""

from __future__ import annotations

import math
import re

from rmbs.errors import ValidationError

_THIRTYSECONDS = re.compile(r"^(?P<handle>\d+)-(?P<ticks>\d{1,2})(?P<frac>\+|[0-7])?$")
_DECIMAL = re.compile(r"^\d+(\.\d*)?$|^\.\d+$")
EXPECTED = "a decimal price (99.5) or 32nds (99-16, 99-16+, 99-162)"


def parse_price(text: str | float, field: str = "price") -> float:
    """A price per 100 of face from a decimal or a 32nds quotation; must be positive and finite."""
    if isinstance(text, int | float):
        value = float(text)
    else:
        s = text.strip().replace(" ", "")
        m = _THIRTYSECONDS.match(s)
        if m:
            ticks = int(m["ticks"])
            if len(m["ticks"]) == 1:
                raise ValidationError(
                    f"32nds must have two digits in {text!r}", field=field, expected=EXPECTED
                )
            if ticks >= 32:
                raise ValidationError(
                    f"{ticks} 32nds in {text!r} is not below 32", field=field, expected=EXPECTED
                )
            frac = m["frac"]
            eighths = 4 if frac == "+" else int(frac) if frac else 0
            value = int(m["handle"]) + (ticks + eighths / 8.0) / 32.0
        elif _DECIMAL.match(s):
            value = float(s)
        else:
            raise ValidationError(f"cannot read price {text!r}", field=field, expected=EXPECTED)
    if not math.isfinite(value) or value <= 0.0:
        raise ValidationError(f"price {text!r} is not positive", field=field, expected="a price above 0")
    return value


def format_32nds(price: float) -> str:
    """The nearest quotation in 32nds with eighths of a 32nd (``99-16+`` for 99.515625, ``99-162`` for 99.5078)."""
    total_eighths = round(price * 256.0)
    handle, rest = divmod(total_eighths, 256)
    ticks, eighths = divmod(rest, 8)
    if eighths == 0:
        return f"{handle}-{ticks:02d}"
    if eighths == 4:
        return f"{handle}-{ticks:02d}+"
    return f"{handle}-{ticks:02d}{eighths}"
