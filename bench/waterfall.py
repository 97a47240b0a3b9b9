"""Benchmark: the one waterfall interpreter on 2002-3, loan-level collateral, 360 periods.

Times, in one run: the collateral projection of N scenarios alone (the baseline), the interpreter over the same
inputs under the default readings, under a set of non-default readings (every multi-choice switch flipped that
keeps the deal runnable), and one monthly posting's date (S = 1, T = 1) -- and prints the ratios. Run:
``.venv/bin/python bench/waterfall.py [N]`` (default 1000).
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal

from timing import best

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall.engine import WaterfallEngine
from rmbs.waterfall.link import input_array

NON_DEFAULT = {
    "concurrent_retired_leg": "fall_through",
    "percentage_rounding": "fraction_6dp",
    "stepdown_conditions": "either",
    "blocked_stepdown": "last_value",
    "delinquency_window": "excluding_current",
    "senior_loss_set": "include_po",
    "writedown_cascade": "junior_only",
    "interest_reduction_basis": "aci",
    "pro_rata_share_balances": "before_losses",
    "spda_excess": "residual",
    "depletion_subpda": "residual",
    "final_distribution": "formula",
    "loss_test_losses": "prior_dates",
}


def scenarios(n: int) -> list:  # type: ignore[type-arg]
    return [
        scenario(f"{50 + (i * 37) % 750}PSA", f"{(i * 53) % 400}SDA", 20 + (i * 7) % 40, 6 + i % 12)
        for i in range(n)
    ]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    deal = load_deal("boams-2002-3")
    scs = scenarios(n)
    libor = Decimal("1.84")
    default = WaterfallEngine(deal)
    other = WaterfallEngine(deal, NON_DEFAULT)
    periods = project_deal(deal.library, scs[:2])  # warm imports and the numba caches
    inp = input_array(deal, periods)
    default.run(inp, lambda q: libor)
    other.run(inp, lambda q: libor)

    t = time.perf_counter()
    periods = project_deal(deal.library, scs)
    collateral = time.perf_counter() - t
    inp = input_array(deal, periods)
    t_default = best(lambda: default.run(inp, lambda q: libor))
    t_other = best(lambda: other.run(inp, lambda q: libor))
    state = default.initial_state()
    row = inp[:1, :1]
    t_post = best(lambda: default.run(row, lambda q: libor, [state]), 20)
    print(f"2002-3 loan level, 360 periods, {n} scenarios, {os.cpu_count()} cores")
    print(
        f"  collateral projection alone (baseline): {collateral:7.2f} s  {collateral / n * 1000:7.2f} ms/scenario"
    )
    print(
        f"  interpreter, default readings:          {t_default:7.2f} s  {t_default / n * 1000:7.2f} ms/scenario"
    )
    print(
        f"  interpreter, {len(NON_DEFAULT)} readings changed:      {t_other:7.2f} s  {t_other / n * 1000:7.2f} ms/scenario"
    )
    print(f"  ratio interpreter / collateral:         {t_default / collateral:7.2f}x")
    print(f"  ratio non-default / default readings:   {t_other / t_default:7.2f}x   (target <= 1.2x)")
    print(f"  one date from a stored state (a posting): {t_post * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
