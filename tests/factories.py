"""Shared test helpers: fixture paths and store snapshots."""

from pathlib import Path

import pyarrow as pa

from arsenalnet.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"


def snapshot(store: Store) -> dict[str, pa.Table]:
    """Every table's content, ordered by key: equal snapshots mean equal twins."""
    return store.read_tables()
