"""The trust's ledger: every posted period, its inputs, distributions, state and audit trail, in one database.

SQLAlchemy 2 Core; a SQLite file by default (WAL, foreign keys on, ``BEGIN IMMEDIATE`` so concurrent posters
serialize) or PostgreSQL by URL (the trust row is locked ``FOR UPDATE`` for the whole posting). Alembic migrations
(``rmbs/admin/migrations``) run programmatically at ``init``. A posting is validated, distributed from the ledger's
last state and stored in ONE transaction: a crash leaves the ledger holding the whole period or none of it.
"""

from __future__ import annotations

import getpass
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection, Engine, create_engine, event, insert, inspect, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from rmbs.admin import tables as t
from rmbs.admin.remittance import (
    LoanBook,
    Remittance,
    group_collections,
    next_book,
    parse_remittance,
    period_label,
    read_remittance,
    trust_terms,
    validate,
)
from rmbs.admin.servicing import store_servicing
from rmbs.deal.loader import load_deal
from rmbs.deal.schema import Deal
from rmbs.errors import RmbsError, ValidationError
from rmbs.waterfall.engine import (
    ConservationError,
    DealState,
    GroupPeriodInput,
    PeriodResult,
    WaterfallEngine,
)
from rmbs.waterfall.run import parse_index_path

DEFAULT_DB = "sqlite:///rmbs-ledger.db"
MIGRATIONS = Path(__file__).parent / "migrations"


class LedgerError(RmbsError):
    """The ledger is missing, not initialized, or refuses the operation."""


def code_version() -> str:
    try:
        from importlib.metadata import version

        return version("rmbs")
    except Exception:  # noqa: BLE001 - not installed: still record something
        return "unknown"


def db_url(db: str | None) -> str:
    if not db:
        return DEFAULT_DB
    if "://" not in db:
        return f"sqlite:///{db}"
    return db


def connect(db: str | None) -> Engine:
    url = db_url(db)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _now() -> datetime:
    return datetime.now(UTC)


def init_trust(deal_id: str, db: str | None = None, *, tape: pl.DataFrame | None = None) -> str:
    """Create the ledger (if needed) and the trust from the deal file and its cut-off tape."""
    deal = load_deal(deal_id)
    engine = connect(db)
    try:
        migrate(engine)
        _terms, book = trust_terms(deal, tape)
        state = WaterfallEngine(deal).initial_state()
        with engine.begin() as conn:
            row = conn.execute(select(t.trusts.c.id).where(t.trusts.c.deal_id == deal_id)).first()
            if row is not None:
                return f"trust {deal_id} already exists in {db_url(db)}"
            conn.execute(
                insert(t.trusts).values(
                    deal_id=deal_id,
                    title=getattr(deal, "title", deal_id) or deal_id,
                    created_at=_now(),
                    code_version=code_version(),
                    initial_state=json.dumps(state.to_json()),
                    initial_book=json.dumps(book.to_json()),
                )
            )
        return f"created trust {deal_id}: {len(book.balances)} loans, in {db_url(db)}"
    finally:
        engine.dispose()


@dataclass
class PostOutcome:
    message: str
    posting_ids: list[int]
    results: list[PeriodResult]


def _lock_trust(conn: Connection, deal_id: str) -> Any:
    q = select(t.trusts).where(t.trusts.c.deal_id == deal_id)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    try:
        row = conn.execute(q).first()
    except (OperationalError, ProgrammingError) as exc:
        raise LedgerError(f"no ledger here: run `rmbs admin init {deal_id}` first ({exc.orig})") from None
    if row is None:
        raise LedgerError(f"trust {deal_id} is not in this ledger: run `rmbs admin init {deal_id}` first")
    return row


def _posted(conn: Connection, trust_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(t.postings)
            .where(t.postings.c.trust_id == trust_id, t.postings.c.status == "posted")
            .order_by(t.postings.c.period)
        )
    )


def _snapshot(conn: Connection, trust: Any, posting_id: int | None) -> tuple[DealState, LoanBook]:
    if posting_id is None:
        return DealState.from_json(json.loads(trust.initial_state)), LoanBook.from_json(
            json.loads(trust.initial_book)
        )
    snap = conn.execute(select(t.state_snapshots).where(t.state_snapshots.c.posting_id == posting_id)).one()
    return DealState.from_json(json.loads(snap.state)), LoanBook.from_json(json.loads(snap.book))


