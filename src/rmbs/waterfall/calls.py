"""The optional termination (Article X, 10.01): on the first Distribution Date on which the Pool Stated Principal
Balance is below the threshold of the Cut-Off Date balance, the Depositor may buy every loan at its Stated
Principal Balance plus a month's interest. This module turns that purchase into the date's inputs -- the remaining
balance arrives as a prepayment, with interest at the group's current net rate, and the date is flagged so that
the interpreter makes the Article X final distribution -- and says where each scenario stops."""

from __future__ import annotations

import numpy as np

from rmbs.deal.schema import Deal
from rmbs.waterfall.arith import frac_of, pct_of
from rmbs.waterfall.prim import I64
from rmbs.waterfall.types import (
    F_CALL,
    F_END,
    F_END_PO,
    F_LIQ_NP,
    F_LIQ_PO,
    F_NET_INT,
    F_OTHER_NP,
    F_OTHER_PO,
    F_PREP_NP,
    F_PREP_PO,
    F_SCHED_NP,
    F_SCHED_PO,
)

_PRINCIPAL = (F_SCHED_NP, F_SCHED_PO, F_OTHER_NP, F_OTHER_PO, F_LIQ_NP, F_LIQ_PO, F_PREP_NP, F_PREP_PO)


def call_dates(deal: Deal, inp: I64, per_group: bool = False) -> I64:
    """(S,) index of the first date on which the clean-up call may be exercised, or -1 (switch
    ``cleanup_call_base``: the aggregate pool, or any loan group, below ``termination.threshold_pct``)."""
    pct = deal.termination.threshold_pct
    end = inp[:, :, :, F_END]  # (S, T, G)
    if per_group:
        limits = np.array([pct_of(int(g.cutoff_balance * 100), pct) for g in deal.groups], dtype=np.int64)
        due = (end < limits[None, None, :]).any(axis=2)
    else:
        limit = pct_of(sum(int(g.cutoff_balance * 100) for g in deal.groups), pct)
        due = end.sum(axis=2) < limit
    due_arr: I64 = np.asarray(due)
    first = np.where(due_arr.any(axis=1), due_arr.argmax(axis=1), -1)
    return np.asarray(first, dtype=np.int64)


def exercise_call(deal: Deal, inp: I64, per_group: bool = False) -> tuple[I64, I64]:
    """The inputs with the purchase on each scenario's call date, and (S,) the number of dates to distribute."""
    out = inp.copy()
    S, T, G, _ = inp.shape
    first = call_dates(deal, inp, per_group)
    t_end = np.full(S, T, dtype=np.int64)
    for s in range(S):
        t = int(first[s])
        if t < 0:
            continue
        t_end[s] = t + 1
        for g in range(G):
            x = out[s, t, g]
            remaining, remaining_po = int(x[F_END]), int(x[F_END_PO])
            begin = remaining + sum(int(x[f]) for f in _PRINCIPAL)
            extra = frac_of(remaining, int(x[F_NET_INT]), begin) if begin else 0
            x[F_PREP_NP] += remaining - remaining_po
            x[F_PREP_PO] += remaining_po
            x[F_NET_INT] += extra
            x[F_END] = 0
            x[F_END_PO] = 0
            x[F_CALL] = 1
    return out, t_end
