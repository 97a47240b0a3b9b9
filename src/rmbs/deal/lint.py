"""``rmbs lint DEAL.yaml``: what a reviewer of a deal file would check before trusting a run.

* schema errors, with the YAML line (raised by the loader);
* concurrent steps whose printed percentages do not sum to 100% (2002-3 step four, 2000-2 step three);
* classes named in a rule that the deal does not define, and switches a rule names that do not exist;
* classes never paid principal (no step, subordinate list, PO channel or residual names them);
* classes in no group;
* initial balances that do not add up to the collateral they represent (per group, against the cut-off
  balance and, where the tape ships, against the non-PO / PO split of the loans).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rmbs.deal.schema import Capped, Concurrent, Deal, ProRata, Sequential, Step

HUNDRED = Decimal(100)


@dataclass
class Finding:
    level: str  # "error" | "warning" | "info"
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.where}: {self.message}"


def _walk(steps: list[Step], path: str) -> list[tuple[str, Step]]:
    out: list[tuple[str, Step]] = []
    for i, s in enumerate(steps, start=1):
        here = f"{path} step {i}"
        out.append((here, s))
        if isinstance(s, Capped):
            out.extend(_walk([s.step], here))
        elif isinstance(s, Concurrent):
            for j, leg in enumerate(s.legs, start=1):
                if not isinstance(leg.pay, str):
                    out.extend(_walk([leg.pay], f"{here} leg {j}"))
    return out


def _named(step: Step) -> list[str]:
    if isinstance(step, Sequential | ProRata):
        return list(step.classes)
    if isinstance(step, Capped):
        return _named(step.step)
    names = list(step.until)
    for leg in step.legs:
        names.extend([leg.pay] if isinstance(leg.pay, str) else _named(leg.pay))
    return names


def lint_deal(deal: Deal, tape_non_po: dict[str, Decimal] | None = None) -> list[Finding]:
    out: list[Finding] = []
    classes = deal.class_map()
    group_ids = {g.id for g in deal.groups}
    switch_names = {s.name for s in deal.switches}
    paid: set[str] = set()
    for c in deal.classes:
        if c.group not in group_ids:
            out.append(
                Finding(
                    "error", f"class {c.name}", f"is in group {c.group!r}, which the deal does not define"
                )
            )
        if c.notional_of and c.notional_of not in classes:
            out.append(Finding("error", f"class {c.name}", f"notional of unknown class {c.notional_of}"))
    for g in deal.groups:
        where = f"group {g.id}"
        lists = {
            "senior_interest": g.senior_interest,
            "senior_principal_classes": g.senior_principal_classes,
            "subordinates": g.subordinates,
            "senior_percentage_numerator": g.senior_percentage_numerator,
            "senior_percentage_denominator": g.senior_percentage_denominator,
            "fractional_interest_denominator": g.fractional_interest_denominator,
        }
        for key, names in lists.items():
            for n in names:
                if n not in classes:
                    out.append(Finding("error", f"{where} {key}", f"names unknown class {n}"))
        for n in [g.residual, g.po_class] + ([g.priority.class_name] if g.priority else []):
            if n is not None and n not in classes:
                out.append(Finding("error", where, f"names unknown class {n}"))
        paid.update(g.subordinates)
        paid.add(g.residual)
        if g.po_class:
            paid.add(g.po_class)
        for path, step in _walk(g.senior_principal, f"{where} senior principal"):
            for n in _named(step):
                if n not in classes:
                    out.append(Finding("error", path, f"names unknown class {n}"))
            paid.update(_named(step))
            if isinstance(step, Concurrent):
                printed = sum((leg.pct for leg in step.legs), Decimal(0))
                if printed != HUNDRED:
                    gap = HUNDRED - printed
                    out.append(
                        Finding(
                            "warning",
                            f"{path} ({step.psa})" if step.psa else path,
                            f"percentage legs sum to {printed.normalize()}%, not 100% "
                            f"({gap.normalize()}% of the step's cash is unassigned)",
                        )
                    )
                for leg in step.legs:
                    if leg.pct_switch and leg.pct_switch not in switch_names:
                        out.append(Finding("error", path, f"names unknown switch {leg.pct_switch}"))
        # balances against the collateral they represent
        members = [c for c in deal.classes if c.group == g.id and c.kind != "io"]
        total = sum((c.initial_balance for c in members), Decimal(0))
        diff = g.cutoff_balance - total
        level = "info" if abs(diff) <= 1 else "error"
        out.append(
            Finding(
                level,
                where,
                f"classes total {total:,} against a cut-off balance of {g.cutoff_balance:,} (difference {diff:,})",
            )
        )
        if tape_non_po is not None and g.loan_group in tape_non_po:
            non_po = sum((c.initial_balance for c in members if c.name != g.po_class), Decimal(0))
            d2 = tape_non_po[g.loan_group] - non_po
            lvl = "info" if abs(d2) <= 1 else "error"
            out.append(
                Finding(
                    lvl,
                    where,
                    f"non-PO classes total {non_po:,} against non-PO collateral {tape_non_po[g.loan_group]:,.6f} "
                    f"(difference {d2:,.6f})",
                )
            )
    for c in deal.classes:
        if c.kind == "io":
            continue
        if c.name not in paid:
            out.append(Finding("error", f"class {c.name}", "is never paid principal by any rule"))
    out.extend(_plan_findings(deal))
    return out


def tape_non_po_by_group(deal: Deal) -> dict[str, Decimal] | None:
    """Non-PO collateral per loan group from the shipped tape (cut-off balance x Non-PO fraction)."""
    from rmbs.deal.library import LIBRARY, load_tape

    if not (LIBRARY / deal.library / "loans.parquet").is_file():
        return None
    tape = load_tape(deal.library)
    out: dict[str, Decimal] = {}
    for g, bal, frac in zip(
        tape["group"].to_list(),
        tape["cutoff_balance"].to_list(),
        tape["non_po_fraction"].to_list(),
        strict=True,
    ):
        out[g] = out.get(g, Decimal(0)) + bal * Decimal(frac)
    return out


def _plan_findings(deal: Deal) -> list[Finding]:
    """The deal compiled for the interpreter: a switch it does not know, a reading it does not implement or a
    step it cannot run is an error here, as it would be at run time (file and line in the message)."""
    from rmbs.errors import RmbsError
    from rmbs.waterfall.plan import compile_plan

    try:
        compile_plan(deal)
    except RmbsError as exc:
        return [Finding("error", exc.location() or "deal", exc.message)]
    return []


def lint_path(path: str | Path) -> list[Finding]:
    from rmbs.deal.loader import load_deal

    deal = load_deal(path)
    return lint_deal(deal, tape_non_po_by_group(deal))
