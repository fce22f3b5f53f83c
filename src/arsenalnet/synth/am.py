"""The enrolled additive-manufacturing network: machines at small manufacturers, and the
qualifications of reference-item parts on some of them.

Like the networks that printed for the 2020 COVID-19 response (the FDA, VA, NIH and America
Makes partnership matched hospitals with hundreds of printing firms), the network is many
small sites with a few machines each: ``SITES_PER_FACILITY`` of the twin's facilities, drawn
among small (< 100 employees) U.S. plants of industries that run industrial printers
(machine shops, fabricated metal, machinery, instruments, aerospace parts, medical devices,
plastics). Every number below is an assumption unless it names a source; docs/amnet.md lists
them. Draws come from their own stream (``default_rng([seed, 3])``), so enrolling the network
changes no other generated value.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.am import AmProcess, MachineStatus
from arsenalnet.model.arrow import arrow_schema

SITES_PER_FACILITY = 0.02
"""Enrolled sites per facility of the twin (assumption), between ``MIN_SITES`` and ``MAX_SITES``."""
MIN_SITES, MAX_SITES = 100, 1_000
SITE_NAICS = ("3261", "3327", "3329", "3332", "3335", "3336", "3339", "3345", "3364", "3391", "3399")
"""Industries (NAICS4) whose small plants enroll printers (assumption)."""
SMALL_EMPLOYEES = 100
MACHINES_PER_SITE_P = 0.4
"""Machines per site are geometric with this p (mean 2.5, most sites 1 to 4; assumption), at most
``MAX_MACHINES_PER_SITE``."""
MAX_MACHINES_PER_SITE = 10
SAME_PROCESS_SHARE = 0.7
"""Chance a site's further machines run its first machine's process (shops specialize; assumption)."""


@dataclass(frozen=True)
class MachineKind:
    """A kind of machine: its process, share of machines, materials and build volumes (mm)."""

    process: AmProcess
    share: float
    materials: tuple[str, ...]
    volumes: tuple[tuple[float, float, float], ...]


METALS_PBF = ("AlSi10Mg", "Ti-6Al-4V", "316L", "17-4PH", "IN718", "IN625")
MACHINE_KINDS: tuple[MachineKind, ...] = (
    MachineKind(
        AmProcess.MEX,
        0.35,
        ("PLA", "ABS", "PETG", "PC", "PA12-CF", "ULTEM 9085", "PEKK"),
        ((250, 210, 210), (406, 355, 406), (914, 610, 914)),
    ),
    MachineKind(AmProcess.PBF_LB, 0.17, METALS_PBF, ((125, 125, 125), (250, 250, 325), (400, 400, 400))),
    MachineKind(AmProcess.PBF_LB, 0.08, ("PA12", "PA11", "TPU"), ((340, 340, 600), (380, 284, 380))),
    MachineKind(
        AmProcess.VPP, 0.15, ("standard resin", "tough resin", "high-temp resin"), ((145, 145, 185),)
    ),
    MachineKind(AmProcess.BJT, 0.05, ("17-4PH", "316L", "IN625"), ((400, 250, 250), (800, 500, 400))),
    MachineKind(AmProcess.BJT, 0.02, ("silica sand",), ((1800, 1000, 700),)),
    MachineKind(AmProcess.DED, 0.07, ("Ti-6Al-4V", "IN625", "316L"), ((600, 600, 600), (1500, 1000, 1000))),
    MachineKind(AmProcess.MJT, 0.06, ("rigid photopolymer", "flexible photopolymer"), ((490, 390, 200),)),
    MachineKind(AmProcess.PBF_EB, 0.03, ("Ti-6Al-4V", "IN718", "CoCr"), ((200, 200, 380), (350, 350, 430))),
    MachineKind(AmProcess.SHL, 0.02, ("Al 6061",), ((600, 600, 600),)),
)
"""Industrial machines at small U.S. manufacturers by kind (assumption: extrusion and vat
photopolymerization most numerous, laser powder bed fusion the predominant metal process as
industry reports describe it; metal and polymer machines of one process are separate kinds);
materials and build volumes are those of common commercial machines."""
MATERIALS_PER_MACHINE = (1, 3)
"""A machine is set up for 1 to 3 of its process's materials (uniform; assumption)."""

STATUS_SHARES: dict[MachineStatus, float] = {
    MachineStatus.AVAILABLE: 0.55,
    MachineStatus.BUSY: 0.35,
    MachineStatus.ENROLLED: 0.10,
}
"""Statuses at a call (assumption)."""
ACTIVATION_MEDIAN_DAYS, ACTIVATION_SIGMA = 2.0, 0.5
"""Days from a call to the first print: lognormal, whole half days, 0.5 to 10 (assumption)."""


