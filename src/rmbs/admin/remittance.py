"""Servicer remittance files (docs/remittance.md): read exactly, validate against the trust, sum into per-group
collections for the waterfall.

Money is read as :class:`~decimal.Decimal` and held in integer cents; fees are computed loan by loan and rounded
half a cent down (Section 1.02). Every problem found is collected and reported at once in one
:class:`~rmbs.errors.ValidationError` naming loan and field; nothing is stored when there is any.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import polars as pl

from rmbs.collateral.periods import PoolPeriod
from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.arith import rhd
from rmbs.waterfall.engine import GroupPeriodInput

MONEY_COLUMNS: tuple[str, ...] = (
    "beginning_balance",
    "scheduled_principal",
    "scheduled_interest",
    "curtailment",
    "payoff_amount",
    "liquidation_proceeds",
    "liquidation_expenses",
    "realized_loss",
    "relief_act_reduction",
    "ending_balance",
)
FLAG_COLUMNS: tuple[str, ...] = ("pi_advanced", "repurchase", "substitution", "modification")
COLUMNS: tuple[str, ...] = (
    "loan_number",
    "period",
    *MONEY_COLUMNS[:5],
    "payoff_date",
    *MONEY_COLUMNS[5:9],
    "status",
    *FLAG_COLUMNS,
    "ending_balance",
)
STATUSES: tuple[str, ...] = ("current", "30", "60", "90+", "foreclosure", "REO", "bankruptcy")
# optional column: the kind of a Realized Loss that a special-loss coverage covers (2000-2 Bankruptcy, Fraud and
# Special Hazard Loss Amounts); empty for an ordinary loss
LOSS_TYPE_COLUMN = "loss_type"
LOSS_TYPES: tuple[str, ...] = ("special_hazard", "fraud", "bankruptcy")
# optional column: the interest portion of a Realized Loss (accrued interest the liquidation did not recover); it
# reduces Accrued Certificate Interest after the Senior Credit Support Depletion Date (5.02(c))
LOSS_INTEREST_COLUMN = "realized_loss_interest"
DELINQUENT_60_PLUS = frozenset({"60", "90+", "foreclosure", "REO"})
_TRUE = {"1", "true", "t", "yes", "y"}
_FALSE = {"0", "false", "f", "no", "n", ""}
HUNDRED_TWENTY = Decimal(1200)


@dataclass(frozen=True)
class LoanTerms:
    """What the trust knows of a loan from its cut-off tape."""

    group: str
    servicing_fee_rate: Decimal  # percent p.a.
    non_po_fraction: Decimal  # exact
    ca_zip: str | None = None  # the ZIP code of a California property (Special Hazard Loss Amount test)


@dataclass
class LoanBook:
    """Each loan's Stated Principal Balance after the last posted period (cents) and the loans no longer in the
    trust (paid off, liquidated, repurchased), with the period string that closed them."""

    balances: dict[str, int]
    closed: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"balances": self.balances, "closed": self.closed}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> LoanBook:
        bal = data["balances"]
        closed = data["closed"]
        assert isinstance(bal, dict) and isinstance(closed, dict)
        return cls({str(k): int(v) for k, v in bal.items()}, {str(k): str(v) for k, v in closed.items()})


@dataclass(frozen=True)
class RemittanceRow:
    line: int
    loan_number: str
    period: str
    amounts: dict[str, int]  # cents, MONEY_COLUMNS
    payoff_date: date | None
    status: str
    flags: dict[str, bool]
    loss_type: str = ""  # "", or one of LOSS_TYPES

    def __getitem__(self, name: str) -> int:
        return self.amounts[name]

    @property
    def liquidated_principal(self) -> int:
        """Principal removed by a liquidation: net proceeds applied to principal plus the principal loss."""
        return self["liquidation_proceeds"] - self["liquidation_expenses"] + self["realized_loss"]

    @property
    def interest_remitted(self) -> bool:
        """Interest reaches the trust: paid by the mortgagor (current, or paying off) or advanced."""
        return self.status == "current" or self.flags["pi_advanced"] or self["payoff_amount"] > 0


@dataclass(frozen=True)
class Remittance:
    path: Path
    sha256: str
    period: str
    rows: tuple[RemittanceRow, ...]
    content: bytes = b""
    problems: tuple[tuple[str, int, str, str], ...] = ()  # (message, line, loan, field) found while reading


class Problems:
    """Collects (loan, field, problem) triples and raises them together."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.items: list[tuple[int | None, str | None, str | None, str]] = []

    def add(
        self, message: str, *, line: int | None = None, loan: str | None = None, col: str | None = None
    ) -> None:
        self.items.append((line, loan, col, message))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        lines = []
        for line, loan, col, msg in self.items:
            where = ", ".join(
                p
                for p in (
                    f"line {line}" if line is not None else None,
                    f"loan {loan}" if loan is not None else None,
                    f"field {col!r}" if col is not None else None,
                )
                if p
            )
            lines.append(f"  {where}: {msg}" if where else f"  {msg}")
        first = self.items[0]
        raise ValidationError(
            f"{len(self.items)} problem(s) in the remittance, nothing stored:\n" + "\n".join(lines),
            file=self.path,
            loan=first[1] if len(self.items) == 1 else None,
            field=first[2] if len(self.items) == 1 else None,
        )


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _read_table(path: Path, content: bytes) -> tuple[list[str], list[dict[str, str]]]:
    if path.suffix.lower() == ".parquet":
        frame = pl.read_parquet(io.BytesIO(content))
        frame = frame.with_columns(pl.all().cast(pl.String))
        rows = [{k: ("" if v is None else v) for k, v in r.items()} for r in frame.iter_rows(named=True)]
        return list(frame.columns), rows
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    header = list(reader.fieldnames or [])
    return header, [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]


