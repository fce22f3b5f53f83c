"""Seed rows the twin ships with: every ISO 3166-1 country and the country groups.

Countries come from ``pycountry`` (ISO 3166-1, with common names where ISO's
are long). Groups come from ``seeds/country_groups.csv``: NATO (32, as of
2024-03-07), EU (27), FIVE_EYES (5), US_FTA (20 partners of the 14 U.S. FTAs in
force, per USTR), FOREIGN_ADVERSARY (15 CFR 791.4(a): CHN incl. HKG, CUB, IRN,
PRK, RUS, VEN).
"""

import csv
from importlib import resources

import pycountry


def country_rows() -> list[tuple[str, str]]:
    """(iso3, name) for every ISO 3166-1 country, sorted by iso3."""
    rows = []
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        rows.append((c.alpha_3, name))
    return sorted(rows)


def country_group_rows() -> list[tuple[str, str]]:
    """(group, iso3) memberships shipped with the project."""
    text = resources.files("arsenalnet.model").joinpath("seeds/country_groups.csv").read_text()
    return [(r["group"], r["iso3"]) for r in csv.DictReader(text.splitlines())]
