"""Distributions, hit probabilities and events in scenario files, and the draws made from them.

On the tiny twin (tests/fixtures/tiny): one capability per facility, in this order:
0 forge (USA, PA), 1 lap (USA, IA), 2 mill-a (USA, PA), 3 mill-b (CAN, ON),
4 mine (USA, MN), 5 powder (CHN); one DX demand row for prd:shell, 150 a day.
"""

import math
import re
from textwrap import dedent

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.network import Network
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock
from arsenalnet.scenario import Scenario, ScenarioError, compile_scenario
from arsenalnet.scenario.distributions import Beta, LogNormal, Range, Triangular, Uniform
from arsenalnet.scenario.draws import Draw, Target, prepare, stream
from arsenalnet.scenario.model import CapacityLoss, DemandChange, HitRule, RandomField
from arsenalnet.scenario.parse import read_scenario
from arsenalnet.scenario.reader import Reader
from arsenalnet.scenario.yaml_lines import load_yaml

FORGE, MILL_A = 0, 2
USA = [0, 1, 2, 4]


def read(text: str) -> Scenario:
    return read_scenario(load_yaml(dedent(text), "t.yaml"), Reader("t.yaml"))


def capacity_hits(d: Draw) -> list[int]:
    return sorted(int(n) for s in d.shocks if isinstance(s, CapacityShock) for n in s.nodes)


def test_fields_given_as_distributions() -> None:
    s = read("""\
        name: t
        days: 10
        events:
          quake: {probability: 0.25, start: {uniform: {low: 0, high: 4}}}
        shocks:
          - type: capacity_loss
            event: quake
            facilities: {country: USA}
            probability:
              - {facilities: {region: PA}, p: 1}
              - {p: 0.5}
            correlation: 0.3
            fraction: {beta: {a: 2, b: 6}}
            recovery: {type: step, after: {lognormal: {median: 3, sigma: 0.5}}}
          - type: demand_change
            products: {kind: end_item}
            scale: {triangular: {low: 1, mode: 2, high: 6}}
            ramp_days: 2
        """)
    (quake,) = s.events
    assert (quake.name, quake.probability, quake.start, quake.line) == ("quake", 0.25, 2, 4)
    assert quake.random == (RandomField("start", Uniform(0, 4), Range(0, integer=True), 4),)
    loss, surge = s.shocks
    assert isinstance(loss, CapacityLoss) and isinstance(surge, DemandChange)
    assert loss.event == "quake" and loss.correlation == 0.3
    assert [(r.p, r.line) for r in loss.probability] == [(1.0, 10), (0.5, 11)]
    assert isinstance(loss.probability[0], HitRule) and loss.probability[1].facilities is None
    assert loss.random == (
        RandomField("fraction", Beta(2, 6), Range(0, 1), 13),
        RandomField("timing.recovery.after", LogNormal(3, 0.5), Range(1, integer=True), 14),
    )
    # the fields hold the means: 2 / 8, and 3 e^(0.125) = 3.4 rounded to 3 days
    assert loss.fraction == 0.25 and loss.timing.recovery == type(loss.timing.recovery)(after=3)
    assert surge.scale == 3.0 and surge.random[0].dist == Triangular(1, 2, 6)
    assert s.random_line() == 4


def test_a_deterministic_scenario_has_no_random_line() -> None:
    s = read("name: t\ndays: 3\nshocks:\n  - {type: link_cut, mode: sea, fraction: 0.5}\n")
    assert s.random_line() is None and s.events == ()


def test_compile_scenario_refuses_what_is_drawn(tiny_net: Network) -> None:
    s = read("""\
        name: t
        days: 5
        shocks:
          - type: link_cut
            mode: sea
          - type: capacity_loss
            facilities: {country: USA}
            fraction: 1
            probability: 0.5
        """)
    with pytest.raises(ScenarioError, match=re.escape("t.yaml:9: this scenario draws at random: run it")):
        compile_scenario(s, tiny_net)


PROBABILITY_0_AND_1 = """\
    name: t
    days: 8
    shocks:
      - type: capacity_loss
        facilities: {country: USA}
        probability:
          - {facilities: {region: PA}, p: 1}
          - {p: 0}
        fraction: 0.5
        start: 2
        recovery: {type: step, after: 3}
    """


