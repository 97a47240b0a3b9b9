"""``rmbs run``: collateral projection + waterfall through the command line, and property tests on real tapes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.deal.loader import load_deal
from rmbs.waterfall.project import run_deal
from tests.test_run_tables import CLASS_COLS

POOL_COLS = [
    "scenario",
    "period",
    "date",
    "group",
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
]
TABLES = ("classes", "groups", "pool", "inputs", "tests")
TEST_COLS = [
    "scenario",
    "period",
    "date",
    "group",
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


def test_run_2000_2_day_one_through_the_cli(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "boams-2000-2", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    assert all((tmp_path / f"{t}.{ext}").is_file() for t in TABLES for ext in ("csv", "parquet"))
    classes = pl.read_csv(tmp_path / "classes.csv", infer_schema=False)
    pool = pl.read_csv(tmp_path / "pool.csv", infer_schema=False)
    tests = pl.read_csv(tmp_path / "tests.csv", infer_schema=False)
    assert classes.columns[: len(CLASS_COLS)] == CLASS_COLS
    assert pool.columns[: len(POOL_COLS)] == POOL_COLS
    assert tests.columns == TEST_COLS
    m1 = classes.filter(pl.col("period") == "1")
    assert sum(Decimal(x) for x in m1["accrued_interest"]) == Decimal("1406277.75")
    assert pool.filter(pl.col("period") == "1")["trustee_fee"].to_list() == ["845.10"]
    # with no scenario flags: no prepayments, no defaults, every class retired by the end
    last = classes.filter(pl.col("period") == classes["period"].cast(pl.Int64).max().__str__())
    assert all(Decimal(x) == 0 for x in last["ending_balance"])
    assert all(Decimal(x) == 0 for x in pool["prepayments"])
    assert "WAL" in res.output


def test_run_2002_3_interest_and_restricted_classes(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "boams-2002-3", "--libor", "1.84", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    classes = pl.read_parquet(tmp_path / "classes.parquet")
    m1 = classes.filter(pl.col("period") == 1)
    aci = dict(zip(m1["class"].to_list(), m1["accrued_interest"].to_list(), strict=True))
    assert aci["1-A-1"] == Decimal("30709.27") and aci["1-A-7"] == Decimal("78966.70")
    m2 = classes.filter(pl.col("period") == 2)
    a1 = m2.filter(pl.col("class") == "1-A-1")
    # period 2: LIBOR 1.84% -> 1-A-1 at 2.34% on its balance after period 1
    expected = (a1["beginning_balance"][0] * Decimal("2.34") / 1200).quantize(
        Decimal("0.01"), rounding="ROUND_HALF_DOWN"
    )
    assert a1["accrued_interest"][0] == expected
    tests = pl.read_parquet(tmp_path / "tests.parquet")
    assert tests.filter((pl.col("period") == 1) & (pl.col("group") == "1"))["restricted_classes"][0] == (
        "1-B-2 1-B-3 1-B-4 1-B-5 1-B-6"
    )


def test_bad_switch_and_bad_libor_are_clear_errors(tmp_path: Path) -> None:
    from rmbs.errors import RmbsError

    for args in (
        ["--switch", "nope=1"],
        ["--switch", "stepdown_conditions"],
        ["--libor", "abc"],
        ["--libor", "-1"],
    ):
        res = CliRunner().invoke(app, ["run", "boams-2002-3", "--out", str(tmp_path), *args])
        assert isinstance(res.exception, RmbsError), args


def test_clean_up_call_retires_everything_below_ten_percent() -> None:
    deal = load_deal("boams-2000-2")
    (run,) = run_deal(deal, prepay=["300PSA"], clean_up_call=True)
    last = run.results[-1]
    cutoff = 22_536_033_139
    # the call date is the first whose Pool Stated Principal Balance falls below 10% of the cut-off balance
    before = [sum(g.ending_balance for g in inp.values()) for inp in run.inputs[: len(run.results) - 1]]
    assert all(b >= cutoff // 10 for b in before)
    assert all(c.ending_balance == 0 for c in last.classes.values())
    assert len(run.results) < 200


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(
    deal=st.sampled_from(["boams-2002-3", "boams-2000-2"]),
    psa=st.integers(0, 800),
    sda=st.integers(0, 600),
    severity=st.integers(0, 100),
    lag=st.integers(0, 24),
    libor=st.floats(0, 10),
    advance=st.booleans(),
)
@example(deal="boams-2002-3", psa=0, sda=99, severity=34, lag=24, libor=0.0, advance=False)
def test_real_tapes_conserve_cash_and_retire(deal, psa, sda, severity, lag, libor, advance) -> None:  # type: ignore[no-untyped-def]
    d = load_deal(deal)
    (run,) = run_deal(
        d,
        prepay=[f"{psa}PSA"],
        default=f"{sda}SDA",
        severity=severity,
        lag=lag,
        advance=advance,
        libor=f"{libor:.4f}",
    )
    losses = sum(
        gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
        for inp in run.inputs
        for gi in inp.values()
    )
    allocated = sum(c.realized_loss for r in run.results for c in r.classes.values())
    assert allocated <= losses
    assert all(c.ending_balance == 0 for c in run.results[-1].classes.values())


def test_summaries_in_worker_processes_equal_the_full_runs() -> None:
    from rmbs.collateral.assumptions import scenario
    from rmbs.waterfall.project import run_deal_summaries

    d = load_deal("boams-2000-2")
    scs = [scenario("150PSA", "100SDA", 35, 12), scenario("500PSA"), scenario("300PSA", "200SDA", 40, 6)]
    full = [r.summary for r in run_deal(d, scenarios=scs)]
    for workers in (2, 1):
        # chunks of 2 and 1 scenarios: each chunk's summary covers its scenarios in order
        parts = run_deal_summaries(d, scs, workers=workers, chunk=2)
        assert [p.n_scenarios for p in parts] == [2, 1]
        assert [p.rows(s) for p in parts for s in range(p.n_scenarios)] == full
