"""Why a plan is what it is: bottlenecks, the chains behind shortfalls, and infeasibility in words.

Two kinds of dual values (shadow prices) are read:

- the stage's own duals: unit-days on time gained per unit more of a right-hand side, in the
  stage where the class was optimized (later classes held out, earlier ones held at their
  optima);
- marginal duals (:meth:`~arsenalnet.optimize.solve.Lexicographic.marginal`): end items of the
  class delivered by the horizon per unit more, from the LP that maximizes those units under the
  same holds. "One more unit per day at fac:X in week 12 yields Y more shells" is this dual
  times the bucket's days.

Duals of a degenerate LP are not unique: these are the ones HiGHS's optimal basis gives.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.optimize.extract import Plan
from arsenalnet.optimize.problem import CLASS_NAMES, Problem
from arsenalnet.optimize.solve import Iis, Lexicographic, Lp, SolveResult

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

BINDING = 1e-9
"""A dual counts as binding above this (per unit of right-hand side)."""
MAX_CHAIN = 12
"""Tiers a shortfall chain follows upstream at most."""
PER_TIER = 3
"""Binding constraints named per tier of a chain."""


@dataclass(frozen=True)
class Bottleneck:
    """A capacity that limits a class's deliveries. Per unit/day more over the whole horizon:
    ``units`` more end items of the class by the horizon, ``unit_days`` more unit-days on time;
    ``best_*`` the bucket where one more unit per day is worth most, and what it yields."""

    stage: str
    facility_id: str
    product_id: str
    units: float
    unit_days: float
    best_first_day: int
    best_last_day: int
    best_units: float
    best_unit_days: float
    text: str


@dataclass(frozen=True)
class ChainLink:
    """One binding constraint in a shortfall's chain: ``kind`` is capacity (a plant makes all it
    can), input (a plant's stock of an input runs out), or lead time (more of the input exists
    upstream but cannot arrive in time)."""

    tier: int
    kind: str
    facility_id: str
    product_id: str
    value: float
    text: str


@dataclass(frozen=True)
class Shortfall:
    """An end item delivered short by the horizon, and the chain of constraints behind it."""

    product_id: str
    priority: str
    short: float
    chain: tuple[ChainLink, ...]


def _on_the_way(units: float) -> str:
    """ ", with N already on the way" when goods shipped before day 0 are still arriving."""
    return f", with {units:,.1f} already on the way" if units > 0 else ""


def window(p: Problem, b: int) -> str:
    """Bucket ``b`` in words: "on day 12", "in week 3 (days 14-20)", "on days 14-17"."""
    first = int(p.bucket_start[b])
    last = first + int(p.bucket_len[b]) - 1
    if first == last:
        return f"on day {first}"
    if p.bucket_days == 7:
        return f"in week {b + 1} (days {first}-{last})"
    return f"on days {first}-{last}"


def _days(p: Problem, buckets: Iterable[int]) -> str:
    """Buckets as day ranges: "days 0-4, 9"."""
    bs = sorted(set(buckets))
    parts, i = [], 0
    while i < len(bs):
        j = i
        while j + 1 < len(bs) and bs[j + 1] == bs[j] + 1:
            j += 1
        a, z = int(p.bucket_start[bs[i]]), int(p.bucket_start[bs[j]] + p.bucket_len[bs[j]] - 1)
        parts.append(f"{a}" if a == z else f"{a}-{z}")
        i = j + 1
    return ("day " if len(parts) == 1 and "-" not in parts[0] else "days ") + ", ".join(parts)


def _on(lp: Lp, duals: FloatArray, family: str) -> FloatArray:
    rows = lp.rows[family]
    out: FloatArray = (
        np.where(rows >= 0, duals[np.maximum(rows, 0)], 0.0) if duals.size else np.zeros(rows.shape)
    )
    return out


def marginals(solver: Lexicographic, result: SolveResult, p: Problem) -> dict[str, FloatArray]:
    """Per delivery stage, the marginal row duals: end items of the class by the horizon."""
    out = {}
    last = solver.lp.columns["delivered"][:, -1]
    for st in result.stages:
        if st.name in CLASS_NAMES:
            rows = p.row_class == CLASS_NAMES.index(st.name)
            out[st.name] = solver.marginal(result, st.name, last[rows & (last >= 0)])
    return out


def _what(p: Problem, cls: int) -> str:
    items = sorted(set(p.row_product[p.row_class == cls].tolist()))
    return items[0] if len(items) == 1 else f"{CLASS_NAMES[cls]} end items"


def bottlenecks(
    plan: Plan, lp: Lp, result: SolveResult, margins: dict[str, FloatArray], top: int = 10
) -> list[Bottleneck]:
    """The capacities that limit each class, most valuable first (``top`` per class)."""
    p = plan.problem
    out: list[Bottleneck] = []
    for i, st in enumerate(result.stages):
        if st.name not in margins:
            continue
        cls = CLASS_NAMES.index(st.name)
        area = _on(lp, result.duals[i], "capacity-limit") * p.bucket_len
        units = _on(lp, margins[st.name], "capacity-limit") * p.bucket_len
        total_a, total_u = area.sum(axis=1), units.sum(axis=1)
        live = np.flatnonzero((total_u > BINDING) | (total_a > BINDING))
        order = live[np.lexsort((-total_a[live], -total_u[live]))][:top]
        what, horizon = _what(p, cls), p.horizon_days
        for k in order:
            b = int(np.argmax(units[k])) if units[k].max() > BINDING else int(np.argmax(area[k]))
            text = (
                f"one more unit per day at {p.node_facility[k]} ({p.node_product[k]}) {window(p, b)} yields "
                f"{units[k, b]:,.2f} more {what} by day {horizon} and {area[k, b]:,.1f} more unit-days "
                "on time; "
                f"over the whole horizon: {total_u[k]:,.1f} more, {total_a[k]:,.0f} unit-days"
            )
            out.append(
                Bottleneck(
                    st.name,
                    str(p.node_facility[k]),
                    str(p.node_product[k]),
                    float(total_u[k]),
                    float(total_a[k]),
                    int(p.bucket_start[b]),
                    int(p.bucket_start[b] + p.bucket_len[b] - 1),
                    float(units[k, b]),
                    float(area[k, b]),
                    text,
                )
            )
    return out


def shortfalls(plan: Plan, lp: Lp, margins: dict[str, FloatArray]) -> list[Shortfall]:
    """For each end item delivered short by the horizon, the binding constraints behind it, tier
    by tier: its makers' capacities and the inputs whose stock runs out, then the makers of those
    inputs, and so on (marginal duals of its class; up to ``PER_TIER`` per tier)."""
    p = plan.problem
    out = []
    for item in plan.outcomes():
        if item.short <= 1e-6 * max(item.required, 1.0) or item.priority not in margins:
            continue
        duals = margins[item.priority]
        cap = (_on(lp, duals, "capacity-limit") * p.bucket_len).sum(axis=1)  # +1/day in every bucket
        stock = _on(lp, duals, "stock-balance").sum(axis=1)
        chain: list[ChainLink] = []
        frontier = np.unique(p.final_node[p.row_product[p.final_row] == item.product_id])
        seen = np.zeros(p.n_nodes, dtype=bool)
        for tier in range(MAX_CHAIN):
            seen[frontier] = True
            binding = frontier[cap[frontier] > BINDING]
            for k in binding[np.argsort(-cap[binding])][:PER_TIER]:
                chain.append(
                    ChainLink(
                        tier,
                        "capacity",
                        str(p.node_facility[k]),
                        str(p.node_product[k]),
                        float(cap[k]),
                        f"tier {tier}: {p.node_facility[k]} makes all the {p.node_product[k]} it can "
                        f"(+1/day: {cap[k]:,.2f} more {item.product_id})",
                    )
                )
            slots = np.unique(p.edge_slot[np.isin(p.edge_node, frontier)])
            short = slots[stock[slots] > BINDING]
            nxt = []
            for s in short[np.argsort(-stock[short])][:PER_TIER]:
                feeders = p.arc_source[p.arc_slot == s]
                late = not (cap[feeders] > BINDING).any()
                kind = "lead time" if late else "input"
                why = (
                    f"its suppliers have capacity to spare but cannot deliver sooner "
                    f"(lead time {p.arc_lead_days[p.arc_slot == s].min():,.0f} days or more)"
                    if late
                    else "its suppliers make all they can"
                )
                chain.append(
                    ChainLink(
                        tier,
                        kind,
                        str(p.slot_facility[s]),
                        str(p.slot_product[s]),
                        float(stock[s]),
                        f"tier {tier}: {p.slot_facility[s]} runs out of {p.slot_product[s]}: {why}",
                    )
                )
                nxt.append(feeders)
            frontier = np.unique(np.concatenate(nxt)) if nxt else np.zeros(0, np.int64)
            frontier = frontier[~seen[frontier]]
            if not len(frontier):
                break
        out.append(Shortfall(item.product_id, item.priority, item.short, tuple(chain)))
    return out


def _describe(p: Problem, family: str, entity: int, buckets: list[int]) -> str:
    days = _days(p, buckets)
    if family == "capacity-limit":
        per_day = p.capacity[entity, buckets].sum() / p.bucket_len[buckets].sum()
        return (
            f"the capacity of {p.node_facility[entity]} making {p.node_product[entity]} "
            f"({per_day:,.1f}/day) on {days}"
        )
    if family == "stock-balance":
        feeders = np.flatnonzero(p.arc_slot == entity)
        lead = ", ".join(
            f"{p.node_facility[p.arc_source[a]]} after {p.arc_lead_days[a]:g} days" for a in feeders[:3]
        )
        return (
            f"the stock of {p.slot_product[entity]} at {p.slot_facility[entity]} on {days} (it starts at "
            f"{p.initial_stock[entity]:,.1f}{_on_the_way(p.in_transit[entity].sum())}; supplies arrive "
            f"from {lead or 'nobody'})"
        )
    if family == "output-balance":
        return f"{p.node_facility[entity]} ships no more {p.node_product[entity]} than it makes on {days}"
    if family == "delivered-balance":
        return f"deliveries of {p.row_product[entity]} to {p.row_customer[entity]} add up on {days}"
    if family == "requirement":
        qty, what = p.req_qty[entity], p.req_product[entity]
        return f"your requirement of {qty:,.0f} {what} by day {p.req_by_day[entity]}"
    if family == "expansion-cost":
        return f"your budget of ${p.budget_usd:,.0f} for expansions"
    if family == "delivered":
        last = buckets[-1]
        return (
            f"deliveries of {p.row_product[entity]} to {p.row_customer[entity]} cannot run ahead of its need "
            f"({p.required[entity, last]:,.0f} by day {int(p.bucket_start[last] + p.bucket_len[last] - 1)})"
        )
    if family == "expansion":
        where = p.node_facility[p.option_node[entity]]
        return f"option {p.option_name[entity]} at {where} can be taken at most once"
    return f"{family} {entity} on {days}"


TRIVIAL_BOUNDS = ("production", "shipment", "stock", "finished", "delivery")
"""Columns whose only bounds are >= 0: physics, not a constraint worth naming."""


def infeasibility(p: Problem, lp: Lp, iis: Iis) -> str:
    """An irreducible infeasible set in words, the user's hard constraints first."""
    found = lp.locate(iis.rows) + [c for c in lp.locate(iis.cols, rows=False) if c[0] not in TRIVIAL_BOUNDS]
    groups: dict[tuple[str, int], list[int]] = {}
    for family, coords in found:
        groups.setdefault((family, coords[0] if coords else 0), []).append(
            coords[1] if len(coords) > 1 else 0
        )
    first = ("requirement", "expansion-cost")
    keys = sorted(groups, key=lambda k: (k[0] not in first, k[0], k[1]))
    parts = [_describe(p, f, e, groups[(f, e)]) for f, e in keys]
    if not parts:
        return "the plan's hard constraints contradict each other (HiGHS found no irreducible set)"
    return "cannot be met together: " + "; ".join(parts)
