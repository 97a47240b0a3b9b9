"""The batch view of a run (waterfall/batch.py), its summaries, and the vectorized yield solver, against numbers
worked out here: the per-date result objects, WALs by hand, and present values discounted in plain Python."""

from __future__ import annotations

import math
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest

from rmbs.analytics.pricing import BAD_TARGET, SOLVED, TOO_HIGH, TOO_LOW, solve_yields
from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall.batch import ClassFlows, summarize
from rmbs.waterfall.engine import WaterfallEngine
from rmbs.waterfall.project import run_periods
from rmbs.waterfall.run import parse_index_path


@pytest.fixture(scope="module")
def run_2000_2():  # type: ignore[no-untyped-def]
    deal = load_deal("boams-2000-2")
    engine = WaterfallEngine(deal)
    scs = [scenario("300PSA", "200SDA", 40, 6), scenario("1500PSA")]
    run, _ = run_periods(engine, project_deal(deal.library, scs), parse_index_path(None), clean_up_call=True)
    return deal, run


def test_class_flows_are_the_result_objects(run_2000_2) -> None:  # type: ignore[no-untyped-def]
    deal, run = run_2000_2
    f = run.flows()
    assert f.names == tuple(c.name for c in deal.classes)
    assert len(f.dates) == f.begin.shape[1] and f.periods[0] == 1
    for s in range(2):
        res = run.results(s)
        assert int(f.done[s]) == len(res) < len(f.dates)  # both end early: the clean-up call
        for t, r in enumerate(res):
            assert r.date == f.dates[t] and r.period == f.periods[t]
            for k, name in enumerate(f.names):
                c = r.classes[name]
                got = (
                    f.begin[s, t, k], f.principal[s, t, k], f.interest[s, t, k], f.realized_loss[s, t, k],
                    f.writedown[s, t, k], f.po_deferred_paid[s, t, k], f.end[s, t, k],
                )  # fmt: skip
                want = (
                    c.beginning_balance, c.principal_paid, c.interest_paid, c.realized_loss, c.writedown,
                    c.po_deferred_paid, c.ending_balance,
                )  # fmt: skip
                assert got == want
                assert f.rate[s, t, k] == float(c.rate)
        n = len(res)
        for a in (f.begin, f.principal, f.interest, f.realized_loss, f.writedown, f.po_deferred_paid, f.end):
            assert not a[s, n:].any()


def _flows(
    dates: list[date], principal: list[list[int]], interest: list[list[int]] | None = None
) -> ClassFlows:
    """One scenario, classes side by side: ``principal[k][t]``."""
    T, K = len(dates), len(principal)
    p = np.array(principal, dtype=np.int64).T.reshape(1, T, K)
    i = np.zeros_like(p) if interest is None else np.array(interest, dtype=np.int64).T.reshape(1, T, K)
    z = np.zeros_like(p)
    return ClassFlows(
        tuple(f"C{k}" for k in range(K)),
        tuple(dates),
        np.arange(1, T + 1, dtype=np.int64),
        np.array([T], dtype=np.int64),
        z + 1000,
        p,
        i,
        z + 7,
        z + 3,
        z,
        z,
        np.zeros((1, T, K)),
    )


