"""Scenario grids: the Cartesian product of prepayment, default, severity, lag, loss-kind, LIBOR and switch lists, run in
chunks of scenarios in this process or on dask.distributed, with per-class summaries (WAL, principal window,
totals, yield at a price) and optionally each class's full cash flows.

The collateral assumptions (prepayment, default, severity, lag, the split of losses by kind) are the scenario axis of one collateral pass; LIBOR
and the switches are parameters of the waterfall, so the grid runs one batch of collateral scenarios per
(LIBOR, switches) group through :func:`rmbs.waterfall.project.run_deal_summaries` -- or, on Dask, the very same
jobs through :func:`rmbs.waterfall.project.summarize_chunk`. Only the jobs travel (a chunk of scenarios, the deal
facts, the switches and the index path, about 20 kB); only the summaries come back.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from rmbs.analytics.deal import class_delay, class_members, class_names
from rmbs.analytics.pricing import FloatArray, yields_at_prices
from rmbs.collateral.assumptions import Scenario, parse_lag, parse_loss_kinds, parse_severity, scenario
from rmbs.deal.schema import Deal
from rmbs.errors import RmbsError, ValidationError
from rmbs.waterfall.batch import ClassFlows, ClassSummary
from rmbs.waterfall.engine import WaterfallEngine
from rmbs.waterfall.project import ChunkJob, engine_for, run_deal_summaries, summarize_chunk
from rmbs.waterfall.run import class_summary, parse_index_path

MONEY = pl.Decimal(18, 2)
CASHFLOW_FIELDS = ("beginning_balance", "principal", "interest", "loss", "ending_balance")
Progress = Callable[[int], None]


# ------------------------------------------------------------------------------------------------ the grid
@dataclass(frozen=True)
class GridPoint:
    """The assumptions of one scenario of the grid."""

    prepay: str
    default: str
    severity: float
    lag: int
    libor: str | None
    switches: tuple[tuple[str, str], ...] = ()
    loss_kinds: str = ""  # the split of the realized losses by kind, as LossKinds.label() writes it


@dataclass(frozen=True)
class Grid:
    """The lists whose Cartesian product is the grid; ``points`` in product order (prepay outermost).
    ``loss_kinds`` holds the splits of the realized losses by kind (``LossKinds.label()``; ``""`` all ordinary)."""

    prepay: tuple[str, ...]
    default: tuple[str, ...]
    severity: tuple[float, ...]
    lag: tuple[int, ...]
    libor: tuple[str | None, ...] = (None,)
    switches: tuple[tuple[str, tuple[str, ...]], ...] = ()
    advance: bool = True
    clean_up_call: bool = False
    loss_kinds: tuple[str, ...] = ("",)
    points: tuple[GridPoint, ...] = field(init=False, repr=False)
    scenarios: tuple[Scenario, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = [n for n, _ in self.switches]
        points = []
        scs = []
        cache: dict[tuple[str, str, float, int, str], Scenario] = {}
        base = itertools.product(self.prepay, self.default, self.severity, self.lag, self.loss_kinds)
        path = list(itertools.product(self.libor, *(v for _, v in self.switches)))
        for p, d, s, lag, lk in base:
            for lib, *sw in path:
                points.append(GridPoint(p, d, s, lag, lib, tuple(zip(names, map(str, sw), strict=True)), lk))
                key = (p, d, s, lag, lk)
                if key not in cache:
                    cache[key] = scenario(p, d, s, lag, self.advance, loss_kinds=lk)
                scs.append(cache[key])
        object.__setattr__(self, "points", tuple(points))
        object.__setattr__(self, "scenarios", tuple(scs))

    def __len__(self) -> int:
        return len(self.points)

    def groups(self) -> dict[tuple[str | None, tuple[tuple[str, str], ...]], list[int]]:
        """Scenario numbers by the waterfall's path parameters (LIBOR, switches), in grid order."""
        out: dict[tuple[str | None, tuple[tuple[str, str], ...]], list[int]] = {}
        for i, pt in enumerate(self.points):
            out.setdefault((pt.libor, pt.switches), []).append(i)
        return out


