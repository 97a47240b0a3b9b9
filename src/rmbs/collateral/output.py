"""Tables and files of the collateral projections, for the ``pool-cashflows`` and ``loan-cashflows`` commands."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from rich import box
from rich.console import Console
from rich.table import Table

from rmbs.collateral.periods import PRINCIPAL_REDUCTIONS, PoolPeriods
from rmbs.collateral.pool import POOL_COLUMNS, pool_totals
from rmbs.errors import ValidationError
from rmbs.money import format_cents

# the short captions of the SF's own table
_POOL_HEADERS = {
    "month": "Month",
    "performing_balance": "PerfBal",
    "new_defaults": "NewDef",
    "foreclosure_balance": "FCL",
    "amort_factor": "AmortFactor",
    "expected_amortization": "ExpAm",
    "voluntary_prepayments": "VolPrepay",
    "amortization_from_defaults": "AmDef",
    "actual_amortization": "ActAm",
    "expected_interest": "ExpInt",
    "interest_lost": "IntLost",
    "actual_interest": "ActInt",
    "principal_recovery": "PrinRecov",
    "principal_loss": "PrinLoss",
    "adb": "ADB",
}
_WIDE = 200


def print_pool_table(table: pl.DataFrame, console: Console, *, title: str = "") -> None:
    """The SF cash-flow table as the Standard Formulas print it: whole dollars, amort factor to 4 places."""
    rich_table = Table(title=title or None, box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
    for col in POOL_COLUMNS:
        rich_table.add_column(_POOL_HEADERS[col], justify="right", no_wrap=True)
    for row in table.iter_rows(named=True):
        cells = [str(row["month"])]
        cells += [f"{row[c]:.4f}" if c == "amort_factor" else _dollars(row[c]) for c in POOL_COLUMNS[1:]]
        rich_table.add_row(*cells)
    totals = pool_totals(table)
    rich_table.add_row(
        "Total", *(_dollars(totals[c]) if c in totals else "" for c in POOL_COLUMNS[1:]), style="bold"
    )
    _wide(console).print(rich_table)


def _wide(console: Console) -> Console:
    """The same output, wide enough for the table's 15 columns (the terminal may wrap, but nothing is cut)."""
    return Console(file=console.file, width=max(console.width, _WIDE), no_color=console.no_color)


def _dollars(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 0.5 else "0"


def write_pool_csv(table: pl.DataFrame, path: Path) -> Path:
    """Write the SF table with exactly :data:`~rmbs.collateral.pool.POOL_COLUMNS`, full float precision."""
    _prepare(path.parent)
    table.select(list(POOL_COLUMNS)).write_csv(path, float_precision=None)
    return path


def _prepare(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ValidationError(
            f"cannot create directory: {exc.strerror}", file=directory, field="out"
        ) from None


def write_pool_periods(periods: PoolPeriods, out_dir: Path, stem: str, scenario: int = 0) -> list[Path]:
    """One CSV and one Parquet file per loan group: ``{stem}-group-{id}.csv/.parquet``, amounts in dollars."""
    _prepare(out_dir)
    written: list[Path] = []
    for g in periods.group_ids:
        frame = periods.to_frame(g, scenario)
        base = out_dir / f"{stem}-group-{g}"
        frame.write_csv(base.with_suffix(".csv"))
        frame.write_parquet(base.with_suffix(".parquet"))
        written += [base.with_suffix(".csv"), base.with_suffix(".parquet")]
    return written


def print_pool_periods_summary(
    periods: PoolPeriods, console: Console, scenario: int = 0, *, title: str = ""
) -> None:
    """Totals over the projection, one row per loan group."""
    t = Table(title=title or None, box=box.SIMPLE_HEAD, header_style="bold")
    for h in (
        "Group",
        "Cut-off balance",
        "Scheduled principal",
        "Prepayments in full",
        "Liquidation proceeds",
        "Realized losses",
        "PO principal",
        "Net interest",
        "PPIS",
        "Comp. interest",
        "Last period",
    ):
        t.add_column(h, justify="right", no_wrap=True)
    for gi, g in enumerate(periods.group_ids):

        def tot(name: str, gi: int = gi) -> int:
            return int(periods.total(name)[scenario, gi].sum())

        po = sum(int(getattr(periods, f"{n}_po")[scenario, gi].sum()) for n in PRINCIPAL_REDUCTIONS)
        live = periods.total("beginning_balance")[scenario, gi] > 0
        last = int(live.nonzero()[0].max()) + 1 if live.any() else 0
        t.add_row(
            g,
            format_cents(int(periods.total("beginning_balance")[scenario, gi, 0])),
            format_cents(tot("scheduled_principal")),
            format_cents(tot("prepayments_in_full")),
            format_cents(tot("liquidation_proceeds")),
            format_cents(tot("realized_losses")),
            format_cents(po),
            format_cents(int(periods.net_interest[scenario, gi].sum())),
            format_cents(int(periods.prepayment_interest_shortfall[scenario, gi].sum())),
            format_cents(int(periods.compensating_interest[scenario, gi].sum())),
            str(last),
        )
    _wide(console).print(t)
