"""The three reference defense end items and their multi-tier supply chains.

A 155 mm artillery round, an infrared-guided missile and a small unmanned
aircraft, with bills of materials down to materials and critical minerals.
The structure follows public descriptions of these items (the M795 projectile
holds about 10.8 kg of TNT; the U.S. has had no TNT plant since 1986 and buys
it abroad; one domestic plant makes nitrocellulose, one ammonium perchlorate;
nitroguanidine is imported; NdFeB magnets, gallium and germanium come mostly
from China). Plants, firms and capacities are synthetic: names say what a
plant does, not who runs it.

The items and plants are data: ``data/reference_items.csv`` (one product a
row: what it is, its plants or pools, stock and ramp-up days),
``data/reference_bom.csv`` (its inputs) and ``data/reference_plants.csv``.
Each product is made either by dedicated plants, by plants
drawn from the generic twin (by NAICS and country; a dedicated plant is
created where the generic twin has none), or, for the ``prd:cm-*`` critical
minerals, by the generic twin's own producers. Every maker of a product is
linked to the makers of each of its inputs, so the trees are connected.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model import TABLES
from arsenalnet.model.arrow import arrow_schema


@dataclass(frozen=True)
class Plant:
    """A dedicated plant: country, region, a point, NAICS and what it is."""

    key: str
    name: str
    country: str
    region: str | None
    lat: float
    lon: float
    naics: str
    employees: int
    control_systems: tuple[str, ...] = ("Siemens SIMATIC S7",)


@dataclass(frozen=True)
class Pool:
    """Draw ``k`` plants of the generic twin with NAICS ``naics`` in ``countries``."""

    naics: str
    countries: tuple[str, ...]
    k: int


@dataclass(frozen=True)
class Item:
    """A product of a reference supply chain: what it is, its inputs, who makes it.

    ``children`` are (product id, quantity per unit) pairs; ``plants`` names
    dedicated plants; ``pools`` draws generic ones; a product with neither is
    made by the generic twin (the ``prd:cm-*`` minerals).
    """

    product_id: str
    name: str
    kind: str
    unit: str
    naics: str
    hs_code: str | None = None
    critical_mineral: str | None = None
    children: tuple[tuple[str, float], ...] = ()
    plants: tuple[str, ...] = ()
    pools: tuple[Pool, ...] = ()
    inventory_days: float = 30.0
    ramp_days: float = 90.0
    utilization: float = 0.8
    lead_time_days: float = 7.0


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("arsenalnet.synth").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _pool(text: str) -> Pool:
    """``3344:CHN,TWN,USA:4`` -> Pool("3344", ("CHN", "TWN", "USA"), 4)."""
    naics, countries, k = text.split(":")
    return Pool(naics, tuple(countries.split(",")), int(k))


def load_plants() -> tuple[Plant, ...]:
    """The dedicated plants of ``data/reference_plants.csv``."""
    return tuple(
        Plant(
            r["key"],
            r["name"],
            r["country"],
            r["region"] or None,
            float(r["lat"]),
            float(r["lon"]),
            r["naics"],
            int(r["employees"]),
            tuple(r["control_systems"].split(";")),
        )
        for r in _rows("reference_plants.csv")
    )


def load_items() -> tuple[Item, ...]:
    """The products of ``data/reference_items.csv`` with their inputs from ``reference_bom.csv``."""
    inputs: dict[str, list[tuple[str, float]]] = {}
    for r in _rows("reference_bom.csv"):
        inputs.setdefault(r["parent_id"], []).append((r["child_id"], float(r["qty_per_unit"])))
    return tuple(
        Item(
            r["product_id"],
            r["name"],
            r["kind"],
            r["unit"],
            r["naics"],
            r["hs_code"] or None,
            r["critical_mineral"] or None,
            tuple(inputs.get(r["product_id"], ())),
            tuple(r["plants"].split(";")) if r["plants"] else (),
            tuple(_pool(t) for t in r["pools"].split()),
            float(r["inventory_days"]),
            float(r["ramp_days"]),
            float(r["utilization"]),
            float(r["lead_time_days"]),
        )
        for r in _rows("reference_items.csv")
    )


PLANTS: tuple[Plant, ...] = load_plants()
ITEMS: tuple[Item, ...] = load_items()

DEMAND: tuple[tuple[str, str, float, str], ...] = (
    ("prd:155mm-shell", "prog:army-155mm", 1300.0, "DX"),
    ("prd:guided-missile", "prog:air-defense", 2.5, "DX"),
    ("prd:small-uas", "prog:replicator-suas", 30.0, "DO"),
)
"""(end item, program, units per day, DPAS rating). 1,300 rounds/day is about the
40,000 a month U.S. 155 mm output reported for 2024."""

REFERENCE_END_ITEMS: tuple[str, ...] = tuple(d[0] for d in DEMAND)

MAX_GENERIC_SUPPLIERS = 3
"""Largest generic producers of a mineral linked to each reference buyer."""

CAPACITY_HEADROOM = 1.25
"""Reference plants' capacity over their share of the required flow at normal utilization."""


