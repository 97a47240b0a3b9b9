"""``rmbs ingest``: read one filing and write what it says.

A PSA gives ``deal-facts.json``, ``definitions.json``, ``loans.parquet`` / ``loans.csv`` and
``reconciliation.json``; a Section 3.18 officer's certificate gives ``series.json``. Anything else is refused
with the file and what was expected.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from rmbs.errors import IngestError
from rmbs.ingest.document import Document, load_document
from rmbs.ingest.psa import is_psa, parse_psa_facts
from rmbs.ingest.reconcile import Reconciliation, loan_strip_columns, reconcile
from rmbs.ingest.schedule import parse_loan_schedule, tape_frame


@dataclass
class PsaIngest:
    """Everything read from one PSA filing."""

    facts: dict[str, Any]
    definitions: list[dict[str, Any]]
    tape: pl.DataFrame
    reconciliation: Reconciliation
    seconds: float
    warnings: list[str] = field(default_factory=list)


@dataclass
class IngestResult:
    kind: str  # "psa" or "certificate"
    source: Path
    out: Path
    seconds: float
    psa: PsaIngest | None = None
    certificate: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)


def deal_id_for(series: str) -> str:
    return f"boams-{series}"


def ingest_psa(doc: Document, sha256: str | None = None) -> PsaIngest:
    """Parse a PSA into facts, definitions, loan tape and reconciliation (no files written)."""
    t0 = time.perf_counter()
    psa = parse_psa_facts(doc)
    schedule = parse_loan_schedule(doc)
    tape = tape_frame(schedule)
    groups = {g["id"] for g in psa.facts["groups"]}
    strange = sorted(set(tape["group"].unique().to_list()) - groups)
    if strange:
        raise doc.error(
            f"the loan schedule has loan group {strange[0]} that the Cut-Off Date Pool Principal Balance does not name",
            expected=f"groups {sorted(groups)}",
        )
    missing = sorted(groups - {s.group for s in schedule.groups})
    if missing:
        raise doc.error(
            f"the Cut-Off Date Pool Principal Balance names loan group {missing[0]} that the loan schedule does not have",
            expected=f"schedule groups {sorted(s.group for s in schedule.groups)}",
        )
    rec = reconcile(psa.facts, schedule, tape)
    facts = dict(psa.facts)
    facts["deal_id"] = deal_id_for(facts["series"])
    facts["source"] = {"file": doc.path.name, "sha256": sha256, "lines": len(doc)}
    for g in facts["groups"]:
        sched = next(s for s in schedule.groups if s.group == g["id"])
        g["loan_count"] = len(sched.rows)
        g["exhibit_lines"] = [sched.first_line, sched.last_line]
    facts["loan_schedule"] = {"profile": schedule.profile, "loans": tape.height}
    seconds = time.perf_counter() - t0
    return PsaIngest(
        facts, [d.to_json() for d in psa.definitions], tape, rec, seconds, psa.warnings + rec.warnings
    )


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return path


def write_tape(tape: pl.DataFrame, out: Path) -> list[Path]:
    """Parquet keeps exact decimals and dates; the CSV writes them as plain text."""
    pq, csv = out / "loans.parquet", out / "loans.csv"
    tape.write_parquet(pq, statistics=False)
    tape.write_csv(csv)
    return [pq, csv]


def ingest_file(path: Path, out: Path) -> IngestResult:
    """Read ``path`` (a PSA or an officer's certificate) and write its outputs under ``out``."""
    t0 = time.perf_counter()
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror or exc}", file=path) from exc
    sha = hashlib.sha256(raw).hexdigest()
    doc = load_document(path)
    from rmbs.ingest import certificates  # the officer's-certificate reader

    text = "\n".join(doc.lines)
    if certificates.is_officer_certificate(text):
        cert = certificates.parse_officer_certificate(path, text)
        out.mkdir(parents=True, exist_ok=True)
        data = cert.to_json_dict()
        data["source"] = {"file": path.name, "sha256": sha}
        f = _write_json(out / "series.json", data)
        return IngestResult("certificate", path, out, time.perf_counter() - t0, certificate=data, files=[f])
    if not is_psa(doc):
        raise IngestError(
            "neither a pooling and servicing agreement nor an officer's certificate",
            file=path,
            line=1,
            expected="an EDGAR text PSA (cover page, Section 1.01 definitions) or a Section 3.18 certificate",
        )
    res = ingest_psa(doc, sha)
    out.mkdir(parents=True, exist_ok=True)
    files = [
        _write_json(out / "deal-facts.json", res.facts),
        _write_json(out / "definitions.json", res.definitions),
        *write_tape(loan_strip_columns(res.tape, res.facts), out),
        _write_json(out / "reconciliation.json", res.reconciliation.to_json()),
    ]
    return IngestResult("psa", path, out, time.perf_counter() - t0, psa=res, files=files)


def _fmt(value: str) -> str:
    """Thousands separators for a plain decimal string; anything else as it is."""
    try:
        d = Decimal(value)
    except (InvalidOperation, ValueError):
        return value
    return f"{d:,}"


def reconciliation_table(title: str, rec: Reconciliation) -> Table:
    table = Table(title=title, title_justify="left")
    for col, kw in (
        ("group", {}),
        ("check", {}),
        ("stated", {"justify": "right"}),
        ("computed", {"justify": "right"}),
        ("difference", {"justify": "right"}),
        ("tolerance", {"justify": "right"}),
        ("", {}),
    ):
        table.add_column(col, **kw)  # type: ignore[arg-type]
    for c in rec.checks:
        mark = "[green]ok[/]" if c.ok else f"[red]FAIL[/] {' '.join(c.loans[:6])}"
        table.add_row(c.group, c.check, _fmt(c.expected), _fmt(c.actual), c.difference, c.tolerance, mark)
    return table


def print_ingest_result(result: IngestResult, console: Console) -> None:
    if result.kind == "certificate" and result.certificate is not None:
        cert = result.certificate
        series = cert.get("series", [])
        t = Table(title=f"{result.source.name}: {len(series)} series certified", title_justify="left")
        for col in ("series", "pooling agreement", "amended", "parties"):
            t.add_column(col)
        for s in series:
            t.add_row(
                s.get("label") or s["series"],
                str(s["pooling_agreement_date"]),
                str(s.get("amendment_date") or ""),
                "; ".join(s["parties"]),
            )
        console.print(t)
        for w in cert.get("warnings", []):
            console.print(f"[yellow]warning:[/] {w}")
    elif result.psa is not None:
        f = result.psa.facts
        console.print(
            f"[bold]{f['parties']['depositor']} {f['title']}[/] -- {result.psa.tape.height} loans in "
            f"{len(f['groups'])} group(s), {len(f['classes'])} classes and components"
        )
        console.print(
            reconciliation_table(f"Reconciliation of {result.source.name}", result.psa.reconciliation)
        )
        for w in result.psa.warnings:
            console.print(f"[yellow]warning:[/] {w}")
    console.print(f"wrote {', '.join(p.name for p in result.files)} to {result.out}")
    console.print(f"ingest took {result.seconds:.2f} s")
