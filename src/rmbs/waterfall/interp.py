"""The one interpreter of the PSA's Article V: Sections 5.01-5.03 and the Article X final distribution, compiled.

:func:`run` distributes ``T`` dates of ``S`` scenarios (in parallel over scenarios) from the state in ``st`` -- the
cut-off state for a projection, the ledger's stored state for a monthly posting -- following a plan compiled from
the deal file and its readings (:mod:`rmbs.waterfall.plan`). Per date and loan group, in the specs' processing order
(2002-3 spec §5.2, 2000-2 spec §14):

1. percentages from the balances immediately prior to the date: Senior %, Senior Prepayment % with the step-down
   tests, Fractional Interests and Restricted Classes (5.02(d)), Priority %;
2. principal amounts: Non-PO / PO Principal Amounts, SPDA, SubPDA, Priority Amount;
3. 5.03(a) principal losses before the distributions (5.03(d)), with special-loss coverage and Excess Losses;
4. interest: Accrued Certificate Interest, 5.02(c) reductions, Interest Distribution Amounts;
5. the 5.02(a) priority -- senior interest, senior principal (the 5.02(b) programme, pro rata after depletion)
   with the PO principal, the Class A-PO Deferred Amount, subordinate interest and principal in pairs under
   5.02(d), the Restricted Classes after the others retire, the residual -- or, when the group's pool is paid off
   or purchased, the Article X final distribution (10.01);
6. 5.03(b) write-downs to the Adjusted Pool Amount;

and every date checks that the Pool Distribution Amount is distributed to the cent and balances roll forward.
Everything is integer cents; products use 128-bit intermediates (:mod:`rmbs.waterfall.prim`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from rmbs.waterfall.prim import (
    I64,
    allocate_capped,
    ceil_div,
    lt128,
    muldiv,
    pay,
    pay_pro_rata,
    split_capped,
    split_exact,
)
from rmbs.waterfall.steps import senior_hit, senior_programme
from rmbs.waterfall.types import (
    F_BK,
    F_CALL,
    F_DQ60,
    F_END,
    F_FRAUD,
    F_LARGEST,
    F_LIQ_NP,
    F_LIQ_PO,
    F_NET_INT,
    F_NSIS,
    F_OTHER_NP,
    F_OTHER_PO,
    F_PREP_NP,
    F_PREP_PO,
    F_PSHORT,
    F_RELIEF,
    F_RL_INT,
    F_RL_NP,
    F_RL_PO,
    F_SCHED_NP,
    F_SCHED_PO,
    F_SH,
    F_TRUSTEE,
    F_ZIP,
)

HIST = (
    8  # delinquency / subordinate-balance history kept per group (the step-down tests read the last 6 or 7)
)
WINDOW = 6
PCT_UNITS = 100_000_000  # percentages carried to 6 decimals: 100% = 10^8 units

# the per-(scenario, date, group) outputs, in this order on the last axis of ``o.grp``
GROUP_OUT = (
    "pool_distribution_amount",
    "senior_percentage",  # units of 10^-6 percent
    "senior_prepayment_percentage",  # units of 10^-6 percent x share_den
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_from",  # index of the first Restricted Class among the subordinates (= count when none)
    "priority_percentage",  # units of 10^-6 percent, -1 without a Priority Amount
    "priority_amount",
    "senior_principal_distribution_amount",
    "subordinate_principal_distribution_amount",
    "po_principal_amount",
    "po_deferred_amount",
    "depleted",
    "residual_paid",
    "residual_interest",
    "residual_principal",
    "adjusted_pool_amount",
    "adjusted_pool_amount_po",
    "cumulative_realized_losses",
    "final_distribution",
    "excess_loss",
    "non_po_class_total",
)
(
    O_PDA, O_SP, O_SPP, O_DQ, O_LOSS, O_RESTR, O_PPCT, O_PAMT, O_SPDA, O_SUBPDA, O_POPA, O_PODEF, O_DEPL, O_RES,
    O_RES_INT, O_RES_PRIN, O_APA, O_APAPO, O_CUM, O_FINAL, O_EXCESS, O_NPCT,
) = range(len(GROUP_OUT))  # fmt: skip
N_GROUP_OUT = len(GROUP_OUT)


@njit(cache=True)
def run(inp: I64, t_end: I64, p: Any, rate_num: I64, rate_den: I64, st: Any, o: Any) -> None:
    """Distribute ``inp`` (scenario, date, group, field) from the state ``st`` (updated in place) into ``o``.
    Scenario ``s`` distributes at most ``t_end[s]`` dates and stops once every class is retired."""
    for s in range(inp.shape[0]):
        _scenario(s, inp, t_end[s], p, rate_num, rate_den, st, o)


@njit(cache=True, inline="always")
def _scenario(s: int, inp: I64, t_end: int, p: Any, rate_num: I64, rate_den: I64, st: Any, o: Any) -> None:
    p_n_classes = p.n_classes
    p_n_groups = p.n_groups
    p_ref = p.ref
    st_bal = st.bal
    st_period = st.period
    st_retired = st.retired
    st_unpaid = st.unpaid
    o_aci = o.aci
    o_begin = o.begin
    o_done = o.done
    o_end = o.end
    o_error = o.error
    o_int = o.int
    o_loss = o.loss
    o_pod = o.pod
    o_prin = o.prin
    o_red = o.red
    o_unpaid = o.unpaid
    o_wd = o.wd
    C = p_n_classes
    bal = st_bal[s]
    b0 = np.zeros(C, dtype=np.int64)
    prin = np.zeros(C, dtype=np.int64)
    intr = np.zeros(C, dtype=np.int64)
    loss = np.zeros(C, dtype=np.int64)
    wd = np.zeros(C, dtype=np.int64)
    aci = np.zeros(C, dtype=np.int64)
    red = np.zeros(C, dtype=np.int64)
    pod = np.zeros(C, dtype=np.int64)
    ida = np.zeros(C, dtype=np.int64)
    for t in range(min(t_end, inp.shape[1])):
        if st_retired[s] != 0:
            break
        tt = st_period[s]  # index of this date in the plan's date tables (0 = the first Distribution Date)
        for c in range(C):
            b0[c] = bal[c]
            prin[c] = 0
            intr[c] = 0
            loss[c] = 0
            wd[c] = 0
            aci[c] = 0
            red[c] = 0
            pod[c] = 0
            ida[c] = 0
        for g in range(p_n_groups):
            if not _group(s, t, tt, g, inp[s, t, g], p, rate_num, rate_den, st, o,
                          b0, bal, prin, intr, loss, wd, aci, red, pod, ida):  # fmt: skip
                o_error[s] = tt + 1
                return
        zero = True
        for c in range(C):
            if bal[c] < 0 or bal[c] != b0[c] - prin[c] - loss[c] - wd[c]:
                o_error[s] = tt + 1
                return
            if bal[c] != 0:
                zero = False
        for c in range(C):
            r = p_ref[c]
            o_begin[s, t, c] = b0[r]
            o_end[s, t, c] = bal[r]
            o_prin[s, t, c] = prin[c]
            o_int[s, t, c] = intr[c]
            o_loss[s, t, c] = loss[c]
            o_wd[s, t, c] = wd[c]
            o_aci[s, t, c] = aci[c]
            o_red[s, t, c] = red[c]
            o_pod[s, t, c] = pod[c]
            o_unpaid[s, t, c] = st_unpaid[s, c]
        st_period[s] = tt + 1
        o_done[s] = t + 1
        if zero:
            st_retired[s] = 1


@njit(cache=True, inline="always")
def _senior_percentage(p: Any, g: int, b: I64) -> int:
    p_g_nspden = p.g_nspden
    p_g_nspnum = p.g_nspnum
    p_g_spden = p.g_spden
    p_g_spnum = p.g_spnum
    num = 0
    for j in range(p_g_nspnum[g]):
        num += b[p_g_spnum[g, j]]
    den = 0
    for j in range(p_g_nspden[g]):
        den += b[p_g_spden[g, j]]
    if den == 0:
        return PCT_UNITS
    return min(PCT_UNITS, _pct(p, num, den))


@njit(cache=True, inline="always")
def _pct(p: Any, num: int, den: int) -> int:
    """num / den as a percentage "carried to six places, rounded up" -- six decimals of the percentage, or of the
    fraction under the ``fraction_6dp`` reading -- in units of 10^-6 percent."""
    p_r_fraction_pct = p.r_fraction_pct
    if den <= 0 or num <= 0:
        return 0
    if p_r_fraction_pct:
        return ceil_div(num, 1_000_000, den) * 100
    return ceil_div(num, PCT_UNITS, den)


@njit(cache=True, inline="always")
def _stepdown(p: Any, s: int, g: int, tt: int, x: I64, b0: I64, sp: int, st: Any) -> tuple[int, bool, bool]:
    """Senior Prepayment Percentage (units x share_den) with the Senior Step Down Conditions (2002-3 L1493-1546,
    2000-2 L1325-1381): the six-month average 60+ delinquency against the subordinate balance, and cumulative
    Realized Losses "as of the applicable Distribution Date" (this date's own losses included under the default
    reading) against the limit of the date's tier."""
    p_dq_lim_den = p.dq_lim_den
    p_dq_lim_num = p.dq_lim_num
    p_g_nsubs = p.g_nsubs
    p_g_subs = p.g_subs
    p_loss_lim_den = p.loss_lim_den
    p_loss_lim_num = p.loss_lim_num
    p_r_blocked = p.r_blocked
    p_r_both = p.r_both
    p_r_dq_excl = p.r_dq_excl
    p_r_loss_current = p.r_loss_current
    p_share_den = p.share_den
    p_share_num = p.share_num
    st_cum = st.cum
    st_hdq = st.hdq
    st_hn = st.hn
    st_hsb = st.hsb
    st_isp = st.isp
    st_share = st.share
    st_spplast = st.spplast
    den = p_share_den
    sub_bal = 0
    for j in range(p_g_nsubs[g]):
        sub_bal += b0[p_g_subs[g, j]]
    k = st_hn[s, g]
    if k < HIST:
        st_hdq[s, g, k] = x[F_DQ60]
        st_hsb[s, g, k] = sub_bal
        st_hn[s, g] = k + 1
    else:
        for j in range(HIST - 1):
            st_hdq[s, g, j] = st_hdq[s, g, j + 1]
            st_hsb[s, g, j] = st_hsb[s, g, j + 1]
        st_hdq[s, g, HIST - 1] = x[F_DQ60]
        st_hsb[s, g, HIST - 1] = sub_bal
    m = st_hn[s, g]
    if p_r_dq_excl:
        hi = m - 1
        lo = hi - WINDOW if hi > WINDOW else 0
    else:
        hi = m
        lo = m - WINDOW if m > WINDOW else 0
    sum_dq = 0
    sum_sb = 0
    for j in range(lo, hi):
        sum_dq += st_hdq[s, g, j]
        sum_sb += st_hsb[s, g, j]
    n_dq = hi - lo
    n_sb = hi - lo
    if n_dq == 0:  # the first date under the "six before it" reading: nothing delinquent, this date's balance
        n_dq = 1
        n_sb = 1
        sum_sb = sub_bal
    # average delinquency x 100 < limit x average subordinate balance, cross-multiplied exactly
    dq_pass = sum_sb > 0 and lt128(sum_dq * 100 * n_sb, p_dq_lim_den, p_dq_lim_num[g], sum_sb * n_dq)
    if sum_sb == 0 and sum_dq == 0:
        dq_pass = True
    cum = st_cum[s, g]
    if p_r_loss_current:
        cum += x[F_RL_NP] + x[F_RL_PO] + x[F_RL_INT]
    loss_pass = not lt128(p_loss_lim_num[tt, g], 1, cum, p_loss_lim_den)
    ok = (dq_pass and loss_pass) if p_r_both else (dq_pass or loss_pass)
    share = p_share_num[tt, g]
    prior = st_share[s, g] if st_share[s, g] >= 0 else den
    if share < den and sp > st_isp[s, g]:
        share = den
    elif share < den and not ok:
        if p_r_blocked == 2:
            share = den
        elif p_r_blocked == 1 and st_spplast[s, g] >= 0:
            st_share[s, g] = max(share, prior)
            return st_spplast[s, g], dq_pass, loss_pass
        else:
            share = max(share, prior)
    st_share[s, g] = share
    spp = sp * den + share * (PCT_UNITS - sp)
    if spp > PCT_UNITS * den:
        spp = PCT_UNITS * den
    st_spplast[s, g] = spp
    return spp, dq_pass, loss_pass


