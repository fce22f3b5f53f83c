"""A folder of broken scenario files, each pinned to its exact ``file:line: reason``.

Structural faults are caught by ``load_scenario``; those that need the network
(unknown ids, selectors matching nothing) by ``compile_scenario`` on the tiny twin.
"""

import re
from pathlib import Path

import pytest

from arsenalnet.network import Network
from arsenalnet.scenario import ScenarioError, compile_scenario, load_scenario

BAD = Path(__file__).parent / "bad"

LOAD_ERRORS = [
    (
        "unknown-key.yaml",
        3,
        "unknown key 'descripton' in the scenario (did you mean 'description'?); "
        "allowed: name, description, days, seed, params, events, shocks",
    ),
    (
        "misspelled-type.yaml",
        4,
        "unknown shock type 'capacity_los' (did you mean 'capacity_loss'?); "
        "allowed: capacity_loss, demand_change, export_ban, link_cut",
    ),
    (
        "unknown-shock-key.yaml",
        7,
        "unknown key 'until' in export_ban; "
        "allowed: type, label, event, start, recovery, from, to, products, fraction",
    ),
    ("fraction-too-big.yaml", 6, "fraction must be a number in [0, 1], got 1.5"),
    ("negative-start.yaml", 7, "start must be an integer >= 0, got -3"),
    ("negative-scale.yaml", 6, "scale must be a number >= 0, got -1"),
    ("days-zero.yaml", 2, "days must be an integer >= 1, got 0"),
    ("string-days.yaml", 2, "days must be an integer >= 1, got 'a year'"),
    (
        "bad-syntax.yaml",
        6,
        "invalid YAML: expected ',' or '}', but got ':' (while parsing a flow mapping at line 5)",
    ),
    (
        "bad-indent.yaml",
        6,
        "invalid YAML: expected <block end>, but found '<block mapping start>' "
        "(while parsing a block collection at line 4)",
    ),
    (
        "two-documents.yaml",
        3,
        "invalid YAML: expected a single document in the stream, but found another document",
    ),
    ("duplicate-key.yaml", 8, "duplicate key 'fraction' (first at line 6)"),
    ("set-and-scale.yaml", 4, "demand_change takes exactly one of 'scale' and 'set'"),
    (
        "unknown-param.yaml",
        4,
        "unknown param 'restore_dayz' (did you mean 'restore_days'?); allowed: restore_days, switch_days",
    ),
    ("param-type.yaml", 5, "switch_days must be an integer >= 0, got 2.5"),
    ("missing-name.yaml", 1, "missing key 'name' in the scenario"),
    ("missing-fraction.yaml", 4, "missing key 'fraction' in capacity_loss"),
    ("missing-facilities.yaml", 4, "missing key 'facilities' in capacity_loss"),
    ("not-a-mapping.yaml", 1, "a scenario must be a mapping, got a list"),
    ("empty.yaml", 1, "the scenario file is empty"),
    ("shocks-not-a-list.yaml", 4, "shocks must be a list, got a mapping"),
    (
        "unknown-mode.yaml",
        5,
        "unknown transport mode 'boat'; allowed: truck, rail, sea, air, pipeline, internal",
    ),
    ("unknown-recovery.yaml", 8, "unknown recovery type 'exponential'; allowed: step, linear, table"),
    ("step-after-zero.yaml", 7, "after must be an integer >= 1, got 0"),
    ("table-fraction.yaml", 11, "the fraction at day 30 must be a number in [0, 1], got 1.2"),
    (
        "link-cut-unbounded.yaml",
        4,
        "link_cut needs at least one of 'suppliers', 'buyers', 'products', 'mode'",
    ),
    # distributions, probabilities, events (docs/sweeps.md)
    ("beta-a-zero.yaml", 6, "beta a must be a number > 0, got 0"),
    ("lognormal-sigma-negative.yaml", 9, "lognormal sigma must be a number >= 0, got -0.5"),
    ("probability-too-big.yaml", 7, "probability must be a number in [0, 1], got 1.2"),
    ("rule-p-too-big.yaml", 9, "p must be a number in [0, 1], got -0.1"),
    (
        "unknown-distribution.yaml",
        7,
        "unknown distribution 'betta' (did you mean 'beta'?); allowed: beta, lognormal, triangular, uniform",
    ),
    (
        "lognormal-fraction.yaml",
        6,
        "fraction cannot be lognormal: its draws may exceed 1; use beta, uniform or triangular",
    ),
    ("uniform-reversed.yaml", 6, "uniform needs low < high, got low 5, high 2"),
    (
        "triangular-mode-outside.yaml",
        7,
        "triangular needs low <= mode <= high and low < high, got 1, 5, 3",
    ),
    ("start-uniform-negative.yaml", 6, "uniform low must be a number >= 0, got -5"),
    (
        "unknown-distribution-key.yaml",
        11,
        "unknown key 'mean' in lognormal (did you mean 'median'?); allowed: median, sigma",
    ),
    (
        "two-distributions.yaml",
        7,
        "fraction must be a number or one distribution (beta, lognormal, triangular, uniform), "
        "e.g. {beta: {a: 2, b: 5}}",
    ),
    ("unknown-event.yaml", 7, "unknown event 'quak' (did you mean 'quake'?); declared: quake"),
    ("unused-event.yaml", 5, "event 'flood' is declared but no shock names it"),
    ("event-without-probability.yaml", 5, "missing key 'probability' in event 'quake'"),
    ("correlation-alone.yaml", 7, "correlation needs a probability (which facilities are hit)"),
    (
        "probability-on-a-ban.yaml",
        7,
        "unknown key 'probability' in export_ban; "
        "allowed: type, label, event, start, recovery, from, to, products, fraction",
    ),
]

COMPILE_ERRORS = [
    ("matches-nothing.yaml", 5, "selector matches no facility"),
    ("unknown-country.yaml", 6, "unknown country 'XYZ'"),
    ("unknown-product.yaml", 6, "unknown product id 'prd:unobtainium'"),
    ("unknown-control-system.yaml", 6, "unknown control system 'Rockwell ControlLogic'"),
]


def exactly(path: Path, line: int, reason: str) -> str:
    return f"^{re.escape(f'{path}:{line}: {reason}')}$"


@pytest.mark.parametrize(("name", "line", "reason"), LOAD_ERRORS, ids=[c[0] for c in LOAD_ERRORS])
def test_load_refuses(name: str, line: int, reason: str) -> None:
    path = BAD / name
    with pytest.raises(ScenarioError, match=exactly(path, line, reason)) as info:
        load_scenario(path)
    assert (info.value.file, info.value.line, info.value.exit_code) == (str(path), line, 2)


@pytest.mark.parametrize(("name", "line", "reason"), COMPILE_ERRORS, ids=[c[0] for c in COMPILE_ERRORS])
def test_compile_refuses(tiny_net: Network, name: str, line: int, reason: str) -> None:
    path = BAD / name
    scenario = load_scenario(path)  # the structure is fine
    with pytest.raises(ScenarioError, match=exactly(path, line, reason)):
        compile_scenario(scenario, tiny_net)


def test_every_bad_file_is_pinned() -> None:
    pinned = {c[0] for c in LOAD_ERRORS + COMPILE_ERRORS}
    assert pinned == {p.name for p in BAD.glob("*.yaml")}


def test_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{missing}:1: cannot read the scenario: ')}"):
        load_scenario(missing)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: caf\xe9\ndays: 3\n")
    with pytest.raises(ScenarioError, match=f"^{re.escape(f'{latin}:1: cannot read the scenario: ')}.*utf-8"):
        load_scenario(latin)
