"""A plan fed back into the propagation engine as fixed orders gives the same deliveries."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import PlanRequest, plan
from arsenalnet.optimize.crosscheck import fixed_orders, simulate_plan
from arsenalnet.optimize.expansion import expansions_of
from arsenalnet.optimize.problem import cut_of
from arsenalnet.propagate.replay import replay
from arsenalnet.propagate.system import FirmSystem, build_system
from arsenalnet.synth.generate import generate_twin
from optimize.cases import with_am_printer


def same_within(replayed: np.ndarray, planned: np.ndarray, share: float) -> bool:
    return bool(np.all(np.abs(replayed - planned) <= share * np.maximum(planned[:, -1:], 1.0)))


@pytest.fixture(scope="module")
def system(generated_net: Network) -> FirmSystem:
    return build_system(generated_net)


@pytest.mark.parametrize(("surge", "bucket"), [(1.0, 1), (3.0, 1), (3.0, 7)])
def test_the_three_programs_replay_within_one_percent(
    generated_net: Network, system: FirmSystem, surge: float, bucket: int
) -> None:
    """Every reference program, with the generator's expansion options: each demand row's
    cumulative deliveries in the engine match the plan's to 1% of its total at every step
    (in fact to solver precision)."""
    options = expansions_of(generated_net, generate_twin(2000, 1)["expansion_option"])
    request = PlanRequest(
        ("prd:155mm-shell", "prd:guided-missile", "prd:small-uas"), 56, bucket, surge, expansions=options
    )
    planned = plan(generated_net, system, request)
    out, delivered = simulate_plan(generated_net, system, planned)
    assert same_within(delivered, planned.plan.delivered, 0.01)
    assert same_within(delivered, planned.plan.delivered, 1e-6)
    assert np.allclose(out.made, planned.plan.production, rtol=1e-6, atol=1e-6)


def test_am_parts_replay_too(tmp_path: Path) -> None:
    net, routes = with_am_printer(tmp_path, lead=5)
    system = build_system(net)
    planned = plan(net, system, PlanRequest(("prd:e",), 10, am=routes, in_transit=False))
    _, delivered = simulate_plan(net, system, planned)
    assert delivered[0].tolist() == pytest.approx([0, 0, 0, 0, 10, 60, 70, 80, 90, 100], abs=1e-6)


def test_a_plan_that_ignores_a_lead_time_does_not_replay(generated_net: Network, system: FirmSystem) -> None:
    """The check can fail: the same orders with every link one step slower deliver less."""
    planned = plan(generated_net, system, PlanRequest(("prd:155mm-shell",), 40, surge=3))
    cut = cut_of(generated_net, system, ("prd:155mm-shell",))
    orders = fixed_orders(planned, cut.system.n_slots, len(cut.system.final_source))
    slower = replay(cut.system, dataclasses.replace(orders, lag=orders.lag + 1))
    rows = np.searchsorted(cut.rows, planned.problem.row_demand)
    assert not same_within(np.cumsum(slower.row_delivered[rows], axis=1), planned.plan.delivered, 0.01)
