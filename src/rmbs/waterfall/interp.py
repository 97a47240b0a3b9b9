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
This module holds that order; the rules it calls live by PSA section in :mod:`~rmbs.waterfall.percentages` (step 1),
:mod:`~rmbs.waterfall.losses` (steps 3 and 6), :mod:`~rmbs.waterfall.priority` (step 5) and
:mod:`~rmbs.waterfall.steps` (the 5.02(b) step kinds), all compiled into this one function (``inline="always"``).
Everything is integer cents; products use 128-bit intermediates (:mod:`rmbs.waterfall.prim`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from rmbs.waterfall.losses import special_loss_coverage, to_subordinates, write_down
from rmbs.waterfall.percentages import (
    PCT_UNITS,
    first_restricted,
    percentage,
    senior_percentage,
    senior_prepayment_percentage,
)
from rmbs.waterfall.prim import I64, muldiv, split_exact
from rmbs.waterfall.priority import final_distribution, principal_priority, senior_interest
from rmbs.waterfall.steps import senior_hit
from rmbs.waterfall.types import (
    F_CALL,
    F_END,
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
    F_TRUSTEE,
)

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


@njit(cache=True, nogil=True)
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
    sp = senior_percentage(p, g, b0)
    spp, dq_pass, loss_pass = senior_prepayment_percentage(p, s, g, tt, x, b0, sp, st)
    restricted_from = nsub if p_r_ofi_closing else first_restricted(p, g, b0)

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
        ppct = percentage(p, b0[pc], pden)
        base = (non_po_ad + non_po_ef) if p_g_prio_base[g] == 0 else spda
        # Priority Amount = min(balance, base x Shift % x Priority %); shift = num / shift_den percent
        prio_amt = min(b0[pc], muldiv(base * p_shift_num[tt, g], ppct, p_shift_den * 10_000_000_000))

    # ---- 3. principal losses, 5.03(a), before the distributions (5.03(d))
    was_depleted = st_depl[s, g] != 0
    ex_np, ex_po = special_loss_coverage(p, s, tt, x, st, o_cov[s, t, g])
    ordinary_np = rl_np - ex_np
    ordinary_po = rl_po - ex_po
    if po >= 0:
        to_po = min(bal[po], ordinary_po + ex_po)
        loss[po] += to_po
        bal[po] -= to_po
        if not was_depleted:
            st_podef[s, g] += min(ordinary_po, to_po)
    rest = to_subordinates(p, g, ordinary_np, bal, loss)
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
            senior_loss += to_subordinates(p, g, ex_np, bal, loss)
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
    cash = senior_interest(p, g, s, cash, ida, intr, st)
    if final:
        cash = final_distribution(p, g, s, cash, ida, intr, prin, pod, bal, st)
    else:
        cash = principal_priority(p, g, s, cash, spda, subpda, popa, prio_amt, restricted_from, depleted,
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
        depleted = write_down(p, g, s, b0, bal, wd, depleted, st)

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
