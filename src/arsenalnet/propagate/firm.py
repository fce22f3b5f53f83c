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
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.step import CHANGED, CompiledStep, Step
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

__all__ = ["CHANGED", "Backend", "Trajectory", "simulate"]


class Backend(StrEnum):
    """Where the day step runs.

    ``cpu``: the compiled (numba) kernels, in parallel on the CPU's cores (the default;
    bit-identical for any number of threads). ``gpu``: the day as whole-array operations
    of CuPy on an NVIDIA GPU (needs the optional ``cupy`` package and a GPU; agrees with
    ``cpu`` within 1e-6 relative). ``array``: the same array code on NumPy, on the CPU
    (slower than ``cpu``; it is how the GPU code is tested without a GPU).
    """

    CPU = "cpu"
    GPU = "gpu"
    ARRAY = "array"


@dataclass(frozen=True)
class Trajectory:
    """What a run produced, day by day.

    ``row_delivered`` and ``row_demand`` (days, D): units delivered to and
    demanded by each demand row. ``production_ratio`` (days,) total production
    over baseline. Nodes are the Network's capabilities, in its order.
    ``lost_output_days`` (K,): sum over days of ``1 - x/x0``
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


@dataclass(frozen=True)
class _ShockedArcs:
    """Where the shocks land in the system: the nodes of shocked capabilities, the arcs
    over shocked links and, per arc, its link's position in ``Shocks.link_ids``."""

    nodes: IntArray
    arcs: IntArray
    arc_pos: IntArray

    @classmethod
    def of(cls, sy: FirmSystem, shocks: Shocks) -> "_ShockedArcs":
        arcs = np.flatnonzero(np.isin(sy.arc_link, shocks.link_ids) & (sy.arc_link >= 0))
        return cls(
            sy.cap_node[shocks.capacity_nodes].astype(np.int64),
            arcs,
            np.searchsorted(shocks.link_ids, sy.arc_link[arcs]),
        )


def _same(profiles: list[FloatArray], a: int, b: int, days: int) -> bool:
    """Whether every profile takes the same value on days ``a`` and ``b`` (0 outside 0 .. days - 1)."""
    return all((p[a] if 0 <= a < days else 0.0) == (p[b] if 0 <= b < days else 0.0) for p in profiles)


def _step(
    backend: Backend | str,
    sy: FirmSystem,
    params: Params,
    where: _ShockedArcs,
    link0: FloatArray | None,
) -> Step:
    """The :class:`Step` of ``backend`` (the array backends are imported only when asked for)."""
    if Backend(backend) is Backend.CPU:
        return CompiledStep(sy, params, where.nodes, where.arcs, link0)
    from arsenalnet.propagate.array_step import array_step

    return array_step(Backend(backend) is Backend.GPU, sy, params, where.nodes, where.arcs, link0)


def simulate(
    system: FirmSystem,
    shocks: Shocks,
    params: Params | None = None,
    *,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    backend: Backend | str = Backend.CPU,
) -> Trajectory:
    """Run the firm-level model for ``shocks.days`` days from the baseline.

    ``record`` keeps the (day, node, production) of every node off its baseline;
    ``progress(day)`` is called after each simulated day; ``backend`` picks where the
    day step runs (:class:`Backend`; raises
    :class:`~arsenalnet.propagate.array_step.BackendUnavailable` when ``gpu`` cannot run).
    """
    p = params or Params()
    sy = system
    n_d, days = len(sy.row_qty), shocks.days
    where = _ShockedArcs.of(sy, shocks)
    use_links = bool(shocks.links)
    step = _step(backend, sy, p, where, shocks.links_on(0)[where.arc_pos] if use_links else None)

    row_delivered = np.zeros((days, n_d))
    row_demand = np.zeros((days, n_d))
    ratio = np.zeros(days)
    ch_day: list[npt.NDArray[np.int32]] = []
    ch_node: list[npt.NDArray[np.int32]] = []
    ch_x: list[npt.NDArray[np.float32]] = []
    total0 = float(sy.x0.sum()) or 1.0
    losses, blocks = [s.loss for s in shocks.capacity], [s.blocked for s in shocks.links]
    for t in range(days):
        active = (sy.row_start <= t) & ((sy.row_end < 0) | (sy.row_end >= t))
        row_q = sy.row_qty * active * shocks.demand_factor(n_d, t)
        # shocked entries are rewritten only on days their factors move: the capacity array
        # holds yesterday's, the link array being filled holds the day before yesterday's
        step.day(
            None if _same(losses, t, t - 1, days) else shocks.capacity_on(t),
            None
            if not use_links or _same(blocks, t + 1, t - 1, days)
            else shocks.links_on(t + 1)[where.arc_pos],
            row_q,
            row_delivered[t],
        )
        row_demand[t] = row_q

        # what is recorded
        ratio[t] = step.total() / total0
        if record:
            changed, x = step.changed()
            ch_day.append(np.full(len(changed), t, dtype=np.int32))
            ch_node.append(sy.node_cap[changed])
            ch_x.append(x.astype(np.float32))
        if progress:
            progress(t)
    lost, checks = step.finish()

    def cat(parts: list[npt.NDArray[np.generic]], dtype: type) -> npt.NDArray[np.generic]:
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)

    return Trajectory(
        days=days,
        row_delivered=row_delivered,
        row_demand=row_demand,
        lost_output_days=lost[sy.cap_node],
        production_ratio=ratio,
        change_day=cat(ch_day, np.int32),  # type: ignore[arg-type]
        change_node=cat(ch_node, np.int32),  # type: ignore[arg-type]
        change_production=cat(ch_x, np.float32),  # type: ignore[arg-type]
        worst_overproduction=float(checks[0]),
        lowest_stock=float(checks[1]),
        worst_overshipment=float(checks[2]),
    )
