"""`make demo` keeps working: the main job runs end to end and leaves its files."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from rmbs.cli import app


def test_demo_runs_end_to_end(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for rel in (
        "boams-2002-3/run/classes.csv",
        "boams-2000-2/run/classes.csv",
        "boams-2002-3/grid.parquet",
        "admin/ledger.db",
    ):
        assert (tmp_path / rel).is_file(), rel
    reports = {p.suffix for p in (tmp_path / "admin" / "reports").iterdir()}
    assert {".pdf", ".html", ".csv"} <= reports
    assert "Weighted Average Life" in result.output and "Statement to Certificateholders" in result.output
