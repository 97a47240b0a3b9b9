"""The compiled batch waterfall equals the exact engine, class by class and date by date."""

from __future__ import annotations

from dataclasses import asdict

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall.engine import WaterfallEngine
from rmbs.waterfall.fast import muldiv, period_results, run_batch
from rmbs.waterfall.link import scenario_inputs
from rmbs.waterfall.project import run_deal_summaries
from rmbs.waterfall.run import parse_index_path, run_scenario

# light to heavy: the heavy ones exhaust the subordinates of every group (post-depletion rules, 1-A-11 support)
SCENARIOS = [
    ("0PSA", "0SDA", 0, 0),
    ("100PSA", "100SDA", 35, 12),
    ("300PSA", "200SDA", 40, 6),
    ("700PSA", "50SDA", 25, 12),
    ("150PSA", "1500SDA", 60, 6),
    ("60PSA", "2500SDA", 70, 3),
]


def _compare(deal_id: str, libor: str | None, switches: dict[str, str] | None = None) -> list[list[object]]:
    deal = load_deal(deal_id)
    scs = [scenario(*s) for s in SCENARIOS]
    periods = project_deal(deal.library, scs)
    engine = WaterfallEngine(deal, switches)
    index = parse_index_path(libor)
    tables = run_batch(engine, periods, list(range(len(scs))), index)
    assert tables is not None
    exact_all = []
    for s, table in enumerate(tables):
        fast = period_results(table)
        exact = run_scenario(engine, scenario_inputs(deal, periods, s), index)
        assert len(fast) == len(exact)
        for a, b in zip(fast, exact, strict=True):
            assert (a.period, a.date) == (b.period, b.date)
            assert {k: asdict(v) for k, v in a.classes.items()} == {
                k: asdict(v) for k, v in b.classes.items()
            }, f"scenario {SCENARIOS[s]} period {a.period}"
        exact_all.append(exact)
    return exact_all


def test_2002_3_compiled_equals_exact_with_a_libor_path_through_cap_and_floor() -> None:
    exact = _compare("boams-2002-3", "1.0,2.0,4.5,9.5,12,0,0.2,6")
    # the heavy scenarios did reach the post-depletion rules: seniors took losses, 1-A-11 absorbed 1-A-9's
    heavy = exact[-1]
    assert sum(r.classes["1-A-6"].realized_loss + r.classes["1-A-6"].writedown for r in heavy) > 0
    assert sum(r.classes["1-A-11"].realized_loss + r.classes["1-A-11"].writedown for r in heavy) > 0
    # and the floater and the inverse floater reached their caps and floors
    deal = load_deal("boams-2002-3")
    for name in ("1-A-1", "1-A-7"):
        rates = {r.classes[name].rate for r in exact[0]}
        c = next(x for x in deal.classes if x.name == name).coupon
        assert c.cap in rates and c.floor in rates, name


def test_2000_2_compiled_equals_exact() -> None:
    exact = _compare("boams-2000-2", None)
    assert sum(r.classes["A-1"].realized_loss + r.classes["A-1"].writedown for r in exact[-1]) > 0


def test_2002_3_compiled_equals_exact_under_other_supported_readings() -> None:
    _compare(
        "boams-2002-3",
        "1.84",
        {"concurrent_retired_leg": "fall_through", "g1_step4_1a8_pct": "51.6342896319"},
    )


def test_readings_the_kernel_does_not_implement_run_in_the_exact_engine() -> None:
    deal = load_deal("boams-2002-3")
    scs = [scenario("200PSA", "300SDA", 40, 12), scenario("400PSA", "0SDA", 0, 0)]
    periods = project_deal(deal.library, scs)
    engine = WaterfallEngine(deal, {"stepdown_conditions": "either"})
    assert run_batch(engine, periods, [0, 1], parse_index_path(None)) is None
    sw = {"stepdown_conditions": "either"}
    assert run_deal_summaries(deal, scs, switches=sw) == run_deal_summaries(
        deal, scs, switches=sw, exact=True
    )


def test_summaries_batch_equals_the_exact_engine() -> None:
    deal = load_deal("boams-2002-3")
    scs = [scenario(*s) for s in SCENARIOS[1:4]]
    assert run_deal_summaries(deal, scs, libor="2.5") == run_deal_summaries(
        deal, scs, libor="2.5", exact=True
    )


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 10**13),
    st.integers(0, 10**13),
    st.integers(1, 10**15),
)
def test_muldiv_is_exact_half_down_beyond_63_bits(a: int, b: int, d: int) -> None:
    q, r = divmod(a * b, d)  # Python's unbounded integers
    expected = q + 1 if 2 * r > d else q
    assume(expected < 2**62)  # the kernel's amounts: a quotient in int64
    assert muldiv(a, b, d) == expected
