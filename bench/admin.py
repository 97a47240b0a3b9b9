"""Trust administration benchmark (run on demand: ``.venv/bin/python bench/admin.py [--pg URL]``).

Posting one month of boams-2002-3 (1,065 loans) into a fresh SQLite ledger: read + validate + collect + waterfall
+ store in one transaction, timed over several months (target: under 1 s per month). With ``--pg URL`` the same on
PostgreSQL. With ``--big N`` (default 0), also one month of a synthetic N-loan trust (the 2002-3 tape replicated
with balances scaled so the group totals stay those of the deal) on PostgreSQL (with --pg) or SQLite (target for
1,000,000 loans on PostgreSQL: under 60 s).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.simulate import simulate

DEAL = "boams-2002-3"


def bench(url: str, paths: list[Path]) -> list[float]:
    init_trust(DEAL, url)
    times = []
    for p in paths:
        t0 = time.perf_counter()
        post_remittance(DEAL, p, url, by="bench")
        times.append(time.perf_counter() - t0)
    return times


def synthetic_tape(n: int) -> pl.DataFrame:
    """The 2002-3 tape replicated to about ``n`` loans, each copy's balance and payment divided by the copies."""
    from rmbs.deal.library import load_tape
    from rmbs.deal.loader import load_deal

    base = load_tape(load_deal(DEAL).library)
    k = max(1, round(n / base.height))
    rep = pl.concat([base.with_columns(copy=pl.lit(i, dtype=pl.Int32)) for i in range(k)])
    scale = pl.lit(str(k)).cast(pl.Decimal(18, 0))
    return rep.with_columns(
        loan_number=pl.col("loan_number") + "-" + pl.col("copy").cast(pl.String),
        cutoff_balance=(pl.col("cutoff_balance") / scale).cast(pl.Decimal(18, 2)),
        monthly_payment=(pl.col("monthly_payment").cast(pl.Float64) / k).round(2),
    ).drop("copy")


def big(url: str, n: int, tmp: Path) -> None:
    t0 = time.perf_counter()
    tape = synthetic_tape(n)
    path = simulate(DEAL, 1, tmp / "big", seed=3, tape=tape)[0]
    t1 = time.perf_counter()
    init_trust(DEAL, url, tape=tape)
    t2 = time.perf_counter()
    post_remittance(DEAL, path, url, by="bench", tape=tape)
    t3 = time.perf_counter()
    print(
        f"{url.split(':')[0].split('+')[0]}: synthetic trust of {tape.height:,} loans: simulate {t1 - t0:.1f} s, "
        f"init {t2 - t1:.1f} s, post one month {t3 - t2:.1f} s (target < 60 s)"
    )


def _reset(url: str) -> None:
    from sqlalchemy import create_engine, text

    from rmbs.admin.tables import metadata

    eng = create_engine(url)
    with eng.begin() as conn:
        metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--pg", help="a PostgreSQL URL (its admin tables are dropped first)")
    ap.add_argument("--big", type=int, default=0, help="loans of the synthetic trust (e.g. 1000000)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = simulate(DEAL, args.months, Path(tmp) / "rem", seed=1)
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'ledger.db'}")]
        if args.pg:
            _reset(args.pg)
            targets.append(("postgresql", args.pg))
        for name, url in targets:
            times = bench(url, paths)
            print(
                f"{name}: post one month of {DEAL} (1,065 loans): median {statistics.median(times):.3f} s, "
                f"max {max(times):.3f} s over {len(times)} months (target < 1 s)"
            )
        if args.big:
            url = args.pg or f"sqlite:///{Path(tmp) / 'big.db'}"
            if args.pg:
                _reset(args.pg)
            big(url, args.big, Path(tmp))


if __name__ == "__main__":
    main()
