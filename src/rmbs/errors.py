"""One exception hierarchy for rmbs.

Every error names the place at fault -- a file and line, a loan, or a field -- so that a trust administrator can
go straight to the offending input. The CLI turns any :class:`RmbsError` into a one-line message and exit code 2,
never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class RmbsError(Exception):
    """Base class: a problem with input or state that the user can fix."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        loan: str | None = None,
        field: str | None = None,
        expected: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.loan = loan
        self.field = field
        self.expected = expected
        super().__init__(self.render())

    def location(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.loan is not None:
            parts.append(f"loan {self.loan}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def render(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class IngestError(RmbsError):
    """A filing could not be read as a PSA, a loan schedule or an officer's certificate."""


class ValidationError(RmbsError):
    """Input values are out of range or inconsistent (a negative rate, a split not summing to 100%, ...)."""


class AssumptionError(ValidationError):
    """A prepayment, default or loss assumption cannot be understood or is out of range."""


class DealError(RmbsError):
    """A deal file is malformed or inconsistent."""
