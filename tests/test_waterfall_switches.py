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


# ---------------------------------------------------------------------------------------------------------------
# The remaining multi-choice entries, one behavioural test each. Single-choice entries record a reading that has no
# alternative in the engine (their description says why); they change nothing by construction.


def rhd(x: Decimal) -> int:
    """Half a cent rounded down, written here independently of the engine."""
    q = int(x)
    return q + 1 if x - q > Decimal("0.5") else q


def start(deal, switches, **balances):  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal, switches)
    s = e.initial_state()
    s.balances.update(balances)
    return e, s


G1_PAY = GroupPeriodInput(scheduled_principal_non_po=10_000_000, net_interest=133_916_128)


def test_2002_3_ambig_concurrent_retired_leg_redistributes_or_falls_through() -> None:
    """Step three pays 1-A-1 / 1-A-6 / 1-A-8 at 8.82 / 70.55 / 20.63% until 1-A-1 and 1-A-6 retire. With 1-A-8 all
    but retired, its share goes to 1-A-1 and 1-A-6 (redistribute, the default) or on to step four (1-A-2 first)."""
    out = {}
    for choice in ("redistribute", "fall_through"):
        e, s = start(D3, {"concurrent_retired_leg": choice}, **{"1-A-8": 100})
        _, r = e.run_period(s, {"1": G1_PAY})
        out[choice] = {
            n: r.classes[n].principal_paid for n in ("1-A-R", "1-A-LR", "1-A-1", "1-A-6", "1-A-8", "1-A-2")
        }
        spda = r.groups["1"].senior_principal_distribution_amount
        assert (
            sum(c.principal_paid for n, c in r.classes.items() if n.startswith("1-A") and n != "1-A-PO")
            == spda
        )
    ft, rd = out["fall_through"], out["redistribute"]
    x = Decimal(spda - ft["1-A-R"] - ft["1-A-LR"])  # what reached step three (no Priority Amount in year one)
    assert ft["1-A-6"] == rhd(x * Decimal("70.5472984847") / 100)
    assert ft["1-A-1"] == rhd(x * Decimal("8.8184118834") / 100)
    assert ft["1-A-8"] == rd["1-A-8"] == 100
    assert ft["1-A-2"] > 0 and rd["1-A-2"] == 0
    assert rd["1-A-1"] + rd["1-A-6"] == x - 100  # everything but 1-A-8's last 100 cents stays in step three


def test_2000_2_ambig9_concurrent_retired_leg_falls_through_by_default() -> None:
    """2000-2 step three (A-1 / A-2 / A-3 until A-2 retires): A-1 nearly retired; its share passes to step four
    (fall_through, the default) or to A-2 and A-3 (redistribute)."""
    inp = {"1": GroupPeriodInput(scheduled_principal_non_po=10_000_000, net_interest=141_000_000)}
    out = {}
    for choice in ("fall_through", "redistribute"):
        e, s = start(D2, {"concurrent_retired_leg": choice}, **{"A-1": 100})
        _, r = e.run_period(s, inp)
        out[choice] = {n: r.classes[n].principal_paid for n in ("A-1", "A-2", "A-3", "A-4")}
    assert out["fall_through"]["A-4"] > 0 and out["redistribute"]["A-4"] == 0
    assert out["redistribute"]["A-2"] > out["fall_through"]["A-2"]


def test_2000_2_ambig8_normalize_scales_the_third_step_to_100_percent() -> None:
    from rmbs.deal.schema import Concurrent

    steps = [s for s in D2.groups[0].senior_principal if isinstance(s, Concurrent)]
    third = steps[0]
    printed = sum(leg.pct for leg in third.legs)
    assert printed == Decimal("99.9999999999")
    as_printed = _concurrent_legs(WaterfallEngine(D2))
    normalized = _concurrent_legs(WaterfallEngine(D2, {"concurrent_pct_sum": "normalize"}))
    assert sum(as_printed) == printed
    assert abs(sum(normalized) - 100) < Decimal("1e-12")
    for p, q in zip(as_printed, normalized, strict=True):
        assert abs(q - p * 100 / printed) < Decimal("1e-13")


