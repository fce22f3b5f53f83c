"""HBOM export, import and check of the reference end items on a large twin.

Times, per reference end item of a generated twin (default 1M facilities): the tree
(BOM closure and supply-tree sources), building the CycloneDX document, serializing it
and validating it against the official 1.6 schema; then importing each exported file into
a fresh store and checking the item against policies/dfars.yaml (empty log). Reading and
compiling the twin, which every command pays first, is timed once.

Usage: .venv/bin/python benchmarks/bench_hbom.py [FACILITIES]
"""

import sys
import tempfile
import time
from pathlib import Path

from arsenalnet.ingest.hbom import import_hbom
from arsenalnet.network import compile_network
from arsenalnet.scenario.hbom_policy import load_policy
from arsenalnet.store import Store
from arsenalnet.synth.generate import REFERENCE_END_ITEMS
from arsenalnet.thread.hbom_check import check_hbom
from arsenalnet.thread.hbom_export import build_hbom, hbom_json
from arsenalnet.thread.hbom_tree import HbomCatalog, hbom_tree
from machine import describe, twin_store

POLICY = Path(__file__).resolve().parents[1] / "policies" / "dfars.yaml"


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        with twin_store(None, n) as db, Store(db, read_only=True) as store:
            start = time.perf_counter()
            tables = store.read_tables()
            net = compile_network(tables)
            took = time.perf_counter() - start
        catalog = HbomCatalog.of(tables)
        policy = load_policy(POLICY)
        print(f"facilities {net.n_facilities:,}, products {net.n_products:,}, links {net.n_links:,}")
        print(f"read + compile the twin: {took:.2f} s")
        head = "item                 parts sources  tree s  build s  json+valid s  export s"
        print(f"{head}   KiB  import s  check s")
        for pid in REFERENCE_END_ITEMS:
            t0 = time.perf_counter()
            tree = hbom_tree(net, pid)
            t1 = time.perf_counter()
            bom = build_hbom(net, catalog, tree)
            t2 = time.perf_counter()
            text = hbom_json(bom)
            t3 = time.perf_counter()
            path = Path(tmp) / f"{pid.replace(':', '_')}.cdx.json"
            path.write_text(text)
            with Store(Path(tmp) / f"{path.stem}.duckdb") as fresh:
                s = time.perf_counter()
                import_hbom(fresh, path)
                t_import = time.perf_counter() - s
            s = time.perf_counter()
            report = check_hbom(net, catalog, tree, policy)
            t_check = time.perf_counter() - s
            sizes = f"{pid:<20} {len(tree.parts):5d} {len(tree.source_facility):7d}"
            times = f"{t1 - t0:7.3f} {t2 - t1:8.3f} {t3 - t2:13.3f} {t3 - t0:9.3f}"
            rest = f"{len(text) / 1024:5.0f} {t_import:9.3f} {t_check:8.3f}  ({len(report.rows)} checks)"
            print(f"{sizes} {times} {rest}")


if __name__ == "__main__":
    main()
