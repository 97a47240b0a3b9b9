"""Loan-level projection of the shipped seed tapes into PoolPeriods."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.collateral.assumptions import scenario
from rmbs.collateral.fees import FeeStrip, fee_strip_from_facts
from rmbs.collateral.loans import load_deal_tape, make_tape, project_loans, tape_from_frame
from rmbs.collateral.periods import AMOUNT_FIELDS, PoolPeriods
from rmbs.collateral.pool import RepLine, project_pool
from rmbs.deal.library import load_facts, load_tape
from rmbs.errors import AssumptionError, ValidationError

DEALS = ("boams-2002-3", "boams-2000-2")
ZERO = scenario("0SMM", "0MDR")


def _cents(value: object) -> int:
    return int(Decimal(str(value)) * 100)


@pytest.fixture(scope="module", params=DEALS)
def deal(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def per_loan_zero_speed(deal: str) -> tuple[pl.DataFrame, PoolPeriods]:
    """Every loan of the tape as its own group, at zero prepayments and defaults."""
    frame = load_tape(deal)
    strip = fee_strip_from_facts(load_facts(deal))
    per_loan_strip = FeeStrip(
        trustee_fee_rate=strip.trustee_fee_rate,
        strip_rate_by_group={
            ln: strip.strip_rate_by_group[g]
            for ln, g in zip(frame["loan_number"], frame["group"], strict=True)
        },
        servicing_fee_floor=strip.servicing_fee_floor,
        compensating_interest_cap_rate=strip.compensating_interest_cap_rate,
    )
    tape = tape_from_frame(frame.with_columns(pl.col("loan_number").alias("group")), per_loan_strip)
    periods = project_loans(tape, [ZERO], first_distribution_date=date(2002, 4, 25))
    return frame, periods


def test_each_seed_loan_amortizes_to_zero_at_its_remaining_term(
    per_loan_zero_speed: tuple[pl.DataFrame, PoolPeriods],
) -> None:
    frame, periods = per_loan_zero_speed
    ending = periods.total("ending_balance")[0]
    sched = periods.total("scheduled_principal")[0]
    for row in frame.iter_rows(named=True):
        g = periods.group_index(row["loan_number"])
        rem = row["remaining_term"]
        assert ending[g, rem - 1] == 0, row["loan_number"]
        assert not ending[g, rem - 1 :].any()
        assert int(sched[g].sum()) == _cents(row["cutoff_balance"]), row["loan_number"]
        assert (ending[g, : rem - 1] >= 0).all()


def test_each_seed_loan_first_payment_is_its_scheduled_p_and_i(
    per_loan_zero_speed: tuple[pl.DataFrame, PoolPeriods],
) -> None:
    frame, periods = per_loan_zero_speed
    first_pi = periods.total("scheduled_principal")[0, :, 0] + periods.gross_interest[0, :, 0]
    for row in frame.iter_rows(named=True):
        g = periods.group_index(row["loan_number"])
        assert abs(int(first_pi[g]) - _cents(row["monthly_payment"])) <= 1, row["loan_number"]


def test_period_one_group_balances_equal_the_cutoff_balances(deal: str) -> None:
    facts = load_facts(deal)
    tape, first = load_deal_tape(deal)
    periods = project_loans(tape, [scenario("150PSA", "100SDA", 35, 12)], first_distribution_date=first)
    for group in facts["groups"]:
        rec = periods.record(group["id"], 1)
        assert rec.beginning_balance == _cents(group["cutoff_balance"])
    periods.check()


def test_fee_strip_reproduces_the_tape_rates(deal: str) -> None:
    """SFR, NMIR and Non-PO fraction from the fee strip agree with the ingested tape's own columns."""
    frame = load_tape(deal)
    tape, _ = load_deal_tape(deal)
    np.testing.assert_allclose(
        tape.servicing_fee_rate, frame["servicing_fee_rate"].cast(pl.Float64), atol=1e-9
    )
    np.testing.assert_allclose(tape.net_rate, frame["net_rate"].cast(pl.Float64), atol=1e-9)
    np.testing.assert_allclose(
        1.0 - tape.po_fraction, frame["non_po_fraction"].cast(pl.Float64), rtol=0, atol=1e-12
    )


def test_2002_3_po_components_and_first_trustee_fee() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    assert first == date(2002, 4, 25)
    periods = project_loans(tape, [ZERO], first_distribution_date=first)
    po = {g: periods.record(g, 1).beginning_balance_po for g in ("1", "2", "3")}
    # Class 1-A-PO $1,043,938.935, 2-A-PO $486,873.25, 3-A-PO $14,838.54 (spec 1.3; exact 1,043,938.926)
    assert po == {"1": 104393893, "2": 48687325, "3": 1483854}
    assert (
        periods.record("1", 1).trustee_fee == 62068
    )  # spec 3.5: "Group 1 first-month Trustee Fee ~ $620.68"
    assert periods.distribution_dates[0] == date(2002, 4, 25)
    assert periods.distribution_dates[12] == date(2003, 4, 25)
    assert periods.n_periods == 360


