"""Shipped deal library: the facts and loan tapes of the seed deals, derived from their PSAs by ``rmbs ingest``.

Each deal lives in a folder named by its deal id (``boams-2002-3``) holding ``deal-facts.json``, ``loans.parquet``
and ``reconciliation.json``. The PSA's prose is not shipped -- only facts derived from it. ``rmbs library
rebuild --seeds DIR`` writes them anew from the filings; a test checks that what ships equals a fresh ingest.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from rmbs.errors import DealError

LIBRARY = Path(__file__).resolve().parent

# Seed filings of the shipped deals: file name in shared/seeds -> deal id.
SEED_FILES = {
    "002_e60160bc507d1125.txt": "boams-2002-3",
    "004_f84740e5ee7e20f0.txt": "boams-2000-2",
}


def deal_ids() -> list[str]:
    return sorted(p.name for p in LIBRARY.iterdir() if (p / "deal-facts.json").is_file())


def deal_dir(deal_id: str) -> Path:
    d = LIBRARY / deal_id
    if not (d / "deal-facts.json").is_file():
        known = ", ".join(deal_ids()) or "none"
        raise DealError(f"unknown deal {deal_id!r}", field="deal", expected=f"one of: {known}")
    return d


@lru_cache(maxsize=8)
def _facts_text(deal_id: str) -> str:
    return (deal_dir(deal_id) / "deal-facts.json").read_text(encoding="utf-8")


def load_facts(deal_id: str) -> dict[str, Any]:
    """The deal-facts JSON of a shipped deal (a fresh dict each call)."""
    data: dict[str, Any] = json.loads(_facts_text(deal_id))
    return data


def load_tape(deal_id: str) -> pl.DataFrame:
    """The cut-off loan tape of a shipped deal: one row per loan, exact decimals, loan numbers as strings."""
    return pl.read_parquet(deal_dir(deal_id) / "loans.parquet")


def load_reconciliation(deal_id: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((deal_dir(deal_id) / "reconciliation.json").read_text(encoding="utf-8"))
    return data


def find_seeds() -> Path | None:
    """``../shared/seeds`` beside the checkout or the working directory, if present."""
    for base in (Path.cwd(), *Path.cwd().parents, LIBRARY, *LIBRARY.parents):
        cand = base.parent / "shared" / "seeds"
        if cand.is_dir() and any((cand / f).is_file() for f in SEED_FILES):
            return cand
    return None
