"""Monte Carlo sweeps: N draws of a scenario, run in batches, gathered per draw.

The library call behind ``arsenal sweep``::

    from arsenalnet.scenario import load_scenario
    from arsenalnet.scenario.sweep import run_sweep
    from arsenalnet.scenario.executors import Pool

    result = run_sweep(net, load_scenario(path), runs=1000, seed=7, executor=Pool(2))
    summary = summarize_sweep(result)  # arsenalnet.scenario.sweep_summary

By default the draws run on the upstream cone of the end items
(:mod:`arsenalnet.propagate.cone`): the system cut down to the makers of the
end items and every node upstream of them, keeping the whole system's baseline.
What it leaves out is the reaction of buyers outside the cone: they keep
ordering their baseline amounts (as unrated outside demand), so a shock that
frees or takes capacity outside the cone does not move them. For DX- and
DO-rated end items the cut's deliveries equal the whole system's (tested on
every shipped scenario); for unrated ones it is an approximation. ``whole=True``
simulates the whole twin instead.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Network
from arsenalnet.propagate.cone import makers, subsystem, upstream
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario.batch import BatchResult, EndItems, SweepJob
from arsenalnet.scenario.compile import params_of
from arsenalnet.scenario.draws import Target, prepare
from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.executors import Executor, InProcess
from arsenalnet.scenario.model import Scenario

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

NODES_PER_BATCH = 32_768
"""Nodes a batch's tiled system holds at most (B copies of the system; at least one copy):
about 250 copies of a 131-node cone, where a draw costs least (2.7 ms against 3.7 ms for
63 copies and 5.0 ms for 1,000, which no longer fit the cache)."""
MIN_BATCHES = 8
"""A sweep is cut into at least this many batches where it has the draws (work for every
worker, steps for the progress bar)."""


@dataclass(frozen=True)
class SweepResult:
    """Every draw of a sweep, in draw order: ``delivered`` and ``demand`` (N, days, I) units/day
    of each end item, ``occurred`` (N, E) the scenario's events, ``critical`` (M, 4) rows of
    (draw, end item, facility, as a root) on a critical path, sorted, the facility a
    position in ``facility_ids``. ``nodes`` is the capabilities one draw simulates (the cone's, or all)."""

    scenario: Scenario
    items: EndItems
    facility_ids: tuple[str, ...]
    seed: int
    days: int
    whole: bool
    nodes: int
    executor: str
    requested: int
    delivered: FloatArray
    demand: FloatArray
    occurred: BoolArray
    critical: IntArray
    seconds: float

    @property
    def runs(self) -> int:
        """Draws run (1 for a scenario that draws nothing at random, whatever was asked)."""
        return len(self.delivered)


def sweep_job(net: Network, scenario: Scenario, seed: int, days: int | None, whole: bool) -> SweepJob:
    """The job every batch of the sweep runs: the plan, the system (the end items' cone,
    or the whole twin) and where shocks land on it."""
    plan = prepare(scenario, net, days)
    if len(net.demand_product) == 0:
        raise SweepError("the twin has no demand for any end item: a sweep has nothing to report")
    system = build_system(net)
    if whole:
        target = Target.whole(net)
    else:
        cut = subsystem(system, upstream(system, makers(system, np.unique(net.demand_product))))
        system, target = cut.system, Target.of_cut(net, cut)
    items = EndItems.of(net, system, target)
    return SweepJob(plan, system, target, items, params_of(scenario), seed, net.n_facilities)


def batches(runs: int, n_nodes: int, n_links: int = 0) -> list[list[int]]:
    """Draws 0 .. runs-1 cut into consecutive batches of at most :data:`NODES_PER_BATCH`
    nodes, and at least :data:`MIN_BATCHES` of them; a batch also keeps every tiled link
    index (copy c's link l is ``c * n_links + l``) within 32 bits. Depends on nothing else,
    so every executor runs the same batches."""
    fits = min(NODES_PER_BATCH // max(n_nodes, 1), (2**31 - 1) // max(n_links, 1))
    size = max(1, min(math.ceil(runs / MIN_BATCHES), fits))
    return [list(range(k, min(k + size, runs))) for k in range(0, runs, size)]


def check_runs(runs: int) -> None:
    """Refuse fewer than one draw."""
    if runs < 1:
        raise SweepError(f"--runs must be an integer >= 1, got {runs}")


def run_sweep(
    net: Network,
    scenario: Scenario,
    runs: int,
    *,
    seed: int | None = None,
    days: int | None = None,
    whole: bool = False,
    executor: Executor | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run ``runs`` draws of ``scenario`` on ``net`` (``seed`` default: the scenario's; ``days``
    default: the scenario's) and gather them; ``progress(done, runs)`` after each batch.

    A scenario that draws nothing at random is one draw, whatever ``runs`` says.
    Raises :class:`SweepError` for ``runs`` < 1 and :class:`ScenarioError` for a
    scenario that does not compile on ``net``.
    """
    check_runs(runs)
    runner = executor or InProcess()
    runner.check()
    start = time.perf_counter()
    chosen = scenario.seed if seed is None else seed
    job = sweep_job(net, scenario, chosen, days, whole)
    n = runs if scenario.random_line() is not None else 1
    done = [0]

    def finished(b: BatchResult) -> None:
        done[0] += len(b.draws)
        if progress is not None:
            progress(done[0], n)

    parts = runner.run(job, batches(n, job.system.n_nodes, job.system.n_links), finished)
    critical = np.concatenate([p.critical for p in parts])
    facilities, critical[:, 2] = np.unique(critical[:, 2], return_inverse=True)
    return SweepResult(
        scenario=scenario,
        items=job.items,
        facility_ids=tuple(net.facilities.take(facilities)),
        seed=chosen,
        days=job.plan.days,
        whole=whole,
        nodes=job.system.n_nodes,
        executor=runner.name,
        requested=runs,
        delivered=np.concatenate([p.delivered for p in parts]),
        demand=np.concatenate([p.demand for p in parts]),
        occurred=np.concatenate([p.occurred for p in parts]),
        critical=critical,
        seconds=time.perf_counter() - start,
    )
