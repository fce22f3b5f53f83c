"""The state of a firm-level run and its advance by one day, behind one interface for every backend.

A :class:`Step` holds the state of the model (stocks, orders, class mixes,
utilization headroom, days short) on its backend's arrays and advances it a day
at a time; :func:`arsenalnet.propagate.firm.simulate` drives it. Two backends
share this interface: :class:`CompiledStep` runs the compiled (numba) kernels of
:mod:`arsenalnet.propagate.kernel` on the CPU (the default, and the fastest on a
CPU), and :class:`arsenalnet.propagate.array_step.ArrayStep` runs the same
equations as whole-array operations of an array namespace (NumPy, or CuPy on a
GPU).
"""

from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.kernel import MIX, close_day, day_step, prime_demand
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.rationing import N_CLASSES
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.integer]

CHANGED = 1e-9
"""Relative change of a node's production that counts as a change in the recorded series."""


def baseline_stock(sy: FirmSystem) -> tuple[FloatArray, FloatArray]:
    """(S,) each slot's use per day and its stock (its target) at the baseline, in its product's units.

    Sums run over a slot's edges in edge order (the same sums as a scatter over edges)."""
    slot = np.repeat(np.arange(sy.n_slots), np.diff(sy.slot_edge_ptr))
    use = sy.slot_edge_qty * sy.x0[sy.slot_edge_node]
    stock = sy.slot_edge_days * sy.slot_edge_qty * sy.x0[sy.slot_edge_node]
    return (
        np.bincount(slot, use, minlength=sy.n_slots).astype(np.float64, copy=False),
        np.bincount(slot, stock, minlength=sy.n_slots).astype(np.float64, copy=False),
    )


def short_days_dtype(switch_days: int) -> type[np.integer[Any]]:
    """The narrowest integer that counts an arc's days short up to ``switch_days`` (all a step compares)."""
    return np.uint8 if 0 <= switch_days <= 255 else np.int64


class Step:
    """The state of one run on a backend's arrays, and the shocks' entry points.

    ``xp`` is the array namespace; ``nodes`` and ``arcs`` (host index arrays) are where
    capacity and link shocks land. Subclasses implement :meth:`advance`.
    """

    xp: ModuleType

    def __init__(
        self, sy: FirmSystem, params: Params, nodes: IndexArray, arcs: IndexArray, link0: FloatArray | None
    ) -> None:
        xp = self.xp
        self.sy, self.params = sy, params
        self.nodes, self.arcs = xp.asarray(nodes), xp.asarray(arcs)
        self.capacity = xp.asarray(sy.capacity)
        self.cap_t = self.capacity.copy()
        self.shocked_capacity = self.capacity[self.nodes]
        self.use_links = link0 is not None
        n_a = len(sy.arc_source) if self.use_links else 1
        self.link_t, self.link_next = xp.ones(n_a), xp.ones(n_a)
        if link0 is not None:
            self.link_t[self.arcs] = xp.asarray(link0)
        self.x = xp.empty(sy.n_nodes)
        self.lost = xp.zeros(sy.n_nodes)
        self.moved = xp.zeros(sy.n_nodes, dtype=bool)

    def day(
        self,
        capacity: FloatArray | None,
        links_next: FloatArray | None,
        row_q: FloatArray,
        row_delivered: FloatArray,
    ) -> None:
        """Advance one day. ``capacity`` (n,) is the share of capacity left at ``nodes`` today,
        ``links_next`` (m,) the share of flow ``arcs`` let through tomorrow, ``row_q`` (D,) the
        demand of each row today; ``row_delivered`` (D,) receives what the rows got. ``None``
        keeps the values in place: yesterday's capacity; for the links, the values of the day
        before yesterday (the link factors are two arrays, today's and tomorrow's, swapped
        each day)."""
        xp = self.xp
        if capacity is not None and len(self.nodes):
            self.cap_t[self.nodes] = self.shocked_capacity * xp.asarray(capacity)
        if links_next is not None and self.use_links:
            self.link_next[self.arcs] = xp.asarray(links_next)
        self.advance(row_q, row_delivered)
        self.link_t, self.link_next = self.link_next, self.link_t

    def advance(self, row_q: FloatArray, row_delivered: FloatArray) -> None:
        """The model's day, on this backend (the shocks of the day are in place)."""
        raise NotImplementedError

    def host(self, a: Any) -> npt.NDArray[Any]:
        """A backend array as a NumPy array."""
        return np.asarray(a)

    def total(self) -> float:
        """Today's production summed over all nodes, units/day."""
        return float(self.x.sum())

    def changed(self) -> tuple[npt.NDArray[np.int64], FloatArray]:
        """The nodes whose production moved off the baseline today, and their production."""
        at = self.xp.flatnonzero(self.moved)
        return self.host(at), self.host(self.x[at])

    def finish(self) -> tuple[FloatArray, FloatArray]:
        """After the last day: ``lost`` (K,) days of normal output lost per node and the
        three checks (largest production above capacity, lowest stock, largest shipment
        above production)."""
        raise NotImplementedError


