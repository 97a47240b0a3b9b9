"""Prepayment and default assumptions: the strings a user types, CSV vectors, and the standard conversions.

Every speed is kept in the unit the user gave it (``150PSA`` stays a PSA speed) and is turned into monthly
fractions only when a projection asks for them, indexed either by the loan's age MONTH (PSA, ABS and SDA ramps,
SF-6..8, SF-13..15, SF-20..22) or by the projection period (constant CPR/SMM/CDR/MDR and per-period vectors).

Conventions (Standard Formulas, SF-5..22): all rates are in percent, as printed (``6`` CPR is 6%); ``MONTH`` is
the accrual month in which the loan's age goes from ``MONTH - 1`` to ``MONTH`` (age 0 at origination), so a loan
of age ``a`` at the cut-off date is in MONTH ``a + t`` in projection period ``t``.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from rmbs.errors import AssumptionError

FloatArray = npt.NDArray[np.float64]
ArrayLike = float | int | npt.ArrayLike

PREPAYMENT_UNITS = ("SMM", "CPR", "PSA", "ABS")
DEFAULT_UNITS = ("MDR", "CDR", "SDA")
SpeedKind = Literal["prepayment", "default"]
VectorIndex = Literal["period", "age"]

# Largest lag accepted: a recovery more than 30 years after default has no meaning for a 30-year pool.
MAX_LAG = 360


# --------------------------------------------------------------------------------------------- conversions
def smm_to_cpr(smm: ArrayLike) -> FloatArray:
    """CPR from SMM, both in percent: ``(1 - SMM/100)^12 = 1 - CPR/100`` (SF-6)."""
    return np.asarray(
        100.0 * (1.0 - (1.0 - np.asarray(smm, dtype=np.float64) / 100.0) ** 12), dtype=np.float64
    )


def cpr_to_smm(cpr: ArrayLike) -> FloatArray:
    """SMM from CPR, both in percent: ``SMM = 100 [1 - (1 - CPR/100)^(1/12)]`` (SF-6)."""
    c = np.asarray(cpr, dtype=np.float64)
    return np.asarray(100.0 * (1.0 - (1.0 - c / 100.0) ** (1.0 / 12.0)), dtype=np.float64)


def psa_to_cpr(psa: ArrayLike, month: ArrayLike) -> FloatArray:
    """CPR of a PSA speed in accrual MONTH: ``min{(PSA/100) 0.2 max{1, min{MONTH, 30}}, 100}`` (SF-6..8)."""
    m = np.maximum(1.0, np.minimum(np.asarray(month, dtype=np.float64), 30.0))
    return np.asarray(
        np.minimum(np.asarray(psa, dtype=np.float64) / 100.0 * 0.2 * m, 100.0), dtype=np.float64
    )


def psa_to_smm(psa: ArrayLike, month: ArrayLike) -> FloatArray:
    """One-month SMM (percent) of a PSA speed in accrual MONTH (SF-8, table SF-10)."""
    return cpr_to_smm(psa_to_cpr(psa, month))


def cpr_to_psa(cpr: ArrayLike, month: ArrayLike) -> FloatArray:
    """The PSA speed equivalent to a CPR in accrual MONTH, the inverse of SF-6..8 below the 100% CPR cap (SF-7)."""
    m = np.maximum(1.0, np.minimum(np.asarray(month, dtype=np.float64), 30.0))
    return np.asarray(100.0 * np.asarray(cpr, dtype=np.float64) / (0.2 * m), dtype=np.float64)


def abs_to_smm(abs_speed: ArrayLike, month: ArrayLike) -> FloatArray:
    """SMM (percent) of an ABS speed in MONTH: ``100 ABS / [100 - ABS (MONTH - 1)]`` (SF-13..14).

    Once the denominator falls to the ABS speed or below, every original loan has prepaid and the SMM is 100%
    (the 2.0 ABS row of SF-14 prints 100.00 in month 50).
    """
    a = np.asarray(abs_speed, dtype=np.float64)
    m = np.asarray(month, dtype=np.float64)
    denom = 100.0 - a * (m - 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        smm = np.where(denom > a, 100.0 * a / np.where(denom > 0.0, denom, 1.0), 100.0)
    return np.asarray(np.where(a == 0.0, 0.0, smm), dtype=np.float64)


def sda_to_cdr(sda: ArrayLike, month: ArrayLike) -> FloatArray:
    """Annual CDR (percent) of an SDA speed in MONTH (SF-20..22).

    100% SDA: 0.02% x MONTH up to month 30, 0.60% to month 60, then down 0.0095% a month to 0.03% at month 120,
    0.03% thereafter. (The SDA's zero CDR in the last ``n`` = time-to-liquidation months of a loan is applied by
    the projection, which knows each loan's remaining term and the recovery lag.)
    """
    m = np.asarray(month, dtype=np.float64)
    base = np.where(
        m <= 30.0,
        0.02 * np.maximum(m, 0.0),
        np.where(m <= 60.0, 0.60, np.where(m <= 120.0, 0.60 - 0.0095 * (m - 60.0), 0.03)),
    )
    return np.asarray(np.minimum(np.asarray(sda, dtype=np.float64) / 100.0 * base, 100.0), dtype=np.float64)


def cdr_to_mdr(cdr: ArrayLike) -> FloatArray:
    """Monthly default rate (percent) of an annual CDR: ``MDR = 1 - (1 - CDR)^(1/12)`` (SF-21)."""
    return cpr_to_smm(cdr)


def mdr_to_cdr(mdr: ArrayLike) -> FloatArray:
    """Annual CDR (percent) of a monthly default rate (SF-21)."""
    return smm_to_cpr(mdr)


def sda_to_mdr(sda: ArrayLike, month: ArrayLike) -> FloatArray:
    """MDR (percent) of an SDA speed in MONTH (SF-20..22)."""
    return cdr_to_mdr(sda_to_cdr(sda, month))


# ------------------------------------------------------------------------------------ scheduled balances (SF-4)
def scheduled_balance(rate: ArrayLike, original_term: ArrayLike, remaining_term: ArrayLike) -> FloatArray:
    """Remaining balance per $1 of original balance of a level-pay loan (SF-4).

    ``BAL = [1 - (1 + C/1200)^-M] / [1 - (1 + C/1200)^-M0]`` with ``C`` the gross coupon (percent), ``M`` the
    remaining and ``M0`` the original term in months; ``BAL = M / M0`` at a zero coupon.
    """
    c = np.asarray(rate, dtype=np.float64) / 1200.0
    m = np.asarray(remaining_term, dtype=np.float64)
    m0 = np.asarray(original_term, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = (1.0 - (1.0 + c) ** (-m)) / (1.0 - (1.0 + c) ** (-m0))
        straight = m / m0
    return np.asarray(np.where(c == 0.0, straight, level), dtype=np.float64)


def payment_factor(rate: ArrayLike, original_term: ArrayLike) -> FloatArray:
    """Gross monthly payment per $1 of original balance: ``(C/1200) / [1 - (1 + C/1200)^-M0]`` (SF-4)."""
    c = np.asarray(rate, dtype=np.float64) / 1200.0
    m0 = np.asarray(original_term, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = c / (1.0 - (1.0 + c) ** (-m0))
    return np.asarray(np.where(c == 0.0, 1.0 / m0, level), dtype=np.float64)


# --------------------------------------------------------------------------- historical speeds from factors
def historical_smm(f1: ArrayLike, f2: ArrayLike, bal1: ArrayLike, bal2: ArrayLike) -> FloatArray:
    """One-month SMM (percent) between two pool factors (SF-5).

    ``Fsched = F1 BAL2/BAL1`` is the factor the pool would have had with no prepayments;
    ``SMM = 100 (Fsched - F2) / Fsched``.
    """
    f_sched = (
        np.asarray(f1, dtype=np.float64)
        * np.asarray(bal2, dtype=np.float64)
        / np.asarray(bal1, dtype=np.float64)
    )
    return np.asarray(100.0 * (f_sched - np.asarray(f2, dtype=np.float64)) / f_sched, dtype=np.float64)


def historical_cpr(f1: ArrayLike, f2: ArrayLike, bal1: ArrayLike, bal2: ArrayLike) -> FloatArray:
    """One-month CPR (percent) between two pool factors (SF-5..6)."""
    return smm_to_cpr(historical_smm(f1, f2, bal1, bal2))


def historical_psa(
    f1: ArrayLike, f2: ArrayLike, bal1: ArrayLike, bal2: ArrayLike, month: ArrayLike
) -> FloatArray:
    """One-month PSA speed between two pool factors, with MONTH the accrual month of the period (SF-7..8)."""
    return cpr_to_psa(historical_cpr(f1, f2, bal1, bal2), month)


def historical_abs(
    f1: ArrayLike, f2: ArrayLike, bal1: ArrayLike, bal2: ArrayLike, age1: ArrayLike, age2: ArrayLike
) -> FloatArray:
    """ABS speed (percent) from two pool factors and loan ages (SF-14..15).

    ``ABS = 100 [(F2/F1) - (BAL2/BAL1)] / [AGE1 (F2/F1) - AGE2 (BAL2/BAL1)]``.
    """
    fr = np.asarray(f2, dtype=np.float64) / np.asarray(f1, dtype=np.float64)
    br = np.asarray(bal2, dtype=np.float64) / np.asarray(bal1, dtype=np.float64)
    a1 = np.asarray(age1, dtype=np.float64)
    a2 = np.asarray(age2, dtype=np.float64)
    return np.asarray(100.0 * (fr - br) / (a1 * fr - a2 * br), dtype=np.float64)


def average_smm(f_start: float, f_end: float, bal_start: float, bal_end: float, months: int) -> float:
    """Average SMM (percent) over ``months`` months between two factors (SF-11).

    ``SMM_avg = 100 [1 - (F_actual / F_sched)^(1/n)]`` where ``F_sched = F_start BAL_end / BAL_start`` is the
    factor with scheduled amortization only. Average speeds are never averages of monthly PSAs (SF-12).
    """
    if months <= 0:
        raise AssumptionError("the averaging period must be at least one month", field="months")
    f_sched = f_start * bal_end / bal_start
    return 100.0 * (1.0 - (f_end / f_sched) ** (1.0 / months))


def average_cpr(f_start: float, f_end: float, bal_start: float, bal_end: float, months: int) -> float:
    """Average CPR (percent) over ``months`` months: ``100 [1 - (F_actual / F_sched)^(12/n)]`` (SF-11..12)."""
    if months <= 0:
        raise AssumptionError("the averaging period must be at least one month", field="months")
    f_sched = f_start * bal_end / bal_start
    return 100.0 * (1.0 - (f_end / f_sched) ** (12.0 / months))


# ------------------------------------------------------------------------------------------------- speeds
@dataclass(frozen=True)
class Speed:
    """A prepayment or default speed: a constant in one unit, or a vector of per-period (or per-age) values.

    ``unit`` is one of SMM/CPR/PSA/ABS (prepayments) or MDR/CDR/SDA (defaults); ``value`` the constant speed
    (percent, or percent of the standard ramp for PSA/SDA) or ``None`` for a vector; ``vector`` the values of a
    vector (unit SMM/CPR or MDR/CDR) for periods 1, 2, ... (``index="period"``) or for age MONTHs 1, 2, ...
    (``index="age"``). ``field`` names the input it came from, for error messages.
    """

    kind: SpeedKind
    unit: str
    value: float | None = None
    vector: tuple[float, ...] | None = None
    index: VectorIndex = "period"
    field: str = "prepay"

    @property
    def by_age(self) -> bool:
        """Whether the monthly rate depends on the loan's age MONTH rather than on the projection period."""
        if self.vector is not None:
            return self.index == "age"
        return self.unit in ("PSA", "ABS", "SDA")

    @property
    def is_zero(self) -> bool:
        if self.vector is not None:
            return all(v == 0.0 for v in self.vector)
        return self.value == 0.0

    def label(self) -> str:
        if self.vector is not None:
            return f"{self.unit} vector by {self.index} ({len(self.vector)} values)"
        return f"{self.value:g}{self.unit}"

    def monthly_rates(self, months: npt.ArrayLike) -> FloatArray:
        """Monthly fractions (0..1) -- SMM for prepayments, MDR for defaults -- at the given 1-based indices.

        The indices are age MONTHs when :attr:`by_age`, projection periods otherwise. A vector shorter than the
        largest index asked for is an :class:`AssumptionError` naming the field.
        """
        idx = np.asarray(months, dtype=np.int64)
        if self.vector is not None:
            vec = np.asarray(self.vector, dtype=np.float64)
            need = int(idx.max()) if idx.size else 0
            if need > len(vec):
                what = "age MONTH" if self.index == "age" else "period"
                raise AssumptionError(
                    f"the {self.unit} vector has {len(vec)} values but the projection needs one per {what} "
                    f"up to {need}",
                    field=self.field,
                    expected=f"{need} values",
                )
            vals = vec[np.clip(idx, 1, max(len(vec), 1)) - 1]
            pct = cpr_to_smm(vals) if self.unit in ("CPR", "CDR") else vals
        else:
            v = float(self.value if self.value is not None else 0.0)
            if self.unit in ("SMM", "MDR"):
                pct = np.full(idx.shape, v)
            elif self.unit in ("CPR", "CDR"):
                pct = np.full(idx.shape, float(cpr_to_smm(v)))
            elif self.unit == "PSA":
                pct = psa_to_smm(v, idx)
            elif self.unit == "ABS":
                pct = abs_to_smm(v, idx)
            else:  # SDA
                pct = sda_to_mdr(v, idx)
        return np.asarray(np.where(idx >= 1, pct, 0.0) / 100.0, dtype=np.float64)

    def rate_table(self, length: int) -> FloatArray:
        """Monthly fractions for indices ``0..length`` (index 0 is unused and zero): the kernels' lookup table."""
        table = np.zeros(length + 1, dtype=np.float64)
        if length > 0:
            table[1:] = self.monthly_rates(np.arange(1, length + 1))
        return table

    def check_period_vector(self, n_periods: int) -> None:
        """A per-period vector must give exactly one value per projected period."""
        if self.vector is not None and self.index == "period" and len(self.vector) != n_periods:
            raise AssumptionError(
                f"the {self.unit} vector has {len(self.vector)} values; the projection has {n_periods} periods",
                field=self.field,
                expected=f"exactly {n_periods} values, one per period",
            )


_SPEED_RE = re.compile(r"^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*%?\s*([A-Za-z]+)\s*$")


def _check_range(kind: SpeedKind, unit: str, value: float, field: str) -> None:
    if math.isnan(value) or math.isinf(value):
        raise AssumptionError(f"speed {value!r} is not a number", field=field)
    if value < 0.0:
        raise AssumptionError(f"a {kind} speed must not be negative, got {value:g}{unit}", field=field)
    if unit in ("SMM", "CPR", "MDR", "CDR") and value > 100.0:
        what = "SMM" if unit in ("SMM", "CPR") else "MDR"
        raise AssumptionError(
            f"{value:g}{unit} gives an {what} over 100%", field=field, expected=f"0 to 100 {unit}"
        )
    if unit == "ABS" and value > 100.0:
        raise AssumptionError(
            f"{value:g}ABS gives an SMM over 100% in month 1 (SF-13)", field=field, expected="0 to 100 ABS"
        )
    if unit == "SDA" and value * 0.60 / 100.0 > 100.0:
        raise AssumptionError(
            f"{value:g}SDA gives a CDR over 100% at the plateau (SF-20)",
            field=field,
            expected="at most 16666 SDA",
        )


def parse_speed(text: str, kind: SpeedKind, *, field: str | None = None) -> Speed:
    """Parse a speed as a user types it: ``150PSA``, ``6 cpr``, ``0.5SMM``, ``1.5ABS``, ``100SDA``, ``2CDR``,
    ``1MDR`` (case-insensitive, spaces allowed), or the path of a CSV vector file (see :func:`load_vector`).

    Prepayment units are SMM, CPR, PSA and ABS; default units are MDR, CDR and SDA (SF-6..22). A bare ``0`` is
    zero speed. Errors name ``field`` (``"prepay"`` or ``"default"`` unless given).
    """
    fld = field or ("prepay" if kind == "prepayment" else "default")
    raw = text.strip()
    if raw.lower().endswith(".csv") or (raw and Path(raw).is_file()):
        return load_vector(Path(raw), kind, field=fld)
    if re.fullmatch(r"[+-]?0*\.?0*", raw) and raw not in ("", "+", "-", "."):
        return Speed(kind=kind, unit="SMM" if kind == "prepayment" else "MDR", value=0.0, field=fld)
    m = _SPEED_RE.match(raw)
    allowed = PREPAYMENT_UNITS if kind == "prepayment" else DEFAULT_UNITS
    if m is None:
        raise AssumptionError(
            f"cannot read {text!r} as a {kind} speed",
            field=fld,
            expected=f"a number and a unit, e.g. {'150PSA' if kind == 'prepayment' else '2CDR'} "
            f"(units {', '.join(allowed)}), or a .csv vector",
        )
    value = float(m.group(1))
    unit = m.group(2).upper()
    if unit not in allowed:
        other = DEFAULT_UNITS if kind == "prepayment" else PREPAYMENT_UNITS
        hint = (
            f"; {unit} is a {'default' if kind == 'prepayment' else 'prepayment'} unit"
            if unit in other
            else ""
        )
        raise AssumptionError(
            f"unknown {kind} unit {m.group(2)!r}{hint}", field=fld, expected=f"one of {', '.join(allowed)}"
        )
    _check_range(kind, unit, value, fld)
    return Speed(kind=kind, unit=unit, value=value, field=fld)


def parse_prepayment(text: str, *, field: str = "prepay") -> Speed:
    """A prepayment speed: SMM, CPR, PSA (SF-6..8), ABS (SF-13..15) or a CSV vector of SMM or CPR."""
    return parse_speed(text, "prepayment", field=field)


def parse_default(text: str, *, field: str = "default") -> Speed:
    """A default speed: MDR, CDR, SDA (SF-20..22) or a CSV vector of MDR or CDR."""
    return parse_speed(text, "default", field=field)


def load_vector(path: Path, kind: SpeedKind, *, field: str | None = None) -> Speed:
    """Read a per-period (or per-age) speed vector from CSV.

    The first row is a header. The last column is the speed, headed by its unit (``smm`` or ``cpr`` for
    prepayments, ``mdr`` or ``cdr`` for defaults), in percent. An optional first column headed ``period`` (the
    default) or ``age`` says what the rows are indexed by; it must count 1, 2, 3, ... Blank lines are skipped.
    """
    fld = field or ("prepay" if kind == "prepayment" else "default")
    allowed = ("SMM", "CPR") if kind == "prepayment" else ("MDR", "CDR")
    if not path.is_file():
        raise AssumptionError(f"vector file {str(path)!r} not found", field=fld, file=path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
    if not rows:
        raise AssumptionError("the vector file is empty", field=fld, file=path)
    header = [h.strip().lower() for h in rows[0]]
    unit = header[-1].upper()
    if unit not in allowed:
        raise AssumptionError(
            f"the last column is headed {rows[0][-1]!r}, not a {kind} vector unit",
            file=path,
            line=1,
            field=fld,
            expected=f"a header naming the unit: {' or '.join(u.lower() for u in allowed)}",
        )
    index: VectorIndex = "period"
    if len(header) > 1:
        if header[0] not in ("period", "age", "month"):
            raise AssumptionError(
                f"unknown index column {rows[0][0]!r}", file=path, line=1, field=fld, expected="period or age"
            )
        index = "age" if header[0] == "age" else "period"
    values: list[float] = []
    for lineno, row in enumerate(rows[1:], start=2):
        try:
            v = float(row[-1])
        except ValueError:
            raise AssumptionError(f"not a number: {row[-1]!r}", file=path, line=lineno, field=fld) from None
        if len(header) > 1:
            try:
                k = int(row[0])
            except ValueError:
                raise AssumptionError(
                    f"not a {index} number: {row[0]!r}", file=path, line=lineno, field=fld
                ) from None
            if k != len(values) + 1:
                raise AssumptionError(
                    f"{index} {k} out of order",
                    file=path,
                    line=lineno,
                    field=fld,
                    expected=f"{len(values) + 1}",
                )
        try:
            _check_range(kind, unit, v, fld)
        except AssumptionError as exc:
            raise AssumptionError(
                exc.message, file=path, line=lineno, field=fld, expected=exc.expected
            ) from None
        values.append(v)
    if not values:
        raise AssumptionError("the vector file has a header but no values", file=path, field=fld)
    return Speed(kind=kind, unit=unit, vector=tuple(values), index=index, field=fld)


def parse_severity(value: float | str, *, field: str = "severity") -> float:
    """Loss severity in percent of the defaulted balance, 0..100 (SF-18)."""
    try:
        sev = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise AssumptionError(
            f"cannot read {value!r} as a severity", field=field, expected="percent, 0 to 100"
        ) from None
    if math.isnan(sev) or sev < 0.0 or sev > 100.0:
        raise AssumptionError(f"severity {sev:g}% is out of range", field=field, expected="0 to 100 percent")
    return sev


def parse_lag(value: int | str, *, field: str = "lag") -> int:
    """Recovery lag in months from default to liquidation, 0..360 (SF-17..18)."""
    try:
        lag = int(str(value).strip())
    except ValueError:
        raise AssumptionError(f"cannot read {value!r} as a lag in months", field=field) from None
    if lag < 0 or lag > MAX_LAG:
        raise AssumptionError(
            f"lag {lag} months is out of range", field=field, expected=f"0 to {MAX_LAG} months"
        )
    return lag


# ------------------------------------------------------------------------------------------ kinds of loss
# The kinds of Realized Loss a special-loss coverage covers (2000-2 Special Hazard L1444-1481, Fraud L768-772,
# Bankruptcy L475-476; 5.03(a) L3742-3749): the names ``--loss-kinds`` takes, each with its long form.
LOSS_KIND_NAMES: dict[str, str] = {
    "SH": "special_hazard",
    "FRAUD": "fraud",
    "BK": "bankruptcy",
}
_LOSS_KIND_ALIASES: dict[str, str] = {
    **{k: k for k in LOSS_KIND_NAMES},
    **{v.upper(): k for k, v in LOSS_KIND_NAMES.items()},
    "SPECIAL-HAZARD": "SH",
    "SPECIALHAZARD": "SH",
    "BANKRUPTCY": "BK",
}
# percentages are exact decimals with at most this many places (so that the split is exact integer arithmetic)
LOSS_KIND_PLACES = 6
_LOSS_KIND_DEN = 100 * 10**LOSS_KIND_PLACES  # a percentage p is the fraction (p x 10^6) / _LOSS_KIND_DEN


def _check_loss_pct(kind: str, pct: Decimal) -> None:
    if not pct.is_finite() or pct < 0 or pct > 100:
        raise AssumptionError(
            f"{kind}={pct}% is out of range", field="loss-kinds", expected="0 to 100 percent for each kind"
        )
    if (pct * 10**LOSS_KIND_PLACES) != (pct * 10**LOSS_KIND_PLACES).to_integral_value():
        raise AssumptionError(
            f"{kind}={pct}% has more than {LOSS_KIND_PLACES} decimal places",
            field="loss-kinds",
            expected=f"a percentage with at most {LOSS_KIND_PLACES} decimals",
        )


@dataclass(frozen=True)
class LossKinds:
    """How each period's realized principal loss of a group splits by kind: the percent that is a Special Hazard
    Loss, a Fraud Loss and a Bankruptcy Loss; the rest is ordinary. All zero (the default): every loss is ordinary.

    The split of an amount ``L`` (integer cents) is exact: each special kind gets ``floor(L x pct / 100)`` and the
    ordinary loss is what is left, so the four add up to ``L`` to the cent, no special kind exceeds its share and
    the ordinary loss is at most three cents above its own.
    """

    special_hazard: Decimal = Decimal(0)
    fraud: Decimal = Decimal(0)
    bankruptcy: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        total = Decimal(0)
        for kind, pct in zip(LOSS_KIND_NAMES, self.percents(), strict=True):
            _check_loss_pct(kind, pct)
            total += pct
        if total > 100:
            raise AssumptionError(
                f"the loss kinds add up to {total.normalize():f}%, over 100%",
                field="loss-kinds",
                expected="percentages adding up to at most 100 (the rest is ordinary)",
            )

    def percents(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.special_hazard, self.fraud, self.bankruptcy)

    @property
    def is_zero(self) -> bool:
        return all(p == 0 for p in self.percents())

    def numerators(self) -> tuple[int, int, int]:
        """Each percentage as an exact fraction ``num / (100 x 10^6)``."""
        return tuple(int(p * 10**LOSS_KIND_PLACES) for p in self.percents())  # type: ignore[return-value]

    def label(self) -> str:
        """``SH=10%,FRAUD=5%,BK=2%`` (zero kinds left out; empty when every loss is ordinary)."""
        return ",".join(
            f"{k}={p.normalize():f}%" for k, p in zip(LOSS_KIND_NAMES, self.percents(), strict=True) if p
        )

    def split(self, losses: npt.ArrayLike) -> tuple[npt.NDArray[np.int64], ...]:
        """(special hazard, fraud, bankruptcy) cents of integer-cent ``losses`` (any shape), each floored; the
        ordinary loss is ``losses`` less their sum."""
        amount = np.asarray(losses, dtype=np.int64)
        if np.any(amount < 0):
            raise AssumptionError("a realized loss to split is negative", field="loss-kinds")
        q, r = np.divmod(amount, _LOSS_KIND_DEN)
        # floor(L x num / den) = (L // den) num + ((L % den) num) // den, exact in int64 for num <= den
        return tuple(np.asarray(q * n + (r * n) // _LOSS_KIND_DEN, dtype=np.int64) for n in self.numerators())


NO_LOSS_KINDS = LossKinds()


def parse_loss_kinds(text: str | LossKinds | None, *, field: str = "loss-kinds") -> LossKinds:
    """``SH=10%,FRAUD=5%,BK=2%`` (case-insensitive, ``%`` optional, also ``special_hazard=10``): the percent of
    each period's realized principal losses that is of each special kind, the rest ordinary. Empty, ``none`` or
    ``None``: every loss is ordinary. A kind given twice, an unknown kind, a percentage outside 0..100 or a sum
    over 100 is an :class:`AssumptionError` naming ``field``."""
    if isinstance(text, LossKinds):
        return text
    raw = "" if text is None else text.strip()
    if raw == "" or raw.lower() == "none":
        return NO_LOSS_KINDS
    known = ", ".join(f"{k} ({v})" for k, v in LOSS_KIND_NAMES.items())
    pcts: dict[str, Decimal] = {}
    for item in raw.split(","):
        name, sep, value = item.partition("=")
        key = _LOSS_KIND_ALIASES.get(name.strip().upper().replace(" ", "_"))
        if not sep or not name.strip():
            raise AssumptionError(
                f"cannot read {item.strip()!r} as a loss kind",
                field=field,
                expected="KIND=PERCENT, e.g. SH=10%",
            )
        if key is None:
            raise AssumptionError(
                f"unknown loss kind {name.strip()!r}", field=field, expected=f"one of {known}"
            )
        if key in pcts:
            raise AssumptionError(f"loss kind {key} given twice", field=field)
        try:
            pct = Decimal(value.strip().rstrip("%").strip())
        except InvalidOperation:
            raise AssumptionError(
                f"cannot read {value.strip()!r} as a percentage for {key}", field=field, expected="0 to 100"
            ) from None
        try:
            _check_loss_pct(key, pct)
        except AssumptionError as exc:
            raise AssumptionError(exc.message, field=field, expected=exc.expected) from None
        pcts[key] = pct
    try:
        return LossKinds(
            special_hazard=pcts.get("SH", Decimal(0)),
            fraud=pcts.get("FRAUD", Decimal(0)),
            bankruptcy=pcts.get("BK", Decimal(0)),
        )
    except AssumptionError as exc:
        raise AssumptionError(exc.message, field=field, expected=exc.expected) from None


@dataclass(frozen=True)
class Scenario:
    """One assumption set: prepayment and default speeds, loss severity (percent), recovery lag (months),
    whether the servicer advances principal and interest on defaulted loans (SF-16..19), and how the realized
    losses split by kind (:class:`LossKinds`; default: all ordinary)."""

    prepayment: Speed
    default: Speed
    severity: float = 0.0
    lag: int = 0
    advancing: bool = True
    name: str = ""
    loss_kinds: LossKinds = NO_LOSS_KINDS

    def __post_init__(self) -> None:
        if self.prepayment.kind != "prepayment":
            raise AssumptionError("the prepayment speed is a default speed", field="prepay")
        if self.default.kind != "default":
            raise AssumptionError("the default speed is a prepayment speed", field="default")
        parse_severity(self.severity)
        parse_lag(self.lag)

    def label(self) -> str:
        if self.name:
            return self.name
        adv = "" if self.advancing else ", no advancing"
        kinds = "" if self.loss_kinds.is_zero else f" / losses {self.loss_kinds.label()}"
        return (
            f"{self.prepayment.label()} / {self.default.label()} / sev {self.severity:g}% / lag {self.lag}"
            f"{adv}{kinds}"
        )


def scenario(
    prepay: str | Speed = "0SMM",
    default: str | Speed = "0MDR",
    severity: float | str = 0.0,
    lag: int | str = 0,
    advancing: bool = True,
    name: str = "",
    loss_kinds: str | LossKinds | None = None,
) -> Scenario:
    """Build a :class:`Scenario` from user strings (``scenario("150PSA", "2CDR", 35, 12)``;
    ``loss_kinds="SH=10%,FRAUD=5%"`` splits the realized losses by kind, :func:`parse_loss_kinds`)."""
    p = prepay if isinstance(prepay, Speed) else parse_prepayment(prepay)
    d = default if isinstance(default, Speed) else parse_default(default)
    return Scenario(
        p, d, parse_severity(severity), parse_lag(lag), advancing, name, parse_loss_kinds(loss_kinds)
    )
