"""The 10M-facility case of bench_propagate_10m.py on the GPU backend, checked against the CPU.

Target (issue 4): the GPU backend gives the same results within 1e-6 relative; measure
the 10M facilities / 50M links, 730-day run on an NVIDIA GPU where one is available.
Where CuPy or a GPU is missing this prints why and measures nothing.

Runs the tiled ics-cyberattack case (see bench_propagate_10m.py) for DAYS days with
``backend="gpu"``, printing the time, the process's peak resident memory and the GPU
memory CuPy holds; then the first CHECK_DAYS days again on the CPU backend, and the
largest relative difference of the daily production and the demand rows' deliveries
over those days.

Usage: .venv/bin/python benchmarks/bench_propagate_gpu.py [STORE.duckdb] [DAYS] [COPIES] [CHECK_DAYS]
(defaults: a generated 1M twin, 730 days, 10 copies, 60 days checked; CuPy from
``pip install cupy-cuda12x``, or the project's ``gpu`` extra)
"""

import sys
from pathlib import Path

import numpy as np

from arsenalnet.model.errors import ArsenalError
from arsenalnet.propagate.array_step import cupy_namespace
from arsenalnet.propagate.shocks import Shocks
from bench_propagate_10m import tiled_case, timed_run
from machine import describe


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 730
    copies = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    check_days = int(sys.argv[4]) if len(sys.argv) > 4 else 60
    print(f"machine: {describe()}", flush=True)
    try:
        cupy = cupy_namespace()
    except ArsenalError as e:
        print(f"no GPU run: {e}. Nothing measured.")
        return
    props = cupy.cuda.runtime.getDeviceProperties(0)
    print(f"GPU: {props['name'].decode()}, {props['totalGlobalMem'] / 2**30:.0f} GiB", flush=True)
    pool = cupy.get_default_memory_pool()
    held = [0]

    def gpu_memory() -> str:
        held[0] = max(held[0], pool.total_bytes())
        return f", GPU memory held {held[0] / 2**30:.2f} GiB"

    system, shocks, params = tiled_case(store, days, copies)
    gpu = timed_run(system, shocks, params, "gpu", gpu_memory)
    pool.free_all_blocks()
    first = Shocks(check_days, shocks.capacity, shocks.links, shocks.demand)
    cpu = timed_run(system, first, params, "cpu")
    for name in ("production_ratio", "row_delivered"):
        a, b = getattr(cpu, name), getattr(gpu, name)[:check_days]
        worst = float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-300), initial=0.0))
        print(f"{name}: largest relative difference gpu vs cpu over {check_days} days {worst:.2e}")


if __name__ == "__main__":
    main()
