"""Servicer officer's certificates under Section 3.18 of a pooling and servicing agreement.

Such a certificate is a one-page statement by an officer of the servicer that the servicer fulfilled its
obligations during a calendar year, followed by an "EXHIBIT I" table listing every agreement (series) it
covers. The table is what we want: one row per series, with the parties to the agreement, the date of the
pooling agreement (possibly "as amended by Amendment No. 1, dated ...") and the series designation.

Two table layouts are found in EDGAR filings and both are read here:

* an EDGAR ``<TABLE>`` block, one row per line, where a long date cell wraps onto continuation lines whose
  parties column is empty and the series sits on whichever line of the row has room for it;
* a fixed-width text table in which every column wraps independently and rows are separated by blank lines.

Both are handled by the same procedure: locate the start of the date column, peel the series designation off
the right-hand end of each line, split what is left into a parties part and a date part by column position,
and group lines into rows. A line opens a new row when it has text in the parties column and either follows
a blank line (or page furniture) or begins a fresh pooling agreement date while the current row is complete.

Every failure is reported as :class:`rmbs.errors.IngestError` naming the file and line.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rmbs.errors import IngestError

__all__ = [
    "CertificateFacts",
    "SeriesEntry",
    "is_officer_certificate",
    "parse_officer_certificate",
]


# ------------------------------------------------------------------------------------------------ data model
@dataclass
class SeriesEntry:
    """One row of Exhibit I: a series covered by the certificate."""

    series: str  # the designation without prefix, e.g. "2003-A" or "2003-1"
    prefix: str | None  # "BoALT" for the Banc of America Alternative Loan Trust shelf, else None
    year: int
    parties: list[str]  # depositor, servicer, trustee as printed (whitespace normalized)
    pooling_agreement_date: dt.date
    amendment_date: dt.date | None
    amendment_text: str | None  # e.g. "as amended by Amendment No. 1, dated January 30, 2004"
    source_line: int  # 1-based first line of the row in the filing

    @property
    def label(self) -> str:
        """The series as printed, prefix included: ``"BoALT 2003-1"`` or ``"2003-A"``."""
        return f"{self.prefix} {self.series}" if self.prefix else self.series

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "series": self.series,
            "prefix": self.prefix,
            "label": self.label,
            "year": self.year,
            "parties": list(self.parties),
            "pooling_agreement_date": self.pooling_agreement_date.isoformat(),
            "amendment_date": self.amendment_date.isoformat() if self.amendment_date else None,
            "amendment_text": self.amendment_text,
            "source_line": self.source_line,
        }


@dataclass
class CertificateFacts:
    """What a Section 3.18 officer's certificate says."""

    file: str
    section: str
    officer_name: str
    officer_title: str
    servicer: str
    year_covered: int
    dated: dt.date
    series: list[SeriesEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "section": self.section,
            "officer_name": self.officer_name,
            "officer_title": self.officer_title,
            "servicer": self.servicer,
            "year_covered": self.year_covered,
            "dated": self.dated.isoformat(),
            "series": [entry.to_json_dict() for entry in self.series],
            "warnings": list(self.warnings),
        }


# ---------------------------------------------------------------------------------------------------- patterns
_MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_RE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\.?[ \t]+(?P<day>\d{{1,2}})[ \t]*,[ \t]*(?P<year>\d{{4}})\b", re.IGNORECASE
)
_MONTH_START_RE = re.compile(rf"(?:{_MONTH_ALT})\.?\s+\d", re.IGNORECASE)

_CERT_HEADING_RE = re.compile(
    r"OFFICER['\u2019`]?S\s+CERTIFICATE\s+PURSUANT\s+TO\s+SECTION\s+(?P<section>3\.18)\b", re.IGNORECASE
)
_EXHIBIT_ANY_RE = re.compile(r"\bEXHIBIT\s+I\b", re.IGNORECASE)
_EXHIBIT_HEADING_RE = re.compile(r"^\s*EXHIBIT\s+I\s*$", re.IGNORECASE)

