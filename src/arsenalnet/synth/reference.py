"""The three reference defense end items and their multi-tier supply chains.

A 155 mm artillery round, an infrared-guided missile and a small unmanned
aircraft, with bills of materials down to materials and critical minerals.
The structure follows public descriptions of these items (the M795 projectile
holds about 10.8 kg of TNT; the U.S. has had no TNT plant since 1986 and buys
it abroad; one domestic plant makes nitrocellulose, one ammonium perchlorate;
nitroguanidine is imported; NdFeB magnets, gallium and germanium come mostly
from China). Plants, firms and capacities are synthetic: names say what a
plant does, not who runs it.

Each product is made either by dedicated plants declared here, by plants
drawn from the generic twin (by NAICS and country; a dedicated plant is
created where the generic twin has none), or, for the ``prd:cm-*`` critical
minerals, by the generic twin's own producers. Every maker of a product is
linked to the makers of each of its inputs, so the trees are connected.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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


US = ("USA",)

PLANTS: tuple[Plant, ...] = (
    Plant("lap-ia", "155mm Load-Assemble-Pack Plant", "USA", "IA", 40.80, -91.20, "3329", 900),
    Plant("lap-tx", "Artillery Load-Assemble-Pack Plant", "USA", "TX", 33.42, -94.21, "3329", 700),
    Plant("mpl-pa", "155mm Projectile Metal Parts Plant", "USA", "PA", 41.41, -75.66, "3322", 300),
    Plant("mpl-tx", "Projectile Forging Plant", "USA", "TX", 32.77, -96.60, "3322", 250),
    Plant("tnt-pl", "TNT Plant", "POL", None, 50.34, 19.45, "3259", 400),
    Plant("nc-va", "Nitrocellulose and Propellant Plant", "USA", "VA", 37.18, -80.53, "3259", 1100),
    Plant("nq-de", "Nitroguanidine Plant", "DEU", None, 48.09, 12.79, "3251", 300),
    Plant("hmx-tn", "RDX/HMX Explosives Plant", "USA", "TN", 36.55, -82.62, "3259", 800),
    Plant(
        "azide-ar",
        "Primary Explosives and Detonator Plant",
        "USA",
        "AR",
        33.58,
        -92.83,
        "3259",
        200,
    ),
    Plant("fuze-ar", "Artillery Fuze Plant", "USA", "AR", 33.59, -92.82, "3329", 350),
    Plant("charge-va", "Modular Artillery Charge Plant", "USA", "VA", 37.20, -80.55, "3329", 250),
    Plant(
        "missile-az",
        "Missile Final Assembly Plant",
        "USA",
        "AZ",
        32.16,
        -110.93,
        "3364",
        2500,
        ("Rockwell ControlLogix",),
    ),
    Plant(
        "missile-al",
        "Missile Integration Plant",
        "USA",
        "AL",
        34.73,
        -86.59,
        "3364",
        1500,
        ("Rockwell ControlLogix",),
    ),
    Plant("seeker-ma", "IR Seeker Plant", "USA", "MA", 42.46, -71.35, "3345", 600),
    Plant("seeker-ca", "Electro-Optical Seeker Plant", "USA", "CA", 34.20, -118.60, "3345", 450),
    Plant("geoptics-ca", "Germanium Optics Plant", "USA", "CA", 33.68, -117.83, "3332", 120),
    Plant("geoptics-cn", "Germanium Optics Works", "CHN", None, 31.23, 121.47, "3332", 300),
    Plant("gewafer-cn", "Germanium Refinery", "CHN", None, 25.04, 102.71, "3313", 500),
    Plant("gewafer-be", "Germanium Refinery", "BEL", None, 51.22, 4.40, "3313", 400),
    Plant("fpa-ca", "Infrared Focal Plane Array Fab", "USA", "CA", 34.42, -119.70, "3344", 350),
    Plant("gaas-cn", "Gallium Arsenide Wafer Fab", "CHN", None, 39.90, 116.40, "3344", 600),
    Plant("gaas-jp", "Gallium Arsenide Wafer Fab", "JPN", None, 35.68, 139.69, "3344", 500),
    Plant("gaas-de", "Gallium Arsenide Wafer Fab", "DEU", None, 50.92, 13.34, "3344", 300),
    Plant("cas-az", "Control Actuation System Plant", "USA", "AZ", 33.45, -112.07, "3336", 200),
    Plant("magnet-cn1", "NdFeB Magnet Works", "CHN", None, 40.65, 109.84, "3359", 1500),
    Plant("magnet-cn2", "Sintered Magnet Works", "CHN", None, 29.87, 121.54, "3359", 1200),
    Plant("magnet-cn3", "Rare-Earth Magnet Works", "CHN", None, 25.83, 114.93, "3359", 900),
    Plant("magnet-jp", "Rare-Earth Magnet Works", "JPN", None, 34.69, 135.50, "3359", 700),
    Plant("magnet-us", "Rare-Earth Magnet Plant", "USA", "TX", 32.90, -97.30, "3359", 150),
    Plant("motor-ut", "Solid Rocket Motor Plant", "USA", "UT", 41.51, -112.02, "3364", 1200),
    Plant("motor-va", "Solid Rocket Motor Plant", "USA", "VA", 37.36, -79.95, "3364", 900),
    Plant("ap-ut", "Ammonium Perchlorate Plant", "USA", "UT", 37.68, -113.06, "3251", 150),
    Plant("warhead-tn", "Warhead Loading Plant", "USA", "TN", 36.50, -82.55, "3329", 300),
    Plant("tbat-mo", "Thermal Battery Plant", "USA", "MO", 37.08, -94.51, "3359", 250),
    Plant("gec-az", "Guidance Electronics Plant", "USA", "AZ", 33.30, -111.84, "3345", 700),
    Plant("uas-ca", "Small UAS Assembly Plant", "USA", "CA", 37.48, -122.23, "3364", 400),
    Plant("uas-va", "Small UAS Assembly Plant", "USA", "VA", 38.90, -77.20, "3364", 200),
    Plant("bldc-us", "Drone Motor Plant", "USA", "OH", 39.96, -83.00, "3353", 120),
    Plant("bldc-cn", "Drone Motor Works", "CHN", None, 22.54, 114.06, "3353", 2000),
    Plant("bldc-tw", "Precision Motor Works", "TWN", None, 24.15, 120.67, "3353", 600),
    Plant("pack-us", "Battery Pack Plant", "USA", "MI", 42.33, -83.05, "3359", 300),
    Plant("cell-cn1", "Lithium-Ion Cell Gigafactory", "CHN", None, 26.66, 119.55, "3359", 8000),
    Plant("cell-cn2", "Lithium-Ion Cell Plant", "CHN", None, 22.54, 114.06, "3359", 5000),
    Plant("cell-kr", "Lithium-Ion Cell Plant", "KOR", None, 36.35, 127.38, "3359", 4000),
    Plant("cell-jp", "Lithium-Ion Cell Plant", "JPN", None, 34.69, 135.50, "3359", 3000),
    Plant("cathode-cn", "Cathode Material Plant", "CHN", None, 28.23, 112.94, "3251", 1500),
    Plant("cathode-kr", "Cathode Material Plant", "KOR", None, 35.54, 129.31, "3251", 800),
    Plant("anode-cn", "Graphite Anode Plant", "CHN", None, 36.07, 120.38, "3359", 1200),
    Plant("fc-us", "Flight Controller Plant", "USA", "CA", 37.39, -122.08, "3345", 150),
    Plant("gimbal-us", "EO/IR Gimbal Plant", "USA", "OR", 45.52, -122.68, "3345", 200),
)

ITEMS: tuple[Item, ...] = (
    # 155 mm artillery round (M795-class projectile, M739-class fuze, modular charge)
    Item(
        "prd:155mm-shell",
        "155 mm artillery round (HE projectile, fuze, charge)",
        "end_item",
        "each",
        "3329",
        "930690",
        children=(
            ("prd:155mm-projectile-body", 1),
            ("prd:explosive-fill-tnt", 10.8),
            ("prd:fuze", 1),
            ("prd:propellant-charge", 1),
        ),
        plants=("lap-ia", "lap-tx"),
        inventory_days=20,
    ),
    Item(
        "prd:155mm-projectile-body",
        "155 mm projectile metal body (forged, machined)",
        "part",
        "each",
        "3322",
        "930690",
        children=(("prd:hf1-steel-billet", 0.06), ("prd:rotating-band", 1)),
        plants=("mpl-pa", "mpl-tx"),
        inventory_days=15,
    ),
    Item(
        "prd:hf1-steel-billet",
        "High-fragmentation steel billet",
        "part",
        "t",
        "3311",
        "722490",
        children=(("prd:cm-manganese", 0.01),),
        pools=(Pool("3311", US, 3),),
        inventory_days=10,
    ),
    Item(
        "prd:rotating-band",
        "Gilding-metal rotating band",
        "part",
        "each",
        "3314",
        "741999",
        pools=(Pool("3314", US, 2),),
    ),
    Item(
        "prd:explosive-fill-tnt",
        "TNT explosive fill",
        "part",
        "kg",
        "3259",
        "360200",
        children=(("prd:toluene", 0.5), ("prd:nitric-acid", 1.3)),
        plants=("tnt-pl",),
        inventory_days=45,
        lead_time_days=35,
    ),
    Item(
        "prd:toluene",
        "Toluene",
        "raw_material",
        "kg",
        "3251",
        "290230",
        pools=(Pool("3251", US, 3),),
    ),
    Item(
        "prd:nitric-acid",
        "Nitric acid",
        "raw_material",
        "kg",
        "3253",
        "280800",
        pools=(Pool("3253", US, 3),),
    ),
    Item(
        "prd:fuze",
        "Point-detonating artillery fuze",
        "subassembly",
        "each",
        "3329",
        "930690",
        children=(("prd:fuze-housing", 1), ("prd:safe-arm-device", 1), ("prd:detonator", 1)),
        plants=("fuze-ar",),
    ),
    Item(
        "prd:fuze-housing",
        "Fuze housing (machined aluminum)",
        "part",
        "each",
        "3327",
        "930690",
        children=(("prd:cm-aluminum", 0.4),),
        pools=(Pool("3327", US, 4),),
    ),
    Item(
        "prd:safe-arm-device",
        "Safe-and-arm mechanism",
        "part",
        "each",
        "3345",
        "930690",
        pools=(Pool("3345", US, 2),),
    ),
    Item(
        "prd:detonator",
        "Detonator (lead azide)",
        "part",
        "each",
        "3259",
        "360300",
        children=(("prd:lead-azide", 0.001),),
        plants=("azide-ar",),
    ),
    Item(
        "prd:lead-azide",
        "Lead azide primary explosive",
        "raw_material",
        "kg",
        "3259",
        "360300",
        plants=("azide-ar",),
    ),
    Item(
        "prd:propellant-charge",
        "Modular artillery propellant charge",
        "subassembly",
        "each",
        "3329",
        "360100",
        children=(
            ("prd:nitrocellulose", 9.0),
            ("prd:nitroguanidine", 4.0),
            ("prd:combustible-case", 1),
        ),
        plants=("charge-va",),
    ),
    Item(
        "prd:nitrocellulose",
        "Nitrocellulose",
        "raw_material",
        "kg",
        "3259",
        "391220",
        children=(("prd:nitric-acid", 1.0),),
        plants=("nc-va",),
        inventory_days=20,
    ),
    Item(
        "prd:nitroguanidine",
        "Nitroguanidine",
        "raw_material",
        "kg",
        "3251",
        "292529",
        plants=("nq-de",),
        inventory_days=60,
        lead_time_days=35,
    ),
    Item(
        "prd:combustible-case",
        "Combustible cartridge case",
        "part",
        "each",
        "3222",
        "481490",
        pools=(Pool("3222", US, 2),),
    ),
    # Infrared-guided missile
    Item(
        "prd:guided-missile",
        "Infrared-guided missile",
        "end_item",
        "each",
        "3364",
        "930690",
        children=(
            ("prd:ir-seeker", 1),
            ("prd:control-actuator", 4),
            ("prd:rocket-motor", 1),
            ("prd:guidance-electronics", 1),
            ("prd:warhead", 1),
            ("prd:thermal-battery", 1),
        ),
        plants=("missile-az", "missile-al"),
        inventory_days=45,
        ramp_days=180,
    ),
    Item(
        "prd:ir-seeker",
        "Infrared seeker",
        "subassembly",
        "each",
        "3345",
        "901380",
        children=(("prd:germanium-optics", 2), ("prd:ir-detector-array", 1), ("prd:cryocooler", 1)),
        plants=("seeker-ma", "seeker-ca"),
        ramp_days=180,
    ),
    Item(
        "prd:germanium-optics",
        "Germanium lens and dome",
        "part",
        "each",
        "3332",
        "900190",
        children=(("prd:germanium-metal", 0.3),),
        plants=("geoptics-ca", "geoptics-cn"),
    ),
    Item(
        "prd:germanium-metal",
        "Zone-refined germanium metal",
        "part",
        "kg",
        "3313",
        "811292",
        critical_mineral="Germanium",
        children=(("prd:cm-germanium", 1.1),),
        plants=("gewafer-cn", "gewafer-be"),
    ),
    Item(
        "prd:ir-detector-array",
        "Infrared focal plane array",
        "part",
        "each",
        "3344",
        "854140",
        children=(("prd:gallium-arsenide-wafer", 0.25),),
        plants=("fpa-ca",),
        ramp_days=180,
    ),
    Item(
        "prd:gallium-arsenide-wafer",
        "Gallium arsenide wafer",
        "part",
        "each",
        "3344",
        "381800",
        critical_mineral="Gallium",
        children=(("prd:cm-gallium", 0.02), ("prd:cm-arsenic", 0.02)),
        plants=("gaas-cn", "gaas-jp", "gaas-de"),
    ),
    Item(
        "prd:cryocooler",
        "Miniature cryocooler",
        "part",
        "each",
        "3339",
        "841869",
        pools=(Pool("3339", US, 1),),
    ),
    Item(
        "prd:control-actuator",
        "Fin control actuator",
        "part",
        "each",
        "3336",
        "850131",
        children=(("prd:ndfeb-magnet", 2),),
        plants=("cas-az",),
    ),
    Item(
        "prd:ndfeb-magnet",
        "Sintered NdFeB permanent magnet",
        "part",
        "each",
        "3359",
        "850511",
        critical_mineral="Rare earths",
        children=(("prd:cm-rare-earths", 0.03),),
        plants=("magnet-cn1", "magnet-cn2", "magnet-cn3", "magnet-jp", "magnet-us"),
        lead_time_days=40,
    ),
    Item(
        "prd:rocket-motor",
        "Solid rocket motor",
        "subassembly",
        "each",
        "3364",
        "841280",
        children=(("prd:ap-composite-propellant", 25.0), ("prd:motor-case", 1)),
        plants=("motor-ut", "motor-va"),
        ramp_days=365,
    ),
    Item(
        "prd:ap-composite-propellant",
        "AP composite propellant",
        "part",
        "kg",
        "3259",
        "360100",
        children=(
            ("prd:ammonium-perchlorate", 0.7),
            ("prd:aluminum-powder", 0.18),
            ("prd:htpb-binder", 0.12),
        ),
        plants=("motor-ut", "motor-va"),
    ),
    Item(
        "prd:ammonium-perchlorate",
        "Ammonium perchlorate",
        "raw_material",
        "kg",
        "3251",
        "282990",
        plants=("ap-ut",),
        inventory_days=30,
    ),
    Item(
        "prd:aluminum-powder",
        "Spherical aluminum powder",
        "raw_material",
        "kg",
        "3313",
        "760310",
        children=(("prd:cm-aluminum", 1.0),),
        pools=(Pool("3313", US, 2),),
    ),
    Item(
        "prd:htpb-binder",
        "HTPB binder",
        "raw_material",
        "kg",
        "3252",
        "400259",
        pools=(Pool("3252", US, 1),),
    ),
    Item(
        "prd:motor-case",
        "Rocket motor case",
        "part",
        "each",
        "3329",
        "841291",
        pools=(Pool("3329", US, 2),),
    ),
    Item(
        "prd:guidance-electronics",
        "Guidance electronics unit",
        "subassembly",
        "each",
        "3345",
        "852692",
        children=(("prd:fpga", 2), ("prd:printed-circuit-board", 3)),
        plants=("gec-az",),
    ),
    Item(
        "prd:fpga",
        "Radiation-tolerant FPGA",
        "part",
        "each",
        "3344",
        "854231",
        pools=(Pool("3344", ("USA", "TWN"), 2),),
    ),
    Item(
        "prd:printed-circuit-board",
        "Printed circuit board",
        "part",
        "each",
        "3344",
        "853400",
        pools=(Pool("3344", ("CHN", "TWN", "USA"), 4),),
    ),
    Item(
        "prd:warhead",
        "Blast-fragmentation warhead",
        "subassembly",
        "each",
        "3329",
        "930690",
        children=(("prd:hmx", 3.0),),
        plants=("warhead-tn",),
    ),
    Item(
        "prd:hmx",
        "HMX explosive",
        "raw_material",
        "kg",
        "3259",
        "360200",
        children=(("prd:nitric-acid", 2.0),),
        plants=("hmx-tn",),
    ),
    Item(
        "prd:thermal-battery",
        "Thermal battery",
        "part",
        "each",
        "3359",
        "850680",
        plants=("tbat-mo",),
    ),
    # Small unmanned aircraft (quadcopter)
    Item(
        "prd:small-uas",
        "Small unmanned aircraft system (quadcopter)",
        "end_item",
        "each",
        "3364",
        "880600",
        children=(
            ("prd:bldc-motor", 4),
            ("prd:battery-pack", 2),
            ("prd:flight-controller", 1),
            ("prd:eo-gimbal", 1),
            ("prd:airframe", 1),
            ("prd:radio-datalink", 1),
        ),
        plants=("uas-ca", "uas-va"),
        inventory_days=20,
        ramp_days=60,
    ),
    Item(
        "prd:bldc-motor",
        "Brushless DC drone motor",
        "part",
        "each",
        "3353",
        "850131",
        children=(("prd:ndfeb-magnet", 12), ("prd:copper-magnet-wire", 0.05)),
        plants=("bldc-us", "bldc-cn", "bldc-tw"),
        lead_time_days=30,
    ),
    Item(
        "prd:copper-magnet-wire",
        "Copper magnet wire",
        "raw_material",
        "kg",
        "3314",
        "854411",
        pools=(Pool("3314", US, 2),),
    ),
    Item(
        "prd:battery-pack",
        "Lithium-ion battery pack",
        "subassembly",
        "each",
        "3359",
        "850760",
        children=(("prd:li-ion-cell", 12),),
        plants=("pack-us",),
    ),
    Item(
        "prd:li-ion-cell",
        "Lithium-ion cell (NMC)",
        "part",
        "each",
        "3359",
        "850760",
        children=(("prd:nmc-cathode", 0.02), ("prd:graphite-anode", 0.015)),
        plants=("cell-cn1", "cell-cn2", "cell-kr", "cell-jp"),
        lead_time_days=40,
    ),
    Item(
        "prd:nmc-cathode",
        "NMC cathode active material",
        "part",
        "kg",
        "3251",
        "284190",
        children=(
            ("prd:cm-lithium", 0.07),
            ("prd:cm-nickel", 0.5),
            ("prd:cm-cobalt", 0.1),
            ("prd:cm-manganese", 0.1),
        ),
        plants=("cathode-cn", "cathode-kr"),
    ),
    Item(
        "prd:graphite-anode",
        "Spherical graphite anode material",
        "part",
        "kg",
        "3359",
        "380190",
        children=(("prd:cm-graphite", 1.2),),
        plants=("anode-cn",),
    ),
    Item(
        "prd:flight-controller",
        "Flight controller",
        "part",
        "each",
        "3345",
        "852691",
        children=(("prd:microcontroller", 2), ("prd:printed-circuit-board", 1)),
        plants=("fc-us",),
    ),
    Item(
        "prd:microcontroller",
        "Microcontroller",
        "part",
        "each",
        "3344",
        "854231",
        pools=(Pool("3344", ("TWN", "KOR", "USA"), 3),),
    ),
    Item(
        "prd:eo-gimbal",
        "Electro-optical gimbal camera",
        "subassembly",
        "each",
        "3345",
        "852589",
        children=(("prd:image-sensor", 1), ("prd:bldc-motor", 3)),
        plants=("gimbal-us",),
    ),
    Item(
        "prd:image-sensor",
        "CMOS image sensor",
        "part",
        "each",
        "3344",
        "854239",
        pools=(Pool("3344", ("JPN", "KOR"), 2),),
    ),
    Item(
        "prd:airframe",
        "Composite airframe",
        "part",
        "each",
        "3364",
        "880730",
        children=(("prd:carbon-fiber", 0.8),),
        pools=(Pool("3364", US, 2),),
    ),
    Item(
        "prd:carbon-fiber",
        "Carbon fiber",
        "raw_material",
        "kg",
        "3252",
        "681511",
        pools=(Pool("3252", ("USA", "JPN"), 3),),
    ),
    Item(
        "prd:radio-datalink",
        "Radio datalink",
        "part",
        "each",
        "3342",
        "851762",
        children=(("prd:rf-chipset", 1), ("prd:printed-circuit-board", 1)),
        pools=(Pool("3342", US, 2),),
    ),
    Item(
        "prd:rf-chipset",
        "RF transceiver chipset",
        "part",
        "each",
        "3344",
        "854239",
        pools=(Pool("3344", ("USA", "TWN"), 2),),
    ),
)

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
    for name in (
        "organization",
        "facility",
        "product",
        "bom_line",
        "capability",
        "supply_link",
        "demand",
    ):
        extra = rows.table(name)
        out[name] = pa.concat_tables([twin[name].cast(extra.schema), extra]) if name in twin else extra
    return out
