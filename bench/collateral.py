"""Collateral engine benchmarks (run on demand: ``make bench`` or ``.venv/bin/python bench/collateral.py``).

(a) 1,000,000 synthetic loans x 360 months, 150% PSA prepayments, 100% SDA defaults, 35% severity, 12-month lag,
    advancing, summed per group and period -- loan-months per second;
(b) the boams-2002-3 tape x 1,000 scenarios (a grid of PSA, CDR, severity, lag, advancing) -- seconds;
(c) the boams-2000-2 tape x 1,000 scenarios and x 1 (its 211 California loans in 155 ZIP codes: the kernel also
    keeps the Special Hazard Loss Amount's largest-loan and largest-ZIP tests) -- seconds.

Each is timed against a straightforward numpy baseline of the same model in the same process: a Python loop over
months, vectorized over loans (and, for (b), over scenarios too). The baseline's totals are checked against the
engine's so both do the same work. Compile time of the numba kernel is measured separately (first call).
"""

from __future__ import annotations

import argparse
import platform
import subprocess
import time
from datetime import date

import numba
import numpy as np

from rmbs.collateral.assumptions import Scenario, scenario
from rmbs.collateral.fees import FeeStrip
from rmbs.collateral.loans import LoanTape, load_deal_tape, make_tape, project_loans, project_loans_float

FIRST_DD = date(2002, 4, 25)


# --------------------------------------------------------------------------------------------------- baseline
def numpy_baseline(tape: LoanTape, scenarios: list[Scenario], n_periods: int) -> dict[str, np.ndarray]:
    """SF-16..19 loan by loan with numpy: loop over months, arrays shaped (scenario, loan).

    Returns per-(scenario, group, period) sums of scheduled principal, prepayments, recoveries, losses, ending
    balance and gross interest.
    """
    n_s, n = len(scenarios), tape.n_loans
    length = int(tape.age.max()) + n_periods
    smm_tab = np.zeros((n_s, length + 1))
    mdr_tab = np.zeros((n_s, length + 1))
    p_age = np.array([sc.prepayment.by_age for sc in scenarios])
    d_age = np.array([sc.default.by_age for sc in scenarios])
    for k, sc in enumerate(scenarios):
        smm_tab[k] = sc.prepayment.rate_table(length)
        mdr_tab[k] = sc.default.rate_table(length)
    sev = np.array([sc.severity / 100 for sc in scenarios])[:, None]
    lag = np.array([sc.lag for sc in scenarios])
    adv = np.array([sc.advancing for sc in scenarios])[:, None]
    ring_len = int(lag.max()) + 1
    onehot = np.zeros((n, len(tape.group_ids)))
    onehot[np.arange(n), tape.group_index] = 1.0
    r = tape.note_rate / 1200
    pay = tape.payment
    rem = tape.remaining_term
    age = tape.age
    rows = np.arange(n_s)

    b = np.broadcast_to(tape.balance, (n_s, n)).copy()
    surv = np.ones((n_s, n))
    dsum = np.zeros((n_s, n))
    fcl_na = np.zeros((n_s, n))
    ring_d = np.zeros((ring_len, n_s, n))
    ring_b = np.zeros((ring_len, n_s, n))
    names = ("sched", "prepay", "recov", "loss", "end", "gross")
    out = {k: np.zeros((n_s, len(tape.group_ids), n_periods)) for k in names}
    for t in range(1, n_periods + 1):
        alive = t <= rem
        b_prev = b
        b = np.where(t >= rem, 0.0, np.maximum(b_prev * (1 + r) - pay, 0.0))
        db = b_prev - b
        k_p = np.where(p_age[:, None], age[None, :] + t, t)
        k_d = np.where(d_age[:, None], age[None, :] + t, t)
        smm = np.take_along_axis(smm_tab, k_p, axis=1)
        mdr = np.where(t <= rem[None, :] - lag[:, None], np.take_along_axis(mdr_tab, k_d, axis=1), 0.0)
        smm = np.minimum(smm, 1 - mdr)
        d = surv * mdr
        nd = d * b_prev
        vol = surv * b * smm
        act_am = (surv - d) * db
        ring_d[t % ring_len] = d
        ring_b[t % ring_len] = b_prev
        src = (t - lag) % ring_len
        d_old = np.where((t - lag >= 1)[:, None], ring_d[src, rows], 0.0)
        bs_old = np.where((t - lag >= 1)[:, None], ring_b[src, rows], 0.0)
        nd_old = d_old * bs_old
        fcl_prev = np.where(adv, dsum * b_prev, fcl_na)
        adb = np.where(adv, d_old * b_prev, nd_old)
        loss = np.where(adv, np.minimum(nd_old * sev, adb), nd_old * sev)
        dsum = np.maximum(dsum + d - d_old, 0.0)
        fcl_na = np.where(adv, 0.0, np.maximum(fcl_na + nd - adb, 0.0))
        fcl = np.where(adv, dsum * b, fcl_na)
        sched = np.where(adv, act_am + dsum * db, act_am)
        int_bal = np.where(adv, surv * b_prev + fcl_prev, (surv - d) * b_prev)
        surv = surv * (1 - mdr - smm)
        end = surv * b + fcl
        flows = {
            "sched": sched,
            "prepay": vol,
            "recov": adb - loss,
            "loss": loss,
            "end": end,
            "gross": int_bal * r,
        }
        for k, v in flows.items():
            out[k][:, :, t - 1] = np.where(alive, v, 0.0) @ onehot
    return out