def split_list(text: str, fld: str) -> list[str]:
    items = [x.strip() for x in text.split(",")]
    if not items or any(not x for x in items):
        raise ValidationError(
            f"empty item in {text!r}", field=fld, expected="a comma list such as 100PSA,300PSA"
        )
    return items


def parse_switch_lists(items: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``--switch NAME=V1,V2`` (repeatable): each switch's values, every combination a grid dimension."""
    out: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, values = item.partition("=")
        if not sep or not name.strip() or not values.strip():
            raise ValidationError(f"bad switch {item!r}", field="switch", expected="NAME=VALUE[,VALUE...]")
        out[name.strip()] = tuple(split_list(values, f"switch {name.strip()}"))
    return tuple(out.items())


def make_grid(
    deal: Deal,
    prepay: str | Sequence[str],
    default: str | Sequence[str] = "0SDA",
    severity: str | Sequence[float] = "0",
    lag: str | Sequence[int] = "0",
    libor: str | Sequence[str] | None = None,
    switches: Sequence[str] = (),
    *,
    advance: bool = True,
    clean_up_call: bool = False,
    loss_kinds: Sequence[str] = (),
) -> Grid:
    """The grid from comma lists as the command line takes them (or from sequences). Every assumption is parsed
    here -- speeds, severities, lags, LIBOR paths (a flat rate or a CSV file each), the splits of losses by kind
    (``loss_kinds``: one ``SH=10%,FRAUD=5%`` item per grid value; none: every loss ordinary) and switch values
    checked against the deal -- so bad input fails before anything runs."""

    def items(x: str | Sequence[Any], fld: str) -> list[Any]:
        return split_list(x, fld) if isinstance(x, str) else list(x)

    libors: list[str | None] = [None] if libor is None else items(libor, "libor")
    for lib in libors:
        parse_index_path(lib)
    sw = parse_switch_lists(switches)
    for combo in itertools.product(*(v for _, v in sw)):
        WaterfallEngine(deal, dict(zip([n for n, _ in sw], combo, strict=True)))  # unknown switch / value
    return Grid(
        prepay=tuple(items(prepay, "prepay")),
        default=tuple(items(default, "default")),
        severity=tuple(parse_severity(s) for s in items(severity, "severity")),
        lag=tuple(parse_lag(n) for n in items(lag, "lag")),
        libor=tuple(libors),
        switches=sw,
        advance=advance,
        clean_up_call=clean_up_call,
        loss_kinds=tuple(dict.fromkeys(parse_loss_kinds(k).label() for k in loss_kinds)) or ("",),
    )


# ---------------------------------------------------------------------------------------------- the summary
@dataclass(frozen=True)
class GridSummary:
    """The grid's summary of ``S`` scenarios and ``K`` classes (every class, then each class made of components):
    :class:`~rmbs.waterfall.batch.ClassSummary` (WAL, principal window, totals), each class's price and the
    bond-equivalent yield at it (NaN: none), and with cash flows every class's flows by period in long form --
    ``scenario`` (0..S-1 here), ``class`` (0..K-1), ``period``, ``date`` and the :data:`CASHFLOW_FIELDS` in cents
    -- for the dates a class has a balance or a payment."""

    classes: ClassSummary
    price: tuple[float | None, ...]  # (K,)
    yields: FloatArray  # (S, K)
    cashflows: dict[str, np.ndarray] | None = None

    @property
    def n_scenarios(self) -> int:
        return self.classes.n_scenarios

    @staticmethod
    def concat(parts: Sequence[GridSummary]) -> GridSummary:
        """The scenarios of ``parts`` one after another."""
        cf = None
        flows = [p.cashflows for p in parts]
        if all(f is not None for f in flows):
            have = [f for f in flows if f is not None]
            offsets = np.cumsum([0] + [p.n_scenarios for p in parts[:-1]])
            cf = {
                k: np.concatenate(
                    [f[k] + (o if k == "scenario" else 0) for f, o in zip(have, offsets, strict=True)]
                )
                for k in have[0]
            }
        return GridSummary(
            ClassSummary.concat([p.classes for p in parts]),
            parts[0].price,
            np.concatenate([p.yields for p in parts]),
            cf,
        )

    def take(self, order: np.ndarray) -> GridSummary:
        """The scenarios in ``order`` (a permutation)."""
        cf = None
        if self.cashflows is not None:
            inv = np.empty(len(order), dtype=np.int64)
            inv[order] = np.arange(len(order))
            new = inv[self.cashflows["scenario"]]
            by = np.argsort(new, kind="stable")
            cf = {k: (new if k == "scenario" else v)[by] for k, v in self.cashflows.items()}
        return GridSummary(self.classes.take(order), self.price, self.yields[order], cf)

    def rows(self, s: int) -> list[dict[str, Any]]:
        """Scenario ``s`` as one dict per class: the :meth:`ClassSummary.rows` keys with ``price`` and ``yield``."""
        out = self.classes.rows(s)
        for k, row in enumerate(out):
            y = float(self.yields[s, k])
            row["price"] = self.price[k]
            row["yield"] = None if math.isnan(y) else y
        return out


def grid_classes(deal: Deal) -> list[tuple[str, list[str]]]:
    """The grid's classes: every class, then each class made of components, with the classes summed in each."""
    return [(n, [c.name for c in class_members(deal, n)]) for n in class_names(deal)]


def _long_cashflows(flows: ClassFlows, k0: int) -> dict[str, np.ndarray]:
    """The flows of every (scenario, class) on the dates the class has a balance or a payment; classes numbered
    from ``k0``."""
    principal = flows.principal + flows.po_deferred_paid
    loss = flows.realized_loss + flows.writedown
    live = (flows.begin != 0) | (principal != 0) | (flows.interest != 0) | (loss != 0)
    s, t, k = np.nonzero(live)
    fields = {
        "beginning_balance": flows.begin,
        "principal": principal,
        "interest": flows.interest,
        "loss": loss,
        "ending_balance": flows.end,
    }
    return {
        "scenario": s.astype(np.int64),
        "class": k.astype(np.int64) + k0,
        "period": flows.periods[t].astype(np.int32),
        "date": np.array(flows.dates, dtype="datetime64[D]")[t],
        **{f: v[s, t, k] for f, v in fields.items()},
    }


def summarize_grid(
    deal: Deal,
    flows: ClassFlows,
    *,
    price: float | None = None,
    class_prices: tuple[tuple[str, float], ...] = (),
    settle: date | None = None,
    cashflows: bool = False,
) -> GridSummary:
    """The grid's summary of a chunk of scenarios: per class (every class, then each class made of components)
    the :func:`~rmbs.waterfall.run.class_summary` figures -- WAL, principal window, total interest, principal and
    loss -- with the price (``class_prices``, else ``price``) and the bond-equivalent yield at it settling on
    ``settle`` (the closing date by default; none when the class receives nothing after settlement or no yield
    gives the price), and with ``cashflows`` each class's flows by period.

    The yield is :func:`rmbs.analytics.pricing.yields_at_prices` on the class's payments -- principal with any
    Class A-PO Deferred Amount paid, and interest -- its balance (or notional) before each date, its rate and its
    delay (:func:`~rmbs.analytics.deal.class_delay`), the conventions of :func:`~rmbs.analytics.deal.class_cashflows`.
    Module-level, so that ``functools.partial(summarize_grid, ...)`` pickles for worker processes and Dask."""
    plain = set(flows.names)
    composite = [(n, m) for n, m in grid_classes(deal) if n not in plain]
    parts = [flows, flows.combine(composite)] if composite else [flows]
    prices = dict(class_prices)
    when = settle or deal.closing_date
    summaries: list[ClassSummary] = []
    yields: list[FloatArray] = []
    px: list[float | None] = []
    cf: list[dict[str, np.ndarray]] = []
    k0 = 0
    for part in parts:
        p = tuple(prices.get(n, price) for n in part.names)
        cash = part.principal + part.po_deferred_paid + part.interest
        delays = [class_delay(deal, n) for n in part.names]
        yields.append(
            yields_at_prices(part.dates, part.done, cash, part.begin, part.rate, delays, p, when, 100.0)
        )
        summaries.append(class_summary(deal, part))
        px += p
        if cashflows:
            cf.append(_long_cashflows(part, k0))
        k0 += len(part.names)
    long = None
    if cashflows:
        long = {k: np.concatenate([c[k] for c in cf]) for k in cf[0]}
        by = np.lexsort((long["period"], long["class"], long["scenario"]))
        long = {k: v[by] for k, v in long.items()}
    return GridSummary(ClassSummary.join(summaries), tuple(px), np.concatenate(yields, axis=1), long)


# ------------------------------------------------------------------------------------------------- running
_DASK = re.compile(
    r"^(?:local(?::(?P<n>\d+))?|tcp://(?P<host>[^:/\s]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5}))$"
)


def parse_dask(spec: str) -> tuple[str, int | str]:
    """``local`` / ``local:N`` -> ("local", N) (N defaults to the cores); ``tcp://HOST:PORT`` -> ("tcp", it)."""
    m = _DASK.match(spec.strip())
    expected = "local, local:N (N workers) or tcp://HOST:PORT of a running scheduler"
    if not m:
        raise ValidationError(f"bad Dask address {spec!r}", field="dask", expected=expected)
    if m["host"] is not None:
        if not 0 < int(m["port"]) < 65536:
            raise ValidationError(
                f"port {m['port']} out of range in {spec!r}", field="dask", expected=expected
            )
        return "tcp", spec.strip()
    n = int(m["n"]) if m["n"] is not None else (os.cpu_count() or 1)
    if n < 1:
        raise ValidationError(f"{n} Dask workers", field="dask", expected="local:N with N at least 1")
    return "local", n


def quiet_dask() -> None:
    """No dashboard, no log chatter from distributed (here and in the workers it spawns)."""
    import dask

    dask.config.set(
        {
            "distributed.logging.distributed": "error",
            "distributed.scheduler.dashboard.enabled": False,
            "distributed.admin.system-monitor.gil.enabled": False,
        }
    )
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.ERROR)


