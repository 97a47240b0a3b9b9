"""Deal facts read from a PSA: series, parties, dates, loan groups, classes and components, fee and strip rules.

Each fact carries the seed line it came from (``psa_line``), so a deal file, a report or a reviewer can go back to
the agreement. Facts are read from the Section 1.01 definitions wherever the PSA defines them, so that the parse
follows the agreement's own vocabulary (Closing Date, Cut-Off Date, Distribution Date, Trustee Fee Rate, Servicing
Fee Rate, Non-PO Percentage, Original Subordinate Certificate Balance ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from rmbs.ingest.classes import ClassTable, parse_certificate_faces, parse_class_table, parse_floater
from rmbs.ingest.definitions import Definition, definitions_by_term, parse_definitions
from rmbs.ingest.document import DATE_WORDS, MONTHS, Document, squeeze
from rmbs.money import to_decimal

_SMALL_WORDS = {"of", "and", "the", "as"}


def title_name(upper: str) -> str:
    """'BANK OF AMERICA, N.A.' -> 'Bank of America, N.A.'; 'THE BANK OF NEW YORK' -> 'The Bank of New York'."""
    words = squeeze(upper).split(" ")
    out = []
    for i, w in enumerate(words):
        lw = w.lower()
        if re.fullmatch(r"([a-z]\.)+,?", lw):
            out.append(w.upper())
        elif i > 0 and lw.strip(",") in _SMALL_WORDS:
            out.append(lw)
        else:
            out.append(lw[:1].upper() + lw[1:])
    return " ".join(out)


def parse_date_words(text: str) -> date | None:
    m = DATE_WORDS.search(text)
    if not m:
        return None
    try:
        return date(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    except ValueError:
        return None


def _require(defs: dict[str, Definition], term: str, doc: Document) -> Definition:
    d = defs.get(term)
    if d is None:
        raise doc.error(f"Section 1.01 does not define {term!r}", expected=f"a '{term}:' definition")
    return d


def _cite(d: Definition) -> str:
    return f"{d.term}, L{d.first_line}" + (f"-{d.last_line}" if d.last_line != d.first_line else "")


def _class_list(text: str) -> list[str]:
    return re.findall(r"Class(?:es)?\s+([0-9A-Z]+(?:-[0-9A-Z]+)+)", text)


@dataclass
class PsaFacts:
    facts: dict[str, Any]
    definitions: list[Definition]
    table: ClassTable
    warnings: list[str]


def is_psa(doc: Document) -> bool:
    head = "\n".join(doc.lines[:400]).upper()
    return "POOLING AND SERVICING AGREEMENT" in head and doc.find(r"Section 1\.01") is not None


def parse_psa_facts(doc: Document) -> PsaFacts:
    defs_list = parse_definitions(doc)
    defs = definitions_by_term(defs_list)
    table = parse_class_table(doc)
    warnings: list[str] = []

    # --- series, agreement date, parties (cover page and opening paragraph)
    series_line = doc.find(r"^\s*Series\s+\d{4}-\w+\s*$", 1, 60)
    if series_line is None:
        raise doc.error("no 'Series YYYY-N' on the cover page", expected="the PSA cover page")
    series = squeeze(doc.line(series_line)).split()[-1]
    open_line = doc.find(r"THIS POOLING AND SERVICING AGREEMENT, dated")
    if open_line is None:
        raise doc.error("no opening paragraph", expected="'THIS POOLING AND SERVICING AGREEMENT, dated ...'")
    para = squeeze(" ".join(doc.lines[open_line - 1 : open_line + 7]))
    agreement_date = parse_date_words(para)
    pm = re.search(r"among (.+?), as depositor.*?\), (.+?), as servicer.*?\), and (.+?), as trustee", para)
    if agreement_date is None or pm is None:
        raise doc.error(
            "cannot read the agreement date and parties",
            line=open_line,
            expected="'dated <Month D, YYYY> ... among X, as depositor ..., Y, as servicer ..., and Z, as trustee'",
        )
    parties = {
        "depositor": title_name(pm.group(1)),
        "servicer": title_name(pm.group(2)),
        "trustee": title_name(pm.group(3)),
        "psa_line": open_line,
    }

    # --- dates
    def dated(term: str) -> tuple[date, str]:
        d = _require(defs, term, doc)
        v = parse_date_words(d.text)
        if v is None:
            raise doc.error(f"{term} has no date", line=d.first_line, expected="Month D, YYYY")
        return v, _cite(d)

    cutoff, cutoff_cite = dated("Cut-Off Date")
    closing, closing_cite = dated("Closing Date")
    dd = _require(defs, "Distribution Date", doc)
    dm = re.search(r"The (\d+)(?:st|nd|rd|th) day of each month beginning in (\w+)\s+(\d{4})", dd.text)
    if dm is None or dm.group(2).lower() not in MONTHS:
        raise doc.error(
            "cannot read the Distribution Date rule", line=dd.first_line, expected="'The 25th day ...'"
        )
    distribution_day = int(dm.group(1))
    first_dd = date(int(dm.group(3)), MONTHS[dm.group(2).lower()], distribution_day)

    # --- loan groups: the Cut-Off Date Pool Principal Balance definition states each group's balance
    cp = _require(defs, "Cut-Off Date Pool Principal Balance", doc)
    group_bal = re.findall(r"\$([\d,]+\.\d\d) for Loan Group (\d+)", cp.text)
    if not group_bal:
        one = re.findall(r"\$([\d,]+\.\d\d)", cp.text)
        if not one:
            raise doc.error("no balance in the Cut-Off Date Pool Principal Balance", line=cp.first_line)
        group_bal = [(one[0], "1")]
    strips = _strip_rates(defs, doc, [g for _, g in group_bal])
    groups = []
    for bal, g in group_bal:
        exhibit_def = defs.get(f"Group {g} Mortgage Loan")
        exhibit = None
        if exhibit_def is not None:
            em = re.search(r"Exhibit (D-\d+)", exhibit_def.text)
            exhibit = em.group(1) if em else None
        groups.append(
            {
                "id": g,
                "exhibit": exhibit or "D",
                "cutoff_balance": str(to_decimal(bal)),
                "po_strip_rate": str(strips[g]),
                "discount_threshold": str(strips[g]),
                "psa": _cite(cp),
            }
        )
    multi_group = len(groups) > 1

    # --- fees
    tfr_def = _require(defs, "Trustee Fee Rate", doc)
    tm = re.search(r"([\d.]+)%\s*per annum", tfr_def.text)
    if tm is None:
        raise doc.error(
            "cannot read the Trustee Fee Rate", line=tfr_def.first_line, expected="'x.xxxx% per annum'"
        )
    sfr_def = _require(defs, "Servicing Fee Rate", doc)
    fm = re.search(r"not be less than ([\d.]+)% per annum", sfr_def.text)
    if fm is None:
        raise doc.error("cannot read the Servicing Fee Rate floor", line=sfr_def.first_line)
    ci = doc.find(r"one-twelfth of ([\d.]+)% of\s*$|one-twelfth of ([\d.]+)% of the")
    ci_rate = None
    if ci is not None:
        cm = re.search(r"one-twelfth of ([\d.]+)%", doc.line(ci))
        ci_rate = cm.group(1) if cm else None

    # --- classes and components
    kinds = _class_kinds(defs)
    faces = {f.name: f for f in parse_certificate_faces(doc)}
    classes = []
    for row in table.rows:
        note_text = ""
        for ref in (row.rate_footnote, row.balance_footnote):
            if ref is not None and ref in table.footnotes:
                note_text = table.footnotes[ref][0]
                break
        floater = parse_floater(note_text) if row.rate_footnote is not None else None
        notional_def = defs.get(f"Class {row.name} Notional Amount")
        notional = notional_def is not None
        group = None
        if multi_group:
            gm = re.match(r"(\d+)-", row.name)
            group = gm.group(1) if gm else None
        else:
            group = groups[0]["id"]
        kind = "component" if row.component else kinds.get(row.name, "senior")
        if row.component:
            kind = "po"
        formula = _rate_formula(row.rate, floater, note_text)
        balance = row.balance
        components: list[str] = []
        if balance is None and row.name == "A-PO":
            components = [r.name for r in table.rows if r.component]
            comp_sum = sum((r.balance or Decimal(0) for r in table.rows if r.component), Decimal(0))
            balance = comp_sum
        entry: dict[str, Any] = {
            "name": row.name,
            "group": group,
            "initial_balance": str(balance) if balance is not None else None,
            "notional": notional,
            "notional_of": _class_list(notional_def.text)[-1] if notional_def else None,
            "rate": str(row.rate) if row.rate is not None else None,
            "rate_formula": formula,
            "floater": floater.to_json() if floater else None,
            "kind": kind,
            "min_denomination": str(row.min_denomination) if row.min_denomination is not None else None,
            "component": row.component,
            "component_of": "A-PO" if row.component else None,
            "components": components or None,
            "cusip": faces[row.name].cusip if row.name in faces else None,
            "face_balance": str(faces[row.name].initial_balance)
            if row.name in faces and faces[row.name].initial_balance is not None
            else None,
            "psa_line": row.line,
        }
        classes.append(entry)

    osb_def = defs.get("Original Subordinate Certificate Balance")
    osb: dict[str, str] = {}
    if osb_def is not None:
        pairs = re.findall(r"\$([\d,]+\.\d\d)(?: for Group (\d+))?", osb_def.text)
        for amount, g in pairs:
            osb[g or groups[0]["id"]] = str(to_decimal(amount))

    facts: dict[str, Any] = {
        "series": series,
        "title": f"Mortgage Pass-Through Certificates, Series {series}",
        "parties": parties,
        "agreement_date": agreement_date.isoformat(),
        "cutoff_date": cutoff.isoformat(),
        "closing_date": closing.isoformat(),
        "first_distribution_date": first_dd.isoformat(),
        "distribution_day": distribution_day,
        "citations": {
            "cutoff_date": cutoff_cite,
            "closing_date": closing_cite,
            "distribution_date": _cite(dd),
            "trustee_fee_rate": _cite(tfr_def),
            "servicing_fee_rate": _cite(sfr_def),
            "class_table": f"Preliminary Statement, L{table.first_line}-{table.last_line}",
        },
        "groups": groups,
        "classes": classes,
        "trustee_fee_rate": str(to_decimal(tm.group(1))),
        "servicing_fee": {
            "kind": "excess_over_strip",
            "rule": "SFR = max(floor, Mortgage Interest Rate - (strip rate of the group + Trustee Fee Rate))",
            "strip_rate_by_group": {g["id"]: g["po_strip_rate"] for g in groups},
            "floor": str(to_decimal(fm.group(1))),
            "psa": _cite(sfr_def),
        },
        "compensating_interest_cap_rate": ci_rate,
        "original_subordinate_balance": osb,
    }
    return PsaFacts(facts, defs_list, table, warnings)


def _rate_formula(rate: Decimal | None, floater: Any, note_text: str) -> str:
    """A compact, derived statement of the coupon (not the PSA's prose)."""
    if floater is not None:
        if floater.multiplier > 0:
            m = "" if floater.multiplier == 1 else f"{floater.multiplier} x "
            core = f"{m}{floater.index} + {floater.margin}%"
        else:
            m = "" if floater.multiplier == -1 else f"{-floater.multiplier} x "
            core = f"{floater.margin}% - {m}{floater.index}"
        return f"{core}, floor {floater.floor}%, cap {floater.cap}%, initial {floater.initial_rate}%"
    if rate is not None:
        return f"{rate}% fixed"
    if re.search(r"principal[- ]only|not bear interest", note_text, re.I):
        return "principal only (no interest)"
    return ""


def _strip_rates(defs: dict[str, Definition], doc: Document, group_ids: list[str]) -> dict[str, Decimal]:
    """The denominator of the Non-PO Percentage for each group (= discount threshold = PO strip rate)."""
    d = _require(defs, "Non-PO Percentage", doc)
    per_group = re.findall(r"([\d.]+)% for each Group (\d+) Discount Mortgage Loan", d.text)
    if per_group:
        found = {g: to_decimal(r) for r, g in per_group}
    else:
        m = re.search(r"denominator of which is ([\d.]+)%", d.text)
        if m is None:
            raise doc.error("cannot read the Non-PO Percentage denominator", line=d.first_line)
        found = {g: to_decimal(m.group(1)) for g in group_ids}
    missing = [g for g in group_ids if g not in found]
    if missing:
        raise doc.error(f"no PO strip rate for loan group {missing[0]}", line=d.first_line)
    return found


def _class_kinds(defs: dict[str, Definition]) -> dict[str, str]:
    """senior / subordinate / residual / io / po from the definitions that list the classes."""
    kinds: dict[str, str] = {}
    for term, kind in (
        ("Class A Certificates", "senior"),
        ("Class B Certificates", "subordinate"),
    ):
        if term in defs:
            for name in _class_list(defs[term].text):
                kinds[name] = kind
    for term, kind in (
        ("Residual Certificates", "residual"),
        ("Residual Certificate", "residual"),
        ("Interest-Only Certificates", "io"),
        ("Principal-Only Certificates", "po"),
    ):
        if term in defs:
            for name in _class_list(defs[term].text):
                kinds[name] = kind
    return kinds
