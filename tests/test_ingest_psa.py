"""Issue 2 acceptance: both seed PSAs read into reconciled deal facts and loan tapes.

Expected figures come from the filings (exhibit footers, Preliminary Statement, definitions) and the specs'
derived values; the P&I and PO strip checks recompute independently here from the tape's raw columns.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import PSA_2000_2, PSA_2002_3


def _by_group(res, column: str) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    out: dict[str, Decimal] = {}
    for g, v in zip(res.tape["group"].to_list(), res.tape[column].to_list(), strict=True):
        out[g] = out.get(g, Decimal(0)) + v
    return out


def test_2002_3_groups_have_513_333_219_loans_with_footer_balances(ingest_2002_3) -> None:  # type: ignore[no-untyped-def]
    counts = ingest_2002_3.tape.group_by("group").len().sort("group")
    assert dict(zip(counts["group"].to_list(), counts["len"].to_list(), strict=True)) == {
        "1": 513,
        "2": 333,
        "3": 219,
    }
    assert _by_group(ingest_2002_3, "cutoff_balance") == {
        "1": Decimal("248273714.22"),
        "2": Decimal("151852314.73"),
        "3": Decimal("110184451.58"),
    }


def test_2000_2_has_625_loans_and_cutoff_balance(ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    assert ingest_2000_2.tape.height == 625
    assert _by_group(ingest_2000_2, "cutoff_balance") == {"1": Decimal("225360331.39")}


def _po_strip(tape, strip: dict[str, Decimal], tfr: Decimal, floor: Decimal) -> dict[str, Decimal]:  # type: ignore[no-untyped-def]
    """Independent PO strip: cut-off balance x (1 - net / strip) over loans whose net rate is below the strip."""
    out: dict[str, Decimal] = {}
    for g, rate, bal in zip(
        tape["group"].to_list(), tape["note_rate"].to_list(), tape["cutoff_balance"].to_list(), strict=True
    ):
        sfr = rate - strip[g] - tfr
        if sfr < floor:
            sfr = floor
        net = rate - sfr - tfr
        if net < strip[g]:
            out[g] = out.get(g, Decimal(0)) + bal * (1 - net / strip[g])
    return out


def test_2002_3_po_strips_within_a_cent_of_the_components(ingest_2002_3) -> None:  # type: ignore[no-untyped-def]
    strips = {"1": Decimal("6.500"), "2": Decimal("6.500"), "3": Decimal("6.000")}
    po = _po_strip(ingest_2002_3.tape, strips, Decimal("0.0030"), Decimal("0.25"))
    stated = {"1": Decimal("1043938.935"), "2": Decimal("486873.25"), "3": Decimal("14838.54")}
    for g in stated:
        assert abs(po[g] - stated[g]) <= Decimal("0.01"), g
    comps = {c["name"]: c for c in ingest_2002_3.facts["classes"] if c["component"]}
    assert {k: Decimal(v["initial_balance"]) for k, v in comps.items()} == {
        "1-A-PO": stated["1"],
        "2-A-PO": stated["2"],
        "3-A-PO": stated["3"],
    }


def test_2000_2_po_strip_within_a_cent_of_a_po(ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    po = _po_strip(ingest_2000_2.tape, {"1": Decimal("7.500")}, Decimal("0.0045"), Decimal("0.250"))
    assert abs(po["1"] - Decimal("355889.09")) <= Decimal("0.01")
    apo = next(c for c in ingest_2000_2.facts["classes"] if c["name"] == "A-PO")
    assert apo["initial_balance"] == "355889.09"


@pytest.mark.parametrize("fixture", ["ingest_2002_3", "ingest_2000_2"])
def test_non_po_group_balances_equal_their_classes_within_a_dollar(fixture: str, request) -> None:  # type: ignore[no-untyped-def]
    res = request.getfixturevalue(fixture)
    checks = [c for c in res.reconciliation.checks if c.check.startswith("non-PO")]
    assert len(checks) == len(res.facts["groups"])
    strips = {g["id"]: Decimal(g["po_strip_rate"]) for g in res.facts["groups"]}
    po = _po_strip(
        res.tape, strips, Decimal(res.facts["trustee_fee_rate"]), Decimal(res.facts["servicing_fee"]["floor"])
    )
    bal = _by_group(res, "cutoff_balance")
    for g in strips:
        classes = [
            Decimal(c["initial_balance"])
            for c in res.facts["classes"]
            if c["group"] == g
            and not c["notional"]
            and not c["name"].endswith("-PO")
            and c["initial_balance"]
        ]
        assert abs((bal[g] - po[g]) - sum(classes)) <= Decimal(1), g
    assert all(c.ok for c in checks)


@pytest.mark.parametrize("fixture", ["ingest_2002_3", "ingest_2000_2"])
def test_every_loan_monthly_pi_reproduces_within_two_cents(fixture: str, request) -> None:  # type: ignore[no-untyped-def]
    res = request.getfixturevalue(fixture)
    worst = 0.0
    for ob, rate, term, pi in res.tape.select(
        "original_balance", "note_rate", "original_term", "monthly_payment"
    ).iter_rows():
        r = float(rate) / 1200
        level = float(ob) * r / (1 - (1 + r) ** -term)
        worst = max(worst, abs(level - float(pi)))
    assert worst <= 0.02
    pi_checks = [c for c in res.reconciliation.checks if "P&I" in c.check]
    assert pi_checks and all(c.ok and not c.loans for c in pi_checks)


def test_2002_3_deal_facts(ingest_2002_3) -> None:  # type: ignore[no-untyped-def]
    f = ingest_2002_3.facts
    assert f["series"] == "2002-3"
    assert f["parties"] == {
        "depositor": "Bank of America Mortgage Securities, Inc.",
        "servicer": "Bank of America, N.A.",
        "trustee": "The Bank of New York",
        "psa_line": f["parties"]["psa_line"],
    }
    assert (f["agreement_date"], f["cutoff_date"], f["closing_date"], f["first_distribution_date"]) == (
        "2002-03-26",
        "2002-03-01",
        "2002-03-26",
        "2002-04-25",
    )
    assert f["trustee_fee_rate"] == "0.0030"
    assert f["servicing_fee"]["strip_rate_by_group"] == {"1": "6.500", "2": "6.500", "3": "6.000"}
    assert Decimal(f["servicing_fee"]["floor"]) == Decimal("0.25")
    assert [g["po_strip_rate"] for g in f["groups"]] == ["6.500", "6.500", "6.000"]
    assert f["original_subordinate_balance"] == {"1": "6827675.00", "2": "4176441.00", "3": "1542613.00"}
    classes = {c["name"]: c for c in f["classes"]}
    assert len([c for c in f["classes"] if not c["component"]]) == 34
    a1, a7 = classes["1-A-1"], classes["1-A-7"]
    assert a1["floater"] == {
        "index": "LIBOR",
        "margin": "0.500",
        "multiplier": "1",
        "floor": "0.500",
        "cap": "8.500",
        "initial_rate": "2.380",
    }
    assert a7["floater"]["multiplier"] == "-1" and a7["floater"]["margin"] == "8.000"
    assert a7["floater"]["initial_rate"] == "6.120" and a7["floater"]["cap"] == "8.000"
    assert a7["notional"] is True and a7["notional_of"] == "1-A-1" and a7["kind"] == "io"
    assert classes["1-A-6"]["rate"] == "6.250" and classes["1-A-6"]["initial_balance"] == "123869334.00"
    assert classes["1-A-R"]["kind"] == "residual" and classes["1-A-LR"]["kind"] == "residual"
    assert classes["3-B-6"]["kind"] == "subordinate" and classes["3-B-6"]["group"] == "3"
    assert classes["1-B-1"]["min_denomination"] == "25000"
    assert classes["A-PO"]["components"] == ["1-A-PO", "2-A-PO", "3-A-PO"]
    assert classes["1-A-1"]["cusip"] == "06050H EE 4"


def test_2000_2_deal_facts(ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    f = ingest_2000_2.facts
    assert f["series"] == "2000-2"
    assert (f["cutoff_date"], f["closing_date"], f["first_distribution_date"]) == (
        "2000-03-01",
        "2000-03-28",
        "2000-04-25",
    )
    assert f["trustee_fee_rate"] == "0.0045"
    classes = {c["name"]: c for c in f["classes"]}
    assert len(classes) == 24
    assert {n for n, c in classes.items() if c["kind"] == "po"} == {"A-12", "A-13", "A-PO"}
    assert classes["A-9"]["rate"] == "8.500" and classes["B-6"]["initial_balance"] == "451342.30"
    assert classes["A-R"]["kind"] == "residual"
    assert all(c["group"] == "1" for c in classes.values())
    senior_non_po = (
        sum(Decimal(c["initial_balance"]) for c in classes.values() if c["kind"] in ("senior", "residual"))
        + Decimal(classes["A-12"]["initial_balance"])
        + Decimal(classes["A-13"]["initial_balance"])
    )
    assert senior_non_po == Decimal("215423100.00")  # spec 2000-2 §2.1 totals


def test_definitions_cite_their_seed_lines(ingest_2002_3, ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    d3 = {d["term"]: d for d in ingest_2002_3.definitions}
    assert (d3["Cut-Off Date"]["first_line"], d3["Cut-Off Date"]["last_line"]) == (671, 671)
    assert (d3["Trustee Fee Rate"]["first_line"], d3["Trustee Fee Rate"]["last_line"]) == (1690, 1691)
    assert (d3["Servicing Fee Rate"]["first_line"], d3["Servicing Fee Rate"]["last_line"]) == (1580, 1585)
    assert d3["Trustee Fee Rate"]["text"] == "With respect to each Mortgage Loan, 0.0030% per annum."
    d2 = {d["term"]: d for d in ingest_2000_2.definitions}
    assert "Bankruptcy Loss" in d2  # justified spacing in the filing is collapsed
    assert d2["Original Subordinate Certificate Balance"]["first_line"] == 988
    assert len(d3) > 200 and len(d2) > 180


def test_known_drafting_discrepancies_are_warnings(ingest_2002_3, ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    w3 = " | ".join(ingest_2002_3.warnings)
    assert "$1,545,650.00" in w3 and "$1,545,650.725" in w3
    assert "1-A-PO" in w3
    assert "6.71%" in w3  # group 3 footer WAC not reproducible (spec 2002-3 §11.3)
    w2 = " | ".join(ingest_2000_2.warnings)
    assert "$355,889.00" in w2 and "$355,889.09" in w2


def test_tape_types_keep_loan_numbers_and_zips_as_strings(ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    import polars as pl

    t = ingest_2000_2.tape
    assert t.schema["loan_number"] == pl.Utf8 and t.schema["zip_code"] == pl.Utf8
    assert (
        t["loan_number"][0] == "0022651087"
        and t.filter(pl.col("state") == "NJ")["zip_code"].str.starts_with("0").any()
    )
    assert isinstance(t.schema["cutoff_balance"], pl.Decimal)
    assert t.schema["first_payment_date"] == pl.Date
    terms = t["original_term"].value_counts().sort("original_term")
    assert dict(zip(terms["original_term"].to_list(), terms["count"].to_list(), strict=True)) == {
        240: 4,
        360: 621,
    }


@pytest.mark.parametrize("path", [PSA_2002_3, PSA_2000_2])
def test_ingest_cli_writes_every_output_under_two_seconds(path, tmp_path, seeds) -> None:  # type: ignore[no-untyped-def]
    import json
    import time

    import polars as pl
    from typer.testing import CliRunner

    from rmbs.cli import app

    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["ingest", str(path), "--out", str(tmp_path)])
    elapsed = time.perf_counter() - t0
    assert res.exit_code == 0, res.output
    assert "ingest took" in res.output
    assert elapsed < 2.0
    for name in ("deal-facts.json", "definitions.json", "loans.parquet", "loans.csv", "reconciliation.json"):
        assert (tmp_path / name).is_file(), name
    tape = pl.read_parquet(tmp_path / "loans.parquet")
    required = [
        "loan_number",
        "group",
        "original_balance",
        "cutoff_balance",
        "note_rate",
        "monthly_payment",
        "original_term",
        "remaining_term",
        "first_payment_date",
        "maturity_date",
    ]
    assert tape.columns[: len(required)] == required
    csv = pl.read_csv(tmp_path / "loans.csv", infer_schema=False)
    assert csv["loan_number"].to_list() == tape["loan_number"].to_list()
    rec = json.loads((tmp_path / "reconciliation.json").read_text())
    assert rec["ok"] is True
    facts = json.loads((tmp_path / "deal-facts.json").read_text())
    for c in facts["classes"]:
        assert set(c) >= {
            "name",
            "group",
            "initial_balance",
            "notional",
            "rate",
            "rate_formula",
            "floater",
            "kind",
            "min_denomination",
        }


def test_shipped_library_equals_a_fresh_ingest(ingest_2002_3, ingest_2000_2) -> None:  # type: ignore[no-untyped-def]
    import json

    from rmbs.deal.build import shipped_payload
    from rmbs.deal.library import load_facts, load_reconciliation, load_tape
    from rmbs.ingest.reconcile import loan_strip_columns

    for deal_id, res in (("boams-2002-3", ingest_2002_3), ("boams-2000-2", ingest_2000_2)):
        facts, rec = shipped_payload(res)
        assert load_facts(deal_id) == json.loads(facts), deal_id
        assert load_reconciliation(deal_id) == json.loads(rec), deal_id
        assert load_tape(deal_id).equals(loan_strip_columns(res.tape, res.facts)), deal_id
