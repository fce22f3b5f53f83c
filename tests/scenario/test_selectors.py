"""Every selector key on the tiny twin; which facilities and products match is checked by hand.

Tiny twin facilities: mine (USA, MN, NAICS 2122, Siemens, org:northore), mill-a
(USA, PA, 3311, Rockwell, org:keystone), mill-b (CAN, ON, 3311, Siemens),
forge (USA, PA, 3322, Rockwell + Siemens), powder (CHN, JS, 3259, none),
lap (USA, IA, 3329, Rockwell). Products: ore (raw_material, 2122, HS 260111),
steel (part, 3311, 722490), powder (raw_material, 3259, 360100), body (part,
3322, 930690), shell (end_item, 3329, 930690).
"""

import re

import numpy as np
import pytest

from arsenalnet.network import Network
from arsenalnet.scenario import ScenarioError
from arsenalnet.scenario.model import Selector, SelectorKind
from arsenalnet.scenario.parse import selector
from arsenalnet.scenario.reader import Reader
from arsenalnet.scenario.selectors import select_facilities, select_products
from arsenalnet.scenario.yaml_lines import YMap, load_yaml

SRC = "sel.yaml"


def _selector(text: str, kind: SelectorKind) -> Selector:
    root = load_yaml(f"s: {text}", SRC)
    assert isinstance(root, YMap)
    entry = root.get("s")
    assert entry is not None
    return selector(entry, kind, Reader(SRC))


def facilities(net: Network, text: str) -> list[str]:
    sel = _selector(text, SelectorKind.FACILITY)
    mask = select_facilities(sel, net, SRC)
    return sorted(net.facilities.take(np.flatnonzero(mask)))


