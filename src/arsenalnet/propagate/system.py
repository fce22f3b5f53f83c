"""The firm-level system the engine steps: nodes, input slots, arcs, and the baseline.

Built once from a :class:`~arsenalnet.network.Network`:

- a **node** k is a capability: facility f makes product p (the Network's
  capability order);
- an **input slot** s = (f, c) is facility f's inventory of input c, shared by
  every node of f whose product needs c; **edges** (k, s, a) say node k uses
  a units of slot s's product per unit it makes (the bill of materials);
- a **supply arc** brings product c from a supplier node (s, c) into a slot:
  every supply link whose buyer uses the product, plus an in-house arc where a
  facility makes an input itself and buys it from nobody; slots with neither
  are outside the mapped base and never constrain production;
- a **final arc** carries a demand row (a program's need of an end item) to
  one maker of that item, in proportion to the makers' capacity.

The baseline is the steady state the twin's data describe: every node makes
``x0 = max(utilization * capacity, intermediate orders + program demand)``,
solved by fixed-point iteration (the capability graph is acyclic, because the
bill of materials is). What a node makes beyond the orders it receives goes to
unrated final demand outside the twin (households, exports, other programs).

The system is held once, in the layout the daily kernel reads: 32-bit indices, the
edges stored in slot order (the order a slot loop walks them), and no array the
kernel can derive cheaply (the node-order edge values and each arc's slot are
properties computed on request). At 10M facilities that layout is what keeps the
whole run within memory.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Network
from arsenalnet.network.index import csr_expand
from arsenalnet.propagate.rationing import N_CLASSES

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int32]
"""Indices into the system's arrays: 32-bit (every count of a system stays below 2**31)."""
Int64Array = npt.NDArray[np.int64]

MIN_INVENTORY_DAYS = 1.0
"""A slot holds at least one day of use: the deliveries of the day before."""
CHUNKS = 64
"""Chunks a parallel slot loop of the daily kernel is cut into (about equal in arcs)."""


@dataclass(frozen=True)
class FirmSystem:
    """Static structure and baseline of the firm-level model.

    Shapes: K nodes, S slots, E edges, A supply arcs, R final arcs, D demand rows.
    Quantities are in each product's units; rates per day.
    """

    node_cap: IntArray
    """(K,) the Network capability of each node (nodes are numbered product-major)."""
    cap_node: IntArray
    """(K,) the node of each Network capability."""
    node_facility: IntArray
    node_product: IntArray
    edge_ptr: IntArray
    """(K+1,) the edges of node k are ``edge_ptr[k]:edge_ptr[k+1]`` (edges are numbered node-major)."""
    edge_slot: IntArray
    """(E,) the slot of each edge (node-major edge order)."""
    slot_facility: IntArray
    slot_product: IntArray
    slot_supplied: npt.NDArray[np.bool_]
    """(S,) False for slots no arc feeds (outside the mapped base: never short)."""
    slot_edge: IntArray
    """(E,) the edges sorted by slot, in edge order within a slot: slot s's are
    ``slot_edge[slot_edge_ptr[s]:slot_edge_ptr[s+1]]``."""
    slot_edge_ptr: IntArray
    slot_edge_node: IntArray
    """(E,) the node of each edge, in slot order (``edge_node[slot_edge]``)."""
    slot_edge_qty: FloatArray
    """(E,) units of the slot's product per unit the node makes, in slot order."""
    slot_edge_days: FloatArray
    """(E,) inventory target of the edge's input, in days of the node's use (>= 1), in slot order."""
    arc_ptr: IntArray
    """(S+1,) the arcs of slot s are ``arc_ptr[s]:arc_ptr[s+1]`` (arcs are sorted by slot)."""
    arc_source: IntArray
    arc_share: FloatArray
    """(A,) share of the slot's orders the arc gets at baseline (sums to 1 per slot)."""
    arc_link: IntArray
    """(A,) index of the Network link, or -1 for an in-house arc."""
    final_source: IntArray
    final_row: IntArray
    final_share: FloatArray
    x0: FloatArray
    """(K,) baseline production, units/day."""
    capacity: FloatArray
    """(K,) capacity, units/day (raised to ``x0`` where the data's orders exceed it)."""
    ramp_days: FloatArray
    other_demand: FloatArray
    """(K,) baseline unrated final demand outside the twin, units/day."""
    row_qty: FloatArray
    """(D,) baseline quantity of each demand row (0 where inactive on day 0), units/day."""
    row_class: Int64Array
    row_start: Int64Array
    row_end: Int64Array
    slot_mix: FloatArray
    """(3, S) baseline DPAS class mix (DX, DO, unrated) of each slot's orders."""
    n_links: int
    over_capacity: int
    """Nodes whose baseline orders exceeded their capacity in the data."""
    chunk: IntArray
    """(n+1,) slot bounds of the chunks a parallel slot loop runs: arcs of different chunks
    have different suppliers, so a chunk can add into its suppliers' rows alone."""

    @property
    def n_nodes(self) -> int:
        """K."""
        return len(self.node_facility)

    @property
    def n_slots(self) -> int:
        """S."""
        return len(self.slot_facility)

    @property
    def edge_node(self) -> IntArray:
        """(E,) the node of each edge, node-major (derived from ``edge_ptr``)."""
        return _owners(self.edge_ptr)

    @property
    def edge_qty(self) -> FloatArray:
        """(E,) units of the slot's product per unit the node makes, node-major (derived)."""
        return _node_order(self.slot_edge, self.slot_edge_qty)

    @property
    def edge_days(self) -> FloatArray:
        """(E,) inventory target in days of use (>= 1), node-major (derived)."""
        return _node_order(self.slot_edge, self.slot_edge_days)

    @property
    def arc_slot(self) -> IntArray:
        """(A,) the slot each arc feeds (derived from ``arc_ptr``)."""
        return _owners(self.arc_ptr)


