"""Capabilities, supply links and the baseline flows that size capacities.

Capabilities: each facility makes 1..3 generic products of its NAICS4 (the
first facilities of an industry cover its products in turn, so every product has
a maker); domestic mines and refiners (NAICS 2122, 3313, 3314) also make one
critical mineral each, and foreign mineral producers make only theirs.

Supply links: for every domestic facility and every BOM child ``c`` of the
products it makes, ``k`` suppliers are drawn (``k`` geometric, mean rising with the buyer's size)
among the makers of ``c`` with probability proportional to their size
((employees per product) ** 0.75: preferential attachment, heavy-tailed out-degree).
The foreign pool is chosen with probability = the BEA 2023 import share of
(child industry, buyer industry), or the USGS net import reliance for a critical
mineral; when a pool is empty the other one is used. Foreign facilities have no
upstream links: they are the boundary of the mapped base.

Capacities solve the baseline flows ``x = y + M x`` on the capability graph,
where ``M[(s, c), (b, p)] = share(s -> b, c) * qty(p, c)``: intermediate orders of
each capability. ``M`` is nilpotent (children have lower rank), so the sparse
fixed-point iteration ends. Final demand ``y`` = ``FINAL_DEMAND_SHARE`` x
employees x BEA output per CBP employee / unit value. ``capacity_per_day = x /
utilization``, with utilization ~ N(0.75, 0.08): U.S. Census Bureau Quarterly
Survey of Plant Capacity Utilization, manufacturing full-production utilization
about 75% (2023). Inventory days ~ lognormal (median 20, 5..60) and ramp days
~ lognormal (median 30, 7..90) are assumptions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from arsenalnet.synth.calibration import Calibration, FloatArray, IntArray
from arsenalnet.synth.facilities import CM_HOST_NAICS, Facilities
from arsenalnet.synth.products import Bom, Products

CAPS_P = (0.6, 0.28, 0.12)
"""P(a facility makes 1, 2, 3 generic products)."""
SUPPLIERS_EXTRA = 0.3
"""Suppliers per (buyer, input) are geometric with mean ``1 + SUPPLIERS_EXTRA * (e / 20) ** SIZE_EXPONENT``
for a buyer of ``e`` employees: larger plants spread an input over more suppliers, which gives the
heavy-tailed in-degree of measured firm networks (capped at MAX_SUPPLIERS)."""
SIZE_EXPONENT = 1.0
MAX_SUPPLIERS = 100
ATTACHMENT_EXPONENT = 0.75
"""Supplier choice weight = (employees per product) ** this (< 1 softens the hubs)."""
FINAL_DEMAND_SHARE = 0.5
UTILIZATION_MEAN, UTILIZATION_SD = 0.75, 0.08
LAND_NEIGHBOURS = ("CAN", "MEX")
"""Foreign partners shipping by truck or rail rather than by sea or air."""
AIR_SHARE = 0.08


@dataclass(frozen=True)
class Capabilities:
    """Capabilities sorted by (facility, product)."""

    facility: IntArray
    product: IntArray
    capacity: FloatArray
    utilization: FloatArray
    inventory_days: FloatArray
    ramp_days: FloatArray


@dataclass(frozen=True)
class Links:
    """Supply links sorted by (buyer, product, supplier)."""

    supplier: IntArray
    buyer: IntArray
    product: IntArray
    share: FloatArray
    lead_time: FloatArray
    mode: IntArray
    """Index into ``MODES``."""


MODES = ("truck", "rail", "sea", "air")


def _group_rank(keys: IntArray) -> IntArray:
    """Position of each element within its run of equal (sorted) keys."""
    n = keys.size
    start = np.ones(n, dtype=bool)
    start[1:] = keys[1:] != keys[:-1]
    idx = np.arange(n)
    return idx - np.maximum.accumulate(np.where(start, idx, 0))


def capability_pairs(
    fac: Facilities, prd: Products, rng: np.random.Generator, cal: Calibration
) -> tuple[IntArray, IntArray]:
    """(facility, product) pairs, sorted and unique."""
    n = fac.naics.size
    gen = fac.mineral < 0
    m = (prd.offset[1:] - prd.offset[:-1])[fac.naics]
    cnt = np.minimum(1 + np.searchsorted(np.cumsum(CAPS_P), rng.random(n), side="right"), m)
    order = np.argsort(fac.naics, kind="stable")
    r = np.empty(n, dtype=np.int64)
    r[order] = _group_rank(fac.naics[order])
    start = np.where(r < m, r, np.floor(rng.random(n) * m).astype(np.int64))
    cnt = np.where(gen, cnt, 0)
    f = np.repeat(np.arange(n), cnt)
    j = np.arange(f.size) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    p = prd.offset[fac.naics[f]] + (start[f] + j) % m[f]
    # critical minerals
    host_codes = np.flatnonzero(np.isin(cal.naics4, CM_HOST_NAICS))
    hosts = np.flatnonzero(fac.domestic & np.isin(fac.naics, host_codes))
    dom_w = 1.0 - cal.mineral_nir
    made = np.flatnonzero(dom_w > 0)
    made = made[np.argsort(-dom_w[made], kind="stable")]
    cum = np.cumsum(dom_w) / dom_w.sum()
    drawn = np.minimum(np.searchsorted(cum, rng.random(hosts.size), side="right"), cum.size - 1)
    k = np.arange(hosts.size)
    host_min = np.where(k < made.size, made[np.minimum(k, made.size - 1)], drawn)
    foreign_cm = np.flatnonzero(fac.mineral >= 0)
    f = np.concatenate([f, hosts, foreign_cm])
    p = np.concatenate([p, prd.mineral_product[host_min], prd.mineral_product[fac.mineral[foreign_cm]]])
    key = np.unique(f * prd.rank.size + p)
    return key // prd.rank.size, key % prd.rank.size


def _haversine_km(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(12742.0 * np.arcsin(np.sqrt(np.minimum(h, 1.0))), dtype=np.float64)


def make_links(
    fac: Facilities,
    prd: Products,
    bom: Bom,
    cap_f: IntArray,
    cap_p: IntArray,
    rng: np.random.Generator,
    cal: Calibration,
) -> tuple[Links, IntArray, IntArray, IntArray, FloatArray]:
    """Draw supply links; also return each link's pair and the need rows (cap, pair, qty)."""
    n_p = prd.rank.size
    n_caps_f = np.bincount(cap_f, minlength=fac.naics.size)
    weight = (fac.employees[cap_f] / n_caps_f[cap_f]) ** ATTACHMENT_EXPONENT
    # needs: (capability of a domestic buyer) x (BOM child of its product)
    nb = bom.start[cap_p + 1] - bom.start[cap_p]
    nb = np.where(fac.domestic[cap_f], nb, 0)
    need_cap = np.repeat(np.arange(cap_f.size), nb)
    line = np.repeat(bom.start[cap_p], nb) + (np.arange(need_cap.size) - np.repeat(np.cumsum(nb) - nb, nb))
    need_child = bom.child[line]
    need_qty = bom.qty[line]
    pair_key = cap_f[need_cap] * n_p + need_child
    o = np.argsort(pair_key, kind="stable")
    need_cap, need_child, need_qty, pair_key = need_cap[o], need_child[o], need_qty[o], pair_key[o]
    pairs, need_pair = np.unique(pair_key, return_inverse=True)
    buyer_of_pair, child_of_pair = pairs // n_p, pairs % n_p
    # draws
    mean_k = 1.0 + SUPPLIERS_EXTRA * (fac.employees[buyer_of_pair] / 20.0) ** SIZE_EXPONENT
    k = np.minimum(rng.geometric(1.0 / mean_k), MAX_SUPPLIERS)
    d_pair = np.repeat(np.arange(pairs.size), k)
    d_buyer, d_child = buyer_of_pair[d_pair], child_of_pair[d_pair]
    mineral = prd.mineral[d_child]
    p_imp = np.where(
        mineral >= 0,
        cal.mineral_nir[np.maximum(mineral, 0)],
        cal.import_share[prd.bea[d_child], cal.naics_bea[fac.naics[d_buyer]]],
    )
    want_foreign = rng.random(d_pair.size) < p_imp
    # supplier pools sorted by (foreign, product), cumulative weights
    foreign_cap = ~fac.domestic[cap_f]
    pool_key = foreign_cap * n_p + cap_p
    po = np.argsort(pool_key, kind="stable")
    pk_sorted = pool_key[po]
    cw = np.cumsum(weight[po])
    lo_d = np.searchsorted(pk_sorted, d_child, side="left")
    hi_d = np.searchsorted(pk_sorted, d_child, side="right")
    lo_f = np.searchsorted(pk_sorted, n_p + d_child, side="left")
    hi_f = np.searchsorted(pk_sorted, n_p + d_child, side="right")
    use_f = np.where(want_foreign, hi_f > lo_f, hi_d <= lo_d)
    lo = np.where(use_f, lo_f, lo_d)
    hi = np.where(use_f, hi_f, hi_d)
    base = np.where(lo > 0, cw[np.maximum(lo - 1, 0)], 0.0)
    top = cw[hi - 1]
    supplier = np.full(d_pair.size, -1, dtype=np.int64)
    for _ in range(2):  # one redraw where the buyer drew itself
        redo = supplier < 0
        t = base[redo] + rng.random(int(redo.sum())) * (top[redo] - base[redo])
        idx = np.clip(np.searchsorted(cw, t, side="right"), lo[redo], hi[redo] - 1)
        s = cap_f[po[idx]]
        supplier[redo] = np.where(s == d_buyer[redo], -1, s)
    keep = supplier >= 0
    w = 0.05 + rng.exponential(1.0, d_pair.size)
    lk = d_pair[keep] * fac.naics.size + supplier[keep]
    ukey, inv = np.unique(lk, return_inverse=True)
    lw = np.bincount(inv, w[keep])
    l_pair = ukey // fac.naics.size
    l_sup = ukey % fac.naics.size
    share = lw / np.bincount(l_pair, lw, minlength=pairs.size)[l_pair]
    l_buy, l_prd = buyer_of_pair[l_pair], child_of_pair[l_pair]
    lead, mode = _lead_times(fac, l_sup, l_buy, rng, cal)
    links = Links(l_sup, l_buy, l_prd, np.minimum(share, 1.0), lead, mode)
    return links, l_pair, need_cap, need_pair, need_qty


