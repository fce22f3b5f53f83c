"""Typed accessors over located YAML nodes: every failure is ``file:line: reason``."""

import difflib
import math
from collections.abc import Sequence

from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.yaml_lines import YEntry, YList, YMap, YNode, YScalar, describe


def hint(word: str, allowed: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed word, or nothing."""
    close = difflib.get_close_matches(word, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Typed accessors over located YAML nodes that fail with ``file:line: reason``."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, line: int, reason: str) -> ScenarioError:
        """The error to raise."""
        return ScenarioError(self.source, line, reason)

    def mapping(self, node: YNode, what: str) -> YMap:
        """``node`` as a mapping, or an error naming ``what`` it should be."""
        if not isinstance(node, YMap):
            raise self.fail(node.line, f"{what} must be a mapping, got {describe(node)}")
        return node

    def keys(self, m: YMap, allowed: Sequence[str], where: str, required: Sequence[str] = ()) -> None:
        """Refuse keys outside ``allowed``; require ``required``."""
        for e in m.entries:
            if not isinstance(e.key, str) or e.key not in allowed:
                key = str(e.key)
                raise self.fail(
                    e.key_line,
                    f"unknown key '{key}' in {where}{hint(key, allowed)}; allowed: {', '.join(allowed)}",
                )
        for key in required:
            if m.get(key) is None:
                raise self.fail(m.line, f"missing key '{key}' in {where}")

    def string(self, e: YEntry) -> str:
        """A string value (any plain scalar counts, as written)."""
        v = e.value
        if not isinstance(v, YScalar) or v.value is None:
            raise self.fail(v.line, f"{e.key} must be a string, got {describe(v)}")
        return v.value if isinstance(v.value, str) else v.text

    def strings(self, e: YEntry) -> tuple[str, ...]:
        """A string or a non-empty list of strings, as written (``ON`` stays ``"ON"``)."""
        items = e.value.items if isinstance(e.value, YList) else (e.value,)
        if not items:
            raise self.fail(e.value.line, f"{e.key} must not be an empty list")
        out: list[str] = []
        for item in items:
            if not isinstance(item, YScalar) or item.value is None:
                raise self.fail(
                    item.line, f"{e.key} must be a string or a list of strings, got {describe(item)}"
                )
            out.append(item.value if isinstance(item.value, str) else item.text)
        return tuple(out)

    def number(
        self,
        e: YEntry,
        low: float,
        high: float = math.inf,
        *,
        integer: bool = False,
        name: str = "",
        above: bool = False,
    ) -> float:
        """A finite number in [low, high] (an integer if ``integer``; > ``low`` if ``above``),
        named ``name`` or its key in errors."""
        v, what = e.value, name or e.key
        kind = "an integer" if integer else "a number"
        if above:
            bounds = f"> {low:g}" if high == math.inf else f"in ({low:g}, {high:g}]"
        else:
            bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
        wanted = int if integer else int | float
        if not isinstance(v, YScalar) or isinstance(v.value, bool) or not isinstance(v.value, wanted):
            raise self.fail(v.line, f"{what} must be {kind} {bounds}, got {describe(v)}")
        x = float(v.value)
        if not (math.isfinite(x) and (low < x if above else low <= x) and x <= high):
            raise self.fail(v.line, f"{what} must be {kind} {bounds}, got {v.text}")
        return x

    def integer(self, e: YEntry, low: int) -> int:
        """An integer >= ``low``."""
        return int(self.number(e, low, integer=True))
