"""The vocabulary for declaring a table: columns, keys, foreign keys, checks.

A declaration is data. The store turns it into DDL, ingest into validation
queries, ``docs/data-model.md`` into a table, and the network compiler into
typed arrays: nothing restates a column list by hand.
"""

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    """Logical column types, with their DuckDB spelling as value."""

    STR = "VARCHAR"
    INT = "BIGINT"
    FLOAT = "DOUBLE"
    BOOL = "BOOLEAN"
    STR_LIST = "VARCHAR[]"
    BLOB = "BLOB"


LIST_SEPARATOR = ";"
"""How a list column is written in a CSV cell: ``Siemens S7;Rockwell Logix``."""


@dataclass(frozen=True)
class Column:
    """One column: its type, unit, meaning and the values it may hold.

    ``minimum``/``maximum`` bound numeric values (exclusive when the matching
    ``*_exclusive`` flag is set); ``choices`` restricts strings to an enum;
    ``pattern`` is a regular expression a string must match in full;
    ``since`` is the schema version that added the column.
    """

    name: str
    type: ColumnType
    description: str
    unit: str = ""
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    choices: tuple[str, ...] = ()
    pattern: str | None = None
    since: int = 1

    @property
    def range_text(self) -> str:
        """The allowed range in interval notation, e.g. ``(0, 1]``; empty if unbounded."""
        if self.minimum is None and self.maximum is None:
            return ""
        lo = "(" if self.min_exclusive or self.minimum is None else "["
        hi = ")" if self.max_exclusive or self.maximum is None else "]"
        lo_v = "-inf" if self.minimum is None else f"{self.minimum:g}"
        hi_v = "inf" if self.maximum is None else f"{self.maximum:g}"
        return f"{lo}{lo_v}, {hi_v}{hi}"


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table must name an existing row of ``table`` (its ``ref_columns``)."""

    columns: tuple[str, ...]
    table: str
    ref_columns: tuple[str, ...]
    reason: str = ""

    def describe(self) -> str:
        """A phrase for error messages, e.g. ``facility (facility_id)``."""
        return self.reason or f"{self.table} ({', '.join(self.ref_columns)})"


@dataclass(frozen=True)
class Check:
    """A row-level rule across columns, as a SQL boolean over the typed columns.

    ``column`` is where a violation is reported; ``reason`` says what is wrong.
    """

    expression: str
    column: str
    reason: str


@dataclass(frozen=True)
class Table:
    """A table of the twin: columns, primary key, foreign keys and rules.

    ``acyclic`` names a (parent, child) column pair that must form a directed
    acyclic graph over all rows (the bill of materials).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[Check, ...] = ()
    acyclic: tuple[str, str] | None = None
    since: int = 1
    rebuilt: tuple[int, ...] = ()
    """Schema versions that changed the table's constraints: the upgrade rebuilds it, keeping its rows."""
    enforced: bool = False
    """The store enforces the key and the ``unique`` columns with indexes (tables written only by
    ArsenalNet itself and read by point lookups, such as the digital thread's log)."""
    unique: tuple[str, ...] = ()
    """Columns whose values are unique in the table (enforced when ``enforced``)."""
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({c.name: i for i, c in enumerate(self.columns)})
        unknown = [k for k in (*self.key, *self.unique) if k not in self._index]
        for fk in self.foreign_keys:
            unknown += [c for c in fk.columns if c not in self._index]
        if unknown:
            raise ValueError(f"table {self.name}: unknown columns {unknown}")

    @property
    def column_names(self) -> tuple[str, ...]:
        """Column names in declaration order (the order of the DDL and of exports)."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        return self.columns[self._index[name]]

    def columns_at(self, version: int) -> tuple[Column, ...]:
        """The columns that existed at schema ``version``."""
        return tuple(c for c in self.columns if c.since <= version)