def _lead_times(
    fac: Facilities, sup: IntArray, buy: IntArray, rng: np.random.Generator, cal: Calibration
) -> tuple[FloatArray, IntArray]:
    """Lead time (days) and mode: domestic 1..10 days by distance, truck or rail; Canada and
    Mexico 2..12 days by land; others by sea (20..60 days) or air (3..7 days)."""
    dist = _haversine_km(fac.lat[sup], fac.lon[sup], fac.lat[buy], fac.lon[buy])
    u = rng.random(sup.size)
    dom = fac.domestic[sup]
    iso = np.asarray(fac.countries)[fac.country[sup]]
    land = np.isin(iso, LAND_NEIGHBOURS)
    air = ~dom & ~land & (u < AIR_SHARE)
    rail = (dom | land) & (dist > 1000.0) & (u < 0.4)
    lead = np.where(
        dom,
        np.clip(1.0 + dist / 600.0 + u, 1.0, 10.0),
        np.where(
            land,
            np.clip(2.0 + dist / 600.0 + 2.0 * u, 2.0, 12.0),
            np.where(air, 3.0 + 4.0 * u, np.clip(20.0 + dist / 500.0 + 10.0 * u, 20.0, 60.0)),
        ),
    )
    mode = np.where(dom | land, np.where(rail, 1, 0), np.where(air, 3, 2))
    del cal
    return np.round(lead, 1).astype(np.float64), mode.astype(np.int64)


