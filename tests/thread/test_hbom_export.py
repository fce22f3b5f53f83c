"""``hbom export``: the tiny twin's shell as a CycloneDX 1.6 document, exactly; schema validity; the
reference end items of a generated twin against the BOM table and ``trace``."""

import json
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

import pyarrow as pa
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from arsenalnet.network import Network
from arsenalnet.network.trace import UnknownId, trace
from arsenalnet.store import Store
from arsenalnet.thread.hbom_export import HbomInvalid, build_hbom, export_hbom, hbom_json
from arsenalnet.thread.hbom_tree import HbomCatalog, hbom_tree
from factories import arsenal

NS = "arsenalnet:hbom:"
SERIAL, WHEN = UUID(int=7), datetime(2026, 11, 25, tzinfo=UTC)


def part(name: str, kind: str, unit: str, hs: str, naics: str, **per: str) -> dict[str, object]:
    """A part component as export writes it; ``per`` maps parent ids (``_`` for ``:``) to quantities."""
    props = {f"{NS}kind": kind, f"{NS}unit": unit, f"{NS}hsCode": hs, f"{NS}naics": naics}
    props |= {f"{NS}quantity:{p.replace('_', ':')}": q for p, q in per.items()}
    return {"type": "device", "name": name, "properties": props}


def source(
    product: str, facility: str, org_id: str, org: str, a2: str, region: str, iso3: str
) -> dict[str, object]:
    """A source component: ``product`` made at ``facility`` (owned by ``org``) in ``iso3``."""
    props = {
        f"{NS}sourceOf": product,
        f"{NS}facilityId": facility,
        f"{NS}organizationId": org_id,
        f"{NS}countryOfOrigin": iso3,
    }
    manufacturer = {"name": org, "address": {"country": a2, "region": region}}
    return {"type": "device", "manufacturer": manufacturer, "properties": props}


def flat(component: dict[str, object]) -> dict[str, object]:
    """A component with its properties as a dict and without bom-ref (the key it is filed under)."""
    out = {k: v for k, v in component.items() if k != "bom-ref"}
    props = component.get("properties", [])
    assert isinstance(props, list)
    out["properties"] = {p["name"]: p["value"] for p in props}
    assert len(out["properties"]) == len(props), "no property name repeats here"
    return out


def test_tiny_shell_is_exactly_the_documented_structure(tiny_store: Store, tiny_net: Network) -> None:
    """The tiny twin's shell, by hand from tests/fixtures/tiny:

    - parts: shell (end item) needs 1 body and 10 kg powder; a body needs 0.05 t steel; a
      tonne of steel needs 1.6 t ore (bom_line.csv): five parts, four quantities;
    - sources: fac:lap (USA) makes the shell, fac:forge (USA) the body, fac:powder (CHN) the
      powder, fac:mill-a (USA) and fac:mill-b (CAN) both ship steel to the forge, fac:mine
      (USA) ore to both mills: six sources, steel has two;
    - a part depends on its child parts and its sources; a source on nothing.
    """
    doc = json.loads(
        export_hbom(tiny_net, tiny_store.read_tables(), "prd:shell", serial=SERIAL, timestamp=WHEN)
    )
    shell_name = "Artillery shell"
    assert doc["bomFormat"] == "CycloneDX" and doc["specVersion"] == "1.6" and doc["version"] == 1
    assert doc["serialNumber"] == "urn:uuid:00000000-0000-0000-0000-000000000007"
    assert doc["metadata"]["timestamp"] == "2026-11-25T00:00:00+00:00"
    assert doc["metadata"]["tools"]["components"][0]["name"] == "arsenalnet"
    assert flat(doc["metadata"]["component"]) == part(shell_name, "end_item", "each", "930690", "3329")
    assert doc["metadata"]["component"]["bom-ref"] == "prd:shell"
    expected = {
        "prd:body": part("Projectile body", "part", "each", "930690", "3322", prd_shell="1"),
        "prd:powder": part("Propellant powder", "raw_material", "kg", "360100", "3259", prd_shell="10"),
        "prd:steel": part("Forging steel billet", "part", "t", "722490", "3311", prd_body="0.05"),
        "prd:ore": part("Iron ore", "raw_material", "t", "260111", "2122", prd_steel="1.6"),
        "prd:shell @ fac:lap": source("prd:shell", "fac:lap", "org:lapco", "LAP Co", "US", "IA", "USA"),
        "prd:body @ fac:forge": source(
            "prd:body", "fac:forge", "org:forgeworks", "Forge Works", "US", "PA", "USA"
        ),
        "prd:powder @ fac:powder": source(
            "prd:powder", "fac:powder", "org:eastchem", "East Chemical", "CN", "JS", "CHN"
        ),
        "prd:steel @ fac:mill-a": source(
            "prd:steel", "fac:mill-a", "org:keystone", "Keystone Steel", "US", "PA", "USA"
        ),
        "prd:steel @ fac:mill-b": source(
            "prd:steel", "fac:mill-b", "org:maple", "Maple Steel", "CA", "ON", "CAN"
        ),
        "prd:ore @ fac:mine": source(
            "prd:ore", "fac:mine", "org:northore", "North Ore Co", "US", "MN", "USA"
        ),
    }
    names = {"prd:shell": shell_name, "prd:body": "Projectile body", "prd:powder": "Propellant powder"}
    names |= {"prd:steel": "Forging steel billet", "prd:ore": "Iron ore"}
    for ref, c in expected.items():
        if " @ " in ref:
            c["name"] = names[ref.split(" @ ")[0]]
    assert {c["bom-ref"]: flat(c) for c in doc["components"]} == expected
    deps = {d["ref"]: sorted(d.get("dependsOn", [])) for d in doc["dependencies"]}
    assert deps == {
        "prd:shell": ["prd:body", "prd:powder", "prd:shell @ fac:lap"],
        "prd:body": ["prd:body @ fac:forge", "prd:steel"],
        "prd:powder": ["prd:powder @ fac:powder"],
        "prd:steel": ["prd:ore", "prd:steel @ fac:mill-a", "prd:steel @ fac:mill-b"],
        "prd:ore": ["prd:ore @ fac:mine"],
        **{ref: [] for ref in expected if " @ " in ref},
    }