def test_2000_2_first_trustee_fee() -> None:
    tape, first = load_deal_tape("boams-2000-2")
    rec = project_loans(tape, [ZERO], first_distribution_date=first).record("1", 1)
    assert rec.trustee_fee == 84510  # spec 3: 0.0045% / 12 x $225,360,331.39 = $845.10


def test_single_loan_engine_reproduces_cash_flow_a() -> None:
    """The loan-level kernel on one loan equal to the rep line gives the SF rep-line table."""
    strip = FeeStrip(0.0, {"1": 8.0}, 0.0, 0.25)
    pmt = 1e8 * (8 / 1200) / (1 - (1 + 8 / 1200) ** -360)
    tape = make_tape(
        loan_numbers=["A"],
        group=["1"],
        balance=[1e8],
        note_rate=[8.0],
        payment=[pmt],
        remaining_term=[360],
        original_term=[360],
        fee_strip=strip,
    )
    sc = scenario("1SMM", "1MDR", 20, 12)
    periods = project_loans(tape, [sc], first_distribution_date=date(2002, 4, 25))
    table = project_pool(RepLine(1e8, 8, 8, 360), sc)
    rec_sched = periods.total("scheduled_principal")[0, 0] / 100
    np.testing.assert_allclose(rec_sched, table["expected_amortization"].to_numpy(), atol=0.02)
    np.testing.assert_allclose(
        periods.total("prepayments_in_full")[0, 0] / 100, table["voluntary_prepayments"].to_numpy(), atol=0.02
    )
    np.testing.assert_allclose(
        periods.total("liquidation_proceeds")[0, 0] / 100, table["principal_recovery"].to_numpy(), atol=0.02
    )
    np.testing.assert_allclose(
        periods.total("realized_losses")[0, 0] / 100, table["principal_loss"].to_numpy(), atol=0.02
    )
    np.testing.assert_allclose(periods.new_defaults[0, 0] / 100, table["new_defaults"].to_numpy(), atol=0.02)
    np.testing.assert_allclose(
        periods.gross_interest[0, 0] / 100, table["expected_interest"].to_numpy(), atol=0.02
    )


def test_scenario_axis_equals_separate_runs() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    scs = [scenario("150PSA", "100SDA", 35, 12), scenario("6CPR", "2CDR", 40, 6, advancing=False), ZERO]
    together = project_loans(tape, scs, first_distribution_date=first)
    assert together.shape == (3, 3, 360)
    for k, sc in enumerate(scs):
        alone = project_loans(tape, [sc], first_distribution_date=first)
        for name in AMOUNT_FIELDS:
            np.testing.assert_array_equal(getattr(together, name)[k], getattr(alone, name)[0], err_msg=name)


@pytest.mark.parametrize("advancing", [True, False])
def test_severities_of_one_path_equal_separate_runs(advancing: bool) -> None:
    """Scenarios alike but for severity run as one path of the loans with several severities: each must give, to
    the cent, what it gives alone -- including 100% severity, where the loss is capped at the ADB, and a
    severity repeated; and a path mixed with others in any order."""
    tape, first = load_deal_tape("boams-2000-2")
    sevs = (0, 35, 100, 60, 35)
    scs = [scenario("300PSA", "400SDA", s, 9, advancing=advancing) for s in sevs]
    scs.insert(2, scenario("100PSA", "200SDA", 50, 9, advancing=advancing))
    together = project_loans(tape, scs, first_distribution_date=first)
    assert together.realized_losses_non_po[1].sum() > 0  # the losses do reach the path
    for k, sc in enumerate(scs):
        alone = project_loans(tape, [sc], first_distribution_date=first)
        for name in AMOUNT_FIELDS:
            np.testing.assert_array_equal(getattr(together, name)[k], getattr(alone, name)[0], err_msg=name)
    # the severity moves cash between recoveries and losses only
    lo, hi = together.realized_losses_non_po[1].sum(), together.realized_losses_non_po[3].sum()
    assert hi > lo
    total = together.realized_losses_non_po + together.liquidation_proceeds_non_po
    assert np.abs(total[1] - total[3]).max() <= 2  # each of the two rounded to cents apart


