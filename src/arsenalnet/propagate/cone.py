"""The upstream cone of some nodes, and the firm-level system cut down to it.

Whether an end item is delivered depends on the nodes upstream of its makers:
its makers, their suppliers (by supply arc, in house included), theirs, and so
on. :func:`upstream` finds that cone; :func:`subsystem` cuts a
:class:`FirmSystem` down to it *keeping the full system's baseline*: every kept
node keeps its ``x0`` and capacity, and what it ships to buyers outside the cone
becomes part of its unrated outside demand (``other_demand``), so the cut system
starts in the same steady state as the whole.

The cut is exact at the baseline and for anything inside the cone; what it
leaves out is the reaction of buyers outside the cone (they keep ordering their
baseline amounts, as unrated demand). Where the end items are DX- or DO-rated,
their chain is served before unrated orders and that reaction does not reach
them; for unrated end items it is a (documented) approximation.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network.index import csr_expand
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, Shocks
from arsenalnet.propagate.system import CHUNKS, FirmSystem, slot_chunks

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def makers(sy: FirmSystem, products: IntArray) -> IntArray:
    """The nodes that make any of ``products`` (Network product indices), sorted."""
    return np.flatnonzero(np.isin(sy.node_product, products)).astype(np.int64)


def suppliers(sy: FirmSystem, nodes: IntArray) -> tuple[IntArray, IntArray]:
    """Every (node position, supplier node) pair: the sources of the arcs into the input slots
    of ``nodes[position]`` (an edge's slot, then the slot's arcs)."""
    owner, edges = csr_expand(sy.edge_ptr, nodes)
    slot = sy.edge_slot[edges]
    o2, arcs = csr_expand(sy.arc_ptr, slot)
    return owner[o2], sy.arc_source[arcs].astype(np.int64)


def upstream_tiers(sy: FirmSystem, start: IntArray) -> list[IntArray]:
    """The nodes first reached at each tier upstream of ``start`` (tier 0), nearest first."""
    seen = np.zeros(sy.n_nodes, dtype=bool)
    frontier = np.unique(start).astype(np.int64)
    seen[frontier] = True
    tiers = [frontier]
    while len(frontier):
        _, up = suppliers(sy, frontier)
        up = np.unique(up)
        frontier = up[~seen[up]]
        seen[frontier] = True
        if len(frontier):
            tiers.append(frontier)
    return tiers


def upstream(sy: FirmSystem, start: IntArray) -> BoolArray:
    """(K,) True for ``start`` and every node upstream of it."""
    mask = np.zeros(sy.n_nodes, dtype=bool)
    for tier in upstream_tiers(sy, start):
        mask[tier] = True
    return mask


@dataclass(frozen=True)
class Cut:
    """A system cut down to a cone: node i of ``system`` is node ``nodes[i]`` of the whole,
    demand row r is row ``rows[r]``, capability position c is Network capability
    ``capabilities[c]``. Link indices (``arc_link``) stay the whole Network's."""

    system: FirmSystem
    nodes: IntArray
    rows: IntArray
    capabilities: IntArray

    def shocks(self, shocks: Shocks) -> Shocks:
        """``shocks`` (addressed to the whole Network) addressed to the cut: capacity shocks on
        capabilities outside it and demand shocks on dropped rows fall away."""
        capacity = []
        for s in shocks.capacity:
            pos = _positions(self.capabilities, s.nodes)
            if (pos >= 0).any():
                capacity.append(CapacityShock(pos[pos >= 0], s.loss, s.label))
        demand = []
        for d in shocks.demand:
            pos = _positions(self.rows, d.rows)
            if (pos >= 0).any():
                demand.append(DemandShock(pos[pos >= 0], d.factor, d.label))
        return Shocks(shocks.days, tuple(capacity), shocks.links, tuple(demand))


def _positions(sorted_ids: IntArray, wanted: IntArray) -> IntArray:
    """Positions of ``wanted`` in ``sorted_ids`` (-1 where absent)."""
    if len(sorted_ids) == 0:
        return np.full(len(wanted), -1, dtype=np.int64)
    at = np.clip(np.searchsorted(sorted_ids, wanted), 0, len(sorted_ids) - 1)
    return np.where(sorted_ids[at] == wanted, at, -1).astype(np.int64)


