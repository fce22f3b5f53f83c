"""The upstream cone of the end items, and the system cut down to it."""

from pathlib import Path

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.propagate.cone import makers, subsystem, upstream, upstream_tiers
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import compile_scenario, load_scenario
from arsenalnet.scenario.draws import compile_draw

SCENARIOS = sorted((Path(__file__).parents[2] / "scenarios").glob("*.yaml"))


def test_tiers_of_the_tiny_twin(tiny_net: Network) -> None:
    """The tiny twin's chain: end item <- subassembly <- part <- material, one tier each."""
    sy = build_system(tiny_net)
    end = makers(sy, np.unique(tiny_net.demand_product))
    tiers = upstream_tiers(sy, end)
    assert len(tiers) >= 2
    seen = np.concatenate(tiers)
    assert len(np.unique(seen)) == len(seen)  # each node at its first tier only
    assert upstream(sy, end).sum() == len(seen)


def test_the_cut_starts_in_the_whole_systems_steady_state(generated_net: Network) -> None:
    sy = build_system(generated_net)
    cut = subsystem(sy, upstream(sy, makers(sy, np.unique(generated_net.demand_product))))
    assert 0 < cut.system.n_nodes < sy.n_nodes
    assert np.array_equal(cut.system.x0, sy.x0[cut.nodes])
    tr = simulate(cut.system, Shocks(365))
    assert tr.change_day.size == 0
    assert np.array_equal(tr.row_delivered, tr.row_demand)


def shocks_of(path: Path, net: Network, days: int) -> tuple[Shocks, Params]:
    """The scenario's shocks; for one drawn at random, the first draw in which something happens."""
    scenario = load_scenario(path)
    if scenario.random_line() is None:
        return compile_scenario(scenario, net, days)
    draws = (compile_draw(scenario, net, 0, i, days) for i in range(100))
    return next((s, p) for s, p in draws if s.capacity or s.links or s.demand)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_end_items_on_the_cut_match_the_whole(generated_net: Network, path: Path) -> None:
    """Every shipped scenario: the rated end items' deliveries are the same on the cone."""
    net = generated_net
    sy = build_system(net)
    cut = subsystem(sy, upstream(sy, makers(sy, np.unique(net.demand_product))))
    shocks, params = shocks_of(path, net, 120)
    whole = simulate(sy, shocks, params, record=False)
    part = simulate(cut.system, cut.shocks(shocks), params, record=False)
    assert np.allclose(part.row_delivered, whole.row_delivered[:, cut.rows], rtol=1e-9, atol=1e-9)


def test_a_cut_that_is_not_closed_upstream_is_refused(generated_net: Network) -> None:
    sy = build_system(generated_net)
    end = makers(sy, np.unique(generated_net.demand_product))
    keep = np.zeros(sy.n_nodes, dtype=bool)
    keep[end] = True
    with pytest.raises(ValueError, match="not closed upstream"):
        subsystem(sy, keep)


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_run_leaves_the_cut_as_it_was(generated_net: Network, path: Path) -> None:
    """The cut's arrays (gathered by fancy indexing, so some are Fortran-ordered) are not written by
    a run: a second run on the same cut gives the first one's deliveries, and every array of the
    system is unchanged (Ray hands workers read-only arrays; a write would fail there)."""
    sy = build_system(generated_net)
    cut = subsystem(sy, upstream(sy, makers(sy, np.unique(generated_net.demand_product))))
    before = {k: np.array(v, copy=True) for k, v in vars(cut.system).items() if isinstance(v, np.ndarray)}
    shocks, params = shocks_of(path, generated_net, 120)
    first = simulate(cut.system, cut.shocks(shocks), params, record=False)
    second = simulate(cut.system, cut.shocks(shocks), params, record=False)
    assert np.array_equal(first.row_delivered, second.row_delivered)
    assert all(np.array_equal(getattr(cut.system, k), v) for k, v in before.items())
