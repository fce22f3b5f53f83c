"""Industry level: ``import-io`` stores a multi-regional input-output table, ``simulate-io``
runs a scenario's capacity losses on it with the industry-level ARIO model.

The stored table is rows of ``io_industry``, ``io_flow``, ``io_final_column`` and
``io_final`` (:mod:`arsenalnet.model.results`); :func:`io_rows` and :func:`io_table_of`
turn an :class:`IOTable` into those rows and back, exactly.
"""

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import pyarrow as pa
import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.simulate import new_run_id, record_run
from arsenalnet.model.errors import InputError
from arsenalnet.propagate.industry import simulate_industry
from arsenalnet.scenario import load_scenario
from arsenalnet.scenario.industry import IndustryRunSummary, compile_industry_scenario, summarize_industry_run
from arsenalnet.store import Store

if TYPE_CHECKING:  # the reader imports pandas (about 0.9 s): only `import-io` and the loaders need it
    from arsenalnet.ingest.io_table import IOTable

CATEGORY_JOIN = " | "
"""Joins the header rows of a final-demand column after the first (its region)."""


class NoIOTable(InputError):
    """The store holds no input-output table (or one that cannot be read back)."""


@dataclasses.dataclass(frozen=True)
class IOImportReport:
    """What ``arsenal import-io`` stored; money in the table's unit."""

    source: str
    regions: int
    sectors: int
    industries: int
    final_demand_columns: int
    flows: int
    """Nonzero cells of Z stored."""
    final_demand_cells: int
    """Nonzero cells of Y stored."""
    output_per_year: float
    """Gross output of all industries, summed."""


def io_rows(table: "IOTable") -> dict[str, pa.Table]:
    """The rows that store ``table``: every industry, the nonzero cells of Z and Y, Y's columns."""
    n_sec = len(table.sectors)
    n = len(table.regions) * n_sec
    idx = np.arange(n, dtype=np.int64)
    z_from, z_to = np.nonzero(table.Z)
    y_idx, y_col = np.nonzero(table.Y)
    m = table.Y.shape[1]
    labels = [tuple(label) for label in table.final_demand]
    if len(labels) != m:  # an IOTable built without labels: number the columns
        labels = [(str(k),) for k in range(m)]
    return {
        "io_industry": pa.table(
            {
                "idx": idx,
                "region": pa.array([r for r in table.regions for _ in table.sectors], pa.string()),
                "sector": pa.array([s for _ in table.regions for s in table.sectors], pa.string()),
                "output_per_year": np.asarray(table.x, dtype=np.float64),
            }
        ),
        "io_flow": pa.table(
            {
                "from_idx": z_from.astype(np.int64),
                "to_idx": z_to.astype(np.int64),
                "value_per_year": np.asarray(table.Z[z_from, z_to], dtype=np.float64),
            }
        ),
        "io_final_column": pa.table(
            {
                "col": np.arange(m, dtype=np.int64),
                "region": pa.array([lab[0] if len(lab) > 1 else None for lab in labels], pa.string()),
                "category": pa.array([CATEGORY_JOIN.join(lab[1:] or lab) for lab in labels], pa.string()),
            }
        ),
        "io_final": pa.table(
            {
                "idx": y_idx.astype(np.int64),
                "col": y_col.astype(np.int64),
                "value_per_year": np.asarray(table.Y[y_idx, y_col], dtype=np.float64),
            }
        ),
    }


def io_table_of(rows: Mapping[str, pa.Table]) -> "IOTable":
    """The :class:`IOTable` stored as ``rows`` (as ``Store.read_io_tables`` returns them).

    A final-demand column comes back labelled (region, category), or (category,) without a region.
    """
    from arsenalnet.ingest.io_table import IOTable

    industry = rows["io_industry"]
    n = industry.num_rows
    if n == 0:
        raise NoIOTable("the store holds no input-output table: run `arsenal import-io DIR` first")
    region_of = industry["region"].to_pylist()
    sector_of = industry["sector"].to_pylist()
    regions, sectors = tuple(dict.fromkeys(region_of)), tuple(dict.fromkeys(sector_of))
    full = [(r, s) for r in regions for s in sectors]
    if industry["idx"].to_pylist() != list(range(n)) or list(zip(region_of, sector_of, strict=True)) != full:
        raise NoIOTable(
            "the stored input-output table is not a full region x sector table in region-major "
            "order: import it again with `arsenal import-io DIR`"
        )
    columns = rows["io_final_column"]
    m = columns.num_rows
    z = np.zeros((n, n))
    flow = rows["io_flow"]
    z[flow["from_idx"].to_numpy(), flow["to_idx"].to_numpy()] = flow["value_per_year"].to_numpy()
    y = np.zeros((n, m))
    final = rows["io_final"]
    y[final["idx"].to_numpy(), final["col"].to_numpy()] = final["value_per_year"].to_numpy()
    labels = tuple(
        (region, category) if region is not None else (category,)
        for region, category in zip(
            columns["region"].to_pylist(), columns["category"].to_pylist(), strict=True
        )
    )
    x = industry["output_per_year"].to_numpy().astype(np.float64)
    return IOTable(Z=z, Y=y, x=x, regions=regions, sectors=sectors, final_demand=labels)


def store_io_table(store: Store, table: "IOTable") -> dict[str, int]:
    """Replace the store's input-output table with ``table`` (one transaction); rows written per table."""
    return store.replace_io_table(io_rows(table))


