"""``activate``: print jobs for a part on its qualified, available machines (``arsenal am activate``).

The library call behind the command: it picks the part's routes on ``available`` machines,
schedules them with :func:`arsenalnet.amnet.schedule.schedule`, and names each job's machine,
site, material and qualification. A part no available machine can print is refused with the
reason, as an :class:`ActivationRefused`.
"""

import math
from dataclasses import dataclass

import numpy as np

from arsenalnet.amnet.schedule import schedule
from arsenalnet.model.am import MachineStatus
from arsenalnet.model.errors import InputError
from arsenalnet.network import Network
from arsenalnet.network.am import PROCESSES, STATUSES, AmFleet

EARLIEST = "earliest finish, then fewest machines"
FEWEST = "fewest machines that meet the deadline, then earliest finish"


class ActivationRefused(InputError):
    """The part cannot be activated: unknown, a bad quantity or day, or no machine can print it."""


@dataclass(frozen=True)
class Job:
    """One machine's print job: ``units`` of the part from ``start_day`` (first print) to
    ``print_end_day`` (last unit off the machine) and ``finish_day`` (last unit post-processed)."""

    machine_id: str
    facility_id: str
    country: str
    process: str
    material: str
    qualification_id: str
    standard: str
    units: int
    start_day: float
    print_end_day: float
    finish_day: float


@dataclass(frozen=True)
class Activation:
    """The jobs of one activation, largest first, and what they achieve.

    ``finish_day``: when the last unit is finished (days after the call); ``deadline_met``:
    None without ``by``; ``by_deadline``: the most units all candidates finish by ``by``;
    ``objective``: which of the two lexicographic objectives was used; ``candidates``:
    available machines qualified for the part.
    """

    product_id: str
    qty: int
    by: float | None
    finish_day: float
    deadline_met: bool | None
    by_deadline: int | None
    objective: str
    candidates: int
    jobs: tuple[Job, ...]

    @property
    def sites(self) -> int:
        """Distinct facilities with a job."""
        return len({j.facility_id for j in self.jobs})


def _refuse_unprintable(fleet: AmFleet, product: int, product_id: str) -> None:
    """Raise the reason the part has no route on an available machine."""
    quals = np.flatnonzero(fleet.qual_product == product)
    if not len(quals):
        raise ActivationRefused(
            f"{product_id} has no qualified facility or machine (no part_qualification row)"
        )
    routes = fleet.route_machine[fleet.route_product == product]
    if not len(routes):
        named = ", ".join(fleet.qualifications.take(quals[:3])) + (", …" if len(quals) > 3 else "")
        raise ActivationRefused(
            f"{product_id} is qualified ({named}) but no enrolled machine there runs that process "
            "in that material"
        )
    status = fleet.machine_status[np.unique(routes)]
    counts = ", ".join(
        f"{int((status == i).sum())} {s.value}" for i, s in enumerate(STATUSES) if (status == i).any()
    )
    raise ActivationRefused(
        f"{product_id} has {len(status)} qualified machine(s), none available ({counts}): "
        "nothing can print it now"
    )


def activate(net: Network, fleet: AmFleet, product_id: str, qty: int, by: float | None = None) -> Activation:
    """Print jobs for ``qty`` units of ``product_id`` on its qualified, available machines:
    the fewest machines that finish by day ``by`` (earliest among those), or, without ``by`` or
    when it cannot be met, the earliest finish (fewest machines among those). Days count from
    the call (day 0)."""
    product = net.products.position(product_id)
    if product < 0:
        raise ActivationRefused(f"unknown product {product_id!r}")
    if qty <= 0:
        raise ActivationRefused(f"qty must be at least 1 unit, got {qty}")
    if by is not None and not 0 <= by < math.inf:
        raise ActivationRefused(f"by must be a day >= 0 (day 0 = the call), got {by:g}")
    available = fleet.status_is(MachineStatus.AVAILABLE)
    mine = np.flatnonzero((fleet.route_product == product) & available[fleet.route_machine])
    if not len(mine):
        _refuse_unprintable(fleet, product, product_id)
    m, q = fleet.route_machine[mine], fleet.route_qual[mine]
    plan = schedule(m, fleet.activation_days[m], fleet.qual_hours[q], fleet.qual_post_days[q], qty, by)
    jm, jq = m[plan.route], q[plan.route]
    facility = fleet.machine_facility[jm]
    fields = zip(
        fleet.machines.take(jm),
        net.facilities.take(facility),
        net.countries.take(net.facility_country[facility]),
        [PROCESSES[p].value for p in fleet.qual_process[jq]],
        fleet.qual_material.take(jq).to_pylist(),
        fleet.qualifications.take(jq),
        fleet.qual_standard.take(jq).to_pylist(),
        plan.units.tolist(),
        plan.start_day.tolist(),
        plan.print_end_day.tolist(),
        plan.finish_day.tolist(),
        strict=True,
    )
    return Activation(
        product_id=product_id,
        qty=qty,
        by=by,
        finish_day=plan.finish,
        deadline_met=plan.deadline_met,
        by_deadline=plan.by_deadline,
        objective=FEWEST if plan.deadline_met else EARLIEST,
        candidates=len(np.unique(m)),
        jobs=tuple(Job(*f) for f in fields),
    )
