"""From collateral :class:`~rmbs.collateral.periods.PoolPeriods` to the waterfall's per-group inputs.

The one seam between projection and distribution: whatever produced the PoolPeriods (assumptions or, in
administration, a remittance), the waterfall sees the same :class:`GroupPeriodInput`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rmbs.collateral.periods import IntArray, PoolPeriod, PoolPeriods
from rmbs.deal.schema import Deal
from rmbs.waterfall.engine import GroupPeriodInput


def group_input(pp: PoolPeriod) -> GroupPeriodInput:
    """One group and date. The cash interest is net interest less the Non-Supported Interest Shortfall and Relief
    Act reductions (Compensating Interest covers the rest of the PPIS); the waterfall also takes those two as the
    5.02(c) reductions of Accrued Certificate Interest."""
    nsis = pp.non_supported_interest_shortfall
    return GroupPeriodInput(
        scheduled_principal_non_po=int(pp.scheduled_principal_non_po),
        scheduled_principal_po=int(pp.scheduled_principal_po),
        liquidation_principal_non_po=int(pp.liquidation_proceeds_non_po),
        liquidation_principal_po=int(pp.liquidation_proceeds_po),
        prepayment_non_po=int(pp.prepayments_in_full_non_po + pp.curtailments_non_po),
        prepayment_po=int(pp.prepayments_in_full_po + pp.curtailments_po),
        net_interest=int(pp.net_interest + pp.trustee_fee - nsis - pp.relief_act_reduction),
        trustee_fee=int(pp.trustee_fee),
        non_supported_interest_shortfall=int(nsis),
        relief_act_reduction=int(pp.relief_act_reduction),
        realized_loss_principal_non_po=int(pp.realized_losses_non_po),
        realized_loss_principal_po=int(pp.realized_losses_po),
        delinquent_60_plus=int(pp.delinquent_60_plus_balance),
        ending_balance=int(pp.ending_balance),
        ending_balance_po=int(pp.ending_balance_po),
    )


def scenario_inputs(deal: Deal, periods: PoolPeriods, scenario: int) -> list[dict[str, GroupPeriodInput]]:
    """Every date of one scenario, keyed by loan group id: :func:`group_input` of each record, computed on the
    arrays of the scenario at once (a projection of many scenarios builds these for every one of them)."""
    groups: Sequence[str] = [g.loan_group for g in deal.groups]
    rows = [periods.group_index(g) for g in groups]

    def a(name: str) -> IntArray:
        arr: IntArray = getattr(periods, name)[scenario][rows]
        return arr

    nsis = a("prepayment_interest_shortfall") - a("compensating_interest")
    relief = a("relief_act_reduction")
    columns = [
        a("scheduled_principal_non_po"),
        a("scheduled_principal_po"),
        a("liquidation_proceeds_non_po"),
        a("liquidation_proceeds_po"),
        a("prepayments_in_full_non_po") + a("curtailments_non_po"),
        a("prepayments_in_full_po") + a("curtailments_po"),
        a("net_interest") + a("trustee_fee") - nsis - relief,
        a("trustee_fee"),
        nsis,
        relief,
        a("realized_losses_non_po"),
        a("realized_losses_po"),
        a("delinquent_60_plus_balance"),
        a("ending_balance_non_po") + a("ending_balance_po"),
        a("ending_balance_po"),
    ]
    # (field, group, period) as Python ints
    table = np.stack(columns).tolist()
    out: list[dict[str, GroupPeriodInput]] = []
    for t in range(periods.n_periods):
        row: dict[str, GroupPeriodInput] = {}
        for k, g in enumerate(groups):
            v = [col[k][t] for col in table]
            row[g] = GroupPeriodInput(
                scheduled_principal_non_po=v[0],
                scheduled_principal_po=v[1],
                liquidation_principal_non_po=v[2],
                liquidation_principal_po=v[3],
                prepayment_non_po=v[4],
                prepayment_po=v[5],
                net_interest=v[6],
                trustee_fee=v[7],
                non_supported_interest_shortfall=v[8],
                relief_act_reduction=v[9],
                realized_loss_principal_non_po=v[10],
                realized_loss_principal_po=v[11],
                delinquent_60_plus=v[12],
                ending_balance=v[13],
                ending_balance_po=v[14],
            )
        out.append(row)
    return out
