from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from rmbs.admin.remittance import (
    group_collections,
    next_book,
    period_label,
    read_remittance,
    trust_terms,
    validate,
)
from rmbs.admin.simulate import simulate
from rmbs.deal.loader import load_deal
from rmbs.errors import ValidationError
from rmbs.waterfall.engine import WaterfallEngine


def test_simulated_months_validate_roll_and_distribute(tmp_path: Path) -> None:
    deal = load_deal("boams-2002-3")
    paths = simulate("boams-2002-3", 3, tmp_path, seed=3)
    terms, book = trust_terms(deal)
    engine = WaterfallEngine(deal)
    state = engine.initial_state()
    for n, p in enumerate(paths, start=1):
        rem = read_remittance(p)
        validate(rem, book, terms, period_label(deal, n))
        pools, inputs = group_collections(deal, rem, terms, n, deal.first_distribution_date)
        for pp in pools.values():
            assert pp.beginning_balance - pp.ending_balance == sum(
                pp.total(k)
                for k in (
                    "scheduled_principal",
                    "prepayments_in_full",
                    "curtailments",
                    "liquidation_proceeds",
                    "realized_losses",
                )
            )
        state, _ = engine.run_period(state, inputs)
        book = next_book(rem, book)


def test_not_cents_is_a_format_error(tmp_path: Path) -> None:
    p = simulate("boams-2002-3", 1, tmp_path, seed=1)[0]
    text = p.read_text().splitlines()
    cells = text[1].split(",")
    cells[2] = "12.345"
    text[1] = ",".join(cells)
    p.write_text("\n".join(text) + "\n")
    with pytest.raises(ValidationError, match="not an amount in dollars and cents"):
        read_remittance(p)


def test_simulated_amortization_agrees_with_the_collateral_engine(tmp_path: Path) -> None:
    """With no prepayments, defaults or delinquencies, the simulated loans amortize as the collateral engine
    projects them: per group, within a cent per loan (the engine rounds sums of float64, the file rounds loans)."""
    from rmbs.collateral.assumptions import scenario
    from rmbs.collateral.loans import project_deal

    deal_id = "boams-2002-3"
    deal = load_deal(deal_id)
    terms, _ = trust_terms(deal)
    paths = simulate(deal_id, 6, tmp_path, prepay="0CPR", default="0CDR", delinquency=0, seed=0)
    projected = project_deal(deal_id, [scenario("0SMM", "0MDR", 0, 0, True)], n_periods=6)
    loans = {g.loan_group: sum(t.group == g.loan_group for t in terms.values()) for g in deal.groups}
    for n, p in enumerate(paths, start=1):
        pools, _ = group_collections(deal, read_remittance(p), terms, n, deal.first_distribution_date)
        for g, pool in pools.items():
            ref = projected.record(g, n)
            tol = loans[g] * n
            assert abs(pool.total("scheduled_principal") - ref.total("scheduled_principal")) <= tol
            assert abs(pool.gross_interest - ref.gross_interest) <= tol
            assert abs(pool.servicing_fee - ref.servicing_fee) <= loans[g]
            assert abs(pool.ending_balance - ref.ending_balance) <= tol


def test_parquet_reads_exactly_as_csv(tmp_path: Path) -> None:
    import polars as pl

    deal = load_deal("boams-2000-2")
    terms, book = trust_terms(deal)
    csv_path = simulate("boams-2000-2", 1, tmp_path, seed=8)[0]
    pq_path = tmp_path / "p1.parquet"
    frame = pl.read_csv(csv_path, infer_schema=False)
    frame.with_columns(pl.col("scheduled_principal").cast(pl.Decimal(18, 2))).write_parquet(pq_path)
    a, b = read_remittance(csv_path), read_remittance(pq_path)
    assert a.rows == b.rows
    validate(b, book, terms, period_label(deal, 1))
    assert group_collections(deal, a, terms, 1, deal.first_distribution_date) == group_collections(
        deal, b, terms, 1, deal.first_distribution_date
    )


def _with_special_hazard_loss(src: Path, dst: Path, loss_type: str = "special_hazard") -> tuple[str, int]:
    """The simulated month with its first loan liquidated at a $20,000.00 loss of ``loss_type`` (new column)."""
    import csv

    rows = list(csv.DictReader(src.open()))
    r = rows[0]
    begin = int(round(float(r["beginning_balance"]) * 100))
    loss = 2_000_000
    r.update(
        scheduled_principal="0.00",
        curtailment="0.00",
        liquidation_proceeds=f"{(begin - loss) / 100:.2f}",
        realized_loss=f"{loss / 100:.2f}",
        ending_balance="0.00",
        status="REO",
    )
    for row in rows:
        row["loss_type"] = ""
    r["loss_type"] = loss_type
    with dst.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    return r["loan_number"], loss


