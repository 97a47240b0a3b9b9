"""``rmbs run``: the collateral projection of a deal's tape, then the waterfall, over one or more scenarios."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from rmbs.collateral.assumptions import Scenario, parse_loss_kinds
from rmbs.collateral.assumptions import scenario as make_scenario
from rmbs.collateral.loans import project_deal
from rmbs.collateral.periods import PoolPeriods
from rmbs.deal.schema import Deal
from rmbs.errors import ValidationError
from rmbs.waterfall.batch import ClassFlows, ClassSummary
from rmbs.waterfall.calls import exercise_call
from rmbs.waterfall.engine import GroupPeriodInput, PeriodResult, Run, WaterfallEngine
from rmbs.waterfall.link import input_array
from rmbs.waterfall.prim import I64
from rmbs.waterfall.run import IndexPath, class_summary, parse_index_path


@dataclass
class ScenarioRun:
    label: str
    inputs: list[dict[str, GroupPeriodInput]]
    results: list[PeriodResult]
    switches: dict[str, str]
    summary: list[dict[str, Any]]  # per class: :func:`rmbs.waterfall.run.class_summary`


def ci_cap_base(switches: dict[str, str]) -> str:
    """The collateral projection's part of a deal's readings: the Compensating Interest cap base (2000-2 AMBIG-5,
    switch ``ci_cap_balance``: the Pool Stated Principal Balance for the Distribution Date, i.e. after its Due
    Date -- ``ending`` -- or the balance after the prior Due Date). Deals without the switch: ``beginning``."""
    reading = switches.get("ci_cap_balance")
    if reading is None or reading == "prior_due_date":
        return "beginning"
    return "ending"


def needs_concentrations(deal: Deal) -> bool:
    """Whether a coverage amount of the deal is limited by the largest loan or the largest California ZIP code
    (2000-2's Special Hazard Loss Amount, L1483-1498): only then does the collateral pass compute them."""
    return any(c.largest_loan_multiple is not None or c.largest_zip for c in deal.coverage)


def parse_switches(items: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValidationError(f"bad switch {item!r}", field="switch", expected="NAME=VALUE")
        out[name.strip()] = value.strip()
    return out


def run_deal(
    deal: Deal,
    *,
    prepay: Sequence[str] = ("0SMM",),
    default: str = "0MDR",
    severity: float = 0.0,
    lag: int = 0,
    advance: bool = True,
    libor: str | None = None,
    switches: dict[str, str] | None = None,
    clean_up_call: bool = False,
    scenarios: Sequence[Scenario] | None = None,
    loss_kinds: str | None = None,
) -> list[ScenarioRun]:
    """Project all scenarios in one collateral pass (the scenario axis), then distribute them all in one call of
    the interpreter; every date's inputs and results are kept. ``loss_kinds`` (``SH=10%,FRAUD=5%,BK=2%``) splits
    every scenario's realized losses by kind (:func:`rmbs.collateral.assumptions.parse_loss_kinds`)."""
    engine = WaterfallEngine(deal, switches)
    if scenarios is None:
        kinds = parse_loss_kinds(loss_kinds)
        scenarios = [make_scenario(p, default, severity, lag, advance, loss_kinds=kinds) for p in prepay]
    periods = project_deal(
        deal.library,
        scenarios,
        ci_cap_base=ci_cap_base(engine.switches),
        concentrations=needs_concentrations(deal),
    )
    index = parse_index_path(libor)
    run, inp = run_periods(engine, periods, index, clean_up_call)
    summary = class_summary(deal, run.flows())
    out = []
    for s, sc in enumerate(scenarios):
        results = run.results(s)
        out.append(
            ScenarioRun(
                sc.label(),
                group_inputs(deal, inp[s, : len(results)]),
                results,
                dict(engine.switches),
                summary.rows(s),
            )
        )
    return out


def run_periods(
    engine: WaterfallEngine, periods: PoolPeriods, index: IndexPath, clean_up_call: bool = False
) -> tuple[Run, I64]:
    """The interpreter over every scenario of a projection (with the clean-up call on its first possible date
    when asked); returns the run and the inputs it distributed."""
    inp = input_array(engine.deal, periods)
    t_end = None
    if clean_up_call:
        inp, t_end = exercise_call(
            engine.deal, inp, engine.sw("cleanup_call_base", "aggregate") == "per_group"
        )
    return engine.run(inp, index.at, None, t_end), inp


def group_inputs(deal: Deal, rows: I64) -> list[dict[str, GroupPeriodInput]]:
    """A scenario's (date, group, field) input rows as GroupPeriodInputs keyed by loan group, date by date."""
    names = [f.name for f in fields(GroupPeriodInput)]
    table = rows.tolist()
    return [
        {
            g.loan_group: GroupPeriodInput(
                **{
                    n: (bool(v) if n == "cleanup_call" else v)
                    for n, v in zip(names, table[t][k], strict=True)
                }
            )
            for k, g in enumerate(deal.groups)
        }
        for t in range(len(table))
    ]


def write_tables(deal: Deal, runs: Sequence[ScenarioRun], out: Path) -> list[Path]:
    """The ``classes``, ``groups``, ``pool``, ``inputs`` and ``tests`` tables (:mod:`rmbs.waterfall.tables`) of
    every scenario, each as CSV and Parquet in ``out``."""
    from rmbs.waterfall.tables import frames

    out.mkdir(parents=True, exist_ok=True)
    tables = frames(deal, [r.results for r in runs], [r.inputs for r in runs])
    written = []
    for name, df in tables._asdict().items():
        df.write_csv(out / f"{name}.csv")
        df.write_parquet(out / f"{name}.parquet")
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
    return written


R = TypeVar("R")
Summarizer = Callable[[Deal, ClassFlows], R]


def summarize_classes(deal: Deal, flows: ClassFlows) -> ClassSummary:
    """The default summary of a chunk: :func:`class_summary` (WAL, principal window, totals per class)."""
    return class_summary(deal, flows)


def run_deal_summaries(
    deal: Deal,
    scenarios: Sequence[Scenario],
    *,
    libor: str | None = None,
    switches: dict[str, str] | None = None,
    clean_up_call: bool = False,
    workers: int = 1,
    chunk: int = 25,
    summarize: Summarizer[Any] = summarize_classes,
    progress: Callable[[int], None] | None = None,
) -> list[Any]:
    """Summaries of many scenarios, keeping no per-date results: one per chunk, in scenario order.

    The scenarios go in chunks of ``chunk`` (consecutive scenarios); each chunk is one collateral pass over its
    scenarios (the scenario axis) followed by the interpreter over all of them, in this process or in one of
    ``workers`` processes. Only the assumptions travel to a worker and only the summaries come back -- the form a
    scenario grid needs. ``summarize`` (a module-level function, so that it pickles) turns a chunk's
    :class:`~rmbs.waterfall.batch.ClassFlows` into its summary; ``progress`` is called with the number of
    scenarios just finished."""
    index = parse_index_path(libor)
    sw = dict(engine_for(deal, switches or {}).switches)
    n = len(scenarios)
    step = max(chunk, 1)
    chunks = [list(range(k, min(k + step, n))) for k in range(0, n, step)]
    out: dict[int, Any] = {}
    jobs = [(deal, sw, [scenarios[i] for i in c], index, clean_up_call, summarize) for c in chunks]
    if workers > 1 and len(chunks) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # spawn, not fork: the workers run the collateral engine, whose numba thread pool does not survive fork
        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            futures = {pool.submit(summarize_chunk, job): k for k, job in enumerate(jobs)}
            for f in as_completed(futures):
                k = futures[f]
                out[k] = f.result()
                if progress:
                    progress(len(chunks[k]))
    else:
        for k, job in enumerate(jobs):
            out[k] = summarize_chunk(job)
            if progress:
                progress(len(chunks[k]))
    return [out[k] for k in range(len(chunks))]


ChunkJob = tuple[Deal, dict[str, str], list[Scenario], IndexPath, bool, Summarizer[Any]]
_ENGINES: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[Deal, WaterfallEngine]] = {}


def engine_for(deal: Deal, switches: dict[str, str]) -> WaterfallEngine:
    """The engine of ``deal`` under ``switches``, compiled once per deal object and readings in this process
    (a grid's chunks share it)."""
    key = (id(deal), tuple(sorted(switches.items())))
    hit = _ENGINES.get(key)
    if hit is None or hit[0] is not deal:
        if len(_ENGINES) > 64:
            _ENGINES.clear()
        hit = (deal, WaterfallEngine(deal, switches))
        _ENGINES[key] = hit
    return hit[1]


def summarize_chunk(job: ChunkJob) -> Any:
    """One chunk of scenarios, start to finish: collateral pass, the interpreter over all of them, the summary
    of their class flows."""
    deal, switches, scs, index, cleanup, summarize = job
    periods = project_deal(
        deal.library, scs, ci_cap_base=ci_cap_base(switches), concentrations=needs_concentrations(deal)
    )
    run, _inp = run_periods(engine_for(deal, switches), periods, index, cleanup)
    return summarize(deal, run.flows())
