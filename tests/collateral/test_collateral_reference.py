"""An independent, plain-Python, loan-by-loan reference of the SF-16..19 model, against the numba engine.

Nothing here is imported from ``rmbs.collateral`` except the entry points under test: the reference has its own
speed conversions, its own fee strip arithmetic, its own amortization, and follows the SF's text literally
(``ADB(i) = NEW DEF(i-lag) SCH(i-1)/SCH(i-1-lag)`` with the loan's own schedule, FCL carried as dollars).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.fees import FeeStrip
from rmbs.collateral.loans import make_tape, project_loans
from rmbs.collateral.periods import PRINCIPAL_REDUCTIONS, PoolPeriods

STRIPS = {"1": 6.5, "2": 6.0, "3": 7.5}
TFR = 0.003
FLOOR = 0.25
CI_CAP = 0.25
PREPAY_DAY = 15


# ------------------------------------------------------------------------------------------------ reference
def ref_smm(kind: str, value: float, month: int) -> float:
    cpr = value if kind == "CPR" else min(value / 100.0 * 0.2 * max(1, min(month, 30)), 100.0)
    return 1.0 - (1.0 - cpr / 100.0) ** (1.0 / 12.0)


def ref_mdr(kind: str, value: float, month: int) -> float:
    if kind == "CDR":
        cdr = value
    else:  # SDA
        if month <= 30:
            base = 0.02 * month
        elif month <= 60:
            base = 0.6
        elif month <= 120:
            base = 0.6 - 0.0095 * (month - 60)
        else:
            base = 0.03
        cdr = value / 100.0 * base
    return 1.0 - (1.0 - cdr / 100.0) ** (1.0 / 12.0)


@dataclass
class Loan:
    balance: float
    rate: float
    payment: float
    original_term: int
    remaining_term: int
    group: str


@dataclass
class Assume:
    prepay_kind: str
    prepay: float
    default_kind: str
    default: float
    severity: float
    lag: int
    advancing: bool


FIELDS = (
    "beg",
    "beg_po",
    "sched",
    "sched_po",
    "prepay",
    "prepay_po",
    "recov",
    "recov_po",
    "loss",
    "loss_po",
    "end",
    "end_po",
    "gross",
    "serv",
    "trustee",
    "ppis",
    "newdef",
    "dq60",
)


def reference(
    loans: list[Loan], a: Assume, groups: list[str], n_periods: int
) -> dict[str, list[list[float]]]:
    out = {f: [[0.0] * n_periods for _ in groups] for f in FIELDS}
    for ln in loans:
        g = groups.index(ln.group)
        strip = STRIPS[ln.group]
        sfr = max(FLOOR, ln.rate - (strip + TFR))
        nmir = ln.rate - sfr - TFR
        po = 1.0 - nmir / strip if nmir < strip - 1e-12 else 0.0
        age = ln.original_term - ln.remaining_term
        r = ln.rate / 1200.0
        n = ln.remaining_term
        sch = [ln.balance]
        for k in range(1, n + 1):
            if k == n:
                sch.append(0.0)
            else:
                sch.append(max(sch[-1] + sch[-1] * r - ln.payment, 0.0))
        perf = ln.balance
        fcl = 0.0
        new_def = [0.0] * (n + 1)
        for i in range(1, n + 1):
            ratio = sch[i] / sch[i - 1] if sch[i - 1] > 0 else 0.0
            month = age + i
            smm = ref_smm(a.prepay_kind, a.prepay, month if a.prepay_kind == "PSA" else i)
            mdr = ref_mdr(a.default_kind, a.default, month) if i <= n - a.lag else 0.0
            smm = min(smm, 1.0 - mdr)
            nd = perf * mdr
            new_def[i] = nd
            s = i - a.lag
            if s >= 1:
                if a.advancing:
                    adb = new_def[s] * sch[i - 1] / sch[s - 1] if sch[s - 1] > 0 else 0.0
                else:
                    adb = new_def[s]
                loss = min(new_def[s] * a.severity / 100.0, adb)
            else:
                adb = 0.0
                loss = 0.0
            vol = perf * ratio * smm
            act_am = (perf - nd) * (1.0 - ratio)
            am_def = (nd + fcl - adb) * (1.0 - ratio) if a.advancing else 0.0
            new_fcl = nd + fcl - adb - am_def
            int_bal = perf + fcl if a.advancing else perf - nd
            beg = perf + fcl
            perf = perf - nd - act_am - vol
            fcl = new_fcl
            end = perf + fcl
            dq60 = fcl - (nd * ratio if a.advancing else nd)
            row = i - 1
            flows = {
                "beg": beg,
                "sched": act_am + am_def,
                "prepay": vol,
                "recov": adb - loss,
                "loss": loss,
                "end": end,
            }
            for key, value in flows.items():
                out[key][g][row] += value
                out[f"{key}_po"][g][row] += value * po
            out["gross"][g][row] += int_bal * r
            out["serv"][g][row] += int_bal * sfr / 1200.0
            out["trustee"][g][row] += beg * TFR / 1200.0
            out["ppis"][g][row] += vol * (ln.rate - sfr) / 1200.0 * (30 - PREPAY_DAY) / 30.0
            out["newdef"][g][row] += nd
            out["dq60"][g][row] += max(dq60, 0.0)
    return out


# ------------------------------------------------------------------------------------------------ strategies
@st.composite
def loans_strategy(draw: st.DrawFn) -> list[Loan]:
    count = draw(st.integers(1, 6))
    loans = []
    for _ in range(count):
        term = draw(st.sampled_from([120, 180, 240, 360]))
        age = draw(st.integers(0, 40))
        rate = draw(st.integers(40, 88)) / 8.0  # 5.000% .. 11.000% in eighths
        original = draw(st.integers(20_000, 900_000))
        c = rate / 1200.0
        payment = round(original * c / (1 - (1 + c) ** -term), 2)
        bal = original
        for _ in range(age):
            bal = bal + bal * c - payment
        curtail = draw(st.sampled_from([1.0, 1.0, 0.97, 1.003]))  # pre-cut-off curtailment, or a bit behind
        loans.append(
            Loan(
                balance=round(max(bal, 0.0) * curtail, 2),
                rate=rate,
                payment=payment,
                original_term=term,
                remaining_term=term - age,
                group=draw(st.sampled_from(sorted(STRIPS))),
            )
        )
    return loans


assume_strategy = st.builds(
    Assume,
    prepay_kind=st.sampled_from(["CPR", "PSA"]),
    prepay=st.floats(0, 60),
    default_kind=st.sampled_from(["CDR", "SDA"]),
    default=st.floats(0, 30),
    severity=st.floats(0, 100),
    lag=st.integers(0, 24),
    advancing=st.booleans(),
)


def _engine(loans: list[Loan], assumptions: list[Assume]) -> PoolPeriods:
    tape = make_tape(
        loan_numbers=[f"L{k}" for k in range(len(loans))],
        group=[ln.group for ln in loans],
        balance=[ln.balance for ln in loans],
        note_rate=[ln.rate for ln in loans],
        payment=[ln.payment for ln in loans],
        remaining_term=[ln.remaining_term for ln in loans],
        original_term=[ln.original_term for ln in loans],
        fee_strip=FeeStrip(TFR, STRIPS, FLOOR, CI_CAP),
    )
    scs = [
        scenario(
            f"{a.prepay!r}{a.prepay_kind}",
            f"{a.default!r}{a.default_kind}",
            a.severity,
            a.lag,
            advancing=a.advancing,
        )
        for a in assumptions
    ]
    return project_loans(tape, scs, first_distribution_date=date(2002, 4, 25), prepayment_day=PREPAY_DAY)


def _round(x: float) -> int:
    """Half a cent rounded down, as the engine's contract states."""
    cents = x * 100.0
    whole = int(cents // 1)
    return whole + (1 if cents - whole > 0.5 else 0)


# one cent, plus float noise between two different orders of summation
TOL = 1.0 + 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loans=loans_strategy(), assumptions=st.lists(assume_strategy, min_size=1, max_size=3))
def test_engine_agrees_with_plain_python_reference_to_the_cent(
    loans: list[Loan], assumptions: list[Assume]
) -> None:
    periods = _engine(loans, assumptions)
    groups = list(periods.group_ids)
    n_periods = periods.n_periods
    assert n_periods == max(ln.remaining_term for ln in loans)
    pairs = {
        "beginning_balance": "beg",
        "scheduled_principal": "sched",
        "prepayments_in_full": "prepay",
        "liquidation_proceeds": "recov",
        "realized_losses": "loss",
        "ending_balance": "end",
    }
    for s, a in enumerate(assumptions):
        ref = reference(loans, a, groups, n_periods)
        for g in range(len(groups)):
            for t in range(n_periods):
                where = (s, groups[g], t + 1, a)
                for name, key in pairs.items():
                    po_ref = ref[f"{key}_po"][g][t]
                    np_ref = ref[key][g][t] - po_ref
                    assert abs(getattr(periods, f"{name}_po")[s, g, t] - po_ref * 100) <= TOL, (
                        name,
                        "po",
                        where,
                    )
                    assert abs(getattr(periods, f"{name}_non_po")[s, g, t] - np_ref * 100) <= TOL, (
                        name,
                        where,
                    )
                gross, serv, trustee = (_round(ref[k][g][t]) for k in ("gross", "serv", "trustee"))
                ppis = _round(ref["ppis"][g][t])
                assert periods.gross_interest[s, g, t] == gross, ("gross_interest", where)
                assert periods.servicing_fee[s, g, t] == serv, ("servicing_fee", where)
                assert periods.trustee_fee[s, g, t] == trustee, ("trustee_fee", where)
                assert periods.net_interest[s, g, t] == gross - serv - trustee, ("net_interest", where)
                assert periods.prepayment_interest_shortfall[s, g, t] == ppis, ("ppis", where)
                beg_cents = periods.total("beginning_balance")[s, g, t]
                cap = _round(beg_cents / 100.0 * CI_CAP / 1200.0)
                assert periods.compensating_interest[s, g, t] == min(ppis, cap, serv), ("ci", where)
                assert periods.new_defaults[s, g, t] == _round(ref["newdef"][g][t]), ("new_defaults", where)
                assert abs(periods.delinquent_60_plus_balance[s, g, t] - ref["dq60"][g][t] * 100) <= TOL, (
                    where
                )
            # cumulative losses: the running sum of the period amounts, each within a cent of exact
            cum = periods.cumulative_realized_losses[s, g]
            exact = 0.0
            for t in range(n_periods):
                exact += ref["loss"][g][t]
                assert abs(cum[t] - exact * 100) <= 1 + t * TOL, where
    periods.check()
    # everything a loan owed at the cut-off leaves the pool as principal or loss
    for g, gid in enumerate(groups):
        cut = round(sum(ln.balance for ln in loans if ln.group == gid) * 100)
        for s in range(len(assumptions)):
            paid = sum(int(periods.total(n)[s, g].sum()) for n in PRINCIPAL_REDUCTIONS)
            assert paid == cut