class DaskRunner:
    """A client on a loopback :class:`distributed.LocalCluster` of ``n`` single-threaded worker processes
    (spawned by their nannies), or on an existing scheduler; a context manager that closes what it opened."""

    def __init__(self, spec: str, timeout: float = 30.0) -> None:
        self.kind, arg = parse_dask(spec)
        self.spec = spec
        self.timeout = timeout
        self.cluster: Any = None
        self.client: Any = None
        self.n_workers = int(arg) if self.kind == "local" else 0
        self._arg = arg

    def __enter__(self) -> DaskRunner:
        quiet_dask()
        import dask
        from distributed import Client, LocalCluster

        try:
            if self.kind == "local":
                # numba's thread pool in each worker: the cores shared out, so N workers do not oversubscribe
                threads = max(1, (os.cpu_count() or 1) // self.n_workers)
                # the nannies apply pre-spawn variables to this process's environment too; numba here would
                # then refuse to compile anything new ("Cannot set NUMBA_NUM_THREADS ... once the threads have
                # been launched"), so the caller's value is put back once the workers are up
                before = os.environ.get("NUMBA_NUM_THREADS")
                try:
                    with dask.config.set(
                        {"distributed.nanny.pre-spawn-environ.NUMBA_NUM_THREADS": str(threads)}
                    ):
                        self.cluster = LocalCluster(
                            n_workers=self.n_workers,
                            threads_per_worker=1,
                            processes=True,
                            host="127.0.0.1",
                            dashboard_address=None,
                            silence_logs=logging.ERROR,
                        )
                finally:
                    if before is None:
                        os.environ.pop("NUMBA_NUM_THREADS", None)
                    else:
                        os.environ["NUMBA_NUM_THREADS"] = before
                self.client = Client(self.cluster, timeout=self.timeout)
            else:
                self.client = Client(self._arg, timeout=self.timeout)
                self.n_workers = len(self.client.scheduler_info(n_workers=-1).get("workers", {})) or 1
        except (OSError, TimeoutError) as exc:
            self.__exit__(None, None, None)
            raise RmbsError(f"cannot reach the Dask scheduler at {self.spec}: {exc}", field="dask") from exc
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def run(self, jobs: Sequence[ChunkJob], progress: Progress | None = None) -> list[Any]:
        """Each job's summaries, in job order; ``progress`` gets the scenario count of each finished job."""
        from distributed import as_completed

        futures = self.client.map(summarize_chunk, list(jobs), pure=False)
        where = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(jobs)
        for f in as_completed(futures):
            i = where[f.key]
            out[i] = f.result()
            if progress:
                progress(len(jobs[i][2]))
        return out


def auto_chunk(n: int, parallel: int) -> int:
    """Scenarios per job: in this process 100 at most (a chunk that big splits across the interpreter's threads),
    across workers 25 at most; and at least about four jobs per worker so that the load balances."""
    cap = 100 if parallel <= 1 else 25
    return max(1, min(cap, math.ceil(n / (4 * max(parallel, 1)))))


@dataclass
class GridRun:
    grid: Grid
    summaries: GridSummary  # every scenario of the grid, in grid order
    seconds: float = 0.0
    where: str = "in-process"


def grid_jobs(
    deal: Deal, grid: Grid, summarize: Callable[..., Any], chunk: int
) -> list[tuple[list[int], ChunkJob]]:
    """The compact jobs of the grid as :func:`run_deal_summaries` builds them: per (LIBOR, switches) group, chunks
    of ``chunk`` scenarios with the deal, the resolved switches and the index path."""
    out = []
    for (libor, sw), idx in grid.groups().items():
        index = parse_index_path(libor)
        switches = dict(engine_for(deal, dict(sw)).switches)
        for k in range(0, len(idx), chunk):
            c = idx[k : k + chunk]
            out.append(
                (c, (deal, switches, [grid.scenarios[i] for i in c], index, grid.clean_up_call, summarize))
            )
    return out


def run_grid(
    deal: Deal,
    grid: Grid,
    *,
    price: float | None = None,
    class_prices: Mapping[str, float] | None = None,
    settle: date | None = None,
    cashflows: bool = False,
    workers: int = 1,
    chunk: int | None = None,
    dask: str | DaskRunner | None = None,
    progress: Progress | None = None,
) -> GridRun:
    """Run every scenario of ``grid``: in this process (``workers`` > 1 spreads the chunks over spawned processes)
    or on Dask (``dask`` = ``local[:N]``, ``tcp://HOST:PORT`` or an open :class:`DaskRunner`)."""
    import time

    for name in class_prices or {}:
        class_members(deal, name)  # unknown class: refuse before running
    summarize = partial(
        summarize_grid,
        price=price,
        class_prices=tuple(sorted((class_prices or {}).items())),
        settle=settle,
        cashflows=cashflows,
    )
    t0 = time.perf_counter()
    n = len(grid)
    ids: list[list[int]] = []
    parts: list[GridSummary] = []
    if dask is None:
        size = chunk or auto_chunk(n, workers if workers > 1 else 1)
        for (libor, sw), idx in grid.groups().items():
            res = run_deal_summaries(
                deal,
                [grid.scenarios[i] for i in idx],
                libor=libor,
                switches=dict(sw),
                clean_up_call=grid.clean_up_call,
                workers=workers,
                chunk=size,
                summarize=summarize,
                progress=progress,
            )
            ids += [idx[k : k + size] for k in range(0, len(idx), size)]
            parts += res
        where = "in-process" if workers <= 1 else f"{workers} processes"
    else:
        runner = DaskRunner(dask) if isinstance(dask, str) else dask
        own = isinstance(dask, str)
        if own:
            runner.__enter__()
        try:
            size = chunk or auto_chunk(n, runner.n_workers)
            jobs = grid_jobs(deal, grid, summarize, size)
            parts = runner.run([j for _, j in jobs], progress)
            ids = [c for c, _ in jobs]
        finally:
            if own:
                runner.__exit__(None, None, None)
        where = f"Dask {runner.spec} ({runner.n_workers} workers)"
    order = np.argsort(np.concatenate([np.asarray(c, dtype=np.int64) for c in ids]), kind="stable")
    return GridRun(grid, GridSummary.concat(parts).take(order), time.perf_counter() - t0, where)


# -------------------------------------------------------------------------------------------------- frames
def _assumption_columns(grid: Grid, scenario_ids: Sequence[int]) -> dict[str, list[Any]]:
    cols: dict[str, list[Any]] = {
        "scenario": list(scenario_ids),
        "prepay": [],
        "default": [],
        "severity": [],
        "lag": [],
        "libor": [],
    }
    kinds = grid.loss_kinds != ("",)
    if kinds:
        cols["loss_kinds"] = []
    names = [n for n, _ in grid.switches]
    for n in names:
        cols[f"switch_{n}"] = []
    for i in scenario_ids:
        pt = grid.points[i]
        cols["prepay"].append(pt.prepay)
        cols["default"].append(pt.default)
        cols["severity"].append(pt.severity)
        cols["lag"].append(pt.lag)
        cols["libor"].append(pt.libor)
        if kinds:
            cols["loss_kinds"].append(pt.loss_kinds)
        for n, v in pt.switches:
            cols[f"switch_{n}"].append(v)
    return cols


SUMMARY_COLUMNS = (
    "class",
    "initial_balance",
    "wal_years",
    "first_principal",
    "last_principal",
    "total_interest",
    "total_principal",
    "total_loss",
    "price",
    "yield",
)


def _money(cents: np.ndarray) -> pl.Series:
    return (pl.Series(cents.astype(np.int64)).cast(pl.Decimal(20, 2)) / 100).cast(MONEY)


def grid_frame(run: GridRun) -> pl.DataFrame:
    """One row per (scenario, class): the scenario's assumptions, then the summary columns."""
    summ = run.summaries
    cs = summ.classes
    S, K = cs.wal.shape
    ids = np.repeat(np.arange(S), K)
    cols = _assumption_columns(run.grid, range(S))
    scen = pl.DataFrame(
        cols,
        schema={
            "scenario": pl.Int32,
            "prepay": pl.Utf8,
            "default": pl.Utf8,
            "severity": pl.Float64,
            "lag": pl.Int32,
            "libor": pl.Utf8,
            **({"loss_kinds": pl.Utf8} if "loss_kinds" in cols else {}),
            **{k: pl.Utf8 for k in cols if k.startswith("switch_")},
        },
    )[ids]
    dates = np.array(cs.dates, dtype="datetime64[D]")

    def when(ix: np.ndarray) -> pl.Series:
        flat = ix.reshape(-1)
        return pl.Series(np.where(flat >= 0, dates[np.maximum(flat, 0)], np.datetime64("NaT")), dtype=pl.Date)

    wal = cs.wal.reshape(-1)
    summary = pl.DataFrame(
        {
            "class": pl.Series(np.tile(np.array(cs.names, dtype=object), S), dtype=pl.Utf8),
            "initial_balance": _money(np.tile(cs.initial_balance, S)),
            "wal_years": pl.Series(np.where(wal >= 0, wal / 100, np.nan)).fill_nan(None),
            "first_principal": when(cs.first_principal),
            "last_principal": when(cs.last_principal),
            "total_interest": _money(cs.interest.reshape(-1)),
            "total_principal": _money(cs.principal.reshape(-1)),
            "total_loss": _money((cs.realized_loss + cs.writedown).reshape(-1)),
            "price": pl.Series([summ.price[k] for _ in range(S) for k in range(K)], dtype=pl.Float64),
            "yield": pl.Series(summ.yields.reshape(-1), dtype=pl.Float64).fill_nan(None),
        }
    )
    return scen.hstack(summary)


def cashflow_frame(run: GridRun) -> pl.DataFrame:
    """Every class's flows by period in every scenario (when the grid ran with ``cashflows``), in dollars."""
    cf = run.summaries.cashflows
    if cf is None:
        raise ValidationError("the grid ran without cash flows", field="cashflows")
    if len(cf["scenario"]) == 0:
        return pl.DataFrame()
    names = np.array(run.summaries.classes.names, dtype=object)
    df = pl.DataFrame(
        {
            "scenario": cf["scenario"].astype(np.int32),
            "class": pl.Series(names[cf["class"]], dtype=pl.Utf8),
            "period": cf["period"],
            "date": cf["date"],
            **{k: cf[k] for k in CASHFLOW_FIELDS},
        }
    )
    return df.with_columns([(pl.col(k).cast(pl.Decimal(20, 2)) / 100).cast(MONEY) for k in CASHFLOW_FIELDS])
