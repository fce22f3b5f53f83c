"""Shared test helpers: fixture paths and store snapshots."""

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa

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
