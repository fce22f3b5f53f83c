"""What a planner run reports: sizes, timings, each stage's optimum, end items, expansions taken,
AM used, bottlenecks and shortfalls (one typed object; the CLI prints it or writes it as JSON)."""

from dataclasses import dataclass

import numpy as np

from arsenalnet.optimize.explain import Bottleneck, Shortfall
from arsenalnet.optimize.extract import ItemOutcome
from arsenalnet.optimize.planner import Explanation, Planned
from arsenalnet.optimize.solve import Stage

TAKEN = 1e-6
"""Share of an option below which it counts as not taken."""


@dataclass(frozen=True)
class OptionTaken:
    """An expansion option the plan takes: the ``share`` of it (1 = whole), its cost share (USD)."""

    facility_id: str
    product_id: str
    option: str
    share: float
    extra_capacity_per_day: float
    in_place_from_day: int
    cost: float


@dataclass(frozen=True)
class AmUse:
    """AM parts the plan prints: ``units`` of ``product_id`` on ``machines`` machines, the first
    finished on ``first_day``."""

    product_id: str
    units: float
    machines: int
    first_day: int


@dataclass(frozen=True)
class PlanSummary:
    """A plan's report. Times in seconds; stage optima in unit-days on time (delivery stages),
    USD (cost) and units (flow). ``method`` is the HiGHS solver that ran (simplex, ipm, pdlp),
    ``pdlp_tolerance`` its relative KKT tolerance (pdlp only, else None), ``hold`` the relative
    slack each stage's optimum was held with for the stages after it (for pdlp, plus twice its
    estimated overshoot: each stage's ``slack`` is what was used)."""

    method: str
    pdlp_tolerance: float | None
    hold: float
    products: list[str]
    horizon_days: int
    bucket_days: int
    capabilities: int
    links: int
    variables: int
    constraints: int
    build_seconds: float
    solve_seconds: float
    stages: list[Stage]
    end_items: list[ItemOutcome]
    expansions: list[OptionTaken]
    am: list[AmUse]
    bottlenecks: list[Bottleneck]
    shortfalls: list[Shortfall]


def summarize(planned: Planned, why: Explanation) -> PlanSummary:
    """The report of ``planned`` with its explanation."""
    p, plan = planned.problem, planned.plan
    taken = np.flatnonzero(plan.expansion > TAKEN)
    am = []
    for i, product in enumerate(p.am_pool_product.tolist()):
        rows = p.am_route_pool == i
        units = plan.am_print[rows]
        if units.sum() > TAKEN:
            first = int(np.flatnonzero(units.sum(axis=0) > TAKEN)[0])
            used = np.unique(p.am_route_machine[rows][units.sum(axis=1) > TAKEN])
            am.append(AmUse(product, float(units.sum()), len(used), int(p.bucket_start[first])))
    options = planned.session.solver.options
    return PlanSummary(
        method=options.method,
        pdlp_tolerance=options.pdlp_tolerance if options.method == "pdlp" else None,
        hold=options.hold,
        products=list(dict.fromkeys(p.row_product.tolist())),
        horizon_days=p.horizon_days,
        bucket_days=p.bucket_days,
        capabilities=p.n_nodes,
        links=int((p.arc_link >= 0).sum()),
        variables=planned.lp.n_cols,
        constraints=planned.lp.n_rows,
        build_seconds=planned.build_seconds,
        solve_seconds=planned.result.seconds,
        stages=list(planned.result.stages),
        end_items=plan.outcomes(),
        expansions=[
            OptionTaken(
                str(p.node_facility[p.option_node[o]]),
                str(p.node_product[p.option_node[o]]),
                str(p.option_name[o]),
                float(plan.expansion[o]),
                float(p.option_extra[o]),
                int(np.ceil(p.option_lead_days[o])),
                float(plan.expansion[o] * p.option_cost[o]),
            )
            for o in taken
        ],
        am=am,
        bottlenecks=list(why.bottlenecks),
        shortfalls=list(why.shortfalls),
    )
