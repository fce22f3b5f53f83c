"""`arsenal import` of a 5M-row supply_link CSV with full validation: rows per second.

Builds a 1.1M-facility twin (about 5.4M links), exports it as CSV, loads every table but
supply_link into a fresh store, and cuts the supply_link export to its first
5,000,000 rows. Then it times, side by side on the same machine:

- ArsenalNet's import (types, ranges, enums, id forms, duplicate keys, foreign
  keys to facility, product and capability, one transaction), and
- the peer: DuckDB's own `INSERT INTO ... SELECT * FROM read_csv(...)` of the
  same file into the same table, which checks only types.

Target: >= 200,000 rows/s with full validation.

Usage: .venv/bin/python benchmarks/bench_import.py [FACILITIES]  (default 1,100,000)
"""

import shutil
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

import duckdb

from arsenalnet.ingest import import_files, import_tables
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin
from machine import describe

ROWS = 5_000_000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_100_000
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        twin = generate_twin(n, seed=1)
        with Store(root / "source.duckdb") as source:
            import_tables(source, twin)
            source.export(root / "csv", "csv")
        del twin
        with (root / "csv" / "supply_link.csv").open() as src, (root / "supply_link.csv").open("w") as out:
            out.writelines(islice(src, ROWS + 1))
        rows = sum(1 for _ in (root / "supply_link.csv").open()) - 1
        base = root / "base.duckdb"
        with Store(base) as store:
            others = [p for p in sorted((root / "csv").glob("*.csv")) if p.stem != "supply_link"]
            import_files(store, others)

        ours = root / "ours.duckdb"
        shutil.copy(base, ours)
        with Store(ours) as store:
            start = time.perf_counter()
            report = import_files(store, [root / "supply_link.csv"])
            t_ours = time.perf_counter() - start
        assert report.counts["supply_link"].inserted == rows

        peer = root / "peer.duckdb"
        shutil.copy(base, peer)
        con = duckdb.connect(str(peer))
        start = time.perf_counter()
        con.execute(f"INSERT INTO supply_link SELECT * FROM read_csv('{root / 'supply_link.csv'}')")
        t_peer = time.perf_counter() - start
        con.close()

    print(f"supply_link rows: {rows:,}")
    print(f"arsenalnet import (full validation): {t_ours:6.1f} s  {rows / t_ours:>12,.0f} rows/s")
    print(f"duckdb read_csv insert (types only): {t_peer:6.1f} s  {rows / t_peer:>12,.0f} rows/s")
    print(f"validation costs {t_ours / t_peer:.1f}x the bare DuckDB load")


if __name__ == "__main__":
    main()
