"""Versioned schema migrations, derived from each column's and table's ``since``.

Version 1 created the architecture's nine tables and seeded countries and
country groups; version 2 added ``facility.control_systems``; version 3 the
``run`` table; version 4 the IO tables; version 5 ``facility.ttr_days`` (a
column with a range check: DuckDB cannot add one in place, so the table is
rebuilt); version 6 the digital thread's log. Opening an older
file upgrades it in one transaction per step; a newer file is refused.
"""

import duckdb

from arsenalnet.model import SCHEMA_VERSION, TABLE_ORDER, TABLES
from arsenalnet.model.errors import ArsenalError
from arsenalnet.model.results import RESULT_ORDER, RESULT_TABLES
from arsenalnet.model.seeds import country_group_rows, country_rows
from arsenalnet.model.thread import THREAD_ORDER, THREAD_TABLES
from arsenalnet.store.ddl import add_column_sql, create_table_sql, quote

META_TABLE = "arsenal_meta"


class SchemaError(ArsenalError):
    """The file's schema cannot be used by this version of ArsenalNet."""


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    """Schema version recorded in the file; 0 for an empty file."""
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if META_TABLE not in tables:
        if tables:
            raise SchemaError(
                f"this DuckDB file holds tables ({', '.join(sorted(tables)[:3])}, …) "
                "but is not an ArsenalNet store"
            )
        return 0
    row = con.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'schema_version'").fetchall()
    return int(row[0][0]) if row else 0


def _step(con: duckdb.DuckDBPyConnection, version: int) -> None:
    """Apply the changes that schema ``version`` introduced."""
    for name in TABLE_ORDER + RESULT_ORDER + THREAD_ORDER:
        table = TABLES.get(name) or RESULT_TABLES.get(name) or THREAD_TABLES[name]
        if table.since == version:
            con.execute(create_table_sql(table, version))
        elif table.since < version:
            if version not in table.rebuilt:  # a rebuild creates the new columns (with their checks)
                for column in table.columns:
                    if column.since == version:
                        con.execute(add_column_sql(table, column))
            else:
                cols = ", ".join(quote(c.name) for c in table.columns_at(version - 1))
                con.execute(f"ALTER TABLE {quote(table.name)} RENAME TO __old")
                con.execute(create_table_sql(table, version))
                con.execute(f"INSERT INTO {quote(table.name)} ({cols}) SELECT {cols} FROM __old")
                con.execute("DROP TABLE __old")
    if version == 1:
        con.executemany("INSERT INTO country VALUES (?, ?)", country_rows())
        con.executemany("INSERT INTO country_group VALUES (?, ?)", country_group_rows())


def migrate(con: duckdb.DuckDBPyConnection, target: int = SCHEMA_VERSION) -> int:
    """Bring the file to schema ``target``; return the version found before.

    Raises :class:`SchemaError` when the file is newer than this code.
    """
    found = current_version(con)
    if found > SCHEMA_VERSION:
        raise SchemaError(
            f"the store has schema version {found}, newer than this ArsenalNet "
            f"understands ({SCHEMA_VERSION}); upgrade arsenalnet to open it"
        )
    for version in range(found + 1, target + 1):
        con.begin()
        try:
            if version == 1:
                con.execute(f"CREATE TABLE {META_TABLE} (key VARCHAR PRIMARY KEY, value VARCHAR)")
                con.execute(f"INSERT INTO {META_TABLE} VALUES ('schema_version', '0')")
            _step(con, version)
            con.execute(f"UPDATE {META_TABLE} SET value = ? WHERE key = 'schema_version'", [str(version)])
            con.commit()
        except BaseException:
            con.rollback()
            raise
    return found
