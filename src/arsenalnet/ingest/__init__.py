"""Ingest: readers for external formats and all-or-nothing validated import."""

from arsenalnet.ingest.importer import ImportReport, TableCounts, import_files, import_tables
from arsenalnet.ingest.problems import ImportRejected, Problem

__all__ = [
    "ImportRejected",
    "ImportReport",
    "Problem",
    "TableCounts",
    "import_files",
    "import_tables",
]
