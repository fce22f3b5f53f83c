"""Time to survive (TTS) of each upstream node, and the loss a node's outage costs.

After Simchi-Levi, Schmidt and Wei (Harvard Business Review, 2014) and
Simchi-Levi et al. (Interfaces, 2015): TTS is how long the end item's demand can
still be met when a node is lost, using inventories and alternative capacity;
TTR is how long the node takes to recover. A node whose TTR exceeds its TTS
costs end-item units.

What this module computes, in closed form (docs/risk.md works an example by hand):

- **Buffer** ``B(j)`` (days): the fewest days of stock between node j and the end
  item: 0 for the end item's makers (the model keeps no finished goods), and for a
  supplier j of buyer k, ``days(k's stock of j's product) + B(k)``, the minimum over
  its buyers in the cone. When j stops, the shortest chain of stocks runs dry first.
- **Cover** ``c(j)`` in [0, 1]: the share of j's baseline shipments into the cone
  that the other suppliers of the same input slots (at other facilities) could
  make up from their spare capacity (capacity minus baseline output), summed.
  For the end item's makers the alternatives are the other makers' spare capacity.
- **TTS** ``= B / (1 - c)`` days: the stock is drawn down only by the uncovered
  share; unbounded (None) where the alternatives cover everything (c = 1).
  The switching delay and the ramp-up of the alternatives are left out here; the
  criticality ranking simulates them.
- **Lag** ``h`` (days): the links on that shortest chain; a recovered node's output
  reaches the end item ``h`` days later (each link ships in one day in the model).
  A node is **flagged** when ``TTR + h > TTS``: its recovery reaches the end item
  after the stocks have run dry.
- **Screened loss** ``= demand x min(1, share) x (1 - c) x max(TTR + h - TTS, 0)``
  (end-item units): the units lost while the node is out for its TTR, with the
  share of end-item units that need it; a facility takes its worst node.
"""

import numpy as np
import numpy.typing as npt

from arsenalnet.network.index import csr_expand
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.risk.dependence import Pairs

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def buffer_days(pairs: Pairs, start: npt.NDArray[np.bool_], n: int) -> tuple[FloatArray, IntArray]:
    """(K,) ``B``: 0 at ``start`` (the makers), the shortest chain of stock days elsewhere
    (inf where no chain reaches a maker); and (K,) ``h``, the links on that chain."""
    b = np.where(start, 0.0, np.inf)
    hops = np.zeros(n, dtype=np.int64)
    for _ in range(n + 1):
        cand = pairs.days + b[pairs.buyer]
        order = np.lexsort((cand, pairs.supplier))
        first = order[np.r_[True, pairs.supplier[order][1:] != pairs.supplier[order][:-1]]]
        j = pairs.supplier[first]
        better = cand[first] < b[j]
        if not better.any():
            break
        b[j[better]] = cand[first][better]
        hops[j[better]] = hops[pairs.buyer[first][better]] + 1
    return b, hops


def cover(sy: FirmSystem, start: FloatArray, demand: float) -> FloatArray:
    """(K,) ``c``: spare capacity of the other facilities supplying the same slots over the
    node's baseline shipments on its arcs, at most 1 (1 where it ships nothing). For the
    end item's makers (``start`` (K,) their shares of ``demand`` units/day), the spare
    capacity of the other makers over the node's share of the demand."""
    use = np.bincount(sy.edge_slot, sy.edge_qty * sy.x0[sy.edge_node], minlength=sy.n_slots)
    flow = np.bincount(sy.arc_source, sy.arc_share * use[sy.arc_slot], minlength=sy.n_nodes)
    spare = np.maximum(sy.capacity - sy.x0, 0.0)
    maker = np.flatnonzero(start > 0)
    flow[maker] = start[maker] * demand
    owner, other = csr_expand(sy.arc_ptr, sy.arc_slot)  # arc `owner` and every arc of its slot
    j, alt = sy.arc_source[owner], sy.arc_source[other]
    keep = sy.node_facility[j] != sy.node_facility[alt]
    key = np.unique(j[keep] * sy.n_nodes + alt[keep])
    extra = np.bincount(key // sy.n_nodes, spare[key % sy.n_nodes], minlength=sy.n_nodes)
    for k in maker:  # the makers of one end item: a handful
        extra[k] = spare[maker][sy.node_facility[maker] != sy.node_facility[k]].sum()
    c: FloatArray = np.where(flow > 0, np.minimum(extra / np.where(flow > 0, flow, 1.0), 1.0), 1.0)
    return c


def time_to_survive(buffer: FloatArray, c: FloatArray) -> FloatArray:
    """(K,) ``TTS = B / (1 - c)`` days; inf where ``c`` = 1 or no chain reaches a maker."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tts: FloatArray = np.where(c < 1.0, buffer / (1.0 - c), np.inf)
    return tts


def screened_loss(
    demand: float, share: FloatArray, c: FloatArray, tts: FloatArray, ttr: FloatArray, hops: IntArray
) -> FloatArray:
    """(K,) end-item units lost while each node is out for ``ttr`` (days, per node), its
    recovery reaching the end item ``hops`` days later."""
    late = ttr + hops
    gap = np.maximum(late - np.where(np.isfinite(tts), tts, late), 0.0)
    out: FloatArray = demand * np.minimum(share, 1.0) * (1.0 - c) * gap
    return out
