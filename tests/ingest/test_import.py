"""Good imports: counts, updates, formats and the export round trip on the tiny twin."""

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arsenalnet.ingest import ImportRejected, import_files, import_tables
from arsenalnet.store import Store
from factories import TINY


def test_tiny_twin_imports_with_counts(store: Store) -> None:
    report = import_files(store, sorted(TINY.glob("*.csv")))
    assert {t: c.inserted for t, c in report.counts.items()} == {
        "organization": 6,
        "facility": 6,
        "product": 5,
        "bom_line": 4,
        "capability": 6,
        "supply_link": 6,
        "demand": 1,
    }
    assert store.counts()["supply_link"] == 6
    forge = next(r for r in store.read_table("facility").to_pylist() if r["facility_id"] == "fac:forge")
    assert forge["control_systems"] == ["Rockwell ControlLogix", "Siemens SIMATIC S7"]
    assert forge["employees"] == 60


def test_reimport_is_unchanged_and_a_changed_value_is_one_update(tiny_store: Store, tmp_path: Path) -> None:
    again = import_files(tiny_store, [TINY / "capability.csv"])
    assert again.counts["capability"].unchanged == 6
    text = (TINY / "capability.csv").read_text().replace("fac:forge,prd:body,300,", "fac:forge,prd:body,350,")
    changed = tmp_path / "capability.csv"
    changed.write_text(text)
    report = import_files(tiny_store, [changed])
    c = report.counts["capability"]
    assert (c.inserted, c.updated, c.unchanged) == (0, 1, 5)
    caps = {r["facility_id"]: r["capacity_per_day"] for r in tiny_store.read_table("capability").to_pylist()}
    assert caps["fac:forge"] == 350.0
    assert tiny_store.counts()["capability"] == 6


def test_parquet_and_jsonl_with_table_option(store: Store, tmp_path: Path) -> None:
    import_files(store, [TINY / n for n in ("organization.csv", "facility.csv", "product.csv")])
    pq.write_table(
        pa.table({"parent_id": ["prd:shell"], "child_id": ["prd:body"], "qty_per_unit": [1.0]}),
        tmp_path / "bom.parquet",
    )
    (tmp_path / "caps.jsonl").write_text(
        '{"facility_id": "fac:forge", "product_id": "prd:body", "capacity_per_day": 300, '
        '"utilization": 0.5, "inventory_days": 15, "ramp_days": 60}\n\n'
    )
    import_files(store, [tmp_path / "bom.parquet"], table="bom_line")
    import_files(store, [tmp_path / "caps.jsonl"], table="capability")
    assert store.read_table("bom_line").to_pylist() == [
        {"parent_id": "prd:shell", "child_id": "prd:body", "qty_per_unit": 1.0}
    ]
    assert store.read_table("capability")["capacity_per_day"].to_pylist() == [300.0]


def test_export_then_import_gives_the_same_twin(tiny_store: Store, tmp_path: Path) -> None:
    before = tiny_store.read_tables()
    for fmt in ("csv", "parquet"):
        paths = tiny_store.export(tmp_path / fmt, fmt)
        with Store(tmp_path / f"{fmt}.duckdb") as fresh:
            import_files(fresh, paths)
            after = fresh.read_tables()
        for name, table in before.items():
            assert after[name].equals(table), (fmt, name)


def test_unknown_in_memory_table_is_refused(store: Store) -> None:
    with pytest.raises(ImportRejected, match="unknown table 'factory'"):
        import_tables(store, {"factory": pa.table({"x": [1]})})
