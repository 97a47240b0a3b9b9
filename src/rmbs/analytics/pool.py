"""Price / yield of a plain pass-through: the SF rep-line pool projection as a :class:`CashFlows` vector.

The pool's month ``k`` accrues interest over accrual month ``k`` (the first accrual month starts on ``start``)
and pays on the first day of the next month plus the actual delay (SF-44: GNMA I 14 days, FNMA 24, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from rmbs.analytics.pricing import Analysis, CashFlows, add_days_30_360, add_months, analyze
from rmbs.collateral.assumptions import Scenario
from rmbs.collateral.pool import RepLine, project_pool
from rmbs.errors import ValidationError

# With no settlement date the calendar does not matter on 30/360 (only day differences do): a fixed nominal
# first accrual month keeps results reproducible.
NOMINAL_START = date(2000, 1, 1)


def pool_cashflows(rep: RepLine, assumption: Scenario, delay: int, start: date = NOMINAL_START) -> CashFlows:
    """The investor's cash flows of a rep-line pool (SF-16..19): principal is actual amortization, amortization
    advanced on defaulted loans, voluntary prepayments and principal recovered on liquidation; interest is the
    net (pass-through) interest actually collected."""
    if start.day != 1:
        raise ValidationError(f"accrual months start on the 1st, not {start.isoformat()}", field="start")
    if delay < 0:
        raise ValidationError(f"delay {delay} is negative", field="delay", expected="0 or more days")
    t = project_pool(rep, assumption)
    principal = (
        t["actual_amortization"].to_numpy()
        + t["amortization_from_defaults"].to_numpy()
        + t["voluntary_prepayments"].to_numpy()
        + t["principal_recovery"].to_numpy()
    ).astype(np.float64)
    interest = t["actual_interest"].to_numpy().astype(np.float64)
    ending = t["performing_balance"].to_numpy() + t["foreclosure_balance"].to_numpy()
    balance = np.concatenate(([rep.balance], ending[:-1])).astype(np.float64)
    n = len(principal)
    pay = tuple(add_days_30_360(add_months(start, k), delay) for k in range(1, n + 1))
    return CashFlows(
        pay_dates=pay,
        principal=principal,
        interest=interest,
        balance=balance,
        rate=np.full(n, rep.net, dtype=np.float64),
        delay=delay,
        label="pool",
    )


@dataclass(frozen=True)
class PoolAnalytics:
    analysis: Analysis
    cashflows: CashFlows

    def as_json(self) -> dict[str, float | None]:
        """The keys ``rmbs pool-analytics --json`` promises, exactly."""
        return self.analysis.measures()


def pool_analytics(
    rep: RepLine,
    assumption: Scenario,
    delay: int,
    *,
    price: float | None = None,
    yield_: float | None = None,
    settle: date | None = None,
) -> PoolAnalytics:
    """Price or yield of a pass-through on a rep-line pool. Without ``settle``, settlement is on the first day of
    the first accrual month (no accrued interest, SF-49's convention); with it, the first accrual month is the
    month in which settlement falls."""
    start = NOMINAL_START if settle is None else date(settle.year, settle.month, 1)
    cf = pool_cashflows(rep, assumption, delay, start)
    a = analyze(cf, start if settle is None else settle, price=price, yield_=yield_)
    return PoolAnalytics(a, cf)
