"""``list_machines``: the enrolled machines, filtered, with counts by process (``arsenal am machines``)."""

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.am import AmProcess, MachineStatus
from arsenalnet.model.errors import InputError
from arsenalnet.network import Network
from arsenalnet.network.am import PROCESSES, STATUSES, AmFleet


@dataclass(frozen=True)
class Machine:
    """One enrolled machine: where it stands, what it prints, its build volume (mm) and status."""

    machine_id: str
    facility_id: str
    country: str
    process: str
    materials: tuple[str, ...]
    build_mm: tuple[float, float, float]
    status: str
    activation_days: float


@dataclass(frozen=True)
class MachineList:
    """The machines that pass the filters, in id order, and their counts by process and status.

    ``by_process[process][status]``: machines of that process with that status (filtered set).
    """

    machines: tuple[Machine, ...]
    by_process: dict[str, dict[str, int]]
    sites: int


def _choice(value: str | None, allowed: tuple[str, ...], what: str) -> int | None:
    if value is None:
        return None
    if value not in allowed:
        raise InputError(f"unknown {what} {value!r}: use one of {', '.join(allowed)}")
    return allowed.index(value)


def list_machines(
    net: Network,
    fleet: AmFleet,
    process: str | None = None,
    material: str | None = None,
    status: str | None = None,
) -> MachineList:
    """The machines of ``fleet`` with ``process`` (an ISO/ASTM 52900 code), set up for
    ``material`` and in ``status`` (each None = any). An unknown process or status, or a
    material no enrolled machine prints, is refused with the values that exist."""
    keep = np.ones(fleet.n_machines, dtype=bool)
    p = _choice(process, tuple(AmProcess), "process")
    if p is not None:
        keep &= fleet.machine_process == p
    s = _choice(status, tuple(MachineStatus), "status")
    if s is not None:
        keep &= fleet.machine_status == s
    if material is not None:
        flat = pc.list_flatten(fleet.machine_materials)
        if not pc.any(pc.equal(flat, material)).as_py():
            known = sorted(set(flat.to_pylist()))
            shown = ", ".join(known[:24]) + (", …" if len(known) > 24 else "")
            raise InputError(
                f"no enrolled machine prints material {material!r}: materials in the network: {shown}"
            )
        parent = pc.list_parent_indices(fleet.machine_materials).to_numpy(zero_copy_only=False)
        keep &= np.isin(np.arange(fleet.n_machines), parent[np.asarray(pc.equal(flat, material), bool)])
    rows = np.flatnonzero(keep)
    facility = fleet.machine_facility[rows]
    machines = tuple(
        Machine(*fields)
        for fields in zip(
            fleet.machines.take(rows),
            net.facilities.take(facility),
            net.countries.take(net.facility_country[facility]),
            [PROCESSES[i].value for i in fleet.machine_process[rows]],
            [tuple(m) for m in fleet.machine_materials.take(pa.array(rows)).to_pylist()],
            [tuple(b) for b in fleet.build_mm[rows].tolist()],
            [STATUSES[i].value for i in fleet.machine_status[rows]],
            fleet.activation_days[rows].tolist(),
            strict=True,
        )
    )
    counts = Counter((m.process, m.status) for m in machines)
    by_process = {
        proc.value: {st.value: counts[(proc.value, st.value)] for st in MachineStatus}
        for proc in AmProcess
        if any(counts[(proc.value, st.value)] for st in MachineStatus)
    }
    return MachineList(machines, by_process, len(np.unique(facility)))
