"""The monthly Statement to Certificateholders, Section 5.04(a), computed from the ledger.

Every figure is read from (or summed from) what the posting stored -- class and group rows, the Servicer's
Certificate JSON, the servicer data of migration 0002, the state snapshot -- never recomputed from the remittance.
The forward-looking items ((v), (vi), (xiii): "for the following Distribution Date") are computed from the state
after the distribution with the waterfall engine's own percentage rules.

Per-$1,000 figures (5.04(b): clauses (i), (ii) and (ix) "expressed as a dollar amount per Certificate with a $1,000
denomination") are ``amount x 1,000 / original balance`` rounded to the penny, one-half of one penny rounded down
(Section 1.02, the PSA's rule for "all dollar amounts calculated hereunder"). The original balance is the Class's
initial Class Certificate Balance (notional amount for an interest-only class, component balance for an A-PO
component); for a group figure ((i) prepayments and liquidation proceeds, (ix) advances) it is the group's original
aggregate Certificate Balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_DOWN, Decimal
from typing import Any, Protocol, TypeVar

from rmbs.admin.servicing import BUCKETS
from rmbs.report.psa import Citations, citations
from rmbs.report.source import PeriodHeader, TrustHistory, load_history, period_header
from rmbs.waterfall.engine import WaterfallEngine

PENNY = Decimal("0.01")
FACTOR_PLACES = Decimal("0.00000001")
HUNDRED = Decimal(100)


def per_1000(cents: int, original_dollars: Decimal) -> Decimal | None:
    """Dollars per $1,000 of original balance, to the penny, half a penny rounded down (Section 1.02)."""
    if original_dollars <= 0:
        return None
    return (Decimal(cents) * 10 / original_dollars).quantize(PENNY, rounding=ROUND_HALF_DOWN)


def factor(cents: int, original_dollars: Decimal) -> Decimal | None:
    if original_dollars <= 0:
        return None
    return (Decimal(cents) / 100 / original_dollars).quantize(FACTOR_PLACES, rounding=ROUND_HALF_DOWN)


@dataclass
class Item:
    """One reported figure: its 5.04(a) clause, the PSA's name for it, where it applies, and its value."""

    clause: str  # "5.04(a)(i)"; "" for information that is not a 5.04 item
    name: str
    scope: str  # "class" | "group" | "loan group" | "deal"
    key: str  # the class name or group id ("" for the deal)
    value: int | Decimal | str | None
    unit: str  # usd (integer cents) | pct | rate | count | factor | text | date
    per_1000: Decimal | None = None


@dataclass
class ClassLine:
    name: str
    group: str
    kind: str
    original: Decimal  # dollars: initial balance (notional for IO)
    rate: Decimal
    beginning: int
    principal: int
    principal_per_1000: Decimal | None
    interest: int
    interest_per_1000: Decimal | None
    accrued: int
    interest_reduction: int
    unpaid_included: int
    unpaid_remaining: int
    interest_shortfall: int
    realized_loss: int
    ending: int
    factor: Decimal | None
    note: str = ""


@dataclass
class GroupLine:
    id: str
    loan_group: str
    original_certificates: Decimal
    principal: int
    interest: int
    prepayments: int
    prepayments_per_1000: Decimal | None
    liquidation_proceeds: int
    liquidation_per_1000: Decimal | None
    principal_shortfall: int
    pool_balance_following: int
    senior_pct_following: Decimal
    priority_pct_following: Decimal | None
    subordinate_pct_following: Decimal
    senior_pct_applied: Decimal
    priority_pct_applied: Decimal | None
    spp_following: Decimal
    sub_pp_following: Decimal
    spp_applied: Decimal
    servicing_fee: int
    trustee_fee: int
    advances: int
    advances_per_1000: Decimal | None
    advances_outstanding: int
    advances_outstanding_per_1000: Decimal | None
    delinquency: list[tuple[str, str, int, int]]  # (key, 5.04 label, count, balance)
    bankruptcy: tuple[int, int]
    reo_new: list[dict[str, Any]]
    reo_count: int
    reo_balance: int
    realized_losses: int
    cumulative_losses: int
    po_deferred: int
    po_class: str | None
    collections: int
    distributions: int
    pool_distribution_amount: int
    residual_paid: int
    loans_ending: int


