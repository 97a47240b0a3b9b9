"""``rmbs warm``: compile -- or load from numba's on-disk cache -- every numba kernel the commands run, so that the
first ``rmbs grid`` (``rmbs run``, ``rmbs price``, a posting) after an install starts at full speed.

The kernels: the loan-level collateral projection (:mod:`rmbs.collateral.kernels`), the waterfall interpreter
(:mod:`rmbs.waterfall.interp`, with its steps and primitives) and the yield solver
(:func:`rmbs.analytics.pricing.solve_yields`). One small scenario of each shipped deal through the grid's path
(collateral, interpreter, summaries, a yield at a price) calls every one of them with the argument types the
commands use. Numba caches each compiled kernel beside its source; a later process loads it in about a second.

:func:`compile_notice` lets a command say so when numba has to compile after all (a changed source, a new
machine) instead of showing a progress bar frozen for a minute or two.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import numpy as np
from numba.core import event

WARM_DEALS = ("boams-2002-3", "boams-2000-2")


class FirstCompile(event.Listener):
    """A numba event listener that calls ``say`` once, when the first compilation (not a cache load) starts."""

    def __init__(self, say: Callable[[], None]) -> None:
        self.say = say
        self.fired = False

    def on_start(self, ev: Any) -> None:
        if not self.fired:
            self.fired = True
            self.say()

    def on_end(self, ev: Any) -> None:
        pass


@contextmanager
def compile_notice(say: Callable[[], None]) -> Iterator[FirstCompile]:
    """Within the block, ``say()`` is called once if numba starts compiling a kernel (loading a cached one is not
    compiling); ``.fired`` tells afterwards whether it did."""
    with event.install_listener("numba:compile", FirstCompile(say)) as listener:
        yield listener


def warm(deals: tuple[str, ...] = WARM_DEALS) -> list[tuple[str, float]]:
    """Run one 360-date scenario of each of ``deals`` through collateral, interpreter, summaries and the yield
    solver (and the scalar solver ``rmbs price`` calls, the same kernel); returns (step, seconds) per step."""
    from rmbs.analytics.grid import make_grid, run_grid
    from rmbs.analytics.pricing import CashFlows, yield_from_price
    from rmbs.deal.loader import load_deal

    out = []
    for deal_id in deals:
        t = time.perf_counter()
        d = load_deal(deal_id)
        run_grid(d, make_grid(d, "300PSA", "100SDA", "35", "12"), price=100.0)
        out.append((deal_id, time.perf_counter() - t))
    t = time.perf_counter()
    one = np.ones(1)
    yield_from_price(
        CashFlows((date(2030, 1, 25),), one, one * 0.0, one, one * 0.0, 24), 99.0, date(2029, 12, 1)
    )
    out.append(("scalar yield", time.perf_counter() - t))
    return out
