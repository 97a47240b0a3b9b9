"""Typer commands of the analytics: ``rmbs price``, ``rmbs pool-analytics`` and ``rmbs table decrement|price-yield``.

Thin, like :mod:`rmbs.cli`: they parse arguments, call :mod:`rmbs.analytics` and print. :func:`register` adds them
to the main app.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from rmbs.errors import ValidationError

if TYPE_CHECKING:
    from rmbs.analytics.deal import Assumptions

console = Console(width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)

table_app = typer.Typer(
    help="Prospectus tables for a class: decrement (percent outstanding) and price/yield."
)

_PREPAY = "prepayment speed: 300PSA, 6CPR, ... or a CSV vector"


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValidationError(f"not a date: {text!r}", field=field, expected="YYYY-MM-DD") from exc


def _assumptions(
    prepay: str,
    default: str,
    severity: float,
    lag: int,
    advance: bool,
    libor: str | None,
    switch: list[str],
    clean_up_call: bool,
    loss_kinds: str | None = None,
) -> Assumptions:
    from rmbs.analytics.deal import Assumptions
    from rmbs.collateral.assumptions import parse_loss_kinds
    from rmbs.waterfall.project import parse_switches

    return Assumptions(
        loss_kinds=parse_loss_kinds(loss_kinds).label() or None,
        prepay=prepay,
        default=default,
        severity=severity,
        lag=lag,
        advance=advance,
        libor=libor,
        switches=tuple(parse_switches(switch).items()),
        clean_up_call=clean_up_call,
    )


def _price_or_yield(price: str | None, yield_: float | None) -> tuple[float | None, float | None]:
    from rmbs.analytics.prices import parse_price

    if (price is None) == (yield_ is None):
        raise ValidationError("give exactly one of --price and --yield", field="price")
    return (None if price is None else parse_price(price)), yield_


def _num(x: float | None, fmt: str = ".6f") -> str:
    return "-" if x is None else format(x, fmt)


def price(
    deal: str = typer.Argument(..., help="a shipped deal id (boams-2002-3) or a deal.yaml path"),
    class_name: str = typer.Argument(..., metavar="CLASS", help="a class (1-A-6), component or A-PO"),
    price_: str | None = typer.Option(None, "--price", help="price per 100 of face: 99.5, 99-16, 99-16+"),
    yield_: float | None = typer.Option(None, "--yield", help="bond-equivalent yield, percent"),
    settle: str = typer.Option(..., "--settle", help="settlement date, YYYY-MM-DD"),
    prepay: str = typer.Option("0PSA", "--prepay", help=_PREPAY),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR or a CSV vector"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    advance: bool = typer.Option(True, "--advance/--no-advance", help="servicer advances P&I on defaults"),
    loss_kinds: str | None = typer.Option(
        None,
        "--loss-kinds",
        help="split of each period's realized losses by kind: SH=10%,FRAUD=5%,BK=2% (the rest ordinary)",
    ),
    libor: str | None = typer.Option(None, "--libor", help="LIBOR: flat (1.84), a vector or a CSV file"),
    switch: list[str] = typer.Option([], "--switch", help="NAME=VALUE, an ambiguity switch (repeatable)"),
    clean_up_call: bool = typer.Option(False, "--clean-up-call", help="exercise the Article X call"),
    delay: int | None = typer.Option(None, "--delay", help="actual delay in days (default: the class's own)"),
    shock_bp: float = typer.Option(50.0, "--shock-bp", help="rate shock for effective duration/convexity"),
    speed_shock: float = typer.Option(
        20.0, "--speed-shock", help="percent faster / slower prepayments with rates down / up"
    ),
    no_effective: bool = typer.Option(False, "--no-effective", help="skip the two shocked runs"),
    horizon: str | None = typer.Option(None, "--horizon", help="total return to this date, YYYY-MM-DD"),
    horizon_price: str | None = typer.Option(
        None, "--horizon-price", help="sale price at the horizon (default: the price paid)"
    ),
    reinvest: float | None = typer.Option(
        None, "--reinvest", help="reinvestment yield, percent (default: the yield)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Price <-> yield of a class in one scenario of the waterfall, with WAL, durations, convexity (SF-44..55)."""
    from rmbs.analytics.deal import price_class
    from rmbs.analytics.prices import format_32nds, parse_price
    from rmbs.deal.loader import load_deal

    p, y = _price_or_yield(price_, yield_)
    when = _date(settle, "settle")
    d = load_deal(deal)
    a = _assumptions(prepay, default, severity, lag, advance, libor, switch, clean_up_call, loss_kinds)
    r = price_class(
        d,
        class_name,
        when,
        a,
        price=p,
        yield_=y,
        delay=delay,
        shock_bp=None if no_effective else shock_bp,
        speed_shock_pct=speed_shock,
        horizon=None if horizon is None else _date(horizon, "horizon"),
        horizon_price=None if horizon_price is None else parse_price(horizon_price, "horizon-price"),
        reinvestment_yield=reinvest,
    )
    if as_json:
        console.file.write(json.dumps(r.as_dict(), indent=2) + "\n")
        return
    an = r.analysis
    t = Table(
        title=f"{d.deal_id} {class_name}: {a.label()}" + (f", LIBOR {a.libor}" if a.libor else ""),
        title_justify="left",
        show_header=False,
    )
    t.add_column("measure")
    t.add_column("value", justify="right")
    rows = [
        ("settlement", f"{an.settle.isoformat()} (delay {r.delay} days)"),
        ("price", f"{an.price:.6f} ({format_32nds(an.price)})"),
        ("yield (bond-equivalent, %)", f"{an.yield_:.6f}"),
        ("mortgage yield (%)", f"{an.mortgage_yield:.6f}"),
        (f"{'notional' if r.notional else 'face'} at settlement", f"{an.face:,.2f}"),
        ("accrued interest", f"{an.accrued:,.2f} ({an.accrued_per_100:.6f} per 100, {an.accrued_days} days)"),
        ("settlement cost", f"{an.full_value:,.2f}"),
        ("average life (yrs)", _num(an.average_life, ".4f")),
        ("Macaulay duration (yrs)", f"{an.macaulay_duration:.4f}"),
        ("modified duration", f"{an.modified_duration:.4f}"),
        ("convexity (yrs^2)", f"{an.convexity:.4f}"),
        (
            "principal window",
            "none" if an.first_principal is None else f"{an.first_principal} to {an.last_principal}",
        ),
    ]
    if r.effective_duration is not None:
        rows += [
            (
                f"effective duration (+/-{r.shock_bp:g} bp, speeds +/-{r.speed_shock_pct:g}%)",
                f"{r.effective_duration:.4f}",
            ),
            ("effective convexity", f"{r.effective_convexity:.4f}"),
        ]
    if r.horizon is not None:
        assert r.total_return is not None
        rows.append((f"total return to {r.horizon} (%)", f"{r.total_return:.6f}"))
    if r.index_rate is not None:
        assert r.yield_spread is not None and r.discount_margin is not None
        rows += [
            ("index (LIBOR, %)", f"{r.index_rate:.4f}"),
            ("yield spread (bp)", f"{100 * r.yield_spread:.2f}"),
            ("discount margin (bp)", f"{100 * r.discount_margin:.2f}"),
        ]
    for k, v in rows:
        t.add_row(k, v)
    console.print(t)


