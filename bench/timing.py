"""What the benchmarks share: the best of ``k`` wall-clock timings of a call."""

from __future__ import annotations

import time
from collections.abc import Callable


def best(f: Callable[[], object], k: int = 3) -> float:
    times = []
    for _ in range(k):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)
