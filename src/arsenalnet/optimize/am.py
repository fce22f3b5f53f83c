"""Qualified additive-manufacturing capacity as the planner takes it (from :mod:`arsenalnet.amnet`).

Each route (a qualification on one machine) prints its part at ``24 / hours_per_unit`` units a
day on the machine's time, from the machine's activation day on; a printed unit is finished
``post_processing_days`` later and reaches any plant of the plan that uses the part
``AM_SHIP_DAYS`` after that (the twin holds no supply links from print bureaus). A machine's
routes share its 24 print hours a day. AM feedstock (powder, wire, filament) is not modelled.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.amnet.capacity import AmCapacity
from arsenalnet.network import Network
from arsenalnet.network.am import AmFleet

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

AM_SHIP_DAYS = 2.0
"""Days from a finished AM part to the plant that uses it (a parcel or truck shipment; an assumption)."""


@dataclass(frozen=True)
class AmRoutes:
    """Routes (R): ``product`` Network product index, ``machine`` the machine's id, ``facility``
    where it stands, ``hours_per_unit``, ``start_day`` (activation), ``post_days``."""

    product: IntArray
    machine: tuple[str, ...]
    facility: tuple[str, ...]
    hours_per_unit: FloatArray
    start_day: FloatArray
    post_days: FloatArray

    @classmethod
    def none(cls) -> "AmRoutes":
        """No AM capacity."""
        z = np.zeros(0)
        return cls(np.zeros(0, np.int64), (), (), z, z, z)


def am_routes(net: Network, fleet: AmFleet, capacity: AmCapacity) -> AmRoutes:
    """The routes of ``capacity`` (``am_capacity(fleet, statuses)``) with their machines named."""
    return AmRoutes(
        product=capacity.product.astype(np.int64),
        machine=tuple(fleet.machines.take(capacity.machine)),
        facility=tuple(net.facilities.take(capacity.facility)),
        hours_per_unit=capacity.hours_per_unit.astype(np.float64),
        start_day=capacity.start_day.astype(np.float64),
        post_days=capacity.post_processing_days.astype(np.float64),
    )
