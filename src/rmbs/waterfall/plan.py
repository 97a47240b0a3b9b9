"""A deal file and its readings compiled into the interpreter's plan: plain arrays and integer codes.

:func:`compile_plan` turns a :class:`~rmbs.deal.schema.Deal` and its switch readings into a :class:`KernelPlan`
(classes, groups, the 5.02(b) step programme, constants as exact integer fractions, date tables, readings as
codes) plus the citations and names a report needs (:class:`Plan`). Every switch a deal declares must be one the
interpreter knows, with readings it implements (:data:`READINGS`); anything else is an error naming the switch,
the deal file and its line -- at ``rmbs lint`` and at run time. Nothing falls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import numpy as np

from rmbs.deal.schema import Capped, Concurrent, Deal, GroupRules, ProRata, Sequential, Step
from rmbs.errors import DealError
from rmbs.waterfall.prim import I64
from rmbs.waterfall.readings import resolve_switches
from rmbs.waterfall.steps import CAP, CONC, PRO, SEQ
from rmbs.waterfall.types import HUNDRED, cents, distribution_date

HORIZON = 720  # distribution dates the date tables cover (60 years; a 30-year pool needs 360-ish)


class KernelPlan(NamedTuple):
    """What the interpreter reads: index tables (``-1`` padded), scaled constants and reading codes."""

    n_classes: int
    n_groups: int
    ref: I64  # (C,) the class whose balance a class reports (a notional class: its reference)
    group_of: I64  # (C,) group index, -1 for none
    is_int: I64  # (C,) 1 if the class is paid interest
    g_po: I64  # (G,) PO component class or -1
    g_subs: I64
    g_nsubs: I64
    g_members: I64  # the group's classes with a balance (not notional)
    g_nmembers: I64
    g_spnum: I64
    g_nspnum: I64
    g_spden: I64
    g_nspden: I64
    g_fiden: I64
    g_nfiden: I64
    g_ofi: I64  # (G, nsub) Original Fractional Interest in percent x ofi_den; 0 = no test
    ofi_den: int
    g_int: I64
    g_nint: I64
    g_sint: I64
    g_nsint: I64
    g_prio: I64
    g_prio_base: I64  # 0: Non-PO Principal Amount, 1: SPDA
    g_prioden: I64
    g_nprioden: I64
    g_spc: I64
    g_nspc: I64
    sup_from: I64
    sup_to: I64
    g_nsup: I64
    shift_num: I64  # (H, G) Shift Percentage x shift_den
    shift_den: int
    share_num: I64  # (H, G) senior share of the Subordinate Percentage x share_den
    share_den: int
    dq_lim_num: I64  # (G,) delinquency limit percent x dq_lim_den
    dq_lim_den: int
    loss_lim_num: I64  # (H, G) cumulative loss limit in cents x loss_lim_den
    loss_lim_den: int
    g_steps: I64
    g_nsteps: I64
    st_kind: I64
    st_cls: I64
    st_ncls: I64
    st_inner: I64
    st_nleg: I64
    leg_kind: I64
    leg_tgt: I64
    leg_pct: I64
    st_pct_den: I64
    st_nui: I64
    ui_pct: I64
    ui_leg: I64
    leg_until: I64
    st_until: I64
    st_nuntil: I64
    st_mode: I64  # 0 fall through, 1 redistribute
    n_cov: int
    cov_field: I64  # (K,) 0 special hazard, 1 fraud, 2 bankruptcy
    cov_pct_num: I64  # (H, K) pool percent cap x cov_pct_den, -1 = none
    cov_pct_den: int
    cov_ll_num: I64  # (K,) largest-loan multiple x cov_ll_den, -1 = none
    cov_ll_den: int
    cov_zip: I64
    r_fraction_pct: bool
    r_both: bool
    r_blocked: int  # 0 prior_tier, 1 last_value, 2 full
    r_dq_excl: bool
    r_loss_current: bool
    r_ofi_closing: bool
    r_spda_subs: bool
    r_depl_seniors: bool
    r_restricted_seq: bool
    r_prs_after: bool
    r_reduce_ida: bool
    r_accrue_after: bool
    r_senior_loss_po: bool
    r_excess_seniors_only: bool
    r_same_dd: bool
    r_cascade: bool
    r_po_wd_every: bool
    r_final_x: bool


@dataclass
class Plan:
    """A compiled deal: the kernel's arrays, and the names and citations that explain them."""

    deal: Deal
    switches: dict[str, str]
    kernel: KernelPlan
    names: list[str]
    group_ids: list[str]
    coverage: list[str]
    step_psa: list[str]  # each step's PSA citation, by step index
    initial_senior_percentage: list[int]  # per group, units of 10^-6 percent