def load_io_table(store: Store) -> "IOTable":
    """The store's input-output table; :class:`NoIOTable` if there is none."""
    return io_table_of(store.read_io_tables())


@app.command("import-io")
def import_io(
    directory: Annotated[
        Path, typer.Argument(help="Folder written by pymrio's IOSystem.save / save_all (Z, Y, x).")
    ],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Store a multi-regional input-output table (EXIOBASE, BEA, ... as pymrio saves it).

    Reads `Z` (intermediate flows), `Y` (final demand) and `x` (gross output) as
    tab-separated text or Parquet, all or nothing: every problem is listed as
    `file:line:column: reason` and the store is left unchanged (exit 2). A table
    imported before is replaced. Money stays in the table's own unit, per year.
    Then `arsenal simulate-io SCENARIO` runs scenarios on it at sector level.

    Examples: `arsenal import-io exiobase/`, `arsenal import-io mrio/ --db twin.duckdb --json`
    """
    from arsenalnet.ingest.io_table import read_io_table

    with progress("importing the input-output table", steps=2, quiet=json) as step:
        step(f"reading {directory}")
        table = read_io_table(directory)
        step("storing")
        with Store(db) as store:
            written = store_io_table(store, table)
    report = IOImportReport(
        source=str(directory),
        regions=len(table.regions),
        sectors=len(table.sectors),
        industries=int(table.x.size),
        final_demand_columns=int(table.Y.shape[1]),
        flows=written["io_flow"],
        final_demand_cells=written["io_final"],
        output_per_year=float(table.x.sum()),
    )
    if json:
        print_json(report)
        return
    console.print(
        f"Stored the input-output table of {directory}: {report.regions} regions x {report.sectors} "
        f"sectors = {report.industries:,} industries, {report.flows:,} nonzero flows, "
        f"{report.final_demand_columns} final-demand columns."
    )
    console.print(f"Total gross output: {report.output_per_year:,.6g} (the table's money unit per year).")


def render_industry_summary(summary: IndustryRunSummary, title: str, top: int) -> None:
    """Print the industries hit hardest, then the whole economy's figures."""
    console.print(f"[bold]{title}[/bold]")
    t = Table()
    for col in ("region", "sector", "lowest production", "worst day", "output lost"):
        t.add_column(col, justify="left" if col in ("region", "sector") else "right")
    for o in summary.industries[:top]:
        t.add_row(
            o.region, o.sector, f"{100 * o.lowest_ratio:.1f}%", str(o.worst_day), f"{o.output_lost:,.6g}"
        )
    console.print(t)
    if summary.industries_changed > top:
        console.print(
            f"... and {summary.industries_changed - top:,} more industries below normal (see --json)."
        )
    console.print(
        f"Output lost: {summary.output_lost:,.6g} (the table's money unit; "
        f"{summary.output_lost_days:.3g} days of the whole economy's output). "
        f"Final demand unmet: {summary.final_demand_unmet:,.6g}."
    )
    console.print(
        f"Lowest daily production of the whole economy: {100 * summary.lowest_production_ratio:.2f}% "
        f"of normal, on day {summary.lowest_day}; "
        f"{summary.industries_changed:,} industries fell below normal."
    )
    if summary.crashed_on_day is not None:
        console.print(
            f"[bold red]Crashed on day {summary.crashed_on_day}[/bold red]: an inventory turned negative, "
            "the later days were not simulated (see docs/propagation-industry.md)."
        )


@app.command("simulate-io")
def simulate_io(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML); see docs/propagation-industry.md.")],
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Days to simulate (default: the scenario's).")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Industries to list (the hardest hit).")] = 20,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Simulate a scenario at sector level on the stored input-output table and record the run.

    Only `capacity_loss` shocks apply; their `facilities:` selector picks industries by
    `region` (the table's region names) and `naics_prefix` (the start of sector names).
    Prints, per region and sector hit, the lowest production (share of normal), its
    day and the output lost (the table's money unit), then the total output lost and
    the crash day if an inventory ran out. Needs `arsenal import-io` first.

    Examples: `arsenal simulate-io mining-strike.yaml --days 180`,
    `arsenal simulate-io mining-strike.yaml --json --db twin.duckdb`
    """
    spec = load_scenario(scenario)
    horizon = days or spec.days
    with Store(db) as store:
        with progress(f"simulating {spec.name} by sector", steps=3, quiet=json) as step:
            step("reading the input-output table")
            table = load_io_table(store)
            shocks, params = compile_industry_scenario(spec, table, horizon)
            step(f"simulating {horizon} days")
            run = simulate_industry(table, shocks, params, horizon)
            step("summarizing")
            summary = summarize_industry_run(table, run, params)
        record = dataclasses.asdict(summary)
        run_id = new_run_id()
        # `end_items` (none at sector level) keeps `arsenal runs` listing this run
        record_run(store, run_id, "simulate-io", spec, scenario, horizon, record | {"end_items": []}, None)
    ignored = sorted(spec.params)
    if json:
        print_json({"run_id": run_id, **record, "ignored_params": ignored})
        return
    title = (
        f"{spec.name}: {horizon} days by sector, {len(table.regions)} regions x {len(table.sectors)} sectors"
    )
    render_industry_summary(summary, f"{title} (run {run_id})", top)
    if ignored:
        console.print(f"Ignored: params {', '.join(ignored)} belong to the firm-level engine.")
