"""Monte Carlo sweeps in this process: hand-checkable draws, bands and critical paths.

The tiny twin (tests/fixtures/tiny): mine -> mill-a, mill-b (steel) -> forge (bodies)
-> lap (shells), powder -> lap; the program needs 150 shells a day (DX). Inventories:
forge holds 15 days of steel, lap 30 days of bodies and powder.
"""

from textwrap import dedent

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import Scenario, ScenarioError
from arsenalnet.scenario.batch import EndItems
from arsenalnet.scenario.draws import Target, compile_draw, prepare
from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.parse import read_scenario
from arsenalnet.scenario.reader import Reader
from arsenalnet.scenario.sweep import SweepResult, batches, run_sweep
from arsenalnet.scenario.sweep_summary import CriticalFacility, summarize_sweep
from arsenalnet.scenario.yaml_lines import load_yaml


def read(text: str) -> Scenario:
    return read_scenario(load_yaml(dedent(text), "t.yaml"), Reader("t.yaml"))


LAP_DOWN = """\
    name: t
    days: 10
    shocks:
      - type: capacity_loss
        facilities: {id: fac:lap}
        probability: 0.5
        fraction: 1
        start: 2
        recovery: {type: step, after: 3}
    """


def test_a_draw_known_by_hand(tiny_net: Network) -> None:
    """The shell line (lap) is down on days 2, 3, 4 in a draw that hits it (p = 0.5): it makes
    no shells those days and 150 again from day 5 (its inputs waited in stock), so that draw
    loses 3 x 150 = 450 shells and the others none."""
    scenario = read(LAP_DOWN)
    r = run_sweep(tiny_net, scenario, 40, seed=3)
    plan = prepare(scenario, tiny_net)
    hit = np.array([bool(plan.draw(3, i, Target.whole(tiny_net)).shocks) for i in range(40)])
    assert 10 < hit.sum() < 30
    lost = (r.demand - r.delivered).sum(axis=1)[:, 0]
    assert lost.tolist() == [450.0 if h else 0.0 for h in hit]
    down = r.delivered[hit, :, 0]
    assert (down == [150, 150, 0, 0, 0, 150, 150, 150, 150, 150]).all()
    s = summarize_sweep(r).end_items[0]
    assert s.lost == 450 * hit.mean() and s.short_share == hit.mean()
    assert s.critical == [CriticalFacility("fac:lap", hit.mean(), hit.mean())]  # lap itself was hit
    # on days 2-4, k draws met 0 and N - k all: sorted, the share at rank q (N - 1) is
    # clip(q (N - 1) - (k - 1), 0, 1) (between the last 0 and the first 1)
    k, n = int(hit.sum()), 40
    for q, band in ((0.05, s.p5), (0.5, s.p50), (0.95, s.p95)):
        down_band = min(max(q * (n - 1) - (k - 1), 0.0), 1.0)
        assert band == pytest.approx([1, 1, down_band, down_band, down_band, 1, 1, 1, 1, 1])


def test_the_critical_path_by_hand(tiny_net: Network) -> None:
    """Both mills down for the whole run: forge's 15 days of steel run out, then lap's 30 days
    of bodies: no shells from day 45, 15 x 150 = 2,250 lost. On the critical path: the mills
    (roots), forge and lap (downstream, lost output). The mine and the powder plant lost
    output too (their buyers ordered less) but no root is upstream of them: not on it. Listed
    most often first, then most often as a root."""
    scenario = read("""\
        name: t
        days: 60
        shocks:
          - {type: capacity_loss, facilities: {id: [fac:mill-a, fac:mill-b]}, probability: 1, fraction: 1}
        """)
    s = summarize_sweep(run_sweep(tiny_net, scenario, 2)).end_items[0]
    assert s.lost == 2250 and s.worst_day == 45 and s.worst_share == 0
    roots = [CriticalFacility(f, 1.0, 1.0) for f in ("fac:mill-a", "fac:mill-b")]
    assert s.critical == [*roots, *(CriticalFacility(f, 1.0, 0.0) for f in ("fac:forge", "fac:lap"))]
    shocks, params = compile_draw(scenario, tiny_net, 0, 0)
    lost = simulate(build_system(tiny_net), shocks, params).lost_output_days
    by_facility = dict(zip(tiny_net.facilities.take(tiny_net.cap_facility), lost, strict=True))
    assert by_facility["fac:mine"] > 1 and by_facility["fac:powder"] > 1


def _result(tiny_net: Network, delivered: list[list[float]], critical: list[list[int]]) -> SweepResult:
    d = np.array(delivered, dtype=np.float64)[:, :, None]
    return SweepResult(
        scenario=read("name: t\ndays: 2\n"),
        items=EndItems(("prd:x",), ("DX",), (np.array([0]),), np.zeros((1, 1), dtype=bool)),
        facility_ids=("fac:a", "fac:b"),
        seed=0,
        days=d.shape[1],
        whole=False,
        nodes=1,
        executor="in-process",
        requested=len(d),
        delivered=d,
        demand=np.full_like(d, 100.0),
        occurred=np.zeros((len(d), 0), dtype=bool),
        critical=np.array(critical, dtype=np.int64).reshape(-1, 4),
        seconds=0.0,
    )


