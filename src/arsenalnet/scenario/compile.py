"""``load_scenario`` reads and checks a scenario file; ``compile_scenario`` turns it into
the engine's :class:`Shocks` and :class:`Params` for one :class:`Network`.

Compiling is two steps: :func:`resolve` matches each shock's selectors on the
network once (the capabilities, links or demand rows it touches), and
:func:`engine_shock` makes the engine's shock from a shock whose values are
fixed. A Monte Carlo sweep (:mod:`arsenalnet.scenario.draws`) resolves once and
makes engine shocks from each draw's values.
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Index, Network
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import CapacityLoss, DemandChange, ExportBan, LinkCut, Scenario, ShockSpec
from arsenalnet.scenario.parse import read_scenario
from arsenalnet.scenario.profiles import demand_factor, profile
from arsenalnet.scenario.reader import Reader
from arsenalnet.scenario.selectors import BoolArray, codes_of, is_in, select_facilities, select_products
from arsenalnet.scenario.yaml_lines import load_yaml

IndexArray = npt.NDArray[np.int64]
EngineShock = CapacityShock | LinkShock | DemandShock


def load_scenario(path: Path) -> Scenario:
    """Read ``path`` and check its structure, types and ranges (not yet its ids).

    Raises :class:`ScenarioError` ``"<path>:<line>: <reason>"``.
    """
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(source, 1, f"cannot read the scenario: {e}") from e
    return read_scenario(load_yaml(text, source), Reader(source))


@dataclass(frozen=True)
class Resolved:
    """A shock matched on a network: ``index`` holds the capabilities (capacity_loss), links
    (export_ban, link_cut) or demand rows (demand_change) it touches, sorted; ``base`` the
    demand rows' base quantity in units/day (what ``set`` divides)."""

    spec: ShockSpec
    index: IndexArray
    base: float = 0.0


def resolve(scenario: Scenario, net: Network) -> tuple[Resolved, ...]:
    """Every shock of ``scenario`` matched on ``net``.

    Every shock must touch at least one capability, link or demand row; an unknown
    id or a selector matching nothing raises :class:`ScenarioError` at its YAML line.
    """
    src = scenario.source
    out = []
    for spec in scenario.shocks:
        if isinstance(spec, CapacityLoss):
            out.append(Resolved(spec, _capabilities(spec, net, src)))
        elif isinstance(spec, ExportBan):
            out.append(Resolved(spec, _ban_links(spec, net, src)))
        elif isinstance(spec, LinkCut):
            out.append(Resolved(spec, _cut_links(spec, net, src)))
        else:
            rows = _demand_rows(spec, net, src)
            base = float(net.demand_qty[rows].sum())
            if spec.set_total is not None and base <= 0:
                reason = "set: the matching demand rows sum to 0 units/day; use scale"
                raise ScenarioError(src, spec.line, reason)
            out.append(Resolved(spec, rows, base))
    return tuple(out)


def engine_shock(spec: ShockSpec, index: IndexArray, base: float, days: int, start: int = 0) -> EngineShock:
    """The engine's shock of ``spec`` (its values as they stand) on ``index`` over ``days`` days,
    acting ``start`` days later than the spec says (an event's start)."""
    first = spec.timing.start + start
    if isinstance(spec, CapacityLoss):
        return CapacityShock(index, profile(days, spec.fraction, first, spec.timing.recovery), spec.label)
    if isinstance(spec, ExportBan | LinkCut):
        return LinkShock(index, profile(days, spec.fraction, first, spec.timing.recovery), spec.label)
    target = spec.scale if spec.scale is not None else (spec.set_total or 0.0) / base
    factor = demand_factor(days, target, first, spec.ramp_days, spec.timing.recovery)
    return DemandShock(index, factor, spec.label)