@dataclass
class Statement(PeriodHeader):
    cit: Citations
    classes: list[ClassLine]
    groups: list[GroupLine]
    libor: Decimal | None
    component_classes: list[ClassLine]  # a Class made of components (2002-3 Class A-PO), summed
    notional: list[tuple[str, int, int, str]]  # (class, notional for the DD, after the DD, reference class)
    coverage: list[tuple[str, int, int]]  # (name, initial, remaining) in cents
    items: list[Item] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)
    posting: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


COVERAGE_NAMES = {
    "special_hazard": "Special Hazard Loss Amount",
    "fraud": "Fraud Loss Amount",
    "bankruptcy": "Bankruptcy Loss Amount",
}


def _dollars(x: Any) -> Decimal:
    return Decimal(str(x))


def _class_lines(h: TrustHistory) -> list[ClassLine]:
    cur, prior = h.current, h.prior
    lines = []
    for spec in h.deal.classes:
        row = cur.classes[spec.name]
        original = _dollars(spec.initial_balance)
        principal = row.principal_paid + row.po_deferred_paid
        prior_unpaid = prior.classes[spec.name].unpaid_interest_shortfall if prior else 0
        current_due = row.accrued_interest - row.interest_reduction
        included = min(prior_unpaid, max(0, row.interest_paid - current_due))
        note = ""
        if spec.notional_of:
            note = f"notional, follows {spec.notional_of}"
        elif spec.component_of:
            note = f"component of Class {spec.component_of}"
        lines.append(
            ClassLine(
                name=spec.name,
                group=spec.group,
                kind=spec.kind,
                original=original,
                rate=Decimal(row.rate),
                beginning=row.beginning_balance,
                principal=principal,
                principal_per_1000=per_1000(principal, original),
                interest=row.interest_paid,
                interest_per_1000=per_1000(row.interest_paid, original),
                accrued=row.accrued_interest,
                interest_reduction=row.interest_reduction,
                unpaid_included=included,
                unpaid_remaining=row.unpaid_interest_shortfall,
                interest_shortfall=current_due + prior_unpaid - row.interest_paid,
                realized_loss=row.realized_loss + row.writedown,
                ending=row.ending_balance,
                factor=factor(row.ending_balance, original),
                note=note,
            )
        )
    return lines


def _component_classes(h: TrustHistory, lines: list[ClassLine]) -> list[ClassLine]:
    """A certificated Class whose components belong to different groups (2002-3 Class A-PO = 1-A-PO + 2-A-PO +
    3-A-PO): its holders see the sum, per $1,000 of the Class's original balance."""
    members: dict[str, list[ClassLine]] = {}
    for spec in h.deal.classes:
        if spec.component_of:
            members.setdefault(spec.component_of, []).extend(x for x in lines if x.name == spec.name)
    out = []
    for name, parts in members.items():
        original = sum((p.original for p in parts), Decimal(0))

        def total(attr: str, parts: list[ClassLine] = parts) -> int:
            return sum(int(getattr(p, attr)) for p in parts)

        out.append(
            ClassLine(
                name=name,
                group="",
                kind=parts[0].kind,
                original=original,
                rate=Decimal(0),
                beginning=total("beginning"),
                principal=total("principal"),
                principal_per_1000=per_1000(total("principal"), original),
                interest=total("interest"),
                interest_per_1000=per_1000(total("interest"), original),
                accrued=total("accrued"),
                interest_reduction=total("interest_reduction"),
                unpaid_included=total("unpaid_included"),
                unpaid_remaining=total("unpaid_remaining"),
                interest_shortfall=total("interest_shortfall"),
                realized_loss=total("realized_loss"),
                ending=total("ending"),
                factor=factor(total("ending"), original),
                note="components " + ", ".join(p.name for p in parts),
            )
        )
    return out


class _Member(Protocol):
    group: str
    kind: str
    original: Decimal


_M = TypeVar("_M", bound=_Member)


def group_members(classes: list[_M], group_id: str) -> tuple[list[_M], Decimal]:
    """A group's classes and its certificates' original balance (an interest-only class has none)."""
    members = [c for c in classes if c.group == group_id]
    return members, sum((c.original for c in members if c.kind != "io"), Decimal(0))


def principal_received(group_input: dict[str, Any]) -> tuple[int, int]:
    """A group's Principal Prepayments and Liquidation Proceeds (principal) of a period: non-PO plus PO portions."""
    return (
        group_input["prepayment_non_po"] + group_input["prepayment_po"],
        group_input["liquidation_principal_non_po"] + group_input["liquidation_principal_po"],
    )


