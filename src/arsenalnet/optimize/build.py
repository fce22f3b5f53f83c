"""The time-expanded linear program of a :class:`~arsenalnet.optimize.problem.Problem`, in linopy.

One ``define_*`` per variable or constraint family, named so that a value or a dual is found
by name (``model.constraints["capacity-limit"]``). Variables (units; per bucket b):

- ``production`` (node, bucket) >= 0: what node k makes in bucket b;
- ``expansion`` (option) in [0, 1]: the share of an option taken (decided on day 0);
- ``shipment`` (arc, bucket) >= 0: what leaves on arc a in bucket b; it arrives in bucket
  b + lag(a), times the share a scenario lets through (only shipments arriving within the
  horizon exist);
- ``stock`` (slot, bucket) >= 0: a facility's stock of an input at the end of bucket b;
- ``finished`` (node, bucket) >= 0: end items made and not yet delivered (makers only);
- ``delivery`` (final, bucket) >= 0: what a maker delivers to a demand row in bucket b;
- ``delivered`` (row, bucket) in [0, required]: cumulative deliveries to a demand row by the
  end of bucket b, never ahead of the cumulative requirement;
- ``am-print`` (route, bucket) >= 0: parts finished on an AM route (printed post-processing
  earlier); ``am-ship`` (am-arc, bucket) >= 0: finished AM parts sent to a plant that uses them,
  arriving ``am_lag`` buckets later.

Constraints:

- ``capacity-limit``: production <= capacity + sum over the node's options of extra/day x
  days in place x expansion;
- ``stock-balance``: stock(b) = stock(b-1) + arrivals(b) (links and AM) - sum over edges qty x
  production(b),
  with stock(-1) = the initial stock;
- ``output-balance``: shipments + deliveries + finished(b) - finished(b-1) <= production(b)
  (what a node makes beyond that goes to customers outside the plan);
- ``delivered-balance``: delivered(b) = delivered(b-1) + deliveries(b);
- ``am-machine-time`` (machine, bucket): print hours <= 24 a day from the machine's activation;
- ``am-output`` (pool, bucket): AM parts sent <= AM parts finished;
- ``requirement`` (hard, from the user): delivered of a product by a day >= a quantity;
- ``delivery-stage`` (class): the stage objectives as rows, sum over the class's rows and
  buckets of days(b) x delivered(b) (unit-days on time); free until the stage is solved,
  then held at its optimum;
- ``expansion-cost``: sum of cost x expansion <= the budget (inf without one); the last
  stage's objective.
"""

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from arsenalnet.optimize.problem import CLASS_NAMES, Problem

if TYPE_CHECKING:
    import linopy
    import xarray as xr

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def terms(
    m: "linopy.Model", coords: list[pd.Index], cell: IntArray, var: IntArray, coeff: FloatArray
) -> "linopy.LinearExpression":
    """The expression over the grid ``coords`` (C order) whose cell ``cell[i]`` holds the term
    ``coeff[i] x var[i]`` (variable labels; -1 terms are dropped). Cells are padded to the
    largest number of terms any cell holds (linopy's dense term layout)."""
    import linopy
    import xarray as xr

    shape = tuple(len(c) for c in coords)
    n = int(np.prod(shape))
    live = var >= 0
    cell, var, coeff = cell[live], var[live], coeff[live]
    order = np.argsort(cell, kind="stable")
    cell, var, coeff = cell[order], var[order], coeff[order]
    count = np.bincount(cell, minlength=n)
    width = max(int(count.max(initial=0)), 1)
    pos = np.arange(len(cell)) - np.repeat(np.cumsum(count) - count, count)
    labels = np.full((n, width), -1, dtype=np.int64)
    coeffs = np.zeros((n, width))
    labels[cell, pos] = var
    coeffs[cell, pos] = coeff
    dims = [str(c.name) for c in coords]
    data = xr.Dataset(
        {
            "vars": ([*dims, "_term"], labels.reshape(*shape, width)),
            "coeffs": ([*dims, "_term"], coeffs.reshape(*shape, width)),
        },
        coords={d: c for d, c in zip(dims, coords, strict=True)},
    )
    return linopy.LinearExpression(data, m)


