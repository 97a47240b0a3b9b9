"""A deal is a directory (deal.yaml beside what ``rmbs ingest`` writes); ``rmbs library add`` / ``list`` keep a user
library outside the package. Run as a user would: the installed command in a fresh process."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from rmbs.deal.library import LIBRARY
from tests.conftest import PSA_2002_3

ARGS = ("--prepay", "300PSA", "--default", "100SDA", "--severity", "35", "--lag", "12", "--libor", "1.84")


def rmbs(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rmbs.cli", *args], capture_output=True, text=True, env=env, timeout=600
    )


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    base = tmp_path_factory.mktemp("deals")
    env = {**os.environ, "RMBS_LIBRARY": str(base / "lib")}
    mine = base / "my-series"
    r = rmbs(env, "ingest", str(PSA_2002_3), "--out", str(mine), "--quiet")
    assert r.returncode == 0, r.stderr
    shutil.copyfile(LIBRARY / "boams-2002-3" / "deal.yaml", mine / "deal.yaml")
    return env, mine


def test_a_directory_runs_like_the_shipped_deal(setup: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, mine = setup
    assert rmbs(env, "run", str(mine), *ARGS, "--out", str(tmp_path / "dir")).returncode == 0
    assert rmbs(env, "run", "boams-2002-3", *ARGS, "--out", str(tmp_path / "shipped")).returncode == 0
    for table in ("classes", "groups", "pool", "inputs", "tests"):
        assert (tmp_path / "dir" / f"{table}.csv").read_bytes() == (
            tmp_path / "shipped" / f"{table}.csv"
        ).read_bytes()


def test_the_directory_s_own_tape_is_projected(setup: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, mine = setup
    other = tmp_path / "smaller"
    shutil.copytree(mine, other)
    tape = pl.read_parquet(other / "loans.parquet")
    g3 = tape.filter(pl.col("group") == "3")
    kept = pl.concat([tape.filter(pl.col("group") != "3"), g3.head(g3.height // 2)])
    kept.write_parquet(other / "loans.parquet")
    assert rmbs(env, "run", str(other), *ARGS, "--out", str(tmp_path / "o")).returncode == 0
    pool = pl.read_csv(tmp_path / "o" / "pool.csv", infer_schema_length=0)
    first = pool.filter((pl.col("group") == "3") & (pl.col("period") == "1")).row(0, named=True)

    def cents(x: object) -> int:
        return int(round(float(str(x)) * 100))

    # the first date's beginning balance of group 3 (ending + the period's principal and losses) is the kept
    # loans' cut-off balance, not the deal's
    parts = ("ending_balance", "scheduled_principal", "prepayments", "liquidation_proceeds", "realized_loss")
    begin = sum(cents(first[k]) for k in parts)
    kept_cents = sum(cents(x) for x in g3.head(g3.height // 2)["cutoff_balance"].cast(pl.String))
    all_cents = sum(cents(x) for x in g3["cutoff_balance"].cast(pl.String))
    assert abs(begin - kept_cents) <= 2, (begin, kept_cents)
    assert all_cents - kept_cents > 1_000_000_00


def test_library_add_list_and_run_by_id(setup: tuple[dict[str, str], Path], tmp_path: Path) -> None:
    env, mine = setup
    r = rmbs(env, "library", "add", str(mine))
    assert r.returncode == 0, r.stderr
    dest = Path(env["RMBS_LIBRARY"]) / "my-series"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o700
    for f in dest.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    listed = rmbs(env, "library", "list").stdout
    assert "my-series: Mortgage Pass-Through Certificates, Series 2002-3, 1065 loans" in listed
    assert "06050H EE 4" in listed  # 1-A-1's CUSIP from the filing
    assert "groups: 1, 2, 3; 36 classes" in listed
    assert rmbs(env, "run", "my-series", *ARGS, "--out", str(tmp_path / "id")).returncode == 0
    again = rmbs(env, "library", "add", str(mine))
    assert again.returncode == 2 and "already in the user library" in again.stderr
    assert "Traceback" not in again.stderr
    assert rmbs(env, "library", "add", str(mine), "--replace").returncode == 0
    shipped = rmbs(env, "library", "add", str(mine), "--as", "boams-2000-2")
    assert shipped.returncode == 2 and "shipped deal" in shipped.stderr


@pytest.mark.parametrize("damage", ["no deal file", "not parquet", "a group without loans", "bad deal file"])
def test_a_broken_directory_is_refused_in_one_line(
    setup: tuple[dict[str, str], Path], tmp_path: Path, damage: str
) -> None:
    env, mine = setup
    bad = tmp_path / "bad"
    shutil.copytree(mine, bad)
    if damage == "no deal file":
        (bad / "deal.yaml").unlink()
        want = "deal.yaml"
    elif damage == "not parquet":
        (bad / "loans.parquet").write_text("loan_number,group\n1,1\n")
        want = "loans.parquet"
    elif damage == "a group without loans":
        tape = pl.read_parquet(bad / "loans.parquet")
        tape.filter(pl.col("group") != "2").write_parquet(bad / "loans.parquet")
        want = "loan group 2"
    else:
        text = (bad / "deal.yaml").read_text()
        (bad / "deal.yaml").write_text(text.replace("switches:", "switches: 7\nx:", 1))
        want = "deal.yaml"
    r = rmbs(env, "library", "add", str(bad), "--as", "broken")
    assert r.returncode == 2, r.stdout
    assert want in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (Path(env["RMBS_LIBRARY"]) / "broken").exists()