class _Run:
    """The pure part of a posting: validate, collect, distribute. No database."""

    def __init__(self, deal: Deal, switches: dict[str, str] | None, tape: pl.DataFrame | None = None) -> None:
        self.deal = deal
        self.engine = WaterfallEngine(deal, switches)
        self.terms, _ = trust_terms(deal, tape)
        self.index = parse_index_path(None)

    def period(
        self,
        rem: Remittance,
        state: DealState,
        book: LoanBook,
        posted: dict[str, str],
        restating: bool = False,
    ) -> tuple[DealState, LoanBook, PeriodResult, dict[str, Any], dict[str, GroupPeriodInput]]:
        n = state.period + 1
        validate(rem, book, self.terms, period_label(self.deal, n), posted, restating=restating)
        pools, inputs = group_collections(self.deal, rem, self.terms, n, self.deal.first_distribution_date)
        new_state, result = self.engine.run_period(state, inputs, self.index.at(n))
        return new_state, next_book(rem, book), result, pools, inputs


def _store(
    conn: Connection,
    trust_id: int,
    rem: Remittance,
    by: str,
    switches: dict[str, str],
    run: _Run,
    new_state: DealState,
    book: LoanBook,
    result: PeriodResult,
    pools: dict[str, Any],
    inputs: dict[str, GroupPeriodInput],
) -> int:
    if (
        conn.execute(
            select(t.remittance_files.c.sha256).where(t.remittance_files.c.sha256 == rem.sha256)
        ).first()
        is None
    ):
        conn.execute(
            insert(t.remittance_files).values(sha256=rem.sha256, name=rem.path.name, content=rem.content)
        )
    pid = conn.execute(
        insert(t.postings)
        .values(
            trust_id=trust_id,
            period=result.period,
            period_label=rem.period,
            file_sha256=rem.sha256,
            posted_by=by,
            posted_at=_now(),
            switches=json.dumps({"switches": run.engine.switches, "libor": str(run.index.at(result.period))}),
            code_version=code_version(),
            status="posted",
        )
        .returning(t.postings.c.id)
    ).scalar_one()
    group_rows, recon_rows = [], []
    for g in run.deal.groups:
        gi = inputs[g.loan_group]
        gr = result.groups[g.id]
        pp = pools[g.loan_group]
        principal_in = gi.principal_non_po + gi.principal_po - gi.principal_shortfall
        names = [c.name for c in run.deal.classes if c.group == g.id]
        paid = sum(
            result.classes[n].interest_paid
            + result.classes[n].principal_paid
            + result.classes[n].po_deferred_paid
            for n in names
        )
        collections = pp.gross_interest - pp.relief_act_reduction + principal_in
        fees = pp.servicing_fee + pp.trustee_fee
        distributions = paid + gr.residual_paid
        diff = collections - distributions - fees
        if diff != 0:
            raise ConservationError(
                f"period {result.period} group {g.id}: collections differ by {diff} cents"
            )
        cert_balance = sum(new_state.balances.get(n, 0) for n in names if n in new_state.balances)
        certificate = {
            "pool_period": {k: (str(v) if not isinstance(v, int) else v) for k, v in asdict(pp).items()},
            "group_input": asdict(gi),
            "tests": {
                "senior_percentage": str(gr.senior_percentage),
                "senior_prepayment_percentage": str(gr.senior_prepayment_percentage),
                "delinquency_test_pass": gr.delinquency_test_pass,
                "loss_test_pass": gr.loss_test_pass,
                "restricted_classes": gr.restricted_classes,
                "po_deferred_amount": gr.po_deferred_amount,
                "cumulative_realized_losses": gr.cumulative_realized_losses,
                "coverage_remaining": gr.coverage_remaining,
            },
        }
        group_rows.append(
            {
                "posting_id": pid,
                "group_id": g.id,
                "beginning_balance": pp.beginning_balance,
                "scheduled_principal": gi.scheduled_principal_non_po + gi.scheduled_principal_po,
                "prepayments": gi.prepayment_non_po + gi.prepayment_po,
                "other_principal": gi.other_principal_non_po + gi.other_principal_po,
                "liquidation_principal": gi.liquidation_principal_non_po + gi.liquidation_principal_po,
                "realized_loss": gi.realized_loss_principal_non_po + gi.realized_loss_principal_po,
                "gross_interest": pp.gross_interest,
                "servicing_fee": pp.servicing_fee,
                "trustee_fee": pp.trustee_fee,
                "net_interest": gi.net_interest,
                "principal_shortfall": gi.principal_shortfall,
                "delinquent_60_plus": gi.delinquent_60_plus,
                "ending_balance": gi.ending_balance,
                "ending_balance_po": gi.ending_balance_po,
                "pool_distribution_amount": gr.pool_distribution_amount,
                "residual_paid": gr.residual_paid,
                "senior_percentage": str(gr.senior_percentage),
                "senior_prepayment_percentage": str(gr.senior_prepayment_percentage),
                "certificate": json.dumps(certificate, default=str),
            }
        )
        recon_rows.append(
            {
                "posting_id": pid,
                "group_id": g.id,
                "collections": collections,
                "distributions": distributions,
                "fees": fees,
                "retained": 0,
                "difference": diff,
                "certificate_balance": cert_balance,
                "pool_balance": gi.ending_balance,
            }
        )
    conn.execute(insert(t.group_periods), group_rows)
    conn.execute(insert(t.reconciliation), recon_rows)
    conn.execute(
        insert(t.class_periods),
        [
            {
                "posting_id": pid,
                "class_name": c.name,
                "beginning_balance": c.beginning_balance,
                "accrued_interest": c.accrued_interest,
                "interest_reduction": c.interest_reduction,
                "interest_paid": c.interest_paid,
                "unpaid_interest_shortfall": c.unpaid_interest_shortfall,
                "principal_paid": c.principal_paid,
                "po_deferred_paid": c.po_deferred_paid,
                "realized_loss": c.realized_loss,
                "writedown": c.writedown,
                "ending_balance": c.ending_balance,
                "rate": str(c.rate),
            }
            for c in result.classes.values()
        ],
    )
    conn.execute(
        insert(t.state_snapshots).values(
            posting_id=pid, state=json.dumps(new_state.to_json()), book=json.dumps(book.to_json())
        )
    )
    store_servicing(conn, pid, trust_id, result.period, run.deal, rem, run.terms)
    return pid


