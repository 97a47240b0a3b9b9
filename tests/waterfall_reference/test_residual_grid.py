"""The residual invariant, stress grid: 1,000 seeded scenarios per deal on the real tapes (PSA 0-1,500%, SDA
0-2,500%, severity 0-80%, lags 0-24 months, with and without advancing, LIBOR 0.25%-10% by batch), every date and
group, read from the interpreter's arrays.

Under the default readings nothing reaches the residual (1-A-LR for every 2002-3 group, 5.02(a)(v) L3779-3780;
A-R for 2000-2) while any certificate of the group still has a balance after the date's distribution, except
interest no class is owed: the residual is then at most the interest collected less the interest paid, and no
class of the group is left with an unpaid interest shortfall. And the group's Pool Distribution Amount -- figured
here from the Servicer's inputs by its definition (2002-3 L1270-1294) -- is distributed to the cent: per-class
interest + principal + Class A-PO Deferred Amount paid + residual."""

from __future__ import annotations

import time
from decimal import Decimal

import numpy as np
import pytest

from rmbs.collateral.assumptions import scenario
from rmbs.collateral.loans import project_deal
from rmbs.deal.loader import load_deal
from rmbs.waterfall import WaterfallEngine
from rmbs.waterfall.link import input_array
from rmbs.waterfall.project import ci_cap_base
from rmbs.waterfall.types import INPUT_AXIS

N_SCENARIOS = 1_000
BATCH = 100
LIBOR = [
    "0.25",
    "1.00",
    "1.88",
    "3.00",
    "4.50",
    "5.50",
    "6.50",
    "7.50",
    "8.50",
    "10.00",
]  # one level per batch
PRINCIPAL_FIELDS = [INPUT_AXIS.index(f) for f in (
    "scheduled_principal_non_po", "scheduled_principal_po", "other_principal_non_po", "other_principal_po",
    "liquidation_principal_non_po", "liquidation_principal_po", "prepayment_non_po", "prepayment_po")]  # fmt: skip
F_INT, F_TF, F_SHORT = (INPUT_AXIS.index(f) for f in ("net_interest", "trustee_fee", "principal_shortfall"))
TIMES: dict[str, float] = {}


def draw(seed: int, n: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        out.append(scenario(f"{rng.uniform(0, 1500):.0f}PSA", f"{rng.uniform(0, 2500):.0f}SDA",
                            round(float(rng.uniform(0, 80)), 1), int(rng.choice([0, 1, 3, 6, 12, 24])),
                            bool(rng.random() < 0.8)))  # fmt: skip
    return out


@pytest.mark.parametrize("deal_id", ["boams-2002-3", "boams-2000-2"])
def test_residual_invariant_grid(deal_id: str) -> None:
    t0 = time.perf_counter()
    deal = load_deal(deal_id)
    engine = WaterfallEngine(deal)
    names = engine.plan.names
    cmap = deal.class_map()
    gids = engine.plan.group_ids
    member = np.array([[cmap[n].group == gid for n in names] for gid in gids])  # (G, C)
    has_balance = np.array(
        [cmap[n].kind != "io" for n in names]
    )  # a notional class has no balance of its own
    scs = draw(20_02_03 if deal_id.endswith("2002-3") else 20_00_02, N_SCENARIOS)
    checked = residual_dates = 0
    failures: list[str] = []
    for b in range(0, N_SCENARIOS, BATCH):
        batch = scs[b : b + BATCH]
        periods = project_deal(deal.library, batch, ci_cap_base=ci_cap_base(engine.switches))
        inp = input_array(deal, periods)
        level = Decimal(LIBOR[(b // BATCH) % len(LIBOR)])
        r = engine.run(inp, lambda _q, level=level: level)
        S, T = inp.shape[0], inp.shape[1]
        live = np.arange(T)[None, :] < r.out.done[:, None]  # (S, T) dates the interpreter distributed
        cash = r.out.int + r.out.prin + r.out.pod  # (S, T, C)
        pda_def = inp[..., F_INT] - inp[..., F_TF] + inp[..., PRINCIPAL_FIELDS].sum(-1) - inp[..., F_SHORT]
        for g in range(len(gids)):
            m = member[g]
            paid = cash[:, :, m].sum(-1)
            res = r.group("residual_paid")[:, :, g]
            pda = r.group("pool_distribution_amount")[:, :, g]
            outstanding = (r.out.end[:, :, m & has_balance] > 0).any(-1)
            int_paid = r.out.int[:, :, m].sum(-1)
            surplus = np.maximum(inp[:, :, g, F_INT] - inp[:, :, g, F_TF] - int_paid, 0)
            owed = r.out.unpaid[:, :, m].sum(-1)
            bad = {
                "PDA not as defined": live & (pda != pda_def[:, :, g]),
                "cash not distributed to the cent": live & (paid + res != pda),
                "residual beyond unowed interest": live & outstanding & (res > surplus),
                "residual while interest is owed": live & outstanding & (res > 0) & (owed > 0),
                "engine's residual_principal": live
                & outstanding
                & (r.group("residual_principal")[:, :, g] != 0),
            }
            for what, mask in bad.items():
                for s, t in zip(*np.nonzero(mask), strict=True):
                    if len(failures) < 20:
                        failures.append(f"{what}: scenario {b + s} ({batch[s].label()}, LIBOR {level}) "
                                        f"period {t + 1} group {gids[g]}: residual {res[s, t]} PDA {pda[s, t]} "
                                        f"paid {paid[s, t]} surplus interest {surplus[s, t]} owed {owed[s, t]}")  # fmt: skip
            checked += int(live.sum())
            residual_dates += int((live & (res > 0)).sum())
        assert len(batch) == S
    TIMES[deal_id] = time.perf_counter() - t0
    print(f"{deal_id}: {N_SCENARIOS} scenarios, {checked} group-dates checked, {residual_dates} with a residual, "
          f"{TIMES[deal_id]:.1f} s")  # fmt: skip
    assert not failures, "\n".join(failures)
