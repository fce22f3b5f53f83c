"""The end item's upstream cone, with the facts every section of the report reads."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.model import CountryGroup
from arsenalnet.network import Network
from arsenalnet.propagate.cone import Cut, makers, subsystem, upstream
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.risk.dependence import Dependence, dependence, maker_shares
from arsenalnet.risk.results import RiskError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALLIED = (CountryGroup.NATO, CountryGroup.FIVE_EYES, CountryGroup.US_FTA)
"""Countries in any of these groups count as allied; the others as non-allied."""


@dataclass(frozen=True)
class Upstream:
    """An end item's upstream cone: the cut system, the end item's demand rows in it, the
    dependence tiers, and per node its total share, first tier, facility, country and
    whether that country is a foreign adversary / allied."""

    net: Network
    cut: Cut
    rows: IntArray
    dep: Dependence
    tot: FloatArray
    tier: IntArray
    fac: IntArray
    country: IntArray
    adversary: npt.NDArray[np.bool_]
    allied: npt.NDArray[np.bool_]

    @property
    def sy(self) -> FirmSystem:
        """The cut system."""
        return self.cut.system

    def line_share(self, nodes: IntArray) -> float:
        """Share of the end item's supply lines, over every tier, that pass through ``nodes``."""
        return float(self.dep.share[:, nodes].sum() / self.dep.share.sum())

    def node_name(self, k: int) -> str:
        """``facility (product)`` of node ``k``."""
        product = self.net.products.id(int(self.sy.node_product[k]))
        return f"{self.net.facilities.id(int(self.fac[k]))} ({product})"


def upstream_of(net: Network, system: FirmSystem, product_id: str) -> Upstream:
    p = net.products.position(product_id)
    if p < 0:
        raise RiskError(f"unknown end item {product_id!r}: no such product in the twin")
    made = makers(system, np.array([p]))
    if len(made) == 0:
        raise RiskError(f"{product_id} is made by no facility in the twin")
    cut = subsystem(system, upstream(system, made))
    sy = cut.system
    rows = np.flatnonzero(net.demand_product[cut.rows] == p).astype(np.int64)
    start, demand = maker_shares(sy, rows)
    if demand <= 0:
        base = np.where(sy.node_product == p, sy.x0, 0.0)
        start = base / base.sum() if base.sum() > 0 else (sy.node_product == p) / max(len(made), 1)
    dep = dependence(sy, start, demand)
    if dep.tiers < 2:
        raise RiskError(
            f"{product_id} has no upstream network: no supplier of any of its inputs is in the twin"
        )
    fac = sy.node_facility.astype(np.int64)
    adversary = net.in_group(CountryGroup.FOREIGN_ADVERSARY)[fac]
    allied = np.zeros(len(fac), dtype=bool)
    for g in ALLIED:
        allied |= net.in_group(g)[fac]
    return Upstream(
        net,
        cut,
        rows,
        dep,
        dep.total_share(),
        np.argmax(dep.share > 0, axis=0).astype(np.int64),
        fac,
        net.facility_country[fac].astype(np.int64),
        adversary,
        allied,
    )
