"""One draw of a scenario's random values, as engine shocks on a network or on a cut of it.

Draw ``i`` of a sweep with seed ``S`` reads its random numbers from
``SeedSequence(S, spawn_key=(i,))``, the i-th child of ``SeedSequence(S).spawn(N)``
(the same whatever N): event e from its child ``(i, 1, e)``, shock j from
``(i, 0, j)``. Each stream is consumed in a fixed order, whatever happens to
the other shocks and whatever part of the network the shocks land on:

- an event: one uniform (it occurs if below its probability), then its start;
- a ``capacity_loss`` with ``probability``: one shared normal Z and one normal
  e_f per matched facility f (in facility order); f is hit when
  ``sqrt(rho) Z + sqrt(1 - rho) e_f < Phi^-1(p_f)`` (a one-factor Gaussian
  copula: each f is hit with probability p_f; rho = 0 independent, rho = 1 all
  hit or none where p is equal). Then its random fields in file order:
  ``start`` once for the shock, every other field once per matched facility;
- any other shock: its random fields in file order, once each.

A shock that names an event acts only in draws where the event occurs, from the
event's start plus its own.
"""

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from arsenalnet.network import Network
from arsenalnet.propagate.cone import Cut
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import Shocks
from arsenalnet.scenario.compile import (
    EngineShock,
    Resolved,
    as_shocks,
    engine_shock,
    horizon_of,
    params_of,
    resolve,
)
from arsenalnet.scenario.model import CapacityLoss, DemandChange, RandomField, Scenario, ShockSpec
from arsenalnet.scenario.selectors import select_facilities

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
T = TypeVar("T")

SHOCK_STREAM, EVENT_STREAM = 0, 1
"""The second element of a stream's spawn key."""


def stream(seed: int, draw: int, kind: int, j: int) -> np.random.Generator:
    """The random numbers of shock (``kind`` 0) or event (1) ``j`` in draw ``draw``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(draw, kind, j)))


def with_value(obj: T, path: str, value: Any) -> T:
    """``obj`` with the field at dotted ``path`` replaced (``timing.recovery.after``)."""
    head, _, rest = path.partition(".")
    inner = with_value(getattr(obj, head), rest, value) if rest else value
    return dataclasses.replace(obj, **{head: inner})  # type: ignore[type-var]


@dataclass(frozen=True)
class Target:
    """Where shocks land: ``cap`` (C,) each Network capability's position in the target
    (-1: absent), ``link`` (L,) whether the target holds a Network link (links keep their
    Network index), ``row`` (D,) each Network demand row's row in the target (-1: absent)."""

    cap: IntArray
    link: BoolArray
    row: IntArray

    @classmethod
    def whole(cls, net: Network) -> "Target":
        """The whole network."""
        n_rows = len(net.demand_product)
        return cls(np.arange(len(net.cap_facility)), np.ones(net.n_links, bool), np.arange(n_rows))

    @classmethod
    def of_cut(cls, net: Network, cut: Cut) -> "Target":
        """A cut of the network's firm-level system (:mod:`arsenalnet.propagate.cone`)."""
        cap = np.full(len(net.cap_facility), -1, dtype=np.int64)
        cap[cut.capabilities] = np.arange(len(cut.capabilities))
        link = np.zeros(net.n_links, dtype=bool)
        link[cut.system.arc_link[cut.system.arc_link >= 0]] = True
        row = np.full(len(net.demand_product), -1, dtype=np.int64)
        row[cut.rows] = np.arange(len(cut.rows))
        return cls(cap, link, row)


@dataclass(frozen=True)
class Prepared:
    """A resolved shock and, for a capacity loss, its facilities: ``facilities`` (n,) the
    matched facilities, sorted; ``cap_facility`` each matched capability's position among
    them; ``p`` (n,) each facility's hit probability (empty without ``probability``)."""

    resolved: Resolved
    facilities: IntArray
    cap_facility: IntArray
    p: FloatArray


@dataclass(frozen=True)
class Draw:
    """A draw's engine shocks (addressed to its target) and which events occurred."""

    shocks: list[EngineShock]
    occurred: BoolArray