def test_probability_one_always_and_zero_never(tiny_net: Network) -> None:
    """USA plants: mill-a and forge (PA) with p = 1, mine and lap with p = 0. Every draw hits
    exactly mill-a and forge, in one shock: 50% from day 2 for 3 days."""
    plan = prepare(read(PROBABILITY_0_AND_1), tiny_net)
    for i in range(50):
        d = plan.draw(7, i, Target.whole(tiny_net))
        (shock,) = d.shocks
        assert isinstance(shock, CapacityShock)
        assert shock.nodes.tolist() == [FORGE, MILL_A]
        assert shock.loss.tolist() == [0, 0, 0.5, 0.5, 0.5, 0, 0, 0]


def test_a_facility_no_rule_matches_is_never_hit(tiny_net: Network) -> None:
    s = read("\n".join(line for line in PROBABILITY_0_AND_1.splitlines() if "{p: 0}" not in line))
    plan = prepare(s, tiny_net)
    assert all(capacity_hits(plan.draw(1, i, Target.whole(tiny_net))) == [FORGE, MILL_A] for i in range(20))


def _usa_loss(p: float, rho: float) -> Scenario:
    return read(f"""\
        name: t
        days: 4
        shocks:
          - type: capacity_loss
            facilities: {{country: USA}}
            probability: {p}
            correlation: {rho}
            fraction: 1
        """)


def test_correlation_one_hits_all_or_none(tiny_net: Network) -> None:
    """Four USA plants, p = 0.5, rho = 1: the shared factor decides alone."""
    plan = prepare(_usa_loss(0.5, 1), tiny_net)
    counts = [len(capacity_hits(plan.draw(3, i, Target.whole(tiny_net)))) for i in range(200)]
    assert set(counts) == {0, 4}
    assert 70 < counts.count(4) < 130


def test_independent_hits_mix(tiny_net: Network) -> None:
    plan = prepare(_usa_loss(0.5, 0), tiny_net)
    counts = [len(capacity_hits(plan.draw(3, i, Target.whole(tiny_net)))) for i in range(200)]
    assert set(counts) == {0, 1, 2, 3, 4}


@pytest.mark.parametrize("rho", [0.0, 0.6])
def test_each_plant_is_hit_with_its_probability(tiny_net: Network, rho: float) -> None:
    """4,000 draws: each plant's share of draws hit is p = 0.3 within 4 standard errors
    (sqrt(0.3 * 0.7 / 4000) = 0.0072), whatever the correlation."""
    plan = prepare(_usa_loss(0.3, rho), tiny_net)
    hits = np.zeros(6)
    for i in range(4000):
        hits[capacity_hits(plan.draw(11, i, Target.whole(tiny_net)))] += 1
    assert np.all(np.abs(hits[USA] / 4000 - 0.3) < 4 * math.sqrt(0.3 * 0.7 / 4000))
    assert hits[[3, 5]].sum() == 0


def test_events_gate_and_shift_their_shocks(tiny_net: Network) -> None:
    s = read("""\
        name: t
        days: 12
        events:
          always: {probability: 1, start: {uniform: {low: 0, high: 5}}}
          never: {probability: 0}
        shocks:
          - {type: link_cut, event: always, mode: sea, start: 2, recovery: {type: step, after: 1}}
          - {type: link_cut, event: never, mode: rail}
        """)
    plan = prepare(s, tiny_net)
    starts = set()
    for i in range(40):
        d = plan.draw(5, i, Target.whole(tiny_net))
        assert d.occurred.tolist() == [True, False]
        (cut,) = d.shocks
        assert isinstance(cut, LinkShock)
        (day,) = np.flatnonzero(cut.blocked)
        starts.add(int(day) - 2)  # the event's start: uniform on [0, 5) rounded, so 0..5
    assert starts == {0, 1, 2, 3, 4, 5}


def test_day_counts_are_rounded_and_raised_to_their_minimum(tiny_net: Network) -> None:
    """A lognormal with sigma 0 is its median: 0.2 days lasts 1 day (raised), 3.4 days 3."""
    for median, days in ((0.2, 1), (3.4, 3)):
        s = read(f"""\
            name: t
            days: 8
            shocks:
              - type: link_cut
                mode: sea
                recovery: {{type: step, after: {{lognormal: {{median: {median}, sigma: 0}}}}}}
            """)
        (cut,) = prepare(s, tiny_net).draw(0, 0, Target.whole(tiny_net)).shocks
        assert isinstance(cut, LinkShock) and int(cut.blocked.sum()) == days


