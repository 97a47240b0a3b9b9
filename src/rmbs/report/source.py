"""Reading one trust's posted periods out of the ledger, read-only, for the reports.

A report never creates or migrates a ledger: a missing SQLite file, a ledger without the trust, a period not posted
or a posting without the servicer data of migration 0002 are each a :class:`ReportError` (exit code 2) saying what
to do.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from rmbs.admin import tables as t
from rmbs.admin.ledger import connect, db_url
from rmbs.deal.library import load_facts
from rmbs.deal.loader import load_deal
from rmbs.deal.schema import Deal
from rmbs.errors import RmbsError
from rmbs.report.calendar import statement_dates
from rmbs.waterfall.engine import DealState

_PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class ReportError(RmbsError):
    """A report cannot be produced: unknown deal, no ledger, a period not posted."""


@dataclass
class Posted:
    """One posted period of a trust, as the ledger holds it."""

    posting: Any
    classes: dict[str, Any]
    groups: dict[str, Any]
    reconciliation: dict[str, Any]
    servicing: dict[str, Any]
    certificate: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # group -> Servicer's Certificate JSON
    detail: dict[str, dict[str, Any]] = field(default_factory=dict)  # group -> servicing detail JSON

    @property
    def label(self) -> str:
        return str(self.posting.period_label)

    @property
    def period(self) -> int:
        return int(self.posting.period)

    @property
    def run(self) -> dict[str, Any]:
        """Switches and LIBOR recorded with the posting."""
        return dict(json.loads(self.posting.switches))

    @property
    def provenance(self) -> dict[str, Any]:
        """Who posted the period, when, from which remittance file and with which rmbs (a report's audit line)."""
        return {
            "posting_id": self.posting.id,
            "posted_by": self.posting.posted_by,
            "posted_at": self.posting.posted_at,
            "sha256": self.posting.file_sha256,
            "code_version": self.posting.code_version,
        }


@dataclass
class TrustHistory:
    deal: Deal
    trust: Any
    periods: list[Posted]  # posted periods up to and including the one reported, in order
    state_after: DealState  # the waterfall state after the reported period

    @property
    def current(self) -> Posted:
        return self.periods[-1]

    @property
    def prior(self) -> Posted | None:
        return self.periods[-2] if len(self.periods) > 1 else None


@dataclass
class PeriodHeader:
    """What a report of one posted period opens with: the trust, its agreement and parties, the period, its dates."""

    deal_id: str
    title: str
    series: str
    psa: str
    parties: dict[str, str]
    period: int
    label: str
    dates: dict[str, date]


def period_header(h: TrustHistory) -> dict[str, Any]:
    """The :class:`PeriodHeader` fields of the reported period, as keyword arguments."""
    deal, cur = h.deal, h.current
    facts = load_facts(deal.library)
    return {
        "deal_id": deal.deal_id,
        "title": deal.title,
        "series": str(facts.get("series", "")),
        "psa": deal.psa,
        "parties": dict(facts.get("parties", {})),
        "period": cur.period,
        "label": cur.label,
        "dates": statement_dates(deal.first_distribution_date, cur.period),
    }


def check_period(period: str) -> str:
    if not _PERIOD_RE.match(period):
        raise ReportError(f"not a period: {period!r}", field="period", expected="YYYY-MM, e.g. 2002-05")
    return period


def open_ledger(db: str | None) -> Engine:
    """Connect to an existing ledger (never creating a SQLite file)."""
    url = db_url(db)
    if url.startswith("sqlite"):
        database = make_url(url).database
        if not database or database == ":memory:" or not Path(database).is_file():
            raise ReportError(
                f"no ledger at {database or url}: create it with `rmbs admin init DEAL --db ...`", field="db"
            )
    return connect(db)


def load_deal_checked(deal_id: str) -> Deal:
    try:
        return load_deal(deal_id)
    except RmbsError as exc:
        raise ReportError(f"unknown deal {deal_id!r}: {exc.message}", field="deal") from None


def _rows(conn: Any, table: Any, pid: int, key: str) -> dict[str, Any]:
    return {getattr(r, key): r for r in conn.execute(select(table).where(table.c.posting_id == pid))}


def _trust(conn: Any, deal_id: str, db: str | None, advise: bool) -> Any:
    """The ledger's row of the trust; not a ledger, or the trust not in it, is a :class:`ReportError` (``advise``:
    saying to run ``rmbs admin init``)."""
    hint = f": run `rmbs admin init {deal_id}`" if advise else ""
    try:
        trust = conn.execute(select(t.trusts).where(t.trusts.c.deal_id == deal_id)).first()
    except (OperationalError, ProgrammingError):
        raise ReportError(f"{db_url(db)} is not an rmbs ledger{hint}", field="db") from None
    if trust is None:
        raise ReportError(f"trust {deal_id} is not in the ledger {db_url(db)}{hint}", field="deal")
    return trust


def load_history(deal_id: str, db: str | None, period: str) -> TrustHistory:
    """The trust's posted periods up to ``period`` (which must be posted) with their stored figures."""
    deal = load_deal_checked(deal_id)
    check_period(period)
    engine = open_ledger(db)
    try:
        with engine.connect() as conn:
            trust = _trust(conn, deal_id, db, advise=True)
            postings = list(
                conn.execute(
                    select(t.postings)
                    .where(t.postings.c.trust_id == trust.id, t.postings.c.status == "posted")
                    .order_by(t.postings.c.period)
                )
            )
            labels = [p.period_label for p in postings]
            if period not in labels:
                posted = f"posted: {labels[0]} to {labels[-1]}" if labels else "no period is posted yet"
                raise ReportError(
                    f"period {period} of {deal_id} is not posted in {db_url(db)} ({posted})", field="period"
                )
            upto = postings[: labels.index(period) + 1]
            out: list[Posted] = []
            try:
                for p in upto:
                    item = Posted(
                        posting=p,
                        classes=_rows(conn, t.class_periods, p.id, "class_name"),
                        groups=_rows(conn, t.group_periods, p.id, "group_id"),
                        reconciliation=_rows(conn, t.reconciliation, p.id, "group_id"),
                        servicing=_rows(conn, t.servicing_periods, p.id, "group_id"),
                    )
                    item.certificate = {g: json.loads(r.certificate) for g, r in item.groups.items()}
                    item.detail = {g: json.loads(r.detail) for g, r in item.servicing.items()}
                    out.append(item)
            except (OperationalError, ProgrammingError):
                raise ReportError(
                    "this ledger predates reporting (migration 0002): run `rmbs admin init "
                    f"{deal_id} --db ...` to migrate it, then restate the periods to report",
                    field="db",
                ) from None
            if not out[-1].servicing:  # earlier periods without it only leave gaps in the charts
                raise ReportError(
                    f"period {period} was posted before the ledger kept servicer data (migration 0002): "
                    "restate it with `rmbs admin post --restate` to report it",
                    field="period",
                )
            snap = conn.execute(
                select(t.state_snapshots.c.state).where(t.state_snapshots.c.posting_id == upto[-1].id)
            ).scalar_one()
            return TrustHistory(deal, trust, out, DealState.from_json(json.loads(snap)))
    finally:
        engine.dispose()


def posted_labels(deal_id: str, db: str | None) -> list[str]:
    """The periods of the trust posted in the ledger, in order."""
    load_deal_checked(deal_id)
    engine = open_ledger(db)
    try:
        with engine.connect() as conn:
            trust = _trust(conn, deal_id, db, advise=False)
            return [
                str(r.period_label)
                for r in conn.execute(
                    select(t.postings.c.period_label)
                    .where(t.postings.c.trust_id == trust.id, t.postings.c.status == "posted")
                    .order_by(t.postings.c.period)
                )
            ]
    finally:
        engine.dispose()
