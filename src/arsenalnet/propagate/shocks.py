"""What a scenario does to the network, as arrays the engine reads day by day.

A scenario file (``arsenalnet.scenario``) is compiled into :class:`Shocks`:
lists of events, each naming the nodes, links or demand rows it touches and a
profile over the simulated days. Days run 0 .. ``days - 1``; a profile holds
one value per day.
"""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IndexArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CapacityShock:
    """Capabilities ``nodes`` (indices into the Network's capability arrays) lose
    ``loss[t]`` (a fraction in [0, 1]) of their capacity on day ``t``.

    Several shocks on one node compound: capacity x (1 - l1) x (1 - l2).
    """

    nodes: IndexArray
    loss: FloatArray
    label: str = ""


@dataclass(frozen=True)
class LinkShock:
    """Supply links ``links`` carry at most ``1 - blocked[t]`` of what is ordered on day ``t``
    (an export ban or a cut route: ``blocked`` = 1 while it lasts)."""

    links: IndexArray
    blocked: FloatArray
    label: str = ""


@dataclass(frozen=True)
class DemandShock:
    """Demand rows ``rows`` (indices into the Network's demand arrays) are multiplied
    by ``factor[t]`` on day ``t`` (>= 0; 3 = tripled)."""

    rows: IndexArray
    factor: FloatArray
    label: str = ""


@dataclass(frozen=True)
class Shocks:
    """Every event of a scenario, over ``days`` days."""

    days: int
    capacity: tuple[CapacityShock, ...] = field(default_factory=tuple)
    links: tuple[LinkShock, ...] = field(default_factory=tuple)
    demand: tuple[DemandShock, ...] = field(default_factory=tuple)

    def capacity_factor(self, n_nodes: int, day: int) -> FloatArray:
        """(K,) share of each node's capacity left on ``day``."""
        factor = np.ones(n_nodes)
        for s in self.capacity:
            factor[s.nodes] *= 1.0 - s.loss[day]
        return factor

    def link_factor(self, n_links: int, day: int) -> FloatArray:
        """(L,) share of each link's flow that may pass on ``day``."""
        factor = np.ones(n_links)
        for s in self.links:
            factor[s.links] *= 1.0 - s.blocked[day]
        return factor

    def demand_factor(self, n_rows: int, day: int) -> FloatArray:
        """(D,) multiplier of each demand row on ``day``."""
        factor = np.ones(n_rows)
        for s in self.demand:
            factor[s.rows] *= s.factor[day]
        return factor
