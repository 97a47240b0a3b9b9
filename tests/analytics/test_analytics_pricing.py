"""Price <-> yield and the SF-44..55 measures on cash-flow vectors, against closed forms, QuantLib and pyxirr."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
import QuantLib as ql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyxirr import DayCount, irr, xirr, xnpv

from rmbs.analytics.pool import pool_analytics, pool_cashflows
from rmbs.analytics.prices import format_32nds, parse_price
from rmbs.analytics.pricing import (
    CashFlows,
    add_days_30_360,
    analyze,
    bond_equivalent_yield,
    convexity,
    days_30_360,
    discount_margin,
    effective_measures,
    macaulay_duration,
    modified_duration,
    mortgage_yield,
    present_value,
    price_from_yield,
    settle,
    total_return,
    yield_from_price,
    yield_spread,
)
from rmbs.collateral.assumptions import scenario
from rmbs.collateral.pool import RepLine
from rmbs.errors import ValidationError

START = date(2024, 1, 1)


def level_pay(
    coupon: float, months: int, smm: float = 0.0, delay: int = 24, start: date = START, balance: float = 100.0
) -> CashFlows:
    """A level-pay pass-through (no servicing) with a constant SMM, accruing calendar months from ``start``."""
    r = coupon / 1200.0
    bal = balance
    prin, intr, beg = [], [], []
    for k in range(months):
        beg.append(bal)
        pay = bal * r / (1.0 - (1.0 + r) ** -(months - k)) if r > 1e-9 else bal / (months - k)
        sched = pay - bal * r
        pre = (bal - sched) * smm
        prin.append(sched + pre)
        intr.append(bal * r)
        bal -= sched + pre
    m0 = START.month - 1
    pays = tuple(
        add_days_30_360(date(start.year + (m0 + k) // 12, (m0 + k) % 12 + 1, 1), delay)
        for k in range(1, months + 1)
    )
    return CashFlows(
        pay_dates=pays,
        principal=np.array(prin),
        interest=np.array(intr),
        balance=np.array(beg),
        rate=np.full(months, coupon),
        delay=delay,
    )


# --------------------------------------------------------------------------------------------- 32nds
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("99-16", 99.5),
        ("99-16+", 99.515625),
        ("99-162", 99 + 16.25 / 32),
        ("99-00", 99.0),
        ("101-31+", 101 + 31.5 / 32),
        ("100", 100.0),
        ("99.5", 99.5),
        (" 98-08 ", 98.25),
    ],
)
def test_prices_read_as_decimals_or_32nds(text: str, value: float) -> None:
    assert parse_price(text) == value


@pytest.mark.parametrize(
    "text", ["99-32", "99-1", "99-16++", "99-168", "abc", "99/16", "", "99-", "-1", "0", "0-00"]
)
def test_unreadable_or_non_positive_prices_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as e:
        parse_price(text)
    assert e.value.field == "price"


def test_32nds_format_round_trips() -> None:
    for text in ("99-16", "99-16+", "99-162", "100-00", "101-317"):
        assert format_32nds(parse_price(text)) == text


# --------------------------------------------------------------------------------------- 30/360 (SF-44)
def test_30_360_follows_the_sf44_rule() -> None:
    assert days_30_360(date(2024, 1, 1), date(2024, 2, 25)) == 54
    assert days_30_360(date(2024, 1, 31), date(2024, 3, 31)) == 60  # both 31sts count as the 30th
    assert days_30_360(date(2024, 1, 15), date(2024, 3, 31)) == 76  # end 31st kept: start is not the 30th
    assert add_days_30_360(date(2024, 2, 1), 24) == date(2024, 2, 25)  # FNMA / private label: 24 days
    assert add_days_30_360(date(2024, 3, 15), -44) == date(2024, 2, 1)  # FHLMC 75-day stated, 44 actual


@settings(max_examples=200, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2060, 1, 1)), st.integers(0, 20_000))
def test_30_360_agrees_with_quantlib_bond_basis(d1: date, span: int) -> None:
    d2 = d1 + timedelta(days=span)
    dc = ql.Thirty360(ql.Thirty360.BondBasis)
    assert days_30_360(d1, d2) == dc.dayCount(
        ql.Date(d1.day, d1.month, d1.year), ql.Date(d2.day, d2.month, d2.year)
    )


# ------------------------------------------------------------------------------------------- round trips
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    coupon=st.floats(0.0, 14.0),
    months=st.integers(24, 360),
    smm=st.floats(0.0, 0.08),
    delay=st.sampled_from([0, 14, 19, 24, 44]),
    settle_day=st.integers(1, 28),
    price=st.floats(40.0, 140.0),
)
def test_price_yield_round_trips_to_1e8(
    coupon: float, months: int, smm: float, delay: int, settle_day: int, price: float
) -> None:
    cf = level_pay(coupon, months, smm, delay)
    when = date(2024, 1, settle_day)
    y = yield_from_price(cf, price, when)
    assert price_from_yield(cf, y, when) == pytest.approx(price, abs=1e-8)
    p = price_from_yield(cf, 7.5, when)
    assert yield_from_price(cf, p, when) == pytest.approx(7.5, abs=1e-8)


# ------------------------------------------------------------------------------- SF worked numbers
def test_sf4_month_one_pass_through_cash_flow() -> None:
    """SF-4: 9.5% gross / 9.0% net, 360 months, 150% PSA in month 1, per $1 of original balance."""
    cf = pool_cashflows(RepLine(balance=1.0, wac=9.5, net=9.0, wam=360), scenario("150PSA"), delay=24)
    assert cf.principal[0] == pytest.approx(0.00049188 + 0.00025022, abs=5e-9)
    assert cf.principal[0] == pytest.approx(0.00074210, abs=5e-9)
    assert cf.interest[0] == pytest.approx(0.00750000, abs=5e-9)
    assert cf.principal[0] + cf.interest[0] == pytest.approx(0.00824210, abs=5e-9)


def test_par_pool_without_delay_yields_its_coupon() -> None:
    """At par, settled on the first day of the first accrual month and paid without delay, the mortgage yield is
    the pass-through rate and the bond-equivalent yield is 200[(1 + c/1200)^6 - 1] (SF-49), at any speed."""
    for speed in ("0PSA", "150PSA", "600PSA"):
        out = pool_analytics(RepLine(100.0, 9.5, 9.0, 360), scenario(speed), 0, price=100.0)
        assert out.analysis.mortgage_yield == pytest.approx(9.0, abs=1e-10)
        assert out.analysis.yield_ == pytest.approx(200.0 * ((1.0 + 0.09 / 12.0) ** 6 - 1.0), abs=1e-10)


@pytest.mark.parametrize(("agency", "delay"), [("GNMA I", 14), ("GNMA II", 19), ("FNMA", 24), ("FHLMC", 44)])
def test_delay_costs_exactly_its_days_of_discounting(agency: str, delay: int) -> None:
    """SF-44: each flow is paid ``delay`` days after its accrual month ends, so at the coupon's mortgage yield
    the price is 100 (1 + c/1200)^(-delay/30) -- the same for every prepayment speed."""
    c = 9.0
    y = bond_equivalent_yield(c)
    for speed in ("0PSA", "300PSA"):
        out = pool_analytics(RepLine(100.0, 9.5, c, 360), scenario(speed), delay, yield_=y)
        assert out.analysis.price == pytest.approx(100.0 * (1.0 + c / 1200.0) ** (-delay / 30.0), abs=1e-9)


@pytest.mark.parametrize(("settle_day", "days"), [(1, 0), (16, 15), (26, 25), (31, 30)])
def test_accrued_interest_is_30_360_from_the_first(settle_day: int, days: int) -> None:
    """SF-45: accrued = face x coupon/100 x N/360, N on 30/360 from the 1st of the accrual month."""
    cf = level_pay(7.0, 360, 0.01, delay=24)
    s = settle(cf, date(2024, 1, settle_day))
    assert s.accrued_days == days
    assert s.accrued == pytest.approx(100.0 * 0.07 * days / 360.0, abs=1e-12)
    a = analyze(cf, date(2024, 1, settle_day), price=101.0)
    assert a.full_value == pytest.approx(101.0 + 7.0 * days / 360.0, abs=1e-12)


def test_settling_after_the_record_date_drops_that_payment() -> None:
    cf = level_pay(7.0, 12, delay=24)
    s = settle(cf, date(2024, 2, 10))  # January's accrual has ended; the Feb 25 payment is the seller's
    assert s.pay_dates[0] == date(2024, 3, 25)
    assert s.face == pytest.approx(cf.balance[1])
    assert s.accrued_days == 9


def test_mortgage_and_bond_equivalent_yields_invert() -> None:
    assert mortgage_yield(bond_equivalent_yield(8.0)) == pytest.approx(8.0, abs=1e-12)
    assert bond_equivalent_yield(9.0) == pytest.approx(9.170447020699, abs=1e-9)


def test_single_flow_durations_are_its_time() -> None:
    t, y = np.array([3.25]), 6.0
    f = np.array([100.0])
    v = 1.0 + y / 200.0
    assert macaulay_duration(t, f, y) == pytest.approx(3.25, abs=1e-14)
    assert modified_duration(t, f, y) == pytest.approx(3.25 / v, abs=1e-14)
    assert convexity(t, f, y) == pytest.approx(3.25 * 3.75 / v**2, abs=1e-12)


def test_durations_and_convexity_are_the_price_derivatives() -> None:
    """SF-50..51: P(Y + dY) ~ P [1 - ModD dY/100 + Conv/2 (dY/100)^2]; ModD and Conv are -P'/P and P''/P."""
    cf = level_pay(8.0, 360, 0.012, delay=24)
    s = settle(cf, START)
    y, h = 7.0, 1e-3
    p0, pu, pd = (present_value(s.times, s.flows, y + d) for d in (0.0, h, -h))
    mod = modified_duration(s.times, s.flows, y)
    conv = convexity(s.times, s.flows, y)
    assert (pd - pu) / (2.0 * p0 * h / 100.0) == pytest.approx(mod, rel=1e-7)
    assert (pu + pd - 2.0 * p0) / (p0 * (h / 100.0) ** 2) == pytest.approx(conv, rel=1e-4)
    dy = 0.25
    approx = p0 * (1.0 - mod * dy / 100.0 + 0.5 * conv * (dy / 100.0) ** 2)
    exact = present_value(s.times, s.flows, y + dy)
    assert exact == pytest.approx(approx, rel=5e-6)
    assert abs(exact - approx) < abs(exact - p0 * (1.0 - mod * dy / 100.0)) / 20.0
    ed, ec = effective_measures(p0, pd, pu, h * 100.0)  # h percent = 100 h bp
    assert ed == pytest.approx(mod, rel=1e-7)
    assert ec == pytest.approx(conv, rel=1e-4)


