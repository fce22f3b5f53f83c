"""Property tests of import: round trips through CSV and Parquet, rejection, idempotence.

A strategy builds small valid twins that obey every model rule (ids, ranges,
enums, foreign keys, an acyclic bill of materials, each supply link backed by a
capability of its supplier), with awkward values: floats such as 1e-300, 0.1,
1/3 and the largest finite double, names with commas, quotes and non-ASCII
letters, ids with punctuation.
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import ImportRejected, import_files, import_tables
from arsenalnet.model import TABLES, ColumnType
from arsenalnet.model.enums import Priority, ProductKind, SizeClass, TransportMode
from arsenalnet.store import Store

ARROW = {
    ColumnType.STR: pa.string(),
    ColumnType.INT: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.STR_LIST: pa.list_(pa.string()),
}
TWIN_TABLES = ("organization", "facility", "product", "bom_line", "capability", "supply_link", "demand")

Twin = dict[str, pa.Table]
Rows = dict[str, list[dict[str, Any]]]

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- values

AWKWARD = (0.1, 1 / 3, 2 / 3, 1e-300, 5e-324, 1e-7, 123456789.123, 0.30000000000000004)
ID_CHARS = "abz019-_.:/,'\"#"
NAME_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))


def floats(lo: float, hi: float, *, lo_open: bool = False) -> st.SearchStrategy[float]:
    """Finite floats in [lo, hi] (or (lo, hi]), mixed with awkward values in range."""
    inside = [v for v in (*AWKWARD, lo, hi, -0.0) if (lo < v if lo_open else lo <= v) and v <= hi]
    if lo_open:
        inside = [v for v in inside if v != 0.0 or lo < 0]
    base = st.floats(lo, hi, exclude_min=lo_open, allow_nan=False, allow_infinity=False)
    return st.one_of(st.sampled_from(inside), base) if inside else base


MAX = 1.7976931348623157e308
qty = floats(0.0, 1e12)
names = st.text(NAME_CHARS, min_size=1, max_size=10)


def ids(prefix: str) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(ID_CHARS), min_size=1, max_size=5).map(lambda s: prefix + s)


def code(chars: str, lo: int, hi: int) -> st.SearchStrategy[str]:
    return st.text(st.sampled_from(chars), min_size=lo, max_size=hi)


def optional(s: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), s)


DIGITS, UPPER_DIGITS = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
COUNTRIES = ("USA", "CAN", "FRA", "DEU", "JPN", "KOR", "AUS")
PLATFORMS = ("Siemens SIMATIC S7", "Rockwell ControlLogix", "ABB 800xA", "Émerson DeltaV", "x,y")


def unique_ids(prefix: str, lo: int, hi: int) -> st.SearchStrategy[list[str]]:
    return st.lists(ids(prefix), min_size=lo, max_size=hi, unique=True)


@st.composite
def twins(draw: st.DrawFn) -> Rows:
    """A small valid twin, as rows per table; every table has at least one row."""
    org_ids = draw(unique_ids("org:", 1, 3))
    orgs = [
        {
            "org_id": o,
            "name": draw(names),
            "country": draw(st.sampled_from(COUNTRIES)),
            "size_class": draw(st.sampled_from([m.value for m in SizeClass])),
            "uei": draw(optional(code(UPPER_DIGITS, 12, 12))),
            "cage": draw(optional(code(UPPER_DIGITS, 5, 5))),
        }
        for o in org_ids
    ]
    fac_ids = draw(unique_ids("fac:", 2, 5))
    facilities = [
        {
            "facility_id": f,
            "org_id": draw(st.sampled_from(org_ids)),
            "name": draw(names),
            "country": draw(st.sampled_from(COUNTRIES)),
            "region": draw(optional(names)),
            "lat": draw(optional(floats(-90.0, 90.0))),
            "lon": draw(optional(floats(-180.0, 180.0))),
            "naics": draw(code(DIGITS, 2, 6)),
            "employees": draw(optional(st.integers(0, 2**62))),
            "control_systems": draw(optional(st.lists(st.sampled_from(PLATFORMS), min_size=1, max_size=3))),
        }
        for f in fac_ids
    ]
    prd_ids = draw(unique_ids("prd:", 2, 6))
    products = [
        {
            "product_id": p,
            "name": draw(names),
            "kind": draw(st.sampled_from([m.value for m in ProductKind])),
            "unit": draw(st.sampled_from(["each", "kg", "t", "L", "m"])),
            "hs_code": draw(optional(code(DIGITS, 2, 10))),
            "naics": draw(optional(code(DIGITS, 2, 6))),
            "critical_mineral": draw(optional(names)),
        }
        for p in prd_ids
    ]
    # acyclic: a parent always comes before its child in prd_ids
    pairs = list(itertools.combinations(range(len(prd_ids)), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=len(pairs), unique=True))
    bom = [
        {
            "parent_id": prd_ids[i],
            "child_id": prd_ids[j],
            "qty_per_unit": draw(floats(0.0, 1e9, lo_open=True)),
        }
        for i, j in chosen
    ]
    fp = list(itertools.product(fac_ids, prd_ids))
    caps_at = draw(st.lists(st.sampled_from(fp), min_size=1, max_size=min(len(fp), 10), unique=True))
    capabilities = [
        {
            "facility_id": f,
            "product_id": p,
            "capacity_per_day": draw(st.one_of(qty, st.just(MAX))),
            "utilization": draw(floats(0.0, 1.0)),
            "inventory_days": draw(floats(0.0, 3650.0)),
            "ramp_days": draw(floats(0.0, 3650.0)),
        }
        for f, p in caps_at
    ]
    link_keys = [(f, b, p) for f, p in caps_at for b in fac_ids if b != f]
    chosen_links = draw(
        st.lists(st.sampled_from(link_keys), min_size=1, max_size=min(len(link_keys), 10), unique=True)
    )
    links = [
        {
            "supplier_id": s,
            "buyer_id": b,
            "product_id": p,
            "share": draw(floats(0.0, 1.0, lo_open=True)),
            "lead_time_days": draw(floats(0.0, 365.0)),
            "mode": draw(st.sampled_from([m.value for m in TransportMode])),
        }
        for s, b, p in chosen_links
    ]
    demand_keys = draw(
        st.lists(
            st.tuples(st.sampled_from(prd_ids), ids("prog:"), st.integers(0, 10_000)),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    demand = []
    for p, customer, start in demand_keys:
        end = draw(optional(st.integers(start, start + 10_000)))
        demand.append(
            {
                "product_id": p,
                "customer": customer,
                "qty_per_day": draw(qty),
                "priority": draw(st.sampled_from([m.value for m in Priority])),
                "start_day": start,
                "end_day": end,
            }
        )
    return {
        "organization": orgs,
        "facility": facilities,
        "product": products,
        "bom_line": bom,
        "capability": capabilities,
        "supply_link": links,
        "demand": demand,
    }


def to_arrow(rows: Rows) -> Twin:
    out = {}
    for name in TWIN_TABLES:
        t = TABLES[name]
        schema = pa.schema([pa.field(c.name, ARROW[c.type]) for c in t.columns])
        out[name] = pa.Table.from_pylist(rows[name], schema=schema)
    return out


# --- helpers

_counter = itertools.count()


def fresh_dir(root: Path) -> Path:
    """A new folder under ``root`` for one hypothesis example."""
    d = root / f"ex{next(_counter)}"
    d.mkdir()
    return d


def assert_same(a: Twin, b: Twin) -> None:
    assert a.keys() == b.keys()
    for name in a:
        assert a[name].schema == b[name].schema, name
        assert a[name].to_pylist() == b[name].to_pylist(), name
        assert a[name].equals(b[name]), name


def loaded(root: Path, rows: Rows) -> Store:
    store = Store(fresh_dir(root) / "twin.duckdb")
    import_tables(store, to_arrow(rows))
    return store


# --- round trip


@SETTINGS
@given(twin=twins())
def test_round_trip_through_csv_and_parquet(twin: Rows, tmp_path: Path) -> None:
    store = loaded(tmp_path, twin)
    original = store.read_tables()
    for name in TWIN_TABLES:
        assert original[name].num_rows == len(twin[name])
    for fmt in ("csv", "parquet"):
        out = fresh_dir(tmp_path)
        paths = store.export(out / "export", fmt)
        with Store(out / "again.duckdb") as again:
            report = import_files(again, paths)
            assert all(report.counts[n].inserted == len(twin[n]) for n in TWIN_TABLES), fmt
            assert_same(again.read_tables(), original)
    store.close()


def test_round_trip_keeps_awkward_floats_exactly(tmp_path: Path) -> None:
    """Hand-checked: 1e-300, 1/3, 5e-324 and the largest double survive CSV."""
    twin = twins_example()
    store = loaded(tmp_path, twin)
    paths = store.export(tmp_path / "csv", "csv")
    with Store(tmp_path / "b.duckdb") as again:
        import_files(again, paths)
        caps = again.read_table("capability").to_pylist()
    assert [c["capacity_per_day"] for c in caps] == [MAX, 1e-300]
    assert [c["utilization"] for c in caps] == [1 / 3, 5e-324]
    store.close()


def twins_example() -> Rows:
    return {
        "organization": [
            {
                "org_id": "org:a",
                "name": 'A, "Inc"',
                "country": "USA",
                "size_class": "small",
                "uei": None,
                "cage": None,
            }
        ],
        "facility": [
            {
                "facility_id": f,
                "org_id": "org:a",
                "name": "Ünïcode, plant",
                "country": "USA",
                "region": None,
                "lat": 1 / 3,
                "lon": -0.1,
                "naics": "3329",
                "employees": None,
                "control_systems": ["x,y", "Siemens SIMATIC S7"],
            }
            for f in ("fac:a", "fac:b")
        ],
        "product": [
            {
                "product_id": p,
                "name": p,
                "kind": "part",
                "unit": "each",
                "hs_code": None,
                "naics": None,
                "critical_mineral": None,
            }
            for p in ("prd:a", "prd:b")
        ],
        "bom_line": [{"parent_id": "prd:a", "child_id": "prd:b", "qty_per_unit": 1e-300}],
        "capability": [
            {
                "facility_id": "fac:a",
                "product_id": "prd:b",
                "capacity_per_day": MAX,
                "utilization": 1 / 3,
                "inventory_days": 0.1,
                "ramp_days": 0.0,
            },
            {
                "facility_id": "fac:b",
                "product_id": "prd:a",
                "capacity_per_day": 1e-300,
                "utilization": 5e-324,
                "inventory_days": 0.0,
                "ramp_days": 1e-7,
            },
        ],
        "supply_link": [
            {
                "supplier_id": "fac:a",
                "buyer_id": "fac:b",
                "product_id": "prd:b",
                "share": 1e-300,
                "lead_time_days": 1 / 3,
                "mode": "sea",
            }
        ],
        "demand": [
            {
                "product_id": "prd:a",
                "customer": "prog:x",
                "qty_per_day": 0.1,
                "priority": "none",
                "start_day": 0,
                "end_day": 0,
            }
        ],
    }


# --- a rejected import changes nothing

Mutation = Callable[[Rows, int], tuple[str, str]]
"""Makes one row of a table invalid; returns (table, expected reason pattern)."""


def _set(table: str, column: str, value: Any, reason: str) -> Mutation:
    def mutate(rows: Rows, i: int) -> tuple[str, str]:
        rows[table][i % len(rows[table])][column] = value
        return table, reason

    return mutate


def _self_supply(rows: Rows, i: int) -> tuple[str, str]:
    link = rows["supply_link"][i % len(rows["supply_link"])]
    link["buyer_id"] = link["supplier_id"]
    return "supply_link", r"cannot supply itself|duplicate key"


def _bom_back_edge(rows: Rows, i: int) -> tuple[str, str]:
    line = rows["bom_line"][i % len(rows["bom_line"])]
    rows["bom_line"].append(
        {"parent_id": line["child_id"], "child_id": line["parent_id"], "qty_per_unit": 1.0}
    )
    return "bom_line", r"bill of materials has a cycle"


def _bom_self_loop(rows: Rows, i: int) -> tuple[str, str]:
    line = rows["bom_line"][i % len(rows["bom_line"])]
    line["child_id"] = line["parent_id"]
    return "bom_line", r"child_id: a product cannot be its own input|duplicate key"


def _duplicate_row(rows: Rows, i: int) -> tuple[str, str]:
    rows["capability"].append(dict(rows["capability"][i % len(rows["capability"])]))
    return "capability", r"duplicate key"


def _link_without_capability(rows: Rows, i: int) -> tuple[str, str]:
    caps = {(c["facility_id"], c["product_id"]) for c in rows["capability"]}
    link = rows["supply_link"][i % len(rows["supply_link"])]
    # the buyer becomes the supplier of a product it has no capability for
    others = [
        (f["facility_id"], p["product_id"])
        for f in rows["facility"]
        for p in rows["product"]
        if (f["facility_id"], p["product_id"]) not in caps and f["facility_id"] != link["buyer_id"]
    ]
    if not others:  # every pair has a capability: name a facility that does not exist
        link["supplier_id"] = "fac:nowhere"
        return "supply_link", r"unknown 'fac:nowhere'"
    link["supplier_id"], link["product_id"] = others[i % len(others)]
    return "supply_link", r"no capability of the supplier|duplicate key"


def _end_before_start(rows: Rows, i: int) -> tuple[str, str]:
    d = rows["demand"][i % len(rows["demand"])]
    d["start_day"], d["end_day"] = d["start_day"] + 2, d["start_day"] + 1
    return "demand", r"end_day must not be before start_day|duplicate key"


MUTATIONS: dict[str, Mutation] = {
    "share_zero": _set("supply_link", "share", 0.0, r"share: must be in \(0, 1\]"),
    "share_above_one": _set("supply_link", "share", 1.5, r"share: must be in \(0, 1\]"),
    "negative_capacity": _set("capability", "capacity_per_day", -1.0, r"capacity_per_day: must"),
    "utilization_nan": _set("capability", "utilization", math.nan, r"utilization: must be a finite"),
    "lead_time_inf": _set("supply_link", "lead_time_days", math.inf, r"lead_time_days: must be a fin"),
    "lat_91": _set("facility", "lat", 91.0, r"lat: must be in \[-90, 90\]"),
    "negative_employees": _set("facility", "employees", -1, r"employees: must be in \[0, inf\)"),
    "unknown_mode": _set("supply_link", "mode", "boat", r"mode: 'boat' is not one of"),
    "unknown_priority": _set("demand", "priority", "DZ", r"priority: 'DZ' is not one of"),
    "id_with_space": _set("product", "product_id", "prd:a b", r"product_id: 'prd:a b' is not an id"),
    "lowercase_country": _set("organization", "country", "usa", r"country: 'usa' is not an ISO"),
    "unknown_country": _set("organization", "country", "XXX", r"country: unknown 'XXX'"),
    "unknown_org": _set("facility", "org_id", "org:nowhere", r"org_id: unknown 'org:nowhere'"),
    "unknown_product": _set("demand", "product_id", "prd:nowhere", r"unknown 'prd:nowhere'"),
    "missing_name": _set("organization", "name", None, r"name: a value is required"),
    "missing_child": _set("bom_line", "child_id", None, r"child_id: a value is required"),
    "bom_self_loop": _bom_self_loop,
    "self_supply": _self_supply,
    "bom_back_edge": _bom_back_edge,
    "duplicate_row": _duplicate_row,
    "link_without_capability": _link_without_capability,
    "end_before_start": _end_before_start,
}


@SETTINGS
@given(
    twin=twins(),
    mutation=st.sampled_from(sorted(MUTATIONS)),
    row=st.integers(0, 100),
    also_valid=st.booleans(),
)
def test_rejected_import_changes_nothing(
    twin: Rows, mutation: str, row: int, also_valid: bool, tmp_path: Path
) -> None:
    store = loaded(tmp_path, twin)
    before = store.read_tables()
    bad = copy.deepcopy(twin)
    table, reason = MUTATIONS[mutation](bad, row)
    # send the mutated table, and optionally every other (valid) table as well
    tables = to_arrow(bad)
    payload = tables if also_valid else {table: tables[table]}
    with pytest.raises(ImportRejected, match=reason):
        import_tables(store, payload)
    assert_same(store.read_tables(), before)
    store.close()


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_every_mutation_is_rejected_on_the_example(mutation: str, tmp_path: Path) -> None:
    """Each mutation, applied to the hand-written twin, is rejected with its reason."""
    twin = twins_example()
    store = loaded(tmp_path, twin)
    before = store.read_tables()
    table, reason = MUTATIONS[mutation](twin, 0)
    with pytest.raises(ImportRejected, match=reason):
        import_tables(store, {table: to_arrow(twin)[table]})
    assert_same(store.read_tables(), before)
    store.close()


# --- re-import


@SETTINGS
@given(twin=twins(), which=st.sampled_from(TWIN_TABLES), row=st.integers(0, 100))
def test_reimport_is_idempotent_and_counts_one_update(
    twin: Rows, which: str, row: int, tmp_path: Path
) -> None:
    source = loaded(tmp_path, twin)
    d = fresh_dir(tmp_path)
    paths = [p for p in source.export(d / "csv", "csv") if p.stem in TWIN_TABLES]
    source.close()
    with Store(d / "store.duckdb") as store:
        first = import_files(store, paths)
        assert {n: first.counts[n].inserted for n in TWIN_TABLES} == {n: len(twin[n]) for n in TWIN_TABLES}
        after_first = store.read_tables()
        second = import_files(store, paths)
        for n in TWIN_TABLES:
            c = second.counts[n]
            assert (c.inserted, c.updated, c.unchanged) == (0, 0, len(twin[n])), n
        assert_same(store.read_tables(), after_first)

        # change one non-key value of one row
        changed = after_first[which].to_pylist()
        i = row % len(changed)
        column = next(
            c.name
            for c in TABLES[which].columns
            if c.name not in TABLES[which].key and c.pattern != r"[!-~]{1,128}"
        )
        old = changed[i][column]
        changed[i][column] = different(which, column, old)
        third = import_tables(store, {which: pa.Table.from_pylist(changed, after_first[which].schema)})
        c = third.counts[which]
        assert (c.inserted, c.updated, c.unchanged) == (0, 1, len(changed) - 1)
        now = store.read_tables()
        assert now[which].to_pylist() == changed
        for n in TWIN_TABLES:
            if n != which:
                assert now[n].equals(after_first[n]), n


def different(table: str, column: str, old: Any) -> Any:
    """A valid value of ``table.column`` that differs from ``old``."""
    col = TABLES[table].column(column)
    if col.choices:
        return next(c for c in col.choices if c != old)
    if col.type is ColumnType.FLOAT:
        return 0.5 if old != 0.5 else 0.25
    if col.pattern == r"[A-Z]{3}":
        return "CAN" if old != "CAN" else "USA"
    return f"{old} (changed)"


EDGE_VALUES = {
    "empty_required_name": ("organization", "name", ""),
    "empty_optional_region": ("facility", "region", ""),
    "empty_list": ("facility", "control_systems", []),
    "list_item_with_spaces": ("facility", "control_systems", [" padded "]),
    "list_item_with_separator": ("facility", "control_systems", ["a;b"]),
    "name_with_newline": ("organization", "name", "line one\nline two"),
    "name_with_padding": ("organization", "name", "  padded  "),
}


@pytest.mark.parametrize("case", sorted(EDGE_VALUES))
def test_what_import_accepts_survives_a_csv_round_trip(case: str, tmp_path: Path) -> None:
    """A value is either refused on import, or exported to CSV and re-imported unchanged."""
    table, column, value = EDGE_VALUES[case]
    twin = twins_example()
    twin[table][0][column] = value
    store = Store(tmp_path / "a.duckdb")
    try:
        import_tables(store, to_arrow(twin))
    except ImportRejected:
        return  # refused up front: fine
    original = store.read_tables()
    paths = store.export(tmp_path / "csv", "csv")
    store.close()
    with Store(tmp_path / "b.duckdb") as again:
        import_files(again, paths)
        assert_same(again.read_tables(), original)
