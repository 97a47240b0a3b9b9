"""The ``rmbs`` command line. Thin: it parses arguments, calls the library and prints.

Any :class:`rmbs.errors.RmbsError` becomes one line on stderr and exit code 2 -- never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from rmbs.errors import RmbsError

app = typer.Typer(
    name="rmbs",
    help="Residential mortgage pass-through trusts: ingest PSAs, project collateral, run the waterfall.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Piped output (CI logs, files) gets a wide page rather than rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 150)


# --------------------------------------------------------------------------------------------- ingest (issue 2)
@app.command()
def ingest(
    filing: Path = typer.Argument(..., help="EDGAR plain-text PSA or Section 3.18 officer's certificate"),
    out: Path = typer.Option(
        ..., "--out", help="directory for the facts, definitions, tape and reconciliation"
    ),
    quiet: bool = typer.Option(False, "--quiet", help="do not print the reconciliation tables"),
) -> None:
    """Read a PSA (deal facts, definitions, loan tape, reconciliation) or an officer's certificate (series)."""
    from rmbs.ingest.run import ingest_file, print_ingest_result

    result = ingest_file(filing, out)
    if not quiet:
        print_ingest_result(result, console)


library_app = typer.Typer(
    help="Deal libraries: the shipped seed deals and the user's own (RMBS_LIBRARY, default ~/.local/share/rmbs/deals)."
)
app.add_typer(library_app, name="library")


@library_app.command("list")
def library_list() -> None:
    """List the shipped deals and those of the user library: series, loan groups, classes and their CUSIPs."""
    from rmbs.deal.library import deal_dir, deal_ids, load_facts, user_deal_ids, user_library
    from rmbs.deal.loader import load_deal

    for where, ids in (("shipped", deal_ids()), (f"user library {user_library()}", user_deal_ids())):
        console.print(f"[bold]{where}[/bold]: {len(ids)} deal(s)")
        for deal_id in ids:
            f = load_facts(deal_id)
            console.print(
                f"{deal_id}: {f['title']}, {f['loan_schedule']['loans']} loans, cut-off {f['cutoff_date']}"
            )
            if (deal_dir(deal_id) / "deal.yaml").is_file():
                d = load_deal(deal_id)
                console.print(f"  groups: {', '.join(g.id for g in d.groups)}; {len(d.classes)} classes")
            cusips = {c["name"]: c.get("cusip") for c in f.get("classes", []) if isinstance(c, dict)}
            if cusips:
                console.print("  " + ", ".join(f"{n} {c or '-'}" for n, c in cusips.items()), soft_wrap=True)


@library_app.command("add")
def library_add(
    directory: Path = typer.Argument(..., help="a deal directory: deal.yaml, deal-facts.json, loans.parquet"),
    name: str | None = typer.Option(
        None, "--as", help="the deal id in the library (default: the folder's name)"
    ),
    replace: bool = typer.Option(False, "--replace", help="replace a deal of that id already in the library"),
) -> None:
    """Check a deal directory (its deal file loads and compiles, its facts and tape read) and copy it into the user
    library, readable by its owner only."""
    from rmbs.deal.userlib import add_deal

    dest = add_deal(directory, name, replace=replace)
    console.print(f"added {dest.name} to the user library: {dest}")


@library_app.command("rebuild")
def library_rebuild(
    seeds: Path = typer.Option(..., "--seeds", help="folder holding the seed PSA filings"),
) -> None:
    """Write the shipped deal facts and loan tapes anew from the seed filings."""
    from rmbs.deal.build import rebuild_library

    for d in rebuild_library(seeds):
        console.print(f"wrote {d}")


# ---- collateral (issue 3)
@app.command("pool-cashflows")
def pool_cashflows(
    balance: float = typer.Option(..., "--balance", help="pool balance in dollars"),
    wac: float = typer.Option(..., "--wac", help="gross weighted-average coupon, percent"),
    net: float | None = typer.Option(None, "--net", help="net (pass-through) rate, percent; default = WAC"),
    wam: int = typer.Option(..., "--wam", help="weighted-average remaining term, months"),
    age: int = typer.Option(0, "--age", help="weighted-average loan age, months"),
    prepay: str = typer.Option("0SMM", "--prepay", help="150PSA, 6CPR, 0.5SMM, 1.5ABS or a CSV vector"),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR or a CSV vector"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent of the defaulted balance"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    advance: bool = typer.Option(True, "--advance/--no-advance", help="servicer advances P&I on defaults"),
    out: Path | None = typer.Option(None, "--out", help="write the table as CSV (full precision)"),
    quiet: bool = typer.Option(False, "--quiet", help="do not print the table"),
) -> None:
    """Rep-line pool cash flows with defaults, per the Standard Formulas SF-16..19."""
    from rmbs.collateral.assumptions import scenario
    from rmbs.collateral.output import print_pool_table, write_pool_csv
    from rmbs.collateral.pool import RepLine, project_pool

    sc = scenario(prepay, default, severity, lag, advance)
    rep = RepLine(balance=balance, wac=wac, net=wac if net is None else net, wam=wam, age=age)
    table = project_pool(rep, sc)
    if not quiet:
        print_pool_table(table, console, title=f"${balance:,.0f} WAC {wac:g}% WAM {wam}: {sc.label()}")
    if out is not None:
        write_pool_csv(table, out)
        console.print(f"wrote {out}")


