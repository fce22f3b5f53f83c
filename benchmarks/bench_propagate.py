"""`simulate` of the 1M-facility twin: the firm-level engine over 365 days of a shocked scenario.

Target: <= 45 s for 365 days and <= 6 GB peak memory. Prints the seconds to build the
firm-level system, to simulate (recording the changed nodes, and not), per day, and the
peak resident memory of the process.

Usage: .venv/bin/python benchmarks/bench_propagate.py [STORE.duckdb] [DAYS]
(without a store, a 1M-facility twin is generated into a temporary directory)
"""

import sys
import time
from pathlib import Path

from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import compile_scenario, load_scenario
from machine import cpu_seconds, describe, load_average, load_network, peak_gib

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "ics-cyberattack.yaml"


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    print(f"machine: {describe()}")
    net = load_network(store)
    print(f"facilities {net.n_facilities:,}, links {net.n_links:,}; peak memory {peak_gib():.2f} GiB")

    start = time.perf_counter()
    system = build_system(net)
    t_build = time.perf_counter() - start
    arcs, edges = len(system.arc_source), len(system.edge_node)
    print(f"nodes {system.n_nodes:,}, slots {system.n_slots:,}, edges {edges:,}, arcs {arcs:,}")
    print(f"build_system:  {t_build:6.2f} s")

    simulate(system, Shocks(days=1))  # compiles the kernel, or loads it from numba's cache
    shocks, params = compile_scenario(load_scenario(SCENARIO), net, days)
    for record in (False, True):
        start, cpu, before = time.perf_counter(), cpu_seconds(), load_average()
        trajectory = simulate(system, shocks, params, record=record)
        took, cpu = time.perf_counter() - start, cpu_seconds() - cpu
        print(
            f"{SCENARIO.stem}, {days} days, record={record!s:5}: {took:6.2f} s, "
            f"{took / days * 1000:6.1f} ms/day ({len(trajectory.change_day):,} changes recorded); "
            f"CPU {cpu:6.2f} s; load average {before:.1f} -> {load_average():.1f}"
        )
    print(f"peak memory:   {peak_gib():6.2f} GiB")


if __name__ == "__main__":
    main()
