"""Rendering: jinja2 HTML (one stylesheet for every report), PDF through WeasyPrint, CSV of the flat item list."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from rmbs.errors import RmbsError

FORMATS = ("html", "pdf", "csv")


def usd(cents: int | None, blank_zero: bool = False) -> str:
    if cents is None:
        return ""
    if blank_zero and cents == 0:
        return "-"
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}.{frac:02d}"


def dec(value: Decimal | None, places: int | None = None) -> str:
    if value is None:
        return ""
    if places is not None:
        return f"{value:,.{places}f}"
    return f"{value:,}"


def pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}%"


def long_date(d: date | datetime | None) -> str:
    if d is None:
        return ""
    return f"{d:%B} {d.day}, {d.year}"


def env() -> Environment:
    e = Environment(
        loader=PackageLoader("rmbs.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    e.filters.update(usd=usd, dec=dec, pct=pct, long_date=long_date)
    return e


def stylesheet() -> str:
    return (Path(__file__).parent / "templates" / "report.css").read_text()


def render_template(name: str, **ctx: Any) -> str:
    return env().get_template(name).render(css=stylesheet(), **ctx)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=str(Path(__file__).parent / "templates")).write_pdf())


def csv_text(header: list[str], rows: list[list[Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    if fmt not in allowed:
        raise RmbsError(f"unknown format {fmt!r}", field="format", expected=" | ".join(allowed))
    return fmt


def render_document(fmt: str, as_csv: Callable[[], str], as_html: Callable[[], str]) -> str | bytes:
    """One report as ``fmt`` (html | pdf | csv): its CSV text, its HTML, or the HTML as a PDF."""
    check_format(fmt)
    if fmt == "csv":
        return as_csv()
    page = as_html()
    return page if fmt == "html" else html_to_pdf(page)


def write_output(out: Path, content: str | bytes) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    return out


def value_text(value: Any, unit: str) -> str:
    """A figure as written in the CSV: dollars with two decimals, percentages and rates as exact decimals."""
    if value is None:
        return ""
    if unit == "usd":
        return f"{Decimal(int(value)) / 100:.2f}"
    return str(value)
