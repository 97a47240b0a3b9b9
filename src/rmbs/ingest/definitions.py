"""Section 1.01 defined terms, each with its text and first and last seed line.

Both seed PSAs set every definition as a paragraph whose first line is indented exactly twelve spaces and starts
with the term followed by a colon (``            Cut-Off Date: March 1, 2002.``); continuation lines are flush
left. The section runs from the ``Section 1.01 Defined Terms`` heading to the ``Section 1.02`` heading.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from rmbs.ingest.document import Document, is_markup, squeeze

_SEC_101 = re.compile(r"^\s+Section 1\.01\.?\s+Defined Terms")
_SEC_102 = re.compile(r"^\s+Section 1\.02\.?\s+\S")
_TERM = re.compile(r"^ {12}(?P<term>[0-9A-Z\"][^:]{0,120}?):\s*(?P<rest>.*)$")
_HEADING = re.compile(r"^\s*(ARTICLE [IVXL]+|DEFINITIONS)\s*$")


@dataclass(frozen=True)
class Definition:
    term: str
    text: str
    first_line: int
    last_line: int

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def parse_definitions(doc: Document) -> list[Definition]:
    """All defined terms of Section 1.01, in filing order."""
    start = doc.find(_SEC_101)
    if start is None:
        raise doc.error(
            "no 'Section 1.01 Defined Terms' heading", expected="a PSA with Article I definitions"
        )
    end = doc.find(_SEC_102, start + 1)
    if end is None:
        raise doc.error("Section 1.01 never ends", line=start, expected="a 'Section 1.02' heading after it")
    out: list[Definition] = []
    term: str | None = None
    body: list[str] = []
    first = last = 0

    def flush() -> None:
        if term is not None:
            out.append(Definition(squeeze(term).strip('"'), squeeze(" ".join(body)), first, last))

    for n in range(start + 1, end):
        line = doc.line(n)
        if not line.strip() or is_markup(line) or _HEADING.match(line):
            continue
        m = _TERM.match(line)
        if m and not line[12:].startswith(("(", "Section")):
            flush()
            term, body, first, last = m.group("term"), [m.group("rest")], n, n
        elif term is not None:
            body.append(line)
            last = n
    flush()
    if not out:
        raise doc.error("Section 1.01 holds no definitions", line=start, expected="'Term: text' paragraphs")
    return out


def definitions_by_term(defs: list[Definition]) -> dict[str, Definition]:
    return {d.term: d for d in defs}
