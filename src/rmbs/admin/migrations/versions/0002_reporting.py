"""Reporting (issue 6): the servicer's delinquency / foreclosure / REO / advance figures per posting
(``servicing_periods``), and the registry of administered series with per-period evidence for series kept
outside this ledger (``administered_series``, ``series_periods``) for the Section 3.18 certificate.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from rmbs.admin import tables

    md = sa.MetaData()
    for t in tables.metadata.sorted_tables:
        if t.name in tables.TABLES_0002 or t.name in ("postings", "trusts", "remittance_files"):
            t.to_metadata(md)
    bind = op.get_bind()
    for name in tables.TABLES_0002:
        md.tables[name].create(bind=bind, checkfirst=True)


def downgrade() -> None:
    for name in ("series_periods", "administered_series", "servicing_periods"):
        op.drop_table(name)
