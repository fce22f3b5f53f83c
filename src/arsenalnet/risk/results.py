"""What the exposure report holds: typed rows, one dataclass per table (docs/risk.md)."""

from dataclasses import dataclass

from arsenalnet.model.errors import InputError


class RiskError(InputError):
    """The end item cannot be assessed (unknown, made nowhere, no upstream network)."""


@dataclass(frozen=True)
class SinglePoint:
    """An input product of the end item supplied through one facility, organization or country.

    ``share`` is the share of end-item units that need it (input lines, at most 1),
    ``units_per_day`` the units of it per day flowing into the end item's demand.
    """

    product_id: str
    tier: int
    kinds: list[str]
    facilities: int
    organizations: int
    countries: list[str]
    makers_in_twin: int
    share: float
    units_per_day: float


@dataclass(frozen=True)
class Concentration:
    """Herfindahl–Hirschman index (0–10,000) of one input's supply to the end item."""

    product_id: str
    tier: int
    facilities: int
    hhi_facility: float
    hhi_country: float
    top_country: str
    top_country_share: float


@dataclass(frozen=True)
class TierExposure:
    """Share of the tier's input lines that pass through foreign-adversary / non-allied sites."""

    tier: int
    facilities: int
    foreign_adversary: float
    non_allied: float


@dataclass(frozen=True)
class CountryExposure:
    """Share of the end item's input lines (tiers >= 1) made in one country."""

    country: str
    share: float
    foreign_adversary: bool
    allied: bool


@dataclass(frozen=True)
class ExposurePath:
    """The best path from a foreign-adversary or non-allied site to the end item's maker."""

    facility_id: str
    country: str
    tier: int
    share: float
    """Share of end-item units whose input lines pass through the site (all its paths)."""
    path_share: float
    """Share carried by this one path (product of the arc shares along it)."""
    path: list[str]
    """``facility (product)`` from the site to the end item's maker."""


@dataclass(frozen=True)
class FacilityRisk:
    """One upstream facility: TTS against TTR and what its outage costs the end item.

    ``tts_days`` is None where alternatives cover all of its shipments (unbounded);
    ``units_lost``/``rei`` are set for the facilities simulated in the criticality
    ranking (``rank`` 1 = the most critical).
    """

    facility_id: str
    country: str
    products: list[str]
    tier: int
    share: float
    tts_days: float | None
    ttr_days: float
    ttr_from_data: bool
    flagged: bool
    """TTR plus the days its recovery takes to reach the end item exceed TTS (docs/risk.md)."""
    screened_units_lost: float
    units_lost: float | None = None
    rei: float | None = None
    rank: int | None = None


@dataclass(frozen=True)
class PlatformExposure:
    """Every upstream plant on one control-system platform down for ``days`` days."""

    platform: str
    facilities: int
    facilities_in_twin: int
    share: float
    days: int
    units_lost: float


@dataclass(frozen=True)
class ExposureReport:
    """Everything the report holds for one end item (units: the end item's, per day or in total)."""

    product_id: str
    priority: str
    demand_per_day: float
    upstream_facilities: int
    upstream_products: int
    tiers: int
    countries: int
    single_points: list[SinglePoint]
    concentration: list[Concentration]
    foreign_adversary_share: float
    non_allied_share: float
    by_tier: list[TierExposure]
    by_country: list[CountryExposure]
    paths: list[ExposurePath]
    facilities: list[FacilityRisk]
    criticality: list[FacilityRisk]
    cyber: list[PlatformExposure]
    horizon_days: int
