"""The annual statement as to compliance (Section 3.18): the servicer's officer's certificate with its Exhibit I.

What may be certified is decided by the ledger. A trust administrator keeps, in the ledger, a **registry of the
series it administers** (table ``administered_series``: the Exhibit I facts of each series -- parties, pooling
agreement date, amendment -- and the month of its first Distribution Date):

* a series whose trust is in this ledger (``deal_id``; linked automatically when the deal's series and depositor
  match) is evidenced by its postings: every Distribution Date of the year must be posted and reconciled to the
  cent (``reconciliation.difference == 0`` for every group);
* a series administered in another system is evidenced by the periods recorded for it (table ``series_periods``,
  ``rmbs report attest``): each Distribution Date of the year must be recorded ``reconciled``, with who recorded it,
  when and a reference (the other system's report, a file hash).

``rmbs report compliance --year Y --series LIST`` takes the list of series to certify (a seed certificate, the
``series.json`` written by ``rmbs ingest CERT.txt``, or a JSON list of series) and certifies, on Exhibit I, each
listed series that is registered and fully evidenced for the year. A listed series that is not administered here,
or has a Distribution Date in the year not posted / not reconciled, is not certified: it is listed on Exhibit II
with the reason, and the statement says so. Distribution Dates after a trust's pool is paid down are not expected.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError, ProgrammingError

from rmbs.admin import tables as t
from rmbs.admin.ledger import connect, migrate
from rmbs.deal.library import load_facts
from rmbs.deal.loader import load_deal
from rmbs.errors import RmbsError
from rmbs.ingest.certificates import SeriesEntry, parse_officer_certificate, split_parties
from rmbs.report.source import ReportError, check_period, open_ledger


# ------------------------------------------------------------------------------------------------ the input list
@dataclass
class SeriesList:
    """The series to certify and, when read from a certificate, its officer, servicer and date."""

    series: list[SeriesEntry]
    source: str
    officer_name: str | None = None
    officer_title: str | None = None
    servicer: str | None = None
    dated: dt.date | None = None
    year: int | None = None


def _entry(d: dict[str, Any], i: int, path: Path) -> SeriesEntry:
    try:
        parties = d["parties"]
        if isinstance(parties, str):
            parties = split_parties(parties)
        amendment = d.get("amendment_date")
        label = d.get("label") or d["series"]
        prefix = d.get("prefix")
        series = d.get("series") or label
        if prefix is None and " " in label:
            prefix, series = label.split(" ", 1)
        return SeriesEntry(
            series=series,
            prefix=prefix,
            year=int(d.get("year") or series[:4]),
            parties=list(parties),
            pooling_agreement_date=dt.date.fromisoformat(d["pooling_agreement_date"]),
            amendment_date=dt.date.fromisoformat(amendment) if amendment else None,
            amendment_text=d.get("amendment_text"),
            source_line=int(d.get("source_line") or i + 1),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise ReportError(
            f"series {i + 1} cannot be read: {exc}",
            file=path,
            expected="label or series, parties, pooling_agreement_date (YYYY-MM-DD), optional amendment_date",
        ) from None


def read_series_list(path: str | Path) -> SeriesList:
    """A Section 3.18 certificate (text), its ``series.json``, or a JSON list of series."""
    path = Path(path)
    if not path.is_file():
        raise ReportError("series list not found", file=path)
    if path.suffix.lower() != ".json":
        facts = parse_officer_certificate(path)
        return SeriesList(
            facts.series,
            str(path),
            facts.officer_name,
            facts.officer_title,
            facts.servicer,
            facts.dated,
            facts.year_covered,
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ReportError(f"not JSON: {exc}", file=path) from None
    rows = data.get("series") if isinstance(data, dict) else data
    if not isinstance(rows, list) or not rows:
        raise ReportError("no series listed", file=path, expected='a list of series or {"series": [...]}')
    out = SeriesList([_entry(r, i, path) for i, r in enumerate(rows)], str(path))
    if isinstance(data, dict):
        out.officer_name = data.get("officer_name")
        out.officer_title = data.get("officer_title")
        out.servicer = data.get("servicer")
        out.dated = dt.date.fromisoformat(data["dated"]) if data.get("dated") else None
        out.year = data.get("year_covered")
    return out


# ------------------------------------------------------------------------------------------------ the registry
def _month_after(d: dt.date) -> str:
    y, m = (d.year + 1, 1) if d.month == 12 else (d.year, d.month + 1)
    return f"{y:04d}-{m:02d}"


def _months(start: str, end: str) -> list[str]:
    y, m = (int(x) for x in start.split("-"))
    out = []
    while f"{y:04d}-{m:02d}" <= end:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _ranges(months: list[str]) -> str:
    """'2003-04 to 2003-12, 2003-02' style: consecutive months collapsed."""
    if not months:
        return ""
    parts: list[str] = []
    start = prev = months[0]
    for m in months[1:] + [""]:
        if m and _months(prev, m)[1:2] == [m]:
            prev = m
            continue
        parts.append(start if start == prev else f"{start} to {prev}")
        start = prev = m
    return ", ".join(parts)


def _trust_links(conn: Any) -> dict[tuple[str, str], str]:
    """(series, depositor) -> deal_id for the trusts of this ledger."""
    links = {}
    for (deal_id,) in conn.execute(select(t.trusts.c.deal_id)):
        try:
            facts = load_facts(load_deal(deal_id).library)
        except RmbsError:
            continue
        links[(str(facts.get("series")), str(facts.get("parties", {}).get("depositor", "")))] = deal_id
    return links


def _facts(e: SeriesEntry) -> dict[str, Any]:
    return {
        "series": e.series,
        "prefix": e.prefix,
        "parties": json.dumps(e.parties),
        "pooling_agreement_date": e.pooling_agreement_date,
        "amendment_date": e.amendment_date,
        "amendment_text": e.amendment_text,
    }


def register_series(
    db: str | None,
    entries: list[SeriesEntry],
    *,
    by: str | None = None,
    source: str | None = None,
    links: dict[str, str] | None = None,
    replace: bool = False,
) -> list[str]:
    """Add series to the ledger's registry of administered series; returns one line per series."""
    engine = connect(db)
    who = by or getpass.getuser()
    out: list[str] = []
    try:
        migrate(engine)
        with engine.begin() as conn:
            auto = _trust_links(conn)
            trusts = {r.deal_id for r in conn.execute(select(t.trusts.c.deal_id))}
            for e in entries:
                deal_id = (links or {}).get(e.label)
                if deal_id is None and e.prefix is None:
                    deal_id = auto.get((e.series, e.parties[0] if e.parties else ""))
                if deal_id is not None and deal_id not in trusts:
                    raise ReportError(
                        f"series {e.label}: trust {deal_id} is not in this ledger (run `rmbs admin init {deal_id}`)",
                        field="deal",
                    )
                first = (
                    load_deal(deal_id).first_distribution_date.strftime("%Y-%m")
                    if deal_id
                    else _month_after(e.pooling_agreement_date)
                )
                values = dict(_facts(e), deal_id=deal_id, first_distribution=first)
                row = conn.execute(
                    select(t.administered_series).where(t.administered_series.c.label == e.label)
                ).first()
                if row is None:
                    conn.execute(
                        insert(t.administered_series).values(
                            label=e.label,
                            registered_by=who,
                            registered_at=dt.datetime.now(dt.UTC),
                            source=source,
                            **values,
                        )
                    )
                    out.append(f"registered {e.label}" + (f" (trust {deal_id})" if deal_id else ""))
                    continue
                same = all(getattr(row, k) == v for k, v in values.items())
                if same:
                    out.append(f"{e.label} already registered")
                elif replace:
                    conn.execute(
                        update(t.administered_series)
                        .where(t.administered_series.c.id == row.id)
                        .values(**values)
                    )
                    out.append(f"updated {e.label}")
                else:
                    diff = [k for k, v in values.items() if getattr(row, k) != v]
                    raise ReportError(
                        f"series {e.label} is registered with different {', '.join(diff)}; use --replace",
                        field="series",
                    )
        return out
    finally:
        engine.dispose()


