"""The batch form of the collateral -> waterfall seam equals the record-by-record form."""

from __future__ import annotations

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall.link import group_input, scenario_inputs


def test_scenario_inputs_equal_group_input_of_every_record() -> None:
    deal = load_deal("boams-2002-3")
    scs = [scenario("300PSA", "200SDA", 40, 12), scenario("50PSA", "0SDA", 0, 0)]
    periods = project_deal(deal.library, scs)
    for s in range(len(scs)):
        batch = scenario_inputs(deal, periods, s)
        assert len(batch) == periods.n_periods
        for t in (1, 2, 37, 180, periods.n_periods):
            for g in deal.groups:
                one = group_input(periods.record(g.loan_group, t, s))
                assert batch[t - 1][g.loan_group] == one