def products(net: Network, text: str) -> list[str]:
    sel = _selector(text, SelectorKind.PRODUCT)
    mask = select_products(sel, net, SRC)
    return sorted(net.products.take(np.flatnonzero(mask)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{id: fac:forge}", ["forge"]),
        ("{id: [fac:forge, fac:mine]}", ["forge", "mine"]),
        ("{country: USA}", ["forge", "lap", "mill-a", "mine"]),
        ("{country: [CAN, CHN]}", ["mill-b", "powder"]),
        ("{group: FOREIGN_ADVERSARY}", ["powder"]),
        ("{group: US_FTA}", ["mill-b"]),
        ("{group: [NATO]}", ["forge", "lap", "mill-a", "mill-b", "mine"]),
        ("{region: PA}", ["forge", "mill-a"]),
        ("{region: [ON, IA]}", ["lap", "mill-b"]),  # ON is YAML 1.1 true; kept as written
        ("{naics_prefix: 331}", ["mill-a", "mill-b"]),
        ("{naics_prefix: ['33']}", ["forge", "lap", "mill-a", "mill-b"]),
        ("{naics_prefix: [2122, 3259]}", ["mine", "powder"]),
        ("{control_system: Rockwell ControlLogix}", ["forge", "lap", "mill-a"]),
        ("{control_system: Siemens SIMATIC S7}", ["forge", "mill-b", "mine"]),
        ("{organization: [org:maple, org:eastchem]}", ["mill-b", "powder"]),
        # keys AND together
        ("{country: USA, naics_prefix: '33'}", ["forge", "lap", "mill-a"]),
        ("{control_system: Rockwell ControlLogix, region: PA}", ["forge", "mill-a"]),
        # not: removes
        ("{country: USA, not: {region: PA}}", ["lap", "mine"]),
        ("{not: {group: NATO}}", ["powder"]),
        (
            "{group: NATO, not: {control_system: Siemens SIMATIC S7, not: {id: fac:forge}}}",
            ["forge", "lap", "mill-a"],
        ),
    ],
)
def test_facility_selector(tiny_net: Network, text: str, expected: list[str]) -> None:
    assert facilities(tiny_net, text) == [f"fac:{e}" for e in expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{id: prd:steel}", ["steel"]),
        ("{id: [prd:ore, prd:shell]}", ["ore", "shell"]),
        ("{kind: raw_material}", ["ore", "powder"]),
        ("{kind: [part, end_item]}", ["body", "shell", "steel"]),
        ("{naics_prefix: '33'}", ["body", "shell", "steel"]),
        ("{hs_prefix: '9306'}", ["body", "shell"]),
        ("{hs_prefix: [26, 36]}", ["ore", "powder"]),
        ("{kind: part, hs_prefix: '72'}", ["steel"]),
        ("{hs_prefix: '9306', not: {kind: end_item}}", ["body"]),
    ],
)
def test_product_selector(tiny_net: Network, text: str, expected: list[str]) -> None:
    assert products(tiny_net, text) == [f"prd:{e}" for e in expected]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{country: ATA}", "selector matches no facility"),  # a country without a facility
        ("{country: USA, region: ON}", "selector matches no facility"),
        ("{not: {country: [USA, CAN, CHN]}}", "selector matches no facility"),
        ("{country: [USA, XYZ]}", "unknown country 'XYZ'"),
        ("{id: fac:nowhere}", "unknown facility id 'fac:nowhere'"),
        ("{control_system: Acme PLC}", "unknown control system 'Acme PLC'"),
        ("{organization: org:nobody}", "unknown organization 'org:nobody'"),
        ("{not: {country: XYZ}}", "unknown country 'XYZ'"),
    ],
)
def test_facility_selector_errors(tiny_net: Network, text: str, reason: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{SRC}:1: {reason}')}$"):
        facilities(tiny_net, text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{id: prd:nothing}", "unknown product id 'prd:nothing'"),
        ("{hs_prefix: '01'}", "selector matches no product"),
        ("{kind: end_item, naics_prefix: '2'}", "selector matches no product"),
    ],
)
def test_product_selector_errors(tiny_net: Network, text: str, reason: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{SRC}:1: {reason}')}$"):
        products(tiny_net, text)


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        (
            "{contry: USA}",
            SelectorKind.FACILITY,
            "unknown key 'contry' in a facility selector (did you mean 'country'?); allowed: id, country, "
            "group, region, naics_prefix, control_system, organization, not",
        ),
        (
            "{country: USA}",
            SelectorKind.PRODUCT,
            "unknown key 'country' in a product selector; allowed: id, kind, naics_prefix, hs_prefix, not",
        ),
        (
            "{group: NAT0}",
            SelectorKind.FACILITY,
            "unknown country group 'NAT0'; allowed: NATO, EU, FIVE_EYES, US_FTA, FOREIGN_ADVERSARY",
        ),
        (
            "{kind: widget}",
            SelectorKind.PRODUCT,
            "unknown product kind 'widget'; allowed: raw_material, part, subassembly, end_item",
        ),
        (
            "{}",
            SelectorKind.PRODUCT,
            "empty product selector; give at least one of: id, kind, naics_prefix, hs_prefix, not",
        ),
        ("{region: []}", SelectorKind.FACILITY, "region must not be an empty list"),
        (
            "{region: [{a: b}]}",
            SelectorKind.FACILITY,
            "region must be a string or a list of strings, got a mapping",
        ),
        ("USA", SelectorKind.FACILITY, "s (facility selector) must be a mapping, got 'USA'"),
    ],
)
def test_selector_structure_errors(text: str, kind: SelectorKind, reason: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{SRC}:1: {reason}')}$"):
        _selector(text, kind)


def test_a_selector_error_names_the_line_of_its_key(tiny_net: Network) -> None:
    text = "s:\n  country: USA\n  control_system:\n    - Rockwell ControlLogix\n    - Acme PLC\n"
    root = load_yaml(text, SRC)
    assert isinstance(root, YMap)
    entry = root.get("s")
    assert entry is not None
    sel = selector(entry, SelectorKind.FACILITY, Reader(SRC))
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{SRC}:3: unknown control system')}"):
        select_facilities(sel, tiny_net, SRC)
