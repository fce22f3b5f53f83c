"""A product's hardware bill of materials as a CycloneDX 1.6 document, from the compiled twin.

The document (see ``docs/hbom.md``):

- ``metadata.component`` is the product; every other part of its bill of
  materials is a component (type ``device``) whose bom-ref is its product id,
  with its kind, unit, HS code, NAICS, critical mineral and stored attributes
  as properties, and ``arsenalnet:hbom:quantity:<parent>`` = its units per one
  unit of each parent it goes into;
- each **source** of a part (a facility that makes it for this product) is a
  component of its own, bom-ref ``<product> @ <facility>``, with the owning
  organization as ``manufacturer`` (address: the facility's country and region),
  ``arsenalnet:hbom:countryOfOrigin`` (ISO3) and the ids of facility and
  organization. CycloneDX 1.6 has one manufacturer per component and no notion
  of alternates, so several makers of one part are several sources;
- ``dependencies``: a part depends on its child parts and on its sources.

The document is validated against the official CycloneDX 1.6 JSON schema
before it is returned.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pyarrow as pa
from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.contact import OrganizationalEntity, PostalAddress
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

import arsenalnet
from arsenalnet.model.errors import ArsenalError
from arsenalnet.network import Network
from arsenalnet.thread import hbom_vocab as v
from arsenalnet.thread.hbom_tree import HbomCatalog, HbomTree, hbom_tree, pick


class HbomInvalid(ArsenalError):
    """A document ArsenalNet built failed CycloneDX schema validation (a bug: please report it)."""


def _num(x: float) -> str:
    """A quantity as text that reads back to the same float: ``1``, ``0.05``."""
    return str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x)


def _part(
    pid: str,
    row: Mapping[str, object],
    quantities: list[tuple[str, float]],
    attributes: list[tuple[str, str]],
) -> Component:
    props = [Property(name=n, value=str(row[col])) for col, n in v.PRODUCT_PROPERTIES.items() if row[col]]
    props += [Property(name=v.QUANTITY + parent, value=_num(q)) for parent, q in quantities]
    props += [Property(name=n, value=val) for n, val in attributes]
    return Component(type=ComponentType.DEVICE, bom_ref=pid, name=str(row["name"]), properties=props)


def _source(net: Network, pid: str, name: str, f: int, org: Mapping[str, object]) -> Component:
    iso3 = net.countries.id(int(net.facility_country[f]))
    fid = net.facilities.id(f)
    region = net.facility_region[f].as_py()
    return Component(
        type=ComponentType.DEVICE,
        bom_ref=f"{pid} @ {fid}",
        name=name,
        manufacturer=OrganizationalEntity(
            name=str(org["name"]), address=PostalAddress(country=v.alpha2(iso3), region=region)
        ),
        properties=[
            Property(name=v.SOURCE_OF, value=pid),
            Property(name=v.FACILITY_ID, value=fid),
            Property(name=v.ORGANIZATION_ID, value=str(org["org_id"])),
            Property(name=v.COUNTRY_OF_ORIGIN, value=iso3),
        ],
    )


def build_hbom(
    net: Network,
    catalog: HbomCatalog,
    tree: HbomTree,
    *,
    serial: UUID | None = None,
    timestamp: datetime | None = None,
) -> Bom:
    """The CycloneDX document of ``tree`` (see the module docs); ``serial`` and ``timestamp``
    default to a random UUID and now."""
    ids = net.products.take(tree.parts)
    products = {str(r["product_id"]): r for r in pick(catalog.products, "product_id", ids)}
    quantities: dict[str, list[tuple[str, float]]] = defaultdict(list)
    children: dict[str, list[str]] = defaultdict(list)
    for parent, child, q in zip(
        net.products.take(tree.line_parent), net.products.take(tree.line_child), tree.line_qty, strict=True
    ):
        quantities[child].append((parent, float(q)))
        children[parent].append(child)
    attributes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for r in pick(catalog.attributes, "product_id", ids):
        attributes[str(r["product_id"])].append((str(r["name"]), str(r["value"])))
    parts = {pid: _part(pid, products[pid], quantities[pid], attributes[pid]) for pid in ids}

    src_ids = net.products.take(tree.source_part)
    org_ids = net.organizations.take(net.facility_org[tree.source_facility])
    orgs = {str(r["org_id"]): r for r in pick(catalog.organizations, "org_id", sorted(set(org_ids)))}
    sources: dict[str, list[Component]] = defaultdict(list)
    for pid, f, oid in zip(src_ids, tree.source_facility, org_ids, strict=True):
        sources[pid].append(_source(net, pid, str(products[pid]["name"]), int(f), orgs[oid]))

    root = parts[ids[0]]
    tool = Component(type=ComponentType.APPLICATION, name="arsenalnet", version=arsenalnet.__version__)
    bom = Bom(
        serial_number=serial or uuid4(),
        metadata=BomMetaData(
            component=root,
            timestamp=timestamp or datetime.now(UTC),
            tools=ToolRepository(components=[tool]),
        ),
    )
    for pid in ids:
        if pid != ids[0]:
            bom.components.add(parts[pid])
        bom.components.update(sources[pid])
        bom.register_dependency(parts[pid], [parts[c] for c in children[pid]] + sources[pid])
    return bom


def hbom_json(bom: Bom) -> str:
    """The document as CycloneDX 1.6 JSON, validated against the official schema.

    Raises :class:`HbomInvalid` (with the element path) if validation fails.
    """
    text = JsonV1Dot6(bom).output_as_string(indent=2)
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    if error is not None:
        where = ".".join(str(p) for p in error.data.absolute_path) or "document"
        raise HbomInvalid(f"the HBOM fails the CycloneDX 1.6 schema at {where}: {error.data.message}")
    return text


def export_hbom(
    net: Network,
    tables: Mapping[str, pa.Table],
    product_id: str,
    *,
    serial: UUID | None = None,
    timestamp: datetime | None = None,
) -> str:
    """The validated CycloneDX 1.6 JSON of ``product_id``'s hardware bill of materials."""
    tree = hbom_tree(net, product_id)
    return hbom_json(build_hbom(net, HbomCatalog.of(tables), tree, serial=serial, timestamp=timestamp))
