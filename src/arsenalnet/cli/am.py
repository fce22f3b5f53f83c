"""The additive-manufacturing network: ``am machines`` and ``am activate``."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from arsenalnet.amnet.activate import Activation, activate
from arsenalnet.amnet.machines import MachineList, list_machines
from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.model.am import PROCESS_NAMES, AmProcess
from arsenalnet.network import Network, compile_network
from arsenalnet.network.am import AmFleet, compile_am
from arsenalnet.store import Store

am_app = typer.Typer(
    help="The national additive-manufacturing network: enrolled machines, and print jobs for a part "
    "on its qualified machines (docs/amnet.md).\n\n"
    "Examples: `arsenal am machines --process PBF-LB --material Ti-6Al-4V`, "
    "`arsenal am activate --product prd:fuze-housing --qty 10000 --by 14`",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(am_app, name="am")

LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Rows shown per table (--json gives all).")]


def load_fleet(db: str | None, quiet: bool) -> tuple[Network, AmFleet]:
    """The compiled twin and its AM fleet."""
    with Store(db, read_only=True) as store, progress("loading", steps=3, quiet=quiet) as step:
        step("reading the twin")
        tables = store.read_tables()
        step("compiling")
        net = compile_network(tables)
        step("compiling the AM network")
        return net, compile_am(tables, net)


def render_machines(listing: MachineList, limit: int) -> None:
    """The machines (first ``limit``) and their counts by process and status."""
    shown = listing.machines[:limit]
    t = Table(title=f"{len(listing.machines):,} machines at {listing.sites:,} sites", title_justify="left")
    for col in (
        "machine",
        "facility",
        "country",
        "process",
        "materials",
        "build volume mm",
        "status",
        "act. days",
    ):
        t.add_column(
            col, justify="right" if col == "act. days" else "left", no_wrap=col in ("machine", "facility")
        )
    for m in shown:
        x, y, z = m.build_mm
        t.add_row(
            m.machine_id,
            m.facility_id,
            m.country,
            m.process,
            "; ".join(m.materials),
            f"{x:g} x {y:g} x {z:g}",
            m.status,
            f"{m.activation_days:g}",
        )
    console.print(t)
    if len(listing.machines) > limit:
        console.print(f"  … {len(listing.machines) - limit:,} more (use --limit or --json)")
    c = Table(title="Machines by process", title_justify="left")
    for col in ("process", "ISO/ASTM 52900 category", "available", "busy", "enrolled", "total"):
        c.add_column(col, justify="left" if col.startswith(("process", "ISO")) else "right")
    for process, counts in listing.by_process.items():
        c.add_row(
            process,
            PROCESS_NAMES[AmProcess(process)],
            *(f"{counts[s]:,}" for s in ("available", "busy", "enrolled")),
            f"{sum(counts.values()):,}",
        )
    console.print(c)


@am_app.command("machines")
def machines_cmd(
    process: Annotated[
        str | None, typer.Option("--process", help="Only this ISO/ASTM 52900 process, e.g. PBF-LB, DED, MEX.")
    ] = None,
    material: Annotated[str | None, typer.Option("--material", help="Only machines set up for it.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="Only enrolled, available or busy.")] = None,
    limit: LimitOption = 30,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """List the enrolled machines with site, country, process, materials, build volume and status,
    and their counts by process.

    Examples: `arsenal am machines`, `arsenal am machines --process PBF-LB --material Ti-6Al-4V`,
    `arsenal am machines --status available --json`
    """
    net, fleet = load_fleet(db, quiet=json)
    listing = list_machines(net, fleet, process=process, material=material, status=status)
    if json:
        print_json(listing)
    else:
        render_machines(listing, limit)


def render_activation(a: Activation, limit: int) -> None:
    """The summary line, the deadline verdict and the jobs (first ``limit``)."""
    console.print(
        f"[bold]{a.product_id}[/bold]: {a.qty:,} units on {len(a.jobs):,} of {a.candidates:,} qualified "
        f"available machines at {a.sites:,} sites, all finished by day [bold]{a.finish_day:,.2f}[/bold] "
        f"({a.objective})"
    )
    if a.deadline_met is True:
        console.print(f"meets day {a.by:g} with {a.by - a.finish_day:,.2f} days to spare")  # type: ignore[operator]
    elif a.deadline_met is False:
        console.print(
            f"[red]cannot be met by day {a.by:g}[/red]: {a.by_deadline:,} of {a.qty:,} units by then; "
            f"all of them by day {a.finish_day:,.2f} at the earliest"
        )
    t = Table(title="Print jobs (day 0 = the call)", title_justify="left")
    for col in ("machine", "facility", "country", "process", "material", "qualification", "standard"):
        t.add_column(col, no_wrap=col in ("machine", "facility"))
    for col in ("units", "start", "printed", "finished"):
        t.add_column(col, justify="right")
    for j in a.jobs[:limit]:
        t.add_row(
            j.machine_id,
            j.facility_id,
            j.country,
            j.process,
            j.material,
            j.qualification_id,
            j.standard,
            f"{j.units:,}",
            f"{j.start_day:,.2f}",
            f"{j.print_end_day:,.2f}",
            f"{j.finish_day:,.2f}",
        )
    console.print(t)
    if len(a.jobs) > limit:
        console.print(f"  … {len(a.jobs) - limit:,} more jobs (use --limit or --json)")


def write_gantt(a: Activation, path: Path) -> None:
    """PNG: one bar per job, printing then post-processing, and the deadline."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    jobs = a.jobs[:40]
    fig, ax = plt.subplots(figsize=(9, 1.5 + 0.25 * len(jobs)), dpi=110)
    rows = range(len(jobs))
    ax.barh(
        rows,
        [j.print_end_day - j.start_day for j in jobs],
        left=[j.start_day for j in jobs],
        label="printing",
    )
    ax.barh(
        rows,
        [j.finish_day - j.print_end_day for j in jobs],
        left=[j.print_end_day for j in jobs],
        color="0.75",
        label="post-processing",
    )
    if a.by is not None:
        ax.axvline(a.by, color="red", linestyle="--", label=f"day {a.by:g}")
    ax.set_yticks(list(rows), [f"{j.machine_id} ({j.units:,})" for j in jobs], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("days after the call")
    more = f" (first {len(jobs)} of {len(a.jobs)} jobs)" if len(a.jobs) > len(jobs) else ""
    ax.set_title(
        f"{a.product_id}: {a.qty:,} units, finished day {a.finish_day:,.2f}{more}", fontsize=9, pad=22
    )
    ax.set_xlim(left=0)
    ax.legend(fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.06), ncols=3, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


@am_app.command("activate")
def activate_cmd(
    product: Annotated[str, typer.Option("--product", help="Part to print (prd:…).")],
    qty: Annotated[int, typer.Option("--qty", help="Units needed.")],
    by: Annotated[
        float | None,
        typer.Option(
            "--by", help="Day they are needed by (days after the call). Omit for the earliest finish."
        ),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a Gantt chart of the jobs (PNG).")
    ] = None,
    limit: LimitOption = 30,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Assign print jobs for a part to its qualified, available machines and show each machine's
    schedule and the finish day.

    With `--by`, the fewest machines that finish by that day (earliest among them); without it, or
    when the day cannot be met (it says so), the earliest possible finish. Machines print 24 h a
    day; each unit takes its qualification's print hours, then its post-processing days. A part
    no available machine can print is refused with the reason. See docs/amnet.md.

    Examples: `arsenal am activate --product prd:fuze-housing --qty 10000 --by 14`,
    `arsenal am activate --product prd:airframe --qty 500 --json`
    """
    net, fleet = load_fleet(db, quiet=json)
    result = activate(net, fleet, product, qty, by)
    if plot is not None:
        write_gantt(result, plot)
    if json:
        print_json(result)
    else:
        render_activation(result, limit)
        if plot is not None:
            console.print(f"wrote {plot}")
