"""Expansion options from the ``expansion_option`` table, on a compiled Network."""

import numpy as np
import pyarrow as pa

from arsenalnet.network import Network
from arsenalnet.optimize.request import Expansions


def expansions_of(net: Network, table: pa.Table) -> Expansions:
    """The options of ``table`` (the model's ``expansion_option`` columns) on ``net``'s capabilities;
    rows whose capability the Network lacks are dropped (the store's foreign key rules them out)."""
    n_p = net.n_products
    key = net.cap_facility.astype(np.int64) * n_p + net.cap_product
    want = net.facilities.codes(table["facility_id"]).astype(np.int64) * n_p + net.products.codes(
        table["product_id"]
    )
    at = np.clip(np.searchsorted(key, want), 0, max(len(key) - 1, 0))
    ok = np.flatnonzero(key[at] == want) if len(key) else np.zeros(0, np.int64)
    return Expansions(
        capability=at[ok].astype(np.int64),
        option=tuple(str(v) for v in table["option"].take(pa.array(ok)).to_pylist()),
        extra_per_day=table["extra_capacity_per_day"].to_numpy()[ok].astype(np.float64),
        lead_days=table["lead_time_days"].to_numpy()[ok].astype(np.float64),
        cost=table["cost"].to_numpy()[ok].astype(np.float64),
    )
