"""The interpreter's state and output arrays, and their conversion to and from :class:`DealState`.

A projection starts every scenario from the cut-off state; a monthly posting starts from the state the ledger
stored after the prior date (a :class:`DealState`, JSON in the ledger). Both become the same arrays.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

import numpy as np

from rmbs.waterfall.interp import N_GROUP_OUT
from rmbs.waterfall.percentages import HIST, PCT_UNITS
from rmbs.waterfall.plan import Plan
from rmbs.waterfall.prim import I64
from rmbs.waterfall.types import DealState, GroupState, cents


class KernelState(NamedTuple):
    """Carried from date to date, one row per scenario."""

    bal: I64  # (S, C)
    unpaid: I64  # (S, C) Class Unpaid Interest Shortfall
    podef: I64  # (S, G) Class A-PO Deferred Amount
    apa: I64  # (S, G) Adjusted Pool Amount
    apapo: I64  # (S, G) its PO portion
    cum: I64  # (S, G) cumulative Realized Losses
    share: I64  # (S, G) senior share of the Subordinate % used last date (x share_den), -1 none yet
    spplast: I64  # (S, G) last Senior Prepayment % (units x share_den), -1 none yet
    isp: I64  # (S, G) initial Senior Percentage (units)
    hdq: I64  # (S, G, HIST) 60+ delinquency history
    hsb: I64  # (S, G, HIST) subordinate balance history
    hn: I64  # (S, G)
    depl: I64  # (S, G) past the Senior Credit Support Depletion Date
    cov: I64  # (S, K) coverage remaining after prior losses
    covused: I64  # (S, K)
    period: I64  # (S,) dates distributed so far
    retired: I64  # (S,)


class KernelOut(NamedTuple):
    begin: I64  # (S, T, C) as the class reports it (notional classes: the reference's balance)
    end: I64
    prin: I64
    int: I64
    loss: I64
    wd: I64
    aci: I64
    red: I64
    pod: I64
    unpaid: I64
    grp: I64  # (S, T, G, N_GROUP_OUT)
    cov: I64  # (S, T, G, K) each Loss Amount after the date
    done: I64  # (S,) dates distributed
    error: I64  # (S,) 0, or the period whose invariant check failed


def new_out(S: int, T: int, C: int, G: int, K: int) -> KernelOut:
    def z(*shape: int) -> I64:
        return np.zeros(shape, dtype=np.int64)

    classes = [z(S, T, C) for _ in range(10)]
    return KernelOut(*classes, z(S, T, G, N_GROUP_OUT), z(S, T, G, max(K, 0)), z(S), z(S))  # type: ignore[call-arg]


def _units(d: Decimal | None, scale: int) -> int:
    return -1 if d is None else int(d * scale)


def to_arrays(plan: Plan, states: list[DealState]) -> KernelState:
    """The kernel state of ``states`` (one per scenario)."""
    kp = plan.kernel
    S, C, G, K = len(states), kp.n_classes, kp.n_groups, len(plan.coverage)
    z = np.zeros
    st = KernelState(
        z((S, C), np.int64), z((S, C), np.int64), z((S, G), np.int64), z((S, G), np.int64), z((S, G), np.int64),
        z((S, G), np.int64), np.full((S, G), -1, np.int64), np.full((S, G), -1, np.int64), z((S, G), np.int64),
        z((S, G, HIST), np.int64), z((S, G, HIST), np.int64), z((S, G), np.int64), z((S, G), np.int64),
        z((S, max(K, 1)), np.int64), z((S, max(K, 1)), np.int64), z(S, np.int64), z(S, np.int64),
    )  # fmt: skip
    unit = PCT_UNITS // 100
    for s, ds in enumerate(states):
        for c, n in enumerate(plan.names):
            st.bal[s, c] = ds.balances.get(n, 0)
            st.unpaid[s, c] = ds.unpaid_interest.get(n, 0)
        for g, gid in enumerate(plan.group_ids):
            gs = ds.groups[gid]
            po = plan.deal.groups[g].po_class
            st.podef[s, g] = ds.po_deferred.get(po, 0) if po else 0
            st.apa[s, g] = gs.adjusted_pool_amount
            st.apapo[s, g] = gs.adjusted_pool_amount_po
            st.cum[s, g] = gs.cumulative_losses
            st.share[s, g] = _units(gs.spp_share_used, kp.share_den)
            st.spplast[s, g] = _units(gs.spp_last, unit * kp.share_den)
            isp = gs.initial_senior_percentage
            st.isp[s, g] = plan.initial_senior_percentage[g] if isp is None else int(isp * unit)
            h = list(zip(gs.delinquency_history, gs.subordinate_history, strict=True))[-HIST:]
            st.hn[s, g] = len(h)
            for j, (dq, sb) in enumerate(h):
                st.hdq[s, g, j] = dq
                st.hsb[s, g, j] = sb
            st.depl[s, g] = 1 if gs.depleted else 0
        for k, name in enumerate(plan.coverage):
            st.cov[s, k] = ds.coverage.get(name, 0)
            st.covused[s, k] = ds.coverage_used.get(name, 0)
        st.period[s] = ds.period
        st.retired[s] = 1 if ds.retired else 0
    return st


def from_arrays(plan: Plan, st: KernelState, s: int) -> DealState:
    """Scenario ``s``'s state as the ledger keeps it."""
    kp = plan.kernel
    unit = PCT_UNITS // 100
    names = plan.names
    notional = {c.name for c in plan.deal.classes if c.kind == "io"}
    groups = {}
    for g, gid in enumerate(plan.group_ids):
        n = int(st.hn[s, g])
        share = int(st.share[s, g])
        last = int(st.spplast[s, g])
        groups[gid] = GroupState(
            adjusted_pool_amount=int(st.apa[s, g]),
            adjusted_pool_amount_po=int(st.apapo[s, g]),
            cumulative_losses=int(st.cum[s, g]),
            depleted=bool(st.depl[s, g]),
            spp_share_used=None if share < 0 else Decimal(share) / kp.share_den,
            spp_last=None if last < 0 else Decimal(last) / (unit * kp.share_den),
            delinquency_history=[int(v) for v in st.hdq[s, g, :n]],
            subordinate_history=[int(v) for v in st.hsb[s, g, :n]],
            initial_senior_percentage=Decimal(int(st.isp[s, g])) / unit,
        )
    return DealState(
        period=int(st.period[s]),
        balances={n: int(st.bal[s, c]) for c, n in enumerate(names) if n not in notional},
        unpaid_interest={n: int(st.unpaid[s, c]) for c, n in enumerate(names)},
        po_deferred={g.po_class: int(st.podef[s, i]) for i, g in enumerate(plan.deal.groups) if g.po_class},
        groups=groups,
        coverage={n: int(st.cov[s, k]) for k, n in enumerate(plan.coverage)},
        coverage_used={n: int(st.covused[s, k]) for k, n in enumerate(plan.coverage)},
        retired=bool(st.retired[s]),
    )


def initial_state(plan: Plan) -> DealState:
    """The cut-off state: initial balances (half a cent down, Section 1.02), the Adjusted Pool Amounts at the
    Cut-Off Date Pool Principal Balances, full coverage amounts."""
    deal = plan.deal
    balances = {c.name: cents(c.initial_balance) for c in deal.classes if c.kind != "io"}
    unit = PCT_UNITS // 100
    groups = {
        g.id: GroupState(
            adjusted_pool_amount=cents(g.cutoff_balance),
            adjusted_pool_amount_po=balances.get(g.po_class, 0) if g.po_class else 0,
            initial_senior_percentage=Decimal(plan.initial_senior_percentage[i]) / unit,
        )
        for i, g in enumerate(deal.groups)
    }
    return DealState(
        period=0,
        balances=balances,
        unpaid_interest={c.name: 0 for c in deal.classes},
        po_deferred={g.po_class: 0 for g in deal.groups if g.po_class},
        groups=groups,
        coverage={c.name: cents(c.initial) for c in deal.coverage},
        coverage_used={c.name: 0 for c in deal.coverage},
    )
