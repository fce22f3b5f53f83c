"""`arsenal mobilize` on the 1M-facility twin: the three reference programs, daily buckets.

Targets (issue 6): model build <= 10 s per million variables with linopy; a what-if re-solve
<= 10% of the first solve; the same model built with Pyomo at least 10x slower.

Prints the seconds to read and compile the twin and to build the firm-level system, then
for each horizon: the LP's size, linopy's build time (the model, then its matrices), HiGHS's
time per stage, a what-if re-solve (warm, bounds changed in place) against the first solve,
and the same model built with Pyomo (construction only, the same variables and constraints)
with the ratio. Both builders are warmed up on a 7-day model first (imports and first-call
setup are not timed). No GPU path is measured here (none on the development machine).

Usage: .venv/bin/python benchmarks/bench_mobilize.py STORE.duckdb [SURGE] [HORIZON ...]
(STORE: a twin at schema 9 or later, e.g. ``.venv/bin/arsenal generate --facilities 1000000
--seed 1 --db /tmp/g1m9.duckdb``; SURGE defaults to 3, HORIZON to 180; the first horizon is
built and solved, the others only built, linopy and Pyomo, to show how the build scales)
"""

import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from arsenalnet.amnet.capacity import am_capacity
from arsenalnet.network import Network, compile_network
from arsenalnet.network.am import compile_am
from arsenalnet.optimize import PlanRequest
from arsenalnet.optimize.am import AmRoutes, am_routes
from arsenalnet.optimize.build import build
from arsenalnet.optimize.expansion import expansions_of
from arsenalnet.optimize.extract import extract
from arsenalnet.optimize.planner import Planned, Session
from arsenalnet.optimize.problem import Problem, problem_of
from arsenalnet.optimize.request import Expansions
from arsenalnet.optimize.solve import Lexicographic, Lp
from arsenalnet.optimize.whatif import what_if
from arsenalnet.propagate.system import FirmSystem, build_system
from arsenalnet.store import Store
from machine import describe, peak_gib

PROGRAMS = ("prd:155mm-shell", "prd:guided-missile", "prd:small-uas")
WHAT_IF = "cap fac:ref-lap-ia +20%"


