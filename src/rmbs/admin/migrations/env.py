"""Alembic environment: always run programmatically by rmbs.admin.ledger with a live connection."""

from alembic import context

from rmbs.admin.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
