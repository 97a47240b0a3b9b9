"""``rmbs grid``: a scenario grid of a deal to Parquet, in this process or on dask.distributed.

Thin, like :mod:`rmbs.cli`: it parses the lists, calls :mod:`rmbs.analytics.grid`, shows a progress bar and a
compact summary. :func:`register` adds the command to the main app.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rmbs.analytics.cli import _date, console, err_console
from rmbs.errors import ValidationError

if TYPE_CHECKING:
    import polars as pl


def _class_prices(items: list[str]) -> dict[str, float]:
    from rmbs.analytics.prices import parse_price

    out: dict[str, float] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError(
                f"bad class price {item!r}", field="price-class", expected="CLASS=PRICE, e.g. 1-A-6=99-16"
            )
        out[name.strip()] = parse_price(value, "price-class")
    return out


def print_grid_summary(df: pl.DataFrame, title: str) -> None:
    """Per class across the grid's scenarios: WAL range, principal window, worst loss, yield range."""
    import polars as pl

    agg = df.group_by("class", maintain_order=True).agg(
        pl.len().alias("n"),
        pl.col("wal_years").min().alias("wal_min"),
        pl.col("wal_years").max().alias("wal_max"),
        pl.col("first_principal").min().alias("first"),
        pl.col("last_principal").max().alias("last"),
        pl.col("total_loss").max().alias("loss_max"),
        pl.col("yield").min().alias("y_min"),
        pl.col("yield").max().alias("y_max"),
    )
    t = Table(title=title, title_justify="left")
    for col in ("class", "WAL min-max (yrs)", "principal window", "max loss", "yield min-max (%)"):
        t.add_column(col, justify="left" if col == "class" else "right")

    def rng(a: float | None, b: float | None, fmt: str) -> str:
        if a is None or b is None:
            return "-"
        a, b = round(a, 6) + 0.0, round(b, 6) + 0.0  # no "-0.000"
        return format(a, fmt) if a == b else f"{format(a, fmt)} - {format(b, fmt)}"

    for r in agg.iter_rows(named=True):
        t.add_row(
            r["class"],
            rng(r["wal_min"], r["wal_max"], ".2f"),
            "-" if r["first"] is None else f"{r['first']:%Y-%m} to {r['last']:%Y-%m}",
            f"{r['loss_max']:,.2f}",
            rng(r["y_min"], r["y_max"], ".3f"),
        )
    console.print(t)


