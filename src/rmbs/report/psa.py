"""The PSA's own words for each reported item: Section 5.04(a) clause, name and seed line, per deal.

Line numbers are those of the seed filings in ``../shared/seeds`` (2002-3: ``002_...``, 2000-2: ``004_...``); a test
checks each cited line still opens its clause. Where the two agreements differ (2002-3 reports "for each Group" /
"for each Loan Group"; 2000-2 has one group and reports the special-loss coverage in (xv) where 2002-3 reports the
Class 1-A-7 Notional Amount) the titles differ too.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Clause:
    key: str  # "(i)" .. "(xv)"
    title: str
    line: int | None  # seed line where the clause begins

    @property
    def ref(self) -> str:
        return f"5.04(a){self.key}"

    def cite(self, seed_lines: bool = True) -> str:
        return f"Section {self.ref}" + (f", L{self.line}" if seed_lines and self.line else "")


@dataclass(frozen=True)
class Citations:
    section_504: int
    per_1000: tuple[int, int]  # "expressed as a dollar amount per Certificate with a $1,000 denomination"
    rounding: tuple[int, int]  # Section 1.02: to the penny, one-half of one penny rounded down
    section_401: int
    section_318: int
    clauses: dict[str, Clause]


_TITLES = {
    "(i)": "Amount allocable to principal, with the Principal Prepayments and Liquidation Proceeds included",
    "(ii)": "Amount allocable to interest, Class Unpaid Interest Shortfall included and remaining",
    "(iii)": "Shortfall against the full amount distributable, between principal and interest",
    "(iv)": "Class Certificate Balance after the distribution of principal",
    "(v)": "Pool Stated Principal Balance for the following Distribution Date",
    "(vi)": "Senior Percentage, Priority Percentage and Subordinate Percentage for the following Distribution Date",
    "(vii)": "Servicing Fee paid to or retained by the Servicer",
    "(viii)": "Pass-Through Rate",
    "(ix)": "Periodic Advances included in the distribution, and outstanding at the close of business",
    "(x)": "Mortgage Loans delinquent (exclusive of foreclosure) and in foreclosure",
    "(xi)": "Mortgage Loans that became REO Property during the preceding calendar month",
    "(xii)": "REO Properties: total number and principal balance",
    "(xiii)": "Senior Prepayment Percentage and Subordinate Prepayment Percentage for the following Distribution Date",
    "(xiv)": "Realized Losses incurred during the preceding calendar month, and Class A-PO Deferred Amounts",
}
KEYS = tuple(_TITLES) + ("(xv)",)


def _clauses(lines: dict[str, int], xv: str) -> dict[str, Clause]:
    titles = dict(_TITLES, **{"(xv)": xv})
    return {k: Clause(k, titles[k], lines.get(k)) for k in KEYS}


CITATIONS: dict[str, Citations] = {
    "boams-2002-3": Citations(
        section_504=4010,
        per_1000=(4083, 4085),
        rounding=(1739, 1742),
        section_401=3601,
        section_318=3469,
        clauses=_clauses(
            {
                "(i)": 4016,
                "(ii)": 4020,
                "(iii)": 4024,
                "(iv)": 4030,
                "(v)": 4034,
                "(vi)": 4037,
                "(vii)": 4041,
                "(viii)": 4044,
                "(ix)": 4047,
                "(x)": 4052,
                "(xi)": 4058,
                "(xii)": 4064,
                "(xiii)": 4068,
                "(xiv)": 4071,
                "(xv)": 4075,
            },
            "Class 1-A-7 Notional Amount",
        ),
    ),
    "boams-2000-2": Citations(
        section_504=3820,
        per_1000=(3894, 3896),
        rounding=(1612, 1615),
        section_401=3467,
        section_318=3330,
        clauses=_clauses(
            {
                "(i)": 3827,
                "(ii)": 3831,
                "(iii)": 3835,
                "(iv)": 3841,
                "(v)": 3845,
                "(vi)": 3848,
                "(vii)": 3851,
                "(viii)": 3854,
                "(ix)": 3857,
                "(x)": 3861,
                "(xi)": 3867,
                "(xii)": 3873,
                "(xiii)": 3877,
                "(xiv)": 3880,
                "(xv)": 3884,
            },
            "Special Hazard Loss Amount, Fraud Loss Amount and Bankruptcy Loss Amount",
        ),
    ),
}


def citations(deal_id: str, has_notional: bool, has_coverage: bool) -> Citations:
    """The deal's citations; a deal not among the seeds gets the clause names without line numbers."""
    if deal_id in CITATIONS:
        return CITATIONS[deal_id]
    xv = (
        "Special Hazard Loss Amount, Fraud Loss Amount and Bankruptcy Loss Amount"
        if has_coverage
        else "Notional Amount"
        if has_notional
        else "Other items"
    )
    return Citations(0, (0, 0), (0, 0), 0, 0, _clauses({}, xv))