def subsystem(sy: FirmSystem, keep: BoolArray) -> Cut:
    """``sy`` restricted to the nodes ``keep`` (closed upstream, as :func:`upstream` gives).

    Kept: the nodes, their edges and input slots, every arc into those slots, the
    final arcs of demand rows whose makers are all kept (other rows are dropped and
    their orders become outside demand). The cut numbers its capabilities in the order
    of their Network capability index.
    """
    kept = np.flatnonzero(keep).astype(np.int64)
    new_node = np.full(sy.n_nodes, -1, dtype=np.int64)
    new_node[kept] = np.arange(len(kept))
    if len(kept):
        _, sources = suppliers(sy, kept)
        if not keep[sources].all():
            raise ValueError("subsystem: the kept nodes are not closed upstream")

    _, edges = csr_expand(sy.edge_ptr, kept)
    slots, edge_slot = np.unique(sy.edge_slot[edges], return_inverse=True)
    _, arcs = csr_expand(sy.arc_ptr, slots)
    arc_ptr = np.concatenate([[0], np.cumsum(np.diff(sy.arc_ptr)[slots])]).astype(np.int64)
    edge_ptr = np.concatenate([[0], np.cumsum(np.diff(sy.edge_ptr)[kept])]).astype(np.int64)

    n_rows = len(sy.row_qty)
    row_whole = np.bincount(sy.final_row, keep[sy.final_source], minlength=n_rows) == np.bincount(
        sy.final_row, minlength=n_rows
    )
    row_kept = np.flatnonzero(row_whole & (np.bincount(sy.final_row, minlength=n_rows) > 0))
    new_row = np.full(n_rows, -1, dtype=np.int64)
    new_row[row_kept] = np.arange(len(row_kept))
    finals = np.flatnonzero(new_row[sy.final_row] >= 0)

    # the baseline kept: what the cut drops of a node's orders becomes its outside demand
    x0 = sy.x0[kept]
    use = np.bincount(sy.edge_slot, sy.edge_qty * sy.x0[sy.edge_node], minlength=sy.n_slots)
    arc_flow = sy.arc_share[arcs] * use[sy.arc_slot[arcs]]
    row_q = np.where(sy.row_start <= 0, sy.row_qty, 0.0)
    program = np.bincount(
        new_node[sy.final_source[finals]],
        row_q[sy.final_row[finals]] * sy.final_share[finals],
        minlength=len(kept),
    )
    inside = np.bincount(new_node[sy.arc_source[arcs]], arc_flow, minlength=len(kept))
    other = np.maximum(x0 - inside - program, 0.0)

    caps = np.sort(sy.node_cap[kept])
    node_cap = np.searchsorted(caps, sy.node_cap[kept])
    cap_node = np.empty(len(kept), dtype=np.int64)
    cap_node[node_cap] = np.arange(len(kept))
    slot_edge = np.argsort(edge_slot, kind="stable")
    edge_node = np.repeat(np.arange(len(kept)), np.diff(edge_ptr))
    arc_source = new_node[sy.arc_source[arcs]]
    i32 = np.int32
    system = FirmSystem(
        node_cap=node_cap.astype(i32),
        cap_node=cap_node.astype(i32),
        node_facility=sy.node_facility[kept],
        node_product=sy.node_product[kept],
        edge_ptr=edge_ptr.astype(i32),
        edge_slot=edge_slot.astype(i32),
        slot_facility=sy.slot_facility[slots],
        slot_product=sy.slot_product[slots],
        slot_supplied=sy.slot_supplied[slots],
        slot_edge=slot_edge.astype(i32),
        slot_edge_ptr=np.searchsorted(edge_slot[slot_edge], np.arange(len(slots) + 1)).astype(i32),
        slot_edge_node=edge_node[slot_edge].astype(i32),
        slot_edge_qty=sy.edge_qty[edges][slot_edge],
        slot_edge_days=sy.edge_days[edges][slot_edge],
        arc_ptr=arc_ptr.astype(i32),
        arc_source=arc_source.astype(i32),
        arc_share=sy.arc_share[arcs],
        arc_link=sy.arc_link[arcs],
        final_source=new_node[sy.final_source[finals]].astype(i32),
        final_row=new_row[sy.final_row[finals]].astype(i32),
        final_share=sy.final_share[finals],
        x0=x0,
        capacity=sy.capacity[kept],
        ramp_days=sy.ramp_days[kept],
        other_demand=other,
        row_qty=sy.row_qty[row_kept],
        row_class=sy.row_class[row_kept],
        row_start=sy.row_start[row_kept],
        row_end=sy.row_end[row_kept],
        slot_mix=sy.slot_mix[:, slots],
        n_links=sy.n_links,
        over_capacity=int((x0 > sy.capacity[kept] * (1 + 1e-9)).sum()),
        chunk=slot_chunks(arc_ptr, arc_source, CHUNKS),
    )
    return Cut(system, kept, row_kept.astype(np.int64), caps.astype(np.int64))
