"""Compile the additive-manufacturing tables into an :class:`AmFleet` of dense arrays.

A qualification names a site (every machine there with its process and material) or one
machine. Compiling joins each qualification to the machines it covers: one **route** per
(qualification, machine) pair where the machine's process is the qualified one and its
materials include the qualified material. A route is what the engines schedule on.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.am import DEFAULT_ACTIVATION_DAYS, AmProcess, MachineStatus
from arsenalnet.network.compile import Network, _np  # one column-to-array helper for the package
from arsenalnet.network.index import Index, Int32Array

FloatArray = npt.NDArray[np.float64]
Int8Array = npt.NDArray[np.int8]

PROCESSES: tuple[AmProcess, ...] = tuple(AmProcess)
"""``machine_process`` and ``qual_process`` codes index this tuple."""
STATUSES: tuple[MachineStatus, ...] = tuple(MachineStatus)
"""``machine_status`` codes index this tuple."""


@dataclass(frozen=True)
class AmFleet:
    """Enrolled machines (M), qualifications (Q) and the routes they give (R).

    - machines, in id order: ``machines`` (ids), ``machine_facility`` (M,) facility index of
      the :class:`Network`, ``machine_process`` (M,) code into :data:`PROCESSES`,
      ``machine_materials`` (M,) list array of material names, ``build_mm`` (M, 3) build
      volume x, y, z in mm, ``machine_status`` (M,) code into :data:`STATUSES`,
      ``activation_days`` (M,) days from a call to the first print (the default filled in).
    - qualifications, in id order: ``qualifications`` (ids), ``qual_product`` (Q,) product
      index, ``qual_facility`` (Q,), ``qual_machine`` (Q,) machine index or -1 (the whole
      site), ``qual_process`` (Q,), ``qual_material`` and ``qual_standard`` (Q,) strings,
      ``qual_hours`` (Q,) print hours per unit, ``qual_post_days`` (Q,) post-processing days.
    - routes, sorted by (product, machine, qualification): ``route_qual`` (R,) qualification
      index, ``route_machine`` (R,) machine index.
    """

    machines: Index
    machine_facility: Int32Array
    machine_process: Int8Array
    machine_materials: pa.ListArray
    build_mm: FloatArray
    machine_status: Int8Array
    activation_days: FloatArray
    qualifications: Index
    qual_product: Int32Array
    qual_facility: Int32Array
    qual_machine: Int32Array
    qual_process: Int8Array
    qual_material: pa.Array
    qual_standard: pa.Array
    qual_hours: FloatArray
    qual_post_days: FloatArray
    route_qual: Int32Array
    route_machine: Int32Array

    @property
    def n_machines(self) -> int:
        """M."""
        return len(self.machines)

    @property
    def route_product(self) -> Int32Array:
        """(R,) product index of each route."""
        return self.qual_product[self.route_qual]

    @property
    def route_hours(self) -> FloatArray:
        """(R,) print hours per unit of each route."""
        return self.qual_hours[self.route_qual]

    @property
    def route_post_days(self) -> FloatArray:
        """(R,) post-processing days per unit of each route."""
        return self.qual_post_days[self.route_qual]

    def status_is(self, *statuses: MachineStatus) -> npt.NDArray[np.bool_]:
        """(M,) True where a machine's status is one of ``statuses``."""
        return np.isin(self.machine_status, [STATUSES.index(s) for s in statuses])


def _codes(values: pa.ChunkedArray, vocabulary: tuple[str, ...]) -> Int8Array:
    return np.asarray(
        pc.index_in(values, value_set=pa.array(vocabulary)).to_numpy(zero_copy_only=False), dtype=np.int8
    )


def _routes(machine: pa.Table, qual: pa.Table, machines: Index) -> tuple[Int32Array, Int32Array]:
    """(qualification, machine) index pairs: same site and process, material among the
    machine's, and the qualification names that machine or none."""
    lengths = pc.list_value_length(machine["materials"]).fill_null(0).to_numpy(zero_copy_only=False)
    owner = np.repeat(np.arange(machine.num_rows, dtype=np.int32), lengths)
    pairs = (
        machine.select(["facility_id", "process"])
        .take(pa.array(owner))
        .append_column("material", pc.list_flatten(machine["materials"]))
        .append_column("m", pa.array(owner))
    )
    q = pa.table(
        {
            "q": np.arange(qual.num_rows, dtype=np.int32),
            "facility_id": qual["facility_id"],
            "process": qual["process"],
            "material": qual["material"],
            "qm": machines.codes(qual["machine_id"]),
        }
    )
    joined = q.join(pairs, ["facility_id", "process", "material"], join_type="inner")
    qi, mi, qm = (_np(joined[c], np.int32) for c in ("q", "m", "qm"))
    keep = (qm == -1) | (qm == mi)
    return qi[keep], mi[keep]


def compile_am(tables: Mapping[str, pa.Table], net: Network) -> AmFleet:
    """Build the :class:`AmFleet` from the twin's tables (``Store.read_tables()``) and the
    :class:`Network` compiled from them (for facility and product indices)."""
    machine, qual = tables["am_machine"], tables["part_qualification"]
    machines = Index.of(machine["machine_id"])
    qi, mi = _routes(machine, qual, machines)
    qual_product = net.products.codes(qual["product_id"])
    order = np.lexsort((qi, mi, qual_product[qi]))
    build = np.column_stack([_np(machine[f"build_{a}_mm"], np.float64) for a in "xyz"])
    return AmFleet(
        machines=machines,
        machine_facility=net.facilities.codes(machine["facility_id"]),
        machine_process=_codes(machine["process"], PROCESSES),
        machine_materials=machine["materials"].combine_chunks(),
        build_mm=build.reshape(machine.num_rows, 3),
        machine_status=_codes(machine["status"], STATUSES),
        activation_days=_np(machine["activation_days"].fill_null(DEFAULT_ACTIVATION_DAYS), np.float64),
        qualifications=Index.of(qual["qualification_id"]),
        qual_product=qual_product,
        qual_facility=net.facilities.codes(qual["facility_id"]),
        qual_machine=machines.codes(qual["machine_id"]),
        qual_process=_codes(qual["process"], PROCESSES),
        qual_material=qual["material"].combine_chunks(),
        qual_standard=qual["standard"].combine_chunks(),
        qual_hours=_np(qual["print_hours_per_unit"], np.float64),
        qual_post_days=_np(qual["post_processing_days"], np.float64),
        route_qual=qi[order],
        route_machine=mi[order],
    )
