"""Section 5.02(a): the Interest Distribution Amounts, the senior principal with the PO component, the Class A-PO
Deferred Amount, the subordinates in pairs under 5.02(d); and the Article X final distribution (10.01) of a group
whose pool is paid off or purchased. Each function returns the cash it leaves for the residual."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from rmbs.waterfall.prim import I64, allocate_capped, pay, pay_pro_rata, split_capped, split_exact
from rmbs.waterfall.steps import senior_programme


@njit(cache=True, inline="always")
def senior_interest(p: Any, g: int, s: int, cash: int, ida: I64, intr: I64, st: Any) -> int:
    """5.02(a)(i): the senior Interest Distribution Amounts, pro rata on the amounts due when the cash is short
    (every cent placed); what is not paid is the Class Unpaid Interest Shortfall carried forward."""
    p_g_nsint = p.g_nsint
    p_g_sint = p.g_sint
    st_unpaid = st.unpaid
    n = p_g_nsint[g]
    need = 0
    for j in range(n):
        need += ida[p_g_sint[g, j]]
    if cash >= need:
        for j in range(n):
            c = p_g_sint[g, j]
            intr[c] += ida[c]
            st_unpaid[s, c] = 0
        return cash - need
    w = np.zeros(max(n, 1), dtype=np.int64)
    out = np.zeros(max(n, 1), dtype=np.int64)
    for j in range(n):
        w[j] = ida[p_g_sint[g, j]]
    split_exact(cash, w, n, out)
    for j in range(n):
        c = p_g_sint[g, j]
        intr[c] += out[j]
        st_unpaid[s, c] = ida[c] - out[j]
        cash -= out[j]
    return cash


@njit(cache=True, inline="always")
def subordinate_interest(p: Any, s: int, c: int, cash: int, ida: I64, intr: I64, st: Any) -> int:
    p_is_int = p.is_int
    st_unpaid = st.unpaid
    if p_is_int[c] == 0:
        return cash
    want = ida[c]
    paid = want if cash >= want else max(cash, 0)
    intr[c] += paid
    st_unpaid[s, c] = want - paid
    return cash - paid


@njit(cache=True, inline="always")
def principal_priority(
    p: Any, g: int, s: int, cash: int, spda: int, subpda: int, popa: int, prio_amt: int, restricted_from: int,
    depleted: bool, ida: I64, intr: I64, prin: I64, pod: I64, b0: I64, bal: I64, st: Any,
) -> int:  # fmt: skip
    """5.02(a)(ii)-(iv) and 5.02(d) on an ordinary date; returns the cash left for the residual."""
    p_g_nspc = p.g_nspc
    p_g_nsubs = p.g_nsubs
    p_g_po = p.g_po
    p_g_prio = p.g_prio
    p_g_spc = p.g_spc
    p_g_subs = p.g_subs
    p_r_depl_seniors = p.r_depl_seniors
    p_r_prs_after = p.r_prs_after
    p_r_restricted_seq = p.r_restricted_seq
    p_r_spda_subs = p.r_spda_subs
    st_podef = st.podef
    po = p_g_po[g]
    nsub = p_g_nsubs[g]
    # (ii) senior principal and the PO principal, concurrently (pro rata on the amounts due when short)
    want_b = min(popa, bal[po]) if po >= 0 else 0
    pay_a = spda
    pay_b = want_b
    if cash < spda + want_b:
        w2 = np.zeros(2, dtype=np.int64)
        o2 = np.zeros(2, dtype=np.int64)
        w2[0] = spda
        w2[1] = want_b
        split_capped(cash, w2, 2, o2)
        pay_a = o2[0]
        pay_b = o2[1]
    cash -= pay_a + pay_b
    if pay_b > 0:
        pay(po, pay_b, bal, prin)
    if depleted:
        used = pay_pro_rata(p_g_spc[g], p_g_nspc[g], pay_a, bal, prin)
    else:
        used = senior_programme(p, g, pay_a, bal, prin, prio_amt)
    cash += pay_a - used
    # senior principal no senior (nor the PO component) can take joins the Subordinate Principal Distribution
    # Amount under the ``spda_excess: subordinates`` reading (as the PSA pays it with a 0% senior share)
    if p_r_spda_subs:
        subpda += min(cash, pay_a - used + popa - want_b)
    # (iii)/(iv) each non-restricted subordinate's Pro Rata Share (L1344-1352: SubPDA x its balance / theirs, no cap
    # in the definition), less what it pays of the Class A-PO Deferred Amount -- taken from the most junior class's
    # amount first, at most what that class would be paid -- "until the Class Certificate Balance thereof has been
    # reduced to zero" (5.02(a)(iv)(B), 2002-3 L3706-3711); the part of a share beyond its class's balance is shared
    # again among the classes with room (pro rata, every cent placed)
    shares = np.zeros(max(nsub, 1), dtype=np.int64)
    w = np.zeros(max(restricted_from, 1), dtype=np.int64)
    for j in range(restricted_from):
        w[j] = bal[p_g_subs[g, j]] if p_r_prs_after else b0[p_g_subs[g, j]]
    if restricted_from > 0:
        split_exact(subpda, w, restricted_from, shares)
    deferred = 0
    if po >= 0 and not depleted and st_podef[s, g] > 0:
        want = min(st_podef[s, g], subpda, cash)
        left = want
        for j in range(nsub - 1, -1, -1):
            take = min(shares[j], bal[p_g_subs[g, j]], left)
            shares[j] -= take
            left -= take
        deferred = want - left
        st_podef[s, g] -= deferred
        pod[po] += deferred
        cash -= deferred
    if restricted_from > 0:
        room = np.zeros(restricted_from, dtype=np.int64)
        spare = 0
        for j in range(restricted_from):
            c = p_g_subs[g, j]
            net = min(shares[j], bal[c])
            spare += shares[j] - net
            shares[j] = net
            room[j] = bal[c] - net
        if spare > 0:
            extra = np.zeros(restricted_from, dtype=np.int64)
            allocate_capped(spare, w, room, restricted_from, extra)
            for j in range(restricted_from):
                shares[j] += extra[j]
    sub_prin = deferred
    for j in range(nsub):
        c = p_g_subs[g, j]
        cash = subordinate_interest(p, s, c, cash, ida, intr, st)
        paid = min(shares[j], bal[c], cash)
        if paid > 0:
            bal[c] -= paid
            prin[c] += paid
            cash -= paid
            sub_prin += paid
    # 5.02(d) last sentence: once the non-restricted subordinates are retired, the funds remaining go sequentially
    # to the Restricted Classes (2002-3 L3916-3922; 2000-2 L3737-3738)
    if restricted_from < nsub and p_r_restricted_seq:
        retired = True
        for j in range(restricted_from):
            if bal[p_g_subs[g, j]] != 0:
                retired = False
        if retired:
            for j in range(restricted_from, nsub):
                paid = pay(p_g_subs[g, j], cash, bal, prin)
                cash -= paid
                sub_prin += paid
    # the subordinates reduced to zero: the Subordinate Principal Distribution Amount none of them can take goes to
    # the seniors (``depletion_subpda: seniors``; 2002-3 L3885-3891, 2000-2 L3708)
    if p_r_depl_seniors and nsub > 0 and subpda > sub_prin and cash > 0:
        all_zero = True
        for j in range(nsub):
            if bal[p_g_subs[g, j]] != 0:
                all_zero = False
        if all_zero:
            amount = min(subpda - sub_prin, cash)
            if depleted:
                cash -= pay_pro_rata(p_g_spc[g], p_g_nspc[g], amount, bal, prin)
            else:  # the ``next_dd`` reading: the depletion rules start next date, so the 5.02(b) programme pays it
                pc = p_g_prio[g]
                left_prio = max(prio_amt - (prin[pc] if pc >= 0 else 0), 0)
                cash -= senior_programme(p, g, amount, bal, prin, left_prio)
    return cash


@njit(cache=True, inline="always")
def final_distribution(
    p: Any, g: int, s: int, cash: int, ida: I64, intr: I64, prin: I64, pod: I64, bal: I64, st: Any
) -> int:
    """Article X (10.01, 2002-3 L5408-5410, L5449-5463): on the final Distribution Date of the group -- its pool
    paid off or purchased -- each class receives its balance and interest in the 5.02 order before the residual:
    the seniors' balances (the PO component included) in full or pro rata, the Class A-PO Deferred Amount, then
    each subordinate's interest and balance in turn. (Senior interest has been paid by the caller.)"""
    p_g_nspc = p.g_nspc
    p_g_nsubs = p.g_nsubs
    p_g_po = p.g_po
    p_g_spc = p.g_spc
    p_g_subs = p.g_subs
    st_podef = st.podef
    po = p_g_po[g]
    n = p_g_nspc[g]
    cls = np.zeros(n + 1, dtype=np.int64)
    for j in range(n):
        cls[j] = p_g_spc[g, j]
    m = n
    if po >= 0:
        cls[m] = po
        m += 1
    cash -= pay_pro_rata(cls, m, cash, bal, prin)
    if po >= 0 and st_podef[s, g] > 0:
        d = min(st_podef[s, g], cash)
        st_podef[s, g] -= d
        pod[po] += d
        cash -= d
    for j in range(p_g_nsubs[g]):
        c = p_g_subs[g, j]
        cash = subordinate_interest(p, s, c, cash, ida, intr, st)
        cash -= pay(c, cash, bal, prin)
    return cash
