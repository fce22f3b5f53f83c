"""What a scenario does to the network, as arrays the engine reads day by day.

A scenario file (``arsenalnet.scenario``) is compiled into :class:`Shocks`:
lists of events, each naming the nodes, links or demand rows it touches and a
profile over the simulated days. Days run 0 .. ``days - 1``; a profile holds
one value per day.
"""

from dataclasses import dataclass, field
from functools import cached_property

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

    @cached_property
    def capacity_nodes(self) -> IndexArray:
        """(n,) every node some capacity shock names, sorted."""
        return np.unique(np.concatenate([s.nodes for s in self.capacity] + [np.zeros(0, np.int64)]))

    @cached_property
    def link_ids(self) -> IndexArray:
        """(m,) every link some link shock names, sorted."""
        return np.unique(np.concatenate([s.links for s in self.links] + [np.zeros(0, np.int64)]))

    @cached_property
    def _positions(self) -> tuple[list[IndexArray], list[IndexArray]]:
        return (
            [np.searchsorted(self.capacity_nodes, s.nodes) for s in self.capacity],
            [np.searchsorted(self.link_ids, s.links) for s in self.links],
        )

    def capacity_on(self, day: int) -> FloatArray:
        """(n,) share of the capacity of each of ``capacity_nodes`` left on ``day``
        (several shocks compound: (1 - l1) x (1 - l2)); 1 after the last day."""
        factor = np.ones(len(self.capacity_nodes))
        if day < self.days:
            for s, pos in zip(self.capacity, self._positions[0], strict=True):
                factor[pos] *= 1.0 - s.loss[day]
        return factor

    def links_on(self, day: int) -> FloatArray:
        """(m,) share of the flow of each of ``link_ids`` that may pass on ``day``; 1 after the last day."""
        factor = np.ones(len(self.link_ids))
        if day < self.days:
            for s, pos in zip(self.links, self._positions[1], strict=True):
                factor[pos] *= 1.0 - s.blocked[day]
        return factor

    def capacity_factor(self, n_nodes: int, day: int) -> FloatArray:
        """(K,) share of each node's capacity left on ``day``."""
        factor = np.ones(n_nodes)
        factor[self.capacity_nodes] = self.capacity_on(day)
        return factor

    def demand_factor(self, n_rows: int, day: int) -> FloatArray:
        """(D,) multiplier of each demand row on ``day``."""
        factor = np.ones(n_rows)
        for s in self.demand:
            factor[s.rows] *= s.factor[day]
        return factor
