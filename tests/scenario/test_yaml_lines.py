"""Located YAML: every key, item and scalar keeps its 1-based line; duplicates refused."""

import re

import pytest

from arsenalnet.scenario import ScenarioError
from arsenalnet.scenario.yaml_lines import YList, YMap, YScalar, describe, load_yaml

TEXT = """\
# a comment on line 1
name: demo
shocks:
  - type: a
    fraction: 0.5
  - {type: b, region: ON}
points: {0: 1.0, 30: 0.5}
"""


def test_lines_of_keys_items_and_scalars() -> None:
    root = load_yaml(TEXT, "t.yaml")
    assert isinstance(root, YMap) and root.line == 2
    assert [(e.key, e.key_line) for e in root.entries] == [("name", 2), ("shocks", 3), ("points", 7)]
    shocks = root.get("shocks")
    assert shocks is not None and isinstance(shocks.value, YList)
    first, second = shocks.value.items
    assert isinstance(first, YMap) and isinstance(second, YMap)
    assert (first.line, second.line) == (4, 6)
    fraction = first.get("fraction")
    assert fraction is not None and fraction.key_line == 5
    assert fraction.value == YScalar(0.5, "0.5", 5)
    region = second.get("region")
    assert region is not None and region.value == YScalar(True, "ON", 6)  # YAML 1.1 reads ON as true
    points = root.get("points")
    assert points is not None and isinstance(points.value, YMap)
    assert [e.key for e in points.value.entries] == [0, 30]
    assert root.get("missing") is None


def test_describe() -> None:
    root = load_yaml("a: x\nb: 3\nc:\nd: [1]\ne: {f: 1}\n", "t.yaml")
    assert isinstance(root, YMap)
    assert [describe(e.value) for e in root.entries] == ["'x'", "3", "nothing (null)", "a list", "a mapping"]


def test_empty_document() -> None:
    assert load_yaml("", "t.yaml") is None
    assert load_yaml("# only a comment\n", "t.yaml") is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb:\n  c: 2\n  c: 3\n", "t.yaml:4: duplicate key 'c' (first at line 3)"),
        ("- {x: 1, x: 2}\n", "t.yaml:1: duplicate key 'x' (first at line 1)"),
        ("points: {0: 1, 0: 2}\n", "t.yaml:1: duplicate key '0' (first at line 1)"),
        ("? [a, b]\n: 1\n", "t.yaml:1: a mapping key must be a plain value"),
        ("a: !!python/object:os.system x\n", "t.yaml:1: invalid YAML: could not determine a constructor"),
        ("a: [1, 2\n", "t.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=f"^{re.escape(message)}"):
        load_yaml(text, "t.yaml")


def test_dates_stay_text() -> None:
    root = load_yaml("since: 2023-08-01\n", "t.yaml")
    assert isinstance(root, YMap)
    entry = root.get("since")
    assert entry is not None and entry.value == YScalar("2023-08-01", "2023-08-01", 1)