class CompiledStep(Step):
    """The day as the compiled (numba) kernels, in place on the CPU: bit-identical for any
    number of threads."""

    xp = np

    def __init__(
        self, sy: FirmSystem, params: Params, nodes: IndexArray, arcs: IndexArray, link0: FloatArray | None
    ) -> None:
        super().__init__(sy, params, nodes, arcs, link0)
        n_k = sy.n_nodes
        use, self.stock = baseline_stock(sy)
        self.arc_orders = sy.arc_share * np.repeat(use, np.diff(sy.arc_ptr))
        self.slot_mix = np.array(sy.slot_mix.T, order="C")  # a copy: the kernel writes it
        self.supply, self.node = _rows(n_k), _rows(n_k)
        self.node[:, MIX + N_CLASSES - 1] = 1.0
        self.headroom = np.zeros(n_k)
        self.arc_short = np.zeros(len(sy.arc_source), dtype=short_days_dtype(params.switch_days))
        self.final_short = np.zeros(len(sy.final_source), dtype=np.int64)
        self.final_w = sy.final_share.copy()
        self.plan = np.empty(n_k)
        self.cover = np.empty(sy.n_slots)
        self.checks = np.array([-np.inf, np.inf, -np.inf])
        self.max_arcs = int(np.diff(sy.arc_ptr).max(initial=0))
        cap = sy.capacity
        self.normal_share = np.where(cap > 0, sy.x0 / np.where(cap > 0, cap, 1.0), 1.0)
        self.ramp_step = 1.0 / sy.ramp_days
        self.days_run = 0
        prime_demand(
            sy.arc_ptr,
            sy.arc_source,
            self.arc_orders,
            self.link_t,
            self.use_links,
            self.slot_mix,
            sy.chunk,
            self.supply,
        )

    def advance(self, row_q: FloatArray, row_delivered: FloatArray) -> None:
        """One call of :func:`arsenalnet.propagate.kernel.day_step`."""
        sy, p = self.sy, self.params
        day_step(
            sy.edge_ptr,
            sy.edge_slot,
            sy.slot_edge_ptr,
            sy.slot_edge_node,
            sy.slot_edge_qty,
            sy.slot_edge_days,
            sy.slot_supplied,
            sy.arc_ptr,
            sy.arc_source,
            sy.arc_share,
            sy.chunk,
            sy.final_source,
            sy.final_row,
            sy.final_share,
            sy.row_class,
            sy.capacity,
            self.normal_share,
            self.ramp_step,
            sy.other_demand,
            sy.x0,
            float(p.restore_days),
            int(p.switch_days),
            CHANGED,
            self.max_arcs,
            self.cap_t,
            self.use_links,
            self.link_t,
            self.link_next,
            row_q,
            self.stock,
            self.arc_orders,
            self.slot_mix,
            self.headroom,
            self.arc_short,
            self.final_short,
            self.final_w,
            self.supply,
            self.node,
            self.plan,
            self.cover,
            self.x,
            row_delivered,
            self.lost,
            self.moved,
            self.checks,
            self.days_run > 0,
        )
        self.days_run += 1

    def finish(self) -> tuple[FloatArray, FloatArray]:
        """The last day's shipment check, then the totals."""
        if self.days_run:
            close_day(self.supply, self.sy.other_demand, self.x, self.checks)
        return self.lost, self.checks


def _rows(n: int) -> FloatArray:
    """(n, 8) zeros, each row one 64-byte cache line (the kernel reads a row at random)."""
    buf = np.zeros(n * 8 + 8)
    skip = (-buf.ctypes.data % 64) // 8
    rows: FloatArray = buf[skip : skip + n * 8].reshape(n, 8)
    return rows