@app.command("loan-cashflows")
def loan_cashflows(
    deal: str = typer.Argument(
        ..., help="a deal id (boams-2002-3, boams-2000-2, or of the user library) or a deal directory"
    ),
    prepay: str = typer.Option("0SMM", "--prepay", help="150PSA, 6CPR, 0.5SMM, 1.5ABS or a CSV vector"),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR or a CSV vector"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent of the defaulted balance"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    advance: bool = typer.Option(True, "--advance/--no-advance", help="servicer advances P&I on defaults"),
    prepayment_day: int = typer.Option(15, "--prepayment-day", help="day of the month prepayments arrive"),
    loss_kinds: str | None = typer.Option(
        None, "--loss-kinds", help="split of each period's realized losses by kind: SH=10%,FRAUD=5%,BK=2%"
    ),
    out: Path = typer.Option(..., "--out", help="directory for the per-group CSV and Parquet files"),
) -> None:
    """Loan-level projection of a shipped deal's tape into PoolPeriods, one CSV and Parquet file per group."""
    from rmbs.collateral.assumptions import scenario
    from rmbs.collateral.loans import project_deal
    from rmbs.collateral.output import print_pool_periods_summary, write_pool_periods

    sc = scenario(prepay, default, severity, lag, advance, loss_kinds=loss_kinds)
    periods = project_deal(deal, [sc], prepayment_day=prepayment_day)
    print_pool_periods_summary(periods, console, title=f"{deal}: {sc.label()}")
    for path in write_pool_periods(periods, out, deal):
        console.print(f"wrote {path}")


# ---------------------------------------------------------------------------------------- deal files (issue 4)
@app.command()
def lint(
    deal: str = typer.Argument(
        ..., help="a deal id (boams-2002-3, or of the user library), a deal directory or a deal.yaml path"
    ),
) -> None:
    """Check a deal file: schema (with YAML line), percentage legs, unpaid classes, balances vs collateral."""
    from rmbs.deal.lint import lint_path

    findings = lint_path(deal)
    colors = {"error": "red", "warning": "yellow", "info": "dim"}
    for f in findings:
        console.print(f"[{colors[f.level]}]{f.level}[/]: {f.where}: {f.message}", highlight=False)
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    console.print(f"{errors} error(s), {warnings} warning(s)")
    if errors:
        raise typer.Exit(1)


@app.command()
def run(
    deal: str = typer.Argument(
        ..., help="a deal id (boams-2002-3, or of the user library), a deal directory or a deal.yaml path"
    ),
    prepay: str = typer.Option(
        "0SMM", "--prepay", help="300PSA, 6CPR, ... or a CSV vector; comma list = scenarios"
    ),
    default: str = typer.Option("0MDR", "--default", help="100SDA, 2CDR, 1MDR or a CSV vector"),
    severity: float = typer.Option(0.0, "--severity", help="loss severity, percent"),
    lag: int = typer.Option(0, "--lag", help="months from default to liquidation"),
    advance: bool = typer.Option(True, "--advance/--no-advance", help="servicer advances P&I on defaults"),
    loss_kinds: str | None = typer.Option(
        None,
        "--loss-kinds",
        help="split of each period's realized losses by kind: SH=10%,FRAUD=5%,BK=2% (the rest ordinary)",
    ),
    libor: str = typer.Option(
        None, "--libor", help="LIBOR: flat (1.84), a vector (1.84,2.1,...) or a CSV file"
    ),
    switch: list[str] = typer.Option([], "--switch", help="NAME=VALUE, an ambiguity switch (repeatable)"),
    clean_up_call: bool = typer.Option(False, "--clean-up-call", help="exercise the Article X call"),
    out: Path = typer.Option(
        ..., "--out", help="directory for the classes/groups/pool/inputs/tests CSV and Parquet tables"
    ),
) -> None:
    """Project the collateral and run the PSA waterfall; write the tables and print a per-class summary."""
    from rmbs.deal.loader import load_deal
    from rmbs.waterfall.project import parse_switches, run_deal, write_tables
    from rmbs.waterfall.run import print_summary

    d = load_deal(deal)
    runs = run_deal(
        d,
        prepay=prepay.split(",") if "," in prepay and not prepay.endswith(".csv") else [prepay],
        default=default,
        severity=severity,
        lag=lag,
        advance=advance,
        loss_kinds=loss_kinds,
        libor=libor,
        switches=parse_switches(switch),
        clean_up_call=clean_up_call,
    )
    for path in write_tables(d, runs, out):
        console.print(f"wrote {path}")
    print_summary(d, runs, console)


