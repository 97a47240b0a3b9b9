"""From collateral :class:`~rmbs.collateral.periods.PoolPeriods` to the waterfall's per-group inputs.

The one seam between projection and distribution: whatever produced the PoolPeriods (assumptions or, in
administration, a remittance), the waterfall sees the same :class:`GroupPeriodInput`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from rmbs.collateral.periods import IntArray, PoolPeriod, PoolPeriods
from rmbs.deal.schema import Deal
from rmbs.waterfall.types import INPUT_AXIS, GroupPeriodInput


def group_input(pp: PoolPeriod) -> GroupPeriodInput:
    """One group and date. The cash interest is net interest less the Non-Supported Interest Shortfall and Relief
    Act reductions (Compensating Interest covers the rest of the PPIS); the waterfall also takes those two as the
    5.02(c) reductions of Accrued Certificate Interest."""
    values = input_columns(lambda name: int(getattr(pp, name)))
    return GroupPeriodInput(**dict(zip(INPUT_FIELDS, values, strict=True)))


# the GroupPeriodInput fields a projection fills, in the order of :func:`input_columns`
INPUT_FIELDS: tuple[str, ...] = (
    "scheduled_principal_non_po",
    "scheduled_principal_po",
    "liquidation_principal_non_po",
    "liquidation_principal_po",
    "prepayment_non_po",
    "prepayment_po",
    "net_interest",
    "trustee_fee",
    "non_supported_interest_shortfall",
    "relief_act_reduction",
    "realized_loss_principal_non_po",
    "realized_loss_principal_po",
    "delinquent_60_plus",
    "ending_balance",
    "ending_balance_po",
    "special_hazard_loss",
    "fraud_loss",
    "bankruptcy_loss",
    "largest_loan_balance",
    "largest_zip_balance",
)


def input_columns(get: Callable[[str], Any]) -> list[Any]:
    """:func:`group_input` on whole arrays: ``get(name)`` returns a PoolPeriods field (any shape, e.g. one
    scenario's ``(group, period)`` or a batch's ``(scenario, group, period)``); the result follows INPUT_FIELDS."""
    nsis = get("prepayment_interest_shortfall") - get("compensating_interest")
    relief = get("relief_act_reduction")
    return [
        get("scheduled_principal_non_po"),
        get("scheduled_principal_po"),
        get("liquidation_proceeds_non_po"),
        get("liquidation_proceeds_po"),
        get("prepayments_in_full_non_po") + get("curtailments_non_po"),
        get("prepayments_in_full_po") + get("curtailments_po"),
        get("net_interest") + get("trustee_fee") - nsis - relief,
        get("trustee_fee"),
        nsis,
        relief,
        get("realized_losses_non_po"),
        get("realized_losses_po"),
        get("delinquent_60_plus_balance"),
        get("ending_balance_non_po") + get("ending_balance_po"),
        get("ending_balance_po"),
        # the losses of each special kind (the scenario's --loss-kinds split) and the Special Hazard Loss
        # Amount's concentration tests (2000-2 L1483-1498) from the projected tape
        get("special_hazard_losses"),
        get("fraud_losses"),
        get("bankruptcy_losses"),
        get("largest_loan_balance"),
        get("largest_ca_zip_balance"),
    ]


def scenario_inputs(deal: Deal, periods: PoolPeriods, scenario: int) -> list[dict[str, GroupPeriodInput]]:
    """Every date of one scenario, keyed by loan group id: :func:`group_input` of each record, computed on the
    arrays of the scenario at once (a projection of many scenarios builds these for every one of them)."""
    groups: Sequence[str] = [g.loan_group for g in deal.groups]
    rows = [periods.group_index(g) for g in groups]

    def get(name: str) -> IntArray:
        arr: IntArray = getattr(periods, name)[scenario][rows]
        return arr

    table = np.stack(input_columns(get)).tolist()  # (field, group, period) as Python ints
    return [
        {
            g: GroupPeriodInput(**dict(zip(INPUT_FIELDS, [col[k][t] for col in table], strict=True)))
            for k, g in enumerate(groups)
        }
        for t in range(periods.n_periods)
    ]


def input_array(deal: Deal, periods: PoolPeriods, scenarios: Sequence[int] | None = None) -> IntArray:
    """The interpreter's input: (scenario, date, group in deal order, field of INPUT_AXIS) int64, from the
    projection's arrays at once (fields a projection does not produce stay zero)."""
    rows = [periods.group_index(g.loan_group) for g in deal.groups]
    sel = np.arange(periods.shape[0]) if scenarios is None else np.asarray(scenarios, dtype=np.int64)

    def get(name: str) -> IntArray:
        arr: IntArray = getattr(periods, name)[sel][:, rows, :]  # (S, G, T)
        return arr

    cols = input_columns(get)
    S, G, T = cols[0].shape
    out = np.zeros((S, T, G, len(INPUT_AXIS)), dtype=np.int64)
    for name, col in zip(INPUT_FIELDS, cols, strict=True):
        out[:, :, :, INPUT_AXIS.index(name)] = np.asarray(col).transpose(0, 2, 1)
    return out
