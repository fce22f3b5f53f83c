"""`simulate` at 10M facilities / 50M links: the firm-level engine over 730 days.

Target: <= 15 min for 730 days and <= 12 GB peak memory. The synthetic generator stops at
2M facilities, so the 10M-facility system is built by tiling: the firm-level system of a
1M-facility twin is built once, and ``COPIES`` (10) disjoint copies of it are laid side
by side in one :class:`FirmSystem` (``arsenalnet.propagate.tile.tile_system``: every
node, slot, edge, arc, final arc, demand row, facility and link index offset per copy).
Ten copies of a twin from today's generator (``arsenal generate --facilities 1000000
--seed 1``: 1.0M facilities, 4.93M links) are 10.0M facilities and 49.3M links, the
target's size. The copies are disjoint supply networks: no arc crosses from one copy to
another, and nodes are numbered copy-major (product-major within a copy) rather than
product-major over all 10M facilities. The engine's work per day scales with the nodes,
slots, edges and arcs it steps, which is what this figure measures; it does not measure
a single connected 10M-facility network's baseline solve or its memory access pattern.

The shock is ``bench_propagate.py``'s, tiled: the ics-cyberattack scenario compiled on
the 1M twin (every ControlLogix plant down for 14 days), applied in every copy.
Prints the seconds to build the 1M system and to tile it, to simulate (record=False),
per day, and the peak resident memory of the process.

Usage: .venv/bin/python benchmarks/bench_propagate_10m.py [STORE.duckdb] [DAYS] [COPIES] [BACKEND]
(STORE is a 1M-facility twin, e.g. from
``.venv/bin/arsenal generate --facilities 1000000 --seed 1 --db /tmp/g1m.duckdb``;
without one, a 1M twin is generated into a temporary folder, as bench_propagate.py does;
BACKEND is ``cpu``, the default, or ``gpu``: see bench_propagate_gpu.py)
"""

import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

from arsenalnet.propagate.firm import Trajectory, simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import FirmSystem, build_system
from arsenalnet.propagate.tile import tile_shocks, tile_system
from arsenalnet.scenario import compile_scenario, load_scenario
from bench_propagate import SCENARIO
from machine import cpu_seconds, describe, load_average, load_network, peak_gib


def rss_gib() -> float:
    """Resident memory of this process now."""
    with Path("/proc/self/status").open() as f:
        kib = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kib / 2**20


def tiled_case(store: Path | None, days: int, copies: int) -> tuple[FirmSystem, Shocks, Params]:
    """The tiled system and shocks of ``copies`` copies of the 1M twin in ``store`` (printed as built)."""
    net = load_network(store)
    n_f, n_l, n_caps, n_rows = net.n_facilities, net.n_links, len(net.cap_facility), len(net.demand_qty)
    print(f"1M twin: facilities {n_f:,}, links {n_l:,}; peak memory {peak_gib():.2f} GiB")

    start = time.perf_counter()
    one = build_system(net)
    t_build = time.perf_counter() - start
    shocks1, params = compile_scenario(load_scenario(SCENARIO), net, days)
    simulate(one, Shocks(days=1))  # compiles the kernel, or loads it from numba's cache
    del net  # the Network and its tables are not needed past here
    gc.collect()

    start = time.perf_counter()
    system = tile_system(one, copies, n_f)
    shocks = tile_shocks(shocks1, copies, n_caps, n_l, n_rows)
    t_tile = time.perf_counter() - start
    del one
    gc.collect()
    arcs, edges = len(system.arc_source), len(system.edge_slot)
    print(f"tiled x{copies}: facilities {copies * n_f:,}, links {system.n_links:,}")
    print(f"nodes {system.n_nodes:,}, slots {system.n_slots:,}, edges {edges:,}, arcs {arcs:,}")
    print(f"chunks {len(system.chunk) - 1}, shocked nodes {sum(len(s.nodes) for s in shocks.capacity):,}")
    print(f"build_system (1M): {t_build:6.2f} s; tiling: {t_tile:6.2f} s; peak memory {peak_gib():.2f} GiB")
    return system, shocks, params


def timed_run(
    system: FirmSystem,
    shocks: Shocks,
    params: Params,
    backend: str,
    extra: Callable[[], str] = lambda: "",
) -> Trajectory:
    """``simulate`` with a progress line every 30 days; prints the time and the peak memory."""
    print(f"resident memory before simulate: {rss_gib():.2f} GiB", flush=True)
    start, cpu, loads = time.perf_counter(), cpu_seconds(), [load_average()]

    def progress(day: int) -> None:
        if day == 0 or (day + 1) % 30 == 0:
            took = time.perf_counter() - start
            loads.append(load_average())
            print(
                f"  day {day + 1:4d}: {took:8.2f} s, CPU {cpu_seconds() - cpu:8.2f} s, "
                f"load average {loads[-1]:.1f}, peak memory {peak_gib():.2f} GiB{extra()}",
                flush=True,
            )

    trajectory = simulate(system, shocks, params, record=False, progress=progress, backend=backend)
    took, cpu, days = time.perf_counter() - start, cpu_seconds() - cpu, shocks.days
    print(
        f"{SCENARIO.stem} on {backend}, {days} days, record=False: {took:8.2f} s ({took / 60:.2f} min), "
        f"{took / days * 1000:7.1f} ms/day; production ratio min {trajectory.production_ratio.min():.6f}"
    )
    print(f"CPU time {cpu:8.2f} s (all threads); load average during the run {sum(loads) / len(loads):.1f}")
    print(f"peak memory:   {peak_gib():6.2f} GiB{extra()}", flush=True)
    return trajectory


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 730
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    backend = sys.argv[4] if len(sys.argv) > 4 else "cpu"
    print(f"machine: {describe()}", flush=True)
    system, shocks, params = tiled_case(store, days, copies)
    timed_run(system, shocks, params, backend)


if __name__ == "__main__":
    main()