# A series designation at the right-hand end of a line, optionally preceded by a shelf prefix ("BoALT").
_SERIES_TAIL_RE = re.compile(
    r"(?:(?<!\S)(?P<prefix>[A-Za-z]{2,8})[ \t]+)?(?<![\w-])(?P<year>\d{4})-(?P<suffix>[A-Z0-9]{1,3})[ \t]*$"
)
# The same with the year's digits split by a run of spaces ("BoALT 2      003-3"): a typesetting garble.
_SERIES_SPLIT_TAIL_RE = re.compile(
    r"(?:(?<!\S)(?P<prefix>[A-Za-z]{2,8})[ \t]+)?(?<![\w-])(?P<head>\d{1,3})[ \t]+(?P<tail>\d{1,3})"
    r"-(?P<suffix>[A-Z0-9]{1,3})[ \t]*$"
)
_KNOWN_PREFIXES = {"boalt": "BoALT"}

_MARKUP_RE = re.compile(r"^\s*(?:</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?>\s*)+$")
_RULE_RE = re.compile(r"^[\s=_\-*]+$")
_PAGE_NUMBER_RE = re.compile(r"^\s*(?:-\s*)?(?:page\s+)?\d{1,3}(?:\s*-)?\s*$", re.IGNORECASE)
_HEADER_WORDS = {
    "PARTIES",
    "PARTY",
    "DATE",
    "OF",
    "POOLING",
    "AND",
    "SERVICING",
    "AGREEMENT",
    "AGREEMENTS",
    "SERIES",
    "CONTINUED",
    "EXHIBIT",
    "I",
}
_COLUMN_TAG_RE = re.compile(r"<C>", re.IGNORECASE)
_CHUNK_RE = re.compile(r"\S+(?: \S+)*")

# Corporate suffixes that follow ", " inside one party's name ("Bank of America, N.A.").
_SUFFIX_RE = re.compile(
    r"^(?:Inc\.?|N\.\s?A\.?|National Association|L\.?L\.?C\.?|L\.?P\.?|Corp\.?|Corporation|Co\.?|Ltd\.?"
    r"|F\.?S\.?B\.?|plc|S\.A\.?|AG)$",
    re.IGNORECASE,
)
_DANGLING_RE = re.compile(r"(?:,|;|&|-|\band|\bof|\bthe|\bfor)$", re.IGNORECASE)
_CONTINUATION_START_RE = re.compile(
    r"^(?:[a-z(]|(?:Inc\.?|N\.\s?A\.?|National Association|LLC|L\.P\.|Corp\.?|FSB|F\.S\.B\.)(?:\W|$))"
)


# ----------------------------------------------------------------------------------------------- public API
def is_officer_certificate(text: str) -> bool:
    """True if ``text`` is a servicer officer's certificate under Section 3.18 listing series on Exhibit I."""
    if not isinstance(text, str):
        return False
    return bool(_CERT_HEADING_RE.search(text)) and bool(_EXHIBIT_ANY_RE.search(text))


def parse_officer_certificate(path: Path, text: str | None = None) -> CertificateFacts:
    """Read a Section 3.18 officer's certificate and the series listed on its Exhibit I.

    ``text`` may be given to parse content already in memory; ``path`` then only names the source.
    Raises :class:`IngestError` (never anything else) when the filing cannot be read as such a certificate.
    """
    path = Path(path)
    if text is None:
        text = _read_text(path)
    lines = _normalize(text).split("\n")
    joined = "\n".join(lines)

    heading = _CERT_HEADING_RE.search(joined)
    if heading is None:
        raise IngestError(
            "not an officer's certificate",
            file=path,
            expected='"OFFICER\'S CERTIFICATE PURSUANT TO SECTION 3.18"',
        )

    exhibit_idx = next((i for i, line in enumerate(lines) if _EXHIBIT_HEADING_RE.match(line)), None)
    if exhibit_idx is None:
        raise IngestError(
            "no Exhibit I table found",
            file=path,
            expected='a line reading "EXHIBIT I" followed by the table of series',
        )

    warnings: list[str] = []
    header = _parse_header(path, lines[:exhibit_idx], warnings)
    series = _parse_exhibit(path, lines, exhibit_idx + 1, warnings)
    if not series:
        raise IngestError(
            "Exhibit I lists no series",
            file=path,
            line=exhibit_idx + 1,
            expected="rows of PARTIES, DATE OF POOLING AGREEMENT and SERIES",
        )
    _check_rows(series, warnings)

    return CertificateFacts(
        file=str(path),
        section=heading.group("section"),
        officer_name=header["officer_name"],
        officer_title=header["officer_title"],
        servicer=header["servicer"],
        year_covered=int(header["year_covered"]),
        dated=header["dated"],
        series=series,
        warnings=warnings,
    )


