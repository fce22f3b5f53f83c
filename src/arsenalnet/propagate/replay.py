"""The firm-level model driven by fixed orders: a plan played through the engine's physics.

Where :func:`arsenalnet.propagate.firm.simulate` lets firms decide what to order, here every
order is given, step by step (a step is a day, or a bucket of days): what each node is to
make, what each supply arc is to carry, what each final arc is to deliver. The physics are
the engine's:

- **production**: a node makes its order, at most its ceiling, times the coverage of its
  scarcest input (Leontief; a slot shared by several nodes serves them in proportion);
  slots no arc feeds never constrain;
- **shipping**: a node's output plus what it holds goes to its orders DX first, then DO,
  then unrated, in proportion within a class (15 CFR part 700); what it ships on an arc
  arrives ``lag`` steps later, times the share the link lets through; makers of end items
  keep what they do not ship (finished stock), other nodes' surplus goes outside;
- **stocks**: a slot's stock gains arrivals (and any exogenous supply) at the start of a
  step and loses what production uses.

A plan that is feasible replays exactly; one that is not shows where the physics cut it.
Vectorized over nodes and arcs; the loop runs over steps only.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.rationing import N_CLASSES
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class FixedOrders:
    """Orders over T steps, in the system's numbering (K nodes, S slots, A arcs, R final arcs).

    ``make`` (K, T), ``ship`` (A, T), ``deliver`` (R, T): units ordered per step; ``ceiling``
    (K, T) the most a node can make per step; ``lag`` (A,) steps from shipment to arrival;
    ``passed`` (A, T) share of a shipment that arrives; ``arc_class`` (A,) DPAS class of an
    arc's orders; ``initial`` (S,) stocks; ``supply`` (S, T) exogenous arrivals (AM parts)."""

    make: FloatArray
    ship: FloatArray
    deliver: FloatArray
    ceiling: FloatArray
    lag: IntArray
    passed: FloatArray
    arc_class: IntArray
    initial: FloatArray
    supply: FloatArray


@dataclass(frozen=True)
class Replayed:
    """What happened: ``made`` (K, T), ``shipped`` (A, T), ``delivered`` (R, T) per final arc and
    ``row_delivered`` (D, T) per demand row, ``stock`` (S, T) at the end of each step."""

    made: FloatArray
    shipped: FloatArray
    delivered: FloatArray
    row_delivered: FloatArray
    stock: FloatArray


def replay(sy: FirmSystem, o: FixedOrders) -> Replayed:
    """Play the fixed orders ``o`` through ``sy`` step by step."""
    edge_node, edge_slot, edge_qty = sy.edge_node, sy.edge_slot, sy.edge_qty  # derived once
    arc_source, arc_slot, slot_supplied = sy.arc_source, sy.arc_slot, sy.slot_supplied
    final_source, final_row = sy.final_source, sy.final_row
    n_k, n_s, n_a, n_r = sy.n_nodes, sy.n_slots, len(arc_source), len(final_source)
    steps = o.make.shape[1]
    maker = np.zeros(n_k, dtype=bool)
    maker[final_source] = True
    final_class = sy.row_class[final_row]
    stock = o.initial.astype(np.float64).copy()
    held = np.zeros(n_k)
    pipeline = np.zeros((n_s, steps + int(o.lag.max(initial=0)) + 1))
    made, shipped = np.zeros((n_k, steps)), np.zeros((n_a, steps))
    delivered, stocks = np.zeros((n_r, steps)), np.zeros((n_s, steps))
    for t in range(steps):
        stock += pipeline[:, t] + o.supply[:, t]
        plan = np.minimum(o.make[:, t], o.ceiling[:, t])
        need = np.bincount(edge_slot, edge_qty * plan[edge_node], minlength=n_s)
        short = slot_supplied & (need > 0)
        cover = np.where(short, np.minimum(stock / np.where(need > 0, need, 1.0), 1.0), 1.0)
        scarcest = np.ones(n_k)
        np.minimum.at(scarcest, edge_node, cover[edge_slot])
        x = plan * scarcest
        used = np.bincount(edge_slot, edge_qty * x[edge_node], minlength=n_s)
        stock -= np.where(slot_supplied, used, 0.0)
        stock = np.maximum(stock, 0.0)  # rounding only: cover keeps use within stock

        # ship DX, then DO, then unrated; proportional within a class
        left = x + held
        fill_arc, fill_final = np.ones(n_a), np.ones(n_r)
        for c in range(N_CLASSES):
            arcs, finals = o.arc_class == c, final_class == c
            want = np.bincount(arc_source[arcs], o.ship[arcs, t], minlength=n_k)
            want += np.bincount(final_source[finals], o.deliver[finals, t], minlength=n_k)
            served = np.minimum(left, want)
            fill = np.where(want > 0, served / np.where(want > 0, want, 1.0), 1.0)
            fill_arc[arcs], fill_final[finals] = fill[arc_source[arcs]], fill[final_source[finals]]
            left -= served
        shipped[:, t] = o.ship[:, t] * fill_arc
        delivered[:, t] = o.deliver[:, t] * fill_final
        held = np.where(maker, left, 0.0)
        np.add.at(pipeline, (arc_slot, t + o.lag), shipped[:, t] * o.passed[:, t])
        made[:, t], stocks[:, t] = x, stock
    rows = np.zeros((len(sy.row_qty), steps))
    np.add.at(rows, final_row, delivered)
    return Replayed(made, shipped, delivered, rows, stocks)