def _owners(ptr: IntArray) -> IntArray:
    """The segment of each position of a CSR pointer array."""
    return np.repeat(np.arange(len(ptr) - 1, dtype=np.int32), np.diff(ptr))


def _node_order(slot_edge: IntArray, values: FloatArray) -> FloatArray:
    """Edge values stored in slot order, put back in node-major edge order."""
    out = np.empty_like(values)
    out[slot_edge] = values
    return out


def _segment_share(groups: npt.NDArray[np.integer], weight: FloatArray, n: int) -> FloatArray:
    """``weight`` normalized to sum 1 within each group (equal split where the group sums to 0)."""
    total = np.bincount(groups, weight, minlength=n)
    count = np.bincount(groups, minlength=n).astype(np.float64)
    return np.where(
        total[groups] > 0,
        weight / np.where(total[groups] > 0, total[groups], 1.0),
        1.0 / np.maximum(count[groups], 1.0),
    )


def slot_chunks(
    arc_ptr: npt.NDArray[np.integer], arc_source: npt.NDArray[np.integer], n_chunks: int
) -> IntArray:
    """Slot bounds cutting the arcs into about ``n_chunks`` runs of about equal length such
    that every supplier of a run is below every supplier of the runs after it.

    A cut at slot s is allowed where the largest supplier of the arcs before it is below
    the smallest supplier of the arcs after it (arcs are product-major, so every product
    boundary qualifies); each target length takes the allowed cut nearest to it.
    """
    n_s, n_a = len(arc_ptr) - 1, len(arc_source)
    if n_a == 0:
        return np.array([0, n_s], dtype=np.int32)
    before = np.maximum.accumulate(arc_source)
    after = np.minimum.accumulate(arc_source[::-1])[::-1]
    inner = arc_ptr[1:-1]
    ok = (inner > 0) & (inner < n_a)
    ok[ok] = before[inner[ok] - 1] < after[inner[ok]]
    cuts = np.flatnonzero(ok) + 1  # slots where a chunk may start
    if len(cuts) == 0:
        return np.array([0, n_s], dtype=np.int32)
    targets = np.arange(1, n_chunks) * n_a / n_chunks
    at = np.clip(np.searchsorted(arc_ptr[cuts], targets), 0, len(cuts) - 1)
    left = np.clip(at - 1, 0, len(cuts) - 1)
    nearer = np.abs(arc_ptr[cuts[left]] - targets) <= np.abs(arc_ptr[cuts[at]] - targets)
    chosen = np.where(nearer, cuts[left], cuts[at])
    return np.unique(np.concatenate([[0], chosen, [n_s]])).astype(np.int32)


