"""The tables of ``rmbs run --out``: ``classes``, ``groups``, ``pool``, ``inputs`` and ``tests``.

Built from a run's results (one :class:`PeriodResult` per date) and its inputs (one :class:`GroupPeriodInput` per
date and loan group), all amounts in dollars and cents (``Decimal(18, 2)``). The tables add up:

* ``classes`` -- one row per (scenario, period, date, class): every amount paid to the class in its own column, so
  that over a group's classes ``interest_paid + principal_paid + po_deferred_paid``, plus the group's
  ``residual_paid``, is the group's Pool Distribution Amount; and ``ending_balance = beginning_balance -
  principal_paid - realized_loss - writedown`` (notional classes report their reference class's balances);
* ``groups`` -- one row per (scenario, period, date, group): the group's percentages, tests, principal amounts,
  residual, Adjusted Pool Amount, cumulative losses and remaining coverage amounts;
* ``pool`` -- the group's collections and balances as the pool reports them;
* ``inputs`` -- exactly the waterfall's inputs (:data:`INPUT_COLUMNS`, and for a deal with special-loss coverage
  :data:`COVERAGE_INPUT_COLUMNS`), from which the Pool Distribution Amount is ``net_interest - trustee_fee`` plus
  the eight principal columns less ``principal_shortfall``;
* ``tests`` -- the step-down tests and restrictions, and ``residual_while_outstanding``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

import polars as pl

from rmbs.deal.schema import Deal
from rmbs.waterfall.engine import GroupPeriodInput, PeriodResult, cents

MONEY = pl.Decimal(18, 2)
PCT = pl.Decimal(20, 10)  # percentages and coupon rates, to 10 places (the PSAs state percentages so)
TEST_PCT = pl.Decimal(12, 6)  # the tests table's percentages, as they always were
FACTOR = pl.Decimal(38, 10)
_TEN_PLACES = Decimal("0.0000000001")

CLASS_MONEY = (
    "beginning_balance",
    "accrued_interest",
    "interest_reduction",
    "interest_paid",
    "unpaid_interest_shortfall",
    "principal_paid",
    "po_deferred_paid",  # the Class A-PO Deferred Amount paid (5.02(a)(iii), Article X)
    "realized_loss",
    "writedown",  # the write-down to the Adjusted Pool Amount (5.03(b)), apart from the realized losses
    "ending_balance",
)
CLASS_COLUMNS = ("scenario", "period", "date", "class", "group", *CLASS_MONEY, "rate", "factor")

GROUP_PCT = (
    "senior_percentage",
    "senior_prepayment_percentage",
    "subordinate_percentage",
    "priority_percentage",
)
GROUP_MONEY = (
    "priority_amount",
    "senior_principal_distribution_amount",
    "subordinate_principal_distribution_amount",
    "po_principal_amount",
    "po_deferred_amount",
    "residual_paid",
    "residual_interest",
    "residual_principal",
    "adjusted_pool_amount",
    "adjusted_pool_amount_po",
    "cumulative_realized_losses",
)
GROUP_COLUMNS = (
    "scenario",
    "period",
    "date",
    "group",
    *GROUP_PCT,
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_classes",
    "depleted",
    *GROUP_MONEY[:8],
    "final_distribution",
    *GROUP_MONEY[8:],
)  # then coverage_<name> for each of the deal's coverage amounts

POOL_MONEY = (
    "pool_distribution_amount",
    "scheduled_principal",
    "prepayments",
    "liquidation_proceeds",
    "realized_loss",
    "net_interest",
    "ending_balance",
    "ending_balance_non_po",
    "ending_balance_po",
    "residual_paid",
    "trustee_fee",
    "non_po_class_total",
)
POOL_COLUMNS = ("scenario", "period", "date", "group", *POOL_MONEY)

# GroupPeriodInput's special-loss fields: the principal of the losses of each special kind (subsets of the realized
# losses) and the Special Hazard Loss Amount's concentration tests; columns of ``inputs`` only for a deal with
# special-loss coverage (2000-2), after the others. The clean-up call flag is never a column.
COVERAGE_INPUT_COLUMNS: tuple[str, ...] = (
    "special_hazard_loss",
    "fraud_loss",
    "bankruptcy_loss",
    "largest_loan_balance",
    "largest_zip_balance",
)
_NOT_INPUTS = frozenset({*COVERAGE_INPUT_COLUMNS, "cleanup_call"})
INPUT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(GroupPeriodInput) if f.name not in _NOT_INPUTS)
"""The waterfall's inputs, in GroupPeriodInput's order and under its names (integer cents there, dollars here)."""

TEST_COLUMNS = (
    "scenario",
    "period",
    "date",
    "group",
    "senior_percentage",
    "senior_prepayment_percentage",
    "subordinate_percentage",
    "delinquency_test_pass",
    "loss_test_pass",
    "restricted_classes",
    "priority_amount",
    "po_deferred_amount",
    "depleted",
    "residual_while_outstanding",
)


class RunTables(NamedTuple):
    """The five tables of ``rmbs run``, in the order they are written."""

    classes: pl.DataFrame
    groups: pl.DataFrame
    pool: pl.DataFrame
    inputs: pl.DataFrame
    tests: pl.DataFrame


def residual_while_outstanding(deal: Deal, r: PeriodResult) -> list[str]:
    """The groups whose residual is paid principal on this date while a certificate of the group still has a
    balance after it."""
    out = []
    for gid, g in r.groups.items():
        if g.group != gid or g.residual_principal <= 0:
            continue
        if any(r.classes[c.name].ending_balance > 0 for c in deal.classes if c.group == gid):
            out.append(gid)
    return out


def residual_warnings(deal: Deal, results: Sequence[PeriodResult]) -> tuple[int, date, str] | None:
    """(dates flagged, the first such date, its first group) when the residual is paid principal while
    certificates are outstanding on any date, else None."""
    flagged = [(r.date, gs) for r in results if (gs := residual_while_outstanding(deal, r))]
    if not flagged:
        return None
    return len(flagged), flagged[0][0], flagged[0][1][0]


def frames(
    deal: Deal,
    results: Sequence[Sequence[PeriodResult]],
    inputs: Sequence[Sequence[dict[str, GroupPeriodInput]]],
) -> RunTables:
    """The ``classes``, ``groups``, ``pool``, ``inputs`` and ``tests`` tables for every scenario."""
    initial = {c.name: Decimal(cents(c.initial_balance)) / 100 for c in deal.classes}
    class_group = {c.name: c.group for c in deal.classes}
    coverage = [c.name for c in deal.coverage]
    group_columns = (*GROUP_COLUMNS, *(f"coverage_{n}" for n in coverage))
    input_columns = (*INPUT_COLUMNS, *(COVERAGE_INPUT_COLUMNS if coverage else ()))
    crow: dict[str, list[Any]] = {k: [] for k in CLASS_COLUMNS}
    grow: dict[str, list[Any]] = {k: [] for k in group_columns}
    prow: dict[str, list[Any]] = {k: [] for k in POOL_COLUMNS}
    irow: dict[str, list[Any]] = {k: [] for k in ("scenario", "period", "date", "group", *input_columns)}
    trow: dict[str, list[Any]] = {k: [] for k in TEST_COLUMNS}
    group_of = {g.id: g for g in deal.groups}
    for s, (res, inp) in enumerate(zip(results, inputs, strict=True)):
        for r in res:
            for name, c in r.classes.items():
                crow["scenario"].append(s)
                crow["period"].append(r.period)
                crow["date"].append(r.date)
                crow["class"].append(name)
                crow["group"].append(class_group.get(name))
                for k in CLASS_MONEY:
                    crow[k].append(getattr(c, k))
                crow["rate"].append(Decimal(c.rate).quantize(_TEN_PLACES))
                crow["factor"].append(
                    (Decimal(c.ending_balance) / 100 / initial[name]).quantize(_TEN_PLACES)
                    if initial[name]
                    else Decimal(0)
                )
            gi_all = inp[r.period - 1] if r.period - 1 < len(inp) else {}
            flagged = residual_while_outstanding(deal, r)
            for gid, g in r.groups.items():
                if g.group != gid:
                    continue
                gi = gi_all.get(group_of[gid].loan_group, GroupPeriodInput())
                for row in (grow, prow, irow, trow):
                    row["scenario"].append(s)
                    row["period"].append(r.period)
                    row["date"].append(r.date)
                    row["group"].append(gid)
                # groups
                for k in GROUP_PCT:
                    v = getattr(g, k)
                    grow[k].append(None if v is None else Decimal(v).quantize(_TEN_PLACES))
                grow["delinquency_test_pass"].append(g.delinquency_test_pass)
                grow["loss_test_pass"].append(g.loss_test_pass)
                grow["restricted_classes"].append(" ".join(g.restricted_classes))
                grow["depleted"].append(g.depleted)
                grow["final_distribution"].append(g.final_distribution)
                for k in GROUP_MONEY:
                    grow[k].append(getattr(g, k))
                for n in coverage:
                    grow[f"coverage_{n}"].append(g.coverage_remaining.get(n))
                # pool
                prow["pool_distribution_amount"].append(g.pool_distribution_amount)
                prow["scheduled_principal"].append(gi.scheduled_principal_non_po + gi.scheduled_principal_po)
                prow["prepayments"].append(gi.prepayment_non_po + gi.prepayment_po)
                prow["liquidation_proceeds"].append(
                    gi.liquidation_principal_non_po + gi.liquidation_principal_po
                )
                prow["realized_loss"].append(
                    gi.realized_loss_principal_non_po + gi.realized_loss_principal_po
                )
                prow["net_interest"].append(gi.net_interest - gi.trustee_fee)
                prow["ending_balance"].append(gi.ending_balance)
                prow["ending_balance_non_po"].append(gi.ending_balance - gi.ending_balance_po)
                prow["ending_balance_po"].append(gi.ending_balance_po)
                prow["residual_paid"].append(g.residual_paid)
                prow["trustee_fee"].append(gi.trustee_fee)
                prow["non_po_class_total"].append(g.non_po_class_total)
                # inputs
                for k in input_columns:
                    irow[k].append(getattr(gi, k))
                # tests
                trow["senior_percentage"].append(g.senior_percentage)
                trow["senior_prepayment_percentage"].append(g.senior_prepayment_percentage)
                trow["subordinate_percentage"].append(g.subordinate_percentage)
                trow["delinquency_test_pass"].append(g.delinquency_test_pass)
                trow["loss_test_pass"].append(g.loss_test_pass)
                trow["restricted_classes"].append(" ".join(g.restricted_classes))
                trow["priority_amount"].append(g.priority_amount)
                trow["po_deferred_amount"].append(g.po_deferred_amount)
                trow["depleted"].append(g.depleted)
                trow["residual_while_outstanding"].append(gid in flagged)
    keys = {"scenario": pl.Int64, "period": pl.Int64, "date": pl.Date, "group": pl.Utf8}
    flags = dict.fromkeys(("delinquency_test_pass", "loss_test_pass", "depleted"), pl.Boolean)
    classes = _frame(crow, CLASS_MONEY, {**keys, "class": pl.Utf8, "rate": PCT, "factor": FACTOR})
    groups = _frame(
        grow,
        (*GROUP_MONEY, *(f"coverage_{n}" for n in coverage)),
        {
            **keys,
            **dict.fromkeys(GROUP_PCT, PCT),
            **flags,
            "restricted_classes": pl.Utf8,
            "final_distribution": pl.Boolean,
        },
    )
    pool = _frame(prow, POOL_MONEY, keys)
    inputs_ = _frame(irow, input_columns, keys)
    tests = _frame(
        trow,
        ("priority_amount", "po_deferred_amount"),
        {
            **keys,
            **flags,
            "restricted_classes": pl.Utf8,
            "residual_while_outstanding": pl.Boolean,
        },
    ).with_columns(
        pl.col("senior_percentage").cast(TEST_PCT),
        pl.col("senior_prepayment_percentage").cast(TEST_PCT),
        pl.col("subordinate_percentage").cast(TEST_PCT),
    )
    return RunTables(classes, groups, pool, inputs_, tests)


def _frame(rows: dict[str, list[Any]], money: Sequence[str], types: dict[str, Any]) -> pl.DataFrame:
    """The columns of ``rows`` in their order: ``money`` from integer cents to dollars and cents, the others of
    the given types (inferred where none is given)."""
    schema: dict[str, Any] = {k: pl.Int64 if k in money else types.get(k) for k in rows}
    df = pl.DataFrame(
        {k: pl.Series(k, v, dtype=schema[k], strict=False) for k, v in rows.items()},
    )
    return df.with_columns(
        [(pl.col(k).cast(pl.Int64).cast(pl.Decimal(20, 2)) / 100).cast(MONEY) for k in money]
    )
