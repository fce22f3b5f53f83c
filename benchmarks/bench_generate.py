"""`arsenal generate` at 10k, 100k and 1M facilities: wall seconds and peak memory.

Each size runs in its own process (`arsenal generate --replace` into a fresh
DuckDB file), so the peak resident memory is that of the whole command:
generation, validation and the write. Targets (1M): <= 120 s and <= 8 GB.

Usage: .venv/bin/python benchmarks/bench_generate.py [N ...]
"""

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from machine import describe

SIZES = [10_000, 100_000, 1_000_000]


def run(n: int, db: Path) -> tuple[float, float]:
    """Seconds and peak RSS (GiB) of one `arsenal generate` process."""
    cmd = [
        sys.executable,
        "-m",
        "arsenalnet.cli.main",
        "generate",
        "--facilities",
        str(n),
        "--seed",
        "1",
        "--replace",
        "--db",
        str(db),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        peak = before  # ru_maxrss is the max over children so far; sizes run smallest first
    return seconds, peak / 2**20


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or SIZES
    print(f"machine: {describe()}")
    print(f"{'facilities':>12} {'links':>12} {'seconds':>8} {'peak GiB':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            db = Path(tmp) / f"g{n}.duckdb"
            seconds, peak = run(n, db)
            con = duckdb.connect(str(db), read_only=True)
            links = con.execute("SELECT count(*) FROM supply_link").fetchall()[0][0]
            con.close()
            print(f"{n:>12,} {links:>12,} {seconds:>8.1f} {peak:>9.2f}")


if __name__ == "__main__":
    main()
