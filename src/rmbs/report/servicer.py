"""The Servicer's Certificate (Section 4.01) of a posted period, from the ledger.

Section 4.01 asks for "the information necessary in order for the Trustee to perform its obligations" -- for these
agreements: each Loan Group's collections and the amounts that make up its Pool Distribution Amount, fees, Periodic
Advances, Realized Losses and the step-down test inputs -- and, "to the extent available", the number and aggregate
principal amount of Mortgage Loans one, two, three or more than three months delinquent and the book value of any
REO Property. Every figure is a stored ledger figure of the posting (group rows, the certificate JSON and the
servicer data of migration 0002); a Total column sums the loan groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rmbs.admin.servicing import BUCKETS
from rmbs.report.psa import citations
from rmbs.report.source import PeriodHeader, TrustHistory, load_history, period_header


@dataclass
class Row:
    label: str
    values: dict[str, int]  # loan group -> value (cents for usd, a number for count)
    unit: str = "usd"
    total: bool = True

    @property
    def sum(self) -> int:
        return sum(self.values.values())


@dataclass
class Section:
    title: str
    cite: str
    rows: list[Row]


@dataclass
class ServicerCertificate(PeriodHeader):
    loan_groups: list[str]
    sections: list[Section]
    section_401: int
    posting: dict[str, Any] = field(default_factory=dict)


def _row(label: str, h: TrustHistory, get: Any, unit: str = "usd", total: bool = True) -> Row:
    cur = h.current
    return Row(label, {g.loan_group: int(get(cur, g.id)) for g in h.deal.groups}, unit, total)


def certificate_from_history(h: TrustHistory) -> ServicerCertificate:
    deal, cur = h.deal, h.current
    cit = citations(deal.deal_id, False, bool(deal.coverage))

    def gp(field_name: str) -> Any:
        return lambda p, g: getattr(p.groups[g], field_name)

    def dt(key: str) -> Any:
        return lambda p, g: p.detail[g][key]

    def sv(key: str) -> Any:
        return lambda p, g: getattr(p.servicing[g], key)

    def pool(key: str) -> Any:
        return lambda p, g: int(p.certificate[g]["pool_period"][key])

    sections = [
        Section(
            "Mortgage Loans and Stated Principal Balances",
            "Pool Stated Principal Balance",
            [
                _row("Mortgage Loans at the beginning of the period", h, dt("loans_beginning"), "count"),
                _row("Pool Stated Principal Balance, beginning", h, gp("beginning_balance")),
                _row("Mortgage Loans at the end of the period", h, dt("loans_ending"), "count"),
                _row("Pool Stated Principal Balance, ending", h, gp("ending_balance")),
                _row("of which PO portion", h, gp("ending_balance_po")),
            ],
        ),
        Section(
            "Principal collected",
            "Pool Distribution Amount, principal",
            [
                _row("Scheduled principal (received or advanced)", h, gp("scheduled_principal")),
                _row("Principal Prepayments in full: number", h, dt("payoffs_count"), "count"),
                _row("Principal Prepayments in full", h, dt("payoffs_amount")),
                _row(
                    "Partial Principal Prepayments (curtailments): number",
                    h,
                    dt("curtailments_count"),
                    "count",
                ),
                _row("Partial Principal Prepayments", h, dt("curtailments_amount")),
                _row(
                    "Repurchases and substitutions (2.02, 2.04): number", h, dt("repurchases_count"), "count"
                ),
                _row("Purchase Price and Substitution Adjustment principal", h, gp("other_principal")),
                _row("Liquidated Mortgage Loans: number", h, dt("liquidations_count"), "count"),
                _row("Liquidation Proceeds (gross)", h, dt("liquidation_proceeds")),
                _row("Liquidation expenses", h, dt("liquidation_expenses")),
                _row("Liquidation Proceeds applied to principal (net)", h, gp("liquidation_principal")),
                _row("Realized Losses (principal)", h, gp("realized_loss")),
                _row("Principal neither collected nor advanced", h, gp("principal_shortfall")),
            ],
        ),
        Section(
            "Interest collected, fees and advances",
            "Sections 3.17, 3.20",
            [
                _row("Interest at the Mortgage Rates (received or advanced)", h, gp("gross_interest")),
                _row("Servicing Fee retained (3.17)", h, gp("servicing_fee")),
                _row("Relief Act Reductions", h, pool("relief_act_reduction")),
                _row("Prepayment Interest Shortfall", h, pool("prepayment_interest_shortfall")),
                _row("Compensating Interest", h, pool("compensating_interest")),
                _row("Trustee Fee", h, gp("trustee_fee")),
                _row("Interest net of the Servicing Fee and Relief Act Reductions", h, gp("net_interest")),
                _row("Periodic Advances made this period (3.20)", h, sv("periodic_advances")),
                _row("Periodic Advances outstanding", h, sv("advances_outstanding")),
                _row("Pool Distribution Amount", h, gp("pool_distribution_amount")),
            ],
        ),
    ]
    dq_rows: list[Row] = []
    for key, _label_504, label_401 in BUCKETS:
        name = label_401 if key not in ("reo",) else "REO Properties"
        dq_rows.append(_row(f"{name}: number", h, sv(f"{key}_count"), "count"))
        book = "book value (Stated Principal Balance)" if key == "reo" else "aggregate principal amount"
        dq_rows.append(_row(f"{name}: {book}", h, sv(f"{key}_balance")))
    sections.append(
        Section(
            "Delinquencies, foreclosures and REO Property (Section 4.01, second paragraph)",
            "4.01",
            dq_rows,
        )
    )
    sections.append(
        Section(
            "Step-down test inputs",
            "Senior Prepayment Percentage",
            [
                _row(
                    "Balance 60 days or more delinquent (incl. foreclosure and REO)",
                    h,
                    gp("delinquent_60_plus"),
                ),
                _row(
                    "Cumulative Realized Losses",
                    h,
                    lambda p, g: int(p.certificate[g]["tests"]["cumulative_realized_losses"]),
                ),
            ],
        )
    )
    return ServicerCertificate(
        **period_header(h),
        loan_groups=[g.loan_group for g in deal.groups],
        sections=sections,
        section_401=cit.section_401,
        posting=cur.provenance,
    )


def build_servicer_certificate(deal_id: str, db: str | None, period: str) -> ServicerCertificate:
    return certificate_from_history(load_history(deal_id, db, period))


CSV_HEADER = ["deal", "period", "section", "item", "loan_group", "value", "unit"]


def servicer_csv(c: ServicerCertificate) -> str:
    from rmbs.report.render import csv_text, value_text

    rows: list[list[Any]] = []
    for sec in c.sections:
        for r in sec.rows:
            for g, v in r.values.items():
                rows.append([c.deal_id, c.label, sec.title, r.label, g, value_text(v, r.unit), r.unit])
            if len(r.values) > 1:
                rows.append(
                    [c.deal_id, c.label, sec.title, r.label, "total", value_text(r.sum, r.unit), r.unit]
                )
    return csv_text(CSV_HEADER, rows)


def render_servicer(c: ServicerCertificate, fmt: str) -> str | bytes:
    from rmbs.report.render import render_document, render_template

    return render_document(fmt, lambda: servicer_csv(c), lambda: render_template("servicer.html.j2", c=c))
