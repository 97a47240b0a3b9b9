"""Ledger fixtures: every admin test runs on SQLite, and on PostgreSQL too when RMBS_TEST_PG_URL is set.

On PostgreSQL each test gets its own schema (via ``search_path``), dropped afterwards, so that concurrent test runs
against the same database (two checkouts, CI and a developer) never see each other's ledgers.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres import pg_schema

PG_URL = os.environ.get("RMBS_TEST_PG_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


@pytest.fixture(params=BACKENDS)
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    assert PG_URL
    with pg_schema(PG_URL) as url:
        yield url