def test_total_return_at_the_yield_is_the_yield() -> None:
    """SF-51: reinvesting at the yield and selling at the price that yield gives returns the yield."""
    cf = level_pay(7.5, 360, 0.01, delay=24)
    when, horizon = date(2024, 1, 10), date(2026, 7, 1)
    y = yield_from_price(cf, 98.0, when)
    hp = price_from_yield(cf, y, horizon)
    assert total_return(cf, when, 98.0, horizon, hp, y) == pytest.approx(y, abs=1e-9)
    assert total_return(cf, when, 98.0, horizon, hp + 1.0, y) > y


def test_floater_at_par_has_its_margin_as_discount_margin() -> None:
    """SF-53..55: a monthly floater paying index + m, settled at the start of accrual with no delay, priced at
    par, has discount margin m; its yield spread is its yield less the index on the bond-equivalent basis."""
    index, m = 1.84, 0.50
    cf0 = level_pay(index + m, 120, 0.02, delay=0)
    cf = CashFlows(
        cf0.pay_dates, cf0.principal, cf0.interest, cf0.balance, cf0.rate, 0, index=np.full(120, index)
    )
    when = date(2024, 1, 1)
    assert discount_margin(cf, 100.0, when) == pytest.approx(m, abs=1e-9)
    y = yield_from_price(cf, 100.0, when)
    assert y == pytest.approx(bond_equivalent_yield(index + m), abs=1e-10)
    assert yield_spread(y, index) == pytest.approx(
        bond_equivalent_yield(index + m) - bond_equivalent_yield(index)
    )
    assert discount_margin(cf, 99.0, when) > m


