"""Deal libraries: the shipped seed deals, the user's own deals, and any deal directory.

A deal is a directory holding ``deal.yaml``, ``deal-facts.json`` and ``loans.parquet`` (what ``rmbs ingest``
writes, plus the deal file) and optionally ``reconciliation.json``. The shipped deals live in folders of this
package named by their deal ids (``boams-2002-3``); the PSA's prose is not shipped -- only facts derived from it,
and ``rmbs library rebuild --seeds DIR`` writes them anew from the filings (a test checks that what ships equals a
fresh ingest). The user library (``rmbs library add DIR``) is a folder of such directories outside the package:
``$RMBS_LIBRARY``, else ``$XDG_DATA_HOME/rmbs/deals``, else ``~/.local/share/rmbs/deals``. A deal is named by its
id (shipped deals first, then the user library) or by the path of its directory.
"""

from __future__ import annotations

import json
import os
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


def user_library() -> Path:
    """The user library's folder (it need not exist yet)."""
    env = os.environ.get("RMBS_LIBRARY")
    if env:
        return Path(env).expanduser()
    data = os.environ.get("XDG_DATA_HOME")
    return (Path(data).expanduser() if data else Path.home() / ".local" / "share") / "rmbs" / "deals"


def _ids_in(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / "deal-facts.json").is_file())


def deal_ids() -> list[str]:
    """The shipped deals' ids."""
    return _ids_in(LIBRARY)


def user_deal_ids() -> list[str]:
    """The ids of the deals in the user library, apart from any that a shipped deal's id hides."""
    return [d for d in _ids_in(user_library()) if d not in deal_ids()]


def candidates(deal: str) -> tuple[Path, Path, Path]:
    """Where a deal named ``deal`` may be, in the order searched: shipped, user library, a directory's path."""
    return LIBRARY / deal, user_library() / deal, Path(deal)


def deal_dir(deal: str) -> Path:
    """The directory of a deal: a shipped id, a user-library id, or a deal directory's path."""
    for d in candidates(deal):
        if (d / "deal-facts.json").is_file():
            return d
    known = ", ".join(deal_ids() + user_deal_ids()) or "none"
    raise DealError(f"unknown deal {deal!r}", field="deal", expected=f"a deal directory or one of: {known}")


@lru_cache(maxsize=8)
def _facts_text(deal_id: str) -> str:
    return (deal_dir(deal_id) / "deal-facts.json").read_text(encoding="utf-8")


def load_facts(deal_id: str) -> dict[str, Any]:
    """The deal-facts JSON of a deal (a fresh dict each call)."""
    data: dict[str, Any] = json.loads(_facts_text(deal_id))
    return data


def load_tape(deal_id: str) -> pl.DataFrame:
    """The cut-off loan tape of a deal: one row per loan, exact decimals, loan numbers as strings."""
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