def _group_lines(h: TrustHistory, classes: list[ClassLine]) -> list[GroupLine]:
    cur = h.current
    engine = WaterfallEngine(h.deal, cur.run.get("switches") or None)
    # the percentages for the following Distribution Date, as the waterfall will figure them from the balances
    # after this one (this period's 60+ delinquent balance standing in for next month's, not known yet)
    following = engine.following_percentages(
        h.state_after, {g.id: cur.groups[g.id].delinquent_60_plus for g in h.deal.groups}
    )
    out = []
    for g in h.deal.groups:
        gp = cur.groups[g.id]
        cert = cur.certificate[g.id]
        gi = cert["group_input"]
        sv = cur.servicing[g.id]
        detail = cur.detail[g.id]
        rec = cur.reconciliation[g.id]
        members, original = group_members(classes, g.id)
        prepay, liq = principal_received(gi)
        sp, prio, spp = following[g.id]
        tests = cert["tests"]
        out.append(
            GroupLine(
                id=g.id,
                loan_group=g.loan_group,
                original_certificates=original,
                principal=sum(c.principal for c in members),
                interest=sum(c.interest for c in members),
                prepayments=prepay,
                prepayments_per_1000=per_1000(prepay, original),
                liquidation_proceeds=liq,
                liquidation_per_1000=per_1000(liq, original),
                principal_shortfall=gp.principal_shortfall,
                pool_balance_following=gp.ending_balance,
                senior_pct_following=sp,
                priority_pct_following=prio,
                subordinate_pct_following=HUNDRED - sp,
                senior_pct_applied=Decimal(gp.senior_percentage),
                priority_pct_applied=None,
                spp_following=spp,
                sub_pp_following=HUNDRED - spp,
                spp_applied=Decimal(gp.senior_prepayment_percentage),
                servicing_fee=gp.servicing_fee,
                trustee_fee=gp.trustee_fee,
                advances=sv.periodic_advances,
                advances_per_1000=per_1000(sv.periodic_advances, original),
                advances_outstanding=sv.advances_outstanding,
                advances_outstanding_per_1000=per_1000(sv.advances_outstanding, original),
                delinquency=[
                    (k, label, getattr(sv, f"{k}_count"), getattr(sv, f"{k}_balance"))
                    for k, label, _ in BUCKETS
                    if k not in ("reo", "bankruptcy")
                ],
                bankruptcy=(sv.bankruptcy_count, sv.bankruptcy_balance),
                reo_new=list(detail["reo_new"]),
                reo_count=sv.reo_count,
                reo_balance=sv.reo_balance,
                realized_losses=gp.realized_loss,
                cumulative_losses=int(tests["cumulative_realized_losses"]),
                po_deferred=int(tests["po_deferred_amount"]),
                po_class=g.po_class,
                collections=rec.collections,
                distributions=rec.distributions,
                pool_distribution_amount=gp.pool_distribution_amount,
                residual_paid=gp.residual_paid,
                loans_ending=int(detail["loans_ending"]),
            )
        )
    return out


