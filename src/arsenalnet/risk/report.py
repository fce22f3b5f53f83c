"""The exposure report of one end item: where its whole upstream network is fragile.

``exposure_report(net, system, product)`` assembles, over the end item's upstream
cone (every tier): single points of failure, concentration (HHI), foreign
exposure by tier and country with the paths that carry the most, time to survive
and time to recover per upstream facility with the screened loss, the
criticality ranking (outages simulated in one batched run) and the common-mode
cyber exposure per control-system platform. Definitions are in docs/risk.md.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.model import CountryGroup
from arsenalnet.model.errors import InputError
from arsenalnet.model.recovery import ttr_median_days
from arsenalnet.network import Network
from arsenalnet.propagate.cone import Cut, makers, subsystem, upstream
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.summary import PRIORITY_NAMES
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.risk.dependence import Dependence, Pairs, dependence, maker_shares
from arsenalnet.risk.outages import Outage, units_lost
from arsenalnet.risk.survival import buffer_days, cover, screened_loss, time_to_survive

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

ALLIED = (CountryGroup.NATO, CountryGroup.FIVE_EYES, CountryGroup.US_FTA)
"""Countries in any of these groups count as allied; the others as non-allied."""
CYBER_DAYS = 14
"""Days every plant on one control-system platform is down in the common-mode case."""
AFTER_OUTAGE_DAYS = 90
"""Days simulated after the longest outage of a batch, for the losses of the recovery."""
MAX_HORIZON_DAYS = 730
"""Longest horizon an outage batch simulates (a longer TTR is cut there)."""
TOP_PATHS = 10


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


@dataclass(frozen=True)
class _Cone:
    """The end item's cut system, its rows, dependence and per-node facts."""

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
        return self.cut.system

    def node_name(self, k: int) -> str:
        """``facility (product)`` of node ``k``."""
        product = self.net.products.id(int(self.sy.node_product[k]))
        return f"{self.net.facilities.id(int(self.fac[k]))} ({product})"


