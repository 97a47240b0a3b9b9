from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path


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