def post_remittance(
    deal_id: str,
    path: str | Path,
    db: str | None = None,
    *,
    by: str | None = None,
    restate: bool = False,
    switches: dict[str, str] | None = None,
    tape: pl.DataFrame | None = None,
) -> PostOutcome:
    """Validate, distribute and store one remittance (see the module docstring)."""
    rem = read_remittance(path)
    deal = load_deal(deal_id)
    run = _Run(deal, switches, tape)
    who = by or getpass.getuser()
    engine = connect(db)
    try:
        if inspect(engine).has_table("trusts"):
            migrate(engine)  # a ledger made by an older rmbs gains the tables a posting now fills (0002)
        with engine.begin() as conn:
            trust = _lock_trust(conn, deal_id)
            posted = _posted(conn, trust.id)
            by_label = {p.period_label: p for p in posted}
            prior = by_label.get(rem.period)
            if prior is not None and prior.file_sha256 == rem.sha256:
                return PostOutcome(
                    f"period {rem.period} is already posted from this file (sha256 {rem.sha256[:12]}): nothing to do",
                    [],
                    [],
                )
            if prior is not None and not restate:
                raise ValidationError(
                    f"period {rem.period} is already posted from a different file "
                    f"(sha256 {prior.file_sha256[:12]}); use --restate to replace it",
                    file=rem.path,
                    field="period",
                )
            if prior is None:
                last = posted[-1].id if posted else None
                state, book = _snapshot(conn, trust, last)
                labels = {p.period_label: p.file_sha256 for p in posted}
                new_state, new_book, result, pools, inputs = run.period(rem, state, book, labels)
                pid = _store(
                    conn,
                    trust.id,
                    rem,
                    who,
                    run.engine.switches,
                    run,
                    new_state,
                    new_book,
                    result,
                    pools,
                    inputs,
                )
                return PostOutcome(
                    f"posted {deal_id} period {rem.period} (posting {pid}, by {who})", [pid], [result]
                )
            # restatement: supersede this period and every later one, re-run them in order from the prior state
            later = [p for p in posted if p.period >= prior.period]
            before = [p for p in posted if p.period < prior.period]
            state, book = _snapshot(conn, trust, before[-1].id if before else None)
            files = [rem] + [
                parse_remittance(
                    conn.execute(
                        select(t.remittance_files.c.content).where(
                            t.remittance_files.c.sha256 == p.file_sha256
                        )
                    ).scalar_one(),
                    Path(
                        f"{p.period_label}.restated{'.parquet' if _is_parquet(conn, p.file_sha256) else '.csv'}"
                    ),
                )
                for p in later[1:]
            ]
            ids, results = [], []
            for old, r in zip(later, files, strict=True):
                state, book, result, pools, inputs = run.period(r, state, book, {}, restating=False)
                pid = _store(
                    conn, trust.id, r, who, run.engine.switches, run, state, book, result, pools, inputs
                )
                conn.execute(
                    update(t.postings)
                    .where(t.postings.c.id == old.id)
                    .values(status="superseded", superseded_by=pid)
                )
                ids.append(pid)
                results.append(result)
            return PostOutcome(
                f"restated {deal_id} period {rem.period} and re-ran {len(later) - 1} later period(s) "
                f"(postings {', '.join(map(str, ids))}, by {who})",
                ids,
                results,
            )
    finally:
        engine.dispose()


