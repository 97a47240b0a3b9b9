"""2000-2's special-loss coverage exercised by a projection (issue 11, item 5): ``rmbs run --loss-kinds``.

Special Hazard losses large enough to exhaust the Special Hazard Loss Amount (2000-2 L1483-1498) must produce
Excess Losses (L727-730) allocated as 5.03(a) says (L3751-3775): the PO Percentage of every loss, Excess Losses
included, to Class A-PO; the Non-PO part of the losses other than Excess Losses to the subordinates, most junior
first; the Non-PO part of the Excess Losses to the Senior Certificates other than A-PO, pro rata on their balances
immediately before the date (the literal reading, AMBIG-12's default ``excess_loss_to: seniors_only``).

The test recomputes the Special Hazard Loss Amount date by date from the PSA's words and the run's own ``inputs``
table, then checks the groups table's reported amount and the classes' realized losses against it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.deal.loader import load_deal

DEAL = "boams-2000-2"
INITIAL_SPECIAL_HAZARD = 239_762_052  # $2,397,620.52, L808
CUTOFF_POOL = 22_536_033_139  # $225,360,331.39, L614-616
PRINCIPAL = [
    f"{k}_{h}"
    for k in ("scheduled_principal", "other_principal", "liquidation_principal", "prepayment")
    for h in ("non_po", "po")
]


def _cents(df: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    return df.with_columns([(pl.col(c) * 100).cast(pl.Int64) for c in cols])


def _half_down(num: int, den: int) -> int:
    """``num / den`` rounded to the cent with half a cent rounded down (Section 1.02)."""
    q, r = divmod(num, den)
    return q + 1 if 2 * r > den else q


@pytest.fixture(scope="module")
def run_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typed")
    args = ["run", DEAL, "--prepay", "100PSA", "--default", "4CDR", "--severity", "40", "--lag", "6"]
    res = CliRunner().invoke(app, [*args, "--loss-kinds", "SH=50%", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "losses SH=50%" in res.output  # the scenario's label says how its losses are typed
    return out


def test_excess_special_hazard_losses_follow_5_03(run_out: Path) -> None:
    deal = load_deal(DEAL)
    seniors = [c.name for c in deal.classes if c.kind in ("senior", "residual")]
    subs = [f"B-{i}" for i in range(1, 7)]
    inputs = _cents(
        pl.read_parquet(run_out / "inputs.parquet"),
        [
            *PRINCIPAL,
            "realized_loss_principal_non_po",
            "realized_loss_principal_po",
            "ending_balance",
            "special_hazard_loss",
            "fraud_loss",
            "bankruptcy_loss",
            "largest_loan_balance",
            "largest_zip_balance",
        ],
    ).sort("period")
    groups = _cents(pl.read_parquet(run_out / "groups.parquet"), ["coverage_special_hazard"]).sort("period")
    classes = _cents(pl.read_parquet(run_out / "classes.parquet"), ["beginning_balance", "realized_loss"])
    by_date = {
        p: {r["class"]: r for r in part.iter_rows(named=True)}
        for (p,), part in classes.group_by("period", maintain_order=True)
    }
    depleted = dict(zip(groups["period"].to_list(), groups["depleted"].to_list(), strict=True))
    reported = dict(zip(groups["period"].to_list(), groups["coverage_special_hazard"].to_list(), strict=True))

    remaining = INITIAL_SPECIAL_HAZARD  # clause (b): the initial amount less the Special Hazard losses so far
    seen = {"covered": 0, "crossing": 0, "exhausted": 0}
    for row in inputs.iter_rows(named=True):
        t = row["period"]
        rl_np, rl_po = row["realized_loss_principal_non_po"], row["realized_loss_principal_po"]
        total = rl_np + rl_po
        sh = row["special_hazard_loss"]
        assert sh == total * 50 // 100  # SH=50%: half of each date's realized loss, floored
        assert row["fraud_loss"] == row["bankruptcy_loss"] == 0
        # clause (a): the greatest of 1% of the pool, twice the largest loan and the largest California ZIP
        # code, all "as of the first day of the month preceding" the date: the balances after the prior Due Date
        pool = row["ending_balance"] + total + sum(row[c] for c in PRINCIPAL)
        limit = max(_half_down(pool, 100), 2 * row["largest_loan_balance"], row["largest_zip_balance"])
        if t == 1:
            assert pool == CUTOFF_POOL and limit == INITIAL_SPECIAL_HAZARD  # the ZIP test binds at cut-off
        covered = min(sh, min(remaining, limit))
        excess = sh - covered
        remaining = max(
            0, remaining - sh
        )  # "reduced (but not below zero) by ... Realized Losses ... incurred"
        assert reported[t] == min(remaining, limit), t
        if sh == 0 or depleted[t]:
            continue
        cls = by_date[t]
        if cls["B-1"]["beginning_balance"] <= rl_np:
            continue  # the subordinates can no longer absorb the date's ordinary losses
        seen["covered" if excess == 0 else ("exhausted" if covered == 0 else "crossing")] += 1
        # 5.03(a)(i): A-PO takes the PO Percentage of every loss, Excess Losses included
        assert cls["A-PO"]["realized_loss"] == rl_po
        # the Excess Loss splits Non-PO / PO as the date's losses do
        ex_po = _half_down(excess * rl_po, total)
        ex_np = excess - ex_po
        # 5.03(a)(ii)(2): the Non-PO Excess Loss to the seniors other than A-PO, pro rata on prior balances
        live = [n for n in seniors if cls[n]["beginning_balance"] > 0]
        weight = sum(cls[n]["beginning_balance"] for n in live)
        assert sum(cls[n]["realized_loss"] for n in seniors) == ex_np, t
        for n in live:
            assert abs(cls[n]["realized_loss"] * weight - ex_np * cls[n]["beginning_balance"]) <= weight, (
                t,
                n,
            )
        # 5.03(a)(ii)(1): the rest of the Non-PO loss to the subordinates, B-6 first
        assert sum(cls[n]["realized_loss"] for n in subs) == rl_np - ex_np, t
        left = rl_np - ex_np
        for n in reversed(subs):
            take = min(cls[n]["beginning_balance"], left)
            assert cls[n]["realized_loss"] == take, (t, n)
            left -= take
    # dates where the coverage held, the date it ran out, and dates after it was exhausted
    assert seen["covered"] > 0 and seen["crossing"] == 1 and seen["exhausted"] > 0, seen


def test_loss_kinds_change_nothing_when_absent(run_out: Path, tmp_path: Path) -> None:
    """The same scenario without --loss-kinds: every loss ordinary (no Excess Loss, the seniors take none while
    the subordinates last), the same collateral, and the concentration tests reported all the same."""
    args = ["run", DEAL, "--prepay", "100PSA", "--default", "4CDR", "--severity", "40", "--lag", "6"]
    res = CliRunner().invoke(app, [*args, "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    plain = pl.read_parquet(tmp_path / "inputs.parquet")
    typed = pl.read_parquet(run_out / "inputs.parquet")
    assert plain.drop("special_hazard_loss").equals(typed.drop("special_hazard_loss"))
    assert plain["special_hazard_loss"].cast(pl.Float64).sum() == 0
    assert typed["special_hazard_loss"].cast(pl.Float64).sum() > 0


def _rmbs(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rmbs.cli", *args], capture_output=True, text=True, check=False, timeout=300
    )


@pytest.mark.parametrize(
    ("kinds", "says"),
    [("SH=120%", "out of range"), ("FLOOD=5%", "unknown loss kind"), ("SH=60%,FRAUD=41%", "over 100%")],
)
def test_bad_loss_kinds_is_one_line_and_exit_2(tmp_path: Path, kinds: str, says: str) -> None:
    for cmd in (
        ["run", DEAL, "--out", str(tmp_path / "run")],
        ["grid", DEAL, "--out", str(tmp_path / "g.parquet")],
        ["price", DEAL, "A-1", "--price", "100", "--settle", "2000-03-28"],
    ):
        proc = _rmbs(*cmd, "--loss-kinds", kinds)
        assert proc.returncode == 2, (cmd, proc.stderr)
        err = proc.stderr.strip()
        assert "\n" not in err and "Traceback" not in err, err
        assert err.startswith("error:") and "'loss-kinds'" in err and says in err, err
    assert not (tmp_path / "run").exists() and not (tmp_path / "g.parquet").exists()


def test_grid_and_price_take_the_loss_kinds(run_out: Path) -> None:
    """``grid`` has the split as an axis (``--loss-kinds`` repeatable) and ``price`` as an option: the typed grid
    rows carry the same total loss per class as the typed ``rmbs run``, and ``price`` runs the same scenario (A-1's
    yield at par agrees with the grid's, typed and not)."""
    from rmbs.analytics.deal import Assumptions, price_class
    from rmbs.analytics.grid import grid_frame, make_grid, run_grid

    deal = load_deal(DEAL)
    g = make_grid(deal, "100PSA", "4CDR", "40", "6", loss_kinds=["SH=50%", "none"])
    assert g.loss_kinds == ("SH=50%", "")
    df = grid_frame(run_grid(deal, g, price=100.0))
    cols = ["scenario", "prepay", "default", "severity", "lag", "libor", "loss_kinds", "class"]
    assert df.columns[:8] == cols
    classes = pl.read_parquet(run_out / "classes.parquet")
    loss = (pl.col("realized_loss") + pl.col("writedown")).sum().alias("loss")
    run_loss = classes.group_by("class").agg(loss)
    typed = df.filter(pl.col("loss_kinds") == "SH=50%").join(run_loss, on="class")
    assert typed.height == len(deal.classes)
    assert (typed["total_loss"] == typed["loss"]).all()
    plain = df.filter(pl.col("loss_kinds") == "").join(run_loss, on="class")
    assert (plain["total_loss"] != plain["loss"]).any()  # the split changed who bore the losses

    base = Assumptions(prepay="100PSA", default="4CDR", severity=40.0, lag=6)
    yields = {}
    for kinds, rows in ((None, plain), ("SH=50%", typed)):
        a = Assumptions(**{**base.__dict__, "loss_kinds": kinds})
        assert ("losses SH=50%" in a.label()) == (kinds is not None)
        priced = price_class(deal, "A-1", deal.closing_date, a, price=100.0, shock_bp=None)
        yields[kinds] = float(rows.filter(pl.col("class") == "A-1")["yield"][0])
        assert priced.analysis.yield_ == pytest.approx(yields[kinds], abs=1e-9)
    assert yields[None] != pytest.approx(yields["SH=50%"], abs=1e-6)


def _readme_commands(option: str) -> list[list[str]]:
    """The README's shell commands that use ``option``, continuation lines joined and trailing comments cut."""
    import shlex

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    cmds: list[str] = []
    pending = ""
    for line in text.splitlines():
        if pending or line.startswith(".venv/bin/rmbs "):
            pending += line.split("  #")[0].rstrip().removesuffix("\\") + " "
            if not line.rstrip().endswith("\\"):
                cmds.append(pending.strip())
                pending = ""
    return [shlex.split(c)[1:] for c in cmds if option in c]


def test_the_readme_loss_kinds_commands_run_as_written(tmp_path: Path) -> None:
    cmds = _readme_commands("--loss-kinds")
    assert [c[0] for c in cmds] == ["run", "price", "grid"]
    for args in cmds:
        proc = subprocess.run(
            [sys.executable, "-m", "rmbs.cli", *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=tmp_path,
            timeout=600,
        )
        assert proc.returncode == 0, (args, proc.stderr)
    assert (tmp_path / "typed" / "inputs.parquet").is_file() and (tmp_path / "typed.parquet").is_file()


def test_only_a_deal_whose_coverage_reads_them_computes_the_concentrations() -> None:
    """2000-2's Special Hazard Loss Amount is limited by twice the largest loan and the largest California ZIP
    code (L1483-1498); 2002-3 has no special-loss coverage (spec 2000-2 section 16: "None")."""
    from rmbs.waterfall.project import needs_concentrations, run_deal

    assert needs_concentrations(load_deal(DEAL))
    deal3 = load_deal("boams-2002-3")
    assert not deal3.coverage and not needs_concentrations(deal3)
    run = run_deal(load_deal(DEAL), prepay=["0PSA"])[0]
    assert run.inputs[0]["1"].largest_zip_balance == INITIAL_SPECIAL_HAZARD  # ZIP 92648 at cut-off
    assert run.inputs[0]["1"].largest_loan_balance == 98_500_000  # 2 x = $1,970,000.00 (spec section 7.2)
