"""Each generated facility's time to recover (TTR), around its industry's median."""

import numpy as np
import pyarrow as pa

from arsenalnet.model.recovery import ttr_median_days

TTR_SIGMA = 0.5
"""Spread of a facility's TTR around its industry median (lognormal sigma): half of the
sites within a factor of about 1.4 of the median (an assumption, like the medians)."""


def with_recovery(facility: pa.Table, rng: np.random.Generator) -> pa.Table:
    """``facility`` with ``ttr_days`` drawn lognormal around each site's NAICS median, whole days."""
    naics = facility["naics"].to_pylist()
    medians = {code: ttr_median_days(code) for code in set(naics)}
    median = np.array([medians[code] for code in naics], dtype=np.float64)
    ttr = np.maximum(np.rint(median * rng.lognormal(0.0, TTR_SIGMA, len(naics))), 1.0)
    at = facility.schema.get_field_index("ttr_days")
    return facility.set_column(at, facility.schema.field(at), pa.array(ttr, pa.float64()))
