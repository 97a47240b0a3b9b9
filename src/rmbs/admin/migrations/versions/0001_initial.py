"""The initial ledger: trusts, remittance files, postings, group and class periods, state snapshots,
reconciliation.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The tables as first released (frozen here; later revisions alter them with op.* calls).
    md = sa.MetaData()
    from rmbs.admin import tables

    for t in tables.metadata.sorted_tables:
        if t.name not in tables.TABLES_0002:  # created by revision 0002
            t.to_metadata(md)
    md.create_all(bind=op.get_bind())


def downgrade() -> None:
    for name in (
        "reconciliation",
        "state_snapshots",
        "class_periods",
        "group_periods",
        "postings",
        "remittance_files",
        "trusts",
    ):
        op.drop_table(name)
