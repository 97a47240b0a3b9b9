"""Mortgage Loan Schedule exhibits -> a typed loan tape.

Two layouts are known, each a *profile*: a set of column blocks, each listing every loan of a group in the same
order and keyed by the 10-digit loan number, plus a summary footer.

* ``bamsi-3block`` (2002-3, Exhibits D-1..D-3, spec §11): three blocks per group -- A (property, occupancy,
  purpose, documentation, LTV, original balance, rate), B (dates, terms, P&I, scheduled balance, FICO, appraisal),
  C (sales price) -- and a five-line footer (``LOAN COUNT:``, ``CUT-OFF DATE PB:`` ...).
* ``boams-2panel`` (2000-2, Exhibit D, spec §17): two ``<TABLE>`` panels for the one group, and a summary block
  (``Total UPB``, ``Loan Count`` ...).

Column positions move between exhibits, so rows are read with patterns that split on runs of spaces, not with fixed
slices. Every non-blank line inside a block must be a row: anything else is an error naming the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import polars as pl

from rmbs.errors import IngestError
from rmbs.ingest.document import Document, is_markup, squeeze
from rmbs.money import to_decimal

MONEY = pl.Decimal(18, 2)
RATE = pl.Decimal(9, 4)
PCT2 = pl.Decimal(7, 2)


def _ymd(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _money(text: str) -> Decimal | None:
    text = text.strip()
    return None if text in ("--", "") else to_decimal(text)


def _text(text: str) -> str | None:
    t = squeeze(text)
    return t or None


@dataclass(frozen=True)
class Column:
    name: str
    convert: Callable[[str], Any]
    dtype: pl.DataType


@dataclass(frozen=True)
class BlockSpec:
    key: str  # how the block is recognised in its caption lines
    pattern: re.Pattern[str]
    columns: tuple[Column, ...]
    expected: str  # a human description of a row, for error messages


def _cols(*spec: tuple[str, Callable[[str], Any], pl.DataType]) -> tuple[Column, ...]:
    return tuple(Column(n, c, t) for n, c, t in spec)


LOAN = ("loan_number", str, pl.Utf8())

THREE_BLOCK = (
    BlockSpec(
        "PROPERTY",
        re.compile(
            r"^(\d{10})\s+(\S.*?)\s{2,}(\S+)\s{2,}(\S.*?)\s{2,}(\S.*?)\s{2,}([\d.]+)\s+([\d,]+)\s+([\d.]+)\s*$"
        ),
        _cols(
            LOAN,
            ("property_type", _text, pl.Utf8()),
            ("occupancy", _text, pl.Utf8()),
            ("loan_purpose", _text, pl.Utf8()),
            ("doc_type", _text, pl.Utf8()),
            ("original_ltv", _money, PCT2),
            ("original_balance", _money, MONEY),
            ("note_rate", to_decimal, RATE),
        ),
        "loan number, property type, occupancy, purpose, doc type, LTV, original PB, interest rate",
    ),
    BlockSpec(
        "MATURITY",
        re.compile(
            r"^(\d{10})\s+(\d{8})\s+(\d{8})\s+(\d+)\s+([\d,]+\.\d\d)\s+(\d{8})\s+(\d+)\s+([\d,]+\.\d\d)\s+(\d+)\s+([\d,]+|--)\s*$"
        ),
        _cols(
            LOAN,
            ("first_payment_date", _ymd, pl.Date()),
            ("maturity_date", _ymd, pl.Date()),
            ("original_term", int, pl.Int32()),
            ("monthly_payment", _money, MONEY),
            ("current_due_date", _ymd, pl.Date()),
            ("remaining_term", int, pl.Int32()),
            ("cutoff_balance", _money, MONEY),
            ("fico", int, pl.Int32()),
            ("appraisal_value", _money, MONEY),
        ),
        "loan number, 1st payment date, maturity date, orig term, monthly P&I, current due date, remaining term, "
        "scheduled PB, FICO, appraisal value",
    ),
    BlockSpec(
        "SALES",
        re.compile(r"^(\d{10})\s+([\d,]+|--)\s*$"),
        _cols(LOAN, ("sales_price", _money, MONEY)),
        "loan number, sales price or --",
    ),
)

TWO_PANEL = (
    BlockSpec(
        "State",
        re.compile(
            r"^(\d{10})\s+([A-Z]{2})\s+(\d{5})\s+([A-Z])\s+([A-Z0-9]{2})\s+([\d.]+)\s+([\d.]+)\s+(\d{8})\s+(\d{8})\s*$"
        ),
        _cols(
            LOAN,
            ("state", str, pl.Utf8()),
            ("zip_code", str, pl.Utf8()),
            ("occupancy", str, pl.Utf8()),
            ("property_type", str, pl.Utf8()),
            ("original_ltv", _money, PCT2),
            ("note_rate", to_decimal, RATE),
            ("first_payment_date", _ymd, pl.Date()),
            ("maturity_date", _ymd, pl.Date()),
        ),
        "Loan #, State, ZipCode, Occ., Prop., OLTV, Rate, F Pay Dt, Mat. Date",
    ),
    BlockSpec(
        "P and I",
        re.compile(
            r"^(\d{10})\s+([\d,]+\.\d\d)\s+(\d{8})\s+([\d,]+\.\d\d)\s+\$([\d,]+\.\d\d)\s+(\S+)\s+([\d,]+\.\d\d)"
            r"\s+(.*?)\s+(\d+)\s+([\d.]+)%\s*$"
        ),
        _cols(
            LOAN,
            ("monthly_payment", _money, MONEY),
            ("paid_through_date", _ymd, pl.Date()),
            ("original_balance", _money, MONEY),
            ("cutoff_balance", _money, MONEY),
            ("loan_purpose", str, pl.Utf8()),
            ("appraisal_value", _money, MONEY),
            ("doc_type", _text, pl.Utf8()),
            ("remaining_term", int, pl.Int32()),
            ("current_ltv", _money, PCT2),
        ),
        "Loan #, P and I, Pd Th Dt, Orig Bal, $Sched. Bal, Purp, Appraisal, Doc, R Term, CLTV%",
    ),
)

# Footer captions: what each means, for both layouts.
FOOTER_FIELDS = {
    "LOAN COUNT": "loan_count",
    "Loan Count": "loan_count",
    "CUT-OFF DATE PB": "cutoff_balance",
    "Total UPB": "cutoff_balance",
    "UNPAID PB W/A": "average_balance",
    "INTEREST RATE W/A": "wac",
    "WAC": "wac",
    "REMAINING TERM W/A": "wam",
    "WAM": "wam",
}
_FOOTER = re.compile(
    r"^\s+(LOAN COUNT|CUT-OFF DATE PB|UNPAID PB W/A|INTEREST RATE W/A|REMAINING TERM W/A):\s+\$?([\d,.]+)%?\s*$"
)
_SUMMARY = re.compile(r"^\s+(Total UPB|Loan Count|WAC|WAM)\s+\$?([\d,.]+)\s*$")
_UNDERLINE = re.compile(r"^\s*-{4,}(\s+-{3,})+\s*$")


@dataclass
class GroupSchedule:
    group: str
    exhibit: str
    first_line: int
    last_line: int
    rows: list[dict[str, Any]]
    row_lines: list[int]
    footer: dict[str, Decimal] = field(default_factory=dict)
    footer_line: int | None = None


@dataclass
class LoanSchedule:
    profile: str
    groups: list[GroupSchedule]

    def frame(self) -> pl.DataFrame:
        frames = []
        for g in self.groups:
            frames.append(_to_frame(g))
        df = pl.concat(frames, how="diagonal")
        return df


def _to_frame(g: GroupSchedule) -> pl.DataFrame:
    dtypes: dict[str, pl.DataType] = {"group": pl.Utf8(), "schedule_line": pl.Int32()}
    for spec in THREE_BLOCK + TWO_PANEL:
        for c in spec.columns:
            dtypes.setdefault(c.name, c.dtype)
    if "original_term" not in dtypes:
        dtypes["original_term"] = pl.Int32()
    names = list(g.rows[0].keys())
    data = {n: [r.get(n) for r in g.rows] for n in names}
    return pl.DataFrame(data, schema={n: dtypes.get(n, pl.Utf8()) for n in names})


def _read_block(
    doc: Document, spec: BlockSpec, header_line: int, end: int, exhibit: str
) -> tuple[list[dict[str, Any]], list[int], int]:
    """Rows of one column block, from the line after its underline to two blank lines / markup / footer."""
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    blanks = 0
    n = header_line + 1
    while n < end:
        line = doc.line(n)
        if not line.strip():
            blanks += 1
            if rows and blanks >= 2:
                break
            n += 1
            continue
        blanks = 0
        if is_markup(line):
            if rows:
                break
            n += 1
            continue
        if _FOOTER.match(line) or _SUMMARY.match(line):
            break
        m = spec.pattern.match(line)
        if not m:
            if not rows and not re.match(r"^\d{10}\s", line):
                n += 1  # a banner or caption line before the first row
                continue
            raise doc.error(
                f"cannot read this loan schedule row of Exhibit {exhibit}: {squeeze(line)[:90]!r}",
                line=n,
                expected=spec.expected,
            )
        row: dict[str, Any] = {}
        for col, raw in zip(spec.columns, m.groups(), strict=True):
            try:
                row[col.name] = col.convert(raw)
            except (ValueError, ArithmeticError) as exc:
                raise doc.error(
                    f"bad {col.name} value {raw!r} in Exhibit {exhibit}", line=n, expected=spec.expected
                ) from exc
        rows.append(row)
        lines.append(n)
        n += 1
    return rows, lines, n


def _find_headers(doc: Document, start: int, end: int, specs: tuple[BlockSpec, ...]) -> dict[str, int]:
    """Underline (or ``<S>`` row) line of each block's header, keyed by the block's caption keyword."""
    found: dict[str, int] = {}
    for n in range(start, end):
        line = doc.line(n)
        if not (_UNDERLINE.match(line) or line.lstrip().startswith("------")):
            continue
        caption = doc.line(n - 1) + " " + doc.line(n - 2)
        for spec in specs:
            if spec.key in caption and spec.key not in found:
                found[spec.key] = n
    return found


def _merge_blocks(
    doc: Document,
    exhibit: str,
    group: str,
    blocks: list[tuple[BlockSpec, list[dict[str, Any]], list[int]]],
) -> tuple[list[dict[str, Any]], list[int]]:
    first_spec, base_rows, base_lines = blocks[0]
    keys = [r["loan_number"] for r in base_rows]
    if len(set(keys)) != len(keys):
        dup = next(k for k in keys if keys.count(k) > 1)
        raise doc.error(f"loan {dup} is listed twice in Exhibit {exhibit}", line=base_lines[keys.index(dup)])
    merged = [{"loan_number": k, "group": group} for k in keys]
    for spec, rows, lines in blocks:
        if len(rows) != len(keys):
            at = lines[-1] if lines else None
            raise doc.error(
                f"truncated loan table: the {spec.key!r} block of Exhibit {exhibit} lists {len(rows)} loans "
                f"but the first block lists {len(keys)}",
                line=at,
                expected=f"{len(keys)} rows",
            )
        for i, (r, ln) in enumerate(zip(rows, lines, strict=True)):
            if r["loan_number"] != keys[i]:
                raise doc.error(
                    f"loan {r['loan_number']} in the {spec.key!r} block of Exhibit {exhibit} is out of step with "
                    f"loan {keys[i]} of the first block",
                    line=ln,
                    expected="the same loans in the same order in every block",
                )
            merged[i].update({k: v for k, v in r.items() if k != "loan_number"})
    for m, ln in zip(merged, base_lines, strict=True):
        m["schedule_line"] = ln
    return merged, base_lines


def _footer(
    doc: Document, start: int, end: int, rx: re.Pattern[str]
) -> tuple[dict[str, Decimal], int | None]:
    out: dict[str, Decimal] = {}
    first: int | None = None
    for n in range(start, end):
        m = rx.match(doc.line(n))
        if m:
            out[FOOTER_FIELDS[m.group(1)]] = to_decimal(m.group(2))
            first = first or n
    return out, first


def _parse_three_block(doc: Document) -> LoanSchedule:
    starts = doc.find_all(r"^\s+EXHIBIT D-\d+\s*$")
    groups: list[GroupSchedule] = []
    for i, s in enumerate(starts):
        title = doc.find(r"LOAN GROUP (\d+) MORTGAGE LOAN SCHEDULE", s, s + 6)
        if title is None:
            continue
        gm = re.search(r"LOAN GROUP (\d+)", doc.line(title))
        group = gm.group(1) if gm else str(i + 1)
        exhibit = squeeze(doc.line(s)).replace("EXHIBIT ", "")
        end = doc.find(r"^\s+EXHIBIT [A-Z]", s + 1) or len(doc) + 1
        headers = _find_headers(doc, s, end, THREE_BLOCK)
        blocks = []
        pos = s
        for spec in THREE_BLOCK:
            if spec.key not in headers:
                raise doc.error(
                    f"truncated loan table: Exhibit {exhibit} has no {spec.key!r} column block",
                    line=min(end, len(doc)),
                    expected="three column blocks (A, B, C) and a footer",
                )
            rows, lines, pos = _read_block(doc, spec, headers[spec.key], end, exhibit)
            blocks.append((spec, rows, lines))
        footer, fline = _footer(doc, pos, end, _FOOTER)
        if "loan_count" not in footer or "cutoff_balance" not in footer:
            raise doc.error(
                f"truncated loan table: Exhibit {exhibit} has no summary footer",
                line=min(pos, len(doc)),
                expected="LOAN COUNT and CUT-OFF DATE PB lines after the last block",
            )
        rows, lines = _merge_blocks(doc, exhibit, group, blocks)
        groups.append(GroupSchedule(group, exhibit, s, end - 1, rows, lines, footer, fline))
    if not groups:
        raise doc.error("no Mortgage Loan Schedule exhibit", expected="EXHIBIT D-1 .. with loan rows")
    return LoanSchedule("bamsi-3block", groups)


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _parse_two_panel(doc: Document, start: int) -> LoanSchedule:
    end = doc.find(r"^\s+EXHIBIT [A-Z]", start + 1) or len(doc) + 1
    headers: dict[str, int] = {}
    for n in range(start, end):
        line = doc.line(n)
        if line.startswith("Loan #"):
            for spec in TWO_PANEL:
                if spec.key in line and spec.key not in headers:
                    headers[spec.key] = n
    blocks = []
    pos = start
    for spec in TWO_PANEL:
        if spec.key not in headers:
            raise doc.error(
                f"truncated loan table: Exhibit D has no panel with {spec.key!r}",
                line=min(end, len(doc)),
                expected="two panels of loan rows and a summary block",
            )
        rows, lines, pos = _read_block(doc, spec, headers[spec.key], end, "D")
        blocks.append((spec, rows, lines))
    footer, fline = _footer(doc, pos, end, _SUMMARY)
    if "loan_count" not in footer or "cutoff_balance" not in footer:
        raise doc.error(
            "truncated loan table: Exhibit D has no summary block",
            line=min(pos, len(doc)),
            expected="Total UPB and Loan Count after the second panel",
        )
    rows, lines = _merge_blocks(doc, "D", "1", blocks)
    for r in rows:
        # Original term is not printed in this layout; spec §17.5 item 7: months from first payment to maturity + 1.
        r["original_term"] = _months_between(r["first_payment_date"], r["maturity_date"]) + 1
    return LoanSchedule("boams-2panel", [GroupSchedule("1", "D", start, end - 1, rows, lines, footer, fline)])


TAPE_COLUMNS = (
    "loan_number",
    "group",
    "original_balance",
    "cutoff_balance",
    "note_rate",
    "monthly_payment",
    "original_term",
    "remaining_term",
    "first_payment_date",
    "maturity_date",
)


def parse_loan_schedule(doc: Document) -> LoanSchedule:
    """Find the loan schedule exhibit(s) of a PSA and read them with the matching profile."""
    if doc.find(r"^\s+EXHIBIT D-1\s*$") is not None:
        return _parse_three_block(doc)
    start = doc.find(r"^\s+EXHIBIT D\s*$")
    if start is not None and doc.find(r"MORTGAGE LOAN SCHEDULE", start, start + 6):
        return _parse_two_panel(doc, start)
    raise IngestError(
        "no Mortgage Loan Schedule exhibit found",
        file=doc.path,
        expected="EXHIBIT D (one group) or EXHIBIT D-1.. (several groups) with loan rows",
    )


def tape_frame(schedule: LoanSchedule) -> pl.DataFrame:
    """The loan tape: the required columns first (issue 2), then every other schedule column."""
    df = schedule.frame()
    rest = [c for c in df.columns if c not in TAPE_COLUMNS]
    return df.select([*TAPE_COLUMNS, *rest])
