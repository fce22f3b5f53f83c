"""Facilities and the organizations that own them, as arrays.

Domestic facilities are apportioned over CBP 2023 state x NAICS4 cells in
proportion to establishments (largest remainder, so counts are exact); every
NAICS4 gets at least one facility. ``FOREIGN_SHARE`` of facilities are abroad:
critical-mineral producers in the USGS major import source countries, and the
rest over the top U.S. import partners (by 2023 goods imports) x industries (by
BEA 2023 commodity imports). Employees are lognormal per cell with the cell's
CBP mean and one ``sigma`` fitted so that ``SMALL_SHARE_TARGET`` of facilities
under 500 employees have fewer than 20.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from arsenalnet.synth.calibration import Calibration, FloatArray, IntArray

FOREIGN_SHARE = 0.08
"""Share of facilities abroad (assumption: the mapped boundary of the base)."""
SMALL_SHARE_TARGET = 0.85
"""Share of facilities < 500 employees with < 20 employees (brief; CBP size classes)."""
EMPLOYEES_CAP = 50_000
MINERAL_FACILITY_SHARE = 0.003
"""Foreign critical-mineral producers per facility (at least one per mineral with NIR > 0)."""
JITTER_DEG = 0.8
"""Standard deviation (degrees) of a facility's offset from its state or country point."""
CM_HOST_NAICS = ("2122", "3313", "3314")
"""Domestic industries whose facilities also make a critical mineral (mines, refiners)."""


@dataclass(frozen=True)
class Facilities:
    """Facility arrays, one entry per facility, in id order (``fac:0000001`` first).

    ``country`` indexes ``countries`` (0 = USA); ``state`` indexes
    ``Calibration.state_usps`` (-1 abroad); ``naics`` indexes ``Calibration.naics4``;
    ``mineral`` indexes the critical minerals (-1 unless a foreign mineral producer).
    """

    countries: tuple[str, ...]
    country: IntArray
    state: IntArray
    naics: IntArray
    lat: FloatArray
    lon: FloatArray
    employees: IntArray
    mineral: IntArray
    ics_offsets: IntArray
    ics: IntArray
    org: IntArray
    n_orgs: int

    @property
    def domestic(self) -> npt.NDArray[np.bool_]:
        """Boolean mask of U.S. facilities."""
        return np.asarray(self.country == 0, dtype=np.bool_)


def apportion(total: int, weights: FloatArray) -> IntArray:
    """Largest-remainder apportionment: non-negative ints summing to ``total``.

    >>> apportion(5, np.array([1.0, 1.0, 2.0])).tolist()
    [1, 1, 3]
    """
    w = np.asarray(weights, dtype=np.float64)
    if total <= 0 or w.sum() <= 0:
        return np.zeros(w.size, dtype=np.int64)
    q = w / w.sum() * total
    base = np.floor(q).astype(np.int64)
    rest = int(total - base.sum())
    order = np.argsort(-(q - base), kind="stable")
    base[order[:rest]] += 1
    return np.asarray(base, dtype=np.int64)


def fit_sigma(mean: FloatArray, weight: FloatArray) -> float:
    """Lognormal sigma so that the weighted share of X < 20 among X < 500 is the target.

    Each cell's mu is ``log(mean) - sigma**2 / 2`` so its mean stays the CBP mean.
    """
    lo, hi = 0.3, 4.0
    for _ in range(60):
        s = (lo + hi) / 2
        mu = np.log(mean) - s * s / 2
        p20 = ndtr((np.log(19.5) - mu) / s)
        p500 = ndtr((np.log(499.5) - mu) / s)
        share = float((weight * p20).sum() / (weight * p500).sum())
        if share < SMALL_SHARE_TARGET:
            lo = s
        else:
            hi = s
    return (lo + hi) / 2


def _domestic_counts(n_dom: int, cal: Calibration) -> IntArray:
    counts = apportion(n_dom, cal.cell_establishments)
    n_ind = cal.naics4.size
    if n_dom >= n_ind:
        for i in range(n_ind):  # ~90 industries
            cells = np.flatnonzero(cal.cell_naics == i)
            if counts[cells].sum() == 0:
                counts[cells[np.argmax(cal.cell_establishments[cells])]] += 1
                counts[int(np.argmax(counts))] -= 1
    return counts


def _mineral_counts(n_cm: int, cal: Calibration) -> tuple[IntArray, IntArray, IntArray]:
    """(mineral, source country index, count) for foreign critical-mineral producers."""
    mins, srcs, wts, first = [], [], [], []
    for m, sources in enumerate(cal.mineral_sources):  # ~30 minerals
        if cal.mineral_nir[m] <= 0:
            continue
        w = 0.5 ** np.arange(len(sources))
        for r, iso in enumerate(sources):
            mins.append(m)
            srcs.append(cal.country_index(iso) + 1)
            wts.append(cal.mineral_nir[m] * w[r] / w.sum())
            first.append(r == 0)
    f = np.array(first)
    counts = f.astype(np.int64)
    counts += apportion(max(n_cm - int(f.sum()), 0), np.array(wts))
    return np.array(mins, dtype=np.int64), np.array(srcs, dtype=np.int64), counts


