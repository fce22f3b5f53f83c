"""The print-job scheduler: hand-checked cases and a brute force over every assignment."""

import heapq
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.amnet.schedule import Jobs, schedule

# the fixture's fuze housing: two powder beds (ready 1 + 3 days, 2.4 h a unit) and a binder jet
# (ready 2 + 4 days, 0.6 h a unit)
FUZE = (np.array([0, 1, 2]), np.array([1.0, 1.0, 2.0]), np.array([2.4, 2.4, 0.6]), np.array([3.0, 3.0, 4.0]))


def test_earliest_finish_by_hand() -> None:
    """100 units: by t = 7 the binder jet finishes (7 - 6) * 40 = 40 and each bed (7 - 4) * 10 =
    30, exactly 100; just before 7 the binder jet has 39 and each bed 29. All three are needed."""
    jobs = schedule(*FUZE, qty=100)
    assert jobs.finish == 7.0 and jobs.deadline_met is None
    assert (jobs.route.tolist(), jobs.units.tolist()) == ([2, 0, 1], [40, 30, 30])
    assert jobs.start_day.tolist() == [2, 1, 1]
    assert jobs.print_end_day.tolist() == pytest.approx([3, 4, 4])  # 40 * 0.6 h = 1 day; 30 * 2.4 h = 3
    assert jobs.finish_day.tolist() == pytest.approx([7, 7, 7])


def test_a_deadline_that_can_be_met_uses_the_fewest_machines() -> None:
    """By day 10 the binder jet alone finishes (10 - 6) * 40 = 160 >= 100: one machine, done at
    6 + 100 * 0.6 / 24 = 8.5. By day 8 it finishes only 80, a bed 40: two machines, done when
    40 (t - 6) + 10 (t - 4) first reaches 100: t = 7.6 (64 + 36; at 7.575 only 63 + 35)."""
    one = schedule(*FUZE, qty=100, by=10)
    assert (one.route.tolist(), one.units.tolist(), one.finish, one.deadline_met) == ([2], [100], 8.5, True)
    two = schedule(*FUZE, qty=100, by=8)
    assert (two.route.tolist(), two.units.tolist(), two.deadline_met) == ([2, 0], [64, 36], True)
    assert two.finish == pytest.approx(7.6)


def test_a_deadline_that_cannot_be_met_gives_the_earliest_finish() -> None:
    late = schedule(*FUZE, qty=100, by=5)
    assert (late.finish, late.deadline_met, late.units.sum()) == (7.0, False, 100)


def test_a_machine_runs_the_route_that_finishes_its_units_first() -> None:
    """One machine, two routes: 2 h a unit ready at day 1, or 1 h a unit ready at day 3. Ten
    units: 1 + 20/24 = 1.83 beats 3 + 10/24 = 3.42; a hundred: 3 + 100/24 = 7.17 beats 9.33."""
    args = (np.array([7, 7]), np.array([0.0, 0.0]), np.array([2.0, 1.0]), np.array([1.0, 3.0]))
    assert schedule(*args, qty=10).route.tolist() == [0]
    assert schedule(*args, qty=100).route.tolist() == [1]


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="qty >= 1"):
        schedule(*FUZE, qty=0)


def brute_force(
    machine: list[int], start: list[float], hours: list[float], post: list[float], qty: int, by: float | None
) -> tuple[float, float]:
    """The lexicographic optimum over every split of ``qty`` among the machines and every route
    choice: (machines, finish) when the deadline can be met, else (finish, machines)."""
    labels = sorted(set(machine))
    best: tuple[float, float] | None = None
    met = False
    for split in itertools.product(range(qty + 1), repeat=len(labels)):
        if sum(split) != qty:
            continue
        ends = [
            min(24 * (start[r] + post[r]) + n * hours[r] for r in range(len(machine)) if machine[r] == m)
            for m, n in zip(labels, split, strict=True)
            if n
        ]
        finish, used = max(ends) / 24, len(ends)
        if by is not None and max(ends) <= 24 * by:
            key = (used, finish)
            if not met or key < best:  # type: ignore[operator]
                best, met = key, True
        elif not met and (best is None or (finish, used) < best):
            best = (finish, used)
    assert best is not None
    return best


routes = st.integers(1, 5).flatmap(
    lambda r: st.tuples(
        st.lists(st.integers(0, 2), min_size=r, max_size=r),
        st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=r, max_size=r),
        st.lists(st.sampled_from([0.5, 1.0, 2.4, 6.0, 24.0, 30.0]), min_size=r, max_size=r),
        st.lists(st.sampled_from([0.0, 1.0, 2.5]), min_size=r, max_size=r),
    )
)


@settings(max_examples=300, deadline=None)
@given(routes, st.integers(1, 6), st.one_of(st.none(), st.integers(0, 20).map(lambda d: d / 2)))
def test_optimal_against_brute_force(
    r: tuple[list[int], list[float], list[float], list[float]], qty: int, by: float | None
) -> None:
    machine, start, hours, post = r
    jobs: Jobs = schedule(np.array(machine), np.array(start), np.array(hours), np.array(post), qty, by)
    assert jobs.units.sum() == qty and (jobs.units > 0).all()
    used = [machine[i] for i in jobs.route]
    assert len(set(used)) == len(used)  # one job per machine
    assert jobs.finish == max(jobs.finish_day)
    expected = brute_force(machine, start, hours, post, qty, by)
    if jobs.deadline_met:
        assert jobs.finish <= by  # type: ignore[operator]
        assert (len(used), jobs.finish) == pytest.approx(expected, rel=1e-12)
    else:
        assert (jobs.finish, len(used)) == pytest.approx(expected, rel=1e-12)
        assert jobs.deadline_met is (None if by is None else False)


def heap_greedy(ready_h: list[float], hours: list[float], qty: int) -> float:
    """The textbook exact peer for the earliest finish: each next unit to the machine whose next
    unit finishes first (a binary heap)."""
    heap = [(r + h, i) for i, (r, h) in enumerate(zip(ready_h, hours, strict=True))]
    heapq.heapify(heap)
    t = 0.0
    for _ in range(qty):
        t, i = heapq.heappop(heap)
        heapq.heappush(heap, (t + hours[i], i))
    return t / 24


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 5), st.floats(0, 5), st.floats(0.1, 40)),
        min_size=1,
        max_size=30,
    ),
    st.integers(1, 500),
)
def test_earliest_finish_equals_the_heap_greedy(machines: list[tuple[float, float, float]], qty: int) -> None:
    start, post, hours = (np.array(c) for c in zip(*machines, strict=True))
    jobs = schedule(np.arange(len(machines)), start, hours, post, qty)
    peer = heap_greedy((24 * (start + post)).tolist(), hours.tolist(), qty)
    assert jobs.finish == pytest.approx(peer, rel=1e-12)