def _items(s: Statement) -> list[Item]:
    c = s.cit.clauses
    items: list[Item] = []

    def add(
        key: str, name: str, scope: str, k: str, value: Any, unit: str, p1000: Decimal | None = None
    ) -> None:
        items.append(Item(c[key].ref if key else "", name, scope, k, value, unit, p1000))

    for cl in s.component_classes:
        add("(i)", "Principal distributed", "class", cl.name, cl.principal, "usd", cl.principal_per_1000)
        add("(ii)", "Interest distributed", "class", cl.name, cl.interest, "usd", cl.interest_per_1000)
        add("(iv)", "Class Certificate Balance", "class", cl.name, cl.ending, "usd")
    for cl in s.classes:
        add("(i)", "Principal distributed", "class", cl.name, cl.principal, "usd", cl.principal_per_1000)
        add("(ii)", "Interest distributed", "class", cl.name, cl.interest, "usd", cl.interest_per_1000)
        add("(ii)", "Class Unpaid Interest Shortfall included", "class", cl.name, cl.unpaid_included, "usd")
        add("(ii)", "Class Unpaid Interest Shortfall remaining", "class", cl.name, cl.unpaid_remaining, "usd")
        add("(iii)", "Interest shortfall", "class", cl.name, cl.interest_shortfall, "usd")
        add("(iv)", "Class Certificate Balance", "class", cl.name, cl.ending, "usd")
        add("(viii)", "Pass-Through Rate", "class", cl.name, cl.rate, "rate")
        add("", "Realized Losses allocated", "class", cl.name, cl.realized_loss, "usd")
        add("", "Factor", "class", cl.name, cl.factor, "factor")
    for g in s.groups:
        add(
            "(i)",
            "Principal Prepayments included",
            "group",
            g.id,
            g.prepayments,
            "usd",
            g.prepayments_per_1000,
        )
        add(
            "(i)",
            "Liquidation Proceeds included",
            "group",
            g.id,
            g.liquidation_proceeds,
            "usd",
            g.liquidation_per_1000,
        )
        add("(i)", "Principal distributed", "group", g.id, g.principal, "usd")
        add("(ii)", "Interest distributed", "group", g.id, g.interest, "usd")
        add("(iii)", "Principal shortfall", "group", g.id, g.principal_shortfall, "usd")
        add(
            "(v)",
            "Pool Stated Principal Balance",
            "loan group",
            g.loan_group,
            g.pool_balance_following,
            "usd",
        )
        add("(vi)", "Senior Percentage", "group", g.id, g.senior_pct_following, "pct")
        if g.priority_pct_following is not None:
            add("(vi)", "Priority Percentage", "group", g.id, g.priority_pct_following, "pct")
        add("(vi)", "Subordinate Percentage", "group", g.id, g.subordinate_pct_following, "pct")
        add("(vii)", "Servicing Fee", "loan group", g.loan_group, g.servicing_fee, "usd")
        add(
            "(ix)",
            "Periodic Advances included",
            "loan group",
            g.loan_group,
            g.advances,
            "usd",
            g.advances_per_1000,
        )
        add(
            "(ix)",
            "Periodic Advances outstanding",
            "loan group",
            g.loan_group,
            g.advances_outstanding,
            "usd",
            g.advances_outstanding_per_1000,
        )
        for _k, label, n, bal in g.delinquency:
            add("(x)", f"{label}: number", "loan group", g.loan_group, n, "count")
            add("(x)", f"{label}: principal balance", "loan group", g.loan_group, bal, "usd")
        add(
            "(xi)",
            "Mortgage Loans that became REO: number",
            "loan group",
            g.loan_group,
            len(g.reo_new),
            "count",
        )
        for r in g.reo_new:
            add(
                "(xi)",
                f"REO loan {r['loan_number']} Stated Principal Balance",
                "loan group",
                g.loan_group,
                r["balance"],
                "usd",
            )
        add("(xii)", "REO Properties: number", "loan group", g.loan_group, g.reo_count, "count")
        add("(xii)", "REO Properties: principal balance", "loan group", g.loan_group, g.reo_balance, "usd")
        add("(xiii)", "Senior Prepayment Percentage", "group", g.id, g.spp_following, "pct")
        add("(xiii)", "Subordinate Prepayment Percentage", "group", g.id, g.sub_pp_following, "pct")
        add("(xiv)", "Realized Losses", "loan group", g.loan_group, g.realized_losses, "usd")
        if g.po_class:
            add("(xiv)", "Class A-PO Deferred Amount", "group", g.id, g.po_deferred, "usd")
        add("", "Trustee Fee", "loan group", g.loan_group, g.trustee_fee, "usd")
        add("", "Pool Distribution Amount", "loan group", g.loan_group, g.pool_distribution_amount, "usd")
        add("", "Collections", "loan group", g.loan_group, g.collections, "usd")
        add("", "Distributions to classes", "loan group", g.loan_group, g.distributions, "usd")
        add("", "Residual", "loan group", g.loan_group, g.residual_paid, "usd")
    for name, before, after, _ref in s.notional:
        add("(xv)", f"Class {name} Notional Amount", "class", name, before, "usd")
        add("", f"Class {name} Notional Amount after the distribution", "class", name, after, "usd")
    for name, _initial, remaining in s.coverage:
        add("(xv)", COVERAGE_NAMES[name], "deal", "", remaining, "usd")
    if s.libor is not None:
        add("", "LIBOR", "deal", "", s.libor, "pct")
    return items


