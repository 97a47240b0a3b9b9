"""``rmbs grid``: the Cartesian product, the per-class summaries against an independent per-scenario run, Dask
(a loopback LocalCluster of 2 spawned workers) against the in-process grid, and clear errors for bad input."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from rmbs.analytics.grid import (
    DaskRunner,
    cashflow_frame,
    grid_frame,
    make_grid,
    parse_dask,
    run_grid,
)
from rmbs.cli import app
from rmbs.deal.loader import load_deal
from rmbs.errors import RmbsError, ValidationError
from rmbs.waterfall.project import run_deal

DEAL = "boams-2002-3"
RMBS = Path(sys.executable).with_name("rmbs")


@pytest.fixture(scope="module")
def deal():  # type: ignore[no-untyped-def]
    return load_deal(DEAL)


@pytest.fixture(scope="module")
def small(deal):  # type: ignore[no-untyped-def]
    """4 scenarios: two speeds x two LIBOR paths, with defaults and losses."""
    g = make_grid(deal, "150PSA,400PSA", "200SDA", "40", "6", "1.84,3")
    return g, run_grid(deal, g, price=100.0, class_prices={"1-A-6": 99.5, "A-PO": 70.0})


def test_cartesian_product_and_assumption_columns(deal) -> None:  # type: ignore[no-untyped-def]
    g = make_grid(
        deal,
        "100PSA,300PSA,500PSA",
        "0SDA,100SDA,300SDA",
        "25,35",
        "12",
        "1.84,3",
        ["senior_loss_set=exclude_po,include_po"],
    )
    assert len(g) == 3 * 3 * 2 * 1 * 2 * 2
    assert len(set(g.points)) == len(g)
    # the waterfall's path parameters group the scenarios: 2 LIBOR paths x 2 switch values
    groups = g.groups()
    assert len(groups) == 4 and all(len(v) == 18 for v in groups.values())
    # one collateral Scenario per (prepay, default, severity, lag), shared by the groups
    assert len({id(s) for s in g.scenarios}) == 18
    assert g.points[0].prepay == "100PSA" and g.points[-1].prepay == "500PSA"
    assert {p.severity for p in g.points} == {25.0, 35.0} and {p.lag for p in g.points} == {12}
    assert {p.libor for p in g.points} == {"1.84", "3"}
    assert {dict(p.switches)["senior_loss_set"] for p in g.points} == {"exclude_po", "include_po"}
    for pt, sc in zip(g.points, g.scenarios, strict=True):
        assert sc.prepayment.label() == pt.prepay and sc.default.label() == pt.default
        assert (sc.severity, sc.lag) == (pt.severity, pt.lag)


def _days_30_360(a: date, b: date) -> int:
    d1 = min(a.day, 30)
    d2 = 30 if (b.day == 31 and d1 == 30) else b.day
    return 360 * (b.year - a.year) + 30 * (b.month - a.month) + (d2 - d1)


def test_grid_equals_independent_per_scenario_runs(deal, small) -> None:  # type: ignore[no-untyped-def]
    """Each scenario run alone, its per-date result objects read class by class: the grid's WAL, window, totals
    and yield recomputed here from those cash flows."""
    g, run = small
    df = grid_frame(run)
    n_classes = len(deal.classes) + 1  # and A-PO, the class of the three PO components
    assert df.height == len(g) * n_classes
    assert df.columns[:7] == ["scenario", "prepay", "default", "severity", "lag", "libor", "class"]
    closing = deal.closing_date
    floaters = {"1-A-1", "1-A-7"}  # paid on the 25th for the 25th to the 24th: no delay
    priced = 0
    for s in (0, 1, 3):
        pt = g.points[s]
        (one,) = run_deal(
            deal, prepay=[pt.prepay], default=pt.default, severity=pt.severity, lag=pt.lag, libor=pt.libor
        )
        rows = {r["class"]: r for r in run.summaries.rows(s)}
        assert len(rows) == n_classes
        for name, got in rows.items():
            members = [name] if name != "A-PO" else ["1-A-PO", "2-A-PO", "3-A-PO"]
            dates = [r.date for r in one.results]
            prin = [sum(r.classes[m].principal_paid for m in members) for r in one.results]
            interest = [sum(r.classes[m].interest_paid for m in members) for r in one.results]
            loss = sum(
                r.classes[m].realized_loss + r.classes[m].writedown for r in one.results for m in members
            )
            assert got["total_principal"] == Decimal(sum(prin)) / 100
            assert got["total_interest"] == Decimal(sum(interest)) / 100
            assert got["total_loss"] == Decimal(loss) / 100
            paid = [d for d, p in zip(dates, prin, strict=True) if p]
            if paid:
                wal = sum(_days_30_360(closing, d) / 360 * p for d, p in zip(dates, prin, strict=True)) / sum(
                    prin
                )
                assert abs(float(got["wal_years"]) - wal) <= 0.005 + 1e-9
                assert (got["first_principal"], got["last_principal"]) == (paid[0], paid[-1])
            else:
                assert got["wal_years"] is None and got["first_principal"] is None
            price = {"1-A-6": 99.5, "A-PO": 70.0}.get(name, 100.0)
            assert got["price"] == price
            # settlement at closing (2002-03-26): the first payment is the first date's, its accrual period
            # starting on the 1st of March (24-day delay) or on the 25th of February (the floaters)
            face = sum(one.results[0].classes[m].beginning_balance for m in members) / 100
            rate = float(one.results[0].classes[members[0]].rate)
            n_days = 1 if name in floaters else 25
            target = face * price / 100 + face * rate / 100 * n_days / 360
            # the buyer receives the principal with any Class A-PO Deferred Amount paid, and the interest
            deferred = [sum(r.classes[m].po_deferred_paid for m in members) for r in one.results]
            cash = [(p + q + i) / 100 for p, q, i in zip(prin, deferred, interest, strict=True)]
            years = [_days_30_360(closing, d) / 360 for d in dates]

            def pv(y: float, cash: list[float] = cash, years: list[float] = years) -> float:
                return sum(c * (1 + y / 200) ** (-2 * t) for c, t in zip(cash, years, strict=True))

            if got["yield"] is None:
                # nothing to buy, or no yield from -99% to 10,000% gives the price
                assert face == 0 or pv(-99.0) < target or pv(10_000.0) > target
                continue
            priced += 1
            full = pv(got["yield"])
            assert abs(100 * (full - face * rate / 100 * n_days / 360) / face - price) < 1e-8
        po = rows["A-PO"]
        parts = [rows[c] for c in ("1-A-PO", "2-A-PO", "3-A-PO")]
        assert po["total_principal"] == sum(p["total_principal"] for p in parts)
        assert po["initial_balance"] == sum(p["initial_balance"] for p in parts)
        sub = df.filter(pl.col("scenario") == s)
        assert sub["prepay"].unique().to_list() == [pt.prepay]
        assert sub["libor"].unique().to_list() == [pt.libor]
        assert sub["class"].to_list() == list(rows)
        assert sub["yield"].to_list() == [rows[c]["yield"] for c in rows]
    assert priced > 3 * 20


def test_dask_local_cluster_two_workers_identical(deal, small) -> None:  # type: ignore[no-untyped-def]
    g, run = small
    with DaskRunner("local:2") as dask:
        assert len(dask.client.scheduler_info()["workers"]) == 2
        # one scenario per job: other chunks than in-process, the same numbers
        on_dask = run_grid(
            deal, g, price=100.0, class_prices={"1-A-6": 99.5, "A-PO": 70.0}, dask=dask, chunk=1
        )
    assert on_dask.where.startswith("Dask local:2")
    assert grid_frame(on_dask).equals(grid_frame(run))


def test_cli_grid_writes_parquet_and_cash_flows(deal, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "grid.parquet"
    res = CliRunner().invoke(
        app,
        [
            "grid",
            DEAL,
            "--prepay",
            "300PSA",
            "--default",
            "100SDA",
            "--severity",
            "35",
            "--lag",
            "12",
            "--switch",
            "senior_loss_set=exclude_po,include_po",
            "--price-class",
            "1-A-6=99-16",
            "--cashflows",
            str(tmp_path / "cf"),
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    df = pl.read_parquet(out)
    assert df.height == 2 * (len(deal.classes) + 1)
    assert "switch_senior_loss_set" in df.columns
    assert set(df["switch_senior_loss_set"]) == {"exclude_po", "include_po"}
    priced = df.filter(pl.col("price").is_not_null())
    assert set(priced["class"]) == {"1-A-6"} and priced["price"][0] == 99.5
    assert priced["yield"].is_not_null().all()
    cf = pl.read_parquet(tmp_path / "cf" / "cashflows.parquet")
    totals = cf.group_by("scenario", "class").agg(pl.col("principal").sum(), pl.col("interest").sum())
    joined = df.join(totals, on=["scenario", "class"])
    assert joined.height == df.height
    # the cash flows' interest is the summary's; principal adds only the A-PO Deferred Amounts paid
    assert (joined["interest"] == joined["total_interest"]).all()
    assert (joined["principal"] >= joined["total_principal"]).all()
    assert "A-PO" in res.output  # the summary table


def test_cashflow_frame_needs_cash_flows(small) -> None:  # type: ignore[no-untyped-def]
    _, run = small
    with pytest.raises(ValidationError):
        cashflow_frame(run)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--price-class", "9-Z-9=100"], "class"),
        (["--price-class", "1-A-6"], "price-class"),
        (["--price-class", "1-A-6=99-33"], "price-class"),
        (["--prepay", "100PSA,fastPSA"], "prepay"),
        (["--prepay", "100PSA,,300PSA"], "prepay"),
        (["--default", "100PSA"], "default"),
        (["--severity", "120"], "severity"),
        (["--libor", "1.84,abc"], "libor"),
        (["--switch", "nope=1,2"], "switch"),
        (["--dask", "localhost"], "dask"),
        (["--dask", "local:0"], "dask"),
        (["--dask", "tcp://127.0.0.1"], "dask"),
        (["--dask", "local:2", "--workers", "2"], "workers"),
    ],
)
def test_bad_input_is_a_clear_error(tmp_path: Path, args: list[str], field: str) -> None:
    res = CliRunner().invoke(
        app, ["grid", DEAL, "--prepay", "100PSA", *args, "--out", str(tmp_path / "g.parquet")]
    )
    assert isinstance(res.exception, RmbsError), (args, res.output)
    assert res.exception.exit_code == 2
    assert field in (res.exception.field or ""), res.exception.render()
    assert not (tmp_path / "g.parquet").exists()


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    if not RMBS.exists():
        pytest.skip("the rmbs entry point is not installed beside this interpreter")
    for args in (["--dask", "tcp://nowhere"], ["--price-class", "9-Z-9=100"]):
        p = subprocess.run(
            [str(RMBS), "grid", DEAL, *args, "--out", str(tmp_path / "g.parquet")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert p.returncode == 2, p.stderr
        assert p.stderr.startswith("error:") and "Traceback" not in p.stderr


def test_parse_dask_and_unreachable_scheduler() -> None:
    assert parse_dask("local:3") == ("local", 3)
    assert parse_dask("tcp://127.0.0.1:8786") == ("tcp", "tcp://127.0.0.1:8786")
    assert parse_dask("local")[0] == "local"
    with pytest.raises(ValidationError):
        parse_dask("tcp://127.0.0.1:99999")
    # nothing listens on port 9 of loopback: a clear error, quickly
    with (
        pytest.raises(RmbsError, match="cannot reach the Dask scheduler"),
        DaskRunner("tcp://127.0.0.1:9", timeout=2),
    ):
        pass
