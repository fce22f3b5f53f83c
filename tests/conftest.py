"""Shared fixtures: a fresh store, the 6-facility tiny twin (stored and compiled), a generated twin,
the hand-checkable rocket twin of the risk tests."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from arsenalnet.ingest import import_files, import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin
from factories import RISK, TINY


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


def _compiled(path: Path, load: Callable[[Store], object]) -> Network:
    store = Store(path)
    try:
        load(store)
        return compile_network(store.read_tables())
    finally:
        store.close()


@pytest.fixture(scope="session")
def tiny_net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """The tiny twin of tests/fixtures/tiny, compiled (read-only: a frozen Network)."""
    path = tmp_path_factory.mktemp("tiny") / "twin.duckdb"
    return _compiled(path, lambda store: import_files(store, sorted(TINY.glob("*.csv"))))


@pytest.fixture(scope="session")
def generated_net(tmp_path_factory: pytest.TempPathFactory) -> Network:
    """``generate_twin(2000, 1)`` imported into a store and compiled."""
    path = tmp_path_factory.mktemp("generated") / "twin.duckdb"
    return _compiled(path, lambda store: import_tables(store, generate_twin(2000, 1)))


@pytest.fixture(scope="session")
def rocket_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the rocket twin (read it, don't change it)."""
    path = tmp_path_factory.mktemp("rocket") / "twin.duckdb"
    with Store(path) as store:
        import_files(store, sorted(RISK.glob("*.csv")))
    return path


@pytest.fixture(scope="session")
def rocket(rocket_db: Path) -> Network:
    with Store(rocket_db, read_only=True) as store:
        return compile_network(store.read_tables())