def _is_parquet(conn: Connection, sha: str) -> bool:
    name = conn.execute(
        select(t.remittance_files.c.name).where(t.remittance_files.c.sha256 == sha)
    ).scalar_one()
    return str(name).lower().endswith(".parquet")


def history(deal_id: str, db: str | None = None) -> dict[str, Any]:
    """Per posted period: collections, distributions, fees, class balances and factors; plus the audit trail."""
    deal = load_deal(deal_id)
    initial = {c.name: Decimal(c.initial_balance) for c in deal.classes}
    engine = connect(db)
    try:
        with engine.connect() as conn:
            trust = conn.execute(select(t.trusts).where(t.trusts.c.deal_id == deal_id)).first()
            if trust is None:
                raise LedgerError(f"trust {deal_id} is not in this ledger")
            periods = []
            for p in _posted(conn, trust.id):
                rec = list(
                    conn.execute(select(t.reconciliation).where(t.reconciliation.c.posting_id == p.id))
                )
                cls = list(conn.execute(select(t.class_periods).where(t.class_periods.c.posting_id == p.id)))
                periods.append(
                    {
                        "period": p.period,
                        "label": p.period_label,
                        "posted_by": p.posted_by,
                        "posted_at": p.posted_at,
                        "sha256": p.file_sha256,
                        "code_version": p.code_version,
                        "collections": sum(r.collections for r in rec),
                        "fees": sum(r.fees for r in rec),
                        "distributions": sum(r.distributions for r in rec),
                        "pool_balance": sum(r.pool_balance for r in rec),
                        "interest_paid": sum(c.interest_paid for c in cls),
                        "principal_paid": sum(c.principal_paid for c in cls),
                        "classes": {
                            c.class_name: {
                                "balance": c.ending_balance,
                                "factor": (Decimal(c.ending_balance) / 100 / initial[c.class_name]).quantize(
                                    Decimal("0.0000001")
                                )
                                if initial.get(c.class_name)
                                else Decimal(0),
                                "interest_paid": c.interest_paid,
                                "principal_paid": c.principal_paid,
                            }
                            for c in cls
                        },
                    }
                )
            superseded = conn.execute(
                select(t.postings.c.id).where(
                    t.postings.c.trust_id == trust.id, t.postings.c.status == "superseded"
                )
            ).all()
            return {"deal": deal_id, "periods": periods, "superseded": len(superseded)}
    finally:
        engine.dispose()
