"""``hbom import``: a supplier's HBOM read by hand, a corpus of bad documents each pinned to its
element path and reason (the store exactly as before), and export -> import round trips."""

import copy
import itertools
import json
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import ImportRejected, import_tables
from arsenalnet.ingest.hbom import import_hbom
from arsenalnet.model import TABLES
from arsenalnet.model.enums import ProductKind
from arsenalnet.network import compile_network
from arsenalnet.store import Store
from arsenalnet.synth.generate import REFERENCE_END_ITEMS, generate_twin
from arsenalnet.thread.hbom_export import export_hbom
from factories import FIXTURES, arsenal, snapshot

SUPPLIER = FIXTURES / "hbom" / "supplier-seeker.cdx.json"
COO = "arsenalnet:hbom:countryOfOrigin"
Doc = dict[str, Any]


def rows(store: Store, table: str) -> set[tuple[Any, ...]]:
    return {tuple(r.values()) for r in store.read_table(table).to_pylist()}


def test_supplier_hbom_reads_as_worked_out_by_hand(store: Store) -> None:
    """tests/fixtures/hbom/supplier-seeker.cdx.json, by hand:

    - five parts (two sources of germanium metal are not parts); kinds: the seeker says
      subassembly, germanium metal raw_material; the lens has a part of its own, so
      subassembly; dome and detector default to part; units default to each but kg given;
    - lines: seeker -> dome 1 (cdx:device:quantity), -> lens 2 (quantity per the seeker),
      -> detector 1 (none given); lens -> germanium 0.3;
    - attributes: the seeker's drawing and serial number; countries of origin: seeker and
      detector USA (manufacturer address US), dome DEU (DE), lens BEL (its property),
      germanium BEL (Umicore, BE) and CHN (Yunnan's property).
    """
    report = import_hbom(store, SUPPLIER)
    assert {n: c.inserted for n, c in report.counts.items()} == {
        "product": 5,
        "bom_line": 4,
        "product_attribute": 8,
    }
    assert rows(store, "product") == {
        ("acme:seeker-ir200", "IR-200 seeker head", "subassembly", "each", "901380", None, None),
        ("acme:dome", "Sapphire dome", "part", "each", None, None, None),
        ("acme:lens-ge", "Germanium lens", "subassembly", "each", None, None, None),
        ("acme:ge-metal", "Germanium metal", "raw_material", "kg", None, None, "Germanium"),
        ("acme:detector", "IR focal plane array", "part", "each", "854140", None, None),
    }
    assert rows(store, "bom_line") == {
        ("acme:seeker-ir200", "acme:dome", 1.0),
        ("acme:seeker-ir200", "acme:lens-ge", 2.0),
        ("acme:seeker-ir200", "acme:detector", 1.0),
        ("acme:lens-ge", "acme:ge-metal", 0.3),
    }
    assert rows(store, "product_attribute") == {
        ("acme:seeker-ir200", "arsenalnet:hbom:design:drawing", "ACM-200-000 rev D"),
        ("acme:seeker-ir200", "cdx:device:serialNumber", "SN-0042"),
        ("acme:seeker-ir200", COO, "USA"),
        ("acme:detector", COO, "USA"),
        ("acme:dome", COO, "DEU"),
        ("acme:lens-ge", COO, "BEL"),
        ("acme:ge-metal", COO, "BEL"),
        ("acme:ge-metal", COO, "CHN"),
    }


def test_a_stored_product_keeps_what_the_document_does_not_state(tiny_store: Store, tmp_path: Path) -> None:
    """prd:steel is stored as a part in t with HS 722490; a document naming it without
    properties changes its name only."""
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "device", "bom-ref": "prd:steel", "name": "Billet, 4340"}},
    }
    path = tmp_path / "steel.cdx.json"
    path.write_text(json.dumps(doc))
    assert import_hbom(tiny_store, path).counts["product"].updated == 1
    steel = [r for r in tiny_store.read_table("product").to_pylist() if r["product_id"] == "prd:steel"]
    assert steel == [
        {
            "product_id": "prd:steel",
            "name": "Billet, 4340",
            "kind": "part",
            "unit": "t",
            "hs_code": "722490",
            "naics": "3311",
            "critical_mineral": None,
        }
    ]


# --- the bad-input corpus: mutations of the supplier document


