"""The reports read a PostgreSQL ledger exactly as a SQLite one (run when RMBS_TEST_PG_URL is set, as CI does)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.simulate import simulate
from rmbs.ingest.certificates import SeriesEntry
from rmbs.report.compliance import SeriesList, build_compliance, record_periods, register_series
from rmbs.report.servicer import build_servicer_certificate, servicer_csv
from rmbs.report.statement import build_statement, statement_csv
from tests.postgres import pg_schema

PG_URL = os.environ.get("RMBS_TEST_PG_URL")
pytestmark = pytest.mark.skipif(not PG_URL, reason="RMBS_TEST_PG_URL not set")


@pytest.fixture
def pg_ledger() -> Iterator[str]:
    assert PG_URL
    with pg_schema(PG_URL) as url:
        yield url


def test_statement_certificate_and_compliance_on_postgresql(pg_ledger: str, tmp_path: Path) -> None:
    deal = "boams-2000-2"
    lite = f"sqlite:///{tmp_path / 'ledger.db'}"
    paths = simulate(deal, 3, tmp_path / "rem", seed=5, default="3CDR", delinquency=2.0)
    for url in (pg_ledger, lite):
        init_trust(deal, url)
        for p in paths:
            post_remittance(deal, p, url, by="pg-test")
    for label in ("2000-04", "2000-06"):
        assert statement_csv(build_statement(deal, pg_ledger, label)) == statement_csv(
            build_statement(deal, lite, label)
        )
        assert servicer_csv(build_servicer_certificate(deal, pg_ledger, label)) == servicer_csv(
            build_servicer_certificate(deal, lite, label)
        )
    import datetime as dt

    entry = SeriesEntry(
        "2003-A", None, 2003, ["A, Inc.", "B, N.A.", "C"], dt.date(2003, 1, 28), None, None, 1
    )
    register_series(pg_ledger, [entry], by="t")
    record_periods(pg_ledger, ["2003-A"], "2003-02", "2003-12", by="t")
    cert = build_compliance(pg_ledger, 2003, SeriesList([entry], "test"))
    assert [e.label for e in cert.certified] == ["2003-A"] and not cert.exceptions
