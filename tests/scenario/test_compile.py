"""Each shock type compiled on the tiny twin to the right indices and profiles.

Tiny twin links: mine -> mill-a (ore, rail), mine -> mill-b (ore, rail, USA -> CAN),
mill-a -> forge (steel, truck), mill-b -> forge (steel, truck, CAN -> USA),
forge -> lap (body, truck), powder -> lap (powder, sea, CHN -> USA).
Capabilities: mine/ore, mill-a/steel, mill-b/steel, forge/body, powder/powder,
lap/shell. Demand: one row, prd:shell for prog:army-artillery, 150 a day.
"""

import dataclasses
import re
from pathlib import Path
from textwrap import dedent

import numpy as np
import pytest

from arsenalnet.model.errors import InputError
from arsenalnet.network import Network
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.scenario import Scenario, ScenarioError, compile_scenario, load_scenario
from arsenalnet.scenario.model import CapacityLoss, Timing
from arsenalnet.scenario.profiles import Linear


def scenario(tmp_path: Path, shocks: str, extra: str = "") -> Scenario:
    """A scenario of 6 days with the given ``shocks:`` items (YAML, indented by 2)."""
    path = tmp_path / "s.yaml"
    path.write_text(f"name: t\ndays: 6\n{extra}shocks:\n" + dedent(shocks))
    return load_scenario(path)


def run(tmp_path: Path, net: Network, shocks: str, extra: str = "") -> tuple[Shocks, Params]:
    return compile_scenario(scenario(tmp_path, shocks, extra), net)


def cap_pairs(net: Network, nodes: np.ndarray) -> list[tuple[str, str]]:
    return sorted(
        zip(
            net.facilities.take(net.cap_facility[nodes]),
            net.products.take(net.cap_product[nodes]),
            strict=True,
        )
    )


def link_triples(net: Network, links: np.ndarray) -> list[tuple[str, str, str]]:
    return sorted(
        zip(
            net.facilities.take(net.link_supplier[links]),
            net.facilities.take(net.link_buyer[links]),
            net.products.take(net.link_product[links]),
            strict=True,
        )
    )


def test_capacity_loss_on_facilities_and_products(tmp_path: Path, tiny_net: Network) -> None:
    shocks, params = run(
        tmp_path,
        tiny_net,
        """\
        - type: capacity_loss
          facilities: {country: USA}
          products: {kind: part}
          fraction: 0.5
          start: 1
          recovery: {type: linear, days: 2, hold: 1}
        """,
    )
    assert params == Params()
    assert shocks.days == 6 and not shocks.links and not shocks.demand
    (shock,) = shocks.capacity
    assert cap_pairs(tiny_net, shock.nodes) == [("fac:forge", "prd:body"), ("fac:mill-a", "prd:steel")]
    # start 1, hold 1, down over 2 days: 0, .5, .5, .25, 0, 0
    assert shock.loss.tolist() == [0, 0.5, 0.5, 0.25, 0, 0]
    assert shock.label == "capacity_loss (line 4)"
    assert shock.nodes.dtype == np.int64


def test_capacity_loss_without_products_takes_every_capability(tmp_path: Path, tiny_net: Network) -> None:
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - type: capacity_loss
          label: PA down
          facilities: {region: PA}
          fraction: 1
          recovery: {type: step, after: 2}
        """,
    )
    (shock,) = shocks.capacity
    assert shock.label == "PA down"
    assert cap_pairs(tiny_net, shock.nodes) == [("fac:forge", "prd:body"), ("fac:mill-a", "prd:steel")]
    assert shock.loss.tolist() == [1, 1, 0, 0, 0, 0]
    assert shocks.capacity_factor(len(tiny_net.cap_facility), 0)[shock.nodes].tolist() == [0, 0]


def test_export_ban_default_buyers_are_in_other_countries(tmp_path: Path, tiny_net: Network) -> None:
    # USA suppliers of ore and steel: mine -> mill-a (USA buyer, kept out), mine -> mill-b (CAN),
    # mill-a -> forge (USA, kept out).
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - type: export_ban
          from: {country: USA}
          products: {id: [prd:ore, prd:steel]}
        """,
    )
    (shock,) = shocks.links
    assert link_triples(tiny_net, shock.links) == [("fac:mine", "fac:mill-b", "prd:ore")]
    assert shock.blocked.tolist() == [1.0] * 6


