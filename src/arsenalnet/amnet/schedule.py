"""Print jobs for one part on parallel machines, exactly: the earliest finish, or a deadline
met with the fewest machines.

**Model.** Route ``r`` (a qualification on machine ``m(r)``) starts printing ``a_r`` days after
the call, prints a unit every ``h_r`` hours back to back (24 print hours a day), and a unit is
finished ``q_r`` days after it leaves the machine. ``n`` units on route ``r`` are all finished at

    f_r(n) = a_r + q_r + n · h_r / 24        (days),

so by time ``t`` the route can finish ``c_r(t) = max{n ≥ 0 : f_r(n) ≤ t}`` units. A machine runs
one route (one material set up), so it can finish ``c_m(t) = max_r c_r(t)``. With ``k`` machines
the most that can be finished by ``t`` is ``F_k(t)``, the sum of the ``k`` largest ``c_m(t)``.

**Objective** (lexicographic, for ``qty = N`` units):

- with a deadline ``by`` that can be met (``F_M(by) ≥ N``): first the fewest machines ``k`` with
  ``F_k(by) ≥ N`` (the rest of the network stays free for other parts), then the earliest
  finish with ``k`` machines;
- without a deadline, or when it cannot be met: first the earliest finish ``T* = min{t :
  F_M(t) ≥ N}`` (the makespan of parallel unrelated machines with divisible, unit-sized work),
  then the fewest machines that finish by ``T*``.

**Why it is exact.** ``F_k`` is a nondecreasing step function whose steps sit at unit finish
times ``f_r(n)``, so ``min{t : F_k(t) ≥ N}`` is one of them; bisection on ``t`` (to adjacent
floats) finds it, with ``c_r`` counted by comparing ``f_r(n)`` itself, never a rounded
quotient. For a given ``t``, the fewest machines reaching ``N`` are the ones with the largest
``c_m(t)`` (exchange argument), which also gives the ``k`` machines used; each is given its
``c_m(t)`` units, largest first, the last one the remainder. Each machine then runs the route
that finishes its units earliest. Cost: ``O(R log(1/ε))`` with ``R`` routes (about 60
bisection steps), no loop over units.

>>> jobs = schedule(  # the fixture's fuze housing: two powder beds and one binder jet
...     machine=np.array([0, 1, 2]), start_day=np.array([1.0, 1.0, 2.0]),
...     hours_per_unit=np.array([2.4, 2.4, 0.6]), post_days=np.array([3.0, 3.0, 4.0]), qty=100)
>>> jobs.units.tolist(), jobs.finish
([40, 30, 30], 7.0)

By day 7 the binder jet (ready 2 + 4 = 6 days, 40 units a day) finishes 40 units and each powder
bed (ready 1 + 3 = 4 days, 10 a day) 30: exactly 100, and at any earlier time fewer.
With ``by=10`` the binder jet alone suffices (6 + 100 · 0.6 / 24 = 8.5 days):

>>> jobs = schedule(np.array([0, 1, 2]), np.array([1.0, 1.0, 2.0]), np.array([2.4, 2.4, 0.6]),
...     np.array([3.0, 3.0, 4.0]), qty=100, by=10)
>>> jobs.route.tolist(), jobs.units.tolist(), jobs.finish, jobs.deadline_met
([2], [100], 8.5, True)
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.model.am import HOURS_PER_DAY

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Jobs:
    """The print jobs of one activation, one per machine used (J jobs), largest first.

    ``route`` (J,) index into the route arrays given to :func:`schedule`; ``units`` (J,);
    ``start_day`` (J,) first print; ``print_end_day`` (J,) last unit off the machine;
    ``finish_day`` (J,) last unit finished. ``finish``: the last job's finish (days);
    ``deadline_met``: None without a deadline; ``by_deadline``: the most units all the machines
    together finish by the deadline (None without one).
    """

    route: IntArray
    units: IntArray
    start_day: FloatArray
    print_end_day: FloatArray
    finish_day: FloatArray
    finish: float
    deadline_met: bool | None
    by_deadline: int | None


@dataclass(frozen=True)
class _Routes:
    """Routes in hours, sorted by machine; ``first`` (M,) each machine's first route."""

    order: IntArray
    offset_h: FloatArray
    hours: FloatArray
    first: IntArray

    def counts(self, t_h: float) -> IntArray:
        """(R,) units each route finishes by ``t_h`` hours: ``max{n : offset + n·h <= t}``."""
        n = np.floor((t_h - self.offset_h) / self.hours)
        n = np.where(self.offset_h + (n + 1) * self.hours <= t_h, n + 1, n)
        n = np.where(self.offset_h + n * self.hours > t_h, n - 1, n)
        return np.maximum(n, 0).astype(np.int64)

    def capacity(self, t_h: float) -> IntArray:
        """(M,) units each machine finishes by ``t_h`` on its best route."""
        return np.maximum.reduceat(self.counts(t_h), self.first)

    def most(self, t_h: float, k: int) -> int:
        """F_k(t): units the ``k`` most productive machines finish by ``t_h``."""
        cap = self.capacity(t_h)
        return int(cap.sum() if k >= len(cap) else np.partition(cap, len(cap) - k)[len(cap) - k :].sum())

    def earliest(self, qty: int, k: int) -> float:
        """min{t : F_k(t) >= qty}, in hours (a unit finish time, to the last float)."""
        lo, hi = 0.0, float(np.min(self.offset_h + qty * self.hours))  # one machine does it all
        while True:
            mid = lo + (hi - lo) / 2
            if mid <= lo or mid >= hi:
                return hi
            if self.most(mid, k) >= qty:
                hi = mid
            else:
                lo = mid


