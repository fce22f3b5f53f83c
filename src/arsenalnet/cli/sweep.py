"""Monte Carlo sweeps: ``arsenal sweep``."""

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.simulate import new_run_id, record_run, render_summary
from arsenalnet.network import Network, compile_network
from arsenalnet.scenario import Scenario, load_scenario
from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.executors import choose_executor
from arsenalnet.scenario.outputs import write_outputs
from arsenalnet.scenario.run import replay_draw
from arsenalnet.scenario.sweep import check_runs, run_sweep
from arsenalnet.scenario.sweep_outputs import FILES, atomic_folder, check_out_folder, write_sweep
from arsenalnet.scenario.sweep_summary import CriticalFacility, SweepSummary, summarize_sweep
from arsenalnet.store import Store

SHOWN = 3
"""Facilities shown per end item in the table (summary.json lists 10)."""


def _read_twin(db: str | None) -> Network:
    with Store(db) as store:  # opened to upgrade an older file; closed while the draws run
        return compile_network(store.read_tables())


def _critical(c: CriticalFacility) -> str:
    return f"{c.facility_id} {100 * c.share:.1f}% (as root {100 * c.root_share:.1f}%)"


def render_sweep(s: SweepSummary, title: str) -> None:
    """Print a sweep's summary: per end item the losses and the critical path, then the events."""
    t = Table(title=title, title_justify="left")
    cols = ("end item", "DPAS", "short in", "expected units lost (95% CI)", "P5 / P50 / P95 lost")
    for col in (*cols, "lowest P50 met (day)", "most often on the critical path"):
        t.add_column(col, justify="left" if col in ("end item", "DPAS", cols[-1]) else "right")
    for i in s.end_items:
        low, high = i.lost_ci
        t.add_row(
            i.product_id,
            i.priority,
            f"{100 * i.short_share:.1f}%",
            f"{i.lost:,.0f} ({low:,.0f}-{high:,.0f})",
            f"{i.lost_p5:,.0f} / {i.lost_p50:,.0f} / {i.lost_p95:,.0f}",
            f"{100 * i.worst_share:.1f}% ({i.worst_day})",
            ", ".join(_critical(c) for c in i.critical[:SHOWN]) or "-",
        )
    console.print(t)
    if s.events:
        text = ", ".join(f"{e.name} {100 * e.occurred_share:.1f}% (p = {e.probability:g})" for e in s.events)
        console.print(f"[bold]Events[/bold] (share of draws): {text}")
    where = f"the end items' cone, {s.nodes:,} capabilities" if s.simulated == "cone" else "the whole twin"
    console.print(f"{s.runs:,} draws of {s.days} days on {where}, {s.executor}: {s.seconds:,.1f} s.")


