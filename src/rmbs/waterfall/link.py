"""From collateral :class:`~rmbs.collateral.periods.PoolPeriods` to the waterfall's per-group inputs.

The one seam between projection and distribution: whatever produced the PoolPeriods (assumptions or, in
administration, a remittance), the waterfall sees the same :class:`GroupPeriodInput`.
"""

from __future__ import annotations

from collections.abc import Sequence

from rmbs.collateral.periods import PoolPeriod, PoolPeriods
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
    """Every date of one scenario, keyed by loan group id."""
    groups: Sequence[str] = [g.loan_group for g in deal.groups]
    return [
        {g: group_input(periods.record(g, t, scenario)) for g in groups}
        for t in range(1, periods.n_periods + 1)
    ]
