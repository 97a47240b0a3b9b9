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
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
import polars as pl

from rmbs.analytics.deal import class_members, class_names, yield_at_price
from rmbs.collateral.assumptions import Scenario, parse_lag, parse_loss_kinds, parse_severity, scenario
from rmbs.deal.schema import Deal
from rmbs.errors import RmbsError, ValidationError
from rmbs.waterfall.engine import PeriodResult, WaterfallEngine, cents
from rmbs.waterfall.project import ChunkJob, run_deal_summaries, summarize_chunk
from rmbs.waterfall.run import class_summary, parse_index_path, years_30_360

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
def _principal(results: Sequence[PeriodResult], name: str) -> np.ndarray:
    return np.fromiter((r.classes[name].principal_paid for r in results), np.int64, len(results))


def _composite_row(deal: Deal, results: Sequence[PeriodResult], name: str) -> dict[str, Any]:
    """The :func:`class_summary` row of a class made of components (A-PO), from its components' sums."""
    members = class_members(deal, name)
    dates = [r.date for r in results]
    prin = sum((_principal(results, c.name) for c in members), np.zeros(len(results), np.int64))
    paid = [(d, int(p)) for d, p in zip(dates, prin, strict=True) if p]
    total_p = sum(p for _, p in paid)
    wal = (
        sum((years_30_360(deal.closing_date, d) * p for d, p in paid), Decimal(0)) / total_p
        if total_p
        else None
    )
    return {
        "class": name,
        "initial_balance": (Decimal(sum(cents(c.initial_balance) for c in members)) / 100).quantize(
            Decimal("0.01")
        ),
        "wal_years": None if wal is None else wal.quantize(Decimal("0.01")),
        "first_principal": paid[0][0] if paid else None,
        "last_principal": paid[-1][0] if paid else None,
        "total_interest": Decimal(sum(r.classes[c.name].interest_paid for r in results for c in members))
        / 100,
        "total_principal": Decimal(total_p) / 100,
        "total_loss": Decimal(
            sum(
                r.classes[c.name].realized_loss + r.classes[c.name].writedown
                for r in results
                for c in members
            )
        )
        / 100,
    }


def _cashflows(deal: Deal, results: Sequence[PeriodResult], name: str) -> dict[str, np.ndarray]:
    """One class's flows in cents by period (components summed), only while it has a balance or a payment."""
    n = len(results)
    out = {k: np.zeros(n, np.int64) for k in CASHFLOW_FIELDS}
    for c in class_members(deal, name):
        rs = [r.classes[c.name] for r in results]
        out["beginning_balance"] += np.fromiter((x.beginning_balance for x in rs), np.int64, n)
        out["principal"] += np.fromiter((x.principal_paid + x.po_deferred_paid for x in rs), np.int64, n)
        out["interest"] += np.fromiter((x.interest_paid for x in rs), np.int64, n)
        out["loss"] += np.fromiter((x.realized_loss + x.writedown for x in rs), np.int64, n)
        out["ending_balance"] += np.fromiter((x.ending_balance for x in rs), np.int64, n)
    live = (
        (out["beginning_balance"] != 0)
        | (out["principal"] != 0)
        | (out["interest"] != 0)
        | (out["loss"] != 0)
    )
    out = {k: v[live] for k, v in out.items()}
    out["period"] = np.fromiter((r.period for r in results), np.int32, n)[live]
    out["date"] = np.array([r.date for r in results], dtype="datetime64[D]")[live]
    return out