@app.command()
def sweep(
    scenario: Annotated[
        Path, typer.Argument(help="Scenario file (YAML), with distributions; see docs/sweeps.md.")
    ],
    runs: Annotated[int, typer.Option("--runs", help="Draws to run (>= 1).")] = 100,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the draws (default: the scenario's seed:).")
    ] = None,
    ray: Annotated[
        str | None,
        typer.Option(
            "--ray",
            help="Run on Ray: `auto` starts a local Ray with --workers CPUs; HOST:PORT or "
            "ray://HOST:PORT joins a running cluster.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Processes: 1 (default) this one, K > 1 a pool of K; with --ray auto, the local "
            "Ray's CPUs (default: every core).",
        ),
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Days to simulate (default: the scenario's).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the results (default: runs/RUN_ID); replaced whole."),
    ] = None,
    whole: Annotated[
        bool,
        typer.Option("--whole", help="Simulate the whole twin, not just the end items' upstream cone."),
    ] = False,
    replay: Annotated[
        int | None,
        typer.Option(
            "--replay", help="Run draw I alone on the whole twin, with the outputs of `arsenal simulate`."
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Run a scenario's draws (Monte Carlo) and report, per end item, bands of the share of
    demand met, the expected units lost and the facilities most often on the critical path.

    Draw I of seed S is the same in any sweep (`--replay I` runs it alone). Writes
    `draws.parquet`, `daily.parquet`, `critical_path.parquet`, `summary.json` and
    `fulfillment_bands.png`, all or nothing, and records the sweep in the run table.

    Examples: `arsenal sweep scenarios/pacific-conflict.yaml --runs 1000`,
    `arsenal sweep scenarios/pacific-conflict.yaml --runs 1000 --ray auto --workers 2`,
    `arsenal sweep scenarios/pacific-conflict.yaml --replay 17 --out runs/draw17`
    """
    spec = load_scenario(scenario)
    if replay is not None:
        _replay(spec, scenario, replay, seed, days, out, db, json)
        return
    check_runs(runs)
    executor = choose_executor(ray, workers)
    executor.check()
    run_id, folder = _new_run(out)
    with progress(f"sweeping {spec.name}", steps=runs + 3, quiet=json) as step:
        step("reading the twin")
        net = _read_twin(db)
        step("preparing the draws")
        shown = [0]

        def advance(done: int, total: int) -> None:
            for k in range(shown[0], done):
                step(f"draw {k + 1:,} of {total:,} ({executor.name})")
            shown[0] = done

        result = run_sweep(
            net, spec, runs, seed=seed, days=days, whole=whole, executor=executor, progress=advance
        )
        step(f"writing {folder}")
        summary = summarize_sweep(result)
        as_dict = dataclasses.asdict(summary)
        seeded = _seeded(spec, result.seed)
        _keep(
            folder,
            lambda tmp: write_sweep(result, summary, tmp),
            db,
            run_id,
            "sweep",
            seeded,
            scenario,
            as_dict,
        )
    if json:
        print_json({"run_id": run_id, "out_dir": str(folder), **as_dict})
        return
    render_sweep(summary, f"{spec.name}: {summary.runs:,} draws, seed {summary.seed} (run {run_id})")
    console.print(f"Files in {folder}/: {', '.join(FILES)}")


def _seeded(spec: Scenario, seed: int, name: str | None = None) -> Scenario:
    return dataclasses.replace(spec, seed=seed, name=name or spec.name)


def _new_run(out: Path | None) -> tuple[str, Path]:
    """A run id and its folder (``--out`` or runs/RUN_ID), refused now if taken by something else."""
    run_id = new_run_id()
    folder = out or Path("runs") / run_id
    check_out_folder(folder)
    return run_id, folder


def _keep(
    folder: Path,
    write: Callable[[Path], object],
    db: str | None,
    run_id: str,
    kind: str,
    spec: Scenario,
    scenario: Path,
    summary: dict[str, Any],
) -> None:
    """Write the files (``write(tmp)``) and record the run, all or nothing."""
    with atomic_folder(folder) as tmp:
        write(tmp)
        with Store(db) as store:
            record_run(store, run_id, kind, spec, scenario, int(summary["days"]), summary, folder)


def _replay(
    spec: Scenario,
    scenario: Path,
    index: int,
    seed: int | None,
    days: int | None,
    out: Path | None,
    db: str | None,
    json: bool,
) -> None:
    """``--replay I``: draw I alone on the whole twin, written and recorded as a simulation."""
    if index < 0:
        raise SweepError(f"--replay must be a draw index >= 0, got {index}")
    chosen = spec.seed if seed is None else seed
    horizon = days or spec.days
    run_id, folder = _new_run(out)
    with progress(f"replaying draw {index} of {spec.name}", steps=horizon + 3, quiet=json) as step:
        step("reading the twin")
        net = _read_twin(db)
        step("building the system")
        run = replay_draw(
            net, spec, chosen, index, horizon, progress=lambda t: step(f"day {t + 1} of {horizon}")
        )
        step(f"writing {folder}")
        summary: dict[str, Any] = dataclasses.asdict(run.summary)
        named = _seeded(spec, chosen, f"{spec.name} (draw {index}, seed {chosen})")
        _keep(
            folder, lambda tmp: write_outputs(net, run, tmp), db, run_id, "simulate", named, scenario, summary
        )
    if json:
        print_json({"run_id": run_id, "out_dir": str(folder), "draw": index, "seed": chosen, **summary})
        return
    render_summary(summary, f"{named.name}: {horizon} days (run {run_id})")
    console.print(f"Files in {folder}/: series.parquet, end_items.parquet, fulfillment.png, summary.json")
