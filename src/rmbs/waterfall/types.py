"""The waterfall's data: what goes in (one loan group's collections for a date), what comes out (what each class
and group got), and what is carried from one date to the next. Plain dataclasses in integer cents; the rules live
in :mod:`rmbs.waterfall.interp`, run on the plan of :mod:`rmbs.waterfall.plan`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from rmbs.waterfall.arith import rhd

HUNDRED = Decimal(100)


class ConservationError(AssertionError):
    """The engine's own invariant failed: a bug, never bad input."""


@dataclass(slots=True)
class GroupPeriodInput:
    """One loan group's collections for one distribution date, in integer cents.

    Principal amounts follow the clauses of the Non-PO / PO Principal Amount definitions (2002-3 L1061-1077,
    2000-2 L930-947), already split by each loan's Non-PO / PO Percentage:
    (a) scheduled principal due; (b)-(d) repurchases, substitution amounts and partial liquidation proceeds;
    (e) liquidation principal of loans liquidated in the prior month; (f) prepayments in full and curtailments.
    """

    scheduled_principal_non_po: int = 0
    scheduled_principal_po: int = 0
    other_principal_non_po: int = 0
    other_principal_po: int = 0
    liquidation_principal_non_po: int = 0
    liquidation_principal_po: int = 0
    prepayment_non_po: int = 0
    prepayment_po: int = 0
    net_interest: int = (
        0  # interest remitted net of the Servicing Fee, incl. advances and Compensating Interest
    )
    trustee_fee: int = 0
    principal_shortfall: int = 0  # principal due but neither collected nor advanced (not in the PDA)
    non_supported_interest_shortfall: int = 0
    relief_act_reduction: int = 0
    realized_loss_principal_non_po: int = 0
    realized_loss_principal_po: int = 0
    realized_loss_interest: int = 0
    special_hazard_loss: int = 0  # principal of the losses of each special kind (subsets of the above)
    fraud_loss: int = 0
    bankruptcy_loss: int = 0
    delinquent_60_plus: int = 0  # balance 60+ days delinquent incl. foreclosure and REO (step-down test)
    # the Special Hazard Loss Amount's other tests (2000-2 L1483-1498), balances as of the first day of the prior
    # month after its Monthly Payments: the largest loan, and the largest California ZIP code concentration
    largest_loan_balance: int = 0
    largest_zip_balance: int = 0
    ending_balance: int = 0  # Pool Stated Principal Balance after this date's Due Date
    ending_balance_po: int = 0
    cleanup_call: bool = False  # the optional termination happens on this date

    @property
    def principal_non_po(self) -> int:
        return (
            self.scheduled_principal_non_po
            + self.other_principal_non_po
            + self.liquidation_principal_non_po
            + self.prepayment_non_po
        )

    @property
    def principal_po(self) -> int:
        return (
            self.scheduled_principal_po
            + self.other_principal_po
            + self.liquidation_principal_po
            + self.prepayment_po
        )

    @property
    def pool_distribution_amount(self) -> int:
        """Pool Distribution Amount: collections less servicing fees, less the Trustee Fee (2002-3 L1270-1294)."""
        return (
            self.net_interest
            - self.trustee_fee
            + self.principal_non_po
            + self.principal_po
            - self.principal_shortfall
        )


@dataclass(slots=True)
class ClassResult:
    name: str
    beginning_balance: int
    accrued_interest: int = 0
    interest_reduction: int = 0
    interest_paid: int = 0
    unpaid_interest_shortfall: int = 0
    principal_paid: int = 0
    realized_loss: int = 0
    writedown: int = 0
    ending_balance: int = 0
    rate: Decimal = Decimal(0)
    po_deferred_paid: int = 0


