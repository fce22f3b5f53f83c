"""Reading the twin: ``info``, ``trace``, ``query``."""

from typing import Annotated

import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.network import compile_network
from arsenalnet.network.summary import TwinSummary, summarize
from arsenalnet.network.trace import TraceReport, trace
from arsenalnet.store import Store


def load_summary(store: Store) -> TwinSummary:
    """Summarize the twin in ``store``."""
    return summarize(
        store.counts(),
        store.read_table("facility"),
        store.read_table("product"),
        store.read_table("demand"),
    )


def render_summary(summary: TwinSummary, top: int = 10) -> None:
    """Print the summary as rich tables."""
    t = Table(title="What the twin holds", show_header=True)
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in summary.counts.items():
        t.add_row(name, f"{n:,}")
    console.print(t)
    c = Table(title=f"Facilities by country (top {top})")
    c.add_column("country")
    c.add_column("facilities", justify="right")
    for iso3, n in summary.facilities_by_country[:top]:
        c.add_row(iso3, f"{n:,}")
    console.print(c)
    s = Table(title="Facilities by NAICS sector")
    s.add_column("NAICS")
    s.add_column("sector")
    s.add_column("facilities", justify="right")
    for code, name, n in summary.facilities_by_sector:
        s.add_row(code, name, f"{n:,}")
    console.print(s)
    e = Table(title="End items with demand")
    for col in ("product", "name", "qty/day", "priority", "programs"):
        e.add_column(col)
    for item in summary.end_items:
        e.add_row(
            item.product_id,
            item.name,
            f"{item.qty_per_day:,.1f}",
            item.priority,
            str(item.programs),
        )
    console.print(e)


@app.command()
def info(db: DbOption = None, json: JsonOption = False) -> None:
    """Row counts per table, facilities by country and by NAICS sector, the end items with demand.

    Examples: `arsenal info`, `arsenal info --json --db twin.duckdb`
    """
    with Store(db, read_only=True) as store:
        summary = load_summary(store)
    if json:
        print_json(summary)
    else:
        render_summary(summary)


def render_trace(report: TraceReport, limit: int) -> None:
    """Print a trace tier by tier: a line of counts, then the first ``limit`` nodes."""
    word = "suppliers" if report.direction == "up" else "customers"
    console.print(f"[bold]{word.capitalize()} of {report.root_kind} {report.root}, tier by tier[/bold]")
    for tier in report.tiers:
        countries = ", ".join(f"{c} {n}" for c, n in tier.countries[:6])
        console.print(
            f"[bold]tier {tier.depth}[/bold]: {tier.n_facilities:,} facilities, "
            f"{tier.n_products:,} products; countries: {countries}"
        )
        t = Table(show_header=True, header_style="dim", box=None, pad_edge=False)
        for col in (
            "facility",
            "country",
            "product",
            "supplies" if report.direction == "up" else "buys from",
            "share",
            "sole",
        ):
            t.add_column(col)
        for n in tier.nodes[:limit]:
            t.add_row(
                n.facility_id,
                f"[red]{n.country}[/red]" if n.foreign_adversary else n.country,
                n.product_id,
                f"{n.via_facility_id} ({n.via_product_id})" if tier.depth else "",
                ("in house" if n.in_house else f"{n.share:.2f}") if tier.depth else "",
                "[yellow]sole[/yellow]" if n.sole_sourced and tier.depth else "",
            )
        console.print(t)
        if len(tier.nodes) > limit:
            console.print(f"  … {len(tier.nodes) - limit:,} more (use --limit or --json)")


@app.command("trace")
def trace_cmd(
    id: Annotated[str, typer.Argument(help="A product id (prd:…) or facility id (fac:…).")],
    up: Annotated[bool, typer.Option("--up/--down", help="Suppliers (--up) or customers (--down).")] = True,
    depth: Annotated[int | None, typer.Option("--depth", min=1, help="Stop after K tiers.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows shown per tier.")] = 15,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """The supplier (or customer) tree of a product or facility, tier by tier, with countries.

    Examples: `arsenal trace prd:155mm-shell --up`, `arsenal trace fac:0000042 --down --depth 2 --json`
    """
    with Store(db, read_only=True) as store, progress("tracing", steps=2, quiet=json) as step:
        step("reading the twin")
        tables = store.read_tables()
        step("compiling")
        report = trace(compile_network(tables), id, up=up, depth=depth)
    if json:
        print_json(report)
    else:
        render_trace(report, limit)


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="One read-only SQL statement.")],
    db: DbOption = None,
    json: JsonOption = False,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV.")] = False,
) -> None:
    """Read-only SQL on the store (the file is opened read-only: nothing can change).

    Examples: `arsenal query "SELECT country, count(*) FROM facility GROUP BY 1 ORDER BY 2 DESC"`
    """
    with Store(db, read_only=True) as store:
        result = store.query(sql)
    if json:
        print_json(result.to_pylist())
    elif csv:
        import pyarrow.csv as pacsv

        pacsv.write_csv(result, typer.get_binary_stream("stdout"))
    else:
        t = Table(show_header=True)
        for name in result.column_names:
            t.add_column(name)
        for row in result.slice(0, 200).to_pylist():
            t.add_row(*("" if v is None else str(v) for v in row.values()))
        console.print(t)
        if result.num_rows > 200:
            console.print(f"… {result.num_rows - 200:,} more rows (use --csv or --json)")
