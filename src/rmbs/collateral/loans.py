"""Loan-level projection of a loan tape under N scenarios at once, summed into :class:`PoolPeriods`.

Each loan amortizes from its Cut-Off Date balance at its own Mortgage Interest Rate with its stated Monthly
Payment; the payment due at its remaining term clears whatever balance is left (SF-4). Loans curtailed before
the cut-off simply pay off early with the same payment. Seasoning (age = original term - remaining term)
drives the PSA, ABS and SDA ramps: in projection period ``t`` a loan of age ``a`` is in MONTH ``a + t``
(SF-6..8, SF-20). Defaults, foreclosure, advancing, recoveries and losses follow SF-16..19 loan by loan
(:mod:`rmbs.collateral.kernels`). The fee strip (:class:`~rmbs.collateral.fees.FeeStrip`) gives every loan its
Servicing Fee Rate, Net Mortgage Interest Rate and PO fraction; prepayments in full are assumed to arrive on
``prepayment_day`` of the month (default the 15th), so the prepayment interest shortfall is interest at
(Mortgage Rate - Servicing Fee Rate) for the remaining ``30 - day`` days of the 30-day month, and Compensating
Interest covers it up to the PSA's cap (3.17).

Period ``t`` is the ``t``-th Distribution Date; its scheduled principal is the payment due on the 1st of that
month and its prepayments, defaults and liquidations are those of the preceding calendar month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import polars as pl

from rmbs.collateral import kernels
from rmbs.collateral.assumptions import FloatArray, LossKinds, Scenario
from rmbs.collateral.fees import FeeStrip, fee_strip_from_facts
from rmbs.collateral.periods import PRINCIPAL_REDUCTIONS, PoolPeriods
from rmbs.errors import AssumptionError, ValidationError

IntArray = npt.NDArray[np.int64]

DEFAULT_PREPAYMENT_DAY = 15


@dataclass(frozen=True)
class LoanTape:
    """A loan tape as flat arrays, one entry per loan, ready for the kernels.

    Rates are in percent per annum; ``po_fraction`` is the PO Percentage as a fraction; ``group_index`` points
    into ``group_ids``; ``ci_cap_rate`` is the Compensating Interest cap rate (percent p.a.) of each group.
    ``ca_zip`` is each loan's five-digit ZIP code when its property is in California, else ``None`` (empty when
    the tape has no state and ZIP: 2002-3's schedule has none), for the Special Hazard Loss Amount's ZIP test.
    """

    loan_numbers: tuple[str, ...]
    group_ids: tuple[str, ...]
    group_index: IntArray
    balance: FloatArray
    note_rate: FloatArray
    payment: FloatArray
    remaining_term: IntArray
    age: IntArray
    servicing_fee_rate: FloatArray
    trustee_fee_rate: FloatArray
    po_fraction: FloatArray
    ci_cap_rate: FloatArray
    balance_cents: IntArray
    ca_zip: tuple[str | None, ...] = ()

    @property
    def n_loans(self) -> int:
        return len(self.balance)

    def zip_slots(self) -> tuple[IntArray, IntArray]:
        """Each loan's (group, California ZIP) slot, -1 for a loan outside California, and each slot's group:
        the ZIP test is figured per loan group (a group's loans are its Mortgage Loans)."""
        slot = np.full(self.n_loans, -1, dtype=np.int64)
        if not self.ca_zip:
            return slot, np.zeros(0, dtype=np.int64)
        index: dict[tuple[int, str], int] = {}
        for i, z in enumerate(self.ca_zip):
            if z:
                slot[i] = index.setdefault((int(self.group_index[i]), z), len(index))
        return slot, np.array([g for g, _ in index], dtype=np.int64)

    @property
    def net_rate(self) -> FloatArray:
        return np.asarray(self.note_rate - self.servicing_fee_rate - self.trustee_fee_rate, dtype=np.float64)

    def cutoff_balance_cents(self) -> IntArray:
        """Cut-Off Date balance of each group in cents, exactly (the sum of the loans' cents)."""
        out = np.zeros(len(self.group_ids), dtype=np.int64)
        np.add.at(out, self.group_index, self.balance_cents)
        return out


def _fail(field: str, loans: Sequence[str], bad: npt.NDArray[np.bool_], message: str, expected: str) -> None:
    if bool(np.any(bad)):
        first = int(np.argmax(bad))
        count = int(np.count_nonzero(bad))
        more = f" ({count} loans)" if count > 1 else ""
        raise ValidationError(f"{message}{more}", loan=loans[first], field=field, expected=expected)


def make_tape(
    *,
    loan_numbers: Sequence[str],
    group: Sequence[str],
    balance: npt.ArrayLike,
    note_rate: npt.ArrayLike,
    payment: npt.ArrayLike,
    remaining_term: npt.ArrayLike,
    original_term: npt.ArrayLike | None = None,
    age: npt.ArrayLike | None = None,
    fee_strip: FeeStrip,
    ca_zip: Sequence[str | None] | None = None,
) -> LoanTape:
    """Validate per-loan inputs and derive each loan's fee rates and PO fraction from the fee strip.
    ``ca_zip``: each loan's ZIP code when its property is in California, else None (see :class:`LoanTape`).

    Bad input (a negative or non-finite balance, a rate outside 0..100%, a term of 0, a payment that does not
    cover the first month's interest, an age below 0) raises :class:`ValidationError` naming the loan and field.
    """
    loans = tuple(str(x) for x in loan_numbers)
    n = len(loans)
    bal = np.asarray(balance, dtype=np.float64).reshape(-1)
    mir = np.asarray(note_rate, dtype=np.float64).reshape(-1)
    pay = np.asarray(payment, dtype=np.float64).reshape(-1)
    rem = np.asarray(remaining_term, dtype=np.int64).reshape(-1)
    groups = [str(g) for g in group]
    if age is not None:
        ages = np.asarray(age, dtype=np.int64).reshape(-1)
    elif original_term is not None:
        ages = np.asarray(original_term, dtype=np.int64).reshape(-1) - rem
    else:
        ages = np.zeros(n, dtype=np.int64)
    for name, arr in (
        ("group", groups),
        ("balance", bal),
        ("note_rate", mir),
        ("payment", pay),
        ("remaining_term", rem),
        ("age", ages),
        *((("ca_zip", ca_zip),) if ca_zip is not None else ()),
    ):
        if len(arr) != n:
            raise ValidationError(f"{len(arr)} values for {n} loans", field=name)
    _fail("cutoff_balance", loans, ~np.isfinite(bal) | (bal < 0.0), "negative or missing balance", ">= 0")
    _fail(
        "note_rate",
        loans,
        ~np.isfinite(mir) | (mir < 0.0) | (mir > 100.0),
        "rate out of range",
        "0 to 100 percent",
    )
    _fail("remaining_term", loans, rem < 1, "remaining term below 1 month", "at least 1 month")
    _fail(
        "original_term", loans, ages < 0, "original term shorter than the remaining term", ">= remaining term"
    )
    _fail("monthly_payment", loans, ~np.isfinite(pay) | (pay < 0.0), "negative or missing payment", ">= 0")
    covers = (pay >= bal * mir / 1200.0 - 0.005) | (rem == 1) | (bal == 0.0)
    _fail(
        "monthly_payment",
        loans,
        ~covers,
        "payment does not cover the first month's interest",
        "a level payment",
    )
    strip_groups = fee_strip.group_ids()
    group_ids = tuple(
        sorted(set(groups), key=lambda g: (strip_groups.index(g) if g in strip_groups else 10**9, g))
    )
    rates = fee_strip.loan_rates(mir, groups)
    gidx = np.array([group_ids.index(g) for g in groups], dtype=np.int64)
    cents = np.rint(bal * 100.0).astype(np.int64)
    return LoanTape(
        loan_numbers=loans,
        group_ids=group_ids,
        group_index=gidx,
        balance=bal,
        note_rate=mir,
        payment=pay,
        remaining_term=rem,
        age=ages,
        servicing_fee_rate=rates.servicing_fee_rate,
        trustee_fee_rate=rates.trustee_fee_rate,
        po_fraction=rates.po_fraction,
        ci_cap_rate=np.full(len(group_ids), fee_strip.compensating_interest_cap_rate),
        balance_cents=cents,
        ca_zip=() if ca_zip is None else tuple(None if not z else str(z) for z in ca_zip),
    )


def california_zips(frame: pl.DataFrame) -> list[str | None] | None:
    """The five-digit ZIP code of each loan whose property is in California (``state`` CA), else None; None for
    a tape without ``state`` and ``zip_code`` columns."""
    if "state" not in frame.columns or "zip_code" not in frame.columns:
        return None
    states = frame["state"].cast(pl.String).to_list()
    zips = frame["zip_code"].cast(pl.String).to_list()
    return [
        str(z).strip()[:5] if (st or "").strip().upper() == "CA" and z and str(z).strip() else None
        for st, z in zip(states, zips, strict=True)
    ]


def tape_from_frame(frame: pl.DataFrame, fee_strip: FeeStrip) -> LoanTape:
    """A :class:`LoanTape` from a polars loan tape (``rmbs.deal.library.load_tape`` columns)."""
    need = (
        "loan_number",
        "group",
        "cutoff_balance",
        "note_rate",
        "monthly_payment",
        "remaining_term",
        "original_term",
    )
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise ValidationError(f"loan tape lacks column(s) {', '.join(missing)}", field=missing[0])

    def col(name: str) -> FloatArray:
        return frame[name].cast(pl.Float64).to_numpy()

    # cents straight from the exact decimals, so group balances add up exactly
    cents = (frame["cutoff_balance"].cast(pl.Decimal(20, 2)) * 100).cast(pl.Int64).to_numpy()
    tape = make_tape(
        loan_numbers=frame["loan_number"].cast(pl.String).to_list(),
        group=frame["group"].cast(pl.String).to_list(),
        balance=col("cutoff_balance"),
        note_rate=col("note_rate"),
        payment=col("monthly_payment"),
        remaining_term=frame["remaining_term"].cast(pl.Int64).to_numpy(),
        original_term=frame["original_term"].cast(pl.Int64).to_numpy(),
        fee_strip=fee_strip,
        ca_zip=california_zips(frame),
    )
    return LoanTape(**{**tape.__dict__, "balance_cents": np.asarray(cents, dtype=np.int64)})


def distribution_dates(first: date, n: int, day: int | None = None) -> tuple[date, ...]:
    """``n`` monthly Distribution Dates from ``first``, on ``day`` (default: the day of ``first``).

    Unadjusted for Business Days: the projection only needs the month.
    """
    d = day or first.day
    out = []
    for k in range(n):
        y, m = divmod(first.month - 1 + k, 12)
        out.append(date(first.year + y, m + 1, d))
    return tuple(out)


@dataclass(frozen=True)
class LoanProjection:
    """Float64 sums of the kernel, ``(scenario, group, period)`` per field, before rounding to cents.

    ``beginning`` / ``beginning_po`` are the Stated Principal Balances before each period; ``largest_loan`` and
    ``largest_zip`` the largest loan balance and the largest California ZIP code balance among those beginning
    balances (maxima, not sums); the other arrays are named as in :mod:`rmbs.collateral.kernels`. ``loss_kinds``
    holds each scenario's split of the realized losses by kind (empty: all ordinary).
    """

    group_ids: tuple[str, ...]
    distribution_dates: tuple[date, ...]
    scenario_labels: tuple[str, ...]
    flows: dict[str, FloatArray]
    cutoff_cents: IntArray
    ci_cap_rate: FloatArray
    loss_kinds: tuple[LossKinds, ...] = ()


_FLOW_NAMES = {
    "ending": kernels.END,
    "scheduled": kernels.SCHED,
    "prepayments": kernels.PREPAY,
    "liquidation_proceeds": kernels.LIQ,
    "realized_losses": kernels.LOSS,
    "ending_po": kernels.END_PO,
    "scheduled_po": kernels.SCHED_PO,
    "prepayments_po": kernels.PREPAY_PO,
    "liquidation_proceeds_po": kernels.LIQ_PO,
    "realized_losses_po": kernels.LOSS_PO,
    "gross_interest": kernels.GROSS,
    "servicing_fee": kernels.SERV,
    "trustee_fee": kernels.TRUSTEE,
    "ppis": kernels.PPIS,
    "new_defaults": kernels.NEWDEF,
    "delinquent_60_plus": kernels.DQ60,
}


def _unearned_fraction(prepayment_day: int) -> float:
    if not 1 <= prepayment_day <= 31:
        raise AssumptionError(
            f"prepayment day {prepayment_day} is not a day of the month",
            field="prepayment_day",
            expected="1 to 31",
        )
    return (30 - min(prepayment_day, 30)) / 30.0


def _paths(
    scenarios: Sequence[Scenario],
    smm: FloatArray,
    smm_age: npt.NDArray[np.bool_],
    mdr: FloatArray,
    mdr_age: npt.NDArray[np.bool_],
) -> tuple[IntArray, list[int], list[list[float]], IntArray]:
    """Each scenario's path (the scenarios alike in everything but severity share one), the first scenario of
    each path, each path's distinct severities (fractions) in order of appearance, and each scenario's slot
    among its path's severities."""
    index: dict[tuple[bytes, bool, bytes, bool, int, bool], int] = {}
    path_of = np.zeros(len(scenarios), dtype=np.int64)
    slot = np.zeros(len(scenarios), dtype=np.int64)
    paths: list[int] = []
    sevs: list[list[float]] = []
    for k, sc in enumerate(scenarios):
        key = (smm[k].tobytes(), bool(smm_age[k]), mdr[k].tobytes(), bool(mdr_age[k]), sc.lag, sc.advancing)
        p = index.setdefault(key, len(paths))
        if p == len(paths):
            paths.append(k)
            sevs.append([])
        sev = sc.severity / 100.0
        if sev not in sevs[p]:
            sevs[p].append(sev)
        path_of[k] = p
        slot[k] = sevs[p].index(sev)
    return path_of, paths, sevs, slot


def _scenario_tables(
    scenarios: Sequence[Scenario], tape: LoanTape, n_periods: int
) -> tuple[FloatArray, npt.NDArray[np.bool_], FloatArray, npt.NDArray[np.bool_]]:
    length = int(tape.age.max(initial=0)) + n_periods
    smm = np.zeros((len(scenarios), length + 1))
    mdr = np.zeros((len(scenarios), length + 1))
    smm_age = np.zeros(len(scenarios), dtype=np.bool_)
    mdr_age = np.zeros(len(scenarios), dtype=np.bool_)
    for k, sc in enumerate(scenarios):
        for speed, table, by_age in ((sc.prepayment, smm, smm_age), (sc.default, mdr, mdr_age)):
            speed.check_period_vector(n_periods)
            by_age[k] = speed.by_age
            need = length if speed.by_age else n_periods
            table[k, : need + 1] = speed.rate_table(need)
    return smm, smm_age, mdr, mdr_age


# Per-chunk accumulators are (group, period, field) float64; keep all of them under this many bytes.
_ACCUMULATOR_BUDGET = 256 * 2**20


def _n_chunks(n_scenarios: int, n_loans: int, n_groups: int, n_periods: int, n_zips: int = 0) -> int:
    """How many loan chunks per scenario: enough to keep every thread busy when scenarios are few."""
    threads = max(1, numba.get_num_threads())
    if n_scenarios >= 2 * threads or n_loans < 64:
        return 1
    per_chunk = n_scenarios * n_periods * (n_groups * (kernels.N_FIELDS + kernels.N_EXT) + n_zips) * 8
    by_memory = max(1, _ACCUMULATOR_BUDGET // max(per_chunk, 1))
    return max(1, min(4 * threads // max(n_scenarios, 1), n_loans // 16, by_memory))


def project_loans_float(
    tape: LoanTape,
    scenarios: Sequence[Scenario],
    *,
    first_distribution_date: date,
    prepayment_day: int = DEFAULT_PREPAYMENT_DAY,
    n_periods: int | None = None,
    concentrations: bool = True,
) -> LoanProjection:
    """Run the kernel for every scenario in one pass and return the float64 sums (see :func:`project_loans`)."""
    if not scenarios:
        raise AssumptionError("no scenarios to run", field="scenarios")
    horizon = int(tape.remaining_term.max(initial=0)) if n_periods is None else int(n_periods)
    if horizon < 1:
        raise ValidationError("nothing to project: no periods", field="n_periods")
    unearned = _unearned_fraction(prepayment_day)
    smm, smm_age, mdr, mdr_age = _scenario_tables(scenarios, tape, horizon)
    # scenarios that differ only in severity share one path of the loans (see rmbs.collateral.kernels)
    path_of, paths, sevs, slot = _paths(scenarios, smm, smm_age, mdr, mdr_age)
    n_sev = np.zeros(len(paths), dtype=np.int64)
    severity = np.zeros((len(paths), max(len(v) for v in sevs)))
    for k, v in enumerate(sevs):
        n_sev[k] = len(v)
        severity[k, : len(v)] = v
    zslot, zgroup = (
        tape.zip_slots()
        if concentrations
        else (np.full(tape.n_loans, -1, dtype=np.int64), np.zeros(0, dtype=np.int64))
    )
    n_chunks = _n_chunks(len(paths), tape.n_loans, len(tape.group_ids), horizon, len(zgroup))
    acc, lacc, ext, zacc = kernels.project_loans_kernel(
        np.ascontiguousarray(tape.balance),
        np.ascontiguousarray(tape.payment),
        np.ascontiguousarray(tape.note_rate / 1200.0),
        np.ascontiguousarray(tape.remaining_term),
        np.ascontiguousarray(tape.age),
        np.ascontiguousarray(tape.group_index),
        np.ascontiguousarray(tape.servicing_fee_rate / 1200.0),
        np.ascontiguousarray(tape.trustee_fee_rate / 1200.0),
        np.ascontiguousarray(tape.po_fraction),
        np.ascontiguousarray((tape.note_rate - tape.servicing_fee_rate) / 1200.0 * unearned),
        np.ascontiguousarray(smm[paths]),
        np.ascontiguousarray(smm_age[paths]),
        np.ascontiguousarray(mdr[paths]),
        np.ascontiguousarray(mdr_age[paths]),
        severity,
        n_sev,
        np.array([scenarios[k].lag for k in paths], dtype=np.int64),
        np.array([scenarios[k].advancing for k in paths], dtype=np.bool_),
        len(tape.group_ids),
        horizon,
        n_chunks,
        zslot,
        zgroup,
        concentrations,
    )
    acc = acc[path_of]  # (scenario, chunk, group, period, field): each scenario's path ...
    losses = lacc[path_of, :, slot]  # ... and its severity's losses and recoveries
    for field, k in ((kernels.LOSS, kernels.L_LOSS), (kernels.LIQ, kernels.L_LIQ),
                     (kernels.LOSS_PO, kernels.L_LOSS_PO), (kernels.LIQ_PO, kernels.L_LIQ_PO)):  # fmt: skip
        acc[..., field] = losses[..., k]
    ext = ext[path_of]
    zacc = zacc[path_of]
    summed = acc.sum(axis=1)  # (scenario, group, period, field)
    flows = {name: np.ascontiguousarray(summed[..., k]) for name, k in _FLOW_NAMES.items()}
    n_groups = len(tape.group_ids)
    flows["largest_loan"] = np.ascontiguousarray(ext[..., kernels.EXT_LARGEST].max(axis=1))
    if n_chunks == 1:
        flows["largest_zip"] = np.ascontiguousarray(ext[:, 0, :, :, kernels.EXT_ZIP])
    else:  # each chunk's sums per (group, ZIP) slot: add the chunks up, then the largest slot of each group
        by_slot = zacc.sum(axis=1)  # (scenario, slot, period)
        largest_zip = np.zeros((len(scenarios), n_groups, horizon))
        for g in range(n_groups):
            mine = np.flatnonzero(zgroup == g)
            if mine.size:
                largest_zip[:, g, :] = by_slot[:, mine, :].max(axis=1)
        flows["largest_zip"] = largest_zip
    cut = np.zeros(n_groups)
    cut_po = np.zeros(n_groups)
    np.add.at(cut, tape.group_index, tape.balance)
    np.add.at(cut_po, tape.group_index, tape.balance * tape.po_fraction)
    for key, start in (("beginning", cut), ("beginning_po", cut_po)):
        end = flows["ending" if key == "beginning" else "ending_po"]
        beg = np.empty_like(end)
        beg[:, :, 0] = start[None, :]
        beg[:, :, 1:] = end[:, :, :-1]
        flows[key] = beg
    cutoff_cents = tape.cutoff_balance_cents()
    return LoanProjection(
        group_ids=tape.group_ids,
        distribution_dates=distribution_dates(first_distribution_date, horizon),
        scenario_labels=tuple(sc.label() for sc in scenarios),
        flows=flows,
        cutoff_cents=cutoff_cents,
        ci_cap_rate=tape.ci_cap_rate,
        loss_kinds=tuple(sc.loss_kinds for sc in scenarios),
    )


def round_half_down(dollars: npt.ArrayLike) -> IntArray:
    """Dollars to integer cents, half a cent rounded down (PSA Section 1.02)."""
    x = np.asarray(dollars, dtype=np.float64) * 100.0
    return np.asarray(np.ceil(x - 0.5), dtype=np.int64)


def apportion_cents(target: IntArray, parts: FloatArray) -> IntArray:
    """Round ``parts[k, ...]`` (dollars) to cents so that they add up exactly to ``target`` (cents).

    Largest remainders: every part is floored, and the cents still missing go to the parts with the largest
    fractions. When the exact parts add up to within a cent of the target, each result is within one cent of
    its exact value; a part that is exactly zero stays zero. (Any larger gap -- never seen, but kept safe --
    goes to the largest part.)
    """
    x = np.maximum(np.asarray(parts, dtype=np.float64) * 100.0, 0.0)
    fl = np.floor(x)
    frac = np.where(x > 0.0, x - fl, -1.0)  # a zero amount is never handed a cent
    short = target - fl.sum(axis=0).astype(np.int64)
    k = x.shape[0]
    order = np.argsort(-frac, axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(
        rank, order, np.arange(k).reshape((k,) + (1,) * (x.ndim - 1)) * np.ones_like(order), axis=0
    )
    out = fl.astype(np.int64) + (rank < np.clip(short, 0, k)[None, ...]).astype(np.int64)
    gap = target - out.sum(axis=0)
    if np.any(gap != 0):
        biggest = np.argmax(x, axis=0)
        for idx in zip(*np.nonzero(gap), strict=True):
            out[(int(biggest[idx]), *idx)] += gap[idx]
    return out


CI_CAP_BASES = ("beginning", "ending")


def to_pool_periods(proj: LoanProjection, *, ci_cap_base: str = "beginning") -> PoolPeriods:
    """Round a :class:`LoanProjection` to cents (see :mod:`rmbs.collateral.periods`, "Rounding")."""
    f = proj.flows
    # balances: each half rounded on its own (within half a cent), except that period 1 starts from the exact
    # cut-off cents: its PO half is rounded and its non-PO half is the rest
    end_po = round_half_down(f["ending_po"])
    end_np = round_half_down(f["ending"] - f["ending_po"])
    beg_po = np.empty_like(end_po)
    beg_po[:, :, 0] = np.minimum(round_half_down(f["beginning_po"][:, :, 0]), proj.cutoff_cents[None, :])
    beg_po[:, :, 1:] = end_po[:, :, :-1]
    beg_np = np.empty_like(end_np)
    beg_np[:, :, 0] = proj.cutoff_cents[None, :] - beg_po[:, :, 0]
    beg_np[:, :, 1:] = end_np[:, :, :-1]
    # float flows in the order of PRINCIPAL_REDUCTIONS (curtailments are zero in projections)
    keys = ("scheduled", "prepayments", None, "liquidation_proceeds", "realized_losses")
    zero = np.zeros_like(f["scheduled"])
    po_parts = np.stack([zero if k is None else f[f"{k}_po"] for k in keys])
    total_parts = np.stack([zero if k is None else f[k] for k in keys])
    po_cents = apportion_cents(beg_po - end_po, po_parts)
    non_po_cents = apportion_cents(beg_np - end_np, total_parts - po_parts)
    beg_total = beg_np + beg_po
    amounts: dict[str, Any] = {
        "beginning_balance_non_po": beg_np,
        "beginning_balance_po": beg_po,
        "ending_balance_non_po": end_np,
        "ending_balance_po": end_po,
    }
    for k, name in enumerate(PRINCIPAL_REDUCTIONS):
        amounts[f"{name}_non_po"] = np.ascontiguousarray(non_po_cents[k])
        amounts[f"{name}_po"] = np.ascontiguousarray(po_cents[k])
    gross = round_half_down(f["gross_interest"])
    serv = round_half_down(f["servicing_fee"])
    trustee = round_half_down(f["trustee_fee"])
    ppis = round_half_down(f["ppis"])
    # the Compensating Interest cap: 1/12 of the cap rate on the Pool Stated Principal Balance after the prior Due
    # Date ("beginning", as the Trustee Fee) or after this Distribution Date's Due Date ("ending"; 2000-2 AMBIG-5)
    if ci_cap_base not in CI_CAP_BASES:
        raise ValidationError(
            f"unknown Compensating Interest cap base {ci_cap_base!r}",
            field="ci_cap_base",
            expected=" | ".join(CI_CAP_BASES),
        )
    cap_balance = beg_total if ci_cap_base == "beginning" else end_np + end_po
    cap = round_half_down(cap_balance / 100.0 * proj.ci_cap_rate[None, :, None] / 1200.0)
    amounts.update(
        gross_interest=gross,
        servicing_fee=serv,
        trustee_fee=trustee,
        net_interest=gross - serv - trustee,
        prepayment_interest_shortfall=ppis,
        compensating_interest=np.minimum(np.minimum(ppis, cap), serv),
        relief_act_reduction=np.zeros_like(gross),
        new_defaults=round_half_down(f["new_defaults"]),
        delinquent_60_plus_balance=round_half_down(f["delinquent_60_plus"]),
    )
    losses = amounts["realized_losses_non_po"] + amounts["realized_losses_po"]
    amounts["cumulative_realized_losses"] = np.cumsum(losses, axis=2)
    # the realized losses of each scenario split by kind (LossKinds.split: each special kind floored, the rest
    # ordinary), and the Special Hazard Loss Amount's concentration tests on the beginning balances
    kinds = [np.zeros_like(losses) for _ in range(3)]
    for s, lk in enumerate(proj.loss_kinds):
        if not lk.is_zero:
            for arr, part in zip(kinds, lk.split(losses[s]), strict=True):
                arr[s] = part
    amounts.update(
        special_hazard_losses=kinds[0],
        fraud_losses=kinds[1],
        bankruptcy_losses=kinds[2],
        largest_loan_balance=round_half_down(f["largest_loan"]),
        largest_ca_zip_balance=round_half_down(f["largest_zip"]),
    )
    periods = PoolPeriods(
        group_ids=proj.group_ids,
        distribution_dates=proj.distribution_dates,
        scenario_labels=proj.scenario_labels,
        **{k: np.ascontiguousarray(v, dtype=np.int64) for k, v in amounts.items()},
    )
    periods.check()
    return periods


def project_loans(
    tape: LoanTape,
    scenarios: Sequence[Scenario],
    *,
    first_distribution_date: date,
    prepayment_day: int = DEFAULT_PREPAYMENT_DAY,
    n_periods: int | None = None,
    concentrations: bool = True,
    ci_cap_base: str = "beginning",
) -> PoolPeriods:
    """Project every loan of ``tape`` under every scenario in one pass; :class:`PoolPeriods` in cents.

    ``n_periods`` defaults to the longest remaining term. Per-period vectors must have exactly that many values.
    ``ci_cap_base`` is the balance the Compensating Interest cap is figured on (see :func:`to_pool_periods`).
    ``concentrations=False`` skips the Special Hazard concentration tests (``largest_loan_balance`` and
    ``largest_ca_zip_balance`` stay zero): for a deal without special-loss coverage, which never reads them.
    """
    proj = project_loans_float(
        tape,
        scenarios,
        first_distribution_date=first_distribution_date,
        prepayment_day=prepayment_day,
        n_periods=n_periods,
        concentrations=concentrations,
    )
    return to_pool_periods(proj, ci_cap_base=ci_cap_base)


def load_deal_tape(deal_id: str) -> tuple[LoanTape, date]:
    """The shipped tape of ``deal_id`` with its fee strip applied, and its first Distribution Date."""
    from rmbs.deal.library import load_facts, load_tape

    facts = load_facts(deal_id)
    tape = tape_from_frame(load_tape(deal_id), fee_strip_from_facts(facts))
    try:
        first = date.fromisoformat(str(facts["first_distribution_date"]))
    except (KeyError, ValueError):
        raise ValidationError(
            f"{deal_id}: no first distribution date", field="first_distribution_date"
        ) from None
    return tape, first


def project_deal(
    deal_id: str,
    scenarios: Sequence[Scenario],
    *,
    prepayment_day: int = DEFAULT_PREPAYMENT_DAY,
    n_periods: int | None = None,
    concentrations: bool = True,
    ci_cap_base: str = "beginning",
) -> PoolPeriods:
    """Project a shipped deal's loan tape (``rmbs.deal.library``) under ``scenarios``."""
    tape, first = load_deal_tape(deal_id)
    return project_loans(
        tape,
        scenarios,
        first_distribution_date=first,
        prepayment_day=prepayment_day,
        n_periods=n_periods,
        ci_cap_base=ci_cap_base,
        concentrations=concentrations,
    )