def pyomo_model(p: Problem) -> Any:
    """The planner's LP (as :mod:`arsenalnet.optimize.build` states it) in Pyomo, built the way
    Pyomo models are written: index sets and one rule per constraint family."""
    import pyomo.environ as pyo

    n_b = p.n_buckets
    buckets = range(n_b)
    m = pyo.ConcreteModel()
    cap, req, opt_days, hours = p.capacity, p.required, p.option_days, p.am_machine_hours
    m.production = pyo.Var(range(p.n_nodes), buckets, domain=pyo.NonNegativeReals)
    m.expansion = pyo.Var(range(len(p.option_node)), bounds=(0, 1))
    ships = [(a, b) for a in range(len(p.arc_source)) for b in buckets if b + p.arc_lag[a] < n_b]
    m.shipment = pyo.Var(ships, domain=pyo.NonNegativeReals)
    m.stock = pyo.Var(range(len(p.slot_facility)), buckets, domain=pyo.NonNegativeReals)
    makers = sorted(set(p.final_node.tolist()))
    m.finished = pyo.Var([(k, b) for k in makers for b in buckets], domain=pyo.NonNegativeReals)
    m.delivery = pyo.Var(range(len(p.final_node)), buckets, domain=pyo.NonNegativeReals)
    m.delivered = pyo.Var(range(len(p.row_product)), buckets, bounds=lambda m, d, b: (0.0, float(req[d, b])))
    prints = [(k, b) for k in range(len(p.am_route_pool)) for b in buckets if b - p.am_route_lag[k] >= 0]
    m.am_print = pyo.Var(prints, domain=pyo.NonNegativeReals)
    am_ships = [(j, b) for j in range(len(p.am_arc_pool)) for b in buckets if b + p.am_lag < n_b]
    m.am_ship = pyo.Var(am_ships, domain=pyo.NonNegativeReals)

    options_of, arcs_into, arcs_from = defaultdict(list), defaultdict(list), defaultdict(list)
    for o, k in enumerate(p.option_node.tolist()):
        options_of[k].append(o)
    for a, (s, k) in enumerate(zip(p.arc_slot.tolist(), p.arc_source.tolist(), strict=True)):
        arcs_into[s].append(a)
        arcs_from[k].append(a)
    edges_of, finals_of, finals_of_row = defaultdict(list), defaultdict(list), defaultdict(list)
    for k, s, q in zip(p.edge_node.tolist(), p.edge_slot.tolist(), p.edge_qty.tolist(), strict=True):
        edges_of[s].append((k, q))
    for r, (k, d) in enumerate(zip(p.final_node.tolist(), p.final_row.tolist(), strict=True)):
        finals_of[k].append(r)
        finals_of_row[d].append(r)
    am_into, am_from, routes_of = defaultdict(list), defaultdict(list), defaultdict(list)
    for j, (pool, s) in enumerate(zip(p.am_arc_pool.tolist(), p.am_arc_slot.tolist(), strict=True)):
        am_into[s].append(j)
        am_from[pool].append(j)
    routes_of_pool = defaultdict(list)
    for k, (mach, pool) in enumerate(zip(p.am_route_machine.tolist(), p.am_route_pool.tolist(), strict=True)):
        routes_of[mach].append(k)
        routes_of_pool[pool].append(k)
    lag, am_lag, ship_ok, print_ok, am_ok = p.arc_lag, p.am_lag, set(ships), set(prints), set(am_ships)

    def capacity_limit(m: Any, k: int, b: int) -> Any:
        extra = sum(
            p.option_extra[o] * opt_days[o, b] * m.expansion[o] for o in options_of[k] if opt_days[o, b] > 0
        )
        return m.production[k, b] - extra <= cap[k, b]

    def stock_balance(m: Any, s: int, b: int) -> Any:
        before = m.stock[s, b - 1] if b else p.initial_stock[s]
        arrive = sum(
            p.arc_pass[a, b - lag[a]] * m.shipment[a, b - lag[a]] for a in arcs_into[s] if b - lag[a] >= 0
        )
        arrive += sum(m.am_ship[j, b - am_lag] for j in am_into[s] if b - am_lag >= 0)
        return m.stock[s, b] == before + arrive - sum(q * m.production[k, b] for k, q in edges_of[s])

    def output_balance(m: Any, k: int, b: int) -> Any:
        if not arcs_from[k] and not finals_of[k]:
            return pyo.Constraint.Skip
        out = sum(m.shipment[a, b] for a in arcs_from[k] if (a, b) in ship_ok)
        out += sum(m.delivery[r, b] for r in finals_of[k])
        if finals_of[k]:
            out += m.finished[k, b] - (m.finished[k, b - 1] if b else 0)
        return out <= m.production[k, b]

    def delivered_balance(m: Any, d: int, b: int) -> Any:
        before = m.delivered[d, b - 1] if b else 0
        return m.delivered[d, b] == before + sum(m.delivery[r, b] for r in finals_of_row[d])

    def machine_time(m: Any, mach: int, c: int) -> Any:
        used = [
            (p.am_route_hours[k], m.am_print[k, c + p.am_route_lag[k]])
            for k in routes_of[mach]
            if (k, c + p.am_route_lag[k]) in print_ok
        ]
        return sum(h * x for h, x in used) <= hours[mach, c] if used else pyo.Constraint.Skip

    def am_output(m: Any, pool: int, b: int) -> Any:
        sent = [m.am_ship[j, b] for j in am_from[pool] if (j, b) in am_ok]
        made = [m.am_print[k, b] for k in routes_of_pool[pool] if (k, b) in print_ok]
        return sum(sent) <= sum(made) if sent or made else pyo.Constraint.Skip

    m.capacity_limit = pyo.Constraint(range(p.n_nodes), buckets, rule=capacity_limit)
    m.stock_balance = pyo.Constraint(range(len(p.slot_facility)), buckets, rule=stock_balance)
    m.output_balance = pyo.Constraint(range(p.n_nodes), buckets, rule=output_balance)
    m.delivered_balance = pyo.Constraint(range(len(p.row_product)), buckets, rule=delivered_balance)
    m.machine_time = pyo.Constraint(range(len(p.am_machine_id)), buckets, rule=machine_time)
    m.am_output = pyo.Constraint(range(len(p.am_pool_product)), buckets, rule=am_output)
    classes = sorted(set(p.row_class.tolist()))
    m.delivery_stage = pyo.Constraint(
        classes,
        rule=lambda m, c: (
            sum(
                float(p.bucket_len[b]) * m.delivered[d, b]
                for d in np.flatnonzero(p.row_class == c)
                for b in buckets
            )
            >= -1e30
        ),
    )
    if len(p.option_node):
        m.expansion_cost = pyo.Constraint(
            expr=sum(p.option_cost[o] * m.expansion[o] for o in range(len(p.option_node))) <= 1e30
        )
    return m


def counts(model: Any) -> tuple[int, int]:
    """(variables, constraints) of a Pyomo model."""
    import pyomo.environ as pyo

    return (
        sum(1 for _ in model.component_data_objects(pyo.Var)),
        sum(1 for _ in model.component_data_objects(pyo.Constraint)),
    )


