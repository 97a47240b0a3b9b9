"""Trust administration benchmark (run on demand: ``.venv/bin/python bench/admin.py [--pg URL]``).

Posting one month of boams-2002-3 (1,065 loans) into a fresh SQLite ledger: read + validate + collect + waterfall
+ store in one transaction, timed over several months (target: under 1 s per month). With ``--pg URL`` the same on
PostgreSQL. (The 1,000,000-loan synthetic trust on PostgreSQL of issue 5 is not built yet: the ledger keeps one
loan book per period as JSON, which would need a loan-level table at that size.)
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--pg", help="a PostgreSQL URL (its admin tables are dropped first)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = simulate(DEAL, args.months, Path(tmp) / "rem", seed=1)
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'ledger.db'}")]
        if args.pg:
            from sqlalchemy import create_engine, text

            from rmbs.admin.tables import metadata

            eng = create_engine(args.pg)
            with eng.begin() as conn:
                metadata.drop_all(conn)
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
            eng.dispose()
            targets.append(("postgresql", args.pg))
        for name, url in targets:
            times = bench(url, paths)
            print(
                f"{name}: post one month of {DEAL} (1,065 loans): median {statistics.median(times):.3f} s, "
                f"max {max(times):.3f} s over {len(times)} months (target < 1 s)"
            )


if __name__ == "__main__":
    main()
