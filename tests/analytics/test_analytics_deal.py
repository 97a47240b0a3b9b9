"""Certificate analytics on 2002-3: class cash flows from the waterfall, price / yield, tables and the CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from rmbs.analytics.deal import (
    Assumptions,
    class_cashflows,
    class_delay,
    price_class,
    run_scenarios,
    scale_speed,
    shift_libor,
)
from rmbs.analytics.pricing import analyze, price_from_yield, yield_from_price
from rmbs.analytics.tables import decrement_table, percent_cell, price_yield_table
from rmbs.cli import app
from rmbs.deal.library import load_tape
from rmbs.deal.loader import load_deal
from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.project import ScenarioRun

CLOSING = date(2002, 3, 26)


@pytest.fixture(scope="module")
def deal() -> Deal:
    return load_deal("boams-2002-3")


@pytest.fixture(scope="module")
def runs(deal: Deal) -> list[ScenarioRun]:
    """0 PSA and 300 PSA / 100 SDA / 35% / 12 months, LIBOR 1.84, in one collateral pass."""
    a = Assumptions(default="100SDA", severity=35.0, lag=12, libor="1.84")
    return run_scenarios(deal, a, ["0PSA", "300PSA"])


def _rmbs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rmbs.cli", *args], capture_output=True, text=True, check=False
    )


# ------------------------------------------------------------------------------------------ class flows
def test_class_cashflows_carry_what_the_waterfall_paid(deal: Deal, runs: list[ScenarioRun]) -> None:
    run = runs[1]
    summary = {r["class"]: r for r in run.summary}
    for name in ("1-A-6", "2-A-1", "1-B-1", "1-A-1"):
        cf = class_cashflows(deal, run, name)
        assert len(cf.pay_dates) == len(run.results)
        assert cf.pay_dates[0] == date(2002, 4, 25)
        assert round(cf.principal.sum(), 2) == float(summary[name]["total_principal"])
        assert round(cf.interest.sum(), 2) == float(summary[name]["total_interest"])
        assert cf.balance[0] == float(deal.class_map()[name].initial_balance)


def test_a_po_is_the_sum_of_its_components(deal: Deal, runs: list[ScenarioRun]) -> None:
    parts = [class_cashflows(deal, runs[1], n) for n in ("1-A-PO", "2-A-PO", "3-A-PO")]
    whole = class_cashflows(deal, runs[1], "A-PO")
    assert np.allclose(whole.principal, sum(p.principal for p in parts), atol=1e-9)
    assert np.allclose(whole.balance, sum(p.balance for p in parts), atol=1e-9)
    assert not whole.interest.any()


def test_notional_io_is_priced_on_its_notional(deal: Deal, runs: list[ScenarioRun]) -> None:
    cf = class_cashflows(deal, runs[1], "1-A-7")
    assert cf.notional and not cf.principal.any()
    a = analyze(cf, CLOSING, price=5.0)
    assert a.face == 15_483_666.00  # the Class 1-A-7 Notional Amount = 1-A-1's balance
    assert a.average_life is None and a.first_principal is None
    assert a.accrued == pytest.approx(15_483_666.00 * 0.0612 / 360.0)  # 6.120% for 1 day (25th to 26th)


def test_delay_and_accrued_interest_at_closing(deal: Deal, runs: list[ScenarioRun]) -> None:
    """Paid the 25th for the prior calendar month: 24 days' delay and 25 days accrued from March 1 to the
    March 26 closing; the LIBOR classes accrue from the 25th: no delay, 1 day accrued."""
    assert (
        class_delay(deal, "1-A-6") == 24
        and class_delay(deal, "1-A-1") == 0
        and class_delay(deal, "A-PO") == 24
    )
    a = analyze(class_cashflows(deal, runs[1], "1-A-6"), CLOSING, price=100.0)
    assert a.accrued_days == 25
    assert a.accrued == pytest.approx(123_869_334.00 * 0.0625 * 25 / 360, abs=1e-6)
    f = analyze(class_cashflows(deal, runs[1], "1-A-1"), CLOSING, price=100.0)
    assert f.accrued_days == 1
    assert f.accrued == pytest.approx(15_483_666.00 * 0.0238 / 360, abs=1e-6)


def test_class_yield_round_trips(deal: Deal, runs: list[ScenarioRun]) -> None:
    cf = class_cashflows(deal, runs[1], "1-B-1")
    for price in (85.0, 99.5, 104.0):
        y = yield_from_price(cf, price, date(2003, 6, 12))
        assert price_from_yield(cf, y, date(2003, 6, 12)) == pytest.approx(price, abs=1e-8)


def test_unknown_class_is_refused(deal: Deal, runs: list[ScenarioRun]) -> None:
    with pytest.raises(ValidationError, match="no class '1-A-99'") as e:
        class_cashflows(deal, runs[0], "1-A-99")
    assert e.value.field == "class"


def test_effective_duration_without_speed_shock_is_modified_duration(deal: Deal) -> None:
    """A fixed-rate class whose cash flows do not move with LIBOR: shocking rates alone re-prices the same
    flows, so effective duration and convexity are the SF-50..51 modified duration and convexity."""
    r = price_class(
        deal, "3-A-1", CLOSING, Assumptions(prepay="300PSA"), price=101.0, shock_bp=1.0, speed_shock_pct=0.0
    )
    assert r.effective_duration == pytest.approx(r.analysis.modified_duration, rel=1e-6)
    assert r.effective_convexity == pytest.approx(r.analysis.convexity, rel=1e-3)


def test_shocks() -> None:
    assert scale_speed("300PSA", 1.2) == "360PSA"
    assert scale_speed("6cpr", 0.8) == "4.8CPR"
    assert scale_speed("prepay.csv", 1.2) is None
    assert shift_libor("1.84,2.00", 0.5) == "2.34,2.50"
    assert shift_libor("0.25", -0.5) == "0"


# ------------------------------------------------------------------------------------------ tables
def test_percent_cells_round_as_prospectuses_do() -> None:
    assert [percent_cell(x) for x in (100.0, 99.5, 99.49, 0.5, 0.49, 0.0001, 0.0)] == [
        "100",
        "100",
        "99",
        "1",
        "*",
        "*",
        "0",
    ]


def _scheduled_fraction(deal: Deal, group: str, months: int, part: str) -> float:
    """Independently: each loan of the group amortized with its stated payment and note rate, no prepayments or
    defaults; the non-PO or PO part by each loan's non-PO fraction; as a fraction of the cut-off amount."""
    tape = load_tape(deal.library).filter(pl.col("group") == group)
    b = tape["cutoff_balance"].cast(pl.Float64).to_numpy()
    r = tape["note_rate"].cast(pl.Float64).to_numpy() / 1200.0
    pay = tape["monthly_payment"].cast(pl.Float64).to_numpy()
    f = np.array([float(x) for x in tape["non_po_fraction"]])
    w = f if part == "non_po" else 1.0 - f
    g = (1.0 + r) ** months
    bal = np.maximum(b * g - pay * (g - 1.0) / r, 0.0)
    return float((bal * w).sum() / (b * w).sum())


