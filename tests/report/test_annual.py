"""Section 5.04(b)'s annual statement: clauses (i), (ii) and (vii) summed over the year's posted Distribution Dates."""

from __future__ import annotations

import csv
import sqlite3
from decimal import ROUND_HALF_DOWN, Decimal
from pathlib import Path

import pytest

from rmbs.deal.library import load_facts
from tests.report.conftest import PostedLedger, run


def test_2002_sums_equal_the_ledger(
    posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deal = "boams-2002-3"
    out = tmp_path / "annual.csv"
    assert (
        run(
            monkeypatch,
            "report",
            "annual",
            deal,
            "--year",
            "2002",
            "--db",
            posted[deal].url,
            "--out",
            str(out),
        )
        == 0
    )
    rows = list(csv.DictReader(out.open()))
    got = {(r["item"], r["key"]): (Decimal(r["value"]), r["per_1000"]) for r in rows}
    con = sqlite3.connect(posted[deal].path)
    sums = con.execute(
        "select c.class_name, sum(c.principal_paid + c.po_deferred_paid), sum(c.interest_paid) from class_periods c "
        "join postings p on p.id = c.posting_id where p.status = 'posted' and p.period_label like '2002-%' "
        "group by c.class_name"
    ).fetchall()
    fees = dict(
        con.execute(
            "select g.group_id, sum(g.servicing_fee) from group_periods g join postings p on p.id = g.posting_id "
            "where p.status = 'posted' and p.period_label like '2002-%' group by g.group_id"
        ).fetchall()
    )
    con.close()
    original = {c["name"]: Decimal(c["initial_balance"]) for c in load_facts(deal)["classes"]}
    for name, principal, interest in sums:
        value, p1000 = got[("Principal distributed", name)]
        assert value * 100 == principal
        assert Decimal(p1000) == (Decimal(principal) * 10 / original[name]).quantize(
            Decimal("0.01"), ROUND_HALF_DOWN
        )
        assert got[("Interest distributed", name)][0] * 100 == interest
    for g, fee in fees.items():
        assert got[("Servicing Fee", g)][0] * 100 == fee
    apo = got[("Principal distributed", "A-PO")][0]
    assert apo == sum(got[("Principal distributed", n)][0] for n in ("1-A-PO", "2-A-PO", "3-A-PO"))
    assert {r["clause"] for r in rows} == {"5.04(a)(i)", "5.04(a)(ii)", "5.04(a)(vii)"}


def test_a_year_with_nothing_posted(posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    code = run(monkeypatch, "report", "annual", "boams-2000-2", "--year", "2005", "--db", posted["boams-2000-2"].url,
               "--out", str(tmp_path / "a.pdf"))  # fmt: skip
    assert code == 2 and "no Distribution Date of boams-2000-2 in 2005 is posted" in capsys.readouterr().err