def test_bands_and_interval_of_a_known_set(tiny_net: Network) -> None:
    """Five draws meet 0, 25, 50, 75 and 100 of a demand of 100 on day 0, all of it on day 1.

    Bands on day 0 (linear interpolation, rank (N - 1) q): P5 at rank 0.2 = 0.05, P50 at rank 2
    = 0.5, P95 at rank 3.8 = 0.95. Units lost 100, 75, 50, 25, 0: mean 50, s = sqrt(6250 / 4)
    = 39.53, s / sqrt(5) = 17.68, t(0.975, 4) = 2.7764: 50 +- 49.09; percentiles 5, 50, 95.
    Critical rows: fac:b in draws 0 (as a root) and 1, fac:a in draw 1: shares 0.4 (as a root
    0.2) and 0.2."""
    delivered = [[0, 100], [25, 100], [50, 100], [75, 100], [100, 100]]
    r = _result(tiny_net, delivered, [[0, 0, 1, 1], [1, 0, 0, 0], [1, 0, 1, 0]])
    s = summarize_sweep(r)
    (item,) = s.end_items
    assert (item.p5, item.p50, item.p95) == ([0.05, 1.0], [0.5, 1.0], [0.95, 1.0])
    assert item.lost == 50 and item.lost_ci == pytest.approx((0.91, 99.09), abs=0.01)
    assert (item.lost_p5, item.lost_p50, item.lost_p95) == (5, 50, 95)
    assert item.short_share == 0.8 and (item.worst_day, item.worst_share, item.recovery_day) == (0, 0.5, 1)
    assert item.critical == [CriticalFacility("fac:b", 0.4, 0.2), CriticalFacility("fac:a", 0.2, 0.0)]
    assert s.critical == item.critical and s.runs == 5


def test_a_scenario_that_draws_nothing_is_one_draw(tiny_net: Network) -> None:
    scenario = read("""\
        name: t
        days: 6
        shocks:
          - type: capacity_loss
            facilities: {id: fac:lap}
            fraction: 1
            start: 1
            recovery: {type: step, after: 2}
        """)
    r = run_sweep(tiny_net, scenario, 500)
    assert (r.runs, r.requested) == (1, 500)
    assert r.delivered[0, :, 0].tolist() == [150, 0, 0, 150, 150, 150]


def test_a_draw_does_not_depend_on_its_batch(generated_net: Network) -> None:
    """Draw 13 of a 14-draw sweep (batches of 2) and of a 200-draw one (batches of 25): the
    same, bit for bit; the whole twin gives the DX/DO items the same deliveries as the cone."""
    scenario = read("""\
        name: t
        days: 40
        shocks:
          - type: capacity_loss
            facilities: {not: {country: USA}}
            probability: 0.3
            correlation: 0.5
            fraction: {beta: {a: 2, b: 2}}
            recovery: {type: step, after: {lognormal: {median: 20, sigma: 0.5}}}
        """)
    assert batches(14, 131)[6] == [12, 13] and batches(200, 131)[0] != [13]
    small = run_sweep(generated_net, scenario, 14, seed=5)
    big = run_sweep(generated_net, scenario, 200, seed=5)
    assert np.array_equal(small.delivered[13], big.delivered[13])
    assert (big.demand - big.delivered).sum() > 0  # the draws did something
    whole = run_sweep(generated_net, scenario, 14, seed=5, whole=True)
    assert whole.items.product_ids == small.items.product_ids
    np.testing.assert_allclose(whole.delivered, small.delivered, rtol=1e-9, atol=1e-9)


def test_runs_below_one_are_refused(tiny_net: Network) -> None:
    with pytest.raises(SweepError, match=r"^--runs must be an integer >= 1, got 0$"):
        run_sweep(tiny_net, read(LAP_DOWN), 0)


def test_an_unknown_value_in_a_probability_rule(tiny_net: Network) -> None:
    scenario = read(LAP_DOWN.replace("probability: 0.5", "probability: [{facilities: {country: XYZ}, p: 1}]"))
    with pytest.raises(ScenarioError, match=r"^t\.yaml:6: unknown country 'XYZ'$"):
        run_sweep(tiny_net, scenario, 5)


def test_batches_are_cut_by_draws_nodes_and_link_indices() -> None:
    """1,000 draws of a 131-node cone: at least 8 batches, so 125 draws each (250 would fit
    32,768 nodes); a 148,280-node twin: one draw each; 5M links: at most (2^31 - 1) // 5M =
    429 copies, so a tiled link index fits 32 bits."""
    assert [len(b) for b in batches(1000, 131)] == [125] * 8
    assert batches(3, 148_280) == [[0], [1], [2]]
    assert len(batches(100_000, 5, 5_000_000)[0]) == 429
    assert [d for b in batches(1001, 131) for d in b] == list(range(1001))