def _baseline_mix(
    x: FloatArray,
    program: FloatArray,
    other: FloatArray,
    edge_node: Int64Array,
    edge_slot: Int64Array,
    qty: FloatArray,
    arc_source: Int64Array,
    arc_slot: Int64Array,
    arc_share: FloatArray,
    n_s: int,
    max_iterations: int,
) -> FloatArray:
    """(3, S) class mix of each slot's baseline orders: a rating flows down from the rated
    demand a node serves to the inputs it orders (fixed point over the acyclic graph)."""
    n_k = len(x)
    mix = np.zeros((N_CLASSES, n_s))
    mix[N_CLASSES - 1] = 1.0
    use = qty * x[edge_node]
    use_total = np.bincount(edge_slot, use, minlength=n_s)
    for _ in range(max_iterations):
        demand = program.copy()
        for c in range(N_CLASSES):
            demand[c] += np.bincount(
                arc_source, arc_share * use_total[arc_slot] * mix[c, arc_slot], minlength=n_k
            )
        demand[N_CLASSES - 1] += other
        total = demand.sum(axis=0)
        frac = np.where(total > 0, demand / np.where(total > 0, total, 1.0), 0.0)
        frac[N_CLASSES - 1] = np.where(total > 0, frac[N_CLASSES - 1], 1.0)
        nxt = np.empty_like(mix)
        for c in range(N_CLASSES):
            by_class = np.bincount(edge_slot, use * frac[c, edge_node], minlength=n_s)
            nxt[c] = np.where(use_total > 0, by_class / np.where(use_total > 0, use_total, 1.0), mix[c])
        if np.allclose(nxt, mix, rtol=0.0, atol=1e-13):
            return nxt
        mix = nxt
    return mix


