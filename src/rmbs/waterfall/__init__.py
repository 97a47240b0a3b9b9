"""The PSA's Article V as an engine: interest, senior principal with shifting interest, PO, subordinates, losses."""

from rmbs.waterfall.engine import (
    ClassResult,
    DealState,
    GroupPeriodInput,
    GroupResult,
    PeriodResult,
    WaterfallEngine,
)

__all__ = [
    "ClassResult",
    "DealState",
    "GroupPeriodInput",
    "GroupResult",
    "PeriodResult",
    "WaterfallEngine",
]
