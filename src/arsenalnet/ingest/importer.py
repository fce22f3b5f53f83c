"""All-or-nothing import of twin tables, with every problem located.

An import reads every file, validates every row against the model (types,
ranges, enums, ids, keys, foreign keys also against rows already stored, the
bill of materials acyclic, each supply link backed by a capability) and only
then writes, in one transaction. Rows whose key exists are updated.
"""

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from arsenalnet.ingest.acyclic import find_cycle
from arsenalnet.ingest.checks import cast_sql, cell_checks, foreign_key_check, key_check, row_checks
from arsenalnet.ingest.problems import MAX_SHOWN, ImportRejected, Problem
from arsenalnet.ingest.readers import RawFile, read_file
from arsenalnet.model import TABLE_ORDER, TABLES, Table
from arsenalnet.store import Store, StoreError
from arsenalnet.store.ddl import quote

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    """One file (or in-memory table) destined for one twin table."""

    table: str
    raw: RawFile


@dataclass(frozen=True)
class TableCounts:
    """What an import did to one table."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows(self) -> int:
        """Rows read for this table."""
        return self.inserted + self.updated + self.unchanged


@dataclass
class ImportReport:
    """Counts per table of a committed import."""

    counts: dict[str, TableCounts] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Rows read in all."""
        return sum(c.rows for c in self.counts.values())


def table_for(path: Path) -> str:
    """The table a file holds, from its name: ``supply_link.csv`` -> ``supply_link``."""
    name = path.name.split(".")[0]
    if name not in TABLES:
        known = ", ".join(TABLE_ORDER)
        raise ImportRejected(
            [
                Problem(
                    str(path),
                    0,
                    0,
                    f"cannot tell which table this file holds: name it after one of {known}, or pass --table",
                )
            ]
        )
    return name


