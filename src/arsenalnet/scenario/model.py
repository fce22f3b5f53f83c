"""The typed scenario: what a scenario file says, each part remembering its YAML line.

A :class:`Scenario` is pure data, read from a file by ``load_scenario`` and
turned into engine arrays by ``compile_scenario`` against a ``Network``.
Selectors stay unresolved here: they name facilities and products by id,
country, NAICS code, ... and are matched only when compiled.

A scenario for Monte Carlo sweeps also says what is drawn at random: fields
given as distributions (:class:`RandomField`; the field itself then holds the
distribution's mean, rounded for day counts, and every draw replaces it), the
probability that a facility is hit (:class:`HitRule`), and named :class:`Event`
that occur, or not, together with all their shocks.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from arsenalnet.scenario.distributions import Distribution, Range
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
class RandomField:
    """A field drawn anew in every draw: ``path`` names it (``fraction``, ``start``,
    ``recovery.after``, ``recovery.days``, ``recovery.hold``, ``scale``, ``set``,
    ``ramp_days``), ``dist`` is its distribution, ``range`` the values it takes."""

    path: str
    dist: Distribution
    range: Range
    line: int


@dataclass(frozen=True)
class HitRule:
    """Facilities matching ``facilities`` (None: every facility of the shock) are hit with
    probability ``p`` in a draw; the first rule a facility matches applies."""

    facilities: Selector | None
    p: float
    line: int


@dataclass(frozen=True)
class Event:
    """A named event that occurs in a draw with ``probability``; the shocks naming it act only
    then, counting their ``start`` from the event's ``start`` (a day, or drawn: ``random``)."""

    name: str
    probability: float
    start: int
    random: tuple[RandomField, ...]
    line: int


@dataclass(frozen=True)
class Timing:
    """From day ``start`` (>= 0); ``recovery`` None = permanent."""

    start: int = 0
    recovery: Recovery | None = None


@dataclass(frozen=True)
class CapacityLoss:
    """Capabilities whose facility matches ``facilities`` (and product ``products``) lose
    ``fraction`` of their capacity.

    With ``probability`` rules, each facility is hit in a draw with its rule's ``p``;
    ``correlation`` (in [0, 1]) is the weight of a factor the facilities share (a
    one-factor Gaussian copula: 0 independent, 1 all hit or none, where ``p`` is equal).
    """

    line: int
    label: str
    facilities: Selector
    products: Selector | None
    fraction: float
    timing: Timing
    event: str | None = None
    random: tuple[RandomField, ...] = ()
    probability: tuple[HitRule, ...] = ()
    correlation: float = 0.0


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
    event: str | None = None
    random: tuple[RandomField, ...] = ()


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
    event: str | None = None
    random: tuple[RandomField, ...] = ()


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
    event: str | None = None
    random: tuple[RandomField, ...] = ()


ShockSpec = CapacityLoss | ExportBan | LinkCut | DemandChange

SHOCK_TYPES: tuple[str, ...] = ("capacity_loss", "demand_change", "export_ban", "link_cut")
"""The ``type:`` of each shock kind."""


@dataclass(frozen=True)
class Scenario:
    """A whole scenario: ``days`` simulated days, engine ``params`` overrides, and shocks.

    ``source`` is the file it was read from (for error messages); ``seed`` feeds
    the random draws of Monte Carlo sweeps (``arsenal sweep``), ``events`` are the
    named events its shocks may belong to.
    """

    name: str
    description: str
    days: int
    seed: int
    params: Mapping[str, float | int]
    shocks: tuple[ShockSpec, ...]
    source: str = "<scenario>"
    line: int = field(default=1, compare=False)
    events: tuple[Event, ...] = ()

    def random_line(self) -> int | None:
        """The line of the first thing drawn at random (a distribution, a hit probability,
        an event), or None for a deterministic scenario."""
        lines = [e.line for e in self.events]
        for s in self.shocks:
            lines += [f.line for f in s.random]
            if isinstance(s, CapacityLoss):
                lines += [rule.line for rule in s.probability]
        return min(lines, default=None)
