"""The firm-level day as whole-array operations of an array namespace: NumPy, or CuPy on a GPU.

The same equations as :mod:`arsenalnet.propagate.kernel`, written once against
``xp`` (``numpy`` or ``cupy``): gathers by index, segment sums as
``xp.bincount(segment, weights)`` (edges to slots, arcs to slots, arcs to their
suppliers) and the scarcest input as ``xp.minimum.at`` (a node's slots). No
Python loop runs per node or link. State lives on the backend's device for the
whole run; each day only the shocked entries go in and the demand rows'
deliveries, the production total and (when recorded) the changed nodes come out.

Sums add the same terms as the compiled kernel but not always in the same order
(a slot's stock adds its deliveries as one sum; on a GPU, ``bincount`` adds with
atomics in any order), so results agree with the default backend to rounding:
within 1e-6 relative, tested on NumPy against the compiled kernel.
"""

from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from arsenalnet.model.errors import InputError
from arsenalnet.propagate.kernel import NO_ORDER, NOTHING, SHORT
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.rationing import N_CLASSES
from arsenalnet.propagate.step import CHANGED, IndexArray, Step, baseline_stock
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]


class BackendUnavailable(InputError):
    """The GPU backend was asked for where CuPy or an NVIDIA GPU is missing."""


def cupy_namespace() -> ModuleType:
    """The ``cupy`` module, once it is known to reach a GPU; else :class:`BackendUnavailable`."""
    try:
        import cupy
    except ImportError as e:
        raise BackendUnavailable(
            "backend 'gpu' needs CuPy, which is not installed: pip install cupy-cuda12x "
            "(or the project's 'gpu' extra), or use --backend cpu"
        ) from e
    try:
        count = int(cupy.cuda.runtime.getDeviceCount())
    except Exception as e:  # CuPy raises its own CUDA errors where there is no driver
        raise BackendUnavailable(f"backend 'gpu' needs an NVIDIA GPU; CUDA says: {e}") from e
    if count == 0:
        raise BackendUnavailable("backend 'gpu' needs an NVIDIA GPU; CUDA finds none")
    module: ModuleType = cupy
    return module


def array_step(
    gpu: bool, sy: FirmSystem, params: Params, nodes: IndexArray, arcs: IndexArray, link0: FloatArray | None
) -> "ArrayStep":
    """An :class:`ArrayStep` on CuPy (``gpu``) or on NumPy."""
    return ArrayStep(cupy_namespace() if gpu else np, sy, params, nodes, arcs, link0)


