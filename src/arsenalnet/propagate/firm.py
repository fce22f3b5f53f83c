"""The day-by-day firm-level propagation engine (ARIO family).

One day ``t``, for every node at once (see docs/propagation.md for the
equations and their sources):

1. **Demand.** A node faces the orders its buyers placed yesterday on its
   arcs (what an export ban or a cut link lets through), its share of program
   demand (by DPAS class) and its unrated outside demand.
2. **Production.** It plans ``min(demand, ceiling)``, where the ceiling is its
   shocked capacity times a utilization that ramps from normal towards full
   over ``ramp_days`` while demand exceeds it. It makes the plan times the
   scarcest input's coverage (Leontief): ``min over inputs of stock / need``.
3. **Rationing.** It ships DX orders first, then DO, then unrated, in
   proportion within a class.
4. **Stocks.** Inputs used leave the slots; today's deliveries arrive.
5. **Orders.** Each slot orders its planned use plus the gap to its target
   stock over ``restore_days``; a slot splits its orders over its arcs by
   their shares, moving orders away from an arc that has delivered short for
   ``switch_days`` days to the others (in proportion to what it still
   delivers), and back when it recovers. The DPAS class of an order is the
   class mix of the demand the ordering nodes serve.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.kernel import MIX, day_step, prime_demand
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.rationing import N_CLASSES
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CHANGED = 1e-9
"""Relative change of a node's production that counts as a change in the recorded series."""


@dataclass(frozen=True)
class Trajectory:
    """What a run produced, day by day.

    ``row_delivered`` and ``row_demand`` (days, D): units delivered to and
    demanded by each demand row. ``production_ratio`` (days,) total production
    over baseline. Nodes are the Network's capabilities, in its order.
    ``lost_output_days`` (K,): sum over days of ``1 - x/x0``
    per node (days of normal output lost; days above normal do not offset). ``changes`` are the recorded
    (day, node, production) triples of nodes whose production differs from
    the baseline, when ``record=True``.
    """

    days: int
    row_delivered: FloatArray
    row_demand: FloatArray
    lost_output_days: FloatArray
    production_ratio: FloatArray
    change_day: npt.NDArray[np.int32]
    change_node: npt.NDArray[np.int32]
    change_production: npt.NDArray[np.float32]
    worst_overproduction: float = 0.0
    """Largest ``production - shocked capacity`` of any node on any day (units/day; <= 0)."""
    lowest_stock: float = 0.0
    """Smallest input stock before clipping on any day (units; >= 0 up to rounding)."""
    worst_overshipment: float = 0.0
    """Largest ``shipped - produced`` of any node on any day (units/day; <= 0 up to rounding)."""


def _rows(n: int) -> FloatArray:
    """(n, 8) zeros, each row one 64-byte cache line (the kernel reads a row at random)."""
    buf = np.zeros(n * 8 + 8)
    skip = (-buf.ctypes.data % 64) // 8
    rows: FloatArray = buf[skip : skip + n * 8].reshape(n, 8)
    return rows


@dataclass(frozen=True)
class _ShockedArcs:
    """Where the shocks land in the system: the nodes of shocked capabilities, the arcs
    over shocked links and, per arc, its link's position in ``Shocks.link_ids``."""

    nodes: IntArray
    arcs: IntArray
    arc_pos: IntArray

    @classmethod
    def of(cls, sy: FirmSystem, shocks: Shocks) -> "_ShockedArcs":
        arcs = np.flatnonzero(np.isin(sy.arc_link, shocks.link_ids) & (sy.arc_link >= 0))
        return cls(
            sy.cap_node[shocks.capacity_nodes], arcs, np.searchsorted(shocks.link_ids, sy.arc_link[arcs])
        )


