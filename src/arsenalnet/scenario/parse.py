"""Read a scenario's YAML tree into a :class:`Scenario`: keys, types and ranges checked.

Every check raises :class:`ScenarioError` with the line of the key or value at
fault. Selectors are checked for their keys and value types only; whether
their ids exist is decided when compiled against a network.
"""

import math
from dataclasses import fields

from arsenalnet.model.enums import CountryGroup, ProductKind, TransportMode
from arsenalnet.propagate.params import Params
from arsenalnet.scenario.chance import Values, check_events_used, event_name, read_events, read_probability
from arsenalnet.scenario.distributions import Range
from arsenalnet.scenario.model import (
    FACILITY_KEYS,
    PRODUCT_KEYS,
    SHOCK_TYPES,
    CapacityLoss,
    Clause,
    DemandChange,
    Event,
    ExportBan,
    LinkCut,
    Scenario,
    Selector,
    SelectorKind,
    ShockSpec,
    Timing,
)
from arsenalnet.scenario.profiles import Linear, Recovery, Step, Table
from arsenalnet.scenario.reader import Reader, hint
from arsenalnet.scenario.yaml_lines import YEntry, YList, YMap, YNode, describe

TOP_KEYS = ("name", "description", "days", "seed", "params", "events", "shocks")
COMMON_KEYS = ("type", "label", "event", "start", "recovery")
SHOCK_KEYS: dict[str, tuple[str, ...]] = {
    "capacity_loss": ("facilities", "products", "fraction", "probability", "correlation"),
    "export_ban": ("from", "to", "products", "fraction"),
    "link_cut": ("suppliers", "buyers", "products", "mode", "fraction"),
    "demand_change": ("products", "customer", "scale", "set", "ramp_days"),
}
RECOVERY_KEYS: dict[str, tuple[str, ...]] = {
    "step": ("type", "after"),
    "linear": ("type", "days", "hold"),
    "table": ("type", "points"),
}


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
    events = read_events(e, r) if (e := top.get("events")) else ()
    shocks: list[ShockSpec] = []
    if e := top.get("shocks"):
        if not isinstance(e.value, YList):
            raise r.fail(e.value.line, f"shocks must be a list, got {describe(e.value)}")
        shocks = [_shock(item, r, events) for item in e.value.items]
    check_events_used(events, {s.event for s in shocks if s.event}, r)
    return Scenario(name, description, days, seed, params, tuple(shocks), r.source, top.line, events)


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
                f"unknown param '{e.key}'{hint(str(e.key), allowed)}; allowed: {', '.join(allowed)}",
            )
        if types[e.key] is int:
            out[e.key] = r.integer(e, int(Params.smallest(e.key)))
        else:
            out[e.key] = r.number(e, Params.smallest(e.key))
    return out


def _shock(node: YNode, r: Reader, events: tuple[Event, ...]) -> ShockSpec:
    m = r.mapping(node, "a shock")
    t = m.get("type")
    if t is None:
        raise r.fail(m.line, f"missing key 'type' in a shock; one of: {', '.join(SHOCK_TYPES)}")
    kind = r.string(t)
    if kind not in SHOCK_KEYS:
        raise r.fail(
            t.value.line,
            f"unknown shock type '{kind}'{hint(kind, SHOCK_TYPES)}; allowed: {', '.join(SHOCK_TYPES)}",
        )
    r.keys(m, COMMON_KEYS + SHOCK_KEYS[kind], kind)
    label = r.string(e) if (e := m.get("label")) else f"{kind} (line {m.line})"
    v = Values(r)
    timing = Timing(
        start=v.days(e, "timing.start", 0) if (e := m.get("start")) else 0,
        recovery=_recovery(e.value, r, v) if (e := m.get("recovery")) else None,
    )
    event = event_name(e, r, events) if (e := m.get("event")) else None

    def sel(key: str, kind_: SelectorKind) -> Selector | None:
        e = m.get(key)
        return None if e is None else selector(e, kind_, r)

    def fraction(default: float | None) -> float:
        e = m.get("fraction")
        if e is None:
            if default is None:
                raise r.fail(m.line, f"missing key 'fraction' in {kind}")
            return default
        return v.number(e, "fraction", Range(0.0, 1.0))

    fac, prd = SelectorKind.FACILITY, SelectorKind.PRODUCT
    if kind == "capacity_loss":
        facilities = sel("facilities", fac)
        if facilities is None:
            raise r.fail(m.line, "missing key 'facilities' in capacity_loss")
        loss = fraction(None)
        rules = read_probability(e, r, selector) if (e := m.get("probability")) else ()
        correlation = 0.0
        if e := m.get("correlation"):
            if not rules:
                raise r.fail(e.key_line, "correlation needs a probability (which facilities are hit)")
            correlation = r.number(e, 0.0, 1.0)
        products = sel("products", prd)
        return CapacityLoss(
            m.line, label, facilities, products, loss, timing, event, v.fields(), rules, correlation
        )
    if kind == "export_ban":
        suppliers, products = sel("from", fac), sel("products", prd)
        if suppliers is None or products is None:
            missing = "from" if suppliers is None else "products"
            raise r.fail(m.line, f"missing key '{missing}' in export_ban")
        loss, buyers = fraction(1.0), sel("to", fac)
        return ExportBan(m.line, label, suppliers, buyers, products, loss, timing, event, v.fields())
    if kind == "link_cut":
        modes = _modes(e, r) if (e := m.get("mode")) else None
        parts = (sel("suppliers", fac), sel("buyers", fac), sel("products", prd))
        if all(p is None for p in parts) and modes is None:
            raise r.fail(m.line, "link_cut needs at least one of 'suppliers', 'buyers', 'products', 'mode'")
        loss = fraction(1.0)
        return LinkCut(m.line, label, *parts, modes, loss, timing, event, v.fields())
    return _demand(m, r, v, label, timing, event)


def _demand(m: YMap, r: Reader, v: Values, label: str, timing: Timing, event: str | None) -> DemandChange:
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
        scale=v.number(scale, "scale", Range(0.0)) if scale else None,
        set_total=v.number(total, "set_total", Range(0.0)) if total else None,
        ramp_days=v.days(e, "ramp_days", 0) if (e := m.get("ramp_days")) else 0,
        timing=timing,
        event=event,
        random=v.fields(),
    )


def _modes(e: YEntry, r: Reader) -> Clause:
    modes = r.strings(e)
    allowed = tuple(TransportMode)
    for mode in modes:
        if mode not in allowed:
            raise r.fail(e.value.line, f"unknown transport mode '{mode}'; allowed: {', '.join(allowed)}")
    return Clause("mode", modes, e.key_line)


def _recovery(node: YNode, r: Reader, v: Values) -> Recovery:
    m = r.mapping(node, "recovery")
    t = m.get("type")
    if t is None:
        raise r.fail(m.line, f"missing key 'type' in recovery; one of: {', '.join(RECOVERY_KEYS)}")
    kind = r.string(t)
    if kind not in RECOVERY_KEYS:
        raise r.fail(t.value.line, f"unknown recovery type '{kind}'; allowed: {', '.join(RECOVERY_KEYS)}")
    r.keys(m, RECOVERY_KEYS[kind], f"{kind} recovery", required=RECOVERY_KEYS[kind][1:2])
    if kind == "step":
        return Step(after=v.days(_at(m, "after"), "timing.recovery.after", 1))
    if kind == "linear":
        days = v.days(_at(m, "days"), "timing.recovery.days", 1)
        hold = v.days(e, "timing.recovery.hold", 0) if (e := m.get("hold")) else 0
        return Linear(days=days, hold=hold)
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
