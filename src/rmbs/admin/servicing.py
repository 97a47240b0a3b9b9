"""What the servicer reports beyond the cash: delinquencies, foreclosures, REO, Periodic Advances, prepayment and
liquidation counts -- per loan group, per posted period, from the remittance rows (Sections 4.01 and 5.04(a)(ix)-(xii)).

Stored with each posting (table ``servicing_periods``, migration 0002) so that the Servicer's Certificate and the
Statement to Certificateholders read them from the ledger rather than from the files.

Readings chosen where the remittance format is coarser than the PSA (docs/reporting.md):

* Delinquency buckets of 5.04(a)(x) (1-30, 31-60, 61-90, 91+ days, exclusive of foreclosure) and of 4.01 (one, two,
  three, more than three months): status ``30`` (one Monthly Payment missed at the month's end) is 1 to 30 days /
  one month, ``60`` is 31 to 60 days / two months, ``90+`` is 61 to 90 days / three months the first month a loan
  reports it and 91 or more days / more than three months when it reported ``90+`` the period before. Amounts are
  Stated Principal Balances after the Due Date (the ``ending_balance``).
* A Periodic Advance (3.20; definition "Periodic Advance") is the Monthly Payment net of the Servicing Fee on a loan
  whose P&I the servicer advanced (``pi_advanced``): ``scheduled_principal + scheduled_interest - servicing fee``.
  Advances stay outstanding while the loan stays delinquent and are taken as reimbursed (3.11(a)) when it cures,
  pays off or is liquidated (Liquidation Proceeds repay advances first, 3.14).
* A loan "became an REO Property during the preceding calendar month" (5.04(a)(xi)) when it reports ``REO`` with a
  balance left and did not the period before; the remittance gives no day, so the acquisition date is the month.
  REO book value (4.01) and principal balance (5.04(a)(xii)) are the Stated Principal Balance; market value is
  not reported by the servicer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, func, insert, select

from rmbs.admin import tables as t
from rmbs.admin.remittance import HUNDRED_TWENTY, LoanTerms, Remittance
from rmbs.deal.schema import Deal
from rmbs.waterfall.arith import rhd

# (key, 5.04(a)(x) label, 4.01 label)
BUCKETS: tuple[tuple[str, str, str], ...] = (
    ("dq_1_30", "Delinquent 1 to 30 days", "One month delinquent"),
    ("dq_31_60", "Delinquent 31 to 60 days", "Two months delinquent"),
    ("dq_61_90", "Delinquent 61 to 90 days", "Three months delinquent"),
    ("dq_91_plus", "Delinquent 91 or more days", "More than three months delinquent"),
    ("foreclosure", "In foreclosure", "In foreclosure"),
    ("reo", "REO Properties", "REO Properties"),
    ("bankruptcy", "In bankruptcy", "In bankruptcy"),
)
BUCKET_KEYS = tuple(b[0] for b in BUCKETS)


def bucket_of(status: str, prior_status: str | None) -> str | None:
    """The delinquency bucket of a loan still in the trust (see the module docstring), or None if current."""
    if status == "30":
        return "dq_1_30"
    if status == "60":
        return "dq_31_60"
    if status == "90+":
        return "dq_91_plus" if prior_status == "90+" else "dq_61_90"
    if status == "foreclosure":
        return "foreclosure"
    if status == "REO":
        return "reo"
    if status == "bankruptcy":
        return "bankruptcy"
    return None


def _blank() -> dict[str, Any]:
    d: dict[str, Any] = {f"{k}_{m}": 0 for k in BUCKET_KEYS for m in ("count", "balance")}
    d.update(
        loans_beginning=0,
        loans_ending=0,
        payoffs_count=0,
        payoffs_amount=0,
        curtailments_count=0,
        curtailments_amount=0,
        repurchases_count=0,
        repurchases_amount=0,
        liquidations_count=0,
        liquidation_proceeds=0,
        liquidation_expenses=0,
        realized_loss=0,
        relief_act_reduction=0,
        periodic_advances=0,
        advances_outstanding=0,
        reo_new=[],
        loans={},
    )
    return d


def servicing_period(
    deal: Deal,
    rem: Remittance,
    terms: Mapping[str, LoanTerms],
    prior: Mapping[str, tuple[str, int]],
) -> dict[str, dict[str, Any]]:
    """Per loan group: counts, balances, advances and REO of this remittance. ``prior`` maps each loan carried as
    delinquent by the previous period to (status, Periodic Advances outstanding in cents). Each group's result
    holds ``loans``: the same map after this period, for the next one."""
    out = {g.loan_group: _blank() for g in deal.groups}
    for r in rem.rows:
        term = terms[r.loan_number]
        d = out[term.group]
        ending = r["ending_balance"]
        if r["beginning_balance"] > 0:
            d["loans_beginning"] += 1
        if ending > 0:
            d["loans_ending"] += 1
        repurchase = r.flags["repurchase"] or r.flags["substitution"]
        if r["payoff_amount"] > 0:
            key = "repurchases" if repurchase else "payoffs"
            d[f"{key}_count"] += 1
            d[f"{key}_amount"] += r["payoff_amount"]
        if r["curtailment"] > 0:
            d["curtailments_count"] += 1
            d["curtailments_amount"] += r["curtailment"]
        if r.liquidated_principal > 0 or r["liquidation_proceeds"] > 0:
            d["liquidations_count"] += 1
            d["liquidation_proceeds"] += r["liquidation_proceeds"]
            d["liquidation_expenses"] += r["liquidation_expenses"]
            d["realized_loss"] += r["realized_loss"]
        d["relief_act_reduction"] += r["relief_act_reduction"]
        before = prior.get(r.loan_number)
        advance = 0
        if r.flags["pi_advanced"]:
            fee = rhd(Decimal(r["beginning_balance"]) * term.servicing_fee_rate / HUNDRED_TWENTY)
            advance = r["scheduled_principal"] + r["scheduled_interest"] - fee
            d["periodic_advances"] += advance
        if ending <= 0:
            continue
        bucket = bucket_of(r.status, before[0] if before else None)
        if bucket is None:
            continue  # current: any advances were reimbursed from the late payment
        d[f"{bucket}_count"] += 1
        d[f"{bucket}_balance"] += ending
        outstanding = (before[1] if before else 0) + advance
        d["loans"][r.loan_number] = (r.status, outstanding)
        d["advances_outstanding"] += outstanding
        if bucket == "reo" and (before is None or before[0] != "REO"):
            d["reo_new"].append({"loan_number": r.loan_number, "balance": ending, "acquired": rem.period})
    return out


def prior_loans(conn: Connection, trust_id: int, period: int) -> dict[str, tuple[str, int]]:
    """The delinquent loans carried by the latest posting of ``period`` (the newest one while restating)."""
    if period < 1:
        return {}
    pid = conn.execute(
        select(func.max(t.postings.c.id)).where(
            t.postings.c.trust_id == trust_id, t.postings.c.period == period
        )
    ).scalar_one_or_none()
    if pid is None:
        return {}
    carried: dict[str, tuple[str, int]] = {}
    for row in conn.execute(
        select(t.servicing_periods.c.detail).where(t.servicing_periods.c.posting_id == pid)
    ):
        for loan, (status, adv) in json.loads(row.detail)["loans"].items():
            carried[loan] = (str(status), int(adv))
    return carried


def store_servicing(
    conn: Connection,
    posting_id: int,
    trust_id: int,
    period: int,
    deal: Deal,
    rem: Remittance,
    terms: Mapping[str, LoanTerms],
) -> None:
    data = servicing_period(deal, rem, terms, prior_loans(conn, trust_id, period - 1))
    rows = []
    for g in deal.groups:
        d = data[g.loan_group]
        row: dict[str, Any] = {"posting_id": posting_id, "group_id": g.id}
        for k in BUCKET_KEYS:
            row[f"{k}_count"] = d[f"{k}_count"]
            row[f"{k}_balance"] = d[f"{k}_balance"]
        row["periodic_advances"] = d["periodic_advances"]
        row["advances_outstanding"] = d["advances_outstanding"]
        row["detail"] = json.dumps(
            {k: v for k, v in d.items() if k not in row}, sort_keys=True, separators=(",", ":")
        )
        rows.append(row)
    conn.execute(insert(t.servicing_periods), rows)
