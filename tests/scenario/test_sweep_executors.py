"""The same draws, bit for bit, in this process, in a process pool and on a real local Ray."""

import re
import time
from textwrap import dedent

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.scenario import Scenario
from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.executors import InProcess, Pool, Ray
from arsenalnet.scenario.parse import read_scenario
from arsenalnet.scenario.reader import Reader
from arsenalnet.scenario.sweep import SweepResult, run_sweep
from arsenalnet.scenario.yaml_lines import load_yaml

SCENARIO = """\
    name: t
    days: 40
    events:
      crisis: {probability: 0.5, start: {uniform: {low: 0, high: 10}}}
    shocks:
      - type: capacity_loss
        event: crisis
        facilities: {not: {country: USA}}
        probability: 0.4
        correlation: 0.5
        fraction: {beta: {a: 2, b: 2}}
        recovery: {type: step, after: {lognormal: {median: 20, sigma: 0.5}}}
      - type: link_cut
        mode: sea
        fraction: {uniform: {low: 0, high: 0.5}}
    """


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return read_scenario(load_yaml(dedent(SCENARIO), "t.yaml"), Reader("t.yaml"))


def same(a: SweepResult, b: SweepResult) -> None:
    assert np.array_equal(a.delivered, b.delivered) and np.array_equal(a.demand, b.demand)
    assert np.array_equal(a.occurred, b.occurred) and np.array_equal(a.critical, b.critical)
    assert a.facility_ids == b.facility_ids


def test_process_pool(generated_net: Network, scenario: Scenario) -> None:
    for whole in (False, True):
        here = run_sweep(generated_net, scenario, 24, seed=1, whole=whole, executor=InProcess())
        pooled = run_sweep(generated_net, scenario, 24, seed=1, whole=whole, executor=Pool(2))
        same(here, pooled)
        assert (here.demand - here.delivered).sum() > 0 and len(here.critical)  # the draws did something
        assert pooled.executor == "process pool"


def test_local_ray(generated_net: Network, scenario: Scenario) -> None:
    """``--ray auto``: a local Ray with 2 CPUs, started and stopped by the sweep."""
    here = run_sweep(generated_net, scenario, 24, seed=1, executor=InProcess())
    on_ray = run_sweep(generated_net, scenario, 24, seed=1, executor=Ray(None, 2))
    same(here, on_ray)
    assert on_ray.executor == "ray"
    import ray

    assert not ray.is_initialized()  # stopped after the sweep


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("127.0.0.1:1", "cannot reach the Ray cluster at 127.0.0.1:1: Connection refused"),
        ("ray://127.0.0.1:1", "cannot reach the Ray cluster at ray://127.0.0.1:1: Connection refused"),
        ("nowhere", "--ray nowhere: expected auto, HOST:PORT or ray://HOST:PORT"),
    ],
)
def test_an_unreachable_ray_address_is_one_line_and_fast(
    tiny_net: Network, scenario: Scenario, address: str, message: str
) -> None:
    start = time.perf_counter()
    with pytest.raises(SweepError, match=f"^{re.escape(message)}$"):
        run_sweep(tiny_net, scenario, 4, executor=Ray(address, 2))
    assert time.perf_counter() - start < 5
