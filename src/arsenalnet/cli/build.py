"""Building a twin: ``generate`` and the ``demo`` tour."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, app
from arsenalnet.cli.output import console, progress
from arsenalnet.cli.risk import render_brief, risk_reports
from arsenalnet.cli.simulate import simulate
from arsenalnet.cli.twin import load_summary, render_summary
from arsenalnet.ingest import ImportReport, import_tables
from arsenalnet.model.errors import InputError
from arsenalnet.network import compile_network
from arsenalnet.network.trace import trace
from arsenalnet.risk.report import CYBER_DAYS, end_items
from arsenalnet.store import Store
from arsenalnet.synth.generate import (
    MAX_FACILITIES,
    MIN_FACILITIES,
    REFERENCE_END_ITEMS,
    generate_twin,
)

GENERATE_STEPS = 9
"""Phases reported while generating: six of the generic base, the reference items, validate, write."""
DEMO_FACILITIES = 20_000
DEMO_SCENARIO = Path("scenarios/ics-cyberattack.yaml")
DEMO_DAYS = 90
DEMO_SEED = 2024
DEMO_CRITICAL = 20
"""Upstream facilities per end item the demo simulates for the criticality ranking."""


def build_twin(store: Store, facilities: int, seed: int, *, replace: bool) -> ImportReport:
    """Generate a synthetic twin and import it (validated, one transaction)."""
    counts = store.counts()
    if not replace and any(counts[t] for t in ("facility", "product")):
        raise InputError(f"{store.path} already holds a twin: pass --replace to overwrite it")
    with progress(f"generating {facilities:,} facilities", steps=GENERATE_STEPS) as step:
        tables = generate_twin(facilities, seed, progress=step)
        return import_tables(store, tables, replace=True, label=f"generated(seed={seed})", progress=step)


@app.command()
def generate(
    facilities: Annotated[
        int,
        typer.Option(
            "--facilities",
            help=f"Facilities to generate ({MIN_FACILITIES:,} to {MAX_FACILITIES:,}).",
        ),
    ] = 100_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same twin, bit for bit.")] = 1,
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a twin already in the store.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Generate a national synthetic industrial base calibrated to published statistics.

    Facilities by state and NAICS follow Census County Business Patterns; supply
    links follow the BEA Use table; imports follow BEA import shares and USGS
    net import reliance. Three reference defense end items are included.

    Examples: `arsenal generate --facilities 100000 --seed 7`,
    `arsenal generate --facilities 1000000 --replace`
    """
    with Store(db) as store:
        report = build_twin(store, facilities, seed, replace=replace)
    console.print(f"generated {report.rows:,} rows into {store.path}")


def render_end_item_trees(store: Store) -> None:
    """Tier-by-tier supplier trees of the reference end items, with countries."""
    net = compile_network(store.read_tables())
    for pid in REFERENCE_END_ITEMS:
        report = trace(net, pid, up=True)
        t = Table(title=f"Supplier tree of {pid}", title_justify="left")
        for col in ("tier", "facilities", "products", "countries", "sole-sourced products"):
            t.add_column(col)
        for tier in report.tiers[1:]:
            fa = sum(1 for n in tier.nodes if n.foreign_adversary)
            countries = ", ".join(f"{c} {n}" for c, n in tier.countries[:5])
            if fa:
                countries += f"  [red]({fa} in foreign-adversary countries)[/red]"
            sole = tier.sole_sourced_products
            t.add_row(
                str(tier.depth),
                f"{tier.n_facilities:,}",
                f"{tier.n_products:,}",
                countries,
                ", ".join(sole[:4]) + (f" +{len(sole) - 4}" if len(sole) > 4 else ""),
            )
        console.print(t)


@app.command()
def demo(
    facilities: Annotated[int, typer.Option("--facilities", help="Size of the demo twin.")] = DEMO_FACILITIES,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = DEMO_SEED,
    scenario: Annotated[
        Path, typer.Option("--scenario", help="Scenario the tour simulates.")
    ] = DEMO_SCENARIO,
    days: Annotated[int, typer.Option("--days", min=1, help="Days the tour simulates.")] = DEMO_DAYS,
    db: DbOption = None,
) -> None:
    """The tour: generate a national twin into the store, show what it holds and
    the supplier trees of the three reference end items, then simulate a
    disruption (a cyberattack on one control-system platform) and show its result,
    and the headline exposure of the three end items (`arsenal risk`).

    Example: `arsenal demo` (then try `arsenal trace prd:155mm-shell --up`)
    """
    with Store(db) as store:
        build_twin(store, facilities, seed, replace=True)
        console.rule(f"[bold]ArsenalNet twin in {store.path}[/bold]")
        render_summary(load_summary(store))
        render_end_item_trees(store)
    if scenario.is_file():
        console.rule(f"[bold]A disruption: {scenario}[/bold]")
        simulate(scenario, days=days, out=None, db=db, json=False)
    else:
        console.print(f"(no {scenario} here: run the demo from the repository to see a simulation)")
    console.rule("[bold]Where the reference end items are fragile[/bold]")
    with Store(db, read_only=True) as store:
        net = compile_network(store.read_tables())
    render_brief(risk_reports(net, end_items(net), DEMO_CRITICAL, CYBER_DAYS, quiet=False))
    console.print(
        "Next: `arsenal risk prd:guided-missile --html missile.html`, "
        "`arsenal trace prd:guided-missile --up`, "
        "`arsenal simulate scenarios/gallium-germanium-ban.yaml --days 365`, `arsenal runs`"
    )
