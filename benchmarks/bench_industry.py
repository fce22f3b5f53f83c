"""Industry-level propagation vs BoARIO 0.7.2, side by side: seconds per simulated day.

Synthetic multi-regional tables of about 1,000 and 8,000 industries (regions x
sectors): each industry buys ``INPUTS`` input sectors, each from its own region
and ``SOURCES - 1`` other regions, with input coefficients summing to 0.3 .. 0.6
per column; final demand is random and positive, one category per region, and
``x = (I - A)^-1 y`` so that ``x = rowsum(Z) + rowsum(Y)``. Both models run the
same BoARIO ``EventArbitraryProd`` (half the capacity of 1% of the industries lost
from day 2 for 5 days, 10 days of recovery) with the same parameters; the max
relative difference of daily production is printed with the timings. Target:
ours >= 50x faster per simulated day at both sizes, same results.

Usage: .venv/bin/python benchmarks/bench_industry.py [BOARIO_DAYS] [OUR_DAYS]
"""

import logging
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
import pymrio
import scipy.sparse as sp
from boario.event import EventArbitraryProd
from boario.extended_models import ARIOPsiModel
from boario.simulation import Simulation

from arsenalnet.ingest.io_table import IOTable
from arsenalnet.propagate.industry import CapacityShock, IndustryParams, simulate_industry
from machine import describe

SIZES = ((10, 100), (40, 200))
"""(regions, sectors): 1,000 and 8,000 industries."""
INPUTS = 20
SOURCES = 4
OCCURRENCE, DURATION, RECOVERY, LOSS = 2, 5, 10, 0.5


def synthetic_table(n_regions: int, n_sectors: int, seed: int = 1) -> IOTable:
    """A random sparse, productive MRIO table (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = n_regions * n_sectors
    rows, cols, vals = [], [], []
    for j in range(n):
        own = j // n_sectors
        inputs = rng.choice(n_sectors, size=INPUTS, replace=False)
        others = rng.choice(np.delete(np.arange(n_regions), own), size=(INPUTS, SOURCES - 1))
        regions = np.concatenate([np.full((INPUTS, 1), own), others], axis=1)
        suppliers = np.unique((regions * n_sectors + inputs[:, None]).ravel())
        weights = rng.lognormal(size=suppliers.size)
        rows.append(suppliers)
        cols.append(np.full(suppliers.size, j))
        vals.append(weights / weights.sum() * rng.uniform(0.3, 0.6))
    a = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    y = rng.lognormal(mean=3.0, size=(n, n_regions)) * (
        1 + 9 * (np.arange(n)[:, None] // n_sectors == np.arange(n_regions))
    )
    x = sp.linalg.spsolve((sp.identity(n, format="csc") - a).tocsc(), y.sum(axis=1))
    z = (a @ sp.diags_array(x)).toarray()
    return IOTable(
        Z=z,
        Y=y,
        x=z.sum(axis=1) + y.sum(axis=1),
        regions=tuple(f"r{r:03d}" for r in range(n_regions)),
        sectors=tuple(f"s{s:04d}" for s in range(n_sectors)),
        final_demand=tuple((f"r{r:03d}", "final") for r in range(n_regions)),
    )


def run_boario(table: IOTable, hit: np.ndarray, days: int) -> tuple[np.ndarray, float, float]:
    """BoARIO's daily production (days, n) in the table's order, build and loop seconds."""
    index = pd.MultiIndex.from_product([table.regions, table.sectors], names=["region", "sector"])
    fd = pd.MultiIndex.from_tuples(table.final_demand, names=["region", "category"])
    z = pd.DataFrame(table.Z, index=index, columns=index)
    x = pd.DataFrame(table.x, index=index, columns=["indout"])
    mriot = pymrio.IOSystem(Z=z, Y=pd.DataFrame(table.Y, index=index, columns=fd), x=x, A=pymrio.calc_A(z, x))
    start = time.perf_counter()
    model = ARIOPsiModel(mriot, productive_capital_to_VA_dict=dict.fromkeys(table.sectors, 4))
    with tempfile.TemporaryDirectory() as out:
        sim = Simulation(model, n_temporal_units_to_sim=days, boario_output_dir=out)
        impact = pd.Series(LOSS, index=index[hit])
        sim.add_event(
            EventArbitraryProd(impact=impact, occurrence=OCCURRENCE, duration=DURATION, recovery_tau=RECOVERY)
        )
        built = time.perf_counter()
        sim.loop()
        done = time.perf_counter()
    production = sim.production_realised.reindex(columns=index).to_numpy()
    return production, built - start, done - built


def run_ours(table: IOTable, hit: np.ndarray, days: int) -> tuple[np.ndarray, float]:
    shock = CapacityShock.like_boario_arbitrary(hit, LOSS, OCCURRENCE, DURATION, RECOVERY)
    start = time.perf_counter()
    trajectory = simulate_industry(table, [shock], IndustryParams(), days)
    return trajectory.production, time.perf_counter() - start


def main() -> None:
    boario_days = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    our_days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    warnings.simplefilter("ignore")  # BoARIO's warnings about tables without metadata
    logging.getLogger("boario").setLevel(logging.ERROR)
    print(f"machine: {describe()}")
    print(
        f"{'industries':>10} {'Z nonzeros':>11} {'BoARIO s/day':>13} {'ours s/day':>11} {'ratio':>7} "
        f"{'max rel diff':>13} {'BoARIO build s':>15}"
    )
    for n_regions, n_sectors in SIZES:
        table = synthetic_table(n_regions, n_sectors)
        n = table.x.size
        hit = np.random.default_rng(2).choice(n, size=max(n // 100, 1), replace=False)
        days = max(boario_days, OCCURRENCE + DURATION + 1)
        theirs, build_s, loop_s = run_boario(table, np.sort(hit), days)
        run_ours(table, hit, 2)  # compile (numba caches to disk after the first run)
        ours_short, _ = run_ours(table, hit, days)
        _, ours_s = run_ours(table, hit, our_days)
        rel = np.abs(ours_short - theirs) / np.abs(theirs)
        per_day_b, per_day_o = loop_s / days, ours_s / our_days
        print(
            f"{n:>10,} {np.count_nonzero(table.Z):>11,} {per_day_b:>13.5f} {per_day_o:>11.6f} "
            f"{per_day_b / per_day_o:>6.0f}x {np.nanmax(rel):>13.2e} {build_s:>15.1f}"
            f"   (BoARIO {days} days, ours {our_days} days)"
        )


if __name__ == "__main__":
    main()