# ------------------------------------------------------------------------------------ external oracles
def _ql_leg(s_dates: tuple[date, ...], flows: np.ndarray) -> ql.Leg:
    return ql.Leg(
        [
            ql.SimpleCashFlow(float(a), ql.Date(d.day, d.month, d.year))
            for d, a in zip(s_dates, flows, strict=True)
        ]
    )


@pytest.mark.parametrize(
    ("coupon", "smm", "delay", "settle_day", "price"),
    [
        (6.5, 0.0, 24, 1, 100.0),
        (6.5, 0.02, 24, 26, 99.5),
        (9.0, 0.006, 14, 15, 103.25),
        (3.0, 0.05, 0, 9, 92.0),
    ],
)
def test_yield_durations_convexity_agree_with_quantlib(
    coupon: float, smm: float, delay: int, settle_day: int, price: float
) -> None:
    cf = level_pay(coupon, 360, smm, delay)
    when = date(2024, 1, settle_day)
    a = analyze(cf, when, price=price)
    s = settle(cf, when)
    leg = _ql_leg(s.pay_dates, s.flows)
    qd = ql.Date(when.day, when.month, when.year)
    ql.Settings.instance().evaluationDate = qd
    dc = ql.Thirty360(ql.Thirty360.BondBasis)
    y = ql.CashFlows.yieldRate(
        leg, a.full_value, dc, ql.Compounded, ql.Semiannual, False, qd, qd, 1e-14, 10000, 0.05
    )
    assert 100.0 * y == pytest.approx(a.yield_, abs=1e-6)
    rate = ql.InterestRate(a.yield_ / 100.0, dc, ql.Compounded, ql.Semiannual)
    assert ql.CashFlows.npv(leg, rate, False, qd, qd) == pytest.approx(a.full_value, abs=1e-6)
    mac = ql.CashFlows.duration(leg, rate, ql.Duration.Macaulay, False, qd)
    mod = ql.CashFlows.duration(leg, rate, ql.Duration.Modified, False, qd)
    conv = ql.CashFlows.convexity(leg, rate, False, qd, qd)
    assert mac == pytest.approx(a.macaulay_duration, abs=1e-6)
    assert mod == pytest.approx(a.modified_duration, abs=1e-6)
    assert conv == pytest.approx(a.convexity, abs=1e-6)


