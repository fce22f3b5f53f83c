"""``load_scenario`` reads and checks a scenario file; ``compile_scenario`` turns it into
the engine's :class:`Shocks` and :class:`Params` for one :class:`Network`."""

import dataclasses
from pathlib import Path

import numpy as np
import numpy.typing as npt

from arsenalnet.network import Index, Network
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import CapacityLoss, DemandChange, ExportBan, LinkCut, Scenario
from arsenalnet.scenario.parse import Reader, read_scenario
from arsenalnet.scenario.profiles import demand_factor, profile
from arsenalnet.scenario.selectors import BoolArray, codes_of, is_in, select_facilities, select_products
from arsenalnet.scenario.yaml_lines import load_yaml

IndexArray = npt.NDArray[np.int64]


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


def compile_scenario(scenario: Scenario, net: Network, days: int | None = None) -> tuple[Shocks, Params]:
    """The scenario's shocks over ``days`` days (default: the scenario's own), resolved on ``net``,
    and the engine parameters with the scenario's overrides.

    Every shock must touch at least one capability, link or demand row; an unknown
    id or a selector matching nothing raises :class:`ScenarioError` at its YAML line.
    """
    horizon = scenario.days if days is None else days
    if horizon < 1:
        raise ScenarioError(scenario.source, scenario.line, f"days must be >= 1, got {horizon}")
    src = scenario.source
    capacity: list[CapacityShock] = []
    links: list[LinkShock] = []
    demand: list[DemandShock] = []
    for spec in scenario.shocks:
        if isinstance(spec, CapacityLoss):
            nodes = _capabilities(spec, net, src)
            loss = profile(horizon, spec.fraction, spec.timing.start, spec.timing.recovery)
            capacity.append(CapacityShock(nodes, loss, spec.label))
        elif isinstance(spec, ExportBan | LinkCut):
            chosen = _ban_links(spec, net, src) if isinstance(spec, ExportBan) else _cut_links(spec, net, src)
            blocked = profile(horizon, spec.fraction, spec.timing.start, spec.timing.recovery)
            links.append(LinkShock(chosen, blocked, spec.label))
        else:
            rows, target = _demand_rows(spec, net, src)
            factor = demand_factor(horizon, target, spec.timing.start, spec.ramp_days, spec.timing.recovery)
            demand.append(DemandShock(rows, factor, spec.label))
    params = dataclasses.replace(Params(), **dict(scenario.params))  # type: ignore[arg-type]
    return Shocks(horizon, tuple(capacity), tuple(links), tuple(demand)), params


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


def _demand_rows(spec: DemandChange, net: Network, src: str) -> tuple[IndexArray, float]:
    mask = select_products(spec.products, net, src)[net.demand_product]
    if spec.customers is not None:
        customers = Index.of(net.demand_customer)
        wanted = codes_of(customers, spec.customers, "customer", src)
        mask &= np.isin(customers.codes(net.demand_customer), wanted)
    rows = _nonempty(mask, src, spec.line, "demand_change matches no demand row")
    if spec.scale is not None:
        return rows, spec.scale
    assert spec.set_total is not None  # parse guarantees exactly one of scale and set
    base = float(net.demand_qty[rows].sum())
    if base <= 0:
        raise ScenarioError(src, spec.line, "set: the matching demand rows sum to 0 units/day; use scale")
    return rows, spec.set_total / base
