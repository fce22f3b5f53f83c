"""Reading what a scenario draws at random: numbers or distributions, hit probabilities, events.

See :mod:`arsenalnet.scenario.distributions` for the distributions and
``docs/sweeps.md`` for the format.
"""

from collections.abc import Callable

import numpy as np

from arsenalnet.scenario.distributions import Range, is_distribution, read_distribution
from arsenalnet.scenario.model import Event, HitRule, RandomField, Selector, SelectorKind
from arsenalnet.scenario.reader import Reader, hint
from arsenalnet.scenario.yaml_lines import YEntry, YList, YMap, describe

EVENT_KEYS = ("probability", "start")
HIT_RULE_KEYS = ("facilities", "p")

SelectorReader = Callable[[YEntry, SelectorKind, Reader], Selector]
"""How a selector is read (:func:`arsenalnet.scenario.parse.selector`, passed in by parse)."""


class Values:
    """Reads numbers that may be given as distributions, collecting the random ones."""

    def __init__(self, r: Reader) -> None:
        self.r = r
        self.random: list[RandomField] = []

    def number(self, e: YEntry, path: str, field: Range) -> float:
        """The number under ``e``, or, for a distribution, its mean (rounded for day counts)
        with the distribution recorded as the field ``path``."""
        if not is_distribution(e):
            return self.r.number(e, field.low, field.high, integer=field.integer)
        dist = read_distribution(e, self.r, field)
        self.random.append(RandomField(path, dist, field, e.key_line))
        return float(field.clip(np.array([dist.mean]))[0])

    def fields(self) -> tuple[RandomField, ...]:
        """The random fields read, in file order (line by line)."""
        return tuple(sorted(self.random, key=lambda f: f.line))

    def days(self, e: YEntry, path: str, low: int) -> int:
        """A day count (an integer >= ``low``) or a distribution of them."""
        return int(self.number(e, path, Range(low, integer=True)))


def read_events(e: YEntry, r: Reader) -> tuple[Event, ...]:
    """The ``events:`` mapping: name -> {probability, start}."""
    m = r.mapping(e.value, "events")
    out = []
    for entry in m.entries:
        where = f"event '{entry.key}'"
        body = r.mapping(entry.value, where)
        r.keys(body, EVENT_KEYS, where, required=("probability",))
        v = Values(r)
        start = v.days(s, "start", 0) if (s := body.get("start")) else 0
        p = body.get("probability")
        assert p is not None  # required above
        out.append(Event(str(entry.key), r.number(p, 0.0, 1.0), start, v.fields(), entry.key_line))
    return tuple(out)


def event_name(e: YEntry, r: Reader, events: tuple[Event, ...]) -> str:
    """A shock's ``event:``, one of the declared ``events``."""
    name = r.string(e)
    names = [ev.name for ev in events]
    if name not in names:
        declared = f"declared: {', '.join(names)}" if names else "no events are declared"
        raise r.fail(e.value.line, f"unknown event '{name}'{hint(name, names)}; {declared}")
    return name


def check_events_used(events: tuple[Event, ...], used: set[str], r: Reader) -> None:
    """Refuse an event no shock names (a typo in a shock's ``event:`` would leave it unused)."""
    for ev in events:
        if ev.name not in used:
            raise r.fail(ev.line, f"event '{ev.name}' is declared but no shock names it")


def read_probability(e: YEntry, r: Reader, selector: SelectorReader) -> tuple[HitRule, ...]:
    """``probability: p`` for every facility, or a list of ``{facilities: selector, p: p}`` rules
    (the first rule a facility matches applies; a rule without ``facilities`` matches all)."""
    if not isinstance(e.value, YList):
        if is_distribution(e):
            raise r.fail(e.value.line, "probability must be a number in [0, 1] or a list of {facilities, p}")
        return (HitRule(None, r.number(e, 0.0, 1.0), e.key_line),)
    if not e.value.items:
        raise r.fail(e.value.line, "probability must not be an empty list")
    rules = []
    for item in e.value.items:
        if not isinstance(item, YMap):
            raise r.fail(item.line, f"a probability rule must be a mapping, got {describe(item)}")
        r.keys(item, HIT_RULE_KEYS, "a probability rule", required=("p",))
        p = item.get("p")
        assert p is not None  # required above
        chosen = selector(f, SelectorKind.FACILITY, r) if (f := item.get("facilities")) else None
        rules.append(HitRule(chosen, r.number(p, 0.0, 1.0), item.line))
    return tuple(rules)
