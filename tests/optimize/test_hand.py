"""The planner on cases solved by hand, each plan also passed through the independent checker."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import InfeasiblePlan, Planned, PlanRequest, Requirement, plan
from arsenalnet.optimize.expansion import expansions_of
from arsenalnet.propagate.system import build_system
from optimize.cases import need, one_plant, option, two_tiers, with_am_printer
from optimize.checker import violations


def solved(net: Network, horizon: int, *, options: pa.Table | None = None, **kw: object) -> Planned:
    request = PlanRequest(
        ("prd:e",),
        horizon,
        expansions=expansions_of(net, options) if options is not None else PlanRequest(("x",), 1).expansions,
        **kw,  # type: ignore[arg-type]
    )
    planned = plan(net, build_system(net), request)
    assert violations(planned.plan, net, surge=float(kw.get("surge", 1.0))) == []  # type: ignore[arg-type]
    return planned


def delivered(planned: Planned, customer: str) -> list[float]:
    p = planned.problem
    return planned.plan.delivered[p.row_customer == customer].sum(axis=0).round(6).tolist()


@pytest.mark.parametrize("cost", [1.0, 1e9])
def test_dx_before_do_whatever_the_cost(tmp_path: Path, cost: float) -> None:
    """One plant, 10 a day; DO and DX programs each need 6 a day on days 0-9 (DO listed first).

    DX stage: DX gets 6 a day, on time: unit-days sum_t 6 (t + 1) = 6 x 55 = 330. DO stage,
    holding that: 4 a day, 4 x 55 = 220. An option (+10/day from day 0) lets DO have its 6 too
    at any price: the DO stage takes what it needs whatever it costs (2 a day = 0.2 of the
    option), and the cost stage cannot trade any delivery for money: 0.2 x cost.
    """
    demand = [need("prd:e", "prog:do", 6, "DO", 0, 9), need("prd:e", "prog:dx", 6, "DX", 0, 9)]
    net = one_plant(tmp_path, demand, 10)
    base = solved(net, 10)
    assert delivered(base, "prog:dx") == [6.0 * (t + 1) for t in range(10)]
    assert delivered(base, "prog:do") == [4.0 * (t + 1) for t in range(10)]
    assert [(s.name, round(s.optimum, 6)) for s in base.result.stages] == [
        ("DX", 330.0),
        ("DO", 220.0),
        ("flow", 100.0),
    ]

    table = pa.Table.from_pylist([option("fac:m", "prd:e", "shift", 10, 0, cost)])
    net = one_plant(tmp_path / "o", demand, 10, {"expansion_option": table.to_pylist()})
    more = solved(net, 10, options=table)
    assert delivered(more, "prog:dx") == [6.0 * (t + 1) for t in range(10)]
    assert delivered(more, "prog:do") == [6.0 * (t + 1) for t in range(10)]
    assert more.plan.expansion == pytest.approx([0.2], rel=1e-6)
    assert more.result.stage("cost").optimum == pytest.approx(0.2 * cost, rel=1e-6)


def test_earlier_required_date_first(tmp_path: Path) -> None:
    """Two DX rows of one item, 2 a day of capacity (stock may be held): A needs 10 on day 3,
    B needs 10 on day 5. By day 3 the plant has made 8: all to A (B may not be delivered
    before day 5); day 4 brings A to 10; by day 5, 12 made, B gets the 2 left.
    """
    demand = [need("prd:e", "prog:b", 10, "DX", 5, 5), need("prd:e", "prog:a", 10, "DX", 3, 3)]
    planned = solved(one_plant(tmp_path, demand, 2), 6)
    assert delivered(planned, "prog:a") == [0, 0, 0, 8, 10, 10]
    assert delivered(planned, "prog:b") == [0, 0, 0, 0, 0, 2]
    [item] = planned.plan.outcomes()
    assert (item.required, item.delivered, item.short) == pytest.approx((20.0, 12.0, 8.0), rel=1e-6)


def test_a_lead_time_makes_a_date_impossible(tmp_path: Path) -> None:
    """A cold start: the part takes 5 days from fac:s to fac:m, fac:m holds none and nothing is on
    the way: nothing can be made before day 5. Days 0-4 need 50, day 5 delivers those 50 and its
    own 10 (capacity 100), then 10 a day: cumulative [0, 0, 0, 0, 0, 60, 70, 80, 90, 100]. With
    weekly buckets the link takes one bucket: nothing in week 1 (days 0-6), all 100 in week 2."""
    net = two_tiers(tmp_path, lead=5)
    cold = {"in_transit": False}
    assert delivered(solved(net, 10, **cold), "prog:x") == [0, 0, 0, 0, 0, 60, 70, 80, 90, 100]
    assert delivered(solved(net, 10, bucket_days=7, **cold), "prog:x") == [0, 100]


def test_goods_on_the_way_arrive_over_the_lead_time(tmp_path: Path) -> None:
    """The running base: both plants run at utilization 1, so fac:m's baseline is its capacity,
    100 a day, and 100 parts a day were shipped on each of the 5 days before day 0: 500 on the
    way, arriving 100 a day on days 0-4. Needs x3 (30 a day) are then met from day 0: cumulative
    30, 60, ..., 300 (the cold start above delivers nothing before day 5). Weekly buckets: the
    week before day 0 shipped 700, arriving in week 1; 210 needed by day 6, 300 by day 9."""
    net = two_tiers(tmp_path, lead=5)
    running = solved(net, 10, surge=3)
    assert running.problem.in_transit.sum(axis=1).tolist() == [500.0]
    assert delivered(running, "prog:x") == pytest.approx([30, 60, 90, 120, 150, 180, 210, 240, 270, 300])
    weekly = solved(net, 10, surge=3, bucket_days=7)
    assert weekly.problem.in_transit.tolist() == [[700.0, 0.0]]
    assert delivered(weekly, "prog:x") == pytest.approx([210, 300])


def test_a_required_date_before_the_lead_time_is_infeasible(tmp_path: Path) -> None:
    """Asking for 10 by day 2 when nothing can arrive before day 5: the irreducible set names the
    requirement and the empty stock the lead time leaves, in words."""
    net = two_tiers(tmp_path, lead=5)
    with pytest.raises(InfeasiblePlan, match=r"your requirement of 10 prd:e by day 2") as err:
        solved(net, 10, requirements=(Requirement("prd:e", 10, 2),), in_transit=False)
    assert (
        "the stock of prd:p at fac:m on days 0-2 (it starts at 0.0; supplies arrive from fac:s after 5 days)"
        in str(err.value)
    )
    # two days of stock at fac:m (2 x 100 = 200 units) make the date possible
    ok = solved(
        two_tiers(tmp_path / "stock", lead=5, inventory_days=2),
        10,
        requirements=(Requirement("prd:e", 10, 2),),
        in_transit=False,
    )
    assert delivered(ok, "prog:x")[:3] == [10, 20, 30]


def test_an_expansion_pays_off_only_after_its_lead_time(tmp_path: Path) -> None:
    """10 a day of capacity, 15 a day needed on days 0-29. A second shift (+10/day) is in place
    from day 20; a new line (+20/day) from day 40. Over 30 days the shift pays: it adds 10 a day
    on days 20-29 to the backlog (100 units), so 300 + 100 = 400 are delivered (50 short) and
    the whole shift is taken; the line would only be there after the horizon: not taken. Over
    20 days neither is in place in time: neither is taken and 200 are delivered."""
    demand = [need("prd:e", "prog:x", 15, "DX", 0, 29)]
    rows = [option("fac:m", "prd:e", "shift", 10, 20, 1e6), option("fac:m", "prd:e", "line", 20, 40, 1.0)]
    net = one_plant(tmp_path, demand, 10, {"expansion_option": rows})
    table = pa.Table.from_pylist(rows)
    month = solved(net, 30, options=table)
    assert dict(zip(month.problem.option_name, month.plan.expansion.round(6), strict=True)) == {
        "shift": 1.0,
        "line": 0.0,
    }
    assert delivered(month, "prog:x")[19] == pytest.approx(200.0)
    assert delivered(month, "prog:x")[29] == pytest.approx(400.0, rel=1e-6)
    early = solved(net, 20, options=table)
    assert early.plan.expansion.round(6).tolist() == [0.0, 0.0]
    assert delivered(early, "prog:x")[-1] == pytest.approx(200.0)
    assert np.all(early.plan.production <= 10 + 1e-9)


def test_am_printing_fills_in_until_the_link_delivers(tmp_path: Path) -> None:
    """A cold start: the part takes 5 days by link; an AM machine on call from day 1 prints 10 a day
    (2.4 h a unit, 24 h a day), each finished a day later and at fac:m 2 days after that: printed
    day 1, finished day 2, there on day 4. Deliveries: 10 on day 4; day 5 the link's first 100
    arrive and the backlog is cleared (cumulative 60), then 10 a day."""
    net, routes = with_am_printer(tmp_path, lead=5)
    planned = solved(net, 10, am=routes, in_transit=False)
    assert delivered(planned, "prog:x") == pytest.approx([0, 0, 0, 0, 10, 60, 70, 80, 90, 100])
    assert planned.plan.am_print.sum(axis=1)[0] > 0
    without = solved(net, 10, in_transit=False)
    assert delivered(without, "prog:x") == [0, 0, 0, 0, 0, 60, 70, 80, 90, 100]
