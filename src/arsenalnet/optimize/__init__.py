"""The mobilization planner: a time-expanded LP over the upstream cone of the end items.

``problem_of`` lays the cone over time buckets, ``build`` makes the linopy model, ``solve``
runs the DPAS stages with HiGHS, ``extract`` reads the plan back, ``explain`` says why, and
``what_if`` re-solves warm after a change (see docs/mobilize.md). linopy and highspy are
imported only when a model is built or solved.
"""

from arsenalnet.optimize.errors import InfeasiblePlan, PlanError, SolverFailed
from arsenalnet.optimize.planner import Explanation, Planned, explain, plan, solve_problem
from arsenalnet.optimize.problem import Problem, problem_of
from arsenalnet.optimize.request import Expansions, PlanRequest, Requirement

__all__ = [
    "Expansions",
    "Explanation",
    "InfeasiblePlan",
    "PlanError",
    "PlanRequest",
    "Planned",
    "Problem",
    "Requirement",
    "SolverFailed",
    "explain",
    "plan",
    "problem_of",
    "solve_problem",
]
