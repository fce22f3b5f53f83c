"""A plan fed back into the propagation engine as fixed orders (:mod:`arsenalnet.propagate.replay`).

The plan's production, shipments and deliveries become the orders of each step; the engine's
physics (capacity ceilings, the scarcest input, DPAS rationing, lead times) decide what
happens. A feasible plan gives the same deliveries; the planner's tests hold it to 1%.
"""

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Network
from arsenalnet.optimize.planner import Planned
from arsenalnet.optimize.problem import N_CLASSES, cut_of
from arsenalnet.propagate.replay import FixedOrders, Replayed, replay
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]


def fixed_orders(planned: Planned, n_slots: int, n_finals: int) -> FixedOrders:
    """The plan's orders in the numbering of the cut system (``n_slots`` slots, ``n_finals``
    final arcs) it was built on."""
    p, plan = planned.problem, planned.plan
    n_b = p.n_buckets
    deliver = np.zeros((n_finals, n_b))
    deliver[p.final_system] = plan.delivery
    initial = np.zeros(n_slots)
    initial[p.slot_system] = p.initial_stock
    supply = np.zeros((n_slots, n_b + p.am_lag))
    supply[p.slot_system, :n_b] = p.in_transit
    j, b = np.nonzero(plan.am_ship)
    np.add.at(supply, (p.slot_system[p.am_arc_slot[j]], b + p.am_lag), plan.am_ship[j, b])
    extra = np.zeros_like(p.capacity)
    np.add.at(extra, p.option_node, p.option_extra[:, None] * p.option_days * plan.expansion[:, None])
    slot_class = np.full(len(p.slot_facility), N_CLASSES - 1, dtype=np.int64)
    np.minimum.at(slot_class, p.edge_slot, p.rating[p.edge_node].astype(np.int64))
    return FixedOrders(
        make=plan.production,
        ship=plan.shipment,
        deliver=deliver,
        ceiling=p.capacity + extra,
        lag=p.arc_lag,
        passed=p.arc_pass,
        arc_class=slot_class[p.arc_slot],
        initial=initial,
        supply=supply[:, :n_b],
    )


def simulate_plan(net: Network, system: FirmSystem, planned: Planned) -> tuple[Replayed, FloatArray]:
    """Replay ``planned`` (made on ``net`` and ``system``) through the engine; also the cumulative
    deliveries per demand row of the plan (D, B), to set beside ``planned.plan.delivered``."""
    p = planned.problem
    cut = cut_of(net, system, tuple(dict.fromkeys(p.row_product.tolist())))
    out = replay(cut.system, fixed_orders(planned, cut.system.n_slots, len(cut.system.final_source)))
    rows = np.searchsorted(cut.rows, p.row_demand)
    return out, np.cumsum(out.row_delivered[rows], axis=1)
