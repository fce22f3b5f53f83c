"""Every table of the twin, declared once.

Units: quantities are in the product's own ``unit`` (each, kg, t, L, m); time
is in days. Ids are strings chosen by whoever owns the data (``fac:…``,
``org:…``, ``prd:…``): printable ASCII without spaces, at most 128 characters.
"""

from arsenalnet.model.am import AmProcess, MachineStatus
from arsenalnet.model.enums import CountryGroup, Priority, ProductKind, SizeClass, TransportMode
from arsenalnet.model.schema import Check, Column, ColumnType, ForeignKey, Table

SCHEMA_VERSION = 11
"""The newest schema version this code knows. Version 2 added ``facility.control_systems``,
version 3 the ``run`` table of recorded simulations, version 4 the stored input-output
table (``io_industry``, ``io_flow``, ``io_final_column``, ``io_final``; see
:mod:`arsenalnet.model.results`), version 5 ``facility.ttr_days``, version 6 the digital
thread's log (``thread_key``, ``thread_entry``, ``thread_tile``, ``thread_tree_head``; see
:mod:`arsenalnet.model.thread`), version 7 ``product_attribute``, version 8 the additive-manufacturing
network (``am_machine``, ``part_qualification``; see :mod:`arsenalnet.model.am`),
version 9 ``expansion_option``, version 10 the ``run`` kind ``sweep`` (``arsenal sweep``),
version 11 the log's ``thread_tile`` in strata of 8 levels (``arsenalnet.store.thread_tiles``)."""

ID_PATTERN = r"[!-~]{1,128}"
ISO3_PATTERN = r"[A-Z]{3}"
NAICS_PATTERN = r"[0-9]{2,6}"
MATERIAL_PATTERN = r"[!-~]([ -~]{0,62}[!-~])?"
"""A material name: 1 to 64 printable ASCII characters, no leading or trailing space."""

S, INT, F, L = ColumnType.STR, ColumnType.INT, ColumnType.FLOAT, ColumnType.STR_LIST


def _id(name: str, what: str) -> Column:
    return Column(name, S, f"id of the {what}", pattern=ID_PATTERN)


def _country(name: str = "country", what: str = "ISO 3166-1 alpha-3 country code") -> Column:
    return Column(name, S, what, pattern=ISO3_PATTERN)


def _choices(
    enum: type[ProductKind | SizeClass | Priority | TransportMode | CountryGroup | AmProcess | MachineStatus],
) -> tuple[str, ...]:
    return tuple(m.value for m in enum)


COUNTRY = Table(
    "country",
    "A country (ISO 3166-1). Seeded with every ISO country.",
    (_country("iso3"), Column("name", S, "short English name")),
    key=("iso3",),
)

COUNTRY_GROUP = Table(
    "country_group",
    "Membership of a country in a group (NATO, EU, FIVE_EYES, US_FTA, FOREIGN_ADVERSARY).",
    (
        Column("group", S, "group name", choices=_choices(CountryGroup)),
        _country("iso3"),
    ),
    key=("group", "iso3"),
    foreign_keys=(ForeignKey(("iso3",), "country", ("iso3",)),),
)

ORGANIZATION = Table(
    "organization",
    "A firm that owns facilities.",
    (
        _id("org_id", "organization"),
        Column("name", S, "legal or common name"),
        _country("country", "country of the firm's headquarters (ISO3)"),
        Column(
            "size_class",
            S,
            "small (<100 employees), medium (<500), large",
            choices=_choices(SizeClass),
        ),
        Column("uei", S, "SAM Unique Entity ID", nullable=True, pattern=r"[A-Z0-9]{12}"),
        Column("cage", S, "CAGE code", nullable=True, pattern=r"[A-Z0-9]{5}"),
    ),
    key=("org_id",),
    foreign_keys=(ForeignKey(("country",), "country", ("iso3",)),),
)