def _agree(engine: dict[str, np.ndarray], base: dict[str, np.ndarray]) -> float:
    pairs = {
        "sched": "scheduled",
        "prepay": "prepayments",
        "recov": "liquidation_proceeds",
        "loss": "realized_losses",
        "end": "ending",
        "gross": "gross_interest",
    }
    worst = 0.0
    for b_key, e_key in pairs.items():
        e, bb = engine[e_key], base[b_key]
        worst = max(worst, float(np.max(np.abs(e - bb)) / max(float(np.max(np.abs(e))), 1.0)))
    return worst


# --------------------------------------------------------------------------------------------------- inputs
def synthetic_tape(n: int, seed: int = 7) -> LoanTape:
    """Fresh 30-year loans of three groups: 360 months remaining, seasoning 0..60 months."""
    rng = np.random.default_rng(seed)
    rate = rng.integers(44, 73, n) / 8.0  # 5.5% .. 9.0%
    age = rng.integers(0, 61, n)
    term = 360 + age
    original = rng.uniform(50_000, 1_000_000, n).round(2)
    c = rate / 1200
    payment = (original * c / (1 - (1 + c) ** -term)).round(2)
    # balance after `age` payments (closed form), so the stated payment amortizes it over the remaining 360
    growth = (1 + c) ** age
    balance = np.maximum(original * growth - payment * (growth - 1) / c, 0).round(2)
    groups = rng.choice(["1", "2", "3"], n)
    strip = FeeStrip(0.003, {"1": 6.5, "2": 6.5, "3": 6.0}, 0.25, 0.25)
    return make_tape(
        loan_numbers=[str(k) for k in range(n)] if n <= 100_000 else _numbers(n),
        group=groups.tolist(),
        balance=balance,
        note_rate=rate,
        payment=payment,
        remaining_term=np.full(n, 360),
        age=age,
        fee_strip=strip,
    )


def _numbers(n: int) -> list[str]:
    return np.char.zfill(np.arange(n).astype(str), 7).tolist()


def scenario_grid(n: int) -> list[Scenario]:
    rng = np.random.default_rng(11)
    out = []
    for k in range(n):
        out.append(
            scenario(
                f"{rng.choice([50, 100, 150, 200, 300, 450])}PSA",
                f"{rng.choice([0, 0.5, 1, 2, 4, 8])}CDR"
                if k % 2
                else f"{rng.choice([50, 100, 200, 400])}SDA",
                float(rng.choice([20, 35, 50])),
                int(rng.choice([0, 6, 12])),
                advancing=bool(k % 3),
            )
        )
    return out


