"""The annual statement of Section 5.04(b) (2002-3 L4096-4104; 2000-2 L3907-3915): "the information set forth in
clauses (i), (ii) and (vii) of Section 5.04(a), in each case aggregated for such calendar year", for holders who ask.

Sums of the posted Distribution Dates falling in the year; per-$1,000 figures are computed on the year's sums (one
rounding, to the penny, half a penny down).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rmbs.deal.library import load_facts
from rmbs.report.psa import Citations, citations
from rmbs.report.source import ReportError, TrustHistory, load_history, posted_labels
from rmbs.report.statement import (
    ClassLine,
    _class_lines,
    _component_classes,
    group_members,
    per_1000,
    principal_received,
)

ANNUAL_LINES = {"boams-2002-3": (4096, 4104), "boams-2000-2": (3907, 3915)}


@dataclass
class AnnualClass:
    name: str
    group: str
    original: Decimal
    principal: int
    principal_per_1000: Decimal | None
    interest: int
    interest_per_1000: Decimal | None
    unpaid_included: int
    kind: str = ""
    note: str = ""


@dataclass
class AnnualGroup:
    id: str
    loan_group: str
    original: Decimal
    principal: int
    prepayments: int
    prepayments_per_1000: Decimal | None
    liquidation_proceeds: int
    liquidation_per_1000: Decimal | None
    interest: int
    servicing_fee: int


@dataclass
class AnnualStatement:
    deal_id: str
    title: str
    psa: str
    parties: dict[str, str]
    year: int
    periods: list[str]
    classes: list[AnnualClass]
    groups: list[AnnualGroup]
    cit: Citations
    lines: tuple[int, int] | None


def _sum_classes(per_month: list[list[ClassLine]]) -> list[AnnualClass]:
    out = []
    for i, first in enumerate(per_month[0]):
        rows = [month[i] for month in per_month]
        principal = sum(r.principal for r in rows)
        interest = sum(r.interest for r in rows)
        out.append(
            AnnualClass(
                name=first.name,
                group=first.group,
                original=first.original,
                principal=principal,
                principal_per_1000=per_1000(principal, first.original),
                interest=interest,
                interest_per_1000=per_1000(interest, first.original),
                unpaid_included=sum(r.unpaid_included for r in rows),
                kind=first.kind,
                note=first.note,
            )
        )
    return out


def build_annual(deal_id: str, db: str | None, year: int) -> AnnualStatement:
    labels = [x for x in posted_labels(deal_id, db) if x.startswith(f"{year:04d}-")]
    if not labels:
        raise ReportError(f"no Distribution Date of {deal_id} in {year} is posted", field="year")
    h = load_history(deal_id, db, labels[-1])
    months = [i for i, p in enumerate(h.periods) if p.label in labels]
    per_month: list[list[ClassLine]] = []
    for i in months:
        sl = TrustHistory(h.deal, h.trust, h.periods[: i + 1], h.state_after)
        lines = _class_lines(sl)
        per_month.append(lines + _component_classes(sl, lines))
    classes = _sum_classes(per_month)
    groups = []
    for g in h.deal.groups:
        members, original = group_members(classes, g.id)
        received = [principal_received(h.periods[i].certificate[g.id]["group_input"]) for i in months]
        prepay = sum(x[0] for x in received)
        liq = sum(x[1] for x in received)
        groups.append(
            AnnualGroup(
                id=g.id,
                loan_group=g.loan_group,
                original=original,
                principal=sum(c.principal for c in members),
                prepayments=prepay,
                prepayments_per_1000=per_1000(prepay, original),
                liquidation_proceeds=liq,
                liquidation_per_1000=per_1000(liq, original),
                interest=sum(c.interest for c in members),
                servicing_fee=sum(h.periods[i].groups[g.id].servicing_fee for i in months),
            )
        )
    facts = load_facts(h.deal.library)
    return AnnualStatement(
        deal_id=deal_id,
        title=h.deal.title,
        psa=h.deal.psa,
        parties=dict(facts.get("parties", {})),
        year=year,
        periods=labels,
        classes=classes,
        groups=groups,
        cit=citations(deal_id, False, bool(h.deal.coverage)),
        lines=ANNUAL_LINES.get(deal_id),
    )


CSV_HEADER = ["deal", "year", "clause", "item", "scope", "key", "value", "unit", "per_1000"]


def annual_csv(a: AnnualStatement) -> str:
    from rmbs.report.render import csv_text

    def money(c: int) -> str:
        return f"{Decimal(c) / 100:.2f}"

    def p(x: Decimal | None) -> str:
        return "" if x is None else str(x)

    rows: list[list[Any]] = []
    for c in a.classes:
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(i)",
                "Principal distributed",
                "class",
                c.name,
                money(c.principal),
                "usd",
                p(c.principal_per_1000),
            ]
        )
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(ii)",
                "Interest distributed",
                "class",
                c.name,
                money(c.interest),
                "usd",
                p(c.interest_per_1000),
            ]
        )
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(ii)",
                "Class Unpaid Interest Shortfall included",
                "class",
                c.name,
                money(c.unpaid_included),
                "usd",
                "",
            ]
        )
    for g in a.groups:
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(i)",
                "Principal Prepayments included",
                "group",
                g.id,
                money(g.prepayments),
                "usd",
                p(g.prepayments_per_1000),
            ]
        )
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(i)",
                "Liquidation Proceeds included",
                "group",
                g.id,
                money(g.liquidation_proceeds),
                "usd",
                p(g.liquidation_per_1000),
            ]
        )
        rows.append(
            [
                a.deal_id,
                a.year,
                "5.04(a)(vii)",
                "Servicing Fee",
                "loan group",
                g.loan_group,
                money(g.servicing_fee),
                "usd",
                "",
            ]
        )
    return csv_text(CSV_HEADER, rows)


def render_annual(a: AnnualStatement, fmt: str) -> str | bytes:
    from rmbs.report.render import render_document, render_template

    return render_document(fmt, lambda: annual_csv(a), lambda: render_template("annual.html.j2", a=a))