def _money(text: str) -> Decimal:
    v = Decimal(text.replace(",", "")) if text else Decimal(0)
    if not v.is_finite() or v != v.quantize(Decimal("0.01")):
        raise InvalidOperation
    return v


def read_remittance(path: str | Path) -> Remittance:
    """Parse a remittance file exactly; format errors of every row are reported together."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError("remittance file not found", file=path)
    return parse_remittance(path.read_bytes(), path)


def parse_remittance(content: bytes, path: Path) -> Remittance:
    """Parse the bytes of a remittance file (``path`` names it in messages and picks CSV or Parquet)."""
    header, raw = _read_table(path, content)
    probs = Problems(path)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        probs.add(f"missing column(s): {', '.join(missing)}", line=1)
        probs.raise_if_any()
    rows: list[RemittanceRow] = []
    soft: list[tuple[str, int, str, str]] = []  # reported with the ledger checks, all in one report
    for i, r in enumerate(raw, start=2):
        loan = r["loan_number"]
        if not loan:
            probs.add("empty loan number", line=i, col="loan_number")
            continue
        amounts: dict[str, int] = {}
        for c in MONEY_COLUMNS:
            try:
                amounts[c] = int(_money(r[c]) * 100)
            except (InvalidOperation, ValueError):
                probs.add(f"not an amount in dollars and cents: {r[c]!r}", line=i, loan=loan, col=c)
                amounts[c] = 0
                continue
            if amounts[c] < 0:
                soft.append((f"negative amount {r[c]}", i, loan, c))
        flags: dict[str, bool] = {}
        for c in FLAG_COLUMNS:
            v = r[c].lower()
            if v not in _TRUE and v not in _FALSE:
                probs.add(f"not a flag: {r[c]!r}", line=i, loan=loan, col=c)
            flags[c] = v in _TRUE
        status = r["status"]
        if status not in STATUSES:
            probs.add(
                f"unknown status {status!r} (expected one of {', '.join(STATUSES)})",
                line=i,
                loan=loan,
                col="status",
            )
        pdate: date | None = None
        if r["payoff_date"]:
            try:
                pdate = date.fromisoformat(r["payoff_date"])
            except ValueError:
                probs.add(f"not a date: {r['payoff_date']!r}", line=i, loan=loan, col="payoff_date")
        if LOSS_INTEREST_COLUMN in r:
            try:
                amounts[LOSS_INTEREST_COLUMN] = int(_money(r[LOSS_INTEREST_COLUMN]) * 100)
            except (InvalidOperation, ValueError):
                probs.add(
                    f"not an amount in dollars and cents: {r[LOSS_INTEREST_COLUMN]!r}",
                    line=i,
                    loan=loan,
                    col=LOSS_INTEREST_COLUMN,
                )
            else:
                if amounts[LOSS_INTEREST_COLUMN] < 0:
                    soft.append((f"negative amount {r[LOSS_INTEREST_COLUMN]}", i, loan, LOSS_INTEREST_COLUMN))
        loss_type = r.get(LOSS_TYPE_COLUMN, "")
        if loss_type and loss_type not in LOSS_TYPES:
            probs.add(
                f"unknown loss type {loss_type!r} (expected empty or one of {', '.join(LOSS_TYPES)})",
                line=i,
                loan=loan,
                col=LOSS_TYPE_COLUMN,
            )
        elif loss_type and amounts.get("realized_loss", 0) <= 0:
            probs.add(
                f"loss type {loss_type!r} on a row without a realized loss",
                line=i,
                loan=loan,
                col=LOSS_TYPE_COLUMN,
            )
        rows.append(RemittanceRow(i, loan, r["period"], amounts, pdate, status, flags, loss_type))
    periods = sorted({r.period for r in rows})
    if len(periods) > 1:
        probs.add(f"more than one period in one file: {', '.join(periods)}", col="period")
    if not rows:
        probs.add("no loan rows")
    probs.raise_if_any()
    return Remittance(
        path, hashlib.sha256(content).hexdigest(), periods[0], tuple(rows), content, tuple(soft)
    )


def period_label(deal: Deal, period: int) -> str:
    """``YYYY-MM`` of the ``period``-th Distribution Date."""
    first = deal.first_distribution_date
    y, m = divmod(first.month - 1 + period - 1, 12)
    return f"{first.year + y:04d}-{m + 1:02d}"


def validate(
    rem: Remittance,
    book: LoanBook,
    terms: Mapping[str, LoanTerms],
    expected_period: str,
    posted_periods: Mapping[str, str] | None = None,
    *,
    restating: bool = False,
) -> None:
    """Every rule of docs/remittance.md against the trust's state; all problems in one error."""
    probs = Problems(rem.path)
    for message, line, loan, col in rem.problems:
        probs.add(message, line=line, loan=loan, col=col)
    if rem.period != expected_period and not restating:
        if posted_periods and rem.period in posted_periods:
            probs.add(
                f"period {rem.period} is already posted (a different file; use --restate to replace it)",
                col="period",
            )
        else:
            probs.add(
                f"period {rem.period} is out of order: the next period to post is {expected_period}",
                col="period",
            )
        probs.raise_if_any()
    seen: dict[str, int] = {}
    for r in rem.rows:
        loan = r.loan_number
        if loan in seen:
            probs.add(
                f"duplicate loan (also on line {seen[loan]})", line=r.line, loan=loan, col="loan_number"
            )
            continue
        seen[loan] = r.line
        if loan not in terms:
            probs.add(
                "unknown loan: not in the trust's cut-off tape", line=r.line, loan=loan, col="loan_number"
            )
            continue
        if loan in book.closed:
            probs.add(
                f"loan reappears after it left the trust in {book.closed[loan]}",
                line=r.line,
                loan=loan,
                col="loan_number",
            )
            continue
        prior = book.balances.get(loan)
        if prior is not None and r["beginning_balance"] != prior:
            probs.add(
                f"beginning balance {r['beginning_balance'] / 100:.2f} != prior ending balance {prior / 100:.2f}",
                line=r.line,
                loan=loan,
                col="beginning_balance",
            )
        roll = (
            r["beginning_balance"]
            - r["scheduled_principal"]
            - r["curtailment"]
            - r["payoff_amount"]
            - r.liquidated_principal
        )
        if roll != r["ending_balance"]:
            probs.add(
                f"balance does not roll forward: beginning - scheduled - curtailment - payoff - liquidated principal"
                f" = {roll / 100:.2f}, ending balance is {r['ending_balance'] / 100:.2f}",
                line=r.line,
                loan=loan,
                col="ending_balance",
            )
        if r["payoff_amount"] > 0 and r["ending_balance"] != 0:
            probs.add("payoff with a non-zero ending balance", line=r.line, loan=loan, col="ending_balance")
    for loan in book.balances:
        if loan not in book.closed and loan not in seen and loan in terms:
            probs.add("missing loan: in the trust but not in the remittance", loan=loan, col="loan_number")
    probs.raise_if_any()


