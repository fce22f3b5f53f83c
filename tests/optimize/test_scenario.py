"""A scenario's shocks in the plan: the same optima as the what-if that says the same thing."""

from pathlib import Path

import pytest

from arsenalnet.network import Network
from arsenalnet.optimize import PlanRequest, plan
from arsenalnet.optimize.whatif import what_if
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import compile_scenario, load_scenario

SCENARIO = """\
name: powder-trouble
days: 60
shocks:
  - type: {kind}
    {what}
    fraction: {fraction}
    start: 5
"""


@pytest.mark.parametrize(
    ("kind", "what", "fraction", "change"),
    [
        ("capacity_loss", "facilities: {id: [fac:powder]}", 0.5, "shock fac:powder 50% from day 5"),
        (
            "export_ban",
            "from: {country: [CHN]}\n    products: {id: [prd:powder]}",
            1.0,
            "cut fac:powder fac:lap from day 5",
        ),
    ],
)
def test_a_scenario_plans_like_its_what_if(
    tiny_net: Network, tmp_path: Path, kind: str, what: str, fraction: float, change: str
) -> None:
    """Half the powder plant lost from day 5 (or China's powder banned from day 5): planning with the
    scenario gives the optima of the base plan re-solved with the what-if, and fewer shells."""
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(kind=kind, what=what, fraction=fraction))
    shocks, _ = compile_scenario(load_scenario(path), tiny_net, 60)
    system = build_system(tiny_net)
    shocked = plan(
        tiny_net, system, PlanRequest(("prd:shell",), 60, surge=2, shocks=shocks, in_transit=False)
    )
    base = plan(tiny_net, system, PlanRequest(("prd:shell",), 60, surge=2, in_transit=False))
    changed = what_if(base, change)
    assert [s.optimum for s in shocked.result.stages] == pytest.approx(
        [s.optimum for s in changed.result.stages], rel=1e-6
    )
    assert shocked.plan.outcomes()[0].delivered < base.plan.outcomes()[0].delivered
