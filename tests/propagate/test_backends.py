"""The backends of the firm-level engine give the same runs.

The array backend is the GPU backend's code run on NumPy: it sums in another order than
the compiled kernels (a slot's deliveries as one sum), as a GPU does, so agreeing within
1e-6 over hundreds of days of shocks and order switching is what the GPU backend claims.
"""

import json
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.propagate.array_step import BackendUnavailable
from arsenalnet.propagate.firm import Trajectory, simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin
from factories import arsenal

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def assert_same_run(a: Trajectory, b: Trajectory, rtol: float = 1e-6) -> None:
    """Every daily figure of ``b`` within ``rtol`` of ``a``'s, relative to the figure (or, for
    figures that are zero in one run, to the largest figure of the series)."""
    for name in ("row_delivered", "row_demand", "production_ratio", "lost_output_days"):
        x, y = getattr(a, name), getattr(b, name)
        scale = max(float(np.abs(x).max(initial=0.0)), 1.0)
        np.testing.assert_allclose(y, x, rtol=rtol, atol=1e-9 * scale, err_msg=name)
    assert b.worst_overproduction <= 1e-9 and b.lowest_stock >= -1e-6 and b.worst_overshipment <= 1e-6


def random_shocks(net: Network, rng: np.random.Generator, days: int, kinds: set[str]) -> Shocks:
    """Capacity losses on 10% of capabilities, 10% of links cut, demand scaled: each over a
    random window, so that buyers switch suppliers and switch back."""
    n_caps = len(net.cap_facility)

    def window(level: float) -> np.ndarray:
        start = int(rng.integers(0, days // 3))
        profile = np.zeros(days)
        profile[start : start + int(rng.integers(5, days // 2))] = level
        return profile

    capacity = (CapacityShock(rng.choice(n_caps, n_caps // 10, replace=False), window(rng.uniform(0.3, 1))),)
    links = (LinkShock(rng.choice(net.n_links, net.n_links // 10, replace=False), window(1.0)),)
    demand = (DemandShock(np.arange(len(net.demand_qty)), 1.0 + window(rng.uniform(0.5, 3))),)
    return Shocks(
        days,
        capacity if "capacity" in kinds else (),
        links if "links" in kinds else (),
        demand if "demand" in kinds else (),
    )


def generated(tmp: Path, seed: int) -> Network:
    with Store(tmp / "t.duckdb") as store:
        import_tables(store, generate_twin(1000, seed))
        return compile_network(store.read_tables())


@settings(max_examples=5, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    switch_days=st.integers(0, 10),
    kinds=st.sets(st.sampled_from(["capacity", "links", "demand"]), min_size=1),
)
def test_array_backend_agrees_with_the_compiled_kernels(
    tmp_path_factory: pytest.TempPathFactory, seed: int, switch_days: int, kinds: set[str]
) -> None:
    """300 days of random capacity losses, cut links and demand changes on a generated twin."""
    net = generated(tmp_path_factory.mktemp("agree"), seed)
    sy = build_system(net)
    shocks = random_shocks(net, np.random.default_rng(seed), 300, kinds)
    params = Params(switch_days=switch_days)
    cpu = simulate(sy, shocks, params, record=False)
    assert_same_run(cpu, simulate(sy, shocks, params, record=False, backend="array"))
    assert cpu.production_ratio.min() < 1 - 1e-6 or "demand" in kinds  # the shocks did something


def test_results_do_not_depend_on_the_number_of_threads(generated_net: Network) -> None:
    sy = build_system(generated_net)
    shocks = random_shocks(generated_net, np.random.default_rng(7), 120, {"capacity", "links", "demand"})
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(sy, shocks)
    finally:
        numba.set_num_threads(threads)
    many = simulate(sy, shocks)
    for name in ("row_delivered", "production_ratio", "lost_output_days", "change_node", "change_production"):
        assert np.array_equal(getattr(one, name), getattr(many, name)), name


def _gpu() -> bool:
    """Whether CuPy is installed and reaches a GPU."""
    try:
        import cupy

        return int(cupy.cuda.runtime.getDeviceCount()) > 0
    except Exception:
        return False


def test_gpu_backend_agrees_or_says_what_is_missing(generated_net: Network) -> None:
    """Where CuPy reaches a GPU, the GPU run agrees with the CPU run; elsewhere asking for it
    is refused with the reason."""
    sy = build_system(generated_net)
    shocks = random_shocks(generated_net, np.random.default_rng(3), 120, {"capacity", "links", "demand"})
    if _gpu():
        assert_same_run(simulate(sy, shocks, record=False), simulate(sy, shocks, record=False, backend="gpu"))
    else:
        with pytest.raises(BackendUnavailable, match=r"^backend 'gpu' needs (CuPy|an NVIDIA GPU)"):
            simulate(sy, shocks, record=False, backend="gpu")


def test_cli_backend_option(tmp_path: Path) -> None:
    """`--backend array` gives the default run's summary; `--backend gpu` without a GPU is one
    line, exit 2, and records nothing."""
    db = tmp_path / "twin.duckdb"
    assert arsenal("generate", "--facilities", "1000", "--seed", "4", db=db).returncode == 0
    scenario = str(SCENARIOS / "ics-cyberattack.yaml")
    runs = {}
    for backend in ("cpu", "array"):
        done = arsenal("simulate", scenario, "--days", "40", "--backend", backend, "--json", db=db)
        assert done.returncode == 0, done.stderr
        runs[backend] = json.loads(done.stdout)
    for a, b in zip(runs["cpu"]["end_items"], runs["array"]["end_items"], strict=True):
        assert a["product_id"] == b["product_id"]
        np.testing.assert_allclose(b["met"], a["met"], rtol=1e-6, atol=1e-6)
    assert runs["array"]["lowest_production_ratio"] == pytest.approx(runs["cpu"]["lowest_production_ratio"])
    if not _gpu():
        done = arsenal("simulate", scenario, "--days", "5", "--backend", "gpu", db=db)
        assert done.returncode == 2
        assert done.stderr.strip().count("\n") == 0 and "backend 'gpu' needs" in done.stderr
        assert len(json.loads(arsenal("runs", "--json", db=db).stdout)) == 2
