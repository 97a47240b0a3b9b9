"""Benchmark: 2002-3, loan-level collateral plus waterfall over 360 periods.

Prints milliseconds per scenario for one scenario alone, for a batch (one collateral pass over all scenarios,
the waterfall in this process; and spread over the machine's cores), and the ratio against running the same scenarios one by one
(a collateral pass and a waterfall run per scenario, in this process). Run: ``.venv/bin/python bench/waterfall.py
[N]`` (default N = 1000; the one-by-one baseline is timed on the first min(N, 100) scenarios and scaled).
"""

from __future__ import annotations

import os
import sys
import time

from rmbs.collateral.assumptions import scenario
from rmbs.deal.loader import load_deal
from rmbs.waterfall.project import run_deal, run_deal_summaries


def scenarios(n: int) -> list:  # type: ignore[type-arg]
    out = []
    for i in range(n):
        out.append(
            scenario(f"{50 + (i * 37) % 750}PSA", f"{(i * 53) % 400}SDA", 20 + (i * 7) % 40, 6 + i % 12)
        )
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    workers = os.cpu_count() or 1
    deal = load_deal("boams-2002-3")
    scs = scenarios(n)
    run_deal(deal, scenarios=scs[:2])  # warm the numba cache and imports
    t = time.perf_counter()
    (one,) = run_deal(deal, scenarios=scs[:1])
    alone = time.perf_counter() - t
    sample = min(n, 100)
    t = time.perf_counter()
    for sc in scs[:sample]:
        run_deal(deal, scenarios=[sc])
    one_by_one = (time.perf_counter() - t) / sample * n
    t = time.perf_counter()
    serial = run_deal_summaries(deal, scs, workers=1)
    batch = time.perf_counter() - t
    t = time.perf_counter()
    summaries = run_deal_summaries(deal, scs, workers=workers)
    parallel = time.perf_counter() - t
    assert summaries == serial and len(summaries) == n
    assert all(sum(row["total_principal"] for row in s) > 0 for s in summaries)  # type: ignore[misc]
    print(f"2002-3 loan-level collateral + waterfall, 360 periods, {n} scenarios, {workers} worker processes")
    print(f"  one scenario alone:            {alone * 1000:8.1f} ms")
    print(f"  one by one (baseline, scaled): {one_by_one:8.1f} s  = {one_by_one / n * 1000:6.1f} ms/scenario")
    print(f"  batch of {n}, one process:   {batch:8.1f} s  = {batch / n * 1000:6.1f} ms/scenario")
    print(f"  ratio one-by-one / batch:      {one_by_one / batch:8.2f}x   (target: {n} scenarios <= 20 s)")
    print(
        f"  batch of {n}, summaries only, {workers} processes: {parallel:8.1f} s = {parallel / n * 1000:6.1f} ms/scenario"
    )
    print(f"  ratio one-by-one / summaries batch: {one_by_one / parallel:8.2f}x")


if __name__ == "__main__":
    main()
