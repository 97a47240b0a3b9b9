"""Certificate analytics of a deal: a class's cash flows from a waterfall run, priced per SF-44..55.

``class_cashflows(deal, run, class_name)`` turns one :class:`~rmbs.waterfall.project.ScenarioRun` into a
:class:`~rmbs.analytics.pricing.CashFlows` vector (dates, principal, interest, balance) that
:func:`~rmbs.analytics.pricing.yield_from_price` prices (``rmbs price``); the scenario grid reads the same flows of
many scenarios as arrays (:func:`rmbs.analytics.grid.summarize_grid`) and prices them with the same solver.

Delay: the seed deals pay on the 25th. Every class but the LIBOR classes accrues over the prior calendar month
(2002-3 L913-918, 2000-2 L822-826), so the actual delay is 24 days; 2002-3's 1-A-1 and 1-A-7 accrue from the 25th
of the prior month to the 24th (L918-921), no delay. Principal-only classes accrue nothing, and their delay only
fixes the record date.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import numpy as np

from rmbs.analytics.pricing import (
    Analysis,
    CashFlows,
    analyze,
    discount_margin,
    effective_measures,
    price_of,
    settle,
    total_return,
    yield_spread,
)
from rmbs.deal.schema import ClassSpec, Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.engine import PeriodResult
from rmbs.waterfall.project import ScenarioRun, run_deal
from rmbs.waterfall.run import parse_index_path

DISTRIBUTION_DAY = 25
CALENDAR_MONTH_DELAY = DISTRIBUTION_DAY - 1  # paid on the 25th for the prior calendar month: 24 days (SF-44)


def class_names(deal: Deal) -> list[str]:
    """Every class, plus each class made of components (``A-PO`` of 2002-3's three PO components)."""
    names = [c.name for c in deal.classes]
    for c in deal.classes:
        if c.component_of and c.component_of not in names:
            names.append(c.component_of)
    return names


def class_members(deal: Deal, class_name: str) -> list[ClassSpec]:
    """The class itself, or the components of a class made of components; an unknown name is refused."""
    specs = [c for c in deal.classes if c.name == class_name]
    if not specs:
        specs = [c for c in deal.classes if c.component_of == class_name]
    if not specs:
        raise ValidationError(
            f"{deal.deal_id} has no class {class_name!r}",
            field="class",
            expected=", ".join(class_names(deal)),
        )
    return specs


def class_delay(deal: Deal, class_name: str) -> int:
    """Actual delay in days of a class (see the module docstring)."""
    specs = class_members(deal, class_name)
    return 0 if all(c.coupon.kind == "floater" for c in specs) else CALENDAR_MONTH_DELAY


def class_cashflows(
    deal: Deal,
    run: ScenarioRun | Sequence[PeriodResult],
    class_name: str,
    delay: int | None = None,
    libor: str | None = None,
) -> CashFlows:
    """One class's payments in one scenario, in dollars: principal (with any Class A-PO Deferred Amount paid),
    interest paid, the balance -- or notional of an interest-only class -- before each distribution, and the
    period's pass-through rate. Components (1-A-PO, 2-A-PO, 3-A-PO) are summed under their class (A-PO).
    For a floater, ``libor`` (as ``rmbs run --libor`` takes it) gives the index path the discount margin needs."""
    specs = class_members(deal, class_name)
    results = run.results if isinstance(run, ScenarioRun) else run
    n = len(results)
    principal = np.zeros(n)
    interest = np.zeros(n)
    balance = np.zeros(n)
    rate_num = np.zeros(n)
    for c in specs:
        rs = [r.classes[c.name] for r in results]
        principal += np.fromiter((x.principal_paid + x.po_deferred_paid for x in rs), np.float64, n)
        interest += np.fromiter((x.interest_paid for x in rs), np.float64, n)
        bal = np.fromiter((x.beginning_balance for x in rs), np.float64, n)
        balance += bal
        rate_num += bal * np.fromiter((x.rate for x in rs), np.float64, n)
    rate = np.divide(rate_num, balance, out=np.zeros(n), where=balance > 0)
    floater = [c for c in specs if c.coupon.kind == "floater"]
    index = None
    if floater:
        path = parse_index_path(libor)
        index = np.array([float(path.at(r.period)) for r in results])
    return CashFlows(
        pay_dates=tuple(r.date for r in results),
        principal=principal / 100.0,
        interest=interest / 100.0,
        balance=balance / 100.0,
        rate=rate,
        delay=class_delay(deal, class_name) if delay is None else delay,
        notional=all(c.notional_of for c in specs),
        label=class_name,
        index=index,
    )


@dataclass(frozen=True)
class Assumptions:
    """One scenario as ``rmbs run`` takes it."""

    prepay: str = "0PSA"
    default: str = "0SDA"
    severity: float = 0.0
    lag: int = 0
    advance: bool = True
    libor: str | None = None
    switches: tuple[tuple[str, str], ...] = ()
    clean_up_call: bool = False
    loss_kinds: str | None = None  # SH=10%,FRAUD=5%,BK=2%: the split of the realized losses by kind

    def label(self) -> str:
        kinds = f" losses {self.loss_kinds}" if self.loss_kinds else ""
        return f"{self.prepay} {self.default} sev {self.severity:g}% lag {self.lag}{kinds}"


def run_scenarios(deal: Deal, a: Assumptions, prepays: Sequence[str] | None = None) -> list[ScenarioRun]:
    """Run the waterfall for ``a`` (or for each speed in ``prepays`` with ``a``'s other assumptions) in one
    collateral pass."""
    return run_deal(
        deal,
        prepay=list(prepays) if prepays is not None else [a.prepay],
        default=a.default,
        severity=a.severity,
        lag=a.lag,
        advance=a.advance,
        libor=a.libor,
        switches=dict(a.switches),
        clean_up_call=a.clean_up_call,
        loss_kinds=a.loss_kinds,
    )


# --------------------------------------------------------------------------------------- shocks (effective)
_SPEED = re.compile(r"^\s*(?P<num>\d+(\.\d*)?|\.\d+)\s*(?P<unit>[A-Za-z]+)\s*$")


def scale_speed(speed: str, factor: float) -> str | None:
    """``300PSA`` x 1.2 = ``360PSA``; ``None`` for a speed that is not one number and a unit (a vector)."""
    m = _SPEED.match(speed)
    if not m:
        return None
    return f"{float(m['num']) * factor:.10g}{m['unit'].upper()}"


def shift_libor(libor: str | None, shift_pct: float) -> str:
    """The LIBOR path moved by ``shift_pct`` percentage points, floored at zero."""
    path = parse_index_path(libor)
    d = Decimal(str(shift_pct))
    return ",".join(str(max(Decimal(0), v + d)) for v in path.values)


@dataclass(frozen=True)
class ClassPricing:
    deal_id: str
    class_name: str
    assumptions: Assumptions
    delay: int
    analysis: Analysis
    effective_duration: float | None = None
    effective_convexity: float | None = None
    shock_bp: float | None = None
    speed_shock_pct: float | None = None
    index_rate: float | None = None
    yield_spread: float | None = None
    discount_margin: float | None = None
    notional: bool = False
    horizon: date | None = None
    total_return: float | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "deal": self.deal_id,
            "class": self.class_name,
            "scenario": self.assumptions.label(),
            "libor": self.assumptions.libor,
            "delay": self.delay,
            "notional": self.notional,
            **self.analysis.as_dict(),
            "effective_duration": self.effective_duration,
            "effective_convexity": self.effective_convexity,
            "shock_bp": self.shock_bp,
            "speed_shock_pct": self.speed_shock_pct,
        }
        if self.horizon is not None:
            out.update(horizon=self.horizon.isoformat(), total_return=self.total_return)
        if self.index_rate is not None:
            out.update(
                index_rate=self.index_rate,
                yield_spread=self.yield_spread,
                discount_margin=self.discount_margin,
            )
        return out


