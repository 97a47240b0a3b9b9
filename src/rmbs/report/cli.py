"""``rmbs report``: the trustee's documents from the ledger (registered in ``rmbs.cli`` as a sub-app)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.console import Console

report_app = typer.Typer(
    help="Trustee reporting: Statement to Certificateholders (5.04), Servicer's Certificate (4.01), "
    "annual officer's certificate as to compliance (3.18).",
    no_args_is_help=True,
)
console = Console(width=None if sys.stdout.isatty() else 150)
_DB_HELP = "ledger database: a SQLite path or URL (default ./rmbs-ledger.db), or postgresql+psycopg://..."

# the parameters the report commands share
DealArg = Annotated[str, typer.Argument(help="a shipped deal id (boams-2002-3)")]
PeriodOpt = Annotated[str, typer.Option("--period", help="the Distribution Date's month, YYYY-MM")]
OutOpt = Annotated[Path, typer.Option("--out", help="file to write")]
FormatOpt = Annotated[
    str | None, typer.Option("--format", help="html | pdf | csv (default: from --out's suffix)")
]
DbOpt = Annotated[str | None, typer.Option("--db", "--ledger", help=_DB_HELP)]


def _fmt(fmt: str | None, out: Path, allowed: tuple[str, ...]) -> str:
    from rmbs.report.render import check_format

    return check_format(fmt or out.suffix.lstrip(".").lower() or "html", allowed)


_Doc = TypeVar("_Doc")


def _write(
    out: Path,
    fmt: str | None,
    build: Callable[[], _Doc],
    render: Callable[[_Doc, str], str | bytes],
    note: Callable[[_Doc], str],
) -> None:
    """Check the format, build the document, write it as html | pdf | csv and say so (with ``note``)."""
    from rmbs.report.render import FORMATS, write_output

    f = _fmt(fmt, out, FORMATS)
    doc = build()
    console.print(f"wrote {write_output(out, render(doc, f))} ({f}{note(doc)})")


@report_app.command("statement")
def statement(
    deal: DealArg,
    period: PeriodOpt,
    out: OutOpt,
    fmt: FormatOpt = None,
    db: DbOpt = None,
) -> None:
    """Monthly Statement to Certificateholders (Section 5.04) of a posted period."""
    from rmbs.report.statement import build_statement, render_statement

    _write(
        out,
        fmt,
        lambda: build_statement(deal, db, period),
        render_statement,
        lambda s: f", {len(s.items)} items",
    )


@report_app.command("servicer")
def servicer(
    deal: DealArg,
    period: PeriodOpt,
    out: OutOpt,
    fmt: FormatOpt = None,
    db: DbOpt = None,
) -> None:
    """Servicer's Certificate (Section 4.01) of a posted period."""
    from rmbs.report.servicer import build_servicer_certificate, render_servicer

    _write(out, fmt, lambda: build_servicer_certificate(deal, db, period), render_servicer, lambda c: "")


@report_app.command("annual")
def annual(
    deal: DealArg,
    year: Annotated[int, typer.Option("--year", help="the calendar year")],
    out: OutOpt,
    fmt: FormatOpt = None,
    db: DbOpt = None,
) -> None:
    """Annual statement (Section 5.04(b)): clauses (i), (ii) and (vii) aggregated for a calendar year."""
    from rmbs.report.annual import build_annual, render_annual

    _write(
        out,
        fmt,
        lambda: build_annual(deal, db, year),
        render_annual,
        lambda a: f", {len(a.periods)} Distribution Dates",
    )