def _ics(n: int, rng: np.random.Generator, share: FloatArray) -> tuple[IntArray, IntArray]:
    """1-2 distinct platforms per facility, drawn by market share (second without the first)."""
    cum = np.cumsum(share)
    cum[-1] = 1.0
    two = rng.random(n) < 0.35
    first = np.minimum(np.searchsorted(cum, rng.random(n), side="right"), share.size - 1)
    p1 = share[first]
    before = cum[first] - p1
    u = rng.random(n) * (1.0 - p1)
    u = np.where(u >= before, u + p1, u)
    second = np.minimum(np.searchsorted(cum, u, side="right"), share.size - 1)
    second = np.where(second == first, (first + 1) % share.size, second)
    counts = 1 + two.astype(np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[offsets[:-1]] = first
    values[offsets[:-1][two] + 1] = second[two]
    return offsets, values


def make_facilities(n: int, rng: np.random.Generator, cal: Calibration) -> Facilities:
    """Draw ``n`` facilities (domestic by CBP, foreign by imports) and their owners."""
    n_for = round(FOREIGN_SHARE * n)
    n_dom = n - n_for
    countries = ("USA", *cal.country_iso3.tolist())
    # domestic
    counts = _domestic_counts(n_dom, cal)
    cell = np.repeat(np.arange(counts.size), counts)
    state_of = np.searchsorted(cal.state_usps, cal.cell_state)
    d_state = state_of[cell]
    d_naics = cal.cell_naics[cell]
    cell_mean = cal.cell_employees / np.maximum(cal.cell_establishments, 1.0)
    sigma = fit_sigma(cell_mean, cal.cell_establishments)
    d_mean = cell_mean[cell]
    # foreign critical-mineral producers
    n_cm = min(max(round(MINERAL_FACILITY_SHARE * n), 1), n_for // 2)
    mm, ms, mc = _mineral_counts(n_cm, cal)
    f_mineral = np.repeat(mm, mc)
    f_cm_country = np.repeat(ms, mc)
    n_gen = n_for - f_mineral.size
    # foreign generic: partner x industry
    n_est = np.bincount(cal.cell_naics, cal.cell_establishments, minlength=cal.naics4.size)
    bea_est = np.bincount(cal.naics_bea, n_est, minlength=cal.bea_codes.size)
    ind_w = cal.bea_imports[cal.naics_bea] * n_est / bea_est[cal.naics_bea]
    joint = np.outer(cal.country_imports, ind_w).ravel()
    jc = apportion(max(n_gen, 0), joint)
    jcell = np.repeat(np.arange(jc.size), jc)
    g_country = jcell // ind_w.size + 1
    g_naics = jcell % ind_w.size
    ind_mean = np.bincount(cal.cell_naics, cal.cell_employees, minlength=ind_w.size) / n_est
    cm_naics = int(np.flatnonzero(cal.naics4 == "2122")[0])
    country = np.concatenate([np.zeros(n_dom, np.int64), g_country, f_cm_country])
    naics = np.concatenate([d_naics, g_naics, np.full(f_mineral.size, cm_naics)])
    mean = np.concatenate([d_mean, ind_mean[g_naics], ind_mean[np.full(f_mineral.size, cm_naics)]])
    mineral = np.concatenate([np.full(n - f_mineral.size, -1, np.int64), f_mineral])
    state = np.concatenate([d_state, np.full(n_for, -1, np.int64)])
    c_lat = np.concatenate([[0.0], cal.country_lat])
    c_lon = np.concatenate([[0.0], cal.country_lon])
    base_lat = np.where(country == 0, cal.state_lat[state], c_lat[country])
    base_lon = np.where(country == 0, cal.state_lon[state], c_lon[country])
    lat = np.clip(base_lat + rng.normal(0.0, JITTER_DEG, n), -90.0, 90.0)
    lon = np.clip(base_lon + rng.normal(0.0, JITTER_DEG, n), -180.0, 180.0)
    emp = rng.lognormal(np.log(mean) - sigma * sigma / 2, sigma)
    employees = np.clip(np.rint(emp), 1, EMPLOYEES_CAP).astype(np.int64)
    ics_offsets, ics = _ics(n, rng, cal.ics_share)
    org, n_orgs = _organizations(country, naics, employees, rng)
    return Facilities(
        countries, country, state, naics, lat, lon, employees, mineral, ics_offsets, ics,
        org, n_orgs,
    )  # fmt: skip


MULTI_PLANT_P = (0.03, 0.15, 0.5)
"""Chance a facility belongs to a multi-plant firm, for < 100, < 500, >= 500 employees."""
MULTI_PLANT_MEAN = 3.0
"""Mean number of plants of a multi-plant firm (geometric)."""


def _organizations(
    country: IntArray, naics: IntArray, employees: IntArray, rng: np.random.Generator
) -> tuple[IntArray, int]:
    """Group facilities into firms: single-plant, or runs of multi-plant facilities
    of the same country and industry. Returns (org index per facility, number of orgs)."""
    n = country.size
    p = np.asarray(MULTI_PLANT_P)[np.searchsorted([100, 500], employees, side="right")]
    multi = rng.random(n) < p
    order = np.lexsort((rng.random(n), ~multi, naics, country))
    cs, ns, ms = country[order], naics[order], multi[order]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (cs[1:] != cs[:-1]) | (ns[1:] != ns[:-1])
    start = ~ms | new_group | (rng.random(n) < 1.0 / MULTI_PLANT_MEAN)
    org_sorted = np.cumsum(start) - 1
    org = np.empty(n, dtype=np.int64)
    org[order] = org_sorted
    return org, int(org_sorted[-1]) + 1 if n else 0
