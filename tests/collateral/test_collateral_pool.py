"""The rep-line projection (SF-16..19) through the ``pool-cashflows`` command: Cash Flow A to the dollar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.collateral.assumptions import scenario
from rmbs.collateral.pool import POOL_COLUMNS, RepLine, project_pool
from rmbs.errors import AssumptionError, ValidationError

CASH_FLOW_A_ARGS = [
    "pool-cashflows",
    "--balance",
    "100000000",
    "--wac",
    "8",
    "--net",
    "8",
    "--wam",
    "360",
    "--age",
    "0",
    "--prepay",
    "1SMM",
    "--default",
    "1MDR",
    "--severity",
    "20",
    "--lag",
    "12",
]

# SF-23..30, Cash Flow A, as printed (dollars; amort factor to 4 places; blanks are zero)
# month: PerfBal NewDef FCL AmortFactor ExpAm VolPrepay AmDef ActAm ExpInt IntLost ActInt PrinRecov PrinLoss ADB
CHECKPOINTS = {
    1: (97934244, 1000000, 999329, 0.9993, 67098, 999329, 671, 66427, 666667, 6667, 660000, 0, 0, 0),
    2: (95910689, 979342, 1977334, 0.9987, 66870, 978680, 1337, 65532, 659557, 13191, 646366, 0, 0, 0),
    12: (77816148, 794620, 10674244, 0.9916, 64994, 794042, 7770, 57223, 595663, 71213, 524449, 0, 0, 0),
    13: (
        76203943,
        778161,
        10453093,
        0.9909,
        64118,
        777591,
        7666,
        56453,
        589936,
        76349,
        513587,
        791646,
        200000,
        991646,
    ),
    30: (
        53337352,
        544712,
        7316424,
        0.9778,
        50919,
        544259,
        6088,
        44832,
        412954,
        53444,
        359510,
        553994,
        140157,
        694151,
    ),
    60: (
        28288335,
        288958,
        3880385,
        0.9507,
        33903,
        288656,
        4053,
        29850,
        219063,
        28351,
        190712,
        293702,
        74530,
        368232,
    ),
    120: (
        7766959,
        79388,
        1065414,
        0.8772,
        15029,
        79255,
        1797,
        13233,
        60185,
        7789,
        52396,
        80543,
        20625,
        101168,
    ),
    180: (2022789, 20700, 277471, 0.7678, 6663, 20641, 797, 5866, 15693, 2031, 13662, 20930, 5449, 26379),
    240: (474084, 4864, 65031, 0.6048, 2954, 4838, 353, 2600, 3687, 477, 3210, 4882, 1317, 6198),
    300: (84409, 873, 11579, 0.3619, 1309, 861, 157, 1153, 662, 86, 576, 856, 257, 1112),
    348: (7461, 82, 1023, 0.0844, 683, 76, 82, 601, 62, 8, 54, 66, 39, 105),
    349: (6793, 0, 854, 0.0776, 674, 69, 75, 599, 57, 7, 50, 59, 37, 95),
    360: (0, 0, 0, 0.0, 577, 0, 0, 577, 4, 0, 4, 0, 7, 7),
}
TOTALS = {
    "new_defaults": 47576640,
    "expected_amortization": 5510477,
    "voluntary_prepayments": 47527662,
    "amortization_from_defaults": 614780,
    "actual_amortization": 4895697,
    "principal_recovery": 37446547,
    "principal_loss": 9515314,
    "adb": 46961860,
}


@pytest.fixture(scope="module")
def cash_flow_a(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    out = tmp_path_factory.mktemp("cfa") / "cash-flow-a.csv"
    result = CliRunner().invoke(app, [*CASH_FLOW_A_ARGS, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "PerfBal" in result.output and "Total" in result.output
    return pl.read_csv(out)


def test_cash_flow_a_csv_has_exactly_the_issue_columns(cash_flow_a: pl.DataFrame) -> None:
    assert tuple(cash_flow_a.columns) == POOL_COLUMNS
    assert cash_flow_a.height == 360
    assert cash_flow_a["month"].to_list() == list(range(1, 361))


@pytest.mark.parametrize("month", sorted(CHECKPOINTS))
def test_cash_flow_a_every_printed_checkpoint_within_one_dollar(
    cash_flow_a: pl.DataFrame, month: int
) -> None:
    row = cash_flow_a.row(month - 1, named=True)
    for col, printed in zip(POOL_COLUMNS[1:], CHECKPOINTS[month], strict=True):
        if col == "amort_factor":
            assert round(row[col], 4) == printed, (month, col)
        else:
            assert abs(row[col] - printed) <= 1.0, (month, col, row[col], printed)


def test_cash_flow_a_every_total_within_one_dollar(cash_flow_a: pl.DataFrame) -> None:
    for col, printed in TOTALS.items():
        assert abs(float(cash_flow_a[col].sum()) - printed) <= 1.0, (
            col,
            float(cash_flow_a[col].sum()),
            printed,
        )


def test_cash_flow_a_conserves_principal(cash_flow_a: pl.DataFrame) -> None:
    """Everything that leaves the balance is amortization, prepayment, recovery or loss."""
    out = (
        cash_flow_a["expected_amortization"].sum()
        + cash_flow_a["voluntary_prepayments"].sum()
        + cash_flow_a["principal_recovery"].sum()
        + cash_flow_a["principal_loss"].sum()
    )
    assert out == pytest.approx(100_000_000, abs=1e-4)


def test_without_advancing_defaults_neither_amortize_nor_pay_interest() -> None:
    table = project_pool(RepLine(1e8, 8, 8, 360), scenario("1SMM", "1MDR", 20, 12, advancing=False))
    assert float(table["amortization_from_defaults"].abs().max()) == 0.0
    month13 = table.row(12, named=True)
    assert month13["adb"] == pytest.approx(1_000_000)  # NEW DEF(1), not amortized
    assert month13["principal_loss"] == pytest.approx(200_000)
    out = sum(float(table[c].sum()) for c in ("actual_amortization", "voluntary_prepayments", "adb"))
    assert out == pytest.approx(1e8, abs=1e-4)


def test_sf4_month_one_through_the_pool() -> None:
    """SF-4 worked numbers per $1 000 000: 150% PSA in month 1, 9.5% gross, 9.0% net."""
    table = project_pool(RepLine(1_000_000, 9.5, 9.0, 360), scenario("150PSA"))
    row = table.row(0, named=True)
    assert round(row["expected_amortization"] / 1e6, 8) == 0.00049188
    assert round(row["voluntary_prepayments"] / 1e6, 8) == 0.00025022
    assert round(row["expected_interest"] / 1e6, 8) == 0.00750000


def test_seasoned_pool_reads_the_psa_ramp_at_its_age() -> None:
    young = project_pool(RepLine(1e6, 8, 8, 340, age=0), scenario("100PSA"))
    old = project_pool(RepLine(1e6, 8, 8, 340, age=20), scenario("100PSA"))
    smm_young = young["voluntary_prepayments"][0] / (1e6 - young["expected_amortization"][0])
    smm_old = old["voluntary_prepayments"][0] / (1e6 - old["expected_amortization"][0])
    assert smm_young * 100 == pytest.approx(0.0166861, rel=1e-3)  # month 1: 0.2 CPR
    assert smm_old * 100 == pytest.approx(0.35, abs=0.01)  # month 21: 4.2 CPR


@pytest.mark.parametrize(
    ("args", "field", "error"),
    [
        (["--balance", "-5"], "balance", ValidationError),
        (["--wac", "120"], "wac", ValidationError),
        (["--wam", "0"], "wam", ValidationError),
        (["--prepay", "5XYZ"], "prepay", AssumptionError),
        (["--prepay", "150SMM"], "prepay", AssumptionError),
        (["--default", "-1CDR"], "default", AssumptionError),
        (["--severity", "150"], "severity", AssumptionError),
    ],
)
def test_bad_pool_input_is_a_clear_error_naming_the_field(
    args: list[str], field: str, error: type[Exception]
) -> None:
    options = {"--balance": "1000000", "--wac": "8", "--wam": "360"}
    options.update(zip(args[::2], args[1::2], strict=True))
    argv = ["pool-cashflows", *(x for kv in options.items() for x in kv)]
    result = CliRunner().invoke(app, argv)
    assert isinstance(result.exception, error), result.output
    assert getattr(result.exception, "field", None) == field


def test_vector_of_the_wrong_length_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "cpr.csv"
    path.write_text("cpr\n" + "6\n" * 12)
    result = CliRunner().invoke(
        app, ["pool-cashflows", "--balance", "1e6", "--wac", "8", "--wam", "360", "--prepay", str(path)]
    )
    assert isinstance(result.exception, AssumptionError)
    assert result.exception.field == "prepay"
    assert "12 values" in str(result.exception)


def test_cli_main_turns_errors_into_exit_code_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rmbs.cli", "pool-cashflows", "--balance", "1e6", "--wac", "8", "--wam", "0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "field 'wam'" in proc.stderr
    assert "Traceback" not in proc.stderr
