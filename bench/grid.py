"""Benchmark: a scenario grid of 2002-3 (loan-level collateral, 360 periods, waterfall, per-class summaries with
the yield at 100 of every class) in this process and on a loopback Dask LocalCluster of 1 and of 2 workers.

Run: ``.venv/bin/python bench/grid.py [N]`` (default N = 1000 = 10 prepayment x 10 default x 10 severity; a
smaller N is split into three factors as evenly as it goes). Prints seconds and ms per scenario of each run, the
ratio of each against the in-process run (timed first, in this same process), and the speed-up of 2 Dask workers
over 1. Cluster start-up and the workers' first import (numba cache load) are timed apart and excluded; every run
is checked to give the in-process summaries exactly.
"""

from __future__ import annotations

import os
import sys
import time

from rmbs.analytics.grid import DaskRunner, Grid, make_grid, run_grid
from rmbs.deal.loader import load_deal


def factors(n: int) -> tuple[int, int, int]:
    """Three factors of ``n``, as even as they go (1000 -> 10 x 10 x 10, 40 -> 5 x 4 x 2)."""
    best = (n, 1, 1)
    for a in range(1, n + 1):
        if n % a:
            continue
        for b in range(1, n // a + 1):
            if (n // a) % b == 0:
                c = n // a // b
                if max(a, b, c) - min(a, b, c) < max(best) - min(best):
                    best = (a, b, c)
    return tuple(sorted(best, reverse=True))  # type: ignore[return-value]


def grid(deal, n: int) -> Grid:  # type: ignore[no-untyped-def]
    a, b, c = factors(n)
    prepay = [f"{50 + 750 * i // max(a - 1, 1)}PSA" for i in range(a)]
    default = [f"{400 * i // max(b - 1, 1)}SDA" for i in range(b)]
    severity = [f"{20 + 40 * i / max(c - 1, 1):g}" for i in range(c)]
    return make_grid(deal, prepay, default, severity, ["12"], ["1.84"])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    deal = load_deal("boams-2002-3")
    g = grid(deal, n)
    dims = " x ".join(str(len(x)) for x in (g.prepay, g.default, g.severity))
    print(f"2002-3 grid: {len(g)} scenarios ({dims} prepay x default x severity), 360 periods, price 100")
    print(f"machine: {os.cpu_count()} cores")
    run_grid(
        deal, make_grid(deal, "300PSA", "100SDA", "35", "12"), price=100.0
    )  # warm numba cache and imports

    t = time.perf_counter()
    base = run_grid(deal, g, price=100.0, workers=1)
    t_in = time.perf_counter() - t
    rows = [("in-process (workers=1)", t_in)]
    dask_times: dict[int, float] = {}
    for w in (1, 2):
        t = time.perf_counter()
        with DaskRunner(f"local:{w}") as dask:
            # the workers' first job imports rmbs and loads the numba cache: warm them, then time
            warm = make_grid(deal, ",".join(f"{100 + 50 * i}PSA" for i in range(w)), "100SDA", "35", "12")
            run_grid(deal, warm, price=100.0, dask=dask, chunk=1)
            start = time.perf_counter() - t
            t = time.perf_counter()
            r = run_grid(deal, g, price=100.0, dask=dask)
            dask_times[w] = time.perf_counter() - t
        assert r.summaries == base.summaries, f"Dask with {w} workers differs from the in-process grid"
        rows.append(
            (
                f"Dask local:{w} ({w} worker{'s' if w > 1 else ''}; start-up {start:.1f} s excluded)",
                dask_times[w],
            )
        )
    width = max(len(k) for k, _ in rows)
    for k, s in rows:
        print(
            f"  {k:<{width}}  {s:8.2f} s  {s / len(g) * 1000:8.1f} ms/scenario  {t_in / s:5.2f}x in-process"
        )
    print(f"  speed-up of 2 Dask workers over 1: {dask_times[1] / dask_times[2]:.2f}x")
    print("  results: Dask (1 and 2 workers) identical to the in-process grid")


if __name__ == "__main__":
    main()
