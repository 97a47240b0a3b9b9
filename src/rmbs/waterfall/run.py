"""Running a deal over many distribution dates and scenarios, and shaping the results.

``run_scenario`` walks the dates in order from the cut-off state (or a given state), exercising the optional
clean-up call when asked; ``frames`` turns the results into the ``classes`` / ``pool`` / ``tests`` tables of
``rmbs run``; ``class_summary`` gives each class's WAL, principal window and totals.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.calls import exercise_call
from rmbs.waterfall.engine import DealState, GroupPeriodInput, PeriodResult, WaterfallEngine, cents
from rmbs.waterfall.prim import I64
from rmbs.waterfall.types import INPUT_AXIS

MONEY = pl.Decimal(18, 2)


@dataclass(frozen=True)
class IndexPath:
    """One-month LIBOR for each accrual period (percent); the last value holds for later periods."""

    values: tuple[Decimal, ...]

    def at(self, period: int) -> Decimal:
        if not self.values:
            return Decimal(0)
        return self.values[min(period, len(self.values)) - 1]


def _rate(text: str, where: str) -> Decimal:
    try:
        v = Decimal(text.strip().rstrip("%"))
    except InvalidOperation as exc:
        raise ValidationError(
            f"not a rate: {text!r}", field=where, expected="a percentage such as 1.84"
        ) from exc
    if v < 0 or v > 100:
        raise ValidationError(f"rate {v} out of range", field=where, expected="0 to 100 percent")
    return v


def parse_index_path(spec: str | None, default: Decimal = Decimal("1.88")) -> IndexPath:
    """``1.84`` (flat), ``1.84,2.10,2.50`` (a vector by period) or a CSV file with one rate per row.

    With no path, LIBOR stays at the PSA's fallback of 1.88% (5.09, L4240-4269) -- the rate behind the first
    period's 2.380% / 6.120%.
    """
    if spec is None or spec == "":
        return IndexPath((default,))
    p = Path(spec)
    if p.suffix.lower() == ".csv" or p.is_file():
        if not p.is_file():
            raise ValidationError("index path file not found", file=p)
        vals: list[Decimal] = []
        with p.open(newline="") as fh:
            for i, row in enumerate(csv.reader(fh), start=1):
                if not row or not row[-1].strip():
                    continue
                cell = row[-1].strip()
                if i == 1 and not cell.replace(".", "", 1).isdigit():
                    continue  # header
                try:
                    vals.append(_rate(cell, "libor"))
                except ValidationError as exc:
                    raise ValidationError(exc.message, file=p, line=i, field="libor") from exc
        if not vals:
            raise ValidationError("no rates in the index path file", file=p)
        return IndexPath(tuple(vals))
    return IndexPath(tuple(_rate(x, "libor") for x in spec.split(",")))


def inputs_array(engine: WaterfallEngine, periods: Sequence[dict[str, GroupPeriodInput]]) -> I64:
    """One scenario's dates of inputs (keyed by loan group) as the interpreter's (1, T, G, F) array."""
    G = len(engine.plan.group_ids)
    out = np.zeros((1, len(periods), G, len(INPUT_AXIS)), dtype=np.int64)
    for t, inp in enumerate(periods):
        out[0, t] = engine.input_row(inp)
    return out


def run_scenario(
    engine: WaterfallEngine,
    periods: Sequence[dict[str, GroupPeriodInput]],
    index: IndexPath,
    *,
    cleanup_call: bool = False,
    state: DealState | None = None,
) -> list[PeriodResult]:
    """Distribute every date of ``periods`` in order (from ``state``, default the cut-off); with
    ``cleanup_call``, the optional termination on its first possible date (and nothing after)."""
    if not periods:
        return []
    inp = inputs_array(engine, periods)
    t_end = None
    if cleanup_call:
        inp, t_end = exercise_call(
            engine.deal, inp, engine.sw("cleanup_call_base", "aggregate") == "per_group"
        )
    run = engine.run(inp, index.at, [state] if state else None, t_end)
    return run.results(0)


def frames(
    deal: Deal,
    results: Sequence[Sequence[PeriodResult]],
    inputs: Sequence[Sequence[dict[str, GroupPeriodInput]]],
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """The ``classes``, ``pool`` and ``tests`` tables (amounts in dollars and cents) for every scenario."""
    initial = {c.name: Decimal(cents(c.initial_balance)) / 100 for c in deal.classes}
    crow: dict[str, list[Any]] = {k: [] for k in _CLASS_COLUMNS}
    prow: dict[str, list[Any]] = {k: [] for k in _POOL_COLUMNS}
    trow: dict[str, list[Any]] = {k: [] for k in _TEST_COLUMNS}
    group_of = {g.id: g for g in deal.groups}
    for s, (res, inp) in enumerate(zip(results, inputs, strict=True)):
        for r in res:
            for name, c in r.classes.items():
                crow["scenario"].append(s)
                crow["period"].append(r.period)
                crow["date"].append(r.date)
                crow["class"].append(name)
                for k in _CLASS_MONEY:
                    crow[k].append(getattr(c, k))
                crow["factor"].append(
                    (Decimal(c.ending_balance) / 100 / initial[name]).quantize(Decimal("0.0000000001"))
                    if initial[name]
                    else Decimal(0)
                )
            gi_all = inp[r.period - 1] if r.period - 1 < len(inp) else {}
            for gid, g in r.groups.items():
                gi = gi_all.get(group_of[gid].loan_group, GroupPeriodInput())
                if g.group != gid:
                    continue
                prow["scenario"].append(s)
                prow["period"].append(r.period)
                prow["date"].append(r.date)
                prow["group"].append(gid)
                prow["pool_distribution_amount"].append(g.pool_distribution_amount)
                prow["scheduled_principal"].append(gi.scheduled_principal_non_po + gi.scheduled_principal_po)
                prow["prepayments"].append(gi.prepayment_non_po + gi.prepayment_po)
                prow["liquidation_proceeds"].append(
                    gi.liquidation_principal_non_po + gi.liquidation_principal_po
                )
                prow["realized_loss"].append(
                    gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
                )
                prow["net_interest"].append(gi.net_interest - gi.trustee_fee)
                prow["ending_balance"].append(gi.ending_balance)
                prow["ending_balance_non_po"].append(gi.ending_balance - gi.ending_balance_po)
                prow["ending_balance_po"].append(gi.ending_balance_po)
                prow["residual_paid"].append(g.residual_paid)
                prow["trustee_fee"].append(gi.trustee_fee)
                prow["non_po_class_total"].append(g.non_po_class_total)
                trow["scenario"].append(s)
                trow["period"].append(r.period)
                trow["date"].append(r.date)
                trow["group"].append(gid)
                trow["senior_percentage"].append(g.senior_percentage)
                trow["senior_prepayment_percentage"].append(g.senior_prepayment_percentage)
                trow["subordinate_percentage"].append(g.subordinate_percentage)
                trow["delinquency_test_pass"].append(g.delinquency_test_pass)
                trow["loss_test_pass"].append(g.loss_test_pass)
                trow["restricted_classes"].append(" ".join(g.restricted_classes))
                trow["priority_amount"].append(g.priority_amount)
                trow["po_deferred_amount"].append(g.po_deferred_amount)
                trow["depleted"].append(g.depleted)
    classes = _frame(crow, _CLASS_MONEY)
    pool = _frame(prow, _POOL_MONEY)
    tests = _frame(trow, ("priority_amount", "po_deferred_amount"))
    tests = tests.with_columns(
        pl.col("senior_percentage").cast(pl.Decimal(12, 6)),
        pl.col("senior_prepayment_percentage").cast(pl.Decimal(12, 6)),
        pl.col("subordinate_percentage").cast(pl.Decimal(12, 6)),
    )
    return classes, pool, tests


_CLASS_MONEY = (
    "beginning_balance",
    "accrued_interest",
    "interest_reduction",
    "interest_paid",
    "unpaid_interest_shortfall",
    "principal_paid",
    "realized_loss",
    "writedown",
    "ending_balance",
)
_CLASS_COLUMNS = ("scenario", "period", "date", "class", *_CLASS_MONEY, "factor")
_POOL_MONEY = (
    "pool_distribution_amount",
    "scheduled_principal",
    "prepayments",
    "liquidation_proceeds",
    "realized_loss",
    "net_interest",
    "ending_balance",
    "ending_balance_non_po",
    "ending_balance_po",
    "residual_paid",
    "trustee_fee",
    "non_po_class_total",
)
_POOL_COLUMNS = ("scenario", "period", "date", "group", *_POOL_MONEY)
_TEST_COLUMNS = (
    "scenario",
    "period",
    "date",
    "group",
    "senior_percentage",
    "senior_prepayment_percentage",
    "subordinate_percentage",
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_classes",
    "priority_amount",
    "po_deferred_amount",
    "depleted",
)


def _frame(rows: dict[str, list[Any]], money: Sequence[str]) -> pl.DataFrame:
    df = pl.DataFrame(rows, strict=False)
    return df.with_columns(
        [(pl.col(k).cast(pl.Int64).cast(pl.Decimal(20, 2)) / 100).cast(MONEY) for k in money]
    )


def years_30_360(start: date, end: date) -> Decimal:
    d1 = min(start.day, 30)
    d2 = 30 if (end.day == 31 and d1 == 30) else end.day
    days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
    return Decimal(days) / 360


def class_summary(deal: Deal, results: Sequence[PeriodResult]) -> list[dict[str, Any]]:
    """Per class: WAL from the closing date (30/360, years), first and last principal dates, totals."""
    out = []
    for c in deal.classes:
        prin = [
            (r.date, r.classes[c.name].principal_paid) for r in results if r.classes[c.name].principal_paid
        ]
        total_p = sum(p for _, p in prin)
        wal: Decimal | None = (
            sum((years_30_360(deal.closing_date, d) * p for d, p in prin), Decimal(0)) / total_p
            if total_p
            else None
        )
        out.append(
            {
                "class": c.name,
                "initial_balance": (Decimal(cents(c.initial_balance)) / 100).quantize(Decimal("0.01")),
                "wal_years": None if wal is None else wal.quantize(Decimal("0.01")),
                "first_principal": prin[0][0] if prin else None,
                "last_principal": prin[-1][0] if prin else None,
                "total_interest": Decimal(sum(r.classes[c.name].interest_paid for r in results)) / 100,
                "total_principal": Decimal(total_p) / 100,
                "total_loss": Decimal(
                    sum(r.classes[c.name].realized_loss + r.classes[c.name].writedown for r in results)
                )
                / 100,
            }
        )
    return out