FACILITY = Table(
    "facility",
    "A plant, mine, foundry, AM bureau or other site that makes things.",
    (
        _id("facility_id", "facility"),
        _id("org_id", "owning organization"),
        Column("name", S, "site name"),
        _country("country", "country of the site (ISO3)"),
        Column("region", S, "state (USPS code) in the U.S., else a subdivision", nullable=True),
        Column("lat", F, "latitude", unit="degrees", nullable=True, minimum=-90, maximum=90),
        Column("lon", F, "longitude", unit="degrees", nullable=True, minimum=-180, maximum=180),
        Column("naics", S, "NAICS industry code (2 to 6 digits)", pattern=NAICS_PATTERN),
        Column("employees", INT, "employees at the site", unit="persons", nullable=True, minimum=0),
        Column(
            "control_systems",
            L,
            "industrial control system platforms the site runs (CSV: ';'-separated)",
            nullable=True,
            since=2,
        ),
        Column(
            "ttr_days",
            F,
            "time to recover: days to restore the site's full output after it is lost (from supplier "
            "surveys; empty = the NAICS default of arsenalnet.model.recovery)",
            unit="days",
            nullable=True,
            minimum=0,
            since=5,
        ),
    ),
    key=("facility_id",),
    rebuilt=(5,),  # version 5 added ttr_days with a range check
    foreign_keys=(
        ForeignKey(("org_id",), "organization", ("org_id",)),
        ForeignKey(("country",), "country", ("iso3",)),
    ),
)

PRODUCT = Table(
    "product",
    "A raw material, part, subassembly or end item.",
    (
        _id("product_id", "product"),
        Column("name", S, "product name"),
        Column("kind", S, "place in a bill of materials", choices=_choices(ProductKind)),
        Column("unit", S, "unit its quantities are counted in (each, kg, t, L, m)"),
        Column(
            "hs_code",
            S,
            "Harmonized System code (2 to 10 digits)",
            nullable=True,
            pattern=r"[0-9]{2,10}",
        ),
        Column("naics", S, "NAICS industry that makes it", nullable=True, pattern=NAICS_PATTERN),
        Column("critical_mineral", S, "USGS critical mineral it is or mainly contains", nullable=True),
    ),
    key=("product_id",),
)

BOM_LINE = Table(
    "bom_line",
    "One unit of the parent needs qty_per_unit units of the child. The graph is acyclic.",
    (
        _id("parent_id", "parent product"),
        _id("child_id", "child (input) product"),
        Column(
            "qty_per_unit",
            F,
            "child units per parent unit",
            unit="child unit / parent unit",
            minimum=0,
            min_exclusive=True,
        ),
    ),
    key=("parent_id", "child_id"),
    foreign_keys=(
        ForeignKey(("parent_id",), "product", ("product_id",)),
        ForeignKey(("child_id",), "product", ("product_id",)),
    ),
    checks=(Check("parent_id <> child_id", "child_id", "a product cannot be its own input"),),
    acyclic=("parent_id", "child_id"),
)

PRODUCT_ATTRIBUTE = Table(
    "product_attribute",
    "A named property of a product, as a hardware bill of materials states it (CycloneDX "
    "component properties): design intent (drawing, revision, material specification), a declared "
    "country of origin (arsenalnet:hbom:countryOfOrigin, ISO3), serial numbers "
    "(cdx:device:serialNumber). A name may have several values.",
    (
        _id("product_id", "product"),
        Column("name", S, "property name, e.g. arsenalnet:hbom:design:drawing"),
        Column("value", S, "property value, as written"),
    ),
    key=("product_id", "name", "value"),
    foreign_keys=(ForeignKey(("product_id",), "product", ("product_id",)),),
    since=7,
)

