"""The mobilization planner: ``arsenal mobilize``."""

import dataclasses
import re
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.mobilize_files import last_plan, load_plan, write_plan
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.cli.simulate import new_run_id
from arsenalnet.model.am import MachineStatus
from arsenalnet.network import Network, compile_network
from arsenalnet.optimize.am import AmRoutes
from arsenalnet.optimize.errors import PlanError
from arsenalnet.optimize.problem import check_products
from arsenalnet.optimize.request import PlanRequest, Requirement
from arsenalnet.optimize.solve import METHODS, SolveOptions
from arsenalnet.optimize.summary import PlanSummary
from arsenalnet.store import Store

AM_CHOICES = {
    "available": (MachineStatus.AVAILABLE,),
    "enrolled": (MachineStatus.AVAILABLE, MachineStatus.ENROLLED),
    "none": (),
}
REQUIRE = re.compile(
    r"^\s*(?P<product>\S+)\s+(?P<qty>[0-9][0-9_,]*(?:\.[0-9]*)?)\s+by\s+(?:day\s+)?(?P<day>[0-9]+)\s*$"
)


def requirement(text: str) -> Requirement:
    """``"prd:155mm-shell 20000 by 120"`` (or ``by day 120``) as a :class:`Requirement`."""
    m = REQUIRE.match(text)
    if not m:
        raise PlanError(
            f"--require '{text}': write PRODUCT QUANTITY by DAY, e.g. 'prd:155mm-shell 20000 by 120'"
        )
    return Requirement(m["product"], float(m["qty"].replace(",", "").replace("_", "")), int(m["day"]))


def _products(net: Network, product: list[str], program: str | None) -> tuple[str, ...]:
    if bool(product) == bool(program):
        raise PlanError("give the end items: --product prd:… (repeatable) or --program all|PROGRAM")
    if product:
        return tuple(dict.fromkeys(product))
    rows = np.arange(len(net.demand_product))
    if program != "all":
        rows = rows[np.asarray(net.demand_customer.to_pylist()) == program]
        if not len(rows):
            raise PlanError(f"--program {program}: no demand row of that program (see the demand table)")
    return tuple(sorted(set(net.products.take(net.demand_product[rows]))))


def _am(tables: dict[str, Any], net: Network, which: str) -> AmRoutes:
    from arsenalnet.amnet.capacity import am_capacity
    from arsenalnet.network.am import compile_am
    from arsenalnet.optimize.am import am_routes

    if which not in AM_CHOICES:
        raise PlanError(f"--am must be one of {', '.join(AM_CHOICES)}, got {which}")
    if not AM_CHOICES[which]:
        return AmRoutes.none()
    fleet = compile_am(tables, net)
    return am_routes(net, fleet, am_capacity(fleet, AM_CHOICES[which]))


def _solver(name: str | None) -> SolveOptions | None:
    """The solve options of ``--solver`` (None where it was not given)."""
    if name is None:
        return None
    if name not in METHODS:
        raise PlanError(f"--solver must be one of {', '.join(METHODS)}, got {name}")
    return SolveOptions(method=name)


def _solver_line(s: PlanSummary) -> str:
    what = {
        "simplex": "the simplex method (exact vertices)",
        "ipm": "the interior point method with crossover (exact vertices)",
        "pdlp": f"PDLP, first order and approximate (relative tolerance {s.pdlp_tolerance or 0:g})",
    }[s.method]
    worst = max((st.infeasibility for st in s.stages), default=0.0)
    pdlp = s.method == "pdlp"
    return (
        f"Solved by HiGHS with {what}; each stage's optimum held within {s.hold:g} x max(1, |optimum|)"
        + (" plus twice PDLP's estimated overshoot" if pdlp else "")
        + (f"; largest violation of a bound or row: {worst:.3g} units" if pdlp else "")
    )


def _cell(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.2f}"