class ArrayStep(Step):
    """The model's state as ``xp`` arrays, advanced by whole-array operations.

    Class-indexed arrays are (3, n): row c is class c (DX, DO, unrated).
    """

    def __init__(
        self,
        xp: ModuleType,
        sy: FirmSystem,
        params: Params,
        nodes: IndexArray,
        arcs: IndexArray,
        link0: FloatArray | None,
    ) -> None:
        self.xp = xp
        super().__init__(sy, params, nodes, arcs, link0)
        a = xp.asarray
        n_k, n_s = sy.n_nodes, sy.n_slots
        # the structure, on the device
        self.edge_node, self.edge_slot = a(sy.edge_node), a(sy.edge_slot)
        self.se_slot = a(np.repeat(np.arange(n_s, dtype=np.int32), np.diff(sy.slot_edge_ptr)))
        self.se_node, self.se_qty, self.se_days = (
            a(sy.slot_edge_node),
            a(sy.slot_edge_qty),
            a(sy.slot_edge_days),
        )
        self.supplied = a(sy.slot_supplied)
        self.arc_source, self.arc_slot, self.arc_share = a(sy.arc_source), a(sy.arc_slot), a(sy.arc_share)
        self.final_source, self.final_row = a(sy.final_source), a(sy.final_row)
        self.final_class, self.final_share = a(sy.row_class[sy.final_row]), a(sy.final_share)
        self.x0, self.ramp, self.other = a(sy.x0), a(sy.ramp_days), a(sy.other_demand)
        cap = self.capacity
        self.cap_safe = xp.where(cap > 0, cap, 1.0)
        self.normal = xp.where(cap > 0, self.x0 / self.cap_safe, 1.0)
        self.x0_safe = xp.where(self.x0 > 0, self.x0, 1.0)
        # the state at the baseline
        use, stock = baseline_stock(sy)
        self.stock = a(stock)
        self.arc_orders = a(sy.arc_share * np.repeat(use, np.diff(sy.arc_ptr)))
        self.slot_mix = a(sy.slot_mix)
        self.node_mix = xp.zeros((N_CLASSES, n_k))
        self.node_mix[N_CLASSES - 1] = 1.0
        self.headroom = xp.zeros(n_k)
        self.arc_short = xp.zeros(
            len(sy.arc_source), dtype=np.int32 if params.switch_days < 2**31 else np.int64
        )
        self.final_short = xp.zeros(len(sy.final_source), dtype=np.int64)
        self.final_w = self.final_share.copy()
        self.checks = a(np.array([-np.inf, np.inf, -np.inf]))
        self.demand = self._arc_demand(self.arc_orders * self.link_t if self.use_links else self.arc_orders)

    def host(self, a: Any) -> npt.NDArray[Any]:
        """A device array as a NumPy array."""
        return np.asarray(a.get() if hasattr(a, "get") else a)

    def _sum(self, segment: Any, values: Any, n: int) -> Any:
        """(n,) the sum of ``values`` over each segment id."""
        return self.xp.bincount(segment, values, minlength=n)

    def _arc_demand(self, placed: Any) -> Any:
        """(3, K) the orders ``placed`` on each arc, summed on its supplier by the slot's class mix."""
        mix = self.slot_mix[:, self.arc_slot]
        return self.xp.stack([self._sum(self.arc_source, placed * mix[c], self.sy.n_nodes) for c in range(3)])

    def advance(self, row_q: FloatArray, row_delivered: FloatArray) -> None:
        """The day: demand, production, rationing, stocks, orders, final arcs, checks."""
        xp, sy, p = self.xp, self.sy, self.params
        n_k, n_s, switch = sy.n_nodes, sy.n_slots, int(p.switch_days)

        # 1. demand by class: arcs (placed yesterday), programs, unrated outside demand
        final_q = xp.asarray(row_q)[self.final_row] * self.final_w
        d = self.demand
        xp.add.at(d.reshape(-1), self.final_class * n_k + self.final_source, final_q)
        d[N_CLASSES - 1] += self.other
        total = d[0] + d[1] + d[2]
        ceiling = self.cap_t * (self.normal + (1.0 - self.normal) * self.headroom)
        plan = xp.minimum(total, ceiling)
        self.node_mix = xp.where(total > 0, d / xp.where(total > 0, total, 1.0), self.node_mix)
        step = 1.0 / self.ramp
        headroom = self.headroom + xp.where(total > ceiling * (1 + 1e-9), step, -step)
        self.headroom = xp.minimum(xp.maximum(headroom, 0.0), 1.0)
        able = xp.minimum(self.cap_t / self.cap_safe, 1.0)

        # 2. production: the scarcest input's coverage
        need = self._sum(self.se_slot, self.se_qty * plan[self.se_node], n_s)
        ok = (need > 0) & self.supplied
        cover = xp.where(ok, xp.minimum(self.stock / xp.where(ok, need, 1.0), 1.0), 1.0)
        scarcest = xp.ones(n_k)
        xp.minimum.at(scarcest, self.edge_node, cover[self.edge_slot])
        x = plan * scarcest

        # 3. rationing: DX, then DO, then unrated, proportional within a class
        fill = xp.empty((N_CLASSES, n_k))
        left = x
        for c in range(N_CLASSES):
            served = xp.minimum(left, d[c])
            fill[c] = xp.where(d[c] > 0, served / xp.where(d[c] > 0, d[c], 1.0), 1.0)
            left = left - served
        rel = x / self.x0_safe
        self.lost += xp.where(self.x0 > 0, xp.maximum(1.0 - rel, 0.0), 0.0)
        self.moved = xp.abs(rel - 1.0) > CHANGED
        self.x = x

        # 4. stocks: inputs used leave, deliveries arrive
        used = xp.where(self.supplied, self._sum(self.se_slot, self.se_qty * x[self.se_node], n_s), 0.0)
        u = self.se_qty * plan[self.se_node]
        planned = self._sum(self.se_slot, u, n_s)
        target = self._sum(self.se_slot, self.se_days * u, n_s)
        by_class = xp.stack(
            [self._sum(self.se_slot, u * self.node_mix[c, self.se_node], n_s) for c in range(3)]
        )
        left_s = self.stock - used
        src, slot = self.arc_source, self.arc_slot
        placed = self.arc_orders * self.link_t if self.use_links else self.arc_orders
        mix = self.slot_mix[:, slot]
        f = fill[0, src] * mix[0] + fill[1, src] * mix[1] + fill[2, src] * mix[2]
        delivered = placed * f
        shipped = self._sum(src, delivered, n_k)
        self.stock = xp.maximum(left_s, 0.0) + self._sum(slot, delivered, n_s)

        # 5. orders for tomorrow, moving off arcs short for switch_days days (and back)
        avail = xp.where(placed > NO_ORDER, f, able[src])
        if self.use_links:
            avail = self.link_t * avail
        avail = xp.where(avail < NOTHING, 0.0, avail)
        short = xp.where(avail < SHORT, xp.minimum(self.arc_short + 1, max(switch, 0)), 0)
        self.arc_short = short.astype(self.arc_short.dtype)
        weight = self.arc_share * xp.where(short >= switch, avail, 1.0)
        tot = self._sum(slot, weight, n_s)[slot]
        orders = xp.maximum(planned + (target - self.stock) / float(p.restore_days), 0.0)
        self.slot_mix = xp.where(planned > 0, by_class / xp.where(planned > 0, planned, 1.0), self.slot_mix)
        self.arc_orders = orders[slot] * xp.where(
            tot > 0, weight / xp.where(tot > 0, tot, 1.0), self.arc_share
        )
        self.demand = self._arc_demand(
            self.arc_orders * self.link_next if self.use_links else self.arc_orders
        )

        # final arcs: deliveries to programs, and their orders for tomorrow
        fr = fill[self.final_class, self.final_source]
        row_delivered[:] = self.host(self._sum(self.final_row, final_q * fr, len(row_q)))
        shipped += self._sum(self.final_source, final_q * fr, n_k)
        avail_r = xp.where(final_q > NO_ORDER, fr, able[self.final_source])
        avail_r = xp.where(avail_r < NOTHING, 0.0, avail_r)
        self.final_short = xp.where(avail_r < SHORT, self.final_short + 1, 0)
        w_r = self.final_share * xp.where(self.final_short >= switch, avail_r, 1.0)
        tot_r = self._sum(self.final_row, w_r, len(row_q))[self.final_row]
        self.final_w = xp.where(tot_r > 0, w_r / xp.where(tot_r > 0, tot_r, 1.0), self.final_share)

        # checks: production within shocked capacity, stocks >= 0, nothing shipped beyond production
        over = shipped + self.other * fill[N_CLASSES - 1] - x
        day = xp.stack([_top(xp, x - self.cap_t), -_top(xp, -left_s), _top(xp, over)])
        self.checks = xp.where(xp.arange(3) == 1, xp.minimum(self.checks, day), xp.maximum(self.checks, day))

    def finish(self) -> tuple[FloatArray, FloatArray]:
        """The totals, on the host."""
        return self.host(self.lost), self.host(self.checks)


def _top(xp: ModuleType, a: Any) -> Any:
    """The largest value of ``a`` (-inf when it is empty), as a 0-d ``xp`` array."""
    return a.max() if a.size else xp.asarray(-np.inf)
