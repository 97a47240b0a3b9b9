"""The user library: deal directories copied in by ``rmbs library add`` after they are checked.

A deal enters the library only whole and runnable: its ``deal.yaml`` loads and compiles into the interpreter's
plan, its ``deal-facts.json`` and ``loans.parquet`` read, and the tape has loans of every group the deal file
names. It is copied into a temporary folder of the library and renamed into place, so a failed or interrupted add
leaves nothing behind; folders are 0700 and files 0600 (loan-level data is not world-readable).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from rmbs.deal.library import deal_ids, load_facts, load_tape, user_library
from rmbs.errors import DealError

REQUIRED = ("deal.yaml", "deal-facts.json", "loans.parquet")
OPTIONAL = ("reconciliation.json", "definitions.json", "loans.csv")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_deal_dir(directory: Path) -> None:
    """Raise :class:`DealError` naming the file and field unless ``directory`` is a whole, runnable deal."""
    from rmbs.deal.loader import load_deal
    from rmbs.waterfall.plan import compile_plan

    if not directory.is_dir():
        raise DealError("not a directory", file=directory)
    for name in REQUIRED:
        if not (directory / name).is_file():
            raise DealError(
                f"a deal directory holds {', '.join(REQUIRED)}; {name} is missing", file=directory / name
            )
    deal = load_deal(directory)
    compile_plan(deal, None)
    facts = load_facts(str(directory))
    if not isinstance(facts, dict) or "loan_schedule" not in facts:
        raise DealError(
            "not the deal facts rmbs ingest writes", file=directory / "deal-facts.json", field="loan_schedule"
        )
    try:
        tape = load_tape(str(directory))
    except Exception as exc:  # polars raises several kinds for a file that is not Parquet
        raise DealError(
            f"not a readable Parquet loan tape ({type(exc).__name__})", file=directory / "loans.parquet"
        ) from exc
    if "group" not in tape.columns:
        raise DealError("the loan tape has no group column", file=directory / "loans.parquet", field="group")
    have = {str(g) for g in tape["group"].unique().to_list()}
    for g in deal.groups:
        if g.id not in have:
            raise DealError(
                f"loan group {g.id} of the deal file has no loans on the tape",
                file=directory / "loans.parquet",
                field="group",
            )


def add_deal(directory: Path, name: str | None = None, *, replace: bool = False) -> Path:
    """Check ``directory`` and copy it into the user library as ``name`` (default: its folder name)."""
    deal_id = name or directory.resolve().name
    if not _ID.fullmatch(deal_id):
        raise DealError(
            f"{deal_id!r} is not a deal id",
            field="--as",
            expected="letters, digits, '.', '_', '-' (at most 64)",
        )
    if deal_id in deal_ids():
        raise DealError(f"{deal_id!r} is a shipped deal's id", field="--as", expected="another id")
    check_deal_dir(directory)
    lib = user_library()
    lib.mkdir(parents=True, exist_ok=True, mode=0o700)
    dest = lib / deal_id
    if dest.exists() and not replace:
        raise DealError(
            f"{deal_id!r} is already in the user library", file=dest, expected="--replace to replace it"
        )
    tmp = Path(tempfile.mkdtemp(prefix=f".{deal_id}.", dir=lib))
    try:
        for fname in REQUIRED + OPTIONAL:
            src = directory / fname
            if src.is_file():
                shutil.copyfile(src, tmp / fname)
                os.chmod(tmp / fname, 0o600)
        os.chmod(tmp, 0o700)
        if dest.exists():
            old = lib / f".{deal_id}.replaced"
            shutil.rmtree(old, ignore_errors=True)
            dest.rename(old)
            tmp.rename(dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
