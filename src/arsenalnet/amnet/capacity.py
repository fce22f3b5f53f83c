"""Qualified AM capacity as an alternative capability: units per day of each part, from which day.

For the mobilization planner: a part that runs short can also be printed by the machines
qualified for it, once they are activated. One row per **route** (a qualification on one
machine, see :mod:`arsenalnet.network.am`) of a machine whose status is allowed:

- ``units_per_day`` = ``HOURS_PER_DAY / hours_per_unit``: the rate while the machine prints
  only this route;
- ``start_day``: the machine's ``activation_days`` (day 0 = the call);
- ``from_day`` = ``start_day + post_processing_days``: finished units flow at the rate from
  this day on. In this fluid form a route has finished ``units_per_day * (t - from_day)``
  units by day ``t`` (when positive): never fewer than the whole units of the discrete
  schedule of :mod:`arsenalnet.amnet.schedule`, and less than one unit more.

A machine qualified for several parts (or in several materials) has several rows but one
machine's time: over any period its rows share ``HOURS_PER_DAY`` print hours per day,

    sum over the machine's rows k of hours_per_unit[k] * x[k] <= HOURS_PER_DAY,

for ``x[k]`` units per day printed on row k after its ``start_day``. An LP should state that
constraint per machine (``machine`` groups the rows); :meth:`AmCapacity.daily_units` gives
each part's capacity as if every machine printed only that part (an upper bound per part,
not additive across parts).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.model.am import HOURS_PER_DAY, MachineStatus
from arsenalnet.network.am import AmFleet

FloatArray = npt.NDArray[np.float64]
Int32Array = npt.NDArray[np.int32]


@dataclass(frozen=True)
class AmCapacity:
    """Qualified AM capacity, one row per route (K rows), sorted by (product, machine, route).

    ``product`` (K,) product index of the :class:`~arsenalnet.network.Network`; ``machine``
    (K,) machine index of the fleet; ``facility`` (K,) facility index; ``qualification`` (K,)
    qualification index of the fleet; ``hours_per_unit`` (K,) print hours per unit;
    ``start_day`` (K,) days from the call to the first print; ``post_processing_days`` (K,).
    """

    product: Int32Array
    machine: Int32Array
    facility: Int32Array
    qualification: Int32Array
    hours_per_unit: FloatArray
    start_day: FloatArray
    post_processing_days: FloatArray

    @property
    def units_per_day(self) -> FloatArray:
        """(K,) units per day while the machine prints only this route."""
        rate: FloatArray = HOURS_PER_DAY / self.hours_per_unit
        return rate

    @property
    def from_day(self) -> FloatArray:
        """(K,) first day finished units flow at ``units_per_day`` (fluid form)."""
        day: FloatArray = self.start_day + self.post_processing_days
        return day

    def daily_units(self, horizon: int) -> tuple[Int32Array, FloatArray]:
        """Each part's AM capacity per day: ``(products (n,), units (n, horizon))``.

        ``units[i, d]``: finished units of part ``products[i]`` the qualified machines can
        add on day ``d`` (the interval ``[d, d + 1)`` after the call), every machine printing
        only that part on its best route of the day (the fastest that has started). A route
        whose ``from_day`` falls inside day ``d`` gives that day's share. An upper bound per
        part: machines qualified for several parts are counted for each.

        >>> cap = AmCapacity(np.array([3, 3], np.int32), np.array([0, 1], np.int32),
        ...     np.array([0, 0], np.int32), np.array([0, 0], np.int32),
        ...     np.array([2.4, 2.4]), np.array([1.0, 1.0]), np.array([1.5, 3.0]))
        >>> cap.daily_units(5)  # 10/day each: from day 2.5 and from day 4
        (array([3], dtype=int32), array([[ 0.,  0.,  5., 10., 20.]]))
        """
        days = np.arange(horizon, dtype=np.float64)
        share = np.clip(days[None, :] + 1.0 - self.from_day[:, None], 0.0, 1.0)
        per_route = self.units_per_day[:, None] * share
        if not len(self.product):
            return self.product, per_route
        group = np.flatnonzero(
            np.r_[True, (np.diff(self.product) != 0) | (np.diff(self.machine) != 0)]
        )  # rows of one (product, machine)
        per_machine = np.maximum.reduceat(per_route, group, axis=0)
        machine_product = self.product[group]
        starts = np.flatnonzero(np.r_[True, np.diff(machine_product) != 0])
        units: FloatArray = np.add.reduceat(per_machine, starts, axis=0)
        return machine_product[starts], units


def am_capacity(fleet: AmFleet, statuses: Iterable[MachineStatus] = (MachineStatus.AVAILABLE,)) -> AmCapacity:
    """The qualified AM capacity of ``fleet``'s machines whose status is in ``statuses``.

    By default only ``available`` machines count (idle and on call), as ``arsenal am
    activate`` uses them; pass ``(MachineStatus.AVAILABLE, MachineStatus.ENROLLED)`` to count
    machines still onboarding too (their ``activation_days`` should then include onboarding).
    """
    keep = fleet.status_is(*statuses)[fleet.route_machine]
    q, m = fleet.route_qual[keep], fleet.route_machine[keep]
    return AmCapacity(
        product=fleet.qual_product[q],
        machine=m,
        facility=fleet.machine_facility[m],
        qualification=q,
        hours_per_unit=fleet.qual_hours[q],
        start_day=fleet.activation_days[m],
        post_processing_days=fleet.qual_post_days[q],
    )
