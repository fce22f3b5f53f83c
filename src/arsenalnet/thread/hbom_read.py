"""Read a CycloneDX 1.6 hardware bill of materials into rows of the twin's tables, every value
with the element path it came from.

Pure: JSON text in, :class:`HbomRecords` out. The reading (see ``docs/hbom.md``):

- a component (``metadata.component``, ``components[]``, or one nested in those) with the
  property ``arsenalnet:hbom:sourceOf`` is a **source** of the part it names; every other
  component is a **part**, a ``product`` row whose id is its bom-ref;
- a dependency of part P on part C is a ``bom_line`` (P, C); its quantity is C's property
  ``arsenalnet:hbom:quantity:P``, else C's ``cdx:device:quantity``, else 1. A part's
  dependency on one of its own sources adds no line; a source depends on nothing;
- a part's kind, unit, HS code, NAICS and critical mineral are its ``arsenalnet:hbom:``
  properties; absent ones are None (the importer keeps the stored value or a default:
  ``default_kind``, unit ``each``);
- every other property of a part is a ``product_attribute`` row (name, value). The
  country of origin of a part or of a source (``arsenalnet:hbom:countryOfOrigin``, else
  its manufacturer's address country) is the part's attribute
  ``arsenalnet:hbom:countryOfOrigin``, as ISO 3166-1 alpha-3.

Problems of the document's structure (not JSON, another spec version, the schema, a
missing or repeated bom-ref, a dependency on no component, an unknown country) are
:class:`HbomIssue`\\ s; problems of values (ids, quantities, kinds, a cycle) are left to
the importer, which reports them at the paths the cells record.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from arsenalnet.thread import hbom_vocab as v

MAX_REASON = 200
"""Characters of a schema message kept in a reason (jsonschema may quote whole objects)."""
TABLES = ("product", "bom_line", "product_attribute")


@dataclass(frozen=True)
class HbomIssue:
    """One problem of a document: where (an element path such as ``components[3].properties[1]``;
    empty for the whole document) and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Cell:
    """A value for a table column and the element it came from; ``value`` None = not given."""

    value: str | None
    path: str


Row = dict[str, Cell]


@dataclass
class HbomRecords:
    """Rows of ``product``, ``bom_line`` and ``product_attribute`` (column -> cell), and the
    issues that stop the document from being imported. ``default_kind[id]`` is the kind of a
    part that states none: ``end_item`` for ``metadata.component``, ``subassembly`` for a part
    with parts of its own, else ``part``."""

    rows: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in TABLES})
    issues: list[HbomIssue] = field(default_factory=list)
    default_kind: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _Component:
    data: dict[str, Any]
    path: str

    def properties(self) -> Iterator[tuple[str, str | None, str]]:
        """(name, value, path) of each property."""
        for i, p in enumerate(self.data.get("properties", [])):
            yield p["name"], p.get("value"), f"{self.path}.properties[{i}]"


def element_path(keys: Any) -> str:
    """``components[3].properties[1]`` from keys and indices.

    >>> element_path(["components", 3, "properties", 1])
    'components[3].properties[1]'
    """
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out


def _components(doc: dict[str, Any]) -> Iterator[_Component]:
    """Every component of the document, nested ones included, in document order."""

    def walk(c: _Component) -> Iterator[_Component]:
        yield c
        for i, n in enumerate(c.data.get("components", [])):
            yield from walk(_Component(n, f"{c.path}.components[{i}]"))

    if "component" in doc.get("metadata", {}):
        yield from walk(_Component(doc["metadata"]["component"], "metadata.component"))
    for i, c in enumerate(doc.get("components", [])):
        yield from walk(_Component(c, f"components[{i}]"))


