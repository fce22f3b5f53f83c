"""A batch of draws as one engine call: B disjoint copies of the system, one per draw.

:func:`run_batch` is what every executor runs (in this process, in a process
pool, as a Ray task): it draws the batch's shocks, tiles the system
(:func:`~arsenalnet.propagate.tile.tile_system`; copy c runs draw c, bit for bit
as if alone), simulates once and returns each draw's end-item deliveries and
critical-path facilities (:mod:`arsenalnet.scenario.critical`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Network
from arsenalnet.propagate.cone import makers, upstream
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.propagate.summary import PRIORITY_NAMES
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.propagate.tile import tile_system
from arsenalnet.scenario.critical import SHORT, carriers, roots, unique_keys
from arsenalnet.scenario.draws import Draw, Plan, Target

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

ENGINE_THREADS = 1
"""A batch runs the engine on one thread: a sweep is parallel across draws (``--workers``,
Ray), which needs no synchronization within a day. On the busy 2-core development machine
two threads made a batch of 63 draws of a 131-node cone 6.6x slower (24.5 against 3.7 ms
a draw), and one 180-day run of the 100k-facility twin 2.6x slower (17.4 against 6.7 s)."""


@dataclass(frozen=True)
class EndItems:
    """The end items a sweep reports: the products of the target system's demand rows.

    ``rows[i]`` are item i's demand rows in the target system, ``upstream`` (I, K) its
    makers and every node upstream of them, ``priority`` its highest DPAS rating.
    """

    product_ids: tuple[str, ...]
    priorities: tuple[str, ...]
    rows: tuple[IntArray, ...]
    upstream: BoolArray

    @classmethod
    def of(cls, net: Network, system: FirmSystem, target: Target) -> "EndItems":
        """The end items of ``system``, ``target`` mapping its demand rows to the Network's."""
        net_row = np.empty(len(system.row_qty), dtype=np.int64)
        held = np.flatnonzero(target.row >= 0)
        net_row[target.row[held]] = held
        product = net.demand_product[net_row]
        items = np.unique(product)
        rows = tuple(np.flatnonzero(product == p).astype(np.int64) for p in items)
        return cls(
            product_ids=tuple(net.products.id(int(p)) for p in items),
            priorities=tuple(PRIORITY_NAMES[int(net.demand_priority[net_row[r]].min())] for r in rows),
            rows=rows,
            upstream=np.array([upstream(system, makers(system, np.array([p]))) for p in items]).reshape(
                len(items), system.n_nodes
            ),
        )


@dataclass(frozen=True)
class SweepJob:
    """Everything a batch needs, sent to each worker once: the plan, the one-copy ``system``
    the draws run on (a cut or the whole), where shocks land on it, its end items, the
    engine parameters, the sweep's seed and the Network's facility count (for tiling)."""

    plan: Plan
    system: FirmSystem
    target: Target
    items: EndItems
    params: Params
    seed: int
    n_facilities: int


@dataclass(frozen=True)
class BatchResult:
    """Draws ``draws`` (B,): ``delivered`` and ``demand`` (B, days, I) units/day of each end
    item, ``occurred`` (B, E) the events that occurred, ``critical`` (M, 4) rows of
    (draw, end item, Network facility, 1 if as a root else 0) on a critical path."""

    draws: IntArray
    delivered: FloatArray
    demand: FloatArray
    occurred: BoolArray
    critical: IntArray


def stack(draws: Sequence[Draw], days: int, n_caps: int, n_links: int, n_rows: int) -> Shocks:
    """Each draw's shocks addressed to its copy of a tiled system: copy c's capability i is
    ``c * n_caps + i``, its link l ``c * n_links + l``, its demand row r ``c * n_rows + r``."""
    capacity, links, demand = [], [], []
    for c, d in enumerate(draws):
        for s in d.shocks:
            if isinstance(s, CapacityShock):
                capacity.append(CapacityShock(s.nodes + c * n_caps, s.loss, s.label))
            elif isinstance(s, LinkShock):
                links.append(LinkShock(s.links + c * n_links, s.blocked, s.label))
            else:
                demand.append(DemandShock(s.rows + c * n_rows, s.factor, s.label))
    return Shocks(days, tuple(capacity), tuple(links), tuple(demand))


def run_batch(job: SweepJob, draws: Sequence[int]) -> BatchResult:
    """Run ``draws`` (indices into the sweep) as one tiled engine call on
    :data:`ENGINE_THREADS` threads."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(ENGINE_THREADS)
    try:
        return _run(job, draws)
    finally:
        numba.set_num_threads(before)


def _run(job: SweepJob, draws: Sequence[int]) -> BatchResult:
    sy, days, b = job.system, job.plan.days, len(draws)
    k, n_rows = sy.n_nodes, len(sy.row_qty)
    made = [job.plan.draw(job.seed, i, job.target) for i in draws]
    shocks = stack(made, days, k, sy.n_links, n_rows)
    tiled = sy if b == 1 else tile_system(sy, b, job.n_facilities)
    tr = simulate(tiled, shocks, job.params, record=False)

    by_row = tr.row_delivered.reshape(days, b, n_rows), tr.row_demand.reshape(days, b, n_rows)
    delivered, demand = (
        np.stack([x[:, :, rows].sum(axis=2) for rows in job.items.rows], axis=2).transpose(1, 0, 2)
        for x in by_row
    )
    lost = (demand - delivered).sum(axis=1)
    short = lost > SHORT * demand.sum(axis=1)
    root = roots(tiled, shocks)
    carried = carriers(tiled, root, tr.lost_output_days[tiled.node_cap]).reshape(b, k)
    copy, item, node = np.nonzero(carried[:, None, :] & job.items.upstream[None] & short[:, :, None])
    rows = np.column_stack(
        [np.asarray(draws, np.int64)[copy], item, sy.node_facility[node], root.reshape(b, k)[copy, node]]
    )
    return BatchResult(
        draws=np.asarray(draws, dtype=np.int64),
        delivered=delivered,
        demand=demand,
        occurred=np.array([d.occurred for d in made]).reshape(b, len(job.plan.scenario.events)),
        critical=unique_keys(rows.reshape(-1, 4), 3),
    )