def test_loss_type_column_feeds_the_special_loss_coverage(tmp_path: Path) -> None:
    import csv

    import polars as pl

    from rmbs.deal.library import load_tape

    deal = load_deal("boams-2000-2")
    (src,) = simulate("boams-2000-2", 1, tmp_path, seed=5)
    dst = tmp_path / "with-loss.csv"
    loan, loss = _with_special_hazard_loss(src, dst)
    terms, book = trust_terms(deal)
    rem = read_remittance(dst)
    validate(rem, book, terms, period_label(deal, 1))
    _, inputs = group_collections(deal, rem, terms, 1, deal.first_distribution_date)
    gi = inputs["1"]
    assert gi.special_hazard_loss == loss and gi.fraud_loss == gi.bankruptcy_loss == 0
    # the Special Hazard tests' balances, computed here from the file and the tape
    rows = list(csv.DictReader(dst.open()))
    begin = {x["loan_number"]: int(round(float(x["beginning_balance"]) * 100)) for x in rows}
    assert gi.largest_loan_balance == max(begin.values())
    tape = load_tape("boams-2000-2").filter(pl.col("state") == "CA")
    by_zip: dict[str, int] = {}
    for ln, z in zip(tape["loan_number"].to_list(), tape["zip_code"].to_list(), strict=True):
        by_zip[str(z)[:5]] = by_zip.get(str(z)[:5], 0) + begin.get(str(ln), 0)
    assert gi.largest_zip_balance == max(by_zip.values()) > 0
    # the loss is covered: B-6 takes it and the Special Hazard Loss Amount falls by it
    e = WaterfallEngine(deal)
    s, r = e.run_period(e.initial_state(), inputs)
    assert r.classes["B-6"].realized_loss == loss
    assert s.coverage["special_hazard"] == 239_762_052 - loss


def test_bad_loss_type_is_refused_with_line_and_loan(tmp_path: Path) -> None:
    (src,) = simulate("boams-2000-2", 1, tmp_path, seed=5)
    dst = tmp_path / "bad.csv"
    loan, _ = _with_special_hazard_loss(src, dst, loss_type="earthquake")
    with pytest.raises(ValidationError) as err:
        read_remittance(dst)
    msg = str(err.value)
    assert "line 2" in msg and loan in msg and "loss_type" in msg and "earthquake" in msg


def test_interest_portion_of_losses_column_reaches_the_waterfall(tmp_path: Path) -> None:
    """Optional column realized_loss_interest: summed per group into the waterfall input; after the Senior Credit
    Support Depletion Date it reduces Accrued Certificate Interest (5.02(c)), before it only the cash."""
    import csv

    from rmbs.waterfall.engine import GroupPeriodInput

    deal = load_deal("boams-2000-2")
    (src,) = simulate("boams-2000-2", 1, tmp_path, seed=5)
    rows = list(csv.DictReader(src.open()))
    for row in rows:
        row["realized_loss_interest"] = "0.00"
    rows[3]["realized_loss_interest"] = "1234.56"
    rows[7]["realized_loss_interest"] = "10.01"
    dst = tmp_path / "with-interest.csv"
    with dst.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    terms, book = trust_terms(deal)
    rem = read_remittance(dst)
    validate(rem, book, terms, period_label(deal, 1))
    _, inputs = group_collections(deal, rem, terms, 1, deal.first_distribution_date)
    assert inputs["1"].realized_loss_interest == 124_457
    # the engine's use of it: ignored before depletion, an interest reduction after it
    subs = {f"B-{i}": 0 for i in range(1, 7)}
    for depleted in (False, True):
        e = WaterfallEngine(deal)
        s = e.initial_state()
        if depleted:
            s.balances.update(subs)
            s.groups["1"].depleted = True
        base = GroupPeriodInput(net_interest=141_000_000)
        _, r0 = e.run_period(s, {"1": base})
        _, r1 = e.run_period(s, {"1": replace(base, realized_loss_interest=124_457)})
        cut = sum(c.interest_reduction for c in r1.classes.values()) - sum(
            c.interest_reduction for c in r0.classes.values()
        )
        assert cut == (124_457 if depleted else 0)
