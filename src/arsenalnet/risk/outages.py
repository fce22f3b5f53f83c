"""Many outages simulated at once: one batched run of the propagation engine.

Each outage takes a set of nodes of a (cut) system fully down from day 0 for a
number of days, then back to full capacity. The outages of a batch run as
disjoint copies of the system in one :func:`~arsenalnet.propagate.firm.simulate`
call (:mod:`arsenalnet.propagate.tile`), so a hundred single-facility outages
cost one vectorized run, not a hundred. Batches are cut so that no run holds
more than ``max_nodes`` nodes.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numba
import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, Shocks
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.propagate.tile import tile_system

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_BATCH_NODES = 2_000_000
"""Most nodes one batched run holds (copies x nodes per copy)."""
SERIAL_BELOW_NODES = 200_000
"""A batched run smaller than this runs the kernel on one thread: its parallel passes are too
short to pay for the threads' barriers (on a busy machine two threads were 100x slower)."""


@contextmanager
def _threads_for(n_nodes: int) -> Iterator[None]:
    """Run the enclosed engine calls on one thread when the system is small."""
    before = numba.get_num_threads()
    if n_nodes < SERIAL_BELOW_NODES:
        numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@dataclass(frozen=True)
class Outage:
    """``nodes`` (node indices of the system) fully down on days 0 .. ``days`` - 1."""

    nodes: IntArray
    days: int


def units_lost(
    sy: FirmSystem,
    outages: Sequence[Outage],
    rows: IntArray,
    horizon: int,
    params: Params | None = None,
    *,
    max_nodes: int = MAX_BATCH_NODES,
    progress: Callable[[int], None] | None = None,
) -> FloatArray:
    """(len(outages),) units of demand ``rows`` not delivered over ``horizon`` days under each
    outage. ``progress(done)`` is called after each batch with the outages done so far."""
    lost = np.zeros(len(outages))
    per_batch = max(1, max_nodes // max(sy.n_nodes, 1))
    k, d = sy.n_nodes, len(sy.row_qty)
    for lo in range(0, len(outages), per_batch):
        batch = outages[lo : lo + per_batch]
        tiled = tile_system(sy, len(batch), int(sy.node_facility.max(initial=0)) + 1)
        shocks = []
        for c, o in enumerate(batch):
            loss = np.zeros(horizon)
            loss[: min(o.days, horizon)] = 1.0
            # a shock names Network capabilities: the tiled system's capability c*K + node_cap
            shocks.append(CapacityShock(sy.node_cap[o.nodes].astype(np.int64) + c * k, loss))
        with _threads_for(tiled.n_nodes):
            tr = simulate(tiled, Shocks(horizon, capacity=tuple(shocks)), params, record=False)
        for c in range(len(batch)):
            cols = rows + c * d
            lost[lo + c] = float((tr.row_demand[:, cols] - tr.row_delivered[:, cols]).sum())
        if progress:
            progress(lo + len(batch))
    return lost