def _set(keys: str, value: Any) -> Callable[[Doc], None]:
    """Set the element at ``keys`` (``a.0.b``) to ``value``; None deletes it."""

    def mutate(doc: Doc) -> None:
        *head, last = [int(k) if k.isdigit() else k for k in keys.split(".")]
        node = doc
        for k in head:
            node = node[k]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return mutate


def _add_dependency(ref: str, *on: str) -> Callable[[Doc], None]:
    return lambda doc: doc["dependencies"].append({"ref": ref, "dependsOn": list(on)})


def _both(*mutations: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def mutate(doc: Doc) -> None:
        for m in mutations:
            m(doc)

    return mutate


DEP = "dependencies"
BAD: dict[str, tuple[Callable[[Doc], None], str, str]] = {
    # name: (mutation, path of the first problem, regex its reason matches)
    "wrong_spec_version": (_set("specVersion", "1.5"), "specVersion", r"CycloneDX '1\.5' is not supported"),
    "not_cyclonedx": (_set("bomFormat", "SPDX"), "bomFormat", "bomFormat must be 'CycloneDX'"),
    "schema_bad_type": (
        _set("components.0.type", "gadget"),
        "components[0].type",
        r"fails the CycloneDX 1\.6 schema: 'gadget' is not one of",
    ),
    "schema_quantity_not_a_string": (
        _set("components.0.properties.0.value", 1),
        "components[0].properties[0].value",
        "1 is not of type 'string'",
    ),
    "missing_bom_ref": (_set("components.0.bom-ref", None), "components[0]", "bom-ref is missing"),
    "repeated_bom_ref": (
        _set("components.5.bom-ref", "acme:dome"),
        "components[5].bom-ref",
        r"bom-ref 'acme:dome' repeats the one of components\[0\]",
    ),
    "cycle": (
        _add_dependency("acme:ge-metal", "acme:seeker-ir200"),
        "dependencies[0].dependsOn[1]",  # the first line of the cycle in the document: seeker -> lens
        "bill of materials has a cycle: acme:ge-metal -> acme:seeker-ir200 -> acme:lens-ge -> acme:ge-metal",
    ),
    "self_loop": (
        _add_dependency("acme:dome", "acme:dome"),
        "dependencies[3].dependsOn[0]",
        "child_id: a product cannot be its own input",
    ),
    "repeated_line": (
        _add_dependency("acme:seeker-ir200", "acme:dome"),
        "dependencies[3].ref",
        r"duplicate key \(acme:seeker-ir200, acme:dome\)",
    ),
    "negative_quantity": (
        _set("components.1.properties.0.value", "-2"),
        "components[1].properties[0]",
        r"qty_per_unit: must be in \(0, inf\), got '-2'",
    ),
    "zero_quantity": (
        _set("components.0.properties.0.value", "0"),
        "components[0].properties[0]",
        r"qty_per_unit: must be in \(0, inf\), got '0'",
    ),
    "quantity_not_a_number": (
        _set("components.2.properties.3.value", "0,3"),
        "components[2].properties[3]",
        "qty_per_unit: expected a number, got '0,3'",
    ),
    "quantity_for_a_non_parent": (
        _set("components.0.properties.0.name", "arsenalnet:hbom:quantity:acme:lens-ge"),
        "components[0].properties[0]",
        "a quantity per 'acme:lens-ge', but 'acme:lens-ge' does not depend on 'acme:dome'",
    ),
    "unknown_address_country": (
        _set("components.0.manufacturer.address.country", "XX"),
        "components[0].manufacturer.address.country",
        "unknown country 'XX': give an ISO 3166-1 alpha-2 or alpha-3 code",
    ),
    "unknown_country_of_origin": (
        _set("components.4.properties.1.value", "ZZZ"),
        "components[4].properties[1]",
        "unknown country 'ZZZ'",
    ),
    "dangling_dependency": (
        _set("dependencies.0.dependsOn.2", "acme:nothing"),
        "dependencies[0].dependsOn[2]",
        "'acme:nothing' is the bom-ref of no component",
    ),
    "dangling_dependency_ref": (
        _add_dependency("acme:ghost", "acme:dome"),
        "dependencies[3].ref",
        "'acme:ghost' is the bom-ref of no component",
    ),
    "source_of_nothing": (
        _set("components.3.properties.0.value", "acme:nope"),
        "components[3].properties[0]",
        "a source of 'acme:nope', but no part of this document has that bom-ref",
    ),
    "source_with_dependencies": (
        _add_dependency("acme:ge-metal@umicore", "acme:dome"),
        "dependencies[3].dependsOn[0]",
        "'acme:ge-metal@umicore' is a source .* a source depends on nothing",
    ),
    "another_parts_source": (
        _set("dependencies.0.dependsOn.2", "acme:ge-metal@yunnan"),
        "dependencies[0].dependsOn[2]",
        "'acme:ge-metal@yunnan' is a source of 'acme:ge-metal', not of 'acme:seeker-ir200'",
    ),
    "unknown_kind": (
        _set("components.2.properties.0.value", "gizmo"),
        "components[2].properties[0]",
        "kind: 'gizmo' is not one of raw_material, part, subassembly, end_item",
    ),
    "bad_hs_code": (
        _set("components.5.properties.0.value", "85-41"),
        "components[5].properties[0]",
        "hs_code: '85-41' is not an HS code of 2 to 10 digits",
    ),
    "repeated_kind": (
        _set("components.2.properties.1.name", "arsenalnet:hbom:kind"),
        "components[2].properties[1]",
        "arsenalnet:hbom:kind repeats: a part has one",
    ),
    "id_with_a_space": (
        _both(_set("components.0.bom-ref", "acme dome"), _set("dependencies.0.dependsOn.0", "acme dome")),
        "components[0].bom-ref",
        "product_id: 'acme dome' is not an id of 1 to 128 printable ASCII characters without spaces",
    ),
    "property_without_value": (
        _set("metadata.component.properties.2.value", None),
        "metadata.component.properties[2]",
        "property 'arsenalnet:hbom:design:drawing' has no value",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_document_is_refused_at_its_path_and_changes_nothing(
    case: str, tiny_store: Store, tmp_path: Path
) -> None:
    mutate, path, reason = BAD[case]
    doc = json.loads(SUPPLIER.read_text())
    mutate(doc)
    file = tmp_path / "bad.cdx.json"
    file.write_text(json.dumps(doc))
    before = snapshot(tiny_store)
    with pytest.raises(ImportRejected) as info:
        import_hbom(tiny_store, file)
    first = str(info.value.problems[0])
    assert first.startswith(f"{file}: {path}: "), first
    assert re.search(reason, first), first
    after = snapshot(tiny_store)
    assert after.keys() == before.keys()
    assert all(after[t].equals(before[t]) for t in before)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b'{"bomFormat": "CycloneDX",',
            r"the document: not JSON: Expecting property name .*\(line 1, column 27\)",
        ),
        (
            b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "x": "\xff"}',
            r"the document: not UTF-8 text \(byte",
        ),
        (b"[]", "bomFormat: not a CycloneDX document"),
    ],
)
def test_unreadable_files_are_refused(content: bytes, reason: str, store: Store, tmp_path: Path) -> None:
    file = tmp_path / "raw.cdx.json"
    file.write_bytes(content)
    with pytest.raises(ImportRejected, match=reason):
        import_hbom(store, file)


