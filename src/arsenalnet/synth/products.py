"""Generic products per industry, critical-mineral raw materials, and their BOM.

Ranks keep the BOM acyclic: industry downstreamness ``d = (I - A^T)^-1 1``
from the BEA 2023 direct requirements (``d = 1`` for an industry that buys
nothing from mining or manufacturing), plus a uniform jitter in
``[0, RANK_JITTER)`` per product; raw materials get ranks in ``[0, 0.5)``.
A child always has a strictly lower rank than its parent.

Unit values (USD per unit, documented assumptions): mining products per metric
ton ~ lognormal(median 80, sigma 0.8); critical minerals per kg ~ lognormal(median
30, sigma 1.0); bulk process goods (food, paper, petroleum, chemicals, primary
metals) per kg ~ lognormal(median 3, sigma 0.8); discrete goods "each" ~
lognormal(median 50, sigma 1.0) x 3**(rank - 1). A BOM line's quantity turns the
BEA value coefficient into units: ``qty = a[i, j] / n_ij * value_parent / value_child``
where ``n_ij`` is the number of the parent's children from industry ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arsenalnet.synth.calibration import Calibration, FloatArray, IntArray, StrArray

PRODUCTS_PER_FACILITIES = 200
"""One generic product per this many facilities of an industry ..."""
MAX_PRODUCTS_PER_INDUSTRY = 50
"""... at most this many (at least one)."""
RANK_JITTER = 1.0
CHILDREN_MIN, CHILDREN_MAX = 2, 8
CHILDREN_EXTRA_P = 0.55
"""Children per non-raw product: CHILDREN_MIN + geometric(p) - 1, capped (mean ~2.8)."""
FALLBACK_COEFFICIENT = 0.01
"""Value coefficient of a child drawn outside the BEA input industries (fallback draws)."""
BULK_BEA = ("311FT", "322", "324", "325", "331")


@dataclass(frozen=True)
class Products:
    """Product arrays in id order: generic ``prd:n<NAICS4>-<k>`` then ``prd:cm-<slug>``.

    ``naics`` indexes ``Calibration.naics4``; ``mineral`` the critical minerals (-1 if none).
    """

    ids: list[str]
    names: list[str]
    naics: IntArray
    bea: IntArray
    mineral: IntArray
    raw: np.ndarray
    unit: StrArray
    value: FloatArray
    rank: FloatArray
    offset: IntArray
    """(I + 1,) generic products of industry i are ``offset[i]:offset[i + 1]``."""
    mineral_product: IntArray
    """(M,) product index of each critical mineral."""


@dataclass(frozen=True)
class Bom:
    """BOM lines sorted by (parent, child); ``start[p]:start[p + 1]`` are p's lines."""

    parent: IntArray
    child: IntArray
    qty: FloatArray
    start: IntArray


def downstreamness(a: FloatArray) -> FloatArray:
    """``d = (I - A^T)^-1 1``: 1 + the value-weighted downstreamness of the inputs."""
    return np.asarray(np.linalg.solve(np.eye(a.shape[0]) - a.T, np.ones(a.shape[0])), np.float64)