def test_decrement_zero_psa_is_scheduled_amortization(deal: Deal) -> None:
    """At 0 PSA (no defaults) a PO component keeps exactly the PO part of its loans' scheduled balances, and the
    group's lone senior class keeps its Senior Percentage of the non-PO scheduled balance."""
    po = decrement_table(deal, "2-A-PO", ["0PSA"])
    senior = decrement_table(deal, "2-A-1", ["0PSA"])
    assert po.rows[0] == ["Initial Percentage", "100"]
    assert po.rows[1][0] == "March 25, 2003"
    for year in range(1, 30):
        months = 12 * year
        expected_po = 100.0 * _scheduled_fraction(deal, "2", months, "po")
        expected_senior = 100.0 * _scheduled_fraction(deal, "2", months, "non_po")
        got_po = po.values[year][1]
        got_senior = senior.values[year][1]
        assert got_po == pytest.approx(expected_po, abs=1e-3)
        assert got_senior == pytest.approx(expected_senior, abs=0.05)
        assert po.rows[year][1] == percent_cell(expected_po)
        if abs(expected_senior - round(expected_senior) - 0.5) > 0.05 and expected_senior >= 0.5:
            assert senior.rows[year][1] == percent_cell(expected_senior)
    assert senior.rows[-1][0] == "Weighted Average Life (years)"
    assert senior.rows[-2][1] == "0"


