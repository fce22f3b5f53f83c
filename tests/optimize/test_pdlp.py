"""The first-order path (HiGHS's PDLP, on the CPU here) against the simplex method.

Each hand-solved case of ``test_hand`` is planned twice: every stage's optimum of the pdlp
plan is within 1e-4 relative of the simplex plan's (``GAP``), and the independent checker
passes the pdlp plan within ``CHECK`` (relative to the magnitudes it checks, as the checker
scales its tolerance): PDLP stops on 2-norms of the residuals over all rows relative to the
data, at a KKT tolerance of 1e-7, so a single row may be off by more than 1e-7; the checker's
1e-6 for vertices is tightened no further than ten times that.
"""

from collections.abc import Callable
from pathlib import Path

import highspy
import numpy as np
import pyarrow as pa
import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import (
    InfeasiblePlan,
    PlanError,
    Planned,
    PlanRequest,
    Requirement,
    SolverFailed,
    plan,
)
from arsenalnet.optimize.build import build
from arsenalnet.optimize.expansion import expansions_of
from arsenalnet.optimize.planner import Explanation
from arsenalnet.optimize.problem import problem_of
from arsenalnet.optimize.solve import Lexicographic, Lp, SolveOptions, Status
from arsenalnet.optimize.state import from_arrays, to_arrays
from arsenalnet.optimize.summary import summarize
from arsenalnet.optimize.whatif import what_if
from arsenalnet.propagate.system import build_system
from optimize.cases import need, one_plant, option, two_tiers, with_am_printer
from optimize.checker import violations

PDLP = SolveOptions(method="pdlp")
GAP = 1e-4
CHECK = 1e-5

Case = Callable[[Path], tuple[Network, PlanRequest]]


def _dx_do(tmp: Path) -> tuple[Network, PlanRequest]:
    """DX and DO compete for one plant; an option lets DO have its share (the DX, DO, cost and
    flow stages all run)."""
    demand = [need("prd:e", "prog:do", 6, "DO", 0, 9), need("prd:e", "prog:dx", 6, "DX", 0, 9)]
    rows = [option("fac:m", "prd:e", "shift", 10, 0, 1.0)]
    net = one_plant(tmp, demand, 10, {"expansion_option": rows})
    return net, PlanRequest(("prd:e",), 10, expansions=expansions_of(net, pa.Table.from_pylist(rows)))


def _dates(tmp: Path) -> tuple[Network, PlanRequest]:
    demand = [need("prd:e", "prog:b", 10, "DX", 5, 5), need("prd:e", "prog:a", 10, "DX", 3, 3)]
    return one_plant(tmp, demand, 2), PlanRequest(("prd:e",), 6)


def _lead(bucket: int) -> Case:
    return lambda tmp: (two_tiers(tmp, lead=5), PlanRequest(("prd:e",), 10, bucket, in_transit=False))


def _on_the_way(bucket: int) -> Case:
    return lambda tmp: (two_tiers(tmp, lead=5), PlanRequest(("prd:e",), 10, bucket, surge=3))


def _expansion(horizon: int) -> Case:
    def case(tmp: Path) -> tuple[Network, PlanRequest]:
        demand = [need("prd:e", "prog:x", 15, "DX", 0, 29)]
        rows = [
            option("fac:m", "prd:e", "shift", 10, 20, 1e6),
            option("fac:m", "prd:e", "line", 20, 40, 1.0),
        ]
        net = one_plant(tmp, demand, 10, {"expansion_option": rows})
        options = expansions_of(net, pa.Table.from_pylist(rows))
        return net, PlanRequest(("prd:e",), horizon, expansions=options)

    return case


def _am(tmp: Path) -> tuple[Network, PlanRequest]:
    net, routes = with_am_printer(tmp, lead=5)
    return net, PlanRequest(("prd:e",), 10, am=routes, in_transit=False)


CASES: dict[str, Case] = {
    "dx-before-do": _dx_do,
    "earlier-date-first": _dates,
    "lead-time-daily": _lead(1),
    "lead-time-weekly": _lead(7),
    "on-the-way-daily": _on_the_way(1),
    "on-the-way-weekly": _on_the_way(7),
    "expansion-pays-off": _expansion(30),
    "expansion-too-late": _expansion(20),
    "am-fills-in": _am,
}