def _fewest(cap: IntArray, qty: int) -> int:
    """Fewest machines whose capacities (largest first) reach ``qty``."""
    return int(np.searchsorted(np.cumsum(np.sort(cap)[::-1]), qty)) + 1


def schedule(
    machine: npt.NDArray[np.integer],
    start_day: FloatArray,
    hours_per_unit: FloatArray,
    post_days: FloatArray,
    qty: int,
    by: float | None = None,
) -> Jobs:
    """Assign ``qty`` units of one part to routes (R of them; at least one) as the module
    describes. ``machine`` (R,) labels each route's machine (routes of one machine share it);
    ``start_day`` (R,) days from the call to the machine's first print; ``hours_per_unit`` (R,)
    print hours (> 0); ``post_days`` (R,) post-processing days; ``by`` a deadline in days."""
    if qty < 1 or not len(machine):
        raise ValueError("schedule needs qty >= 1 and at least one route")
    order = np.argsort(machine, kind="stable")
    labels = machine[order]
    r = _Routes(
        order=order,
        offset_h=HOURS_PER_DAY * (start_day + post_days)[order],
        hours=hours_per_unit[order].astype(np.float64),
        first=np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]]),
    )
    n_machines = len(r.first)
    met: bool | None = None
    most = None if by is None else r.most(HOURS_PER_DAY * by, n_machines)
    if by is not None and most is not None and most >= qty:
        k = _fewest(r.capacity(HOURS_PER_DAY * by), qty)
        t_h, met = r.earliest(qty, k), True
    else:
        t_h = r.earliest(qty, n_machines)
        k = _fewest(r.capacity(t_h), qty)
        met = None if by is None else False
    cap = r.capacity(t_h)
    chosen = np.argsort(-cap, kind="stable")[:k]
    units = np.minimum(cap[chosen], qty - (np.cumsum(cap[chosen]) - cap[chosen]))
    # each chosen machine runs the route that finishes its units earliest
    owner = np.repeat(np.arange(n_machines), np.diff(np.r_[r.first, len(labels)]))
    job = np.full(n_machines, -1)
    job[chosen] = np.arange(k)
    candidates = np.flatnonzero(job[owner] >= 0)
    end_h = r.offset_h[candidates] + units[job[owner[candidates]]] * r.hours[candidates]
    ranked = candidates[np.lexsort((end_h, job[owner[candidates]]))]
    route = r.order[ranked[np.r_[True, np.diff(job[owner[ranked]]) != 0]]]
    printing = units * hours_per_unit[route] / HOURS_PER_DAY
    finish_day = (
        HOURS_PER_DAY * (start_day + post_days)[route] + units * hours_per_unit[route]
    ) / HOURS_PER_DAY
    return Jobs(
        route=route.astype(np.int64),
        units=units.astype(np.int64),
        start_day=start_day[route].astype(np.float64),
        print_end_day=start_day[route] + printing,
        finish_day=finish_day,
        finish=float(finish_day.max()),
        deadline_met=met,
        by_deadline=most,
    )
