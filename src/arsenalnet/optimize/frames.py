"""The plan as tables (Arrow), one row per nonzero quantity: what the CLI writes as Parquet."""

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from arsenalnet.optimize.am import AM_SHIP_DAYS
from arsenalnet.optimize.extract import Plan
from arsenalnet.optimize.problem import CLASS_NAMES, Problem

SMALL = 1e-9
"""Quantities at or below this (units) are left out of the tables."""


def _when(p: Problem, b: npt.NDArray[np.int64]) -> dict[str, pa.Array]:
    first = p.bucket_start[b]
    return {"first_day": pa.array(first), "last_day": pa.array(first + p.bucket_len[b].astype(np.int64) - 1)}


def production_table(plan: Plan) -> pa.Table:
    """facility_id, product_id, rating (the DPAS class it flows into), first_day, last_day,
    quantity, capacity (units in the bucket)."""
    p = plan.problem
    k, b = np.nonzero(plan.production > SMALL)
    return pa.table(
        {
            "facility_id": pa.array(p.node_facility[k]),
            "product_id": pa.array(p.node_product[k]),
            "rating": pa.array(np.array(CLASS_NAMES)[p.rating[k]]),
            **_when(p, b),
            "quantity": pa.array(plan.production[k, b]),
            "capacity": pa.array(p.capacity[k, b]),
        }
    )


def shipment_table(plan: Plan) -> pa.Table:
    """supplier_id, buyer_id, product_id, leaves_day, arrives_day, quantity (units; AM parts
    come from their machine's facility with ``via`` = the machine, links have ``via`` empty)."""
    p = plan.problem
    a, b = np.nonzero(plan.shipment > SMALL)
    j, jb = np.nonzero(plan.am_ship > SMALL)
    leaves = np.concatenate([p.bucket_start[b], p.bucket_start[jb]])
    arrives = np.concatenate(
        [np.minimum(b + p.arc_lag[a], p.n_buckets - 1), np.minimum(jb + p.am_lag, p.n_buckets - 1)]
    )
    # an AM arc's pool can hold several machines: name the parts' source as "AM" plus the part
    return pa.table(
        {
            "supplier_id": pa.array(
                np.concatenate(
                    [p.node_facility[p.arc_source[a]], np.full(len(j), "AM network", dtype=np.str_)]
                )
            ),
            "buyer_id": pa.array(
                np.concatenate([p.slot_facility[p.arc_slot[a]], p.slot_facility[p.am_arc_slot[j]]])
            ),
            "product_id": pa.array(
                np.concatenate([p.slot_product[p.arc_slot[a]], p.slot_product[p.am_arc_slot[j]]])
            ),
            "leaves_day": pa.array(leaves),
            "arrives_day": pa.array(p.bucket_start[arrives]),
            "lead_time_days": pa.array(np.concatenate([p.arc_lead_days[a], np.full(len(j), AM_SHIP_DAYS)])),
            "quantity": pa.array(np.concatenate([plan.shipment[a, b], plan.am_ship[j, jb]])),
        }
    )


def am_table(plan: Plan) -> pa.Table:
    """machine_id, facility_id, product_id, first_day, last_day (when finished), quantity."""
    p = plan.problem
    k, b = np.nonzero(plan.am_print > SMALL)
    m = p.am_route_machine[k]
    return pa.table(
        {
            "machine_id": pa.array(p.am_machine_id[m]),
            "facility_id": pa.array(p.am_machine_facility[m]),
            "product_id": pa.array(p.am_pool_product[p.am_route_pool[k]]),
            **_when(p, b),
            "quantity": pa.array(plan.am_print[k, b]),
        }
    )


def delivery_table(plan: Plan) -> pa.Table:
    """One row per demand row and bucket: product_id, customer, priority, first_day, last_day,
    delivered (in the bucket), delivered_total and required_total (cumulative, units)."""
    p = plan.problem
    d = np.repeat(np.arange(len(p.row_product)), p.n_buckets)
    b = np.tile(np.arange(p.n_buckets), len(p.row_product))
    step = np.diff(plan.delivered, axis=1, prepend=0.0)
    return pa.table(
        {
            "product_id": pa.array(p.row_product[d]),
            "customer": pa.array(p.row_customer[d]),
            "priority": pa.array(np.array(CLASS_NAMES)[p.row_class[d]]),
            **_when(p, b),
            "delivered": pa.array(step[d, b]),
            "delivered_total": pa.array(plan.delivered[d, b]),
            "required_total": pa.array(p.required[d, b]),
        }
    )


def stock_table(plan: Plan) -> pa.Table:
    """facility_id, product_id (an input), day (end of the bucket), stock (units)."""
    p = plan.problem
    s, b = np.nonzero(plan.stock > SMALL)
    return pa.table(
        {
            "facility_id": pa.array(p.slot_facility[s]),
            "product_id": pa.array(p.slot_product[s]),
            "day": pa.array(p.bucket_start[b] + p.bucket_len[b].astype(np.int64) - 1),
            "stock": pa.array(plan.stock[s, b]),
        }
    )


def expansion_table(plan: Plan) -> pa.Table:
    """Every option of the plan's capabilities: facility_id, product_id, option, taken (share),
    extra_capacity_per_day, in_place_from_day, cost (USD, of the whole option)."""
    p = plan.problem
    return pa.table(
        {
            "facility_id": pa.array(p.node_facility[p.option_node]),
            "product_id": pa.array(p.node_product[p.option_node]),
            "option": pa.array(p.option_name),
            "taken": pa.array(plan.expansion),
            "extra_capacity_per_day": pa.array(p.option_extra),
            "in_place_from_day": pa.array(np.ceil(p.option_lead_days)),
            "cost": pa.array(p.option_cost),
        }
    )


def plan_tables(plan: Plan) -> dict[str, pa.Table]:
    """Every table of the plan, by file stem."""
    return {
        "production": production_table(plan),
        "shipments": shipment_table(plan),
        "am_prints": am_table(plan),
        "deliveries": delivery_table(plan),
        "stocks": stock_table(plan),
        "expansions": expansion_table(plan),
    }
