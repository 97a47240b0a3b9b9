"""``PoolPeriods``: what the collateral does in each loan group on each Distribution Date, in integer cents.

This is the one record the waterfall consumes, whether it was projected from assumptions (``rmbs.collateral``)
or read from a servicer's remittance (``rmbs.admin``). Arrays are ``int64`` cents shaped
``(scenario, group, period)``; period ``p`` (1-based) is array index ``p - 1`` and pays on
``distribution_dates[p - 1]``.

Principal amounts and balances come in two halves, ``*_non_po`` and ``*_po``, split loan by loan with each
loan's PO Percentage (2002-3 PO Percentage L1247-1249, Non-PO Principal Amount L1061-1077, PO Principal Amount
L1251-1268; 2000-2 L925-947, L1097-1118). Interest amounts are not split: the PO components bear no interest and
a Discount Mortgage Loan's net interest is, by construction, interest on its Non-PO share at the strip rate.

Field by field (per loan group, per Distribution Date; "the month" is the calendar month before the DD):

``beginning_balance_{non_po,po}``
    Pool Stated Principal Balance after the prior Due Date (period 1: the Cut-Off Date balance).
``scheduled_principal_{non_po,po}``
    Principal portion of the Monthly Payments due on the Due Date of the DD month -- received or advanced
    (clause (a) of the Non-PO/PO Principal Amount). Without advancing, only the principal actually received.
``prepayments_in_full_{non_po,po}``
    Principal Prepayments in full received in the month (clause (f)).
``curtailments_{non_po,po}``
    Partial Principal Prepayments received in the month (clause (f)); zero in projections.
``liquidation_proceeds_{non_po,po}``
    Liquidation Proceeds allocable to principal of loans liquidated in the month (clause (e)).
``realized_losses_{non_po,po}``
    Principal portion of Realized Losses on loans liquidated in the month.
``ending_balance_{non_po,po}``
    Pool Stated Principal Balance after this DD's Due Date; equals the next period's beginning balance, and
    ``ending = beginning - scheduled - prepayments_in_full - curtailments - liquidation_proceeds -
    realized_losses`` holds to the cent for each half.
``gross_interest``
    One month's interest at the Mortgage Interest Rates on the loans bearing interest for the month (the
    performing loans, plus delinquent loans when P&I is advanced), for the full month: interest not earned on
    prepayments in full is reported separately as the prepayment interest shortfall.
``servicing_fee``
    One month's Servicing Fee at each loan's Servicing Fee Rate on the same balances, before reduction by
    Compensating Interest.
``trustee_fee``
    One twelfth of the Trustee Fee Rate on the beginning Pool Stated Principal Balance.
``net_interest``
    ``gross_interest - servicing_fee - trustee_fee``: interest at the Net Mortgage Interest Rates, before the
    prepayment interest shortfall, Compensating Interest and Relief Act reductions. The only amount that may be
    negative: without advancing, a group whose loans are all in foreclosure still owes the Trustee Fee.
``prepayment_interest_shortfall``
    For prepayments in full received in the month: interest at (Mortgage Interest Rate - Servicing Fee Rate)
    for the days of the month not paid by the mortgagor (2002-3 L1304-1309; 2000-2 L1147-1152).
``compensating_interest``
    ``min(PPIS, cap/12 x beginning balance, servicing fee)``, the Servicer's reduction of its own fee
    (3.17; cap base per 2002-3 [AMBIG-23] / 2000-2 [AMBIG-5]).
``relief_act_reduction``
    Interest not collectible because of the Relief Act; zero in projections.
``new_defaults``
    Stated Principal Balance of loans that defaulted (stopped paying) in the month.
``delinquent_60_plus_balance``
    Stated Principal Balance at the end of the period of loans delinquent 60 days or more, including loans in
    foreclosure and REO (in projections: defaulted loans not yet liquidated, SF-17 FCL, that have missed at
    least two Monthly Payments -- i.e. less those that defaulted in this period).
``cumulative_realized_losses``
    Realized Losses (principal, both halves) from the Cut-Off Date through this DD.
``special_hazard_losses``, ``fraud_losses``, ``bankruptcy_losses``
    The principal (both halves) of this DD's Realized Losses that are Special Hazard, Fraud and Bankruptcy
    Losses (2000-2 L1444-1481, L768-772, L475-476; the Servicer's 5.03(a) classification, L3742-3749): subsets of
    ``realized_losses``, the rest ordinary. In projections, the scenario's ``--loss-kinds`` split of each
    period's realized losses (each kind floored to the cent, :class:`~rmbs.collateral.assumptions.LossKinds`);
    zero without one.
``largest_loan_balance``, ``largest_ca_zip_balance``
    The Special Hazard Loss Amount's tests (2000-2 L1483-1498), "as of the first day of the month preceding such
    Distribution Date after giving effect to Monthly Payments then due": the largest Stated Principal Balance of
    one loan of the group, and the largest aggregate balance of the group's loans in one California five-digit
    ZIP code, both on the loans' balances after the prior Due Date (those ``beginning_balance`` adds up; period
    1: the Cut-Off Date balances). In projections a loan's balance is its projected one (performing plus
    defaulted, not yet liquidated); zero ZIP balance for a tape without state and ZIP.

Rounding: the kernels work in float64; amounts become cents here, half a cent rounded down (Section 1.02). The
balances of each half are rounded directly (period 1 starts from the exact Cut-Off Date cents); the principal
amounts of each half are then rounded so that they add up exactly to ``beginning - ending`` (largest
remainders), so every amount is within one cent of its exact value and the balance identity holds to the cent. Interest amounts and fees are rounded one by one and ``net_interest`` is
``gross - servicing - trustee`` in cents, so it is exact against them (within 1.5 cents of its own exact value).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from rmbs.errors import ValidationError

IntArray = npt.NDArray[np.int64]

PRINCIPAL_FIELDS: tuple[str, ...] = (
    "beginning_balance",
    "scheduled_principal",
    "prepayments_in_full",
    "curtailments",
    "liquidation_proceeds",
    "realized_losses",
    "ending_balance",
)
# the amounts that take a balance from beginning to ending
PRINCIPAL_REDUCTIONS: tuple[str, ...] = (
    "scheduled_principal",
    "prepayments_in_full",
    "curtailments",
    "liquidation_proceeds",
    "realized_losses",
)
INTEREST_FIELDS: tuple[str, ...] = (
    "gross_interest",
    "servicing_fee",
    "trustee_fee",
    "net_interest",
    "prepayment_interest_shortfall",
    "compensating_interest",
    "relief_act_reduction",
)
CREDIT_FIELDS: tuple[str, ...] = (
    "new_defaults",
    "delinquent_60_plus_balance",
    "cumulative_realized_losses",
)
# the kinds of loss a special-loss coverage covers, and the Special Hazard Loss Amount's concentration tests
SPECIAL_LOSS_FIELDS: tuple[str, ...] = ("special_hazard_losses", "fraud_losses", "bankruptcy_losses")
CONCENTRATION_FIELDS: tuple[str, ...] = ("largest_loan_balance", "largest_ca_zip_balance")
AMOUNT_FIELDS: tuple[str, ...] = (
    *(f"{name}_{half}" for name in PRINCIPAL_FIELDS for half in ("non_po", "po")),
    *INTEREST_FIELDS,
    *CREDIT_FIELDS,
    *SPECIAL_LOSS_FIELDS,
    *CONCENTRATION_FIELDS,
)


@dataclass(frozen=True)
class PoolPeriod:
    """One loan group on one Distribution Date, amounts in integer cents (see the module docstring)."""

    scenario: int
    group: str
    period: int
    distribution_date: date
    beginning_balance_non_po: int
    beginning_balance_po: int
    scheduled_principal_non_po: int
    scheduled_principal_po: int
    prepayments_in_full_non_po: int
    prepayments_in_full_po: int
    curtailments_non_po: int
    curtailments_po: int
    liquidation_proceeds_non_po: int
    liquidation_proceeds_po: int
    realized_losses_non_po: int
    realized_losses_po: int
    ending_balance_non_po: int
    ending_balance_po: int
    gross_interest: int
    servicing_fee: int
    trustee_fee: int
    net_interest: int
    prepayment_interest_shortfall: int
    compensating_interest: int
    relief_act_reduction: int
    new_defaults: int
    delinquent_60_plus_balance: int
    cumulative_realized_losses: int
    special_hazard_losses: int = 0
    fraud_losses: int = 0
    bankruptcy_losses: int = 0
    largest_loan_balance: int = 0
    largest_ca_zip_balance: int = 0

    def total(self, name: str) -> int:
        """Non-PO plus PO of a principal field (``total("scheduled_principal")``)."""
        return int(getattr(self, f"{name}_non_po")) + int(getattr(self, f"{name}_po"))

    @property
    def beginning_balance(self) -> int:
        return self.total("beginning_balance")

    @property
    def ending_balance(self) -> int:
        return self.total("ending_balance")

    @property
    def non_supported_interest_shortfall(self) -> int:
        """PPIS not covered by Compensating Interest (2002-3 L1079-1082)."""
        return self.prepayment_interest_shortfall - self.compensating_interest

    @property
    def interest_remittance(self) -> int:
        """Interest the trust receives for the period: net interest less the Non-Supported Interest Shortfall and
        Relief Act reductions (the interest part of the Pool Distribution Amount)."""
        return self.net_interest - self.non_supported_interest_shortfall - self.relief_act_reduction


@dataclass(frozen=True)
class PoolPeriods:
    """Every loan group on every Distribution Date for every scenario: ``int64`` cents ``(scenario, group,
    period)``; the fields are documented in the module docstring."""

    group_ids: tuple[str, ...]
    distribution_dates: tuple[date, ...]
    scenario_labels: tuple[str, ...]
    beginning_balance_non_po: IntArray
    beginning_balance_po: IntArray
    scheduled_principal_non_po: IntArray
    scheduled_principal_po: IntArray
    prepayments_in_full_non_po: IntArray
    prepayments_in_full_po: IntArray
    curtailments_non_po: IntArray
    curtailments_po: IntArray
    liquidation_proceeds_non_po: IntArray
    liquidation_proceeds_po: IntArray
    realized_losses_non_po: IntArray
    realized_losses_po: IntArray
    ending_balance_non_po: IntArray
    ending_balance_po: IntArray
    gross_interest: IntArray
    servicing_fee: IntArray
    trustee_fee: IntArray
    net_interest: IntArray
    prepayment_interest_shortfall: IntArray
    compensating_interest: IntArray
    relief_act_reduction: IntArray
    new_defaults: IntArray
    delinquent_60_plus_balance: IntArray
    cumulative_realized_losses: IntArray
    special_hazard_losses: IntArray
    fraud_losses: IntArray
    bankruptcy_losses: IntArray
    largest_loan_balance: IntArray
    largest_ca_zip_balance: IntArray

    def __post_init__(self) -> None:
        shape = (len(self.scenario_labels), len(self.group_ids), len(self.distribution_dates))
        for name in AMOUNT_FIELDS:
            arr = getattr(self, name)
            if not isinstance(arr, np.ndarray) or arr.dtype != np.int64 or arr.shape != shape:
                got = getattr(arr, "shape", None), getattr(arr, "dtype", None)
                raise ValidationError(
                    f"PoolPeriods.{name} must be int64 cents shaped {shape}, got {got}", field=name
                )

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.scenario_labels), len(self.group_ids), len(self.distribution_dates))

    @property
    def n_periods(self) -> int:
        return len(self.distribution_dates)

    def total(self, name: str) -> IntArray:
        """Non-PO plus PO of a principal field, shaped ``(scenario, group, period)``."""
        return np.asarray(getattr(self, f"{name}_non_po") + getattr(self, f"{name}_po"), dtype=np.int64)

    def group_index(self, group: str | int) -> int:
        try:
            return self.group_ids.index(str(group))
        except ValueError:
            raise ValidationError(
                f"no loan group {group!r}", field="group", expected=f"one of {', '.join(self.group_ids)}"
            ) from None

    def record(self, group: str | int, period: int, scenario: int = 0) -> PoolPeriod:
        """One loan group on one Distribution Date (period 1 is the first) as a plain :class:`PoolPeriod`."""
        g = self.group_index(group)
        if not 1 <= period <= self.n_periods:
            raise ValidationError(
                f"period {period} is outside the projection",
                field="period",
                expected=f"1 to {self.n_periods}",
            )
        if not 0 <= scenario < len(self.scenario_labels):
            raise ValidationError(f"no scenario {scenario}", field="scenario")
        values: dict[str, Any] = {
            name: int(getattr(self, name)[scenario, g, period - 1]) for name in AMOUNT_FIELDS
        }
        return PoolPeriod(
            scenario=scenario,
            group=self.group_ids[g],
            period=period,
            distribution_date=self.distribution_dates[period - 1],
            **values,
        )

    def to_frame(self, group: str | int, scenario: int = 0, *, dollars: bool = True) -> pl.DataFrame:
        """One group's periods as a table: ``period``, ``distribution_date`` and every amount field, in dollars
        (``Decimal(18, 2)``, exact) or, with ``dollars=False``, in integer cents."""
        g = self.group_index(group)
        cols: dict[str, pl.Series] = {
            "period": pl.Series("period", np.arange(1, self.n_periods + 1, dtype=np.int32)),
            "distribution_date": pl.Series("distribution_date", list(self.distribution_dates), dtype=pl.Date),
        }
        for name in AMOUNT_FIELDS:
            cents = pl.Series(name, getattr(self, name)[scenario, g, :], dtype=pl.Int64)
            cols[name] = cents.cast(pl.Decimal(20, 0)).cast(pl.Decimal(20, 2)) / 100 if dollars else cents
        frame = pl.DataFrame(cols)
        if dollars:
            frame = frame.with_columns(pl.col(n).cast(pl.Decimal(18, 2)) for n in AMOUNT_FIELDS)
        return frame

    def check(self) -> None:
        """The invariants every PoolPeriods must satisfy (cheap; the engine calls it on every projection):
        non-negative amounts (all but net interest), the balance identity of each half to the cent, ending = next beginning,
        ``net = gross - servicing - trustee``, Compensating Interest within PPIS and the servicing fee,
        cumulative losses equal to the running sum of realized losses, and the special kinds of loss within the
        realized losses."""
        for name in AMOUNT_FIELDS:
            arr = getattr(self, name)
            if name != "net_interest" and arr.size and int(arr.min()) < 0:
                idx = np.unravel_index(int(np.argmin(arr)), arr.shape)
                raise ValidationError(f"negative amount at (scenario, group, period index) {idx}", field=name)
        for half in ("non_po", "po"):
            begin = getattr(self, f"beginning_balance_{half}")
            end = getattr(self, f"ending_balance_{half}")
            reductions = sum(getattr(self, f"{n}_{half}") for n in PRINCIPAL_REDUCTIONS)
            if not np.array_equal(begin - reductions, end):
                raise ValidationError(
                    "beginning - principal - losses != ending", field=f"ending_balance_{half}"
                )
            if self.n_periods > 1 and not np.array_equal(end[:, :, :-1], begin[:, :, 1:]):
                raise ValidationError(
                    "ending balance != next beginning balance", field=f"beginning_balance_{half}"
                )
        if not np.array_equal(self.gross_interest - self.servicing_fee - self.trustee_fee, self.net_interest):
            raise ValidationError("net interest != gross - servicing - trustee", field="net_interest")
        if np.any(self.compensating_interest > self.prepayment_interest_shortfall) or np.any(
            self.compensating_interest > self.servicing_fee
        ):
            raise ValidationError(
                "compensating interest exceeds PPIS or the servicing fee", field="compensating_interest"
            )
        losses = np.cumsum(self.total("realized_losses"), axis=2)
        if not np.array_equal(losses, self.cumulative_realized_losses):
            raise ValidationError("cumulative losses != running sum", field="cumulative_realized_losses")
        special = sum(getattr(self, n) for n in SPECIAL_LOSS_FIELDS)
        if np.any(special > self.total("realized_losses")):
            raise ValidationError(
                "special hazard, fraud and bankruptcy losses exceed the realized losses",
                field="special_hazard_losses",
            )


def pool_period_field_names() -> tuple[str, ...]:
    """Names of the amount fields of :class:`PoolPeriod`, in order."""
    return tuple(f.name for f in fields(PoolPeriod) if f.name in AMOUNT_FIELDS)
