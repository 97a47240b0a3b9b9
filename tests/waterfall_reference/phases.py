"""Collateral in phases: tests/synthetic.py's rep-line model run phase after phase (each phase its own constant
speeds), so one deal life can have a loss month, a prepayment burst or a last-month liquidation where a test
needs it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rmbs.waterfall import GroupPeriodInput
from tests.synthetic import RepLine, project


def phased(lines: dict[str, RepLine], phases: Sequence[tuple[int, dict[str, Any]]],
           final_payoff: bool = False) -> list[dict[str, GroupPeriodInput]]:  # fmt: skip
    """``phases`` = [(months, project() keywords), ...]; the last phase ends with the pool paid off when
    ``final_payoff``."""
    out: list[dict[str, GroupPeriodInput]] = []
    cur = dict(lines)
    for k, (months, kw) in enumerate(phases):
        last = final_payoff and k == len(phases) - 1
        kw = dict(kw)
        target = kw.pop(
            "loss_cents", None
        )  # a one-off loss of about this much in the first month of the phase
        if target is not None:
            kw["mdr"] = mdr_for(cur, kw.pop("group", "2"), target, kw.get("severity", 1.0))
        part = project(cur, months, final_payoff=last, **kw)
        out += part
        nxt = {}
        for g, rl in cur.items():
            x = part[-1][g]
            nxt[g] = RepLine(x.ending_balance - x.ending_balance_po, x.ending_balance_po, rl.net_rate,
                             rl.term - months)  # fmt: skip
        cur = nxt
    return out


def mdr_for(lines: dict[str, RepLine], group: str, loss: int, severity: float) -> float:
    """The default rate that loses about ``loss`` cents of the group's current pool at ``severity``."""
    rl = lines[group]
    return loss / ((rl.non_po + rl.po) * severity)
