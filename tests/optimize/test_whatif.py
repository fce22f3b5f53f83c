"""What-ifs: the grammar, warm re-solves equal to cold solves, and a plan's state round trip."""

from pathlib import Path

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import PlanError, Planned, PlanRequest, plan, solve_problem
from arsenalnet.optimize.state import from_arrays, to_arrays
from arsenalnet.optimize.whatif import apply, parse, what_if
from arsenalnet.propagate.system import build_system
from optimize.checker import violations


@pytest.fixture(scope="module")
def shells(tiny_net: Network) -> Planned:
    """The tiny twin's shells, demand doubled, 60 days from a cold start: powder (40 days by sea)
    limits them."""
    return plan(tiny_net, build_system(tiny_net), PlanRequest(("prd:shell",), 60, surge=2, in_transit=False))


def optima(p: Planned) -> list[float]:
    return [s.optimum for s in p.result.stages]


@pytest.mark.parametrize(
    "text",
    [
        "cap fac:powder +20%",
        "cap fac:lap prd:shell x0.5 days 10-30",
        "shock fac:powder 100% from day 5",
        "demand prd:shell -50% days 0-29",
        "demand prd:shell prog:army-artillery =100",
        "cut fac:powder fac:lap days 0-9; cap fac:forge +50",
    ],
)
def test_a_warm_what_if_equals_a_cold_solve(shells: Planned, tiny_net: Network, text: str) -> None:
    """Changing bounds in place and re-solving from the stored bases gives the optima of a model
    built from scratch on the changed problem; the plan passes the checker."""
    changed = what_if(shells, text)
    problem = shells.problem
    for change in parse(text, problem.horizon_days):
        problem = apply(problem, change)
    cold = solve_problem(problem)
    assert optima(changed) == pytest.approx(optima(cold), rel=1e-6)
    surge = 2.0 if "demand" not in text else None
    if surge:
        assert violations(changed.plan, tiny_net, surge=surge) == []


def test_what_ifs_apply_to_the_plan_they_start_from(shells: Planned) -> None:
    """Two what-ifs from one plan: the second does not carry the first's change."""
    up = what_if(shells, "cap fac:powder +20%")
    down = what_if(shells, "shock fac:powder 50%")
    again = what_if(shells, "cap fac:powder +20%")
    assert optima(again) == pytest.approx(optima(up), rel=1e-9)
    assert optima(down)[0] < optima(shells)[0] < optima(up)[0]


def test_more_powder_means_more_shells_and_a_cut_means_fewer(shells: Planned) -> None:
    base = shells.plan.outcomes()[0].delivered
    assert what_if(shells, "cap fac:powder +20%").plan.outcomes()[0].delivered > base
    assert what_if(shells, "cut fac:powder fac:lap").plan.outcomes()[0].delivered < base


def test_a_stored_plan_what_ifs_like_the_live_one(shells: Planned, tmp_path: Path) -> None:
    """The state written to a file and read back (no linopy, no Network) re-solves to the same optima."""
    np.savez(tmp_path / "s.npz", **to_arrays(shells))  # type: ignore[arg-type]
    with np.load(tmp_path / "s.npz") as f:
        loaded = from_arrays({k: f[k] for k in f.files})
    assert optima(loaded) == optima(shells)
    assert np.array_equal(loaded.plan.delivered, shells.plan.delivered)
    text = "cap fac:lap +10% days 20-40"
    assert optima(what_if(loaded, text)) == pytest.approx(optima(what_if(shells, text)), rel=1e-9)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"--what-if names no change"),
        (" ; ", r"--what-if names no change"),
        (
            "cap fac:nowhere +20%",
            r"what-if 'cap fac:nowhere \+20%': fac:nowhere is not a facility in this plan",
        ),
        ("cap fac:lap prd:ore +20%", r"fac:lap does not make prd:ore in this plan"),
        ("demand prd:ore x2", r"prd:ore is not a planned end item in this plan"),
        ("cut fac:mine fac:lap", r"no supply link from fac:mine to fac:lap in this plan"),
        ("cap fac:lap twenty", r"'twenty' is not an amount"),
        ("shock fac:lap 120%", r"'120%' is not a share of capacity lost"),
        ("cap fac:lap +20% days 50-70", r"days 50-70 are not inside the horizon \(0 to 59\)"),
        ("cap fac:lap +20% days ten", r"cannot read the days"),
        ("grow fac:lap +20%", r"write cap\|shock FACILITY"),
    ],
)
def test_a_what_if_naming_nothing_is_one_clear_line(shells: Planned, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        what_if(shells, text)


def test_a_window_changes_only_its_days(shells: Planned) -> None:
    """``x0`` on days 10-19 of the shell plant: capacity 0 there, unchanged elsewhere."""
    [change] = parse("cap fac:lap x0 days 10-19", 60)
    p = apply(shells.problem, change)
    lap = p.node_facility == "fac:lap"
    assert (p.capacity_day[lap][:, 10:20] == 0).all()
    assert np.array_equal(p.capacity_day[lap][:, :10], shells.problem.capacity_day[lap][:, :10])
    assert np.array_equal(p.capacity_day[lap][:, 20:], shells.problem.capacity_day[lap][:, 20:])