def assert_close(first: Planned, exact: Planned) -> None:
    """The same stages, each optimum within ``GAP`` x max(1, |simplex's|)."""
    assert [s.name for s in first.result.stages] == [s.name for s in exact.result.stages]
    for f, e in zip(first.result.stages, exact.result.stages, strict=True):
        assert abs(f.optimum - e.optimum) <= GAP * max(1.0, abs(e.optimum)), (f, e)


@pytest.mark.parametrize("case", CASES)
def test_pdlp_gives_each_stage_optimum_of_the_simplex(tmp_path: Path, case: str) -> None:
    net, request = CASES[case](tmp_path)
    system = build_system(net)
    exact = plan(net, system, request)
    first = plan(net, system, request, PDLP)
    assert_close(first, exact)
    assert violations(first.plan, net, surge=request.surge, tol=CHECK) == []
    assert all(b is None for b in first.result.bases)  # PDLP ends off a vertex: no basis


def test_the_summary_says_which_method_and_tolerance_ran(tmp_path: Path) -> None:
    """pdlp: its KKT tolerance 1e-7, the relative hold 1e-7; simplex: no PDLP tolerance, hold 1e-9."""
    net, request = _dates(tmp_path)
    system = build_system(net)
    none = Explanation((), ())
    first = summarize(plan(net, system, request, PDLP), none)
    exact = summarize(plan(net, system, request), none)
    assert (first.method, first.pdlp_tolerance, first.hold) == ("pdlp", 1e-7, 1e-7)
    assert (exact.method, exact.pdlp_tolerance, exact.hold) == ("simplex", None, 1e-9)


def test_pdlp_stopped_by_a_limit_is_one_line_not_a_plan(tmp_path: Path) -> None:
    net, request = _dx_do(tmp_path)
    with pytest.raises(
        SolverFailed,
        match=r"^HiGHS pdlp did not reach its tolerance \(1e-07\) in stage DX: stopped at its iteration "
        r"limit after \d+ iterations; no plan was made$",
    ):
        plan(net, build_system(net), request, SolveOptions(method="pdlp", iteration_limit=5))


def test_the_time_limit_holds_for_each_stage_not_the_whole_solve(tmp_path: Path) -> None:
    """HiGHS counts ``time_limit`` over all runs of an instance: each stage's run gets the run time
    so far plus ``time_limit_s`` (here 1000 s, so the last stage's limit is 1000 s plus what the
    stages before it took)."""
    net, request = _dx_do(tmp_path)
    lp = Lp.of(build(problem_of(net, build_system(net), request)))
    solver = Lexicographic(lp, SolveOptions(method="pdlp", time_limit_s=1000))
    result = solver.run()
    before_last = sum(s.seconds for s in result.stages[:-1])
    limit = solver.highs.getOptionValue("time_limit")[1]
    assert 1000 + 0.5 * before_last < limit <= 1000 + solver.highs.getRunTime()


def test_an_infeasible_requirement_is_named_in_the_same_words(tmp_path: Path) -> None:
    """10 by day 2 when nothing can arrive before day 5 (a cold start, test_hand): HiGHS's presolve finds it
    before PDLP runs. Without presolve PDLP itself calls the LP unbounded; the simplex method
    re-solves the stage for the verdict, and the irreducible set is the same."""
    net = two_tiers(tmp_path, lead=5)
    request = PlanRequest(("prd:e",), 10, requirements=(Requirement("prd:e", 10, 2),), in_transit=False)
    with pytest.raises(InfeasiblePlan, match=r"your requirement of 10 prd:e by day 2"):
        plan(net, build_system(net), request, PDLP)

    lp = Lp.of(build(problem_of(net, build_system(net), request)))
    exact = Lexicographic(lp).run()
    first = Lexicographic(lp, PDLP)
    first.highs.setOptionValue("presolve", "off")
    result = first.run()
    assert (result.status, result.failed_stage) == (Status.INFEASIBLE, "DX")
    assert result.iis is not None and exact.iis is not None
    assert np.array_equal(result.iis.rows, exact.iis.rows)
    assert first.highs.getOptionValue("solver")[1] == "pdlp"  # restored after the verdict


def test_an_unknown_method_is_refused() -> None:
    with pytest.raises(PlanError, match=r"the solver must be one of simplex, ipm, pdlp, got 'choose'"):
        SolveOptions(method="choose")


@pytest.fixture(scope="module")
def shells(tiny_net: Network) -> tuple[Planned, Planned]:
    """The tiny twin's shells, demand doubled, 30 days: by the simplex method and by PDLP."""
    request = PlanRequest(("prd:shell",), 30, surge=2)
    system = build_system(tiny_net)
    return plan(tiny_net, system, request), plan(tiny_net, system, request, PDLP)


