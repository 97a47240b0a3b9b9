from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pytest

from rmbs.admin.ledger import history, init_trust, post_remittance
from rmbs.admin.remittance import group_collections, period_label, read_remittance, trust_terms
from rmbs.admin.simulate import simulate
from rmbs.deal.loader import load_deal
from rmbs.waterfall.engine import WaterfallEngine
from rmbs.waterfall.run import parse_index_path
from tests.admin.helpers import edit, table_counts


@pytest.mark.parametrize("deal_id", ["boams-2002-3", "boams-2000-2"])
def test_24_months_posted_equal_the_waterfall_run_outside_the_ledger(
    deal_id: str, ledger_url: str, tmp_path: Path
) -> None:
    paths = simulate(deal_id, 24, tmp_path / "rem", seed=11, default="2CDR", delinquency=3)
    init_trust(deal_id, ledger_url)
    deal = load_deal(deal_id)
    terms, _ = trust_terms(deal)
    engine = WaterfallEngine(deal)
    index = parse_index_path(None)
    state = engine.initial_state()
    posted = []
    for n, p in enumerate(paths, start=1):
        out = post_remittance(deal_id, p, ledger_url, by="test")
        posted.extend(out.results)
        _pools, inputs = group_collections(deal, read_remittance(p), terms, n, deal.first_distribution_date)
        state, expected = engine.run_period(state, inputs, index.at(n))
        # the ledger's stored class rows equal the outside run to the cent
        assert {k: asdict(v) for k, v in out.results[0].classes.items()} == {
            k: asdict(v) for k, v in expected.classes.items()
        }
    h = history(deal_id, ledger_url)
    assert [p["label"] for p in h["periods"]] == [period_label(deal, n) for n in range(1, 25)]
    last = h["periods"][-1]["classes"]
    assert {k: v["balance"] for k, v in last.items()} == {
        k: c.ending_balance for k, c in expected.classes.items()
    }
    for p, r in zip(h["periods"], posted, strict=True):
        assert p["principal_paid"] == sum(c.principal_paid for c in r.classes.values())
        assert p["interest_paid"] == sum(c.interest_paid for c in r.classes.values())
        assert p["collections"] == p["distributions"] + p["fees"]
    c = table_counts(ledger_url)
    assert c["postings"] == 24 and c["state_snapshots"] == 24


def test_same_file_again_is_a_noop_and_restate_keeps_the_prior_version(
    ledger_url: str, tmp_path: Path
) -> None:
    deal_id = "boams-2000-2"
    paths = simulate(deal_id, 3, tmp_path / "a", seed=1)

    def more_interest(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        rows[0]["scheduled_interest"] = f"{Decimal(rows[0]['scheduled_interest']) + 100:.2f}"
        return rows

    alt2 = edit(paths[1], tmp_path / "b" / "p2.csv", more_interest)
    init_trust(deal_id, ledger_url)
    for p in paths:
        post_remittance(deal_id, p, ledger_url)
    before = table_counts(ledger_url)
    assert "nothing to do" in post_remittance(deal_id, paths[2], ledger_url).message
    assert table_counts(ledger_url) == before
    from rmbs.errors import ValidationError

    with pytest.raises(ValidationError, match="already posted from a different file"):
        post_remittance(deal_id, alt2, ledger_url)
    assert table_counts(ledger_url) == before
    old = history(deal_id, ledger_url)
    out = post_remittance(deal_id, alt2, ledger_url, restate=True, by="restater")
    assert "restated" in out.message and "re-ran 1 later" in out.message
    after = table_counts(ledger_url)
    assert after["postings"] == before["postings"] + 2
    h = history(deal_id, ledger_url)
    assert h["superseded"] == 2 and len(h["periods"]) == 3
    assert [p["posted_by"] for p in h["periods"][1:]] == ["restater", "restater"]
    assert h["periods"][1]["collections"] == old["periods"][1]["collections"] + 10000
    assert h["periods"][0] == old["periods"][0]


def test_admin_demo_posts_twelve_months(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    from rmbs.admin.demo import run_admin_demo

    buf = StringIO()
    ledger = run_admin_demo(tmp_path, Console(file=buf, width=200), months=12)
    text = buf.getvalue()
    assert "posted boams-2002-3 period 2003-03" in text and "class balances and factors" in text
    assert table_counts(f"sqlite:///{ledger}")["postings"] == 12