def test_every_problem_is_listed_in_document_order(store: Store, tmp_path: Path) -> None:
    """Two unknown countries and a dangling dependency: three problems, components[0] before [4]."""
    doc = json.loads(SUPPLIER.read_text())
    for m in (
        _set("components.4.properties.1.value", "ZZZ"),
        _set("components.0.manufacturer.address.country", "XX"),
        _set("dependencies.0.dependsOn.2", "acme:nothing"),
    ):
        m(doc)
    file = tmp_path / "bad.cdx.json"
    file.write_text(json.dumps(doc))
    with pytest.raises(ImportRejected) as info:
        import_hbom(store, file)
    assert [p.path for p in info.value.problems] == [
        "components[0].manufacturer.address.country",
        "components[4].properties[1]",
        "dependencies[0].dependsOn[2]",
    ]
    assert info.value.total == 3


def test_cli_refuses_with_the_path_and_exit_2(tiny_store: Store, tmp_path: Path) -> None:
    db = tiny_store.path
    tiny_store.close()
    doc = json.loads(SUPPLIER.read_text())
    _set("components.1.properties.0.value", "-2")(doc)
    file = tmp_path / "supplier.cdx.json"
    file.write_text(json.dumps(doc))
    done = arsenal("hbom", "import", str(file), db=db)
    assert done.returncode == 2, done.stderr
    assert f"{file}: components[1].properties[0]: qty_per_unit: must be in (0, inf), got '-2'" in done.stderr
    assert "import rejected: 1 problem(s); the store is unchanged" in done.stderr
    ok = arsenal("hbom", "import", str(SUPPLIER), "--json", db=db)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["bom_line"]["inserted"] == 4


