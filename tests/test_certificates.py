"""Section 3.18 officer's certificates: the Exhibit I series tables of the two seed filings."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmbs.errors import IngestError
from rmbs.ingest.certificates import (
    CertificateFacts,
    SeriesEntry,
    is_officer_certificate,
    parse_officer_certificate,
)

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
EDGAR_TABLE = "000_72145ec7ad54c583.txt"  # <TABLE> layout, 53 rows
TEXT_TABLE = "001_1b496b0a61acfa02.txt"  # fixed-width, blank-line separated layout, 32 rows

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed filings not found at {SEEDS}")

BOAMS_2002 = ["Bank of America Mortgage Securities, Inc.", "Bank of America, N.A.", "The Bank of New York"]
BOAMS_2003 = ["Banc of America Mortgage Securities, Inc.", "Bank of America, N.A.", "Wells Fargo Bank, N.A."]
AMENDMENT_NO_1 = "as amended by Amendment No. 1, dated January 30, 2004"


def _seed_text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def edgar() -> CertificateFacts:
    return parse_officer_certificate(SEEDS / EDGAR_TABLE)


@pytest.fixture(scope="module")
def text_table() -> CertificateFacts:
    return parse_officer_certificate(SEEDS / TEXT_TABLE)


def _by_line(facts: CertificateFacts, line: int) -> SeriesEntry:
    matches = [entry for entry in facts.series if entry.source_line == line]
    assert len(matches) == 1, f"no single row starting on line {line}"
    return matches[0]


# ----------------------------------------------------------------------------------------------- detection
def test_both_seeds_are_detected_as_certificates() -> None:
    assert is_officer_certificate(_seed_text(EDGAR_TABLE))
    assert is_officer_certificate(_seed_text(TEXT_TABLE))


def test_other_text_is_not_a_certificate() -> None:
    assert not is_officer_certificate("POOLING AND SERVICING AGREEMENT\nSection 3.18 Annual Statement\n")
    assert not is_officer_certificate("OFFICER'S CERTIFICATE PURSUANT TO SECTION 3.18\n(no exhibit)\n")
    assert not is_officer_certificate("")


# ----------------------------------------------------------------------------------------------- counts
def test_row_counts(edgar: CertificateFacts, text_table: CertificateFacts) -> None:
    assert len(edgar.series) == 53
    assert len(text_table.series) == 32


def test_every_row_has_three_parties(edgar: CertificateFacts, text_table: CertificateFacts) -> None:
    for facts in (edgar, text_table):
        for entry in facts.series:
            assert len(entry.parties) == 3, (entry.source_line, entry.parties)
            assert entry.parties in (BOAMS_2002, BOAMS_2003)


# ----------------------------------------------------------------------------------------------- header
@pytest.mark.parametrize("name", [EDGAR_TABLE, TEXT_TABLE])
def test_header_facts(name: str) -> None:
    facts = parse_officer_certificate(SEEDS / name)
    assert facts.section == "3.18"
    assert facts.officer_name == "H. Randall Chestnut"
    assert facts.officer_title == "Senior Vice President"
    assert facts.servicer == "Bank of America, N.A."
    assert facts.year_covered == 2003
    assert facts.dated == dt.date(2004, 3, 18)
    assert facts.file == str(SEEDS / name)


# ----------------------------------------------------------------------------------- seed 000: <TABLE> layout
def test_edgar_first_and_last_rows(edgar: CertificateFacts) -> None:
    first = edgar.series[0]
    assert first == SeriesEntry(
        series="2002-A",
        prefix=None,
        year=2002,
        parties=BOAMS_2002,
        pooling_agreement_date=dt.date(2002, 1, 24),
        amendment_date=None,
        amendment_text=None,
        source_line=37,
    )
    last = edgar.series[-1]
    assert (last.label, last.source_line, last.year) == ("BoALT 2003-11", 136, 2003)
    assert last.parties == BOAMS_2003
    assert last.pooling_agreement_date == dt.date(2003, 12, 23)
    assert last.amendment_date is None


def test_edgar_wrapped_amended_row_2002_10(edgar: CertificateFacts) -> None:
    # "October 24, 2002, as / amended by Amendment No. 1, / dated January 30, 2004   2002-10" on lines 58-60
    row = _by_line(edgar, 58)
    assert (row.series, row.prefix, row.year) == ("2002-10", None, 2002)
    assert row.parties == BOAMS_2002
    assert row.pooling_agreement_date == dt.date(2002, 10, 24)
    assert row.amendment_date == dt.date(2004, 1, 30)
    assert row.amendment_text == AMENDMENT_NO_1
    # the blank line before it and the 2002 rows after the blank do not merge
    assert _by_line(edgar, 56).series == "2002-9"


def test_edgar_boalt_rows(edgar: CertificateFacts) -> None:
    boalt = [entry for entry in edgar.series if entry.prefix == "BoALT"]
    assert [entry.series for entry in boalt] == [f"2003-{i}" for i in range(1, 12)]
    # "dated January 30, 2004 BoALT   2003-1": the prefix sits one space after the date text
    first = _by_line(edgar, 61)
    assert first.label == "BoALT 2003-1"
    assert first.pooling_agreement_date == dt.date(2003, 1, 28)
    assert first.amendment_date == dt.date(2004, 1, 30)
    # one-line BoALT row: "October 27, 2003   BoALT       2003-9"
    assert _by_line(edgar, 129).label == "BoALT 2003-9"
    # same designation without prefix is a different series: "December 23, 2003             2003-10"
    plain = _by_line(edgar, 134)
    assert (plain.label, plain.pooling_agreement_date) == ("2003-10", dt.date(2003, 12, 23))
    assert _by_line(edgar, 133).label == "BoALT 2003-10"


def test_edgar_garbled_series_cell_is_recovered_with_warning(edgar: CertificateFacts) -> None:
    # line 86 reads "January 30, 2004   BoALT 2      003-3"
    row = _by_line(edgar, 84)
    assert (row.prefix, row.series, row.year) == ("BoALT", "2003-3", 2003)
    assert row.pooling_agreement_date == dt.date(2003, 4, 24)
    assert row.amendment_date == dt.date(2004, 1, 30)
    assert edgar.warnings == [
        "line 86: series cell 'BoALT 2      003-3' has its digits split by spaces; read as 'BoALT 2003-3'"
    ]


def test_edgar_parenthesised_amendment(edgar: CertificateFacts) -> None:
    # "January 28, 2003 (as amended, / January 30, 2004)              2003-1"
    row = _by_line(edgar, 67)
    assert (row.label, row.pooling_agreement_date) == ("2003-1", dt.date(2003, 1, 28))
    assert row.amendment_date == dt.date(2004, 1, 30)
    assert row.amendment_text == "as amended, January 30, 2004"
    assert _by_line(edgar, 99).amendment_text == "as amended, January 30, 2004"  # 2003-F


def test_edgar_2002_rows_are_unamended(edgar: CertificateFacts) -> None:
    rows_2002 = [entry for entry in edgar.series if entry.year == 2002]
    assert len(rows_2002) == 21
    assert all(entry.parties == BOAMS_2002 for entry in rows_2002)
    assert [entry.amendment_date for entry in rows_2002].count(None) == 20  # only 2002-10 is amended


# ---------------------------------------------------------------------------------- seed 001: text layout
def test_text_first_and_last_rows(text_table: CertificateFacts) -> None:
    assert text_table.series[0] == SeriesEntry(
        series="2003-1",
        prefix="BoALT",
        year=2003,
        parties=BOAMS_2003,
        pooling_agreement_date=dt.date(2003, 1, 28),
        amendment_date=dt.date(2004, 1, 30),
        amendment_text=AMENDMENT_NO_1,
        source_line=45,
    )
    last = text_table.series[-1]
    assert (last.label, last.source_line) == ("BoALT 2003-11", 190)
    assert last.pooling_agreement_date == dt.date(2003, 12, 23)
    assert last.amendment_text is None


def test_text_wrapped_cells(text_table: CertificateFacts) -> None:
    # "January 28, 2003 (as / amended, January 30, / 2004)" with "2003-1" on the first line
    row = _by_line(text_table, 55)
    assert row.label == "2003-1"
    assert row.amendment_text == "as amended, January 30, 2004"
    # "September 25, 2003, / as amended by / Amendment No. 1, / dated January 30, 2004"
    row = _by_line(text_table, 148)
    assert row.label == "2003-I"
    assert row.pooling_agreement_date == dt.date(2003, 9, 25)
    assert row.amendment_text == AMENDMENT_NO_1
    # three-line row without an amendment: "October 23, 2003   2003-8"
    row = _by_line(text_table, 158)
    assert (row.label, row.pooling_agreement_date, row.amendment_date) == (
        "2003-8",
        dt.date(2003, 10, 23),
        None,
    )


def test_text_boalt_rows_and_no_warnings(text_table: CertificateFacts) -> None:
    assert _by_line(text_table, 84).label == "BoALT 2003-3"
    assert _by_line(text_table, 79).label == "2003-3"
    assert sum(entry.prefix == "BoALT" for entry in text_table.series) == 11
    assert text_table.warnings == []


def test_text_table_repeats_the_2003_rows_of_the_edgar_table(
    edgar: CertificateFacts, text_table: CertificateFacts
) -> None:
    def key(entry: SeriesEntry) -> tuple[object, ...]:
        return (
            entry.label,
            entry.parties,
            entry.pooling_agreement_date,
            entry.amendment_date,
            entry.amendment_text,
        )

    assert [key(e) for e in text_table.series] == [key(e) for e in edgar.series if e.year == 2003]


def test_json_output_round_trips(edgar: CertificateFacts) -> None:
    data = json.loads(json.dumps(edgar.to_json_dict()))
    assert data["dated"] == "2004-03-18"
    assert data["year_covered"] == 2003
    assert len(data["series"]) == 53
    row = next(item for item in data["series"] if item["source_line"] == 58)
    assert row["pooling_agreement_date"] == "2002-10-24"
    assert row["amendment_date"] == "2004-01-30"
    assert row["label"] == "2002-10"
    assert data["warnings"] == edgar.warnings


# ----------------------------------------------------------------------------------------------- errors
def test_missing_exhibit_table_is_an_ingest_error(tmp_path: Path) -> None:
    text = _seed_text(TEXT_TABLE)
    head = text[: text.index("EXHIBIT I\n")]
    with pytest.raises(IngestError) as info:
        parse_officer_certificate(tmp_path / "cert.txt", head)
    assert "Exhibit I" in info.value.message


def test_unparseable_date_names_the_line() -> None:
    text = _seed_text(TEXT_TABLE).replace("October 23, 2003 ", "Octember 23, 2003", 1)
    with pytest.raises(IngestError) as info:
        parse_officer_certificate(Path("cert.txt"), text)
    assert info.value.line == 158
    assert info.value.expected


def test_row_without_series_names_the_line() -> None:
    lines = _seed_text(EDGAR_TABLE).split("\n")
    lines[37] = lines[37].replace("2002-1", "      ")  # line 38
    with pytest.raises(IngestError) as info:
        parse_officer_certificate(Path("cert.txt"), "\n".join(lines))
    assert info.value.line == 38
    assert "no series" in info.value.message


def test_unreadable_file_is_an_ingest_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError):
        parse_officer_certificate(tmp_path / "missing.txt")


def test_generic_split_digit_recovery() -> None:
    text = _seed_text(TEXT_TABLE).replace("2003-L", "20   03-L", 1)
    facts = parse_officer_certificate(Path("cert.txt"), text)
    assert _by_line(facts, 186).label == "2003-L"
    assert facts.warnings == [
        "line 186: series cell '20   03-L' has its digits split by spaces; read as '2003-L'"
    ]


# ------------------------------------------------------------------------------------------ robustness
_SEED_NAMES = [EDGAR_TABLE, TEXT_TABLE]
_GARBLE_CHARS = st.sampled_from(list("aZ09 ,.-()<>\n\t\r=:'/BoALT\x00\u2028\xa0\u00e9"))


def _parse_or_ingest_error(text: str) -> None:
    try:
        facts = parse_officer_certificate(Path("garbled.txt"), text)
    except IngestError as exc:
        assert exc.message
        return
    assert facts.series
    json.dumps(facts.to_json_dict())


@st.composite
def _mutated_seed(draw: st.DrawFn) -> str:
    text = _seed_text(draw(st.sampled_from(_SEED_NAMES)))
    kind = draw(st.sampled_from(["truncate", "shuffle", "swap", "drop", "garble"]))
    lines = text.split("\n")
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if kind == "shuffle":
        return "\n".join(draw(st.permutations(lines)))
    if kind in ("swap", "drop"):
        picks = draw(st.lists(st.integers(0, len(lines) - 1), min_size=1, max_size=8))
        for a, b in zip(picks, reversed(picks), strict=True):
            if kind == "swap":
                lines[a], lines[b] = lines[b], lines[a]
            elif a < len(lines):
                del lines[a]
        return "\n".join(lines)
    chars = list(text)
    edits = draw(
        st.lists(st.tuples(st.integers(0, len(text)), st.integers(0, 2), _GARBLE_CHARS), max_size=40)
    )
    for pos, op, ch in edits:
        pos = min(pos, len(chars))
        if op == 0 and pos < len(chars):
            chars[pos] = ch
        elif op == 1 and pos < len(chars):
            del chars[pos]
        else:
            chars.insert(pos, ch)
    return "".join(chars)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_seed())
def test_mutated_seeds_parse_or_raise_ingest_error(text: str) -> None:
    _parse_or_ingest_error(text)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_parses_or_raises_ingest_error(text: str) -> None:
    header = "OFFICER'S CERTIFICATE PURSUANT TO SECTION 3.18\nDated: March 18, 2004\n\nEXHIBIT I\n"
    _parse_or_ingest_error(header + text)
    _parse_or_ingest_error(text)
