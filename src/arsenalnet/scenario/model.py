"""The typed scenario: what a scenario file says, each part remembering its YAML line.

A :class:`Scenario` is pure data, read from a file by ``load_scenario`` and
turned into engine arrays by ``compile_scenario`` against a ``Network``.
Selectors stay unresolved here: they name facilities and products by id,
country, NAICS code, ... and are matched only when compiled.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from arsenalnet.scenario.profiles import Recovery


class SelectorKind(StrEnum):
    """What a selector picks."""

    FACILITY = "facility"
    PRODUCT = "product"


FACILITY_KEYS: tuple[str, ...] = (
    "id",
    "country",
    "group",
    "region",
    "naics_prefix",
    "control_system",
    "organization",
    "not",
)
"""Keys of a facility selector."""

PRODUCT_KEYS: tuple[str, ...] = ("id", "kind", "naics_prefix", "hs_prefix", "not")
"""Keys of a product selector."""


@dataclass(frozen=True)
class Clause:
    """``key: values`` of a selector (OR within ``values``), written at ``line``."""

    key: str
    values: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Selector:
    """Facilities or products matching every clause (AND), minus those matching ``exclude``."""

    kind: SelectorKind
    clauses: tuple[Clause, ...]
    exclude: "Selector | None"
    line: int


@dataclass(frozen=True)
class Timing:
    """From day ``start`` (>= 0); ``recovery`` None = permanent."""

    start: int = 0
    recovery: Recovery | None = None


@dataclass(frozen=True)
class CapacityLoss:
    """Capabilities whose facility matches ``facilities`` (and product ``products``) lose
    ``fraction`` of their capacity."""

    line: int
    label: str
    facilities: Selector
    products: Selector | None
    fraction: float
    timing: Timing


@dataclass(frozen=True)
class ExportBan:
    """Links from ``suppliers`` to ``buyers`` (default: any buyer in another country than the
    supplier's) carrying ``products`` are blocked (``fraction``, default 1)."""

    line: int
    label: str
    suppliers: Selector
    buyers: Selector | None
    products: Selector
    fraction: float
    timing: Timing


@dataclass(frozen=True)
class LinkCut:
    """Links matching every given part (suppliers, buyers, products, transport modes) are blocked."""

    line: int
    label: str
    suppliers: Selector | None
    buyers: Selector | None
    products: Selector | None
    modes: Clause | None
    fraction: float
    timing: Timing


@dataclass(frozen=True)
class DemandChange:
    """Demand rows of ``products`` (and ``customers``) scaled by ``scale``, or set so that they
    sum to ``set_total`` units/day, ramping over ``ramp_days`` days."""

    line: int
    label: str
    products: Selector
    customers: Clause | None
    scale: float | None
    set_total: float | None
    ramp_days: int
    timing: Timing


ShockSpec = CapacityLoss | ExportBan | LinkCut | DemandChange

SHOCK_TYPES: tuple[str, ...] = ("capacity_loss", "demand_change", "export_ban", "link_cut")
"""The ``type:`` of each shock kind."""


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: ``days`` simulated days, engine ``params`` overrides, and shocks.

    ``source`` is the file it was read from (for error messages); ``seed`` feeds
    random draws of later Monte Carlo runs.
    """

    name: str
    description: str
    days: int
    seed: int
    params: Mapping[str, float | int]
    shocks: tuple[ShockSpec, ...]
    source: str = "<scenario>"
    line: int = field(default=1, compare=False)
