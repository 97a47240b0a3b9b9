"""Bad filings get exit code 2 and one message naming the file, the line and what was expected."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from rmbs.cli import app
from rmbs.errors import IngestError
from rmbs.ingest.document import load_document
from rmbs.ingest.run import ingest_psa
from tests.conftest import PSA_2000_2, PSA_2002_3


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def _run_cli(tmp_path: Path, text: str, name: str = "filing.txt") -> tuple[int, str]:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["ingest", str(f), "--out", str(tmp_path / "out")])
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        # the library raised: the console entry point turns RmbsError into exit 2
        assert isinstance(res.exception, IngestError), repr(res.exception)
        return 2, res.exception.render()
    return res.exit_code, res.output


def test_neither_psa_nor_certificate_is_refused(tmp_path: Path) -> None:
    code, msg = _run_cli(tmp_path, "Quarterly report\n\nNothing to see here.\n")
    assert code == 2
    assert "filing.txt:1" in msg and "neither a pooling and servicing agreement" in msg
    assert not (tmp_path / "out").exists()


def test_truncated_loan_table_names_the_line(tmp_path: Path, seeds: Path) -> None:
    lines = _lines(PSA_2002_3)
    cut = lines[:10400]  # inside block A of Exhibit D-1 (rows L10014-10526)
    code, msg = _run_cli(tmp_path, "\n".join(cut))
    assert code == 2
    assert "truncated loan table" in msg
    assert re.search(r"filing\.txt:\d+", msg)


def test_unparseable_schedule_row_names_its_line(tmp_path: Path, seeds: Path) -> None:
    lines = _lines(PSA_2002_3)
    n = 10540  # a block B row of Exhibit D-1
    assert lines[n - 1].startswith("6")
    lines[n - 1] = lines[n - 1].replace("  360  ", "  36O  ", 1)
    code, msg = _run_cli(tmp_path, "\n".join(lines))
    assert code == 2
    assert f"filing.txt:{n}" in msg
    assert "expected loan number, 1st payment date" in msg


def test_bad_class_row_names_its_line(tmp_path: Path, seeds: Path) -> None:
    lines = _lines(PSA_2000_2)
    n = next(i for i, text in enumerate(lines, 1) if text.startswith("Class A-5 "))
    lines[n - 1] = lines[n - 1].replace("7.875%", "7.875 pct")
    code, msg = _run_cli(tmp_path, "\n".join(lines))
    assert code == 2
    assert f"filing.txt:{n}" in msg and "class row" in msg


def test_console_script_prints_one_line_not_a_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    f = tmp_path / "junk.txt"
    f.write_text("hello\n")
    proc = subprocess.run(
        [sys.executable, "-m", "rmbs.cli", "ingest", str(f), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "junk.txt:1" in proc.stderr


# ------------------------------------------------------------------------------------------- property tests
_SEED_LINES: dict[str, list[str]] = {}


def _seed(path: Path) -> list[str]:
    if path.name not in _SEED_LINES:
        _SEED_LINES[path.name] = _lines(path)
    return _SEED_LINES[path.name]


def _parse(lines: list[str]) -> object:
    doc = load_document(Path("mutant.txt"), "\n".join(lines))
    try:
        return ingest_psa(doc)
    except IngestError as exc:
        assert exc.file == "mutant.txt"
        assert exc.render()
        return exc


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.sampled_from([PSA_2002_3, PSA_2000_2]), frac=st.floats(0.0, 1.0))
def test_truncated_seeds_parse_or_fail_cleanly(which: Path, frac: float, seeds: Path) -> None:
    lines = _seed(which)
    _parse(lines[: int(len(lines) * frac)])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from([PSA_2002_3, PSA_2000_2]), seed=st.integers(0, 2**32 - 1), width=st.integers(2, 400)
)
def test_shuffled_seeds_parse_or_fail_cleanly(which: Path, seed: int, width: int, seeds: Path) -> None:
    lines = list(_seed(which))
    rng = random.Random(seed)
    start = rng.randrange(0, len(lines) - width)
    window = lines[start : start + width]
    rng.shuffle(window)
    lines[start : start + width] = window
    _parse(lines)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.sampled_from([PSA_2002_3, PSA_2000_2]),
    seed=st.integers(0, 2**32 - 1),
    hits=st.integers(1, 40),
    junk=st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=6),
)
def test_garbled_seeds_parse_or_fail_cleanly(
    which: Path, seed: int, hits: int, junk: str, seeds: Path
) -> None:
    lines = list(_seed(which))
    rng = random.Random(seed)
    for _ in range(hits):
        i = rng.randrange(len(lines))
        line = lines[i]
        at = rng.randrange(len(line) + 1)
        lines[i] = line[:at] + junk + line[at + rng.randrange(0, 4) :]
    result = _parse(lines)
    if not isinstance(result, IngestError):
        # a parse that succeeds must still hold together: every group reconciled or its failure reported
        assert result.tape.height > 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("which", [PSA_2002_3, PSA_2000_2])
def test_every_single_schedule_line_deleted_is_caught(which: Path, seeds: Path) -> None:
    """Deleting one loan row from any block breaks the block alignment or the footer count: never silent."""
    lines = list(_seed(which))
    rows = [i for i, text in enumerate(lines) if re.match(r"^\d{10}\s", text)]
    rng = random.Random(7)
    for i in rng.sample(rows, 8):
        mutant = lines[:i] + lines[i + 1 :]
        result = _parse(mutant)
        if isinstance(result, IngestError):
            continue
        assert not result.reconciliation.ok  # type: ignore[attr-defined]
