"""Running a scenario on a compiled network: the library call behind ``arsenal simulate``."""

from collections.abc import Callable
from dataclasses import dataclass

from arsenalnet.network import Network
from arsenalnet.propagate.firm import Backend, Trajectory, simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.propagate.summary import SimulationSummary, summarize
from arsenalnet.propagate.system import FirmSystem, build_system
from arsenalnet.scenario.compile import compile_scenario
from arsenalnet.scenario.draws import compile_draw
from arsenalnet.scenario.model import Scenario


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario's run: the system it ran on, its day-by-day trajectory and summary."""

    scenario: Scenario
    system: FirmSystem
    trajectory: Trajectory
    summary: SimulationSummary


def run_scenario(
    net: Network,
    scenario: Scenario,
    days: int | None = None,
    *,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    backend: Backend | str = Backend.CPU,
) -> ScenarioRun:
    """Compile ``scenario`` on ``net`` and simulate it for ``days`` (default: the scenario's)
    on ``backend`` (see :class:`~arsenalnet.propagate.firm.Backend`)."""
    shocks, params = compile_scenario(scenario, net, days)
    return run_shocks(net, scenario, shocks, params, record=record, progress=progress, backend=backend)


def replay_draw(
    net: Network,
    scenario: Scenario,
    seed: int,
    index: int,
    days: int | None = None,
    *,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ScenarioRun:
    """Draw ``index`` of a sweep of ``scenario`` with ``seed``, alone, on the whole twin."""
    shocks, params = compile_draw(scenario, net, seed, index, days)
    return run_shocks(net, scenario, shocks, params, record=record, progress=progress)


def run_shocks(
    net: Network,
    scenario: Scenario,
    shocks: Shocks,
    params: Params,
    *,
    record: bool = True,
    progress: Callable[[int], None] | None = None,
    backend: Backend | str = Backend.CPU,
) -> ScenarioRun:
    """Simulate ``shocks`` (compiled from ``scenario``) on the whole of ``net`` on ``backend``."""
    system = build_system(net)
    trajectory = simulate(system, shocks, params, record=record, progress=progress, backend=backend)
    return ScenarioRun(scenario, system, trajectory, summarize(net, system, trajectory))
