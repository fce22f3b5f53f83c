"""The critical path of a draw: which facilities carried the shortfall to an end item.

In one draw, a node (a capability: facility f makes product p) is on the
critical path of end item e when all of these hold:

1. e fell short: its units lost over the run exceed :data:`SHORT` of its demand;
2. the node is upstream of e's makers (or is one): its output can reach e;
3. the node is a *root* of the draw, or downstream of one: a node whose
   capacity the draw cut (a capacity loss above 0 on some day), or the
   supplier of a supply link the draw blocked (an export ban, a route cut);
4. the node lost output: it made less than its baseline on some day
   (``lost_output_days`` above :data:`LOST` days).

A facility is on the critical path when one of its nodes is, *as a root* when
one of those is a root. Condition 3 keeps
out nodes that made less only because a starved buyer ordered less (the powder
plant of a shell line whose projectile bodies ran out); condition 2 keeps out
plants hit but feeding other end items. A shortfall from a demand surge alone
names no facility (it has no root).
"""

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.system import FirmSystem

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

SHORT = 1e-6
"""Share of an end item's demand over the run it must lose to count as short."""
LOST = 1e-6
"""Days of normal output a node must lose to count as having lost output."""


def roots(sy: FirmSystem, shocks: Shocks) -> BoolArray:
    """(K,) the nodes whose capacity ``shocks`` cut on some day, and the suppliers of the
    links they block on some day."""
    mask = np.zeros(sy.n_nodes, dtype=bool)
    for s in shocks.capacity:
        if s.loss.max(initial=0.0) > 0:
            mask[sy.cap_node[s.nodes]] = True
    blocked = [s.links for s in shocks.links if s.blocked.max(initial=0.0) > 0]
    if blocked:
        arcs = np.isin(sy.arc_link, np.concatenate(blocked)) & (sy.arc_link >= 0)
        mask[sy.arc_source[arcs]] = True
    return mask


def downstream(sy: FirmSystem, start: BoolArray) -> BoolArray:
    """(K,) ``start`` and every node that uses, at any tier, what a node of ``start`` makes."""
    seen = start.copy()
    frontier = start
    arc_slot, edge_node = sy.arc_slot, sy.edge_node  # derived arrays: once
    while frontier.any():
        slots = np.zeros(sy.n_slots, dtype=bool)
        slots[arc_slot[frontier[sy.arc_source]]] = True
        reached = np.zeros(sy.n_nodes, dtype=bool)
        reached[edge_node[slots[sy.edge_slot]]] = True
        frontier = reached & ~seen
        seen |= reached
    return seen


def carriers(sy: FirmSystem, root: BoolArray, lost_output_days: FloatArray) -> BoolArray:
    """(K,) the nodes that meet conditions 3 and 4: the ``root`` nodes (K,) and those downstream
    of one, that lost output (``lost_output_days`` (K,) by node)."""
    return downstream(sy, root) & (lost_output_days > LOST)


def unique_keys(rows: IntArray, key: int) -> IntArray:
    """``rows`` (M, C) sorted, one per distinct first ``key`` columns, keeping the largest
    value of the others (a facility's "as a root" flag: 1 if any of its rows has it).

    >>> unique_keys(np.array([[0, 5, 0], [0, 5, 1], [1, 5, 0]]), 2).tolist()
    [[0, 5, 1], [1, 5, 0]]
    """
    out: IntArray = np.unique(rows.astype(np.int64), axis=0).reshape(-1, rows.shape[1])
    last = np.append(np.any(out[1:, :key] != out[:-1, :key], axis=1), True)
    kept: IntArray = out[last[: len(out)]]
    return kept
