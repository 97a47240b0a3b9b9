"""The waterfall compiled with numba for scenario batches, equal to the exact engine class by class and date by date.

:class:`~rmbs.waterfall.engine.WaterfallEngine` is the reference: exact integer cents, every PSA rule, every
switch, one distribution date at a time in Python (about 60-90 ms for a 360-date scenario of 2002-3). A scenario
grid runs thousands of scenarios, so this module runs the same rules in compiled code (a few ms per scenario):
the percentages, the step-down tests, the Priority Amount, 5.03(a) losses through the subordinates and, after
depletion, to the seniors with the support classes, the interest reductions, the 5.02 priorities with the
senior principal programme (sequential, pro rata, capped and concurrent steps with their spill readings), the
A-PO Deferred Amount, the Restricted Classes, the write-downs, and the conservation and roll-forward check of
every date. Every Decimal product of the engine is an exact rational here, rounded half down the same way, with
128-bit intermediates where a product could exceed 63 bits.

What it leaves to the exact engine: the inputs a projection never has (special-hazard / fraud / bankruptcy
losses, repurchases, principal shortfalls -- remittances go through the engine), the clean-up call, and switch
readings it does not implement (:func:`compile_plan` returns ``None`` and the caller runs the engine).
``tests/test_waterfall_fast.py`` checks the two against each other over random scenarios of both seed deals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from rmbs.collateral.periods import PoolPeriods
from rmbs.deal.schema import Capped, Concurrent, ProRata, Sequential, Step
from rmbs.waterfall.engine import (
    HUNDRED,
    ClassResult,
    ConservationError,
    PeriodResult,
    WaterfallEngine,
    cents,
    distribution_date,
)
from rmbs.waterfall.link import INPUT_FIELDS, input_columns
from rmbs.waterfall.run import IndexPath

I64 = npt.NDArray[np.int64]

# GroupPeriodInput fields, in the order of the input array's last axis (rmbs.waterfall.link.INPUT_FIELDS)
F_SCHED_NP, F_SCHED_PO, F_LIQ_NP, F_LIQ_PO, F_PREP_NP, F_PREP_PO = 0, 1, 2, 3, 4, 5
F_NET_INT, F_TRUSTEE, F_NSIS, F_RELIEF, F_RL_NP, F_RL_PO, F_DQ60, F_END, F_END_PO = (
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
)
N_FIELDS = len(INPUT_FIELDS)
assert INPUT_FIELDS[F_NET_INT] == "net_interest" and INPUT_FIELDS[F_END_PO] == "ending_balance_po"
HIST = 8  # delinquency / subordinate-balance history kept per group (the step-down test reads the last 6)

SEQ, PRO, CAP, CONC = 0, 1, 2, 3
PCT_UNITS = 100_000_000  # percentages carried to 6 decimals: 100% = 10^8 units


# ------------------------------------------------------------------------------------------ exact integer helpers
@njit(cache=True, inline="always")
def _mul128(a: int, b: int) -> tuple[int, int]:
    """a * b for 0 <= a, b < 2^63 as ``(hi, lo)`` with value ``hi * 2^62 + lo`` and ``0 <= lo < 2^62`` (exact while
    the product is below 2^125, far beyond any amount in cents times a scaled percentage)."""
    # split into 31-bit limbs so every partial product fits in int64
    m = (1 << 31) - 1
    a0, a1, a2 = a & m, (a >> 31) & m, a >> 62
    b0, b1, b2 = b & m, (b >> 31) & m, b >> 62
    # value = sum c_k 2^(31k)
    c0 = a0 * b0
    c1 = a0 * b1 + a1 * b0
    c2 = a0 * b2 + a1 * b1 + a2 * b0
    c3 = a1 * b2 + a2 * b1
    c4 = a2 * b2
    # normalize to base 2^31 digits d0..d4
    d0 = c0 & m
    carry = c0 >> 31
    t = c1 + carry
    d1 = t & m
    carry = t >> 31
    t = c2 + carry
    d2 = t & m
    carry = t >> 31
    t = c3 + carry
    d3 = t & m
    carry = t >> 31
    d4 = c4 + carry
    # (hi, lo) with lo holding 62 bits (d0, d1) and hi the rest, value = hi * 2^62 + lo
    lo = d0 | (d1 << 31)
    hi = d2 | (d3 << 31) | (d4 << 62)
    return hi, lo


@njit(cache=True)
def muldiv(a: int, b: int, d: int) -> int:
    """``a * b / d`` rounded half down (a, b >= 0, d > 0), exact for products beyond 63 bits."""
    if a == 0 or b == 0:
        return 0
    if a <= 9_223_372_036_854_775_807 // b:
        p = a * b
        q = p // d
        r = p - q * d
        return q + 1 if 2 * r > d else q
    hi, lo = _mul128(a, b)
    # long division of (hi * 2^62 + lo) by d, bit by bit from the top (d < 2^62 assumed)
    q = 0
    r = 0
    nbits = 62
    # first the hi part
    for i in range(62, -1, -1):
        r = (r << 1) | ((hi >> i) & 1)
        q = q << 1
        if r >= d:
            r -= d
            q |= 1
    for i in range(nbits - 1, -1, -1):
        r = (r << 1) | ((lo >> i) & 1)
        q = q << 1
        if r >= d:
            r -= d
            q |= 1
    return q + 1 if 2 * r > d else q


@njit(cache=True)
def _lt128(a: int, b: int, c: int, d: int) -> bool:
    """a * b < c * d for non-negative int64 operands."""
    h1, l1 = _mul128(a, b)
    h2, l2 = _mul128(c, d)
    return h1 < h2 or (h1 == h2 and l1 < l2)


@njit(cache=True)
def _ceil_div128(a: int, b: int, d: int) -> int:
    """ceil(a * b / d)."""
    q = muldiv(a, b, d)  # half down
    # adjust to the ceiling: compare q * d with a * b
    if _lt128(q, d, a, b):
        return q + 1
    # q may be one above the floor when rounding went up; ceil is q if q*d >= a*b and (q-1)*d < a*b
    if q > 0 and not _lt128(q - 1, d, a, b):
        return q - 1
    return q


@njit(cache=True)
def _zeroed_sum(w: I64, n: int, out: I64) -> int:
    """Clear ``out[:n]`` and return the sum of ``w[:n]`` (the start of both splits)."""
    wsum = 0
    for i in range(n):
        wsum += w[i]
        out[i] = 0
    return wsum


@njit(cache=True)
def _split_capped(total: int, w: I64, n: int, out: I64) -> None:
    """engine ``split_capped`` on integer weights: shares half down, overshoot taken back from the largest."""
    wsum = _zeroed_sum(w, n, out)
    if total <= 0 or wsum <= 0:
        return
    s = 0
    for i in range(n):
        out[i] = muldiv(total, w[i], wsum)
        s += out[i]
    over = s - total
    if over <= 0:
        return
    # order by share descending, stable by index; cycle taking one cent from each positive share
    order = np.argsort(-out[:n], kind="mergesort")
    k = 0
    while over > 0:
        i = order[k % n]
        if out[i] > 0:
            out[i] -= 1
            over -= 1
        k += 1


@njit(cache=True)
def _split_exact(total: int, w: I64, n: int, out: I64) -> None:
    """engine ``split_exact`` on integer weights: largest remainder, ties to the lower index."""
    wsum = _zeroed_sum(w, n, out)
    if total <= 0 or wsum <= 0:
        return
    rem = np.zeros(n, dtype=np.int64)
    s = 0
    for i in range(n):
        q = muldiv(total, w[i], wsum)  # half down: the floor or one above it
        if _lt128(total, w[i], q, wsum):
            q -= 1
        out[i] = q
        s += q
    rest = total - s
    if rest <= 0:
        return
    # remainders exactly: r_i = total*w_i - q_i*wsum < wsum, so they fit in int64 as long as wsum does
    for i in range(n):
        h1, l1 = _mul128(total, w[i])
        h2, l2 = _mul128(out[i], wsum)
        # difference is < wsum < 2^62, so the high parts differ by at most one
        if h1 == h2:
            rem[i] = l1 - l2
        else:
            rem[i] = (l1 + (1 << 62)) - l2
    order = np.argsort(-rem, kind="mergesort")
    for k in range(rest):
        out[order[k]] += 1


@njit(cache=True)
def _allocate_capped(total: int, w: I64, caps: I64, n: int, out: I64) -> None:
    """engine ``allocate_capped``: pro rata by ``w`` with each share capped, the excess shared again."""
    for i in range(n):
        out[i] = 0
    cap_sum = 0
    for i in range(n):
        cap_sum += caps[i]
    left = min(total, cap_sum)
    live = np.zeros(n, dtype=np.int64)
    nl = 0
    for i in range(n):
        if caps[i] > 0:
            live[nl] = i
            nl += 1
    ww = np.zeros(max(n, 1), dtype=np.int64)
    sh = np.zeros(max(n, 1), dtype=np.int64)
    while left > 0 and nl > 0:
        for j in range(nl):
            i = live[j]
            ww[j] = w[i] if w[i] > 0 else caps[i]
        _split_exact(left, ww, nl, sh)
        moved = 0
        for j in range(nl):
            i = live[j]
            take = min(sh[j], caps[i] - out[i])
            out[i] += take
            moved += take
        left -= moved
        k = 0
        for j in range(nl):
            i = live[j]
            if out[i] < caps[i]:
                live[k] = i
                k += 1
        nl = k
        if moved == 0:
            break


@njit(cache=True)
def _senior_allocation(
    amount: int,
    weights_bal: I64,
    bal: I64,
    g: int,
    g_spc: I64,
    g_nspc: I64,
    sup_from: I64,
    sup_to: I64,
    g_nsup: I64,
    dest: I64,
) -> None:
    """Losses or write-downs beyond the subordinates: the live seniors pro rata on ``weights_bal`` (the prior
    balances), capped at their balances, then each support class takes its supported class's share up to its own
    balance (engine ``_senior_loss`` / ``_writedowns`` with ``_apply_support``). Adds to ``dest``, reduces ``bal``."""
    n = g_nspc[g]
    idx = np.zeros(max(n, 1), dtype=np.int64)
    w = np.zeros(max(n, 1), dtype=np.int64)
    caps = np.zeros(max(n, 1), dtype=np.int64)
    alloc = np.zeros(max(n, 1), dtype=np.int64)
    m = 0
    for j in range(n):
        c = g_spc[g, j]
        if bal[c] > 0:
            idx[m] = c
            w[m] = weights_bal[c]
            caps[m] = bal[c]
            m += 1
    if m == 0:
        return
    _allocate_capped(amount, w, caps, m, alloc)
    full = np.zeros(bal.shape[0], dtype=np.int64)
    for j in range(m):
        full[idx[j]] = alloc[j]
    for j in range(g_nsup[g]):
        a = sup_from[g, j]
        b = sup_to[g, j]
        want = full[a]
        room = bal[b] - full[b]
        moved = min(want, max(room, 0))
        if moved > 0:
            full[a] -= moved
            full[b] += moved
    for c in range(bal.shape[0]):
        if full[c] != 0:
            bal[c] -= full[c]
            dest[c] += full[c]


# ------------------------------------------------------------------------------------------------- the kernel
@njit(cache=True)
def _capacity(cls: I64, ncls: int, bal: I64) -> int:
    s = 0
    for j in range(ncls):
        s += bal[cls[j]]
    return s


@njit(cache=True)
def _pay(c: int, amount: int, bal: I64, prin: I64) -> int:
    p = min(amount, bal[c])
    if p > 0:
        bal[c] -= p
        prin[c] += p
        return p
    return 0


@njit(cache=True)
def _pay_simple(
    kind: int, cls: I64, ncls: int, amount: int, bal: I64, prin: I64, tmp_w: I64, tmp_o: I64
) -> int:
    """A sequential or pro rata step (engine ``_step`` for those kinds)."""
    if kind == SEQ:
        paid = 0
        for j in range(ncls):
            paid += _pay(cls[j], amount - paid, bal, prin)
        return paid
    # pro rata among the live classes
    n = 0
    total = 0
    for j in range(ncls):
        if bal[cls[j]] > 0:
            tmp_w[n] = bal[cls[j]]
            total += bal[cls[j]]
            n += 1
    if total <= amount:
        paid = 0
        for j in range(ncls):
            if bal[cls[j]] > 0:
                paid += _pay(cls[j], bal[cls[j]], bal, prin)
        return paid
    _split_capped(amount, tmp_w, n, tmp_o)
    paid = 0
    k = 0
    for j in range(ncls):
        c = cls[j]
        if bal[c] > 0:
            paid += _pay(c, tmp_o[k], bal, prin)
            k += 1
    return paid


@njit(cache=True)
def _run(
    inp: I64,  # (S, T, G, F)
    n_classes: int,
    ref: I64,  # (C,) class whose balance a class reports (notional reference or itself)
    group_of: I64,  # (C,) group index of each class, -1 for none
    bal_init: I64,
    apa_init: I64,
    apa_po_init: I64,
    init_sp: I64,  # (G,) initial Senior Percentage in units
    g_po: I64,  # (G,) PO class or -1
    g_subs: I64,
    g_nsubs: I64,
    g_members: I64,
    g_nmembers: I64,
    g_spnum: I64,
    g_nspnum: I64,
    g_spden: I64,
    g_nspden: I64,
    g_fiden: I64,
    g_nfiden: I64,
    g_ofi_num: I64,  # (G, nsub) OFI in percent as num / ofi_den; 0 = no test
    ofi_den: int,
    is_int: I64,  # (C,) 1 if the class is paid interest
    g_int: I64,  # interest classes per group
    g_nint: I64,
    g_sint: I64,  # senior interest classes per group
    g_nsint: I64,
    g_prio: I64,  # priority class or -1
    g_prio_base: I64,  # 0: Non-PO Principal Amount, 1: SPDA
    g_prioden: I64,
    g_nprioden: I64,
    shift_num: I64,  # (T, G) Shift Percentage * shift_den
    shift_den: int,
    share_num: I64,  # (T, G) senior share of the Subordinate % * share_den
    share_den: int,
    dq_lim_num: I64,  # (G,) delinquency limit (percent) = num / dq_lim_den
    dq_lim_den: int,
    loss_lim_num: I64,  # (T, G) cumulative loss limit in cents = num / loss_lim_den
    loss_lim_den: int,
    rate_num: I64,  # (T, C) monthly rate as a fraction num / den (den includes the 1200)
    rate_den: I64,
    g_steps: I64,
    g_nsteps: I64,
    st_kind: I64,
    st_cls: I64,
    st_ncls: I64,
    st_inner: I64,
    st_nleg: I64,
    leg_kind: I64,
    leg_tgt: I64,
    leg_pct: I64,  # (K, L) leg percentage * pct_den[K]
    st_pct_den: I64,
    st_nui: I64,
    ui_pct: I64,
    ui_leg: I64,
    leg_until: I64,
    st_until: I64,
    st_nuntil: I64,
    st_mode: I64,  # 0 fall through, 1 redistribute
    g_spc: I64,  # senior principal classes per group (pro rata after depletion; take senior losses)
    g_nspc: I64,
    sup_from: I64,  # (G, k) supported class / support class pairs
    sup_to: I64,
    g_nsup: I64,
    accrue_after_losses: bool,
    reduce_on_ida: bool,
    prs_after_losses: bool,
    po_writedown_every: bool,
    # outputs
    o_prin: I64,  # (S, T, C)
    o_int: I64,
    o_loss: I64,  # realized loss
    o_wd: I64,  # write-down
    o_aci: I64,
    o_red: I64,
    o_pod: I64,  # po deferred paid
    o_unpaid: I64,  # Class Unpaid Interest Shortfall after the date
    o_done: I64,  # (S,) dates distributed here
    o_retired: I64,  # (S,) 1 when every class was retired before the last date
    o_error: I64,  # (S,) 0 ok, else the period whose check failed
) -> None:
    n_s, n_t, n_g, _ = inp.shape
    C = n_classes
    maxw = max(C, 8)
    for s in range(n_s):
        bal = bal_init.copy()
        unpaid = np.zeros(C, dtype=np.int64)
        podef = np.zeros(n_g, dtype=np.int64)
        apa = apa_init.copy()
        apapo = apa_po_init.copy()
        cum = np.zeros(n_g, dtype=np.int64)
        share_used = np.full(n_g, -1, dtype=np.int64)
        hist_dq = np.zeros((n_g, HIST), dtype=np.int64)
        hist_sb = np.zeros((n_g, HIST), dtype=np.int64)
        hist_n = np.zeros(n_g, dtype=np.int64)
        depl = np.zeros(n_g, dtype=np.int64)
        tmp_w = np.zeros(maxw, dtype=np.int64)
        tmp_o = np.zeros(maxw, dtype=np.int64)
        done = 0
        retired = 0
        for t in range(n_t):
            b0 = bal.copy()  # the balances immediately prior to the date
            prin = np.zeros(C, dtype=np.int64)
            intr = np.zeros(C, dtype=np.int64)
            loss = np.zeros(C, dtype=np.int64)
            wd = np.zeros(C, dtype=np.int64)
            aci = np.zeros(C, dtype=np.int64)
            red = np.zeros(C, dtype=np.int64)
            pod = np.zeros(C, dtype=np.int64)
            failed = False
            for g in range(n_g):
                x = inp[s, t, g]
                po = g_po[g]
                nsub = g_nsubs[g]
                # ---- 1. percentages from the prior balances
                num = 0
                for j in range(g_nspnum[g]):
                    num += b0[g_spnum[g, j]]
                den = 0
                for j in range(g_nspden[g]):
                    den += b0[g_spden[g, j]]
                if den == 0:
                    sp = PCT_UNITS
                else:
                    sp = _ceil_div128(num, PCT_UNITS, den) if num > 0 else 0
                    if sp > PCT_UNITS:
                        sp = PCT_UNITS
                subp = PCT_UNITS - sp
                # step-down tests (engine _senior_prepayment_percentage, default readings)
                sub_bal = 0
                for j in range(nsub):
                    sub_bal += b0[g_subs[g, j]]
                k = hist_n[g]
                if k < HIST:
                    hist_dq[g, k] = x[F_DQ60]
                    hist_sb[g, k] = sub_bal
                    hist_n[g] = k + 1
                else:
                    for j in range(HIST - 1):
                        hist_dq[g, j] = hist_dq[g, j + 1]
                        hist_sb[g, j] = hist_sb[g, j + 1]
                    hist_dq[g, HIST - 1] = x[F_DQ60]
                    hist_sb[g, HIST - 1] = sub_bal
                m = hist_n[g]
                lo_i = m - 6 if m > 6 else 0
                sum_dq = 0
                sum_sb = 0
                for j in range(lo_i, m):
                    sum_dq += hist_dq[g, j]
                    sum_sb += hist_sb[g, j]
                # avg_dq * 100 < limit * avg_sub, the averages over the same count
                dq_pass = sum_sb > 0 and _lt128(sum_dq * 100, dq_lim_den, dq_lim_num[g], sum_sb)
                if sum_sb == 0 and sum_dq == 0:
                    dq_pass = True
                loss_pass = not _lt128(loss_lim_num[t, g], 1, cum[g], loss_lim_den)
                share = share_num[t, g]
                ok = dq_pass and loss_pass
                if share < share_den and sp > init_sp[g]:
                    share = share_den
                elif share < share_den and not ok:
                    prior = share_used[g] if share_used[g] >= 0 else share_den
                    share = max(share, prior)
                share_used[g] = share
                # SPP = min(100, sp + share * subp), as a fraction over share_den
                spp_n = sp * share_den + share * subp
                if spp_n > PCT_UNITS * share_den:
                    spp_n = PCT_UNITS * share_den
                # restricted classes (5.02(d)): the first subordinate whose junior Fractional Interest is short
                restricted_from = nsub  # classes from this index on are restricted
                fden = 0
                for j in range(g_nfiden[g]):
                    fden += b0[g_fiden[g, j]]
                if fden > 0:
                    for i in range(nsub):
                        ofi = g_ofi_num[g, i]
                        if ofi == 0:
                            continue
                        junior = 0
                        for j in range(i + 1, nsub):
                            junior += b0[g_subs[g, j]]
                        if _lt128(junior * 100, ofi_den, ofi, fden):
                            restricted_from = i + 1
                            break
                # ---- 2. principal amounts
                non_po_ad = x[F_SCHED_NP]
                non_po_ef = x[F_LIQ_NP] + x[F_PREP_NP]
                spda = muldiv(non_po_ad, sp, PCT_UNITS) + muldiv(non_po_ef, spp_n, PCT_UNITS * share_den)
                subpda = non_po_ad + non_po_ef - spda
                popa = x[F_SCHED_PO] + x[F_LIQ_PO] + x[F_PREP_PO]
                prio_amt = 0
                pc = g_prio[g]
                if pc >= 0:
                    pden = 0
                    for j in range(g_nprioden[g]):
                        pden += b0[g_prioden[g, j]]
                    ppct = _ceil_div128(b0[pc], PCT_UNITS, pden) if (pden > 0 and b0[pc] > 0) else 0
                    base = (x[F_SCHED_NP] + x[F_LIQ_NP] + x[F_PREP_NP]) if g_prio_base[g] == 0 else spda
                    # base * shift * pct / 10^4, shift = shift_num / shift_den, pct = ppct / 10^6
                    v = muldiv(base * shift_num[t, g], ppct, shift_den * 10_000_000_000)
                    prio_amt = min(b0[pc], v)
                # ---- 3. principal losses (no special losses in this path)
                rl_np = x[F_RL_NP]
                rl_po = x[F_RL_PO]
                was_depleted = depl[g] == 1
                if po >= 0:
                    to_po = min(bal[po], rl_po)
                    loss[po] += to_po
                    bal[po] -= to_po
                    if not was_depleted:
                        podef[g] += min(rl_po, to_po)
                rest = rl_np
                for j in range(nsub - 1, -1, -1):
                    c = g_subs[g, j]
                    take = min(bal[c], rest)
                    loss[c] += take
                    bal[c] -= take
                    rest -= take
                depleted_now = nsub > 0
                for j in range(nsub):
                    if bal[g_subs[g, j]] != 0:
                        depleted_now = False
                depleted = was_depleted or depleted_now
                if rest > 0:
                    _senior_allocation(rest, b0, bal, g, g_spc, g_nspc, sup_from, sup_to, g_nsup, loss)
                if depleted_now:
                    depl[g] = 1
                if depleted and po >= 0:
                    podef[g] = 0
                cum[g] += rl_np + rl_po
                # ---- 4. interest
                nint = g_nint[g]
                red_total = x[F_NSIS] + x[F_RELIEF]
                for j in range(nint):
                    c = g_int[g, j]
                    basis_bal = bal[ref[c]] if accrue_after_losses else b0[ref[c]]
                    aci[c] = muldiv(basis_bal, rate_num[t, c], rate_den[t, c])
                ida = np.zeros(C, dtype=np.int64)
                if red_total > 0:
                    sum_aci = 0
                    for j in range(nint):
                        c = g_int[g, j]
                        sum_aci += aci[c]
                        tmp_w[j] = aci[c] + (unpaid[c] if reduce_on_ida else 0)
                    _split_exact(min(red_total, sum_aci), tmp_w, nint, tmp_o)
                    for j in range(nint):
                        c = g_int[g, j]
                        r = min(tmp_o[j], aci[c])
                        red[c] = r
                        ida[c] = aci[c] - r + unpaid[c]
                else:
                    for j in range(nint):
                        c = g_int[g, j]
                        ida[c] = aci[c] + unpaid[c]
                cash = (
                    x[F_NET_INT]
                    - x[F_TRUSTEE]
                    + x[F_SCHED_NP]
                    + x[F_LIQ_NP]
                    + x[F_PREP_NP]
                    + x[F_SCHED_PO]
                    + x[F_LIQ_PO]
                    + x[F_PREP_PO]
                )
                pda = cash
                # ---- 5(i). senior interest, in full or not at all in this path
                need_i = 0
                for j in range(g_nsint[g]):
                    need_i += ida[g_sint[g, j]]
                nsi = g_nsint[g]
                if cash >= need_i:
                    for j in range(nsi):
                        c = g_sint[g, j]
                        intr[c] += ida[c]
                        unpaid[c] = 0
                    cash -= need_i
                else:
                    # pro rata on the amounts due, every cent placed (engine _pay_interest)
                    for j in range(nsi):
                        tmp_w[j] = ida[g_sint[g, j]]
                    _split_exact(cash, tmp_w, nsi, tmp_o)
                    for j in range(nsi):
                        c = g_sint[g, j]
                        intr[c] += tmp_o[j]
                        unpaid[c] = ida[c] - tmp_o[j]
                        cash -= tmp_o[j]
                # ---- 5(ii). senior principal and the PO principal
                want_b = min(popa, bal[po]) if po >= 0 else 0
                pay_a = spda
                pay_b = want_b
                if cash < spda + want_b:
                    tmp_w[0] = spda
                    tmp_w[1] = want_b
                    _split_capped(cash, tmp_w, 2, tmp_o)
                    pay_a = tmp_o[0]
                    pay_b = tmp_o[1]
                cash -= pay_a + pay_b
                if po >= 0 and pay_b > 0:
                    bal[po] -= pay_b
                    prin[po] += pay_b
                amount = pay_a
                used = 0
                if amount > 0 and depleted:
                    n_live = 0
                    for j in range(g_nspc[g]):
                        if bal[g_spc[g, j]] > 0:
                            n_live += 1
                    lst = np.zeros(max(n_live, 1), dtype=np.int64)
                    q = 0
                    for j in range(g_nspc[g]):
                        if bal[g_spc[g, j]] > 0:
                            lst[q] = g_spc[g, j]
                            q += 1
                    used = _pay_simple(PRO, lst, n_live, amount, bal, prin, tmp_w, tmp_o)
                elif amount > 0:
                    for si in range(g_nsteps[g]):
                        if amount - used <= 0:
                            break
                        k = g_steps[g, si]
                        left = amount - used
                        kind = st_kind[k]
                        if kind <= PRO:  # sequential or pro rata
                            used += _pay_simple(kind, st_cls[k], st_ncls[k], left, bal, prin, tmp_w, tmp_o)
                        elif kind == CAP:
                            ik = st_inner[k]
                            used += _pay_simple(
                                st_kind[ik],
                                st_cls[ik],
                                st_ncls[ik],
                                min(left, prio_amt),
                                bal,
                                prin,
                                tmp_w,
                                tmp_o,
                            )
                        else:
                            used += _concurrent(
                                k, left, bal, prin, st_kind, st_cls, st_ncls, st_nleg, leg_kind, leg_tgt,
                                leg_pct, st_pct_den, st_nui, ui_pct, ui_leg, leg_until, st_until, st_nuntil,
                                st_mode, tmp_w, tmp_o,
                            )  # fmt: skip
                cash += pay_a - used
                # ---- 5(iii)/(iv). PO Deferred Amount from subordinate principal; subordinates in pairs
                shares = np.zeros(nsub, dtype=np.int64)
                nlive = restricted_from
                wsum = 0
                for j in range(nlive):
                    c = g_subs[g, j]
                    tmp_w[j] = bal[c] if prs_after_losses else b0[c]
                    wsum += tmp_w[j]
                if wsum > 0:
                    _split_capped(subpda, tmp_w, nlive, tmp_o)
                    for j in range(nlive):
                        shares[j] = tmp_o[j]
                if restricted_from < nsub:
                    live_bal = 0
                    absorbed = 0
                    for j in range(nlive):
                        c = g_subs[g, j]
                        live_bal += bal[c]
                        absorbed += min(shares[j], bal[c])
                    left = subpda - absorbed
                    if left > 0 and live_bal == 0:
                        # the Restricted Classes take it sequentially (2002-3 L3916-3922)
                        for j in range(restricted_from, nsub):
                            take = min(bal[g_subs[g, j]], left)
                            shares[j] = take
                            left -= take
                if po >= 0 and not depleted and podef[g] > 0:
                    want = min(podef[g], subpda, cash)
                    left = want
                    for j in range(nsub - 1, -1, -1):
                        take = min(shares[j], left)
                        shares[j] -= take
                        left -= take
                    paid_d = want - left
                    podef[g] -= paid_d
                    pod[po] += paid_d
                    cash -= paid_d
                for j in range(nsub):
                    c = g_subs[g, j]
                    if is_int[c]:
                        wi = ida[c]
                        p = wi if cash >= wi else max(cash, 0)
                        intr[c] += p
                        unpaid[c] = wi - p
                        cash -= p
                    pay = min(shares[j], bal[c], cash)
                    if pay > 0:
                        bal[c] -= pay
                        prin[c] += pay
                        cash -= pay
                # ---- 6. write-downs to the Adjusted Pool Amount
                apa[g] -= (
                    x[F_SCHED_NP] + x[F_LIQ_NP] + x[F_PREP_NP] + x[F_SCHED_PO] + x[F_LIQ_PO] + x[F_PREP_PO]
                    + rl_np + rl_po
                )  # fmt: skip
                apapo[g] -= x[F_SCHED_PO] + x[F_LIQ_PO] + x[F_PREP_PO] + rl_po
                tot = 0
                for j in range(g_nmembers[g]):
                    tot += bal[g_members[g, j]]
                over = tot - max(apa[g], 0)
                if over > 0:
                    for j in range(nsub - 1, -1, -1):
                        c = g_subs[g, j]
                        if bal[c] <= 0:
                            continue
                        take = min(bal[c], over)
                        bal[c] -= take
                        wd[c] += take
                        over -= take
                        if over == 0:
                            break
                all_zero = nsub > 0
                for j in range(nsub):
                    if bal[g_subs[g, j]] != 0:
                        all_zero = False
                depleted = depleted or all_zero
                if po >= 0 and (po_writedown_every or depleted):
                    over = bal[po] - max(apapo[g], 0)
                    if over > 0:
                        bal[po] -= over
                        wd[po] += over
                if depleted:
                    target = max(apa[g] - apapo[g], 0)
                    tot = 0
                    for j in range(g_nspc[g]):
                        c = g_spc[g, j]
                        if bal[c] > 0:
                            tot += bal[c]
                    over = tot - target
                    if over > 0:
                        _senior_allocation(over, b0, bal, g, g_spc, g_nspc, sup_from, sup_to, g_nsup, wd)
                if all_zero:
                    depl[g] = 1
                # ---- conservation and non-negativity, this group
                out = 0
                for c in range(C):
                    if group_of[c] == g:
                        out += intr[c] + prin[c] + pod[c]
                if out + cash != pda or cash < 0:
                    o_error[s] = t + 1
                    failed = True
                    break
            if failed:
                break
            for c in range(C):
                if bal[c] < 0 or bal[c] != b0[c] - prin[c] - loss[c] - wd[c]:
                    o_error[s] = t + 1
            if o_error[s] != 0:
                break
            o_prin[s, t] = prin
            o_int[s, t] = intr
            o_loss[s, t] = loss
            o_wd[s, t] = wd
            o_aci[s, t] = aci
            o_red[s, t] = red
            o_pod[s, t] = pod
            o_unpaid[s, t] = unpaid
            done = t + 1
            z = True
            for c in range(C):
                if bal[c] != 0:
                    z = False
            if z:
                retired = 1
                break
        o_done[s] = done
        o_retired[s] = retired


@njit(cache=True)
def _concurrent(
    k: int,
    amount: int,
    bal: I64,
    prin: I64,
    st_kind: I64,
    st_cls: I64,
    st_ncls: I64,
    st_nleg: I64,
    leg_kind: I64,
    leg_tgt: I64,
    leg_pct: I64,
    st_pct_den: I64,
    st_nui: I64,
    ui_pct: I64,
    ui_leg: I64,
    leg_until: I64,
    st_until: I64,
    st_nuntil: I64,
    st_mode: I64,
    tmp_w: I64,
    tmp_o: I64,
) -> int:
    """engine ``_concurrent``: legs at fixed percentages until the ``until`` classes retire."""
    any_live = False
    for j in range(st_nuntil[k]):
        if bal[st_until[k, j]] != 0:
            any_live = True
    if not any_live:
        return 0
    nleg = st_nleg[k]
    caps = np.zeros(nleg, dtype=np.int64)
    for i in range(nleg):
        if leg_kind[k, i] == 0:
            caps[i] = bal[leg_tgt[k, i]]
        else:
            ik = leg_tgt[k, i]
            caps[i] = _capacity(st_cls[ik], st_ncls[ik], bal)
    pden = st_pct_den[k]
    # X* = max over the until classes of ceil(capacity * 100 / leg pct); X = min(amount, X*)
    need = 0
    for u in range(st_nui[k]):
        cap = caps[ui_leg[k, u]]
        v = _ceil_div128(cap, 100 * pden, ui_pct[k, u])
        if v > need:
            need = v
    xx = min(amount, need)
    want = np.zeros(nleg, dtype=np.int64)
    s = 0
    for i in range(nleg):
        want[i] = muldiv(xx, leg_pct[k, i], 100 * pden)
        s += want[i]
    over = s - amount
    if over > 0:
        want[nleg - 1] -= over
    if st_mode[k] == 1:
        give = np.zeros(nleg, dtype=np.int64)
        sw = 0
        sg = 0
        for i in range(nleg):
            give[i] = min(want[i], caps[i])
            sw += want[i]
            sg += give[i]
        spare = sw - sg
        while spare > 0:
            any_room = False
            for i in range(nleg):
                if leg_until[k, i] == 1 and give[i] < caps[i]:
                    any_room = True
            if not any_room:
                break
            n = 0
            idx = np.zeros(nleg, dtype=np.int64)
            for i in range(nleg):
                if caps[i] > give[i]:
                    idx[n] = i
                    tmp_w[n] = leg_pct[k, i]
                    n += 1
            _split_capped(spare, tmp_w, n, tmp_o)
            moved = 0
            for j in range(n):
                i = idx[j]
                add = min(tmp_o[j], caps[i] - give[i])
                give[i] += add
                moved += add
            if moved == 0:
                break
            spare -= moved
        for i in range(nleg):
            want[i] = give[i]
    paid = 0
    for i in range(nleg):
        w = want[i]
        if w <= 0:
            continue
        if leg_kind[k, i] == 0:
            paid += _pay(leg_tgt[k, i], w, bal, prin)
        else:
            ik = leg_tgt[k, i]
            paid += _pay_simple(st_kind[ik], st_cls[ik], st_ncls[ik], w, bal, prin, tmp_w, tmp_o)
    return paid


# ------------------------------------------------------------------------------------------------ the plan
def _scaled(d: Decimal, scale: int) -> int:
    v = d * scale
    if v != v.to_integral_value():
        raise _Unsupported(f"{d} is not a multiple of 1/{scale}")
    return int(v)


def _decimals(values: list[Decimal]) -> int:
    """The most decimal places among ``values``."""
    places = [0]
    for v in values:
        exp = v.normalize().as_tuple().exponent
        places.append(max(0, -int(exp)) if isinstance(exp, int) else 0)
    return max(places)


class _Unsupported(Exception):
    """The deal or the chosen readings are outside what the kernel implements (the exact engine runs it)."""


def _pad(rows: list[list[int]], fill: int = -1) -> I64:
    width = max([1] + [len(r) for r in rows])
    out = np.full((len(rows), width), fill, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


@dataclass
class Plan:
    """A deal compiled for the kernel: class and group index tables, step programs, date-indexed tables."""

    engine: WaterfallEngine
    names: list[str]
    arrays: dict[str, Any]
    share_den: int
    dates: list[date]


def compile_plan(engine: WaterfallEngine, n_periods: int) -> Plan | None:
    """The kernel's form of ``engine``'s deal and switch readings, or ``None`` if the kernel cannot run them."""
    try:
        return _compile(engine, n_periods)
    except _Unsupported:
        return None


def _compile(e: WaterfallEngine, n_periods: int) -> Plan:
    deal = e.deal
    if (
        e._fraction_pct
        or e._spda_excess_to_subs
        or e._dq_excluding_current
        or not e._stepdown_both
        or e._blocked_mode != "prior_tier"
        or not e._restricted_sequential
        or e._normalize_pcts
        or not e._cascade
        or not e._same_dd
        or e._senior_loss_with_po
    ):
        raise _Unsupported("switch readings")
    names = [c.name for c in deal.classes]
    ix = {n: i for i, n in enumerate(names)}
    C = len(names)
    gids = [g.id for g in deal.groups]
    state = e.initial_state()
    ref = np.array([ix[e._notional.get(n, n)] for n in names], dtype=np.int64)
    group_of = np.array(
        [gids.index(c.group) if c.group in gids else -1 for c in deal.classes], dtype=np.int64
    )
    bal_init = np.array([state.balances.get(n, 0) for n in names], dtype=np.int64)
    dates = [distribution_date(deal.first_distribution_date, p) for p in range(1, n_periods + 1)]

    steps: list[dict[str, Any]] = []

    def add_simple(st: Step) -> int:
        if isinstance(st, Sequential | ProRata):
            steps.append(
                {"kind": SEQ if isinstance(st, Sequential) else PRO, "cls": [ix[n] for n in st.classes]}
            )
            return len(steps) - 1
        raise _Unsupported("nested step kind")

    def add_top(st: Step) -> int:
        if isinstance(st, Sequential | ProRata):
            return add_simple(st)
        if isinstance(st, Capped):
            inner = add_simple(st.step)
            steps.append({"kind": CAP, "inner": inner})
            return len(steps) - 1
        if isinstance(st, Concurrent):
            pcts, until_info, until_legs, mode = e._plan_concurrent(st)
            scale = 10 ** _decimals(list(pcts) + [p for p, _ in until_info])
            legs = []
            for leg in st.legs:
                if isinstance(leg.pay, str):
                    legs.append((0, ix[leg.pay]))
                else:
                    legs.append((1, add_simple(leg.pay)))
            if mode not in ("fall_through", "redistribute"):
                raise _Unsupported(f"spill mode {mode}")
            steps.append(
                {
                    "kind": CONC,
                    "legs": legs,
                    "pct": [_scaled(p, scale) for p in pcts],
                    "den": scale,
                    "ui": [(_scaled(p, scale), k) for p, k in until_info],
                    "until_legs": until_legs,
                    "until": [ix[n] for n in st.until],
                    "mode": 1 if mode == "redistribute" else 0,
                }
            )
            return len(steps) - 1
        raise _Unsupported("step kind")

    g_steps = [[add_top(st) for st in g.senior_principal] for g in deal.groups]
    K = max(len(steps), 1)
    L = max([1] + [len(s.get("legs", [])) for s in steps])
    st_kind = np.zeros(K, dtype=np.int64)
    st_inner = np.full(K, -1, dtype=np.int64)
    st_nleg = np.zeros(K, dtype=np.int64)
    leg_kind = np.zeros((K, L), dtype=np.int64)
    leg_tgt = np.zeros((K, L), dtype=np.int64)
    leg_pct = np.zeros((K, L), dtype=np.int64)
    leg_until = np.zeros((K, L), dtype=np.int64)
    st_pct_den = np.ones(K, dtype=np.int64)
    st_mode = np.zeros(K, dtype=np.int64)
    cls_rows: list[list[int]] = []
    ui_rows_p: list[list[int]] = []
    ui_rows_l: list[list[int]] = []
    until_rows: list[list[int]] = []
    for k, st in enumerate(steps):
        st_kind[k] = st["kind"]
        cls_rows.append(st.get("cls", []))
        if st["kind"] == CAP:
            st_inner[k] = st["inner"]
        if st["kind"] == CONC:
            st_nleg[k] = len(st["legs"])
            for i, (lk, tgt) in enumerate(st["legs"]):
                leg_kind[k, i] = lk
                leg_tgt[k, i] = tgt
                leg_pct[k, i] = st["pct"][i]
                leg_until[k, i] = 1 if i in st["until_legs"] else 0
            st_pct_den[k] = st["den"]
            st_mode[k] = st["mode"]
        ui_rows_p.append([p for p, _ in st.get("ui", [])])
        ui_rows_l.append([i for _, i in st.get("ui", [])])
        until_rows.append(st.get("until", []))

    def per_group(f: Any) -> tuple[I64, I64]:
        rows = [[ix[n] for n in f(g)] for g in deal.groups]
        return _pad(rows), np.array([len(r) for r in rows], dtype=np.int64)

    # date tables: step-down shares, Shift Percentages, loss limits
    share_vals: list[Decimal] = []
    shift_vals: list[Decimal] = []
    for g in deal.groups:
        share_vals += [v for _, v in g.step_down.senior_share_of_subordinate.rows]
        if g.priority is not None:
            shift_vals += [v for _, v in g.priority.shift.rows]
    share_den = 10 ** _decimals(share_vals)
    shift_den = 10 ** _decimals(shift_vals)
    G = len(deal.groups)
    share_num = np.zeros((n_periods, G), dtype=np.int64)
    shift_num = np.zeros((n_periods, G), dtype=np.int64)
    loss_lim_num = np.zeros((n_periods, G), dtype=np.int64)
    lim_scale_vals: list[Decimal] = []
    limits = []
    for t, dd in enumerate(dates):
        row = []
        for gi, g in enumerate(deal.groups):
            sd = g.step_down
            share_num[t, gi] = _scaled(e._at(sd.senior_share_of_subordinate, dd), share_den)
            if g.priority is not None:
                shift_num[t, gi] = _scaled(e._at(g.priority.shift, dd), shift_den)
            lim = Decimal(cents(sd.original_subordinate_balance)) * e._at(sd.loss_limits, dd) / HUNDRED
            row.append(lim)
            lim_scale_vals.append(lim)
        limits.append(row)
    loss_lim_den = 10 ** _decimals(lim_scale_vals)
    for t in range(n_periods):
        for gi in range(G):
            loss_lim_num[t, gi] = _scaled(limits[t][gi], loss_lim_den)
    dq_vals = [g.step_down.delinquency_limit for g in deal.groups]
    dq_den = 10 ** _decimals(dq_vals)
    ofi_vals = [
        e.classes[s].original_fractional_interest or Decimal(0) for g in deal.groups for s in g.subordinates
    ]
    ofi_den = 10 ** _decimals(ofi_vals)
    g_ofi = _pad(
        [
            [0 if e._ofi_closing else _scaled(e.classes[s].original_fractional_interest or Decimal(0), ofi_den)
             for s in g.subordinates]
            for g in deal.groups
        ],
        0,
    )  # fmt: skip
    interest = {n for g in deal.groups for n in e._interest_of[g.id]}
    g_subs, g_nsubs = per_group(lambda g: g.subordinates)
    g_members, g_nmembers = per_group(lambda g: e._members_of[g.id])
    g_spnum, g_nspnum = per_group(lambda g: e._sp_num[g.id])
    g_spden, g_nspden = per_group(lambda g: e._sp_den[g.id])
    g_fiden, g_nfiden = per_group(lambda g: e._fi_den[g.id])
    g_int, g_nint = per_group(lambda g: e._interest_of[g.id])
    g_sint, g_nsint = per_group(lambda g: e._senior_interest_of[g.id])
    g_prioden, g_nprioden = per_group(lambda g: e._priority_den[g.id])
    g_spc, g_nspc = per_group(lambda g: g.senior_principal_classes)
    arrays: dict[str, Any] = {
        "n_classes": C,
        "ref": ref,
        "group_of": group_of,
        "bal_init": bal_init,
        "apa_init": np.array([state.groups[g].adjusted_pool_amount for g in gids], dtype=np.int64),
        "apa_po_init": np.array([state.groups[g].adjusted_pool_amount_po for g in gids], dtype=np.int64),
        "init_sp": np.array(
            [_scaled(state.groups[g].initial_senior_percentage or Decimal(0), 10**6) for g in gids],
            dtype=np.int64,
        ),
        "g_po": np.array([ix[g.po_class] if g.po_class else -1 for g in deal.groups], dtype=np.int64),
        "g_subs": g_subs,
        "g_nsubs": g_nsubs,
        "g_members": g_members,
        "g_nmembers": g_nmembers,
        "g_spnum": g_spnum,
        "g_nspnum": g_nspnum,
        "g_spden": g_spden,
        "g_nspden": g_nspden,
        "g_fiden": g_fiden,
        "g_nfiden": g_nfiden,
        "g_ofi_num": g_ofi,
        "ofi_den": ofi_den,
        "is_int": np.array([1 if n in interest else 0 for n in names], dtype=np.int64),
        "g_int": g_int,
        "g_nint": g_nint,
        "g_sint": g_sint,
        "g_nsint": g_nsint,
        "g_prio": np.array(
            [ix[g.priority.class_name] if g.priority else -1 for g in deal.groups], dtype=np.int64
        ),
        "g_prio_base": np.array(
            [
                0 if (g.priority is None or g.priority.base == "non_po_principal_amount") else 1
                for g in deal.groups
            ],
            dtype=np.int64,
        ),
        "g_prioden": g_prioden,
        "g_nprioden": g_nprioden,
        "shift_num": shift_num,
        "shift_den": shift_den,
        "share_num": share_num,
        "share_den": share_den,
        "dq_lim_num": np.array([_scaled(v, dq_den) for v in dq_vals], dtype=np.int64),
        "dq_lim_den": dq_den,
        "loss_lim_num": loss_lim_num,
        "loss_lim_den": loss_lim_den,
        "g_steps": _pad(g_steps),
        "g_nsteps": np.array([len(r) for r in g_steps], dtype=np.int64),
        "st_kind": st_kind,
        "st_cls": _pad(cls_rows),
        "st_ncls": np.array([len(r) for r in cls_rows] or [0], dtype=np.int64),
        "st_inner": st_inner,
        "st_nleg": st_nleg,
        "leg_kind": leg_kind,
        "leg_tgt": leg_tgt,
        "leg_pct": leg_pct,
        "st_pct_den": st_pct_den,
        "st_nui": np.array([len(r) for r in ui_rows_p] or [0], dtype=np.int64),
        "ui_pct": _pad(ui_rows_p, 1),
        "ui_leg": _pad(ui_rows_l, 0),
        "leg_until": leg_until,
        "st_until": _pad(until_rows),
        "st_nuntil": np.array([len(r) for r in until_rows] or [0], dtype=np.int64),
        "st_mode": st_mode,
        "g_spc": g_spc,
        "g_nspc": g_nspc,
        "sup_from": _pad([[ix[x.supported] for x in g.loss_support] for g in deal.groups], 0),
        "sup_to": _pad([[ix[x.support] for x in g.loss_support] for g in deal.groups], 0),
        "g_nsup": np.array([len(g.loss_support) for g in deal.groups], dtype=np.int64),
        "accrue_after_losses": bool(e._accrue_after_losses),
        "reduce_on_ida": bool(e._reduce_on_ida),
        "prs_after_losses": bool(e._prs_after_losses),
        "po_writedown_every": bool(e._po_writedown_every),
    }
    return Plan(e, names, arrays, share_den, dates)


def _rates(plan: Plan, index: IndexPath) -> tuple[I64, I64, list[list[Decimal]]]:
    """Each class's rate on each date (the index path is the same for every scenario of a batch), as Decimals and
    as exact monthly fractions ``num / (den x 1200)``."""
    e = plan.engine
    T = len(plan.dates)
    C = len(plan.names)
    num = np.zeros((T, C), dtype=np.int64)
    den = np.ones((T, C), dtype=np.int64)
    table: list[list[Decimal]] = []
    for t in range(T):
        row = []
        for c, n in enumerate(plan.names):
            r = e.rate(n, t + 1, index.at(t + 1))
            row.append(r)
            a, b = r.as_integer_ratio()
            num[t, c] = a
            den[t, c] = b * 1200
        table.append(row)
    return num, den, table


def input_array(plan: Plan, periods: PoolPeriods, scenarios: list[int]) -> I64:
    """(scenario, period, group, field) int64 in the kernel's field order (the fields of ``group_input``)."""
    deal = plan.engine.deal
    rows = [periods.group_index(g.loan_group) for g in deal.groups]
    sel = np.asarray(scenarios, dtype=np.int64)

    def a(name: str) -> I64:
        arr: I64 = getattr(periods, name)[sel][:, rows, :]  # (S, G, T)
        return arr

    cols = input_columns(a)
    out = np.stack(cols, axis=-1)  # (S, G, T, F)
    return np.ascontiguousarray(out.transpose(0, 2, 1, 3))


