"""Each multi-choice ambiguity switch changes the result the way its register entry says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rmbs.deal.loader import load_deal
from rmbs.waterfall import GroupPeriodInput, WaterfallEngine
from tests.synthetic import project
from tests.test_waterfall_scenarios import G2_LINES, G3_LINES, run

D3 = load_deal("boams-2002-3")
D2 = load_deal("boams-2000-2")


def first(deal, switches, inputs):  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal, switches)
    return e.run_period(e.initial_state(), inputs)


def test_every_register_entry_is_a_switch() -> None:
    regs3 = {s.register_entry for s in D3.switches}
    for n in range(1, 27):
        assert any(f"AMBIG-{n}" in r.replace(" ", "").split(",") or r == f"AMBIG-{n}" for r in regs3), n
    regs2 = {s.register_entry for s in D2.switches}
    for n in range(1, 23):
        assert f"AMBIG-{n}" in regs2, n


def test_ambig10_literal_withholds_1a_lr_interest() -> None:
    inp = {"1": GroupPeriodInput(net_interest=133_916_128)}
    _, pay = first(D3, {}, inp)
    _, lit = first(D3, {"residual_lr_interest": "none"}, inp)
    assert pay.classes["1-A-LR"].interest_paid == 27
    assert lit.classes["1-A-LR"].interest_paid == 0 and lit.classes["1-A-LR"].accrued_interest == 0


def test_ambig5_fraction_rounding_rounds_the_senior_percentage_coarser() -> None:
    _, r = first(D3, {"percentage_rounding": "fraction_6dp"}, {})
    assert r.groups["1"].senior_percentage == Decimal("97.2500")  # 0.972500 as a fraction (spec AMBIG-5)


def test_ambig4_excluding_the_po_changes_the_senior_percentage() -> None:
    _, r = first(D3, {"po_in_percentages": "exclude"}, {})
    assert r.groups["1"].senior_percentage == Decimal("97.238329")  # spec §3.7, excluding PO


def test_ambig14_reduction_basis_aci_vs_ida() -> None:
    e_ida = WaterfallEngine(D2)
    e_aci = WaterfallEngine(D2, {"interest_reduction_basis": "aci"})
    out = {}
    for name, e in (("ida", e_ida), ("aci", e_aci)):
        s = e.initial_state()
        s.unpaid_interest["B-6"] = 1_000_000  # B-6 carries a $10,000 unpaid shortfall into the date
        inp = GroupPeriodInput(net_interest=141_000_000, non_supported_interest_shortfall=100_000)
        _, r = e.run_period(s, {"1": inp})
        out[name] = r.classes["B-6"].interest_reduction
    assert out["ida"] > out["aci"]  # the IDA basis counts the unpaid shortfall, so B-6 bears more


def test_ambig13_junior_only_writedown_stops_at_the_most_junior_class() -> None:
    out = {}
    for choice in ("cascade", "junior_only"):
        e = WaterfallEngine(D2, {"writedown_cascade": choice})
        s = e.initial_state()
        s.groups["1"].adjusted_pool_amount -= 60_000_000  # $600,000 of collateral gone without a loss report
        _, r = e.run_period(s, {"1": GroupPeriodInput(net_interest=141_000_000)})
        out[choice] = (r.classes["B-6"].writedown, r.classes["B-5"].writedown)
    assert out["cascade"] == (45_134_230, 60_000_000 - 45_134_230)
    assert out["junior_only"] == (45_134_230, 0)


def test_ambig7_either_condition_allows_the_step_down() -> None:
    periods = project(G3_LINES, 61, smm=0.01, delinquent_fraction=0.05)
    both = run(WaterfallEngine(D3), periods)[1][-1].groups["3"]
    either = run(WaterfallEngine(D3, {"stepdown_conditions": "either"}), periods)[1][-1].groups["3"]
    assert not both.delinquency_test_pass and both.loss_test_pass
    assert both.senior_prepayment_percentage == 100
    assert (
        either.senior_prepayment_percentage
        == either.senior_percentage + Decimal("0.70") * either.subordinate_percentage
    )


def test_ambig8_blocked_step_down_full_vs_prior_tier_in_year_two() -> None:
    """Delinquent in year one of the step-down (blocked at 100%), cured in year two: the prior tier is then
    70%, so SPP = SP + 70% SubP rather than the scheduled 60%."""
    quiet = project(G2_LINES, 73, smm=0.01)
    bad = project(G2_LINES, 73, smm=0.01, delinquent_fraction=0.05)
    mixed = bad[:66] + quiet[66:]  # delinquencies stop well before April 2006 (period 73)
    g = run(WaterfallEngine(D2), mixed)[1][-1].groups["1"]
    assert (g.delinquency_test_pass, g.loss_test_pass) == (True, True)
    assert g.senior_prepayment_percentage == g.senior_percentage + Decimal("0.60") * g.subordinate_percentage
    g_full = run(WaterfallEngine(D2, {"blocked_stepdown": "full"}), bad)[1][-1].groups["1"]
    assert g_full.senior_prepayment_percentage == 100


@pytest.mark.parametrize("choice", ["same_dd", "next_dd"])
def test_ambig12_depletion_timing(choice: str) -> None:
    e = WaterfallEngine(D3, {"depletion_timing": choice})
    g1 = GroupPeriodInput(
        realized_loss_principal_non_po=682_767_500 + 1_000_000,
        scheduled_principal_non_po=10_000_000,
        net_interest=133_916_128,
    )
    _, r = e.run_period(e.initial_state(), {"1": g1})
    pro_rata_now = r.classes["1-A-10"].principal_paid > 0
    assert pro_rata_now == (choice == "same_dd")
    assert (r.classes["1-A-9"].realized_loss == 0) == (choice == "same_dd")


def test_2000_2_po_writedown_only_after_depletion() -> None:
    for choice, expect in (("after_depletion", 0), ("every_date", 100_000)):
        e = WaterfallEngine(D2, {"po_writedown": choice})
        s = e.initial_state()
        s.groups["1"].adjusted_pool_amount_po -= 100_000
        _, r = e.run_period(s, {"1": GroupPeriodInput(net_interest=141_000_000)})
        assert r.classes["A-PO"].writedown == expect, choice
