"""Section 5.04(a): every item of every statement of 12 posted months equals the ledger.

Expected values are read straight from the ledger file with ``sqlite3`` (not through the report's reader) and, for
the servicer's figures (advances, delinquencies, REO), derived again from the remittance files and the cut-off tape.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from decimal import ROUND_HALF_DOWN, Decimal
from pathlib import Path
from typing import Any

import pytest

from rmbs.deal.library import load_facts, load_tape
from rmbs.report.psa import CITATIONS, KEYS
from rmbs.report.statement import Statement, build_statement, per_1000, statement_csv
from tests.report.conftest import DEALS, PostedLedger

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
SEED_FILES = {"boams-2002-3": "002_e60160bc507d1125.txt", "boams-2000-2": "004_f84740e5ee7e20f0.txt"}
PENNY = Decimal("0.01")


def _per_1000(cents: int, original: str) -> Decimal:
    return (Decimal(cents) / 100 * 1000 / Decimal(original)).quantize(PENNY, rounding=ROUND_HALF_DOWN)


def _rhd(x: Decimal) -> int:
    return int(x.quantize(Decimal(1), rounding=ROUND_HALF_DOWN))


def ledger(posted: PostedLedger) -> dict[str, dict[str, Any]]:
    """label -> {'classes': {name: row}, 'groups': {gid: row}, 'switches': {...}} read with sqlite3."""
    con = sqlite3.connect(posted.path)
    con.row_factory = sqlite3.Row
    (trust_id,) = con.execute("select id from trusts where deal_id = ?", (posted.deal_id,)).fetchone()
    out: dict[str, dict[str, Any]] = {}
    for p in con.execute(
        "select * from postings where trust_id = ? and status = 'posted' order by period", (trust_id,)
    ).fetchall():
        classes = {
            r["class_name"]: dict(r)
            for r in con.execute("select * from class_periods where posting_id = ?", (p["id"],))
        }
        groups = {
            r["group_id"]: dict(r)
            for r in con.execute("select * from group_periods where posting_id = ?", (p["id"],))
        }
        recon = {
            r["group_id"]: dict(r)
            for r in con.execute("select * from reconciliation where posting_id = ?", (p["id"],))
        }
        out[p["period_label"]] = {
            "classes": classes,
            "groups": groups,
            "recon": recon,
            "switches": json.loads(p["switches"]),
        }
    con.close()
    return out


def servicer_figures(posted: PostedLedger) -> dict[str, dict[str, dict[str, Any]]]:
    """label -> loan group -> advances, delinquency buckets and REO, derived from the remittance files."""
    tape = load_tape(posted.deal_id)
    group = dict(zip(tape["loan_number"].cast(str).to_list(), tape["group"].cast(str).to_list(), strict=True))
    sfr = {
        k: Decimal(str(v))
        for k, v in zip(
            tape["loan_number"].cast(str).to_list(), tape["servicing_fee_rate"].to_list(), strict=True
        )
    }
    status_before: dict[str, str] = {}
    outstanding: dict[str, int] = {}
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for path, label in zip(posted.remittances, posted.labels, strict=True):
        per: dict[str, dict[str, Any]] = {}
        status_now: dict[str, str] = {}
        still: dict[str, int] = {}
        with path.open(newline="") as fh:
            for r in csv.DictReader(fh):
                loan = r["loan_number"]
                d = per.setdefault(
                    group[loan],
                    {"advances": 0, "outstanding": 0, "buckets": {}, "reo_new": set(), "loss": 0},
                )
                cents = {
                    k: int(Decimal(r[k]) * 100)
                    for k in (
                        "beginning_balance",
                        "scheduled_principal",
                        "scheduled_interest",
                        "ending_balance",
                        "realized_loss",
                    )
                }
                d["loss"] += cents["realized_loss"]
                adv = 0
                if r["pi_advanced"] == "1":
                    fee = _rhd(Decimal(cents["beginning_balance"]) * sfr[loan] / 1200)
                    adv = cents["scheduled_principal"] + cents["scheduled_interest"] - fee
                    d["advances"] += adv
                status_now[loan] = r["status"]
                if cents["ending_balance"] <= 0 or r["status"] == "current":
                    continue
                st = r["status"]
                bucket = {
                    "30": "dq_1_30",
                    "60": "dq_31_60",
                    "90+": "dq_91_plus" if status_before.get(loan) == "90+" else "dq_61_90",
                    "foreclosure": "foreclosure",
                    "REO": "reo",
                    "bankruptcy": "bankruptcy",
                }[st]
                n, b = d["buckets"].get(bucket, (0, 0))
                d["buckets"][bucket] = (n + 1, b + cents["ending_balance"])
                still[loan] = outstanding.get(loan, 0) + adv
                d["outstanding"] += still[loan]
                if st == "REO" and status_before.get(loan) != "REO":
                    d["reo_new"].add((loan, cents["ending_balance"]))
        status_before, outstanding = status_now, still
        out[label] = per
    return out


@pytest.fixture(scope="module")
def statements(posted: dict[str, PostedLedger]) -> dict[str, dict[str, Statement]]:
    return {d: {label: build_statement(d, posted[d].url, label) for label in posted[d].labels} for d in DEALS}


def _item(s: Statement, clause: str, name: str, key: str) -> Any:
    hits = [it for it in s.items if it.clause == f"5.04(a){clause}" and it.name == name and it.key == key]
    assert len(hits) == 1, (clause, name, key, len(hits))
    return hits[0]


@pytest.mark.parametrize("deal_id", DEALS)
def test_every_504_clause_is_reported_every_month(
    deal_id: str, statements: dict[str, dict[str, Statement]]
) -> None:
    assert len(statements[deal_id]) == 12
    for s in statements[deal_id].values():
        assert {it.clause for it in s.items if it.clause} == {f"5.04(a){k}" for k in KEYS}


@pytest.mark.parametrize("deal_id", DEALS)
def test_class_items_equal_the_ledger(
    deal_id: str, posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    rows = ledger(posted[deal_id])
    facts = {c["name"]: c for c in load_facts(deal_id)["classes"]}
    labels = posted[deal_id].labels
    for i, label in enumerate(labels):
        s = statements[deal_id][label]
        assert {c.name for c in s.classes} == set(rows[label]["classes"])
        for name, r in rows[label]["classes"].items():
            original = facts[name]["initial_balance"]
            principal = r["principal_paid"] + r["po_deferred_paid"]
            it = _item(s, "(i)", "Principal distributed", name)
            assert it.value == principal
            assert it.per_1000 == _per_1000(principal, original)
            it = _item(s, "(ii)", "Interest distributed", name)
            assert it.value == r["interest_paid"]
            assert it.per_1000 == _per_1000(r["interest_paid"], original)
            prior_unpaid = rows[labels[i - 1]]["classes"][name]["unpaid_interest_shortfall"] if i else 0
            assert (
                _item(s, "(ii)", "Class Unpaid Interest Shortfall remaining", name).value
                == r["unpaid_interest_shortfall"]
            )
            included = _item(s, "(ii)", "Class Unpaid Interest Shortfall included", name).value
            assert 0 <= included <= prior_unpaid
            due = r["accrued_interest"] - r["interest_reduction"] + prior_unpaid
            assert _item(s, "(iii)", "Interest shortfall", name).value == due - r["interest_paid"]
            assert _item(s, "(iii)", "Interest shortfall", name).value == r["unpaid_interest_shortfall"]
            assert _item(s, "(iv)", "Class Certificate Balance", name).value == r["ending_balance"]
            assert _item(s, "(viii)", "Pass-Through Rate", name).value == Decimal(r["rate"])


def test_2002_3_class_a_po_is_the_sum_of_its_components(
    posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    rows = ledger(posted["boams-2002-3"])
    facts = {c["name"]: c for c in load_facts("boams-2002-3")["classes"]}
    parts = facts["A-PO"]["components"]
    assert parts == ["1-A-PO", "2-A-PO", "3-A-PO"]
    for label, s in statements["boams-2002-3"].items():
        r = [rows[label]["classes"][n] for n in parts]
        principal = sum(x["principal_paid"] + x["po_deferred_paid"] for x in r)
        it = _item(s, "(i)", "Principal distributed", "A-PO")
        assert (it.value, it.per_1000) == (principal, _per_1000(principal, facts["A-PO"]["initial_balance"]))
        assert _item(s, "(iv)", "Class Certificate Balance", "A-PO").value == sum(
            x["ending_balance"] for x in r
        )
        assert _item(s, "(ii)", "Interest distributed", "A-PO").value == 0


@pytest.mark.parametrize("deal_id", DEALS)
def test_group_items_equal_the_ledger(
    deal_id: str, posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    rows = ledger(posted[deal_id])
    labels = posted[deal_id].labels
    facts = load_facts(deal_id)
    original = {
        g: sum(
            Decimal(c["initial_balance"]) for c in facts["classes"] if c["group"] == g and not c["notional"]
        )
        for g in {c["group"] for c in facts["classes"]}
    }
    for i, label in enumerate(labels):
        s = statements[deal_id][label]
        for gid, g in rows[label]["groups"].items():
            cert = json.loads(g["certificate"])
            gi = cert["group_input"]
            prepay = gi["prepayment_non_po"] + gi["prepayment_po"]
            liq = gi["liquidation_principal_non_po"] + gi["liquidation_principal_po"]
            it = _item(s, "(i)", "Principal Prepayments included", gid)
            assert (it.value, it.per_1000) == (prepay, _per_1000(prepay, str(original[gid])))
            it = _item(s, "(i)", "Liquidation Proceeds included", gid)
            assert (it.value, it.per_1000) == (liq, _per_1000(liq, str(original[gid])))
            assert _item(s, "(i)", "Principal Prepayments included", gid).value == g["prepayments"]
            assert _item(s, "(i)", "Liquidation Proceeds included", gid).value == g["liquidation_principal"]
            assert _item(s, "(v)", "Pool Stated Principal Balance", gid).value == g["ending_balance"]
            assert _item(s, "(vii)", "Servicing Fee", gid).value == g["servicing_fee"]
            rec = rows[label]["recon"][gid]
            info = {it.name: it.value for it in s.items if it.clause == "" and it.key == gid}
            assert info["Collections"] == rec["collections"]
            assert info["Distributions to classes"] == rec["distributions"]
            assert info["Collections"] == rec["distributions"] + g["servicing_fee"] + g["trustee_fee"]
            assert _item(s, "(xiv)", "Realized Losses", gid).value == g["realized_loss"]
            po = _item(s, "(xiv)", "Class A-PO Deferred Amount", gid).value
            assert po == cert["tests"]["po_deferred_amount"]
            sp = _item(s, "(vi)", "Senior Percentage", gid).value
            sub = _item(s, "(vi)", "Subordinate Percentage", gid).value
            spp = _item(s, "(xiii)", "Senior Prepayment Percentage", gid).value
            assert sp + sub == 100
            assert spp + _item(s, "(xiii)", "Subordinate Prepayment Percentage", gid).value == 100
            if i + 1 < len(labels):
                # "for the following Distribution Date": what the next posting applied
                nxt = rows[labels[i + 1]]["groups"][gid]
                assert sp == Decimal(nxt["senior_percentage"])
                assert spp == Decimal(nxt["senior_prepayment_percentage"])
                assert _item(s, "(v)", "Pool Stated Principal Balance", gid).value == nxt["beginning_balance"]
        # (vi) Priority Percentage where the PSA has one (2002-3 Group 1: 1-A-10; 2000-2: A-16)
        prio = [it for it in s.items if it.name == "Priority Percentage"]
        assert len(prio) == 1 and 0 < prio[0].value < 100


@pytest.mark.parametrize("deal_id", DEALS)
def test_servicer_items_equal_the_remittances(
    deal_id: str, posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    figures = servicer_figures(posted[deal_id])
    names = {
        "dq_1_30": "Delinquent 1 to 30 days",
        "dq_31_60": "Delinquent 31 to 60 days",
        "dq_61_90": "Delinquent 61 to 90 days",
        "dq_91_plus": "Delinquent 91 or more days",
        "foreclosure": "In foreclosure",
    }
    seen: set[str] = set()
    for label, per_group in figures.items():
        s = statements[deal_id][label]
        for g, d in per_group.items():
            assert _item(s, "(ix)", "Periodic Advances included", g).value == d["advances"]
            assert _item(s, "(ix)", "Periodic Advances outstanding", g).value == d["outstanding"]
            for key, name in names.items():
                n, b = d["buckets"].get(key, (0, 0))
                assert _item(s, "(x)", f"{name}: number", g).value == n, (label, g, key)
                assert _item(s, "(x)", f"{name}: principal balance", g).value == b
                seen.add(key) if n else None
            reo_n, reo_b = d["buckets"].get("reo", (0, 0))
            assert _item(s, "(xii)", "REO Properties: number", g).value == reo_n
            assert _item(s, "(xii)", "REO Properties: principal balance", g).value == reo_b
            assert _item(s, "(xi)", "Mortgage Loans that became REO: number", g).value == len(d["reo_new"])
            group = next(x for x in s.groups if x.loan_group == g)
            assert {(r["loan_number"], r["balance"]) for r in group.reo_new} == d["reo_new"]
            assert _item(s, "(xiv)", "Realized Losses", g).value == d["loss"]
            if d["reo_new"]:
                seen.add("reo_new")
            if d["loss"]:
                seen.add("loss")
    # the 12 months exercise every bucket but 91+ (the simulator sends a loan from 90+ to foreclosure the next
    # month; test_91_days_or_more_is_a_second_month_at_90_plus covers it), new REO and losses
    assert seen >= {*names, "reo_new", "loss"} - {"dq_91_plus"}, seen


def test_2002_3_xv_class_1a7_notional_and_libor(
    posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    rows = ledger(posted["boams-2002-3"])
    for label, s in statements["boams-2002-3"].items():
        notional = _item(s, "(xv)", "Class 1-A-7 Notional Amount", "1-A-7").value
        assert notional == rows[label]["classes"]["1-A-1"]["beginning_balance"]
        assert notional == rows[label]["classes"]["1-A-7"]["beginning_balance"]
        libor = next(it.value for it in s.items if it.name == "LIBOR")
        assert libor == Decimal(rows[label]["switches"]["libor"])
        if s.period > 1:  # 1-A-1 = LIBOR + 0.50%, 1-A-7 = 8.00% - LIBOR (floors and caps not reached)
            assert s.classes[0].rate == libor + Decimal("0.5")
            assert _item(s, "(viii)", "Pass-Through Rate", "1-A-7").value == Decimal(8) - libor


def test_2000_2_xv_special_loss_coverage(
    posted: dict[str, PostedLedger], statements: dict[str, dict[str, Statement]]
) -> None:
    rows = ledger(posted["boams-2000-2"])
    for label, s in statements["boams-2000-2"].items():
        remaining = json.loads(rows[label]["groups"]["1"]["certificate"])["tests"]["coverage_remaining"]
        for key, name in (
            ("special_hazard", "Special Hazard Loss Amount"),
            ("fraud", "Fraud Loss Amount"),
            ("bankruptcy", "Bankruptcy Loss Amount"),
        ):
            assert _item(s, "(xv)", name, "").value == remaining[key]
        assert not [it for it in s.items if it.name == "LIBOR"]


@pytest.mark.parametrize("deal_id", DEALS)
def test_csv_holds_every_item(deal_id: str, statements: dict[str, dict[str, Statement]]) -> None:
    s = statements[deal_id][max(statements[deal_id])]
    rows = list(csv.DictReader(io.StringIO(statement_csv(s))))
    assert len(rows) == len(s.items)
    assert {r["clause"] for r in rows if r["clause"]} == {f"5.04(a){k}" for k in KEYS}
    for r, it in zip(rows, s.items, strict=True):
        if it.unit == "usd":
            assert Decimal(r["value"]) * 100 == it.value
        else:
            assert r["value"] == str(it.value)
        assert r["per_1000"] == ("" if it.per_1000 is None else str(it.per_1000))


def test_91_days_or_more_is_a_second_month_at_90_plus() -> None:
    from rmbs.admin.servicing import bucket_of

    assert bucket_of("30", None) == "dq_1_30"
    assert bucket_of("60", "30") == "dq_31_60"
    assert bucket_of("90+", "60") == "dq_61_90"
    assert bucket_of("90+", "90+") == "dq_91_plus"
    assert bucket_of("foreclosure", "90+") == "foreclosure"
    assert bucket_of("REO", "foreclosure") == "reo"
    assert bucket_of("current", "90+") is None


def test_per_1000_rounds_half_a_penny_down() -> None:
    # Section 1.02: "rounded to the nearest penny with one-half of one penny being rounded down"
    assert per_1000(1, Decimal(2000)) == Decimal("0.00")  # exactly half a penny per $1,000
    assert per_1000(3, Decimal(2000)) == Decimal("0.01")  # 0.015 -> 0.01
    assert per_1000(7, Decimal(4000)) == Decimal("0.02")  # 0.0175 -> 0.02
    assert per_1000(100, Decimal(0)) is None


@pytest.mark.parametrize("deal_id", DEALS)
def test_cited_seed_lines_open_their_clauses(deal_id: str) -> None:
    path = SEEDS / SEED_FILES[deal_id]
    if not path.is_file():
        pytest.skip("seed filings not found")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    cit = CITATIONS[deal_id]
    for key, clause in cit.clauses.items():
        assert lines[clause.line - 1].strip().startswith(f"{key} "), (key, clause.line)
    assert "Section 5.04" in lines[cit.section_504 - 1]
    assert "Section 4.01" in lines[cit.section_401 - 1]
    assert "Section 3.18" in lines[cit.section_318 - 1]
    assert "$1,000 denomination" in " ".join(lines[cit.per_1000[0] - 1 : cit.per_1000[1]])
    assert "one-half" in " ".join(lines[cit.rounding[0] - 1 : cit.rounding[1]])
