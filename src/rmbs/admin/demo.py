"""The administration part of ``make demo`` (issue 5): initialize boams-2002-3 in a fresh ledger, simulate and post
12 months of servicer remittances, print the history table, and render the last month's Statement to
Certificateholders and Servicer's Certificate. ``rmbs.demo`` calls :func:`run_admin_demo`."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.report import print_history
from rmbs.admin.simulate import simulate

DEAL = "boams-2002-3"


def run_admin_demo(out: Path, console: Console, months: int = 12, seed: int = 2002) -> Path:
    """Returns the ledger file it wrote (``out/admin/ledger.db``, made anew each run)."""
    base = out / "admin"
    base.mkdir(parents=True, exist_ok=True)
    ledger = base / "ledger.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{ledger}"
    console.print(init_trust(DEAL, url))
    for path in simulate(DEAL, months, base / "remittances", seed=seed, delinquency=0.5):
        console.print(post_remittance(DEAL, path, url, by="demo").message)
    print_history(DEAL, url, console)
    _reports(url, base / "reports", console)
    return ledger


def _reports(url: str, out: Path, console: Console) -> None:
    """The trustee's documents for the last posted month (issue 6): statement and Servicer's Certificate."""
    from rmbs.admin.ledger import history
    from rmbs.report.render import write_output
    from rmbs.report.servicer import build_servicer_certificate, render_servicer
    from rmbs.report.statement import build_statement, render_statement

    last = history(DEAL, url)["periods"][-1]["label"]
    statement = build_statement(DEAL, url, last)
    for fmt in ("pdf", "html", "csv"):
        path = write_output(out / f"statement-{last}.{fmt}", render_statement(statement, fmt))
        console.print(f"wrote {path} (Statement to Certificateholders, Section 5.04)")
    cert = build_servicer_certificate(DEAL, url, last)
    path = write_output(out / f"servicer-{last}.pdf", render_servicer(cert, "pdf"))
    console.print(f"wrote {path} (Servicer's Certificate, Section 4.01)")
