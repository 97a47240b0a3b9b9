"""A deliberately simple collateral model written in the tests, independent of rmbs.collateral.

Each loan group is one rep line: a level-pay balance at a net coupon, a constant SMM of prepayments and an
optional default rate with immediate liquidation at a severity. Principal and losses are split PO / non-PO in the
cut-off proportion. Net interest exactly covers the certificates' coupon on the non-PO balance, so in a quiet
month only rounding reaches the residual.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rmbs.waterfall import GroupPeriodInput


@dataclass
class RepLine:
    non_po: int  # cents
    po: int
    net_rate: Decimal  # percent, the strip rate: certificate interest on the non-PO balance
    term: int


def level_principal(balance: float, rate_pct: float, term: int) -> float:
    r = rate_pct / 1200
    pay = balance * r / (1 - (1 + r) ** -term) if r else balance / term
    return pay - balance * r


def project(
    lines: dict[str, RepLine],
    months: int,
    smm: float = 0.0,
    mdr: float = 0.0,
    severity: float = 0.0,
    delinquent_fraction: float = 0.0,
    final_payoff: bool = False,
) -> list[dict[str, GroupPeriodInput]]:
    out: list[dict[str, GroupPeriodInput]] = []
    state = {g: [rl.non_po, rl.po, rl.term] for g, rl in lines.items()}
    for m in range(1, months + 1):
        period: dict[str, GroupPeriodInput] = {}
        for g, rl in lines.items():
            non_po, po, term = state[g]
            total = non_po + po
            if total <= 0:
                period[g] = GroupPeriodInput()
                continue
            po_share = po / total
            interest = round(non_po * float(rl.net_rate) / 1200)
            defaulted = round(total * mdr)
            after_def = total - defaulted
            sched = (
                round(level_principal(after_def, float(rl.net_rate), max(term, 1))) if term > 0 else after_def
            )
            sched = min(sched, after_def)
            prepay = round((after_def - sched) * smm)
            loss = round(defaulted * severity)

            def split(x: int, cap_po: int, share: float = po_share) -> tuple[int, int]:
                p = min(round(x * share), cap_po)
                return x - p, p

            d_n, d_p = split(defaulted, po)
            s_n, s_p = split(sched, po - d_p)
            if final_payoff and m == months:
                p_n, p_p = non_po - d_n - s_n, po - d_p - s_p
            else:
                p_n, p_p = split(prepay, po - d_p - s_p)
            r_n, r_p = split(loss, d_p)
            r_n = min(r_n, d_n)
            l_n, l_p = d_n - r_n, d_p - r_p
            end_n, end_p = non_po - d_n - s_n - p_n, po - d_p - s_p - p_p
            end = end_n + end_p
            period[g] = GroupPeriodInput(
                scheduled_principal_non_po=s_n,
                scheduled_principal_po=s_p,
                prepayment_non_po=p_n,
                prepayment_po=p_p,
                liquidation_principal_non_po=l_n,
                liquidation_principal_po=l_p,
                realized_loss_principal_non_po=r_n,
                realized_loss_principal_po=r_p,
                net_interest=interest,
                delinquent_60_plus=round(end * delinquent_fraction),
                ending_balance=end,
                ending_balance_po=end_p,
            )
            state[g] = [end_n, end_p, term - 1]
        out.append(period)
    return out