def test_a_subtree_starts_where_asked(tiny_store: Store, tiny_net: Network) -> None:
    """The body's HBOM: body -> steel -> ore, and only the sources that feed the forge."""
    doc = json.loads(export_hbom(tiny_net, tiny_store.read_tables(), "prd:body"))
    assert doc["metadata"]["component"]["bom-ref"] == "prd:body"
    refs = sorted(c["bom-ref"] for c in doc["components"])
    sources = [
        "prd:body @ fac:forge",
        "prd:ore @ fac:mine",
        "prd:steel @ fac:mill-a",
        "prd:steel @ fac:mill-b",
    ]
    assert refs == sorted(["prd:ore", "prd:steel", *sources])


def test_output_passes_the_official_schema_and_a_broken_document_is_refused(
    tiny_store: Store, tiny_net: Network
) -> None:
    text = export_hbom(tiny_net, tiny_store.read_tables(), "prd:shell")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom = build_hbom(tiny_net, HbomCatalog.of(tiny_store.read_tables()), hbom_tree(tiny_net, "prd:shell"))
    assert bom.metadata.component is not None
    bom.metadata.component.mime_type = "not a mime type"
    with pytest.raises(HbomInvalid, match=r"1\.6 schema at metadata\.component[.:].*(mime|not a mime type)"):
        hbom_json(bom)


def test_unknown_product_is_refused(tiny_net: Network) -> None:
    with pytest.raises(UnknownId, match="unknown product 'prd:nope'"):
        hbom_tree(tiny_net, "prd:nope")


def test_stored_attributes_become_properties(tiny_store: Store, tiny_net: Network) -> None:
    """A product_attribute row is a property of its part, repeated names kept."""
    tables = tiny_store.read_tables()
    tables["product_attribute"] = pa.table(
        {
            "product_id": ["prd:body", "prd:body", "prd:body"],
            "name": ["drawing", "cdx:device:serialNumber", "cdx:device:serialNumber"],
            "value": ["DWG-155-001 rev C", "SN-1", "SN-2"],
        }
    )
    doc = json.loads(export_hbom(tiny_net, tables, "prd:shell"))
    body = next(c for c in doc["components"] if c["bom-ref"] == "prd:body")
    props = sorted((p["name"], p["value"]) for p in body["properties"] if not p["name"].startswith(NS))
    serials = [("cdx:device:serialNumber", "SN-1"), ("cdx:device:serialNumber", "SN-2")]
    assert props == [*serials, ("drawing", "DWG-155-001 rev C")]


@pytest.mark.parametrize("product", ["prd:guided-missile", "prd:155mm-shell", "prd:small-uas"])
def test_reference_items_match_the_bom_table_and_trace(generated_net: Network, product: str) -> None:
    """Every BOM line under the item is in the document with its quantity, and the sources are
    exactly the nodes ``trace --up`` reaches, each with its facility's country."""
    tree = hbom_tree(generated_net, product)
    net = generated_net
    lines = {
        (net.products.id(p), net.products.id(c)): float(q)
        for p, c, q in zip(tree.line_parent, tree.line_child, tree.line_qty, strict=True)
    }
    closure, todo = {product}, [product]
    while todo:  # the BOM closure, walked one line at a time from the sparse matrix
        p = net.products.position(todo.pop())
        for c in net.bom.indices[net.bom.indptr[p] : net.bom.indptr[p + 1]]:
            cid = net.products.id(int(c))
            assert lines[(net.products.id(p), cid)] == net.bom[p, c]
            if cid not in closure:
                closure.add(cid)
                todo.append(cid)
    assert set(net.products.take(tree.parts)) == closure
    nodes = {(n.product_id, n.facility_id, n.country) for t in trace(net, product).tiers for n in t.nodes}
    got = set(
        zip(
            net.products.take(tree.source_part),
            net.facilities.take(tree.source_facility),
            net.countries.take(net.facility_country[tree.source_facility]),
            strict=True,
        )
    )
    assert got == nodes


def test_cli_writes_a_valid_file_and_refuses_an_unknown_product(tiny_store: Store, tmp_path: Path) -> None:
    db = tiny_store.path
    tiny_store.close()
    out = tmp_path / "hbom" / "shell.cdx.json"
    done = arsenal("hbom", "export", "prd:shell", "--out", str(out), "--json", db=db)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary | {"out": ""} == {
        "out": "",
        "product": "prd:shell",
        "parts": 5,
        "bom_lines": 4,
        "sources": 6,
        "countries": ["CAN", "CHN", "USA"],
    }
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out.read_text()) is None
    bad = arsenal("hbom", "export", "prd:nope", "--out", str(tmp_path / "no.cdx.json"), db=db)
    assert bad.returncode == 2 and "unknown product 'prd:nope'" in bad.stderr
    assert not (tmp_path / "no.cdx.json").exists()
