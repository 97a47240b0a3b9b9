"""``rmbs run --out``: the five tables add up, checked on the Parquet files read back (not on the code's objects).

Each check is computed here from the tables alone: the classes' cash plus the residual is the Pool Distribution
Amount; the Pool Distribution Amount is what the inputs say it is; every class's balance rolls forward.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.deal.loader import load_deal

TABLES = ("classes", "groups", "pool", "inputs", "tests")
KEYS = ["scenario", "period", "date", "group"]
CLASS_COLS = [
    "scenario",
    "period",
    "date",
    "class",
    "group",
    "beginning_balance",
    "accrued_interest",
    "interest_reduction",
    "interest_paid",
    "unpaid_interest_shortfall",
    "principal_paid",
    "po_deferred_paid",
    "realized_loss",
    "writedown",
    "ending_balance",
    "rate",
    "factor",
]
GROUP_COLS = [
    *KEYS,
    "senior_percentage",
    "senior_prepayment_percentage",
    "subordinate_percentage",
    "priority_percentage",
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_classes",
    "depleted",
    "priority_amount",
    "senior_principal_distribution_amount",
    "subordinate_principal_distribution_amount",
    "po_principal_amount",
    "po_deferred_amount",
    "residual_paid",
    "residual_interest",
    "residual_principal",
    "final_distribution",
    "adjusted_pool_amount",
    "adjusted_pool_amount_po",
    "cumulative_realized_losses",
]
POOL_COLS = [
    *KEYS,
    "pool_distribution_amount",
    "scheduled_principal",
    "prepayments",
    "liquidation_proceeds",
    "realized_loss",
    "net_interest",
    "ending_balance",
    "ending_balance_non_po",
    "ending_balance_po",
    "residual_paid",
    "trustee_fee",
    "non_po_class_total",
]
PRINCIPAL_INPUTS = [
    "scheduled_principal_non_po",
    "scheduled_principal_po",
    "other_principal_non_po",
    "other_principal_po",
    "liquidation_principal_non_po",
    "liquidation_principal_po",
    "prepayment_non_po",
    "prepayment_po",
]
INPUT_COLS = [
    *KEYS,
    *PRINCIPAL_INPUTS,
    "net_interest",
    "trustee_fee",
    "principal_shortfall",
    "non_supported_interest_shortfall",
    "relief_act_reduction",
    "realized_loss_principal_non_po",
    "realized_loss_principal_po",
    "realized_loss_interest",
    "delinquent_60_plus",
    "ending_balance",
    "ending_balance_po",
]
TEST_COLS = [
    *KEYS,
    "senior_percentage",
    "senior_prepayment_percentage",
    "subordinate_percentage",
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_classes",
    "priority_amount",
    "po_deferred_amount",
    "depleted",
    "residual_while_outstanding",
]
MONEY = pl.Decimal(18, 2)

RUNS = {
    "boams-2002-3": [
        "--prepay",
        "500PSA",
        "--default",
        "300SDA",
        "--severity",
        "45",
        "--lag",
        "12",
        "--libor",
        "9",
    ],
    "boams-2000-2": ["--prepay", "150PSA,400PSA", "--default", "200SDA", "--severity", "40", "--lag", "12"],
}


@pytest.fixture(scope="module", params=sorted(RUNS))
def run_out(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    deal_id = request.param
    out = tmp_path_factory.mktemp(deal_id)
    res = CliRunner().invoke(app, ["run", deal_id, *RUNS[deal_id], "--out", str(out)])
    assert res.exit_code == 0, res.output
    (out / "output.txt").write_text(res.output)
    return deal_id, out


def _read(out: Path) -> dict[str, pl.DataFrame]:
    return {name: pl.read_parquet(out / f"{name}.parquet") for name in TABLES}


def test_five_tables_in_both_formats_with_their_columns(run_out: tuple[str, Path]) -> None:
    deal_id, out = run_out
    deal = load_deal(deal_id)
    t = _read(out)
    output = (out / "output.txt").read_text()
    for name in TABLES:
        assert f"{name}.csv" in output and f"{name}.parquet" in output
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file()
        csv = pl.read_csv(out / f"{name}.csv", infer_schema=False)
        assert csv.columns == t[name].columns and csv.height == t[name].height, name
    coverage = [f"coverage_{c.name}" for c in deal.coverage]
    assert t["classes"].columns == CLASS_COLS
    assert t["groups"].columns == GROUP_COLS + coverage
    assert t["pool"].columns == POOL_COLS
    # a deal with special-loss coverage also shows the special losses and the Special Hazard concentration tests
    special = (
        [
            "special_hazard_loss",
            "fraud_loss",
            "bankruptcy_loss",
            "largest_loan_balance",
            "largest_zip_balance",
        ]
        if deal.coverage
        else []
    )
    assert t["inputs"].columns == INPUT_COLS + special
    assert t["tests"].columns == TEST_COLS
    assert t["tests"]["residual_while_outstanding"].dtype == pl.Boolean
    for name, cols in (
        ("classes", CLASS_COLS[5:15]),
        ("groups", [*GROUP_COLS[12:20], *GROUP_COLS[21:], *coverage]),
        ("pool", POOL_COLS[4:]),
        ("inputs", INPUT_COLS[4:] + special),
        ("tests", ["priority_amount", "po_deferred_amount"]),
    ):
        assert all(t[name][c].dtype == MONEY for c in cols), name
    # one row per class per date, one per group per date; the same (scenario, period, date, group) everywhere
    n_dates = t["classes"].select("scenario", "period").unique().height
    assert t["classes"].height == n_dates * len(deal.classes)
    keys = t["pool"].select(KEYS).sort(KEYS)
    for name in ("groups", "inputs", "tests"):
        assert t[name].select(KEYS).sort(KEYS).equals(keys), name
    assert keys.height == n_dates * len(deal.groups)
    assert "realized" in output and "write-" in output and "WARNING" not in output  # summary headers
    if deal.coverage:
        # 2000-2's special-loss coverage is reported on every date
        assert all(t["groups"][c].null_count() == 0 for c in coverage)


def test_the_classes_and_the_residual_receive_the_pool_distribution_amount(run_out: tuple[str, Path]) -> None:
    _, out = run_out
    t = _read(out)
    paid = (
        t["classes"]
        .group_by(KEYS)
        .agg(
            (pl.col("interest_paid") + pl.col("principal_paid") + pl.col("po_deferred_paid"))
            .sum()
            .alias("paid")
        )
    )
    df = (
        t["pool"]
        .select(*KEYS, "pool_distribution_amount", pool_residual="residual_paid")
        .join(t["groups"].select(*KEYS, "residual_paid"), on=KEYS, how="left")
        .join(paid, on=KEYS, how="left")
    )
    assert df.height == t["pool"].height and df["paid"].null_count() == 0
    bad = df.filter(pl.col("paid") + pl.col("residual_paid") != pl.col("pool_distribution_amount"))
    assert bad.height == 0, bad
    assert df.filter(pl.col("pool_residual") != pl.col("residual_paid")).height == 0
    # the A-PO Deferred Amount is part of the cash (this scenario has PO losses that are later reimbursed)
    if "1-A-PO" in t["classes"]["class"] or "A-PO" in t["classes"]["class"]:
        assert t["classes"]["po_deferred_paid"].sum() > 0


def test_the_inputs_make_the_pool_distribution_amount(run_out: tuple[str, Path]) -> None:
    _, out = run_out
    t = _read(out)
    pda = pl.col("net_interest") - pl.col("trustee_fee") - pl.col("principal_shortfall")
    for c in PRINCIPAL_INPUTS:
        pda = pda + pl.col(c)
    df = (
        t["inputs"]
        .select(*KEYS, from_inputs=pda)
        .join(t["pool"].select(*KEYS, "pool_distribution_amount"), on=KEYS)
    )
    assert df.height == t["pool"].height
    assert df.filter(pl.col("from_inputs") != pl.col("pool_distribution_amount")).height == 0
    # and the pool's own columns are the inputs' sums
    j = t["inputs"].join(t["pool"], on=KEYS, suffix="_pool")
    assert j.filter(
        (pl.col("prepayment_non_po") + pl.col("prepayment_po") != pl.col("prepayments"))
        | (pl.col("ending_balance") != pl.col("ending_balance_pool"))
        | (pl.col("net_interest") - pl.col("trustee_fee") != pl.col("net_interest_pool"))
    ).is_empty()


def test_every_class_balance_rolls_forward(run_out: tuple[str, Path]) -> None:
    deal_id, out = run_out
    deal = load_deal(deal_id)
    notional = {c.name: c.notional_of for c in deal.classes if c.notional_of}
    classes = _read(out)["classes"]
    real = classes.filter(~pl.col("class").is_in(list(notional)))
    bad = real.filter(
        pl.col("beginning_balance") - pl.col("principal_paid") - pl.col("realized_loss") - pl.col("writedown")
        != pl.col("ending_balance")
    )
    assert bad.height == 0, bad
    # next date's beginning balance is this date's ending balance
    chained = real.sort("scenario", "class", "period").with_columns(
        prev=pl.col("ending_balance").shift(1).over("scenario", "class")
    )
    assert chained.filter(
        pl.col("prev").is_not_null() & (pl.col("prev") != pl.col("beginning_balance"))
    ).is_empty()
    # a notional class reports its reference class's balances and is paid no principal
    for io, ref in notional.items():
        a = classes.filter(pl.col("class") == io).select(
            "scenario", "period", "ending_balance", "principal_paid"
        )
        b = classes.filter(pl.col("class") == ref).select("scenario", "period", ref_end="ending_balance")
        j = a.join(b, on=["scenario", "period"])
        assert j.height == a.height
        assert j.filter(
            (pl.col("ending_balance") != pl.col("ref_end")) | (pl.col("principal_paid") != 0)
        ).is_empty()
    # losses and write-downs stay apart: with these defaults some class takes each
    assert real["realized_loss"].sum() > 0 and real["writedown"].sum() >= 0


def test_residual_principal_while_certificates_are_outstanding_is_flagged_and_warned() -> None:
    from rmbs.waterfall.project import run_deal
    from rmbs.waterfall.run import print_summary
    from rmbs.waterfall.tables import frames

    deal = load_deal("boams-2000-2")
    (run,) = run_deal(deal, prepay=["150PSA"], default="200SDA", severity=40, lag=12)
    tables = frames(deal, [run.results], [run.inputs])
    assert not tables.tests["residual_while_outstanding"].any()
    # the summary's realized losses and write-downs, apart, are the classes table's sums
    tot = tables.classes.group_by("class").agg(pl.col("realized_loss").sum(), pl.col("writedown").sum())
    want = {r[0]: (r[1], r[2]) for r in tot.iter_rows()}
    summary = run.summary
    for row in summary:
        assert (row["total_realized_loss"], row["total_writedown"]) == want[row["class"]]
        assert row["total_loss"] == row["total_realized_loss"] + row["total_writedown"]
    assert sum(row["total_realized_loss"] for row in summary) > 0
    console = Console(record=True, width=200)
    print_summary(deal, [run], console)
    assert "WARNING" not in console.export_text()
    # the engine that pays the residual principal is not in yet: pretend it paid some on two dates
    for k in (4, 9):
        r = run.results[k]
        r.groups["1"] = replace(r.groups["1"], residual_principal=123)
    last = run.results[-1]  # nothing outstanding after the last date: not flagged
    last.groups["1"] = replace(last.groups["1"], residual_principal=5)
    tables = frames(deal, [run.results], [run.inputs])
    flagged = tables.tests.filter(pl.col("residual_while_outstanding"))
    assert flagged["period"].to_list() == [5, 10]
    g = tables.groups.filter(pl.col("period") == 5)
    assert g["residual_principal"].to_list() == [Decimal("1.23")]
    console = Console(record=True, width=200)
    print_summary(deal, [run], console)
    text = console.export_text()
    d = run.results[4].date.isoformat()
    assert (
        f"WARNING: residual paid principal while certificates are outstanding on 2 dates (first: {d}, group 1)"
        in text
    )
