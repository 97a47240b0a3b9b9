"""Every validation rule of docs/remittance.md: its message, exit code 2 from the CLI, and an unchanged ledger."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from rmbs.admin.ledger import init_trust, post_remittance
from rmbs.admin.simulate import simulate
from rmbs.errors import ValidationError
from tests.admin.helpers import edit, table_counts

DEAL = "boams-2000-2"
Rows = list[dict[str, str]]


def _cents(x: str) -> int:
    return round(float(x) * 100)


def _d(c: int) -> str:
    return f"{c / 100:.2f}"


def _first_payoff(rows: Rows) -> dict[str, str]:
    return next(r for r in rows if _cents(r["payoff_amount"]) > 0)


def unknown(rows: Rows) -> Rows:
    rows.append({**rows[0], "loan_number": "0000000001"})
    return rows


def duplicate(rows: Rows) -> Rows:
    rows.append(dict(rows[3]))
    return rows


def missing(rows: Rows) -> Rows:
    return rows[1:]


def roll_forward(rows: Rows) -> Rows:
    rows[2]["ending_balance"] = _d(_cents(rows[2]["ending_balance"]) + 1)
    return rows


def negative(rows: Rows) -> Rows:
    r = next(r for r in rows if r["status"] == "current" and _cents(r["payoff_amount"]) == 0)
    r["curtailment"] = "-5.00"
    r["ending_balance"] = _d(_cents(r["ending_balance"]) + 500)
    return rows


def payoff_nonzero(rows: Rows) -> Rows:
    r = next(r for r in rows if r["status"] == "current" and _cents(r["payoff_amount"]) == 0)
    r["payoff_amount"] = "100.00"
    r["ending_balance"] = _d(_cents(r["ending_balance"]) - 10000)
    return rows


def beginning_mismatch(rows: Rows) -> Rows:
    r = rows[4]
    r["beginning_balance"] = _d(_cents(r["beginning_balance"]) + 100)
    r["ending_balance"] = _d(_cents(r["ending_balance"]) + 100)
    return rows


CASES: list[tuple[str, Callable[[Rows], Rows], str, str]] = [
    ("unknown", unknown, "unknown loan: not in the trust's cut-off tape", "0000000001"),
    ("duplicate", duplicate, "duplicate loan (also on line", ""),
    ("missing", missing, "missing loan: in the trust but not in the remittance", ""),
    ("roll_forward", roll_forward, "balance does not roll forward", "ending_balance"),
    ("negative", negative, "negative amount -5.00", "curtailment"),
    ("payoff_nonzero", payoff_nonzero, "payoff with a non-zero ending balance", "ending_balance"),
    ("beginning", beginning_mismatch, "!= prior ending balance", "beginning_balance"),
]


@pytest.fixture
def posted_once(ledger_url: str, tmp_path: Path) -> tuple[str, list[Path]]:
    paths = simulate(DEAL, 3, tmp_path / "rem", seed=4)
    init_trust(DEAL, ledger_url)
    post_remittance(DEAL, paths[0], ledger_url)
    return ledger_url, paths


@pytest.mark.parametrize(("name", "change", "message", "where"), CASES, ids=[c[0] for c in CASES])
def test_rule_rejects_with_message_and_ledger_unchanged(
    posted_once: tuple[str, list[Path]],
    tmp_path: Path,
    name: str,
    change: Callable[[Rows], Rows],
    message: str,
    where: str,
) -> None:
    url, paths = posted_once
    bad = edit(paths[1], tmp_path / f"{name}.csv", change)
    before = table_counts(url)
    with pytest.raises(ValidationError) as info:
        post_remittance(DEAL, bad, url)
    assert message in info.value.message
    assert where in info.value.message
    assert "nothing stored" in info.value.message
    assert table_counts(url) == before


def test_loan_reappearing_after_payoff(posted_once: tuple[str, list[Path]], tmp_path: Path) -> None:
    url, paths = posted_once
    import csv

    with paths[0].open() as fh:
        gone = _first_payoff(list(csv.DictReader(fh)))
    back = {**gone, "period": "2000-05", "payoff_amount": "0.00", "payoff_date": ""}
    back.update(beginning_balance="0.00", scheduled_principal="0.00", ending_balance="0.00")
    bad = edit(paths[1], tmp_path / "back.csv", lambda rows: [*rows, back])
    before = table_counts(url)
    with pytest.raises(
        ValidationError, match=f"loan {gone['loan_number']}.*reappears after it left the trust in 2000-04"
    ):
        post_remittance(DEAL, bad, url)
    assert table_counts(url) == before


def test_period_out_of_order_and_already_posted(posted_once: tuple[str, list[Path]], tmp_path: Path) -> None:
    url, paths = posted_once
    before = table_counts(url)
    with pytest.raises(
        ValidationError, match="period 2000-06 is out of order: the next period to post is 2000-05"
    ):
        post_remittance(DEAL, paths[2], url)
    changed = edit(paths[0], tmp_path / "p1.csv", lambda rows: rows[::-1])
    with pytest.raises(ValidationError, match="period 2000-04 is already posted from a different file"):
        post_remittance(DEAL, changed, url)
    assert table_counts(url) == before


def test_all_errors_in_one_report_and_exit_code_2(
    posted_once: tuple[str, list[Path]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, paths = posted_once
    bad = edit(paths[1], tmp_path / "many.csv", lambda rows: negative(roll_forward(duplicate(rows))))
    before = table_counts(url)
    from rmbs.cli import main

    monkeypatch.setattr(sys, "argv", ["rmbs", "admin", "post", DEAL, str(bad), "--db", url])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "3 problem(s) in the remittance, nothing stored" in err
    for text in ("duplicate loan", "balance does not roll forward", "negative amount"):
        assert text in err
    assert table_counts(url) == before
