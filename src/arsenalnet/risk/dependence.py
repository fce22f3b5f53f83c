"""How much of an end item rests on each upstream node, tier by tier.

Computed on the firm-level system cut down to the end item's upstream cone
(:mod:`arsenalnet.propagate.cone`). Tier 0 holds the end item's makers, each
with the share of the end item's demand it makes (its final arcs; by baseline
output where the item has no demand). A node k at tier t passes its share on to
every input it uses: each supplier j of the input slot gets ``share(k) x
arc_share(j -> slot)`` at tier t+1. So at each tier the shares of the suppliers
of one input line sum to the share of the node that uses it, and

- ``share[t, j]`` is the share of the end item's units whose input line at tier t
  passes through node j (an "input line" is one occurrence of a product in the end
  item's multi-tier bill of materials, as supplied through the network);
- ``units[t, j]`` the units per day of j's product that flow, at tier t, into the
  end item's demand (the same passes weighted by the bill of materials' quantities).

The best path of a node is the chain of supply arcs from it to a maker of the end
item that carries the largest share (the product of the arc shares along it).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network.index import csr_expand
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Pairs:
    """Every (buyer node, supplier node) pair of the system: buyer k uses ``qty`` units of
    the supplier's product per unit it makes, holds ``days`` days of it, and the supplier
    gets ``share`` of the slot's orders. Shapes: (N,)."""

    buyer: IntArray
    supplier: IntArray
    share: FloatArray
    qty: FloatArray
    days: FloatArray
    arc: IntArray

    @classmethod
    def of(cls, sy: FirmSystem) -> "Pairs":
        edges = np.arange(len(sy.edge_node), dtype=np.int64)
        owner, arcs = csr_expand(sy.arc_ptr, sy.edge_slot[edges])
        return cls(
            buyer=sy.edge_node[owner].astype(np.int64),
            supplier=sy.arc_source[arcs].astype(np.int64),
            share=sy.arc_share[arcs],
            qty=sy.edge_qty[owner],
            days=sy.edge_days[owner],
            arc=arcs.astype(np.int64),
        )


@dataclass(frozen=True)
class Dependence:
    """Shares and flows of one end item over its cut system's nodes, by tier.

    ``share``, ``units`` (T, K); ``best`` (T, K) the share carried by the node's best path
    at that tier, ``via`` (T, K) the next node on that path (towards the end item; -1 at
    tier 0 or where the node is not at that tier). ``demand`` is the end item's demand in
    units per day (0 where it has none).
    """

    share: FloatArray
    units: FloatArray
    best: FloatArray
    via: IntArray
    demand: float

    @property
    def tiers(self) -> int:
        """T, the number of tiers (tier 0 = the makers)."""
        return int(self.share.shape[0])

    def total_share(self) -> FloatArray:
        """(K,) the share summed over tiers: input lines of the end item through each node."""
        total: FloatArray = self.share.sum(axis=0)
        return total

    def path(self, node: int, tier: int) -> list[int]:
        """The nodes of ``node``'s best path at ``tier``, from it to a maker of the end item."""
        out = [node]
        for t in range(tier, 0, -1):
            out.append(int(self.via[t, out[-1]]))
        return out


def maker_shares(sy: FirmSystem, rows: IntArray) -> tuple[FloatArray, float]:
    """(K,) share of the end item made at each node: its demand ``rows``' final arcs, by
    quantity; and that demand in units per day. ``rows`` index the system's demand rows."""
    on = np.isin(sy.final_row, rows)
    qty = sy.row_qty[sy.final_row[on]] * sy.final_share[on]
    made = np.bincount(sy.final_source[on], qty, minlength=sy.n_nodes).astype(np.float64)
    demand = float(sy.row_qty[rows].sum())
    return (made / demand if demand > 0 else made), demand


def dependence(sy: FirmSystem, start: FloatArray, demand: float, max_tiers: int = 1_000) -> Dependence:
    """The tiers of shares, flows and best paths from ``start`` (K,), the makers' shares."""
    pairs = Pairs.of(sy)
    n = sy.n_nodes
    share, units, best, via = [start], [start * demand], [start.copy()], [np.full(n, -1, dtype=np.int64)]
    for _ in range(max_tiers):
        prev = share[-1]
        live = prev[pairs.buyer] > 0
        if not live.any():
            break
        b, s = pairs.buyer[live], pairs.supplier[live]
        nxt = np.bincount(s, prev[b] * pairs.share[live], minlength=n).astype(np.float64)
        if not (nxt > 0).any():
            break
        share.append(nxt)
        flow = units[-1][b] * pairs.qty[live] * pairs.share[live]
        units.append(np.bincount(s, flow, minlength=n).astype(np.float64))
        carried = best[-1][b] * pairs.share[live]
        order = np.lexsort((-carried, s))  # by supplier, the largest first
        first = order[np.r_[True, s[order][1:] != s[order][:-1]]]
        top, step = np.zeros(n), np.full(n, -1, dtype=np.int64)
        top[s[first]], step[s[first]] = carried[first], b[first]
        best.append(top)
        via.append(step)
    return Dependence(np.stack(share), np.stack(units), np.stack(best), np.stack(via), demand)
