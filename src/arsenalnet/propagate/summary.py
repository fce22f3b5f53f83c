"""What a run means for the people who asked: end-item outcomes and the most affected places."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Network
from arsenalnet.propagate.firm import Trajectory
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

RECOVERED = 0.999
"""Share of demand met from which an end item counts as recovered."""

PRIORITY_NAMES = ("DX", "DO", "none")


@dataclass(frozen=True)
class EndItemOutcome:
    """One end item with demand, over the run.

    ``met`` (days,) is the share of its demand met each day (1 on days with
    no demand). ``worst_day`` is the day the share was lowest; ``recovery_day``
    the first day from which it stays >= 0.999 to the end of the run (None if
    it never gets back there; 0 if it was never short). Units are the item's.
    """

    product_id: str
    priority: str
    demanded: float
    delivered: float
    lost: float
    worst_day: int
    worst_share: float
    recovery_day: int | None
    met: list[float]


@dataclass(frozen=True)
class Affected:
    """A facility, product, region or country and the days of normal output its plants lost."""

    id: str
    lost_output_days: float


@dataclass(frozen=True)
class SimulationSummary:
    """The summary printed, recorded in the ``run`` table and written as summary.json."""

    days: int
    end_items: list[EndItemOutcome]
    facilities: list[Affected]
    products: list[Affected]
    regions: list[Affected]
    countries: list[Affected]
    lowest_production_ratio: float
    nodes_changed: int
    over_capacity_nodes: int


def _outcome(product_id: str, priority: int, demand: FloatArray, delivered: FloatArray) -> EndItemOutcome:
    met = np.where(demand > 0, delivered / np.where(demand > 0, demand, 1.0), 1.0)
    worst = int(np.argmin(met))
    short = np.flatnonzero(met < RECOVERED)
    if len(short) == 0:
        recovery: int | None = 0
    elif short[-1] == len(met) - 1:
        recovery = None
    else:
        recovery = int(short[-1] + 1)
    return EndItemOutcome(
        product_id=product_id,
        priority=PRIORITY_NAMES[priority],
        demanded=float(demand.sum()),
        delivered=float(delivered.sum()),
        lost=float((demand - delivered).sum()),
        worst_day=worst,
        worst_share=float(met[worst]),
        recovery_day=recovery,
        met=[round(float(v), 6) for v in met],
    )


def _sum(groups: npt.NDArray[np.integer], weights: FloatArray, n: int) -> FloatArray:
    """Sum of ``weights`` per group."""
    return np.bincount(groups, weights, minlength=n).astype(np.float64)


def _top(names: Callable[[IntArray], list[str]], lost: FloatArray, top: int) -> list[Affected]:
    """The ``top`` largest losses (> 0), named by ``names(indices)``."""
    order = np.argsort(-lost, kind="stable")[:top]
    order = order[lost[order] > 1e-9]
    return [Affected(name, round(float(v), 6)) for name, v in zip(names(order), lost[order], strict=True)]


def summarize(net: Network, system: FirmSystem, tr: Trajectory, top: int = 10) -> SimulationSummary:
    """End-item outcomes (demand rows of one product pooled) and the ``top`` most affected
    facilities, products, regions and countries by days of normal output lost."""
    items = []
    products = np.unique(net.demand_product)
    for p in products:
        rows = np.flatnonzero(net.demand_product == p)
        items.append(
            _outcome(
                net.products.id(int(p)),
                int(net.demand_priority[rows].min()),
                tr.row_demand[:, rows].sum(axis=1),
                tr.row_delivered[:, rows].sum(axis=1),
            )
        )
    lost = tr.lost_output_days
    by_fac = _sum(net.cap_facility, lost, net.n_facilities)
    by_prd = _sum(net.cap_product, lost, net.n_products)
    region = np.asarray(net.facility_region.fill_null("").to_numpy(zero_copy_only=False), dtype=object)
    country = np.asarray(net.countries.take(net.facility_country), dtype=object)
    region_key = np.where(region == "", country, country + "-" + region)  # no region: the country
    r_ids, r_inv = np.unique(region_key, return_inverse=True)
    c_ids, c_inv = np.unique(country, return_inverse=True)
    changed = np.unique(tr.change_node).size if tr.change_node.size else int((lost > 1e-12).sum())
    return SimulationSummary(
        days=tr.days,
        end_items=items,
        facilities=_top(net.facilities.take, by_fac, top),
        products=_top(net.products.take, by_prd, top),
        regions=_top(lambda i: [str(r) for r in r_ids[i]], _sum(r_inv, by_fac, len(r_ids)), top),
        countries=_top(lambda i: [str(c) for c in c_ids[i]], _sum(c_inv, by_fac, len(c_ids)), top),
        lowest_production_ratio=float(tr.production_ratio.min()) if tr.days else 1.0,
        nodes_changed=int(changed),
        over_capacity_nodes=system.over_capacity,
    )