def build_system(net: Network, max_iterations: int = 10_000) -> FirmSystem:
    """Build the firm-level system of ``net`` and solve its baseline.

    Nodes, slots and arcs are numbered product-major (product, then facility):
    the suppliers an arc loop visits then sit close together in memory, which is
    what makes the daily kernel fast at national scale. ``node_cap`` maps a node
    back to its capability (the Network's order), ``cap_node`` the other way.
    """
    n_k, n_p, n_f = len(net.cap_facility), net.n_products, net.n_facilities
    order = np.lexsort((net.cap_facility, net.cap_product)).astype(np.int64)
    cap_node = np.empty(n_k, dtype=np.int64)
    cap_node[order] = np.arange(n_k)
    node_f = net.cap_facility[order].astype(np.int64)
    node_p = net.cap_product[order].astype(np.int64)
    capacity = net.capacity[order]

    # edges: node -> BOM children -> slot (child, facility)
    owner, pos = csr_expand(net.bom.indptr.astype(np.int64), node_p)
    child = net.bom.indices[pos].astype(np.int64)
    qty = net.bom.data[pos].astype(np.float64)
    slot_key, edge_slot = np.unique(child * n_f + node_f[owner], return_inverse=True)
    n_s = len(slot_key)
    slot_p, slot_f = slot_key // n_f, slot_key % n_f
    edge_ptr = np.searchsorted(owner, np.arange(n_k + 1)).astype(np.int64)

    # supply arcs: links whose buyer uses the product, then in-house where no link feeds a slot
    link_key = net.link_product.astype(np.int64) * n_f + net.link_buyer
    at = np.clip(np.searchsorted(slot_key, link_key), 0, max(n_s - 1, 0))
    used = (slot_key[at] == link_key) & (net.link_source >= 0) if n_s else np.zeros(len(link_key), bool)
    links = np.flatnonzero(used)
    fed = np.zeros(n_s, dtype=bool)
    fed[at[links]] = True
    node_key = node_p * n_f + node_f
    own_at = np.clip(np.searchsorted(node_key, slot_key), 0, max(n_k - 1, 0))
    in_house = np.flatnonzero(~fed & (node_key[own_at] == slot_key)) if n_k else np.zeros(0, np.int64)
    arc_source = np.concatenate([cap_node[net.link_source[links]], own_at[in_house]]).astype(np.int64)
    arc_slot = np.concatenate([at[links], in_house]).astype(np.int64)
    arc_link = np.concatenate([links, np.full(len(in_house), -1)]).astype(np.int64)
    arc_weight = np.concatenate([net.share[links], np.ones(len(in_house))])
    by_slot = np.lexsort((arc_source, arc_slot))
    arc_source, arc_slot, arc_link = arc_source[by_slot], arc_slot[by_slot], arc_link[by_slot]
    arc_share = _segment_share(arc_slot, arc_weight[by_slot], n_s)
    supplied = np.zeros(n_s, dtype=bool)
    supplied[arc_slot] = True

    # final arcs: each demand row to the makers of its product, by capacity
    maker_order = np.argsort(node_p, kind="stable")
    maker_ptr = np.searchsorted(node_p[maker_order], np.arange(n_p + 1)).astype(np.int64)
    rows = np.arange(len(net.demand_product), dtype=np.int64)
    f_row, f_pos = csr_expand(maker_ptr, net.demand_product.astype(np.int64))
    final_source = maker_order[f_pos].astype(np.int64)
    final_share = _segment_share(f_row, capacity[final_source], len(rows))
    row_qty = np.where(net.demand_start <= 0, net.demand_qty, 0.0)

    # baseline: x = max(utilization * capacity, intermediate orders + program demand)
    normal = net.utilization[order] * capacity
    program = np.bincount(final_source, row_qty[f_row] * final_share, minlength=n_k)
    x = np.maximum(normal, program)
    for _ in range(max_iterations):
        use = np.bincount(edge_slot, qty * x[owner], minlength=n_s)
        orders = np.bincount(arc_source, arc_share * use[arc_slot], minlength=n_k)
        nxt = np.maximum(normal, orders + program)
        if np.allclose(nxt, x, rtol=1e-12, atol=0.0):
            x = nxt
            break
        x = nxt
    use = np.bincount(edge_slot, qty * x[owner], minlength=n_s)
    intermediate = np.bincount(arc_source, arc_share * use[arc_slot], minlength=n_k)
    other = np.maximum(x - intermediate - program, 0.0)
    over = x > capacity * (1 + 1e-9)
    row_class = net.demand_priority.astype(np.int64)
    program_by_class: FloatArray = np.stack(
        [
            np.bincount(final_source, row_qty[f_row] * final_share * (row_class[f_row] == c), minlength=n_k)
            for c in range(N_CLASSES)
        ]
    )
    mix = _baseline_mix(
        x,
        program_by_class,
        other,
        owner,
        edge_slot,
        qty,
        arc_source,
        arc_slot,
        arc_share,
        n_s,
        max_iterations,
    )

    if max(len(owner), len(arc_source), n_s, n_k) >= 2**31:
        raise ValueError("a firm-level system holds fewer than 2**31 edges, arcs, slots and nodes")
    i32 = np.int32
    arc_ptr = np.searchsorted(arc_slot, np.arange(n_s + 1)).astype(i32)
    slot_edge = np.argsort(edge_slot, kind="stable")
    days = np.maximum(net.inventory_days[order][owner], MIN_INVENTORY_DAYS)
    return FirmSystem(
        node_cap=order.astype(i32),
        cap_node=cap_node.astype(i32),
        node_facility=node_f.astype(i32),
        node_product=node_p.astype(i32),
        edge_ptr=edge_ptr.astype(i32),
        edge_slot=edge_slot.astype(i32),
        slot_facility=slot_f.astype(i32),
        slot_product=slot_p.astype(i32),
        slot_supplied=supplied,
        slot_edge=slot_edge.astype(i32),
        slot_edge_ptr=np.searchsorted(edge_slot[slot_edge], np.arange(n_s + 1)).astype(i32),
        slot_edge_node=owner[slot_edge].astype(i32),
        slot_edge_qty=qty[slot_edge],
        slot_edge_days=days[slot_edge],
        arc_ptr=arc_ptr,
        arc_source=arc_source.astype(i32),
        arc_share=arc_share,
        arc_link=arc_link.astype(i32),
        final_source=final_source.astype(i32),
        final_row=f_row.astype(i32),
        final_share=final_share,
        x0=x,
        capacity=np.maximum(capacity, x),
        ramp_days=np.maximum(net.ramp_days[order], 1.0),
        other_demand=other,
        row_qty=net.demand_qty.astype(np.float64),
        row_class=row_class,
        row_start=net.demand_start.astype(np.int64),
        row_end=net.demand_end.astype(np.int64),
        slot_mix=mix,
        n_links=net.n_links,
        over_capacity=int(over.sum()),
        chunk=slot_chunks(arc_ptr, arc_source, CHUNKS),
    )
