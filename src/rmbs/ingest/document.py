"""An EDGAR plain-text filing as numbered lines.

Line numbers are 1-based and refer to the file exactly as filed, so every fact read from it can cite the seed
line (``L3840``). EDGAR SGML markers (``<PAGE>``, ``<TABLE>``, ``<CAPTION>``, ``<S> <C>`` rows) are kept in the
line list -- parsers skip them with :func:`is_markup` -- so numbering never shifts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rmbs.errors import IngestError

_MARKUP = re.compile(
    r"^\s*(</?(PAGE|TABLE|CAPTION|FN|DOCUMENT|TEXT|TYPE|SEQUENCE|FILENAME|DESCRIPTION)>|<[SC]>).*$", re.I
)
_WS = re.compile(r"\s+")

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
DATE_WORDS = re.compile(
    r"(January|February|March|April|May|June|July|August|September|October|November|December)\s+(\d{1,2}),\s*(\d{4})"
)


def is_markup(line: str) -> bool:
    """EDGAR SGML tag lines that carry no content of the agreement."""
    return bool(_MARKUP.match(line))


def squeeze(text: str) -> str:
    """Collapse runs of white space (the filings justify text with extra spaces: ``Bankruptcy   Loss``)."""
    return _WS.sub(" ", text).strip()


@dataclass(frozen=True)
class Document:
    path: Path
    lines: tuple[str, ...]

    @property
    def name(self) -> str:
        return str(self.path)

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` ('' past the end)."""
        return self.lines[number - 1] if 1 <= number <= len(self.lines) else ""

    def __len__(self) -> int:
        return len(self.lines)

    def find(self, pattern: re.Pattern[str] | str, start: int = 1, end: int | None = None) -> int | None:
        """First 1-based line number at or after ``start`` whose text matches ``pattern`` (``re.search``)."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        stop = len(self.lines) if end is None else min(end, len(self.lines))
        for n in range(max(start, 1), stop + 1):
            if rx.search(self.lines[n - 1]):
                return n
        return None

    def find_all(self, pattern: re.Pattern[str] | str, start: int = 1, end: int | None = None) -> list[int]:
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        stop = len(self.lines) if end is None else min(end, len(self.lines))
        return [n for n in range(max(start, 1), stop + 1) if rx.search(self.lines[n - 1])]

    def error(self, message: str, line: int | None = None, expected: str | None = None) -> IngestError:
        return IngestError(message, file=self.path, line=line, expected=expected)


def load_document(path: Path, text: str | None = None) -> Document:
    """Read a filing. Bytes that are not UTF-8 are read as Latin-1 (EDGAR text of that era is ASCII)."""
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise IngestError(f"cannot read the file: {exc.strerror or exc}", file=path) from exc
        if b"\x00" in raw[:4096]:
            raise IngestError("not a text filing (binary content)", file=path, expected="EDGAR plain text")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    lines = tuple(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return Document(Path(path), lines)
