"""Import a supplier's CycloneDX 1.6 hardware bill of materials into the twin, all or nothing.

:func:`arsenalnet.thread.hbom_read.read_hbom` turns the document into ``product``,
``bom_line`` and ``product_attribute`` rows; the all-or-nothing importer validates and
writes them in one transaction, as for any other import. Every problem is reported with
the document's element path (``supplier.cdx.json: components[3].properties[1]: reason``)
and nothing is written.

A product that is already stored keeps the stored kind, unit, HS code, NAICS and
critical mineral wherever the document states none; a new one gets the document's, else
kind ``end_item`` (``metadata.component``), ``subassembly`` (a part with parts) or
``part``, and unit ``each``.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.ingest.importer import ImportReport, Progress, import_tables
from arsenalnet.ingest.problems import ImportRejected, Problem
from arsenalnet.model import TABLES
from arsenalnet.store import Store
from arsenalnet.thread.hbom_read import TABLES as HBOM_TABLES
from arsenalnet.thread.hbom_read import HbomRecords, read_hbom

DEFAULT_UNIT = "each"


@dataclass(frozen=True, order=True)
class HbomProblem(Problem):
    """A problem located by an element path of a CycloneDX document; ``line`` orders problems
    as the elements appear."""

    path: str = ""

    def __str__(self) -> str:
        return f"{self.file}: {self.path or 'the document'}: {self.reason}"


def _natural(path: str) -> tuple[tuple[str, int], ...]:
    """Sort key of an element path: ``components[2]`` before ``components[10]``."""
    return tuple((name, int(index or -1)) for name, index in re.findall(r"([^.\[\]]+)?(?:\[(\d+)\])?", path))


def _problems(label: str, located: list[tuple[str, str]]) -> list[Problem]:
    order = {p: i for i, p in enumerate(sorted({p for p, _ in located}, key=_natural))}
    return [HbomProblem(label, order[path], 0, reason, path) for path, reason in located]


def _tables(store: Store, records: HbomRecords) -> tuple[dict[str, pa.Table], dict[str, list[list[str]]]]:
    """Arrow tables of the records (missing product fields filled) and each cell's element path."""
    products = records.rows["product"]
    ids = [r["product_id"].value for r in products]
    stored = store.read_table("product")
    stored = {
        r["product_id"]: r for r in stored.filter(pc.is_in(stored["product_id"], pa.array(ids))).to_pylist()
    }
    tables, paths = {}, {}
    for name in HBOM_TABLES:
        columns = TABLES[name].column_names
        rows = records.rows[name]
        values: dict[str, list[str | None]] = {c: [] for c in columns}
        for row in rows:
            for c in columns:
                value = row[c].value
                if value is None and name == "product":
                    pid = row["product_id"].value
                    known = stored.get(pid)
                    default = {"kind": records.default_kind.get(pid or ""), "unit": DEFAULT_UNIT}.get(c)
                    value = known[c] if known is not None else default
                values[c].append(value)
        tables[name] = pa.table({c: pa.array(values[c], pa.string()) for c in columns})
        paths[name] = [[row[c].path for c in columns] for row in rows]
    return tables, paths


def import_hbom(store: Store, path: Path, *, progress: Progress | None = None) -> ImportReport:
    """Validate a CycloneDX 1.6 HBOM file and import its parts, BOM lines and attributes in one
    transaction (or nothing, raising :class:`ImportRejected` with every problem's element path)."""
    label = str(path)
    if progress:
        progress(f"reading {path.name}")
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as e:
        raise ImportRejected(_problems(label, [("", f"cannot read the file: {e.strerror}")])) from e
    except UnicodeDecodeError as e:
        raise ImportRejected(_problems(label, [("", f"not UTF-8 text (byte {e.start})")])) from e
    records = read_hbom(text)
    if records.issues:
        raise ImportRejected(_problems(label, [(i.path, i.reason) for i in records.issues]))
    tables, paths = _tables(store, records)
    try:
        return import_tables(store, tables, label=label, progress=progress)
    except ImportRejected as e:
        located = []
        for p in e.problems:
            table = p.file.rsplit(":", 1)[1]
            cells = paths[table][p.line - 1]
            located.append((cells[max(p.column, 1) - 1], p.reason))
        raise ImportRejected(_problems(label, located), e.total) from None