def _history(h: TrustHistory) -> dict[str, Any]:
    """Per posted period up to this one: class factors and delinquent balances, for the charts."""
    originals = {c.name: _dollars(c.initial_balance) for c in h.deal.classes}
    labels = [p.label for p in h.periods]
    factors: dict[str, list[float]] = {}
    for c in h.deal.classes:
        if c.kind in ("residual",) or originals[c.name] <= 0:
            continue
        factors[c.name] = [1.0] + [
            float(Decimal(p.classes[c.name].ending_balance) / 100 / originals[c.name]) for p in h.periods
        ]
    buckets = {k: label for k, label, _ in BUCKETS}
    dq: dict[str, list[int]] = {k: [] for k in buckets}
    for p in h.periods:
        for k in buckets:
            dq[k].append(sum(getattr(s, f"{k}_balance") for s in p.servicing.values()))
    return {
        "labels": labels,
        "factor_labels": ["cut-off"] + labels,
        "factors": factors,
        "groups": {c.name: c.group for c in h.deal.classes},
        "delinquency": dq,
        "bucket_names": buckets,
    }


def build_statement(deal_id: str, db: str | None, period: str) -> Statement:
    h = load_history(deal_id, db, period)
    return statement_from_history(h)


def statement_from_history(h: TrustHistory) -> Statement:
    deal, cur = h.deal, h.current
    classes = _class_lines(h)
    groups = _group_lines(h, classes)
    floaters = [c for c in deal.classes if c.coupon.kind == "floater"]
    libor = Decimal(cur.run["libor"]) if floaters and cur.run.get("libor") else None
    notional = [
        (c.name, cur.classes[c.name].beginning_balance, cur.classes[c.name].ending_balance, c.notional_of)
        for c in deal.classes
        if c.notional_of
    ]
    remaining = next(iter(cur.certificate.values()))["tests"].get("coverage_remaining") or {}
    coverage = [
        (str(cv.name), int(Decimal(str(cv.initial)) * 100), int(remaining.get(cv.name, 0)))
        for cv in sorted(deal.coverage, key=lambda x: list(COVERAGE_NAMES).index(x.name))
    ]
    cit = citations(deal.deal_id, bool(notional), bool(coverage))
    s = Statement(
        **period_header(h),
        cit=cit,
        classes=classes,
        groups=groups,
        libor=libor,
        component_classes=_component_classes(h, classes),
        notional=notional,
        coverage=coverage,
    )
    s.items = _items(s)
    s.history = _history(h)
    s.posting = {**cur.provenance, "switches": cur.run.get("switches", {})}
    s.notes = _notes(s)
    return s


def _notes(s: Statement) -> list[str]:
    r = s.cit.rounding
    p = s.cit.per_1000
    notes = [
        "Per $1,000 figures (Section 5.04(b)"
        + (f", L{p[0]}-{p[1]}" if p[0] else "")
        + ") are dollars per Certificate of $1,000 original denomination (notional amount for an interest-only "
        "class; component balance for an A-PO component; the group's original Certificate Balance for group "
        "figures), rounded to the penny with one-half of one penny rounded down (Section 1.02"
        + (f", L{r[0]}-{r[1]}" if r[0] else "")
        + ").",
        "Items (v), (vi) and (xiii) are for the following Distribution Date: computed from the balances after this "
        "distribution; the step-down tests are taken as they stand on this date.",
        "Delinquency (x) is as of the close of business on the last day of the preceding calendar month, from the "
        "Servicer's status codes: one payment missed = 1 to 30 days, two = 31 to 60, three = 61 to 90, still "
        "three or more a month later = 91 or more days. REO market values are not reported by the Servicer.",
    ]
    return notes


CSV_HEADER = [
    "deal",
    "period",
    "distribution_date",
    "clause",
    "item",
    "scope",
    "key",
    "value",
    "unit",
    "per_1000",
]


def statement_csv(s: Statement) -> str:
    from rmbs.report.render import csv_text, value_text

    rows = [
        [
            s.deal_id,
            s.label,
            s.dates["distribution_date"].isoformat(),
            it.clause,
            it.name,
            it.scope,
            it.key,
            value_text(it.value, it.unit),
            it.unit,
            "" if it.per_1000 is None else str(it.per_1000),
        ]
        for it in s.items
    ]
    return csv_text(CSV_HEADER, rows)


def statement_html(s: Statement, charts: bool = True) -> str:
    from rmbs.report.charts import delinquency_chart, factor_chart
    from rmbs.report.render import render_template

    pics = (
        {"factors": factor_chart(s.history), "delinquency": delinquency_chart(s.history)} if charts else None
    )
    return render_template("statement.html.j2", s=s, charts=pics, names=COVERAGE_NAMES)


def render_statement(s: Statement, fmt: str) -> str | bytes:
    from rmbs.report.render import render_document

    return render_document(fmt, lambda: statement_csv(s), lambda: statement_html(s))
