"""The Preliminary Statement's table of classes and components, its rate footnotes, and the certificate faces.

2002-3 (L294-363) sets the table as plain columns with a second table for the A-PO Components; 2000-2
(L321-403) wraps each row in dashed rules. Both rows read ``Class <name>  <balance|(n)>  <rate|(n)>
<min denomination>  <integral multiple>``. A ``(n)`` cell points at a footnote below the table, which carries the
floater formula or the principal-only statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from rmbs.ingest.document import Document, is_markup, squeeze
from rmbs.money import to_decimal

_ROW = re.compile(
    r"^\s*Class\s+(?P<name>[0-9A-Z]+(?:-[0-9A-Z]+)+)\s+"
    r"(?P<balance>\$\s*[\d,]+(?:\.\d+)?|\(\d\))\s+"
    r"(?P<rate>[\d.]+%|\(\d\)|N/A)\s+"
    r"(?P<denom>\$[\d,]+|N/A)\s+"
    r"(?P<multiple>\$[\d,]+|N/A)\s*$"
)
_FOOTNOTE = re.compile(r"^\s*\((?P<n>\d)\)\s+(?P<text>\S.*)$")
_COMPONENTS_HEADER = re.compile(r"^\s*Components\s+(Balance|\S)")
_PCT = r"([\d.]+)%"


@dataclass
class Floater:
    index: str
    margin: Decimal
    multiplier: Decimal
    floor: Decimal
    cap: Decimal
    initial_rate: Decimal

    def to_json(self) -> dict[str, str]:
        return {
            "index": self.index,
            "margin": str(self.margin),
            "multiplier": str(self.multiplier),
            "floor": str(self.floor),
            "cap": str(self.cap),
            "initial_rate": str(self.initial_rate),
        }


@dataclass
class TableRow:
    name: str
    component: bool
    balance: Decimal | None
    balance_footnote: int | None
    rate: Decimal | None
    rate_footnote: int | None
    min_denomination: Decimal | None
    line: int


@dataclass
class ClassTable:
    rows: list[TableRow]
    footnotes: dict[int, tuple[str, int]] = field(default_factory=dict)
    first_line: int = 0
    last_line: int = 0


def _money_or_none(cell: str) -> Decimal | None:
    return None if cell.startswith("(") or cell == "N/A" else to_decimal(cell)


def parse_class_table(doc: Document) -> ClassTable:
    """Rows of the Preliminary Statement class and component tables plus their footnotes."""
    start = doc.find(r"^\s*PRELIMINARY STATEMENT\s*$")
    if start is None:
        raise doc.error("no PRELIMINARY STATEMENT", expected="a PSA with a table of classes")
    end = doc.find(r"^\s*ARTICLE I\s*$", start)
    if end is None:
        raise doc.error("the Preliminary Statement never ends", line=start, expected="ARTICLE I after it")
    rows: list[TableRow] = []
    footnotes: dict[int, tuple[str, int]] = {}
    in_components = False
    note: int | None = None
    note_lines: list[str] = []
    note_start = 0

    def flush_note() -> None:
        if note is not None:
            footnotes[note] = (squeeze(" ".join(note_lines)), note_start)

    for n in range(start + 1, end):
        line = doc.line(n)
        if is_markup(line):
            continue
        if _COMPONENTS_HEADER.match(line):
            in_components = True
            continue
        m = _ROW.match(line)
        if m:
            bal, rate = m.group("balance"), m.group("rate")
            rows.append(
                TableRow(
                    name=m.group("name"),
                    component=in_components,
                    balance=_money_or_none(bal),
                    balance_footnote=int(bal[1]) if bal.startswith("(") else None,
                    rate=None if rate.startswith("(") or rate == "N/A" else to_decimal(rate),
                    rate_footnote=int(rate[1]) if rate.startswith("(") else None,
                    min_denomination=_money_or_none(m.group("denom")),
                    line=n,
                )
            )
            continue
        if line.lstrip().startswith("Class ") and re.search(r"\$\s*[\d,]", line):
            raise doc.error(
                f"cannot read this class row: {squeeze(line)!r}",
                line=n,
                expected="Class <name> <balance> <rate> <minimum denomination> <integral multiple>",
            )
        f = _FOOTNOTE.match(line)
        if f and rows:
            flush_note()
            note, note_lines, note_start = int(f.group("n")), [f.group("text")], n
        elif note is not None and line.strip():
            note_lines.append(line)
        elif note is not None and not line.strip() and note_lines:
            flush_note()
            note = None
    flush_note()
    if not rows:
        raise doc.error(
            "the Preliminary Statement has no table of classes", line=start, expected="'Class ...' rows"
        )
    return ClassTable(rows, footnotes, rows[0].line, rows[-1].line)


def parse_floater(text: str) -> Floater | None:
    """Read an index formula such as "(i) 0.500% plus (ii) LIBOR, subject to a minimum rate of 0.500% and a
    maximum rate of 8.500%" and "(i) 8.000% minus (ii) LIBOR" (2002-3 footnotes (1) and (2), L345-355)."""
    t = squeeze(text)
    m = re.search(
        r"\(i\)\s*" + _PCT + r"\s+(plus|minus)\s+\(ii\)\s*(?:([\d.]+)\s*(?:times|x)\s*)?(LIBOR|[A-Z]{3,})", t
    )
    if not m:
        return None
    margin, sign, mult, index = m.group(1), m.group(2), m.group(3), m.group(4)
    multiplier = to_decimal(mult) if mult else Decimal(1)
    if sign == "minus":
        multiplier = -multiplier
    floor = re.search(r"minimum rate of " + _PCT, t)
    cap = re.search(r"maximum rate of " + _PCT, t)
    initial = re.search(r"initial Interest Accrual Period.*?rate of " + _PCT, t)
    if not (floor and cap and initial):
        return None
    return Floater(
        index=index,
        margin=to_decimal(margin),
        multiplier=multiplier,
        floor=to_decimal(floor.group(1)),
        cap=to_decimal(cap.group(1)),
        initial_rate=to_decimal(initial.group(1)),
    )


