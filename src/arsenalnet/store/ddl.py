"""DDL derived from the model's declarations (no column list is restated here)."""

from arsenalnet.model import Column, ColumnType, Table


def quote(name: str) -> str:
    """A SQL identifier, always quoted (``group`` is a keyword)."""
    return '"' + name.replace('"', '""') + '"'


def column_sql(column: Column) -> str:
    """``"name" TYPE [NOT NULL] [CHECK (...)]`` for one column."""
    parts = [quote(column.name), column.type.value]
    if not column.nullable:
        parts.append("NOT NULL")
    checks = []
    q = quote(column.name)
    if column.minimum is not None:
        checks.append(f"{q} {'>' if column.min_exclusive else '>='} {column.minimum!r}")
    if column.maximum is not None:
        checks.append(f"{q} {'<' if column.max_exclusive else '<='} {column.maximum!r}")
    if column.choices:
        checks.append(f"{q} IN ({', '.join(literal(c) for c in column.choices)})")
    if column.type is ColumnType.FLOAT:
        checks.append(f"isfinite({q})")
    if checks:
        parts.append(f"CHECK ({' AND '.join(checks)})")
    return " ".join(parts)


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def create_table_sql(table: Table, version: int) -> str:
    """CREATE TABLE for ``table`` as it was at schema ``version``.

    Keys and foreign keys are enforced by the import path (which reports every
    violation with its location), not by DuckDB indexes, so bulk loads stay fast;
    a table declared ``enforced`` gets its key and unique columns as DuckDB constraints.
    """
    parts = [column_sql(c) for c in table.columns_at(version)]
    if table.enforced:
        parts.append(f"PRIMARY KEY ({key_order(table)})")
        parts += [f"UNIQUE ({quote(c)})" for c in table.unique]
    cols = ",\n  ".join(parts)
    return f"CREATE TABLE {quote(table.name)} (\n  {cols}\n)"


def add_column_sql(table: Table, column: Column) -> str:
    """ALTER TABLE ... ADD COLUMN for a column added in a later schema version."""
    return f"ALTER TABLE {quote(table.name)} ADD COLUMN {column_sql(column)}"


def key_order(table: Table) -> str:
    """``ORDER BY`` list of the table's key, for deterministic reads and exports."""
    return ", ".join(quote(k) for k in table.key)
