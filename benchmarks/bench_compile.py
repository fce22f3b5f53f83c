"""`compile` of the 1M-facility twin: seconds to read the store and build the Network.

Target: <= 20 s. Also times tracing the three reference end items upstream.

Usage: .venv/bin/python benchmarks/bench_compile.py [FACILITIES]
"""

import sys
import time

from arsenalnet.network import compile_network
from arsenalnet.network.trace import trace
from arsenalnet.store import Store
from arsenalnet.synth.generate import REFERENCE_END_ITEMS
from machine import describe, twin_store


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"machine: {describe()}")
    with twin_store(None, n) as db, Store(db, read_only=True) as store:
        start = time.perf_counter()
        tables = store.read_tables()
        t_read = time.perf_counter() - start
        net = compile_network(tables)
        t_compile = time.perf_counter() - start - t_read
    print(f"facilities {net.n_facilities:,}, products {net.n_products:,}, links {net.n_links:,}")
    print(f"read the store: {t_read:6.2f} s")
    print(f"compile:        {t_compile:6.2f} s")
    print(f"read + compile: {t_read + t_compile:6.2f} s")
    for pid in REFERENCE_END_ITEMS:
        start = time.perf_counter()
        report = trace(net, pid, up=True)
        nodes = sum(len(t.nodes) for t in report.tiers)
        took = time.perf_counter() - start
        print(f"trace {pid:<20} {took:6.2f} s  ({len(report.tiers)} tiers, {nodes} nodes)")


if __name__ == "__main__":
    main()