# --- round trips


NAME_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
texts = st.text(NAME_CHARS, min_size=1, max_size=8)
ID_CHARS = "abz019-_.:/,'\"#@"
COUNTRIES = ("USA", "CAN", "CHN", "DEU", "JPN")


@st.composite
def twins(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    """A small twin whose product 0 has a bill of materials over the others (a parent always
    comes before its children), product attributes with repeated names, and one maker per product
    (facility i, in a drawn country) shipping to the maker of each parent."""
    n = draw(st.integers(1, 6))
    ids = draw(
        st.lists(
            st.text(st.sampled_from(ID_CHARS), min_size=1, max_size=5), min_size=n, max_size=n, unique=True
        )
    )
    pid = [f"prd:{s}" for s in ids]
    products = [
        {
            "product_id": p,
            "name": draw(texts),
            "kind": draw(st.sampled_from([k.value for k in ProductKind])),
            "unit": draw(st.sampled_from(["each", "kg", "t", "L", "m"])),
            "hs_code": draw(st.one_of(st.none(), st.text("0123456789", min_size=2, max_size=10))),
            "naics": draw(st.one_of(st.none(), st.text("0123456789", min_size=2, max_size=6))),
            "critical_mineral": draw(st.one_of(st.none(), texts)),
        }
        for p in pid
    ]
    pairs = list(itertools.combinations(range(n), 2))
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs))) if pairs else []
    qty = st.one_of(st.sampled_from([1 / 3, 1e-9, 0.1, 5e-324, 1e12]), st.floats(1e-6, 1e6))
    lines = [{"parent_id": pid[i], "child_id": pid[j], "qty_per_unit": draw(qty)} for i, j in chosen]
    attrs = draw(
        st.lists(
            st.tuples(
                st.sampled_from(pid), st.sampled_from(["design:drawing", "cdx:device:serialNumber"]), texts
            ),
            unique=True,
            max_size=6,
        )
    )
    country = [draw(st.sampled_from(COUNTRIES)) for _ in pid]
    facilities = [
        {"facility_id": f"fac:{i}", "org_id": "org:a", "name": f"F{i}", "country": c, "naics": "3311"}
        for i, c in enumerate(country)
    ]
    caps = [
        {"facility_id": f"fac:{i}", "product_id": p, "capacity_per_day": 1.0, "utilization": 0.5}
        | {"inventory_days": 1.0, "ramp_days": 1.0}
        for i, p in enumerate(pid)
    ]
    links = [
        {"supplier_id": f"fac:{j}", "buyer_id": f"fac:{i}", "product_id": pid[j], "share": 1.0}
        | {"lead_time_days": 1.0, "mode": "truck"}
        for i, j in chosen
    ]
    return {
        "organization": [{"org_id": "org:a", "name": "A", "country": "USA", "size_class": "small"}],
        "facility": facilities,
        "product": products,
        "bom_line": lines,
        "product_attribute": [{"product_id": p, "name": a, "value": v} for p, a, v in attrs],
        "capability": caps,
        "supply_link": links,
    }


def arrow(twin: dict[str, list[dict[str, Any]]]) -> dict[str, pa.Table]:
    out = {}
    for name, table_rows in twin.items():
        cols = [
            c.name for c in TABLES[name].columns if any(c.name in r for r in table_rows) or not table_rows
        ]
        out[name] = (
            pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in table_rows]) if table_rows else None
        )
    return {k: v for k, v in out.items() if v is not None}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twin=twins())
