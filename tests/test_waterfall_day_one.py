"""Day-one reference values of both specs, reproduced by the engine (2002-3 §8.1/8.2, 2000-2 §19)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rmbs.deal.loader import load_deal
from rmbs.waterfall import GroupPeriodInput, WaterfallEngine


def _dollars(c: int) -> Decimal:
    return (Decimal(c) / 100).quantize(Decimal("0.01"))


@pytest.fixture(scope="module")
def e3() -> WaterfallEngine:
    return WaterfallEngine(load_deal("boams-2002-3"))


@pytest.fixture(scope="module")
def e2() -> WaterfallEngine:
    return WaterfallEngine(load_deal("boams-2000-2"))


SPEC_2002_3_ACI = {
    "1-A-1": "30709.27",
    "1-A-2": "19787.08",
    "1-A-3": "16807.92",
    "1-A-4": "17387.50",
    "1-A-5": "15535.00",
    "1-A-6": "645152.78",
    "1-A-7": "78966.70",
    "1-A-8": "270833.33",
    "1-A-9": "71825.00",
    "1-A-10": "134333.33",
    "1-A-11": "839.58",
    "1-A-R": "0.27",
    "1-A-LR": "0.27",
    "1-B-1": "16807.92",
    "1-B-2": "8070.83",
    "1-B-3": "4707.08",
    "1-B-4": "2686.67",
    "1-B-5": "2020.42",
    "1-B-6": "2690.32",
}

SPEC_2000_2_ACI = {
    "A-1": "200558.51",
    "A-2": "212500.00",
    "A-3": "409491.63",
    "A-4": "11597.74",
    "A-5": "22968.75",
    "A-6": "36666.67",
    "A-7": "15234.38",
    "A-8": "12821.92",
    "A-9": "8252.06",
    "A-10": "20989.58",
    "A-11": "53125.00",
    "A-14": "62500.00",
    "A-15": "139062.50",
    "A-16": "140625.00",
    "A-R": "0.62",
    "B-1": "33806.25",
    "B-2": "10568.75",
    "B-3": "5637.50",
    "B-4": "4231.25",
    "B-5": "2818.75",
    "B-6": "2820.89",
}


def test_2002_3_month_one_interest_by_class(e3: WaterfallEngine) -> None:
    inputs = {"1": GroupPeriodInput(net_interest=133916128), "2": GroupPeriodInput(), "3": GroupPeriodInput()}
    _, r = e3.run_period(e3.initial_state(), inputs)
    got = {n: str(_dollars(r.classes[n].accrued_interest)) for n in SPEC_2002_3_ACI}
    assert got == SPEC_2002_3_ACI
    assert sum(Decimal(v) for v in got.values()) == Decimal("1339161.27")
    # every class is paid its interest in full from net interest of 6.5% on the non-PO balance
    assert all(r.classes[n].interest_paid == r.classes[n].accrued_interest for n in SPEC_2002_3_ACI)
    assert r.groups["1"].residual_paid == 1


def test_2002_3_fractional_interests_and_restricted_classes(e3: WaterfallEngine) -> None:
    _, r = e3.run_period(e3.initial_state(), {})
    fi = {g: [round(v, 5) for v in r.groups[g].fractional_interests.values()][:5] for g in ("1", "2", "3")}
    assert fi["1"] == [Decimal(x) for x in ("1.50023", "0.90009", "0.55007", "0.35029", "0.20005")]
    assert fi["2"] == [Decimal(x) for x in ("1.80007", "1.00060", "0.55017", "0.35063", "0.20048")]
    assert fi["3"] == [Decimal(x) for x in ("0.70029", "0.45071", "0.30005", "0.20022", "0.10039")]
    # AMBIG-19 literal: 1-B-1 and 2-B-1 fall short of their OFIs at closing, so their juniors are restricted
    assert r.groups["1"].restricted_classes == ["1-B-2", "1-B-3", "1-B-4", "1-B-5", "1-B-6"]
    assert r.groups["2"].restricted_classes == ["2-B-2", "2-B-3", "2-B-4", "2-B-5", "2-B-6"]
    assert r.groups["3"].restricted_classes == []
    sp = {g: r.groups[g].senior_percentage for g in ("1", "2", "3")}
    assert sp == {"1": Decimal("97.249941"), "2": Decimal("97.249670"), "3": Decimal("98.599973")}


def test_2002_3_first_date_principal_example(e3: WaterfallEngine) -> None:
    """Spec 2002-3 §8.2: scheduled non-PO 250,000, non-PO prepayments 2,000,000, PO 5,000."""
    g1 = GroupPeriodInput(
        scheduled_principal_non_po=25_000_000,
        prepayment_non_po=200_000_000,
        scheduled_principal_po=500_000,
        net_interest=133_916_128,
    )
    _, r = e3.run_period(e3.initial_state(), {"1": g1})
    g = r.groups["1"]
    assert g.senior_principal_distribution_amount == 224_312_485
    assert g.subordinate_principal_distribution_amount == 687_515
    paid = {n: r.classes[n].principal_paid for n in ("1-A-R", "1-A-LR", "1-A-1", "1-A-6", "1-A-8", "1-A-10")}
    assert paid == {
        "1-A-R": 5000,
        "1-A-LR": 5000,
        "1-A-1": 19_779_917,
        "1-A-6": 158_239_344,
        "1-A-8": 46_283_224,
        "1-A-10": 0,
    }
    assert r.classes["1-A-PO"].principal_paid == 500_000
    assert r.classes["1-B-1"].principal_paid == 687_515
    assert all(r.classes[f"1-B-{k}"].principal_paid == 0 for k in range(2, 7))
    assert r.classes["1-A-7"].ending_balance == 1_528_586_683  # notional follows 1-A-1


def test_2000_2_month_one_interest_percentages(e2: WaterfallEngine) -> None:
    trustee_fee = 84_510  # 0.0045% / 12 x $225,360,331.39 = $845.101... -> $845.10 (spec §19)
    assert round(Decimal("225360331.39") * Decimal("0.0045") / 1200, 2) == Decimal("845.10")
    inp = GroupPeriodInput(net_interest=140_627_776 + trustee_fee, trustee_fee=trustee_fee)
    _, r = e2.run_period(e2.initial_state(), {"1": inp})
    got = {n: str(_dollars(r.classes[n].accrued_interest)) for n in SPEC_2000_2_ACI}
    assert got == SPEC_2000_2_ACI
    assert sum(r.classes[n].accrued_interest for n in SPEC_2000_2_ACI) == 140_627_775
    g = r.groups["1"]
    assert g.senior_percentage == Decimal("95.741710")
    assert g.subordinate_percentage == Decimal("4.258290")
    assert g.priority_percentage == Decimal("10.444563")
    assert g.senior_prepayment_percentage == Decimal(100)
    assert g.priority_amount == 0
    fi = [round(v, 6) for v in g.fractional_interests.values()][:5]
    assert fi == [Decimal(x) for x in ("1.854338", "1.102797", "0.701916", "0.401033", "0.200593")]
    assert g.restricted_classes == []
    assert g.pool_distribution_amount == 140_627_776
    assert g.residual_paid == 1