@dataclass(slots=True)
class GroupResult:
    group: str
    pool_distribution_amount: int
    senior_percentage: Decimal
    senior_prepayment_percentage: Decimal
    subordinate_percentage: Decimal
    delinquency_test_pass: bool
    loss_test_pass: bool
    restricted_classes: list[str]
    priority_percentage: Decimal | None
    priority_amount: int
    senior_principal_distribution_amount: int
    subordinate_principal_distribution_amount: int
    po_principal_amount: int
    po_deferred_amount: int
    depleted: bool
    residual_paid: int
    trustee_fee: int
    adjusted_pool_amount: int
    adjusted_pool_amount_po: int
    non_po_class_total: int
    non_po_pool_balance: int
    cumulative_realized_losses: int
    # each Loss Amount after the date: the lesser of what remains of its initial amount after the losses it
    # covered and its limit (a percent of the pool, the largest loan, the largest ZIP code) where the PSA sets one
    coverage_remaining: dict[str, int] = field(default_factory=dict)
    # (subordinate names, their prior balances, the Fractional Interest denominator): the Fractional Interests
    # are derived from these only when asked for (most runs never read them)
    fi_basis: tuple[tuple[str, ...], tuple[int, ...], int] = ((), (), 0)
    # what the residual received split into interest no class is owed and principal (the residual invariant: under
    # the default readings no principal reaches it while a certificate of the group is outstanding)
    residual_interest: int = 0
    residual_principal: int = 0
    final_distribution: bool = False  # Article X: the group's pool was paid off (or purchased) on this date
    excess_loss: int = 0  # special losses beyond their coverage (Excess Losses), principal

    @property
    def fractional_interests(self) -> dict[str, Decimal]:
        """Fractional Interest of each subordinate class, in percent (5.02(d)), from the prior balances."""
        names, balances, den = self.fi_basis
        if den == 0:
            return {s: Decimal(0) for s in names}
        return {s: Decimal(sum(balances[i + 1 :])) * HUNDRED / den for i, s in enumerate(names)}


@dataclass(slots=True)
class PeriodResult:
    period: int
    date: date
    classes: dict[str, ClassResult]
    groups: dict[str, GroupResult]


@dataclass
class GroupState:
    adjusted_pool_amount: int
    adjusted_pool_amount_po: int
    cumulative_losses: int = 0
    depleted: bool = False
    spp_share_used: Decimal | None = None  # senior share of the Subordinate % used last date (step-down lock)
    spp_last: Decimal | None = None
    delinquency_history: list[int] = field(default_factory=list)
    subordinate_history: list[int] = field(default_factory=list)
    initial_senior_percentage: Decimal | None = None

    def copy(self) -> GroupState:
        return GroupState(
            self.adjusted_pool_amount,
            self.adjusted_pool_amount_po,
            self.cumulative_losses,
            self.depleted,
            self.spp_share_used,
            self.spp_last,
            list(self.delinquency_history),
            list(self.subordinate_history),
            self.initial_senior_percentage,
        )


