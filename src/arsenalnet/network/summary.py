"""What the twin holds: counts and breakdowns for ``arsenal info`` and the demo."""

from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

NAICS_SECTORS = {
    "21": "Mining, quarrying, and oil and gas extraction",
    "31": "Manufacturing (food, textiles, apparel)",
    "32": "Manufacturing (wood, paper, chemicals, plastics, minerals)",
    "33": "Manufacturing (metals, machinery, electronics, transportation)",
}


@dataclass(frozen=True)
class EndItemDemand:
    """One end item with demand: total quantity per day and its best DPAS rating."""

    product_id: str
    name: str
    qty_per_day: float
    priority: str
    programs: int


@dataclass(frozen=True)
class TwinSummary:
    """Row counts per table, facilities by country and by NAICS sector, demanded end items."""

    counts: dict[str, int]
    facilities_by_country: list[tuple[str, int]]
    facilities_by_sector: list[tuple[str, str, int]]
    end_items: list[EndItemDemand]


def _value_counts(column: pa.ChunkedArray) -> list[tuple[str, int]]:
    vc = pc.value_counts(column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column)
    pairs = [(str(v["values"]), int(v["counts"])) for v in vc.to_pylist()]
    return sorted(pairs, key=lambda x: (-x[1], x[0]))


def summarize(
    counts: Mapping[str, int], facility: pa.Table, product: pa.Table, demand: pa.Table
) -> TwinSummary:
    """Summarize the twin from its facility, product and demand tables."""
    by_country = _value_counts(facility["country"]) if facility.num_rows else []
    sectors = (
        pc.utf8_slice_codeunits(facility["naics"], 0, 2) if facility.num_rows else pa.array([], pa.string())
    )
    by_sector = [
        (s, NAICS_SECTORS.get(s, "other"), n)
        for s, n in (_value_counts(sectors) if facility.num_rows else [])
    ]
    names = dict(zip(product["product_id"].to_pylist(), product["name"].to_pylist(), strict=True))
    items: dict[str, list[tuple[float, str]]] = {}
    for pid, qty, prio in zip(
        demand["product_id"].to_pylist(),
        demand["qty_per_day"].to_pylist(),
        demand["priority"].to_pylist(),
        strict=True,
    ):
        items.setdefault(pid, []).append((qty, prio))
    order = {"DX": 0, "DO": 1, "none": 2}
    end_items = [
        EndItemDemand(
            pid,
            names.get(pid, pid),
            sum(q for q, _ in rows),
            min((p for _, p in rows), key=order.__getitem__),
            len(rows),
        )
        for pid, rows in sorted(items.items())
    ]
    return TwinSummary(dict(counts), by_country, by_sector, end_items)