def grid(
    deal: str = typer.Argument(
        ..., help="a deal id (boams-2002-3, or of the user library), a deal directory or a deal.yaml path"
    ),
    prepay: str = typer.Option("0PSA", "--prepay", help="comma list of speeds: 100PSA,300PSA,6CPR"),
    default: str = typer.Option("0SDA", "--default", help="comma list: 0SDA,100SDA,2CDR"),
    severity: str = typer.Option("0", "--severity", help="comma list of loss severities, percent: 25,35"),
    lag: str = typer.Option("0", "--lag", help="comma list of months from default to liquidation: 6,12"),
    loss_kinds: list[str] = typer.Option(
        [],
        "--loss-kinds",
        help="a split of realized losses by kind, SH=10%,FRAUD=5%,BK=2% (rest ordinary); repeatable, one grid value each",
    ),
    libor: str | None = typer.Option(
        None, "--libor", help="comma list of LIBOR paths, each a flat rate (1.84) or a CSV file"
    ),
    switch: list[str] = typer.Option(
        [], "--switch", help="NAME=V1[,V2...]: an ambiguity switch and its values (repeatable)"
    ),
    advance: bool = typer.Option(True, "--advance/--no-advance", help="servicer advances P&I on defaults"),
    clean_up_call: bool = typer.Option(False, "--clean-up-call", help="exercise the Article X call"),
    price: str | None = typer.Option(None, "--price", help="price of every class: 100, 99-16, 99-16+"),
    price_class: list[str] = typer.Option(
        [], "--price-class", help="CLASS=PRICE, one class's price (repeatable; overrides --price)"
    ),
    settle: str | None = typer.Option(None, "--settle", help="settlement date (default: the closing date)"),
    cashflows: Path | None = typer.Option(
        None, "--cashflows", help="directory for every class's cash flows (cashflows.parquet)"
    ),
    workers: int = typer.Option(1, "--workers", help="local worker processes (in-process if 1)"),
    chunk: int | None = typer.Option(None, "--chunk", help="scenarios per job (default: up to 25)"),
    dask: str | None = typer.Option(
        None, "--dask", help="run on dask.distributed: local[:N] (loopback cluster) or tcp://HOST:PORT"
    ),
    out: Path = typer.Option(..., "--out", help="Parquet file: one row per scenario and class"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar and no summary table"),
) -> None:
    """Run the Cartesian product of the assumption lists through the collateral and the waterfall; per class WAL,
    principal window, totals, loss and yield at a price, one row per scenario and class."""
    from rmbs.analytics.deal import class_members
    from rmbs.analytics.grid import DaskRunner, cashflow_frame, grid_frame, make_grid, parse_dask, run_grid
    from rmbs.analytics.prices import parse_price
    from rmbs.deal.loader import load_deal

    if workers < 1:
        raise ValidationError(f"{workers} workers", field="workers", expected="at least 1")
    if chunk is not None and chunk < 1:
        raise ValidationError(f"chunk {chunk}", field="chunk", expected="at least 1 scenario")
    if dask is not None:
        parse_dask(dask)
        if workers > 1:
            raise ValidationError("give --workers or --dask, not both", field="workers")
    d = load_deal(deal)
    g = make_grid(
        d,
        prepay,
        default,
        severity,
        lag,
        libor,
        switch,
        advance=advance,
        clean_up_call=clean_up_call,
        loss_kinds=loss_kinds,
    )
    p = None if price is None else parse_price(price)
    cp = _class_prices(price_class)
    for name in cp:
        class_members(d, name)  # an unknown class fails before anything starts
    when = None if settle is None else _date(settle, "settle")
    if out.suffix.lower() != ".parquet":
        raise ValidationError(f"{out} is not a .parquet file", field="out")
    from rmbs.warm import compile_notice

    runner = DaskRunner(dask) if dask is not None else None
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    ) as bar:
        task = bar.add_task(f"{d.deal_id} grid", total=len(g))

        def compiling() -> None:
            err_console.print(
                "compiling the numba kernels (once after an install or a change; 1-3 minutes; "
                "`rmbs warm` does it ahead)",
                highlight=False,
            )
            bar.update(task, description=f"{d.deal_id} grid (compiling numba kernels)")

        if runner is not None:
            bar.update(task, description=f"{d.deal_id} grid (starting Dask)")
            runner.__enter__()
            bar.update(task, description=f"{d.deal_id} grid on Dask ({runner.n_workers} workers)")
        try:
            with compile_notice(compiling):
                run = run_grid(
                    d,
                    g,
                    price=p,
                    class_prices=cp,
                    settle=when,
                    cashflows=cashflows is not None,
                    workers=workers,
                    chunk=chunk,
                    dask=runner,
                    progress=lambda k: bar.advance(task, k),
                )
        finally:
            if runner is not None:
                runner.__exit__(None, None, None)
    df = grid_frame(run)
    out.parent.mkdir(parents=True, exist_ok=True)
    df.write_parquet(out)
    console.print(
        f"wrote {out} ({df.height} rows: {len(g)} scenarios x {df.height // max(len(g), 1)} classes)"
    )
    if cashflows is not None:
        cashflows.mkdir(parents=True, exist_ok=True)
        path = cashflows / "cashflows.parquet"
        cf = cashflow_frame(run)
        cf.write_parquet(path)
        console.print(f"wrote {path} ({cf.height} rows)")
    if not quiet:
        print_grid_summary(df, f"{d.deal_id}: {len(g)} scenarios, {run.where}, {run.seconds:.1f} s")


def register(app: typer.Typer) -> None:
    """Add ``grid`` to the ``rmbs`` app."""
    app.command("grid")(grid)
