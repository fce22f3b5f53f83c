"""The planner's errors: one line each, naming what is wrong and where."""

from arsenalnet.model.errors import ArsenalError, InputError


class PlanError(InputError):
    """A plan cannot be made as asked: an unknown product, a horizon of 0, a bad what-if (exit 2)."""


class InfeasiblePlan(InputError):
    """The hard constraints the user set contradict each other; the message names an irreducible
    set of them in words (exit 2)."""


class SolverFailed(ArsenalError):
    """HiGHS stopped without an optimum for a reason other than infeasibility (exit 1)."""
