"""Disruption propagation: ``simulate``, and the recorded ``runs``."""

import dataclasses
import json as jsonlib
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

import arsenalnet
from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.model.errors import InputError
from arsenalnet.network import compile_network
from arsenalnet.propagate.firm import Backend
from arsenalnet.scenario import Scenario, load_scenario
from arsenalnet.scenario.outputs import write_outputs
from arsenalnet.scenario.run import run_scenario
from arsenalnet.scenario.sweep_outputs import atomic_folder
from arsenalnet.store import Store

runs_app = typer.Typer(
    help="Recorded simulation runs: list them, show one, compare two.\n\n"
    "Examples: `arsenal runs`, `arsenal runs show 20261125-1200-ab12`, `arsenal runs compare A B`",
    no_args_is_help=False,
    invoke_without_command=True,
    rich_markup_mode="markdown",
)
app.add_typer(runs_app, name="runs")


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def render_summary(summary: dict[str, Any], title: str) -> None:
    """Print a run summary (as stored): end items, then the most affected places."""
    t = Table(title=title, title_justify="left")
    for col in ("end item", "DPAS", "lowest share met", "worst day", "units lost", "recovered on day"):
        t.add_column(col, justify="left" if col in ("end item", "DPAS") else "right")
    for item in summary["end_items"]:
        recovery = item["recovery_day"]
        t.add_row(
            item["product_id"],
            item["priority"],
            _pct(item["worst_share"]),
            str(item["worst_day"]) if item["worst_share"] < 1 else "-",
            f"{item['lost']:,.0f}",
            "never short" if recovery == 0 else ("not by the end" if recovery is None else str(recovery)),
        )
    console.print(t)
    for key, label in (
        ("facilities", "facilities"),
        ("products", "products"),
        ("regions", "regions"),
        ("countries", "countries"),
    ):
        rows = summary[key][:5]
        if rows:
            text = ", ".join(f"{r['id']} ({r['lost_output_days']:,.1f})" for r in rows)
            console.print(
                f"[bold]Most affected {label}[/bold] (capability-days of normal output lost): {text}"
            )
    console.print(
        f"Lowest daily production of the whole base: {_pct(summary['lowest_production_ratio'])} of normal; "
        f"{summary['nodes_changed']:,} capabilities moved off their baseline."
    )
    if summary.get("over_capacity_nodes"):
        console.print(
            f"[yellow]{summary['over_capacity_nodes']:,} capabilities are ordered more than their "
            "stated capacity in the baseline: the engine raised them to it (`arsenal mobilize` keeps "
            "the data's).[/yellow]"
        )


def new_run_id() -> str:
    """``YYYYMMDD-HHMMSS-xxxx`` (UTC, then 4 random hex digits)."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def record_run(
    store: Store,
    run_id: str,
    kind: str,
    spec: Scenario,
    scenario: Path,
    days: int,
    summary: dict[str, Any],
    out_dir: Path | None,
) -> None:
    """Record a run in the store's ``run`` table: what ran, on which scenario text, and its summary."""
    store.record_run(
        {
            "run_id": run_id,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "kind": kind,
            "scenario_name": spec.name,
            "scenario_text": scenario.read_text(encoding="utf-8"),
            "days": days,
            "seed": spec.seed,
            "code_version": arsenalnet.__version__,
            "summary": jsonlib.dumps(summary),
            "out_dir": None if out_dir is None else str(out_dir),
        }
    )