def solve_flows(
    fac: Facilities,
    prd: Products,
    cap_f: IntArray,
    cap_p: IntArray,
    links: Links,
    link_pair: IntArray,
    need_cap: IntArray,
    need_pair: IntArray,
    need_qty: FloatArray,
    cal: Calibration,
) -> FloatArray:
    """Baseline output per capability (units/day): ``x = y + M x`` by sparse iteration."""
    n_caps = cap_f.size
    n_p = prd.rank.size
    # need rows grouped by pair (need_pair is sorted)
    n_start = np.searchsorted(need_pair, np.arange(need_pair.max() + 2 if need_pair.size else 1))
    cnt = n_start[link_pair + 1] - n_start[link_pair]
    li = np.repeat(np.arange(link_pair.size), cnt)
    ni = np.repeat(n_start[link_pair], cnt) + (np.arange(li.size) - np.repeat(np.cumsum(cnt) - cnt, cnt))
    cap_key = cap_f * n_p + cap_p
    row = np.searchsorted(cap_key, links.supplier[li] * n_p + links.product[li])
    col = need_cap[ni]
    val = links.share[li] * need_qty[ni]
    m = sp.csr_matrix((val, (row, col)), shape=(n_caps, n_caps))
    bea = cal.naics_bea[fac.naics]
    cbp_emp = np.bincount(cal.naics_bea[cal.cell_naics], cal.cell_employees, minlength=cal.bea_codes.size)
    usd_per_emp_day = cal.bea_output * 1e6 / np.maximum(cbp_emp, 1.0) / 365.0
    n_caps_f = np.bincount(cap_f, minlength=fac.naics.size)
    y = (
        FINAL_DEMAND_SHARE * fac.employees[cap_f] / n_caps_f[cap_f]
        * usd_per_emp_day[bea[cap_f]] / prd.value[cap_p]
    )  # fmt: skip
    x = y.copy()
    for _ in range(500):
        nx = y + m @ x
        if np.all(np.abs(nx - x) <= 1e-9 * np.abs(nx)):
            x = nx
            break
        x = nx
    return np.asarray(x, dtype=np.float64)


def make_capabilities(
    cap_f: IntArray, cap_p: IntArray, flow: FloatArray, rng: np.random.Generator
) -> Capabilities:
    """Capacity = flow / utilization, with drawn utilization, inventory and ramp days."""
    n = cap_f.size
    drawn = np.clip(rng.normal(UTILIZATION_MEAN, UTILIZATION_SD, n), 0.3, 0.98)
    util: FloatArray = np.round(drawn, 3).astype(np.float64)
    inv = np.clip(20.0 * np.exp(0.6 * rng.normal(size=n)), 5.0, 60.0)
    ramp = np.clip(30.0 * np.exp(0.5 * rng.normal(size=n)), 7.0, 90.0)
    return Capabilities(
        cap_f, cap_p, flow / util, util, np.round(inv, 1).astype(np.float64),
        np.round(ramp, 1).astype(np.float64),
    )  # fmt: skip
