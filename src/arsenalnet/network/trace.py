"""The supplier (or customer) tree of a product or facility, tier by tier, as a report."""

from collections import Counter
from dataclasses import dataclass, field

from arsenalnet.model import CountryGroup
from arsenalnet.model.errors import InputError
from arsenalnet.network.compile import Network
from arsenalnet.network.traverse import start_nodes, traverse


class UnknownId(InputError):
    """An id names no product or facility of the twin."""


@dataclass(frozen=True)
class TraceNode:
    """A facility making a product, reached at some tier, and the node it connects to."""

    facility_id: str
    product_id: str
    country: str
    via_facility_id: str
    via_product_id: str
    share: float
    sole_sourced: bool
    foreign_adversary: bool
    in_house: bool


@dataclass(frozen=True)
class TraceTier:
    """The nodes first reached at ``depth`` (0 = the start)."""

    depth: int
    nodes: list[TraceNode]
    countries: list[tuple[str, int]] = field(default_factory=list)

    @property
    def n_facilities(self) -> int:
        """Distinct facilities at this tier."""
        return len({n.facility_id for n in self.nodes})

    @property
    def n_products(self) -> int:
        """Distinct products at this tier."""
        return len({n.product_id for n in self.nodes})

    @property
    def sole_sourced_products(self) -> list[str]:
        """Products that only one facility supplies at this tier."""
        return sorted({n.product_id for n in self.nodes if n.sole_sourced})


@dataclass(frozen=True)
class TraceReport:
    """Tiers upstream (suppliers) or downstream (customers) of ``root``."""

    root: str
    root_kind: str
    direction: str
    tiers: list[TraceTier]


def trace(net: Network, root: str, *, up: bool = True, depth: int | None = None) -> TraceReport:
    """Trace ``root`` (a product or facility id) through the twin.

    A node is sole-sourced when it is the only facility at its tier that
    supplies its product (upstream), or the only buyer making its product
    (downstream).
    """
    p, f = net.products.position(root), net.facilities.position(root)
    if p < 0 and f < 0:
        raise UnknownId(f"unknown id {root!r}: no product or facility has it")
    kind = "product" if p >= 0 else "facility"
    f0, p0 = start_nodes(net, product=p, facility=f)
    if len(f0) == 0:
        raise UnknownId(f"no facility makes {root!r}, so it has no supply tree")
    fa = net.in_group(CountryGroup.FOREIGN_ADVERSARY)
    tiers = []
    for t in traverse(net, f0, p0, up=up, depth=depth):
        country = net.countries.take(net.facility_country[t.facility])
        nodes = [
            TraceNode(fid, pid, c, vf, vp, float(s), bool(n == 1), bool(a), bool(h))
            for fid, pid, c, vf, vp, s, n, a, h in zip(
                net.facilities.take(t.facility),
                net.products.take(t.product),
                country,
                net.facilities.take(t.via_facility),
                net.products.take(t.via_product),
                t.share,
                t.n_sources,
                fa[t.facility],
                t.in_house,
                strict=True,
            )
        ]
        ranked = sorted(Counter(country).items(), key=lambda x: (-x[1], x[0]))
        tiers.append(TraceTier(t.depth, nodes, ranked))
    return TraceReport(root, kind, "up" if up else "down", tiers)