@dataclass(frozen=True)
class PartRoute:
    """A way to print a reference part: process, material, print hours and post days per unit."""

    product_id: str
    process: AmProcess
    material: str
    hours: float
    post_days: float


PART_ROUTES: tuple[PartRoute, ...] = (
    PartRoute("prd:fuze-housing", AmProcess.PBF_LB, "AlSi10Mg", 2.0, 3.0),
    PartRoute("prd:fuze-housing", AmProcess.PBF_LB, "17-4PH", 3.0, 4.0),
    PartRoute("prd:fuze-housing", AmProcess.BJT, "17-4PH", 0.6, 4.0),
    PartRoute("prd:airframe", AmProcess.MEX, "PA12-CF", 14.0, 1.0),
    PartRoute("prd:airframe", AmProcess.PBF_LB, "PA12", 6.0, 1.5),
    PartRoute("prd:motor-case", AmProcess.PBF_LB, "IN718", 30.0, 10.0),
    PartRoute("prd:motor-case", AmProcess.DED, "Ti-6Al-4V", 18.0, 10.0),
)
"""Reference-item parts qualified for printing, with a typical site's print hours per unit
(a build's hours over the units it holds) and post-processing days (assumptions)."""
QUALIFIED_SHARE = 0.3
"""Share of the sites able to print a route (machines with its process and material) that hold a
qualification for it (assumption: qualification, not machines, is the scarce part)."""
SITE_QUALIFICATION_SHARE = 0.6
"""Share of qualifications that cover the whole site (ISO/ASTM 52920) rather than one machine."""
HOURS_SIGMA = 0.25
"""Spread of a site's print hours around the route's typical value (lognormal; machines differ
in lasers and build volume)."""
MACHINE_STANDARD = {AmProcess.DED: "AWS D20.1"}
"""The standard a single-machine qualification is against: AWS D20.1 for DED, else NASA-STD-6030."""


def _sites(facility: pa.Table, n_facilities: int, rng: np.random.Generator) -> pa.Array:
    """Facility ids of the enrolled sites: small U.S. plants of ``SITE_NAICS``, drawn at random."""
    small = pc.and_(
        pc.and_(pc.equal(facility["country"], "USA"), pc.less(facility["employees"], SMALL_EMPLOYEES)),
        pc.and_(
            pc.is_in(facility["naics"], pa.array(SITE_NAICS)),
            pc.invert(pc.starts_with(facility["facility_id"], "fac:ref-")),
        ),
    )
    candidates = facility["facility_id"].filter(small).combine_chunks()
    n = min(len(candidates), int(np.clip(round(SITES_PER_FACILITY * n_facilities), MIN_SITES, MAX_SITES)))
    return candidates.take(pa.array(np.sort(rng.choice(len(candidates), n, replace=False))))


def _table(values: tuple[tuple[object, ...], ...], fill: object) -> npt.NDArray[np.object_]:
    """Ragged rows as a rectangular object array, padded with ``fill``."""
    width = max(len(v) for v in values)
    out = np.full((len(values), width), fill, dtype=object)
    for i, v in enumerate(values):
        out[i, : len(v)] = v
    return out


def _materials(kind: npt.NDArray[np.int64], rng: np.random.Generator) -> pa.ListArray:
    """For each machine, 1 to 3 distinct materials of its kind, in a random order."""
    names = _table(tuple(k.materials for k in MACHINE_KINDS), None)[kind]
    keys = np.where(names != None, rng.random(names.shape), -1.0)  # noqa: E711  (elementwise)
    order = np.argsort(-keys, axis=1, kind="stable")  # the kind's materials first, shuffled
    lo, hi = MATERIALS_PER_MACHINE
    n = np.minimum(rng.integers(lo, hi + 1, len(kind)), (names != None).sum(axis=1))  # noqa: E711
    chosen = np.take_along_axis(names, order, axis=1)[np.arange(names.shape[1])[None, :] < n[:, None]]
    return pa.ListArray.from_arrays(
        pa.array(np.r_[0, np.cumsum(n)], pa.int32()), pa.array(chosen, pa.string())
    )


