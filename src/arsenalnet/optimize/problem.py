"""The mobilization problem as arrays: the upstream cone of the end items, expanded over time.

:func:`problem_of` cuts the firm-level system (:mod:`arsenalnet.propagate.system`) down to the
upstream cone of the requested end items (:mod:`arsenalnet.propagate.cone`) and lays it over
``B`` buckets of ``bucket_days`` days. Its nodes, slots, edges and arcs are the system's
(nodes = capabilities, slots = a facility's stock of an input, edges = the bill of materials,
arcs = supply links and in-house supply); slots no arc feeds are outside the mapped base and
never constrain production, so they are left out.

Days run ``0 .. H-1``; bucket ``b`` holds days ``bucket_start[b] .. bucket_start[b] +
bucket_len[b] - 1`` (the last bucket may be shorter). The daily figures are kept (capacity,
requirements) so that a what-if can change a window of days; the model reads their sums per
bucket. Lead times are rounded **up** to whole buckets (``arc_lag``): nothing arrives earlier
than the data say. Quantities are in each product's units.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from arsenalnet.model import Priority
from arsenalnet.model.am import HOURS_PER_DAY
from arsenalnet.network import Network
from arsenalnet.optimize.am import AM_SHIP_DAYS, AmRoutes
from arsenalnet.optimize.errors import PlanError
from arsenalnet.optimize.request import PlanRequest
from arsenalnet.propagate.cone import Cut, makers, subsystem, upstream
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.step import baseline_stock
from arsenalnet.propagate.system import FirmSystem

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

N_CLASSES = 3
"""DPAS classes: 0 = DX, 1 = DO, 2 = unrated."""
CLASS_NAMES = tuple(p.value for p in sorted(Priority, key=lambda p: p.rank))
"""("DX", "DO", "none"), by class."""


@dataclass(frozen=True)
class Problem:
    """The planning problem. Shapes: K nodes, S slots, E edges, A arcs, R final arcs (a demand
    row served by one maker), D demand rows, O expansion options, Q requirements, B buckets,
    H days. Node ``k`` is node ``k`` of the cut system; arc ``a`` its arc ``a``; slot ``s`` its
    slot ``slot_system[s]``; edge ``e`` its edge ``edge_system[e]``; final arc ``r`` its final
    arc ``final_system[r]``."""

    horizon_days: int
    bucket_days: int
    bucket_start: IntArray
    """(B,) first day of each bucket."""
    bucket_len: FloatArray
    """(B,) days in each bucket."""
    node_facility: StrArray
    node_product: StrArray
    node_capability: IntArray
    """(K,) the Network capability of each node."""
    capacity_day: FloatArray
    """(K, H) units each node can make on each day: capacity x scenario x ramp (see docs)."""
    rating: npt.NDArray[np.int8]
    """(K,) the highest DPAS class of the demand the node's output flows into (0 DX, 1 DO, 2 none)."""
    slot_facility: StrArray
    slot_product: StrArray
    slot_system: IntArray
    initial_stock: FloatArray
    """(S,) units in stock at the start: inventory_days of normal use."""
    in_transit: FloatArray
    """(S, B) units shipped before day 0 that arrive in each bucket: each arc's baseline daily flow
    over its lead time (what it carries in the running base's steady state); 0 with a cold start."""
    edge_node: IntArray
    edge_slot: IntArray
    edge_qty: FloatArray
    """(E,) units of the slot's product per unit the node makes."""
    edge_system: IntArray
    arc_source: IntArray
    arc_slot: IntArray
    arc_link: IntArray
    """(A,) Network supply link of the arc, -1 for in-house supply."""
    arc_lead_days: FloatArray
    arc_lag: IntArray
    """(A,) lead time in whole buckets (rounded up)."""
    arc_pass: FloatArray
    """(A, B) share of what leaves in bucket b that arrives (1; lower where a scenario blocks a link)."""
    final_node: IntArray
    final_row: IntArray
    final_system: IntArray
    row_demand: IntArray
    """(D,) Network demand row."""
    row_product: StrArray
    row_customer: StrArray
    row_class: IntArray
    required_day: FloatArray
    """(D, H) units required on each day (surge and scenario applied)."""
    option_node: IntArray
    option_name: StrArray
    option_extra: FloatArray
    """(O,) units/day the option adds once in place."""
    option_lead_days: FloatArray
    option_cost: FloatArray
    am_route_pool: IntArray
    """(R,) AM routes (a qualification on a machine): the pool (part) each prints into."""
    am_route_machine: IntArray
    am_route_hours: FloatArray
    """(R,) print hours per unit."""
    am_route_post_days: FloatArray
    am_route_lag: IntArray
    """(R,) post-processing in whole buckets (rounded up): a unit finished in b was printed in b - lag."""
    am_machine_id: StrArray
    am_machine_facility: StrArray
    am_machine_start: FloatArray
    """(M,) the machine's activation day (first print)."""
    am_pool_product: StrArray
    """(P,) the parts AM can print for the plan."""
    am_arc_pool: IntArray
    am_arc_slot: IntArray
    """(J,) AM arcs: a pool's finished parts to a slot that uses them."""
    am_lag: int
    """Buckets from a finished AM part to the plant (AM_SHIP_DAYS, rounded up)."""
    req_product: StrArray
    req_qty: FloatArray
    req_by_day: IntArray
    budget_usd: float
    """Most the expansions may cost (inf: no limit)."""

    @property
    def n_buckets(self) -> int:
        """B."""
        return len(self.bucket_start)

    @property
    def n_nodes(self) -> int:
        """K."""
        return len(self.node_facility)

    def per_bucket(self, daily: FloatArray) -> FloatArray:
        """(..., B) sums over each bucket's days of a (..., H) daily array."""
        if daily.shape[-1] == 0:
            return np.zeros((*daily.shape[:-1], self.n_buckets))
        out: FloatArray = np.add.reduceat(daily, self.bucket_start, axis=-1)
        return out

    @property
    def capacity(self) -> FloatArray:
        """(K, B) units each node can make in each bucket (before expansions)."""
        return self.per_bucket(self.capacity_day)

    @property
    def required(self) -> FloatArray:
        """(D, B) units required by the end of each bucket (cumulative)."""
        return np.cumsum(self.per_bucket(self.required_day), axis=1)

    @property
    def option_days(self) -> FloatArray:
        """(O, B) days of each bucket on which each option is in place (from its lead time on)."""
        end = self.bucket_start + self.bucket_len
        first = np.ceil(self.option_lead_days - 1e-9)[:, None]
        return np.clip(end[None, :] - np.maximum(first, self.bucket_start[None, :]), 0.0, None)

    @property
    def am_machine_hours(self) -> FloatArray:
        """(M, B) print hours each AM machine has in each bucket (24 a day from its activation)."""
        end = self.bucket_start + self.bucket_len
        first = self.am_machine_start[:, None]
        days: FloatArray = np.clip(end[None, :] - np.maximum(first, self.bucket_start[None, :]), 0.0, None)
        return HOURS_PER_DAY * days

    @property
    def req_bucket(self) -> IntArray:
        """(Q,) the bucket holding each requirement's day."""
        return (self.req_by_day // self.bucket_days).astype(np.int64)


def ramp_share(x0: FloatArray, capacity: FloatArray, ramp_days: FloatArray, days: int) -> FloatArray:
    """(K, H) share of capacity each node can use on each day: its normal share
    sigma = min(x0 / capacity, 1) rising linearly to 1 over ``ramp_days`` (the propagation
    engine's ceiling when demand exceeds it from day 0)."""
    sigma = np.where(capacity > 0, np.minimum(x0 / np.where(capacity > 0, capacity, 1.0), 1.0), 1.0)
    h = np.minimum(np.arange(days)[None, :] / ramp_days[:, None], 1.0)
    share: FloatArray = sigma[:, None] + (1.0 - sigma[:, None]) * h
    return share


def flow_down(
    n_nodes: int,
    final_node: IntArray,
    final_class: IntArray,
    edge_node: IntArray,
    edge_slot: IntArray,
    arc_source: IntArray,
    arc_slot: IntArray,
    n_slots: int,
) -> npt.NDArray[np.int8]:
    """(K,) the DPAS class a node's output flows into: the highest class (lowest number) of the
    demand it serves directly or through any buyer (a rating flows down to the inputs of a
    rated item, 15 CFR 700.15); 2 (unrated) where it serves none."""
    rating = np.full(n_nodes, N_CLASSES - 1, dtype=np.int64)
    np.minimum.at(rating, final_node, final_class)
    while True:
        slot = np.full(n_slots, N_CLASSES - 1, dtype=np.int64)
        np.minimum.at(slot, edge_slot, rating[edge_node])
        nxt = rating.copy()
        np.minimum.at(nxt, arc_source, slot[arc_slot])
        if np.array_equal(nxt, rating):
            return rating.astype(np.int8)
        rating = nxt


def _buckets(horizon: int, bucket: int) -> tuple[IntArray, FloatArray]:
    start = np.arange(0, horizon, bucket, dtype=np.int64)
    return start, (np.minimum(start + bucket, horizon) - start).astype(np.float64)


def check_products(net: Network, products: tuple[str, ...]) -> IntArray:
    """The Network indices of ``products``; :class:`PlanError` for none, an unknown one or one
    without demand rows."""
    if not products:
        raise PlanError("no end item to plan")
    codes = np.array([net.products.position(p) for p in products], dtype=np.int64)
    unknown = [p for p, c in zip(products, codes, strict=True) if c < 0]
    if unknown:
        raise PlanError(f"unknown product {unknown[0]} (see `arsenal info` for the end items)")
    without = [p for p, c in zip(products, codes, strict=True) if not (net.demand_product == c).any()]
    if without:
        raise PlanError(f"{without[0]} has no demand rows: nothing to plan (see the demand table)")
    return codes


def cut_of(net: Network, system: FirmSystem, products: tuple[str, ...]) -> Cut:
    """``system`` cut down to the upstream cone of the makers of ``products``."""
    codes = check_products(net, products)
    start = makers(system, codes)
    made = np.isin(codes, system.node_product[start])
    if not made.all():
        raise PlanError(f"{products[int(np.argmin(made))]} is made by no facility of the twin")
    return subsystem(system, upstream(system, start))


def _daily_factors(shocks: Shocks | None, n: int, days: int, which: str) -> FloatArray:
    """(n, H) the shocks' per-day factors (capacity left or demand multiplier); ones if none."""
    out = np.ones((n, days))
    if shocks is None:
        return out
    for t in range(min(days, shocks.days)):
        out[:, t] = shocks.capacity_factor(n, t) if which == "capacity" else shocks.demand_factor(n, t)
    return out


def _link_pass(shocks: Shocks | None, arc_link: IntArray, start: IntArray, days: int) -> FloatArray:
    """(A, B) mean share of each arc's shipments that gets through over each bucket's days."""
    daily = np.ones((len(arc_link), days))
    if shocks is not None and shocks.links:
        on = np.isin(arc_link, shocks.link_ids) & (arc_link >= 0)
        pos = np.searchsorted(shocks.link_ids, arc_link[on])
        for t in range(min(days, shocks.days)):
            daily[on, t] = shocks.links_on(t)[pos]
    lens = np.diff(np.append(start, days))
    out: FloatArray = np.add.reduceat(daily, start, axis=1) / lens[None, :] if days else daily
    return out


def _am(net: Network, am: AmRoutes, slot_product: StrArray, bucket: int) -> dict[str, Any]:
    """The AM fields of the problem: routes that print a part some slot of the plan uses."""
    product = (
        np.array(net.products.take(am.product), dtype=np.str_) if len(am.product) else np.zeros(0, np.str_)
    )
    keep = np.flatnonzero(np.isin(product, slot_product))
    pools, route_pool = np.unique(product[keep], return_inverse=True)
    machines, route_machine = np.unique(np.array(am.machine, dtype=np.str_)[keep], return_inverse=True)
    start = np.zeros(len(machines))
    start[route_machine] = am.start_day[keep]
    facility = np.empty(len(machines), dtype=object)
    facility[route_machine] = np.array(am.facility, dtype=object)[keep]
    arc_pool, arc_slot = np.nonzero(pools[:, None] == slot_product[None, :])
    return {
        "am_route_pool": route_pool.astype(np.int64),
        "am_route_machine": route_machine.astype(np.int64),
        "am_route_hours": am.hours_per_unit[keep],
        "am_route_post_days": am.post_days[keep],
        "am_route_lag": np.ceil(am.post_days[keep] / bucket - 1e-9).astype(np.int64),
        "am_machine_id": machines,
        "am_machine_facility": facility.astype(np.str_),
        "am_machine_start": start,
        "am_pool_product": pools,
        "am_arc_pool": arc_pool.astype(np.int64),
        "am_arc_slot": arc_slot.astype(np.int64),
        "am_lag": int(np.ceil(AM_SHIP_DAYS / bucket - 1e-9)),
    }


def problem_of(net: Network, system: FirmSystem, request: PlanRequest) -> Problem:
    """The planning problem of ``request`` on ``net`` (``system`` = ``build_system(net)``).

    Raises :class:`PlanError` for a horizon or bucket below 1 day, a surge below 0, an unknown
    end item, one without demand or made nowhere, a requirement naming another product or a day
    beyond the horizon.
    """
    h, bucket = request.horizon_days, request.bucket_days
    if h < 1:
        raise PlanError(f"--horizon must be at least 1 day, got {h}")
    if bucket < 1 or bucket > h:
        raise PlanError(f"--bucket must be between 1 and the horizon ({h} days), got {bucket}")
    if not np.isfinite(request.surge) or request.surge < 0:
        raise PlanError(f"--surge must be a finite number >= 0, got {request.surge}")
    cut = cut_of(net, system, request.products)
    sy = cut.system
    # the system's 32-bit indices, as the planner's int64
    edge_node_s, edge_slot_s, arc_source_s, arc_slot_s, arc_link_s, final_source_s, final_row_s = (
        np.asarray(a, dtype=np.int64)
        for a in (
            sy.edge_node,
            sy.edge_slot,
            sy.arc_source,
            sy.arc_slot,
            sy.arc_link,
            sy.final_source,
            sy.final_row,
        )
    )
    start, lens = _buckets(h, bucket)
    shocks = cut.shocks(request.shocks) if request.shocks is not None else None

    # nodes: capacity x scenario x ramp, per day
    node_capability = np.asarray(cut.capabilities, np.int64)[sy.node_cap]
    factor = _daily_factors(shocks, len(cut.capabilities), h, "capacity")[sy.node_cap]
    capacity = net.capacity[node_capability]  # the data's (the system raises it to its baseline)
    bad = ~np.isfinite(capacity)
    if bad.any():
        k = int(np.argmax(bad))
        raise PlanError(
            f"capacity of {net.facilities.id(int(sy.node_facility[k]))} making "
            f"{net.products.id(int(sy.node_product[k]))} is not a finite number: the plan would be unbounded"
        )
    capacity_day = capacity[:, None] * factor * ramp_share(sy.x0, capacity, sy.ramp_days, h)

    # slots fed by some arc, and their edges
    slots = np.flatnonzero(sy.slot_supplied)
    new_slot = np.full(sy.n_slots, -1, dtype=np.int64)
    new_slot[slots] = np.arange(len(slots))
    edges = np.flatnonzero(new_slot[edge_slot_s] >= 0)
    inventory = net.inventory_days[node_capability]
    use0 = sy.edge_qty[edges] * sy.x0[edge_node_s[edges]]
    initial = np.bincount(
        new_slot[edge_slot_s[edges]], weights=inventory[edge_node_s[edges]] * use0, minlength=len(slots)
    ).astype(np.float64)

    # arcs: lead times from the links (in-house: 0), rounded up to buckets
    lead = np.where(arc_link_s >= 0, net.lead_time[np.maximum(arc_link_s, 0)], 0.0)
    lag = np.ceil(lead / bucket - 1e-9).astype(np.int64)
    in_transit = np.zeros((len(slots), len(start)))
    if request.in_transit:  # shipped in the `lag` whole buckets before day 0, arriving in buckets 0..lag-1
        flow = sy.arc_share * baseline_stock(sy)[0][arc_slot_s] * bucket  # units an arc carries a bucket
        a, b = np.nonzero(np.arange(len(start))[None, :] < lag[:, None])
        np.add.at(in_transit, (new_slot[arc_slot_s[a]], b), flow[a])

    # demand rows of the requested end items
    wanted = np.array([net.products.position(p) for p in request.products], dtype=np.int64)
    row_net = cut.rows
    keep_rows = np.flatnonzero(np.isin(net.demand_product[row_net], wanted))
    new_row = np.full(len(row_net), -1, dtype=np.int64)
    new_row[keep_rows] = np.arange(len(keep_rows))
    finals = np.flatnonzero(new_row[final_row_s] >= 0)
    days = np.arange(h)
    active = (sy.row_start[keep_rows, None] <= days) & (
        (sy.row_end[keep_rows, None] < 0) | (sy.row_end[keep_rows, None] >= days)
    )
    demand_factor = _daily_factors(shocks, len(row_net), h, "demand")[keep_rows]
    required_day = sy.row_qty[keep_rows, None] * active * demand_factor * request.surge
    if not np.isfinite(required_day).all():
        raise PlanError("a demand quantity is not a finite number: the plan would be unbounded")
    final_node, final_row = final_source_s[finals], new_row[final_row_s[finals]]
    row_class = sy.row_class[keep_rows]

    # expansion options on the cone's capabilities
    ex = request.expansions
    at = np.clip(np.searchsorted(cut.capabilities, ex.capability), 0, max(len(cut.capabilities) - 1, 0))
    in_cut = (cut.capabilities[at] == ex.capability) if len(cut.capabilities) else np.zeros(0, bool)
    options = np.flatnonzero(in_cut)
    option_node = np.asarray(sy.cap_node, np.int64)[at[options]]

    products = np.unique(net.products.take(wanted))
    for r in request.requirements:
        if r.product_id not in products:
            raise PlanError(
                f"--require {r.product_id}: not one of the planned end items ({', '.join(products)})"
            )
        if not 0 <= r.by_day < h:
            raise PlanError(f"--require {r.product_id}: day {r.by_day} is outside the horizon (0 to {h - 1})")
    if request.budget_usd is not None and request.budget_usd < 0:
        raise PlanError(f"--budget must be >= 0, got {request.budget_usd}")

    slot_f, slot_p = sy.slot_facility[slots], sy.slot_product[slots]
    slot_product = np.array(net.products.take(slot_p), dtype=np.str_)
    return Problem(
        horizon_days=h,
        bucket_days=bucket,
        bucket_start=start,
        bucket_len=lens,
        node_facility=np.array(net.facilities.take(sy.node_facility), dtype=np.str_),
        node_product=np.array(net.products.take(sy.node_product), dtype=np.str_),
        node_capability=node_capability.astype(np.int64),
        capacity_day=capacity_day,
        rating=flow_down(
            sy.n_nodes,
            final_node,
            row_class[final_row],
            edge_node_s[edges],
            new_slot[edge_slot_s[edges]],
            arc_source_s,
            new_slot[arc_slot_s],
            len(slots),
        ),
        slot_facility=np.array(net.facilities.take(slot_f), dtype=np.str_),
        slot_product=slot_product,
        slot_system=slots.astype(np.int64),
        initial_stock=initial,
        in_transit=in_transit,
        edge_node=edge_node_s[edges],
        edge_slot=new_slot[edge_slot_s[edges]],
        edge_qty=sy.edge_qty[edges],
        edge_system=edges.astype(np.int64),
        arc_source=arc_source_s,
        arc_slot=new_slot[arc_slot_s],
        arc_link=arc_link_s,
        arc_lead_days=lead,
        arc_lag=lag,
        arc_pass=_link_pass(shocks, arc_link_s, start, h),
        final_node=final_node,
        final_row=final_row,
        final_system=finals.astype(np.int64),
        row_demand=row_net[keep_rows],
        row_product=np.array(net.products.take(net.demand_product[row_net[keep_rows]]), dtype=np.str_),
        row_customer=np.array(net.demand_customer.take(row_net[keep_rows]).to_pylist(), dtype=np.str_),
        row_class=row_class,
        required_day=required_day,
        option_node=option_node.astype(np.int64),
        option_name=np.array([ex.option[i] for i in options], dtype=np.str_),
        option_extra=ex.extra_per_day[options],
        option_lead_days=ex.lead_days[options],
        option_cost=ex.cost[options],
        **_am(net, request.am, slot_product, bucket),
        req_product=np.array([r.product_id for r in request.requirements], dtype=np.str_),
        req_qty=np.array([r.quantity for r in request.requirements], dtype=np.float64),
        req_by_day=np.array([r.by_day for r in request.requirements], dtype=np.int64),
        budget_usd=np.inf if request.budget_usd is None else float(request.budget_usd),
    )
