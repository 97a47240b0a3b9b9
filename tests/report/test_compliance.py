"""Section 3.18: with every listed series posted (2002-3, a trust of the ledger) or recorded reconciled (the series
administered elsewhere) for 2003, the certificate reproduces the Exhibit I of both seed certificates; a series with
a Distribution Date of the year not posted or not reconciled, or not administered, is an exception."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from rmbs.ingest.certificates import CertificateFacts, SeriesEntry, parse_officer_certificate
from rmbs.report.compliance import date_cell
from tests.report.conftest import PostedLedger, post_months, run

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
CERTS = {"000_72145ec7ad54c583.txt": 53, "001_1b496b0a61acfa02.txt": 32}

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="seed filings not found")


def key(e: SeriesEntry) -> tuple[object, ...]:
    return (
        e.label,
        e.series,
        e.prefix,
        e.year,
        e.parties,
        e.pooling_agreement_date,
        e.amendment_date,
        e.amendment_text,
    )


@pytest.fixture(scope="module")
def full_2003(tmp_path_factory: pytest.TempPathFactory) -> PostedLedger:
    """2002-3 posted from its first Distribution Date (2002-04) through 2003-12, both certificates' series
    registered and the series kept elsewhere recorded reconciled for 2003."""
    ledger = post_months("boams-2002-3", tmp_path_factory.mktemp("compliance"), 21, seed=3)
    mp = pytest.MonkeyPatch()
    try:
        for cert in CERTS:
            assert (
                run(mp, "report", "register", "--series", str(SEEDS / cert), "--db", ledger.url, "--by", "t")
                == 0
            )
            assert run(mp, "report", "attest", "--series", str(SEEDS / cert), "--from", "2003-01", "--to", "2003-12",
                       "--reference", "servicing system report 2003", "--db", ledger.url) == 0  # fmt: skip
    finally:
        mp.undo()
    return ledger


@pytest.mark.parametrize("cert", CERTS)
def test_reproduces_the_seed_exhibit_i(
    cert: str, full_2003: PostedLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cert.txt"
    assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(SEEDS / cert),
               "--db", full_2003.url, "--out", str(out)) == 0  # fmt: skip
    seed: CertificateFacts = parse_officer_certificate(SEEDS / cert)
    ours = parse_officer_certificate(out)
    assert len(ours.series) == len(seed.series) == CERTS[cert]
    assert [key(e) for e in ours.series] == [key(e) for e in seed.series]
    assert (ours.officer_name, ours.officer_title, ours.servicer, ours.dated, ours.year_covered) == (
        seed.officer_name,
        seed.officer_title,
        seed.servicer,
        seed.dated,
        seed.year_covered,
    )
    text = out.read_text()
    assert "EXHIBIT II" not in text and "fulfilled all its obligations" in text


def test_2002_3_is_certified_from_its_postings(
    full_2003: PostedLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "cert.json"
    cert = "000_72145ec7ad54c583.txt"
    assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(SEEDS / cert),
               "--db", full_2003.url, "--out", str(out)) == 0  # fmt: skip
    data = json.loads(out.read_text())
    assert len(data["certified"]) == 53 and data["exceptions"] == []
    by_label = {e["label"]: e for e in data["certified"]}
    assert by_label["2002-3"]["evidence"] == "trust boams-2002-3: postings 2003-01 to 2003-12 reconciled"
    assert by_label["BoALT 2003-1"]["evidence"] == "recorded periods 2003-02 to 2003-12 reconciled"
    assert by_label["2003-10"]["evidence"] == "no Distribution Date in 2003"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
@pytest.mark.parametrize("cert", CERTS)
def test_pdf_and_html_show_every_row(
    cert: str, full_2003: PostedLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf, html = tmp_path / "c.pdf", tmp_path / "c.html"
    for out in (pdf, html):
        assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(SEEDS / cert),
                   "--db", full_2003.url, "--out", str(out)) == 0  # fmt: skip
    raw = subprocess.run(
        ["pdftotext", "-raw", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    text = " ".join(raw.split())
    page = html.read_text()
    seed = parse_officer_certificate(SEEDS / cert)
    for label in ("OFFICER'S CERTIFICATE PURSUANT TO SECTION 3.18", "EXHIBIT I", "Dated: March 18, 2004",
                  "By: /s/ H. Randall Chestnut", "Title: Senior Vice President", "calendar year 2003"):  # fmt: skip
        assert label in text, label
    for e in seed.series:
        row = f"{', '.join(e.parties[:-1])} and {e.parties[-1]} {date_cell(e)} {e.label}"
        assert row in text, row
        assert f"<td>{date_cell(e)}</td>" in page
    assert text.count(" 2002") + text.count(" 2003") >= len(seed.series)


def test_unposted_unreconciled_and_unknown_series_are_exceptions(
    posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the shared 12-month ledger (2002-04 .. 2003-03), copied: 2002-3 lacks 2003-04 .. 2003-12
    db = tmp_path / "ledger.db"
    shutil.copy(posted["boams-2002-3"].path, db)
    cert = SEEDS / "000_72145ec7ad54c583.txt"
    assert run(monkeypatch, "report", "register", "--series", str(cert), "--db", str(db)) == 0
    listed = parse_officer_certificate(cert).series
    others = [e.label for e in listed if e.label not in ("2002-3", "2002-B")]
    args = [a for label in others for a in ("--label", label)]
    assert (
        run(monkeypatch, "report", "attest", *args, "--from", "2003-01", "--to", "2003-12", "--db", str(db))
        == 0
    )
    assert run(monkeypatch, "report", "attest", "--label", "2002-C", "--from", "2003-06", "--to", "2003-06",
               "--status", "unreconciled", "--db", str(db)) == 0  # fmt: skip
    # a listed series this ledger does not administer
    lst = tmp_path / "series.json"
    rows = [e.to_json_dict() for e in listed] + [
        {"label": "2003-Z", "parties": "A, Inc., B, N.A. and C", "pooling_agreement_date": "2003-05-01"}
    ]
    lst.write_text(json.dumps({"series": rows, "officer_name": "Jane Roe", "officer_title": "Vice President",
                               "servicer": "Bank of America, N.A.", "dated": "2004-03-01"}))  # fmt: skip
    out = tmp_path / "cert.json"
    assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(lst), "--db", str(db),
               "--out", str(out)) == 0  # fmt: skip
    data = json.loads(out.read_text())
    reasons = {e["label"]: e["reason"] for e in data["exceptions"]}
    assert reasons == {
        "2002-3": "Distribution Dates not posted: 2003-04 to 2003-12",
        "2002-B": "Distribution Dates not posted: 2003-01 to 2003-12",
        "2002-C": "not reconciled: 2003-06",
        "2003-Z": "not administered by this ledger (not registered)",
    }
    assert len(data["certified"]) == 53 - 3
    # the text form: Exhibit I holds only the certified series; Exhibit II says why the others are not
    txt = tmp_path / "cert.txt"
    assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(lst), "--db", str(db),
               "--out", str(txt)) == 0  # fmt: skip
    parsed = parse_officer_certificate(txt)
    assert [e.label for e in parsed.series] == [e["label"] for e in data["certified"]]
    assert parsed.officer_name == "Jane Roe"
    body = txt.read_text()
    assert "EXHIBIT II" in body and "does not cover the 4 series listed on Exhibit II" in body
    # a posting whose reconciliation is off by a cent is not reconciled
    con = sqlite3.connect(db)
    con.execute(
        "update reconciliation set difference = 1 where posting_id = "
        "(select id from postings where period_label = '2003-02' and status = 'posted')"
    )
    con.commit()
    con.close()
    assert run(monkeypatch, "report", "compliance", "--year", "2003", "--series", str(lst), "--db", str(db),
               "--out", str(out)) == 0  # fmt: skip
    reasons = {e["label"]: e["reason"] for e in json.loads(out.read_text())["exceptions"]}
    assert reasons["2002-3"] == "Distribution Dates not posted: 2003-04 to 2003-12; not reconciled: 2003-02"


def test_registering_the_same_label_with_other_facts_is_refused(
    posted: dict[str, PostedLedger],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = tmp_path / "ledger.db"
    shutil.copy(posted["boams-2000-2"].path, db)
    one = tmp_path / "one.json"
    one.write_text(
        json.dumps([{"label": "2003-A", "parties": ["A", "B", "C"], "pooling_agreement_date": "2003-01-28"}])
    )
    assert run(monkeypatch, "report", "register", "--series", str(one), "--db", str(db)) == 0
    assert run(monkeypatch, "report", "register", "--series", str(one), "--db", str(db)) == 0
    assert "already registered" in capsys.readouterr().out
    one.write_text(
        json.dumps([{"label": "2003-A", "parties": ["A", "B", "D"], "pooling_agreement_date": "2003-01-28"}])
    )
    assert run(monkeypatch, "report", "register", "--series", str(one), "--db", str(db)) == 2
    assert "registered with different parties; use --replace" in capsys.readouterr().err
    assert run(monkeypatch, "report", "register", "--series", str(one), "--db", str(db), "--replace") == 0
