"""Profiles over days, computed by hand, and their properties under hypothesis."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from arsenalnet.scenario.profiles import Linear, Recovery, Step, Table, demand_factor, profile, ramp, shape


def test_permanent_from_start() -> None:
    # days 0..5, start 2, magnitude 0.4: nothing on days 0-1, 0.4 from day 2 on.
    assert profile(6, 0.4, 2, None).tolist() == [0.0, 0.0, 0.4, 0.4, 0.4, 0.4]


def test_step_is_full_for_after_days_then_zero() -> None:
    # start 1, after 3: full on days 1, 2, 3 (offsets 0..2), none from day 4 = start + 3.
    assert profile(7, 1.0, 1, Step(after=3)).tolist() == [0, 1, 1, 1, 0, 0, 0]


def test_linear_holds_then_falls_to_zero() -> None:
    # start 1, hold 2, days 4: offsets 0..2 full, then 1 - (o - 2)/4: 0.75, 0.5, 0.25, 0 at o = 6.
    got = profile(9, 0.8, 1, Linear(days=4, hold=2))
    want = 0.8 * np.array([0, 1, 1, 1, 0.75, 0.5, 0.25, 0, 0])
    np.testing.assert_allclose(got, want)


def test_linear_without_hold_starts_falling_at_once() -> None:
    # hold 0, days 2: offsets 0, 1, 2 -> 1, 0.5, 0.
    assert shape(4, 0, Linear(days=2)).tolist() == [1.0, 0.5, 0.0, 0.0]


def test_table_interpolates_between_points_and_holds_the_last() -> None:
    # start 2; points (offset 0: 1.0), (offset 4: 0.5), (offset 6: 0.2):
    # days 2..6 = offsets 0..4 -> 1, 0.875, 0.75, 0.625, 0.5; day 7 -> 0.35; day 8 on -> 0.2.
    got = shape(10, 2, Table(((0.0, 1.0), (4.0, 0.5), (6.0, 0.2))))
    np.testing.assert_allclose(got, [0, 0, 1, 0.875, 0.75, 0.625, 0.5, 0.35, 0.2, 0.2])


def test_table_holds_the_first_value_before_its_first_point() -> None:
    # start 0, first point at offset 2 (0.5): offsets 0 and 1 hold 0.5.
    assert shape(4, 0, Table(((2.0, 0.5), (3.0, 0.0)))).tolist() == [0.5, 0.5, 0.5, 0.0]


def test_start_beyond_the_horizon_gives_nothing() -> None:
    assert profile(3, 1.0, 5, None).tolist() == [0.0, 0.0, 0.0]


def test_ramp_and_demand_factor() -> None:
    # ramp over 4 days from day 1: 0, 0, 0.25, 0.5, 0.75, 1.
    assert ramp(6, 1, 4).tolist() == [0, 0, 0.25, 0.5, 0.75, 1]
    assert ramp(3, 1, 0).tolist() == [0, 1, 1]
    # scale 3 over ramp 2 from day 1: 1, 1, 2, 3, 3.
    assert demand_factor(5, 3.0, 1, 2, None).tolist() == [1, 1, 2, 3, 3]
    # halving, no ramp, back to 1 after 2 days (step): 1, 0.5, 0.5, 1.
    assert demand_factor(4, 0.5, 1, 0, Step(after=2)).tolist() == [1, 0.5, 0.5, 1]
    # ramp 4 up, linear recovery over 2 days: envelope = min(ramp, shape).
    # offsets 0..4: ramp 0, .25, .5, .75, 1; shape 1, .5, 0, 0, 0 -> min 0, .25, 0, 0, 0.
    assert demand_factor(5, 5.0, 0, 4, Linear(days=2)).tolist() == [1, 2, 1, 1, 1]


fractions = st.floats(0.0, 1.0, allow_nan=False)
monotone: st.SearchStrategy[Recovery | None] = st.one_of(
    st.none(),
    st.builds(Step, after=st.integers(1, 120)),
    st.builds(Linear, days=st.integers(1, 120), hold=st.integers(0, 60)),
)
tables: st.SearchStrategy[Recovery] = st.dictionaries(
    st.integers(0, 200), fractions, min_size=1, max_size=6
).map(lambda points: Table(tuple(sorted((float(k), v) for k, v in points.items()))))


@given(days=st.integers(1, 400), start=st.integers(0, 400), m=fractions, recovery=monotone)
def test_step_and_linear_stay_in_range_and_never_rise(
    days: int, start: int, m: float, recovery: Recovery | None
) -> None:
    p = profile(days, m, start, recovery)
    assert p.shape == (days,)
    assert ((p >= 0) & (p <= m)).all()
    assert (p[:start] == 0).all()
    after = p[start:]
    assert (np.diff(after) <= 0).all()
    if len(after):
        assert after[0] == m


@given(days=st.integers(1, 400), start=st.integers(0, 400), m=fractions, recovery=tables)
def test_table_stays_between_its_points(days: int, start: int, m: float, recovery: Recovery) -> None:
    assert isinstance(recovery, Table)
    p = profile(days, m, start, recovery)
    ys = [y for _, y in recovery.points]
    assert ((p >= 0) & (p <= m)).all()
    assert (p[:start] == 0).all()
    after = p[start:]
    assert ((after >= m * min(ys) - 1e-12) & (after <= m * max(ys) + 1e-12)).all()
    for x, y in recovery.points:
        if start + int(x) < days:
            assert abs(p[start + int(x)] - m * y) < 1e-12


@given(
    days=st.integers(1, 200),
    start=st.integers(0, 200),
    target=st.floats(0.0, 10.0, allow_nan=False),
    ramp_days=st.integers(0, 60),
    recovery=monotone,
)
def test_demand_factor_stays_between_one_and_target(
    days: int, start: int, target: float, ramp_days: int, recovery: Recovery | None
) -> None:
    f = demand_factor(days, target, start, ramp_days, recovery)
    low, high = min(1.0, target), max(1.0, target)
    assert ((f >= low - 1e-12) & (f <= high + 1e-12)).all()
    assert (f[:start] == 1).all()