def record_periods(
    db: str | None,
    labels: list[str],
    start: str,
    end: str,
    *,
    status: str = "reconciled",
    by: str | None = None,
    reference: str | None = None,
) -> list[str]:
    """Record periods of series administered outside this ledger as reconciled (or unreconciled)."""
    check_period(start)
    check_period(end)
    if status not in ("reconciled", "unreconciled"):
        raise ReportError(f"unknown status {status!r}", field="status", expected="reconciled | unreconciled")
    if end < start:
        raise ReportError(f"period range {start} to {end} is empty", field="period")
    who = by or getpass.getuser()
    engine = open_ledger(db)
    out = []
    try:
        migrate(engine)
        with engine.begin() as conn:
            for label in labels:
                row = conn.execute(
                    select(t.administered_series).where(t.administered_series.c.label == label)
                ).first()
                if row is None:
                    raise ReportError(
                        f"series {label} is not registered: run `rmbs report register`", field="series"
                    )
                if row.deal_id:
                    out.append(
                        f"{label}: skipped, the trust {row.deal_id} of this ledger is evidenced by its postings"
                    )
                    continue
                months = _months(start, end)
                existing = {
                    r.period_label
                    for r in conn.execute(
                        select(t.series_periods.c.period_label).where(t.series_periods.c.series_id == row.id)
                    )
                }
                now = dt.datetime.now(dt.UTC)
                for m in months:
                    vals = {"status": status, "recorded_by": who, "recorded_at": now, "reference": reference}
                    if m in existing:
                        conn.execute(
                            update(t.series_periods)
                            .where(
                                t.series_periods.c.series_id == row.id, t.series_periods.c.period_label == m
                            )
                            .values(**vals)
                        )
                    else:
                        conn.execute(
                            insert(t.series_periods).values(series_id=row.id, period_label=m, **vals)
                        )
                out.append(f"{label}: {start} to {end} recorded {status}")
        return out
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------------ the certificate
@dataclass
class NotCertified:
    entry: SeriesEntry
    reason: str


