"""`simulate` of the 1M-facility twin: the firm-level engine over 365 days of a shocked scenario.

Target: <= 45 s for 365 days and <= 6 GB peak memory. Prints the seconds to build the
firm-level system, to simulate (recording the changed nodes, and not), per day, and the
peak resident memory of the process.

Usage: .venv/bin/python benchmarks/bench_propagate.py [STORE.duckdb] [DAYS]
(without a store, a 1M-facility twin is generated into a temporary directory)
"""

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from arsenalnet.ingest import import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import compile_scenario, load_scenario
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin
from machine import describe

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "ics-cyberattack.yaml"


def load(store: Path | None) -> Network:
    """The Network of ``store``, or of a freshly generated 1M-facility twin."""
    if store is not None:
        with Store(store, read_only=True) as s:
            return compile_network(s.read_tables())
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "twin.duckdb"
        with Store(db) as s:
            import_tables(s, generate_twin(1_000_000, seed=1))
        with Store(db, read_only=True) as s:
            return compile_network(s.read_tables())


def peak_gib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far, all threads (what other processes on a
    shared machine do not inflate as much as they inflate the wall time)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def load_average() -> float:
    """The machine's load average over the last minute (other work competing for the cores)."""
    return os.getloadavg()[0]


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    print(f"machine: {describe()}")
    net = load(store)
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