def _concurrent_legs(e: WaterfallEngine) -> list[Decimal]:
    """The leg percentages of the plan's first concurrent step, as the interpreter reads them."""
    kp = e.plan.kernel
    k = next(i for i in range(len(kp.st_kind)) if kp.st_kind[i] == 3)
    den = Decimal(int(kp.st_pct_den[k]))
    return [Decimal(int(v)) / den for v in kp.leg_pct[k, : kp.st_nleg[k]]]


def test_2002_3_delinquency_window_including_or_excluding_the_current_month() -> None:
    """Delinquencies only in the month of the April 2007 step-down: the six-month average including the current
    month fails the test (SPP stays 100%); the window of the six prior months passes it (SP + 70% of SubP)."""
    quiet = project(G3_LINES, 61, smm=0.01)
    bad = project(G3_LINES, 61, smm=0.01, delinquent_fraction=0.15)
    mixed = quiet[:60] + bad[60:]
    inc = run(WaterfallEngine(D3), mixed)[1][-1].groups["3"]
    exc = run(WaterfallEngine(D3, {"delinquency_window": "excluding_current"}), mixed)[1][-1].groups["3"]
    assert not inc.delinquency_test_pass and inc.senior_prepayment_percentage == 100
    assert exc.delinquency_test_pass
    assert (
        exc.senior_prepayment_percentage
        == exc.senior_percentage + Decimal("0.70") * exc.subordinate_percentage
    )


def test_2002_3_senior_loss_set_includes_the_po_class_or_not() -> None:
    """A loss beyond exhausted subordinates: the non-PO seniors share it (default), or the PO class too, pro rata on
    the balances before the date."""
    subs = {f"1-B-{i}": 0 for i in range(1, 7)}
    inp = {"1": GroupPeriodInput(realized_loss_principal_non_po=1_000_000, net_interest=133_916_128)}
    out = {}
    for choice in ("exclude_po", "include_po"):
        e, s = start(D3, {"senior_loss_set": choice}, **subs)
        b0 = dict(s.balances)
        _, r = e.run_period(s, inp)
        out[choice] = r.classes["1-A-PO"].realized_loss
        assert sum(c.realized_loss for c in r.classes.values()) == 1_000_000
    assert out["exclude_po"] == 0
    names = [n for n in D3.groups[0].senior_principal_classes if b0[n] > 0] + ["1-A-PO"]
    exact = Decimal(1_000_000) * b0["1-A-PO"] / sum(b0[n] for n in names)
    assert abs(out["include_po"] - exact) <= 1


def test_2002_3_pro_rata_shares_on_balances_after_or_before_the_losses() -> None:
    """A loss on 3-B-6 the same date: its Pro Rata Share of the Subordinate Principal Distribution Amount uses its
    balance after the loss (default) or before it."""
    inp = {"3": GroupPeriodInput(scheduled_principal_non_po=10_000_000, realized_loss_principal_non_po=5_000_000,
                                 net_interest=60_000_000)}  # fmt: skip
    out = {}
    for choice in ("after_losses", "before_losses"):
        e, s = start(D3, {"pro_rata_share_balances": choice})
        b0 = dict(s.balances)
        _, r = e.run_period(s, inp)
        g = r.groups["3"]
        subpda = g.subordinate_principal_distribution_amount
        subs = D3.groups[2].subordinates
        w = {n: b0[n] - r.classes[n].realized_loss if choice == "after_losses" else b0[n] for n in subs}
        assert r.classes["3-B-6"].principal_paid == rhd(Decimal(subpda) * w["3-B-6"] / sum(w.values()))
        out[choice] = r.classes["3-B-6"].principal_paid
    assert out["after_losses"] < out["before_losses"]


def test_2002_3_cleanup_call_base_aggregate_or_per_group() -> None:
    """Group 3 below 10% of its cut-off balance, the trust well above: the call is due per group, not in aggregate."""
    from rmbs.waterfall.run import parse_index_path, run_scenario

    cutoff = {g.loan_group: int(g.cutoff_balance * 100) for g in D3.groups}
    share = {"1": Decimal("0.5"), "2": Decimal("0.5"), "3": Decimal("0.05")}
    date_inputs = {
        g: GroupPeriodInput(net_interest=50_000_000, ending_balance=int(cutoff[g] * share[g])) for g in cutoff
    }
    for choice, dates in (("aggregate", 2), ("per_group", 1)):
        e = WaterfallEngine(D3, {"cleanup_call_base": choice})
        res = run_scenario(
            e, [dict(date_inputs), dict(date_inputs)], parse_index_path(None), cleanup_call=True
        )
        assert len(res) == dates, choice  # a call ends the trust on its date


