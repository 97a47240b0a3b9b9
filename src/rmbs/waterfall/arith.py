"""Exact cents arithmetic for the waterfall (PSA Section 1.02: to the cent, half a cent rounded down)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_HALF_DOWN, Decimal

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


def percentage_up(num: int, den: int, places: int = 6) -> Decimal:
    """``num / den`` as a percentage carried ``places`` decimals, rounded up (Senior and Priority Percentages)."""
    if den <= 0:
        return Decimal(0)
    return (Decimal(num) * HUNDRED / Decimal(den)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_CEILING
    )


def fraction_up(num: int, den: int, places: int = 6) -> Decimal:
    """The alternative reading: the fraction (not the percentage) carried ``places`` decimals, rounded up."""
    if den <= 0:
        return Decimal(0)
    return (Decimal(num) / Decimal(den)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_CEILING
    ) * HUNDRED


def mul_div(value: int, num: int, den: int) -> int:
    """``value * num / den`` for integers, rounded half down -- the exact form of ``rhd(Decimal(value) * num /
    den)`` (the hot loop's arithmetic: no Decimal objects)."""
    q, r = divmod(value * num, den)
    return q + 1 if 2 * r > den else q


def _all_int(weights: Sequence[int | Decimal]) -> bool:
    return all(type(w) is int for w in weights)


def split_capped(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` pro rata by ``weights``: each share rounded half down; never more than ``total`` in all.

    Half-down rounding of each share can overshoot the total by a cent or two; the overshoot is taken back from
    the largest shares. What rounding leaves unassigned stays with the caller (it falls to the next step).
    """
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    if _all_int(weights):
        shares = [mul_div(total, int(w), int(wsum)) for w in weights]
    else:
        shares = [rhd(Decimal(total) * Decimal(w) / Decimal(wsum)) for w in weights]
    if sum(shares) <= total:
        return shares
    over = sum(shares) - total
    order = sorted(range(len(shares)), key=lambda i: -shares[i])
    k = 0
    while over > 0:
        i = order[k % len(order)]
        if shares[i] > 0:
            shares[i] -= 1
            over -= 1
        k += 1
    return shares


def split_exact(total: int, weights: Sequence[int | Decimal]) -> list[int]:
    """Split ``total`` pro rata by ``weights`` so that the shares add up to ``total`` exactly (largest remainder).

    Used where the PSA allocates a shortfall "pro rata" and every cent must land on some class.
    """
    wsum = sum(weights)
    if total <= 0 or wsum <= 0:
        return [0] * len(weights)
    if _all_int(weights):
        isum = int(wsum)
        parts = [divmod(total * int(w), isum) for w in weights]
        ifloors = [q for q, _ in parts]
        irest = total - sum(ifloors)
        if irest == 0:
            return ifloors
        iorder = sorted(range(len(parts)), key=lambda i: (-parts[i][1], i))
        for i in iorder[:irest]:
            ifloors[i] += 1
        return ifloors
    raw = [Decimal(total) * Decimal(w) / Decimal(wsum) for w in weights]
    floors = [int(x) for x in raw]
    rest = total - sum(floors)
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def allocate_capped(total: int, weights: Sequence[int], caps: Sequence[int]) -> list[int]:
    """Split ``total`` pro rata by ``weights`` with each share capped (a class cannot lose more than its balance);
    what a capped share cannot take goes to the others, again pro rata. The shares add up to
    ``min(total, sum(caps))`` exactly."""
    n = len(weights)
    out = [0] * n
    left = min(total, sum(caps))
    live = [i for i in range(n) if caps[i] > 0]
    while left > 0 and live:
        w = [weights[i] if weights[i] > 0 else caps[i] for i in live]
        shares = split_exact(left, w)
        moved = 0
        for i, sh in zip(live, shares, strict=True):
            take = min(sh, caps[i] - out[i])
            out[i] += take
            moved += take
        left -= moved
        live = [i for i in live if out[i] < caps[i]]
        if moved == 0:
            break
    return out
