"""Rep-line (single pool) projection with defaults, exactly as the Standard Formulas state it (SF-16..19).

The pool is one level-pay loan of gross coupon WAC, remaining term WAM and age (original term WAM + age). Each
month ``i`` (SF-17..18):

* new defaults are taken on the prior performing balance *before* scheduled amortization,
  ``NEW DEF(i) = PERF(i-1) MDR(i)``, and MDR is zero in the last ``lag`` months;
* voluntary prepayments are taken on the performing balance *after* it,
  ``VOL PREPAY(i) = PERF(i-1) [SCH(i)/SCH(i-1)] SMM(i)``;
* ``ACT AM = (PERF(i-1) - NEW DEF) [1 - SCH(i)/SCH(i-1)]``;
* ``ADB(i) = NEW DEF(i-lag) SCH(i-1)/SCH(i-1-lag)`` when P&I is advanced, else ``NEW DEF(i-lag)``;
* ``EXP AM = (PERF(i-1) + FCL(i-1) - ADB(i)) [1 - ratio]``; ``AM DEF = (NEW DEF + FCL(i-1) - ADB(i)) [1 - ratio]``
  when advanced, else 0; ``FCL(i) = NEW DEF + FCL(i-1) - ADB - AM DEF``;
* ``EXP INT = (PERF + FCL)(i-1) rate``; ``LOST INT = (NEW DEF + FCL(i-1)) rate``; ``ACT INT = EXP INT - LOST INT``;
* ``PRIN LOSS = min(NEW DEF(i-lag) severity, ADB)``; ``PRIN RECOV = max(ADB - LOSS, 0)``.

``SCH(i)`` is the SF-4 scheduled balance per $1 at the gross coupon; interest is at the net (pass-through) rate.
The table's ``amort_factor`` column is the one Cash Flow A prints as "Amort Factor": the scheduled balance
factor ``SCH(i)/SCH(0)`` since the start of the projection (0.9993 in month 1, 0.9916 in month 12, 0 at
maturity) -- not the one-month ratio ``SCH(i)/SCH(i-1)`` that drives the formulas.
These formulas reproduce the SF's Cash Flow A (SF-23..30) to the dollar.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from rmbs.collateral.assumptions import FloatArray, Scenario, scheduled_balance
from rmbs.errors import ValidationError

POOL_COLUMNS: tuple[str, ...] = (
    "month",
    "performing_balance",
    "new_defaults",
    "foreclosure_balance",
    "amort_factor",
    "expected_amortization",
    "voluntary_prepayments",
    "amortization_from_defaults",
    "actual_amortization",
    "expected_interest",
    "interest_lost",
    "actual_interest",
    "principal_recovery",
    "principal_loss",
    "adb",
)


@dataclass(frozen=True)
class RepLine:
    """A pool described by one representative loan: balance ($), gross WAC and net rate (percent), remaining
    term WAM and age in months (SF-4, SF-16)."""

    balance: float
    wac: float
    net: float
    wam: int
    age: int = 0

    def __post_init__(self) -> None:
        validate_rep_line(self)

    @property
    def original_term(self) -> int:
        return self.wam + self.age


def validate_rep_line(rep: RepLine) -> None:
    """Reject a pool that the formulas cannot project, naming the field at fault."""
    checks: list[tuple[str, bool, str]] = [
        ("balance", math.isfinite(rep.balance) and rep.balance >= 0.0, "a non-negative dollar amount"),
        ("wac", math.isfinite(rep.wac) and 0.0 <= rep.wac <= 100.0, "a gross coupon from 0 to 100 percent"),
        ("net", math.isfinite(rep.net) and 0.0 <= rep.net <= 100.0, "a net coupon from 0 to 100 percent"),
        ("wam", rep.wam >= 1, "a remaining term of at least 1 month"),
        ("age", rep.age >= 0, "an age of 0 months or more"),
    ]
    for field, ok, expected in checks:
        if not ok:
            value = getattr(rep, field)
            raise ValidationError(f"{field} {value!r} is out of range", field=field, expected=expected)
    if rep.net > rep.wac:
        raise ValidationError(
            f"net rate {rep.net:g}% exceeds the gross WAC {rep.wac:g}%", field="net", expected="net <= wac"
        )


def project_pool(rep: RepLine, assumption: Scenario) -> pl.DataFrame:
    """Project a rep-line pool month by month per SF-16..19; one row per month with :data:`POOL_COLUMNS`.

    Prepayment ramps (PSA, ABS) and SDA are read at the pool's age MONTH ``age + i``; per-period vectors at
    period ``i`` and must have exactly WAM values.
    """
    n = rep.wam
    lag = assumption.lag
    sev = assumption.severity / 100.0
    adv = assumption.advancing
    rate = rep.net / 1200.0
    assumption.prepayment.check_period_vector(n)
    assumption.default.check_period_vector(n)

    periods = np.arange(1, n + 1)
    p_idx = periods + rep.age if assumption.prepayment.by_age else periods
    d_idx = periods + rep.age if assumption.default.by_age else periods
    smm = assumption.prepayment.monthly_rates(p_idx)
    mdr = assumption.default.monthly_rates(d_idx)
    mdr = np.where(periods > n - lag, 0.0, mdr)  # SF-19: no new defaults in the last `lag` months
    smm = np.minimum(smm, 1.0 - mdr)  # defaults come first; prepayments take at most what is left

    # SCH(k), k = 0..n, per $1 of original balance at the gross coupon (SF-4)
    sch: FloatArray = scheduled_balance(rep.wac, rep.original_term, n - np.arange(0, n + 1))
    sch[-1] = 0.0

    cols = {c: np.zeros(n, dtype=np.float64) for c in POOL_COLUMNS[1:]}
    perf_prev = float(rep.balance)
    fcl_prev = 0.0
    new_def = np.zeros(n + 1, dtype=np.float64)  # NEW DEF(i), 1-based
    for i in range(1, n + 1):
        ratio = sch[i] / sch[i - 1] if sch[i - 1] > 0.0 else 0.0
        nd = perf_prev * mdr[i - 1]
        new_def[i] = nd
        if i - lag >= 1:
            s = i - lag
            nd_lag = new_def[s]
            adb = nd_lag * sch[i - 1] / sch[s - 1] if adv and sch[s - 1] > 0.0 else (0.0 if adv else nd_lag)
        else:
            nd_lag = 0.0
            adb = 0.0
        vol = perf_prev * ratio * smm[i - 1]
        act_am = (perf_prev - nd) * (1.0 - ratio)
        exp_am = (perf_prev + fcl_prev - adb) * (1.0 - ratio)
        am_def = max((nd + fcl_prev - adb) * (1.0 - ratio), 0.0) if adv else 0.0
        fcl = max(nd + fcl_prev - adb - am_def, 0.0)
        exp_int = (perf_prev + fcl_prev) * rate
        lost_int = (nd + fcl_prev) * rate
        loss = min(nd_lag * sev, adb)
        recov = max(adb - loss, 0.0)
        perf = perf_prev - nd - act_am - vol

        k = i - 1
        cols["performing_balance"][k] = perf
        cols["new_defaults"][k] = nd
        cols["foreclosure_balance"][k] = fcl
        cols["amort_factor"][k] = sch[i] / sch[0] if sch[0] > 0.0 else 0.0
        cols["expected_amortization"][k] = exp_am
        cols["voluntary_prepayments"][k] = vol
        cols["amortization_from_defaults"][k] = am_def
        cols["actual_amortization"][k] = act_am
        cols["expected_interest"][k] = exp_int
        cols["interest_lost"][k] = lost_int
        cols["actual_interest"][k] = exp_int - lost_int
        cols["principal_recovery"][k] = recov
        cols["principal_loss"][k] = loss
        cols["adb"][k] = adb
        perf_prev, fcl_prev = perf, fcl

    return pl.DataFrame({"month": periods.astype(np.int64), **cols}).select(list(POOL_COLUMNS))


# The flow columns, which the SF totals under Cash Flow A (balances and the factor are not summed).
TOTAL_COLUMNS: tuple[str, ...] = tuple(
    c for c in POOL_COLUMNS if c not in ("month", "performing_balance", "foreclosure_balance", "amort_factor")
)


def pool_totals(table: pl.DataFrame) -> dict[str, float]:
    """Column totals of the flow columns, as the SF prints under Cash Flow A."""
    return {c: float(table[c].sum()) for c in TOTAL_COLUMNS}
