"""Load YAML keeping the line of every mapping key, list item and scalar; refuse duplicate keys.

PyYAML's compose API gives a node tree whose ``start_mark.line`` is the 0-based
line of each node; this module turns it into :class:`YMap`, :class:`YList` and
:class:`YScalar` with 1-based lines, so that every later error can say where.
"""

from dataclasses import dataclass

import yaml
from yaml.constructor import SafeConstructor

from arsenalnet.scenario.errors import ScenarioError

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class YScalar:
    """A scalar: its value as YAML 1.1 reads it (``ON`` is ``True``) and its source ``text``."""

    value: Scalar
    text: str
    line: int


@dataclass(frozen=True)
class YEntry:
    """One ``key: value`` of a mapping; ``key_line`` is where the key is written."""

    key: Scalar
    key_line: int
    value: "YNode"


@dataclass(frozen=True)
class YMap:
    """A mapping, entries in file order."""

    entries: tuple[YEntry, ...]
    line: int

    def get(self, key: str) -> YEntry | None:
        """The entry of ``key``, or None."""
        for e in self.entries:
            if e.key == key:
                return e
        return None


@dataclass(frozen=True)
class YList:
    """A sequence; each item remembers its own line."""

    items: tuple["YNode", ...]
    line: int


YNode = YScalar | YMap | YList


def describe(node: YNode) -> str:
    """A short description of what a node is, for error messages."""
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YList):
        return "a list"
    if node.value is None:
        return "nothing (null)"
    if isinstance(node.value, str):
        return f"'{node.value}'"
    return str(node.text)


def load_yaml(text: str, source: str) -> YNode | None:
    """Parse one YAML document into located nodes (None for an empty document).

    Raises :class:`ScenarioError` ``"<source>:<line>: invalid YAML: ..."`` on a syntax
    error and ``"... duplicate key 'k' (first at line n)"`` on a repeated key.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = e.problem or e.context or "cannot parse"
        if e.context and e.problem and not e.context.startswith("while"):
            problem = f"{e.context}, {e.problem}"  # "expected a single document ..., but found another"
        elif e.context and e.context_mark is not None and e.context_mark.line + 1 != line:
            problem = f"{problem} ({e.context} at line {e.context_mark.line + 1})"
        raise ScenarioError(source, line, f"invalid YAML: {problem}") from e
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML parse error is marked
        raise ScenarioError(source, 1, f"invalid YAML: {e}") from e
    if root is None:
        return None
    return _convert(root, source, SafeConstructor())


def _scalar(node: yaml.ScalarNode, source: str, constructor: SafeConstructor) -> YScalar:
    line = node.start_mark.line + 1
    try:
        value = constructor.construct_object(node)
    except yaml.MarkedYAMLError as e:
        raise ScenarioError(source, line, f"invalid YAML: {e.problem}") from e
    if not (value is None or isinstance(value, str | int | float | bool)):
        value = str(node.value)  # dates, binary: keep the text as written
    return YScalar(value=value, text=str(node.value), line=line)


def _convert(node: yaml.Node, source: str, constructor: SafeConstructor) -> YNode:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, source, constructor)
    if isinstance(node, yaml.SequenceNode):
        return YList(tuple(_convert(item, source, constructor) for item in node.value), line)
    if isinstance(node, yaml.MappingNode):
        entries: list[YEntry] = []
        seen: dict[Scalar, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    source, key_line, "a mapping key must be a plain value, not a list or mapping"
                )
            key = _scalar(key_node, source, constructor).value
            if key in seen:
                raise ScenarioError(source, key_line, f"duplicate key '{key}' (first at line {seen[key]})")
            seen[key] = key_line
            entries.append(YEntry(key, key_line, _convert(value_node, source, constructor)))
        return YMap(tuple(entries), line)
    raise ScenarioError(source, line, "invalid YAML: unsupported node")  # pragma: no cover