@dataclass
class DealState:
    """Everything carried from one distribution date to the next (the ledger persists this)."""

    period: int
    balances: dict[str, int]
    unpaid_interest: dict[str, int]
    po_deferred: dict[str, int]
    groups: dict[str, GroupState]
    coverage: dict[str, int]
    coverage_used: dict[str, int]
    retired: bool = False

    def to_json(self) -> dict[str, object]:
        """A plain-JSON form (Decimals as strings) for the ledger."""
        return {
            "period": self.period,
            "balances": self.balances,
            "unpaid_interest": self.unpaid_interest,
            "po_deferred": self.po_deferred,
            "coverage": self.coverage,
            "coverage_used": self.coverage_used,
            "retired": self.retired,
            "groups": {
                k: {
                    "adjusted_pool_amount": v.adjusted_pool_amount,
                    "adjusted_pool_amount_po": v.adjusted_pool_amount_po,
                    "cumulative_losses": v.cumulative_losses,
                    "depleted": v.depleted,
                    "spp_share_used": None if v.spp_share_used is None else str(v.spp_share_used),
                    "spp_last": None if v.spp_last is None else str(v.spp_last),
                    "delinquency_history": v.delinquency_history,
                    "subordinate_history": v.subordinate_history,
                    "initial_senior_percentage": None
                    if v.initial_senior_percentage is None
                    else str(v.initial_senior_percentage),
                }
                for k, v in self.groups.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DealState:
        def dec(x: str | None) -> Decimal | None:
            return None if x is None else Decimal(x)

        return cls(
            period=int(data["period"]),
            balances={k: int(v) for k, v in data["balances"].items()},
            unpaid_interest={k: int(v) for k, v in data["unpaid_interest"].items()},
            po_deferred={k: int(v) for k, v in data["po_deferred"].items()},
            coverage={k: int(v) for k, v in data["coverage"].items()},
            coverage_used={k: int(v) for k, v in data["coverage_used"].items()},
            retired=bool(data["retired"]),
            groups={
                k: GroupState(
                    adjusted_pool_amount=int(v["adjusted_pool_amount"]),
                    adjusted_pool_amount_po=int(v["adjusted_pool_amount_po"]),
                    cumulative_losses=int(v["cumulative_losses"]),
                    depleted=bool(v["depleted"]),
                    spp_share_used=dec(v["spp_share_used"]),
                    spp_last=dec(v["spp_last"]),
                    delinquency_history=[int(x) for x in v["delinquency_history"]],
                    subordinate_history=[int(x) for x in v["subordinate_history"]],
                    initial_senior_percentage=dec(v["initial_senior_percentage"]),
                )
                for k, v in data["groups"].items()
            },
        )

    def copy(self) -> DealState:
        return DealState(
            period=self.period,
            balances=dict(self.balances),
            unpaid_interest=dict(self.unpaid_interest),
            po_deferred=dict(self.po_deferred),
            groups={k: v.copy() for k, v in self.groups.items()},
            coverage=dict(self.coverage),
            coverage_used=dict(self.coverage_used),
            retired=self.retired,
        )


def cents(value: Decimal) -> int:
    return rhd(value * 100)


def distribution_date(first: date, period: int, day: int = 25) -> date:
    """The nominal distribution date of ``period`` (1 = first); business-day roll is a reporting concern."""
    m = first.month - 1 + (period - 1)
    return date(first.year + m // 12, m % 12 + 1, day)


# The interpreter's input axis: every GroupPeriodInput field, in declaration order (the clean-up call flag as 0/1).
INPUT_AXIS: tuple[str, ...] = tuple(GroupPeriodInput.__dataclass_fields__)
F_SCHED_NP = INPUT_AXIS.index("scheduled_principal_non_po")
F_SCHED_PO = INPUT_AXIS.index("scheduled_principal_po")
F_OTHER_NP = INPUT_AXIS.index("other_principal_non_po")
F_OTHER_PO = INPUT_AXIS.index("other_principal_po")
F_LIQ_NP = INPUT_AXIS.index("liquidation_principal_non_po")
F_LIQ_PO = INPUT_AXIS.index("liquidation_principal_po")
F_PREP_NP = INPUT_AXIS.index("prepayment_non_po")
F_PREP_PO = INPUT_AXIS.index("prepayment_po")
F_NET_INT = INPUT_AXIS.index("net_interest")
F_TRUSTEE = INPUT_AXIS.index("trustee_fee")
F_PSHORT = INPUT_AXIS.index("principal_shortfall")
F_NSIS = INPUT_AXIS.index("non_supported_interest_shortfall")
F_RELIEF = INPUT_AXIS.index("relief_act_reduction")
F_RL_NP = INPUT_AXIS.index("realized_loss_principal_non_po")
F_RL_PO = INPUT_AXIS.index("realized_loss_principal_po")
F_RL_INT = INPUT_AXIS.index("realized_loss_interest")
F_SH = INPUT_AXIS.index("special_hazard_loss")
F_FRAUD = INPUT_AXIS.index("fraud_loss")
F_BK = INPUT_AXIS.index("bankruptcy_loss")
F_DQ60 = INPUT_AXIS.index("delinquent_60_plus")
F_LARGEST = INPUT_AXIS.index("largest_loan_balance")
F_ZIP = INPUT_AXIS.index("largest_zip_balance")
F_END = INPUT_AXIS.index("ending_balance")
F_END_PO = INPUT_AXIS.index("ending_balance_po")
F_CALL = INPUT_AXIS.index("cleanup_call")