@app.command()
def simulate(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (YAML); see docs/scenarios.md.")],
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Days to simulate (default: the scenario's).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the series, plot and summary (default: runs/RUN_ID)."),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
    backend: Annotated[
        Backend,
        typer.Option(
            "--backend",
            help="Where the day step runs: `cpu` (compiled kernels on every core; the default), "
            "`gpu` (CuPy on an NVIDIA GPU; needs `pip install cupy-cuda12x`; same results within "
            "1e-6 relative) or `array` (the GPU code on NumPy: slow, for checking it without a GPU).",
        ),
    ] = Backend.CPU,
) -> None:
    """Simulate a disruption day by day and record the run.

    Prints, per end item with demand, the lowest share of demand met, the worst
    day, the units lost and the day it recovers, then the most affected
    facilities, products, regions and countries. Writes `series.parquet` (one row
    per capability and day off its baseline), `end_items.parquet`,
    `fulfillment.png` and `summary.json`.

    Examples: `arsenal simulate scenarios/gallium-germanium-ban.yaml --days 365 --out runs/ggb`,
    `arsenal simulate scenarios/155mm-surge.yaml --json`,
    `arsenal simulate scenarios/ics-cyberattack.yaml --backend gpu`
    """
    spec = load_scenario(scenario)
    horizon = days or spec.days
    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError(f"--out {out}: exists and is not an empty folder; give another")
    with Store(db) as store:
        with progress(f"simulating {spec.name}", steps=horizon + 3, quiet=json) as step:
            step("reading the twin")
            net = compile_network(store.read_tables())
            step("building the system")
            run = run_scenario(
                net, spec, horizon, progress=lambda t: step(f"day {t + 1} of {horizon}"), backend=backend
            )
            run_id = new_run_id()
            folder = out or Path("runs") / run_id
            step(f"writing {folder}")
            with atomic_folder(folder) as tmp:  # all files or none
                write_outputs(net, run, tmp)
        summary = dataclasses.asdict(run.summary)
        record_run(store, run_id, "simulate", spec, scenario, horizon, summary, folder)
    if json:
        print_json({"run_id": run_id, "out_dir": str(folder), **summary})
        return
    render_summary(summary, f"{spec.name}: {horizon} days (run {run_id})")
    console.print(f"Files in {folder}/: series.parquet, end_items.parquet, fulfillment.png, summary.json")


@runs_app.callback()
def runs(ctx: typer.Context, db: DbOption = None, json: JsonOption = False) -> None:
    """List the recorded runs, newest last."""
    if ctx.invoked_subcommand is not None:
        return
    with Store(db, read_only=True) as store:
        rows = store.runs().to_pylist()
    listing = []
    for r in rows:
        worst = {i["product_id"]: i["worst_share"] for i in jsonlib.loads(r["summary"])["end_items"]}
        listing.append(
            {k: r[k] for k in ("run_id", "created_at", "scenario_name", "days", "out_dir")}
            | {"worst_share": worst}
        )
    if json:
        print_json(listing)
        return
    t = Table(title="Recorded runs")
    for col in ("run", "when (UTC)", "scenario", "days", "lowest share met per end item"):
        t.add_column(col, no_wrap=col == "run")  # an id to copy whole
    for r in listing:
        met = ", ".join(f"{k.removeprefix('prd:')} {_pct(v)}" for k, v in r["worst_share"].items())
        t.add_row(r["run_id"], r["created_at"], r["scenario_name"], str(r["days"]), met)
    console.print(t)


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id (or a unique prefix of one).")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Show one recorded run's summary. Example: `arsenal runs show 20261125`"""
    with Store(db, read_only=True) as store:
        row = store.run(run_id)
    summary = jsonlib.loads(row["summary"])
    if json:
        print_json({k: v for k, v in row.items() if k != "summary"} | {"summary": summary})
        return
    if row["kind"] != "simulate":  # an industry-level run: its summary as stored
        console.print(
            f"[bold]{row['scenario_name']}: {row['days']} days (run {row['run_id']}, {row['kind']})"
        )
        console.print_json(data=summary)
        return
    render_summary(summary, f"{row['scenario_name']}: {row['days']} days (run {row['run_id']})")


@runs_app.command("compare")
def runs_compare(
    a: Annotated[str, typer.Argument(help="First run id.")],
    b: Annotated[str, typer.Argument(help="Second run id.")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Compare two runs end item by end item. Example: `arsenal runs compare RUN_A RUN_B`"""
    with Store(db, read_only=True) as store:
        ra, rb = store.run(a), store.run(b)
    if ra["kind"] != rb["kind"]:
        raise InputError(
            f"run {ra['run_id']} is a {ra['kind']} run and {rb['run_id']} a {rb['kind']} run: "
            "compare runs of one kind"
        )
    sa, sb = ({i["product_id"]: i for i in jsonlib.loads(r["summary"])["end_items"]} for r in (ra, rb))
    rows = []
    for pid in sorted(set(sa) | set(sb)):
        ia, ib = sa.get(pid), sb.get(pid)
        rows.append(
            {
                "product_id": pid,
                "lost_a": ia["lost"] if ia else None,
                "lost_b": ib["lost"] if ib else None,
                "worst_share_a": ia["worst_share"] if ia else None,
                "worst_share_b": ib["worst_share"] if ib else None,
                "recovery_day_a": ia["recovery_day"] if ia else None,
                "recovery_day_b": ib["recovery_day"] if ib else None,
            }
        )
    if json:
        print_json({"a": ra["run_id"], "b": rb["run_id"], "end_items": rows})
        return
    t = Table(
        title=f"A = {ra['run_id']} ({ra['scenario_name']})  vs  B = {rb['run_id']} ({rb['scenario_name']})",
        title_justify="left",
    )
    for col in ("end item", "units lost A", "units lost B", "B - A", "lowest met A", "lowest met B"):
        t.add_column(col, justify="left" if col == "end item" else "right")
    for r in rows:
        la, lb = r["lost_a"], r["lost_b"]
        t.add_row(
            r["product_id"],
            "-" if la is None else f"{la:,.0f}",
            "-" if lb is None else f"{lb:,.0f}",
            "-" if la is None or lb is None else f"{lb - la:+,.0f}",
            "-" if r["worst_share_a"] is None else _pct(r["worst_share_a"]),
            "-" if r["worst_share_b"] is None else _pct(r["worst_share_b"]),
        )
    console.print(t)
