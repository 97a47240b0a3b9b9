"""The senior principal programme of 5.02(b): the closed set of step kinds, compiled.

A group's senior principal is a list of steps (``plan.g_steps``); each step is ``sequential``, ``pro_rata``,
``capped`` (a simple step limited to the Priority Amount) or ``concurrent`` (fixed-percentage legs paid together
until named classes retire, a leg paying one class or a simple step). Nesting deeper than that is refused when the
plan is built, so no step here needs recursion.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from rmbs.waterfall.prim import I64, allocate_capped, ceil_div, muldiv, pay, pay_pro_rata, split_capped

SEQ, PRO, CAP, CONC = 0, 1, 2, 3


@njit(cache=True)
def capacity(cls: I64, ncls: int, bal: I64) -> int:
    s = 0
    for j in range(ncls):
        s += bal[cls[j]]
    return s


@njit(cache=True)
def pay_simple(kind: int, cls: I64, ncls: int, amount: int, bal: I64, prin: I64) -> int:
    """A sequential step (each class to zero in order) or a pro rata one (on balances, every cent placed)."""
    if kind == SEQ:
        paid = 0
        for j in range(ncls):
            paid += pay(cls[j], amount - paid, bal, prin)
        return paid
    return pay_pro_rata(cls, ncls, amount, bal, prin)


@njit(cache=True, inline="always")
def pay_step(p: Any, k: int, amount: int, bal: I64, prin: I64, priority_amount: int) -> int:
    """Step ``k`` of the programme with ``amount`` available; returns what it paid."""
    p_st_cls = p.st_cls
    p_st_inner = p.st_inner
    p_st_kind = p.st_kind
    p_st_ncls = p.st_ncls
    kind = p_st_kind[k]
    if kind <= PRO:
        return pay_simple(kind, p_st_cls[k], p_st_ncls[k], amount, bal, prin)
    if kind == CAP:
        ik = p_st_inner[k]
        return pay_simple(p_st_kind[ik], p_st_cls[ik], p_st_ncls[ik], min(amount, priority_amount), bal, prin)
    return concurrent(p, k, amount, bal, prin)


@njit(cache=True, inline="always")
def senior_programme(p: Any, g: int, amount: int, bal: I64, prin: I64, priority_amount: int) -> int:
    """5.02(b) for group ``g`` before the Senior Credit Support Depletion Date: the steps in order."""
    p_g_nsteps = p.g_nsteps
    p_g_steps = p.g_steps
    used = 0
    for si in range(p_g_nsteps[g]):
        if amount - used <= 0:
            break
        used += pay_step(p, p_g_steps[g, si], amount - used, bal, prin, priority_amount)
    return used


@njit(cache=True, inline="always")
def concurrent(p: Any, k: int, amount: int, bal: I64, prin: I64) -> int:
    """Legs at fixed percentages until the ``until`` classes retire (2000-2 spec §8.2).

    X* = max over the until-set of ceil(capacity x 100 / leg pct) is the step flow that retires them; the step takes
    X = min(available, X*) and pays each leg pct x X (half down), capped at what the leg can absorb. A retired leg's
    share falls through to the next step, or (reading ``redistribute``) is shared among the live legs of the step in
    proportion to their percentages.
    """
    p_leg_kind = p.leg_kind
    p_leg_pct = p.leg_pct
    p_leg_tgt = p.leg_tgt
    p_leg_until = p.leg_until
    p_st_cls = p.st_cls
    p_st_kind = p.st_kind
    p_st_mode = p.st_mode
    p_st_ncls = p.st_ncls
    p_st_nleg = p.st_nleg
    p_st_nui = p.st_nui
    p_st_nuntil = p.st_nuntil
    p_st_pct_den = p.st_pct_den
    p_st_until = p.st_until
    p_ui_leg = p.ui_leg
    p_ui_pct = p.ui_pct
    any_live = False
    for j in range(p_st_nuntil[k]):
        if bal[p_st_until[k, j]] != 0:
            any_live = True
    if not any_live:
        return 0
    nleg = p_st_nleg[k]
    caps = np.zeros(nleg, dtype=np.int64)
    for i in range(nleg):
        if p_leg_kind[k, i] == 0:
            caps[i] = bal[p_leg_tgt[k, i]]
        else:
            ik = p_leg_tgt[k, i]
            caps[i] = capacity(p_st_cls[ik], p_st_ncls[ik], bal)
    pden = p_st_pct_den[k]
    need = 0
    for u in range(p_st_nui[k]):
        v = ceil_div(caps[p_ui_leg[k, u]], 100 * pden, p_ui_pct[k, u])
        if v > need:
            need = v
    xx = min(amount, need)
    want = np.zeros(nleg, dtype=np.int64)
    s = 0
    for i in range(nleg):
        want[i] = muldiv(xx, p_leg_pct[k, i], 100 * pden)
        s += want[i]
    if s > amount:
        want[nleg - 1] -= s - amount
    if p_st_mode[k] == 1:
        give = np.zeros(nleg, dtype=np.int64)
        spare = 0
        for i in range(nleg):
            give[i] = min(want[i], caps[i])
            spare += want[i] - give[i]
        w = np.zeros(nleg, dtype=np.int64)
        o = np.zeros(nleg, dtype=np.int64)
        idx = np.zeros(nleg, dtype=np.int64)
        while spare > 0:
            any_room = False
            for i in range(nleg):
                if p_leg_until[k, i] == 1 and give[i] < caps[i]:
                    any_room = True
            if not any_room:
                break
            n = 0
            for i in range(nleg):
                if caps[i] > give[i]:
                    idx[n] = i
                    w[n] = p_leg_pct[k, i]
                    n += 1
            split_capped(spare, w, n, o)
            moved = 0
            for j in range(n):
                i = idx[j]
                add = min(o[j], caps[i] - give[i])
                give[i] += add
                moved += add
            if moved == 0:
                break
            spare -= moved
        for i in range(nleg):
            want[i] = give[i]
    paid = 0
    for i in range(nleg):
        if want[i] <= 0:
            continue
        if p_leg_kind[k, i] == 0:
            paid += pay(p_leg_tgt[k, i], want[i], bal, prin)
        else:
            ik = p_leg_tgt[k, i]
            paid += pay_simple(p_st_kind[ik], p_st_cls[ik], p_st_ncls[ik], want[i], bal, prin)
    return paid


@njit(cache=True, inline="always")
def senior_hit(
    p: Any, g: int, amount: int, b0: I64, bal: I64, dest: I64, depleted: bool, with_po: bool
) -> None:
    """Non-PO losses or write-downs beyond the subordinates: the outstanding seniors (and the PO component under
    the ``include_po`` reading) pro rata on their prior balances, each capped at its balance, every cent placed;
    after depletion a support class takes its supported class's share up to its own balance (2002-3 Class 1-A-9
    Loss Amount L504-517, 5.03(e) L3996-4002). Adds to ``dest`` and reduces ``bal``."""
    p_g_nspc = p.g_nspc
    p_g_nsup = p.g_nsup
    p_g_po = p.g_po
    p_g_spc = p.g_spc
    p_sup_from = p.sup_from
    p_sup_to = p.sup_to
    n = p_g_nspc[g]
    idx = np.zeros(n + 1, dtype=np.int64)
    w = np.zeros(n + 1, dtype=np.int64)
    caps = np.zeros(n + 1, dtype=np.int64)
    alloc = np.zeros(n + 1, dtype=np.int64)
    m = 0
    for j in range(n):
        c = p_g_spc[g, j]
        if bal[c] > 0:
            idx[m] = c
            w[m] = b0[c]
            caps[m] = bal[c]
            m += 1
    po = p_g_po[g]
    if with_po and po >= 0 and bal[po] > 0:
        idx[m] = po
        w[m] = b0[po]
        caps[m] = bal[po]
        m += 1
    if m == 0:
        return
    allocate_capped(amount, w, caps, m, alloc)
    full = np.zeros(bal.shape[0], dtype=np.int64)
    for j in range(m):
        full[idx[j]] = alloc[j]
    if depleted:
        for j in range(p_g_nsup[g]):
            a = p_sup_from[g, j]
            b = p_sup_to[g, j]
            moved = min(full[a], max(bal[b] - full[b], 0))
            if moved > 0:
                full[a] -= moved
                full[b] += moved
    for c in range(bal.shape[0]):
        if full[c] != 0:
            bal[c] -= full[c]
            dest[c] += full[c]
