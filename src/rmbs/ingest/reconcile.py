"""Reconcile the facts of a PSA against each other.

* Per loan group: loan count and cut-off balance of the schedule against its footer and against the Cut-Off Date
  Pool Principal Balance definition.
* Per loan: the monthly P&I recomputed as the level payment of the original balance at the note rate over the
  original term, against the schedule (tolerance $0.02: the servicer's systems round differently).
* Per group: the PO strip -- the sum over discount loans of cut-off balance x (1 - net rate / strip rate) --
  against the stated PO component or class (tolerance $0.01).
* Per group: the non-PO balance of the collateral against the sum of the group's non-PO classes (tolerance $1).
* Known drafting discrepancies (a certificate face that differs from the Preliminary Statement, a component stated
  to three decimals, a footer figure that cannot be reproduced) as warnings, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from rmbs.ingest.schedule import LoanSchedule
from rmbs.money import CENT, round_half_down

PI_TOLERANCE = Decimal("0.02")
PO_TOLERANCE = Decimal("0.01")
NON_PO_TOLERANCE = Decimal("1.00")


@dataclass
class Check:
    group: str
    check: str
    expected: str
    actual: str
    difference: str
    tolerance: str
    ok: bool
    detail: str = ""
    loans: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Reconciliation:
    checks: list[Check]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checks": [c.to_json() for c in self.checks],
            "warnings": self.warnings,
        }


def level_payment(balance: float, annual_rate_pct: float, term: int) -> float:
    """Level monthly payment of a fully amortizing loan (SF-4 gross payment factor x balance)."""
    r = annual_rate_pct / 1200.0
    if term <= 0:
        return float("nan")
    if r == 0:
        return balance / term
    return balance * r / (1.0 - (1.0 + r) ** (-term))


def loan_strip_columns(tape: pl.DataFrame, facts: dict[str, Any]) -> pl.DataFrame:
    """Servicing fee rate, net rate, discount flag and PO / non-PO fractions of each loan (exact decimals).

    Servicing Fee Rate = max(floor, MIR - (strip_g + TFR)); Net Mortgage Interest Rate = MIR - SFR - TFR; a loan is a
    Discount Mortgage Loan when its net rate is below the strip rate, and its Non-PO Percentage is net / strip
    (2002-3 L1049-1059, L1580-1585; 2000-2 L920-928, L1415-1418).
    """
    tfr = Decimal(facts["trustee_fee_rate"])
    floor = Decimal(facts["servicing_fee"]["floor"])
    strips = {g: Decimal(v) for g, v in facts["servicing_fee"]["strip_rate_by_group"].items()}
    sfr, nmr, disc, nonpo = [], [], [], []
    for g, rate in zip(tape["group"].to_list(), tape["note_rate"].to_list(), strict=True):
        s = strips[g]
        f = max(floor, rate - (s + tfr))
        n = rate - f - tfr
        sfr.append(f)
        nmr.append(n)
        disc.append(n < s)
        nonpo.append(n / s if n < s else Decimal(1))
    return tape.with_columns(
        pl.Series("servicing_fee_rate", sfr, dtype=pl.Decimal(9, 4)),
        pl.Series("net_rate", nmr, dtype=pl.Decimal(9, 4)),
        pl.Series("discount", disc, dtype=pl.Boolean),
        pl.Series("non_po_fraction", [str(x) for x in nonpo]),
    )


def reconcile(facts: dict[str, Any], schedule: LoanSchedule, tape: pl.DataFrame) -> Reconciliation:
    checks: list[Check] = []
    warnings: list[str] = []
    stated = {g["id"]: Decimal(g["cutoff_balance"]) for g in facts["groups"]}
    strips = {g: Decimal(v) for g, v in facts["servicing_fee"]["strip_rate_by_group"].items()}
    tfr = Decimal(facts["trustee_fee_rate"])
    floor = Decimal(facts["servicing_fee"]["floor"])
    classes = facts["classes"]

    for gs in schedule.groups:
        g = gs.group
        rows = gs.rows
        count = len(rows)
        total = sum((r["cutoff_balance"] for r in rows), Decimal(0))
        fc = gs.footer.get("loan_count")
        checks.append(
            _check(
                g,
                "loan count vs exhibit footer",
                None if fc is None else fc.to_integral_value(),
                Decimal(count),
                Decimal(0),
                f"footer L{gs.footer_line}",
                exact_places=0,
            )
        )
        checks.append(
            _check(
                g,
                "cut-off balance vs exhibit footer",
                gs.footer.get("cutoff_balance"),
                total,
                Decimal(0),
                f"footer L{gs.footer_line}",
            )
        )
        if g in stated:
            checks.append(
                _check(
                    g, "cut-off balance vs Cut-Off Date Pool Principal Balance", stated[g], total, Decimal(0)
                )
            )
        # WAC / WAM / average balance of the footer: reported, and a warning where not reproducible.
        wac = (
            sum((r["cutoff_balance"] * r["note_rate"] for r in rows), Decimal(0)) / total
            if total
            else Decimal(0)
        )
        fwac = gs.footer.get("wac")
        if fwac is not None:
            shown = fwac * 100 if fwac < 1 else fwac
            places = Decimal(1).scaleb(
                fwac.as_tuple().exponent if isinstance(fwac.as_tuple().exponent, int) else -2
            )
            ref = (wac / 100 if fwac < 1 else wac).quantize(places)
            if ref != fwac:
                warnings.append(
                    f"group {g}: the exhibit footer's weighted average rate {shown}% is not reproducible from the "
                    f"schedule (balance-weighted WAC {wac.quantize(Decimal('0.000001'))}%, footer L{gs.footer_line})"
                )

        # per-loan P&I
        bad: list[str] = []
        worst = Decimal(0)
        for r in rows:
            pi = level_payment(float(r["original_balance"]), float(r["note_rate"]), int(r["original_term"]))
            diff = abs(Decimal(repr(round(pi, 6))) - r["monthly_payment"])
            worst = max(worst, diff)
            if not diff <= PI_TOLERANCE:
                bad.append(r["loan_number"])
        checks.append(
            Check(
                g,
                "monthly P&I from original balance, rate, term",
                f"{count} loans within $0.02",
                f"{count - len(bad)} loans within $0.02",
                f"max |diff| {worst.quantize(Decimal('0.0001'))}",
                str(PI_TOLERANCE),
                not bad,
                "" if not bad else f"{len(bad)} loans differ",
                bad,
            )
        )

        # PO strip and non-PO balance
        po = Decimal(0)
        for r in rows:
            s = strips[g]
            net = r["note_rate"] - max(floor, r["note_rate"] - (s + tfr)) - tfr
            if net < s:
                po += r["cutoff_balance"] * (1 - net / s)
        po_classes = [c for c in classes if c["kind"] == "po" and c["group"] == g and _is_strip(c, facts)]
        stated_po = sum((Decimal(c["initial_balance"]) for c in po_classes), Decimal(0))
        names = ", ".join(c["name"] for c in po_classes) or "none"
        checks.append(
            _check(
                g,
                f"PO strip vs {names}",
                stated_po,
                po,
                PO_TOLERANCE,
                "sum over discount loans of cut-off balance x (1 - net rate / strip rate)",
                exact_places=6,
            )
        )
        non_po_classes = [
            c
            for c in classes
            if c["group"] == g
            and not c["notional"]
            and c["initial_balance"] is not None
            and c not in po_classes
        ]
        class_sum = sum((Decimal(c["initial_balance"]) for c in non_po_classes), Decimal(0))
        checks.append(
            _check(
                g,
                "non-PO collateral vs non-PO classes",
                class_sum,
                total - po,
                NON_PO_TOLERANCE,
                f"{len(non_po_classes)} classes",
                exact_places=6,
            )
        )

    warnings.extend(_drafting_warnings(facts))
    return Reconciliation(checks, warnings)


def _is_strip(c: dict[str, Any], facts: dict[str, Any]) -> bool:
    """The ratio-stripped PO of a group: a PO component, or a PO class named like ``A-PO`` (not A-12/A-13)."""
    return bool(c["component"]) or c["name"].endswith("-PO") and not c.get("components")


def _check(
    group: str,
    name: str,
    expected: Decimal | None,
    actual: Decimal,
    tolerance: Decimal,
    detail: str = "",
    exact_places: int = 2,
) -> Check:
    if expected is None:
        return Check(group, name, "missing", str(actual), "", str(tolerance), False, detail or "not stated")
    diff = actual - expected
    q = Decimal(1).scaleb(-exact_places)
    return Check(
        group,
        name,
        str(expected),
        str(actual.quantize(q)) if exact_places != 2 else str(round_half_down(actual, CENT)),
        str(diff.quantize(q)),
        str(tolerance),
        abs(diff) <= tolerance,
        detail,
    )


def _drafting_warnings(facts: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for c in facts["classes"]:
        bal, face = c.get("initial_balance"), c.get("face_balance")
        if bal is not None and face is not None and Decimal(bal) != Decimal(face):
            where = f"Preliminary Statement L{c['psa_line']}"
            if c.get("components"):
                out.append(
                    f"Class {c['name']}: certificate face shows ${Decimal(face):,} but its components "
                    f"({', '.join(c['components'])}) sum to ${Decimal(bal):,} ({where})"
                )
            else:
                out.append(
                    f"Class {c['name']}: certificate face shows ${Decimal(face):,} but the Preliminary Statement "
                    f"states ${Decimal(bal):,} ({where}; the Preliminary Statement governs)"
                )
        if bal is not None and not c.get("components") and -Decimal(bal).as_tuple().exponent > 2:  # type: ignore[operator]
            out.append(
                f"{'Component' if c['component'] else 'Class'} {c['name']}: initial balance "
                f"${Decimal(bal):,} is stated to more than two decimals (L{c['psa_line']}); carried exactly"
            )
    return out
