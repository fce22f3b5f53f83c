"""Read a scenario's YAML tree into a :class:`Scenario`: keys, types and ranges checked.

Every check raises :class:`ScenarioError` with the line of the key or value at
fault. Selectors are checked for their keys and value types only; whether
their ids exist is decided when compiled against a network.
"""

import difflib
import math
from collections.abc import Sequence
from dataclasses import fields

from arsenalnet.model.enums import CountryGroup, ProductKind, TransportMode
from arsenalnet.propagate.params import Params
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import (
    FACILITY_KEYS,
    PRODUCT_KEYS,
    SHOCK_TYPES,
    CapacityLoss,
    Clause,
    DemandChange,
    ExportBan,
    LinkCut,
    Scenario,
    Selector,
    SelectorKind,
    ShockSpec,
    Timing,
)
from arsenalnet.scenario.profiles import Linear, Recovery, Step, Table
from arsenalnet.scenario.yaml_lines import YEntry, YList, YMap, YNode, YScalar, describe

TOP_KEYS = ("name", "description", "days", "seed", "params", "shocks")
COMMON_KEYS = ("type", "label", "start", "recovery")
SHOCK_KEYS: dict[str, tuple[str, ...]] = {
    "capacity_loss": ("facilities", "products", "fraction"),
    "export_ban": ("from", "to", "products", "fraction"),
    "link_cut": ("suppliers", "buyers", "products", "mode", "fraction"),
    "demand_change": ("products", "customer", "scale", "set", "ramp_days"),
}
RECOVERY_KEYS: dict[str, tuple[str, ...]] = {
    "step": ("type", "after"),
    "linear": ("type", "days", "hold"),
    "table": ("type", "points"),
}


def _hint(word: str, allowed: Sequence[str]) -> str:
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
                    f"unknown key '{key}' in {where}{_hint(key, allowed)}; allowed: {', '.join(allowed)}",
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
        self, e: YEntry, low: float, high: float = math.inf, *, integer: bool = False, name: str = ""
    ) -> float:
        """A finite number in [low, high] (an integer if ``integer``), named ``name`` or its key in errors."""
        v, what = e.value, name or e.key
        kind = "an integer" if integer else "a number"
        bounds = f">= {low:g}" if high == math.inf else f"in [{low:g}, {high:g}]"
        wanted = int if integer else int | float
        if not isinstance(v, YScalar) or isinstance(v.value, bool) or not isinstance(v.value, wanted):
            raise self.fail(v.line, f"{what} must be {kind} {bounds}, got {describe(v)}")
        x = float(v.value)
        if not (math.isfinite(x) and low <= x <= high):
            raise self.fail(v.line, f"{what} must be {kind} {bounds}, got {v.text}")
        return x

    def integer(self, e: YEntry, low: int) -> int:
        """An integer >= ``low``."""
        return int(self.number(e, low, integer=True))


def read_scenario(root: YNode | None, r: Reader) -> Scenario:
    """The scenario in a parsed file."""
    if root is None:
        raise r.fail(1, "the scenario file is empty")
    top = r.mapping(root, "a scenario")
    r.keys(top, TOP_KEYS, "the scenario", required=("name", "days"))
    name = r.string(_at(top, "name"))
    description = r.string(e) if (e := top.get("description")) else ""
    days = r.integer(_at(top, "days"), 1)
    seed = r.integer(e, 0) if (e := top.get("seed")) else 0
    params = _params(r.mapping(e.value, "params"), r) if (e := top.get("params")) else {}
    shocks: list[ShockSpec] = []
    if e := top.get("shocks"):
        if not isinstance(e.value, YList):
            raise r.fail(e.value.line, f"shocks must be a list, got {describe(e.value)}")
        shocks = [_shock(item, r) for item in e.value.items]
    return Scenario(name, description, days, seed, params, tuple(shocks), r.source, top.line)


def _at(m: YMap, key: str) -> YEntry:
    e = m.get(key)
    assert e is not None, key  # callers check required keys first
    return e


def _params(m: YMap, r: Reader) -> dict[str, float | int]:
    allowed = Params.names()
    types = {f.name: f.type for f in fields(Params)}
    out: dict[str, float | int] = {}
    for e in m.entries:
        if not isinstance(e.key, str) or e.key not in allowed:
            raise r.fail(
                e.key_line,
                f"unknown param '{e.key}'{_hint(str(e.key), allowed)}; allowed: {', '.join(allowed)}",
            )
        if types[e.key] is int:
            out[e.key] = r.integer(e, int(Params.smallest(e.key)))
        else:
            out[e.key] = r.number(e, Params.smallest(e.key))
    return out


