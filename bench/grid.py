"""Benchmark: the ``rmbs grid`` path on 2002-3 -- loan-level collateral, 360 periods, every class priced at 100 --
against the collateral projection of the same scenarios alone, timed in the same run.

Run: ``.venv/bin/python bench/grid.py [N] [--chunk C] [--repeat K] [--dask]`` (default N = 1000 = 10 prepayment x
10 default x 10 severity; a smaller N is split into three factors as evenly as it goes). Prints, best of K:

* the collateral projection alone of the N scenarios, in one call and in the grid's chunks;
* the full grid (``run_grid``: collateral, interpreter, per-class summaries and yields, in this process);
* the same grid step by step (collateral, interpreter, summaries), to show where the time goes;
* the ratios of the grid to the collateral alone;
* the cold start: a fresh process (numba's cache warm, nothing imported) timing its first grid against its second,
  for a 1-scenario and a 100-scenario grid; and the wall time of ``rmbs grid`` in a fresh process;
* with ``--dask``, the grid on a loopback Dask LocalCluster of 1 and 2 workers (start-up excluded), checked to
  give the in-process frame exactly.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from timing import best

from rmbs.analytics.grid import (
    DaskRunner,
    Grid,
    auto_chunk,
    grid_frame,
    make_grid,
    run_grid,
    summarize_grid,
)
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall.project import ci_cap_base, engine_for, run_periods
from rmbs.waterfall.run import parse_index_path

PRICE = 100.0
LIBOR = "1.84"


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


def lists(n: int) -> tuple[list[str], list[str], list[str]]:
    a, b, c = factors(n)
    prepay = [f"{50 + 750 * i // max(a - 1, 1)}PSA" for i in range(a)]
    default = [f"{400 * i // max(b - 1, 1)}SDA" for i in range(b)]
    severity = [f"{20 + 40 * i / max(c - 1, 1):g}" for i in range(c)]
    return prepay, default, severity


def grid(deal, n: int) -> Grid:  # type: ignore[no-untyped-def]
    prepay, default, severity = lists(n)
    return make_grid(deal, prepay, default, severity, ["12"], [LIBOR])


FRESH = """
import sys, time
t0 = time.perf_counter()
from rmbs.analytics.grid import make_grid, run_grid
from rmbs.deal.loader import load_deal
d = load_deal("boams-2002-3")
n = int(sys.argv[1])
a = max(1, n // 10)
g = make_grid(d, [f"{50 + 7 * i}PSA" for i in range(a)], [f"{40 * i}SDA" for i in range(n // a)], "35", "12", "1.84")
t1 = time.perf_counter()
run_grid(d, g, price=100.0)
t2 = time.perf_counter()
run_grid(d, g, price=100.0)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def cold_start(n: int) -> tuple[float, float, float]:
    """(imports and deal load, first grid, second grid) in a fresh process, seconds."""
    out = subprocess.run(
        [sys.executable, "-c", FRESH, str(n)], capture_output=True, text=True, check=True, env=os.environ
    )
    imp, first, second = (float(x) for x in out.stdout.split())
    return imp, first, second


def cli_wall(n: int) -> float:
    """Wall time of ``rmbs grid`` (n scenarios, every class priced) in a fresh process."""
    prepay, default, severity = lists(n)
    with tempfile.TemporaryDirectory() as tmp:
        args = [
            sys.executable, "-m", "rmbs.cli", "grid", "boams-2002-3", "--prepay", ",".join(prepay),
            "--default", ",".join(default), "--severity", ",".join(severity), "--lag", "12", "--libor", LIBOR,
            "--price", "100", "--quiet", "--out", str(Path(tmp) / "g.parquet"),
        ]  # fmt: skip
        t = time.perf_counter()
        subprocess.run(args, capture_output=True, text=True, check=True, env=os.environ)
        return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=1000)
    ap.add_argument("--chunk", type=int, default=None, help="scenarios per chunk (default: the grid's)")
    ap.add_argument("--repeat", type=int, default=1, help="best of this many runs of each timing")
    ap.add_argument("--dask", action="store_true", help="also time Dask LocalClusters of 1 and 2 workers")
    args = ap.parse_args()
    n, k = args.n, args.repeat
    deal = load_deal("boams-2002-3")
    g = grid(deal, n)
    chunk = args.chunk or auto_chunk(n, 1)
    dims = " x ".join(str(len(x)) for x in (g.prepay, g.default, g.severity))
    print(f"2002-3 grid: {len(g)} scenarios ({dims} prepay x default x severity), lag 12, LIBOR {LIBOR}")
    print(f"loan level, 360 periods, every class priced at {PRICE:g}; chunks of {chunk}; best of {k}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")
    run_grid(deal, make_grid(deal, "300PSA", "100SDA", "35", "12"), price=PRICE)  # imports, numba caches

    scs = list(g.scenarios)
    cap = ci_cap_base(engine_for(deal, {}).switches)
    chunks = [scs[i : i + chunk] for i in range(0, n, chunk)]
    t_coll_one = best(lambda: project_deal(deal.library, scs, ci_cap_base=cap), k)
    t_coll = best(lambda: [project_deal(deal.library, c, ci_cap_base=cap) for c in chunks], k)
    t_grid = best(lambda: run_grid(deal, g, price=PRICE, chunk=chunk), k)

    # the same path step by step
    engine = engine_for(deal, {})
    index = parse_index_path(LIBOR)
    steps = {"collateral": 0.0, "interpreter (with its input arrays)": 0.0, "summaries and yields": 0.0}
    for c in chunks:
        t = time.perf_counter()
        periods = project_deal(deal.library, c, ci_cap_base=cap)
        t1 = time.perf_counter()
        run, _ = run_periods(engine, periods, index)
        t2 = time.perf_counter()
        summarize_grid(deal, run.flows(), price=PRICE)
        t3 = time.perf_counter()
        steps["collateral"] += t1 - t
        steps["interpreter (with its input arrays)"] += t2 - t1
        steps["summaries and yields"] += t3 - t2

    def line(label: str, s: float) -> None:
        print(f"  {label:<58} {s:8.2f} s  {s / n * 1000:7.2f} ms/scenario")

    line("collateral projection alone, one call", t_coll_one)
    line(f"collateral projection alone, in the grid's chunks of {chunk}", t_coll)
    line("rmbs grid (run_grid in-process, every class priced)", t_grid)
    print(f"  ratio grid / collateral alone (one call):      {t_grid / t_coll_one:5.2f}x  (target <= 4x)")
    print(f"  ratio grid / collateral alone (grid's chunks): {t_grid / t_coll:5.2f}x")
    print("  the grid step by step (one pass):")
    for label, s in steps.items():
        line(f"  {label}", s)

    print("cold start (fresh process, numba cache warm): imports, first grid, second grid")
    for m in (1, 100):
        imp, first, second = cold_start(m)
        print(
            f"  {m:>4} scenarios: imports {imp:5.2f} s, first {first:6.2f} s, second {second:6.2f} s, "
            f"first / second {first / second:5.2f}x, (imports + first) / second {(imp + first) / second:5.2f}x"
        )
    for m in (1, 100):
        print(f"  rmbs grid {m} scenario(s), whole command in a fresh process: {cli_wall(m):6.2f} s")

    if args.dask:
        base = grid_frame(run_grid(deal, g, price=PRICE))
        for w in (1, 2):
            t = time.perf_counter()
            with DaskRunner(f"local:{w}") as dask:
                warm = make_grid(deal, ",".join(f"{100 + 50 * i}PSA" for i in range(w)), "100SDA", "35", "12")
                run_grid(deal, warm, price=PRICE, dask=dask, chunk=1)
                start = time.perf_counter() - t
                t = time.perf_counter()
                r = run_grid(deal, g, price=PRICE, dask=dask)
                s = time.perf_counter() - t
            assert grid_frame(r).equals(base), f"Dask with {w} workers differs from the in-process grid"
            line(f"Dask local:{w} (start-up {start:.1f} s excluded; frame identical)", s)


if __name__ == "__main__":
    main()