def machine() -> str:
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next(
            (ln.split(":", 1)[1].strip() for ln in lscpu.splitlines() if ln.startswith("Model name")), "?"
        )
    except OSError:
        model = platform.processor() or "?"
    import os

    return f"{model}, {os.cpu_count()} cores, numba {numba.__version__} ({numba.get_num_threads()} threads), numpy {np.__version__}"


# ------------------------------------------------------------------------------------------------------ main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"date: {date.today().isoformat()}")

    # compile (or load the cache) on a tiny input
    t0 = time.perf_counter()
    tiny = synthetic_tape(100)
    project_loans(tiny, [scenario("150PSA", "100SDA", 35, 12)], first_distribution_date=FIRST_DD)
    print(f"first call (compile or cache load): {time.perf_counter() - t0:.2f} s")

    # (a)
    tape = synthetic_tape(args.loans)
    sc_a = [scenario("150PSA", "100SDA", 35, 12)]
    loan_months = int(np.minimum(tape.remaining_term, 360).sum())
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        periods = project_loans(tape, sc_a, first_distribution_date=FIRST_DD)
        best = min(best, time.perf_counter() - t0)
    rate_a = loan_months / best
    print(
        f"(a) {args.loans:,} loans x 360 months: {best:.3f} s, {rate_a / 1e6:.0f} million loan-months/s (to PoolPeriods)"
    )
    periods.check()
    if not args.skip_baseline:
        t0 = time.perf_counter()
        base = numpy_baseline(tape, sc_a, 360)
        t_base = time.perf_counter() - t0
        eng = project_loans_float(tape, sc_a, first_distribution_date=FIRST_DD).flows
        print(
            f"    numpy baseline: {t_base:.2f} s, {loan_months / t_base / 1e6:.1f} million loan-months/s; "
            f"engine is {t_base / best:.0f}x faster; max relative difference {_agree(eng, base):.1e}"
        )

    # (b)
    tape_b, first = load_deal_tape("boams-2002-3")
    grid = scenario_grid(args.scenarios)
    best_b = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        periods_b = project_loans(tape_b, grid, first_distribution_date=first)
        best_b = min(best_b, time.perf_counter() - t0)
    lms = int(tape_b.remaining_term.sum()) * len(grid)
    print(
        f"(b) boams-2002-3 ({tape_b.n_loans} loans) x {len(grid)} scenarios: {best_b:.2f} s "
        f"({lms / best_b / 1e6:.0f} million loan-month-scenarios/s), PoolPeriods {periods_b.shape}"
    )
    if not args.skip_baseline:
        t0 = time.perf_counter()
        base_b = numpy_baseline(tape_b, grid, 360)
        t_base_b = time.perf_counter() - t0
        eng_b = project_loans_float(tape_b, grid, first_distribution_date=first).flows
        print(
            f"    numpy baseline: {t_base_b:.2f} s; engine is {t_base_b / best_b:.0f}x faster; "
            f"max relative difference {_agree(eng_b, base_b):.1e}"
        )

    # (c)
    tape_c, first_c = load_deal_tape("boams-2000-2")
    best_c = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        project_loans(tape_c, grid, first_distribution_date=first_c)
        best_c = min(best_c, time.perf_counter() - t0)
    one = float("inf")
    for _ in range(10):
        t0 = time.perf_counter()
        project_loans(tape_c, grid[:1], first_distribution_date=first_c)
        one = min(one, time.perf_counter() - t0)
    print(
        f"(c) boams-2000-2 ({tape_c.n_loans} loans, CA ZIP tests) x {len(grid)} scenarios: {best_c:.2f} s; "
        f"x 1 scenario: {1000 * one:.1f} ms"
    )


if __name__ == "__main__":
    main()
