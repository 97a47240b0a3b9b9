"""Running a deal over many distribution dates and scenarios, and shaping the results.

``run_scenario`` walks the dates in order from the cut-off state (or a given state), exercising the optional
clean-up call when asked; ``class_summary`` gives each class's WAL, principal window and totals (on the
batch arrays of :mod:`rmbs.waterfall.batch`), and ``print_summary`` prints them for ``rmbs run``. The tables of
``rmbs run --out`` are :mod:`rmbs.waterfall.tables`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from rich.console import Console
from rich.table import Table

from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.batch import ClassFlows, ClassSummary, summarize
from rmbs.waterfall.calls import exercise_call
from rmbs.waterfall.engine import DealState, GroupPeriodInput, PeriodResult, WaterfallEngine, cents
from rmbs.waterfall.prim import I64
from rmbs.waterfall.tables import residual_warnings
from rmbs.waterfall.types import INPUT_AXIS


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

    With no path, LIBOR stays at the 1.88% the PSA prescribes when no rate is published (5.09, L4240-4269) -- the rate behind the first
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


def class_summary(deal: Deal, flows: ClassFlows) -> ClassSummary:
    """Per scenario and class of ``flows`` (the deal's classes, or classes made of components): WAL from the
    closing date (30/360 years), first and last principal dates, totals (:func:`rmbs.waterfall.batch.summarize`)."""
    own = {c.name: cents(c.initial_balance) for c in deal.classes}
    parts: dict[str, int] = {}
    for c in deal.classes:
        if c.component_of and c.component_of not in own:
            parts[c.component_of] = parts.get(c.component_of, 0) + own[c.name]
    initial = [own[n] if n in own else parts.get(n, 0) for n in flows.names]
    return summarize(flows, deal.closing_date, np.array(initial, dtype=np.int64))


class ScenarioResults(Protocol):
    """What :func:`print_summary` reads of a scenario's run (``rmbs.waterfall.project.ScenarioRun``)."""

    @property
    def label(self) -> str: ...
    @property
    def results(self) -> Sequence[PeriodResult]: ...
    @property
    def summary(self) -> Sequence[dict[str, Any]]: ...
    @property
    def switches(self) -> dict[str, str]: ...


_SUMMARY_HEADERS = (
    "class",
    "initial balance",
    "WAL (yrs)",
    "first principal",
    "last principal",
    "interest",
    "principal",
    "realized loss",
    "write-down",
)


def print_summary(deal: Deal, runs: Sequence[ScenarioResults], console: Console) -> None:
    """Per scenario: each class's WAL, principal window, interest, principal, realized losses and write-downs
    (to the Adjusted Pool Amount, 5.03(b)) and the switches changed from their defaults; then, when the
    residual is paid principal on some date while certificates are outstanding, one warning line."""
    defaults = {x.name: x.default for x in deal.switches}
    for s, r in enumerate(runs):
        t = Table(title=f"{deal.deal_id} scenario {s}: {r.label}", title_justify="left")
        for col in _SUMMARY_HEADERS:
            t.add_column(col, justify="left" if col == "class" else "right")
        for row in r.summary:
            t.add_row(
                row["class"],
                f"{row['initial_balance']:,}",
                "" if row["wal_years"] is None else str(row["wal_years"]),
                str(row["first_principal"] or ""),
                str(row["last_principal"] or ""),
                f"{row['total_interest']:,.2f}",
                f"{row['total_principal']:,.2f}",
                f"{row['total_realized_loss']:,.2f}",
                f"{row['total_writedown']:,.2f}",
            )
        console.print(t)
        changed = {k: v for k, v in r.switches.items() if v != defaults[k]}
        console.print(
            f"{len(r.results)} distribution dates; switches changed from defaults: {changed or 'none'}"
        )
        w = residual_warnings(deal, r.results)
        if w is not None:
            n, first, group = w
            console.print(
                f"WARNING: residual paid principal while certificates are outstanding on {n} dates "
                f"(first: {first.isoformat()}, group {group})",
                highlight=False,
                markup=False,
            )