def simulate(
    system: FirmSystem,
    shocks: Shocks,
    params: Params | None = None,
    *,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Trajectory:
    """Run the firm-level model for ``shocks.days`` days from the baseline.

    ``record`` keeps the (day, node, production) of every node off its baseline;
    ``progress(day)`` is called after each simulated day.
    """
    p = params or Params()
    sy = system
    n_k, n_s, n_d = sy.n_nodes, sy.n_slots, len(sy.row_qty)
    n_a, n_r, days = len(sy.arc_source), len(sy.final_source), shocks.days
    x0 = sy.x0
    normal_share = np.where(sy.capacity > 0, x0 / np.where(sy.capacity > 0, sy.capacity, 1.0), 1.0)

    # the kernel's view of the structure: 32-bit indices, edges also in slot order
    i32 = np.int32
    edge_ptr, edge_slot = sy.edge_ptr.astype(i32), sy.edge_slot.astype(i32)
    slot_edge_ptr, slot_edge_node = sy.slot_edge_ptr.astype(i32), sy.edge_node[sy.slot_edge].astype(i32)
    slot_edge_qty, slot_edge_days = sy.edge_qty[sy.slot_edge], sy.edge_days[sy.slot_edge]
    arc_ptr, arc_source, chunk = sy.arc_ptr.astype(i32), sy.arc_source.astype(i32), sy.chunk.astype(i32)
    ramp = sy.ramp_days.astype(np.float64)
    max_arcs = int(np.diff(sy.arc_ptr).max(initial=0))

    # state at the baseline
    base_use = np.bincount(sy.edge_slot, sy.edge_qty * x0[sy.edge_node], minlength=n_s)
    stock = np.bincount(sy.edge_slot, sy.edge_days * sy.edge_qty * x0[sy.edge_node], minlength=n_s)
    arc_orders = sy.arc_share * base_use[sy.arc_slot]
    slot_mix = np.ascontiguousarray(sy.slot_mix.T)
    supply, node = _rows(n_k), _rows(n_k)
    node[:, MIX + N_CLASSES - 1] = 1.0
    headroom = np.zeros(n_k)
    # days each arc has been short, counted up to switch_days (all the kernel compares)
    arc_short = np.zeros(n_a, dtype=np.uint8 if 0 <= p.switch_days <= 255 else np.int64)
    final_short = np.zeros(n_r, dtype=np.int64)
    final_w = sy.final_share.copy()
    cover = np.empty(n_s)

    # shocks, day by day: only what a shock names is touched
    where = _ShockedArcs.of(sy, shocks)
    cap_t = sy.capacity.copy()
    use_links = bool(shocks.links)
    link_t, link_next = (np.ones(n_a), np.ones(n_a)) if use_links else (np.ones(1), np.ones(1))
    if use_links:
        link_t[where.arcs] = shocks.links_on(0)[where.arc_pos]

    row_delivered = np.zeros((days, n_d))
    row_demand = np.zeros((days, n_d))
    lost = np.zeros(n_k)
    moved = np.zeros(n_k, dtype=np.bool_)
    ratio = np.zeros(days)
    ch_day: list[npt.NDArray[np.int32]] = []
    ch_node: list[npt.NDArray[np.int32]] = []
    ch_x: list[npt.NDArray[np.float32]] = []
    total0 = float(x0.sum()) or 1.0
    checks = np.array([-np.inf, np.inf, -np.inf])
    x = np.empty(n_k)
    node_cap32 = sy.node_cap.astype(np.int32)

    prime_demand(arc_ptr, arc_source, arc_orders, link_t, use_links, slot_mix, chunk, supply)
    for t in range(days):
        if len(where.nodes):
            cap_t[where.nodes] = sy.capacity[where.nodes] * shocks.capacity_on(t)
        if use_links:
            link_next[where.arcs] = shocks.links_on(t + 1)[where.arc_pos]
        active = (sy.row_start <= t) & ((sy.row_end < 0) | (sy.row_end >= t))
        row_q = sy.row_qty * active * shocks.demand_factor(n_d, t)
        day_step(
            edge_ptr,
            edge_slot,
            slot_edge_ptr,
            slot_edge_node,
            slot_edge_qty,
            slot_edge_days,
            sy.slot_supplied,
            arc_ptr,
            arc_source,
            sy.arc_share,
            chunk,
            sy.final_source,
            sy.final_row,
            sy.final_share,
            sy.row_class,
            sy.capacity,
            normal_share,
            ramp,
            sy.other_demand,
            x0,
            float(p.restore_days),
            int(p.switch_days),
            CHANGED,
            max_arcs,
            cap_t,
            use_links,
            link_t,
            link_next,
            row_q,
            stock,
            arc_orders,
            slot_mix,
            headroom,
            arc_short,
            final_short,
            final_w,
            supply,
            node,
            cover,
            x,
            row_delivered[t],
            lost,
            moved,
            checks,
        )
        link_t, link_next = link_next, link_t
        row_demand[t] = row_q

        # what is recorded
        ratio[t] = x.sum() / total0
        if record:
            changed = np.flatnonzero(moved)
            ch_day.append(np.full(len(changed), t, dtype=np.int32))
            ch_node.append(node_cap32[changed])
            ch_x.append(x[changed].astype(np.float32))
        if progress:
            progress(t)

    def cat(parts: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

    return Trajectory(
        days=days,
        row_delivered=row_delivered,
        row_demand=row_demand,
        lost_output_days=lost[sy.cap_node],
        production_ratio=ratio,
        change_day=cat(ch_day, np.int32),  # type: ignore[arg-type]
        change_node=cat(ch_node, np.int32),  # type: ignore[arg-type]
        change_production=cat(ch_x, np.float32),  # type: ignore[arg-type]
        worst_overproduction=float(checks[0]),
        lowest_stock=float(checks[1]),
        worst_overshipment=float(checks[2]),
    )
