"""Versioned schema migrations, derived from each column's and table's ``since``.

Version 1 created the architecture's nine tables and seeded countries and
country groups; version 2 added ``facility.control_systems``; version 3 the
``run`` table; version 4 the IO tables; version 5 ``facility.ttr_days`` (a
column with a range check: DuckDB cannot add one in place, so the table is
rebuilt); version 6 the digital thread's log; version 11 stored the log's tree
hashes in strata (:func:`tiles_to_strata`). Opening an older file upgrades it in one
transaction per step; a newer file is refused.
"""

import duckdb

from arsenalnet.model import SCHEMA_VERSION, TABLE_ORDER, TABLES
from arsenalnet.model.errors import ArsenalError
from arsenalnet.model.results import RESULT_ORDER, RESULT_TABLES
from arsenalnet.model.seeds import country_group_rows, country_rows
from arsenalnet.model.thread import THREAD_ORDER, THREAD_STRATA_SINCE, THREAD_TABLES, TILE_HEIGHT, TILE_WIDTH
from arsenalnet.store.ddl import add_column_sql, create_table_sql, quote
from arsenalnet.store.thread_tiles import CHUNK_ROWS, HASH, pack

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
    if version == THREAD_STRATA_SINCE:
        tiles_to_strata(con)


OLD_TILE_WIDTH = 64
"""Hashes a ``thread_tile`` row held in schema versions 6-10: 64 of one level, in row
``level << 40 | index // 64``."""


def _old_levels(con: duckdb.DuckDBPyConnection) -> int:
    """The size of the log whose tree the old-layout ``thread_tile`` holds (0 if empty):
    :class:`SchemaError` unless each level ``l`` holds exactly the ``size >> l`` complete
    nodes of that tree, in rows ``0, 1, ...`` all full but the last."""
    mask, full = (1 << 40) - 1, OLD_TILE_WIDTH * HASH
    found = con.execute(
        "SELECT tile >> 40 AS level, count(*), sum(octet_length(hashes)), max(tile & ?), "
        "arg_max(octet_length(hashes), tile), count(*) FILTER (WHERE octet_length(hashes) = ?) "
        "FROM thread_tile GROUP BY level ORDER BY level",
        [mask, full],
    ).fetchall()
    size = int(found[0][2]) // HASH if found and found[0][0] == 0 else 0
    for level in range(max(size.bit_length(), found[-1][0] + 1 if found else 0)):
        nodes = size >> level
        rows = -(-nodes // OLD_TILE_WIDTH)
        last = nodes * HASH - (rows - 1) * full
        empty = (level, 0, 0, -1, 0, 0)
        want = (level, rows, nodes * HASH, rows - 1, last, rows - 1 + (last == full)) if nodes else empty
        got = next((tuple(int(v) for v in r) for r in found if r[0] == level), empty)
        if got != want:
            what = (
                f"does not hold the {nodes:,} hashes of a {size:,}-entry log in {rows:,} rows of 64"
                if nodes
                else f"holds hashes, but a {size:,}-entry log has no complete node there"
            )
            raise SchemaError(
                f"thread_tile level {level} {what}: the log's tiles are damaged (nothing was changed; "
                "`arsenal thread audit` with ArsenalNet at schema 10 names what is wrong)"
            )
    return size


def tiles_to_strata(con: duckdb.DuckDBPyConnection, chunk_rows: int = CHUNK_ROWS) -> None:
    """Rewrite ``thread_tile`` from the old layout (:data:`OLD_TILE_WIDTH` hashes of one
    level a row) to strata (:mod:`arsenalnet.store.thread_tiles`), ``chunk_rows`` new rows
    at a time (a multiple of 32, so a chunk reads whole old rows), within the caller's
    transaction. Every stored hash is carried over as it is (a wrong one stays wrong, for
    ``audit`` to name); tiles that are not a tree's are refused (:func:`_old_levels`)."""
    if chunk_rows % (OLD_TILE_WIDTH // 2):
        raise ValueError(f"chunk_rows must be a multiple of {OLD_TILE_WIDTH // 2}, not {chunk_rows}")
    size = _old_levels(con)
    con.execute("ALTER TABLE thread_tile RENAME TO __old_tile")
    con.execute(create_table_sql(THREAD_TABLES["thread_tile"], THREAD_STRATA_SINCE))
    for bottom in range(0, size.bit_length(), TILE_HEIGHT):  # each stratum's lowest level
        blocks = -(-(size >> bottom) // TILE_WIDTH)
        for c0 in range(0, blocks, chunk_rows):
            runs = []
            for level in range(bottom, min(bottom + TILE_HEIGHT, size.bit_length())):
                width = TILE_WIDTH >> (level - bottom)
                a, b = c0 * width, min((c0 + chunk_rows) * width, size >> level)
                if a < b:
                    rows = con.execute(
                        "SELECT hashes FROM __old_tile WHERE tile BETWEEN ? AND ? ORDER BY tile",
                        [level << 40 | a // OLD_TILE_WIDTH, level << 40 | (b - 1) // OLD_TILE_WIDTH],
                    ).fetchall()
                    runs.append((level, a, b"".join(r[0] for r in rows)))
            for table in pack(runs, chunk_rows):
                con.register("__strata", table)
                con.execute("INSERT INTO thread_tile SELECT tile, hashes FROM __strata")
                con.unregister("__strata")
    con.execute("DROP TABLE __old_tile")


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
