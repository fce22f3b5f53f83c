"""Tiled systems: B disjoint copies stepped as one give each copy's own run, bit for bit."""

import numpy as np

from arsenalnet.network import Network
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.shocks import CapacityShock, Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.propagate.tile import tile_system


def test_three_copies_with_different_outages_match_three_runs(generated_net: Network) -> None:
    net = generated_net
    one = build_system(net)
    k, d, days = one.n_nodes, len(one.row_qty), 60
    # copy c loses the c-th busiest end-item maker's supplier capabilities for 10 + 5c days
    victims = np.argsort(-one.x0[one.cap_node])[:3]
    shocks = []
    for c, cap in enumerate(victims):
        loss = np.zeros(days)
        loss[3 : 13 + 5 * c] = 1.0
        shocks.append(CapacityShock(np.array([cap]), loss))
    alone = [simulate(one, Shocks(days, capacity=(s,)), record=False) for s in shocks]

    tiled = tile_system(one, 3, net.n_facilities)
    batch = Shocks(days, capacity=tuple(CapacityShock(s.nodes + c * k, s.loss) for c, s in enumerate(shocks)))
    together = simulate(tiled, batch, record=False)
    for c in range(3):
        assert np.array_equal(together.row_delivered[:, c * d : (c + 1) * d], alone[c].row_delivered)
        assert np.array_equal(together.lost_output_days[c * k : (c + 1) * k], alone[c].lost_output_days)
    assert any(a.lost_output_days.sum() > 0 for a in alone)  # the outages did something
