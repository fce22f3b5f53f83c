"""The store: one DuckDB file, versioned migrations, transactional writes, exports."""

from arsenalnet.store.database import DEFAULT_DB, Store, StoreError, resolve_db_path

__all__ = ["DEFAULT_DB", "Store", "StoreError", "resolve_db_path"]
