"""What a planner run is asked: end items, horizon, buckets, surge, scenario, hard limits."""

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from arsenalnet.optimize.am import AmRoutes
from arsenalnet.propagate.shocks import Shocks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Requirement:
    """A hard constraint the user sets: at least ``quantity`` units of ``product_id`` delivered
    (over all its demand rows) by the end of day ``by_day`` (day 0 = today)."""

    product_id: str
    quantity: float
    by_day: int


@dataclass(frozen=True)
class Expansions:
    """Expansion options (the ``expansion_option`` table) on a Network: option i adds
    ``extra_per_day[i]`` units/day to Network capability ``capability[i]`` from day
    ``lead_days[i]`` on, for a one-off ``cost[i]`` (USD) if taken whole."""

    capability: IntArray
    option: tuple[str, ...]
    extra_per_day: FloatArray
    lead_days: FloatArray
    cost: FloatArray

    @classmethod
    def none(cls) -> "Expansions":
        """No options."""
        empty = np.zeros(0)
        return cls(np.zeros(0, np.int64), (), empty, empty, empty)


@dataclass(frozen=True)
class PlanRequest:
    """A mobilization question.

    ``products``: the end items (ids) whose demand rows are planned; ``horizon_days`` >= 1 days
    in buckets of ``bucket_days``; ``surge`` multiplies their demand; ``shocks`` (a compiled
    scenario over the horizon, addressed to the whole Network) lowers capacities, blocks links
    and changes demand; ``expansions`` may add capacity; ``am`` is qualified
    additive-manufacturing capacity (an alternative source of the parts it prints);
    ``requirements`` and ``budget_usd`` (the most the expansions may cost) are hard constraints.
    ``in_transit``: the plan starts from the running base, with what each link carries at its
    baseline flow already on its way (arriving over its lead time); ``False`` starts with nothing
    in transit (a supply chain being stood up).
    """

    products: tuple[str, ...]
    horizon_days: int
    bucket_days: int = 1
    surge: float = 1.0
    shocks: Shocks | None = None
    expansions: Expansions = field(default_factory=Expansions.none)
    am: AmRoutes = field(default_factory=AmRoutes.none)
    requirements: tuple[Requirement, ...] = ()
    budget_usd: float | None = None
    in_transit: bool = True
