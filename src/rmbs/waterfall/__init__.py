"""The PSA's Article V, written once: a deal file compiles into a plan (:mod:`.plan`) that one interpreter runs
(:mod:`.interp`) -- projections, grids, pricing and the monthly posting alike (:mod:`.engine`)."""

from rmbs.waterfall.engine import (
    ClassResult,
    DealState,
    GroupPeriodInput,
    GroupResult,
    PeriodResult,
    Run,
    WaterfallEngine,
)

__all__ = [
    "ClassResult",
    "DealState",
    "GroupPeriodInput",
    "GroupResult",
    "PeriodResult",
    "Run",
    "WaterfallEngine",
]