def render(s: PlanSummary, title: str, limit: int, base: PlanSummary | None = None) -> None:
    """The summary as rich tables (with the base plan's figures beside a what-if's)."""
    console.print(
        f"[bold]{title}[/bold]: {s.capabilities:,} capabilities and {s.links:,} supply links upstream; "
        f"{s.variables:,} variables, {s.constraints:,} constraints; built in {s.build_seconds:.2f} s, "
        f"solved in {s.solve_seconds:.2f} s"
    )
    console.print(_solver_line(s), highlight=False)
    t = Table(title="Stages (lexicographic: each holds the optima before it)", title_justify="left")
    for c in ("stage", "objective", "optimum", "held within", "seconds", "iterations"):
        t.add_column(c, justify="left" if c in ("stage", "objective") else "right")
    what = {"cost": "min expansion cost (USD)", "flow": "min units made and moved"}
    for st in s.stages:
        t.add_row(
            st.name,
            what.get(st.name, "max unit-days on time"),
            _cell(st.optimum),
            f"{st.slack:.3g}" if st.slack else "",
            f"{st.seconds:.3f}",
            str(st.iterations),
        )
    console.print(t)
    t = Table(title=f"End items over {s.horizon_days} days", title_justify="left")
    cols = ["end item", "DPAS", "required", "delivered", "short", "on time", "late unit-days"]
    cols += ["delivered (base)"] if base else []
    for c in cols:
        t.add_column(c, justify="left" if c in ("end item", "DPAS") else "right")
    before = {i.product_id: i for i in base.end_items} if base else {}
    for i in s.end_items:
        row = [i.product_id, i.priority, _cell(i.required), _cell(i.delivered), _cell(i.short)]
        row += [_cell(i.on_time), _cell(i.late_unit_days)]
        row += [_cell(before[i.product_id].delivered)] if base and i.product_id in before else []
        t.add_row(*row)
    console.print(t)
    if s.expansions:
        t = Table(title="Expansions taken", title_justify="left")
        for c in ("facility", "product", "option", "share", "+units/day", "from day", "cost USD"):
            t.add_column(
                c, justify="right" if c in ("share", "+units/day", "from day", "cost USD") else "left"
            )
        for o in sorted(s.expansions, key=lambda o: -o.cost)[:limit]:
            t.add_row(
                o.facility_id,
                o.product_id,
                o.option,
                f"{o.share:.2f}",
                _cell(o.extra_capacity_per_day),
                str(o.in_place_from_day),
                f"{o.cost:,.0f}",
            )
        console.print(t)
    for a in s.am:
        console.print(
            f"AM: {a.units:,.1f} {a.product_id} printed on {a.machines} machines, "
            f"the first finished on day {a.first_day}"
        )
    if s.bottlenecks:
        console.print("[bold]Bottlenecks[/bold] (dual values of the capacity limits):")
        for b in s.bottlenecks[:limit]:
            console.print(f"  [{b.stage}] {b.text}", highlight=False)
    for sf in s.shortfalls:
        console.print(
            f"[bold]{sf.product_id}[/bold] is {sf.short:,.0f} short ({sf.priority}); what limits it:"
        )
        for link in sf.chain:
            console.print(f"  {link.text}", highlight=False)


def _request_json(req: PlanRequest, scenario: Path | None, am: str, solver: str) -> dict[str, Any]:
    return {
        "solver": solver,
        "products": list(req.products),
        "horizon_days": req.horizon_days,
        "bucket_days": req.bucket_days,
        "surge": req.surge,
        "scenario": None if scenario is None else str(scenario),
        "am": am,
        "requirements": [dataclasses.asdict(r) for r in req.requirements],
        "budget_usd": req.budget_usd,
        "in_transit": req.in_transit,
    }


def _what_if(text: str, out: Path | None, json: bool, limit: int, solver: str | None) -> None:
    from arsenalnet.optimize.planner import explain
    from arsenalnet.optimize.summary import summarize
    from arsenalnet.optimize.whatif import what_if

    _solver(solver)
    folder = last_plan(out)
    with progress("what-if", steps=4, quiet=json) as step:
        step(f"loading the plan in {folder}")
        base, request = load_plan(folder)
        method = base.session.solver.options.method
        if solver not in (None, method):
            raise PlanError(
                f"--solver {solver}: a what-if re-solves with its plan's method ({method}); "
                f"make a new plan with --solver {solver} instead"
            )
        step("re-solving from the plan's bases" if method != "pdlp" else "re-solving (pdlp: cold, no bases)")
        t0 = time.perf_counter()
        changed = what_if(base, text)
        resolve = time.perf_counter() - t0
        step("explaining")
        summary = summarize(changed, explain(changed, limit))
        step("writing")
        write_plan(changed, summary, {}, folder / "what-if", f"what-if: {text}")
    first = sum(s.seconds for s in base.result.stages)
    if json:
        head = {"what_if": text, "plan": str(folder), "request": request}
        print_json(
            head | {"resolve_seconds": resolve, "first_solve_seconds": first} | dataclasses.asdict(summary)
        )
        return
    render(summary, f"What-if '{text}' on {folder}", limit, _base_summary(base))
    console.print(
        f"Re-solved in {changed.result.seconds:.3f} s (the first solve took {first:.3f} s); "
        f"files in {folder / 'what-if'}/"
    )


def _base_summary(base: Any) -> PlanSummary:
    from arsenalnet.optimize.planner import Explanation
    from arsenalnet.optimize.summary import summarize

    return summarize(base, Explanation((), ()))