@report_app.command("compliance")
def compliance(
    year: Annotated[int, typer.Option("--year", help="the calendar year certified")],
    series: Annotated[
        Path,
        typer.Option(
            "--series",
            help="the series to certify: a 3.18 certificate (.txt), its series.json, or a JSON list",
        ),
    ],
    out: OutOpt,
    fmt: str | None = typer.Option(None, "--format", help="html | pdf | txt | json (default: from --out)"),
    db: DbOpt = None,
    dated: str | None = typer.Option(None, "--dated", help="date of the certificate, YYYY-MM-DD"),
    officer: str | None = typer.Option(None, "--officer", help="the signing officer's name"),
    title: str | None = typer.Option(None, "--title", help="the signing officer's title"),
    servicer_name: str | None = typer.Option(None, "--servicer", help="the servicer's name"),
) -> None:
    """Annual officer's certificate as to compliance (Section 3.18) for the listed series this ledger administers."""
    from rmbs.report.compliance import FORMATS, build_compliance, read_series_list, render_compliance
    from rmbs.report.render import write_output
    from rmbs.report.source import ReportError

    f = _fmt(fmt, out, FORMATS)
    when = None
    if dated:
        try:
            when = dt.date.fromisoformat(dated)
        except ValueError:
            raise ReportError(f"not a date: {dated!r}", field="dated", expected="YYYY-MM-DD") from None
    c = build_compliance(
        db,
        year,
        read_series_list(series),
        dated=when,
        officer_name=officer,
        officer_title=title,
        servicer=servicer_name,
    )
    console.print(
        f"wrote {write_output(out, render_compliance(c, f))} ({f}): {len(c.certified)} series certified, "
        f"{len(c.exceptions)} not certified"
    )
    for x in c.exceptions:
        console.print(f"  not certified: {x.entry.label}: {x.reason}", highlight=False)


@report_app.command("register")
def register(
    series: Path = typer.Option(
        ..., "--series", help="a 3.18 certificate (.txt), its series.json, or a JSON list"
    ),
    db: DbOpt = None,
    link: list[str] = typer.Option([], "--link", help="LABEL=DEAL: the series is this ledger's trust DEAL"),
    by: str | None = typer.Option(None, "--by", help="who registers (default: the OS user)"),
    replace: bool = typer.Option(False, "--replace", help="update series registered with other facts"),
) -> None:
    """Add series to the ledger's registry of administered series (the trusts of this ledger link themselves)."""
    from rmbs.report.compliance import read_series_list, register_series
    from rmbs.report.source import ReportError

    links = {}
    for item in link:
        if "=" not in item:
            raise ReportError(f"not LABEL=DEAL: {item!r}", field="link")
        k, v = item.split("=", 1)
        links[k.strip()] = v.strip()
    lst = read_series_list(series)
    lines = register_series(db, lst.series, by=by, source=str(series), links=links, replace=replace)
    for line in lines:
        console.print(line, highlight=False)


@report_app.command("attest")
def attest(
    label: list[str] = typer.Option(
        [], "--label", help="a registered series, e.g. 'BoALT 2003-1' (repeatable)"
    ),
    series: Path | None = typer.Option(
        None, "--series", help="every series of this list (instead of --label)"
    ),
    start: str = typer.Option(..., "--from", help="first Distribution Date month, YYYY-MM"),
    end: str = typer.Option(..., "--to", help="last Distribution Date month, YYYY-MM"),
    status: str = typer.Option("reconciled", "--status", help="reconciled | unreconciled"),
    reference: str | None = typer.Option(None, "--reference", help="the evidence: a report id, a file hash"),
    db: DbOpt = None,
    by: str | None = typer.Option(None, "--by", help="who records (default: the OS user)"),
) -> None:
    """Record Distribution Dates of series administered outside this ledger as reconciled (3.18 evidence)."""
    from rmbs.report.compliance import read_series_list, record_periods
    from rmbs.report.source import ReportError

    labels = list(label)
    if series is not None:
        labels += [e.label for e in read_series_list(series).series]
    if not labels:
        raise ReportError("no series given", field="label", expected="--label LABEL or --series FILE")
    for line in record_periods(db, labels, start, end, status=status, by=by, reference=reference):
        console.print(line, highlight=False)