def pool_analytics(
    wac: float = typer.Option(..., "--wac", help="gross weighted-average coupon, percent"),
    net: float | None = typer.Option(None, "--net", help="net (pass-through) rate, percent; default = WAC"),
    wam: int = typer.Option(..., "--wam", help="weighted-average remaining term, months"),
    age: int = typer.Option(0, "--age", help="weighted-average loan age, months"),
    prepay: str = typer.Option("0PSA", "--prepay", help=_PREPAY),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR or a CSV vector"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    delay: int = typer.Option(..., "--delay", help="actual delay in days (GNMA I 14, FNMA 24; SF-44)"),
    price_: str | None = typer.Option(None, "--price", help="price per 100 of face: 100, 99-16, 99-16+"),
    yield_: float | None = typer.Option(None, "--yield", help="bond-equivalent yield, percent"),
    settle: str | None = typer.Option(
        None, "--settle", help="YYYY-MM-DD (default: the first day of the first accrual month)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Price <-> yield of a pass-through on a rep-line pool (SF-4..19 cash flows, SF-44..51 measures)."""
    from rmbs.analytics.pool import pool_analytics as run
    from rmbs.analytics.prices import format_32nds
    from rmbs.collateral.assumptions import scenario
    from rmbs.collateral.pool import RepLine

    p, y = _price_or_yield(price_, yield_)
    when = None if settle is None else _date(settle, "settle")
    rep = RepLine(balance=100.0, wac=wac, net=wac if net is None else net, wam=wam, age=age)
    out = run(rep, scenario(prepay, default, severity, lag), delay, price=p, yield_=y, settle=when)
    if as_json:
        console.file.write(json.dumps(out.as_json(), indent=2) + "\n")
        return
    a = out.analysis
    t = Table(
        title=f"pass-through WAC {wac:g}% net {rep.net:g}% WAM {wam} age {age}, {prepay}, delay {delay} days",
        title_justify="left",
        show_header=False,
    )
    t.add_column("measure")
    t.add_column("value", justify="right")
    for k, v in (
        ("settlement", a.settle.isoformat() if when else "first day of the first accrual month"),
        ("price", f"{a.price:.6f} ({format_32nds(a.price)})"),
        ("yield (bond-equivalent, %)", f"{a.yield_:.6f}"),
        ("mortgage yield (%)", f"{a.mortgage_yield:.6f}"),
        ("accrued interest per 100", f"{a.accrued_per_100:.6f}"),
        ("average life (yrs)", _num(a.average_life, ".4f")),
        ("Macaulay duration (yrs)", f"{a.macaulay_duration:.4f}"),
        ("modified duration", f"{a.modified_duration:.4f}"),
        ("convexity (yrs^2)", f"{a.convexity:.4f}"),
    ):
        t.add_row(k, v)
    console.print(t)


@table_app.command("decrement")
def table_decrement(
    deal: str = typer.Argument(..., help="a shipped deal id or a deal.yaml path"),
    class_name: str = typer.Argument(..., metavar="CLASS", help="a class, component or A-PO"),
    prepay: str = typer.Option("0PSA,100PSA,300PSA,500PSA", "--prepay", help="comma list of speeds"),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    libor: str | None = typer.Option(None, "--libor", help="LIBOR: flat, a vector or a CSV file"),
    switch: list[str] = typer.Option([], "--switch", help="NAME=VALUE (repeatable)"),
    fmt: str = typer.Option("terminal", "--format", help="terminal | csv | html"),
    out: Path | None = typer.Option(None, "--out", help="file for csv / html"),
) -> None:
    """Percent of initial balance outstanding at each anniversary, per speed, and the WAL row."""
    from rmbs.analytics.tables import decrement_table, emit
    from rmbs.deal.loader import load_deal

    a = _assumptions("0PSA", default, severity, lag, True, libor, switch, False)
    t = decrement_table(load_deal(deal), class_name, prepay.split(","), a)
    path = emit(t, fmt, out, console)
    if path is not None:
        console.print(f"wrote {path}")


@table_app.command("price-yield")
def table_price_yield(
    deal: str = typer.Argument(..., help="a shipped deal id or a deal.yaml path"),
    class_name: str = typer.Argument(..., metavar="CLASS", help="a class, component or A-PO"),
    prices: str = typer.Option(..., "--prices", help="comma list: 99-00,100-00,101-00 or decimals"),
    prepay: str = typer.Option("0PSA,100PSA,300PSA,500PSA", "--prepay", help="comma list of speeds"),
    settle: str | None = typer.Option(None, "--settle", help="YYYY-MM-DD (default: the closing date)"),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    libor: str | None = typer.Option(None, "--libor", help="LIBOR: flat, a vector or a CSV file"),
    switch: list[str] = typer.Option([], "--switch", help="NAME=VALUE (repeatable)"),
    delay: int | None = typer.Option(None, "--delay", help="actual delay in days (default: the class's own)"),
    fmt: str = typer.Option("terminal", "--format", help="terminal | csv | html"),
    out: Path | None = typer.Option(None, "--out", help="file for csv / html"),
) -> None:
    """Bond-equivalent yield by price (rows) and speed (columns), with average life and modified duration."""
    from rmbs.analytics.tables import emit, price_yield_table
    from rmbs.deal.loader import load_deal

    a = _assumptions("0PSA", default, severity, lag, True, libor, switch, False)
    when = None if settle is None else _date(settle, "settle")
    t = price_yield_table(load_deal(deal), class_name, prices.split(","), prepay.split(","), when, a, delay)
    path = emit(t, fmt, out, console)
    if path is not None:
        console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add ``price``, ``pool-analytics`` and the ``table`` sub-app to the ``rmbs`` app."""
    app.command("price")(price)
    app.command("pool-analytics")(pool_analytics)
    app.add_typer(table_app, name="table")