def _parse(text: str, issues: list[HbomIssue]) -> dict[str, Any] | None:
    """The document, checked to be CycloneDX 1.6 JSON that passes the official schema (else None)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        issues.append(HbomIssue("", f"not JSON: {e.msg} (line {e.lineno}, column {e.colno})"))
        return None
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        issues.append(HbomIssue("bomFormat", "not a CycloneDX document: bomFormat must be 'CycloneDX'"))
        return None
    if doc.get("specVersion") != v.SPEC_VERSION:
        issues.append(
            HbomIssue(
                "specVersion",
                f"CycloneDX {doc.get('specVersion')!r} is not supported: ArsenalNet reads CycloneDX "
                f"{v.SPEC_VERSION} (`cyclonedx convert` upgrades a document)",
            )
        )
        return None
    for err in JsonStrictValidator(SchemaVersion.V1_6).validate_str(text, all_errors=True) or []:
        message = err.data.message
        message = message if len(message) <= MAX_REASON else message[:MAX_REASON] + "…"
        issues.append(
            HbomIssue(element_path(err.data.absolute_path), f"fails the CycloneDX 1.6 schema: {message}")
        )
    return None if issues else doc


class _Reader:
    """One pass over a parsed document, filling :class:`HbomRecords`."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.out = HbomRecords()
        self.parts: dict[str, _Component] = {}
        self.sources: dict[str, tuple[str, _Component]] = {}  # source ref -> (part ref, source)
        self.edges: list[tuple[str, str, str, str]] = []  # parent, child, parent path, child path

    def issue(self, path: str, reason: str) -> None:
        self.out.issues.append(HbomIssue(path, reason))

    def components(self) -> None:
        """Sort components into parts and sources; refuse missing and repeated bom-refs."""
        first: dict[str, str] = {}
        for c in _components(self.doc):
            ref = c.data.get("bom-ref")
            if ref is None:
                self.issue(c.path, "bom-ref is missing: ArsenalNet takes it as the part's id")
                continue
            if ref in first:
                self.issue(f"{c.path}.bom-ref", f"bom-ref {ref!r} repeats the one of {first[ref]}")
                continue
            first[ref] = c.path
            of = [(value, path) for name, value, path in c.properties() if name == v.SOURCE_OF]
            if of:
                self.sources[ref] = (of[0][0] or "", c)
            else:
                self.parts[ref] = c
        for part, c in self.sources.values():
            if part not in self.parts:
                path = next(p for name, _, p in c.properties() if name == v.SOURCE_OF)
                self.issue(path, f"a source of {part!r}, but no part of this document has that bom-ref")

    def dependencies(self) -> None:
        """Part-on-part dependencies become edges; check every other reference."""
        for i, dep in enumerate(self.doc.get("dependencies", [])):
            ref, here = dep["ref"], f"dependencies[{i}]"
            if ref not in self.parts and ref not in self.sources:
                self.issue(f"{here}.ref", f"{ref!r} is the bom-ref of no component")
                continue
            for j, target in enumerate(dep.get("dependsOn", [])):
                path = f"{here}.dependsOn[{j}]"
                if ref in self.sources:
                    self.issue(
                        path,
                        f"{ref!r} is a source (of {self.sources[ref][0]!r}): a source depends on nothing",
                    )
                elif target in self.sources:
                    part = self.sources[target][0]
                    if part != ref:
                        self.issue(path, f"{target!r} is a source of {part!r}, not of {ref!r}")
                elif target in self.parts:
                    self.edges.append((ref, target, f"{here}.ref", path))
                else:
                    self.issue(path, f"{target!r} is the bom-ref of no component")

    def origin(self, part: str, c: _Component) -> None:
        """The part's country of origin as stated by ``c`` (the part or one of its sources)."""
        given = [(value, path) for name, value, path in c.properties() if name == v.COUNTRY_OF_ORIGIN]
        country = c.data.get("manufacturer", {}).get("address", {}).get("country")
        if country is not None:
            given.append((country, f"{c.path}.manufacturer.address.country"))
        for value, path in given[:1]:
            iso3 = v.to_iso3(value or "")
            if iso3 is None:
                self.issue(path, f"unknown country {value!r}: give an ISO 3166-1 alpha-2 or alpha-3 code")
            else:
                self.attribute(part, v.COUNTRY_OF_ORIGIN, iso3, path)

    def attribute(self, part: str, name: str, value: str, path: str) -> None:
        row = {"product_id": Cell(part, path), "name": Cell(name, path), "value": Cell(value, path)}
        self.out.rows["product_attribute"].append(row)

    def part(self, ref: str, c: _Component, parents: set[str]) -> dict[str, tuple[str | None, str]]:
        """The part's product row and attributes; returns its quantities by parent ("" = any)."""
        row = {"product_id": Cell(ref, f"{c.path}.bom-ref"), "name": Cell(c.data["name"], f"{c.path}.name")}
        columns = {prop: col for col, prop in v.PRODUCT_PROPERTIES.items()}
        quantities: dict[str, tuple[str | None, str]] = {}
        for name, value, path in c.properties():
            if name in columns:
                if columns[name] in row:
                    self.issue(path, f"{name} repeats: a part has one")
                row[columns[name]] = Cell(value, path)
            elif name.startswith(v.QUANTITY) or name == v.CDX_QUANTITY:
                parent = name.removeprefix(v.QUANTITY) if name != v.CDX_QUANTITY else ""
                if parent and parent not in parents:
                    self.issue(path, f"a quantity per {parent!r}, but {parent!r} does not depend on {ref!r}")
                quantities[parent] = (value, path)
            elif name not in v.STRUCTURAL and name != v.COUNTRY_OF_ORIGIN:
                if value is None:
                    self.issue(path, f"property {name!r} has no value: the twin stores name and value")
                else:
                    self.attribute(ref, name, value, path)
        for col in v.PRODUCT_PROPERTIES:
            row.setdefault(col, Cell(None, c.path))
        self.out.rows["product"].append(row)
        self.origin(ref, c)
        return quantities

    def read(self) -> HbomRecords:
        self.components()
        self.dependencies()
        parents: dict[str, set[str]] = defaultdict(set)
        for parent, child, _, _ in self.edges:
            parents[child].add(parent)
        quantities = {ref: self.part(ref, c, parents[ref]) for ref, c in self.parts.items()}
        for part, c in self.sources.values():
            if part in self.parts:
                self.origin(part, c)
        for parent, child, parent_path, child_path in self.edges:
            value, path = quantities[child].get(parent) or quantities[child].get("") or ("1", child_path)
            self.out.rows["bom_line"].append(
                {
                    "parent_id": Cell(parent, parent_path),
                    "child_id": Cell(child, child_path),
                    "qty_per_unit": Cell(value, path),
                }
            )
        has_children = {parent for parent, _, _, _ in self.edges}
        for ref, c in self.parts.items():
            root = c.path == "metadata.component"
            self.out.default_kind[ref] = (
                "end_item" if root else "subassembly" if ref in has_children else "part"
            )
        seen: set[tuple[str | None, ...]] = set()
        unique = []
        for row in self.out.rows["product_attribute"]:
            key = tuple(cell.value for cell in row.values())
            if key not in seen:
                seen.add(key)
                unique.append(row)
        self.out.rows["product_attribute"] = unique
        return self.out


def read_hbom(text: str) -> HbomRecords:
    """Read a CycloneDX 1.6 JSON document into table rows (see the module docs)."""
    issues: list[HbomIssue] = []
    doc = _parse(text, issues)
    if doc is None:
        return HbomRecords(issues=issues)
    return _Reader(doc).read()
