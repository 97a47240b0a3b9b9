from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, func, select

from rmbs.admin import tables as t


def edit(src: Path, dst: Path, change: Callable[[list[dict[str, str]]], list[dict[str, str]]]) -> Path:
    """Copy a remittance CSV with its rows changed."""
    with src.open(newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    rows = change(rows)
    dst.parent.mkdir(parents=True, exist_ok=True)
    with dst.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return dst


def table_counts(url: str) -> dict[str, int]:
    """Row count of every ledger table: equal before and after a refused posting means nothing was stored."""
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {
            tab.name: conn.execute(select(func.count()).select_from(tab)).scalar_one()
            for tab in t.metadata.sorted_tables
        }
    engine.dispose()
    return out