def as_shocks(days: int, shocks: list[EngineShock]) -> Shocks:
    """``shocks`` sorted by kind into the engine's :class:`Shocks`."""
    return Shocks(
        days,
        tuple(s for s in shocks if isinstance(s, CapacityShock)),
        tuple(s for s in shocks if isinstance(s, LinkShock)),
        tuple(s for s in shocks if isinstance(s, DemandShock)),
    )


def params_of(scenario: Scenario) -> Params:
    """The engine parameters with the scenario's overrides."""
    return dataclasses.replace(Params(), **dict(scenario.params))  # type: ignore[arg-type]


def horizon_of(scenario: Scenario, days: int | None) -> int:
    """``days``, or the scenario's own; an error below 1."""
    horizon = scenario.days if days is None else days
    if horizon < 1:
        raise ScenarioError(scenario.source, scenario.line, f"days must be >= 1, got {horizon}")
    return horizon


def compile_scenario(scenario: Scenario, net: Network, days: int | None = None) -> tuple[Shocks, Params]:
    """The scenario's shocks over ``days`` days (default: the scenario's own), resolved on ``net``,
    and the engine parameters with the scenario's overrides.

    Every shock must touch at least one capability, link or demand row; an unknown
    id or a selector matching nothing raises :class:`ScenarioError` at its YAML line,
    and so does a scenario that draws anything at random (that is a sweep's to run).
    """
    horizon = horizon_of(scenario, days)
    line = scenario.random_line()
    if line is not None:
        raise ScenarioError(
            scenario.source,
            line,
            "this scenario draws at random: run it with `arsenal sweep` "
            "(one draw alone: `arsenal sweep FILE --replay I`)",
        )
    resolved = resolve(scenario, net)
    shocks = [engine_shock(r.spec, r.index, r.base, horizon) for r in resolved]
    return as_shocks(horizon, shocks), params_of(scenario)


def _nonempty(mask: BoolArray, source: str, line: int, reason: str) -> IndexArray:
    idx = np.flatnonzero(mask).astype(np.int64)
    if not len(idx):
        raise ScenarioError(source, line, reason)
    return idx


def _capabilities(spec: CapacityLoss, net: Network, src: str) -> IndexArray:
    mask = select_facilities(spec.facilities, net, src)[net.cap_facility]
    if spec.products is not None:
        mask &= select_products(spec.products, net, src)[net.cap_product]
    return _nonempty(mask, src, spec.line, "capacity_loss matches no capability (facility making product)")


def _ban_links(spec: ExportBan, net: Network, src: str) -> IndexArray:
    mask = select_facilities(spec.suppliers, net, src)[net.link_supplier]
    mask &= select_products(spec.products, net, src)[net.link_product]
    if spec.buyers is None:
        mask &= net.facility_country[net.link_buyer] != net.facility_country[net.link_supplier]
    else:
        mask &= select_facilities(spec.buyers, net, src)[net.link_buyer]
    return _nonempty(mask, src, spec.line, "export_ban matches no supply link")


def _cut_links(spec: LinkCut, net: Network, src: str) -> IndexArray:
    mask = np.ones(net.n_links, dtype=bool)
    if spec.suppliers is not None:
        mask &= select_facilities(spec.suppliers, net, src)[net.link_supplier]
    if spec.buyers is not None:
        mask &= select_facilities(spec.buyers, net, src)[net.link_buyer]
    if spec.products is not None:
        mask &= select_products(spec.products, net, src)[net.link_product]
    if spec.modes is not None:
        mask &= is_in(net.link_mode, spec.modes.values)
    return _nonempty(mask, src, spec.line, "link_cut matches no supply link")


def _demand_rows(spec: DemandChange, net: Network, src: str) -> IndexArray:
    mask = select_products(spec.products, net, src)[net.demand_product]
    if spec.customers is not None:
        customers = Index.of(net.demand_customer)
        wanted = codes_of(customers, spec.customers, "customer", src)
        mask &= np.isin(customers.codes(net.demand_customer), wanted)
    return _nonempty(mask, src, spec.line, "demand_change matches no demand row")