@dataclass
class ComplianceCertificate:
    year: int
    dated: dt.date
    officer_name: str | None
    officer_title: str | None
    servicer: str
    depositor: str
    certified: list[SeriesEntry]
    exceptions: list[NotCertified]
    evidence: dict[str, str] = field(default_factory=dict)  # label -> how the year is evidenced
    source: str = ""


def long_date(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def date_cell(e: SeriesEntry) -> str:
    text = long_date(e.pooling_agreement_date)
    if e.amendment_text:
        text += f", {e.amendment_text}"
    return text


def _evidence_linked(conn: Any, deal_id: str, months: list[str]) -> tuple[list[str], list[str]]:
    trust = conn.execute(select(t.trusts).where(t.trusts.c.deal_id == deal_id)).first()
    posted = {
        p.period_label: p
        for p in conn.execute(
            select(t.postings).where(t.postings.c.trust_id == trust.id, t.postings.c.status == "posted")
        )
    }
    missing, unreconciled = [], []
    retired_after: str | None = None
    for label in sorted(posted):
        rec = list(
            conn.execute(select(t.reconciliation).where(t.reconciliation.c.posting_id == posted[label].id))
        )
        if rec and sum(r.pool_balance for r in rec) == 0:
            retired_after = label
            break
    for m in months:
        if retired_after is not None and m > retired_after:
            break
        p = posted.get(m)
        if p is None:
            missing.append(m)
            continue
        rec = list(conn.execute(select(t.reconciliation).where(t.reconciliation.c.posting_id == p.id)))
        if not rec or any(r.difference != 0 for r in rec):
            unreconciled.append(m)
    return missing, unreconciled


def _evidence_external(conn: Any, series_id: int, months: list[str]) -> tuple[list[str], list[str]]:
    status = {
        r.period_label: r.status
        for r in conn.execute(select(t.series_periods).where(t.series_periods.c.series_id == series_id))
    }
    missing = [m for m in months if m not in status]
    unreconciled = [m for m in months if status.get(m) == "unreconciled"]
    return missing, unreconciled


def build_compliance(
    db: str | None,
    year: int,
    series: SeriesList,
    *,
    dated: dt.date | None = None,
    officer_name: str | None = None,
    officer_title: str | None = None,
    servicer: str | None = None,
) -> ComplianceCertificate:
    if not 1900 <= year <= 2100:
        raise ReportError(f"year {year} out of range", field="year")
    engine = open_ledger(db)
    certified: list[SeriesEntry] = []
    exceptions: list[NotCertified] = []
    evidence: dict[str, str] = {}
    try:
        with engine.connect() as conn:
            try:
                registry = {r.label: r for r in conn.execute(select(t.administered_series))}
            except (OperationalError, ProgrammingError):  # a ledger before migration 0002 has no registry
                raise ReportError(
                    "this ledger has no registry of administered series: run `rmbs report register`",
                    field="db",
                ) from None
            for e in series.series:
                row = registry.get(e.label)
                if row is None:
                    exceptions.append(NotCertified(e, "not administered by this ledger (not registered)"))
                    continue
                if (
                    json.loads(row.parties) != e.parties
                    or row.pooling_agreement_date != e.pooling_agreement_date
                ):
                    exceptions.append(
                        NotCertified(
                            e, "the registry's parties or pooling agreement date differ from the list"
                        )
                    )
                    continue
                start = max(row.first_distribution, f"{year:04d}-01")
                months = _months(start, f"{year:04d}-12") if start <= f"{year:04d}-12" else []
                if row.deal_id:
                    missing, unrec = _evidence_linked(conn, row.deal_id, months)
                    how = f"trust {row.deal_id}: postings"
                else:
                    missing, unrec = _evidence_external(conn, row.id, months)
                    how = "recorded periods"
                reasons = []
                if missing:
                    reasons.append(f"Distribution Dates not posted: {_ranges(missing)}")
                if unrec:
                    reasons.append(f"not reconciled: {_ranges(unrec)}")
                if reasons:
                    exceptions.append(NotCertified(e, "; ".join(reasons)))
                else:
                    certified.append(e)
                    evidence[e.label] = (
                        f"{how} {months[0]} to {months[-1]} reconciled"
                        if months
                        else f"no Distribution Date in {year}"
                    )
    finally:
        engine.dispose()
    depositor = series.series[-1].parties[0] if series.series and series.series[-1].parties else ""
    return ComplianceCertificate(
        year=year,
        dated=dated or series.dated or dt.date.today(),
        officer_name=officer_name or series.officer_name,
        officer_title=officer_title or series.officer_title,
        servicer=servicer or series.servicer or (series.series[0].parties[1] if series.series else ""),
        depositor=depositor,
        certified=certified,
        exceptions=exceptions,
        evidence=evidence,
        source=series.source,
    )


# ------------------------------------------------------------------------------------------------ rendering
def statement_text(c: ComplianceCertificate) -> str:
    who = (
        f"{c.officer_name}, {c.officer_title} of "
        if c.officer_name and c.officer_title
        else "the undersigned, an officer of "
    )
    text = (
        f'I, {who}{c.servicer}, as servicer (the "Servicer"), hereby certify pursuant to Section 3.18 of the '
        f'Pooling and Servicing Agreements listed on Exhibit I hereto (collectively, the "Agreements") that: (a) a '
        f"review of the activities of the Servicer during calendar year {c.year} and of the performance of the "
        f"Servicer under the Agreements has been made under my supervision, and (b) to the best of my knowledge, "
        f"based on such review, the Servicer has fulfilled all its obligations under the Agreements throughout "
        f"calendar year {c.year}."
    )
    return text


def exceptions_text(c: ComplianceCertificate) -> str:
    if not c.exceptions:
        return ""
    return (
        f"This certificate does not cover the {len(c.exceptions)} series listed on Exhibit II, for which the "
        f"Distribution Dates of calendar year {c.year} stated there were not posted or not reconciled, or which "
        f"are not administered by the Servicer's records."
    )


def _wrap(text: str, width: int) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    return lines + ([cur] if cur else [])


def _parties_text(parties: list[str]) -> str:
    if len(parties) <= 1:
        return "".join(parties)
    return ", ".join(parties[:-1]) + " and " + parties[-1]


def compliance_txt(c: ComplianceCertificate) -> str:
    """Plain text in the EDGAR layout of the seed certificates (a ``<TABLE>`` Exhibit I), so that
    :func:`rmbs.ingest.certificates.parse_officer_certificate` reads it back."""
    center = lambda s: s.center(80).rstrip()  # noqa: E731
    out = [
        "",
        center(c.depositor.upper()),
        center("MORTGAGE PASS-THROUGH CERTIFICATES,"),
        center("SERIES SET FORTH ON EXHIBIT I HERETO"),
        center("OFFICER'S CERTIFICATE PURSUANT TO SECTION 3.18"),
        center("OF THE AGREEMENTS LISTED ON EXHIBIT I HERETO"),
        "",
    ]
    body = _wrap("\u00b6" * 11 + " " + statement_text(c), 80)  # first line indented by 12
    out += [" " * 12 + body[0][12:]] + body[1:]
    if c.exceptions:
        out += [""] + _wrap(exceptions_text(c), 80)
    pad = " " * 49
    out += [
        "",
        f"Dated:  {long_date(c.dated)}",
        "",
        f"{pad}{c.servicer.upper()},",
        f"{pad} as Servicer",
        f"{pad}By:  {'/S/ ' + c.officer_name if c.officer_name else '______________________'}",
        f"{pad}Name:  {c.officer_name or ''}",
        f"{pad}Title:    {c.officer_title or ''}",
        "",
        "",
        "<PAGE>",
        "",
        "EXHIBIT I".center(80).rstrip(),
        "",
        "<TABLE>",
        "<CAPTION>",
        f"{'PARTIES':<94}{'DATE OF POOLING AGREEMENT':<31}SERIES",
        f"{'=' * 89}     {'=' * 28}   {'=' * 6}",
        f"{'<S>':<94}{'<C>':<31}<C>",
    ]
    for e in c.certified:
        parties = _wrap(_parties_text(e.parties), 89)
        dates = _wrap(date_cell(e), 29)
        n = max(len(parties), len(dates))
        parties += [""] * (n - len(parties))
        dates += [""] * (n - len(dates))
        for i in range(n):
            line = f"{parties[i]:<94}{dates[i]:<31}"
            if i == 0:
                line += e.label
            out.append(line.rstrip())
        out.append("")
    out.append("</TABLE>")
    if c.exceptions:
        out += ["", "<PAGE>", "", "EXHIBIT II".center(80).rstrip(), "", "SERIES NOT CERTIFIED", ""]
        for x in c.exceptions:
            out.append(
                f"Series {x.entry.label} (pooling agreement dated {long_date(x.entry.pooling_agreement_date)}):"
            )
            out += ["    " + line for line in _wrap(x.reason, 76)]
    return "\n".join(out) + "\n"


def compliance_json(c: ComplianceCertificate) -> str:
    return json.dumps(
        {
            "year": c.year,
            "dated": c.dated.isoformat(),
            "officer_name": c.officer_name,
            "officer_title": c.officer_title,
            "servicer": c.servicer,
            "statement": statement_text(c),
            "certified": [dict(e.to_json_dict(), evidence=c.evidence.get(e.label)) for e in c.certified],
            "exceptions": [dict(x.entry.to_json_dict(), reason=x.reason) for x in c.exceptions],
            "source": c.source,
        },
        indent=2,
    )


FORMATS = ("html", "pdf", "txt", "json")


def render_compliance(c: ComplianceCertificate, fmt: str) -> str | bytes:
    from rmbs.report.render import check_format, html_to_pdf, render_template

    check_format(fmt, FORMATS)
    if fmt == "txt":
        return compliance_txt(c)
    if fmt == "json":
        return compliance_json(c)
    html = render_template(
        "compliance.html.j2",
        c=c,
        statement=statement_text(c),
        exceptions=exceptions_text(c),
        date_cell=date_cell,
        parties_text=_parties_text,
        long_date=long_date,
    )
    return html if fmt == "html" else html_to_pdf(html)
