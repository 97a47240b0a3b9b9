"""The main job (``make demo``): what rmbs can do today, end to end, on the two seed deals."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from rmbs.deal.library import SEED_FILES, find_seeds, load_facts, load_reconciliation
from rmbs.ingest.reconcile import Check, Reconciliation
from rmbs.ingest.run import ingest_file, print_ingest_result, reconciliation_table


def run_demo(out: Path, console: Console) -> None:
    _ingest_or_show(out, console)
    from rmbs.deal.loader import load_deal
    from rmbs.waterfall.project import run_deal, write_tables
    from rmbs.waterfall.run import print_summary

    for deal_id in SEED_FILES.values():
        console.rule(
            f"{deal_id}: loan-level projection at 300% PSA, 100% SDA, 35% severity, 12-month lag -> waterfall"
        )
        deal = load_deal(deal_id)
        runs = run_deal(deal, prepay=["300PSA"], default="100SDA", severity=35, lag=12, libor="1.84")
        write_tables(deal, runs, out / deal_id / "run")
        print_summary(deal, runs, console)
    _analytics_demo(out, console)
    from rmbs.admin.demo import run_admin_demo

    console.rule("Trust administration: 2002-3 initialized, 12 simulated months posted to the ledger")
    run_admin_demo(out, console)


def _analytics_demo(out: Path, console: Console) -> None:
    """A prospectus decrement table and a small scenario grid priced at par (``rmbs table``, ``rmbs grid``)."""
    from rmbs.analytics.grid import grid_frame, make_grid, run_grid
    from rmbs.analytics.grid_cli import print_grid_summary
    from rmbs.analytics.tables import decrement_table, emit
    from rmbs.deal.loader import load_deal

    deal = load_deal("boams-2002-3")
    console.rule("Certificate analytics: 2002-3 class 1-A-6 decrement table (rmbs table decrement)")
    emit(decrement_table(deal, "1-A-6", ["0PSA", "100PSA", "300PSA", "500PSA"]), "terminal", None, console)
    console.rule("An 18-scenario grid of 2002-3, every class priced at par (rmbs grid)")
    grid = make_grid(
        deal, ["100PSA", "300PSA", "500PSA"], ["0SDA", "100SDA", "300SDA"], ["25", "45"], ["12"], ["1.84"]
    )
    run = run_grid(deal, grid, price=100.0)
    frame = grid_frame(run)
    path = out / "boams-2002-3" / "grid.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)
    print_grid_summary(
        frame, f"{deal.deal_id}: {len(grid)} scenarios in {run.seconds:.1f} s, written to {path}"
    )


def _ingest_or_show(out: Path, console: Console) -> None:
    seeds = find_seeds()
    if seeds is not None:
        console.rule(f"Ingesting the seed PSAs from {seeds}")
        for name, deal_id in SEED_FILES.items():
            result = ingest_file(seeds / name, out / deal_id)
            print_ingest_result(result, console)
        for cert in sorted(seeds.glob("00[01]_*.txt")):
            result = ingest_file(cert, out / cert.stem)
            print_ingest_result(result, console)
    else:
        console.rule("No ../shared/seeds here: showing the shipped facts of the deal library")
        for deal_id in SEED_FILES.values():
            facts = load_facts(deal_id)
            rec = load_reconciliation(deal_id)
            checks = [Check(**c) for c in rec["checks"]]
            console.print(f"[bold]{facts['parties']['depositor']} {facts['title']}[/]")
            console.print(reconciliation_table(f"Reconciliation of {deal_id}", Reconciliation(checks, [])))
            for w in rec["warnings"]:
                console.print(f"[yellow]warning:[/] {w}")
