"""Shared test helpers: fixture paths, store snapshots, small twins from rows, the CLI runner."""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

from arsenalnet.ingest import import_tables
from arsenalnet.model.arrow import arrow_schema
from arsenalnet.network import Network, compile_network
from arsenalnet.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
TINY = FIXTURES / "tiny"
RISK = FIXTURES / "risk"


def snapshot(store: Store) -> dict[str, pa.Table]:
    """Every table's content, ordered by key: equal snapshots mean equal twins."""
    return store.read_tables()


def arsenal(*args: str, db: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the ``arsenal`` command in a real process, with a wide terminal so tables do not wrap."""
    cmd = [sys.executable, "-m", "arsenalnet.cli.main", *args]
    if db is not None:
        cmd += ["--db", str(db)]
    env = os.environ | {"COLUMNS": "200"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=env)


Rows = dict[str, list[dict[str, object]]]


def store_rows(path: Path, rows: Rows) -> Path:
    """A store at ``path`` holding ``rows`` (table -> list of row dicts; missing columns are null)."""
    tables = {}
    for name, data in rows.items():
        schema = arrow_schema(name)
        tables[name] = pa.Table.from_pylist(
            [{c: r.get(c) for c in schema.names} for r in data], schema=schema
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with Store(path) as store:
        import_tables(store, tables)
    return path


def network_of(path: Path, rows: Rows) -> Network:
    """``rows`` imported into a store at ``path`` (validated like any import) and compiled."""
    with Store(store_rows(path, rows), read_only=True) as store:
        return compile_network(store.read_tables())
