"""The interpreter's integer primitives against Python's unbounded integers (Section 1.02: half a cent rounded
down), over random operands that reach every path: products below and beyond 63 bits, divisors below and beyond
2^52 (where a float quotient is no longer exact)."""

from __future__ import annotations

import random

import numpy as np

from rmbs.waterfall.prim import allocate_capped, ceil_div, lt128, muldiv, split_exact


def half_down(a: int, b: int, d: int) -> int:
    q, r = divmod(a * b, d)
    return q + 1 if 2 * r > d else q


def operands(rng: random.Random, n: int) -> list[tuple[int, int, int]]:
    out = []
    for _ in range(n):
        a = rng.randrange(0, 1 << rng.choice((20, 40, 50, 62)))
        b = rng.randrange(0, 1 << rng.choice((10, 30, 45, 60)))
        d = rng.randrange(1, 1 << rng.choice((8, 30, 50, 53, 58, 61)))
        if a * b // d >= 1 << 62:  # quotients are amounts in cents: far below 2^62
            continue
        out.append((a, b, d))
    return out


def test_muldiv_is_the_exact_half_down_quotient() -> None:
    rng = random.Random(1_02)
    cases = operands(rng, 60_000)
    cases += [
        (5, 1, 2),
        (7, 1, 2),
        (3, 1, 2),
        ((1 << 62) - 1, (1 << 40) + 3, (1 << 61) - 1),
        (10**17, 10**8, 10**16),
    ]
    bad = [(a, b, d) for a, b, d in cases if muldiv(a, b, d) != half_down(a, b, d)]
    assert not bad, bad[:5]
    beyond = sum(1 for a, b, d in cases if a * b >= 1 << 63 and d >= 1 << 52)
    assert beyond > 1_000  # the path the float estimate alone cannot do


def test_ceil_div_and_lt128() -> None:
    rng = random.Random(7)
    for a, b, d in operands(rng, 20_000):
        assert ceil_div(a, b, d) == -(-(a * b) // d)
        c = rng.randrange(0, 1 << 62)
        e = rng.randrange(0, 1 << 40)
        assert lt128(a, b, c, e) == (a * b < c * e)


def test_splits_place_every_cent_and_respect_caps() -> None:
    rng = random.Random(3)
    for _ in range(3_000):
        n = rng.randrange(1, 8)
        w = np.array([rng.randrange(0, 10**12) for _ in range(n)], dtype=np.int64)
        total = rng.randrange(0, 10**13)
        out = np.zeros(n, dtype=np.int64)
        split_exact(total, w, n, out)
        if w.sum() > 0:
            assert out.sum() == total
            # each share is the floor of its exact share or one above it
            for i in range(n):
                assert total * int(w[i]) // int(w.sum()) <= out[i] <= total * int(w[i]) // int(w.sum()) + 1
        caps = np.array([rng.randrange(0, 10**12) for _ in range(n)], dtype=np.int64)
        alloc = np.zeros(n, dtype=np.int64)
        allocate_capped(total, w, caps, n, alloc)
        assert (alloc <= caps).all() and (alloc >= 0).all()
        assert alloc.sum() == min(total, int(caps.sum()))
