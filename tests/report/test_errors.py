"""Bad requests get one clear line and exit code 2, and never create or change a ledger."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from rmbs.cli import main
from tests.report.conftest import PostedLedger


def fails(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["rmbs", *args])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("command", ["statement", "servicer"])
def test_unposted_period(
    command: str, posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    err = fails(monkeypatch, capsys, "report", command, "boams-2002-3", "--db", posted["boams-2002-3"].url,
                "--period", "2003-05", "--out", str(tmp_path / "s.pdf"))  # fmt: skip
    assert "period 2003-05 of boams-2002-3 is not posted" in err and "posted: 2002-04 to 2003-03" in err
    assert not (tmp_path / "s.pdf").exists()


def test_unknown_deal(posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    err = fails(monkeypatch, capsys, "report", "statement", "boams-1999-9", "--db", posted["boams-2002-3"].url,
                "--period", "2002-05", "--out", str(tmp_path / "s.html"))  # fmt: skip
    assert "unknown deal 'boams-1999-9'" in err


def test_deal_not_in_this_ledger(posted: dict[str, PostedLedger], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    err = fails(monkeypatch, capsys, "report", "statement", "boams-2000-2", "--db", posted["boams-2002-3"].url,
                "--period", "2000-05", "--out", str(tmp_path / "s.html"))  # fmt: skip
    assert "trust boams-2000-2 is not in the ledger" in err and "rmbs admin init boams-2000-2" in err


def test_missing_ledger_is_not_created(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    db = tmp_path / "nothing.db"
    err = fails(monkeypatch, capsys, "report", "statement", "boams-2002-3", "--db", str(db), "--period", "2002-05",
                "--out", str(tmp_path / "s.html"))  # fmt: skip
    assert "no ledger at" in err
    assert not db.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2002-13"], "not a period: '2002-13'"),
        (["--period", "2002-05", "--format", "docx"], "unknown format 'docx'"),
    ],
)
def test_bad_period_or_format(args: list[str], message: str, posted: dict[str, PostedLedger], tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    err = fails(monkeypatch, capsys, "report", "statement", "boams-2002-3", "--db", posted["boams-2002-3"].url,
                *args, "--out", str(tmp_path / "s.html"))  # fmt: skip
    assert message in err


def test_compliance_with_a_missing_series_list(posted: dict[str, PostedLedger], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    err = fails(monkeypatch, capsys, "report", "compliance", "--year", "2003", "--series", str(tmp_path / "x.json"),
                "--db", posted["boams-2002-3"].url, "--out", str(tmp_path / "c.pdf"))  # fmt: skip
    assert "series list not found" in err


def test_a_ledger_from_before_reporting_is_migrated_by_the_next_posting(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from rmbs.admin.ledger import MIGRATIONS, connect, init_trust, post_remittance
    from rmbs.admin.simulate import simulate
    from rmbs.report.source import ReportError
    from rmbs.report.statement import build_statement

    url = f"sqlite:///{tmp_path / 'old.db'}"
    deal = "boams-2000-2"
    paths = simulate(deal, 2, tmp_path / "rem", seed=1)
    init_trust(deal, url)
    post_remittance(deal, paths[0], url, by="t")
    engine = connect(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:  # back to the ledger as issue 5 made it
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    engine.dispose()
    with pytest.raises(ReportError, match="predates reporting"):
        build_statement(deal, url, "2000-04")
    post_remittance(deal, paths[1], url, by="t")  # migrates to 0002 first
    assert build_statement(deal, url, "2000-05").label == "2000-05"
    with pytest.raises(ReportError, match="2000-04 was posted before the ledger kept servicer data"):
        build_statement(deal, url, "2000-04")
