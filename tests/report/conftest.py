"""One posted 12-month ledger per seed deal, shared by the whole session (SQLite in a temporary folder).

The simulation runs at 3% CDR with 2% of current loans going 30 days late a month, so that twelve months hold
every kind of item the statement reports: delinquencies in each bucket, foreclosures, REO, liquidations with
Realized Losses, write-downs of the last subordinate class and (2002-3) Class A-PO Deferred Amounts.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.simulate import simulate
from rmbs.cli import main

DEALS = ("boams-2002-3", "boams-2000-2")
MONTHS = 12


@dataclass(frozen=True)
class PostedLedger:
    deal_id: str
    url: str
    path: Path
    remittances: list[Path]

    @property
    def labels(self) -> list[str]:
        return [p.stem.rsplit("-", 2)[-2] + "-" + p.stem.rsplit("-", 2)[-1] for p in self.remittances]


def post_months(deal_id: str, base: Path, months: int, seed: int) -> PostedLedger:
    base.mkdir(parents=True, exist_ok=True)
    path = base / "ledger.db"
    url = f"sqlite:///{path}"
    init_trust(deal_id, url)
    paths = simulate(deal_id, months, base / "rem", seed=seed, default="3CDR", delinquency=2.0)
    for p in paths:
        post_remittance(deal_id, p, url, by="report-tests")
    return PostedLedger(deal_id, url, path, paths)


def run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """``rmbs ARGS...`` in this process; its exit code."""
    monkeypatch.setattr(sys, "argv", ["rmbs", *args])
    try:
        main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.fixture(scope="session")
def posted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PostedLedger]:
    base = tmp_path_factory.mktemp("report-ledgers")
    return {d: post_months(d, base / d, MONTHS, seed=2024) for d in DEALS}