def _scaled(d: Decimal, scale: int, what: str) -> int:
    v = d * scale
    if v != v.to_integral_value():
        raise DealError(f"{what}: {d} is not a multiple of 1/{scale}")
    return int(v)


def _den(values: list[Decimal]) -> int:
    """10^(the most decimal places among ``values``): the scale that makes them all integers."""
    places = [0]
    for v in values:
        exp = v.normalize().as_tuple().exponent
        places.append(max(0, -int(exp)) if isinstance(exp, int) else 0)
    return int(10 ** max(places))


def _pad(rows: list[list[int]], fill: int = -1) -> I64:
    width = max([1] + [len(r) for r in rows])
    out = np.full((max(len(rows), 1), width), fill, dtype=np.int64)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _counts(rows: list[list[int]]) -> I64:
    return np.array([len(r) for r in rows] or [0], dtype=np.int64)


def _leg_contains(pay: str | Step, name: str) -> bool:
    if isinstance(pay, str):
        return pay == name
    if isinstance(pay, Capped):
        return _leg_contains(pay.step, name)
    if isinstance(pay, Concurrent):
        return any(_leg_contains(leg.pay, name) for leg in pay.legs)
    return name in pay.classes


def compile_plan(deal: Deal, overrides: dict[str, str] | None = None, horizon: int = HORIZON) -> Plan:
    """The plan of ``deal`` under its readings (defaults, with ``overrides``)."""
    sw = resolve_switches(deal, overrides)
    names = [c.name for c in deal.classes]
    ix = {n: i for i, n in enumerate(names)}
    cmap = deal.class_map()
    gids = [g.id for g in deal.groups]
    po_excluded = sw.get("po_in_percentages") == "exclude"

    def members(lst: list[str], g: GroupRules) -> list[int]:
        return [ix[n] for n in lst if not (po_excluded and n == g.po_class)]

    no_interest = {g.residual for g in deal.groups} if sw.get("residual_lr_interest") == "none" else set()
    interest_of = [
        [ix[c.name] for c in deal.classes if c.group == g.id and c.coupon.kind != "none"] for g in deal.groups
    ]
    interest_of = [[i for i in row if names[i] not in no_interest] for row in interest_of]
    interest = {i for row in interest_of for i in row}

    # ---- the senior principal programme
    steps: list[dict[str, Any]] = []
    step_psa: list[str] = []

    def add_simple(st: Step, where: str) -> int:
        if not isinstance(st, Sequential | ProRata):
            raise DealError(
                f"{where}: a {st.kind} step nested here is not implemented by the interpreter",
                file=deal.source,
                expected="sequential or pro_rata",
            )
        steps.append({"kind": SEQ if isinstance(st, Sequential) else PRO, "cls": [ix[n] for n in st.classes]})
        step_psa.append(st.psa)
        return len(steps) - 1

    def add_top(st: Step, where: str) -> int:
        if isinstance(st, Sequential | ProRata):
            return add_simple(st, where)
        if isinstance(st, Capped):
            inner = add_simple(st.step, where)
            steps.append({"kind": CAP, "inner": inner})
            step_psa.append(st.psa)
            return len(steps) - 1
        assert isinstance(st, Concurrent)
        pcts = [Decimal(sw[leg.pct_switch]) if leg.pct_switch else leg.pct for leg in st.legs]
        if sw.get("concurrent_pct_sum") == "normalize" and sum(pcts) > 0:
            total = sum(pcts)
            pcts = [x * HUNDRED / total for x in pcts]
        until_info = []
        for n in st.until:
            carrying = [k for k, leg in enumerate(st.legs) if _leg_contains(leg.pay, n)]
            leg_pct = sum((pcts[k] for k in carrying), Decimal(0))
            if leg_pct > 0:
                until_info.append((leg_pct, carrying[0]))
        # normalized percentages need not terminate: carry 14 decimals, the printed ones are exact at 10
        scale = min(_den(list(pcts) + [q for q, _ in until_info]), 10**14)
        legs = [
            (0, ix[leg.pay]) if isinstance(leg.pay, str) else (1, add_simple(leg.pay, where))
            for leg in st.legs
        ]
        mode = sw.get(st.spill_switch or "concurrent_retired_leg", "fall_through")
        steps.append(
            {
                "kind": CONC,
                "legs": legs,
                "pct": [int(x * scale) for x in pcts],
                "den": scale,
                "ui": [(int(q * scale), k) for q, k in until_info],
                "until_legs": [
                    i for i, leg in enumerate(st.legs) if any(_leg_contains(leg.pay, n) for n in st.until)
                ],
                "until": [ix[n] for n in st.until],
                "mode": 1 if mode == "redistribute" else 0,
            }
        )
        step_psa.append(st.psa)
        return len(steps) - 1

    g_steps = [
        [add_top(st, f"group {g.id} step {i + 1}") for i, st in enumerate(g.senior_principal)]
        for g in deal.groups
    ]
    K = max(len(steps), 1)
    L = max([1] + [len(s.get("legs", [])) for s in steps])
    a = {
        "st_kind": np.zeros(K, dtype=np.int64),
        "st_inner": np.full(K, -1, dtype=np.int64),
        "st_nleg": np.zeros(K, dtype=np.int64),
        "leg_kind": np.zeros((K, L), dtype=np.int64),
        "leg_tgt": np.zeros((K, L), dtype=np.int64),
        "leg_pct": np.zeros((K, L), dtype=np.int64),
        "leg_until": np.zeros((K, L), dtype=np.int64),
        "st_pct_den": np.ones(K, dtype=np.int64),
        "st_mode": np.zeros(K, dtype=np.int64),
    }
    cls_rows: list[list[int]] = []
    ui_p: list[list[int]] = []
    ui_l: list[list[int]] = []
    until_rows: list[list[int]] = []
    for k, st in enumerate(steps):
        a["st_kind"][k] = st["kind"]
        cls_rows.append(list(st.get("cls", [])))
        if st["kind"] == CAP:
            a["st_inner"][k] = st["inner"]
        if st["kind"] == CONC:
            legs = st["legs"]
            a["st_nleg"][k] = len(legs)
            for i, (lk, tgt) in enumerate(legs):
                a["leg_kind"][k, i] = lk
                a["leg_tgt"][k, i] = tgt
                a["leg_pct"][k, i] = st["pct"][i]
                a["leg_until"][k, i] = 1 if i in st["until_legs"] else 0
            a["st_pct_den"][k] = st["den"]
            a["st_mode"][k] = st["mode"]
        ui_p.append([q for q, _ in st.get("ui", [])])
        ui_l.append([i for _, i in st.get("ui", [])])
        until_rows.append(list(st.get("until", [])))

    # ---- date tables: step-down shares, Shift Percentages, loss limits, coverage caps
    dates = [distribution_date(deal.first_distribution_date, q) for q in range(1, horizon + 1)]
    G = len(deal.groups)
    share_den = _den([v for g in deal.groups for _, v in g.step_down.senior_share_of_subordinate.rows])
    shift_den = _den([v for g in deal.groups if g.priority for _, v in g.priority.shift.rows])
    lim_den = _den(
        [
            cents(g.step_down.original_subordinate_balance) * v / HUNDRED
            for g in deal.groups
            for _, v in g.step_down.loss_limits.rows
        ]
    )
    share_num = np.zeros((horizon, G), dtype=np.int64)
    shift_num = np.zeros((horizon, G), dtype=np.int64)
    loss_lim = np.zeros((horizon, G), dtype=np.int64)
    for gi, g in enumerate(deal.groups):
        sd = g.step_down
        osb = cents(sd.original_subordinate_balance)
        for t, dd in enumerate(dates):
            share_num[t, gi] = _scaled(sd.senior_share_of_subordinate.at(dd), share_den, "step-down share")
            if g.priority is not None:
                shift_num[t, gi] = _scaled(g.priority.shift.at(dd), shift_den, "Shift Percentage")
            loss_lim[t, gi] = _scaled(osb * sd.loss_limits.at(dd) / HUNDRED, lim_den, "loss limit")
    dq_vals = [g.step_down.delinquency_limit for g in deal.groups]
    dq_den = _den(dq_vals)
    use_ofi = sw.get("original_fractional_interest") != "closing_levels"
    ofis = [cmap[s].original_fractional_interest or Decimal(0) for g in deal.groups for s in g.subordinates]
    ofi_den = _den(ofis)
    cov = list(deal.coverage)
    cov_den = _den([v for c in cov if c.pool_pct_caps for _, v in c.pool_pct_caps.rows])
    ll_den = _den([c.largest_loan_multiple for c in cov if c.largest_loan_multiple is not None])
    cov_pct = np.full((horizon, max(len(cov), 1)), -1, dtype=np.int64)
    for k, c in enumerate(cov):
        if c.pool_pct_caps is not None:
            for t, dd in enumerate(dates):
                cov_pct[t, k] = _scaled(c.pool_pct_caps.at(dd), cov_den, f"{c.name} cap")

    def per_group(f: Any) -> tuple[I64, I64]:
        rows = [f(g) for g in deal.groups]
        return _pad(rows), _counts(rows)

    g_subs, g_nsubs = per_group(lambda g: [ix[n] for n in g.subordinates])
    g_members, g_nmembers = per_group(
        lambda g: [ix[c.name] for c in deal.classes if c.group == g.id and c.kind != "io"]
    )
    g_spnum, g_nspnum = per_group(lambda g: members(g.senior_percentage_numerator, g))
    g_spden, g_nspden = per_group(lambda g: members(g.senior_percentage_denominator, g))
    g_fiden, g_nfiden = per_group(lambda g: members(g.fractional_interest_denominator, g))
    g_int, g_nint = per_group(lambda g: interest_of[gids.index(g.id)])
    g_sint, g_nsint = per_group(lambda g: [ix[n] for n in g.senior_interest if ix[n] in interest])
    g_prioden, g_nprioden = per_group(lambda g: members(g.priority.denominator, g) if g.priority else [])
    g_spc, g_nspc = per_group(lambda g: [ix[n] for n in g.senior_principal_classes])

    def on(name: str, value: str) -> bool:
        return sw.get(name) == value

    def off(name: str, value: str) -> bool:
        return name not in sw or sw[name] != value

    kp = KernelPlan(
        n_classes=len(names),
        n_groups=G,
        ref=np.array([ix[cmap[n].notional_of or n] for n in names], dtype=np.int64),
        group_of=np.array(
            [gids.index(c.group) if c.group in gids else -1 for c in deal.classes], dtype=np.int64
        ),
        is_int=np.array([1 if i in interest else 0 for i in range(len(names))], dtype=np.int64),
        g_po=np.array([ix[g.po_class] if g.po_class else -1 for g in deal.groups], dtype=np.int64),
        g_subs=g_subs,
        g_nsubs=g_nsubs,
        g_members=g_members,
        g_nmembers=g_nmembers,
        g_spnum=g_spnum,
        g_nspnum=g_nspnum,
        g_spden=g_spden,
        g_nspden=g_nspden,
        g_fiden=g_fiden,
        g_nfiden=g_nfiden,
        g_ofi=_pad(
            [
                [
                    _scaled(cmap[s].original_fractional_interest or Decimal(0), ofi_den, "OFI")
                    if use_ofi
                    else 0
                    for s in g.subordinates
                ]
                for g in deal.groups
            ],
            0,
        ),
        ofi_den=ofi_den,
        g_int=g_int,
        g_nint=g_nint,
        g_sint=g_sint,
        g_nsint=g_nsint,
        g_prio=np.array(
            [ix[g.priority.class_name] if g.priority else -1 for g in deal.groups], dtype=np.int64
        ),
        g_prio_base=np.array(
            [
                0 if (g.priority is None or g.priority.base == "non_po_principal_amount") else 1
                for g in deal.groups
            ],
            dtype=np.int64,
        ),
        g_prioden=g_prioden,
        g_nprioden=g_nprioden,
        g_spc=g_spc,
        g_nspc=g_nspc,
        sup_from=_pad([[ix[x.supported] for x in g.loss_support] for g in deal.groups], 0),
        sup_to=_pad([[ix[x.support] for x in g.loss_support] for g in deal.groups], 0),
        g_nsup=np.array([len(g.loss_support) for g in deal.groups], dtype=np.int64),
        shift_num=shift_num,
        shift_den=shift_den,
        share_num=share_num,
        share_den=share_den,
        dq_lim_num=np.array([_scaled(v, dq_den, "delinquency limit") for v in dq_vals], dtype=np.int64),
        dq_lim_den=dq_den,
        loss_lim_num=loss_lim,
        loss_lim_den=lim_den,
        g_steps=_pad(g_steps),
        g_nsteps=_counts(g_steps),
        st_cls=_pad(cls_rows),
        st_ncls=_counts(cls_rows),
        st_nui=_counts(ui_p),
        ui_pct=_pad(ui_p, 1),
        ui_leg=_pad(ui_l, 0),
        st_until=_pad(until_rows),
        st_nuntil=_counts(until_rows),
        n_cov=len(cov),
        cov_field=np.array(
            [("special_hazard", "fraud", "bankruptcy").index(c.name) for c in cov] or [0], dtype=np.int64
        ),
        cov_pct_num=cov_pct,
        cov_pct_den=cov_den,
        cov_ll_num=np.array(
            [
                -1
                if c.largest_loan_multiple is None
                else _scaled(c.largest_loan_multiple, ll_den, "multiple")
                for c in cov
            ]
            or [-1],
            dtype=np.int64,
        ),
        cov_ll_den=ll_den,
        cov_zip=np.array([1 if c.largest_zip else 0 for c in cov] or [0], dtype=np.int64),
        r_fraction_pct=on("percentage_rounding", "fraction_6dp"),
        r_both=off("stepdown_conditions", "either"),
        r_blocked={"prior_tier": 0, "last_value": 1, "full": 2}[sw.get("blocked_stepdown", "prior_tier")],
        r_dq_excl=on("delinquency_window", "excluding_current"),
        r_loss_current=off("loss_test_losses", "prior_dates"),
        r_ofi_closing=not use_ofi,
        r_spda_subs=off("spda_excess", "residual"),
        r_depl_seniors=off("depletion_subpda", "residual"),
        r_restricted_seq=off("restricted_leftover", "residual"),
        r_prs_after=off("pro_rata_share_balances", "before_losses"),
        r_reduce_ida=off("interest_reduction_basis", "aci"),
        r_accrue_after=on("interest_balance", "after_losses"),
        r_senior_loss_po=on("senior_loss_set", "include_po"),
        r_excess_seniors_only=off("excess_loss_to", "all_pro_rata"),
        r_same_dd=off("depletion_timing", "next_dd"),
        r_cascade=off("writedown_cascade", "junior_only"),
        r_po_wd_every=off("po_writedown", "after_depletion"),
        r_final_x=off("final_distribution", "formula"),
        **a,
    )
    init = {c.name: cents(c.initial_balance) for c in deal.classes if c.kind != "io"}
    isp = []
    for gi, _g in enumerate(deal.groups):
        num = sum(init.get(names[i], 0) for i in g_spnum[gi, : g_nspnum[gi]])
        den = sum(init.get(names[i], 0) for i in g_spden[gi, : g_nspden[gi]])
        isp.append(_pct_python(num, den, kp.r_fraction_pct))
    return Plan(deal, sw, kp, names, gids, [c.name for c in cov], step_psa, isp)


def _pct_python(num: int, den: int, fraction: bool) -> int:
    """The interpreter's percentage rounding for the one figure the plan needs before any date runs (the initial
    Senior Percentage); the interpreter's own ``_pct`` is the rule -- this is its value at the cut-off."""
    from rmbs.waterfall.percentages import PCT_UNITS
    from rmbs.waterfall.percentages import percentage as _pct

    if den == 0:
        return PCT_UNITS
    return min(PCT_UNITS, int(getattr(_pct, "py_func", _pct)(_Flags(fraction), num, den)))


class _Flags(NamedTuple):
    r_fraction_pct: bool


def dates_of(deal: Deal, n: int, first_period: int = 1) -> list[date]:
    return [distribution_date(deal.first_distribution_date, q) for q in range(first_period, first_period + n)]
