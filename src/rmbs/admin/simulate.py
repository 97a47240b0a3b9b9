"""Realistic loan-level remittance files for a shipped deal: each loan's scheduled amortization (level payment at
its Mortgage Interest Rate, as the collateral engine amortizes it, SF-4) with random loan-level payoffs,
curtailments, delinquencies that roll and cure, and liquidations with losses, from a seeded numpy RNG."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import numpy as np
import polars as pl

from rmbs.admin.remittance import COLUMNS, period_label
from rmbs.deal.loader import load_deal
from rmbs.errors import AssumptionError
from rmbs.waterfall.arith import rhd

_ROLL = {"current": "30", "30": "60", "60": "90+", "90+": "foreclosure", "foreclosure": "REO"}


def _annual(text: str, unit: str) -> float:
    m = re.fullmatch(rf"\s*([0-9]*\.?[0-9]+)\s*{unit}\s*", text, flags=re.IGNORECASE)
    if not m:
        raise AssumptionError(f"not a {unit} speed: {text!r}", field=unit.lower(), expected=f"e.g. 8{unit}")
    v = float(m.group(1))
    if v >= 100:
        raise AssumptionError(f"{unit} {v} out of range", field=unit.lower(), expected="below 100")
    return 1.0 - (1.0 - v / 100.0) ** (1.0 / 12.0)


def _d(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f}"


_CURE = {"30": 0.8, "60": 0.4}


def simulate(
    deal_id: str,
    months: int,
    out: Path,
    *,
    prepay: str = "8CPR",
    default: str = "0.5CDR",
    delinquency: float = 2.0,
    severity: float = 35.0,
    seed: int = 0,
    tape: pl.DataFrame | None = None,
) -> list[Path]:
    """Write ``months`` remittance CSVs (one per Distribution Date) to ``out``; returns their paths in order."""
    from rmbs.deal.library import load_tape

    deal = load_deal(deal_id)
    if tape is None:
        tape = load_tape(deal.library)
    smm = _annual(prepay, "CPR")
    mdr = _annual(default, "CDR")
    p_dq = delinquency / 100.0
    rng = np.random.default_rng(seed)
    loans = tape["loan_number"].cast(str).to_list()
    bal = [int(Decimal(str(b)) * 100) for b in tape["cutoff_balance"].to_list()]
    rate = [Decimal(str(r)) for r in tape["note_rate"].to_list()]
    pay = [int(Decimal(str(p)) * 100) for p in tape["monthly_payment"].to_list()]
    term = [int(t) for t in tape["remaining_term"].to_list()]
    status = ["current"] * len(loans)
    alive = [True] * len(loans)
    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for t in range(1, months + 1):
        label = period_label(deal, t)
        y, m = (int(x) for x in label.split("-"))
        pm_y, pm_m = (y, m - 1) if m > 1 else (y - 1, 12)
        u = rng.random((len(loans), 4))
        rows = []
        for i, loan in enumerate(loans):
            if not alive[i]:
                continue
            b = bal[i]
            interest = rhd(Decimal(b) * rate[i] / 1200)
            rem = max(1, term[i] - t + 1)
            sched = b if rem == 1 else min(b, max(0, pay[i] - interest))
            row = dict.fromkeys(COLUMNS, "0.00")
            row.update(
                loan_number=loan,
                period=label,
                payoff_date="",
                status="current",
                pi_advanced="0",
                repurchase="0",
                substitution="0",
                modification="0",
                beginning_balance=_d(b),
            )
            st = status[i]
            if st == "REO":
                # liquidation: proceeds net of expenses cover (1 - severity) of the balance
                expenses = rhd(Decimal(b) * Decimal("0.05"))
                net = rhd(Decimal(b) * Decimal(str(1 - severity / 100)))
                row.update(
                    status="REO",
                    liquidation_proceeds=_d(net + expenses),
                    liquidation_expenses=_d(expenses),
                    realized_loss=_d(b - net),
                    ending_balance="0.00",
                    scheduled_interest="0.00",
                )
                alive[i] = False
            elif st != "current" or u[i, 0] < mdr:
                nxt = _ROLL[st] if st != "current" else "30"
                # most early delinquencies cure (so "--delinquency" is mostly a delinquency rate, and the
                # default rate comes mainly from --default): 80% of 30-day and 40% of 60-day loans cure
                if st in _CURE and u[i, 1] < _CURE[st] and u[i, 0] >= mdr:
                    nxt = "current"
                if st == "current" and u[i, 0] < mdr:
                    nxt = "60"  # a true default skips ahead on the road to foreclosure
                status[i] = nxt
                row.update(
                    status=nxt,
                    pi_advanced="1",
                    scheduled_principal=_d(sched),
                    scheduled_interest=_d(interest),
                    ending_balance=_d(b - sched),
                )
                bal[i] = b - sched
            elif u[i, 2] < p_dq:
                status[i] = "30"
                row.update(
                    status="30",
                    pi_advanced="1",
                    scheduled_principal=_d(sched),
                    scheduled_interest=_d(interest),
                    ending_balance=_d(b - sched),
                )
                bal[i] = b - sched
            elif u[i, 1] < smm or sched == b:
                day = int(rng.integers(1, 29))
                row.update(
                    scheduled_principal=_d(sched),
                    scheduled_interest=_d(interest),
                    payoff_amount=_d(b - sched),
                    payoff_date=f"{pm_y:04d}-{pm_m:02d}-{day:02d}",
                    ending_balance="0.00",
                )
                alive[i] = False
            else:
                curt = 0
                if u[i, 3] < min(0.03, 4 * smm):  # partial prepayments go with the prepayment speed
                    curt = min(b - sched, int(rng.integers(1, 200)) * 10000)
                row.update(
                    scheduled_principal=_d(sched),
                    scheduled_interest=_d(interest),
                    curtailment=_d(curt),
                    ending_balance=_d(b - sched - curt),
                )
                bal[i] = b - sched - curt
                if bal[i] == 0:
                    alive[i] = False
            rows.append(row)
        path = out / f"{deal_id}-{label}.csv"
        with path.open("w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(COLUMNS))
            w.writeheader()
            w.writerows(rows)
        paths.append(path)
    return paths
