"""The AM fixture (tests/fixtures/am on the tiny twin), stored and compiled once per session."""

from pathlib import Path

import pyarrow as pa
import pytest

from am_factories import am_twin
from arsenalnet.network import Network, compile_network
from arsenalnet.network.am import AmFleet, compile_am
from arsenalnet.store import Store


@pytest.fixture(scope="session")
def am_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with the tiny twin and the AM fixture (read it, don't change it)."""
    return am_twin(tmp_path_factory.mktemp("am") / "twin.duckdb")


@pytest.fixture(scope="session")
def am_tables(am_db: Path) -> dict[str, pa.Table]:
    with Store(am_db, read_only=True) as store:
        return store.read_tables()


@pytest.fixture(scope="session")
def am_net(am_tables: dict[str, pa.Table]) -> Network:
    return compile_network(am_tables)


@pytest.fixture(scope="session")
def fleet(am_tables: dict[str, pa.Table], am_net: Network) -> AmFleet:
    return compile_am(am_tables, am_net)
