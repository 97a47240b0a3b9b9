"""The percentages of Article I as the interpreter figures them each date, from the balances immediately prior to it:
the Senior Percentage, the Senior Prepayment Percentage with the Senior Step Down Conditions, and the first
Restricted Class of 5.02(d) (Fractional Interests against their Original Fractional Interests). All in units of
10^-6 percent ("carried to six places, rounded up")."""

from __future__ import annotations

from typing import Any

from numba import njit

from rmbs.waterfall.prim import I64, ceil_div, lt128
from rmbs.waterfall.types import F_DQ60, F_RL_INT, F_RL_NP, F_RL_PO

HIST = (
    8  # delinquency / subordinate-balance history kept per group (the step-down tests read the last 6 or 7)
)
WINDOW = 6
PCT_UNITS = 100_000_000  # percentages carried to 6 decimals: 100% = 10^8 units


@njit(cache=True, inline="always")
def senior_percentage(p: Any, g: int, b: I64) -> int:
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
    return min(PCT_UNITS, percentage(p, num, den))


@njit(cache=True, inline="always")
def percentage(p: Any, num: int, den: int) -> int:
    """num / den as a percentage "carried to six places, rounded up" -- six decimals of the percentage, or of the
    fraction under the ``fraction_6dp`` reading -- in units of 10^-6 percent."""
    p_r_fraction_pct = p.r_fraction_pct
    if den <= 0 or num <= 0:
        return 0
    if p_r_fraction_pct:
        return ceil_div(num, 1_000_000, den) * 100
    return ceil_div(num, PCT_UNITS, den)


@njit(cache=True, inline="always")
def senior_prepayment_percentage(
    p: Any, s: int, g: int, tt: int, x: I64, b0: I64, sp: int, st: Any
) -> tuple[int, bool, bool]:
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
def first_restricted(p: Any, g: int, b0: I64) -> int:
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
