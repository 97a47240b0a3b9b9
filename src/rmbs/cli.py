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


library_app = typer.Typer(help="The shipped deal library (facts and loan tapes of the seed deals).")
app.add_typer(library_app, name="library")


@library_app.command("list")
def library_list() -> None:
    """List the shipped deals."""
    from rmbs.deal.library import deal_ids, load_facts

    for deal_id in deal_ids():
        f = load_facts(deal_id)
        console.print(
            f"{deal_id}: {f['title']}, {f['loan_schedule']['loans']} loans, cut-off {f['cutoff_date']}"
        )


@library_app.command("rebuild")
def library_rebuild(
    seeds: Path = typer.Option(..., "--seeds", help="folder holding the seed PSA filings"),
) -> None:
    """Write the shipped deal facts and loan tapes anew from the seed filings."""
    from rmbs.deal.build import rebuild_library

    for d in rebuild_library(seeds):
        console.print(f"wrote {d}")


# ---------------------------------------------------------------------------------------- deal files (issue 4)
@app.command()
def lint(
    deal: str = typer.Argument(..., help="a deal.yaml path or a shipped deal id (boams-2002-3)"),
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


# ----------------------------------------------------------------------------------------------- demo (main job)
@app.command()
def demo(
    out: Path = typer.Option(Path("demo-out"), "--out", help="where the demo writes its files"),
) -> None:
    """The main job: ingest both seed PSAs (or use the shipped facts) and print the reconciliations."""
    from rmbs.demo import run_demo

    run_demo(out, console)


def main() -> None:
    try:
        app()
    except RmbsError as exc:
        err_console.print(f"[bold red]error:[/] {exc.render()}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
