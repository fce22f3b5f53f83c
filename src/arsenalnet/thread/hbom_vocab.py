"""The CycloneDX vocabulary of ArsenalNet's hardware bills of materials, declared once.

Export writes these names and import reads them. Every ArsenalNet property is in
the ``arsenalnet:hbom:`` namespace; ``cdx:device:quantity`` and
``cdx:device:serialNumber`` are the official CycloneDX device taxonomy's.
Countries are ISO 3166-1 alpha-3 in ArsenalNet's properties (as everywhere in
the twin) and alpha-2 in a CycloneDX postal address (as the schema asks).

>>> alpha2("DEU"), to_iso3("de"), to_iso3("DEU"), to_iso3("Germany"), to_iso3("XX")
('DE', 'DEU', 'DEU', 'DEU', None)
"""

from functools import cache

import pycountry

SPEC_VERSION = "1.6"
NS = "arsenalnet:hbom:"

KIND = NS + "kind"
UNIT = NS + "unit"
HS_CODE = NS + "hsCode"
NAICS = NS + "naics"
CRITICAL_MINERAL = NS + "criticalMineral"
PRODUCT_PROPERTIES: dict[str, str] = {
    "kind": KIND,
    "unit": UNIT,
    "hs_code": HS_CODE,
    "naics": NAICS,
    "critical_mineral": CRITICAL_MINERAL,
}
"""Product column -> the property that carries it on a part component."""

QUANTITY = NS + "quantity:"
"""``arsenalnet:hbom:quantity:<parent bom-ref>``: units of this part per one unit of that parent."""
CDX_QUANTITY = "cdx:device:quantity"
"""Read (never written) as the quantity per parent when no parent-specific quantity is given."""
SOURCE_OF = NS + "sourceOf"
"""On a source component: the bom-ref of the part it is a source of."""
FACILITY_ID = NS + "facilityId"
ORGANIZATION_ID = NS + "organizationId"
COUNTRY_OF_ORIGIN = NS + "countryOfOrigin"
"""ISO3 country where the part is made: the source facility's country, or a declared origin."""

STRUCTURAL = (*PRODUCT_PROPERTIES.values(), SOURCE_OF, FACILITY_ID, ORGANIZATION_ID)
"""Properties that describe the part or source itself and are never stored as product attributes."""


@cache
def _codes() -> tuple[dict[str, str], dict[str, str]]:
    countries = list(pycountry.countries)
    return {c.alpha_3: c.alpha_2 for c in countries}, {c.alpha_2: c.alpha_3 for c in countries}


def alpha2(iso3: str) -> str:
    """The ISO 3166-1 alpha-2 code of an alpha-3 code (KeyError if unknown)."""
    return _codes()[0][iso3]


def to_iso3(code: str) -> str | None:
    """The alpha-3 code of an alpha-2 or alpha-3 code or an English country name (None if unknown)."""
    upper = code.strip().upper()
    to2, to3 = _codes()
    if upper in to2:
        return upper
    if upper in to3:
        return to3[upper]
    try:
        return str(pycountry.countries.lookup(code.strip()).alpha_3)
    except LookupError:
        return None
