"""The four fixes, by hand: small states of 2002-3 Group 2 and one date's collections, every amount worked out
here from the PSA's words (seed 002; cents; Section 1.02 rounding). The engine and the clean-room reference
(group2.py) must both give these figures."""

from __future__ import annotations

from fractions import Fraction

from rmbs.waterfall import GroupPeriodInput, WaterfallEngine
from tests.waterfall_reference import group2 as ref
from tests.waterfall_reference.group2 import pct_up, rhd
from tests.waterfall_reference.harness import deal3

SUBS = ref.SUBS


def start(bal: dict[str, int], period: int = 0, cum: int = 0, switches: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """The same Group 2 state for the engine and the reference: ``bal`` over the initial balances, the Adjusted
    Pool Amount equal to the classes (its PO portion to the component), ``period`` dates already distributed."""
    e = WaterfallEngine(deal3(), switches)
    s = e.initial_state()
    b = dict(ref.INITIAL) | bal
    s.balances.update(b)
    s.period = period
    g = s.groups["2"]
    g.adjusted_pool_amount = sum(b.values())
    g.adjusted_pool_amount_po = b[ref.PO]
    g.cumulative_losses = cum
    r = ref.State(bal=b, apa=sum(b.values()), apa_po=b[ref.PO], cum_losses=cum, period=period)
    return e, s, r


def both(e, s, r, x: GroupPeriodInput):  # type: ignore[no-untyped-def]
    _, res = e.run_period(s, {"2": x})
    return res, ref.distribute(r, x)


def aci(balance: int) -> int:
    return rhd(Fraction(balance * 65, 12_000))  # 6.500% / 12 on the prior balance (L374-377, 1.02)


# ---- 1. Article X final distribution (L5449-5463): the pool is paid off on the date ---------------------------
def test_article_x_pays_every_class_in_the_5_02_order_before_1_a_lr() -> None:
    e, s, r = start({})
    pool_np, pool_po = ref.CUTOFF_POOL - ref.INITIAL[ref.PO], ref.INITIAL[ref.PO]
    x = GroupPeriodInput(prepayment_non_po=pool_np, prepayment_po=pool_po, net_interest=80_000_000)
    res, rf = both(e, s, r, x)
    # interest due: 2-A-1 147,189,000 -> 797,273.75; 2-B-1..6 -> 7,816.25 6,575.83 3,705.00 1,641.25 1,235.00 1,649.06
    due = {c: aci(ref.INITIAL[c]) for c in ref.INTEREST_BEARING}
    assert due == {"2-A-1": 79_727_375, "2-B-1": 781_625, "2-B-2": 657_583, "2-B-3": 370_500, "2-B-4": 164_125,
                   "2-B-5": 123_500, "2-B-6": 164_906}  # fmt: skip
    # cash 800,000.00 + 151,852,314.73; seniors: interest, then 2-A-1 and 2-A-PO in full; then each 2-B class
    # its interest and balance in turn -- 2-B-6 gets its interest and 284,545.34 of its 304,441.00; 1-A-LR nothing
    cash = 80_000_000 + ref.CUTOFF_POOL - due["2-A-1"] - ref.INITIAL["2-A-1"] - ref.INITIAL[ref.PO]
    for c in SUBS[:-1]:
        cash -= due[c] + ref.INITIAL[c]
    cash -= due["2-B-6"]
    assert cash == 28_454_534
    for c in ref.CLASSES:
        want_p = cash if c == "2-B-6" else ref.INITIAL[c]
        assert res.classes[c].principal_paid == want_p == rf.principal[c], c
        assert res.classes[c].interest_paid == due.get(c, 0) == rf.interest[c], c
        assert res.classes[c].ending_balance == 0 == rf.end[c]
    assert res.classes["2-B-6"].writedown == ref.INITIAL["2-B-6"] - cash == 1_989_566 == rf.writedown["2-B-6"]
    assert res.groups["2"].residual_paid == 0 == rf.residual
    assert res.groups["2"].final_distribution


def test_article_x_with_cash_to_spare_gives_1_a_lr_only_the_rest() -> None:
    e, s, r = start({})
    x = GroupPeriodInput(prepayment_non_po=ref.CUTOFF_POOL - ref.INITIAL[ref.PO],
                         prepayment_po=ref.INITIAL[ref.PO], net_interest=83_000_000)  # fmt: skip
    res, rf = both(e, s, r, x)
    owed = sum(ref.INITIAL.values()) + 81_989_614  # balances + interest 819,896.14
    assert res.groups["2"].residual_paid == 83_000_000 + ref.CUTOFF_POOL - owed == 1_010_434 == rf.residual
    assert all(res.classes[c].writedown == 0 for c in ref.CLASSES)


# ---- 2. the loss test counts the date's own losses (L1531-1533) ------------------------------------------------
LIMIT_61 = 125_293_230  # 30% of $4,176,441.00 for April 2007 - March 2008


def _stepdown_date(switches: dict[str, str] | None = None, loss: int = 6_000_000, loss_interest: int = 0):  # type: ignore[no-untyped-def]
    e, s, r = start(
        {}, period=60, cum=120_000_000, switches=switches
    )  # $1,200,000 of losses before April 2007
    x = GroupPeriodInput(scheduled_principal_non_po=20_000_000, prepayment_non_po=100_000_000,
                         realized_loss_principal_non_po=loss, realized_loss_interest=loss_interest,
                         net_interest=82_000_000)  # fmt: skip
    return both(e, s, r, x)


SP0 = Fraction(97_249_670, 10**8)  # initial Senior Percentage 97.249670% (spec §3.7), the balances unchanged
SPDA_BLOCKED = rhd(SP0 * 20_000_000) + 100_000_000  # SPP stays 100%: 194,499.34 + 1,000,000.00
SPDA_STEP = rhd(SP0 * 20_000_000) + rhd((SP0 + Fraction(7, 10) * (1 - SP0)) * 100_000_000)  # SPP 99.174901%


def test_loss_test_fails_on_the_dates_own_losses() -> None:
    assert pct_up(ref.INITIAL["2-A-1"] + ref.INITIAL[ref.PO], sum(ref.INITIAL.values())) == SP0
    assert 120_000_000 <= LIMIT_61 < 120_000_000 + 6_000_000  # only the date's $60,000 breaks the limit
    assert (SPDA_BLOCKED, SPDA_STEP) == (119_449_934, 118_624_835)
    res, rf = _stepdown_date()
    assert not res.groups["2"].loss_test_pass and not rf.loss_test_pass
    assert res.groups["2"].senior_prepayment_percentage == 100
    assert res.classes["2-A-1"].principal_paid == SPDA_BLOCKED == rf.principal["2-A-1"]
    # the 2-B-1 gets the rest of the Non-PO principal (2-B-2..2-B-6 are Restricted: FI 1.80007% < 1.81%)
    assert res.classes["2-B-1"].principal_paid == 120_000_000 - SPDA_BLOCKED == rf.principal["2-B-1"]


def test_loss_test_on_prior_dates_only_steps_down() -> None:
    res, _ = _stepdown_date({"loss_test_losses": "prior_dates"})
    assert res.groups["2"].loss_test_pass
    assert res.classes["2-A-1"].principal_paid == SPDA_STEP


def test_loss_test_counts_the_interest_portion_of_realized_losses() -> None:
    """A Realized Loss is the unpaid principal PLUS interest at the Net Mortgage Interest Rate less the proceeds
    (L1374-1384); the test is on "cumulative Realized Losses" (L1531-1533), not their principal portion.
    $1,200,000 before + $40,000 principal + $20,000 interest = $1,260,000 > $1,252,932.30: no step-down."""
    res, rf = _stepdown_date(loss=4_000_000, loss_interest=2_000_000)
    assert rf.principal["2-A-1"] == SPDA_BLOCKED
    assert res.classes["2-A-1"].principal_paid == SPDA_BLOCKED, "engine counts only the principal portion"


# ---- 3. 5.02(d) last sentence (L3916-3922): the non-restricted classes retire by the date's own principal --------
def test_restricted_classes_take_the_funds_remaining_once_2_b_1_retires() -> None:
    bal = {"2-A-1": 15_000_000_000, "2-B-1": 100_000}  # 2-B-1 $1,000.00
    e, s, r = start(bal)
    b = dict(ref.INITIAL) | bal
    total = sum(b.values())
    assert Fraction(sum(b[c] for c in SUBS[1:]), total) < Fraction(181, 10_000)  # FI(2-B-1) 1.78398% < 1.81%
    interest = sum(aci(b[c]) for c in ref.INTEREST_BEARING)
    x = GroupPeriodInput(scheduled_principal_non_po=50_000_000, net_interest=interest + 10_000)  # $100 spare
    res, rf = both(e, s, r, x)
    sp = pct_up(b["2-A-1"] + b[ref.PO], total)
    subpda = 50_000_000 - rhd(sp * 50_000_000)
    assert sp == Fraction(98_215_366, 10**8)  # 150,486,873.25 / 153,221,314.25 = 98.2153655..% -> 98.215366%
    assert subpda == 892_317  # 500,000 - 491,076.83: SubPDA 8,923.17, all of it 2-B-1's Pro Rata Share
    assert res.classes["2-B-1"].principal_paid == 100_000 == rf.principal["2-B-1"]
    # "any funds remaining": the SubPDA 2-B-1 could not take and the $100 of spare interest, to 2-B-2
    assert res.classes["2-B-2"].principal_paid == subpda - 100_000 + 10_000 == rf.principal["2-B-2"]
    assert res.groups["2"].residual_paid == 0 == rf.residual


# ---- 4. the residual invariant: senior excess to the subordinates, the depletion-date SubPDA to the seniors ------
def test_senior_principal_2_a_1_cannot_take_goes_to_the_subordinates_pro_rata() -> None:
    bal = {
        "2-A-1": 100_000
    }  # 2-A-1 $1,000.00 left; no class Restricted (FI 58.6%, 32.6%, 17.9%, 11.4%, 6.5%)
    e, s, r = start(bal)
    b = dict(ref.INITIAL) | bal
    x = GroupPeriodInput(
        prepayment_non_po=10_000_000, net_interest=sum(aci(b[c]) for c in ref.INTEREST_BEARING)
    )
    res, rf = both(e, s, r, x)
    excess = 10_000_000 - 100_000  # SPP 100%: SPDA $100,000; 2-A-1 takes $1,000
    subs = sum(b[c] for c in SUBS)
    exact = {c: Fraction(excess * b[c], subs) for c in SUBS}  # 99,000 x balance / 4,176,441
    shares = {c: int(v) for c, v in exact.items()}
    for c in sorted(SUBS, key=lambda c: -(exact[c] - shares[c]))[: excess - sum(shares.values())]:
        shares[c] += 1
    assert shares == {"2-B-1": 3_420_544, "2-B-2": 2_877_713, "2-B-3": 1_621_381, "2-B-4": 718_243,
                      "2-B-5": 540_460, "2-B-6": 721_659}  # fmt: skip
    for c in SUBS:
        assert res.classes[c].principal_paid == shares[c] == rf.principal[c], c
    assert res.groups["2"].residual_paid == 0 == rf.residual


def test_depletion_by_principal_pays_the_share_less_the_deferred_amount_and_the_rest_to_2_a_1() -> None:
    """2-B-1 (the only subordinate left) is reduced to $10.00 by the date's losses, its Pro Rata Share is the whole
    SubPDA of $1,941.75 and $5.00 of it pays the Class A-PO Deferred Amount. (iv)(B) pays "its Pro Rata Share ...
    less any amount used to pay the Class A-PO Deferred Amount ... until the Class Certificate Balance thereof has
    been reduced to zero" (L3706-3711): $10.00, retiring it. The subordinates are then zero: the SubPDA they did
    not take, 1,941.75 - 5.00 - 10.00 = 1,926.75, goes to 2-A-1 (depletion_subpda: seniors), nothing to 1-A-LR."""
    bal = {"2-A-1": 100_000_000, "2-A-PO": 1_000_000, "2-B-1": 2_000_000} | {c: 0 for c in SUBS[1:]}
    e, s, r = start(bal)
    x = GroupPeriodInput(scheduled_principal_non_po=10_000_000, scheduled_principal_po=100_000,
                         realized_loss_principal_non_po=1_999_000, realized_loss_principal_po=500,
                         net_interest=aci(100_000_000) + aci(2_000_000))  # fmt: skip
    res, rf = both(e, s, r, x)
    sp = pct_up(101_000_000, 103_000_000)
    assert sp == Fraction(98_058_253, 10**8)
    spda = rhd(sp * 10_000_000)
    assert (spda, 10_000_000 - spda) == (9_805_825, 194_175)
    assert rf.po_deferred_paid == 500 and rf.principal["2-B-1"] == 1_000
    assert rf.principal["2-A-1"] == spda + 194_175 - 500 - 1_000 and rf.residual == 0
    assert (
        rf.writedown["2-A-1"] == 500
    )  # the deferred $5.00 reduces the APA, not a class: seniors written down
    assert res.classes["2-A-PO"].po_deferred_paid == 500
    assert res.classes["2-B-1"].principal_paid == 1_000, "the engine caps the share at the balance first"
    assert res.classes["2-A-1"].principal_paid == spda + 194_175 - 500 - 1_000
    assert res.groups["2"].residual_paid == 0


# ---- the literal readings stay available as switches (and show what the defaults fix) ---------------------------
def test_spda_excess_literal_reading_pays_the_senior_excess_to_1_a_lr() -> None:
    """``spda_excess: residual``: the $99,000 2-A-1 cannot take is not principal of any class (SubPDA 0 at a 100%
    Senior Prepayment Percentage): it goes to Class 1-A-LR while every 2-B class is outstanding."""
    bal = {"2-A-1": 100_000}
    e, s, r = start(bal, switches={"spda_excess": "residual"})
    b = dict(ref.INITIAL) | bal
    x = GroupPeriodInput(
        prepayment_non_po=10_000_000, net_interest=sum(aci(b[c]) for c in ref.INTEREST_BEARING)
    )
    _, res = e.run_period(s, {"2": x})
    assert res.classes["2-A-1"].principal_paid == 100_000
    assert all(res.classes[c].principal_paid == 0 for c in SUBS)
    assert res.groups["2"].residual_paid == 10_000_000 - 100_000


def test_depletion_subpda_literal_reading_pays_the_untaken_subpda_to_1_a_lr() -> None:
    """``depletion_subpda: residual``: on the depletion date of the test above, the 1,926.75 of SubPDA that no
    subordinate can take goes to Class 1-A-LR, and 2-A-1 receives only its SPDA less nothing else."""
    bal = {"2-A-1": 100_000_000, "2-A-PO": 1_000_000, "2-B-1": 2_000_000} | {c: 0 for c in SUBS[1:]}
    e, s, r = start(bal, switches={"depletion_subpda": "residual"})
    x = GroupPeriodInput(scheduled_principal_non_po=10_000_000, scheduled_principal_po=100_000,
                         realized_loss_principal_non_po=1_999_000, realized_loss_principal_po=500,
                         net_interest=aci(100_000_000) + aci(2_000_000))  # fmt: skip
    _, res = e.run_period(s, {"2": x})
    spda = rhd(pct_up(101_000_000, 103_000_000) * 10_000_000)
    assert res.classes["2-A-1"].principal_paid == spda == 9_805_825
    assert res.classes["2-B-1"].principal_paid == 1_000
    assert res.groups["2"].residual_paid == 194_175 - 500 - 1_000