CAPABILITY = Table(
    "capability",
    "A facility makes a product.",
    (
        _id("facility_id", "facility"),
        _id("product_id", "product"),
        Column("capacity_per_day", F, "most it can make per day", unit="product units / day", minimum=0),
        Column(
            "utilization",
            F,
            "share of capacity in use in normal times",
            unit="fraction",
            minimum=0,
            maximum=1,
        ),
        Column(
            "inventory_days",
            F,
            "inventory of its inputs, in days of normal use",
            unit="days",
            minimum=0,
        ),
        Column(
            "ramp_days",
            F,
            "days to reach full capacity from normal utilization",
            unit="days",
            minimum=0,
        ),
    ),
    key=("facility_id", "product_id"),
    foreign_keys=(
        ForeignKey(("facility_id",), "facility", ("facility_id",)),
        ForeignKey(("product_id",), "product", ("product_id",)),
    ),
)

SUPPLY_LINK = Table(
    "supply_link",
    "A supplier facility ships a product to a buyer facility.",
    (
        _id("supplier_id", "supplier facility"),
        _id("buyer_id", "buyer facility"),
        _id("product_id", "product shipped"),
        Column(
            "share",
            F,
            "share of the buyer's need of this product it supplies",
            unit="fraction",
            minimum=0,
            min_exclusive=True,
            maximum=1,
        ),
        Column("lead_time_days", F, "days from shipment to arrival", unit="days", minimum=0),
        Column("mode", S, "transport mode", choices=_choices(TransportMode)),
    ),
    key=("supplier_id", "buyer_id", "product_id"),
    foreign_keys=(
        ForeignKey(("supplier_id",), "facility", ("facility_id",)),
        ForeignKey(("buyer_id",), "facility", ("facility_id",)),
        ForeignKey(("product_id",), "product", ("product_id",)),
        ForeignKey(
            ("supplier_id", "product_id"),
            "capability",
            ("facility_id", "product_id"),
            reason="capability of the supplier for this product",
        ),
    ),
    checks=(Check("supplier_id <> buyer_id", "buyer_id", "a facility cannot supply itself"),),
)

EXPANSION_OPTION = Table(
    "expansion_option",
    "A way to raise a capability's capacity (another shift, a new line): it adds capacity after a lead "
    "time, at a one-off cost. The mobilization planner may take it (or a share of it).",
    (
        _id("facility_id", "facility"),
        _id("product_id", "product"),
        Column("option", S, "what the option is, e.g. second-shift, new-line", pattern=ID_PATTERN),
        Column(
            "extra_capacity_per_day",
            F,
            "capacity it adds once in place",
            unit="product units / day",
            minimum=0,
            min_exclusive=True,
        ),
        Column(
            "lead_time_days", F, "days from the decision until the capacity is there", unit="days", minimum=0
        ),
        Column("cost", F, "one-off cost of taking the whole option", unit="USD", minimum=0),
    ),
    key=("facility_id", "product_id", "option"),
    foreign_keys=(
        ForeignKey(
            ("facility_id", "product_id"),
            "capability",
            ("facility_id", "product_id"),
            reason="capability of the facility for this product",
        ),
    ),
    since=9,
)

DEMAND = Table(
    "demand",
    "A program (customer) needs an end item.",
    (
        _id("product_id", "product demanded"),
        Column("customer", S, "program or customer that needs it", pattern=ID_PATTERN),
        Column("qty_per_day", F, "quantity needed per day", unit="product units / day", minimum=0),
        Column("priority", S, "DPAS rating: DX, DO or none", choices=_choices(Priority)),
        Column("start_day", INT, "first day of the need (day 0 = today)", unit="day", minimum=0),
        Column(
            "end_day",
            INT,
            "last day of the need; empty = open-ended",
            unit="day",
            nullable=True,
            minimum=0,
        ),
    ),
    key=("product_id", "customer", "start_day"),
    foreign_keys=(ForeignKey(("product_id",), "product", ("product_id",)),),
    checks=(
        Check(
            "end_day IS NULL OR end_day >= start_day",
            "end_day",
            "end_day must not be before start_day",
        ),
    ),
)

