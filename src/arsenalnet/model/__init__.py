"""The twin's data model: every table declared once, with ids, enums and units.

The DuckDB DDL (``arsenalnet.store``), the import validation
(``arsenalnet.ingest``), the docs table and the ``Network`` compiler are all
derived from the declarations in :mod:`arsenalnet.model.tables`.
"""

from arsenalnet.model.enums import CountryGroup, Priority, ProductKind, SizeClass, TransportMode
from arsenalnet.model.errors import ArsenalError
from arsenalnet.model.schema import Check, Column, ColumnType, ForeignKey, Table
from arsenalnet.model.tables import SCHEMA_VERSION, TABLE_ORDER, TABLES, table

__all__ = [
    "SCHEMA_VERSION",
    "TABLES",
    "TABLE_ORDER",
    "ArsenalError",
    "Check",
    "Column",
    "ColumnType",
    "CountryGroup",
    "ForeignKey",
    "Priority",
    "ProductKind",
    "SizeClass",
    "Table",
    "TransportMode",
    "table",
]
