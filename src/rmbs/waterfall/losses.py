"""Section 5.03: Realized Losses allocated before the distributions -- the subordinates in reverse order, the 2000-2
special-loss coverage amounts and Excess Losses -- and the 5.03(b) write-downs to the Adjusted Pool Amount after
them."""

from __future__ import annotations

from typing import Any

from numba import njit

from rmbs.waterfall.prim import I64, muldiv
from rmbs.waterfall.steps import senior_hit
from rmbs.waterfall.types import (
    F_BK,
    F_END,
    F_FRAUD,
    F_LARGEST,
    F_LIQ_NP,
    F_LIQ_PO,
    F_OTHER_NP,
    F_OTHER_PO,
    F_PREP_NP,
    F_PREP_PO,
    F_RL_NP,
    F_RL_PO,
    F_SCHED_NP,
    F_SCHED_PO,
    F_SH,
    F_ZIP,
)


@njit(cache=True, inline="always")
def to_subordinates(p: Any, g: int, amount: int, bal: I64, loss: I64) -> int:
    """5.03(a): a principal loss to the subordinates in reverse order of seniority, each up to its balance; returns
    what they could not absorb."""
    p_g_nsubs = p.g_nsubs
    p_g_subs = p.g_subs
    for j in range(p_g_nsubs[g] - 1, -1, -1):
        c = p_g_subs[g, j]
        take = min(bal[c], amount)
        loss[c] += take
        bal[c] -= take
        amount -= take
    return amount


@njit(cache=True, inline="always")
def special_loss_coverage(p: Any, s: int, tt: int, x: I64, st: Any, remaining: I64) -> tuple[int, int]:
    """Special-loss coverage (2000-2 Bankruptcy, Fraud and Special Hazard Loss Amounts): each special loss is
    covered up to what remains of its amount after prior dates' losses (AMBIG-7), capped on the date by its "(a)"
    limit where the PSA sets one -- a percent of the pool, for Special Hazard the greatest of that, a multiple of
    the largest loan and the largest California ZIP concentration (L1483-1498). What is not covered is an Excess
    Loss, split Non-PO / PO in the proportion of the date's losses. Returns (excess Non-PO, excess PO) and writes
    each Loss Amount after the date into ``remaining``."""
    p_cov_field = p.cov_field
    p_cov_ll_den = p.cov_ll_den
    p_cov_ll_num = p.cov_ll_num
    p_cov_pct_den = p.cov_pct_den
    p_cov_pct_num = p.cov_pct_num
    p_cov_zip = p.cov_zip
    p_n_cov = p.n_cov
    st_cov = st.cov
    st_covused = st.covused
    total = x[F_RL_NP] + x[F_RL_PO]
    pool = x[F_END] + x[F_RL_NP] + x[F_RL_PO]
    for f in (F_SCHED_NP, F_SCHED_PO, F_OTHER_NP, F_OTHER_PO, F_LIQ_NP, F_LIQ_PO, F_PREP_NP, F_PREP_PO):
        pool += x[f]
    excess = 0
    for k in range(p_n_cov):
        limit = -1
        if p_cov_pct_num[tt, k] >= 0:
            limit = muldiv(pool, p_cov_pct_num[tt, k], 100 * p_cov_pct_den)
            if p_cov_ll_num[k] >= 0:
                limit = max(limit, muldiv(x[F_LARGEST], p_cov_ll_num[k], p_cov_ll_den))
            if p_cov_zip[k] != 0:
                limit = max(limit, x[F_ZIP])
        f = p_cov_field[k]
        amount = x[F_SH] if f == 0 else (x[F_FRAUD] if f == 1 else x[F_BK])
        if amount > 0:
            available = st_cov[s, k] if limit < 0 else min(st_cov[s, k], limit)
            covered = min(amount, max(available, 0))
            # the Loss Amount is reduced by the losses of its kind incurred, covered or not, but not below zero
            # (2000-2 L1490-1494, L774-779): a date's "(a)" limit caps what is covered, not what is used up
            st_cov[s, k] = max(st_cov[s, k] - amount, 0)
            st_covused[s, k] += covered
            excess += amount - covered
        remaining[k] = st_cov[s, k] if limit < 0 else min(st_cov[s, k], limit)
    if excess <= 0 or total <= 0:
        return 0, 0
    excess = min(excess, total)
    ex_po = muldiv(excess, x[F_RL_PO], total)
    return excess - ex_po, ex_po


@njit(cache=True, inline="always")
def write_down(p: Any, g: int, s: int, b0: I64, bal: I64, wd: I64, depleted: bool, st: Any) -> bool:
    """5.03(b): keep the certificates within the Adjusted Pool Amount and its PO portion -- the most junior
    outstanding subordinate first (cascading upward by default, AMBIG-13); once the subordinates are gone the
    seniors on their prior balances with the support classes; the PO component on every date or after depletion.
    Returns whether the group is (now) past its Senior Credit Support Depletion Date."""
    p_g_members = p.g_members
    p_g_nmembers = p.g_nmembers
    p_g_nspc = p.g_nspc
    p_g_nsubs = p.g_nsubs
    p_g_po = p.g_po
    p_g_spc = p.g_spc
    p_g_subs = p.g_subs
    p_r_cascade = p.r_cascade
    p_r_po_wd_every = p.r_po_wd_every
    p_r_same_dd = p.r_same_dd
    st_apa = st.apa
    st_apapo = st.apapo
    st_depl = st.depl
    po = p_g_po[g]
    nsub = p_g_nsubs[g]
    tot = 0
    for j in range(p_g_nmembers[g]):
        tot += bal[p_g_members[g, j]]
    over = tot - max(st_apa[s, g], 0)
    if over > 0:
        for j in range(nsub - 1, -1, -1):
            c = p_g_subs[g, j]
            if bal[c] <= 0:
                continue
            take = min(bal[c], over)
            bal[c] -= take
            wd[c] += take
            over -= take
            if over == 0 or not p_r_cascade:
                break
    all_zero = nsub > 0
    for j in range(nsub):
        if bal[p_g_subs[g, j]] != 0:
            all_zero = False
    if all_zero and p_r_same_dd:
        depleted = True
    if po >= 0 and (p_r_po_wd_every or depleted):
        over = bal[po] - max(st_apapo[s, g], 0)
        if over > 0:
            bal[po] -= over
            wd[po] += over
    if depleted:
        target = max(st_apa[s, g] - st_apapo[s, g], 0)
        tot = 0
        for j in range(p_g_nspc[g]):
            c = p_g_spc[g, j]
            if bal[c] > 0:
                tot += bal[c]
        if tot > target:
            senior_hit(p, g, tot - target, b0, bal, wd, depleted, False)
    if all_zero:
        st_depl[s, g] = 1
    return depleted