def _grid(p: Problem) -> dict[str, pd.Index]:
    return {
        name: pd.RangeIndex(n, name=name)
        for name, n in (
            ("node", p.n_nodes),
            ("bucket", p.n_buckets),
            ("option", len(p.option_node)),
            ("arc", len(p.arc_source)),
            ("slot", len(p.slot_facility)),
            ("final", len(p.final_node)),
            ("row", len(p.row_product)),
            ("requirement", len(p.req_product)),
            ("class", len(CLASS_NAMES)),
            ("route", len(p.am_route_pool)),
            ("machine", len(p.am_machine_id)),
            ("pool", len(p.am_pool_product)),
            ("am-arc", len(p.am_arc_pool)),
        )
    }


def on(values: npt.ArrayLike, *coords: pd.Index) -> "xr.DataArray":
    """``values`` labelled with the dims of ``coords`` (linopy pairs arrays by name, not position)."""
    import xarray as xr

    return xr.DataArray(np.asarray(values), coords=[(str(c.name), c) for c in coords])


def _labels(m: "linopy.Model", name: str) -> IntArray:
    return np.asarray(m.variables[name].labels.values, dtype=np.int64)


def _flat(rows: IntArray, b: IntArray | int, n_b: int) -> IntArray:
    return np.asarray(rows * n_b + b, dtype=np.int64)