@app.command()
def mobilize(
    product: Annotated[
        list[str] | None, typer.Option("--product", help="An end item to plan (prd:…); repeatable.")
    ] = None,
    program: Annotated[
        str | None, typer.Option("--program", help="`all` (every end item with demand) or one program's id.")
    ] = None,
    surge: Annotated[
        float, typer.Option("--surge", help="Multiply the planned end items' demand by K.")
    ] = 1.0,
    horizon: Annotated[int, typer.Option("--horizon", help="Days planned (from day 0 = today).")] = 180,
    bucket: Annotated[
        int, typer.Option("--bucket", help="Days per time bucket (1 = daily, 7 = weekly).")
    ] = 1,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="A scenario file (docs/scenarios.md): its shocks apply.")
    ] = None,
    require: Annotated[
        list[str] | None,
        typer.Option("--require", help="Hard: 'PRODUCT QUANTITY by DAY' must be delivered; repeatable."),
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="Hard: most the expansions may cost (USD).")
    ] = None,
    am: Annotated[
        str,
        typer.Option(
            "--am", help="AM machines counted: available (default), enrolled (also onboarding), none."
        ),
    ] = "available",
    cold_start: Annotated[
        bool,
        typer.Option(
            "--cold-start",
            help="Start with nothing in transit (default: each link's baseline flow is on its way).",
        ),
    ] = False,
    what_if: Annotated[
        str | None,
        typer.Option(
            "--what-if", help="Change a capacity, demand, shock or link and re-solve from the last plan."
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder of the plan (default: plans/RUN_ID).")
    ] = None,
    limit: Annotated[int, typer.Option("--top", help="Bottlenecks and expansions shown.")] = 10,
    solver: Annotated[
        str | None,
        typer.Option(
            "--solver",
            help="HiGHS method: simplex (default; exact), ipm (interior point + crossover) or pdlp "
            "(first order, approximate; on the GPU in a CUDA build of HiGHS). A what-if uses its plan's.",
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Plan how to mobilize production: a time-expanded LP over the network upstream of the end items,
    DX deliveries first, then DO, then unrated (15 CFR part 700), then cost. Prints each stage's optimum,
    what is delivered by when, the expansions and AM printing it takes, the bottlenecks (dual values)
    and what limits each shortfall; writes the plan (Parquet), deliveries.png and summary.json.
    Model and grammar: docs/mobilize.md.

    Examples: `arsenal mobilize --product prd:155mm-shell --surge 3 --horizon 180 --bucket 7`,
    `arsenal mobilize --program all --scenario scenarios/gallium-germanium-ban.yaml --json --out plans/p1`,
    `arsenal mobilize --what-if "cap fac:ref-lap-ia +20%"`
    """
    if what_if is not None:
        _what_if(what_if, out, json, limit, solver)
        return
    from arsenalnet.optimize.expansion import expansions_of
    from arsenalnet.optimize.planner import explain, plan
    from arsenalnet.optimize.summary import summarize
    from arsenalnet.propagate.system import build_system
    from arsenalnet.scenario import compile_scenario, load_scenario

    options = _solver(solver)
    if horizon < 1:
        raise PlanError(f"--horizon must be at least 1 day, got {horizon}")
    requirements = tuple(requirement(r) for r in require or [])
    spec = load_scenario(scenario) if scenario is not None else None
    with progress("mobilization plan", steps=6, quiet=json) as step:
        step("reading the twin")
        with Store(db, read_only=True) as store:
            tables = store.read_tables()
        net = compile_network(tables)
        products = _products(net, product or [], program)
        check_products(net, products)
        shocks = compile_scenario(spec, net, horizon)[0] if spec is not None else None
        request = PlanRequest(
            products,
            horizon,
            bucket,
            surge,
            shocks,
            expansions_of(net, tables["expansion_option"]),
            _am(tables, net, am),
            requirements,
            budget,
            in_transit=not cold_start,
        )
        step("firm-level system and its upstream cone")
        system = build_system(net)
        step("building and solving the LP (DX, DO, unrated, cost, flow)")
        planned = plan(net, system, request, options)
        step("explaining (marginal duals)")
        summary = summarize(planned, explain(planned, limit))
        folder = out or Path("plans") / new_run_id()
        step(f"writing {folder}")
        title = f"{', '.join(products)} x{surge:g}, {horizon} days" + (f", {spec.name}" if spec else "")
        method = planned.session.solver.options.method
        write_plan(planned, summary, _request_json(request, scenario, am, method), folder, title)
    if json:
        print_json({"plan": str(folder)} | dataclasses.asdict(summary))
        return
    render(summary, f"Mobilization plan: {title}", limit)
    console.print(
        f"Files in {folder}/: production, shipments, am_prints, deliveries, stocks, expansions (.parquet), "
        "deliveries.png, summary.json; what-ifs start from it (--what-if)."
    )