@njit(cache=True, inline="always")
def _restricted_from(p: Any, g: int, b0: I64) -> int:
    """5.02(d): the first subordinate index that is restricted (the classes junior to the most senior class whose
    Fractional Interest is below its Original Fractional Interest); the count of subordinates when none is."""
    p_g_fiden = p.g_fiden
    p_g_nfiden = p.g_nfiden
    p_g_nsubs = p.g_nsubs
    p_g_ofi = p.g_ofi
    p_g_subs = p.g_subs
    p_ofi_den = p.ofi_den
    nsub = p_g_nsubs[g]
    fden = 0
    for j in range(p_g_nfiden[g]):
        fden += b0[p_g_fiden[g, j]]
    if fden <= 0:
        return nsub
    for i in range(nsub):
        ofi = p_g_ofi[g, i]
        if ofi == 0:
            continue
        junior = 0
        for j in range(i + 1, nsub):
            junior += b0[p_g_subs[g, j]]
        if lt128(junior * 100, p_ofi_den, ofi, fden):
            return i + 1
    return nsub


@njit(cache=True, inline="always")
def _junior_first(p: Any, g: int, amount: int, bal: I64, loss: I64) -> int:
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
def _coverage(p: Any, s: int, tt: int, x: I64, st: Any, remaining: I64) -> tuple[int, int]:
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
            st_cov[s, k] -= covered
            st_covused[s, k] += covered
            excess += amount - covered
        remaining[k] = st_cov[s, k] if limit < 0 else min(st_cov[s, k], limit)
    if excess <= 0 or total <= 0:
        return 0, 0
    excess = min(excess, total)
    ex_po = muldiv(excess, x[F_RL_PO], total)
    return excess - ex_po, ex_po