def test_decrement_table_csv_and_html(tmp_path: Path) -> None:
    out = tmp_path / "dec.csv"
    res = CliRunner().invoke(
        app,
        [
            "table",
            "decrement",
            "boams-2002-3",
            "1-A-6",
            "--prepay",
            "100PSA,500PSA",
            "--format",
            "csv",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["Distribution Date", "100PSA", "500PSA"]
    assert rows[1] == ["Initial Percentage", "100", "100"]
    assert rows[-1][0] == "Weighted Average Life (years)"
    wal_fast, wal_slow = float(rows[-1][2]), float(rows[-1][1])
    assert wal_fast < wal_slow
    col = [int(r[1]) if r[1] not in ("*",) else 0 for r in rows[1:-1]]
    assert col == sorted(col, reverse=True)  # percent outstanding never rises without losses

    html = tmp_path / "py.html"
    res = CliRunner().invoke(
        app,
        [
            "table", "price-yield", "boams-2002-3", "1-A-6", "--prices", "99-00,100-00,101-00",
            "--prepay", "100PSA,500PSA", "--format", "html", "--out", str(html),
        ],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<th>500PSA</th>" in text
    assert "<td>99-00</td>" in text and "Modified Duration at 101-00" in text


def test_price_yield_table_cells_are_yields(deal: Deal) -> None:
    t = price_yield_table(deal, "1-A-6", ["99-16", "100"], ["300PSA"])
    run = run_scenarios(deal, Assumptions(), ["300PSA"])[0]
    cf = class_cashflows(deal, run, "1-A-6")
    assert t.values[0][1] == pytest.approx(yield_from_price(cf, 99.5, CLOSING), abs=1e-12)
    assert t.rows[0][1] == f"{t.values[0][1]:.3f}"
    assert t.rows[1][0] == "100 (100-00)"
    assert t.rows[2][0] == "Average Life (years)"


# --------------------------------------------------------------------------------------------------- CLI
def test_price_cli_json_and_round_trip() -> None:
    args = [
        "price",
        "boams-2002-3",
        "2-A-1",
        "--settle",
        "2002-03-26",
        "--prepay",
        "300PSA",
        "--no-effective",
        "--json",
    ]
    res = CliRunner().invoke(app, [*args, "--price", "99-16+", "--horizon", "2003-03-26"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["horizon"] == "2003-03-26" and 0.0 < out["total_return"] < 20.0
    assert out["price"] == 99.515625 and out["delay"] == 24 and out["accrued_days"] == 25
    assert out["first_principal"] == "2002-04-25"
    for k in (
        "yield",
        "mortgage_yield",
        "average_life",
        "macaulay_duration",
        "modified_duration",
        "convexity",
    ):
        assert isinstance(out[k], float)
    back = json.loads(CliRunner().invoke(app, [*args, "--yield", repr(out["yield"])]).output)
    assert back["price"] == pytest.approx(99.515625, abs=1e-8)


def test_pool_analytics_json_keys() -> None:
    args = [
        "pool-analytics",
        "--wac",
        "9.5",
        "--net",
        "9.0",
        "--wam",
        "360",
        "--prepay",
        "150PSA",
        "--delay",
        "14",
    ]
    res = CliRunner().invoke(app, [*args, "--price", "100", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert list(out) == [
        "price", "yield", "mortgage_yield", "average_life", "macaulay_duration", "modified_duration", "convexity"
    ]  # fmt: skip
    assert out["price"] == 100.0
    assert out["mortgage_yield"] < 9.0 < out["yield"]  # 14 days' delay costs yield; BEY > mortgage yield
    res = CliRunner().invoke(app, [*args, "--yield", repr(out["yield"]), "--json"])
    assert json.loads(res.output)["price"] == pytest.approx(100.0, abs=1e-8)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["price", "boams-2002-3", "1-A-99", "--price", "99", "--settle", "2002-03-26"], "no class '1-A-99'"),
        (["price", "boams-2002-3", "1-A-6", "--price", "99-33", "--settle", "2002-03-26"], "33 32nds"),
        (
            ["pool-analytics", "--wac", "9.5", "--wam", "360", "--delay", "14", "--price", "0"],
            "is not positive",
        ),
        (
            ["pool-analytics", "--wac", "9.5", "--wam", "360", "--delay", "14", "--yield", "-250"],
            "has no price",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    proc = _rmbs(*args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_grid_yield_is_the_price_commands_yield(deal: Deal, runs: list[ScenarioRun]) -> None:
    """The grid's per-class yield (the batch path) is ``rmbs price``'s for the same flows, settled at closing;
    none once the class is retired."""
    from rmbs.analytics.grid import grid_classes, summarize_grid
    from rmbs.waterfall.batch import ClassFlows

    # the two scenarios' flows, built here from the result objects, as the grid's batch view
    names = [c.name for c in deal.classes]
    res = [r.results for r in runs]
    T = max(len(r) for r in res)

    def arr(attr: str) -> np.ndarray:
        out = np.zeros((len(res), T, len(names)), dtype=np.int64)
        for s, rs in enumerate(res):
            for t, r in enumerate(rs):
                out[s, t] = [getattr(r.classes[n], attr) for n in names]
        return out

    rate = np.zeros((len(res), T, len(names)))
    for s, rs in enumerate(res):
        for t, r in enumerate(rs):
            rate[s, t] = [float(r.classes[n].rate) for n in names]
    longest = max(range(len(res)), key=lambda s: len(res[s]))
    flows = ClassFlows(
        tuple(names),
        tuple(r.date for r in res[longest]),
        np.array([r.period for r in res[longest]], dtype=np.int64),
        np.array([len(r) for r in res], dtype=np.int64),
        arr("beginning_balance"),
        arr("principal_paid"),
        arr("interest_paid"),
        arr("realized_loss"),
        arr("writedown"),
        arr("po_deferred_paid"),
        arr("ending_balance"),
        rate,
    )
    ks = [n for n, _ in grid_classes(deal)]
    got = summarize_grid(deal, flows, price=99.5)
    for name in ("1-A-6", "1-A-1", "A-PO"):
        k = ks.index(name)
        want = yield_from_price(class_cashflows(deal, runs[1], name), 99.5, CLOSING)
        assert got.yields[1, k] == pytest.approx(want, abs=1e-12)
    late = summarize_grid(deal, flows, price=99.5, settle=date(2031, 1, 1))
    assert np.isnan(late.yields[1, ks.index("1-A-6")])  # 1-A-6 is retired by then
