"""The scenario files in scenarios/ load and compile on a generated twin (2,000 facilities): four
deterministic ones, and pacific-conflict.yaml, drawn at random for sweeps."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from arsenalnet.network import Network
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, LinkShock
from arsenalnet.scenario import compile_scenario, load_scenario
from arsenalnet.scenario.draws import Target, prepare

SCENARIOS = Path(__file__).parents[2] / "scenarios"
SHIPPED = [
    "155mm-surge.yaml",
    "gallium-germanium-ban.yaml",
    "gulf-coast-hurricane.yaml",
    "ics-cyberattack.yaml",
]
DRAWN = ["pacific-conflict.yaml"]


def test_the_shipped_set() -> None:
    assert sorted(p.name for p in SCENARIOS.glob("*.yaml")) == sorted(SHIPPED + DRAWN)


@pytest.mark.parametrize("name", SHIPPED)
def test_loads_and_compiles(generated_net: Network, name: str) -> None:
    scenario = load_scenario(SCENARIOS / name)
    assert scenario.name == name.removesuffix(".yaml")
    assert scenario.days == 365 and len(scenario.description) > 80
    shocks, params = compile_scenario(scenario, generated_net)
    assert params == Params() and shocks.days == 365
    events = [*shocks.capacity, *shocks.links, *shocks.demand]
    assert events
    for s in shocks.capacity:
        assert len(s.nodes) and s.loss.shape == (365,) and s.loss.max() > 0
    for s in shocks.links:
        assert len(s.links) and s.blocked.shape == (365,) and s.blocked.max() > 0
    for s in shocks.demand:
        assert len(s.rows) and s.factor.shape == (365,) and (s.factor != 1).any()


def _countries(net: Network, facilities: np.ndarray) -> set[str]:
    return set(net.countries.take(net.facility_country[facilities]))


def test_gallium_germanium_ban(generated_net: Network) -> None:
    net = generated_net
    shocks, _ = compile_scenario(load_scenario(SCENARIOS / "gallium-germanium-ban.yaml"), net)
    (ban,) = shocks.links
    assert _countries(net, net.link_supplier[ban.links]) <= {"CHN", "HKG"}
    assert not _countries(net, net.link_buyer[ban.links]) & {"CHN", "HKG"}
    minerals = {"prd:cm-gallium", "prd:cm-germanium", "prd:germanium-metal", "prd:gallium-arsenide-wafer"}
    assert set(net.products.take(net.link_product[ban.links])) <= minerals
    # The reference GaAs fab and germanium refinery in China ship to U.S. plants.
    suppliers = set(net.facilities.take(net.link_supplier[ban.links]))
    assert {"fac:ref-gaas-cn", "fac:ref-gewafer-cn"} <= suppliers
    assert (ban.blocked == 1).all()
    # Every CHN/HKG export of these products is banned, nothing else.
    chn = np.isin(net.countries.take(net.facility_country[net.link_supplier]), ["CHN", "HKG"])
    abroad = ~np.isin(net.countries.take(net.facility_country[net.link_buyer]), ["CHN", "HKG"])
    of = np.isin(net.products.take(net.link_product), sorted(minerals))
    assert ban.links.tolist() == np.flatnonzero(chn & abroad & of).tolist()


def test_gulf_coast_hurricane(generated_net: Network) -> None:
    net = generated_net
    shocks, _ = compile_scenario(load_scenario(SCENARIOS / "gulf-coast-hurricane.yaml"), net)
    chem, other = shocks.capacity
    assert not np.intersect1d(chem.nodes, other.nodes).size
    for shock in (chem, other):
        facilities = net.cap_facility[shock.nodes]
        regions = set(net.facility_region.take(pa.array(facilities)).to_pylist())
        assert regions <= {"TX", "LA", "MS"} and _countries(net, facilities) == {"USA"}
    gulf = np.isin(net.facility_region.to_numpy(zero_copy_only=False), ["TX", "LA", "MS"])
    gulf &= np.asarray(net.countries.take(net.facility_country)) == "USA"
    assert np.union1d(chem.nodes, other.nodes).tolist() == np.flatnonzero(gulf[net.cap_facility]).tolist()
    naics = net.facility_naics.take(pa.array(net.cap_facility[chem.nodes])).to_pylist()
    assert all(n.startswith(("324", "325")) for n in naics)
    # day 9 none; day 10 full; hold 5 days; then down over 60 days: zero from day 75.
    assert (chem.loss[[9, 10, 15, 45, 75]].round(6) == [0, 0.6, 0.6, 0.3, 0]).all()
    assert (other.loss[[9, 10, 15, 45, 75]].round(6) == [0, 0.4, 0.4, 0.2, 0]).all()


def test_ics_cyberattack(generated_net: Network) -> None:
    net = generated_net
    shocks, _ = compile_scenario(load_scenario(SCENARIOS / "ics-cyberattack.yaml"), net)
    (down,) = shocks.capacity
    rockwell = net.control_systems.position("Rockwell ControlLogix")
    runs_it = {
        f
        for f in range(net.n_facilities)
        if rockwell in net.control_index[net.control_indptr[f] : net.control_indptr[f + 1]]
    }
    assert set(net.cap_facility[down.nodes].tolist()) == runs_it & set(net.cap_facility.tolist())
    assert down.loss[:14].tolist() == [1.0] * 14 and not down.loss[14:].any()


def test_155mm_surge(generated_net: Network) -> None:
    net = generated_net
    shocks, _ = compile_scenario(load_scenario(SCENARIOS / "155mm-surge.yaml"), net)
    (surge,) = shocks.demand
    assert set(net.products.take(net.demand_product[surge.rows])) == {"prd:155mm-shell"}
    assert surge.factor[[0, 15, 30, 364]].tolist() == [1.0, 2.0, 3.0, 3.0]


def test_pacific_conflict(generated_net: Network) -> None:
    """The crisis occurs in about 30% of draws and the earthquake in about 10%; in a draw with
    the crisis, Taiwan's and the PRC's exports are cut and some Taiwanese plants hit."""
    net = generated_net
    scenario = load_scenario(SCENARIOS / "pacific-conflict.yaml")
    assert scenario.days == 180 and scenario.random_line() is not None and len(scenario.description) > 80
    plan = prepare(scenario, net)
    draws = [plan.draw(scenario.seed, i, Target.whole(net)) for i in range(400)]
    occurred = np.array([d.occurred for d in draws])
    assert [e.name for e in scenario.events] == ["strait-crisis", "japan-earthquake"]
    assert abs(occurred[:, 0].mean() - 0.3) < 0.07 and abs(occurred[:, 1].mean() - 0.1) < 0.05
    crisis = next(d for d in draws if d.occurred[0] and not d.occurred[1])
    labels = {s.label for s in crisis.shocks}
    assert {"Blockade of Taiwan", "PRC embargo on materials, parts and subassemblies"} <= labels
    hit = {s.label for s in crisis.shocks if isinstance(s, CapacityShock)}
    assert hit == {"Outages at Taiwanese plants"}
    blockade = next(s for s in crisis.shocks if s.label == "Blockade of Taiwan")
    assert isinstance(blockade, LinkShock)
    assert _countries(net, net.link_supplier[blockade.links]) == {"TWN"}
    quiet = next(d for d in draws if not d.occurred.any())
    assert quiet.shocks == []
