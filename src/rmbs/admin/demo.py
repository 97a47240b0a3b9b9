"""The administration part of ``make demo`` (issue 5): initialize boams-2002-3 in a fresh ledger, simulate and post
12 months of servicer remittances, and print the history table. ``rmbs.demo`` calls :func:`run_admin_demo`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.report import print_history
from rmbs.admin.simulate import simulate

DEAL = "boams-2002-3"


def run_admin_demo(out: Path, console: Console, months: int = 12, seed: int = 2002) -> Path:
    """Returns the ledger file it wrote (``out/admin/ledger.db``, made anew each run)."""
    base = out / "admin"
    base.mkdir(parents=True, exist_ok=True)
    ledger = base / "ledger.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{ledger}"
    console.print(init_trust(DEAL, url))
    for path in simulate(DEAL, months, base / "remittances", seed=seed, delinquency=0.5):
        console.print(post_remittance(DEAL, path, url, by="demo").message)
    print_history(DEAL, url, console)
    return ledger
