"""What machine a benchmark ran on and what the run cost it, and the twin it ran on."""

import os
import platform
import resource
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from arsenalnet.ingest import import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin


def describe() -> str:
    """One line: CPU model and count, memory, Python."""
    cpu = platform.processor() or platform.machine()
    try:
        with Path("/proc/cpuinfo").open() as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def peak_gib() -> float:
    """Peak resident memory of this process so far, GiB (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def cpu_seconds() -> float:
    """User plus system CPU time of this process so far, all threads (what other processes on a
    shared machine do not inflate as much as they inflate the wall time)."""
    use = resource.getrusage(resource.RUSAGE_SELF)
    return use.ru_utime + use.ru_stime


def load_average() -> float:
    """The machine's load average over the last minute (other work competing for the cores)."""
    return os.getloadavg()[0]


@contextmanager
def twin_store(store: Path | None, facilities: int) -> Iterator[Path]:
    """``store`` itself, or a temporary store holding ``generate_twin(facilities, seed=1)``
    (deleted on exit)."""
    if store is not None:
        yield store
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "twin.duckdb"
        with Store(db) as s:
            import_tables(s, generate_twin(facilities, seed=1))
        yield db


def load_network(store: Path | None, facilities: int = 1_000_000) -> Network:
    """The Network of ``store``, or of a freshly generated twin of ``facilities`` facilities."""
    with twin_store(store, facilities) as db, Store(db, read_only=True) as s:
        return compile_network(s.read_tables())
