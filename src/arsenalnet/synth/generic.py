"""The generic national industrial base: organizations, facilities, products, BOM,
capabilities and supply links, calibrated to published statistics.

``generate_generic(n, rng)`` draws everything from ``rng`` in a fixed order, so the
same ``n`` and seed give bit-identical tables. The phases, and the statistics
each one is calibrated to, are documented in :mod:`arsenalnet.synth.facilities`,
:mod:`arsenalnet.synth.products` and :mod:`arsenalnet.synth.links`; the sources
in :mod:`arsenalnet.synth.calibration`.

Ids: ``org:NNNNNNN`` and ``fac:NNNNNNN`` (7 digits, from 1), ``prd:n<NAICS4>-<kkk>``
for generic products and ``prd:cm-<slug>`` for the USGS critical minerals (the
latter exist at every ``n``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model import SizeClass
from arsenalnet.model.arrow import arrow_schema
from arsenalnet.synth.calibration import Calibration, IntArray, load
from arsenalnet.synth.facilities import Facilities, make_facilities
from arsenalnet.synth.links import (
    MODES,
    Capabilities,
    Links,
    capability_pairs,
    make_capabilities,
    make_links,
    solve_flows,
)
from arsenalnet.synth.products import Bom, Products, make_bom, make_products

GENERIC_TABLES = ("organization", "facility", "product", "bom_line", "capability", "supply_link")


def _table(name: str, cols: dict[str, pa.Array]) -> pa.Table:
    schema = arrow_schema(name)
    return pa.Table.from_arrays([pa.array(cols[f.name], f.type) for f in schema], schema=schema)


def _ids(prefix: str, idx: IntArray) -> pa.Array:
    """``prefix`` + zero-padded 7-digit number ``idx + 1``."""
    num = pc.utf8_lpad(pc.cast(pa.array(idx + 1, pa.int64()), pa.string()), width=7, padding="0")
    return pc.binary_join_element_wise(prefix, num, "")


def _organizations(fac: Facilities) -> pa.Table:
    tot = np.bincount(fac.org, fac.employees.astype(np.float64), minlength=fac.n_orgs)
    first = np.full(fac.n_orgs, fac.org.size, dtype=np.int64)
    np.minimum.at(first, fac.org, np.arange(fac.org.size))
    size = np.searchsorted([100, 500], tot, side="right")
    classes = pa.array([SizeClass.SMALL.value, SizeClass.MEDIUM.value, SizeClass.LARGE.value])
    ids = _ids("org:", np.arange(fac.n_orgs))
    none = pa.nulls(fac.n_orgs, pa.string())
    return _table(
        "organization",
        {
            "org_id": ids,
            "name": pc.binary_join_element_wise("Firm ", pc.utf8_slice_codeunits(ids, 4), ""),
            "country": pa.array(fac.countries).take(pa.array(fac.country[first])),
            "size_class": classes.take(pa.array(size)),
            "uei": none,
            "cage": none,
        },
    )


def _facilities(fac: Facilities, cal: Calibration, fac_ids: pa.Array) -> pa.Table:
    n = fac.naics.size
    region_names = pa.array(cal.state_usps.tolist())
    region = region_names.take(pa.array(np.maximum(fac.state, 0), mask=fac.state < 0))
    country = pa.array(fac.countries).take(pa.array(fac.country))
    naics = pa.array(cal.naics4.tolist()).take(pa.array(fac.naics))
    where = pc.coalesce(region, country)
    name = pc.binary_join_element_wise(
        "Plant ", pc.utf8_slice_codeunits(fac_ids, 4), " (", naics, ", ", where, ")", ""
    )
    values = pa.array(cal.ics_platform.tolist()).take(pa.array(fac.ics))
    ics = pa.ListArray.from_arrays(pa.array(fac.ics_offsets.astype(np.int32)), values)
    return _table(
        "facility",
        {
            "facility_id": fac_ids,
            "org_id": _ids("org:", fac.org),
            "name": name,
            "country": country,
            "region": region,
            "lat": pa.array(np.round(fac.lat, 4)),
            "lon": pa.array(np.round(fac.lon, 4)),
            "naics": naics,
            "employees": pa.array(fac.employees),
            "control_systems": ics,
            "ttr_days": pa.nulls(len(fac_ids), pa.float64()),  # drawn for every site at the end
        },
    )
    del n


def _products(prd: Products, bom: Bom, cal: Calibration) -> pa.Table:
    has_nonraw_child = np.zeros(prd.rank.size, dtype=bool)
    has_nonraw_child[bom.parent[~prd.raw[bom.child]]] = True
    kind = np.where(prd.raw, "raw_material", np.where(has_nonraw_child, "subassembly", "part"))
    hs = cal.naics_hs6[prd.naics]
    hs_list = [h if h and m < 0 else None for h, m in zip(hs.tolist(), prd.mineral.tolist(), strict=True)]
    cm = [cal.mineral_name[m] if m >= 0 else None for m in prd.mineral.tolist()]
    return _table(
        "product",
        {
            "product_id": pa.array(prd.ids),
            "name": pa.array(prd.names),
            "kind": pa.array(kind.tolist()),
            "unit": pa.array(prd.unit.tolist()),
            "hs_code": pa.array(hs_list, pa.string()),
            "naics": pa.array(cal.naics4[prd.naics].tolist()),
            "critical_mineral": pa.array(cm, pa.string()),
        },
    )


def _bom(bom: Bom, prd_ids: pa.Array) -> pa.Table:
    return _table(
        "bom_line",
        {
            "parent_id": prd_ids.take(pa.array(bom.parent)),
            "child_id": prd_ids.take(pa.array(bom.child)),
            "qty_per_unit": pa.array(bom.qty),
        },
    )


def _capabilities(cap: Capabilities, fac_ids: pa.Array, prd_ids: pa.Array) -> pa.Table:
    return _table(
        "capability",
        {
            "facility_id": fac_ids.take(pa.array(cap.facility)),
            "product_id": prd_ids.take(pa.array(cap.product)),
            "capacity_per_day": pa.array(cap.capacity),
            "utilization": pa.array(cap.utilization),
            "inventory_days": pa.array(cap.inventory_days),
            "ramp_days": pa.array(cap.ramp_days),
        },
    )


def _links(lk: Links, fac_ids: pa.Array, prd_ids: pa.Array) -> pa.Table:
    return _table(
        "supply_link",
        {
            "supplier_id": fac_ids.take(pa.array(lk.supplier)),
            "buyer_id": fac_ids.take(pa.array(lk.buyer)),
            "product_id": prd_ids.take(pa.array(lk.product)),
            "share": pa.array(lk.share),
            "lead_time_days": pa.array(lk.lead_time),
            "mode": pa.array(list(MODES)).take(pa.array(lk.mode)),
        },
    )


def generate_generic(
    n_facilities: int,
    rng: np.random.Generator,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pa.Table]:
    """Generate the generic industrial base with ``n_facilities`` facilities (>= 1000).

    Returns Arrow tables keyed ``organization``, ``facility``, ``product``,
    ``bom_line``, ``capability``, ``supply_link``, with exactly the declared
    columns of :data:`arsenalnet.model.TABLES`. ``progress(msg)`` is called at
    the start of each phase.
    """
    if n_facilities < 1000:
        raise ValueError(f"n_facilities must be at least 1000, got {n_facilities}")

    def step(msg: str) -> None:
        if progress is not None:
            progress(msg)

    cal = load()
    step("facilities and organizations")
    fac = make_facilities(n_facilities, rng, cal)
    step("products and bills of materials")
    prd = make_products(fac.naics, rng, cal)
    bom = make_bom(prd, rng, cal)
    step("capabilities")
    cap_f, cap_p = capability_pairs(fac, prd, rng, cal)
    step("supply links")
    links, link_pair, need_cap, need_pair, need_qty = make_links(fac, prd, bom, cap_f, cap_p, rng, cal)
    step("baseline flows and capacities")
    flow = solve_flows(fac, prd, cap_f, cap_p, links, link_pair, need_cap, need_pair, need_qty, cal)
    cap = make_capabilities(cap_f, cap_p, flow, rng)
    step("tables")
    fac_ids = _ids("fac:", np.arange(n_facilities))
    prd_ids = pa.array(prd.ids)
    return {
        "organization": _organizations(fac),
        "facility": _facilities(fac, cal, fac_ids),
        "product": _products(prd, bom, cal),
        "bom_line": _bom(bom, prd_ids),
        "capability": _capabilities(cap, fac_ids, prd_ids),
        "supply_link": _links(links, fac_ids, prd_ids),
    }
