"""Build the synthetic generator's compact calibration tables from ``shared/data``.

Usage::

    .venv/bin/python tools/build_calibration.py [SHARED_DATA_DIR]

Reads the cited public tables in ``../shared/data`` (see its README) and writes
small derived CSVs to ``src/arsenalnet/synth/data/``. Every output is described,
with its source and transformation, in ``src/arsenalnet/synth/data/README.md``.
The raw files are never copied into the package. A few tables that are not in
``shared/data`` (state centroids, country points, trade-partner totals, control
system shares) are written from the literals below, each with its citation or
labelled as an assumption.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "arsenalnet" / "synth" / "data"
DEFAULT_SHARED = ROOT.parent / "shared" / "data"

MINMFG_BEA = (
    "211", "212", "213", "311FT", "313TT", "315AL", "321", "322", "323", "324", "325", "326",
    "327", "331", "332", "333", "334", "335", "3361MV", "3364OT", "337", "339",
)  # fmt: skip
"""BEA 2017-schema summary codes of mining (21) and manufacturing (31-33)."""


def bea_code(naics4: str) -> str:
    """NAICS4 -> BEA summary industry code (2017 schema)."""
    n3, n2 = naics4[:3], naics4[:2]
    if n2 == "21":
        return n3
    if n3 in ("311", "312"):
        return "311FT"
    if n3 in ("313", "314"):
        return "313TT"
    if n3 in ("315", "316"):
        return "315AL"
    if n3 == "336":
        return "3361MV" if naics4 in ("3361", "3362", "3363") else "3364OT"
    return n3


# --- literals not in shared/data ---------------------------------------------------------

STATE_CENTROIDS: dict[str, tuple[float, float]] = {
    "AL": (32.79, -86.83), "AK": (61.37, -152.40), "AZ": (34.17, -111.93), "AR": (34.90, -92.44),
    "CA": (37.18, -119.47), "CO": (39.00, -105.55), "CT": (41.62, -72.73), "DE": (38.99, -75.51),
    "DC": (38.90, -77.03), "FL": (28.63, -82.45), "GA": (32.64, -83.44), "HI": (20.29, -156.37),
    "ID": (44.35, -114.61), "IL": (40.04, -89.20), "IN": (39.89, -86.28), "IA": (42.08, -93.50),
    "KS": (38.49, -98.38), "KY": (37.53, -85.30), "LA": (31.07, -91.99), "ME": (45.37, -69.24),
    "MD": (39.06, -76.80), "MA": (42.26, -71.81), "MI": (44.35, -85.41), "MN": (46.28, -94.31),
    "MS": (32.74, -89.67), "MO": (38.36, -92.46), "MT": (47.05, -109.63), "NE": (41.54, -99.80),
    "NV": (39.33, -116.63), "NH": (43.68, -71.58), "NJ": (40.19, -74.67), "NM": (34.41, -106.11),
    "NY": (42.95, -75.53), "NC": (35.56, -79.39), "ND": (47.45, -100.47), "OH": (40.29, -82.79),
    "OK": (35.59, -97.49), "OR": (43.93, -120.56), "PA": (40.88, -77.80), "RI": (41.68, -71.56),
    "SC": (33.92, -80.90), "SD": (44.44, -100.23), "TN": (35.86, -86.35), "TX": (31.48, -99.33),
    "UT": (39.31, -111.67), "VT": (44.07, -72.67), "VA": (37.52, -78.85), "WA": (47.38, -120.45),
    "WV": (38.64, -80.62), "WI": (44.62, -89.99), "WY": (42.99, -107.55),
}  # fmt: skip
"""Approximate geographic centres of the 50 states and DC (degrees), rounded to 0.01."""

COUNTRY_POINTS: dict[str, tuple[float, float]] = {
    "ARE": (24.4, 54.4), "ARG": (-34.6, -58.4), "AUS": (-33.9, 151.2), "AUT": (48.2, 16.4),
    "BEL": (51.2, 4.4), "BHR": (26.2, 50.6), "BLR": (53.9, 27.6), "BOL": (-16.5, -68.1),
    "BRA": (-23.6, -46.6), "CAN": (43.7, -79.4), "CHE": (47.4, 8.5), "CHL": (-33.4, -70.7),
    "CHN": (31.2, 121.5), "CZE": (50.1, 14.4), "DEU": (50.1, 8.7), "EGY": (30.0, 31.2),
    "EST": (59.4, 24.8), "FIN": (60.2, 24.9), "FRA": (48.9, 2.4), "GAB": (0.4, 9.5),
    "GBR": (52.5, -1.9), "GRC": (37.9, 23.7), "GUY": (6.8, -58.2), "IDN": (-6.2, 106.8),
    "IND": (19.1, 72.9), "IRL": (53.3, -6.3), "ISR": (32.1, 34.8), "ITA": (45.5, 9.2),
    "JAM": (18.0, -76.8), "JOR": (31.9, 35.9), "JPN": (35.7, 139.7), "KAZ": (43.2, 76.9),
    "KOR": (37.6, 127.0), "MAR": (33.6, -7.6), "MDG": (-18.9, 47.5), "MEX": (25.7, -100.3),
    "MOZ": (-25.9, 32.6), "MYS": (3.1, 101.7), "NLD": (51.9, 4.5), "NOR": (59.9, 10.8),
    "PER": (-12.0, -77.0), "PHL": (14.6, 121.0), "POL": (52.2, 21.0), "RUS": (55.8, 37.6),
    "SAU": (24.7, 46.7), "SEN": (14.7, -17.4), "SGP": (1.3, 103.8), "THA": (13.8, 100.5),
    "TUR": (41.0, 29.0), "TWN": (25.0, 121.5), "VNM": (10.8, 106.7), "ZAF": (-26.2, 28.0),
    "ZWE": (-17.8, 31.0), "COD": (-11.7, 27.5), "GIN": (10.0, -12.0),
}  # fmt: skip
"""One representative point (main industrial city, degrees, rounded to 0.1) per foreign country."""

PARTNER_IMPORTS_BUSD_2023: dict[str, float] = {
    "MEX": 475.6, "CHN": 427.2, "CAN": 418.6, "DEU": 159.3, "JPN": 147.2, "KOR": 116.2,
    "VNM": 114.4, "TWN": 87.8, "IND": 83.6, "IRL": 82.0, "ITA": 76.3, "GBR": 64.2,
    "CHE": 64.0, "THA": 63.3, "FRA": 59.7, "MYS": 51.9, "SGP": 42.6, "BRA": 37.9,
    "NLD": 29.5, "ISR": 22.3,
}  # fmt: skip
"""U.S. total goods imports by country, 2023, billions USD, rounded: U.S. Census Bureau,
Foreign Trade, "Top Trading Partners - December 2023" (year-to-date table)."""

ICS_PLATFORMS: tuple[tuple[str, float], ...] = (
    ("Siemens SIMATIC S7", 0.30),
    ("Rockwell ControlLogix", 0.22),
    ("Schneider Modicon", 0.10),
    ("Mitsubishi MELSEC", 0.09),
    ("Omron Sysmac", 0.07),
    ("Emerson DeltaV", 0.06),
    ("Honeywell Experion", 0.05),
    ("ABB 800xA", 0.05),
    ("Yokogawa CENTUM", 0.04),
    ("GE Mark VIe", 0.02),
)
"""ASSUMPTION: rough installed-base shares of PLC/DCS platforms at U.S. plants."""


# --- helpers ----------------------------------------------------------------------------


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(name: str, header: list[str], rows: list[list[object]]) -> None:
    with (OUT / name).open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {name}: {len(rows)} rows")


def parse_nir(text: str) -> float:
    """Published NIR string -> percent: ``85`` -> 85, ``>75`` -> 87.5 (interval midpoint),
    ``<25`` -> 12.5, ``E`` (net exporter) -> 0."""
    t = text.strip()
    if t in ("E", "", "NA", "W"):
        return 0.0
    if t.startswith(">"):
        return (float(t[1:]) + 100.0) / 2
    if t.startswith("<"):
        return float(t[1:]) / 2
    return float(t)


def _base(name: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", name.split(",")[0]).strip().lower()


def mineral_slug(name: str) -> str:
    """``Rare earths (compounds and metals)`` -> ``rare-earths``."""
    return re.sub(r"\s*\(.*?\)", "", name).strip().lower().replace(" ", "-")


# --- builders ---------------------------------------------------------------------------


def build_cbp(shared: Path) -> dict[str, tuple[int, int]]:
    rows = _read(shared / "census_establishments_naics4_by_state.csv")
    out = [[r["state_abbr"], r["naics4"], int(r["establishments"]), int(r["employees"])] for r in rows]
    _write("cbp_state_naics4.csv", ["state", "naics4", "establishments", "employees"], out)
    tot: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in rows:
        tot[r["naics4"]][0] += int(r["establishments"])
        tot[r["naics4"]][1] += int(r["employees"])
    return {k: (v[0], v[1]) for k, v in tot.items()}


def build_industries(shared: Path, tot: dict[str, tuple[int, int]]) -> None:
    rows = _read(shared / "census_establishments_naics4_by_state.csv")
    titles = {r["naics4"]: r["naics4_title"] for r in rows}
    hs: dict[str, str] = {}
    for r in _read(shared / "hs6_naics_concordance.csv"):
        n4 = r["naics6"][:4]
        if n4 in titles and (n4 not in hs or r["hs6"] < hs[n4]):
            hs[n4] = r["hs6"]
    out = [[n4, titles[n4], bea_code(n4), hs.get(n4, ""), tot[n4][0], tot[n4][1]] for n4 in sorted(titles)]
    _write(
        "industries.csv",
        ["naics4", "title", "bea_code", "hs6", "establishments", "employees"],
        out,
    )


def build_bea(shared: Path) -> None:
    use = _read(shared / "bea_summary_use_2023.csv")
    imp = _read(shared / "bea_summary_import_2023.csv")
    output: dict[str, float] = defaultdict(float)
    for r in use:
        if r["user_kind"] == "industry":
            output[r["user_code"]] += float(r["value_musd"])
    u = {(r["commodity_code"], r["user_code"]): float(r["value_musd"]) for r in use}
    m = {(r["commodity_code"], r["user_code"]): float(r["value_musd"]) for r in imp}
    rows: list[list[object]] = []
    for i in MINMFG_BEA:
        for j in MINMFG_BEA:
            v = u.get((i, j), 0.0)
            if v <= 0:
                continue
            share = min(max(m.get((i, j), 0.0) / v, 0.0), 1.0)
            rows.append([i, j, f"{v / output[j]:.6f}", f"{share:.4f}"])
    _write(
        "bea_direct_requirements.csv",
        ["commodity", "industry", "coefficient", "import_share"],
        rows,
    )
    names = {r["commodity_code"]: r["commodity_name"] for r in use}
    imports = defaultdict(float)
    for r in imp:
        if r["user_code"] == "F050":
            imports[r["commodity_code"]] += -float(r["value_musd"])
    _write(
        "bea_sectors.csv",
        ["bea_code", "name", "industry_output_musd", "imports_musd"],
        [[c, names[c], round(output[c]), round(imports[c])] for c in MINMFG_BEA],
    )


def build_minerals(shared: Path) -> None:
    sal = _read(shared / "usgs_mcs2025_critical_minerals_salient.csv")
    nir = _read(shared / "usgs_mcs2025_net_import_reliance.csv")
    rows: list[list[object]] = []
    for s in sal:
        name = s["critical_mineral"]
        base = _base(name)
        paren = re.findall(r"\((.*?)\)", name)
        keys = {base} | {p.lower() for p in paren}
        cands = [
            r for r in nir
            if _base(r["commodity"]) in keys or _base(r["commodity"]).startswith(base + " ")
        ]  # fmt: skip
        same = [
            r for r in cands if r["net_import_reliance_pct_2024"].strip() == s["net_import_reliance"].strip()
        ]
        pick = (same or cands or [None])[0]
        if pick is not None and pick["major_import_sources_iso3"]:
            sources = pick["major_import_sources_iso3"]
            matched = pick["commodity"]
        else:
            sources, matched = s["primary_import_source_iso3"], ""
        rows.append(
            [name, mineral_slug(name), s["net_import_reliance"],
             parse_nir(s["net_import_reliance"]), sources, matched]
        )  # fmt: skip
    _write(
        "critical_minerals.csv",
        ["name", "slug", "nir_published", "nir_pct", "sources_iso3", "nir_table_commodity"],
        rows,
    )
    used = set(PARTNER_IMPORTS_BUSD_2023)
    for r in rows:
        used.update(str(r[4]).split(";"))
    used.discard("")
    missing = sorted(used - set(COUNTRY_POINTS))
    if missing:
        raise SystemExit(f"no representative point for {missing}")
    _write(
        "countries.csv",
        ["iso3", "lat", "lon", "goods_imports_busd_2023"],
        [[c, *COUNTRY_POINTS[c], PARTNER_IMPORTS_BUSD_2023.get(c, "")] for c in sorted(used)],
    )


def main(argv: list[str]) -> None:
    shared = Path(argv[1]) if len(argv) > 1 else DEFAULT_SHARED
    OUT.mkdir(parents=True, exist_ok=True)
    tot = build_cbp(shared)
    build_industries(shared, tot)
    build_bea(shared)
    build_minerals(shared)
    _write("states.csv", ["usps", "lat", "lon"], [[k, *v] for k, v in sorted(STATE_CENTROIDS.items())])
    _write("ics_platforms.csv", ["platform", "share"], [list(p) for p in ICS_PLATFORMS])


if __name__ == "__main__":
    main(sys.argv)
