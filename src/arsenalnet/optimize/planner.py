"""The planner end to end: problem, model, lexicographic solve, plan, explanation.

Typical use::

    from arsenalnet.optimize import PlanRequest, plan
    planned = plan(net, build_system(net), PlanRequest(("prd:155mm-shell",), horizon_days=180, surge=3))
    planned.plan.outcomes()                 # per end item: required, delivered, short, on time
    why = explain(planned)                  # bottlenecks and the chains behind shortfalls
    again = what_if(planned, "cap fac:ref-lap-ia +20%")   # warm re-solve, no rebuild
"""

import time
from dataclasses import dataclass

from arsenalnet.network import Network
from arsenalnet.optimize.errors import InfeasiblePlan, PlanError, SolverFailed
from arsenalnet.optimize.explain import (
    Bottleneck,
    Shortfall,
    bottlenecks,
    infeasibility,
    marginals,
    shortfalls,
)
from arsenalnet.optimize.extract import Plan, extract
from arsenalnet.optimize.problem import Problem, problem_of
from arsenalnet.optimize.request import PlanRequest
from arsenalnet.optimize.solve import Lexicographic, Lp, SolveOptions, SolveResult, Status
from arsenalnet.propagate.system import FirmSystem


class Session:
    """The HiGHS model of a plan and the problem it currently holds (what-ifs change both)."""

    def __init__(self, lp: Lp, solver: Lexicographic, problem: Problem) -> None:
        self.lp = lp
        self.solver = solver
        self.problem = problem


@dataclass(frozen=True)
class Planned:
    """A solved plan: its problem, the LP layout, the solve, the plan, and timings (seconds)."""

    problem: Problem
    session: Session
    result: SolveResult
    plan: Plan
    build_seconds: float = 0.0

    @property
    def lp(self) -> Lp:
        """The LP's layout and matrices."""
        return self.session.lp


@dataclass(frozen=True)
class Explanation:
    """Bottlenecks (per class, most valuable first) and the chains behind shortfalls."""

    bottlenecks: tuple[Bottleneck, ...]
    shortfalls: tuple[Shortfall, ...]


def checked(problem: Problem, lp: Lp, result: SolveResult, options: SolveOptions) -> SolveResult:
    """``result`` if optimal; else the error that says why, in words."""
    if result.status == Status.INFEASIBLE and result.iis is not None:
        raise InfeasiblePlan(
            f"infeasible plan ({result.failed_stage}): {infeasibility(problem, lp, result.iis)}"
        )
    if result.status == Status.UNBOUNDED:
        raise PlanError(
            f"the plan is unbounded in stage {result.failed_stage}: some quantity can grow without limit "
            "(check for infinite capacities or demand)"
        )
    if result.status != Status.OPTIMAL:
        goal = f"its tolerance ({options.pdlp_tolerance:g})" if options.method == "pdlp" else "an optimum"
        raise SolverFailed(
            f"HiGHS {options.method} did not reach {goal} in stage {result.failed_stage}: "
            f"{result.reason}; no plan was made"
        )
    return result


def solve_problem(problem: Problem, options: SolveOptions | None = None) -> Planned:
    """Build ``problem``'s model, solve it stage by stage and extract the plan."""
    from arsenalnet.optimize.build import build  # pandas, xarray and linopy: only when a model is built

    t0 = time.perf_counter()
    lp = Lp.of(build(problem))
    built = time.perf_counter() - t0
    solver = Lexicographic(lp, options)
    result = checked(problem, lp, solver.run(), solver.options)
    return Planned(problem, Session(lp, solver, problem), result, extract(lp, result, problem), built)


def plan(
    net: Network, system: FirmSystem, request: PlanRequest, options: SolveOptions | None = None
) -> Planned:
    """Plan ``request`` on ``net`` (``system`` = ``build_system(net)``)."""
    return solve_problem(problem_of(net, system, request), options)


def explain(planned: Planned, top: int = 10) -> Explanation:
    """Why the plan is what it is (re-solves one marginal LP per delivery class, warm)."""
    margins = marginals(planned.session.solver, planned.result, planned.problem)
    return Explanation(
        tuple(bottlenecks(planned.plan, planned.lp, planned.result, margins, top)),
        tuple(shortfalls(planned.plan, planned.lp, margins)),
    )
