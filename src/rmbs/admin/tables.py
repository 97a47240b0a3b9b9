"""The ledger's tables (SQLAlchemy Core). Money is integer cents (BigInteger), never floats."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

trusts = Table(
    "trusts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("deal_id", String(64), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("code_version", String(64), nullable=False),
    Column("initial_state", Text, nullable=False),  # DealState JSON at the cut-off
    Column("initial_book", Text, nullable=False),  # loan balances at the cut-off
)

remittance_files = Table(
    "remittance_files",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

postings = Table(
    "postings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("trust_id", Integer, ForeignKey("trusts.id"), nullable=False),
    Column("period", Integer, nullable=False),
    Column("period_label", String(7), nullable=False),
    Column("file_sha256", String(64), ForeignKey("remittance_files.sha256"), nullable=False),
    Column("posted_by", Text, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    Column("switches", Text, nullable=False),
    Column("code_version", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # posted | superseded
    Column("superseded_by", Integer, ForeignKey("postings.id"), nullable=True),
    Column("note", Text, nullable=True),
)

group_periods = Table(
    "group_periods",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id"), primary_key=True),
    Column("group_id", String(16), primary_key=True),
    Column("beginning_balance", BigInteger, nullable=False),
    Column("scheduled_principal", BigInteger, nullable=False),
    Column("prepayments", BigInteger, nullable=False),
    Column("other_principal", BigInteger, nullable=False),
    Column("liquidation_principal", BigInteger, nullable=False),
    Column("realized_loss", BigInteger, nullable=False),
    Column("gross_interest", BigInteger, nullable=False),
    Column("servicing_fee", BigInteger, nullable=False),
    Column("trustee_fee", BigInteger, nullable=False),
    Column("net_interest", BigInteger, nullable=False),
    Column("principal_shortfall", BigInteger, nullable=False),
    Column("delinquent_60_plus", BigInteger, nullable=False),
    Column("ending_balance", BigInteger, nullable=False),
    Column("ending_balance_po", BigInteger, nullable=False),
    Column("pool_distribution_amount", BigInteger, nullable=False),
    Column("residual_paid", BigInteger, nullable=False),
    Column("senior_percentage", String(32), nullable=False),
    Column("senior_prepayment_percentage", String(32), nullable=False),
    Column("certificate", Text, nullable=False),  # Servicer's Certificate (4.01) + PoolPeriod as JSON
)

class_periods = Table(
    "class_periods",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id"), primary_key=True),
    Column("class_name", String(32), primary_key=True),
    Column("beginning_balance", BigInteger, nullable=False),
    Column("accrued_interest", BigInteger, nullable=False),
    Column("interest_reduction", BigInteger, nullable=False),
    Column("interest_paid", BigInteger, nullable=False),
    Column("unpaid_interest_shortfall", BigInteger, nullable=False),
    Column("principal_paid", BigInteger, nullable=False),
    Column("po_deferred_paid", BigInteger, nullable=False),
    Column("realized_loss", BigInteger, nullable=False),
    Column("writedown", BigInteger, nullable=False),
    Column("ending_balance", BigInteger, nullable=False),
    Column("rate", String(32), nullable=False),
)

state_snapshots = Table(
    "state_snapshots",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id"), primary_key=True),
    Column("state", Text, nullable=False),  # DealState JSON after the period
    Column("book", Text, nullable=False),  # loan balances after the period
)

reconciliation = Table(
    "reconciliation",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id"), primary_key=True),
    Column("group_id", String(16), primary_key=True),
    Column("collections", BigInteger, nullable=False),
    Column("distributions", BigInteger, nullable=False),
    Column("fees", BigInteger, nullable=False),
    Column("retained", BigInteger, nullable=False),
    Column("difference", BigInteger, nullable=False),
    Column("certificate_balance", BigInteger, nullable=False),
    Column("pool_balance", BigInteger, nullable=False),
    UniqueConstraint("posting_id", "group_id"),
)

# ---- migration 0002 (issue 6: reporting): servicer data per posting, and the registry of administered series

servicing_periods = Table(
    "servicing_periods",
    metadata,
    Column("posting_id", Integer, ForeignKey("postings.id"), primary_key=True),
    Column("group_id", String(16), primary_key=True),
    *(
        Column(f"{k}_{m}", BigInteger, nullable=False)
        for k in ("dq_1_30", "dq_31_60", "dq_61_90", "dq_91_plus", "foreclosure", "reo", "bankruptcy")
        for m in ("count", "balance")
    ),
    Column("periodic_advances", BigInteger, nullable=False),
    Column("advances_outstanding", BigInteger, nullable=False),
    # counts and amounts of payoffs, curtailments, repurchases, liquidations; new REO; delinquent loans carried
    Column("detail", Text, nullable=False),
)

administered_series = Table(
    "administered_series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(32), nullable=False, unique=True),  # "2002-3", "BoALT 2003-1"
    Column("series", String(16), nullable=False),
    Column("prefix", String(16), nullable=True),
    Column("parties", Text, nullable=False),  # JSON list: depositor, servicer, trustee
    Column("pooling_agreement_date", Date, nullable=False),
    Column("amendment_date", Date, nullable=True),
    Column("amendment_text", Text, nullable=True),
    Column("deal_id", String(64), nullable=True),  # a trust of this ledger: its postings are the evidence
    Column("first_distribution", String(7), nullable=False),  # YYYY-MM
    Column("registered_by", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=True),
)

series_periods = Table(
    "series_periods",
    metadata,
    Column("series_id", Integer, ForeignKey("administered_series.id"), primary_key=True),
    Column("period_label", String(7), primary_key=True),
    Column("status", String(16), nullable=False),  # reconciled | unreconciled
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("reference", Text, nullable=True),
)

TABLES_0002 = ("servicing_periods", "administered_series", "series_periods")