def _machines(sites: pa.Array, rng: np.random.Generator) -> pa.Table:
    """A few machines per site: process, materials, build volume, status, activation days."""
    per_site = np.minimum(rng.geometric(MACHINES_PER_SITE_P, len(sites)), MAX_MACHINES_PER_SITE)
    site = np.repeat(np.arange(len(sites)), per_site)
    first = np.repeat(np.cumsum(per_site) - per_site, per_site)  # the site's first machine
    shares = np.array([k.share for k in MACHINE_KINDS])
    drawn = rng.choice(len(MACHINE_KINDS), len(site), p=shares / shares.sum())
    same = rng.random(len(site)) < SAME_PROCESS_SHARE
    kind = np.where(same, drawn[first], drawn)
    volumes = _table(tuple(k.volumes for k in MACHINE_KINDS), None)[kind]
    n_vol = (volumes != None).sum(axis=1)  # noqa: E711
    volume = np.array(list(volumes[np.arange(len(site)), (rng.random(len(site)) * n_vol).astype(np.int64)]))
    statuses = tuple(STATUS_SHARES)
    status = rng.choice(len(statuses), len(site), p=np.array(list(STATUS_SHARES.values())))
    activation = rng.lognormal(np.log(ACTIVATION_MEDIAN_DAYS), ACTIVATION_SIGMA, len(site))
    site_ids = np.asarray(sites.to_pylist(), dtype=object)[site]
    number = np.arange(len(site)) - first + 1
    return pa.table(
        {
            "machine_id": [f"am:{f.removeprefix('fac:')}-{i}" for f, i in zip(site_ids, number, strict=True)],
            "facility_id": site_ids,
            "process": np.array([k.process.value for k in MACHINE_KINDS])[kind],
            "materials": _materials(kind, rng),
            "build_x_mm": volume.reshape(-1, 3)[:, 0],
            "build_y_mm": volume.reshape(-1, 3)[:, 1],
            "build_z_mm": volume.reshape(-1, 3)[:, 2],
            "status": np.array([s.value for s in statuses])[status],
            "activation_days": np.clip(np.round(2 * activation) / 2, 0.5, 10.0),
        },
        schema=arrow_schema("am_machine"),
    )


def _qualifications(machine: pa.Table, rng: np.random.Generator) -> pa.Table:
    """Qualifications of ``PART_ROUTES`` at ``QUALIFIED_SHARE`` of the sites able to print them."""
    owner = np.repeat(np.arange(machine.num_rows), pc.list_value_length(machine["materials"]))
    pairs = machine.select(["machine_id", "facility_id", "process"]).take(pa.array(owner))
    pairs = pairs.append_column("material", pc.list_flatten(machine["materials"]))
    parts = []
    for route in PART_ROUTES:
        able = pairs.filter(
            pc.and_(
                pc.equal(pairs["process"], route.process.value), pc.equal(pairs["material"], route.material)
            )
        )
        sites, at = np.unique(able["facility_id"].to_numpy(zero_copy_only=False), return_index=True)
        chosen = rng.random(len(sites)) < QUALIFIED_SHARE
        whole_site = rng.random(len(sites)) < SITE_QUALIFICATION_SHARE
        hours = np.round(route.hours * rng.lognormal(0, HOURS_SIGMA, len(sites)), 2)
        post = np.maximum(route.post_days + np.round(2 * rng.uniform(-1, 1, len(sites))) / 2, 0.5)
        machine_id = np.where(whole_site, None, able["machine_id"].to_numpy(zero_copy_only=False)[at])
        standard = np.where(
            whole_site, "ISO/ASTM 52920", MACHINE_STANDARD.get(route.process, "NASA-STD-6030")
        )
        n = int(chosen.sum())
        parts.append(
            pa.table(
                {
                    "qualification_id": [f"qual:{route.product_id.removeprefix('prd:')}"] * n,
                    "product_id": [route.product_id] * n,
                    "process": [route.process.value] * n,
                    "material": [route.material] * n,
                    "facility_id": sites[chosen],
                    "machine_id": machine_id[chosen],
                    "standard": standard[chosen],
                    "print_hours_per_unit": hours[chosen],
                    "post_processing_days": post[chosen],
                },
                schema=arrow_schema("part_qualification"),
            )
        )
    qual = pa.concat_tables(parts)
    number = pa.array([f"-{i:05d}" for i in range(1, qual.num_rows + 1)], pa.string())
    ids = pc.binary_join_element_wise(qual["qualification_id"], number, "")
    return qual.set_column(0, qual.schema.field(0), ids)


def enroll_am_network(twin: dict[str, pa.Table], rng: np.random.Generator) -> dict[str, pa.Table]:
    """``twin`` with the ``am_machine`` and ``part_qualification`` tables of an enrolled network."""
    facility = twin["facility"]
    machine = _machines(_sites(facility, facility.num_rows, rng), rng)
    return {**twin, "am_machine": machine, "part_qualification": _qualifications(machine, rng)}
