"""Single points of failure, concentration and foreign exposure of an end item's inputs."""

import numpy as np
import numpy.typing as npt

from arsenalnet.model import CountryGroup
from arsenalnet.risk.results import Concentration, CountryExposure, ExposurePath, SinglePoint, TierExposure
from arsenalnet.risk.upstream import ALLIED, Upstream

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

TOP_PATHS = 10
"""Paths from foreign-adversary and non-allied sites the report lists."""


def _group_sum(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inv, values, minlength=len(uniq)).astype(np.float64)


def inputs(c: Upstream, product: int) -> tuple[list[SinglePoint], list[Concentration]]:
    """Single points of failure and HHI of every product in the cone but the end item."""
    net, sy, tot = c.net, c.sy, c.tot
    units = c.dep.units.sum(axis=0)
    prods = sy.node_product
    n_twin = np.bincount(net.cap_product, minlength=net.n_products)
    org = net.facility_org[c.fac].astype(np.int64)
    spofs, conc = [], []
    for p in np.unique(prods[(tot > 0) & (prods != product)]):
        at = np.flatnonzero((prods == p) & (tot > 0))
        share = tot[at] / tot[at].sum()
        countries, by_country = _group_sum(c.country[at], tot[at])
        by_country = by_country / by_country.sum()
        n_org = len(np.unique(org[at]))
        tier = int(c.tier[at].min())
        pid = net.products.id(int(p))
        codes = [str(x) for x in net.countries.take(countries)]
        kinds = [
            k
            for k, n in (("facility", len(at)), ("organization", n_org), ("country", len(countries)))
            if n == 1
        ]
        if kinds:
            spofs.append(
                SinglePoint(
                    pid,
                    tier,
                    kinds,
                    len(at),
                    n_org,
                    codes,
                    int(n_twin[p]),
                    float(min(tot[at].sum(), 1.0)),
                    float(units[at].sum()),
                )
            )
        top = int(np.argmax(by_country))
        conc.append(
            Concentration(
                pid,
                tier,
                len(at),
                round(float(10_000 * (share**2).sum()), 1),
                round(float(10_000 * (by_country**2).sum()), 1),
                codes[top],
                float(by_country[top]),
            )
        )
    spofs.sort(key=lambda s: (-s.share, -len(s.kinds), s.tier, s.product_id))
    conc.sort(key=lambda x: (-x.hhi_facility, x.tier, x.product_id))
    return spofs, conc


def foreign(
    c: Upstream,
) -> tuple[float, float, list[TierExposure], list[CountryExposure], list[ExposurePath]]:
    """Foreign-adversary and non-allied shares of the input lines (tiers >= 1), by tier and country."""
    net, share = c.net, c.dep.share[1:]
    total = share.sum()
    fa = float(share[:, c.adversary].sum() / total)
    na = float(share[:, ~c.allied].sum() / total)
    tiers = []
    for t, row in enumerate(share, start=1):
        s = row.sum()
        tiers.append(
            TierExposure(
                t,
                len(np.unique(c.fac[row > 0])),
                float(row[c.adversary].sum() / s),
                float(row[~c.allied].sum() / s),
            )
        )
    per_node = share.sum(axis=0)
    countries, by_country = _group_sum(c.country[per_node > 0], per_node[per_node > 0])
    allied_c = np.zeros(len(net.countries), dtype=bool)
    for g in ALLIED:
        allied_c |= net.country_groups[:, net.groups.index(g)]
    order = np.argsort(-by_country, kind="stable")
    country_rows = [
        CountryExposure(
            net.countries.id(int(countries[i])),
            float(by_country[i] / total),
            bool(net.country_groups[countries[i], net.groups.index(CountryGroup.FOREIGN_ADVERSARY)]),
            bool(allied_c[countries[i]]),
        )
        for i in order
    ]
    risky = np.flatnonzero((c.adversary | ~c.allied) & (per_node > 0))
    paths = []
    for k in risky[np.argsort(-per_node[risky], kind="stable")][:TOP_PATHS]:
        t = int(np.argmax(c.dep.best[:, k]))
        paths.append(
            ExposurePath(
                net.facilities.id(int(c.fac[k])),
                net.countries.id(int(c.country[k])),
                t,
                float(per_node[k]),
                float(c.dep.best[t, k]),
                [c.node_name(n) for n in c.dep.path(int(k), t)],
            )
        )
    return fa, na, tiers, country_rows, paths