def test_wal_window_and_totals_by_hand() -> None:
    closing = date(2002, 3, 26)
    dates = [date(2002, 4, 25), date(2002, 5, 25), date(2002, 6, 25), date(2002, 7, 25)]
    f = _flows(
        dates,
        [[0, 10_000, 0, 30_000], [0, 0, 0, 0], [5, 0, 0, 0]],
        [[1, 2, 3, 4], [9, 9, 9, 9], [0, 0, 0, 0]],
    )
    got = summarize(f, closing, np.array([40_000, 0, 5], dtype=np.int64))
    # 30/360 days from 3/26: 29, 59, 89, 119; WAL = sum(days x principal) / (360 x sum principal)
    wal = Decimal(59 * 10_000 + 119 * 30_000) / Decimal(360 * 40_000)
    assert got.wal[0, 0] == int((wal * 100).quantize(Decimal(1), ROUND_HALF_EVEN))
    rows = got.rows(0)
    assert rows[0]["wal_years"] == wal.quantize(Decimal("0.01"), ROUND_HALF_EVEN) == Decimal("0.29")
    assert (rows[0]["first_principal"], rows[0]["last_principal"]) == (dates[1], dates[3])
    assert rows[0]["total_principal"] == Decimal("400.00") and rows[0]["total_interest"] == Decimal("0.10")
    assert rows[0]["total_realized_loss"] == Decimal("0.28") and rows[0]["total_writedown"] == Decimal("0.12")
    assert rows[0]["total_loss"] == Decimal("0.40") and rows[0]["initial_balance"] == Decimal("400.00")
    assert rows[1]["wal_years"] is None and rows[1]["first_principal"] is None
    assert rows[1]["total_interest"] == Decimal("0.36")
    assert rows[2]["wal_years"] == Decimal("0.08")  # 29 / 360 = 0.0806
    assert rows[2]["first_principal"] == rows[2]["last_principal"] == dates[0]


def test_wal_ties_round_half_even() -> None:
    closing = date(2002, 4, 1)
    # 1 at 6 days and 3 at 10 days: 36 / 1440 = 0.025 exactly; 1 at 6 and 3 at 34: 108 / 1440 = 0.075
    f = _flows([date(2002, 4, 7), date(2002, 4, 11), date(2002, 5, 5)], [[1, 3, 0], [1, 0, 3]])
    got = summarize(f, closing, np.zeros(2, dtype=np.int64))
    assert Decimal(36) / 1440 == Decimal("0.025") and Decimal(108) / 1440 == Decimal("0.075")
    assert [r["wal_years"] for r in got.rows(0)] == [Decimal("0.02"), Decimal("0.08")]


def _pv(times: np.ndarray, flows: np.ndarray, y: float) -> float:
    return sum(float(c) * (1.0 + y / 200.0) ** (-2.0 * float(t)) for c, t in zip(flows, times, strict=True))


def test_solve_yields_discounts_back_to_each_target() -> None:
    months = np.arange(1, 361)
    times = (months * 30 - 6) / 360.0  # monthly, settled 6 days into the first month
    level = np.full(360, 8_000.0)
    bullet = np.zeros(360)
    bullet[59] = 1_000_000.0
    flows = np.vstack([level, level, bullet, level, level, level])
    first = np.array([0, 120, 0, 0, 0, 0], dtype=np.int64)
    stop = np.array([360, 240, 360, 360, 360, 360], dtype=np.int64)
    target = np.array([1_000_000.0, 500_000.0, 700_000.0, -1.0, 1e30, 1e-9])
    out = np.empty(6)
    status = np.empty(6, dtype=np.int64)
    step = 30 / 360.0
    solve_yields(times, flows, first, stop, target, 6.0, step, out, status)
    assert status.tolist() == [SOLVED, SOLVED, SOLVED, BAD_TARGET, TOO_HIGH, TOO_LOW]
    for j in range(3):
        a, b = first[j], stop[j]
        assert abs(_pv(times[a:b], flows[j, a:b], out[j]) / target[j] - 1.0) < 1e-8
    # the bullet: (1 + Y/200)^(2 T) = 1e6 / 7e5 with T = 1794 / 360 years
    assert out[2] == pytest.approx(200.0 * ((1e6 / 7e5) ** (360.0 / (2 * 1794)) - 1.0), abs=1e-9)
    assert all(math.isnan(x) for x in out[3:])
    # uneven times take the term-by-term path: the same yields
    out2 = np.empty(6)
    solve_yields(times, flows, first, stop, target, 6.0, 0.0, out2, status)
    assert np.allclose(out2[:3], out[:3], rtol=0, atol=1e-9)