@dataclass
class FlowTable:
    """One scenario's distribution by the kernel: per date (row) and class (column), in cents."""

    dates: list[date]
    names: list[str]
    arrays: dict[str, I64]  # prin, int, loss, wd, aci, red, pod, unpaid: (n_dates, C)
    rates: list[list[Decimal]]  # (date, class) the Pass-Through Rate of the date
    ref: list[int]  # the class whose balance each class reports (notional classes: their reference)
    bal_init: list[int]


def run_batch(
    engine: WaterfallEngine, periods: PoolPeriods, scenarios: list[int], index: IndexPath
) -> list[FlowTable] | None:
    """Distribute the given scenarios of ``periods`` in the kernel; ``None`` if the kernel cannot run this deal
    with these readings (the caller runs the exact engine)."""
    plan = compile_plan(engine, periods.n_periods)
    if plan is None:
        return None
    a = plan.arrays
    inp = input_array(plan, periods, scenarios)
    S, T, G, _ = inp.shape
    C = len(plan.names)
    rate_num, rate_den, rate_table = _rates(plan, index)
    out = {
        k: np.zeros((S, T, C), dtype=np.int64)
        for k in ("prin", "int", "loss", "wd", "aci", "red", "pod", "unpaid")
    }
    done = np.zeros(S, dtype=np.int64)
    retired = np.zeros(S, dtype=np.int64)
    error = np.zeros(S, dtype=np.int64)
    _run(
        inp, a["n_classes"], a["ref"], a["group_of"], a["bal_init"], a["apa_init"], a["apa_po_init"], a["init_sp"],
        a["g_po"], a["g_subs"], a["g_nsubs"], a["g_members"], a["g_nmembers"], a["g_spnum"], a["g_nspnum"],
        a["g_spden"], a["g_nspden"], a["g_fiden"], a["g_nfiden"], a["g_ofi_num"], a["ofi_den"], a["is_int"],
        a["g_int"], a["g_nint"], a["g_sint"], a["g_nsint"], a["g_prio"], a["g_prio_base"], a["g_prioden"],
        a["g_nprioden"], a["shift_num"], a["shift_den"], a["share_num"], a["share_den"], a["dq_lim_num"],
        a["dq_lim_den"], a["loss_lim_num"], a["loss_lim_den"], rate_num, rate_den, a["g_steps"], a["g_nsteps"],
        a["st_kind"], a["st_cls"], a["st_ncls"], a["st_inner"], a["st_nleg"], a["leg_kind"], a["leg_tgt"],
        a["leg_pct"], a["st_pct_den"], a["st_nui"], a["ui_pct"], a["ui_leg"], a["leg_until"], a["st_until"],
        a["st_nuntil"], a["st_mode"], a["g_spc"], a["g_nspc"], a["sup_from"], a["sup_to"], a["g_nsup"],
        a["accrue_after_losses"], a["reduce_on_ida"], a["prs_after_losses"], a["po_writedown_every"],
        out["prin"], out["int"], out["loss"], out["wd"], out["aci"], out["red"], out["pod"], out["unpaid"], done,
        retired, error,
    )  # fmt: skip
    if error.any():
        s = int(np.nonzero(error)[0][0])
        raise ConservationError(
            f"scenario {scenarios[s]} period {int(error[s])}: cash not conserved or a balance does not roll "
            "forward in the compiled waterfall"
        )
    ref = [int(v) for v in a["ref"]]
    bal_init = [int(v) for v in a["bal_init"]]
    return [
        FlowTable(
            dates=plan.dates[: int(done[i])],
            names=plan.names,
            arrays={k: v[i, : int(done[i])] for k, v in out.items()},
            rates=rate_table[: int(done[i])],
            ref=ref,
            bal_init=bal_init,
        )
        for i in range(S)
    ]


def period_results(table: FlowTable) -> list[PeriodResult]:
    """The class results of every date as the exact engine reports them (``PeriodResult.groups`` is empty: a
    batch does not keep the group tests and percentages)."""
    out: list[PeriodResult] = []
    names = table.names
    ref = table.ref
    bal = list(table.bal_init)
    f = {k: v.tolist() for k, v in table.arrays.items()}
    rows = zip(
        f["aci"], f["red"], f["int"], f["unpaid"], f["prin"], f["loss"], f["wd"], f["pod"], strict=True
    )
    for t, (aci, red, intr, unpaid, prin, loss, wd, pod) in enumerate(rows):
        end = [b - p - lo - w for b, p, lo, w in zip(bal, prin, loss, wd, strict=True)]
        rates = table.rates[t]
        classes = {
            name: ClassResult(
                name,
                bal[ref[c]],
                aci[c],
                red[c],
                intr[c],
                unpaid[c],
                prin[c],
                loss[c],
                wd[c],
                end[ref[c]],
                rates[c],
                pod[c],
            )  # fmt: skip
            for c, name in enumerate(names)
        }
        out.append(PeriodResult(t + 1, table.dates[t], classes, {}))
        bal = end
    return out