AM_MACHINE = Table(
    "am_machine",
    "An additive-manufacturing machine enrolled in the national AM network (see docs/amnet.md).",
    (
        _id("machine_id", "machine"),
        _id("facility_id", "facility where it stands"),
        Column(
            "process",
            S,
            "ISO/ASTM 52900 process category (PBF-LB/PBF-EB: powder bed fusion by laser/electron beam)",
            choices=_choices(AmProcess),
        ),
        Column(
            "materials",
            L,
            "feedstock it is set up to print, e.g. Ti-6Al-4V;17-4PH (CSV: ';'-separated)",
        ),
        Column("build_x_mm", F, "build volume, x", unit="mm", minimum=0, min_exclusive=True),
        Column("build_y_mm", F, "build volume, y", unit="mm", minimum=0, min_exclusive=True),
        Column("build_z_mm", F, "build volume, z (build height)", unit="mm", minimum=0, min_exclusive=True),
        Column(
            "status",
            S,
            "enrolled (not on call yet), available (idle, on call) or busy (printing other work)",
            choices=_choices(MachineStatus),
        ),
        Column(
            "activation_days",
            F,
            "days from a call to its first print (build file, feedstock, plate setup); empty = "
            "arsenalnet.model.am.DEFAULT_ACTIVATION_DAYS",
            unit="days",
            nullable=True,
            minimum=0,
        ),
    ),
    key=("machine_id",),
    foreign_keys=(ForeignKey(("facility_id",), "facility", ("facility_id",)),),
    since=8,
)

PART_QUALIFICATION = Table(
    "part_qualification",
    "A product is qualified to be printed by a process in a material at a facility (every machine "
    "there with that process and material, as a site qualification under ISO/ASTM 52920 gives) or on "
    "one machine (machine_id given, as a NASA-STD-6030 qualified machine process gives).",
    (
        _id("qualification_id", "qualification record (e.g. the certificate or QMP/QPP record number)"),
        _id("product_id", "product qualified"),
        Column("process", S, "ISO/ASTM 52900 process category", choices=_choices(AmProcess)),
        Column("material", S, "feedstock qualified, e.g. Ti-6Al-4V", pattern=MATERIAL_PATTERN),
        _id("facility_id", "qualified facility"),
        Column(
            "machine_id",
            S,
            "the one qualified machine of that facility; empty = every machine there with this process "
            "and material",
            nullable=True,
            pattern=ID_PATTERN,
        ),
        Column("standard", S, "standard qualified against, e.g. ISO/ASTM 52920, NASA-STD-6030, AWS D20.1"),
        Column(
            "print_hours_per_unit",
            F,
            "machine hours per unit: a full build's hours divided by the units it holds",
            unit="h / unit",
            minimum=0,
            min_exclusive=True,
        ),
        Column(
            "post_processing_days",
            F,
            "days from the end of printing to a finished, inspected unit (depowdering, heat treatment, "
            "support removal, machining, inspection)",
            unit="days",
            minimum=0,
        ),
    ),
    key=("qualification_id",),
    foreign_keys=(
        ForeignKey(("product_id",), "product", ("product_id",)),
        ForeignKey(("facility_id",), "facility", ("facility_id",)),
        ForeignKey(
            ("machine_id", "facility_id", "process"),
            "am_machine",
            ("machine_id", "facility_id", "process"),
            reason="machine of that facility with that process",
        ),
    ),
    since=8,
)

TABLE_ORDER: tuple[str, ...] = (
    "country",
    "country_group",
    "organization",
    "facility",
    "product",
    "bom_line",
    "product_attribute",
    "capability",
    "supply_link",
    "demand",
    "am_machine",
    "part_qualification",
    "expansion_option",
)
"""Tables in foreign-key order: a table only refers to tables before it."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        COUNTRY,
        COUNTRY_GROUP,
        ORGANIZATION,
        FACILITY,
        PRODUCT,
        BOM_LINE,
        PRODUCT_ATTRIBUTE,
        CAPABILITY,
        SUPPLY_LINK,
        DEMAND,
        AM_MACHINE,
        PART_QUALIFICATION,
        EXPANSION_OPTION,
    )
}


def table(name: str) -> Table:
    """The declaration of table ``name`` (KeyError if unknown)."""
    return TABLES[name]
