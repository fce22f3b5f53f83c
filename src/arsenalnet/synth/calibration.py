"""Calibration tables of the synthetic industrial base, loaded into typed arrays.

Every table is a compact CSV in ``arsenalnet/synth/data`` written by
``tools/build_calibration.py`` from the cited public statistics in ``shared/data``;
``data/README.md`` gives publisher, table, year and transformation for each:

- ``cbp_state_naics4.csv``: U.S. Census Bureau, County Business Patterns 2023,
  establishments and employees by state x NAICS4 (mining 21xx, manufacturing
  31-33). Lower bounds (county cells < 3 establishments suppressed); Wyoming is
  absent from the source, so the generator puts no domestic facility there.
- ``industries.csv``: NAICS4 titles, BEA summary code, a representative HS6
  (Pierce & Schott concordance via the ``concordance`` R package), U.S. totals.
- ``bea_direct_requirements.csv``: BEA 2023 Summary Use (before redefinitions):
  ``a[i, j] = use[i, j] / industry output[j]``; and BEA 2023 Summary Import
  matrix: ``import_share[i, j] = imports[i, j] / use[i, j]``.
- ``bea_sectors.csv``: BEA industry output and total imports (F050) per code.
- ``critical_minerals.csv``: USGS Mineral Commodity Summaries 2025, Table 5
  and Figure 2 (net import reliance, major import sources 2020-2023).
- ``countries.csv``: one point per foreign country (assumption) and U.S. goods
  imports 2023 by partner (Census "Top Trading Partners - December 2023", rounded).
- ``states.csv``: approximate geographic centres of the states and DC.
- ``ics_platforms.csv``: ASSUMED installed-base shares of control-system platforms.
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("arsenalnet.synth").joinpath("data").joinpath(name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True)
class Calibration:
    """All calibration arrays; index conventions are stated per attribute.

    Industries (``naics4``, length I) are sorted NAICS4 codes; BEA sectors
    (``bea_codes``, length B) are the 22 mining and manufacturing summary codes.
    """

    naics4: StrArray
    """(I,) NAICS4 codes, sorted."""
    naics_title: StrArray
    """(I,) NAICS4 titles."""
    naics_bea: IntArray
    """(I,) index into ``bea_codes`` of each NAICS4's BEA summary industry."""
    naics_hs6: StrArray
    """(I,) a representative HS6 code ('' if the concordance has none)."""
    cell_state: StrArray
    """(C,) USPS state of each CBP cell (state x NAICS4)."""
    cell_naics: IntArray
    """(C,) index into ``naics4`` of each CBP cell."""
    cell_establishments: FloatArray
    """(C,) CBP 2023 establishments (lower bound)."""
    cell_employees: FloatArray
    """(C,) CBP 2023 mid-March employees (lower bound)."""
    bea_codes: StrArray
    """(B,) BEA summary codes of mining and manufacturing."""
    bea_output: FloatArray
    """(B,) industry output 2023, million USD."""
    bea_imports: FloatArray
    """(B,) total commodity imports 2023, million USD."""
    direct_req: FloatArray
    """(B, B) a[i, j]: USD of commodity i per USD of industry j's output."""
    import_share: FloatArray
    """(B, B) imported share of commodity i used by industry j."""
    mineral_name: StrArray
    """(M,) USGS critical mineral names (MCS 2025 Table 5)."""
    mineral_slug: StrArray
    """(M,) id slugs: lowercase, parenthetical removed, spaces -> '-'."""
    mineral_nir: FloatArray
    """(M,) net import reliance 2024 as a fraction (``>x`` -> interval midpoint, E -> 0)."""
    mineral_sources: tuple[tuple[str, ...], ...]
    """(M,) major import source ISO3 codes, in decreasing import share."""
    country_iso3: StrArray
    """(K,) foreign countries used (partners and mineral sources)."""
    country_lat: FloatArray
    country_lon: FloatArray
    country_imports: FloatArray
    """(K,) U.S. goods imports 2023 from the country, billion USD (0 if not a top partner)."""
    state_usps: StrArray
    state_lat: FloatArray
    state_lon: FloatArray
    ics_platform: StrArray
    ics_share: FloatArray
    """(P,) assumed market shares, summing to 1."""

    def country_index(self, iso3: str) -> int:
        """Index of ``iso3`` in ``country_iso3`` (ValueError if absent)."""
        return int(np.flatnonzero(self.country_iso3 == iso3)[0])


@functools.cache
def load() -> Calibration:
    """Load (once) the calibration tables shipped with the package."""
    ind = _rows("industries.csv")
    sec = _rows("bea_sectors.csv")
    bea_codes = np.array([r["bea_code"] for r in sec])
    bea_pos = {c: k for k, c in enumerate(bea_codes.tolist())}
    naics4 = np.array([r["naics4"] for r in ind])
    n_pos = {c: k for k, c in enumerate(naics4.tolist())}
    nb = len(bea_codes)
    a = np.zeros((nb, nb))
    imp = np.zeros((nb, nb))
    for r in _rows("bea_direct_requirements.csv"):
        i, j = bea_pos[r["commodity"]], bea_pos[r["industry"]]
        a[i, j] = float(r["coefficient"])
        imp[i, j] = float(r["import_share"])
    cells = _rows("cbp_state_naics4.csv")
    minerals = _rows("critical_minerals.csv")
    countries = _rows("countries.csv")
    states = _rows("states.csv")
    ics = _rows("ics_platforms.csv")
    share = np.array([float(r["share"]) for r in ics])
    return Calibration(
        naics4=naics4,
        naics_title=np.array([r["title"] for r in ind]),
        naics_bea=np.array([bea_pos[r["bea_code"]] for r in ind], dtype=np.int64),
        naics_hs6=np.array([r["hs6"] for r in ind]),
        cell_state=np.array([r["state"] for r in cells]),
        cell_naics=np.array([n_pos[r["naics4"]] for r in cells], dtype=np.int64),
        cell_establishments=np.array([float(r["establishments"]) for r in cells]),
        cell_employees=np.array([float(r["employees"]) for r in cells]),
        bea_codes=bea_codes,
        bea_output=np.array([float(r["industry_output_musd"]) for r in sec]),
        bea_imports=np.array([float(r["imports_musd"]) for r in sec]),
        direct_req=a,
        import_share=imp,
        mineral_name=np.array([r["name"] for r in minerals]),
        mineral_slug=np.array([r["slug"] for r in minerals]),
        mineral_nir=np.array([float(r["nir_pct"]) / 100.0 for r in minerals]),
        mineral_sources=tuple(tuple(r["sources_iso3"].split(";")) for r in minerals),
        country_iso3=np.array([r["iso3"] for r in countries]),
        country_lat=np.array([float(r["lat"]) for r in countries]),
        country_lon=np.array([float(r["lon"]) for r in countries]),
        country_imports=np.array([float(r["goods_imports_busd_2023"] or 0.0) for r in countries]),
        state_usps=np.array([r["usps"] for r in states]),
        state_lat=np.array([float(r["lat"]) for r in states]),
        state_lon=np.array([float(r["lon"]) for r in states]),
        ics_platform=np.array([r["platform"] for r in ics]),
        ics_share=share / share.sum(),
    )