def test_plants_with_equal_draws_share_one_engine_shock(tiny_net: Network) -> None:
    """A drawn duration with sigma 0 is the same for every plant: one shock; a beta fraction
    differs from plant to plant: one shock each."""
    same = read("""\
        name: t
        days: 6
        shocks:
          - type: capacity_loss
            facilities: {country: USA}
            fraction: 1
            recovery: {type: step, after: {lognormal: {median: 2, sigma: 0}}}
        """)
    (shock,) = prepare(same, tiny_net).draw(0, 0, Target.whole(tiny_net)).shocks
    assert isinstance(shock, CapacityShock) and shock.nodes.tolist() == USA
    apart = read(PROBABILITY_0_AND_1.replace("fraction: 0.5", "fraction: {beta: {a: 2, b: 2}}"))
    d = prepare(apart, tiny_net).draw(0, 0, Target.whole(tiny_net))
    assert sorted(len(s.nodes) for s in d.shocks) == [1, 1]
    assert len({float(s.loss.max()) for s in d.shocks if isinstance(s, CapacityShock)}) == 2


def test_draw_i_reads_the_i_th_child_of_the_seed() -> None:
    """``SeedSequence(S).spawn(N)[i]`` whatever N: draw 5 of 10 runs is draw 5 of 1,000."""
    for n in (10, 1000):
        assert np.random.SeedSequence(42).spawn(n)[5].spawn_key == (5,)
    # shock 2 of draw 5: the spawn tree's (5, 0, 2)
    tree = np.random.SeedSequence(42).spawn(10)[5].spawn(1)[0].spawn(3)[2]
    a = stream(42, 5, 0, 2).random(3)
    assert a.tolist() == np.random.default_rng(tree).random(3).tolist()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), index=st.integers(0, 10**6))
def test_draws_are_reproducible_and_in_range(tiny_net: Network, seed: int, index: int) -> None:
    s = read("""\
        name: t
        days: 20
        events:
          e: {probability: 0.7, start: {triangular: {low: 0, mode: 2, high: 9}}}
        shocks:
          - type: capacity_loss
            event: e
            facilities: {not: {country: CHN}}
            probability: 0.6
            correlation: 0.4
            fraction: {beta: {a: 0.5, b: 0.5}}
            recovery:
              type: linear
              hold: {lognormal: {median: 2, sigma: 1}}
              days: {uniform: {low: 1, high: 9}}
          - type: demand_change
            products: {id: prd:shell}
            scale: {lognormal: {median: 1.5, sigma: 0.3}}
            ramp_days: {uniform: {low: 0, high: 6}}
        """)
    plan = prepare(s, tiny_net)
    a, b = (plan.draw(seed, index, Target.whole(tiny_net)) for _ in range(2))
    assert a.occurred.tolist() == b.occurred.tolist() and len(a.shocks) == len(b.shocks)
    for x, y in zip(a.shocks, b.shocks, strict=True):
        if isinstance(x, CapacityShock):
            assert isinstance(y, CapacityShock) and x.nodes.tolist() == y.nodes.tolist()
            assert x.loss.tolist() == y.loss.tolist()
            assert x.loss.min() >= 0 and x.loss.max() <= 1
            assert 5 not in x.nodes.tolist()  # CHN's powder plant is never selected
        else:
            assert isinstance(x, DemandShock) and isinstance(y, DemandShock)
            assert x.factor.tolist() == y.factor.tolist() and x.factor.min() > 0


def test_a_cut_gets_the_same_hits_as_the_whole(generated_net: Network) -> None:
    """The draw is made over every matched facility, whatever the target: the cut receives
    exactly the whole draw's shocks on the capabilities it holds."""
    from arsenalnet.propagate.cone import makers, subsystem, upstream
    from arsenalnet.propagate.system import build_system

    net = generated_net
    sy = build_system(net)
    cut = subsystem(sy, upstream(sy, makers(sy, np.unique(net.demand_product))))
    s = read("""\
        name: t
        days: 30
        shocks:
          - type: capacity_loss
            facilities: {not: {country: USA}}
            probability: 0.5
            fraction: {beta: {a: 2, b: 2}}
            recovery: {type: step, after: {uniform: {low: 1, high: 20}}}
        """)
    plan = prepare(s, net)
    target = Target.of_cut(net, cut)
    for i in range(10):
        whole = plan.draw(9, i, Target.whole(net))
        part = plan.draw(9, i, target)
        expected = {
            int(target.cap[n]): s.loss.tolist()
            for s in whole.shocks
            if isinstance(s, CapacityShock)
            for n in s.nodes
            if target.cap[n] >= 0
        }
        got = {int(n): s.loss.tolist() for s in part.shocks if isinstance(s, CapacityShock) for n in s.nodes}
        assert got == expected