@dataclass
class CertificateFace:
    """One certificate form of Exhibits A and B: the class it is for, its face balance and CUSIP."""

    name: str
    initial_balance: Decimal | None
    pass_through_rate: str | None
    cusip: str | None
    line: int


_FACE_CLASS = re.compile(r"^\s{10,}Class\s+([0-9A-Z]+(?:-[0-9A-Z]+)+)\s*$")
_FACE_BAL = re.compile(r"^\s*Balance of this Class:\s+\$\s*([\d,]+\.\d+)")
_FACE_NOTIONAL = re.compile(r"^\s*Amount of this Class:\s+\$\s*([\d,]+\.\d+)")
_FACE_RATE = re.compile(r"^\s*Pass-Through Rate:\s+(\S.*?)\s*$")
_FACE_CUSIP = re.compile(r"^\s*CUSIP No\.:\s+(\S.*?)\s*$")


def parse_certificate_faces(doc: Document) -> list[CertificateFace]:
    """The forms of certificate (Exhibits A-.. and B-..): class name, face balance, rate and CUSIP."""
    faces: list[CertificateFace] = []
    current: CertificateFace | None = None
    for n, line in enumerate(doc.lines, start=1):
        m = _FACE_CLASS.match(line)
        if m:
            if current is None or current.name != m.group(1) or current.cusip is not None:
                current = CertificateFace(m.group(1), None, None, None, n)
                faces.append(current)
            continue
        if current is None or current.cusip is not None:
            continue
        if (b := _FACE_BAL.match(line) or _FACE_NOTIONAL.match(line)) and current.initial_balance is None:
            current.initial_balance = to_decimal(b.group(1))
        elif r := _FACE_RATE.match(line):
            current.pass_through_rate = r.group(1)
        elif c := _FACE_CUSIP.match(line):
            current.cusip = squeeze(c.group(1))
    return [f for f in faces if f.cusip is not None]