# ------------------------------------------------------------------------------------------------- reading
def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IngestError(f"cannot read the file: {exc.strerror or exc}", file=path) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\xa0", " ").replace("\f", "\n").replace("\v", "\n")
    # Tabs would shift columns; other line separators (U+2028, ...) must not split lines differently from "\n".
    out = []
    for line in text.split("\n"):
        line = line.expandtabs(8)
        out.append("".join(ch if ch.isprintable() else " " for ch in line))
    return "\n".join(out)


def _squash(text: str) -> str:
    return " ".join(text.split())


def _to_date(match: re.Match[str]) -> dt.date:
    """The date named by a :data:`_DATE_RE` match; ``ValueError`` if it is not a calendar date."""
    month = _MONTHS[match.group("month").lower()]
    return dt.date(int(match.group("year")), month, int(match.group("day")))


# -------------------------------------------------------------------------------------------------- header
_STATEMENT_RE = re.compile(
    r"\bI,\s+(?P<name>[A-Z][^,;:\"]{1,80}?),\s+(?P<title>[^,;:\"]{1,80}?)\s+of\s+(?P<servicer>[^;:\"]{1,120}?),?"
    r"\s+(?i:as\s+servicer)\b"
)
_NAME_LINE_RE = re.compile(r"^\s*Name\s*:\s*(?P<value>\S.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_TITLE_LINE_RE = re.compile(r"^\s*Title\s*:\s*(?P<value>\S.*?)\s*$", re.IGNORECASE | re.MULTILINE)
_DATED_RE = re.compile(r"^\s*Dated\s*:?\s*(?P<value>.*)$", re.IGNORECASE | re.MULTILINE)
_YEAR_RE = re.compile(r"\bcalendar\s+year\s+(?P<year>\d{4})\b", re.IGNORECASE)


def _parse_header(path: Path, lines: list[str], warnings: list[str]) -> dict[str, Any]:
    text = "\n".join(lines)
    flat = _squash(text)
    statement = _STATEMENT_RE.search(flat)

    name_line = _NAME_LINE_RE.search(text)
    title_line = _TITLE_LINE_RE.search(text)
    officer_name = _squash(name_line.group("value")) if name_line else None
    officer_title = _squash(title_line.group("value")) if title_line else None
    if statement is not None:
        said_name, said_title = statement.group("name").strip(), statement.group("title").strip()
        if officer_name is None:
            officer_name = said_name
        elif officer_name.lower() != said_name.lower():
            warnings.append(
                f"officer named {said_name!r} in the statement but {officer_name!r} in the signature"
            )
        if officer_title is None:
            officer_title = said_title
        elif officer_title.lower() != said_title.lower():
            warnings.append(
                f"officer's title {said_title!r} in the statement but {officer_title!r} in the signature"
            )
    if not officer_name:
        raise IngestError(
            "officer's name not found",
            file=path,
            expected='"I, <name>, <title> of <servicer>" or a "Name:" line',
        )
    if not officer_title:
        raise IngestError(
            "officer's title not found",
            file=path,
            expected='"I, <name>, <title> of <servicer>" or a "Title:" line',
        )

    servicer = (
        statement.group("servicer").strip() if statement is not None else _servicer_from_signature(lines)
    )
    if not servicer:
        raise IngestError(
            "servicer not named", file=path, expected='"... of <servicer>, as servicer" or a signature block'
        )

    years = [int(m.group("year")) for m in _YEAR_RE.finditer(flat)]
    if not years:
        raise IngestError("calendar year covered not found", file=path, expected='"calendar year <yyyy>"')
    if len(set(years)) > 1:
        warnings.append(
            f"the certificate mentions several calendar years {sorted(set(years))}; using {years[0]}"
        )

    dated_line = _DATED_RE.search(text)
    dated_match = _DATE_RE.search(dated_line.group("value")) if dated_line else None
    if dated_match is None:
        line_no = text.count("\n", 0, dated_line.start()) + 1 if dated_line else None
        raise IngestError(
            "certificate date not found", file=path, line=line_no, expected='"Dated: <Month> <day>, <year>"'
        )
    try:
        dated = _to_date(dated_match)
    except ValueError:
        line_no = text.count("\n", 0, dated_line.start()) + 1 if dated_line else None
        raise IngestError(
            f"certificate date {dated_match.group(0)!r} is not a calendar date", file=path, line=line_no
        ) from None

    return {
        "officer_name": officer_name,
        "officer_title": officer_title,
        "servicer": servicer,
        "year_covered": years[0],
        "dated": dated,
    }


def _servicer_from_signature(lines: list[str]) -> str | None:
    for i, line in enumerate(lines):
        if re.match(r"^\s*as\s+servicer\s*$", line, re.IGNORECASE):
            for prev in reversed(lines[:i]):
                if prev.strip():
                    return prev.strip().rstrip(",").strip() or None
    return None


# ------------------------------------------------------------------------------------------------- exhibit
@dataclass
class _Row:
    first_line: int
    parties: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    series: tuple[str | None, str, int, int] | None = None  # prefix, designation, year, line

    @property
    def has_date(self) -> bool:
        return any(self.dates)


def _is_furniture(line: str) -> bool:
    """Markup, rules, page numbers and repeated column headings: lines that carry no cell text."""
    if _MARKUP_RE.match(line) or _RULE_RE.match(line) or _PAGE_NUMBER_RE.match(line):
        return True
    if re.search(r"\d", line):
        return False
    words = re.findall(r"[A-Za-z]+", line.upper())
    return bool(words) and set(words) <= _HEADER_WORDS


def _table_lines(lines: list[str], start: int) -> list[tuple[int, str]]:
    """(1-based line number, text) of the lines making up the table after the EXHIBIT I heading.

    When the table is an EDGAR ``<TABLE>`` block (possibly split into several across ``<PAGE>`` breaks),
    only lines inside the blocks count; text between the blocks is page furniture.
    """
    rest = list(enumerate(lines[start:], start=start + 1))
    if not any(re.match(r"^\s*<TABLE\b", text, re.IGNORECASE) for _, text in rest):
        return [
            (n, text) for n, text in rest if not re.match(r"^\s*</?(?:DOCUMENT|TEXT)\b", text, re.IGNORECASE)
        ]
    out: list[tuple[int, str]] = []
    inside = False
    for n, text in rest:
        if re.match(r"^\s*<TABLE\b", text, re.IGNORECASE):
            inside = True
            out.append((n, ""))  # a table boundary separates rows like a blank line
        elif re.match(r"^\s*</TABLE\s*>", text, re.IGNORECASE):
            inside = False
            out.append((n, ""))
        elif inside:
            out.append((n, text))
    return out


def _take_series(n: int, line: str, warnings: list[str]) -> tuple[str, tuple[str | None, str, int] | None]:
    """Remove a series designation from the end of ``line``; return the rest (columns kept) and the series."""
    match = _SERIES_TAIL_RE.search(line)
    garbled = False
    if match is not None:
        year_text = match.group("year")
    else:
        match = _SERIES_SPLIT_TAIL_RE.search(line)
        if match is None:
            return line, None
        year_text = match.group("head") + match.group("tail")
        if len(year_text) != 4:
            return line, None
        garbled = True
    year = int(year_text)
    if not 1900 <= year <= 2099:
        return line, None

    prefix_raw = match.group("prefix")
    prefix: str | None = None
    if prefix_raw is not None:
        known = _KNOWN_PREFIXES.get(prefix_raw.lower())
        if known is not None:
            prefix = known
        elif sum(ch.isupper() for ch in prefix_raw) >= 2 and prefix_raw.lower() not in _MONTHS:
            prefix = prefix_raw
            warnings.append(
                f"line {n}: unfamiliar series prefix {prefix_raw!r} in {match.group(0).strip()!r}"
            )
        else:
            # an ordinary word before the designation: it belongs to the date column, not the series
            start = match.start("year") if not garbled else match.start("head")
            designation = f"{year_text}-{match.group('suffix')}"
            rest = line[:start] + " " * (len(line) - start)
            if garbled:
                warnings.append(
                    f"line {n}: series cell {line[start:].strip()!r} has its digits split by spaces; "
                    f"read as {designation!r}"
                )
            return rest, (None, designation, year)

    designation = f"{year_text}-{match.group('suffix')}"
    if garbled:
        cell = match.group(0).strip()
        fixed = f"{prefix} {designation}" if prefix else designation
        warnings.append(f"line {n}: series cell {cell!r} has its digits split by spaces; read as {fixed!r}")
    rest = line[: match.start()] + " " * (len(line) - match.start())
    return rest, (prefix, designation, year)


def _date_column(path: Path, body: list[tuple[int, str]], first_line: int) -> int:
    """Column at which the DATE OF POOLING AGREEMENT cells start."""
    starts: Counter[int] = Counter()
    for _, text in body:
        if not text.strip() or _is_furniture(text):
            continue
        for chunk in _CHUNK_RE.finditer(text):
            if chunk.start() > 0 and _MONTH_START_RE.match(chunk.group()):
                starts[chunk.start()] += 1
    if starts:
        # the most common start; ties go to the leftmost (a wrapped date is never left of its column)
        best = max(starts.values())
        return min(pos for pos, count in starts.items() if count == best)
    for _, text in body:
        tags = [m.start() for m in _COLUMN_TAG_RE.finditer(text)]
        if tags:
            return tags[0]
    for _, text in body:
        pos = text.upper().find("DATE OF POOLING")
        if pos > 0:
            return pos
    raise IngestError(
        "cannot locate the date column of the Exhibit I table",
        file=path,
        line=first_line,
        expected="a DATE OF POOLING AGREEMENT column of dates such as 'January 24, 2002'",
    )


def _split_columns(line: str, date_start: int) -> tuple[str, str]:
    """Split a line (series already removed) into its parties text and date text by column position."""
    parties: list[str] = []
    dates: list[str] = []
    for chunk in _CHUNK_RE.finditer(line):
        start, end, text = chunk.start(), chunk.end(), chunk.group()
        if start >= date_start - 2:
            dates.append(text)
        elif end <= date_start:
            parties.append(text)
        else:
            # one chunk straddles the column boundary: cut it at the space nearest the boundary, if any
            spaces = [
                i for i, ch in enumerate(text) if ch == " " and date_start - 4 <= start + i <= date_start + 2
            ]
            if spaces:
                cut = min(spaces, key=lambda i: abs(start + i - (date_start - 1)))
                parties.append(text[:cut])
                dates.append(text[cut + 1 :])
            else:
                parties.append(text)
    return " ".join(parties).strip(), " ".join(dates).strip()


def _parse_exhibit(path: Path, lines: list[str], start: int, warnings: list[str]) -> list[SeriesEntry]:
    body = _table_lines(lines, start)
    if not any(text.strip() for _, text in body):
        raise IngestError(
            "no Exhibit I table found", file=path, line=start, expected="a table of series after EXHIBIT I"
        )
    date_start = _date_column(path, body, start)

    rows: list[_Row] = []
    current: _Row | None = None
    after_break = True
    for n, raw in body:
        if not raw.strip() or _is_furniture(raw):
            after_break = True
            continue
        rest, series = _take_series(n, raw, warnings)
        parties_text, date_text = _split_columns(rest, date_start)

        if parties_text and (current is None or after_break or _opens_row(current, parties_text, date_text)):
            current = _Row(first_line=n)
            rows.append(current)
        elif current is None:
            raise IngestError(
                "Exhibit I text before the first row",
                file=path,
                line=n,
                expected="a row beginning with the parties to the agreement",
            )
        after_break = False

        if parties_text:
            current.parties.append(parties_text)
        if date_text:
            current.dates.append(date_text)
        if series is not None:
            if current.series is not None:
                raise IngestError(
                    f"a second series {series[1]!r} in the row that began on line {current.first_line}",
                    file=path,
                    line=n,
                    expected="one series per row",
                )
            current.series = (series[0], series[1], series[2], n)

    return [_finish_row(path, row, warnings) for row in rows]


def _opens_row(current: _Row, parties_text: str, date_text: str) -> bool:
    """Does a line with text in the parties column (not after a blank line) begin a new row?"""
    if not current.has_date or not _MONTH_START_RE.match(date_text):
        return False
    if current.parties and _DANGLING_RE.search(current.parties[-1]):
        return False
    return not _CONTINUATION_START_RE.match(parties_text)


def _join_fragments(fragments: list[str]) -> str:
    text = ""
    for frag in fragments:
        frag = frag.strip()
        if not frag:
            continue
        if text.endswith("-") and frag[:1].islower():
            text = text[:-1] + frag  # a word hyphenated at the end of a cell line
        else:
            text = f"{text} {frag}" if text else frag
    return _squash(text)


def _finish_row(path: Path, row: _Row, warnings: list[str]) -> SeriesEntry:
    if row.series is None:
        raise IngestError(
            "row has no series",
            file=path,
            line=row.first_line,
            expected="a series such as '2003-A' or 'BoALT 2003-1'",
        )
    prefix, designation, year, _series_line = row.series

    date_text = _join_fragments(row.dates)
    pooling, amendment_date, amendment_text = _parse_date_cell(path, row.first_line, date_text, warnings)

    parties_text = _join_fragments(row.parties)
    if not parties_text:
        raise IngestError(
            "row names no parties", file=path, line=row.first_line, expected="depositor, servicer and trustee"
        )
    parties = split_parties(parties_text)
    if len(parties) != 3:
        warnings.append(
            f"line {row.first_line}: expected 3 parties (depositor, servicer, trustee), found {len(parties)}: "
            f"{parties_text!r}"
        )

    return SeriesEntry(
        series=designation,
        prefix=prefix,
        year=year,
        parties=parties,
        pooling_agreement_date=pooling,
        amendment_date=amendment_date,
        amendment_text=amendment_text,
        source_line=row.first_line,
    )


def _parse_date_cell(
    path: Path, line: int, text: str, warnings: list[str]
) -> tuple[dt.date, dt.date | None, str | None]:
    expected = "'<Month> <day>, <year>', optionally followed by 'as amended by Amendment No. 1, dated <date>'"
    if not text:
        raise IngestError("row has no date of pooling agreement", file=path, line=line, expected=expected)
    first = _DATE_RE.match(text)
    if first is None:
        raise IngestError(
            f"date of pooling agreement {text!r} not understood", file=path, line=line, expected=expected
        )
    try:
        pooling = _to_date(first)
    except ValueError:
        raise IngestError(
            f"date of pooling agreement {first.group(0)!r} is not a calendar date", file=path, line=line
        ) from None

    rest = text[first.end() :].strip().lstrip(",;").strip()
    if not rest:
        return pooling, None, None
    inner = rest
    if inner.startswith("("):
        inner = inner[1:].strip()
    if inner.endswith(")"):
        inner = inner[:-1].strip()
    if "amend" not in inner.lower():
        raise IngestError(
            f"unexpected text {rest!r} after the date of pooling agreement",
            file=path,
            line=line,
            expected=expected,
        )
    later = list(_DATE_RE.finditer(inner))
    if len(later) > 1:
        raise IngestError(
            f"more than one amendment date in {text!r}",
            file=path,
            line=line,
            expected="at most one amendment",
        )
    amendment_date: dt.date | None = None
    if later:
        try:
            amendment_date = _to_date(later[0])
        except ValueError:
            raise IngestError(
                f"amendment date {later[0].group(0)!r} is not a calendar date", file=path, line=line
            ) from None
        if amendment_date < pooling:
            warnings.append(
                f"line {line}: amendment dated {amendment_date} precedes the pooling agreement {pooling}"
            )
    else:
        warnings.append(f"line {line}: agreement is amended but the amendment is undated: {text!r}")
    return pooling, amendment_date, inner


def split_parties(text: str) -> list[str]:
    """Split a parties cell into names: "A, Inc., B, N.A. and C" -> ["A, Inc.", "B, N.A.", "C"].

    Pieces are separated by ", " and " and "; a piece that is only a corporate suffix ("Inc.", "N.A.") is
    glued back to the name before it. A piece that does not look like the start of a name (lower case)
    is glued back too, with the separator it was split on.
    """
    text = _squash(text).strip(" ,;")
    if not text:
        return []
    pieces = re.split(r"(,\s*|\s+and\s+|\s*&\s*)", text)
    names: list[str] = []
    separator = ""
    for i, piece in enumerate(pieces):
        if i % 2 == 1:
            separator = piece
            continue
        piece = piece.strip()
        if not piece:
            continue
        if names and (_SUFFIX_RE.match(piece) or not piece[0].isupper() and not piece[0].isdigit()):
            glue = ", " if separator.strip() == "," else f" {separator.strip()} "
            names[-1] = f"{names[-1]}{glue}{piece}"
        else:
            names.append(piece)
    return names


def _check_rows(series: list[SeriesEntry], warnings: list[str]) -> None:
    seen: dict[str, int] = {}
    for entry in series:
        if entry.label in seen:
            warnings.append(
                f"line {entry.source_line}: series {entry.label!r} listed again (first on line {seen[entry.label]})"
            )
        else:
            seen[entry.label] = entry.source_line
        if entry.year != entry.pooling_agreement_date.year:
            warnings.append(
                f"line {entry.source_line}: series {entry.label!r} but pooling agreement dated "
                f"{entry.pooling_agreement_date.isoformat()}"
            )
