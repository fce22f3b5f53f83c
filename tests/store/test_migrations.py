"""Opening a store: new files are created at the latest schema, older ones upgraded, newer refused."""

from pathlib import Path

import duckdb
import pytest

from arsenalnet.model import SCHEMA_VERSION
from arsenalnet.store import Store, StoreError
from arsenalnet.store.migrations import META_TABLE, SchemaError, current_version, migrate


def _columns(path: Path, table: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()]
    finally:
        con.close()


def test_new_store_is_at_latest_version_with_seeds(tmp_path: Path) -> None:
    with Store(tmp_path / "a.duckdb") as s:
        assert current_version(s.con) == SCHEMA_VERSION
        counts = s.counts()
    assert counts["country"] == 249
    assert counts["country_group"] == 91
    assert counts["facility"] == 0


def test_version_1_file_is_upgraded_keeping_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, target=1)
    con.execute("INSERT INTO organization VALUES ('org:a', 'A', 'USA', 'small', NULL, NULL)")
    con.execute("INSERT INTO facility VALUES ('fac:a', 'org:a', 'A', 'USA', 'PA', 40.0, -75.0, '3311', 10)")
    con.close()
    assert "control_systems" not in _columns(path, "facility")
    with Store(path) as s:
        assert current_version(s.con) == SCHEMA_VERSION
        rows = s.read_table("facility").to_pylist()
    assert rows[0]["facility_id"] == "fac:a"
    assert rows[0]["control_systems"] is None
    assert rows[0]["ttr_days"] is None
    con = duckdb.connect(str(path))  # the rebuilt facility table checks ttr_days >= 0
    with pytest.raises(duckdb.ConstraintException, match="ttr_days"):
        con.execute("UPDATE facility SET ttr_days = -1")
    con.close()
    assert "control_systems" in _columns(path, "facility")
    assert "scenario_text" in _columns(path, "run")


def test_newer_file_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    Store(path).close()
    con = duckdb.connect(str(path))
    con.execute(f"UPDATE {META_TABLE} SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(
        SchemaError, match=rf"schema version 99, newer than this ArsenalNet understands \({SCHEMA_VERSION}\)"
    ):
        Store(path)


def test_foreign_duckdb_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE sales (x INT)")
    con.close()
    with pytest.raises(SchemaError, match="not an ArsenalNet store"):
        Store(path)


def test_read_only_store_refuses_writes_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store(tmp_path / "missing.duckdb", read_only=True)
    Store(tmp_path / "x.duckdb").close()
    with Store(tmp_path / "x.duckdb", read_only=True) as s:
        with pytest.raises(StoreError):
            s.query("DELETE FROM country")
        assert s.query("SELECT count(*) AS n FROM country").to_pylist() == [{"n": 249}]


def test_db_path_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from arsenalnet.store import resolve_db_path

    monkeypatch.setenv("ARSENAL_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path() == tmp_path / "env.duckdb"
    assert resolve_db_path("x.duckdb") == Path("x.duckdb")
    monkeypatch.delenv("ARSENAL_DB")
    assert resolve_db_path() == Path("arsenal.duckdb")


@pytest.mark.parametrize(("version", "kind"), [(3, "simulate-io"), (9, "sweep")])
def test_constraint_change_rebuilds_the_table_keeping_rows(tmp_path: Path, version: int, kind: str) -> None:
    """Versions 4 and 10 widened run.kind: an older file is rebuilt, its runs kept, the new kind accepted."""
    path = tmp_path / f"v{version}.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, target=version)
    con.execute(
        "INSERT INTO run VALUES "
        "('r1', '2026-01-01T00:00:00+00:00', 'simulate', 's', 'x', 10, 0, '0', '{}', NULL)"
    )
    con.close()
    with Store(path) as s:
        s.record_run(
            {
                "run_id": "r2",
                "created_at": "2026-01-02T00:00:00+00:00",
                "kind": kind,
                "scenario_name": "s",
                "scenario_text": "x",
                "days": 5,
                "seed": 0,
                "code_version": "0",
                "summary": "{}",
            }
        )
        assert s.runs()["run_id"].to_pylist() == ["r1", "r2"]
