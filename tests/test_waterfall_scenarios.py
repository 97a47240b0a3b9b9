"""Hand-checkable waterfall scenarios and the ambiguity switches, on a simple collateral model written here."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from rmbs.deal.loader import load_deal
from rmbs.waterfall import DealState, GroupPeriodInput, WaterfallEngine
from tests.synthetic import RepLine, project

G3_LINES = {
    "1": RepLine(24_722_977_529, 104_393_893, Decimal("6.5"), 358),
    "2": RepLine(15_136_544_148, 48_687_325, Decimal("6.5"), 358),
    "3": RepLine(11_016_961_304, 1_483_854, Decimal("6.0"), 179),
}
G2_LINES = {"1": RepLine(22_500_444_230, 35_588_909, Decimal("7.5"), 358)}


def run(engine: WaterfallEngine, periods, libor=None, state: DealState | None = None):  # type: ignore[no-untyped-def]
    state = state or engine.initial_state()
    results = []
    for t, inp in enumerate(periods, start=1):
        state, r = engine.run_period(state, inp, None if libor is None else libor[t - 1])
        results.append(r)
    return state, results


@pytest.fixture(scope="module")
def deal3():  # type: ignore[no-untyped-def]
    return load_deal("boams-2002-3")


@pytest.fixture(scope="module")
def deal2():  # type: ignore[no-untyped-def]
    return load_deal("boams-2000-2")


def test_zero_prepayments_pays_scheduled_principal_only(deal3) -> None:  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal3)
    state, res = run(e, project(G3_LINES, 12))
    r1 = res[0]
    g = r1.groups["2"]
    # only the senior percentage of scheduled principal reaches 2-A-1; the rest goes to 2-B-1 (juniors restricted)
    sched = project(G3_LINES, 1)[0]["2"].scheduled_principal_non_po
    expected_senior = int(
        (Decimal(sched) * g.senior_percentage / 100).quantize(Decimal(1), rounding="ROUND_HALF_DOWN")
    )
    assert r1.classes["2-A-1"].principal_paid == expected_senior
    assert r1.classes["2-B-1"].principal_paid == sched - expected_senior
    # 1-A-10 is locked out (Shift Percentage 0% until April 2007) and 1-A-9 / 1-A-11 wait for steps 3-4
    for r in res:
        assert r.classes["1-A-10"].principal_paid == 0
        assert r.classes["1-A-9"].principal_paid == 0
    # 1-A-1 : 1-A-6 keep their 1 : 8 pace (spec 2002-3 §10 item 7); the initial faces are $6 off 1:8 exactly
    b1, b6 = state.balances["1-A-1"], state.balances["1-A-6"]
    initial_gap = 1_548_366_600 * 8 - 12_386_933_400
    assert abs((b1 * 8 - b6) - initial_gap) <= 8 * 12


def test_whole_group_prepaid_in_month_one(deal3) -> None:  # type: ignore[no-untyped-def]
    rl = G3_LINES["2"]
    g2 = GroupPeriodInput(
        prepayment_non_po=rl.non_po, prepayment_po=rl.po, net_interest=round(rl.non_po * 6.5 / 1200)
    )
    e = WaterfallEngine(deal3)
    s, r = e.run_period(e.initial_state(), {"2": g2})
    assert s.balances["2-A-1"] == 0 and s.balances["2-A-PO"] == 0
    subs = int(sum(deal3.class_map()[f"2-B-{k}"].initial_balance for k in range(1, 7)) * 100)
    # the pool is paid off: Article X's final distribution pays every class its balance in the 5.02 order --
    # the subordinates too -- and only the rest reaches 1-A-LR (L5408-5410, L5449-5463)
    assert r.groups["2"].final_distribution
    assert sum(r.classes[f"2-B-{k}"].principal_paid for k in range(1, 7)) == subs
    assert sum(r.classes[f"2-B-{k}"].writedown for k in range(1, 7)) == 0
    assert abs(r.groups["2"].residual_paid - (rl.non_po - 14_718_900_000 - subs)) <= 1
    # the literal readings: 100% of prepayments to the seniors; what they cannot take falls to 1-A-LR, and the
    # subordinates are written down to the (now zero) Adjusted Pool Amount
    literal = {"final_distribution": "formula", "spda_excess": "residual"}
    e2 = WaterfallEngine(deal3, literal)
    s2, r2 = e2.run_period(e2.initial_state(), {"2": g2})
    assert abs(r2.groups["2"].residual_paid - (rl.non_po - 14_718_900_000)) <= 1  # +/- the interest cent
    assert all(s2.balances[f"2-B-{k}"] == 0 for k in range(1, 7))
    assert sum(r2.classes[f"2-B-{k}"].writedown for k in range(1, 7)) == subs
    # the ordinary formulas with the senior excess to the subordinates pay them as Article X does
    e3 = WaterfallEngine(deal3, {"final_distribution": "formula"})
    _, r3 = e3.run_period(e3.initial_state(), {"2": g2})
    assert sum(r3.classes[f"2-B-{k}"].principal_paid for k in range(1, 7)) == subs


def test_loss_exhausting_group_1_subordinates(deal3) -> None:  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal3)
    subs = 682_767_500
    extra = 100_000_000
    g1 = GroupPeriodInput(
        realized_loss_principal_non_po=subs + extra,
        scheduled_principal_non_po=10_000_000,
        net_interest=133_916_128,
    )
    s, r = e.run_period(e.initial_state(), {"1": g1})
    assert all(s.balances[f"1-B-{k}"] == 0 for k in range(1, 7))
    assert r.groups["1"].depleted
    seniors = [
        "1-A-1",
        "1-A-2",
        "1-A-3",
        "1-A-4",
        "1-A-5",
        "1-A-6",
        "1-A-8",
        "1-A-9",
        "1-A-10",
        "1-A-11",
        "1-A-R",
        "1-A-LR",
    ]
    b0 = {n: int(deal3.class_map()[n].initial_balance * 100) for n in seniors}
    tot = sum(b0.values())
    share = {n: extra * b0[n] / tot for n in seniors}
    # 1-A-11 absorbs 1-A-9's share (5.03(e)) -- 1-A-9's share is below 1-A-11's balance
    assert share["1-A-9"] < b0["1-A-11"]
    assert r.classes["1-A-9"].realized_loss == 0
    assert abs(r.classes["1-A-11"].realized_loss - (share["1-A-9"] + share["1-A-11"])) <= 2
    assert abs(r.classes["1-A-6"].realized_loss - share["1-A-6"]) <= 1
    assert sum(r.classes[n].realized_loss for n in seniors) == extra
    # the depletion override: principal pro rata on balances -- the locked-out 1-A-10 and 1-A-9 are paid now --
    # and the Subordinate Principal Distribution Amount no subordinate can take goes to the seniors too
    assert r.classes["1-A-10"].principal_paid > 0 and r.classes["1-A-9"].principal_paid > 0
    after = {n: b0[n] - r.classes[n].realized_loss for n in seniors}
    g = r.groups["1"]
    spda = g.senior_principal_distribution_amount + g.subordinate_principal_distribution_amount
    assert spda == 10_000_000
    assert abs(r.classes["1-A-10"].principal_paid - spda * after["1-A-10"] / sum(after.values())) <= 1


def test_libor_path_reaches_the_1a1_cap_and_the_1a7_floor(deal3) -> None:  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal3)
    libor = [Decimal("1.88"), Decimal("9.00"), Decimal("0.00"), Decimal("4.00")]
    _, res = run(e, project(G3_LINES, 4), libor)
    rates = [(r.classes["1-A-1"].rate, r.classes["1-A-7"].rate) for r in res]
    assert rates == [
        (Decimal("2.380"), Decimal("6.120")),  # first period: the stated initial rates
        (Decimal("8.500"), Decimal("0.000")),  # LIBOR 9%: 1-A-1 capped, 1-A-7 floored
        (Decimal("0.500"), Decimal("8.000")),  # LIBOR 0%: 1-A-1 at its margin floor, 1-A-7 at its cap
        (Decimal("4.500"), Decimal("4.000")),
    ]
    r2 = res[1]
    bal = r2.classes["1-A-1"].beginning_balance
    assert r2.classes["1-A-1"].accrued_interest == round(Decimal(bal) * Decimal("8.5") / 1200)
    assert r2.classes["1-A-7"].accrued_interest == 0
    # the pair always earns 8.50% on the 1-A-1 balance
    for r in res:
        pair = r.classes["1-A-1"].accrued_interest + r.classes["1-A-7"].accrued_interest
        assert abs(pair - Decimal(r.classes["1-A-1"].beginning_balance) * Decimal("8.5") / 1200) <= 1


def _stepdown_spp(deal, lines, months, delinquent_fraction):  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal)
    periods = project(lines, months, smm=0.01, delinquent_fraction=delinquent_fraction)
    _, res = run(e, periods)
    return res[-1]


@pytest.mark.parametrize(
    ("deal_name", "lines", "group", "when"),
    [("deal3", G3_LINES, "3", "2007-04-25"), ("deal2", G2_LINES, "1", "2005-04-25")],
)
def test_delinquencies_fail_the_step_down_test(deal_name, lines, group, when, request) -> None:  # type: ignore[no-untyped-def]
    deal = request.getfixturevalue(deal_name)
    ok = _stepdown_spp(deal, lines, 61, 0.0)
    assert str(ok.date) == when
    g = ok.groups[group]
    assert g.delinquency_test_pass and g.loss_test_pass
    assert g.senior_prepayment_percentage == g.senior_percentage + Decimal("0.70") * g.subordinate_percentage
    bad = _stepdown_spp(
        deal, lines, 61, 0.05
    )  # 5% of the pool 60+ days delinquent: far above 50% of the subs
    gb = bad.groups[group]
    assert not gb.delinquency_test_pass
    assert gb.senior_prepayment_percentage == Decimal(100)  # no decrease: the prior tier (100%) holds


def test_step_four_literal_percentages_leave_cash_for_step_five(deal3) -> None:  # type: ignore[no-untyped-def]
    out = {}
    for choice in ("51.7584376500", "51.6342896319"):
        e = WaterfallEngine(deal3, {"g1_step4_1a8_pct": choice})
        state = e.initial_state()
        for n in ("1-A-1", "1-A-6", "1-A-R", "1-A-LR"):
            state.balances[n] = 0
        x = 100_000_000  # $1,000,000 of senior principal reaching step four
        g1 = GroupPeriodInput(prepayment_non_po=x, net_interest=120_000_000)
        _, r = e.run_period(state, {"1": g1})
        out[choice] = r
    lit = out["51.6342896319"]
    step5 = lit.classes["1-A-9"].principal_paid + lit.classes["1-A-11"].principal_paid
    spda = lit.groups["1"].senior_principal_distribution_amount
    assert abs(Decimal(step5) - Decimal(spda) * Decimal("0.1241480181") / 100) <= 2
    default = out["51.7584376500"]
    assert default.classes["1-A-9"].principal_paid + default.classes["1-A-11"].principal_paid == 0
    assert default.classes["1-A-8"].principal_paid - lit.classes["1-A-8"].principal_paid == pytest.approx(
        step5, abs=2
    )


def test_unknown_switch_or_choice_is_refused(deal3) -> None:  # type: ignore[no-untyped-def]
    from rmbs.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown switch"):
        WaterfallEngine(deal3, {"no_such_switch": "x"})
    with pytest.raises(ValidationError, match="cannot be"):
        WaterfallEngine(deal3, {"stepdown_conditions": "sometimes"})


def test_ofi_switch_releases_the_restricted_classes(deal3) -> None:  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal3, {"original_fractional_interest": "closing_levels"})
    _, r = e.run_period(e.initial_state(), {})
    assert r.groups["1"].restricted_classes == []


def test_2000_2_lockout_class_waits_until_april_2005(deal2) -> None:  # type: ignore[no-untyped-def]
    e = WaterfallEngine(deal2)
    _, res = run(e, project(G2_LINES, 62, smm=0.02))
    before = [r for r in res if r.date.year < 2005 or (r.date.year == 2005 and r.date.month < 4)]
    assert all(r.classes["A-16"].principal_paid == 0 for r in before)
    april = next(r for r in res if (r.date.year, r.date.month) == (2005, 4))
    g = april.groups["1"]
    expected = int(
        (
            Decimal(g.senior_principal_distribution_amount) * Decimal("0.30") * g.priority_percentage / 100
        ).quantize(Decimal(1), rounding="ROUND_HALF_DOWN")
    )
    assert g.priority_amount == expected > 0
    assert april.classes["A-16"].principal_paid == expected


def test_2000_2_excess_bankruptcy_loss_skips_the_subordinates(deal2) -> None:  # type: ignore[no-untyped-def]
    """Bankruptcy Loss Amount $100,000 (L800): a $150,000 bankruptcy loss puts $100,000 on B-6 (covered) and
    the $50,000 Excess Loss on the non-PO seniors pro rata (5.03(a)(ii)(2), AMBIG-12 literal)."""
    e = WaterfallEngine(deal2)
    inp = GroupPeriodInput(
        realized_loss_principal_non_po=15_000_000, bankruptcy_loss=15_000_000, net_interest=140_627_776
    )
    s, r = e.run_period(e.initial_state(), {"1": inp})
    assert r.classes["B-6"].realized_loss == 10_000_000
    seniors = [c.name for c in deal2.classes if c.kind in ("senior", "residual")]
    assert sum(r.classes[n].realized_loss for n in seniors) == 5_000_000
    a3 = int(deal2.class_map()["A-3"].initial_balance * 100)
    total = sum(int(deal2.class_map()[n].initial_balance * 100) for n in seniors)
    assert abs(r.classes["A-3"].realized_loss - 5_000_000 * a3 / total) <= 1
    assert s.coverage["bankruptcy"] == 0
    e2 = WaterfallEngine(deal2, {"excess_loss_to": "all_pro_rata"})
    _, r2 = e2.run_period(e2.initial_state(), {"1": inp})
    assert r2.classes["B-6"].realized_loss == 15_000_000
    assert sum(r2.classes[n].realized_loss for n in seniors) == 0


def test_2000_2_special_hazard_loss_amount_is_the_lesser_of_the_greatest_test_and_what_remains(deal2) -> None:  # type: ignore[no-untyped-def]
    """Special Hazard Loss Amount (L1483-1498): the lesser of (a) the greatest of 1% of the pool, twice the largest
    loan and the largest California ZIP code concentration, and (b) $2,397,620.52 reduced (not below zero) by the
    special hazard losses incurred, covered or not (L1490-1494). A $2,500,000 special hazard loss: with the largest
    loan at $1,500,000, (a) = $3,000,000 and (b) binds -- $2,397,620.52 is covered, $102,379.48 is an Excess Loss on
    the seniors; with no loan data (a) = 1% of the pool binds. A $2,300,000 loss under the 1% limit: $2,253,603.31
    covered, and (b) is left at $2,397,620.52 - $2,300,000.00 = $97,620.52, the uncovered $46,396.69 is used
    up too."""
    pool = 22_536_033_139  # cut-off balance, cents (the pool after the prior Due Date on the first date)
    inp = GroupPeriodInput(
        realized_loss_principal_non_po=250_000_000,
        special_hazard_loss=250_000_000,
        net_interest=140_627_776,
        ending_balance=pool - 250_000_000,
    )
    seniors = [c.name for c in deal2.classes if c.kind in ("senior", "residual")]
    subs = [f"B-{i}" for i in range(1, 7)]
    cases = (
        (replace(inp, largest_loan_balance=150_000_000), 239_762_052),
        (inp, pool // 100),  # 1% of the pool: 225,360,331.39 x 1%, an exact cent here
        (replace(inp, largest_zip_balance=240_000_000), 239_762_052),
        (replace(inp, largest_zip_balance=230_000_000), 230_000_000),
        (
            replace(
                inp,
                realized_loss_principal_non_po=230_000_000,
                special_hazard_loss=230_000_000,
                ending_balance=pool - 230_000_000,
            ),
            pool // 100,
        ),
    )
    for gi, covered in cases:
        e = WaterfallEngine(deal2)
        s, r = e.run_period(e.initial_state(), {"1": gi})
        assert sum(r.classes[n].realized_loss for n in subs) == covered
        assert sum(r.classes[n].realized_loss for n in seniors) == gi.special_hazard_loss - covered
        assert s.coverage["special_hazard"] == max(239_762_052 - gi.special_hazard_loss, 0)
        # the amount reported for the date: the lesser of the two tests after the loss
        limit = max(pool // 100, 2 * gi.largest_loan_balance, gi.largest_zip_balance)
        assert r.groups["1"].coverage_remaining["special_hazard"] == min(s.coverage["special_hazard"], limit)
