"""Validation queries derived from the model: one SQL check per rule.

Each check selects ``(__src, __line, __col, __prio, reason)`` for the rows
that break a rule. Cell checks run over a file's raw values; table checks
(keys, foreign keys, row rules) over the typed rows of all files of a table.
"""

from arsenalnet.model import Column, ColumnType, Table
from arsenalnet.store.ddl import literal, quote

PATTERN_TEXT = {
    r"[!-~]{1,128}": "an id of 1 to 128 printable ASCII characters without spaces",
    r"[A-Z]{3}": "an ISO 3166-1 alpha-3 code such as USA",
    r"[0-9]{2,6}": "a NAICS code of 2 to 6 digits",
    r"[0-9]{2,10}": "an HS code of 2 to 10 digits",
    r"[A-Z0-9]{12}": "a 12-character UEI",
    r"[A-Z0-9]{5}": "a 5-character CAGE code",
    r"[!-~]([ -~]{0,62}[!-~])?": "a material name of 1 to 64 printable ASCII characters",
}

EXPECTED_TYPE = {
    ColumnType.INT: "an integer",
    ColumnType.FLOAT: "a number",
    ColumnType.BOOL: "true or false",
}


def shown(expr: str) -> str:
    """SQL for a value as quoted in a reason (at most 40 characters)."""
    return f"'''' || left(CAST({expr} AS VARCHAR), 40) || ''''"


INT_TEXT = r"[+-]?[0-9]+"
FLOAT_TEXT = r"(?i)[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?|[+-]?(inf|infinity|nan)"
"""The text forms a number may take in a file (no hex, no digit separators)."""

INTEGER_TYPES = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
    "HUGEINT",
)
FLOAT_TYPES = ("FLOAT", "DOUBLE", "DECIMAL")


def _text(q: str) -> str:
    return f"trim(CAST({q} AS VARCHAR))"


def cast_sql(column: Column, raw_type: str) -> str:
    """SQL that turns a raw cell into the column's type (NULL when it cannot).

    Text must look like a number of the column's kind (``1.5`` is no integer,
    ``0x10`` and ``1_000`` are no numbers); an empty string or an empty list is
    a missing value in every format, as an empty CSV cell is.
    """
    q = quote(column.name)
    numeric = raw_type.startswith(INTEGER_TYPES + FLOAT_TYPES)
    if column.type is ColumnType.STR_LIST:
        if raw_type.endswith("[]"):
            return f"CASE WHEN len(TRY_CAST({q} AS VARCHAR[])) > 0 THEN TRY_CAST({q} AS VARCHAR[]) END"
        return (
            f"CASE WHEN {_text(q)} = '' THEN NULL ELSE "
            f"list_transform(string_split(CAST({q} AS VARCHAR), ';'), lambda x: trim(x)) END"
        )
    if column.type is ColumnType.STR:
        return f"NULLIF(CAST({q} AS VARCHAR), '')"
    if column.type is ColumnType.INT:
        if raw_type.startswith(INTEGER_TYPES):
            return f"TRY_CAST({q} AS BIGINT)"
        if numeric:
            return f"CASE WHEN {q} = trunc({q}) THEN TRY_CAST({q} AS BIGINT) END"
        return (
            f"CASE WHEN regexp_full_match({_text(q)}, '{INT_TEXT}') THEN TRY_CAST({_text(q)} AS BIGINT) END"
        )
    if column.type is ColumnType.FLOAT:
        if numeric:
            return f"TRY_CAST({q} AS DOUBLE)"
        return (
            f"CASE WHEN regexp_full_match({_text(q)}, '{FLOAT_TEXT}') THEN TRY_CAST({_text(q)} AS DOUBLE) END"
        )
    return f"TRY_CAST({_text(q)} AS {column.type.value})"


