"""Plans on a generated twin, for drawn surges, horizons and buckets: always feasible by the
independent checker, and a larger surge never lowers an optimum."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsenalnet.network import Network
from arsenalnet.optimize import Expansions, PlanRequest, plan
from arsenalnet.optimize.expansion import expansions_of
from arsenalnet.propagate.system import FirmSystem, build_system
from arsenalnet.synth.generate import generate_twin
from optimize.checker import violations

PROGRAMS = ("prd:155mm-shell", "prd:guided-missile", "prd:small-uas")


@pytest.fixture(scope="module")
def system(generated_net: Network) -> FirmSystem:
    return build_system(generated_net)


@pytest.fixture(scope="module")
def options(generated_net: Network) -> Expansions:
    """The options the generator gives the same twin."""
    return expansions_of(generated_net, generate_twin(2000, 1)["expansion_option"])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    surge=st.floats(0.5, 4.0),
    more=st.floats(1.0, 2.0),
    horizon=st.integers(7, 40),
    bucket=st.sampled_from([1, 3, 7]),
    items=st.sets(st.sampled_from(PROGRAMS), min_size=1),
)
def test_plans_are_feasible_and_monotone_in_surge(
    generated_net: Network,
    system: FirmSystem,
    options: Expansions,
    surge: float,
    more: float,
    horizon: int,
    bucket: int,
    items: set[str],
) -> None:
    products = tuple(sorted(items))
    base = plan(generated_net, system, PlanRequest(products, horizon, bucket, surge, expansions=options))
    assert violations(base.plan, generated_net, surge=surge) == []
    bigger = plan(
        generated_net, system, PlanRequest(products, horizon, bucket, surge * more, expansions=options)
    )
    assert violations(bigger.plan, generated_net, surge=surge * more) == []
    first, second = base.result.stages[0], bigger.result.stages[0]
    assert first.name == second.name
    assert second.optimum >= first.optimum * (1 - 1e-7)
