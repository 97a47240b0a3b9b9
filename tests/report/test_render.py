"""Rendering through the CLI: the PDF's text (pdftotext) carries every required label and figure, a page converts to
PNG (pdftoppm), the HTML embeds both charts, the CSV parses; and the Servicer's Certificate likewise."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from rmbs.report.render import usd
from rmbs.report.statement import build_statement
from tests.report.conftest import DEALS, PostedLedger, run

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="poppler-utils not installed"
)
PERIOD = {"boams-2002-3": "2002-12", "boams-2000-2": "2000-11"}


def pdf_text(path: Path) -> str:
    # -raw: the content stream order, which WeasyPrint writes in document order (table headers stay whole)
    out = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(out.split())


@needs_poppler
@pytest.mark.parametrize("deal_id", DEALS)
def test_statement_pdf_has_every_label_and_renders(
    deal_id: str, posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = tmp_path / "statement.pdf"
    period = PERIOD[deal_id]
    assert run(monkeypatch, "report", "statement", deal_id, "--db", posted[deal_id].url, "--period", period,
               "--format", "pdf", "--out", str(pdf)) == 0  # fmt: skip
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(pdf)
    s = build_statement(deal_id, posted[deal_id].url, period)
    for clause in s.cit.clauses.values():
        heading = f"Section {clause.ref} {clause.title}"
        assert heading in text, heading
        assert f"PSA L{clause.line}" in text
    for label in (
        "Statement to Certificateholders",
        "Distribution Date",
        "Record Date",
        "Determination Date",
        "Pass-Through Rate",
        "Principal per $1,000",
        "Interest per $1,000",
        "Class Unpaid Interest Shortfall included",
        "Class Unpaid Interest Shortfall remaining",
        "Class Certificate Balance",
        "Pool Stated Principal Balance",
        "Senior Percentage",
        "Priority Percentage",
        "Subordinate Percentage",
        "Servicing Fee",
        "Periodic Advances included",
        "Periodic Advances outstanding",
        "Delinquent 1 to 30 days",
        "Delinquent 31 to 60 days",
        "Delinquent 61 to 90 days",
        "Delinquent 91 or more days",
        "In foreclosure",
        "REO Properties",
        "Senior Prepayment Percentage",
        "Subordinate Prepayment Percentage",
        "Realized Losses in the preceding calendar month",
        "Class A-PO Deferred Amount",
        "Class factors over time",
        "Delinquencies",
        "one-half of one penny rounded down",
    ):
        assert label in text, label
    for c in s.classes:
        assert c.name in text
        assert usd(c.ending) in text and usd(c.principal) in text
    if deal_id == "boams-2002-3":
        assert "Class 1-A-7 Notional Amount" in text and "LIBOR" in text
    else:
        for name in ("Special Hazard Loss Amount", "Fraud Loss Amount", "Bankruptcy Loss Amount"):
            assert name in text
    # one page to PNG: it renders
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


def test_statement_html_embeds_charts_and_csv_parses(
    posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal_id = "boams-2002-3"
    html, table = tmp_path / "s.html", tmp_path / "s.csv"
    for out in (html, table):  # the format follows the suffix when --format is not given
        assert run(monkeypatch, "report", "statement", deal_id, "--ledger", posted[deal_id].url, "--period", "2002-06",
                   "--out", str(out)) == 0  # fmt: skip
    page = html.read_text()
    assert page.count('src="data:image/png;base64,') == 2
    assert "<table" in page and "Section 5.04(a)(xv)" in page
    rows = list(csv.DictReader(table.open()))
    assert rows and {r["period"] for r in rows} == {"2002-06"}


@needs_poppler
@pytest.mark.parametrize("deal_id", DEALS)
def test_servicer_certificate_pdf_and_csv(
    deal_id: str, posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf, table = tmp_path / "c.pdf", tmp_path / "c.csv"
    for out in (pdf, table):
        assert run(monkeypatch, "report", "servicer", deal_id, "--db", posted[deal_id].url, "--period",
                   PERIOD[deal_id], "--out", str(out)) == 0  # fmt: skip
    text = pdf_text(pdf)
    for label in (
        "Servicer's Certificate",
        "Section 4.01",
        "One month delinquent",
        "Two months delinquent",
        "Three months delinquent",
        "More than three months delinquent",
        "REO Properties: book value",
        "Periodic Advances",
        "Servicing Fee retained",
        "Pool Distribution Amount",
        "Servicing Officer",
    ):
        assert label in text, label
    rows = list(csv.DictReader(table.open()))
    s = build_statement(deal_id, posted[deal_id].url, PERIOD[deal_id])
    pda = {r["loan_group"]: r["value"] for r in rows if r["item"] == "Pool Distribution Amount"}
    for g in s.groups:
        assert pda[g.loan_group] == f"{g.pool_distribution_amount / 100:.2f}"
