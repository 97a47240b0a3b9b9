"""Run the rmbs engine and the Group 2 reference on the same per-date inputs and list every difference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from rmbs.deal.loader import load_deal
from rmbs.waterfall import GroupPeriodInput, WaterfallEngine
from tests.waterfall_reference import group2 as ref

FIELDS = ("interest", "principal", "loss", "writedown", "end", "unpaid")
_D3 = None


def deal3():  # type: ignore[no-untyped-def]
    global _D3
    if _D3 is None:
        _D3 = load_deal("boams-2002-3")
    return _D3


@dataclass
class EngineDate:
    interest: dict[str, int]
    principal: dict[str, int]
    loss: dict[str, int]
    writedown: dict[str, int]
    end: dict[str, int]
    unpaid: dict[str, int]
    po_deferred_paid: int
    residual: int
    pda: int


def engine_group2(
    periods: Sequence[dict[str, GroupPeriodInput]],
    switches: dict[str, str] | None = None,
    libor: Decimal | None = None,
) -> list[EngineDate]:
    """The engine's Group 2 figures on every date it distributed (one array run)."""
    e = WaterfallEngine(deal3(), switches)
    inp = np.stack([e.input_row(p) for p in periods])[None]
    r = e.run(inp, lambda _q: libor)
    names = e.plan.names
    ix = {n: names.index(n) for n in ref.CLASSES}
    g = e.plan.group_ids.index("2")
    out = []
    for t in range(int(r.out.done[0])):

        def col(a, t=t):  # type: ignore[no-untyped-def]
            return {n: int(a[0, t, i]) for n, i in ix.items()}

        out.append(EngineDate(col(r.out.int), col(r.out.prin), col(r.out.loss), col(r.out.wd), col(r.out.end),
                              {n: v for n, v in col(r.out.unpaid).items() if n != ref.PO},
                              int(r.out.pod[0, t, ix[ref.PO]]), int(r.group("residual_paid")[0, t, g]),
                              int(r.group("pool_distribution_amount")[0, t, g])))  # fmt: skip
    return out


def reference_group2(
    periods: Sequence[dict[str, GroupPeriodInput]], st: ref.State | None = None
) -> list[ref.DateOut]:
    st = st or ref.State()
    return [ref.distribute(st, p.get("2", GroupPeriodInput())) for p in periods]


def differences(eng: list[EngineDate], rf: list[ref.DateOut], limit: int = 30) -> list[str]:
    """Every figure where the two disagree: (period, class, field, engine, reference)."""
    diffs: list[str] = []
    n = min(len(eng), len(rf))
    for t in range(n):
        e, r = eng[t], rf[t]
        for f in FIELDS:
            ev, rv = getattr(e, f), getattr(r, f)
            for c in rv:
                if ev.get(c, 0) != rv[c]:
                    diffs.append(f"period {t + 1} {c} {f}: engine {ev.get(c, 0)} reference {rv[c]}")
        for f in ("po_deferred_paid", "residual", "pda"):
            if getattr(e, f) != getattr(r, f):
                diffs.append(f"period {t + 1} {f}: engine {getattr(e, f)} reference {getattr(r, f)}")
        if len(diffs) >= limit:
            break
    # the engine stops once every class of the deal is retired; the reference must have nothing left to pay
    for r in rf[n:]:
        if any(r.end.values()) or any(r.interest.values()) or any(r.principal.values()):
            diffs.append(f"period {r.period}: the engine stopped, the reference still distributes")
            break
    return diffs


def figures_compared(rf: list[ref.DateOut]) -> int:
    return len(rf) * (len(FIELDS) * len(ref.CLASSES) + 3)


def engine_from_results(results) -> list[EngineDate]:  # type: ignore[no-untyped-def]
    """The engine's Group 2 figures from a run's PeriodResults (``rmbs.waterfall.project.run_deal``)."""
    out = []
    for pr in results:
        cl, g = pr.classes, pr.groups["2"]

        def f(attr: str, names=ref.CLASSES, cl=cl) -> dict[str, int]:  # type: ignore[no-untyped-def]
            return {c: int(getattr(cl[c], attr)) for c in names}

        out.append(EngineDate(f("interest_paid"), f("principal_paid"), f("realized_loss"), f("writedown"),
                              f("ending_balance"), f("unpaid_interest_shortfall", ref.INTEREST_BEARING),
                              cl[ref.PO].po_deferred_paid, g.residual_paid, g.pool_distribution_amount))  # fmt: skip
    return out
