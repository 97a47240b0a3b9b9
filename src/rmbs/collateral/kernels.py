"""Numba kernel: the SF-16..19 default/prepayment model run loan by loan, summed per (scenario, group, period).

Each loan amortizes on its own schedule ``b(t)`` (cut-off balance, monthly rate, stated payment; the payment at
the remaining term clears the balance, SF-4). The SF's rep-line quantities are applied to that schedule
(SF-17..18), written per unit of the loan's scheduled balance so that no ratio ``SCH(i)/SCH(i-1)`` needs a
division:

* ``surv`` -- the performing share of the loan; ``PERF(t) = surv(t) b(t)``;
  ``surv(t) = surv(t-1) (1 - MDR - SMM)`` because defaults hit ``PERF(t-1)`` and prepayments ``PERF(t-1) ratio``;
* ``d(t) = surv(t-1) MDR`` -- the share defaulting in ``t``; ``NEW DEF = d(t) b(t-1)``;
* with advancing, a defaulted share keeps amortizing with the schedule until liquidation ``lag`` months later, so
  ``FCL(t) = b(t) sum(d over the pipeline)`` and ``ADB(t) = d(t-lag) b(t-1)``; without advancing the defaulted
  dollars stand still and ``ADB(t) = NEW DEF(t-lag)``;
* ``PRIN LOSS = min(NEW DEF(t-lag) severity, ADB)``, recovery the rest; MDR is 0 in a loan's last ``lag``
  months (SF-19), and SMM is capped at ``1 - MDR`` so the performing share never goes negative;
* a loan that defaulted in ``t`` has missed one payment at the end of ``t``: the 60+ day delinquent balance is
  the foreclosure balance less the shares that defaulted this period.

Only the per-(scenario, group, period) sums leave the kernel: loan x period x scenario is never materialized.
Work items are (path, chunk of loans) pairs run under ``prange``; each owns its slice of the accumulators.

Severity enters only ``PRIN LOSS`` and the recovery; everything else is one *path* of the loans, fixed by the
prepayment and default vectors, the lag and advancing. Scenarios that differ only in severity (a grid's severity
axis) are therefore run as one path with several severities: the caller passes each path's severities, and the
loss and recovery sums (``LOSS``, ``LIQ``, ``LOSS_PO``, ``LIQ_PO``) come back per severity in their own
accumulator, summed over the loans in the same order as a path run alone.

The Special Hazard Loss Amount's concentration tests (2000-2 L1483-1498) need two figures that are not sums: the
largest loan balance and the largest aggregate balance of the loans of one California ZIP code, per (scenario,
group, period), on each loan's beginning balance of the period (its Stated Principal Balance after the prior Due
Date: the performing share plus the defaulted share not yet liquidated, the same balance the pool's beginning
balance adds up). Each loan's beginning balances are kept in a small buffer during its recurrence and read by a
pass of their own after it (inside the recurrence the extra maximum cost about a fifth of the kernel's time): the
largest loan is a running maximum per work item (the caller takes the maximum over chunks); the ZIP sums are kept
per (group, ZIP) slot for the work item and reduced to their maximum at its end when the scenario is one chunk, or
left per chunk for the caller to add up and reduce when it is split.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

# accumulator fields (last axis)
END = 0
SCHED = 1
PREPAY = 2
LIQ = 3
LOSS = 4
END_PO = 5
SCHED_PO = 6
PREPAY_PO = 7
LIQ_PO = 8
LOSS_PO = 9
GROSS = 10
SERV = 11
TRUSTEE = 12
PPIS = 13
NEWDEF = 14
DQ60 = 15
N_FIELDS = 16
# the concentration output (last axis): the largest loan balance, the largest California ZIP code balance
EXT_LARGEST = 0
EXT_ZIP = 1
N_EXT = 2
# the per-severity loss accumulator (last axis)
L_LOSS = 0
L_LIQ = 1
L_LOSS_PO = 2
L_LIQ_PO = 3
N_LOSS = 4


@njit(cache=True, parallel=True, nogil=True)
def project_loans_kernel(  # noqa: PLR0913 - one flat signature is what numba compiles best
    bal0: np.ndarray,
    pmt: np.ndarray,
    rate_m: np.ndarray,
    rem: np.ndarray,
    age: np.ndarray,
    grp: np.ndarray,
    sfr_m: np.ndarray,
    tfr_m: np.ndarray,
    po: np.ndarray,
    ppis_m: np.ndarray,
    smm_tab: np.ndarray,
    smm_by_age: np.ndarray,
    mdr_tab: np.ndarray,
    mdr_by_age: np.ndarray,
    severity: np.ndarray,
    n_sev: np.ndarray,
    lag: np.ndarray,
    advance: np.ndarray,
    n_groups: int,
    n_periods: int,
    n_chunks: int,
    zslot: np.ndarray,
    zgroup: np.ndarray,
    conc: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sum the SF-16..19 flows of every loan into ``acc[path, chunk, group, period, field]`` (float64 $).

    Per loan: ``bal0`` cut-off balance, ``pmt`` stated P&I, ``rate_m`` monthly note rate (MIR/1200), ``rem``
    remaining term, ``age`` months since origination, ``grp`` group index, ``sfr_m``/``tfr_m`` monthly servicing
    and trustee fee rates, ``po`` PO fraction, ``ppis_m`` the PPIS per $ prepaid in full. Per scenario: SMM and
    path: SMM and MDR tables (fractions, indexed by age MONTH when ``*_by_age`` else by period), the severities
    ``severity[path, :n_sev[path]]`` (fractions), lag (months), advancing flag. The caller sums over the chunk
    axis. ``acc``'s loss and recovery fields stay zero: they are in ``lacc[path, chunk, k, group, period, L_*]``
    for the path's ``k``-th severity.

    Concentrations (only with ``conc``; ``ext`` stays zero otherwise): ``zslot`` is each loan's (group, California ZIP) slot or -1, ``zgroup`` each slot's group.
    Returns ``acc``, ``lacc``, ``ext[scenario, chunk, group, period, EXT_*]`` (the largest loan balance, and with one chunk
    the largest ZIP balance; the caller takes the maximum over chunks) and, when ``n_chunks > 1``,
    ``zacc[scenario, chunk, slot, period]``, each chunk's ZIP sums (empty otherwise).
    """
    n_scen = smm_tab.shape[0]
    n_loans = bal0.shape[0]
    n_z = zgroup.shape[0]
    acc = np.zeros((n_scen, n_chunks, n_groups, n_periods, N_FIELDS))
    lacc = np.zeros((n_scen, n_chunks, severity.shape[1], n_groups, n_periods, N_LOSS))
    ext = np.zeros((n_scen, n_chunks, n_groups, n_periods, N_EXT))
    zacc = np.zeros((n_scen, n_chunks if n_chunks > 1 else 0, n_z, n_periods))
    for w in prange(n_scen * n_chunks):
        s = w // n_chunks
        c = w % n_chunks
        lo = (c * n_loans) // n_chunks
        hi = ((c + 1) * n_loans) // n_chunks
        zb = zacc[s, c] if n_chunks > 1 else np.zeros((n_z, n_periods))
        big = ext[s, c]
        bb = np.zeros(n_periods)  # the loan's beginning balance by period, read by the concentration pass
        lg = lag[s]
        sev = severity[s]
        ns = n_sev[s]
        la = lacc[s, c]
        adv = advance[s]
        p_age = smm_by_age[s]
        d_age = mdr_by_age[s]
        ring_d = np.zeros(max(lg, 1))
        ring_b = np.zeros(max(lg, 1))
        out = acc[s, c]
        for i in range(lo, hi):
            n = min(rem[i], n_periods)
            if n <= 0:
                continue
            b = bal0[i]
            r = rate_m[i]
            pay = pmt[i]
            a = age[i]
            g = grp[i]
            sfr = sfr_m[i]
            tfr = tfr_m[i]
            ppr = ppis_m[i]
            pof = po[i]
            zs = zslot[i]
            last_def = rem[i] - lg
            for j in range(lg):
                ring_d[j] = 0.0
                ring_b[j] = 0.0
            surv = 1.0
            dsum = 0.0
            fcl_na = 0.0
            for t in range(1, n + 1):
                b_prev = b
                if t == rem[i]:
                    b = 0.0
                else:
                    b = b_prev + b_prev * r - pay
                    if b < 0.0:
                        b = 0.0
                db = b_prev - b
                smm = smm_tab[s, a + t] if p_age else smm_tab[s, t]
                mdr = 0.0
                if t <= last_def:
                    mdr = mdr_tab[s, a + t] if d_age else mdr_tab[s, t]
                if smm > 1.0 - mdr:
                    smm = 1.0 - mdr
                d = surv * mdr
                nd = d * b_prev
                vol = surv * b * smm
                act_am = (surv - d) * db
                if lg > 0:
                    j = t % lg
                    d_old = ring_d[j]
                    bs_old = ring_b[j]
                    ring_d[j] = d
                    ring_b[j] = b_prev
                else:
                    d_old = d
                    bs_old = b_prev
                nd_old = d_old * bs_old
                if adv:
                    fcl_prev = dsum * b_prev
                    adb = d_old * b_prev
                    dsum = dsum + d - d_old
                    if dsum < 0.0:
                        dsum = 0.0
                    fcl = dsum * b
                    dq60 = (dsum - d) * b
                    sched = act_am + dsum * db
                    int_bal = surv * b_prev + fcl_prev
                else:
                    fcl_prev = fcl_na
                    adb = nd_old
                    fcl_na = fcl_prev + nd - adb
                    if fcl_na < 0.0:
                        fcl_na = 0.0
                    fcl = fcl_na
                    dq60 = fcl_na - nd
                    sched = act_am
                    int_bal = (surv - d) * b_prev
                beg = surv * b_prev + fcl_prev
                surv = surv * (1.0 - mdr - smm)
                end = surv * b + fcl
                k = t - 1
                if adb != 0.0 or nd_old != 0.0:
                    for j in range(ns):
                        loss = nd_old * sev[j]
                        if adv and adb < loss:
                            loss = adb
                        recov = adb - loss
                        la[j, g, k, L_LOSS] += loss
                        la[j, g, k, L_LIQ] += recov
                        if pof > 0.0:
                            la[j, g, k, L_LOSS_PO] += loss * pof
                            la[j, g, k, L_LIQ_PO] += recov * pof
                if conc:
                    bb[k] = beg
                out[g, k, END] += end
                out[g, k, SCHED] += sched
                out[g, k, PREPAY] += vol
                out[g, k, GROSS] += int_bal * r
                out[g, k, SERV] += int_bal * sfr
                out[g, k, TRUSTEE] += beg * tfr
                out[g, k, PPIS] += vol * ppr
                out[g, k, NEWDEF] += nd
                if dq60 > 0.0:
                    out[g, k, DQ60] += dq60
                if pof > 0.0:
                    out[g, k, END_PO] += end * pof
                    out[g, k, SCHED_PO] += sched * pof
                    out[g, k, PREPAY_PO] += vol * pof
            if conc:  # apart from the recurrence above, so that it stays a tight loop
                for k in range(n):
                    if bb[k] > big[g, k, EXT_LARGEST]:
                        big[g, k, EXT_LARGEST] = bb[k]
                if zs >= 0:
                    for k in range(n):
                        zb[zs, k] += bb[k]
        if n_chunks == 1:
            for z in range(n_z):
                zg = zgroup[z]
                for k in range(n_periods):
                    if zb[z, k] > big[zg, k, EXT_ZIP]:
                        big[zg, k, EXT_ZIP] = zb[z, k]
    return acc, lacc, ext, zacc
