"""SIGKILL in the middle of a posting leaves the ledger holding the whole period or none of it; two posters
serialize."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from rmbs.admin import tables as t
from rmbs.admin.ledger import history, init_trust, post_remittance
from rmbs.admin.simulate import simulate
from tests.admin.helpers import edit

WORKER = Path(__file__).with_name("worker.py")
ROOT = Path(__file__).parents[2]


def _spawn(db: str, deal: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen(
        [sys.executable, str(WORKER), db, deal],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _ready(p: subprocess.Popen[str]) -> None:
    assert p.stdout is not None
    assert p.stdout.readline().strip() == "ready"


def _consistent(url: str) -> int:
    """Every posting is complete (its groups, classes, snapshot and reconciliation rows); return how many."""
    engine = create_engine(url)
    with engine.connect() as conn:
        posted = [r.id for r in conn.execute(select(t.postings.c.id).where(t.postings.c.status == "posted"))]
        for table, per in (
            (t.group_periods, 1),
            (t.class_periods, 1),
            (t.state_snapshots, 1),
            (t.reconciliation, 1),
        ):
            n = conn.execute(select(func.count(func.distinct(table.c.posting_id)))).scalar_one()
            assert n == len(posted) * per, table.name
    engine.dispose()
    return len(posted)


def _post_quietly(deal: str, path: Path, url: str) -> None:
    post_remittance(deal, path, url, by="doomed")


def test_sigkill_during_posting_leaves_all_or_nothing(ledger_url: str, tmp_path: Path) -> None:
    """20 trials: a forked posting process (already importing everything, so it starts at once) is SIGKILLed at a
    random moment of its posting; the ledger then holds the whole period or none of it and a re-post succeeds."""
    deal = "boams-2002-3"
    trials = 20
    paths = simulate(deal, trials, tmp_path / "rem", seed=5)
    init_trust(deal, ledger_url)
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(20)
    killed_mid = 0
    for k, path in enumerate(paths):
        proc = ctx.Process(target=_post_quietly, args=(deal, path, ledger_url))
        proc.start()
        time.sleep(rng.uniform(0.0, 0.2))
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join()
        n = _consistent(ledger_url)
        assert n in (k, k + 1)
        killed_mid += n == k
        out = post_remittance(deal, path, ledger_url, by="re-post")
        assert bool(out.posting_ids) == (n == k)
        assert _consistent(ledger_url) == k + 1
    assert [p["period"] for p in history(deal, ledger_url)["periods"]] == list(range(1, trials + 1))
    assert killed_mid > 0  # at least some kills landed before the commit


def _race(url: str, deal: str, files: tuple[Path, Path]) -> list[str]:
    procs = [_spawn(url, deal) for _ in files]
    for p in procs:
        _ready(p)
    for p, f in zip(procs, files, strict=True):
        assert p.stdin is not None
        p.stdin.write(f"{f}\n")
        p.stdin.flush()
    outs = []
    for p in procs:
        assert p.stdin is not None and p.stdout is not None
        outs.append(p.stdout.readline().strip())
        p.stdin.close()
        p.wait()
    return sorted(outs)


def test_two_posters_serialize(ledger_url: str, tmp_path: Path) -> None:
    deal = "boams-2000-2"
    first, second = simulate(deal, 2, tmp_path / "rem", seed=9)
    other = edit(second, tmp_path / "alt" / "p2.csv", lambda rows: rows[::-1])
    init_trust(deal, ledger_url)
    assert _race(ledger_url, deal, (first, first)) == ["noop", "posted"]
    assert _consistent(ledger_url) == 1
    outs = _race(ledger_url, deal, (second, other))
    assert outs[0] == "posted"
    assert outs[1].startswith("refused: period 2000-05 is already posted from a different file")
    assert _consistent(ledger_url) == 2