def one(p: Problem, solve: bool = True) -> None:
    print(
        f"\nhorizon {p.horizon_days} days, daily buckets: {p.n_nodes:,} capabilities, "
        f"{len(p.arc_source):,} arcs, "
        f"{len(p.slot_facility):,} stocks, {len(p.option_node):,} options, {len(p.am_route_pool):,} AM routes"
    )
    start = time.perf_counter()
    model = build(p)
    t_model = time.perf_counter() - start
    start = time.perf_counter()
    lp = Lp.of(model)
    t_matrices = time.perf_counter() - start
    per_million = (t_model + t_matrices) / lp.n_cols * 1e6
    print(f"  LP: {lp.n_cols:,} variables, {lp.n_rows:,} constraints, {lp.a.nnz:,} nonzeros")
    print(
        f"  linopy build {t_model:6.2f} s + matrices {t_matrices:6.2f} s = {t_model + t_matrices:6.2f} s "
        f"({per_million:5.2f} s per million variables; target <= 10)"
    )

    if solve:
        solved(p, lp)
    start = time.perf_counter()
    pm = pyomo_model(p)
    t_pyomo = time.perf_counter() - start
    n_var, n_con = counts(pm)
    print(
        f"  Pyomo build {t_pyomo:6.2f} s ({n_var:,} variables, {n_con:,} constraints): "
        f"{t_pyomo / t_model:5.1f}x linopy's model build, "
        f"{t_pyomo / (t_model + t_matrices):5.1f}x build + matrices "
        f"(target >= 10x)"
    )
    print(f"  peak memory {peak_gib():.2f} GiB")


def solved(p: Problem, lp: Lp) -> None:
    """HiGHS stage by stage, then the what-if, printed."""
    solver = Lexicographic(lp)
    result = solver.run()
    first = sum(s.seconds for s in result.stages)
    for s in result.stages:
        print(
            f"  HiGHS stage {s.name:5s} {s.seconds:7.2f} s, {s.iterations:,} iterations, "
            f"optimum {s.optimum:,.1f}"
        )
    print(
        f"  HiGHS all stages {first:7.2f} s (plus {result.seconds - first:5.2f} s setting objectives, "
        "reading duals and bases)"
    )
    planned = Planned(p, Session(lp, solver, p), result, extract(lp, result, p))
    for item in planned.plan.outcomes():
        print(
            f"    {item.product_id}: required {item.required:,.0f}, delivered {item.delivered:,.0f}, "
            f"short {item.short:,.0f}"
        )
    start = time.perf_counter()
    changed = what_if(planned, WHAT_IF)
    t_whatif = time.perf_counter() - start
    again = sum(s.seconds for s in changed.result.stages)
    print(
        f"  what-if '{WHAT_IF}': HiGHS {again:6.2f} s ({100 * again / first:4.1f}% of the first solve; "
        "target <= 10%), "
        f"with the bound changes and the plan read back {t_whatif:6.2f} s"
    )
    print(
        "    per stage: "
        + ", ".join(f"{s.name} {s.seconds:.2f} s ({s.iterations:,} it.)" for s in changed.result.stages)
    )


def twin(store: Path, surge: float) -> tuple[Network, FirmSystem, Expansions, AmRoutes]:
    """The twin compiled, its firm-level system, its expansion options and AM routes (printed)."""
    start = time.perf_counter()
    with Store(store, read_only=True) as s:
        tables = s.read_tables()
    net = compile_network(tables)
    options = expansions_of(net, tables["expansion_option"])
    fleet = compile_am(tables, net)
    routes = am_routes(net, fleet, am_capacity(fleet))
    print(
        f"facilities {net.n_facilities:,}, links {net.n_links:,}, options {len(options.option):,}, "
        f"AM routes {len(routes.machine):,}: "
        f"read + compile {time.perf_counter() - start:6.2f} s"
    )
    start = time.perf_counter()
    system = build_system(net)
    print(
        f"build_system (baseline of the whole twin): {time.perf_counter() - start:6.2f} s; "
        f"programs {', '.join(PROGRAMS)}, surge {surge:g}"
    )
    return net, system, options, routes


def problem(
    net: Network, system: FirmSystem, options: Expansions, routes: AmRoutes, surge: float, horizon: int
) -> Problem:
    """The three programs over ``horizon`` days, daily buckets (the time to lay it out printed)."""
    start = time.perf_counter()
    p = problem_of(net, system, PlanRequest(PROGRAMS, horizon, 1, surge, expansions=options, am=routes))
    print(
        f"problem (cone, capacities, requirements) for {horizon} days: {time.perf_counter() - start:6.2f} s"
    )
    return p


def main() -> None:
    store = Path(sys.argv[1])
    surge = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    horizons = [int(h) for h in sys.argv[3:]] or [180]
    print(f"machine: {describe()}", flush=True)
    net, system, options, routes = twin(store, surge)
    warm = problem_of(net, system, PlanRequest(PROGRAMS, 7, 1, surge, expansions=options, am=routes))
    build(warm)  # imports and first-call setup of linopy and Pyomo stay out of the timings
    pyomo_model(warm)
    for i, horizon in enumerate(horizons):  # the first solved, the others built only (scaling)
        one(problem(net, system, options, routes, surge, horizon), solve=i == 0)


if __name__ == "__main__":
    main()
