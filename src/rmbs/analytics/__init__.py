"""Certificate analytics (issue 7): price and yield, average life, durations, convexity (Standard Formulas
SF-44..55), effective measures from re-runs of the deal, decrement and price/yield tables."""

from rmbs.analytics.prices import format_32nds, parse_price
from rmbs.analytics.pricing import (
    Analysis,
    CashFlows,
    analyze,
    average_life,
    bond_equivalent_yield,
    convexity,
    days_30_360,
    discount_margin,
    effective_measures,
    macaulay_duration,
    modified_duration,
    mortgage_yield,
    price_from_yield,
    settle,
    solve_yield,
    total_return,
    yield_from_price,
    yield_spread,
)

__all__ = [
    "Analysis",
    "CashFlows",
    "analyze",
    "average_life",
    "bond_equivalent_yield",
    "convexity",
    "days_30_360",
    "discount_margin",
    "effective_measures",
    "format_32nds",
    "macaulay_duration",
    "modified_duration",
    "mortgage_yield",
    "parse_price",
    "price_from_yield",
    "settle",
    "solve_yield",
    "total_return",
    "yield_from_price",
    "yield_spread",
]