def test_export_ban_with_buyers_and_fraction(tmp_path: Path, tiny_net: Network) -> None:
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - type: export_ban
          from: {group: FOREIGN_ADVERSARY}
          to: {id: fac:lap}
          products: {kind: raw_material}
          fraction: 0.75
          start: 4
        """,
    )
    (shock,) = shocks.links
    assert link_triples(tiny_net, shock.links) == [("fac:powder", "fac:lap", "prd:powder")]
    assert shock.blocked.tolist() == [0, 0, 0, 0, 0.75, 0.75]


def test_export_ban_matching_no_link(tmp_path: Path, tiny_net: Network) -> None:
    # CHN makes powder only, which it ships to lap; no CHN link carries steel.
    s = scenario(
        tmp_path,
        """\
        - type: export_ban
          from: {country: CHN}
          products: {id: prd:steel}
        """,
    )
    with pytest.raises(
        ScenarioError, match=f"^{re.escape(f'{s.source}:4: export_ban matches no supply link')}$"
    ):
        compile_scenario(s, tiny_net)


@pytest.mark.parametrize(
    ("cut", "expected"),
    [
        ("mode: sea", [("fac:powder", "fac:lap", "prd:powder")]),
        (
            "mode: [rail, sea]",
            [
                ("fac:mine", "fac:mill-a", "prd:ore"),
                ("fac:mine", "fac:mill-b", "prd:ore"),
                ("fac:powder", "fac:lap", "prd:powder"),
            ],
        ),
        (
            "buyers: {id: fac:forge}",
            [("fac:mill-a", "fac:forge", "prd:steel"), ("fac:mill-b", "fac:forge", "prd:steel")],
        ),
        ("suppliers: {country: CAN}", [("fac:mill-b", "fac:forge", "prd:steel")]),
        ("products: {id: prd:body}", [("fac:forge", "fac:lap", "prd:body")]),
        (
            "suppliers: {id: fac:mine}\n  buyers: {country: USA}\n  mode: rail",
            [("fac:mine", "fac:mill-a", "prd:ore")],
        ),
    ],
)
def test_link_cut(tmp_path: Path, tiny_net: Network, cut: str, expected: list[tuple[str, str, str]]) -> None:
    shocks, _ = run(
        tmp_path,
        tiny_net,
        "- type: link_cut\n  fraction: 0.5\n  start: 2\n  " + cut + "\n",
    )
    (shock,) = shocks.links
    assert link_triples(tiny_net, shock.links) == expected
    assert shock.blocked.tolist() == [0, 0, 0.5, 0.5, 0.5, 0.5]


def test_link_cut_matching_no_link(tmp_path: Path, tiny_net: Network) -> None:
    s = scenario(tmp_path, "- type: link_cut\n  products: {id: prd:ore}\n  mode: truck\n")
    with pytest.raises(
        ScenarioError, match=f"^{re.escape(f'{s.source}:4: link_cut matches no supply link')}$"
    ):
        compile_scenario(s, tiny_net)


def test_demand_scale_with_ramp(tmp_path: Path, tiny_net: Network) -> None:
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - type: demand_change
          products: {kind: end_item}
          customer: prog:army-artillery
          scale: 3
          ramp_days: 2
          start: 1
        """,
    )
    (shock,) = shocks.demand
    assert shock.rows.tolist() == [0]
    assert shock.factor.tolist() == [1, 1, 2, 3, 3, 3]