def test_2002_3_restricted_leftover_sequential_or_residual() -> None:
    """The only non-restricted subordinate (1-B-1) is retired while 1-B-2..1-B-6 are restricted: the Subordinate
    Principal Distribution Amount and any other funds remaining go to them in order (1-B-2 first, the default) or
    to the residual."""
    out = {}
    for choice in ("sequential", "residual"):
        e, s = start(D3, {"restricted_leftover": choice}, **{"1-B-1": 0, "1-B-6": 0})
        _, r = e.run_period(s, {"1": G1_PAY})
        g = r.groups["1"]
        assert g.restricted_classes == ["1-B-2", "1-B-3", "1-B-4", "1-B-5", "1-B-6"]
        out[choice] = (
            r.classes["1-B-2"].principal_paid,
            g.residual_paid,
            g.subordinate_principal_distribution_amount,
        )
    (seq_b2, seq_res, subpda), (res_b2, res_res, _) = out["sequential"], out["residual"]
    # 5.02(d) last sentence: "any funds remaining will be distributed sequentially to the Restricted Classes" --
    # everything the residual would otherwise get, up to 1-B-2's balance (far larger here)
    b2 = start(D3, {}, **{"1-B-1": 0, "1-B-6": 0})[1].balances["1-B-2"]
    assert res_b2 == 0 and res_res >= subpda > 0
    assert seq_b2 == min(b2, res_res) and seq_res == res_res - seq_b2


def test_2000_2_ambig15_interest_on_the_balance_before_or_after_the_date_losses() -> None:
    inp = {"1": GroupPeriodInput(realized_loss_principal_non_po=1_000_000, net_interest=141_000_000)}
    out = {}
    for choice in ("prior_balance", "after_losses"):
        e, s = start(D2, {"interest_balance": choice})
        b6 = s.balances["B-6"]
        _, r = e.run_period(s, inp)
        rate = r.classes["B-6"].rate
        basis = b6 if choice == "prior_balance" else b6 - 1_000_000
        assert r.classes["B-6"].accrued_interest == rhd(Decimal(basis) * rate / 1200)
        out[choice] = r.classes["B-6"].accrued_interest
    assert out["after_losses"] < out["prior_balance"]


def test_2000_2_ambig5_compensating_interest_cap_on_the_balance_after_or_before_the_due_date() -> None:
    """At 1500% PSA the Prepayment Interest Shortfall exceeds 1/12 of 0.25% of the pool: Compensating Interest is
    that cap, figured on the balance after the DD's Due Date (default) or after the prior Due Date."""
    from rmbs.collateral.assumptions import scenario
    from rmbs.collateral.loans import project_deal
    from rmbs.waterfall.project import run_deal

    sc = [scenario("1500PSA", "0SDA", 0, 0)]
    ending = project_deal("boams-2000-2", sc, ci_cap_base="ending")
    beginning = project_deal("boams-2000-2", sc, ci_cap_base="beginning")
    t = 35  # 90% CPR by then
    for p, bal in (
        (ending, ending.ending_balance_non_po[0, 0, t] + ending.ending_balance_po[0, 0, t]),
        (beginning, beginning.beginning_balance_non_po[0, 0, t] + beginning.beginning_balance_po[0, 0, t]),
    ):
        cap = rhd(Decimal(int(bal)) * Decimal("0.25") / 1200)
        ppis, serv = int(p.prepayment_interest_shortfall[0, 0, t]), int(p.servicing_fee[0, 0, t])
        assert ppis > cap
        assert int(p.compensating_interest[0, 0, t]) == min(ppis, cap, serv)
    assert int(ending.compensating_interest[0, 0, t]) < int(beginning.compensating_interest[0, 0, t])
    red = {}
    for choice in ("current_date", "prior_due_date"):
        (r,) = run_deal(D2, prepay=["1500PSA"], switches={"ci_cap_balance": choice})
        red[choice] = sum(c.interest_reduction for p in r.results for c in p.classes.values())
    assert red["current_date"] > red["prior_due_date"] > 0
