"""Expansion options of the generated twin: another shift, a new line.

Every capability of a reference product (the chains of the three reference end
items) gets a **second shift** (+50% of capacity after 30 to 60 days of hiring
and training, costing a year of the added shift's wages: half the site's
employees at ``SHIFT_WAGE_USD``) and a **new line** (+100% of capacity after a
lognormal lead time around ``LINE_DAYS_MEDIAN``, a lognormal capital cost around
``LINE_COST_MEDIAN_USD``); ``GENERIC_SHARE`` of the other capabilities get a second
shift. The figures are assumptions of the same order as published ones (the
155 mm surge of 2023-2025 added shifts within weeks and lines in one to two
years); the options are synthetic, like the plants.

``expansion_options(twin, rng)`` draws from its own stream, so adding options
changes no other generated value.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.arrow import arrow_schema
from arsenalnet.synth.reference import ITEMS

SHIFT_SHARE = 0.5
"""Capacity a second shift adds, as a share of the capability's capacity."""
SHIFT_DAYS = (30.0, 60.0)
"""Range of days to hire and train a second shift (uniform)."""
SHIFT_WAGE_USD = 75_000.0
"""Loaded yearly wage of a production worker (USD); a shift costs half the site's employees' year."""
LINE_SHARE = 1.0
"""Capacity a new line adds, as a share of the capability's capacity."""
LINE_DAYS_MEDIAN, LINE_DAYS_SIGMA = 270.0, 0.35
"""Days to build and qualify a new line: lognormal median and sigma (about 6 to 18 months)."""
LINE_COST_MEDIAN_USD, LINE_COST_SIGMA = 20e6, 0.8
"""Capital cost of a new line: lognormal median (USD) and sigma."""
GENERIC_SHARE = 0.02
"""Share of the capabilities outside the reference chains that get a second-shift option."""
DEFAULT_EMPLOYEES = 100
"""Employees assumed where a facility's count is unknown."""


def expansion_options(twin: dict[str, pa.Table], rng: np.random.Generator) -> pa.Table:
    """The ``expansion_option`` rows for the capabilities of ``twin`` (as generated)."""
    cap, fac = twin["capability"], twin["facility"]
    reference = pc.is_in(cap["product_id"], value_set=pa.array([i.product_id for i in ITEMS])).to_numpy(
        zero_copy_only=False
    )
    generic = rng.random(len(cap)) < GENERIC_SHARE
    shift = np.flatnonzero(reference | generic)
    line = np.flatnonzero(reference)
    capacity = cap["capacity_per_day"].to_numpy()
    at = pc.index_in(cap["facility_id"], value_set=fac["facility_id"]).to_numpy(zero_copy_only=False)
    staff = fac["employees"].fill_null(DEFAULT_EMPLOYEES).to_numpy().astype(np.float64)[at]

    shift_days = np.rint(rng.uniform(*SHIFT_DAYS, len(shift)))
    line_days = np.rint(LINE_DAYS_MEDIAN * rng.lognormal(0.0, LINE_DAYS_SIGMA, len(line)))
    line_cost = np.round(LINE_COST_MEDIAN_USD * rng.lognormal(0.0, LINE_COST_SIGMA, len(line)), -3)
    rows = np.concatenate([shift, line])
    return pa.Table.from_arrays(
        [
            cap["facility_id"].take(pa.array(rows)),
            cap["product_id"].take(pa.array(rows)),
            pa.array(["second-shift"] * len(shift) + ["new-line"] * len(line)),
            pa.array(np.concatenate([SHIFT_SHARE * capacity[shift], LINE_SHARE * capacity[line]])),
            pa.array(np.concatenate([shift_days, line_days])),
            pa.array(np.concatenate([np.round(0.5 * staff[shift] * SHIFT_WAGE_USD, -3), line_cost])),
        ],
        schema=arrow_schema("expansion_option"),
    )