def _shock(node: YNode, r: Reader) -> ShockSpec:
    m = r.mapping(node, "a shock")
    t = m.get("type")
    if t is None:
        raise r.fail(m.line, f"missing key 'type' in a shock; one of: {', '.join(SHOCK_TYPES)}")
    kind = r.string(t)
    if kind not in SHOCK_KEYS:
        raise r.fail(
            t.value.line,
            f"unknown shock type '{kind}'{_hint(kind, SHOCK_TYPES)}; allowed: {', '.join(SHOCK_TYPES)}",
        )
    r.keys(m, COMMON_KEYS + SHOCK_KEYS[kind], kind)
    label = r.string(e) if (e := m.get("label")) else f"{kind} (line {m.line})"
    timing = Timing(
        start=r.integer(e, 0) if (e := m.get("start")) else 0,
        recovery=_recovery(e.value, r) if (e := m.get("recovery")) else None,
    )

    def sel(key: str, kind_: SelectorKind) -> Selector | None:
        e = m.get(key)
        return None if e is None else selector(e, kind_, r)

    def fraction(default: float | None) -> float:
        e = m.get("fraction")
        if e is None:
            if default is None:
                raise r.fail(m.line, f"missing key 'fraction' in {kind}")
            return default
        return r.number(e, 0.0, 1.0)

    fac, prd = SelectorKind.FACILITY, SelectorKind.PRODUCT
    if kind == "capacity_loss":
        facilities = sel("facilities", fac)
        if facilities is None:
            raise r.fail(m.line, "missing key 'facilities' in capacity_loss")
        return CapacityLoss(m.line, label, facilities, sel("products", prd), fraction(None), timing)
    if kind == "export_ban":
        suppliers, products = sel("from", fac), sel("products", prd)
        if suppliers is None or products is None:
            missing = "from" if suppliers is None else "products"
            raise r.fail(m.line, f"missing key '{missing}' in export_ban")
        return ExportBan(m.line, label, suppliers, sel("to", fac), products, fraction(1.0), timing)
    if kind == "link_cut":
        modes = _modes(e, r) if (e := m.get("mode")) else None
        parts = (sel("suppliers", fac), sel("buyers", fac), sel("products", prd))
        if all(p is None for p in parts) and modes is None:
            raise r.fail(m.line, "link_cut needs at least one of 'suppliers', 'buyers', 'products', 'mode'")
        return LinkCut(m.line, label, *parts, modes, fraction(1.0), timing)
    return _demand(m, r, label, timing)


def _demand(m: YMap, r: Reader, label: str, timing: Timing) -> DemandChange:
    products = selector(e, SelectorKind.PRODUCT, r) if (e := m.get("products")) else None
    if products is None:
        raise r.fail(m.line, "missing key 'products' in demand_change")
    customers = Clause("customer", r.strings(e), e.key_line) if (e := m.get("customer")) else None
    scale, total = m.get("scale"), m.get("set")
    if (scale is None) == (total is None):
        raise r.fail(m.line, "demand_change takes exactly one of 'scale' and 'set'")
    return DemandChange(
        line=m.line,
        label=label,
        products=products,
        customers=customers,
        scale=r.number(scale, 0.0) if scale else None,
        set_total=r.number(total, 0.0) if total else None,
        ramp_days=r.integer(e, 0) if (e := m.get("ramp_days")) else 0,
        timing=timing,
    )


def _modes(e: YEntry, r: Reader) -> Clause:
    modes = r.strings(e)
    allowed = tuple(TransportMode)
    for mode in modes:
        if mode not in allowed:
            raise r.fail(e.value.line, f"unknown transport mode '{mode}'; allowed: {', '.join(allowed)}")
    return Clause("mode", modes, e.key_line)


def _recovery(node: YNode, r: Reader) -> Recovery:
    m = r.mapping(node, "recovery")
    t = m.get("type")
    if t is None:
        raise r.fail(m.line, f"missing key 'type' in recovery; one of: {', '.join(RECOVERY_KEYS)}")
    kind = r.string(t)
    if kind not in RECOVERY_KEYS:
        raise r.fail(t.value.line, f"unknown recovery type '{kind}'; allowed: {', '.join(RECOVERY_KEYS)}")
    r.keys(m, RECOVERY_KEYS[kind], f"{kind} recovery", required=RECOVERY_KEYS[kind][1:2])
    if kind == "step":
        return Step(after=r.integer(_at(m, "after"), 1))
    if kind == "linear":
        hold = r.integer(e, 0) if (e := m.get("hold")) else 0
        return Linear(days=r.integer(_at(m, "days"), 1), hold=hold)
    points_entry = _at(m, "points")
    points = r.mapping(points_entry.value, "points")
    if not points.entries:
        raise r.fail(points.line, "points must not be empty")
    out: list[tuple[float, float]] = []
    for e in points.entries:
        day = e.key
        if isinstance(day, bool) or not isinstance(day, int | float) or not 0 <= day < math.inf:
            raise r.fail(e.key_line, f"a point's day offset must be a number >= 0, got {day!r}")
        out.append((float(day), r.number(e, 0.0, 1.0, name=f"the fraction at day {e.key}")))
    return Table(tuple(sorted(out)))


def selector(e: YEntry, kind: SelectorKind, r: Reader) -> Selector:
    """A facility or product selector written under key ``e``."""
    what = f"{kind} selector"
    m = r.mapping(e.value, f"{e.key} ({what})")
    allowed = FACILITY_KEYS if kind is SelectorKind.FACILITY else PRODUCT_KEYS
    r.keys(m, allowed, f"a {what}")
    if not m.entries:
        raise r.fail(m.line, f"empty {what}; give at least one of: {', '.join(allowed)}")
    clauses: list[Clause] = []
    exclude: Selector | None = None
    for c in m.entries:
        key = str(c.key)
        if key == "not":
            exclude = selector(c, kind, r)
            continue
        values = r.strings(c)
        if key == "group":
            for v in values:
                if v not in tuple(CountryGroup):
                    raise r.fail(
                        c.key_line, f"unknown country group '{v}'; allowed: {', '.join(CountryGroup)}"
                    )
        if key == "kind":
            for v in values:
                if v not in tuple(ProductKind):
                    raise r.fail(c.key_line, f"unknown product kind '{v}'; allowed: {', '.join(ProductKind)}")
        clauses.append(Clause(key, values, c.key_line))
    return Selector(kind, tuple(clauses), exclude, e.key_line)