def price_class(
    deal: Deal,
    class_name: str,
    settle_date: date,
    a: Assumptions,
    *,
    price: float | None = None,
    yield_: float | None = None,
    delay: int | None = None,
    shock_bp: float | None = 50.0,
    speed_shock_pct: float = 20.0,
    horizon: date | None = None,
    horizon_price: float | None = None,
    reinvestment_yield: float | None = None,
) -> ClassPricing:
    """Price or yield of one class in one scenario with its SF measures; with ``shock_bp``, effective duration
    and convexity from two more runs of the deal -- rates down with prepayments ``speed_shock_pct`` faster and
    LIBOR lower, rates up with them slower and LIBOR higher -- each priced at the base yield shifted by the
    shock. With ``horizon``, the SF-51 total return to it (sold at ``horizon_price``, by default the price paid;
    cash reinvested at ``reinvestment_yield``, by default the yield)."""
    class_members(deal, class_name)  # unknown class: fail before running anything
    d = class_delay(deal, class_name) if delay is None else delay
    base = run_scenarios(deal, a)[0]
    cf = class_cashflows(deal, base, class_name, d, a.libor)
    an = analyze(cf, settle_date, price=price, yield_=yield_)
    eff_d = eff_c = None
    if shock_bp is not None:
        vals = []
        for sign in (-1.0, 1.0):
            sp = scale_speed(a.prepay, 1.0 - sign * speed_shock_pct / 100.0) or a.prepay
            shocked = replace(a, prepay=sp, libor=shift_libor(a.libor, sign * shock_bp / 100.0))
            run = run_scenarios(deal, shocked)[0]
            s = settle(class_cashflows(deal, run, class_name, d), settle_date)
            vals.append(s.full_value(price_of(s, an.yield_ + sign * shock_bp / 100.0)))
        eff_d, eff_c = effective_measures(an.full_value, vals[0], vals[1], shock_bp)
    idx = spread = dm = None
    specs = class_members(deal, class_name)
    if cf.index is not None and all(
        c.coupon.kind == "floater" and (c.coupon.multiplier or 0) > 0 for c in specs
    ):
        s = settle(cf, settle_date)
        idx = float(cf.index[s.first])
        spread = yield_spread(an.yield_, idx)
        dm = discount_margin(cf, an.price, settle_date)
    tr = None
    if horizon is not None:
        tr = total_return(
            cf,
            settle_date,
            an.price,
            horizon,
            an.price if horizon_price is None else horizon_price,
            an.yield_ if reinvestment_yield is None else reinvestment_yield,
        )
    return ClassPricing(
        deal_id=deal.deal_id,
        class_name=class_name,
        assumptions=a,
        delay=d,
        analysis=an,
        effective_duration=eff_d,
        effective_convexity=eff_c,
        shock_bp=shock_bp,
        speed_shock_pct=speed_shock_pct if shock_bp is not None else None,
        index_rate=idx,
        yield_spread=spread,
        discount_margin=dm,
        notional=cf.notional,
        horizon=horizon,
        total_return=tr,
    )
