"""Read an HBOM policy file (YAML) into an :class:`~arsenalnet.thread.hbom_check.HbomPolicy`.

The format is in ``docs/hbom.md`` (``policies/dfars.yaml`` is the shipped example). As
with scenario files, every error is one line ``<file>:<line>: <reason>`` at the key or
value at fault (:class:`~arsenalnet.scenario.errors.ScenarioError`, exit code 2).
"""

from pathlib import Path

import pycountry

from arsenalnet.model import CountryGroup, ProductKind
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.reader import Reader, hint
from arsenalnet.scenario.yaml_lines import YEntry, YList, YMap, YNode, load_yaml
from arsenalnet.thread.hbom_check import (
    ALL_KINDS,
    DesignIntentRule,
    HbomPolicy,
    OriginRule,
    SerializedRule,
    SpecialtyMetalRule,
)

RULES = ("foreign_adversary", "specialty_metals", "serialized", "design_intent")
TOP_KEYS = ("name", "description", "unknown_origin", *RULES)
RULE_KEYS = {
    "foreign_adversary": ("basis", "group"),
    "specialty_metals": ("basis", "hs_codes", "melted_in"),
    "serialized": ("basis", "kinds", "statements", "serial_attribute", "subject_prefix"),
    "design_intent": ("basis", "attributes"),
}
KINDS = tuple(k.value for k in ProductKind)


def _items(r: Reader, e: YEntry) -> list[tuple[str, int]]:
    """A string or list of strings, each with its line."""
    values = r.strings(e)
    nodes = e.value.items if isinstance(e.value, YList) else (e.value,)
    return [(value, node.line) for value, node in zip(values, nodes, strict=True)]


def _choices(r: Reader, e: YEntry, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """A string or list of strings, each one of ``allowed``."""
    out = []
    for value, line in _items(r, e):
        if value not in allowed:
            raise r.fail(line, f"{e.key}: '{value}' is not one of {', '.join(allowed)}{hint(value, allowed)}")
        out.append(value)
    return tuple(out)


def _choice(r: Reader, e: YEntry, allowed: tuple[str, ...]) -> str:
    """One string, one of ``allowed``."""
    r.string(e)
    return _choices(r, e, allowed)[0]


def _rule(r: Reader, e: YEntry) -> YMap:
    name = str(e.key)
    m = r.mapping(e.value, name)
    r.keys(m, RULE_KEYS[name], name)
    return m


def _basis(r: Reader, m: YMap) -> str:
    return r.string(e) if (e := m.get("basis")) else ""


def _countries(r: Reader, e: YEntry) -> frozenset[str]:
    out = set()
    for value, line in _items(r, e):
        if pycountry.countries.get(alpha_3=value) is None or value != value.upper():
            raise r.fail(line, f"{e.key}: '{value}' is not an ISO 3166-1 alpha-3 country code")
        out.add(value)
    return frozenset(out)


def _hs_codes(r: Reader, e: YEntry) -> tuple[str, ...]:
    for value, line in _items(r, e):
        if not (value.isdigit() and 2 <= len(value) <= 10):
            raise r.fail(line, f"hs_codes: '{value}' is not an HS code of 2 to 10 digits")
    return tuple(v for v, _ in _items(r, e))


def _attributes(r: Reader, e: YEntry) -> dict[str, tuple[str, ...]]:
    m = r.mapping(e.value, "design_intent.attributes")
    allowed = (ALL_KINDS, *KINDS)
    r.keys(m, allowed, "design_intent.attributes (a product kind or 'all')")
    return {str(k.key): r.strings(k) for k in m.entries}


def _need(r: Reader, m: YMap, key: str, where: str) -> YEntry:
    """The entry of a required key."""
    e = m.get(key)
    if e is None:
        raise r.fail(m.line, f"missing key '{key}' in {where}")
    return e


def read_policy(root: YNode | None, r: Reader) -> HbomPolicy:
    """The policy of a located YAML tree (``load_yaml``'s result)."""
    if root is None:
        raise r.fail(1, "the policy file is empty")
    m = r.mapping(root, "the policy")
    r.keys(m, TOP_KEYS, "the policy", ("name",))
    if not any(m.get(rule) for rule in RULES):
        raise r.fail(m.line, f"the policy has no rule: give at least one of {', '.join(RULES)}")
    unknown = _choice(r, e, ("fail", "pass")) if (e := m.get("unknown_origin")) else "fail"
    fa = sm = se = di = None
    if e := m.get("foreign_adversary"):
        rm = _rule(r, e)
        group = _choice(r, _need(r, rm, "group", "foreign_adversary"), tuple(g.value for g in CountryGroup))
        fa = OriginRule(CountryGroup(group), _basis(r, rm))
    if e := m.get("specialty_metals"):
        rm = _rule(r, e)
        hs = _hs_codes(r, _need(r, rm, "hs_codes", "specialty_metals"))
        sm = SpecialtyMetalRule(
            hs, _countries(r, _need(r, rm, "melted_in", "specialty_metals")), _basis(r, rm)
        )
    if e := m.get("serialized"):
        rm = _rule(r, e)
        se = SerializedRule(
            kinds=_choices(r, _need(r, rm, "kinds", "serialized"), KINDS),
            statements=r.strings(_need(r, rm, "statements", "serialized")),
            serial_attribute=r.string(s)
            if (s := rm.get("serial_attribute"))
            else SerializedRule.serial_attribute,
            subject_prefix=r.string(s) if (s := rm.get("subject_prefix")) else SerializedRule.subject_prefix,
            basis=_basis(r, rm),
        )
    if e := m.get("design_intent"):
        rm = _rule(r, e)
        di = DesignIntentRule(_attributes(r, _need(r, rm, "attributes", "design_intent")), _basis(r, rm))
    name = r.string(_need(r, m, "name", "the policy"))
    return HbomPolicy(name, unknown == "fail", fa, sm, se, di)


def load_policy(path: Path) -> HbomPolicy:
    """Read and check a policy file. Raises :class:`ScenarioError` ``"<path>:<line>: <reason>"``."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(source, 1, f"cannot read the policy: {e}") from e
    return read_policy(load_yaml(text, source), Reader(source))
