"""Prospectus tables for a class: the decrement table and the price/yield table, to terminal, CSV and HTML.

Decrement table: the percent of the class's initial balance (or notional) outstanding after the distribution date
in each anniversary month of the closing date, one column per prepayment speed, rounded as prospectuses print
it -- whole percent, ``*`` for more than 0 but less than 0.5% -- and a weighted average life row (years from the
closing date, 30/360). Price/yield table: bond-equivalent yields (SF-49), rows prices, columns speeds, with the
average life and modified duration rows.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from rmbs.analytics.deal import Assumptions, class_cashflows, class_delay, class_members, run_scenarios
from rmbs.analytics.prices import format_32nds, parse_price
from rmbs.analytics.pricing import (
    CashFlows,
    average_life,
    days_30_360,
    modified_duration,
    settle,
    yield_of,
)
from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError


@dataclass(frozen=True)
class PrintedTable:
    """A table as printed: a title, column headers (the first is the row label) and rows of strings; ``values``
    keeps the unrounded numbers behind the cells (``None`` where a cell is not a number)."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    values: list[list[float | None]]


def percent_cell(pct: float) -> str:
    """Whole percent, half up; ``*`` for more than 0 and less than 0.5 percent (the prospectus convention)."""
    if pct <= 0.0:
        return "0"
    if pct < 0.5:
        return "*"
    return str(Decimal(repr(pct)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _speeds(prepays: Sequence[str]) -> list[str]:
    speeds = [p.strip() for p in prepays if p.strip()]
    if not speeds:
        raise ValidationError("no prepayment speeds", field="prepay", expected="e.g. 0PSA,100PSA,300PSA")
    return speeds


def _wal_from_closing(deal: Deal, cf: CashFlows) -> float | None:
    """Weighted average life in years from the closing date (30/360) -- of principal paid, or for a notional
    class of the notional's reductions."""
    t = np.array([days_30_360(deal.closing_date, d) / 360.0 for d in cf.pay_dates])
    if cf.notional:
        ending = np.append(cf.balance[1:], 0.0)
        return average_life(t, cf.balance - ending)
    return average_life(t, cf.principal)


def decrement_table(
    deal: Deal, class_name: str, prepays: Sequence[str], a: Assumptions = Assumptions()
) -> PrintedTable:
    """Percent of initial balance outstanding at each anniversary of the closing date, per speed."""
    specs = class_members(deal, class_name)
    speeds = _speeds(prepays)
    runs = run_scenarios(deal, a, speeds)
    initial = float(sum(c.initial_balance for c in specs))
    if initial <= 0.0:
        raise ValidationError(f"class {class_name} has no initial balance", field="class")
    flows = [class_cashflows(deal, r, class_name) for r in runs]
    # the balance after distribution k is the balance before k + 1; the last one ends at 0
    after = [np.append(cf.balance[1:], 0.0) for cf in flows]
    dates = [list(cf.pay_dates) for cf in flows]
    rows: list[list[str]] = [["Initial Percentage", *["100"] * len(speeds)]]
    values: list[list[float | None]] = [[None, *[100.0] * len(speeds)]]
    year = 1
    while True:
        anniversary = date(deal.closing_date.year + year, deal.closing_date.month, 1)
        pcts: list[float] = []
        label = None
        for cf_dates, bal in zip(dates, after, strict=True):
            k = next(
                (
                    i
                    for i, d in enumerate(cf_dates)
                    if (d.year, d.month) == (anniversary.year, anniversary.month)
                ),
                None,
            )
            if k is None:
                pcts.append(0.0)  # the class (and the run) ended before this anniversary
            else:
                pcts.append(100.0 * float(bal[k]) / initial)
                label = cf_dates[k]
        if label is None:
            label = date(anniversary.year, anniversary.month, 25)
        rows.append([label.strftime("%B %d, %Y").replace(" 0", " "), *[percent_cell(p) for p in pcts]])
        values.append([None, *pcts])
        year += 1
        if all(p == 0.0 for p in pcts):
            break
    wals = [_wal_from_closing(deal, cf) for cf in flows]
    rows.append(["Weighted Average Life (years)", *["-" if w is None else f"{w:.2f}" for w in wals]])
    values.append([None, *wals])
    title = (
        f"{deal.deal_id} class {class_name}: percent of initial "
        f"{'notional amount' if flows[0].notional else 'class balance'} outstanding"
        f" (default {a.default}, severity {a.severity:g}%, lag {a.lag})"
    )
    return PrintedTable(title, ["Distribution Date", *speeds], rows, values)


def price_yield_table(
    deal: Deal,
    class_name: str,
    prices: Sequence[str],
    prepays: Sequence[str],
    settle_date: date | None = None,
    a: Assumptions = Assumptions(),
    delay: int | None = None,
) -> PrintedTable:
    """Bond-equivalent yield (percent) at each price and speed; rows for average life (from settlement, SF-50)
    and the modified duration at each price."""
    class_members(deal, class_name)
    if not prices:
        raise ValidationError("no prices", field="prices", expected="e.g. 99-00,100-00,101-00")
    parsed = [(p.strip(), parse_price(p.strip(), "prices")) for p in prices]
    speeds = _speeds(prepays)
    when = settle_date or deal.closing_date
    d = class_delay(deal, class_name) if delay is None else delay
    runs = run_scenarios(deal, a, speeds)
    settled = [settle(class_cashflows(deal, r, class_name, d, a.libor), when) for r in runs]
    rows: list[list[str]] = []
    values: list[list[float | None]] = []
    yields: dict[tuple[int, int], float] = {}
    for i, (text, p) in enumerate(parsed):
        row: list[float | None] = [p]
        for j, s in enumerate(settled):
            yields[i, j] = yield_of(s, p)
            row.append(yields[i, j])
        label = text if "-" in text else f"{p:g} ({format_32nds(p)})"
        rows.append([label, *[f"{yields[i, j]:.3f}" for j in range(len(settled))]])
        values.append(row)
    als = [average_life(s.times, s.principal) for s in settled]
    rows.append(["Average Life (years)", *["-" if x is None else f"{x:.2f}" for x in als]])
    values.append([None, *als])
    for i, (text, p) in enumerate(parsed):
        mods = [modified_duration(s.times, s.flows, yields[i, j]) for j, s in enumerate(settled)]
        rows.append([f"Modified Duration at {text}", *[f"{m:.2f}" for m in mods]])
        values.append([p, *mods])
    title = (
        f"{deal.deal_id} class {class_name}: bond-equivalent yield (%) by price, settlement {when.isoformat()}, "
        f"delay {d} days (default {a.default}, severity {a.severity:g}%, lag {a.lag}"
        + (f", LIBOR {a.libor}" if a.libor else "")
        + ")"
    )
    return PrintedTable(title, ["Price", *speeds], rows, values)


# ------------------------------------------------------------------------------------------------ renderers
def to_rich(t: PrintedTable) -> Table:
    out = Table(title=t.title, title_justify="left")
    for i, h in enumerate(t.headers):
        out.add_column(h, justify="left" if i == 0 else "right")
    for r in t.rows:
        out.add_row(*r)
    return out


def to_csv(t: PrintedTable) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(t.headers)
    w.writerows(t.rows)
    return buf.getvalue()


def to_html(t: PrintedTable) -> str:
    """A standalone HTML page holding the table (cells escaped)."""
    e = html.escape
    head = "".join(f"<th>{e(h)}</th>" for h in t.headers)
    lines = []
    for r in t.rows:
        cells = [f"<td>{e(r[0])}</td>", *[f'<td class="num">{e(c)}</td>' for c in r[1:]]]
        lines.append("<tr>" + "".join(cells) + "</tr>")
    body = "\n".join(lines)
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>'
        + e(t.title)
        + "</title>\n<style>table{border-collapse:collapse;font-family:sans-serif}"
        "th,td{border:1px solid #999;padding:2px 8px}td.num{text-align:right}</style></head>\n<body>\n"
        f"<table>\n<caption>{e(t.title)}</caption>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n"
        "</tbody>\n</table>\n</body></html>\n"
    )


def emit(t: PrintedTable, fmt: str, out: Path | None, console: Console) -> Path | None:
    """Print to the terminal or write CSV / HTML (to ``out``, or standard output when no file is given)."""
    if fmt == "terminal":
        if out is not None:
            raise ValidationError("--out needs --format csv or html", field="format", expected="csv | html")
        console.print(to_rich(t))
        return None
    if fmt not in ("csv", "html"):
        raise ValidationError(f"unknown format {fmt!r}", field="format", expected="terminal | csv | html")
    text = to_csv(t) if fmt == "csv" else to_html(t)
    if out is None:
        console.file.write(text)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out
