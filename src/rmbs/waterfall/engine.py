"""A deal's waterfall as a user calls it: the plan of its deal file and readings, run by the one interpreter.

:class:`WaterfallEngine` compiles the plan once (:mod:`rmbs.waterfall.plan`) and runs :func:`rmbs.waterfall.interp.run`
for any number of scenarios and dates -- a projection from the cut-off state, or one monthly posting from the
ledger's stored state -- and turns the arrays into results. It holds no rule of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import date
from decimal import Decimal
from typing import NamedTuple

import numba
import numpy as np

from rmbs.deal.schema import Deal
from rmbs.waterfall.batch import F64, ClassFlows, class_flows
from rmbs.waterfall.interp import GROUP_OUT, PCT_UNITS
from rmbs.waterfall.interp import run as interpret
from rmbs.waterfall.plan import HORIZON, KernelPlan, Plan, compile_plan, dates_of
from rmbs.waterfall.prim import I64
from rmbs.waterfall.results import period_results
from rmbs.waterfall.state import KernelOut, KernelState, from_arrays, initial_state, new_out, to_arrays
from rmbs.waterfall.types import (
    HUNDRED,
    INPUT_AXIS,
    ClassResult,
    ConservationError,
    DealState,
    GroupPeriodInput,
    GroupResult,
    PeriodResult,
    cents,
    distribution_date,
)

__all__ = [
    "HUNDRED",
    "ClassResult",
    "ConservationError",
    "DealState",
    "GroupPeriodInput",
    "GroupResult",
    "PeriodResult",
    "Run",
    "WaterfallEngine",
    "cents",
    "distribution_date",
]


class _Rates(NamedTuple):
    num: I64  # (horizon, C)
    den: I64
    table: list[list[Decimal]]  # (T, C)
    pct: F64  # (T, C)


MIN_PER_THREAD = 16  # scenarios; below this a second thread costs more than it saves
IndexAt = Callable[[int], "Decimal | None"]  # LIBOR (percent) for a period number, None before any is set


@dataclass
class Run:
    """One call of the interpreter: ``S`` scenarios from a common first period."""

    plan: Plan
    inp: I64  # (S, T, G, F)
    out: KernelOut
    state: KernelState
    first_period: int
    dates: list[date]
    rates: list[list[Decimal]]  # (T, C) each class's Pass-Through Rate on each date
    rate_pct: F64  # the same as floats (percent), for the batch view

    def flows(self) -> ClassFlows:
        """Every class of every scenario as arrays (:mod:`rmbs.waterfall.batch`), no per-date objects."""
        return class_flows(self)

    def results(self, s: int) -> list[PeriodResult]:
        return period_results(self.plan, self.out, self.inp, s, self.dates, self.rates, self.first_period)

    def final_state(self, s: int) -> DealState:
        return from_arrays(self.plan, self.state, s)

    def group(self, key: str) -> I64:
        """One group figure of every scenario, date and group: (S, T, G) int64."""
        out: I64 = self.out.grp[:, :, :, GROUP_OUT.index(key)]
        return out


def _interpret(
    inp: I64, ends: I64, kp: KernelPlan, num: I64, den: I64, st: KernelState, out: KernelOut
) -> None:
    """The interpreter over the scenario axis, split across threads (it runs without the GIL) when the batch is
    big enough to be worth it; each thread has its own slice of every state and output array."""
    S = inp.shape[0]
    threads = min(int(getattr(numba.config, "NUMBA_NUM_THREADS", 1)), S // MIN_PER_THREAD)
    if threads <= 1:
        interpret(inp, ends, kp, num, den, st, out)
        return
    cuts = np.linspace(0, S, threads + 1).astype(np.int64)

    def part(k: int) -> None:
        a, b = int(cuts[k]), int(cuts[k + 1])
        interpret(
            inp[a:b], ends[a:b], kp, num, den,
            KernelState(*(x[a:b] for x in st)), KernelOut(*(x[a:b] for x in out)),
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(part, range(threads)))


class WaterfallEngine:
    """Runs a :class:`Deal` under its readings (``switches`` override the deal file's defaults)."""

    def __init__(self, deal: Deal, switches: dict[str, str] | None = None, horizon: int = HORIZON) -> None:
        self.deal = deal
        self.plan = compile_plan(deal, switches, horizon)
        self.switches = self.plan.switches
        self.horizon = horizon
        self._coupons = {c.name: c.coupon for c in deal.classes}
        self._rate_memo: dict[tuple[int, int, tuple[Decimal | None, ...]], _Rates] = {}

    def sw(self, name: str, default: str = "") -> str:
        return self.switches.get(name, default)

    def initial_state(self) -> DealState:
        return initial_state(self.plan)

    # ------------------------------------------------------------------------------------------------- rates
    def rate(self, name: str, period: int, index: Decimal | None) -> Decimal:
        """The Pass-Through Rate of class ``name`` for ``period``: fixed, or the floater formula on the period's
        index (the initial rate on the first date, 5.09 L4240-4277); 0 for a principal-only class."""
        c = self._coupons[name]
        if c.kind == "none":
            return Decimal(0)
        if c.kind == "fixed":
            assert c.rate is not None
            return c.rate
        assert c.initial_rate is not None and c.margin is not None and c.multiplier is not None
        assert c.floor is not None and c.cap is not None
        if period == 1 or index is None:
            return c.initial_rate
        return min(max(c.margin + c.multiplier * index, c.floor), c.cap)

    def _rates(self, index_at: IndexAt, first: int, n: int) -> _Rates:
        """Every class's rate on dates ``first`` .. ``first + n - 1`` as the interpreter's monthly fractions
        (num / den by period) and as a table (Decimals, floats); the same index path gives the same object (a
        grid's chunks run on one path)."""
        path = tuple(index_at(q) for q in range(first, first + n))
        key = (first, n, path)
        hit = self._rate_memo.get(key)
        if hit is not None:
            return hit
        C = len(self.plan.names)
        num = np.zeros((self.horizon, C), dtype=np.int64)
        den = np.ones((self.horizon, C), dtype=np.int64)
        table = []
        for q, index in zip(range(first, first + n), path, strict=True):
            row = [self.rate(name, q, index) for name in self.plan.names]
            for c, r in enumerate(row):
                a, b = r.as_integer_ratio()
                num[q - 1, c] = a
                den[q - 1, c] = b * 1200  # a monthly rate: percent / 100 / 12
            table.append(row)
        pct = np.array([[float(r) for r in row] for row in table], dtype=np.float64).reshape(n, C)
        if len(self._rate_memo) >= 16:
            self._rate_memo.clear()
        out = _Rates(num, den, table, pct)
        self._rate_memo[key] = out
        return out

    # -------------------------------------------------------------------------------------------------- runs
    def run(
        self,
        inp: I64,
        index_at: IndexAt,
        states: Sequence[DealState] | None = None,
        t_end: I64 | None = None,
    ) -> Run:
        """Distribute ``inp`` (scenario, date, group in deal order, field of INPUT_AXIS) from ``states`` (default:
        the cut-off state for every scenario), at most ``t_end[s]`` dates for scenario ``s``."""
        S, T, G, F = inp.shape
        if len(INPUT_AXIS) != F or len(self.plan.group_ids) != G:
            raise ValueError(
                f"input array of shape {inp.shape}: expected (S, T, {len(self.plan.group_ids)}, {len(INPUT_AXIS)})"
            )
        sts = list(states) if states is not None else [self.initial_state()] * S
        first = sts[0].period + 1
        if any(x.period + 1 != first for x in sts):
            raise ValueError("the scenarios of one run start from the same period")
        if first - 1 + T > self.horizon:
            raise ValueError(f"periods {first}..{first + T - 1} beyond the plan's {self.horizon} dates")
        num, den, table, pct = self._rates(index_at, first, T)
        st = to_arrays(self.plan, sts)
        out = new_out(S, T, len(self.plan.names), G, len(self.plan.coverage))
        ends = np.full(S, T, dtype=np.int64) if t_end is None else np.ascontiguousarray(t_end, dtype=np.int64)
        _interpret(np.ascontiguousarray(inp, dtype=np.int64), ends, self.plan.kernel, num, den, st, out)
        if out.error.any():
            s = int(np.nonzero(out.error)[0][0])
            raise ConservationError(
                f"{self.deal.deal_id} scenario {s} period {int(out.error[s])}: cash not conserved or a balance "
                "does not roll forward"
            )
        return Run(self.plan, inp, out, st, first, dates_of(self.deal, T, first), table, pct)

    def input_row(self, inputs: dict[str, GroupPeriodInput]) -> I64:
        """One date's inputs, keyed by loan group, as the interpreter's (group, field) rows."""
        row = np.zeros((len(self.plan.group_ids), len(INPUT_AXIS)), dtype=np.int64)
        names = [f.name for f in fields(GroupPeriodInput)]
        for g, rules in enumerate(self.deal.groups):
            gi = inputs.get(rules.loan_group)
            if gi is not None:
                row[g] = [int(getattr(gi, n)) for n in names]
        return row

    def run_period(
        self,
        state: DealState,
        inputs: dict[str, GroupPeriodInput],
        index: Decimal | None = None,
        on: date | None = None,
    ) -> tuple[DealState, PeriodResult]:
        """Distribute the date after ``state`` (which is not modified): a monthly posting."""
        inp = self.input_row(inputs)[None, None]
        r = self.run(inp, lambda _q: index, [state])
        results = r.results(0)
        if not results:  # every class was retired before this date: nothing is distributed
            raise ConservationError(
                f"{self.deal.deal_id}: the certificates are retired; nothing to distribute"
            )
        res = results[0]
        if on is not None:
            res.date = on
        return r.final_state(0), res

    def following_percentages(
        self, state: DealState, delinquent_60_plus: dict[str, int]
    ) -> dict[str, tuple[Decimal, Decimal | None, Decimal]]:
        """Senior, Priority and Senior Prepayment Percentages for the Distribution Date after ``state``, by group id,
        as the interpreter figures them from the balances after the last date (the step-down tests run with
        ``delinquent_60_plus`` standing in for the next month's delinquencies, which are not known yet). After the
        final distribution the same rules run on the zero balances (a Senior Percentage of 100%, as 1.01 defines it
        for an empty denominator)."""
        if state.retired:
            state = replace(state, retired=False)
        inp = np.zeros((1, 1, len(self.plan.group_ids), len(INPUT_AXIS)), dtype=np.int64)
        dq = INPUT_AXIS.index("delinquent_60_plus")
        for g, gid in enumerate(self.plan.group_ids):
            inp[0, 0, g, dq] = delinquent_60_plus.get(gid, 0)
        r = self.run(inp, lambda _q: None, [state])
        unit = Decimal(PCT_UNITS // 100)
        out = {}
        for g, gid in enumerate(self.plan.group_ids):
            row = r.out.grp[0, 0, g]
            prio = int(row[GROUP_OUT.index("priority_percentage")])
            out[gid] = (
                Decimal(int(row[GROUP_OUT.index("senior_percentage")])) / unit,
                None if prio < 0 else Decimal(prio) / unit,
                Decimal(int(row[GROUP_OUT.index("senior_prepayment_percentage")]))
                / (unit * self.plan.kernel.share_den),
            )
        return out
