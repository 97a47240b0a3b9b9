"""A run's per-class results as arrays, for every scenario at once: what reports and the scenario grid read
without building one result object per date.

:func:`class_flows` views the interpreter's output arrays of a :class:`~rmbs.waterfall.engine.Run` as
:class:`ClassFlows` -- per (scenario, date, class) the beginning balance, principal, interest, realized loss,
write-down, Class A-PO Deferred Amount paid and ending balance, in integer cents, with the dates and each class's
Pass-Through Rate. :meth:`ClassFlows.combine` sums classes into the classes made of them (2002-3's A-PO of its
three components). :func:`summarize` gives per (scenario, class) the WAL, the principal window and the totals,
vectorized over scenarios and classes: the one implementation behind ``rmbs run``'s summary and ``rmbs grid``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from rmbs.waterfall.prim import I64

if TYPE_CHECKING:
    from rmbs.waterfall.engine import Run

F64 = npt.NDArray[np.float64]
FLOW_FIELDS = ("begin", "principal", "interest", "realized_loss", "writedown", "po_deferred_paid", "end")


@dataclass(frozen=True)
class ClassFlows:
    """Per (scenario, date, class) flows in cents of ``S`` scenarios over ``T`` dates and ``K`` classes.

    Scenario ``s`` distributed ``done[s]`` dates; every figure after them is 0. ``rate`` is each class's
    Pass-Through Rate in percent on each date (a class made of components: its components' rates weighted by
    their beginning balances, 0 while nothing is outstanding). The arrays may be read-only views."""

    names: tuple[str, ...]  # K
    dates: tuple[date, ...]  # T
    periods: I64  # (T,) period numbers of the dates
    done: I64  # (S,)
    begin: I64  # (S, T, K) as the class reports it (an interest-only class: its notional)
    principal: I64
    interest: I64
    realized_loss: I64
    writedown: I64
    po_deferred_paid: I64
    end: I64
    rate: F64  # (S, T, K)

    @property
    def n_scenarios(self) -> int:
        return int(self.begin.shape[0])

    def column(self, name: str) -> int:
        return self.names.index(name)

    def combine(self, classes: Sequence[tuple[str, Sequence[str]]]) -> ClassFlows:
        """The flows of ``classes``, each a name and the classes summed under it (itself, or its components)."""
        ix = [[self.names.index(m) for m in members] for _, members in classes]
        first = [m[0] for m in ix]

        def total(x: I64) -> I64:
            out = x[:, :, first]
            for k, m in enumerate(ix):
                for c in m[1:]:
                    out[:, :, k] += x[:, :, c]
            return out

        begin = total(self.begin)
        weighted = self.rate * self.begin
        num = weighted[:, :, first]
        for k, m in enumerate(ix):
            for c in m[1:]:
                num[:, :, k] += weighted[:, :, c]
        rate = np.divide(num, begin, out=np.zeros(num.shape), where=begin > 0)
        arrays: dict[str, Any] = {f: total(getattr(self, f)) for f in FLOW_FIELDS if f != "begin"}
        return ClassFlows(
            tuple(n for n, _ in classes),
            self.dates,
            self.periods,
            self.done,
            begin=begin,
            rate=rate,
            **arrays,
        )


def class_flows(run: Run) -> ClassFlows:
    """Every class of every scenario of ``run``, straight from the interpreter's arrays (views, not copies: the
    interpreter writes nothing after a scenario's last date, so those entries stay 0)."""
    o = run.out
    S, T, C = o.begin.shape
    return ClassFlows(
        names=tuple(run.plan.names),
        dates=tuple(run.dates),
        periods=np.arange(run.first_period, run.first_period + T, dtype=np.int64),
        done=o.done,
        begin=o.begin,
        principal=o.prin,
        interest=o.int,
        realized_loss=o.loss,
        writedown=o.wd,
        po_deferred_paid=o.pod,
        end=o.end,
        rate=np.broadcast_to(run.rate_pct[None], (S, T, C)),
    )


def days_30_360(start: date, dates: Sequence[date]) -> I64:
    """30/360 days from ``start`` to each of ``dates``: a start on the 31st counts as the 30th, an end on the 31st
    as the 30th when the start is the 30th (or 31st)."""
    y = np.fromiter((d.year for d in dates), np.int64, len(dates))
    m = np.fromiter((d.month for d in dates), np.int64, len(dates))
    d2 = np.fromiter((d.day for d in dates), np.int64, len(dates))
    d1 = min(start.day, 30)
    d2 = np.where((d2 == 31) & (d1 == 30), 30, d2)
    out: I64 = 360 * (y - start.year) + 30 * (m - start.month) + (d2 - d1)
    return out


def _round_half_even(num: I64, den: I64) -> I64:
    """``num / den`` rounded to the nearest integer, ties to even (``den`` > 0, ``num`` >= 0)."""
    q, r = np.divmod(num, den)
    up = (2 * r > den) | ((2 * r == den) & (q % 2 == 1))
    out: I64 = q + up
    return out


