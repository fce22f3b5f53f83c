"""The Store: the one place a DuckDB file is opened, configured and migrated.

Every command reaches the database through :class:`Store`. Driver errors are
translated into :class:`StoreError` at this boundary.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from arsenalnet.model import TABLE_ORDER, TABLES, ArsenalError
from arsenalnet.model.results import IO_ORDER, RESULT_TABLES
from arsenalnet.store.ddl import key_order, quote
from arsenalnet.store.migrations import migrate

DEFAULT_DB = "arsenal.duckdb"
ENV_VAR = "ARSENAL_DB"
SEED_TABLES = ("country", "country_group")


class StoreError(ArsenalError):
    """The store could not be opened, read or written."""


class RunNotFound(StoreError):
    """No recorded run has the id asked for."""

    exit_code = 2


class QueryError(StoreError):
    """A user's read-only query was refused (bad SQL, or it tried to write)."""

    exit_code = 2


def resolve_db_path(db: str | os.PathLike[str] | None = None) -> Path:
    """The store's path: ``db`` if given, else ``$ARSENAL_DB``, else ``./arsenal.duckdb``."""
    return Path(db or os.environ.get(ENV_VAR) or DEFAULT_DB)


class Store:
    """An open ArsenalNet store (one DuckDB file).

    ``read_only=True`` opens the file so that no statement can change it (used
    by ``arsenal query``); the file must exist and be at the current schema.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None, *, read_only: bool = False):
        self.path = resolve_db_path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}: run `arsenal generate` or `arsenal import` first")
        try:
            if read_only:
                self._upgrade_if_needed()
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            self.con.execute("SET preserve_insertion_order = true")
            if not read_only:
                migrate(self.con)
        except duckdb.Error as e:
            raise StoreError(f"cannot open {self.path}: {_first_line(e)}") from e

    def _upgrade_if_needed(self) -> None:
        con = duckdb.connect(str(self.path))
        try:
            migrate(con)
        finally:
            con.close()

    def close(self) -> None:
        """Close the connection (checkpointing the write-ahead log)."""
        self.con.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction: committed when the block ends, rolled back if it raises."""
        self.con.begin()
        try:
            yield self.con
        except BaseException:
            self.con.rollback()
            raise
        else:
            try:
                self.con.commit()
            except duckdb.Error as e:
                raise StoreError(f"commit failed: {_first_line(e)}") from e

    def execute(self, sql: str, params: list[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run one statement, translating driver errors."""
        try:
            return self.con.execute(sql, params or [])
        except duckdb.Error as e:
            raise StoreError(_first_line(e)) from e

    def arrow(self, sql: str) -> pa.Table:
        """The rows of one query as an Arrow table, translating driver errors."""
        try:
            return self.con.sql(sql).to_arrow_table()
        except duckdb.Error as e:
            raise StoreError(_first_line(e)) from e

    def read_table(self, name: str) -> pa.Table:
        """All rows of a twin table, ordered by key, with the model's columns."""
        t = TABLES[name]
        cols = ", ".join(quote(c) for c in t.column_names)
        return self.arrow(f"SELECT {cols} FROM {quote(name)} ORDER BY {key_order(t)}")

    def read_tables(self) -> dict[str, pa.Table]:
        """Every twin table, in foreign-key order."""
        return {name: self.read_table(name) for name in TABLE_ORDER}

    def counts(self) -> dict[str, int]:
        """Row count per twin table."""
        return {
            name: int(self.execute(f"SELECT count(*) FROM {quote(name)}").fetchall()[0][0])
            for name in TABLE_ORDER
        }

    def clear_twin(self) -> None:
        """Delete every row but the seed tables' (inside the caller's transaction)."""
        for name in reversed(TABLE_ORDER):
            if name not in SEED_TABLES:
                self.execute(f"DELETE FROM {quote(name)}")

    def record_run(self, row: Mapping[str, Any]) -> None:
        """Append one recorded run (columns of the ``run`` table) in its own transaction."""
        cols = RESULT_TABLES["run"].column_names
        with self.transaction():
            names, marks = ", ".join(quote(c) for c in cols), ", ".join("?" * len(cols))
            self.execute(f"INSERT INTO run ({names}) VALUES ({marks})", [row.get(c) for c in cols])

    def runs(self) -> pa.Table:
        """Every recorded run, oldest first."""
        return self.arrow("SELECT * FROM run ORDER BY created_at, run_id")

    def run(self, run_id: str) -> dict[str, Any]:
        """One recorded run; a unique prefix of its id is enough."""
        rows = self.execute(
            "SELECT * FROM run WHERE run_id = ? OR starts_with(run_id, ?) ORDER BY run_id", [run_id, run_id]
        ).fetchall()
        exact = [r for r in rows if r[0] == run_id]
        if exact:
            rows = exact
        if len(rows) != 1:
            why = "no run has" if not rows else f"{len(rows)} runs match"
            raise RunNotFound(f"{why} id {run_id!r}: see `arsenal runs`")
        return dict(zip(RESULT_TABLES["run"].column_names, rows[0], strict=True))

    def replace_io_table(self, tables: Mapping[str, pa.Table]) -> dict[str, int]:
        """Replace the stored input-output table with ``tables`` in one transaction.

        ``tables`` maps each name of :data:`~arsenalnet.model.results.IO_ORDER` to an Arrow
        table with (at least) that table's columns. Every previous row of those tables is
        deleted first; if any row is refused, nothing changes. Returns the rows written per table.
        """
        for name in IO_ORDER:
            given = tables.get(name)
            wanted = RESULT_TABLES[name].column_names
            if given is None or not set(wanted) <= set(given.column_names):
                raise StoreError(f"replace_io_table needs {name} with columns {', '.join(wanted)}")
        written: dict[str, int] = {}
        with self.transaction():
            for name in reversed(IO_ORDER):
                self.execute(f"DELETE FROM {quote(name)}")
            for name in IO_ORDER:
                cols = RESULT_TABLES[name].column_names
                names = ", ".join(quote(c) for c in cols)
                self.con.register("__io_rows", tables[name].select(list(cols)))
                try:
                    self.execute(f"INSERT INTO {quote(name)} ({names}) SELECT {names} FROM __io_rows")
                finally:
                    self.con.unregister("__io_rows")
                written[name] = tables[name].num_rows
        return written

    def read_io_tables(self) -> dict[str, pa.Table]:
        """The stored input-output table: one Arrow table per name of ``IO_ORDER``, ordered by
        key, with the model's columns (all empty when no table was imported)."""
        out = {}
        for name in IO_ORDER:
            t = RESULT_TABLES[name]
            cols = ", ".join(quote(c) for c in t.column_names)
            out[name] = self.arrow(f"SELECT {cols} FROM {quote(name)} ORDER BY {key_order(t)}")
        return out

    def query(self, sql: str) -> pa.Table:
        """Run a read-only query and return its rows."""
        if not self.read_only:
            raise StoreError("query() needs a store opened with read_only=True")
        try:
            return self.con.sql(sql).to_arrow_table()
        except duckdb.Error as e:
            raise QueryError(f"query refused: {_first_line(e)}") from e
        except AttributeError as e:  # a statement with no result, e.g. SET
            raise QueryError("query refused: it returns no rows") from e

    def export(self, directory: str | os.PathLike[str], fmt: str = "parquet") -> list[Path]:
        """Write every twin table to ``directory/<table>.<fmt>``; return the paths.

        CSV writes list columns ';'-joined, as ``arsenal import`` reads them.
        """
        if fmt not in ("parquet", "csv"):
            raise StoreError(f"unknown export format {fmt!r}: use parquet or csv")
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for name in TABLE_ORDER:
            t = TABLES[name]
            cols = []
            for c in t.columns:
                q = quote(c.name)
                if fmt == "csv" and c.type.value.endswith("[]"):
                    cols.append(f"array_to_string({q}, ';') AS {q}")
                else:
                    cols.append(q)
            path = out / f"{name}.{fmt}"
            options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
            select = f"SELECT {', '.join(cols)} FROM {quote(name)} ORDER BY {key_order(t)}"
            self.execute(f"COPY ({select}) TO '{_sql_path(path)}' ({options})")
            paths.append(path)
        return paths


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
