"""An independent feasibility checker of a plan: plain numpy over the plan's arrays and the
Network's own data, never the solver's word.

It replays the plan bucket by bucket: stocks from the initial stocks plus arrivals (each
shipment arriving ``ceil(lead_time_days / bucket)`` buckets after it left, the lead time read
from the Network's supply link) minus inputs used per the bill of materials (read from the
Network's BOM); finished end items at each maker; cumulative deliveries against the demand
table's requirements. It returns every violation it finds, in words.
"""

import math

import numpy as np

from arsenalnet.network import Network
from arsenalnet.optimize.am import AM_SHIP_DAYS
from arsenalnet.optimize.extract import Plan

TOL = 1e-6


def violations(plan: Plan, net: Network, surge: float = 1.0, tol: float = TOL) -> list[str]:
    """What is wrong with ``plan`` (empty if it is feasible), for a plan made without a scenario."""
    p = plan.problem
    n_b, bucket = p.n_buckets, p.bucket_days
    scale = lambda x: tol * max(1.0, float(np.abs(x).max(initial=0.0)))  # noqa: E731
    out: list[str] = []

    # capacity, with the options in place from their lead time
    extra = np.zeros_like(plan.production)
    for o in range(len(p.option_node)):
        for b in range(n_b):
            first, last = p.bucket_start[b], p.bucket_start[b] + p.bucket_len[b]
            in_place = max(0, last - max(first, math.ceil(p.option_lead_days[o])))
            extra[p.option_node[o], b] += p.option_extra[o] * in_place * plan.expansion[o]
    over = plan.production - p.capacity - extra
    if (over > scale(p.capacity)).any():
        out.append(f"production above capacity by {over.max():g}")

    # stocks: initial + arrivals (lead time from the Network) - use (BOM from the Network)
    arrivals = np.zeros((len(p.slot_facility), n_b))
    for a in range(len(p.arc_source)):
        lead = 0.0 if p.arc_link[a] < 0 else float(net.lead_time[p.arc_link[a]])
        lag = math.ceil(lead / bucket - 1e-9)
        for b in np.flatnonzero(plan.shipment[a]):
            if b + lag >= n_b:
                out.append(f"arc {a} ships in bucket {b}, arriving after the horizon")
            else:
                arrivals[p.arc_slot[a], b + lag] += plan.shipment[a, b] * p.arc_pass[a, b]
    for j in range(len(p.am_arc_pool)):
        for b in np.flatnonzero(plan.am_ship[j]):
            arrivals[p.am_arc_slot[j], b + math.ceil(AM_SHIP_DAYS / bucket - 1e-9)] += plan.am_ship[j, b]
    use = np.zeros_like(arrivals)
    for s in range(len(p.slot_facility)):
        child = net.products.position(str(p.slot_product[s]))
        for k in np.flatnonzero(p.node_facility == p.slot_facility[s]):
            parent = net.products.position(str(p.node_product[k]))
            use[s] += net.bom[parent, child] * plan.production[k]
    stock = p.initial_stock[:, None] + np.cumsum(arrivals + p.in_transit - use, axis=1)
    if (stock < -scale(stock)).any():
        out.append(f"a stock goes negative ({stock.min():g}): inputs used before they arrive")
    if not np.allclose(stock, plan.stock, atol=scale(stock)):
        out.append("the plan's stocks do not follow from its shipments and production")

    # AM: print hours within 24 a day from activation; parts sent no more than finished
    hours = np.zeros((len(p.am_machine_id), n_b))
    for k in range(len(p.am_route_pool)):
        lag = math.ceil(p.am_route_post_days[k] / bucket - 1e-9)
        for b in np.flatnonzero(plan.am_print[k]):
            hours[p.am_route_machine[k], b - lag] += p.am_route_hours[k] * plan.am_print[k, b]
    for m in range(len(p.am_machine_id)):
        for b in range(n_b):
            first, last = p.bucket_start[b], p.bucket_start[b] + p.bucket_len[b]
            if hours[m, b] > 24 * max(0, last - max(first, p.am_machine_start[m])) + tol:
                out.append(f"AM machine {p.am_machine_id[m]} prints more than 24 h a day in bucket {b}")
    finished = np.zeros((len(p.am_pool_product), n_b))
    np.add.at(finished, p.am_route_pool, plan.am_print)
    sent_am = np.zeros_like(finished)
    np.add.at(sent_am, p.am_arc_pool, plan.am_ship)
    if (sent_am > finished + tol).any():
        out.append("AM parts sent that were not printed")

    # output: what a node ships and delivers comes from what it made (and its finished stock)
    sent = np.zeros_like(plan.production)
    np.add.at(sent, p.arc_source, plan.shipment)
    np.add.at(sent, p.final_node, plan.delivery)
    maker = np.isin(np.arange(p.n_nodes), p.final_node)[:, None]
    kept = np.where(maker, np.cumsum(plan.production - sent, axis=1), plan.production - sent)
    if (kept < -scale(plan.production)).any():
        out.append(f"a node ships {-kept.min():g} more than it made (and holds, for end items)")

    # deliveries: cumulative, never ahead of the demand table's requirement
    got = np.zeros((len(p.row_product), n_b))
    np.add.at(got, p.final_row, plan.delivery)
    got = np.cumsum(got, axis=1)
    if not np.allclose(got, plan.delivered, atol=scale(got)):
        out.append("cumulative deliveries do not add up")
    days = np.arange(p.horizon_days)
    for d in range(len(p.row_product)):
        row = p.row_demand[d]
        end = net.demand_end[row] if net.demand_end[row] >= 0 else p.horizon_days
        daily = net.demand_qty[row] * surge * ((days >= net.demand_start[row]) & (days <= end))
        need = np.cumsum(np.add.reduceat(daily, p.bucket_start))
        if (got[d] > need + scale(need)).any():
            out.append(f"row {d} delivered ahead of its requirement")
    return out
