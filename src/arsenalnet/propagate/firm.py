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

from arsenalnet.propagate.params import Params
from arsenalnet.propagate.rationing import N_CLASSES, ration_by_priority
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
    over baseline. ``lost_output_days`` (K,): sum over days of ``1 - x/x0``
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


def _segment_min(values: FloatArray, ptr: IntArray, empty: float) -> FloatArray:
    """Minimum of ``values`` over each segment ``ptr[i]:ptr[i+1]`` (``empty`` for empty ones)."""
    out = np.full(len(ptr) - 1, empty)
    nonempty = ptr[1:] > ptr[:-1]
    if values.size:
        out[nonempty] = np.minimum.reduceat(values, ptr[:-1][nonempty])
    return out


def _weights(
    share: FloatArray, group: IntArray, n: int, avail: FloatArray, short: IntArray, switch_days: int
) -> FloatArray:
    """Order shares per arc: the baseline share, times what a long-short arc still delivers,
    renormalized within its group (slot or demand row); unchanged where every arc is short."""
    w = share * np.where(short >= switch_days, avail, 1.0)
    total = np.bincount(group, w, minlength=n)
    return np.where(total[group] > 0, w / np.where(total[group] > 0, total[group], 1.0), share)


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
    safe_x0 = np.where(x0 > 0, x0, 1.0)
    normal_share = np.where(sy.capacity > 0, x0 / np.where(sy.capacity > 0, sy.capacity, 1.0), 1.0)

    # state at the baseline
    base_use = np.bincount(sy.edge_slot, sy.edge_qty * x0[sy.edge_node], minlength=n_s)
    stock = np.bincount(sy.edge_slot, sy.edge_days * sy.edge_qty * x0[sy.edge_node], minlength=n_s)
    arc_orders = sy.arc_share * base_use[sy.arc_slot]
    slot_mix = sy.slot_mix.copy()
    node_class = np.zeros((N_CLASSES, n_k))
    node_class[N_CLASSES - 1] = 1.0
    headroom = np.zeros(n_k)
    arc_short = np.zeros(n_a, dtype=np.int64)
    final_short = np.zeros(n_r, dtype=np.int64)
    arc_w, final_w = sy.arc_share.copy(), sy.final_share.copy()
    links = sy.arc_link >= 0

    row_delivered = np.zeros((days, n_d))
    row_demand = np.zeros((days, n_d))
    lost = np.zeros(n_k)
    ratio = np.zeros(days)
    ch_day: list[npt.NDArray[np.int32]] = []
    ch_node: list[npt.NDArray[np.int32]] = []
    ch_x: list[npt.NDArray[np.float32]] = []
    total0 = float(x0.sum()) or 1.0
    over_p, low_s, over_s = -np.inf, np.inf, -np.inf

    for t in range(days):
        cap_t = sy.capacity * shocks.capacity_factor(n_k, t)
        link_t = np.ones(n_a)
        if shocks.links:
            link_t[links] = shocks.link_factor(sy.n_links, t)[sy.arc_link[links]]
        active = (sy.row_start <= t) & ((sy.row_end < 0) | (sy.row_end >= t))
        row_q = sy.row_qty * active * shocks.demand_factor(n_d, t)

        # 1. demand faced, by class
        passed = arc_orders * link_t
        final_q = row_q[sy.final_row] * final_w
        demand = np.empty((N_CLASSES, n_k))
        for c in range(N_CLASSES):
            demand[c] = np.bincount(sy.arc_source, passed * slot_mix[c, sy.arc_slot], minlength=n_k)
            demand[c] += np.bincount(
                sy.final_source, final_q * (sy.row_class[sy.final_row] == c), minlength=n_k
            )
        demand[N_CLASSES - 1] += sy.other_demand
        total = demand.sum(axis=0)

        # 2. production: ramped ceiling, then the scarcest input
        ceiling = cap_t * (normal_share + (1.0 - normal_share) * headroom)
        plan = np.minimum(total, ceiling)
        need = np.bincount(sy.edge_slot, sy.edge_qty * plan[sy.edge_node], minlength=n_s)
        cover = np.ones(n_s)
        np.divide(stock, need, out=cover, where=(need > 0) & sy.slot_supplied)
        cover = np.minimum(cover, 1.0)
        x = plan * _segment_min(cover[sy.edge_slot], sy.edge_ptr, 1.0)

        # 3. rationing in DPAS order
        fill = ration_by_priority(x, demand)
        arc_fill = (fill[:, sy.arc_source] * slot_mix[:, sy.arc_slot]).sum(axis=0)
        delivered = passed * arc_fill
        final_fill = fill[sy.row_class[sy.final_row], sy.final_source]
        row_delivered[t] = np.bincount(sy.final_row, final_q * final_fill, minlength=n_d)
        row_demand[t] = row_q

        # 4. stocks
        used = np.bincount(sy.edge_slot, sy.edge_qty * x[sy.edge_node], minlength=n_s) * sy.slot_supplied
        left = stock - used
        stock = np.maximum(left, 0.0) + np.bincount(sy.arc_slot, delivered, minlength=n_s)
        shipped = (
            np.bincount(sy.arc_source, delivered, minlength=n_k)
            + np.bincount(sy.final_source, final_q * final_fill, minlength=n_k)
            + sy.other_demand * fill[N_CLASSES - 1]
        )
        over_p = max(over_p, float((x - cap_t).max(initial=-np.inf)))
        low_s = min(low_s, float(left.min(initial=np.inf)))
        over_s = max(over_s, float((shipped - x).max(initial=-np.inf)))

        # 5. orders for tomorrow, with substitution after switch_days of short deliveries;
        # an arc that carried no orders is judged by what its supplier could make
        able = np.minimum(cap_t / np.where(sy.capacity > 0, sy.capacity, 1.0), 1.0)
        arc_avail = link_t * np.where(passed > 1e-12, arc_fill, able[sy.arc_source])
        arc_short = np.where(arc_avail < 1.0 - 1e-9, arc_short + 1, 0)
        arc_w = _weights(sy.arc_share, sy.arc_slot, n_s, arc_avail, arc_short, p.switch_days)
        final_fill = np.where(final_q > 1e-12, final_fill, able[sy.final_source])
        final_short = np.where(final_fill < 1.0 - 1e-9, final_short + 1, 0)
        final_w = _weights(sy.final_share, sy.final_row, n_d, final_fill, final_short, p.switch_days)
        with np.errstate(invalid="ignore", divide="ignore"):
            node_class = np.where(total > 0, demand / np.where(total > 0, total, 1.0), node_class)
        use_plan = sy.edge_qty * plan[sy.edge_node]
        planned = np.bincount(sy.edge_slot, use_plan, minlength=n_s)
        target = np.bincount(sy.edge_slot, sy.edge_days * use_plan, minlength=n_s)
        slot_orders = np.maximum(planned + (target - stock) / p.restore_days, 0.0)
        arc_orders = slot_orders[sy.arc_slot] * arc_w
        for c in range(N_CLASSES):
            by_class = np.bincount(sy.edge_slot, use_plan * node_class[c, sy.edge_node], minlength=n_s)
            slot_mix[c] = np.where(planned > 0, by_class / np.where(planned > 0, planned, 1.0), slot_mix[c])
        ramp = 1.0 / sy.ramp_days
        headroom = np.clip(headroom + np.where(total > ceiling * (1 + 1e-9), ramp, -ramp), 0.0, 1.0)

        # what is recorded
        rel = x / safe_x0
        lost += np.where(x0 > 0, np.maximum(1.0 - rel, 0.0), 0.0)
        ratio[t] = x.sum() / total0
        if record:
            moved = np.flatnonzero(np.abs(rel - 1.0) > CHANGED)
            ch_day.append(np.full(len(moved), t, dtype=np.int32))
            ch_node.append(moved.astype(np.int32))
            ch_x.append(x[moved].astype(np.float32))
        if progress:
            progress(t)

    def cat(parts: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

    return Trajectory(
        days=days,
        row_delivered=row_delivered,
        row_demand=row_demand,
        lost_output_days=lost,
        production_ratio=ratio,
        change_day=cat(ch_day, np.int32),  # type: ignore[arg-type]
        change_node=cat(ch_node, np.int32),  # type: ignore[arg-type]
        change_production=cat(ch_x, np.float32),  # type: ignore[arg-type]
        worst_overproduction=over_p,
        lowest_stock=low_s,
        worst_overshipment=over_s,
    )