@pytest.mark.parametrize(("coupon", "smm", "delay", "settle_day"), [(6.5, 0.01, 24, 26), (8.0, 0.0, 14, 1)])
def test_yield_agrees_with_pyxirr_on_dated_flows(
    coupon: float, smm: float, delay: int, settle_day: int
) -> None:
    """xirr on 30/360 gives an annual-compounded rate r: the bond-equivalent yield is 200[(1 + r)^(1/2) - 1]."""
    cf = level_pay(coupon, 360, smm, delay)
    when = date(2024, 1, settle_day)
    a = analyze(cf, when, price=98.75)
    s = settle(cf, when)
    dates = [when, *s.pay_dates]
    amounts = [-a.full_value, *s.flows.tolist()]
    r = xirr(dates, amounts, day_count=DayCount.THIRTY_360_ISDA)
    assert 200.0 * (math.sqrt(1.0 + r) - 1.0) == pytest.approx(a.yield_, abs=1e-6)
    annual = (1.0 + a.yield_ / 200.0) ** 2 - 1.0
    assert xnpv(annual, dates, amounts, day_count=DayCount.THIRTY_360_ISDA) == pytest.approx(0.0, abs=1e-6)


def test_monthly_irr_is_the_mortgage_yield() -> None:
    """With no delay and settlement on the 1st, the flows are exactly monthly: pyxirr's periodic IRR x 1200 is
    the mortgage yield (SF-49)."""
    cf = level_pay(7.25, 360, 0.015, delay=0)
    a = analyze(cf, START, price=97.0)
    monthly = irr([-a.full_value, *cf.total.tolist()])
    assert 1200.0 * monthly == pytest.approx(a.mortgage_yield, abs=1e-6)


# ------------------------------------------------------------------------------------------- bad input
def test_bad_prices_and_yields_are_clear_errors() -> None:
    cf = level_pay(7.0, 360, 0.01)
    with pytest.raises(ValidationError, match="not positive"):
        yield_from_price(cf, 0.0, START)
    with pytest.raises(ValidationError, match="not positive"):
        yield_from_price(cf, -5.0, START)
    with pytest.raises(ValidationError, match="worth at most"):
        yield_from_price(cf, 1e25, START)  # no yield above -99% reaches it
    with pytest.raises(ValidationError, match="no yield below"):
        yield_from_price(cf, 1e-12, START)
    with pytest.raises(ValidationError, match="has no price"):
        price_from_yield(cf, -250.0, START)
    with pytest.raises(ValidationError, match="has no price"):
        price_from_yield(cf, math.nan, START)
    with pytest.raises(ValidationError, match="no payments after settlement"):
        yield_from_price(cf, 100.0, date(2060, 1, 1))
    with pytest.raises(ValidationError, match="either a price or a yield"):
        analyze(cf, START)
    io = CashFlows(cf.pay_dates, np.zeros(360), np.zeros(360), cf.balance, cf.rate, 24)
    with pytest.raises(ValidationError, match="no cash"):
        yield_from_price(io, 5.0, START)


@settings(max_examples=100, deadline=None)
@given(
    st.dates(date(1995, 1, 1), date(2040, 1, 1)),
    st.lists(st.dates(date(1995, 1, 1), date(2070, 1, 1)), min_size=1),
)
def test_vectorized_times_match_the_day_count(settle_date: date, dates: list[date]) -> None:
    from rmbs.analytics.pricing import years_from

    assert years_from(settle_date, dates).tolist() == [days_30_360(settle_date, d) / 360.0 for d in dates]