def next_book(rem: Remittance, book: LoanBook) -> LoanBook:
    balances = dict(book.balances)
    closed = dict(book.closed)
    for r in rem.rows:
        balances[r.loan_number] = r["ending_balance"]
        if r["ending_balance"] == 0:
            closed[r.loan_number] = rem.period
            balances.pop(r.loan_number, None)
    return LoanBook(balances, closed)


def _split(amount: int, f: Decimal) -> tuple[int, int]:
    non_po = rhd(Decimal(amount) * f)
    return non_po, amount - non_po


@dataclass
class _Acc:
    v: dict[str, int] = field(default_factory=dict)

    def add(self, k: str, x: int) -> None:
        self.v[k] = self.v.get(k, 0) + x


def group_collections(
    deal: Deal, rem: Remittance, terms: Mapping[str, LoanTerms], period: int, on: date
) -> tuple[dict[str, PoolPeriod], dict[str, GroupPeriodInput]]:
    """Sum the loans into the PoolPeriod of each loan group and the waterfall's GroupPeriodInput.

    Each loan's balances and principal amounts are split with its Non-PO fraction (beginning and ending PO
    balances rounded half down; the PO principal is the exact difference, assigned to the components in order
    with the scheduled part taking the rounding). Fees: Servicing Fee = SFR/12 x loan beginning balance, per loan,
    on loans whose interest reaches the trust; Trustee Fee = TFR/12 x group beginning balance."""
    acc: dict[str, _Acc] = {g.loan_group: _Acc() for g in deal.groups}
    other: dict[str, _Acc] = {g.loan_group: _Acc() for g in deal.groups}
    largest: dict[str, int] = {g.loan_group: 0 for g in deal.groups}
    by_zip: dict[str, _Acc] = {g.loan_group: _Acc() for g in deal.groups}
    for r in rem.rows:
        t = terms[r.loan_number]
        a = acc[t.group]
        o = other[t.group]
        # Special Hazard Loss Amount tests: balances after the prior month's Due Date (this period's beginning)
        largest[t.group] = max(largest[t.group], r["beginning_balance"])
        if t.ca_zip:
            by_zip[t.group].add(t.ca_zip, r["beginning_balance"])
        if r.loss_type:
            o.add(f"{r.loss_type}_loss", r["realized_loss"])
        o.add("realized_loss_interest", r.amounts.get(LOSS_INTEREST_COLUMN, 0))
        f = t.non_po_fraction
        b_np, b_po = _split(r["beginning_balance"], f)
        e_np, e_po = _split(r["ending_balance"], f)
        po_total = b_po - e_po
        comps = {
            "curtailments": r["curtailment"],
            "prepayments_in_full": 0
            if (r.flags["repurchase"] or r.flags["substitution"])
            else r["payoff_amount"],
            "liquidation_proceeds": r["liquidation_proceeds"] - r["liquidation_expenses"],
            "realized_losses": r["realized_loss"],
        }
        repurchase = r["payoff_amount"] if (r.flags["repurchase"] or r.flags["substitution"]) else 0
        po_left = po_total
        for k, amt in comps.items():
            _, po = _split(amt, f)
            po = max(0, min(po, po_left))
            a.add(f"{k}_non_po", amt - po)
            a.add(f"{k}_po", po)
            po_left -= po
        _, rp_po = _split(repurchase, f)
        rp_po = max(0, min(rp_po, po_left))
        o.add("other_non_po", repurchase - rp_po)
        o.add("other_po", rp_po)
        po_left -= rp_po
        s_po = max(0, min(po_left, r["scheduled_principal"]))
        a.add("scheduled_principal_po", s_po)
        a.add("scheduled_principal_non_po", r["scheduled_principal"] - s_po)
        if po_left != s_po:  # cannot happen for 0 <= f <= 1; keep the identity exact regardless
            e_po = b_po - (po_total - po_left + s_po)
            e_np = r["ending_balance"] - e_po
        a.add("beginning_balance_non_po", b_np)
        a.add("beginning_balance_po", b_po)
        a.add("ending_balance_non_po", e_np)
        a.add("ending_balance_po", e_po)
        if r.interest_remitted:
            a.add("gross_interest", r["scheduled_interest"])
            a.add(
                "servicing_fee", rhd(Decimal(r["beginning_balance"]) * t.servicing_fee_rate / HUNDRED_TWENTY)
            )
        elif r["scheduled_principal"]:
            o.add("principal_shortfall", r["scheduled_principal"])
        a.add("relief_act_reduction", r["relief_act_reduction"])
        if r.status in DELINQUENT_60_PLUS:
            a.add("delinquent_60_plus_balance", r["ending_balance"])
    pools: dict[str, PoolPeriod] = {}
    inputs: dict[str, GroupPeriodInput] = {}
    for g in deal.groups:
        v = acc[g.loan_group].v
        o = other[g.loan_group].v
        beginning = v.get("beginning_balance_non_po", 0) + v.get("beginning_balance_po", 0)
        trustee = rhd(Decimal(beginning) * deal.trustee_fee_rate / HUNDRED_TWENTY)
        gross = v.get("gross_interest", 0)
        serv = v.get("servicing_fee", 0)

        def get(k: str, v: dict[str, int] = v) -> int:
            return v.get(k, 0)

        pp = PoolPeriod(
            scenario=0,
            group=g.loan_group,
            period=period,
            distribution_date=on,
            beginning_balance_non_po=get("beginning_balance_non_po"),
            beginning_balance_po=get("beginning_balance_po"),
            scheduled_principal_non_po=get("scheduled_principal_non_po") + o.get("other_non_po", 0),
            scheduled_principal_po=get("scheduled_principal_po") + o.get("other_po", 0),
            prepayments_in_full_non_po=get("prepayments_in_full_non_po"),
            prepayments_in_full_po=get("prepayments_in_full_po"),
            curtailments_non_po=get("curtailments_non_po"),
            curtailments_po=get("curtailments_po"),
            liquidation_proceeds_non_po=get("liquidation_proceeds_non_po"),
            liquidation_proceeds_po=get("liquidation_proceeds_po"),
            realized_losses_non_po=get("realized_losses_non_po"),
            realized_losses_po=get("realized_losses_po"),
            ending_balance_non_po=get("ending_balance_non_po"),
            ending_balance_po=get("ending_balance_po"),
            gross_interest=gross,
            servicing_fee=serv,
            trustee_fee=trustee,
            net_interest=gross - serv - trustee,
            prepayment_interest_shortfall=0,
            compensating_interest=0,
            relief_act_reduction=get("relief_act_reduction"),
            new_defaults=0,
            delinquent_60_plus_balance=get("delinquent_60_plus_balance"),
            cumulative_realized_losses=0,
            special_hazard_losses=o.get("special_hazard_loss", 0),
            fraud_losses=o.get("fraud_loss", 0),
            bankruptcy_losses=o.get("bankruptcy_loss", 0),
            largest_loan_balance=largest[g.loan_group],
            largest_ca_zip_balance=max(by_zip[g.loan_group].v.values(), default=0),
        )
        pools[g.loan_group] = pp
        inputs[g.loan_group] = GroupPeriodInput(
            scheduled_principal_non_po=pp.scheduled_principal_non_po - o.get("other_non_po", 0),
            scheduled_principal_po=pp.scheduled_principal_po - o.get("other_po", 0),
            other_principal_non_po=o.get("other_non_po", 0),
            other_principal_po=o.get("other_po", 0),
            liquidation_principal_non_po=pp.liquidation_proceeds_non_po,
            liquidation_principal_po=pp.liquidation_proceeds_po,
            prepayment_non_po=pp.prepayments_in_full_non_po + pp.curtailments_non_po,
            prepayment_po=pp.prepayments_in_full_po + pp.curtailments_po,
            net_interest=gross - serv - pp.relief_act_reduction,
            trustee_fee=trustee,
            principal_shortfall=o.get("principal_shortfall", 0),
            relief_act_reduction=pp.relief_act_reduction,
            realized_loss_principal_non_po=pp.realized_losses_non_po,
            realized_loss_principal_po=pp.realized_losses_po,
            delinquent_60_plus=pp.delinquent_60_plus_balance,
            ending_balance=pp.ending_balance,
            ending_balance_po=pp.ending_balance_po,
            realized_loss_interest=o.get("realized_loss_interest", 0),
            special_hazard_loss=pp.special_hazard_losses,
            fraud_loss=pp.fraud_losses,
            bankruptcy_loss=pp.bankruptcy_losses,
            largest_loan_balance=pp.largest_loan_balance,
            largest_zip_balance=pp.largest_ca_zip_balance,
        )
    return pools, inputs


