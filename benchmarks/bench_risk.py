"""`arsenal risk` on the 1M-facility twin: the exposure report and the criticality ranking.

Targets: the exposure report (all but criticality) for the three reference end items
<= 30 s; the criticality ranking of the top 100 upstream facilities of one end item
(each simulated out for its TTR, in one batched run) <= 5 min.

Prints the seconds to read and compile the twin, to build the firm-level system and its
baseline (shared by every report), each end item's report without criticality, the
criticality ranking of 100 facilities of each end item, and the peak memory.

Usage: .venv/bin/python benchmarks/bench_risk.py [STORE.duckdb]
(STORE is a 1M-facility twin at schema 5 or later, e.g. from
``.venv/bin/arsenal generate --facilities 1000000 --seed 1 --db /tmp/g1m.duckdb``;
without one, a 1M twin is generated into a temporary folder)
"""

import sys
import time
from pathlib import Path

from arsenalnet.propagate.system import build_system
from arsenalnet.risk.report import end_items, exposure_report
from machine import describe, load_network, peak_gib

TOP = 100


def main() -> None:
    store = Path(sys.argv[1]) if len(sys.argv) > 1 else None
    print(f"machine: {describe()}", flush=True)
    start = time.perf_counter()
    net = load_network(store)
    t_load = time.perf_counter() - start
    print(f"facilities {net.n_facilities:,}, links {net.n_links:,}: read + compile {t_load:6.2f} s")

    start = time.perf_counter()
    system = build_system(net)
    t_build = time.perf_counter() - start
    print(f"build_system (baseline of the whole twin): {t_build:6.2f} s")

    items = end_items(net)
    exposure_report(net, system, items[0], top=1)  # compiles the kernel, or loads it from numba's cache
    t_reports = 0.0
    for item in items:
        start = time.perf_counter()
        r = exposure_report(net, system, item, top=0)
        took = time.perf_counter() - start
        t_reports += took
        print(
            f"  {item}: exposure report without criticality {took:6.2f} s "
            f"({r.upstream_facilities} upstream facilities, {r.tiers} tiers, "
            f"{len(r.cyber)} platforms simulated)"
        )
    total = t_load + t_build + t_reports
    print(
        f"exposure, {len(items)} end items: reports {t_reports:6.2f} s; "
        f"with read, compile and build {total:6.2f} s"
    )

    for item in items:
        start = time.perf_counter()
        r = exposure_report(net, system, item, top=TOP)
        took = time.perf_counter() - start
        worst = r.criticality[0]
        print(
            f"  {item}: criticality of {len(r.criticality)} facilities ({r.horizon_days} days) "
            f"with the report {took:6.2f} s; most critical {worst.facility_id} "
            f"({worst.units_lost:,.0f} units)"
        )
    print(f"peak memory: {peak_gib():6.2f} GiB")


if __name__ == "__main__":
    main()
