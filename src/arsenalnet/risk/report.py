"""The exposure report of one end item: where its whole upstream network is fragile.

``exposure_report(net, system, product)`` assembles, over the end item's upstream
cone (every tier): single points of failure, concentration (HHI), foreign
exposure by tier and country with the paths that carry the most
(:mod:`arsenalnet.risk.exposure`), time to survive and time to recover per
upstream facility with the screened loss (:mod:`arsenalnet.risk.survival`), the
criticality ranking (outages simulated in one batched run,
:mod:`arsenalnet.risk.outages`) and the common-mode cyber exposure per
control-system platform. Definitions are in docs/risk.md.
"""

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from arsenalnet.model.recovery import ttr_median_days
from arsenalnet.network import Network
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.summary import PRIORITY_NAMES
from arsenalnet.propagate.system import FirmSystem
from arsenalnet.risk.dependence import Pairs
from arsenalnet.risk.exposure import foreign, inputs
from arsenalnet.risk.outages import Outage, units_lost
from arsenalnet.risk.results import ExposureReport, FacilityRisk, PlatformExposure
from arsenalnet.risk.survival import buffer_days, cover, screened_loss, time_to_survive
from arsenalnet.risk.upstream import Upstream, upstream_of

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

CYBER_DAYS = 14
"""Days every plant on one control-system platform is down in the common-mode case."""
AFTER_OUTAGE_DAYS = 90
"""Days simulated after the longest outage of a batch, for the losses of the recovery."""
MAX_HORIZON_DAYS = 730
"""Longest horizon an outage batch simulates (a longer TTR is cut there)."""


def _ttr(net: Network, fac: IntArray) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """TTR (days) of facilities ``fac`` from the data, else their industry's default."""
    data = net.facility_ttr[fac]
    naics = net.facility_naics.take(fac).to_pylist()
    default = np.array([ttr_median_days(code) for code in naics], dtype=np.float64)
    known = ~np.isnan(data)
    return np.where(known, data, default), known


def _facilities(c: Upstream) -> tuple[list[FacilityRisk], list[IntArray]]:
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
                c.line_share(at),
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
    c: Upstream,
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


def _cyber(c: Upstream, days: int, params: Params | None) -> list[PlatformExposure]:
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
            c.line_share(at),
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
    c = upstream_of(net, system, product_id)
    spofs, conc = inputs(c, net.products.position(product_id))
    fa, na, tiers, countries, paths = foreign(c)
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
