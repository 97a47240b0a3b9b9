"""Write the shipped deal library from the seed filings."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rmbs.deal.library import LIBRARY, SEED_FILES
from rmbs.errors import IngestError
from rmbs.ingest.document import load_document
from rmbs.ingest.reconcile import loan_strip_columns
from rmbs.ingest.run import PsaIngest, ingest_psa


def ingest_seed(path: Path) -> PsaIngest:
    raw = path.read_bytes()
    return ingest_psa(load_document(path), hashlib.sha256(raw).hexdigest())


def shipped_payload(res: PsaIngest) -> tuple[str, str]:
    """The JSON texts that ship: facts and reconciliation (definitions are PSA prose and do not ship)."""
    facts = json.dumps(res.facts, indent=2, default=str) + "\n"
    rec = json.dumps(res.reconciliation.to_json(), indent=2, default=str) + "\n"
    return facts, rec


def rebuild_library(seeds: Path, library: Path = LIBRARY) -> list[Path]:
    written: list[Path] = []
    for name, deal_id in SEED_FILES.items():
        path = seeds / name
        if not path.is_file():
            raise IngestError("seed filing not found", file=path)
        res = ingest_seed(path)
        d = library / deal_id
        d.mkdir(parents=True, exist_ok=True)
        facts, rec = shipped_payload(res)
        (d / "deal-facts.json").write_text(facts, encoding="utf-8")
        (d / "reconciliation.json").write_text(rec, encoding="utf-8")
        loan_strip_columns(res.tape, res.facts).write_parquet(d / "loans.parquet", statistics=False)
        written.append(d)
    return written