def trust_terms(deal: Deal, tape: pl.DataFrame | None = None) -> tuple[dict[str, LoanTerms], LoanBook]:
    """Each loan's group, Servicing Fee Rate and Non-PO fraction, and the cut-off book, from the shipped tape (or
    ``tape``, a frame with the same columns: a synthetic trust for benchmarks)."""
    from rmbs.deal.library import load_tape

    if tape is None:
        tape = load_tape(deal.library)
    terms: dict[str, LoanTerms] = {}
    balances: dict[str, int] = {}
    n = tape.height
    states = tape["state"].cast(pl.String).to_list() if "state" in tape.columns else [None] * n
    zips = tape["zip_code"].cast(pl.String).to_list() if "zip_code" in tape.columns else [None] * n
    for loan, group, bal, sfr, f, st, z in zip(
        tape["loan_number"].to_list(),
        tape["group"].cast(pl.String).to_list(),
        tape["cutoff_balance"].to_list(),
        tape["servicing_fee_rate"].to_list(),
        tape["non_po_fraction"].to_list(),
        states,
        zips,
        strict=True,
    ):
        ca_zip = str(z)[:5] if (st or "").strip().upper() == "CA" and z else None
        terms[str(loan)] = LoanTerms(str(group), Decimal(str(sfr)), Decimal(str(f)), ca_zip)
        balances[str(loan)] = int(Decimal(str(bal)) * 100)
    return terms, LoanBook(balances)
