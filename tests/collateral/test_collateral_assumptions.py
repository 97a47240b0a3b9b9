"""Assumption strings, CSV vectors and the Standard Formulas' worked numbers (SF-4, SF-7/8, SF-10, SF-14)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rmbs.collateral.assumptions import (
    abs_to_smm,
    average_cpr,
    average_smm,
    cdr_to_mdr,
    cpr_to_smm,
    historical_abs,
    historical_cpr,
    historical_psa,
    historical_smm,
    mdr_to_cdr,
    parse_default,
    parse_lag,
    parse_prepayment,
    parse_severity,
    payment_factor,
    psa_to_cpr,
    psa_to_smm,
    scenario,
    scheduled_balance,
    sda_to_cdr,
    smm_to_cpr,
)
from rmbs.errors import AssumptionError


# ------------------------------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("150PSA", "PSA", 150.0),
        ("6CPR", "CPR", 6.0),
        ("0.5SMM", "SMM", 0.5),
        ("1.5ABS", "ABS", 1.5),
        (" 150 psa ", "PSA", 150.0),
        ("6 Cpr", "CPR", 6.0),
        (".5smm", "SMM", 0.5),
        ("0", "SMM", 0.0),
    ],
)
def test_prepayment_strings_as_a_user_types_them(text: str, unit: str, value: float) -> None:
    speed = parse_prepayment(text)
    assert (speed.unit, speed.value) == (unit, value)


@pytest.mark.parametrize(
    ("text", "unit", "value"), [("100SDA", "SDA", 100.0), ("2CDR", "CDR", 2.0), ("1mdr", "MDR", 1.0)]
)
def test_default_strings_as_a_user_types_them(text: str, unit: str, value: float) -> None:
    speed = parse_default(text)
    assert (speed.unit, speed.value) == (unit, value)


@pytest.mark.parametrize(
    ("text", "kind", "needle"),
    [
        ("6XYZ", "prepayment", "unknown prepayment unit"),
        ("2CDR", "prepayment", "CDR is a default unit"),
        ("150PSA", "default", "PSA is a prepayment unit"),
        ("101SMM", "prepayment", "over 100%"),
        ("100.5CPR", "prepayment", "over 100%"),
        ("120MDR", "default", "over 100%"),
        ("101ABS", "prepayment", "over 100%"),
        ("-5CPR", "prepayment", "negative"),
        ("-1SDA", "default", "negative"),
        ("fast", "prepayment", "cannot read"),
        ("", "default", "cannot read"),
    ],
)
def test_bad_speeds_name_the_field(text: str, kind: str, needle: str) -> None:
    parse = parse_prepayment if kind == "prepayment" else parse_default
    field = "prepay" if kind == "prepayment" else "default"
    with pytest.raises(AssumptionError) as err:
        parse(text)
    assert err.value.field == field
    assert needle in str(err.value)
    assert f"field '{field}'" in err.value.render()


def test_severity_and_lag_out_of_range_name_the_field() -> None:
    with pytest.raises(AssumptionError, match="severity") as err:
        parse_severity(120)
    assert err.value.field == "severity"
    with pytest.raises(AssumptionError) as err2:
        parse_lag(-1)
    assert err2.value.field == "lag"
    assert parse_severity("35%") == 35.0
    assert parse_lag("12") == 12


def test_csv_vector_by_period(tmp_path: Path) -> None:
    path = tmp_path / "speeds.csv"
    path.write_text("period,cpr\n1,6\n2,12\n3,0\n")
    speed = parse_prepayment(str(path))
    assert speed.vector == (6.0, 12.0, 0.0) and speed.unit == "CPR" and not speed.by_age
    rates = speed.monthly_rates([1, 2, 3])
    np.testing.assert_allclose(rates * 100, cpr_to_smm([6.0, 12.0, 0.0]))
    speed.check_period_vector(3)
    with pytest.raises(AssumptionError, match="3 values; the projection has 360 periods") as err:
        speed.check_period_vector(360)
    assert err.value.field == "prepay"


def test_csv_vector_by_age_and_single_column(tmp_path: Path) -> None:
    by_age = tmp_path / "age.csv"
    by_age.write_text("age,smm\n1,0.5\n2,1.0\n")
    assert parse_prepayment(str(by_age)).by_age
    single = tmp_path / "cdr.csv"
    single.write_text("cdr\n1\n2\n")
    speed = parse_default(str(single))
    assert speed.unit == "CDR" and speed.vector == (1.0, 2.0)
    with pytest.raises(AssumptionError, match="up to 3"):
        speed.monthly_rates([1, 2, 3])


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("period,psa\n1,100\n", "not a prepayment vector unit"),
        ("period,smm\n1,abc\n", "not a number"),
        ("period,smm\n1,1\n3,1\n", "out of order"),
        ("period,smm\n1,101\n", "over 100%"),
        ("period,smm\n", "no values"),
    ],
)
def test_bad_csv_vectors_name_field_and_line(tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "v.csv"
    path.write_text(content)
    with pytest.raises(AssumptionError, match=needle) as err:
        parse_prepayment(str(path))
    assert err.value.field == "prepay"


def test_missing_vector_file() -> None:
    with pytest.raises(AssumptionError, match="not found"):
        parse_prepayment("no-such-file.csv")


def test_scenario_builder_accepts_strings() -> None:
    sc = scenario("150PSA", "100SDA", "35", "12", advancing=False)
    assert sc.prepayment.unit == "PSA" and sc.default.unit == "SDA"
    assert sc.severity == 35.0 and sc.lag == 12 and not sc.advancing
    assert "150PSA" in sc.label()


# ---------------------------------------------------------------------------------------------- conversions
def test_smm_cpr_round_trip_sf6() -> None:
    smm = np.array([0.0, 0.435270, 1.0, 5.0, 100.0])
    np.testing.assert_allclose(cpr_to_smm(smm_to_cpr(smm)), smm, atol=1e-12)
    assert float(smm_to_cpr(1.0)) == pytest.approx(11.3615, abs=1e-4)


def test_cdr_mdr_round_trip_sf21() -> None:
    assert float(cdr_to_mdr(12.0)) == pytest.approx(100 * (1 - 0.88 ** (1 / 12)))
    np.testing.assert_allclose(mdr_to_cdr(cdr_to_mdr([0.5, 2.0, 30.0])), [0.5, 2.0, 30.0])


def test_psa_to_cpr_ramp_sf6_to_8() -> None:
    np.testing.assert_allclose(psa_to_cpr(100, [1, 2, 15, 30, 31, 200]), [0.2, 0.4, 3.0, 6.0, 6.0, 6.0])
    assert float(psa_to_cpr(150, 0)) == pytest.approx(0.3)  # max{1, MONTH}
    assert float(psa_to_cpr(5000, 30)) == 100.0  # min{..., 100}


def test_sda_to_cdr_ramp_sf20() -> None:
    np.testing.assert_allclose(
        sda_to_cdr(100, [1, 30, 31, 60, 61, 120, 121, 300]),
        [0.02, 0.60, 0.60, 0.60, 0.5905, 0.03, 0.03, 0.03],
    )
    assert float(sda_to_cdr(200, 15)) == pytest.approx(0.60)


def test_sf4_worked_month_one() -> None:
    """SF-4: 9.5% gross / 9.0% net, 360 months, month 1 at 150% PSA, per $1 of original balance."""
    bal1 = float(scheduled_balance(9.5, 360, 359))
    sched_am = 1.0 - bal1
    smm = float(psa_to_smm(150, 1)) / 100.0
    prepay = bal1 * smm
    gross_int = 9.5 / 1200
    servicing = 0.5 / 1200
    assert round(sched_am, 8) == 0.00049188
    assert round(prepay, 8) == 0.00025022
    assert round(gross_int, 8) == 0.00791667
    assert round(servicing, 8) == 0.00041667
    assert round(sched_am + prepay, 8) == 0.00074210
    assert round(gross_int - servicing, 8) == 0.00750000
    assert round(sched_am + prepay + gross_int - servicing, 8) == 0.00824210
    assert round(float(payment_factor(9.5, 360)), 8) == 0.00840854


def test_sf7_8_historical_speeds_from_factors() -> None:
    """SF-7/8: GNMA I 9.0% (gross 9.5%, 359-month original WAM), factors of 6/1/89 and 7/1/89."""
    f1, f2 = 0.85150625, 0.84732282
    bal1 = float(scheduled_balance(9.5, 359, 344))
    bal2 = float(scheduled_balance(9.5, 359, 343))
    assert round(bal1, 8) == 0.99213300
    assert round(bal2, 8) == 0.99157471
    f_sched = f1 * bal2 / bal1
    assert round(f_sched, 8) == 0.85102709
    assert round(f1 - f_sched, 8) == 0.00047916  # amortization
    assert round(f_sched - f2, 8) == 0.00370427  # prepayments
    assert round(float(historical_smm(f1, f2, bal1, bal2)), 6) == 0.435270
    assert round(float(historical_cpr(f1, f2, bal1, bal2)), 4) == 5.1000
    # MONTH 17: the loans (30-year) are 16 months old at F1 (360 - 344), so the period is accrual month 17
    assert round(float(historical_psa(f1, f2, bal1, bal2, 17)), 2) == 150.00


SF10_MONTH30 = [
    0.25,
    0.51,
    0.78,
    1.06,
    1.35,
    1.64,
    1.95,
    2.26,
    2.59,
    2.93,
    3.28,
    3.65,
    4.04,
    4.44,
    4.86,
    5.30,
    5.77,
    6.27,
    6.79,
]


def test_sf10_one_month_psa_to_smm() -> None:
    month1 = np.round(psa_to_smm([50, 100, 150, 200], 1), 2)
    np.testing.assert_array_equal(month1, [0.01, 0.02, 0.03, 0.03])
    month30 = np.round(psa_to_smm(np.arange(50, 1000, 50), 30), 2)
    np.testing.assert_array_equal(month30, SF10_MONTH30)


def test_sf14_abs_to_smm() -> None:
    assert round(float(abs_to_smm(2.0, 11)), 4) == 2.5000
    rows = {
        1: [0.50, 1.00, 1.50, 2.00],
        10: [0.52, 1.10, 1.73, 2.44],
        30: [0.58, 1.41, 2.65, 4.76],
        50: [0.66, 1.96, 5.66, 100.00],
    }
    for month, expected in rows.items():
        np.testing.assert_array_equal(np.round(abs_to_smm([0.5, 1.0, 1.5, 2.0], month), 2), expected)


def test_historical_abs_recovers_the_speed_sf15() -> None:
    # a pool of new loans prepaying at exactly 1.5 ABS: F = (1 - ABS*age/100)... scheduled factor times survivors
    speed = 1.5
    age1, age2 = 10, 11
    bal1, bal2 = float(scheduled_balance(8.0, 360, 350)), float(scheduled_balance(8.0, 360, 349))
    f1 = bal1 * (1 - speed * age1 / 100) / (1.0)
    f2 = bal2 * (1 - speed * age2 / 100)
    assert float(historical_abs(f1, f2, bal1, bal2, age1, age2)) == pytest.approx(speed)


def test_average_speeds_sf11_12() -> None:
    bal0, bal12 = float(scheduled_balance(8.0, 360, 340)), float(scheduled_balance(8.0, 360, 328))
    f0 = 0.9
    f12 = f0 * bal12 / bal0 * (1 - 0.01) ** 12  # exactly 1% SMM for 12 months
    assert average_smm(f0, f12, bal0, bal12, 12) == pytest.approx(1.0)
    assert average_cpr(f0, f12, bal0, bal12, 12) == pytest.approx(float(smm_to_cpr(1.0)))
    with pytest.raises(AssumptionError):
        average_smm(f0, f12, bal0, bal12, 0)