def test_demand_set_spreads_a_total(tmp_path: Path, tiny_net: Network) -> None:
    # 150 a day set to 75: factor 0.5 at once, back to 1 after 3 days.
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - type: demand_change
          products: {id: prd:shell}
          set: 75
          recovery: {type: step, after: 3}
        """,
    )
    (shock,) = shocks.demand
    assert shock.factor.tolist() == [0.5, 0.5, 0.5, 1, 1, 1]
    assert shocks.demand_factor(1, 0).tolist() == [0.5]


def test_demand_set_on_rows_summing_to_zero(tmp_path: Path, tiny_net: Network) -> None:
    s = scenario(tmp_path, "- type: demand_change\n  products: {id: prd:shell}\n  set: 10\n")
    zero = dataclasses.replace(tiny_net, demand_qty=np.zeros(1))
    reason = "set: the matching demand rows sum to 0 units/day; use scale"
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{s.source}:4: {reason}')}$"):
        compile_scenario(s, zero)


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ("  customer: prog:navy\n", "7: unknown customer 'prog:navy'"),
        ("", None),
    ],
)
def test_demand_rows_must_exist(tmp_path: Path, tiny_net: Network, extra: str, reason: str | None) -> None:
    s = scenario(tmp_path, "- type: demand_change\n  products: {id: prd:steel}\n  scale: 2\n" + extra)
    if reason is None:
        reason = "4: demand_change matches no demand row"
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{s.source}:{reason}')}$"):
        compile_scenario(s, tiny_net)


def test_params_override_and_days_override(tmp_path: Path, tiny_net: Network) -> None:
    s = scenario(
        tmp_path,
        "- type: capacity_loss\n  facilities: {id: fac:mine}\n  fraction: 0.2\n",
        extra="seed: 7\nparams:\n  restore_days: 4\n  switch_days: 3\n",
    )
    assert s.seed == 7 and s.days == 6
    shocks, params = compile_scenario(s, tiny_net, days=3)
    assert params == Params(restore_days=4.0, switch_days=3)
    assert isinstance(params.restore_days, float)
    assert shocks.days == 3 and shocks.capacity[0].loss.tolist() == [0.2, 0.2, 0.2]
    with pytest.raises(ScenarioError, match=r"s\.yaml:1: days must be >= 1, got 0$"):
        compile_scenario(s, tiny_net, days=0)


def test_several_shocks_keep_their_order_and_kinds(tmp_path: Path, tiny_net: Network) -> None:
    shocks, _ = run(
        tmp_path,
        tiny_net,
        """\
        - {type: capacity_loss, facilities: {id: fac:mine}, fraction: 0.1}
        - {type: link_cut, mode: sea}
        - {type: capacity_loss, facilities: {id: fac:lap}, fraction: 0.3}
        - {type: demand_change, products: {id: prd:shell}, scale: 2}
        """,
    )
    assert [s.label for s in shocks.capacity] == ["capacity_loss (line 4)", "capacity_loss (line 6)"]
    assert [len(s.links) for s in shocks.links] == [1]
    assert [s.factor[0] for s in shocks.demand] == [2.0]


def test_a_scenario_without_shocks_is_a_baseline(tmp_path: Path, tiny_net: Network) -> None:
    path = tmp_path / "base.yaml"
    path.write_text("name: baseline\ndescription: nothing happens\ndays: 30\n")
    s = load_scenario(path)
    assert (s.name, s.description, s.days, s.seed, s.shocks) == ("baseline", "nothing happens", 30, 0, ())
    shocks, params = compile_scenario(s, tiny_net)
    assert shocks == Shocks(30) and params == Params()


def test_a_typed_scenario_built_in_python_compiles(tiny_net: Network) -> None:
    from arsenalnet.scenario.model import Clause, Selector, SelectorKind

    sel = Selector(SelectorKind.FACILITY, (Clause("country", ("CAN",), 3),), None, 3)
    spec = CapacityLoss(2, "mill-b", sel, None, 0.5, Timing(0, Linear(days=4)))
    s = Scenario("py", "", 5, 0, {}, (spec,), source="py.yaml")
    shocks, _ = compile_scenario(s, tiny_net)
    assert cap_pairs(tiny_net, shocks.capacity[0].nodes) == [("fac:mill-b", "prd:steel")]
    assert shocks.capacity[0].loss.tolist() == [0.5, 0.375, 0.25, 0.125, 0]


def test_scenario_error_is_an_input_error() -> None:
    err = ScenarioError("a.yaml", 3, "bad")
    assert isinstance(err, InputError) and err.exit_code == 2
    assert (str(err), err.file, err.line, err.reason) == ("a.yaml:3: bad", "a.yaml", 3, "bad")
