"""Arrow schemas of the twin's tables, derived from the declarations."""

import pyarrow as pa

from arsenalnet.model.schema import ColumnType
from arsenalnet.model.tables import TABLES

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.STR: pa.string(),
    ColumnType.INT: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.BOOL: pa.bool_(),
    ColumnType.STR_LIST: pa.list_(pa.string()),
    ColumnType.BLOB: pa.binary(),
}


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of ``table``: the model's columns, in order, with their types."""
    return pa.schema(
        [pa.field(c.name, ARROW_TYPES[c.type], nullable=c.nullable) for c in TABLES[table].columns]
    )


def empty_table(table: str) -> pa.Table:
    """A table with no rows and the schema of ``table``."""
    return arrow_schema(table).empty_table()