def test_export_then_import_into_a_fresh_store_gives_the_same_products_and_bom(twin: dict[str, Any]) -> None:
    """Every product reachable from product 0, its BOM lines (floats exactly) and attributes come back;
    each maker's country comes back as a declared country of origin."""
    with tempfile.TemporaryDirectory() as d:
        with Store(Path(d) / "twin.duckdb") as s:
            import_tables(s, arrow(twin))
            tables = s.read_tables()
        root = twin["product"][0]["product_id"]
        file = Path(d) / "root.cdx.json"
        file.write_text(export_hbom(compile_network(tables), tables, root))
        with Store(Path(d) / "fresh.duckdb") as fresh:
            import_hbom(fresh, file)
            got = fresh.read_tables()
    reach, todo = {root}, [root]
    while todo:
        p = todo.pop()
        for line in twin["bom_line"]:
            if line["parent_id"] == p and line["child_id"] not in reach:
                reach.add(line["child_id"])
                todo.append(line["child_id"])
    expected = [r for r in tables["product"].to_pylist() if r["product_id"] in reach]
    assert sorted(got["product"].to_pylist(), key=str) == sorted(expected, key=str)
    lines = [r for r in tables["bom_line"].to_pylist() if r["parent_id"] in reach]
    assert sorted(got["bom_line"].to_pylist(), key=str) == sorted(lines, key=str)
    attrs = {tuple(r.values()) for r in tables["product_attribute"].to_pylist() if r["product_id"] in reach}
    made_in = {p["product_id"]: f["country"] for p, f in zip(twin["product"], twin["facility"], strict=True)}
    attrs |= {(p, COO, made_in[p]) for p in reach}
    assert {tuple(r.values()) for r in got["product_attribute"].to_pylist()} == attrs


def test_reimporting_an_export_into_its_own_twin_changes_no_product_or_line(
    tiny_store: Store, tmp_path: Path
) -> None:
    tables = tiny_store.read_tables()
    file = tmp_path / "shell.cdx.json"
    file.write_text(export_hbom(compile_network(tables), tables, "prd:shell"))
    counts = import_hbom(tiny_store, file).counts
    assert (counts["product"].unchanged, counts["bom_line"].unchanged) == (5, 4)
    assert counts["product"].inserted + counts["product"].updated + counts["bom_line"].updated == 0
    assert copy.deepcopy(snapshot(tiny_store))["bom_line"].equals(tables["bom_line"])


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, pa.Table]:
    """``generate_twin(2000, 1)``'s tables, as stored."""
    with Store(tmp_path_factory.mktemp("gen") / "twin.duckdb") as s:
        import_tables(s, generate_twin(2000, 1))
        return s.read_tables()


@pytest.mark.parametrize("item", REFERENCE_END_ITEMS)
def test_reference_items_of_a_generated_twin_round_trip(
    item: str, generated: dict[str, pa.Table], tmp_path: Path
) -> None:
    """The three reference end items: export, import into a fresh store, same products and lines."""
    file = tmp_path / "item.cdx.json"
    file.write_text(export_hbom(compile_network(generated), generated, item))
    with Store(tmp_path / "fresh.duckdb") as fresh:
        import_hbom(fresh, file)
        got = fresh.read_tables()
    ids = set(got["product"]["product_id"].to_pylist())
    assert item in ids and len(ids) > 10
    keep = pa.array(sorted(ids))
    for table, key in (("product", "product_id"), ("bom_line", "parent_id")):
        original = generated[table].filter(pc.is_in(generated[table][key], keep))
        assert sorted(got[table].to_pylist(), key=str) == sorted(original.to_pylist(), key=str), table


def test_nested_components_are_parts_too(store: Store, tmp_path: Path) -> None:
    """A component nested in another (an assembly in CycloneDX) is a part; only the dependency
    makes a BOM line, with the quantity per its parent."""
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "device", "bom-ref": "x:board", "name": "Board"}},
        "components": [
            {
                "type": "device",
                "bom-ref": "x:module",
                "name": "Module",
                "components": [
                    {
                        "type": "device",
                        "bom-ref": "x:chip",
                        "name": "Chip",
                        "properties": [{"name": "arsenalnet:hbom:quantity:x:module", "value": "3"}],
                    }
                ],
            }
        ],
        "dependencies": [
            {"ref": "x:board", "dependsOn": ["x:module"]},
            {"ref": "x:module", "dependsOn": ["x:chip"]},
        ],
    }
    file = tmp_path / "nested.cdx.json"
    file.write_text(json.dumps(doc))
    import_hbom(store, file)
    assert rows(store, "bom_line") == {("x:board", "x:module", 1.0), ("x:module", "x:chip", 3.0)}
    kinds = {r["product_id"]: r["kind"] for r in store.read_table("product").to_pylist()}
    assert kinds == {"x:board": "end_item", "x:module": "subassembly", "x:chip": "part"}