def cell_checks(src: int, column: Column, position: int, raw_type: str, relation: str) -> list[str]:
    """Checks on one column of one file's raw rows: required, type, finite, range, enum, pattern."""
    q = quote(column.name)
    out = []
    head = f"SELECT {src} AS __src, __line, {position} AS __col"

    def add(prio: int, where: str, reason_sql: str) -> None:
        out.append(f"{head}, {prio} AS __prio, {reason_sql} AS reason FROM {relation} WHERE {where}")

    name = literal(column.name)
    typed = cast_sql(column, raw_type)
    if not column.nullable:
        missing = f"{q} IS NULL" if column.type in EXPECTED_TYPE else f"({typed}) IS NULL"
        add(0, missing, f"{name} || ': a value is required'")
    if column.type is ColumnType.STR_LIST:
        bad_item = "i IS NULL OR i = '' OR contains(i, ';') OR i <> trim(i)"
        add(
            3,
            f"list_bool_or(list_transform({typed}, lambda i: {bad_item}))",
            f"{name} || ': list items must be non-empty, without '';'' or surrounding spaces, got ' || "
            f"{shown(q)}",
        )
    if column.type in EXPECTED_TYPE:
        add(
            1,
            f"{q} IS NOT NULL AND {typed} IS NULL",
            f"{name} || ': expected {EXPECTED_TYPE[column.type]}, got ' || {shown(q)}",
        )
    if column.type is ColumnType.FLOAT:
        add(
            2,
            f"NOT isfinite({typed})",
            f"{name} || ': must be a finite number, got ' || {shown(q)}",
        )
    bounds = []
    if column.minimum is not None:
        bounds.append(f"{typed} {'<=' if column.min_exclusive else '<'} {column.minimum!r}")
    if column.maximum is not None:
        bounds.append(f"{typed} {'>=' if column.max_exclusive else '>'} {column.maximum!r}")
    if bounds:
        where = " OR ".join(bounds)
        if column.type is ColumnType.FLOAT:
            where = f"isfinite({typed}) AND ({where})"
        add(3, where, f"{name} || ': must be in {column.range_text}, got ' || {shown(q)}")
    if column.choices:
        allowed = ", ".join(column.choices)
        add(
            3,
            f"{typed} NOT IN ({', '.join(literal(c) for c in column.choices)})",
            f"{name} || ': ' || {shown(q)} || ' is not one of {allowed}'",
        )
    if column.pattern:
        text = PATTERN_TEXT.get(column.pattern, f"of the form {column.pattern}")
        add(
            3,
            f"NOT regexp_full_match({typed}, {literal(column.pattern)})",
            f"{name} || ': ' || {shown(q)} || ' is not {text}'",
        )
    return out


def key_check(table: Table, relation: str, positions: str) -> str:
    """Rows whose key repeats an earlier row's key (in this import)."""
    keys = ", ".join(quote(k) for k in table.key)
    not_null = " AND ".join(f"{quote(k)} IS NOT NULL" for k in table.key)
    key_text = " || ', ' || ".join(f"CAST({quote(k)} AS VARCHAR)" for k in table.key)
    first_col = quote(f"__pos_{table.key[0]}")
    return f"""
        SELECT __src, __line, {first_col} AS __col, 5 AS __prio,
               'duplicate key (' || {key_text} || '): first at line ' || CAST(__first AS VARCHAR)
               AS reason
        FROM (
            SELECT *, first_value(__line) OVER w AS __first,
                      row_number() OVER w AS __n
            FROM (SELECT *, {positions} FROM {relation} WHERE {not_null})
            WINDOW w AS (PARTITION BY {keys} ORDER BY __src, __line)
        ) WHERE __n > 1"""


def row_checks(table: Table, relation: str, positions: str) -> list[str]:
    """Rows that break one of the table's cross-column rules."""
    out = []
    for check in table.checks:
        cols = [quote(c.name) for c in table.columns if c.name in check.expression]
        not_null = " AND ".join(f"{c} IS NOT NULL" for c in cols if c != quote(check.column)) or "TRUE"
        out.append(
            f"SELECT __src, __line, {quote('__pos_' + check.column)} AS __col, 4 AS __prio, "
            f"{literal(check.column + ': ' + check.reason)} AS reason "
            f"FROM (SELECT *, {positions} FROM {relation}) WHERE {not_null} AND NOT ({check.expression})"
        )
    return out


def foreign_key_check(table: Table, fk_index: int, relation: str, referenced: str, positions: str) -> str:
    """Rows whose foreign key names no row of ``referenced`` (a relation of the ref columns)."""
    fk = table.foreign_keys[fk_index]
    on = " AND ".join(
        f"s.{quote(c)} = r.{quote(rc)}" for c, rc in zip(fk.columns, fk.ref_columns, strict=True)
    )
    not_null = " AND ".join(f"s.{quote(c)} IS NOT NULL" for c in fk.columns)
    if len(fk.columns) == 1:
        c = fk.columns[0]
        reason = (
            f"{literal(c + ': unknown ')} || {shown('s.' + quote(c))} || "
            f"{literal(' (not in ' + fk.describe() + ')')}"
        )
    else:
        values = " || ', ' || ".join(f"CAST(s.{quote(c)} AS VARCHAR)" for c in fk.columns)
        reason = f"{literal(', '.join(fk.columns) + ': no ' + fk.describe() + ' (')} || {values} || ')'"
    return f"""
        SELECT s.__src, s.__line, s.{quote("__pos_" + fk.columns[0])} AS __col,
               {5 + len(fk.columns)} AS __prio,
               {reason} AS reason
        FROM (SELECT *, {positions} FROM {relation}) s
        ANTI JOIN ({referenced}) r ON {on}
        WHERE {not_null}"""
