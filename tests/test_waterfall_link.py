"""The collateral -> waterfall seam: each GroupPeriodInput field from the PoolPeriod fields (the formulas of the
PoolPeriods documentation, written out here), record by record and on a whole scenario's arrays."""

from __future__ import annotations

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.collateral.periods import PoolPeriod
from rmbs.deal.loader import load_deal
from rmbs.waterfall.engine import GroupPeriodInput
from rmbs.waterfall.link import group_input, scenario_inputs


def expected(pp: PoolPeriod) -> GroupPeriodInput:
    nsis = pp.prepayment_interest_shortfall - pp.compensating_interest
    return GroupPeriodInput(
        scheduled_principal_non_po=pp.scheduled_principal_non_po,
        scheduled_principal_po=pp.scheduled_principal_po,
        liquidation_principal_non_po=pp.liquidation_proceeds_non_po,
        liquidation_principal_po=pp.liquidation_proceeds_po,
        prepayment_non_po=pp.prepayments_in_full_non_po + pp.curtailments_non_po,
        prepayment_po=pp.prepayments_in_full_po + pp.curtailments_po,
        # cash interest: net of both fees, plus the Trustee Fee (paid from the Pool Distribution Amount), less
        # the Non-Supported Interest Shortfall and the Relief Act reduction
        net_interest=pp.net_interest + pp.trustee_fee - nsis - pp.relief_act_reduction,
        trustee_fee=pp.trustee_fee,
        non_supported_interest_shortfall=nsis,
        relief_act_reduction=pp.relief_act_reduction,
        realized_loss_principal_non_po=pp.realized_losses_non_po,
        realized_loss_principal_po=pp.realized_losses_po,
        delinquent_60_plus=pp.delinquent_60_plus_balance,
        ending_balance=pp.ending_balance_non_po + pp.ending_balance_po,
        ending_balance_po=pp.ending_balance_po,
        # the losses of each special kind and the Special Hazard Loss Amount's concentration tests, by name
        special_hazard_loss=pp.special_hazard_losses,
        fraud_loss=pp.fraud_losses,
        bankruptcy_loss=pp.bankruptcy_losses,
        largest_loan_balance=pp.largest_loan_balance,
        largest_zip_balance=pp.largest_ca_zip_balance,
    )


def test_scenario_inputs_and_group_input_follow_the_pool_periods() -> None:
    deal = load_deal("boams-2002-3")
    scs = [scenario("1200PSA", "200SDA", 40, 12), scenario("50PSA", "0SDA", 0, 0)]
    periods = project_deal(deal.library, scs)
    nsis_seen = False
    for s in range(len(scs)):
        batch = scenario_inputs(deal, periods, s)
        assert len(batch) == periods.n_periods
        for t in (1, 2, 37, 180, periods.n_periods):
            for g in deal.groups:
                pp = periods.record(g.loan_group, t, s)
                assert group_input(pp) == expected(pp)
                assert batch[t - 1][g.loan_group] == expected(pp)
                nsis_seen |= pp.prepayment_interest_shortfall > pp.compensating_interest
    assert nsis_seen  # the interest formula was exercised with a Non-Supported Interest Shortfall