def test_compensating_interest_is_capped_at_a_quarter_percent() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    periods = project_loans(tape, [scenario("60CPR")], first_distribution_date=first, prepayment_day=1)
    rec = periods.record("1", 1)
    cap = round(rec.beginning_balance * 0.0025 / 12)
    assert rec.prepayment_interest_shortfall > cap
    assert rec.compensating_interest == cap
    assert rec.non_supported_interest_shortfall == rec.prepayment_interest_shortfall - cap
    late = project_loans(tape, [scenario("60CPR")], first_distribution_date=first, prepayment_day=30)
    assert late.prepayment_interest_shortfall.sum() == 0


def test_defaults_reach_delinquency_and_cumulative_losses() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    periods = project_loans(tape, [scenario("0SMM", "5CDR", 40, 6)], first_distribution_date=first)
    rec1 = periods.record("2", 1)
    assert rec1.new_defaults > 0 and rec1.delinquent_60_plus_balance == 0  # one payment missed so far
    rec2 = periods.record("2", 2)
    assert rec2.delinquent_60_plus_balance > 0
    assert periods.record("2", 6).realized_losses_non_po == 0
    rec7 = periods.record("2", 7)
    assert rec7.total("realized_losses") > 0
    assert rec7.cumulative_realized_losses == rec7.total("realized_losses")
    last = periods.record("2", 360)
    assert last.cumulative_realized_losses == int(periods.total("realized_losses")[0, 1].sum())


def test_record_is_a_plain_pool_period() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    periods = project_loans(tape, [scenario("100PSA")], first_distribution_date=first)
    rec = periods.record(1, 2)
    assert rec.group == "1" and rec.period == 2 and rec.distribution_date == date(2002, 5, 25)
    assert all(isinstance(getattr(rec, n), int) for n in AMOUNT_FIELDS)
    assert rec.beginning_balance == periods.record("1", 1).ending_balance
    assert rec.interest_remittance == rec.net_interest - rec.non_supported_interest_shortfall
    with pytest.raises(ValidationError) as err:
        periods.record("4", 1)
    assert err.value.field == "group"
    with pytest.raises(ValidationError):
        periods.record("1", 361)


def test_loan_cashflows_command_writes_csv_and_parquet_per_group(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = [
        "loan-cashflows",
        "boams-2002-3",
        "--prepay",
        "150PSA",
        "--default",
        "100SDA",
        "--severity",
        "35",
        "--lag",
        "12",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    for g in ("1", "2", "3"):
        csv = pl.read_csv(out / f"boams-2002-3-group-{g}.csv")
        pq = pl.read_parquet(out / f"boams-2002-3-group-{g}.parquet")
        assert csv.columns == pq.columns == ["period", "distribution_date", *AMOUNT_FIELDS]
        assert pq["beginning_balance_non_po"].dtype == pl.Decimal(18, 2)
        assert csv.height == pq.height == 360
    g1 = pl.read_parquet(out / "boams-2002-3-group-1.parquet")
    assert g1["beginning_balance_po"][0] == Decimal("1043938.93")


def test_unknown_deal_is_an_error() -> None:
    result = CliRunner().invoke(app, ["loan-cashflows", "no-such-deal", "--out", "x"])
    assert result.exception is not None and getattr(result.exception, "field", None) == "deal"


STRIP = FeeStrip(0.003, {"1": 6.5}, 0.25, 0.25)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"balance": [-1.0]}, "cutoff_balance"),
        ({"note_rate": [120.0]}, "note_rate"),
        ({"remaining_term": [0]}, "remaining_term"),
        ({"payment": [10.0]}, "monthly_payment"),
        ({"original_term": [100]}, "original_term"),
    ],
)
def test_bad_loans_name_the_loan_and_field(change: dict[str, list[float]], field: str) -> None:
    kw: dict[str, object] = {
        "loan_numbers": ["0001"],
        "group": ["1"],
        "balance": [100000.0],
        "note_rate": [7.0],
        "payment": [665.30],
        "remaining_term": [360],
        "original_term": [360],
    }
    kw.update(change)
    with pytest.raises(ValidationError) as err:
        make_tape(**kw, fee_strip=STRIP)  # type: ignore[arg-type]
    assert err.value.field == field and err.value.loan == "0001"


def test_per_period_vector_must_cover_the_projection(tmp_path: Path) -> None:
    tape, first = load_deal_tape("boams-2002-3")
    path = tmp_path / "cdr.csv"
    path.write_text("period,cdr\n" + "".join(f"{k},1\n" for k in range(1, 100)))
    sc = scenario("0SMM", str(path))
    with pytest.raises(AssumptionError) as err:
        project_loans(tape, [sc], first_distribution_date=first)
    assert err.value.field == "default"
    assert "99 values" in str(err.value)


def test_bad_prepayment_day() -> None:
    tape, first = load_deal_tape("boams-2002-3")
    with pytest.raises(AssumptionError) as err:
        project_loans(tape, [ZERO], first_distribution_date=first, prepayment_day=0)
    assert err.value.field == "prepayment_day"