def summarize_grid(
    deal: Deal,
    results: list[PeriodResult],
    *,
    price: float | None = None,
    class_prices: tuple[tuple[str, float], ...] = (),
    settle: date | None = None,
    cashflows: bool = False,
) -> list[dict[str, object]]:
    """The grid's per-scenario summary hook: per class (every class, then each class made of components) the
    :func:`class_summary` row -- WAL, principal window, total interest, principal and loss -- with the price
    (``class_prices``, else ``price``) and the bond-equivalent yield at it settling on ``settle`` (the closing
    date by default; ``None`` when the class receives nothing after settlement or no yield gives the price), and
    with ``cashflows`` the class's flows by period under the key ``"cashflows"``.

    Module-level, so that ``functools.partial(summarize_grid, ...)`` pickles for worker processes and Dask."""
    rows: list[dict[str, Any]] = list(class_summary(deal, results))
    plain = {r["class"] for r in rows}
    rows += [_composite_row(deal, results, n) for n in class_names(deal) if n not in plain]
    prices = dict(class_prices)
    for row in rows:
        name = row["class"]
        p = prices.get(name, price)
        y = None
        if p is not None:
            try:
                y = yield_at_price(deal, results, name, p, settle)
            except ValidationError:
                y = None  # no yield gives this price (an IO's flows below it, say)
        row["price"] = p
        row["yield"] = y
        if cashflows:
            row["cashflows"] = _cashflows(deal, results, name)
    return rows


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

    def run(
        self, jobs: Sequence[ChunkJob], progress: Progress | None = None
    ) -> list[list[list[dict[str, object]]]]:
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
    """Scenarios per job: 25 at most, and at least about four jobs per worker so that the load balances."""
    return max(1, min(25, math.ceil(n / (4 * max(parallel, 1)))))


@dataclass
class GridRun:
    grid: Grid
    summaries: list[list[dict[str, object]]]  # per scenario, per class
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
        switches = dict(WaterfallEngine(deal, dict(sw)).switches)
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
    done: dict[int, list[dict[str, object]]] = {}
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
            done.update(zip(idx, res, strict=True))
        where = "in-process" if workers <= 1 else f"{workers} processes"
    else:
        runner = DaskRunner(dask) if isinstance(dask, str) else dask
        own = isinstance(dask, str)
        if own:
            runner.__enter__()
        try:
            size = chunk or auto_chunk(n, runner.n_workers)
            jobs = grid_jobs(deal, grid, summarize, size)
            for (idx, _), res in zip(jobs, runner.run([j for _, j in jobs], progress), strict=True):
                done.update(zip(idx, res, strict=True))
        finally:
            if own:
                runner.__exit__(None, None, None)
        where = f"Dask {runner.spec} ({runner.n_workers} workers)"
    return GridRun(grid, [done[i] for i in range(n)], time.perf_counter() - t0, where)


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


def grid_frame(run: GridRun) -> pl.DataFrame:
    """One row per (scenario, class): the scenario's assumptions, then the summary columns."""
    ids = [i for i, rows in enumerate(run.summaries) for _ in rows]
    cols = _assumption_columns(run.grid, ids)
    for k in SUMMARY_COLUMNS:
        cols[k] = [row[k] for rows in run.summaries for row in rows]
    schema: dict[str, Any] = {
        "scenario": pl.Int32,
        "prepay": pl.Utf8,
        "default": pl.Utf8,
        "severity": pl.Float64,
        "lag": pl.Int32,
        "libor": pl.Utf8,
        **({"loss_kinds": pl.Utf8} if "loss_kinds" in cols else {}),
        **{k: pl.Utf8 for k in cols if k.startswith("switch_")},
        "class": pl.Utf8,
        "initial_balance": MONEY,
        "wal_years": pl.Float64,
        "first_principal": pl.Date,
        "last_principal": pl.Date,
        "total_interest": MONEY,
        "total_principal": MONEY,
        "total_loss": MONEY,
        "price": pl.Float64,
        "yield": pl.Float64,
    }
    cols["wal_years"] = [None if w is None else float(w) for w in cols["wal_years"]]
    return pl.DataFrame(cols, schema=schema)


def cashflow_frame(run: GridRun) -> pl.DataFrame:
    """Every class's flows by period in every scenario (when the grid ran with ``cashflows``), in dollars."""
    parts = []
    for s, rows in enumerate(run.summaries):
        for row in rows:
            cf = row.get("cashflows")
            if not isinstance(cf, dict):
                raise ValidationError("the grid ran without cash flows", field="cashflows")
            m = len(cf["period"])
            parts.append(
                pl.DataFrame(
                    {
                        "scenario": np.full(m, s, np.int32),
                        "class": [row["class"]] * m,
                        "period": cf["period"],
                        "date": cf["date"],
                        **{k: cf[k] for k in CASHFLOW_FIELDS},
                    }
                )
            )
    if not parts:
        return pl.DataFrame()
    df = pl.concat(parts)
    return df.with_columns([(pl.col(k).cast(pl.Decimal(20, 2)) / 100).cast(MONEY) for k in CASHFLOW_FIELDS])
