"""Explanations: bottlenecks as dual values in words, the chain behind a shortfall, infeasibility
as an irreducible set, and the guards against an unbounded model."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import PlanError, PlanRequest, explain, plan
from arsenalnet.optimize.whatif import what_if
from arsenalnet.propagate.system import build_system
from optimize.cases import need, one_plant, two_tiers


def test_a_bottleneck_is_what_one_more_unit_a_day_buys(tmp_path: Path) -> None:
    """10 a day, 15 a day needed over days 0-9. One more unit of capacity on any day is one more
    unit delivered by day 9 (the marginal dual, times the bucket's one day); delivered on day t it
    adds 10 - t unit-days on time (the DX stage's dual): 10 on day 0. Over the horizon +1/day
    yields 10 more units and 10 + 9 + ... + 1 = 55 unit-days."""
    net = one_plant(tmp_path, [need("prd:e", "prog:x", 15, "DX", 0, 9)], 10)
    planned = plan(net, build_system(net), PlanRequest(("prd:e",), 10))
    [b] = explain(planned).bottlenecks
    assert (b.facility_id, b.product_id, b.stage) == ("fac:m", "prd:e", "DX")
    assert (b.units, b.unit_days) == pytest.approx((10.0, 55.0))
    assert (b.best_first_day, b.best_units, b.best_unit_days) == (0, pytest.approx(1.0), pytest.approx(10.0))
    assert b.text.startswith(
        "one more unit per day at fac:m (prd:e) on day 0 yields 1.00 more prd:e by day 10"
    )


def test_weekly_buckets_speak_of_weeks(tmp_path: Path) -> None:
    net = one_plant(tmp_path, [need("prd:e", "prog:x", 15, "DX", 0, 27)], 10)
    planned = plan(net, build_system(net), PlanRequest(("prd:e",), 28, bucket_days=7))
    [b] = explain(planned).bottlenecks
    assert "in week 1 (days 0-6) yields 7.00 more prd:e by day 28" in b.text
    # the shortfall chain's "+1/day" is one more unit on every day of the horizon, whatever the
    # buckets: 28 more by day 28, as with daily buckets
    for bucket in (7, 1):
        short = explain(plan(net, build_system(net), PlanRequest(("prd:e",), 28, bucket_days=bucket)))
        assert short.shortfalls[0].chain[0].text.endswith("(+1/day: 28.00 more prd:e)")


def test_the_chain_behind_a_shortfall_goes_upstream_tier_by_tier(tiny_net: Network) -> None:
    """Shells short because the plant runs out of powder, whose maker makes all it can; with
    powder raised the shell plant itself binds, and what is left of powder is its lead time."""
    planned = plan(
        tiny_net, build_system(tiny_net), PlanRequest(("prd:shell",), 60, surge=2, in_transit=False)
    )
    [short] = explain(planned).shortfalls
    assert [(c.tier, c.kind, c.facility_id, c.product_id) for c in short.chain] == [
        (0, "input", "fac:lap", "prd:powder"),
        (1, "capacity", "fac:powder", "prd:powder"),
    ]
    more = what_if(planned, "cap fac:powder x3")
    [short] = explain(more).shortfalls
    kinds = {(c.kind, c.facility_id) for c in short.chain}
    assert ("capacity", "fac:lap") in kinds
    assert ("lead time", "fac:lap") in kinds


def test_nothing_short_nothing_to_explain(tmp_path: Path) -> None:
    net = two_tiers(tmp_path, lead=0, inventory_days=1)
    planned = plan(net, build_system(net), PlanRequest(("prd:e",), 10))
    why = explain(planned)
    assert why.shortfalls == ()
    assert planned.plan.outcomes()[0].short == pytest.approx(0.0, abs=1e-6)


def test_an_infinite_capacity_is_refused_before_the_model_is_unbounded(tmp_path: Path) -> None:
    """The store refuses an infinite capacity; a Network made in memory with one is refused by the
    planner in one line, rather than handed to HiGHS as an unbounded model."""
    net = two_tiers(tmp_path, lead=1)
    bad = dataclasses.replace(net, capacity=np.where(net.capacity > 0, np.inf, 0.0))
    with pytest.raises(
        PlanError,
        match=r"capacity of fac:\S+ making prd:\S+ is not a finite number: the plan would be unbounded",
    ):
        plan(bad, build_system(net), PlanRequest(("prd:e",), 10))


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (PlanRequest(("prd:nope",), 10), r"unknown product prd:nope"),
        (PlanRequest(("prd:p",), 10), r"prd:p has no demand rows"),
        (PlanRequest(("prd:e",), 0), r"--horizon must be at least 1 day, got 0"),
        (PlanRequest(("prd:e",), 10, bucket_days=11), r"--bucket must be between 1 and the horizon"),
        (PlanRequest(("prd:e",), 10, surge=-1), r"--surge must be a finite number >= 0"),
        (PlanRequest(("prd:e",), 10, budget_usd=-5), r"--budget must be >= 0"),
    ],
)
def test_bad_requests_are_one_line(tmp_path: Path, request_: PlanRequest, message: str) -> None:
    net = two_tiers(tmp_path, lead=1)
    with pytest.raises(PlanError, match=message):
        plan(net, build_system(net), request_)