@njit(cache=True, inline="always")
def _pay_interest(p: Any, g: int, s: int, cash: int, ida: I64, intr: I64, st: Any) -> int:
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
def _sub_interest(p: Any, s: int, c: int, cash: int, ida: I64, intr: I64, st: Any) -> int:
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
def _group(
    s: int, t: int, tt: int, g: int, x: I64, p: Any, rate_num: I64, rate_den: I64, st: Any, o: Any,
    b0: I64, bal: I64, prin: I64, intr: I64, loss: I64, wd: I64, aci: I64, red: I64, pod: I64, ida: I64,
) -> bool:  # fmt: skip
    p_g_int = p.g_int
    p_g_members = p.g_members
    p_g_nint = p.g_nint
    p_g_nmembers = p.g_nmembers
    p_g_nprioden = p.g_nprioden
    p_g_nsubs = p.g_nsubs
    p_g_po = p.g_po
    p_g_prio = p.g_prio
    p_g_prio_base = p.g_prio_base
    p_g_prioden = p.g_prioden
    p_g_subs = p.g_subs
    p_group_of = p.group_of
    p_n_classes = p.n_classes
    p_r_accrue_after = p.r_accrue_after
    p_r_excess_seniors_only = p.r_excess_seniors_only
    p_r_final_x = p.r_final_x
    p_r_ofi_closing = p.r_ofi_closing
    p_r_reduce_ida = p.r_reduce_ida
    p_r_same_dd = p.r_same_dd
    p_r_senior_loss_po = p.r_senior_loss_po
    p_ref = p.ref
    p_share_den = p.share_den
    p_shift_den = p.shift_den
    p_shift_num = p.shift_num
    st_apa = st.apa
    st_apapo = st.apapo
    st_cum = st.cum
    st_depl = st.depl
    st_podef = st.podef
    st_unpaid = st.unpaid
    o_cov = o.cov
    o_grp = o.grp
    po = p_g_po[g]
    nsub = p_g_nsubs[g]
    rl_np = x[F_RL_NP]
    rl_po = x[F_RL_PO]
    non_po_ad = x[F_SCHED_NP] + x[F_OTHER_NP]  # clauses (a)-(d) of the Non-PO Principal Amount
    non_po_ef = x[F_LIQ_NP] + x[F_PREP_NP]  # clauses (e)-(f)
    popa = x[F_SCHED_PO] + x[F_OTHER_PO] + x[F_LIQ_PO] + x[F_PREP_PO]
    # Article X: the group's last loan paid off (its Pool Stated Principal Balance and Adjusted Pool Amount reach
    # zero with this date's principal and losses) or purchased under the clean-up call
    apa_after = st_apa[s, g] - (non_po_ad + non_po_ef + popa - x[F_PSHORT] + rl_np + rl_po)
    final = x[F_CALL] != 0 or (p_r_final_x and x[F_END] == 0 and apa_after <= 0 and st_apa[s, g] > 0)

    # ---- 1. percentages from the balances immediately prior to the date
    sp = _senior_percentage(p, g, b0)
    spp, dq_pass, loss_pass = _stepdown(p, s, g, tt, x, b0, sp, st)
    restricted_from = nsub if p_r_ofi_closing else _restricted_from(p, g, b0)

    # ---- 2. principal amounts
    spda = muldiv(non_po_ad, sp, PCT_UNITS) + muldiv(non_po_ef, spp, PCT_UNITS * p_share_den)
    subpda = non_po_ad + non_po_ef - spda
    ppct = -1
    prio_amt = 0
    pc = p_g_prio[g]
    if pc >= 0:
        pden = 0
        for j in range(p_g_nprioden[g]):
            pden += b0[p_g_prioden[g, j]]
        ppct = _pct(p, b0[pc], pden)
        base = (non_po_ad + non_po_ef) if p_g_prio_base[g] == 0 else spda
        # Priority Amount = min(balance, base x Shift % x Priority %); shift = num / shift_den percent
        prio_amt = min(b0[pc], muldiv(base * p_shift_num[tt, g], ppct, p_shift_den * 10_000_000_000))

    # ---- 3. principal losses, 5.03(a), before the distributions (5.03(d))
    was_depleted = st_depl[s, g] != 0
    ex_np, ex_po = _coverage(p, s, tt, x, st, o_cov[s, t, g])
    ordinary_np = rl_np - ex_np
    ordinary_po = rl_po - ex_po
    if po >= 0:
        to_po = min(bal[po], ordinary_po + ex_po)
        loss[po] += to_po
        bal[po] -= to_po
        if not was_depleted:
            st_podef[s, g] += min(ordinary_po, to_po)
    rest = _junior_first(p, g, ordinary_np, bal, loss)
    depleted_now = nsub > 0
    for j in range(nsub):
        if bal[p_g_subs[g, j]] != 0:
            depleted_now = False
    depleted = was_depleted or (depleted_now and p_r_same_dd)
    senior_loss = rest
    if ex_np > 0:
        if p_r_excess_seniors_only:
            senior_loss += ex_np
        else:
            senior_loss += _junior_first(p, g, ex_np, bal, loss)
    if senior_loss > 0:
        senior_hit(p, g, senior_loss, b0, bal, loss, depleted, p_r_senior_loss_po)
    if depleted_now:
        st_depl[s, g] = 1
    if depleted and po >= 0:
        st_podef[s, g] = 0  # the Class A-PO Deferred Amount applies only before depletion
    st_cum[s, g] += rl_np + rl_po + x[F_RL_INT]  # Realized Losses: principal and interest (2002-3 L1374-1384)

    # ---- 4. interest: Accrued Certificate Interest and the 5.02(c) reductions
    nint = p_g_nint[g]
    sum_aci = 0
    for j in range(nint):
        c = p_g_int[g, j]
        basis = bal[p_ref[c]] if p_r_accrue_after else b0[p_ref[c]]
        aci[c] = muldiv(basis, rate_num[tt, c], rate_den[tt, c])
        sum_aci += aci[c]
    reduction = x[F_NSIS] + x[F_RELIEF] + (x[F_RL_INT] if depleted else 0)
    if reduction > 0 and nint > 0:
        w = np.zeros(nint, dtype=np.int64)
        cut = np.zeros(nint, dtype=np.int64)
        for j in range(nint):
            c = p_g_int[g, j]
            w[j] = aci[c] + (st_unpaid[s, c] if p_r_reduce_ida else 0)
        split_exact(min(reduction, sum_aci), w, nint, cut)
        for j in range(nint):
            c = p_g_int[g, j]
            red[c] = min(cut[j], aci[c])
    for j in range(nint):
        c = p_g_int[g, j]
        ida[c] = aci[c] - red[c] + st_unpaid[s, c]

    pda = x[F_NET_INT] - x[F_TRUSTEE] + non_po_ad + non_po_ef + popa - x[F_PSHORT]
    cash = pda
    cash = _pay_interest(p, g, s, cash, ida, intr, st)
    if final:
        cash = _final(p, g, s, cash, ida, intr, prin, pod, bal, st)
    else:
        cash = _principal(p, g, s, cash, spda, subpda, popa, prio_amt, restricted_from, depleted,
                          ida, intr, prin, pod, b0, bal, st)  # fmt: skip

    # ---- 6. write-downs to the Adjusted Pool Amount, 5.03(b)
    st_apa[s, g] -= non_po_ad + non_po_ef + popa - x[F_PSHORT] + rl_np + rl_po
    st_apapo[s, g] -= popa + rl_po
    if final:
        # what the final distribution could not pay is written off: the group has no collateral left
        st_apa[s, g] = 0
        st_apapo[s, g] = 0
        for j in range(p_g_nmembers[g]):
            c = p_g_members[g, j]
            wd[c] += bal[c]
            bal[c] = 0
        st_depl[s, g] = 1
    else:
        depleted = _writedowns(p, g, s, b0, bal, wd, depleted, st)

    # ---- the residual, conservation
    residual = cash
    out = 0
    int_paid = 0
    for c in range(p_n_classes):
        if p_group_of[c] == g:
            out += intr[c] + prin[c] + pod[c]
            int_paid += intr[c]
    if out + residual != pda or residual < 0:
        return False
    res_int = min(residual, max(0, x[F_NET_INT] - x[F_TRUSTEE] - int_paid))
    npct = 0
    for j in range(p_g_nmembers[g]):
        c = p_g_members[g, j]
        if c != po:
            npct += bal[c]
    r = o_grp[s, t, g]
    r[O_PDA] = pda
    r[O_SP] = sp
    r[O_SPP] = spp
    r[O_DQ] = 1 if dq_pass else 0
    r[O_LOSS] = 1 if loss_pass else 0
    r[O_RESTR] = restricted_from
    r[O_PPCT] = ppct
    r[O_PAMT] = prio_amt
    r[O_SPDA] = spda
    r[O_SUBPDA] = subpda
    r[O_POPA] = popa
    r[O_PODEF] = st_podef[s, g]
    r[O_DEPL] = 1 if depleted else 0
    r[O_RES] = residual
    r[O_RES_INT] = res_int
    r[O_RES_PRIN] = residual - res_int
    r[O_APA] = st_apa[s, g]
    r[O_APAPO] = st_apapo[s, g]
    r[O_CUM] = st_cum[s, g]
    r[O_FINAL] = 1 if final else 0
    r[O_EXCESS] = ex_np + ex_po
    r[O_NPCT] = npct
    return True


@njit(cache=True, inline="always")
def _principal(
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
        cash = _sub_interest(p, s, c, cash, ida, intr, st)
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
def _final(
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
        cash = _sub_interest(p, s, c, cash, ida, intr, st)
        cash -= pay(c, cash, bal, prin)
    return cash


@njit(cache=True, inline="always")
def _writedowns(p: Any, g: int, s: int, b0: I64, bal: I64, wd: I64, depleted: bool, st: Any) -> bool:
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
