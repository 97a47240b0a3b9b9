"""The interpreter's output arrays as the objects reports and the ledger read: one :class:`PeriodResult` per date
with a :class:`ClassResult` per class and a :class:`GroupResult` per loan group."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rmbs.waterfall.interp import GROUP_OUT, PCT_UNITS
from rmbs.waterfall.plan import Plan
from rmbs.waterfall.prim import I64
from rmbs.waterfall.state import KernelOut
from rmbs.waterfall.types import F_END, F_END_PO, F_TRUSTEE, ClassResult, GroupResult, PeriodResult

_UNIT = Decimal(PCT_UNITS // 100)
_IDX = {k: i for i, k in enumerate(GROUP_OUT)}


def period_results(
    plan: Plan,
    out: KernelOut,
    inp: I64,
    s: int,
    dates: list[date],
    rates: list[list[Decimal]],
    first_period: int = 1,
) -> list[PeriodResult]:
    """Every date scenario ``s`` distributed, as result objects. ``rates[t][c]`` is class c's Pass-Through Rate on
    the t-th date of the run; ``first_period`` the period number of that first date."""
    n = int(out.done[s])
    names = plan.names
    deal = plan.deal
    kp = plan.kernel
    spp_den = _UNIT * kp.share_den
    fi_names = [tuple(g.subordinates) for g in deal.groups]
    sub_ix = [[names.index(x) for x in g.subordinates] for g in deal.groups]
    fi_den_ix = [[int(i) for i in kp.g_fiden[g, : kp.g_nfiden[g]]] for g in range(kp.n_groups)]
    cols = {
        k: getattr(out, k)[s, :n].tolist()
        for k in ("begin", "end", "prin", "int", "loss", "wd", "aci", "red", "pod", "unpaid")
    }
    grp = out.grp[s, :n].tolist()
    fee = inp[s, :n, :, F_TRUSTEE].tolist()
    non_po = (inp[s, :n, :, F_END] - inp[s, :n, :, F_END_PO]).tolist()
    cov = out.cov[s, :n].tolist()
    res: list[PeriodResult] = []
    for t in range(n):
        b, e, pr, it, lo, w, ac, rd, pd, up = (
            cols[k][t] for k in ("begin", "end", "prin", "int", "loss", "wd", "aci", "red", "pod", "unpaid")
        )
        classes = {
            name: ClassResult(name, b[c], ac[c], rd[c], it[c], up[c], pr[c], lo[c], w[c], e[c], rates[t][c], pd[c])
            for c, name in enumerate(names)
        }  # fmt: skip
        groups = {}
        for g, gid in enumerate(plan.group_ids):
            r = grp[t][g]

            def v(key: str, r: list[int] = r) -> int:
                return r[_IDX[key]]

            sp = Decimal(v("senior_percentage")) / _UNIT
            prio = v("priority_percentage")
            restricted_from = v("restricted_from")
            groups[gid] = GroupResult(
                group=gid,
                pool_distribution_amount=v("pool_distribution_amount"),
                senior_percentage=sp,
                senior_prepayment_percentage=Decimal(v("senior_prepayment_percentage")) / spp_den,
                subordinate_percentage=Decimal(100) - sp,
                delinquency_test_pass=bool(v("delinquency_test_pass")),
                loss_test_pass=bool(v("loss_test_pass")),
                restricted_classes=list(fi_names[g][restricted_from:]),
                priority_percentage=None if prio < 0 else Decimal(prio) / _UNIT,
                priority_amount=v("priority_amount"),
                senior_principal_distribution_amount=v("senior_principal_distribution_amount"),
                subordinate_principal_distribution_amount=v("subordinate_principal_distribution_amount"),
                po_principal_amount=v("po_principal_amount"),
                po_deferred_amount=v("po_deferred_amount"),
                depleted=bool(v("depleted")),
                residual_paid=v("residual_paid"),
                trustee_fee=fee[t][g],
                adjusted_pool_amount=v("adjusted_pool_amount"),
                adjusted_pool_amount_po=v("adjusted_pool_amount_po"),
                non_po_class_total=v("non_po_class_total"),
                non_po_pool_balance=non_po[t][g],
                cumulative_realized_losses=v("cumulative_realized_losses"),
                coverage_remaining={k: cov[t][g][i] for i, k in enumerate(plan.coverage)},
                fi_basis=(fi_names[g], tuple(b[i] for i in sub_ix[g]), sum(b[i] for i in fi_den_ix[g])),
                residual_interest=v("residual_interest"),
                residual_principal=v("residual_principal"),
                final_distribution=bool(v("final_distribution")),
                excess_loss=v("excess_loss"),
            )
        res.append(PeriodResult(first_period + t, dates[t], classes, groups))
    return res