def define_production(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``production`` (node, bucket) >= 0."""
    m.add_variables(lower=0.0, coords=[g["node"], g["bucket"]], name="production")


def define_expansion(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``expansion`` (option) in [0, 1]."""
    m.add_variables(lower=0.0, upper=1.0, coords=[g["option"]], name="expansion")


def define_shipment(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``shipment`` (arc, bucket) >= 0, for shipments that arrive within the horizon."""
    arrives = np.arange(p.n_buckets)[None, :] + p.arc_lag[:, None] < p.n_buckets
    m.add_variables(
        lower=0.0, coords=[g["arc"], g["bucket"]], name="shipment", mask=on(arrives, g["arc"], g["bucket"])
    )


def define_stock(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``stock`` (slot, bucket) >= 0."""
    m.add_variables(lower=0.0, coords=[g["slot"], g["bucket"]], name="stock")


def define_finished(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``finished`` (node, bucket) >= 0 for the makers of the planned end items."""
    maker = np.zeros(p.n_nodes, dtype=bool)
    maker[p.final_node] = True
    mask = on(np.broadcast_to(maker[:, None], (p.n_nodes, p.n_buckets)), g["node"], g["bucket"])
    m.add_variables(lower=0.0, coords=[g["node"], g["bucket"]], name="finished", mask=mask)


def define_delivery(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``delivery`` (final, bucket) >= 0."""
    m.add_variables(lower=0.0, coords=[g["final"], g["bucket"]], name="delivery")


def define_delivered(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``delivered`` (row, bucket) in [0, cumulative requirement]."""
    upper = on(p.required, g["row"], g["bucket"])
    m.add_variables(lower=0.0, upper=upper, coords=[g["row"], g["bucket"]], name="delivered")


def define_am_print(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``am-print`` (route, bucket) >= 0: AM units finished in bucket b (printed lag buckets earlier)."""
    printed_in = np.arange(p.n_buckets)[None, :] - p.am_route_lag[:, None] >= 0
    mask = on(printed_in, g["route"], g["bucket"])
    m.add_variables(lower=0.0, coords=[g["route"], g["bucket"]], name="am-print", mask=mask)


def define_am_ship(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``am-ship`` (am-arc, bucket) >= 0: finished AM parts sent to a plant that uses them."""
    arrives = np.broadcast_to(
        np.arange(p.n_buckets) + p.am_lag < p.n_buckets, (len(p.am_arc_pool), p.n_buckets)
    )
    m.add_variables(
        lower=0.0,
        coords=[g["am-arc"], g["bucket"]],
        name="am-ship",
        mask=on(arrives, g["am-arc"], g["bucket"]),
    )


def define_capacity_limit(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``capacity-limit`` (node, bucket): production - options in place <= capacity."""
    n_b = p.n_buckets
    prod = _labels(m, "production")
    o, b = np.nonzero(p.option_days > 0)
    cell = np.concatenate([np.arange(prod.size), _flat(p.option_node[o], b, n_b)])
    var = np.concatenate([prod.ravel(), _labels(m, "expansion")[o]])
    coeff = np.concatenate([np.ones(prod.size), -p.option_extra[o] * p.option_days[o, b]])
    lhs = terms(m, [g["node"], g["bucket"]], cell, var, coeff)
    m.add_constraints(lhs <= on(p.capacity, g["node"], g["bucket"]), name="capacity-limit")


def _previous(labels: IntArray) -> IntArray:
    """Labels of the same variable one bucket earlier (-1 in bucket 0)."""
    prev = np.full_like(labels, -1)
    prev[:, 1:] = labels[:, :-1]
    return prev


def define_stock_balance(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``stock-balance`` (slot, bucket): stock(b) - stock(b-1) - arrivals(b) + use(b) = in transit(b)
    (+ the initial stock if b = 0)."""
    n_b = p.n_buckets
    stock = _labels(m, "stock")
    ship = _labels(m, "shipment")
    prod = _labels(m, "production")
    am = _labels(m, "am-ship")
    a, b = np.nonzero(ship >= 0)  # a shipment leaving in b arrives in b + lag
    j, jb = np.nonzero(am >= 0)
    e = np.repeat(np.arange(len(p.edge_node)), n_b)
    eb = np.tile(np.arange(n_b), len(p.edge_node))
    cell = np.concatenate(
        [
            np.arange(stock.size),
            np.arange(stock.size),
            _flat(p.arc_slot[a], b + p.arc_lag[a], n_b),
            _flat(p.am_arc_slot[j], jb + p.am_lag, n_b),
            _flat(p.edge_slot[e], eb, n_b),
        ]
    )
    var = np.concatenate(
        [stock.ravel(), _previous(stock).ravel(), ship[a, b], am[j, jb], prod[p.edge_node[e], eb]]
    )
    coeff = np.concatenate(
        [np.ones(stock.size), -np.ones(stock.size), -p.arc_pass[a, b], -np.ones(len(j)), p.edge_qty[e]]
    )
    rhs = p.in_transit.copy()
    rhs[:, 0] += p.initial_stock
    lhs = terms(m, [g["slot"], g["bucket"]], cell, var, coeff)
    m.add_constraints(lhs == on(rhs, g["slot"], g["bucket"]), name="stock-balance")


def define_output_balance(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``output-balance`` (node, bucket): shipments + deliveries + finished(b) - finished(b-1)
    - production <= 0, for nodes that ship or deliver anything in the plan."""
    n_b = p.n_buckets
    ship, prod = _labels(m, "shipment"), _labels(m, "production")
    fin, dlv = _labels(m, "finished"), _labels(m, "delivery")
    a, b = np.nonzero(ship >= 0)
    r = np.repeat(np.arange(len(p.final_node)), n_b)
    rb = np.tile(np.arange(n_b), len(p.final_node))
    cell = np.concatenate(
        [
            _flat(p.arc_source[a], b, n_b),
            _flat(p.final_node[r], rb, n_b),
            np.arange(fin.size),
            np.arange(fin.size),
            np.arange(prod.size),
        ]
    )
    var = np.concatenate([ship[a, b], dlv[r, rb], fin.ravel(), _previous(fin).ravel(), prod.ravel()])
    coeff = np.concatenate([np.ones(len(a) + len(r) + fin.size), -np.ones(fin.size), -np.ones(prod.size)])
    ships = np.zeros(p.n_nodes, dtype=bool)
    ships[p.arc_source] = True
    ships[p.final_node] = True
    mask = on(np.broadcast_to(ships[:, None], (p.n_nodes, n_b)), g["node"], g["bucket"])
    lhs = terms(m, [g["node"], g["bucket"]], cell, var, coeff)
    m.add_constraints(lhs <= 0.0, name="output-balance", mask=mask)


def define_delivered_balance(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``delivered-balance`` (row, bucket): delivered(b) - delivered(b-1) - deliveries(b) = 0."""
    n_b = p.n_buckets
    cum, dlv = _labels(m, "delivered"), _labels(m, "delivery")
    r = np.repeat(np.arange(len(p.final_node)), n_b)
    rb = np.tile(np.arange(n_b), len(p.final_node))
    cell = np.concatenate([np.arange(cum.size), np.arange(cum.size), _flat(p.final_row[r], rb, n_b)])
    var = np.concatenate([cum.ravel(), _previous(cum).ravel(), dlv[r, rb]])
    coeff = np.concatenate([np.ones(cum.size), -np.ones(cum.size), -np.ones(len(r))])
    m.add_constraints(terms(m, [g["row"], g["bucket"]], cell, var, coeff) == 0.0, name="delivered-balance")


def define_am_machine_time(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``am-machine-time`` (machine, bucket c): print hours of the units its routes print in c
    (finished lag buckets later) <= 24 x its days after activation in c."""
    if not len(p.am_route_pool):
        return
    printed = _labels(m, "am-print")
    k, b = np.nonzero(printed >= 0)
    cell = _flat(p.am_route_machine[k], b - p.am_route_lag[k], p.n_buckets)
    lhs = terms(m, [g["machine"], g["bucket"]], cell, printed[k, b], p.am_route_hours[k])
    m.add_constraints(lhs <= on(p.am_machine_hours, g["machine"], g["bucket"]), name="am-machine-time")


def define_am_output(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``am-output`` (pool, bucket): AM parts sent - AM parts finished <= 0."""
    if not len(p.am_route_pool):
        return
    printed, sent = _labels(m, "am-print"), _labels(m, "am-ship")
    k, b = np.nonzero(printed >= 0)
    j, jb = np.nonzero(sent >= 0)
    cell = np.concatenate(
        [_flat(p.am_arc_pool[j], jb, p.n_buckets), _flat(p.am_route_pool[k], b, p.n_buckets)]
    )
    var = np.concatenate([sent[j, jb], printed[k, b]])
    coeff = np.concatenate([np.ones(len(j)), -np.ones(len(k))])
    m.add_constraints(terms(m, [g["pool"], g["bucket"]], cell, var, coeff) <= 0.0, name="am-output")


def define_requirement(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``requirement`` (requirement): delivered of the product by its day >= the quantity."""
    if not len(p.req_product):
        return
    q, d = np.nonzero(p.req_product[:, None] == p.row_product[None, :])
    cum = _labels(m, "delivered")
    lhs = terms(m, [g["requirement"]], q, cum[d, p.req_bucket[q]], np.ones(len(q)))
    m.add_constraints(lhs >= on(p.req_qty, g["requirement"]), name="requirement")


def stage_weights(p: Problem) -> FloatArray:
    """(3, D, B) the delivery stages' coefficients on ``delivered``: days(b) for the rows of the class."""
    cls = p.row_class[None, :, None] == np.arange(len(CLASS_NAMES))[:, None, None]
    weights: FloatArray = cls * p.bucket_len[None, None, :]
    return weights


def define_stages(m: "linopy.Model", p: Problem, g: dict[str, pd.Index]) -> None:
    """``delivery-stage`` (class): unit-days delivered on time by class (free rows, held once
    solved); ``expansion-cost``: cost of the options taken <= the budget."""
    cum = _labels(m, "delivered")
    c, d, b = np.nonzero(stage_weights(p))
    lhs = terms(m, [g["class"]], c, cum[d, b], stage_weights(p)[c, d, b])
    has = np.isin(np.arange(len(CLASS_NAMES)), p.row_class)
    m.add_constraints(lhs >= -np.inf, name="delivery-stage", mask=on(has, g["class"]))
    opt = _labels(m, "expansion")
    cost = terms(m, [pd.RangeIndex(1, name="budget")], np.zeros(len(opt), np.int64), opt, p.option_cost)
    m.add_constraints(cost <= p.budget_usd, name="expansion-cost")


FAMILIES = (
    define_production,
    define_expansion,
    define_shipment,
    define_stock,
    define_finished,
    define_delivery,
    define_delivered,
    define_am_print,
    define_am_ship,
    define_capacity_limit,
    define_stock_balance,
    define_output_balance,
    define_delivered_balance,
    define_am_machine_time,
    define_am_output,
    define_requirement,
    define_stages,
)
"""The families, in the order they are added (variables first)."""


def build(p: Problem) -> "linopy.Model":
    """The linopy model of ``p`` (no objective: the stages set it; see :mod:`.solve`)."""
    import linopy

    m = linopy.Model()
    g = _grid(p)
    for define in FAMILIES:
        define(m, p, g)
    return m
