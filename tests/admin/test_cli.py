"""The ``rmbs admin`` commands end to end (in-process, through ``rmbs.cli.main``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rmbs.cli import main


def run(monkeypatch: pytest.MonkeyPatch, *args: str) -> None:
    monkeypatch.setattr(sys, "argv", ["rmbs", *args])
    try:
        main()
    except SystemExit as exc:
        assert exc.code in (0, None)


def test_init_simulate_post_history(
    ledger_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    deal = "boams-2000-2"
    run(monkeypatch, "admin", "init", deal, "--db", ledger_url)
    run(
        monkeypatch,
        "admin",
        "simulate",
        deal,
        "--months",
        "2",
        "--prepay",
        "8CPR",
        "--default",
        "0.5CDR",
        "--delinquency",
        "2",
        "--seed",
        "7",
        "--out",
        str(tmp_path / "rem"),
    )
    files = sorted((tmp_path / "rem").glob("*.csv"))
    assert [f.name for f in files] == [f"{deal}-2000-04.csv", f"{deal}-2000-05.csv"]
    for f in files:
        run(monkeypatch, "admin", "post", deal, str(f), "--db", ledger_url, "--by", "alice")
    run(monkeypatch, "admin", "post", deal, str(files[0]), "--db", ledger_url)
    run(monkeypatch, "admin", "history", deal, "--db", ledger_url)
    out = capsys.readouterr().out
    assert "created trust boams-2000-2: 625 loans" in out
    assert "posted boams-2000-2 period 2000-05" in out and "by alice" in out
    assert "already posted from this file" in out and "nothing to do" in out
    assert "2000-05" in out and "class balances and factors" in out


def test_switches_used_are_recorded_and_unknown_ones_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from sqlalchemy import create_engine, select

    from rmbs.admin import tables as t
    from rmbs.admin.simulate import simulate

    deal, url = "boams-2000-2", f"sqlite:///{tmp_path / 'l.db'}"
    first, second = simulate(deal, 2, tmp_path / "rem", seed=2)
    run(monkeypatch, "admin", "init", deal, "--db", url)
    monkeypatch.setattr(
        sys, "argv", ["rmbs", "admin", "post", deal, str(first), "--db", url, "--switch", "nope=1"]
    )
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2 and "unknown switch 'nope'" in capsys.readouterr().err
    run(
        monkeypatch,
        "admin",
        "post",
        deal,
        str(first),
        "--db",
        url,
        "--switch",
        "percentage_rounding=fraction_6dp",
    )
    engine = create_engine(url)
    with engine.connect() as conn:
        rec = json.loads(conn.execute(select(t.postings.c.switches)).scalar_one())
    engine.dispose()
    assert rec["switches"]["percentage_rounding"] == "fraction_6dp"