@dataclass(frozen=True)
class ClassSummary:
    """Per (scenario, class): the WAL from the closing date (30/360 years, in hundredths, rounded half even; -1
    when no principal is paid), the first and last dates principal is paid (indices into ``dates``, -1 none) and
    the totals in cents. ``principal`` is the principal paid (not the Class A-PO Deferred Amounts)."""

    names: tuple[str, ...]  # K
    dates: tuple[date, ...]
    initial_balance: I64  # (K,) cents
    wal: I64  # (S, K) hundredths of a year
    first_principal: I64  # (S, K)
    last_principal: I64
    interest: I64
    principal: I64
    realized_loss: I64
    writedown: I64

    @property
    def n_scenarios(self) -> int:
        return int(self.wal.shape[0])

    def rows(self, s: int) -> list[dict[str, Any]]:
        """Scenario ``s`` as one dict per class: dollars as Decimals, dates, the WAL in years (``None`` without
        principal)."""
        cols = {
            k: getattr(self, k)[s].tolist()
            for k in ("wal", "first_principal", "last_principal", "interest", "principal", "realized_loss")
        }
        wd = self.writedown[s].tolist()
        out = []
        for k, name in enumerate(self.names):
            w, fp, lp = cols["wal"][k], cols["first_principal"][k], cols["last_principal"][k]
            rl = cols["realized_loss"][k]
            out.append(
                {
                    "class": name,
                    "initial_balance": Decimal(int(self.initial_balance[k])).scaleb(-2),
                    "wal_years": None if w < 0 else Decimal(w).scaleb(-2),
                    "first_principal": None if fp < 0 else self.dates[fp],
                    "last_principal": None if lp < 0 else self.dates[lp],
                    "total_interest": Decimal(cols["interest"][k]) / 100,
                    "total_principal": Decimal(cols["principal"][k]) / 100,
                    "total_loss": Decimal(rl + wd[k]) / 100,
                    "total_realized_loss": Decimal(rl) / 100,
                    "total_writedown": Decimal(wd[k]) / 100,
                }
            )
        return out

    @staticmethod
    def join(parts: Sequence[ClassSummary]) -> ClassSummary:
        """The classes of ``parts`` (same scenarios and dates) side by side."""
        a = parts[0]
        cat = {
            k: np.concatenate([getattr(p, k) for p in parts], axis=-1)
            for k in ("initial_balance", "wal", "first_principal", "last_principal", "interest", "principal")
        }
        return ClassSummary(
            tuple(n for p in parts for n in p.names),
            a.dates,
            realized_loss=np.concatenate([p.realized_loss for p in parts], axis=1),
            writedown=np.concatenate([p.writedown for p in parts], axis=1),
            **cat,
        )

    @staticmethod
    def concat(parts: Sequence[ClassSummary]) -> ClassSummary:
        """The scenarios of ``parts`` (same classes and dates) one after another."""
        a = parts[0]
        cat = {
            k: np.concatenate([getattr(p, k) for p in parts])
            for k in ("wal", "first_principal", "last_principal", "interest", "principal", "realized_loss")
        }
        return ClassSummary(
            a.names, a.dates, a.initial_balance, writedown=np.concatenate([p.writedown for p in parts]), **cat
        )

    def take(self, order: I64) -> ClassSummary:
        """The scenarios in ``order``."""
        cat = {
            k: getattr(self, k)[order]
            for k in ("wal", "first_principal", "last_principal", "interest", "principal", "realized_loss")
        }
        return ClassSummary(
            self.names, self.dates, self.initial_balance, writedown=self.writedown[order], **cat
        )


def summarize(flows: ClassFlows, closing: date, initial_balance: I64) -> ClassSummary:
    """WAL, principal window and totals of every (scenario, class) of ``flows``; ``initial_balance`` in cents per
    class. WAL = sum(days from ``closing`` x principal) / (360 sum(principal)), 30/360."""
    prin = flows.principal
    S, T, K = prin.shape
    days = days_30_360(closing, flows.dates)
    total = prin.sum(axis=1)
    num = np.einsum("stk,t->sk", prin, days)
    has = total != 0
    den = np.where(has, 360 * total, 1)
    wal = np.where(has, _round_half_even(100 * num, den), -1)
    paid = prin != 0
    any_paid = paid.any(axis=1)
    first = np.where(any_paid, paid.argmax(axis=1), -1)
    last = np.where(any_paid, T - 1 - paid[:, ::-1].argmax(axis=1), -1)
    return ClassSummary(
        names=flows.names,
        dates=flows.dates,
        initial_balance=np.asarray(initial_balance, dtype=np.int64),
        wal=wal,
        first_principal=first,
        last_principal=last,
        interest=flows.interest.sum(axis=1),
        principal=total,
        realized_loss=flows.realized_loss.sum(axis=1),
        writedown=flows.writedown.sum(axis=1),
    )
