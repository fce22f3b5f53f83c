"""The run summary's most-affected lists."""

from pathlib import Path

import pytest

from arsenalnet.network import Network
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.summary import summarize
from arsenalnet.propagate.system import build_system
from arsenalnet.scenario import compile_scenario, load_scenario

BAN = Path(__file__).parents[2] / "scenarios" / "gallium-germanium-ban.yaml"


def test_regions_are_named_by_country_and_region_or_by_country_alone(generated_net: Network) -> None:
    """The ban hits Chinese plants, which the generator places in no region: they are listed as
    "CHN", US plants as "USA-XX"; every facility's lost days count once, in its region and country."""
    system = build_system(generated_net)
    shocks, params = compile_scenario(load_scenario(BAN), generated_net, 120)
    summary = summarize(generated_net, system, simulate(system, shocks, params), top=10_000)
    names = [r.id for r in summary.regions]
    assert "CHN" in names and any(n.startswith("USA-") for n in names)
    assert not any(n.endswith("-") for n in names)
    assert sum(r.lost_output_days for r in summary.regions) == pytest.approx(
        sum(c.lost_output_days for c in summary.countries)
    )
    assert summary.countries[0].lost_output_days > 0