def required_flow(items: tuple[Item, ...] = ITEMS) -> dict[str, float]:
    """Units per day of every product needed to meet ``DEMAND`` (BOM explosion)."""
    by_id = {i.product_id: i for i in items}
    need: dict[str, float] = {}

    def visit(pid: str, qty: float) -> None:
        need[pid] = need.get(pid, 0.0) + qty
        item = by_id.get(pid)
        for child, per in item.children if item else ():
            visit(child, qty * per)

    for pid, _, qty, _ in DEMAND:
        visit(pid, qty)
    return need


@dataclass
class _Rows:
    """Rows being added, column by column, per table."""

    data: dict[str, dict[str, list[object]]] = field(default_factory=dict)

    def add(self, table: str, **values: object) -> None:
        cols = self.data.setdefault(table, {c: [] for c in TABLES[table].column_names})
        for c in cols:
            cols[c].append(values.get(c))

    def table(self, name: str) -> pa.Table:
        cols = self.data.get(name, {c: [] for c in TABLES[name].column_names})
        return pa.table(cols, schema=arrow_schema(name))


def add_reference_items(
    twin: dict[str, pa.Table],
    rng: np.random.Generator,
    progress: Callable[[str], None] | None = None,
) -> dict[str, pa.Table]:
    """Return ``twin`` with the reference end items, their plants, links and demand added."""
    if progress:
        progress("reference end items")
    fac = twin["facility"]
    rows = _Rows()
    plants = {p.key: p for p in PLANTS}
    need = required_flow()
    known = set(twin["product"]["product_id"].to_pylist())
    makers: dict[str, list[str]] = {}
    home: dict[str, str] = {}
    made_here: set[str] = set()
    created: dict[str, str] = {}

    def plant_id(p: Plant) -> str:
        if p.key not in created:
            org = f"org:ref-{p.key}"
            created[p.key] = f"fac:ref-{p.key}"
            home[created[p.key]] = p.country
            rows.add(
                "organization",
                org_id=org,
                name=f"{p.name} Operator ({p.country})",
                country=p.country,
                size_class="large" if p.employees >= 500 else "medium" if p.employees >= 100 else "small",
            )
            located = not np.isnan(p.lat)
            rows.add(
                "facility",
                facility_id=created[p.key],
                org_id=org,
                name=p.name,
                country=p.country,
                region=p.region,
                lat=p.lat if located else None,
                lon=p.lon if located else None,
                naics=p.naics,
                employees=p.employees,
                control_systems=list(p.control_systems),
            )
        return created[p.key]

    naics = fac["naics"].to_numpy(zero_copy_only=False)
    country = fac["country"].to_numpy(zero_copy_only=False)
    employees = fac["employees"].fill_null(1).to_numpy(zero_copy_only=False).astype(np.float64)
    fac_ids = fac["facility_id"].to_numpy(zero_copy_only=False)

    def draw(pool: Pool, item: Item) -> list[str]:
        picked: list[str] = []
        for iso3 in pool.countries:
            k = max(1, pool.k // len(pool.countries)) if len(pool.countries) > 1 else pool.k
            cand = np.flatnonzero((naics == pool.naics) & (country == iso3))
            if len(cand) == 0:
                stand_in = Plant(
                    f"{item.product_id[4:]}-{iso3.lower()}",
                    f"{item.name} Plant",
                    iso3,
                    None,
                    float("nan"),
                    float("nan"),
                    pool.naics,
                    100,
                )
                picked.append(plant_id(stand_in))
                continue
            w = employees[cand] / employees[cand].sum()
            chosen = rng.choice(cand, size=min(k, len(cand)), replace=False, p=w)
            for i in np.sort(chosen):
                picked.append(str(fac_ids[i]))
                home[str(fac_ids[i])] = iso3
        return picked

    for item in ITEMS:
        if item.product_id not in known:
            rows.add(
                "product",
                product_id=item.product_id,
                name=item.name,
                kind=item.kind,
                unit=item.unit,
                hs_code=item.hs_code,
                naics=item.naics,
                critical_mineral=item.critical_mineral,
            )
            known.add(item.product_id)
        for child, qty in item.children:
            rows.add("bom_line", parent_id=item.product_id, child_id=child, qty_per_unit=qty)
        ids = [plant_id(plants[k]) for k in item.plants]
        for pool in item.pools:
            ids += [i for i in draw(pool, item) if i not in ids]
        makers[item.product_id] = ids
        made_here.add(item.product_id)
        for fid in ids:
            capacity = CAPACITY_HEADROOM * need.get(item.product_id, 1.0) / len(ids) / item.utilization
            rows.add(
                "capability",
                facility_id=fid,
                product_id=item.product_id,
                capacity_per_day=round(capacity, 6),
                utilization=item.utilization,
                inventory_days=item.inventory_days,
                ramp_days=item.ramp_days,
            )

    cap = twin["capability"]
    minerals = sorted({c for item in ITEMS for c, _ in item.children if c not in made_here})
    sub = cap.filter(pc.is_in(cap["product_id"], pa.array(minerals, pa.string())))
    sub = sub.sort_by(
        [
            ("product_id", "ascending"),
            ("capacity_per_day", "descending"),
            ("facility_id", "ascending"),
        ]
    )
    for pid, fid in zip(sub["product_id"].to_pylist(), sub["facility_id"].to_pylist(), strict=True):
        if len(makers.setdefault(pid, [])) < MAX_GENERIC_SUPPLIERS:
            makers[pid].append(fid)
    generic = [f for pid in minerals for f in makers.get(pid, [])]
    at = pc.index_in(pa.array(generic, pa.string()), value_set=fac["facility_id"]).to_pylist()
    home.update({f: str(country[i]) for f, i in zip(generic, at, strict=True)})
    buyers = sorted({f for pid in made_here for f in makers[pid]})
    link = twin["supply_link"]
    bought = link.filter(pc.is_in(link["buyer_id"], pa.array(buyers, pa.string())))
    already = set(zip(bought["buyer_id"].to_pylist(), bought["product_id"].to_pylist(), strict=True))
    for item in ITEMS:
        for child, _ in item.children:
            suppliers = makers.get(child, [])
            for buyer in makers[item.product_id]:
                if buyer in suppliers or (buyer, child) in already:
                    continue  # made in house, or a generic plant that already buys it
                for s in suppliers:
                    abroad = home[s] != home.get(buyer, "USA")
                    rows.add(
                        "supply_link",
                        supplier_id=s,
                        buyer_id=buyer,
                        product_id=child,
                        share=1.0 / len(suppliers),
                        lead_time_days=35.0 if abroad else item.lead_time_days,
                        mode="sea" if abroad else "truck",
                    )

    for pid, customer, qty, priority in DEMAND:
        rows.add(
            "demand",
            product_id=pid,
            customer=customer,
            qty_per_day=qty,
            priority=priority,
            start_day=0,
            end_day=None,
        )
    out = dict(twin)
    for name in rows.data:
        extra = rows.table(name)
        out[name] = pa.concat_tables([twin[name].cast(extra.schema), extra]) if name in twin else extra
    return out
