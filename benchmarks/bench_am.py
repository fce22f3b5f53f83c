"""The AM print-job scheduler at scale, beside the textbook exact peer, and `activate` on a twin.

1. ``schedule`` (earliest finish) on R synthetic machines for N units, beside the classic
   greedy that gives each next unit to the machine whose next unit finishes first (a binary
   heap, O(N log R)); both are exact for the earliest finish, so the finish days must agree.
2. ``compile_am`` + ``activate`` + ``am_capacity`` on a generated twin (read from a store).

Usage: .venv/bin/python benchmarks/bench_am.py [FACILITIES]
"""

import heapq
import sys
import time

import numpy as np

from arsenalnet.amnet.activate import activate
from arsenalnet.amnet.capacity import am_capacity
from arsenalnet.amnet.schedule import schedule
from arsenalnet.network import compile_network
from arsenalnet.network.am import compile_am
from arsenalnet.store import Store
from machine import describe, twin_store


def heap_greedy(ready_h: np.ndarray, hours: np.ndarray, qty: int) -> float:
    """The earliest finish (days) by assigning units one by one to the earliest next finish."""
    heap = [(float(r + h), i) for i, (r, h) in enumerate(zip(ready_h, hours, strict=True))]
    heapq.heapify(heap)
    t = 0.0
    for _ in range(qty):
        t, i = heapq.heappop(heap)
        heapq.heappush(heap, (t + float(hours[i]), i))
    return t / 24


def timed(f, *args, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, out = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        out = f(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(f"machine: {describe()}")
    rng = np.random.default_rng(0)
    print("routes   units      schedule s   heap greedy s   ratio   finish days (both)")
    for routes, qty in ((1_000, 100_000), (10_000, 1_000_000), (100_000, 1_000_000)):
        start, post = rng.uniform(0.5, 5, routes), rng.uniform(0, 5, routes)
        hours = rng.lognormal(np.log(2.0), 0.5, routes)
        t_ours, jobs = timed(schedule, np.arange(routes), start, hours, post, qty)
        t_peer, peer = timed(heap_greedy, 24 * (start + post), hours, qty, repeat=1)
        assert abs(jobs.finish - peer) <= 1e-9 * peer, (jobs.finish, peer)
        print(
            f"{routes:>7,} {qty:>9,} {t_ours:12.4f} {t_peer:15.3f} {t_peer / t_ours:7.0f}x  {jobs.finish:.4f}"
        )

    with twin_store(None, n) as db, Store(db, read_only=True) as store:
        tables = store.read_tables()
    net = compile_network(tables)
    t_compile, fleet = timed(compile_am, tables, net)
    print(f"twin of {n:,} facilities: {fleet.n_machines:,} machines, {len(fleet.route_qual):,} routes")
    print(f"compile_am:                                  {t_compile:8.4f} s")
    t_act, a = timed(activate, net, fleet, "prd:fuze-housing", 10_000, 14.0)
    print(
        f"activate prd:fuze-housing 10,000 by day 14:  {t_act:8.4f} s  "
        f"({len(a.jobs)} jobs, finish day {a.finish_day:.2f}, met {a.deadline_met})"
    )
    t_cap, cap = timed(am_capacity, fleet)
    t_daily, _ = timed(cap.daily_units, 180)
    print(f"am_capacity + daily_units(180):              {t_cap + t_daily:8.4f} s")


if __name__ == "__main__":
    main()
