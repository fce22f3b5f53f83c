"""Shared fixtures: a fresh store, and a store holding the 6-facility tiny twin."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from arsenalnet.ingest import import_files
from arsenalnet.store import Store
from factories import TINY


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """An empty store (seed tables only) in a temporary file."""
    s = Store(tmp_path / "twin.duckdb")
    yield s
    s.close()


@pytest.fixture
def tiny_store(store: Store) -> Store:
    """A store holding the hand-checkable tiny twin of tests/fixtures/tiny."""
    import_files(store, sorted(TINY.glob("*.csv")))
    return store