def make_products(fac_naics: IntArray, rng: np.random.Generator, cal: Calibration) -> Products:
    """Generic products per industry (count grows with facilities) plus critical minerals."""
    n_ind = cal.naics4.size
    per = np.bincount(fac_naics, minlength=n_ind)
    m = np.clip(per // PRODUCTS_PER_FACILITIES, 1, MAX_PRODUCTS_PER_INDUSTRY).astype(np.int64)
    offset = np.zeros(n_ind + 1, dtype=np.int64)
    np.cumsum(m, out=offset[1:])
    naics = np.repeat(np.arange(n_ind), m)
    k = np.arange(naics.size) - offset[naics] + 1
    ids = [f"prd:n{cal.naics4[i]}-{j:03d}" for i, j in zip(naics.tolist(), k.tolist(), strict=True)]
    names = [f"{cal.naics_title[i]}, product {j}" for i, j in zip(naics.tolist(), k.tolist(), strict=True)]
    n_m = cal.mineral_name.size
    cm_naics = int(np.flatnonzero(cal.naics4 == "2122")[0])
    ids += [f"prd:cm-{s}" for s in cal.mineral_slug.tolist()]
    names += [f"{nm} (critical mineral)" for nm in cal.mineral_name.tolist()]
    naics = np.concatenate([naics, np.full(n_m, cm_naics)])
    mineral = np.concatenate([np.full(offset[-1], -1, np.int64), np.arange(n_m)])
    bea = cal.naics_bea[naics]
    mining = np.char.startswith(cal.naics4[naics], "21")
    raw = mining | (mineral >= 0)
    bulk = np.isin(cal.bea_codes[bea], BULK_BEA)
    d = downstreamness(cal.direct_req)
    n_p = naics.size
    rank = np.where(raw, 0.5 * rng.random(n_p), d[bea] + RANK_JITTER * rng.random(n_p))
    z = rng.normal(size=n_p)
    value = np.where(
        mineral >= 0,
        30.0 * np.exp(1.0 * z),
        np.where(
            mining,
            80.0 * np.exp(0.8 * z),
            np.where(bulk, 3.0 * np.exp(0.8 * z), 50.0 * np.exp(z) * 3.0 ** (rank - 1.0)),
        ),
    )
    unit = np.where(mineral >= 0, "kg", np.where(mining, "t", np.where(bulk, "kg", "each")))
    return Products(
        ids, names, naics, bea, mineral, raw, unit, value, rank, offset,
        offset[-1] + np.arange(n_m),
    )  # fmt: skip


def _pick_below(
    sorted_rank: FloatArray, limit: FloatArray, lo: IntArray, hi: IntArray, u: FloatArray
) -> IntArray:
    """Uniform pick in ``[lo, pos)`` where pos = first index in [lo, hi) with rank >= limit;
    -1 where that range is empty. ``sorted_rank`` must be sorted within each [lo, hi)."""
    pos = lo.copy()
    # binary search per element, vectorized
    left, right = lo.copy(), hi.copy()
    while np.any(left < right):
        mid = (left + right) // 2
        go = (left < right) & (sorted_rank[np.minimum(mid, sorted_rank.size - 1)] < limit)
        left = np.where(go, mid + 1, left)
        right = np.where(go | (left >= right), right, mid)
    pos = left
    count = pos - lo
    return np.where(count > 0, lo + np.floor(u * count).astype(np.int64), -1)


def make_bom(prd: Products, rng: np.random.Generator, cal: Calibration) -> Bom:
    """2..8 children per non-raw product, drawn by BEA input coefficients, of lower rank."""
    n_p = prd.rank.size
    nb = cal.bea_codes.size
    parents = np.flatnonzero(~prd.raw)
    extra = np.minimum(rng.geometric(CHILDREN_EXTRA_P, parents.size) - 1,
                       CHILDREN_MAX - CHILDREN_MIN)  # fmt: skip
    nchild = CHILDREN_MIN + extra
    par = np.repeat(parents, nchild)
    col = cal.direct_req / cal.direct_req.sum(axis=0, keepdims=True)
    cum = np.cumsum(col, axis=0)
    u = rng.random(par.size)
    ind = np.minimum((u[:, None] > cum[:, prd.bea[par]].T).sum(axis=1), nb - 1)
    # products sorted by (bea, rank)
    order = np.lexsort((prd.rank, prd.bea))
    b_sorted = prd.bea[order]
    lo = np.searchsorted(b_sorted, ind, side="left")
    hi = np.searchsorted(b_sorted, ind, side="right")
    pick = _pick_below(prd.rank[order], prd.rank[par], lo, hi, rng.random(par.size))
    child = np.where(pick >= 0, order[np.maximum(pick, 0)], -1)
    coef = cal.direct_req[ind, prd.bea[par]]
    # fallback: any product of lower rank
    g_order = np.argsort(prd.rank, kind="stable")
    g_rank = prd.rank[g_order]
    miss = child < 0
    cnt = np.searchsorted(g_rank, prd.rank[par[miss]], side="left")
    child[miss] = g_order[np.floor(rng.random(int(miss.sum())) * cnt).astype(np.int64)]
    coef[miss] = FALLBACK_COEFFICIENT
    for _ in range(10):  # top up parents left with < CHILDREN_MIN distinct children
        key = par * n_p + child
        _, first = np.unique(key, return_index=True)
        first.sort()
        par, child, coef = par[first], child[first], coef[first]
        have = np.bincount(par, minlength=n_p)
        short = parents[have[parents] < CHILDREN_MIN]
        if short.size == 0:
            break
        cnt = np.searchsorted(g_rank, prd.rank[short], side="left")
        extra_child = g_order[np.floor(rng.random(short.size) * cnt).astype(np.int64)]
        par = np.concatenate([par, short])
        child = np.concatenate([child, extra_child])
        coef = np.concatenate([coef, np.full(short.size, FALLBACK_COEFFICIENT)])
    o = np.lexsort((child, par))
    par, child, coef = par[o], child[o], np.maximum(coef[o], 1e-6)
    # split a coefficient among the parent's children of the same BEA industry
    pk = par * nb + prd.bea[child]
    _, inv, cnts = np.unique(pk, return_inverse=True, return_counts=True)
    qty = coef / cnts[inv] * prd.value[par] / prd.value[child]
    start = np.searchsorted(par, np.arange(n_p + 1))
    return Bom(par, child, qty, start)