def test_a_pdlp_plan_on_the_tiny_twin(shells: tuple[Planned, Planned], tiny_net: Network) -> None:
    exact, first = shells
    assert_close(first, exact)
    assert violations(first.plan, tiny_net, surge=2, tol=CHECK) == []
    assert first.result.stages[0].infeasibility < 1e-3  # HiGHS's measure of the point, units


def test_a_pdlp_plan_what_ifs_with_pdlp_from_a_stored_state(
    shells: tuple[Planned, Planned], tmp_path: Path
) -> None:
    """A what-if of a pdlp plan re-solves with pdlp (cold: no bases), live or from the stored
    state (which keeps the method and tolerances), and agrees with the simplex what-if."""
    exact, first = shells
    text = "cap fac:powder +20%"
    np.savez(tmp_path / "s.npz", **to_arrays(first))  # type: ignore[arg-type]
    with np.load(tmp_path / "s.npz") as f:
        loaded = from_arrays({k: f[k] for k in f.files})
    assert loaded.session.solver.options == PDLP
    assert all(b is None for b in loaded.result.bases)
    live, stored = what_if(first, text), what_if(loaded, text)
    assert_close(live, what_if(exact, text))
    assert [s.optimum for s in stored.result.stages] == pytest.approx(
        [s.optimum for s in live.result.stages], rel=1e-6
    )
    assert live.session.solver.options.method == "pdlp"


def test_each_pdlp_stage_is_held_within_its_tolerance_and_overshoot(tiny_net: Network) -> None:
    """The DX stage of the tiny twin's shells keeps at least v - slack for the stages after it:
    the simplex's slack is 1e-9 x v; PDLP's is 1e-7 x v plus twice e = sum |y| d over the rows
    and bounds its point violates by d (recomputed here from the LP's matrices and a PDLP solve
    of the DX objective alone, which is the run's first stage: PDLP is deterministic)."""
    request = PlanRequest(("prd:shell",), 30, surge=2)
    lp = Lp.of(build(problem_of(tiny_net, build_system(tiny_net), request)))
    dx = lp.stages[0][1]
    stages = []
    for options in (SolveOptions(), PDLP):
        solver = Lexicographic(lp, options)
        stage = solver.run().stages[0]
        assert np.asarray(solver.highs.getLp().row_lower_)[dx] == pytest.approx(stage.optimum - stage.slack)
        stages.append(stage)
    assert stages[0].slack == pytest.approx(1e-9 * stages[0].optimum, rel=1e-9)

    alone = Lexicographic(lp, PDLP)
    _, _, _, cols, coef = alone.objectives()[0]
    alone.highs.changeColsCost(len(cols), cols, coef)
    alone.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
    alone.highs.run()
    sol = alone.highs.getSolution()
    x, ax = np.asarray(sol.col_value), lp.a @ np.asarray(sol.col_value)
    d_rows = np.maximum(0, np.maximum(lp.row_lower - ax, ax - lp.row_upper))
    d_cols = np.maximum(0, np.maximum(lp.col_lower - x, x - lp.col_upper))
    e = np.abs(np.asarray(sol.row_dual)) @ d_rows + np.abs(np.asarray(sol.col_dual)) @ d_cols
    assert 2 * e > 0.01 * 1e-7 * stages[1].optimum  # the overshoot term is not lost in the rounding
    assert stages[1].slack == pytest.approx(1e-7 * stages[1].optimum + 2 * e, rel=1e-6)


def test_ipm_crosses_over_to_the_simplex_optima_and_bases(
    shells: tuple[Planned, Planned], tiny_net: Network
) -> None:
    """--solver ipm: the interior point method, then crossover: the simplex's optima, a basis per
    stage, so a what-if starts warm from them."""
    exact, _ = shells
    ipm = plan(
        tiny_net, build_system(tiny_net), PlanRequest(("prd:shell",), 30, surge=2), SolveOptions("ipm")
    )
    assert [s.optimum for s in ipm.result.stages] == pytest.approx(
        [s.optimum for s in exact.result.stages], rel=1e-9
    )
    assert all(b is not None for b in ipm.result.bases)
    text = "cap fac:powder +20%"
    assert [s.optimum for s in what_if(ipm, text).result.stages] == pytest.approx(
        [s.optimum for s in what_if(exact, text).result.stages], rel=1e-9
    )
