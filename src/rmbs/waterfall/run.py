"""Running a deal over many distribution dates and scenarios, and shaping the results.

``run_scenario`` walks the dates in order from the cut-off state (or a given state), exercising the optional
clean-up call when asked; ``class_summary`` gives each class's WAL, principal window and totals, and
``print_summary`` prints them for ``rmbs run``. The tables of ``rmbs run --out`` are :mod:`rmbs.waterfall.tables`.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.table import Table

from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.arith import frac_of, pct_of
from rmbs.waterfall.engine import DealState, GroupPeriodInput, PeriodResult, WaterfallEngine, cents
from rmbs.waterfall.tables import residual_warnings


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


def _call_price_inputs(inp: dict[str, GroupPeriodInput]) -> dict[str, GroupPeriodInput]:
    """On the clean-up call date the Depositor buys every loan at its Stated Principal Balance plus a month's
    interest (Article X): the remaining balance arrives as a prepayment, with interest at the group's current
    net rate."""
    out: dict[str, GroupPeriodInput] = {}
    for g, gi in inp.items():
        remaining = gi.ending_balance
        remaining_po = gi.ending_balance_po
        begin = gi.ending_balance + gi.principal_non_po + gi.principal_po
        extra_interest = frac_of(remaining, gi.net_interest, begin) if begin else 0
        out[g] = replace(
            gi,
            prepayment_non_po=gi.prepayment_non_po + remaining - remaining_po,
            prepayment_po=gi.prepayment_po + remaining_po,
            net_interest=gi.net_interest + extra_interest,
            ending_balance=0,
            ending_balance_po=0,
            cleanup_call=True,
        )
    return out


def call_due(deal: Deal, inp: dict[str, GroupPeriodInput], per_group: bool = False) -> bool:
    """The optional termination test: Pool Stated Principal Balance below the threshold of the cut-off balance."""
    pct = deal.termination.threshold_pct
    if per_group:
        return any(
            inp.get(g.loan_group, GroupPeriodInput()).ending_balance
            < pct_of(int(g.cutoff_balance * 100), pct)
            for g in deal.groups
        )
    total = sum(gi.ending_balance for gi in inp.values())
    cutoff = sum(int(g.cutoff_balance * 100) for g in deal.groups)
    return total < pct_of(cutoff, pct)


def run_scenario(
    engine: WaterfallEngine,
    periods: Sequence[dict[str, GroupPeriodInput]],
    index: IndexPath,
    *,
    cleanup_call: bool = False,
    state: DealState | None = None,
) -> list[PeriodResult]:
    """Distribute every date of ``periods`` in order; stop after the clean-up call or when all is retired."""
    state = state or engine.initial_state()
    out: list[PeriodResult] = []
    per_group = engine.sw("cleanup_call_base", "aggregate") == "per_group"
    for inp in periods:
        call = cleanup_call and call_due(engine.deal, inp, per_group)
        if call:
            inp = _call_price_inputs(inp)
            if isinstance(periods, list):
                periods[len(out)] = inp
        state, r = engine.run_period(state, inp, index.at(state.period + 1))
        out.append(r)
        if call or state.retired:
            break
    return out


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
        realized = sum(r.classes[c.name].realized_loss for r in results)
        writedown = sum(r.classes[c.name].writedown for r in results)
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
                "total_loss": Decimal(realized + writedown) / 100,
                "total_realized_loss": Decimal(realized) / 100,
                "total_writedown": Decimal(writedown) / 100,
            }
        )
    return out


class ScenarioResults(Protocol):
    """What :func:`print_summary` reads of a scenario's run (``rmbs.waterfall.project.ScenarioRun``)."""

    @property
    def label(self) -> str: ...
    @property
    def results(self) -> Sequence[PeriodResult]: ...
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
        for row in class_summary(deal, r.results):
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
