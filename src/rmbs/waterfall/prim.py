"""Exact integer arithmetic for the compiled waterfall (PSA Section 1.02: to the cent, half a cent rounded down).

Amounts are int64 cents; a product of an amount and a scaled percentage can pass 63 bits, so products go through
128-bit intermediates (two int64 limbs). The divisors are below 2^62 (a plan's scales are checked when it is built).
Every function here is numba-compiled and also runs as plain Python (``NUMBA_DISABLE_JIT=1``) for the oracle tests.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

I64 = npt.NDArray[np.int64]


@njit(cache=True, inline="always")
def mul128(a: int, b: int) -> tuple[int, int]:
    """a * b for 0 <= a, b < 2^63 as ``(hi, lo)`` with value ``hi * 2^62 + lo`` and ``0 <= lo < 2^62`` (exact while
    the product is below 2^125, far beyond any amount in cents times a scaled percentage)."""
    # split into 31-bit limbs so every partial product fits in int64
    m = (1 << 31) - 1
    a0, a1, a2 = a & m, (a >> 31) & m, a >> 62
    b0, b1, b2 = b & m, (b >> 31) & m, b >> 62
    # value = sum c_k 2^(31k)
    c0 = a0 * b0
    c1 = a0 * b1 + a1 * b0
    c2 = a0 * b2 + a1 * b1 + a2 * b0
    c3 = a1 * b2 + a2 * b1
    c4 = a2 * b2
    # normalize to base 2^31 digits d0..d4
    d0 = c0 & m
    carry = c0 >> 31
    t = c1 + carry
    d1 = t & m
    carry = t >> 31
    t = c2 + carry
    d2 = t & m
    carry = t >> 31
    t = c3 + carry
    d3 = t & m
    carry = t >> 31
    d4 = c4 + carry
    # (hi, lo) with lo holding 62 bits (d0, d1) and hi the rest, value = hi * 2^62 + lo
    lo = d0 | (d1 << 31)
    hi = d2 | (d3 << 31) | (d4 << 62)
    return hi, lo


@njit(cache=True)
def muldiv(a: int, b: int, d: int) -> int:
    """``a * b / d`` rounded half down (a, b >= 0, d > 0), exact for products beyond 63 bits."""
    if a == 0 or b == 0:
        return 0
    if a <= 9_223_372_036_854_775_807 // b:
        p = a * b
        q = p // d
        r = p - q * d
        return q + 1 if 2 * r > d else q
    hi, lo = mul128(a, b)
    # a float estimate of the quotient (relative error ~1e-16), refined on the exact 128-bit remainder: each round
    # moves q by the float quotient of the remainder, so a few rounds reach 0 <= r < d for any d < 2^62
    q = int(float(a) * float(b) / float(d))
    for _ in range(8):
        if q < 0:
            q = 0
        h2, l2 = mul128(q, d)
        dh = hi - h2
        dl = lo - l2
        if -1 <= dh <= 1:
            r = dh * (1 << 62) + dl
            if 0 <= r < d:
                return q + 1 if 2 * r > d else q
        step = int((float(dh) * 4611686018427387904.0 + float(dl)) / float(d))
        if step == 0:
            step = 1 if (dh > 0 or (dh == 0 and dl > 0)) else -1
        q += step
    # long division of (hi * 2^62 + lo) by d, bit by bit from the top (d < 2^62 assumed)
    q = 0
    r = 0
    nbits = 62
    # first the hi part
    for i in range(62, -1, -1):
        r = (r << 1) | ((hi >> i) & 1)
        q = q << 1
        if r >= d:
            r -= d
            q |= 1
    for i in range(nbits - 1, -1, -1):
        r = (r << 1) | ((lo >> i) & 1)
        q = q << 1
        if r >= d:
            r -= d
            q |= 1
    return q + 1 if 2 * r > d else q


@njit(cache=True)
def lt128(a: int, b: int, c: int, d: int) -> bool:
    """a * b < c * d for non-negative int64 operands."""
    h1, l1 = mul128(a, b)
    h2, l2 = mul128(c, d)
    return h1 < h2 or (h1 == h2 and l1 < l2)


@njit(cache=True)
def ceil_div(a: int, b: int, d: int) -> int:
    """ceil(a * b / d)."""
    q = muldiv(a, b, d)  # half down
    # adjust to the ceiling: compare q * d with a * b
    if lt128(q, d, a, b):
        return q + 1
    # q may be one above the floor when rounding went up; ceil is q if q*d >= a*b and (q-1)*d < a*b
    if q > 0 and not lt128(q - 1, d, a, b):
        return q - 1
    return q


@njit(cache=True)
def zeroed_sum(w: I64, n: int, out: I64) -> int:
    """Clear ``out[:n]`` and return the sum of ``w[:n]`` (the start of both splits)."""
    wsum = 0
    for i in range(n):
        wsum += w[i]
        out[i] = 0
    return wsum


@njit(cache=True)
def split_capped(total: int, w: I64, n: int, out: I64) -> None:
    """Split ``total`` pro rata by integer weights: shares half down, overshoot taken back from the largest."""
    wsum = zeroed_sum(w, n, out)
    if total <= 0 or wsum <= 0:
        return
    s = 0
    for i in range(n):
        out[i] = muldiv(total, w[i], wsum)
        s += out[i]
    over = s - total
    if over <= 0:
        return
    # order by share descending, stable by index; cycle taking one cent from each positive share
    order = np.argsort(-out[:n], kind="mergesort")
    k = 0
    while over > 0:
        i = order[k % n]
        if out[i] > 0:
            out[i] -= 1
            over -= 1
        k += 1


@njit(cache=True)
def split_exact(total: int, w: I64, n: int, out: I64) -> None:
    """Split ``total`` pro rata by integer weights so the shares add up to it exactly: largest remainder, ties to the lower index."""
    wsum = zeroed_sum(w, n, out)
    if total <= 0 or wsum <= 0:
        return
    rem = np.zeros(n, dtype=np.int64)
    s = 0
    for i in range(n):
        q = muldiv(total, w[i], wsum)  # half down: the floor or one above it
        if lt128(total, w[i], q, wsum):
            q -= 1
        out[i] = q
        s += q
    rest = total - s
    if rest <= 0:
        return
    # remainders exactly: r_i = total*w_i - q_i*wsum < wsum, so they fit in int64 as long as wsum does
    for i in range(n):
        h1, l1 = mul128(total, w[i])
        h2, l2 = mul128(out[i], wsum)
        # difference is < wsum < 2^62, so the high parts differ by at most one
        if h1 == h2:
            rem[i] = l1 - l2
        else:
            rem[i] = (l1 + (1 << 62)) - l2
    order = np.argsort(-rem, kind="mergesort")
    for k in range(rest):
        out[order[k]] += 1


@njit(cache=True)
def allocate_capped(total: int, w: I64, caps: I64, n: int, out: I64) -> None:
    """Split ``total`` pro rata by ``w`` with each share capped, the excess shared again."""
    for i in range(n):
        out[i] = 0
    cap_sum = 0
    for i in range(n):
        cap_sum += caps[i]
    left = min(total, cap_sum)
    live = np.zeros(n, dtype=np.int64)
    nl = 0
    for i in range(n):
        if caps[i] > 0:
            live[nl] = i
            nl += 1
    ww = np.zeros(max(n, 1), dtype=np.int64)
    sh = np.zeros(max(n, 1), dtype=np.int64)
    while left > 0 and nl > 0:
        for j in range(nl):
            i = live[j]
            ww[j] = w[i] if w[i] > 0 else caps[i]
        split_exact(left, ww, nl, sh)
        moved = 0
        for j in range(nl):
            i = live[j]
            take = min(sh[j], caps[i] - out[i])
            out[i] += take
            moved += take
        left -= moved
        k = 0
        for j in range(nl):
            i = live[j]
            if out[i] < caps[i]:
                live[k] = i
                k += 1
        nl = k
        if moved == 0:
            break


@njit(cache=True)
def pay(c: int, amount: int, bal: I64, prin: I64) -> int:
    """Pay class ``c`` up to ``amount`` of principal, at most its balance; returns what was paid."""
    p = min(amount, bal[c])
    if p > 0:
        bal[c] -= p
        prin[c] += p
        return p
    return 0


@njit(cache=True)
def pay_pro_rata(cls: I64, ncls: int, amount: int, bal: I64, prin: I64) -> int:
    """Pay ``amount`` of principal to the live classes of ``cls`` pro rata on their balances, every cent placed
    (largest remainder, each capped at its balance); returns what was paid (less only when all retire)."""
    w = np.zeros(max(ncls, 1), dtype=np.int64)
    out = np.zeros(max(ncls, 1), dtype=np.int64)
    for j in range(ncls):
        w[j] = bal[cls[j]] if bal[cls[j]] > 0 else 0
    allocate_capped(amount, w, w, ncls, out)
    paid = 0
    for j in range(ncls):
        paid += pay(cls[j], out[j], bal, prin)
    return paid
