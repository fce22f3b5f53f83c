"""The AM tables: import, re-import (a nullable key column), export round trip, upgrade from v7."""

from pathlib import Path

import duckdb
import pyarrow as pa

from am_factories import AM, load_am_twin
from arsenalnet.ingest import import_files
from arsenalnet.model import SCHEMA_VERSION
from arsenalnet.store import Store
from arsenalnet.store.migrations import current_version, migrate


def test_fixture_imports_with_lists_and_empty_machine_ids(store: Store) -> None:
    load_am_twin(store)
    machines = store.read_table("am_machine").to_pylist()
    assert [m["machine_id"] for m in machines] == [
        "am:forge-1", "am:forge-2", "am:forge-3", "am:lap-1", "am:lap-2", "am:mill-1"
    ]  # fmt: skip
    assert machines[0]["materials"] == ["AlSi10Mg", "17-4PH"]
    assert machines[4]["activation_days"] is None
    quals = store.read_table("part_qualification").to_pylist()
    assert [q["machine_id"] for q in quals] == [None, "am:forge-2", "am:lap-1", "am:mill-1"]


def test_reimport_updates_a_qualification_by_its_id(store: Store, tmp_path: Path) -> None:
    """Re-importing the file changes nothing; a changed print time updates that record in place."""
    load_am_twin(store)
    assert import_files(store, [AM / "part_qualification.csv"]).counts["part_qualification"].unchanged == 4
    changed = tmp_path / "part_qualification.csv"
    changed.write_text((AM / "part_qualification.csv").read_text().replace(",2.4,3", ",2.0,3"))
    counts = import_files(store, [changed]).counts["part_qualification"]
    assert (counts.updated, counts.inserted) == (1, 0)
    rows = store.read_table("part_qualification").to_pylist()
    assert [r["print_hours_per_unit"] for r in rows] == [2.0, 3.0, 0.6, 30.0]


def test_export_and_reimport_round_trip(store: Store, tmp_path: Path) -> None:
    load_am_twin(store)
    before = {t: store.read_table(t) for t in ("am_machine", "part_qualification")}
    for fmt in ("csv", "parquet"):
        paths = store.export(tmp_path / fmt, fmt)
        with Store(tmp_path / f"copy-{fmt}.duckdb") as copy:
            import_files(copy, paths)
            for name, table in before.items():
                assert copy.read_table(name).equals(table), (fmt, name)


def test_a_version_7_store_gains_the_empty_am_tables(tmp_path: Path) -> None:
    path = tmp_path / "v7.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, target=7)
    con.close()
    with Store(path) as s:
        assert current_version(s.con) == SCHEMA_VERSION >= 8
        assert s.counts()["am_machine"] == s.counts()["part_qualification"] == 0
        assert s.read_table("am_machine").schema.field("materials").type == pa.list_(pa.string())