@dataclass(frozen=True)
class Plan:
    """A scenario matched on a network once, ready to draw: ``days`` simulated days."""

    scenario: Scenario
    days: int
    shocks: tuple[Prepared, ...]

    def draw(self, seed: int, index: int, target: Target) -> Draw:
        """Draw ``index`` of the sweep with ``seed``, its shocks addressed to ``target``."""
        events = self.scenario.events
        occurred = np.zeros(len(events), dtype=bool)
        starts: dict[str, int] = {}
        for e, ev in enumerate(events):
            rng = stream(seed, index, EVENT_STREAM, e)
            occurred[e] = rng.random() < ev.probability
            starts[ev.name] = ev.start
            for f in ev.random:
                starts[ev.name] = int(_once(f, rng))
        names = [ev.name for ev in events]
        shocks: list[EngineShock] = []
        for j, prep in enumerate(self.shocks):
            spec = prep.resolved.spec
            if spec.event is not None and not occurred[names.index(spec.event)]:
                continue
            rng = stream(seed, index, SHOCK_STREAM, j)
            offset = starts[spec.event] if spec.event is not None else 0
            if isinstance(spec, CapacityLoss):
                shocks += self._capacity(prep, spec, rng, target, offset)
                continue
            for f in spec.random:
                spec = with_value(spec, f.path, _once(f, rng))
            idx = prep.resolved.index
            if isinstance(spec, DemandChange):
                idx = target.row[idx]
                idx = idx[idx >= 0]
            else:  # links keep their Network index
                idx = idx[target.link[idx]]
            if len(idx):
                shocks.append(engine_shock(spec, idx, prep.resolved.base, self.days, offset))
        return Draw(shocks, occurred)

    def _capacity(
        self, prep: Prepared, spec: CapacityLoss, rng: np.random.Generator, target: Target, offset: int
    ) -> list[EngineShock]:
        n = len(prep.facilities)
        hit = np.ones(n, dtype=bool)
        if spec.probability:
            rho = spec.correlation
            z, e = rng.standard_normal(), rng.standard_normal(n)
            hit = np.sqrt(rho) * z + np.sqrt(1.0 - rho) * e < ndtri(prep.p)
        per_facility: list[tuple[RandomField, FloatArray]] = []
        for f in spec.random:
            if f.path == "timing.start":
                spec = with_value(spec, f.path, _once(f, rng))
            else:
                per_facility.append((f, f.range.clip(f.dist.sample(rng, n))))
        pos = target.cap[prep.resolved.index]
        keep = (pos >= 0) & hit[prep.cap_facility]
        if not keep.any():
            return []
        if not per_facility:
            return [engine_shock(spec, pos[keep], 0.0, self.days, offset)]
        # hit facilities with the same drawn values share one engine shock
        values = np.column_stack([v for _, v in per_facility])
        groups, of_cap = np.unique(values[prep.cap_facility[keep]], axis=0, return_inverse=True)
        of_cap = of_cap.ravel()
        out = []
        for g, row in enumerate(groups):
            drawn = spec
            for (f, _), x in zip(per_facility, row, strict=True):
                drawn = with_value(drawn, f.path, int(x) if f.range.integer else float(x))
            out.append(engine_shock(drawn, pos[keep][of_cap == g], 0.0, self.days, offset))
        return out


def _once(f: RandomField, rng: np.random.Generator) -> float | int:
    """One draw of ``f``, as the field takes it."""
    x = float(f.range.clip(f.dist.sample(rng, 1))[0])
    return int(x) if f.range.integer else x


def prepare(scenario: Scenario, net: Network, days: int | None = None) -> Plan:
    """``scenario`` matched on ``net`` for draws over ``days`` days (default: the scenario's).

    Raises :class:`ScenarioError` where :func:`~arsenalnet.scenario.compile.compile_scenario`
    would, and at a probability rule whose selector matches no facility.
    """
    shocks = tuple(_prepare_shock(r, net, scenario.source) for r in resolve(scenario, net))
    return Plan(scenario, horizon_of(scenario, days), shocks)


def _prepare_shock(r: Resolved, net: Network, src: str) -> Prepared:
    empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0)
    spec: ShockSpec = r.spec
    if not isinstance(spec, CapacityLoss):
        return Prepared(r, empty_i, empty_i, empty_f)
    facilities, cap_facility = np.unique(net.cap_facility[r.index], return_inverse=True)
    p = np.zeros(len(facilities))
    assigned = np.zeros(len(facilities), dtype=bool)
    for rule in spec.probability:
        match = np.ones(len(facilities), bool)
        if rule.facilities is not None:
            match = select_facilities(rule.facilities, net, src)[facilities]
        p[match & ~assigned] = rule.p
        assigned |= match
    if not spec.probability:
        p = empty_f
    return Prepared(r, facilities.astype(np.int64), cap_facility.astype(np.int64).ravel(), p)


def compile_draw(
    scenario: Scenario, net: Network, seed: int, index: int, days: int | None = None
) -> tuple[Shocks, Params]:
    """Draw ``index`` of a sweep with ``seed`` on the whole ``net``, as ``compile_scenario``
    gives a scenario that draws nothing (and, for such a scenario, the same)."""
    plan = prepare(scenario, net, days)
    return as_shocks(plan.days, plan.draw(seed, index, Target.whole(net)).shocks), params_of(scenario)
