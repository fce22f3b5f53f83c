"""An import killed at any moment leaves the store as before it, or as after it: never between.

A store holds a few hundred facilities with their capabilities; an import of
about 300,000 supply links (a second or more of work) is started as
``arsenal import`` in a subprocess and killed with SIGKILL at seeded moments
spread over its measured duration. Reopening the store must show exactly the
content before the import (killed before the commit) or exactly the content
after a complete import (killed after it).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from arsenalnet.ingest import import_tables
from arsenalnet.store import Store

ARSENAL = Path(sys.executable).with_name("arsenal")
N_FACILITIES, N_PRODUCTS, CAPS_PER_FACILITY, BUYERS_PER_CAPABILITY = 400, 40, 15, 50
KILLS = 6
COMMIT_KILLS = 3


def base_tables() -> dict[str, pa.Table]:
    """Organizations, facilities, products and capabilities (no links)."""
    fac = [f"fac:{i:04d}" for i in range(N_FACILITIES)]
    prd = [f"prd:{j:03d}" for j in range(N_PRODUCTS)]
    rng = np.random.default_rng(7)
    cap_f = np.repeat(np.arange(N_FACILITIES), CAPS_PER_FACILITY)
    cap_p = np.concatenate(
        [rng.choice(N_PRODUCTS, CAPS_PER_FACILITY, replace=False) for _ in range(N_FACILITIES)]
    )
    n_caps = len(cap_f)
    return {
        "organization": pa.table(
            {"org_id": ["org:one"], "name": ["One"], "country": ["USA"], "size_class": ["large"]}
        ),
        "facility": pa.table(
            {
                "facility_id": fac,
                "org_id": ["org:one"] * N_FACILITIES,
                "name": [f"Plant {i}" for i in range(N_FACILITIES)],
                "country": ["USA"] * N_FACILITIES,
                "naics": ["3329"] * N_FACILITIES,
            }
        ),
        "product": pa.table(
            {
                "product_id": prd,
                "name": prd,
                "kind": ["part"] * N_PRODUCTS,
                "unit": ["each"] * N_PRODUCTS,
            }
        ),
        "capability": pa.table(
            {
                "facility_id": pa.array(fac).take(pa.array(cap_f)),
                "product_id": pa.array(prd).take(pa.array(cap_p)),
                "capacity_per_day": rng.uniform(1, 1000, n_caps),
                "utilization": rng.uniform(0, 1, n_caps),
                "inventory_days": rng.uniform(0, 30, n_caps),
                "ramp_days": rng.uniform(0, 90, n_caps),
            }
        ),
    }


def write_links(base: dict[str, pa.Table], path: Path) -> int:
    """Supply links from every capability to BUYERS_PER_CAPABILITY other facilities."""
    caps = base["capability"]
    supplier = np.asarray(caps["facility_id"].to_pylist())
    product = np.asarray(caps["product_id"].to_pylist())
    sup_idx = np.array([int(s[4:]) for s in supplier])
    offsets = np.arange(1, BUYERS_PER_CAPABILITY + 1)
    buyer_idx = (sup_idx[:, None] + offsets[None, :]) % N_FACILITIES  # never the supplier
    n = buyer_idx.size
    rng = np.random.default_rng(11)
    fac = np.array([f"fac:{i:04d}" for i in range(N_FACILITIES)])
    links = pa.table(
        {
            "supplier_id": np.repeat(supplier, BUYERS_PER_CAPABILITY),
            "buyer_id": fac[buyer_idx.ravel()],
            "product_id": np.repeat(product, BUYERS_PER_CAPABILITY),
            "share": rng.uniform(0.01, 1, n),
            "lead_time_days": rng.uniform(0, 60, n),
            "mode": rng.choice(["truck", "rail", "sea", "air"], n),
        }
    )
    pacsv.write_csv(links, path)
    return n


def content(db: Path) -> dict[str, pa.Table]:
    with Store(db) as store:
        return store.read_tables()


def same(a: dict[str, pa.Table], b: dict[str, pa.Table]) -> bool:
    return a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


def start_import(csv: Path, db: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("ARSENAL_DEBUG", "ARSENAL_DB")}
    return subprocess.Popen(
        [str(ARSENAL), "import", str(csv), "--db", str(db), "--json"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_import_killed_at_any_moment_is_all_or_nothing(tmp_path: Path) -> None:
    base = base_tables()
    base_db = tmp_path / "base.duckdb"
    with Store(base_db) as store:
        import_tables(store, base)
    before = content(base_db)
    links_csv = tmp_path / "supply_link.csv"
    n_links = write_links(base, links_csv)
    assert n_links >= 300_000

    # a complete import: how long it takes and what it leaves
    full_db = tmp_path / "full.duckdb"
    shutil.copyfile(base_db, full_db)
    t0 = time.perf_counter()
    proc = start_import(links_csv, full_db)
    _, err = proc.communicate(timeout=300)
    duration = time.perf_counter() - t0
    assert proc.returncode == 0, err.decode()
    after = content(full_db)
    assert after["supply_link"].num_rows == n_links
    assert not same(before, after)

    rng = random.Random(20240611)
    # one kill in each slice of the duration, at a seeded moment within it
    moments = [duration * (k + rng.random()) / KILLS for k in range(KILLS)]
    outcomes = []
    for k, moment in enumerate(moments):
        db = tmp_path / f"killed{k}.duckdb"
        shutil.copyfile(base_db, db)
        proc = start_import(links_csv, db)
        time.sleep(moment)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        outcomes.append(outcome(db, before, after, f"kill at {moment:.2f} s of {duration:.2f} s"))
    # the early kills land before the commit
    assert outcomes[0] == "before", (moments, outcomes, duration)

    # kills during the commit: as soon as the write-ahead log appears
    for k in range(COMMIT_KILLS):
        db = tmp_path / f"commit{k}.duckdb"
        shutil.copyfile(base_db, db)
        wal = db.with_name(db.name + ".wal")
        proc = start_import(links_csv, db)
        while proc.poll() is None and not wal.exists():
            time.sleep(0.0002)
        time.sleep(rng.random() * 0.002 * k)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        outcomes.append(outcome(db, before, after, f"kill at commit (+{k} ms)"))


def outcome(db: Path, before: dict[str, pa.Table], after: dict[str, pa.Table], when: str) -> str:
    """``before`` or ``after``; fails the test when the store holds anything else."""
    got = content(db)
    if same(got, before):
        return "before"
    if same(got, after):
        return "after"
    counts = {name: t.num_rows for name, t in got.items()}
    pytest.fail(f"{when} left a store that is neither before nor after the import: {counts}")
