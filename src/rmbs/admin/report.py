"""Printing the ledger's history."""

from __future__ import annotations

from decimal import Decimal

from rich.console import Console
from rich.table import Table

from rmbs.admin.ledger import history


def _d(cents: int) -> str:
    return f"{Decimal(cents) / 100:,.2f}"


def print_history(deal_id: str, db: str | None, console: Console) -> None:
    h = history(deal_id, db)
    tab = Table(title=f"{deal_id}: posted periods")
    for col in (
        "period",
        "collections",
        "fees",
        "interest paid",
        "principal paid",
        "distributions",
        "pool balance",
        "posted by",
        "file sha256",
    ):
        tab.add_column(col, justify="right" if col not in ("posted by", "file sha256") else "left")
    for p in h["periods"]:
        tab.add_row(
            p["label"],
            _d(p["collections"]),
            _d(p["fees"]),
            _d(p["interest_paid"]),
            _d(p["principal_paid"]),
            _d(p["distributions"]),
            _d(p["pool_balance"]),
            p["posted_by"],
            p["sha256"][:12],
        )
    console.print(tab)
    if not h["periods"]:
        console.print("no periods posted yet")
        return
    names = list(h["periods"][-1]["classes"])
    shown = h["periods"][-6:]
    ct = Table(title=f"{deal_id}: class balances and factors (last {len(shown)} periods)")
    ct.add_column("class")
    for p in shown:
        ct.add_column(f"{p['label']} balance", justify="right")
        ct.add_column("factor", justify="right")
    for n in names:
        cells: list[str] = []
        for p in shown:
            c = p["classes"][n]
            cells += [_d(c["balance"]), f"{c['factor']:.7f}"]
        ct.add_row(n, *cells)
    console.print(ct)
    if h["superseded"]:
        console.print(f"{h['superseded']} superseded posting(s) kept for the audit trail")
