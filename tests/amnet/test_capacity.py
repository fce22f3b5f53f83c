"""Compiling the AM tables into routes, and the qualified capacity the mobilization planner uses."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.amnet.capacity import AmCapacity, am_capacity
from arsenalnet.amnet.schedule import schedule
from arsenalnet.model.am import MachineStatus
from arsenalnet.network import Network
from arsenalnet.network.am import AmFleet


def routes(fleet: AmFleet) -> list[tuple[str, str]]:
    return list(
        zip(
            fleet.qualifications.take(fleet.route_qual),
            fleet.machines.take(fleet.route_machine),
            strict=True,
        )
    )


def test_a_site_qualification_covers_every_matching_machine_there(fleet: AmFleet) -> None:
    """qual:forge-fuze (PBF-LB, AlSi10Mg, the whole site) covers the three PBF-LB machines of
    fac:forge, busy or not; qual:forge2-ti names am:forge-2, which holds no Ti-6Al-4V: no route."""
    assert sorted(routes(fleet)) == [
        ("qual:forge-fuze", "am:forge-1"),
        ("qual:forge-fuze", "am:forge-2"),
        ("qual:forge-fuze", "am:forge-3"),
        ("qual:lap-fuze", "am:lap-1"),
        ("qual:mill-body", "am:mill-1"),
    ]
    assert fleet.activation_days.tolist() == [1, 1, 1, 2, 2, 5]  # am:lap-2 empty: the 2-day default


def test_capacity_counts_available_machines_only(fleet: AmFleet, am_net: Network) -> None:
    """fac:forge's two idle PBF-LB machines print a fuze housing in 2.4 h (10/day) from day 1,
    finished 3 days later; am:lap-1 binder-jets one in 0.6 h (40/day) from day 2, sintered in 4."""
    cap = am_capacity(fleet)
    assert am_net.products.take(cap.product) == ["prd:fuze-housing"] * 3
    assert fleet.machines.take(cap.machine) == ["am:forge-1", "am:forge-2", "am:lap-1"]
    assert am_net.facilities.take(cap.facility) == ["fac:forge", "fac:forge", "fac:lap"]
    assert cap.units_per_day == pytest.approx([10, 10, 40])
    assert cap.start_day.tolist() == [1, 1, 2]
    assert cap.from_day.tolist() == [4, 4, 6]


def test_enrolled_machines_count_when_asked(fleet: AmFleet, am_net: Network) -> None:
    cap = am_capacity(fleet, (MachineStatus.AVAILABLE, MachineStatus.ENROLLED))
    body = cap.product == am_net.products.position("prd:body")
    assert fleet.machines.take(cap.machine[body]) == ["am:mill-1"]
    assert cap.units_per_day[body] == pytest.approx([0.8])  # 24 h / 30 h
    assert cap.from_day[body].tolist() == [12.0]  # 5 days to activate + 7 of post-processing


def test_daily_units_of_the_fuze_housing(fleet: AmFleet, am_net: Network) -> None:
    """20/day from day 4 (the two forge machines), 60/day from day 6 (with am:lap-1): 100 units
    by the end of day 6, as the discrete schedule finishes exactly 100 by t = 7 (30 + 30 + 40)."""
    products, units = am_capacity(fleet).daily_units(8)
    assert am_net.products.take(products) == ["prd:fuze-housing"]
    assert units[0].tolist() == pytest.approx([0, 0, 0, 0, 20, 20, 60, 60])
    assert units[0, :7].sum() == pytest.approx(100)


def test_no_machine_no_capacity(fleet: AmFleet) -> None:
    cap = am_capacity(fleet, ())
    products, units = cap.daily_units(3)
    assert len(products) == 0 and units.shape == (0, 3)
    assert np.all(am_capacity(fleet, (MachineStatus.BUSY,)).start_day == 1)


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from([0.0, 0.5, 1.0, 2.5]),
    st.sampled_from([0.0, 1.0, 3.5]),
    st.sampled_from([1.0, 2.4, 5.0, 13.0]),
)
def test_fluid_capacity_is_the_discrete_schedule_within_one_unit(
    start: float, post: float, hours: float
) -> None:
    """By the end of each day the fluid units of one route are at least the whole units the
    scheduler finishes on it by then, and less than one more."""
    one = np.array([0], np.int32)
    cap = AmCapacity(one, one, one, one, np.array([hours]), np.array([start]), np.array([post]))
    fluid = np.cumsum(cap.daily_units(12)[1][0])
    args = (np.array([0]), np.array([start]), np.array([hours]), np.array([post]))
    for day in range(12):
        n = 0
        while schedule(*args, qty=n + 1).finish <= day + 1:
            n += 1
        assert n <= fluid[day] + 1e-9 < n + 1
