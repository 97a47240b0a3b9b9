"""Price, yield and the yield-related measures of a mortgage cash-flow vector (Standard Formulas SF-44..55).

Conventions, all from the standard formulas:

* Time is counted on 30/360 (SF-44): from settlement to each payment date, the payment date already carrying the
  security's actual delay (24 days for a certificate paid on the 25th for the prior calendar month, 14 for GNMA I).
* Yield is the bond-equivalent cash-flow yield ``Y`` (percent) solving
  ``P = sum CF_k / (1 + Y/200)^(2 T_k)`` (SF-49), where ``P`` is the full price -- quoted price times face plus
  accrued interest -- and ``T_k`` is in years. Monthly compounding at the mortgage yield
  ``MY = 1200 [(1 + Y/200)^(1/6) - 1]`` gives the same present values.
* Settlement cost (SF-45..47) is ``face (price/100) + face (coupon/100) N/360`` with ``N`` the 30/360 days from
  the start of the accrual period in which settlement falls.
* Average life ``sum T PR / sum PR``; Macaulay duration ``(1/P) sum T CF v^(2T)``; modified duration
  ``D / (1 + Y/200)``; convexity ``(1/P)(1 + Y/200)^-2 sum T (T + 1/2) CF v^(2T)`` in years squared (SF-50..51),
  so that ``P(Y + dY) ~ P [1 - ModD dY/100 + Conv/2 (dY/100)^2]``.
* Total return ``200 [(P_T / P_0)^(1/(2T)) - 1]`` (SF-51); floaters' yield spread and discount margin (SF-52..55).

Everything here is a pure function of numpy float arrays: these are analytics, not money that is paid. The yield
solver is one numba kernel over rows (:func:`solve_yields`): ``rmbs price`` solves one row, the grid every
(scenario, class) of a chunk (:func:`yields_at_prices`), with the same settlement rules (:func:`first_payment`,
:func:`accrued_days`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit, prange

from rmbs.errors import ValidationError

FloatArray = npt.NDArray[np.float64]

# Bond-equivalent yields (percent) the solver will search; outside them no mortgage price makes sense.
MIN_YIELD = -99.0
MAX_YIELD = 10_000.0
TOLERANCE = 1e-12


# ------------------------------------------------------------------------------------------------ 30/360 (SF-44)
def days_30_360(start: date, end: date) -> int:
    """Days from ``start`` to ``end`` on 30/360 (SF-44): a 31st start counts as the 30th; a 31st end counts as the
    30th when the start is the 30th or 31st."""
    d1 = 30 if start.day == 31 else start.day
    d2 = 30 if (end.day == 31 and d1 == 30) else end.day
    return 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)


def add_days_30_360(d: date, days: int) -> date:
    """The date ``days`` 30/360 days after ``d`` (negative: before), months counting 30 days; day 31 reads as 30.

    Used to move between the end of an accrual period and its payment date by the delay (the 1st plus 24 days is
    the 25th; the 15th less 44 days is the 1st of the month before last)."""
    serial = (d.year * 12 + d.month - 1) * 30 + min(d.day, 30) - 1 + days
    months, day0 = divmod(serial, 30)
    year, month0 = divmod(months, 12)
    return date(year, month0 + 1, day0 + 1)


def add_months(d: date, months: int) -> date:
    m = d.month - 1 + months
    return date(d.year + m // 12, m % 12 + 1, d.day)


@functools.lru_cache(maxsize=256)
def _ymd(
    dates: tuple[date, ...],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    # the distribution dates of a deal are the same in every scenario: split them once
    y = np.fromiter((d.year for d in dates), np.int64, len(dates))
    m = np.fromiter((d.month for d in dates), np.int64, len(dates))
    dd = np.fromiter((d.day for d in dates), np.int64, len(dates))
    return y, m, dd


def years_from(settle: date, dates: Sequence[date]) -> FloatArray:
    """30/360 years from settlement to each date (the rule of :func:`days_30_360`, vectorized)."""
    y, m, d2 = _ymd(tuple(dates))
    d1 = 30 if settle.day == 31 else settle.day
    d2 = np.where((d2 == 31) & (d1 == 30), 30, d2)
    days = 360 * (y - settle.year) + 30 * (m - settle.month) + (d2 - d1)
    return np.asarray(days / 360.0, dtype=np.float64)


# --------------------------------------------------------------------------------------------- the cash flows
@dataclass(frozen=True)
class CashFlows:
    """A security's cash flows, one entry per payment.

    ``pay_dates`` are the actual payment dates (the delay included); ``balance`` the balance -- or notional, for
    an interest-only class -- on which the period's interest accrued, i.e. the face outstanding before the
    payment; ``rate`` the coupon (percent) of each accrual period; ``delay`` the actual delay in days from the
    end of each accrual period to its payment (SF-44)."""

    pay_dates: tuple[date, ...]
    principal: FloatArray
    interest: FloatArray
    balance: FloatArray
    rate: FloatArray
    delay: int
    notional: bool = False
    label: str = ""
    index: FloatArray | None = field(default=None)  # the index rate (percent) of each period, for floaters

    def __post_init__(self) -> None:
        n = len(self.pay_dates)
        for name in ("principal", "interest", "balance", "rate"):
            if len(getattr(self, name)) != n:
                raise ValidationError(
                    f"{name} has {len(getattr(self, name))} entries for {n} dates", field=name
                )
        if self.delay < 0:
            raise ValidationError(f"delay {self.delay} is negative", field="delay", expected="0 or more days")

    @property
    def total(self) -> FloatArray:
        return np.asarray(self.principal + self.interest, dtype=np.float64)

    def accrual_end(self, k: int, delay: int | None = None) -> date:
        return add_days_30_360(self.pay_dates[k], -(self.delay if delay is None else delay))


@dataclass(frozen=True)
class Settled:
    """The cash flows a buyer settling on ``settle`` receives, with the times, face and accrued interest."""

    settle: date
    first: int  # index of the first payment the buyer receives
    times: FloatArray  # 30/360 years from settlement to each remaining payment
    flows: FloatArray
    principal: FloatArray
    face: float  # balance (or notional) outstanding at settlement, the face the price applies to
    accrued: float  # accrued interest in dollars (SF-45)
    accrued_days: int
    pay_dates: tuple[date, ...]

    def full_value(self, price: float) -> float:
        """Settlement cost: face x price/100 + accrued interest (SF-45)."""
        return float(full_value(self.face, price, self.accrued))


def first_payment(pay_dates: Sequence[date], delay: int, settle_date: date) -> int | None:
    """Index of the first payment a buyer settling on ``settle_date`` receives: the first whose accrual period
    ends -- the record date, ``delay`` days before the payment -- after settlement (SF-45..47); ``None`` if none."""
    return next(
        (k for k, d in enumerate(pay_dates) if add_days_30_360(d, -delay) > settle_date),
        None,
    )


def accrued_days(pay_date: date, delay: int, settle_date: date) -> int:
    """30/360 days of interest the buyer pays the seller: from the start of the accrual period of the payment on
    ``pay_date`` to settlement, none when settlement is on or before that start (SF-45)."""
    start = add_months(add_days_30_360(pay_date, -delay), -1)
    return max(0, days_30_360(start, settle_date)) if settle_date > start else 0


def accrued_interest(face: Any, rate: Any, n_days: Any) -> Any:
    """Accrued interest in dollars on ``face`` at ``rate`` percent for ``n_days`` 30/360 days (SF-45); floats or
    numpy arrays alike."""
    return face * rate / 100.0 * n_days / 360.0


def full_value(face: Any, price: Any, accrued: Any) -> Any:
    """Settlement cost: face x price/100 + accrued interest (SF-45); floats or numpy arrays alike."""
    return face * price / 100.0 + accrued


def settle(cf: CashFlows, settle_date: date, delay: int | None = None) -> Settled:
    """Cut the cash flows at settlement (SF-45..47).

    The buyer receives every payment whose accrual period ends after settlement (the record date is the last day
    of the accrual period) and pays the seller interest at the period's rate on the face for the 30/360 days from
    the start of that accrual period to settlement."""
    d = cf.delay if delay is None else delay
    if d < 0:
        raise ValidationError(f"delay {d} is negative", field="delay", expected="0 or more days")
    first = first_payment(cf.pay_dates, d, settle_date)
    if first is None:
        raise ValidationError(
            f"no payments after settlement {settle_date.isoformat()}"
            + (f" (last payment {cf.pay_dates[-1].isoformat()})" if cf.pay_dates else ""),
            field="settle",
            expected="a settlement date before the last accrual period ends",
        )
    face = float(cf.balance[first])
    if face <= 0.0:
        raise ValidationError(
            f"{cf.label or 'the security'} has no balance outstanding at settlement {settle_date.isoformat()}",
            field="settle",
        )
    n_days = accrued_days(cf.pay_dates[first], d, settle_date)
    accrued = float(accrued_interest(face, float(cf.rate[first]), n_days))
    dates = cf.pay_dates[first:]
    times = years_from(settle_date, dates)
    flows = np.asarray(cf.total[first:], dtype=np.float64)
    if not np.any(flows > 0.0):
        raise ValidationError(
            f"{cf.label or 'the security'} receives no cash after settlement {settle_date.isoformat()}",
            field="settle",
        )
    return Settled(
        settle=settle_date,
        first=first,
        times=times,
        flows=flows,
        principal=np.asarray(cf.principal[first:], dtype=np.float64),
        face=face,
        accrued=accrued,
        accrued_days=n_days,
        pay_dates=dates,
    )


# --------------------------------------------------------------------------------------------- present values
def _check_yield(y: float) -> None:
    if not math.isfinite(y) or y <= -200.0:
        raise ValidationError(
            f"yield {y!r} has no price", field="yield", expected="a finite yield above -200 percent"
        )


@njit(cache=True, nogil=True)
def _pv(times: FloatArray, flows: FloatArray, a: int, b: int, y: float, step: float) -> tuple[float, float]:
    """``sum CF_t (1 + Y/200)^(-2 T_t)`` over ``t`` in ``[a, b)`` and its derivative in ``Y`` (SF-49). With
    ``step`` > 0 the times are evenly spaced by ``step`` years and each discount factor is the one before it
    times ``(1 + Y/200)^(-2 step)``."""
    lv = math.log1p(y / 200.0)
    pv = 0.0
    dt = 0.0
    if step > 0.0 and b > a:
        d = math.exp(-2.0 * times[a] * lv)
        q = math.exp(-2.0 * step * lv)
        for t in range(a, b):
            c = flows[t] * d
            pv += c
            dt += -2.0 * times[t] * c
            d *= q
    else:
        for t in range(a, b):
            c = flows[t] * math.exp(-2.0 * times[t] * lv)
            pv += c
            dt += -2.0 * times[t] * c
    return pv, dt / (200.0 * (1.0 + y / 200.0))


SOLVED, BAD_TARGET, TOO_HIGH, TOO_LOW = 0, 1, 2, 3  # status of each row of :func:`solve_yields`


@njit(cache=True, nogil=True)
def _solve(
    times: FloatArray, x: FloatArray, a: int, b: int, tgt: float, guess: float, step: float
) -> tuple[float, int]:
    if not (math.isfinite(tgt) and tgt > 0.0):
        return np.nan, BAD_TARGET
    lo = MIN_YIELD
    hi = MAX_YIELD
    y = min(max(guess, lo), hi)
    for _ in range(200):
        pv, slope = _pv(times, x, a, b, y, step)
        f = pv - tgt
        if f == 0.0:
            break
        if f > 0.0:
            lo = y
        else:
            hi = y
        y_new = y - f / slope if slope != 0.0 else np.inf
        if not (lo < y_new < hi) or not math.isfinite(y_new):
            y_new = 0.5 * (lo + hi)
        if abs(y_new - y) <= TOLERANCE or hi - lo <= TOLERANCE:
            y = y_new
            break
        y = y_new
    # the bracket holds a root unless the value at an end of it is already past the target; only an iteration
    # that ended at an end needs the check (the iterates do not depend on it)
    if y - MIN_YIELD <= 1e-6 and _pv(times, x, a, b, MIN_YIELD, step)[0] - tgt < 0.0:
        return np.nan, TOO_HIGH
    if MAX_YIELD - y <= 1e-6 and _pv(times, x, a, b, MAX_YIELD, step)[0] - tgt > 0.0:
        return np.nan, TOO_LOW
    return y, SOLVED


@njit(cache=True, nogil=True, parallel=True)
def solve_yields(
    times: FloatArray,
    flows: FloatArray,
    first: npt.NDArray[np.int64],
    stop: npt.NDArray[np.int64],
    target: FloatArray,
    guess: float,
    step: float,
    out: FloatArray,
    status: npt.NDArray[np.int64],
) -> None:
    """For each row ``j`` (in parallel): the bond-equivalent yield (percent) at which ``flows[j, first[j]:stop[j]]``,
    paid at ``times[first[j]:stop[j]]`` (30/360 years from settlement), are worth ``target[j]`` (SF-49), into
    ``out[j]``; ``step`` > 0 when the times are evenly spaced by it (:func:`even_step`).

    Newton's method from ``guess`` kept inside a bracket that always holds the root (a bisection step whenever
    Newton would leave it), to 1e-12. With non-negative flows the value falls strictly as the yield rises, so the
    root is unique. ``status[j]``: SOLVED; BAD_TARGET (not a positive finite value); TOO_HIGH (worth more than the
    flows at -99%); TOO_LOW (worth less than the flows at 10,000%) -- ``out[j]`` is NaN for all but SOLVED."""
    for j in prange(flows.shape[0]):
        y, st = _solve(times, flows[j], first[j], stop[j], target[j], guess, step)
        out[j] = y
        status[j] = st


def even_step(times: FloatArray) -> float:
    """The spacing of ``times`` when they are evenly spaced (monthly payment dates), else 0."""
    if len(times) < 2:
        return 0.0
    d = np.diff(times)
    step = float(d.mean())
    return step if step > 0.0 and float(np.max(np.abs(d - step))) <= 1e-12 else 0.0


def present_value(times: FloatArray, flows: FloatArray, y: float) -> float:
    """``sum CF_k (1 + Y/200)^(-2 T_k)`` with ``Y`` the bond-equivalent yield in percent (SF-49)."""
    _check_yield(y)
    t = np.ascontiguousarray(times, dtype=np.float64)
    return float(_pv(t, np.ascontiguousarray(flows, dtype=np.float64), 0, len(t), y, even_step(t))[0])


def solve_yield(times: FloatArray, flows: FloatArray, target: float, guess: float = 6.0) -> float:
    """The bond-equivalent yield (percent) at which the flows are worth ``target`` (:func:`solve_yields` on one
    row); a target the flows cannot reach at any yield from -99% to 10,000% is refused."""
    t = np.ascontiguousarray(times, dtype=np.float64)
    n = len(t)
    out = np.empty(1)
    status = np.empty(1, dtype=np.int64)
    one = np.zeros(1, dtype=np.int64)
    x = np.ascontiguousarray(flows, dtype=np.float64).reshape(1, n)
    solve_yields(t, x, one, one + n, np.array([float(target)]), guess, even_step(t), out, status)
    st = int(status[0])
    if st == BAD_TARGET:
        raise ValidationError(f"value {target!r} is not positive", field="price", expected="a price above 0")
    if st == TOO_HIGH:
        raise ValidationError(
            f"no yield above {MIN_YIELD:g}% gives a value of {target:,.6f}; the cash flows are worth at most "
            f"{present_value(t, x[0], MIN_YIELD):,.6f}",
            field="price",
            expected="a price the cash flows can support",
        )
    if st == TOO_LOW:
        raise ValidationError(
            f"no yield below {MAX_YIELD:,.0f}% gives a value as low as {target:,.6f}",
            field="price",
            expected="a price the cash flows can support",
        )
    return float(out[0])


# ------------------------------------------------------------------------------------------- price <-> yield
def price_from_yield(cf: CashFlows, y: float, settle_date: date, delay: int | None = None) -> float:
    """Quoted price per 100 of face at settlement for a bond-equivalent yield ``y`` (percent)."""
    s = settle(cf, settle_date, delay)
    return price_of(s, y)


def price_of(s: Settled, y: float) -> float:
    return 100.0 * (present_value(s.times, s.flows, y) - s.accrued) / s.face


def yield_from_price(
    cf: CashFlows, price: float, settle_date: date, delay: int | None = None, guess: float = 6.0
) -> float:
    """Bond-equivalent yield (percent) of the cash flows bought at ``price`` per 100 of face (SF-49)."""
    s = settle(cf, settle_date, delay)
    return yield_of(s, price, guess)


def yield_of(s: Settled, price: float, guess: float = 6.0) -> float:
    if not math.isfinite(price) or price <= 0.0:
        raise ValidationError(f"price {price!r} is not positive", field="price", expected="a price above 0")
    return solve_yield(s.times, s.flows, s.full_value(price), guess)


def yields_at_prices(
    pay_dates: Sequence[date],
    stop: npt.NDArray[np.int64],
    cash: npt.NDArray[Any],
    balance: npt.NDArray[Any],
    rate: FloatArray,
    delays: Sequence[int],
    prices: Sequence[float | None],
    settle_date: date,
    scale: float = 1.0,
) -> FloatArray:
    """The bond-equivalent yield (percent) of each (scenario, security) at its price, settling on ``settle_date``:
    the :func:`settle` and :func:`yield_of` of every column of a batch at once.

    ``cash`` (each payment: principal and interest), ``balance`` (the face -- or notional -- before each payment)
    and ``rate`` (percent) are (S, T, K) on the common ``pay_dates``, the amounts in units of ``1/scale`` dollars
    (``scale`` 100: cents); scenario ``s`` pays on its first ``stop[s]`` dates; security ``k`` has the actual delay
    ``delays[k]`` and the price ``prices[k]`` (``None``: not priced). NaN where a security is not priced, receives
    nothing after settlement, has no face then, or where no yield gives the price."""
    S, T, K = cash.shape
    out = np.full((S, K), np.nan)
    times = years_from(settle_date, pay_dates)
    priced = [k for k in range(K) if (p := prices[k]) is not None and math.isfinite(p) and p > 0.0]
    paying = (cash > 0) & (np.arange(T)[None, :, None] < stop[:, None, None])
    rows_s: list[npt.NDArray[np.int64]] = []
    rows_k: list[npt.NDArray[np.int64]] = []
    rows_f: list[npt.NDArray[np.int64]] = []
    targets: list[FloatArray] = []
    for delay in sorted({delays[k] for k in priced}):
        first = first_payment(pay_dates, delay, settle_date)
        if first is None:
            continue
        ks = np.array([k for k in priced if delays[k] == delay], dtype=np.int64)
        face = balance[:, first, ks] / scale  # (S, classes of this delay)
        ok = (first < stop)[:, None] & (face > 0.0) & paying[:, first:, ks].any(axis=1)
        s_ok, j_ok = np.nonzero(ok)
        k_ok = ks[j_ok]
        f_ok = face[s_ok, j_ok]
        accrued = accrued_interest(
            f_ok, rate[s_ok, first, k_ok], accrued_days(pay_dates[first], delay, settle_date)
        )
        price = np.array([prices[k] for k in k_ok], dtype=np.float64)
        rows_s.append(s_ok)
        rows_k.append(k_ok)
        rows_f.append(np.full(len(s_ok), first, dtype=np.int64))
        targets.append(np.asarray(full_value(f_ok, price, accrued), dtype=np.float64))
    if not rows_s:
        return out
    sv, kv = np.concatenate(rows_s), np.concatenate(rows_k)
    x = np.ascontiguousarray(cash[sv, :, kv] / scale, dtype=np.float64)  # (rows, T)
    y = np.empty(len(sv))
    status = np.empty(len(sv), dtype=np.int64)
    solve_yields(
        times,
        x,
        np.concatenate(rows_f),
        stop[sv].astype(np.int64),
        np.concatenate(targets),
        6.0,
        even_step(times),
        y,
        status,
    )
    out[sv, kv] = np.where(status == SOLVED, y, np.nan)
    return out


def mortgage_yield(bey: float) -> float:
    """Mortgage (monthly-compounded) yield from a bond-equivalent yield: ``1200 [(1 + Y/200)^(1/6) - 1]`` (SF-49)."""
    return 1200.0 * ((1.0 + bey / 200.0) ** (1.0 / 6.0) - 1.0)


def bond_equivalent_yield(mortgage: float) -> float:
    """Bond-equivalent yield from a mortgage yield: ``200 [(1 + MY/1200)^6 - 1]`` (SF-49)."""
    return 200.0 * ((1.0 + mortgage / 1200.0) ** 6 - 1.0)


# ---------------------------------------------------------------------------------------- yield measures
def average_life(times: FloatArray, principal: FloatArray) -> float | None:
    """``sum T PR / sum PR`` (SF-50); ``None`` when no principal is paid (an interest-only class)."""
    total = float(np.sum(principal))
    if total == 0.0:
        return None
    return float(np.sum(times * principal)) / total


def macaulay_duration(times: FloatArray, flows: FloatArray, y: float) -> float:
    """``(1/P) sum T CF v^(2T)``, ``P`` the full value at the yield (SF-50)."""
    disc = flows * np.exp(-2.0 * times * math.log1p(y / 200.0))
    return float(np.sum(times * disc) / np.sum(disc))


def modified_duration(times: FloatArray, flows: FloatArray, y: float) -> float:
    """``D / (1 + Y/200)``: percent change of the full price per 100 bp of yield (SF-50)."""
    return macaulay_duration(times, flows, y) / (1.0 + y / 200.0)


def convexity(times: FloatArray, flows: FloatArray, y: float) -> float:
    """``(1/P)(1 + Y/200)^-2 sum T (T + 0.5) CF v^(2T)`` in years squared (SF-51)."""
    disc = flows * np.exp(-2.0 * times * math.log1p(y / 200.0))
    return float(np.sum(times * (times + 0.5) * disc) / np.sum(disc)) / (1.0 + y / 200.0) ** 2


@dataclass(frozen=True)
class Analysis:
    """Price and yield of a cash-flow vector at settlement with the SF-50..51 measures."""

    price: float
    yield_: float
    mortgage_yield: float
    average_life: float | None
    macaulay_duration: float
    modified_duration: float
    convexity: float
    accrued: float  # dollars
    accrued_per_100: float
    accrued_days: int
    face: float
    full_value: float
    first_principal: date | None
    last_principal: date | None
    settle: date

    def measures(self) -> dict[str, float | None]:
        """Price, yields, average life, durations and convexity (what a pool's ``--json`` promises)."""
        return {
            "price": self.price,
            "yield": self.yield_,
            "mortgage_yield": self.mortgage_yield,
            "average_life": self.average_life,
            "macaulay_duration": self.macaulay_duration,
            "modified_duration": self.modified_duration,
            "convexity": self.convexity,
        }

    def as_dict(self) -> dict[str, object]:
        return {
            **self.measures(),
            "accrued": self.accrued,
            "accrued_per_100": self.accrued_per_100,
            "accrued_days": self.accrued_days,
            "face": self.face,
            "full_value": self.full_value,
            "first_principal": None if self.first_principal is None else self.first_principal.isoformat(),
            "last_principal": None if self.last_principal is None else self.last_principal.isoformat(),
            "settle": self.settle.isoformat(),
        }


def analyze(
    cf: CashFlows,
    settle_date: date,
    *,
    price: float | None = None,
    yield_: float | None = None,
    delay: int | None = None,
) -> Analysis:
    """Everything SF-49..51 gives for one price or one yield (exactly one of them)."""
    if (price is None) == (yield_ is None):
        raise ValidationError("give either a price or a yield", field="price", expected="exactly one")
    s = settle(cf, settle_date, delay)
    if price is not None:
        y = yield_of(s, price)
        p = price
    else:
        assert yield_ is not None
        _check_yield(yield_)
        y = yield_
        p = price_of(s, y)
        if p <= 0.0:
            raise ValidationError(
                f"yield {y:g}% gives no positive price", field="yield", expected="a lower yield"
            )
    paid = [d for d, pr in zip(s.pay_dates, s.principal, strict=True) if pr > 0.0]
    return Analysis(
        price=p,
        yield_=y,
        mortgage_yield=mortgage_yield(y),
        average_life=average_life(s.times, s.principal),
        macaulay_duration=macaulay_duration(s.times, s.flows, y),
        modified_duration=modified_duration(s.times, s.flows, y),
        convexity=convexity(s.times, s.flows, y),
        accrued=s.accrued,
        accrued_per_100=100.0 * s.accrued / s.face,
        accrued_days=s.accrued_days,
        face=s.face,
        full_value=s.full_value(p),
        first_principal=paid[0] if paid else None,
        last_principal=paid[-1] if paid else None,
        settle=settle_date,
    )


# ------------------------------------------------------------------------------- effective measures (SF-51)
def effective_measures(p0: float, p_down: float, p_up: float, shift_bp: float) -> tuple[float, float]:
    """Effective duration and convexity from full values at the base and with rates shifted down / up by
    ``shift_bp`` (cash flows recomputed for each shift): ``(P- - P+) / (2 P0 dy)`` and
    ``(P+ + P- - 2 P0) / (P0 dy^2)``, ``dy`` in decimal -- the same units as modified duration and convexity."""
    if shift_bp <= 0.0:
        raise ValidationError(f"shift {shift_bp} bp is not positive", field="shock-bp", expected="> 0")
    dy = shift_bp / 10_000.0
    return (p_down - p_up) / (2.0 * p0 * dy), (p_up + p_down - 2.0 * p0) / (p0 * dy * dy)


# ----------------------------------------------------------------------------------------- total return
def total_return(
    cf: CashFlows,
    settle_date: date,
    price: float,
    horizon: date,
    horizon_price: float,
    reinvestment_yield: float,
    delay: int | None = None,
) -> float:
    """Bond-equivalent total return to ``horizon`` (SF-51): cash received before the horizon reinvested at
    ``reinvestment_yield`` (bond-equivalent, percent) to the horizon, plus the horizon value of what remains --
    ``horizon_price`` on the face then outstanding and its accrued interest -- against the settlement cost:
    ``200 [(P_T / P_0)^(1/(2T)) - 1]``."""
    if horizon <= settle_date:
        raise ValidationError("horizon is not after settlement", field="horizon", expected="a later date")
    s = settle(cf, settle_date, delay)
    p0 = s.full_value(price)
    t_h = days_30_360(settle_date, horizon) / 360.0
    # the payments the holder owns at the horizon: those received before it, reinvested, and any whose record
    # date has passed but which are paid after it, discounted back at the same rate
    try:
        rest: Settled | None = settle(cf, horizon, delay)
    except ValidationError:
        rest = None
    owned = (len(cf.pay_dates) if rest is None else rest.first) - s.first
    grow = np.exp(2.0 * (t_h - s.times[:owned]) * math.log1p(reinvestment_yield / 200.0))
    value = float(np.sum(s.flows[:owned] * grow))
    if rest is not None:
        value += rest.full_value(horizon_price)
    return 200.0 * ((value / p0) ** (1.0 / (2.0 * t_h)) - 1.0)


# --------------------------------------------------------------------------------------- floaters (SF-52..55)
def index_bond_equivalent(index_rate: float) -> float:
    """A monthly-reset index rate (percent, a monthly-compounded rate) on the bond-equivalent basis."""
    return bond_equivalent_yield(index_rate)


def yield_spread(floater_yield: float, index_rate: float) -> float:
    """Yield-to-maturity spread of a floater (SF-52): its cash-flow yield, computed holding the index at its
    current value, less the index on the same bond-equivalent basis; percent."""
    return floater_yield - index_bond_equivalent(index_rate)


def _dm_value(times: FloatArray, flows: FloatArray, index: FloatArray, dm: float) -> float:
    tau = np.diff(np.concatenate(([0.0], times))) * 12.0
    r = (index + dm) / 1200.0
    if np.any(r <= -1.0):
        return math.inf
    disc = np.exp(-np.cumsum(tau * np.log1p(r)))
    return float(np.sum(flows * disc))


def discount_margin(cf: CashFlows, price: float, settle_date: date, delay: int | None = None) -> float:
    """Discounted margin (SF-53..55), percent: the margin ``DM`` over the projected index path at which the
    floater's cash flows, discounted month by month at ``(index_k + DM)/12`` (fractional first period by its
    30/360 length), are worth the settlement cost."""
    if cf.index is None:
        raise ValidationError(f"{cf.label or 'the security'} has no index path", field="class")
    s = settle(cf, settle_date, delay)
    index = np.asarray(cf.index[s.first :], dtype=np.float64)
    target = s.full_value(price)
    lo, hi = -float(np.min(index)) - 99.0, 1000.0

    def f(dm: float) -> float:
        return _dm_value(s.times, s.flows, index, dm) - target

    return _bisect_decreasing(f, lo, hi, "discount margin")


def _bisect_decreasing(f: Callable[[float], float], lo: float, hi: float, what: str) -> float:
    f_lo, f_hi = f(lo), f(hi)
    if f_lo < 0.0 or f_hi > 0.0:
        raise ValidationError(
            f"no {what} reaches the price", field="price", expected="a price the flows support"
        )
    for _ in range(300):
        mid = 0.5 * (lo + hi)
        if f(mid) > 0.0:
            lo = mid
        else:
            hi = mid
        if hi - lo <= TOLERANCE:
            break
    return 0.5 * (lo + hi)
