"""Enumerations of the twin: DPAS priorities, product kinds, size classes, groups."""

from enum import StrEnum


class Priority(StrEnum):
    """Defense Priorities and Allocations System rating (15 CFR part 700).

    DX orders come before DO orders, which come before unrated ("none") orders.
    """

    DX = "DX"
    DO = "DO"
    NONE = "none"

    @property
    def rank(self) -> int:
        """0 for DX, 1 for DO, 2 for unrated: lower is served first."""
        return {"DX": 0, "DO": 1, "none": 2}[self.value]


class ProductKind(StrEnum):
    """Where a product sits in a bill of materials."""

    RAW_MATERIAL = "raw_material"
    PART = "part"
    SUBASSEMBLY = "subassembly"
    END_ITEM = "end_item"


class SizeClass(StrEnum):
    """Firm size class (SBA-style, by employees: small < 100 <= medium < 500 <= large)."""

    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class TransportMode(StrEnum):
    """How a supply link ships."""

    TRUCK = "truck"
    RAIL = "rail"
    SEA = "sea"
    AIR = "air"
    PIPELINE = "pipeline"
    INTERNAL = "internal"


class CountryGroup(StrEnum):
    """Country groups the twin ships as seed rows (see ``model/seeds/country_groups.csv``).

    FOREIGN_ADVERSARY is the list in 15 CFR 791.4(a); US_FTA the 20 partners of
    the 14 U.S. free trade agreements in force.
    """

    NATO = "NATO"
    EU = "EU"
    FIVE_EYES = "FIVE_EYES"
    US_FTA = "US_FTA"
    FOREIGN_ADVERSARY = "FOREIGN_ADVERSARY"


ALLIED_GROUPS: tuple[CountryGroup, ...] = (
    CountryGroup.NATO,
    CountryGroup.FIVE_EYES,
    CountryGroup.US_FTA,
)
"""Groups whose members count as allied (not NATO, FIVE_EYES or US_FTA = non-allied)."""
