"""Typed losses and the Special Hazard concentration tests in projections (issue 11, item 5).

(a) ``--loss-kinds`` splits each period's realized principal loss of a group into Special Hazard, Fraud and
    Bankruptcy Losses exactly (each kind floored to the cent, the rest ordinary), as declared;
(b) the largest loan balance and the largest California ZIP code balance of a projected period equal what the
    test computes itself from the loan schedule (polars over the shipped tape; a tiny synthetic tape), on the
    loans' balances after the prior Due Date (2000-2 L1483-1498).
Every expected number is computed here from the tape, the spec or the declared percentages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import polars as pl
import pytest

from rmbs.collateral.assumptions import LossKinds, parse_loss_kinds, scenario
from rmbs.collateral.fees import FeeStrip
from rmbs.collateral.loans import load_deal_tape, make_tape, project_deal, project_loans
from rmbs.collateral.periods import AMOUNT_FIELDS, CONCENTRATION_FIELDS, SPECIAL_LOSS_FIELDS
from rmbs.deal.library import load_tape
from rmbs.errors import AssumptionError

DEAL = "boams-2000-2"


# ------------------------------------------------------------------------------------------ (a) the split
def test_parse_loss_kinds() -> None:
    lk = parse_loss_kinds("SH=10%,FRAUD=5%,BK=2%")
    assert lk.percents() == (Decimal(10), Decimal(5), Decimal(2))
    assert lk.label() == "SH=10%,FRAUD=5%,BK=2%"
    assert parse_loss_kinds(lk.label()) == lk
    assert parse_loss_kinds(" special_hazard = 12.5 , bk=0.25% ") == LossKinds(
        special_hazard=Decimal("12.5"), bankruptcy=Decimal("0.25")
    )
    for nothing in (None, "", "none", "SH=0%"):
        assert parse_loss_kinds(nothing).is_zero
    assert parse_loss_kinds("SH=100%").percents() == (Decimal(100), 0, 0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("SH=120%", "out of range"),
        ("SH=-1%", "out of range"),
        ("HURRICANE=5%", "unknown loss kind"),
        ("SH=60%,FRAUD=30%,BK=20%", "over 100%"),
        ("SH=10%,SH=5%", "twice"),
        ("SH", "cannot read"),
        ("SH=ten", "cannot read"),
        ("SH=10.1234567%", "decimal places"),
    ],
)
def test_bad_loss_kinds_name_the_option(text: str, says: str) -> None:
    with pytest.raises(AssumptionError) as exc:
        parse_loss_kinds(text)
    assert exc.value.field == "loss-kinds"
    assert says in exc.value.message


def test_split_is_exact_and_follows_the_percentages() -> None:
    lk = parse_loss_kinds("SH=33.333333%,FRAUD=12.5%,BK=0.000001%")
    rng = np.random.default_rng(11)
    losses = np.concatenate(
        [rng.integers(0, 10**12, 5000), np.array([0, 1, 2, 3, 99, 100, 101, 10**8 - 1, 10**8, 9 * 10**15])]
    ).astype(np.int64)
    sh, fraud, bk = lk.split(losses)
    for x, a, b, c in zip(losses.tolist(), sh.tolist(), fraud.tolist(), bk.tolist(), strict=True):
        # floor(L x pct / 100) in exact integers: pct has at most six decimals
        assert a == x * 33_333_333 // 100_000_000
        assert b == x * 125 // 1000
        assert c == x * 1 // 100_000_000
        ordinary = x - a - b - c
        # what is left is ordinary: never negative, within three cents above its exact share
        exact_ordinary = (
            Decimal(x) * (100 - Decimal("33.333333") - Decimal("12.5") - Decimal("0.000001")) / 100
        )
        assert ordinary >= 0 and 0 <= ordinary - exact_ordinary < 3


def test_projection_splits_each_period_loss_and_changes_nothing_else() -> None:
    kinds = "SH=12.5%,FRAUD=5%,BK=2%"
    base = scenario("100PSA", "3CDR", 40, 6)
    typed = scenario("100PSA", "3CDR", 40, 6, loss_kinds=kinds)
    p = project_deal(DEAL, [base, typed, scenario("300PSA", "200SDA", 35, 12, loss_kinds="SH=100%")])
    losses = p.total("realized_losses")
    assert losses[1].sum() > 0
    # the typed scenario: each kind is the declared share of the period's realized loss, floored
    assert np.array_equal(p.special_hazard_losses[1], losses[1] * 125 // 1000)
    assert np.array_equal(p.fraud_losses[1], losses[1] * 5 // 100)
    assert np.array_equal(p.bankruptcy_losses[1], losses[1] * 2 // 100)
    assert np.array_equal(p.special_hazard_losses[2], losses[2])  # SH=100%: every loss
    assert not p.fraud_losses[2].any() and not p.bankruptcy_losses[2].any()
    # the default scenario has no special losses, and typing the losses changes no other amount
    for name in SPECIAL_LOSS_FIELDS:
        assert not getattr(p, name)[0].any()
    for name in AMOUNT_FIELDS:
        if name not in SPECIAL_LOSS_FIELDS:
            assert np.array_equal(getattr(p, name)[0], getattr(p, name)[1]), name
    assert p.scenario_labels[1].endswith("losses SH=12.5%,FRAUD=5%,BK=2%")
    assert p.scenario_labels[0] == base.label() and "losses" not in p.scenario_labels[0]
    rec = p.record("1", 60, 1)
    assert rec.special_hazard_losses + rec.fraud_losses + rec.bankruptcy_losses <= rec.total(
        "realized_losses"
    )


# ------------------------------------------------------------------------------------ (b) concentrations
def _tape_frame() -> pl.DataFrame:
    return load_tape(DEAL).with_columns(
        (pl.col("cutoff_balance").cast(pl.Decimal(20, 2)) * 100).cast(pl.Int64).alias("cents"),
        pl.col("note_rate").cast(pl.Float64).alias("rate"),
        pl.col("monthly_payment").cast(pl.Float64).alias("pay"),
        pl.col("cutoff_balance").cast(pl.Float64).alias("bal"),
    )


def _round_half_down(dollars: float) -> int:
    return int(np.ceil(dollars * 100.0 - 0.5))


def test_cutoff_concentrations_from_the_loan_schedule() -> None:
    """Period 1's test balances are the Cut-Off Date balances (the first day of March 2000, the month before the
    first Distribution Date): the largest loan, and the California ZIP code with the largest total -- 92648 at
    $2,397,620.52, the Initial Special Hazard Amount (spec 2000-2 section 17 item 5; L808); 2 x the largest loan
    is $1,970,000.00 (spec section 7.2)."""
    df = _tape_frame()
    largest = int(df["cents"].max())  # type: ignore[arg-type]
    by_zip = (
        df.filter(pl.col("state") == "CA")
        .group_by(pl.col("zip_code").str.slice(0, 5))
        .agg(pl.col("cents").sum())
        .sort("cents", descending=True)
    )
    zip_top = int(by_zip["cents"][0])
    assert 2 * largest == 197_000_000 and zip_top == 239_762_052 and by_zip["zip_code"][0] == "92648"
    p = project_deal(DEAL, [scenario("0PSA"), scenario("300PSA", "100SDA", 35, 12)])
    for s in range(2):
        assert p.largest_loan_balance[s, 0, 0] == largest
        assert p.largest_ca_zip_balance[s, 0, 0] == zip_top


@pytest.mark.parametrize("n_scenarios", [1, 5])  # one scenario runs in loan chunks, five in one chunk each
def test_projected_concentrations_after_known_amortization(n_scenarios: int) -> None:
    """At 6% CPR and no defaults, a loan's balance after the Due Date of period t-1 is its SF-4 schedule balance
    after t-1 payments times the surviving share (1 - SMM)^(t-1), SMM = 1 - 0.94^(1/12) (SF-6): the test
    amortizes every loan of the tape itself and takes the largest loan and the largest CA ZIP total."""
    df = _tape_frame()
    smm = 1.0 - 0.94 ** (1.0 / 12.0)
    periods = (2, 13, 61)
    p = project_deal(DEAL, [scenario("6CPR")] * n_scenarios, n_periods=max(periods))
    rate = df["rate"].to_numpy() / 1200.0
    pay = df["pay"].to_numpy()
    rem = df["remaining_term"].to_numpy()
    ca = (df["state"] == "CA").to_numpy()
    zips = df["zip_code"].str.slice(0, 5).to_numpy()
    b = df["bal"].to_numpy().copy()
    surv = 1.0
    for t in range(1, max(periods) + 1):
        if t in periods:  # beginning balances of period t: after the payment due in period t - 1
            bal = surv * b
            zip_totals: dict[str, float] = {}
            for z, v in zip(zips[ca], bal[ca], strict=True):
                zip_totals[z] = zip_totals.get(z, 0.0) + v
            want_largest = _round_half_down(float(bal.max()))
            want_zip = _round_half_down(max(zip_totals.values()))
            for s in range(n_scenarios):
                assert abs(int(p.largest_loan_balance[s, 0, t - 1]) - want_largest) <= 1, t
                assert abs(int(p.largest_ca_zip_balance[s, 0, t - 1]) - want_zip) <= 1, t
        b = np.where(rem == t, 0.0, np.maximum(b + b * rate - pay, 0.0))
        surv *= 1.0 - smm
    # the balances shrink with amortization and prepayments from the cut-off figures
    assert p.largest_ca_zip_balance[0, 0, 60] < p.largest_ca_zip_balance[0, 0, 0] == 239_762_052


def test_synthetic_tape_per_group_and_only_california() -> None:
    """Two groups, zero-rate loans paying $100 a month: balances are exact. Group A: CA 90001 holds 1,000 + 800,
    CA 90002 holds 1,500, a Texas loan in ZIP 90001 (a ZIP string alone is not California) holds 5,000.
    Group B: CA 90001 holds 300 (another group's loans never join group A's ZIP)."""
    strip = FeeStrip(0.0, {"A": 1.0, "B": 1.0}, 0.0, 0.0)
    tape = make_tape(
        loan_numbers=["a1", "a2", "a3", "a4", "b1"],
        group=["A", "A", "A", "A", "B"],
        balance=[1000.0, 800.0, 1500.0, 5000.0, 300.0],
        note_rate=[0.0] * 5,
        payment=[100.0] * 5,
        remaining_term=[10, 8, 15, 50, 3],
        fee_strip=strip,
        ca_zip=["90001", "90001", "90002", None, "90001"],
    )
    p = project_loans(tape, [scenario("0SMM")], first_distribution_date=date(2000, 4, 25), n_periods=12)
    a, b = p.group_index("A"), p.group_index("B")
    for t in range(1, 13):
        k = t - 1  # payments made before period t
        bal = {n: max(0.0, x - 100.0 * k) for n, x in (("a1", 1000.0), ("a2", 800.0), ("a3", 1500.0))}
        assert p.largest_loan_balance[0, a, k] == 100 * max(5000 - 100 * k, *bal.values())
        assert p.largest_ca_zip_balance[0, a, k] == 100 * max(bal["a1"] + bal["a2"], bal["a3"])
        assert (
            p.largest_ca_zip_balance[0, b, k]
            == p.largest_loan_balance[0, b, k]
            == 100 * max(0, 300 - 100 * k)
        )
    # a tape without state and ZIP (2002-3's schedule has none): no ZIP concentration, the largest loan still
    p3 = project_deal("boams-2002-3", [scenario("0PSA")], n_periods=2)
    tape3, _ = load_deal_tape("boams-2002-3")
    assert not p3.largest_ca_zip_balance.any()
    for g, gid in enumerate(p3.group_ids):
        assert p3.largest_loan_balance[0, g, 0] == int(tape3.balance_cents[tape3.group_index == g].max()), gid
    assert CONCENTRATION_FIELDS == ("largest_loan_balance", "largest_ca_zip_balance")


def test_concentrations_can_be_left_out_and_change_nothing_else() -> None:
    sc = [scenario("300PSA", "100SDA", 35, 12)]
    with_ = project_deal(DEAL, sc, n_periods=24)
    without = project_deal(DEAL, sc, n_periods=24, concentrations=False)
    for name in AMOUNT_FIELDS:
        if name in CONCENTRATION_FIELDS:
            assert not getattr(without, name).any() and getattr(with_, name).all(), name
        else:
            assert np.array_equal(getattr(with_, name), getattr(without, name)), name