# ----------------------------------------------------------------------------------------------- demo (main job)
@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="where the demo writes its files"),
) -> None:
    """The main job: ingest the seeds, run both waterfalls, price a grid, administer a year and report on it."""
    from rmbs.demo import run_demo

    run_demo(out, console)


@app.command()
def warm() -> None:
    """Compile (or load from numba's cache) every numba kernel: collateral, waterfall interpreter, yield solver.
    ``make install`` runs it once, so that the first grid after an install starts at full speed."""
    import time

    from rmbs.warm import compile_notice
    from rmbs.warm import warm as warm_kernels

    t = time.perf_counter()
    with compile_notice(
        lambda: err_console.print(
            "compiling the numba kernels (once after an install or a change; 1-3 minutes)"
        )
    ) as notice:
        steps = warm_kernels()
    for step, seconds in steps:
        console.print(f"{step}: {seconds:.1f} s")
    how = "compiled" if notice.fired else "loaded from the cache"
    console.print(f"numba kernels {how} in {time.perf_counter() - t:.1f} s")


# ---- admin (issue 5)
admin_app = typer.Typer(
    help="Trust administration: post servicer remittances into the ledger (docs/remittance.md)."
)
app.add_typer(admin_app, name="admin")
_DB_HELP = "ledger database: a SQLite path or URL (default ./rmbs-ledger.db), or postgresql+psycopg://..."


@admin_app.command("init")
def admin_init(
    deal: str = typer.Argument(
        ..., help="a deal id (boams-2002-3, or of the user library) or a deal directory"
    ),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Create the ledger (migrations) and the trust from the deal file and its cut-off tape."""
    from rmbs.admin.ledger import init_trust

    console.print(init_trust(deal, db))


@admin_app.command("post")
def admin_post(
    deal: str = typer.Argument(..., help="a deal id (shipped or of the user library) or a deal directory"),
    remittance: Path = typer.Argument(..., help="the servicer's remittance file (CSV or Parquet)"),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
    by: str | None = typer.Option(None, "--by", help="who posts (default: the OS user)"),
    restate: bool = typer.Option(False, "--restate", help="replace a posted period and re-run later ones"),
    switch: list[str] = typer.Option([], "--switch", help="NAME=VALUE, an ambiguity switch (recorded)"),
) -> None:
    """Validate a remittance, run the waterfall from the ledger's state and store it all in one transaction."""
    from rmbs.admin.ledger import post_remittance
    from rmbs.waterfall.project import parse_switches

    out = post_remittance(deal, remittance, db, by=by, restate=restate, switches=parse_switches(switch))
    console.print(out.message)


@admin_app.command("history")
def admin_history(
    deal: str = typer.Argument(..., help="a deal id (shipped or of the user library) or a deal directory"),
    db: str | None = typer.Option(None, "--db", help=_DB_HELP),
) -> None:
    """Per posted period: collections, distributions, class balances and factors."""
    from rmbs.admin.report import print_history

    print_history(deal, db, console)


@admin_app.command("simulate")
def admin_simulate(
    deal: str = typer.Argument(..., help="a deal id (shipped or of the user library) or a deal directory"),
    months: int = typer.Option(12, "--months", help="how many monthly remittances"),
    prepay: str = typer.Option("8CPR", "--prepay", help="annual prepayment speed, e.g. 8CPR"),
    default: str = typer.Option("0.5CDR", "--default", help="annual default rate, e.g. 0.5CDR"),
    delinquency: float = typer.Option(
        2.0, "--delinquency", help="percent of current loans going 30 days late"
    ),
    severity: float = typer.Option(35.0, "--severity", help="loss severity on liquidation, percent"),
    seed: int = typer.Option(0, "--seed", help="random seed"),
    out: Path = typer.Option(..., "--out", help="directory for the remittance files"),
) -> None:
    """Write realistic loan-level remittance files with random payoffs, curtailments, delinquencies, losses."""
    from rmbs.admin.simulate import simulate

    for p in simulate(
        deal,
        months,
        out,
        prepay=prepay,
        default=default,
        delinquency=delinquency,
        severity=severity,
        seed=seed,
    ):
        console.print(f"wrote {p}")


# ---- end admin (issue 5)
from rmbs.report.cli import report_app  # noqa: E402

app.add_typer(report_app, name="report")

# ---- analytics (issue 7): price, pool-analytics, table decrement|price-yield
from rmbs.analytics.cli import register as _register_analytics  # noqa: E402

_register_analytics(app)
from rmbs.analytics.grid_cli import register as _register_grid  # noqa: E402

_register_grid(app)
# ---- end analytics (issue 7)


def main() -> None:
    try:
        app()
    except RmbsError as exc:
        err_console.print(f"[bold red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
