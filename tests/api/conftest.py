from pathlib import Path

import pytest

from arsenalnet.store import Store
from thread_factories import Log, make_log


@pytest.fixture
def log(store: Store, tmp_path: Path) -> Log:
    """An empty log with the issuer did:web:acme.example and a service key."""
    return make_log(store, tmp_path / "keys")
