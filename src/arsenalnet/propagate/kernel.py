"""One simulated day of the firm-level model, as a compiled (numba) kernel.

The kernel is the equations of :mod:`arsenalnet.propagate.firm` written as a
handful of passes over the arcs, edges and nodes, updating the state arrays in
place: no temporaries the size of the network beyond a few per day, no Python
loop per node. Array shapes: K nodes, S slots, E edges, A arcs, R final arcs,
D demand rows; classes 0 = DX, 1 = DO, 2 = unrated. Per-class arrays are laid out
(n, 3) so that the three classes of one node or slot share a cache line.
"""

import numpy as np
from numba import njit

SHORT = 1.0 - 1e-9
"""An arc (or final arc) delivering less than this share of its orders counts as short."""
NO_ORDER = 1e-12
"""An arc that carried less than this is judged by its supplier's capacity, not its fill."""


@njit(cache=True)
def day_step(
    # static structure
    edge_node,
    edge_ptr,
    edge_slot,
    edge_qty,
    edge_days,
    slot_supplied,
    arc_source,
    arc_slot,
    arc_share,
    final_source,
    final_row,
    final_share,
    row_class,
    capacity,
    normal_share,
    ramp,
    other_demand,
    restore_days,
    switch_days,
    # today's shocks
    cap_t,
    link_t,
    row_q,
    # state, updated in place
    stock,
    arc_orders,
    slot_mix,
    node_class,
    headroom,
    arc_short,
    final_short,
    arc_w,
    final_w,
    # outputs, written in place
    x,
    row_delivered,
    checks,
):
    """Advance the state by one day; write production ``x`` (K,) and ``row_delivered`` (D,).

    ``checks`` (3,) accumulates the largest production above capacity, the lowest
    stock before clipping, and the largest shipment above production.
    """
    n_k, n_s = len(x), len(stock)
    n_a, n_r = len(arc_source), len(final_source)

    # 1. demand faced by each node, by class
    demand = np.zeros((n_k, 3))
    passed = np.empty(n_a)
    for a in range(n_a):
        p = arc_orders[a] * link_t[a]
        passed[a] = p
        s, k = arc_slot[a], arc_source[a]
        for c in range(3):
            demand[k, c] += p * slot_mix[s, c]
    final_q = np.empty(n_r)
    for r in range(n_r):
        q = row_q[final_row[r]] * final_w[r]
        final_q[r] = q
        demand[final_source[r], row_class[final_row[r]]] += q
    total = np.empty(n_k)
    ceiling = np.empty(n_k)
    plan = np.empty(n_k)
    for k in range(n_k):
        demand[k, 2] += other_demand[k]
        total[k] = demand[k, 0] + demand[k, 1] + demand[k, 2]
        ceiling[k] = cap_t[k] * (normal_share[k] + (1.0 - normal_share[k]) * headroom[k])
        plan[k] = min(total[k], ceiling[k])

    # 2. production: the scarcest input's coverage
    need = np.zeros(n_s)
    for e in range(len(edge_node)):
        need[edge_slot[e]] += edge_qty[e] * plan[edge_node[e]]
    cover = np.ones(n_s)
    for s in range(n_s):
        if need[s] > 0 and slot_supplied[s]:
            cover[s] = min(stock[s] / need[s], 1.0)
    for k in range(n_k):
        m = 1.0
        for e in range(edge_ptr[k], edge_ptr[k + 1]):
            m = min(m, cover[edge_slot[e]])
        x[k] = plan[k] * m

    # 3. rationing: DX, then DO, then unrated, proportional within a class
    fill = np.ones((n_k, 3))
    for k in range(n_k):
        left = x[k]
        for c in range(3):
            d = demand[k, c]
            served = min(left, d)
            if d > 0:
                fill[k, c] = served / d
            left -= served
        checks[0] = max(checks[0], x[k] - cap_t[k])
    shipped = np.zeros(n_k)
    arc_fill = np.empty(n_a)
    used = np.zeros(n_s)
    for e in range(len(edge_node)):
        used[edge_slot[e]] += edge_qty[e] * x[edge_node[e]]
    for s in range(n_s):
        if not slot_supplied[s]:
            used[s] = 0.0
        left_s = stock[s] - used[s]
        checks[1] = min(checks[1], left_s)
        stock[s] = max(left_s, 0.0)
    for a in range(n_a):
        k, s = arc_source[a], arc_slot[a]
        f = fill[k, 0] * slot_mix[s, 0] + fill[k, 1] * slot_mix[s, 1] + fill[k, 2] * slot_mix[s, 2]
        arc_fill[a] = f
        delivered = passed[a] * f
        shipped[k] += delivered
        stock[s] += delivered  # 4. deliveries arrive, usable tomorrow
    row_delivered[:] = 0.0
    final_fill = np.empty(n_r)
    for r in range(n_r):
        k = final_source[r]
        f = fill[k, row_class[final_row[r]]]
        final_fill[r] = f
        row_delivered[final_row[r]] += final_q[r] * f
        shipped[k] += final_q[r] * f
    for k in range(n_k):
        shipped[k] += other_demand[k] * fill[k, 2]
        checks[2] = max(checks[2], shipped[k] - x[k])

    # 5. orders for tomorrow, moving off arcs short for switch_days days (and back)
    able = np.empty(n_k)
    for k in range(n_k):
        able[k] = min(cap_t[k] / (capacity[k] if capacity[k] > 0 else 1.0), 1.0)
    tot = np.zeros(n_s)
    for a in range(n_a):
        avail = link_t[a] * (arc_fill[a] if passed[a] > NO_ORDER else able[arc_source[a]])
        arc_short[a] = arc_short[a] + 1 if avail < SHORT else 0
        w = arc_share[a] * (avail if arc_short[a] >= switch_days else 1.0)
        arc_w[a] = w
        tot[arc_slot[a]] += w
    for a in range(n_a):
        t = tot[arc_slot[a]]
        arc_w[a] = arc_w[a] / t if t > 0 else arc_share[a]
    n_d = len(row_q)
    tot_r = np.zeros(n_d)
    for r in range(n_r):
        avail = final_fill[r] if final_q[r] > NO_ORDER else able[final_source[r]]
        final_short[r] = final_short[r] + 1 if avail < SHORT else 0
        w = final_share[r] * (avail if final_short[r] >= switch_days else 1.0)
        final_w[r] = w
        tot_r[final_row[r]] += w
    for r in range(n_r):
        t = tot_r[final_row[r]]
        final_w[r] = final_w[r] / t if t > 0 else final_share[r]
    for k in range(n_k):
        if total[k] > 0:
            for c in range(3):
                node_class[k, c] = demand[k, c] / total[k]
    planned = np.zeros(n_s)
    target = np.zeros(n_s)
    by_class = np.zeros((n_s, 3))
    for e in range(len(edge_node)):
        k, s = edge_node[e], edge_slot[e]
        u = edge_qty[e] * plan[k]
        planned[s] += u
        target[s] += edge_days[e] * u
        for c in range(3):
            by_class[s, c] += u * node_class[k, c]
    slot_orders = np.empty(n_s)
    for s in range(n_s):
        slot_orders[s] = max(planned[s] + (target[s] - stock[s]) / restore_days, 0.0)
        if planned[s] > 0:
            for c in range(3):
                slot_mix[s, c] = by_class[s, c] / planned[s]
    for a in range(n_a):
        arc_orders[a] = slot_orders[arc_slot[a]] * arc_w[a]
    for k in range(n_k):
        step = 1.0 / ramp[k]
        h = headroom[k] + (step if total[k] > ceiling[k] * (1 + 1e-9) else -step)
        headroom[k] = min(max(h, 0.0), 1.0)
