"""`arsenal sweep` at scale: 1,000 draws of scenarios/pacific-conflict.yaml on a 100k-facility twin.

Target: 1,000 draws over 180 days in <= 10 min in this process; the same on a local Ray,
with the overhead ratio. Prints, side by side on one twin and one seed: the sweep in this
process (on the end items' cone), in a pool of 2 processes, on a local Ray with 2 CPUs
(each checked identical to the first), on a local Ray already running (its start timed
apart, as a cluster's would be), and a smaller sweep of the whole twin with its time per
draw. Every figure is the whole ``run_sweep`` call (preparing the draws, building the
system, every batch, gathering), after the engine's kernel was loaded once.

Usage: .venv/bin/python benchmarks/bench_sweep.py [STORE.duckdb] [RUNS] [WHOLE_RUNS]
(without a store, ``generate_twin(100_000, seed=1)`` is written to a temporary directory)
"""

import logging
import sys
import time
from pathlib import Path

import numpy as np

from arsenalnet.network import Network
from arsenalnet.scenario import load_scenario
from arsenalnet.scenario.executors import Executor, InProcess, Pool, Ray
from arsenalnet.scenario.sweep import SweepResult, run_sweep
from arsenalnet.scenario.sweep_summary import summarize_sweep
from machine import describe, load_average, load_network, peak_gib

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "pacific-conflict.yaml"
FACILITIES = 100_000


def timed(net: Network, runs: int, executor: Executor, whole: bool = False) -> tuple[SweepResult, float]:
    """A sweep and its wall-clock seconds."""
    start = time.perf_counter()
    result = run_sweep(net, load_scenario(SCENARIO), runs, whole=whole, executor=executor)
    return result, time.perf_counter() - start


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    whole_runs = int(sys.argv[3]) if len(sys.argv) > 3 else 8
    print(f"machine: {describe()}; load average {load_average():.1f}")
    net = load_network(store, FACILITIES)
    print(f"twin: {net.n_facilities:,} facilities, {net.n_links:,} links; scenario {SCENARIO.name}")
    run_sweep(net, load_scenario(SCENARIO), 1)  # loads the engine's kernel from numba's cache

    base, t_in = timed(net, runs, InProcess())
    days = base.days
    print(f"{runs:,} draws x {days} days on the cone ({base.nodes:,} capabilities):")
    print(f"  in this process:      {t_in:7.1f} s ({1000 * t_in / runs:6.1f} ms a draw)")
    for name, executor in (("pool of 2 processes:", Pool(2)), ("local Ray, 2 CPUs:", Ray(None, 2))):
        other, t = timed(net, runs, executor)
        same = all(np.array_equal(getattr(other, f), getattr(base, f)) for f in ("delivered", "critical"))
        print(f"  {name:21} {t:7.1f} s ({t / t_in:4.2f}x in-process; identical results: {same})")
    import ray  # a Ray already running, as a cluster's would be: the sweep's own overhead

    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level=logging.ERROR)
    t_start = time.perf_counter() - start
    on_ray, t = timed(net, runs, Ray(None, 2))
    ray.shutdown()
    same = np.array_equal(on_ray.delivered, base.delivered)
    print(
        f"  {'Ray already running:':21} {t:7.1f} s ({t / t_in:4.2f}x in-process; identical: {same}); "
        f"starting it took {t_start:.1f} s"
    )

    for item in summarize_sweep(base).end_items:
        low, high = item.lost_ci
        print(
            f"  {item.product_id}: short in {100 * item.short_share:.1f}% of draws, "
            f"expected {item.lost:,.1f} units lost (95% CI {low:,.1f}-{high:,.1f})"
        )

    whole, t_whole = timed(net, whole_runs, InProcess(), whole=True)
    per_draw = t_whole / whole_runs
    print(
        f"{whole_runs} draws x {days} days on the whole twin ({whole.nodes:,} capabilities), "
        f"in this process: {t_whole:.1f} s ({per_draw:.2f} s a draw; "
        f"1,000 draws would take {1000 * per_draw / 60:.0f} min)"
    )
    print(f"peak memory: {peak_gib():.2f} GiB (this process)")
    print(f"load average at the end: {load_average():.1f}")


if __name__ == "__main__":
    main()