def _cone(net: Network, system: FirmSystem, product_id: str) -> _Cone:
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
    fac = sy.node_facility
    adversary = net.in_group(CountryGroup.FOREIGN_ADVERSARY)[fac]
    allied = np.zeros(len(fac), dtype=bool)
    for g in ALLIED:
        allied |= net.in_group(g)[fac]
    return _Cone(
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


def _group_sum(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), np.bincount(inv, values, minlength=len(uniq)).astype(np.float64)


def _inputs(c: _Cone, product: int) -> tuple[list[SinglePoint], list[Concentration]]:
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


def _foreign(c: _Cone) -> tuple[float, float, list[TierExposure], list[CountryExposure], list[ExposurePath]]:
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


def _ttr(net: Network, fac: IntArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """TTR (days) of facilities ``fac`` from the data, else their industry's default."""
    data = net.facility_ttr[fac]
    naics = net.facility_naics.take(fac).to_pylist()
    default = np.array([ttr_median_days(code) for code in naics], dtype=np.float64)
    known = ~np.isnan(data)
    return np.where(known, data, default), known


def _facilities(c: _Cone) -> tuple[list[FacilityRisk], list[IntArray]]:
    """TTS, TTR and screened loss per upstream facility, worst first; and each one's nodes."""
    sy, net = c.sy, c.net
    pairs = Pairs.of(sy)
    start = c.dep.share[0] > 0
    covered = cover(sy, c.dep.share[0], c.dep.demand)
    buffer, hops = buffer_days(pairs, start, sy.n_nodes)
    tts = time_to_survive(buffer, covered)
    ttr_node, known_node = _ttr(net, c.fac)
    screened = screened_loss(c.dep.demand, c.tot, covered, tts, ttr_node, hops)
    late = ttr_node + hops
    facs, inv = np.unique(c.fac, return_inverse=True)
    rows, nodes = [], []
    for i, f in enumerate(facs):
        at = np.flatnonzero(inv == i)
        f_tts = float(tts[at].min())
        ttr = float(ttr_node[at[0]])
        worst = at[np.argmax(late[at] - tts[at])]
        rows.append(
            FacilityRisk(
                net.facilities.id(int(f)),
                net.countries.id(int(c.country[at[0]])),
                sorted(net.products.id(int(p)) for p in sy.node_product[at]),
                int(c.tier[at].min()),
                float(min(c.tot[at].sum(), 1.0)),
                round(f_tts, 3) if np.isfinite(f_tts) else None,
                ttr,
                bool(known_node[at[0]]),
                bool(late[worst] > tts[worst]),
                float(screened[at].max()),
            )
        )
        nodes.append(at.astype(np.int64))
    order = sorted(
        range(len(rows)), key=lambda i: (-rows[i].screened_units_lost, -rows[i].share, rows[i].facility_id)
    )
    return [rows[i] for i in order], [nodes[i] for i in order]


def _criticality(
    c: _Cone,
    rows: list[FacilityRisk],
    nodes: list[IntArray],
    top: int,
    params: Params | None,
    progress: Callable[[int], None] | None,
) -> tuple[list[FacilityRisk], list[FacilityRisk], int]:
    """Simulate the ``top`` screened facilities out for their TTR; rank them by units lost."""
    if top <= 0 or not rows:
        return rows, [], 0
    pick = list(range(min(top, len(rows))))
    outages = [Outage(nodes[i], int(np.ceil(rows[i].ttr_days))) for i in pick]
    horizon = min(max(o.days for o in outages) + AFTER_OUTAGE_DAYS, MAX_HORIZON_DAYS)
    lost = units_lost(c.sy, outages, c.rows, horizon, params, progress=progress)
    worst = float(lost.max()) if len(lost) else 0.0
    order = sorted(range(len(pick)), key=lambda j: (-lost[j], rows[pick[j]].facility_id))
    ranked = {pick[j]: (rank, float(lost[j])) for rank, j in enumerate(order, start=1)}
    out = []
    for i, r in enumerate(rows):
        if i in ranked:
            rank, units = ranked[i]
            r = FacilityRisk(
                **{
                    **r.__dict__,
                    "units_lost": units,
                    "rei": units / worst if worst > 0 else 0.0,
                    "rank": rank,
                }
            )
        out.append(r)
    crit = sorted((r for r in out if r.rank is not None), key=lambda r: r.rank or 0)
    return out, crit, horizon


def _cyber(c: _Cone, days: int, params: Params | None) -> list[PlatformExposure]:
    """Every upstream plant on one control-system platform down for ``days`` days, per platform."""
    net = c.net
    ptr = net.control_indptr
    owner = np.repeat(np.arange(net.n_facilities), np.diff(ptr))
    in_twin = np.bincount(net.control_index, minlength=len(net.control_systems))
    platforms = []
    for pl in np.unique(net.control_index[np.isin(owner, np.unique(c.fac))]):
        on = np.unique(owner[net.control_index == pl])
        at = np.flatnonzero(np.isin(c.fac, on)).astype(np.int64)
        platforms.append((int(pl), at))
    if not platforms:
        return []
    lost = units_lost(
        c.sy, [Outage(at, days) for _, at in platforms], c.rows, days + AFTER_OUTAGE_DAYS, params
    )
    out = [
        PlatformExposure(
            net.control_systems.id(pl),
            len(np.unique(c.fac[at])),
            int(in_twin[pl]),
            float(min(c.tot[at].sum(), 1.0)),
            days,
            float(lost[i]),
        )
        for i, (pl, at) in enumerate(platforms)
    ]
    return sorted(out, key=lambda p: (-p.units_lost, -p.share, p.platform))


def exposure_report(
    net: Network,
    system: FirmSystem,
    product_id: str,
    *,
    top: int = 100,
    cyber_days: int = CYBER_DAYS,
    params: Params | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExposureReport:
    """The exposure report of ``product_id`` on ``system`` (``build_system(net)``).

    ``top`` facilities (by screened loss) are simulated out for their TTR for the
    criticality ranking (0 skips it); ``cyber_days`` is the common-mode outage length.
    ``progress(done)`` follows the criticality outages.
    """
    c = _cone(net, system, product_id)
    spofs, conc = _inputs(c, net.products.position(product_id))
    fa, na, tiers, countries, paths = _foreign(c)
    rows, nodes = _facilities(c)
    rows, crit, horizon = _criticality(c, rows, nodes, top, params, progress)
    prio = net.demand_priority[c.cut.rows[c.rows]]
    return ExposureReport(
        product_id=product_id,
        priority=PRIORITY_NAMES[int(prio.min())] if len(prio) else "none",
        demand_per_day=c.dep.demand,
        upstream_facilities=len(np.unique(c.fac[c.tier > 0])),
        upstream_products=len(np.unique(c.sy.node_product[c.tier > 0])),
        tiers=c.dep.tiers - 1,
        countries=len(np.unique(c.country[c.tier > 0])),
        single_points=spofs,
        concentration=conc,
        foreign_adversary_share=fa,
        non_allied_share=na,
        by_tier=tiers,
        by_country=countries,
        paths=paths,
        facilities=rows,
        criticality=crit,
        cyber=_cyber(c, cyber_days, params),
        horizon_days=horizon,
    )


def end_items(net: Network) -> list[str]:
    """Every product with demand, in id order."""
    return sorted(net.products.id(int(p)) for p in np.unique(net.demand_product))