def import_files(
    store: Store,
    paths: Iterable[Path],
    table: str | None = None,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and import files (CSV, Parquet, JSON Lines) in one transaction."""
    if table is not None and table not in TABLES:
        raise ImportRejected([Problem("--table", 0, 0, f"unknown table {table!r}")])
    sources, problems = [], []
    for path in paths:
        try:
            name = table or table_for(path)
            if progress:
                progress(f"reading {path.name}")
            sources.append(Source(name, read_file(path)))
        except ImportRejected as e:
            problems += e.problems
    if problems:
        raise ImportRejected(problems)
    return import_sources(store, sources, replace=replace, progress=progress)


def import_tables(
    store: Store,
    tables: Mapping[str, pa.Table],
    *,
    replace: bool = False,
    label: str = "generated",
    progress: Progress | None = None,
) -> ImportReport:
    """Validate and import in-memory Arrow tables (row n is reported as line n)."""
    sources = []
    for name, data in tables.items():
        lines = pa.array(range(1, data.num_rows + 1), pa.int64())
        raw = RawFile(f"{label}:{name}", tuple(data.column_names), data.append_column("__line", lines))
        sources.append(Source(name, raw))
    return import_sources(store, sources, replace=replace, progress=progress)


def import_sources(
    store: Store, sources: list[Source], *, replace: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Validate every source, then write them all in one transaction (or nothing)."""
    unknown = [
        Problem(s.raw.label, 0, 0, f"unknown table {s.table!r}") for s in sources if s.table not in TABLES
    ]
    if unknown:
        raise ImportRejected(unknown)
    _check_headers(sources)
    by_table: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(sources):
        by_table[s.table].append(i)
    staged = [t for t in TABLE_ORDER if t in by_table]
    con = store.con
    try:
        with store.transaction():
            if replace:
                store.clear_twin()
            for i, s in enumerate(sources):
                con.register(f"__raw_{i}", s.raw.data)
            if progress:
                progress("validating")
            checks = []
            for name in staged:
                checks += _stage(con, TABLES[name], sources, by_table[name])
            checks += _table_checks(staged, sources, by_table)
            _raise_problems(con, checks, sources)
            if "bom_line" in by_table:
                _check_acyclic(con, sources)
            if progress:
                progress("writing")
            report = ImportReport({name: _upsert(con, TABLES[name]) for name in staged})
            for name in staged:
                con.execute(f"DROP TABLE {_typed(name)}")
    except duckdb.Error as e:
        raise StoreError(f"import failed, nothing written: {str(e).splitlines()[0]}") from e
    finally:
        for i in range(len(sources)):
            con.unregister(f"__raw_{i}")
    return report


def _typed(name: str) -> str:
    return quote(f"__typed_{name}")


def _check_headers(sources: list[Source]) -> None:
    problems = []
    for s in sources:
        t = TABLES[s.table]
        for pos, name in enumerate(s.raw.header, 1):
            if name not in t.column_names:
                problems.append(
                    Problem(
                        s.raw.label,
                        1,
                        pos,
                        f"unknown column {name!r} for table {t.name} (expected {', '.join(t.column_names)})",
                    )
                )
        for c in t.columns:
            if c.name not in s.raw.header and not c.nullable:
                problems.append(Problem(s.raw.label, 1, 0, f"missing column {c.name!r} for table {t.name}"))
    if problems:
        raise ImportRejected(problems)


def _position(header: tuple[str, ...], name: str) -> int:
    """1-based position of column ``name`` in a file's header (0 if absent)."""
    return header.index(name) + 1 if name in header else 0


def _positions(table: Table, sources: list[Source], members: list[int]) -> str:
    """SQL giving each row the 1-based file position of every column (per source)."""
    out = []
    for c in table.columns:
        cases = " ".join(f"WHEN {i} THEN {_position(sources[i].raw.header, c.name)}" for i in members)
        out.append(f"CASE __src {cases} END AS {quote('__pos_' + c.name)}")
    return ", ".join(out)


def _stage(
    con: duckdb.DuckDBPyConnection, table: Table, sources: list[Source], members: list[int]
) -> list[str]:
    """Create the typed staging table of ``table``; return its cell checks."""
    checks, selects = [], []
    for i in members:
        raw = sources[i].raw
        rel = f"__raw_{i}"
        types = dict(con.execute(f"SELECT column_name, column_type FROM (DESCRIBE {rel})").fetchall())
        cols = []
        for c in table.columns:
            if c.name in raw.header:
                pos = raw.header.index(c.name) + 1
                checks += cell_checks(i, c, pos, str(types[c.name]), rel)
                cols.append(f"{cast_sql(c, str(types[c.name]))} AS {quote(c.name)}")
            else:
                cols.append(f"CAST(NULL AS {c.type.value}) AS {quote(c.name)}")
        selects.append(f"SELECT {i} AS __src, __line, {', '.join(cols)} FROM {rel}")
    con.execute(f"CREATE TEMP TABLE {_typed(table.name)} AS {' UNION ALL '.join(selects)}")
    return checks


def _table_checks(staged: list[str], sources: list[Source], by_table: Mapping[str, list[int]]) -> list[str]:
    checks = []
    for name in staged:
        t = TABLES[name]
        rel, pos = _typed(name), _positions(t, sources, by_table[name])
        checks.append(key_check(t, rel, pos))
        checks += row_checks(t, rel, pos)
        for k, fk in enumerate(t.foreign_keys):
            ref_cols = ", ".join(quote(c) for c in fk.ref_columns)
            referenced = f"SELECT {ref_cols} FROM main.{quote(fk.table)}"
            if fk.table in by_table:
                referenced += f" UNION ALL SELECT {ref_cols} FROM {_typed(fk.table)}"
            checks.append(foreign_key_check(t, k, rel, referenced, pos))
    return checks


def _raise_problems(con: duckdb.DuckDBPyConnection, checks: list[str], sources: list[Source]) -> None:
    """Run every check; raise ImportRejected with the first 50 problems if any."""
    if not checks:
        return
    union = " UNION ALL ".join(f"({c})" for c in checks)
    first_per_cell = f"""
        SELECT * FROM ({union})
        QUALIFY row_number() OVER (PARTITION BY __src, __line, __col ORDER BY __prio, reason) = 1"""
    con.execute(f"CREATE TEMP TABLE __problems AS {first_per_cell}")
    total = int(con.execute("SELECT count(*) FROM __problems").fetchall()[0][0])
    rows = con.execute(
        f"SELECT __src, __line, __col, reason FROM __problems ORDER BY __src, __line, __col LIMIT {MAX_SHOWN}"
    ).fetchall()
    con.execute("DROP TABLE __problems")
    if total:
        problems = [Problem(sources[s].raw.label, int(line), int(col), r) for s, line, col, r in rows]
        raise ImportRejected(problems, total)


def _check_acyclic(con: duckdb.DuckDBPyConnection, sources: list[Source]) -> None:
    """Refuse a bill of materials (stored rows plus staged rows) that has a cycle."""
    edges = con.sql(f"""
        SELECT parent_id, child_id FROM main.bom_line
        UNION SELECT parent_id, child_id FROM {_typed("bom_line")}""").to_arrow_table()
    cycle = find_cycle(edges["parent_id"], edges["child_id"])
    if cycle is None:
        return
    pairs = list(itertools.pairwise(cycle))
    values = ", ".join(f"(${2 * i + 1}, ${2 * i + 2})" for i in range(len(pairs)))
    flat = [v for p in pairs for v in p]
    members = [i for i, s in enumerate(sources) if s.table == "bom_line"]
    row = con.execute(
        f"SELECT __src, __line, __pos FROM (SELECT __src, __line, parent_id, child_id, "
        f"{_positions(TABLES['bom_line'], sources, members)}"
        f", __pos_child_id AS __pos FROM {_typed('bom_line')}) s "
        f"SEMI JOIN (VALUES {values}) v(p, c) ON s.parent_id = v.p AND s.child_id = v.c "
        f"ORDER BY __src, __line LIMIT 1",
        flat,
    ).fetchall()
    src, line, col = row[0] if row else (0, 0, 0)
    reason = "bill of materials has a cycle: " + " -> ".join(cycle)
    raise ImportRejected([Problem(sources[int(src)].raw.label, int(line), int(col), reason)])


def _upsert(con: duckdb.DuckDBPyConnection, table: Table) -> TableCounts:
    """Insert new keys, replace changed rows, leave identical rows; return the counts."""
    typed, target = _typed(table.name), f"main.{quote(table.name)}"
    on = " AND ".join(f"s.{quote(k)} = t.{quote(k)}" for k in table.key)
    same = " AND ".join(f"s.{quote(c)} IS NOT DISTINCT FROM t.{quote(c)}" for c in table.column_names)
    n, inserted, unchanged = con.execute(f"""
        SELECT count(*),
               count(*) FILTER (WHERE NOT __found),
               count(*) FILTER (WHERE __same)
        FROM (SELECT s.__src, t.{quote(table.key[0])} IS NOT NULL AS __found,
                     coalesce({same}, false) AS __same
              FROM {typed} s LEFT JOIN {target} t ON {on})""").fetchall()[0]
    updated = n - inserted - unchanged
    cols = ", ".join(quote(c) for c in table.column_names)
    if updated:
        con.execute(f"DELETE FROM {target} t USING {typed} s WHERE {on}")
        con.execute(f"INSERT INTO {target} ({cols}) SELECT {cols} FROM {typed} ORDER BY __src, __line")
    elif inserted:
        con.execute(f"""INSERT INTO {target} ({cols}) SELECT {cols} FROM {typed} s
                        WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {on}) ORDER BY __src, __line""")
    return TableCounts(inserted=inserted, updated=updated, unchanged=unchanged)
