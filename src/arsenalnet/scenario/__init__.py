"""Scenarios: the YAML scenario format, selectors over the network, profiles over days.

Typical use::

    from arsenalnet.scenario import load_scenario, compile_scenario
    shocks, params = compile_scenario(load_scenario(path), net)

See ``docs/scenarios.md`` for the format.
"""

from arsenalnet.scenario.compile import compile_scenario, load_scenario
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import Scenario

__all__ = ["Scenario", "ScenarioError", "compile_scenario", "load_scenario"]
