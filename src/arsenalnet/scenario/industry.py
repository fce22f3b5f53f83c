"""Scenarios at industry level: a scenario file's capacity losses as shocks of the
industry-level ARIO model (:mod:`arsenalnet.propagate.industry`), and a run's summary.

An industry is a (region, sector) row of a multi-regional input-output table. Only
``capacity_loss`` exists at this level; its ``facilities:`` selector picks industries:

- ``region``: the table's region names (an unknown name is an error);
- ``naics_prefix``: sectors whose name starts with one of the prefixes (BEA's codes
  are NAICS-based: ``"33"`` picks 331 .. 339; for EXIOBASE or pymrio's test table,
  a name or its start: ``mining``);
- ``not``: a nested selector whose industries are removed.

Any other key, a ``products:`` selector, every other shock type and anything drawn at
random (distributions, probabilities, events) are refused with a
:class:`ScenarioError` at their line. The recovery profile (``docs/scenarios.md``)
becomes the engine's :class:`CapacityShock` exactly: permanent and ``step`` as a
full loss for a duration; ``linear`` with ``hold`` >= 1 as ``duration = hold``,
``recovery_days = days``; ``linear`` with ``hold: 0`` and ``table`` as one step
shock per run of days with the same loss. Where shocks overlap, the engine takes the
largest loss per industry and day (BoARIO's rule; the firm level compounds them).

>>> from arsenalnet.scenario.profiles import Linear
>>> from arsenalnet.scenario.model import Timing
>>> [s] = capacity_shocks(np.array([3]), 0.5, Timing(1, Linear(days=2, hold=1)), 6, "x")
>>> (s.start, s.duration, s.recovery_days), s.profile(6)[:, 0].tolist()
((1, 1, 2), [0.0, 0.5, 0.5, 0.25, 0.0, 0.0])
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.propagate.industry import CapacityShock, IndustryParams, IndustryTable, IndustryTrajectory
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import (
    CapacityLoss,
    DemandChange,
    ExportBan,
    LinkCut,
    Scenario,
    Selector,
    Timing,
)
from arsenalnet.scenario.profiles import Linear, Step, profile

IndexArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

INDUSTRY_KEYS: tuple[str, ...] = ("region", "naics_prefix", "not")
"""Facility-selector keys that have a meaning at industry level."""
SHOCK_TYPE: dict[type, str] = {
    CapacityLoss: "capacity_loss",
    DemandChange: "demand_change",
    ExportBan: "export_ban",
    LinkCut: "link_cut",
}
"""The ``type:`` a scenario file gives each shock kind."""
CHANGED = 1e-9
"""An industry counts as changed when its production ratio fell below ``1 - CHANGED`` on some day."""
MAX_NAMES_SHOWN = 8


def compile_industry_scenario(
    scenario: Scenario, table: IndustryTable, days: int | None = None
) -> tuple[list[CapacityShock], IndustryParams]:
    """The scenario's capacity losses on ``table``'s industries over ``days`` days (default:
    the scenario's own), and the industry model's parameters (its defaults: a scenario's
    ``params:`` are the firm-level engine's and do not apply here).

    Raises :class:`ScenarioError` at the line of a shock type, selector key or value that
    has no meaning at industry level, or of a selector that matches no industry.
    """
    horizon = scenario.days if days is None else days
    src = scenario.source
    if horizon < 1:
        raise ScenarioError(src, scenario.line, f"days must be >= 1, got {horizon}")
    if (line := scenario.random_line()) is not None:
        raise ScenarioError(src, line, "draws at random are not supported at industry level")
    shocks: list[CapacityShock] = []
    for spec in scenario.shocks:
        if not isinstance(spec, CapacityLoss):
            raise ScenarioError(
                src, spec.line, f"{SHOCK_TYPE[type(spec)]} is not supported at industry level"
            )
        if spec.products is not None:
            raise ScenarioError(
                src,
                spec.products.line,
                "products is not supported at industry level (an industry is a region and a sector): "
                "select sectors with facilities: {naics_prefix: ...}",
            )
        mask = _mask(spec.facilities, table, src)
        if not mask.any():
            raise ScenarioError(src, spec.facilities.line, "selector matches no industry")
        industries = np.flatnonzero(mask).astype(np.int64)
        shocks += capacity_shocks(industries, spec.fraction, spec.timing, horizon, spec.label)
    return shocks, IndustryParams()


def capacity_shocks(
    industries: IndexArray, fraction: float, timing: Timing, days: int, label: str
) -> list[CapacityShock]:
    """Shocks whose largest loss on each of ``days`` days is ``profile(days, fraction, start,
    recovery)`` (:mod:`arsenalnet.scenario.profiles`), to the engine's 6-decimal rounding
    of a linear recovery."""
    start, recovery = timing.start, timing.recovery

    def shock(loss: float, first: int, duration: int, recovery_days: int = 0) -> CapacityShock:
        fractions = np.full(industries.shape, loss, dtype=np.float64)
        return CapacityShock(industries, fractions, first, duration, recovery_days, label=label)

    if recovery is None:
        return [shock(fraction, start, max(days - start, 1))]
    if isinstance(recovery, Step):
        return [shock(fraction, start, recovery.after)]
    if isinstance(recovery, Linear) and recovery.hold >= 1:
        # the profile is full on offsets 0 .. hold, then 1 - k / days on offset hold + k; the
        # engine's ramp starts at the full loss on the first day after `duration`
        return [shock(fraction, start, recovery.hold, recovery.days)]
    loss = profile(days, fraction, start, recovery)
    edges = np.flatnonzero(np.diff(loss) != 0) + 1
    firsts, ends = np.concatenate(([0], edges)).tolist(), np.concatenate((edges, [days])).tolist()
    return [shock(float(loss[a]), a, b - a) for a, b in zip(firsts, ends, strict=True) if loss[a] > 0]


def _names(values: Sequence[str]) -> str:
    shown = ", ".join(values[:MAX_NAMES_SHOWN])
    return shown + (f", ... ({len(values)} in all)" if len(values) > MAX_NAMES_SHOWN else "")


def _mask(selector: Selector, table: IndustryTable, source: str) -> BoolArray:
    """(n,) True for the industries ``selector`` matches (possibly none)."""
    n_sec = len(table.sectors)
    rows = np.arange(len(table.regions) * n_sec)
    mask = np.ones(rows.size, dtype=bool)
    for clause in selector.clauses:
        if clause.key == "region":
            unknown = [v for v in clause.values if v not in table.regions]
            if unknown:
                raise ScenarioError(
                    source,
                    clause.line,
                    f"unknown region '{unknown[0]}'; the table's regions: {_names(table.regions)}",
                )
            wanted = [table.regions.index(v) for v in clause.values]
            mask &= np.isin(rows // n_sec, wanted)
        elif clause.key == "naics_prefix":
            names = np.asarray(table.sectors, dtype=str)
            hit = np.zeros(n_sec, dtype=bool)
            for prefix in clause.values:  # a loop over the prefixes written, not over rows
                hit |= np.char.startswith(names, prefix)
            mask &= hit[rows % n_sec]
        else:
            raise ScenarioError(
                source,
                clause.line,
                f"selector key '{clause.key}' is not supported at industry level; "
                f"use {', '.join(INDUSTRY_KEYS)}",
            )
    if selector.exclude is not None:
        mask &= ~_mask(selector.exclude, table, source)
    return mask


@dataclass(frozen=True)
class IndustryOutcome:
    """How one industry fared; money in the table's unit."""

    region: str
    sector: str
    lowest_ratio: float
    """Lowest production of a day over its initial daily output (1 = never below)."""
    worst_day: int
    """The first day of the lowest ratio."""
    output_lost: float
    """Initial daily output times the days simulated, minus what it produced (net:
    over-production while catching up counts against the loss)."""


@dataclass(frozen=True)
class IndustryRunSummary:
    """What a run of the industry model did; money in the table's unit."""

    days: int
    """Days simulated (asked for; fewer were computed if it crashed)."""
    crashed_on_day: int | None
    """The day an inventory turned negative and the run stopped (BoARIO's "crashed"), if any."""
    output_per_day: float
    """The whole economy's initial daily gross output (x summed, over ``year_to_days``)."""
    output_lost: float
    """Initial output minus production, summed over industries and the days computed (net)."""
    output_lost_days: float
    """``output_lost`` in days of the whole economy's initial output."""
    final_demand_unmet: float
    """Final demand not served, summed over industries and the days computed."""
    lowest_production_ratio: float
    """Lowest daily production of the whole economy over its initial output."""
    lowest_day: int
    industries_changed: int
    """Industries whose production fell below their initial output on some day."""
    industries: tuple[IndustryOutcome, ...]
    """The industries changed, lowest ratio first (ties in table order)."""


def summarize_industry_run(
    table: IndustryTable, run: IndustryTrajectory, params: IndustryParams
) -> IndustryRunSummary:
    """Per industry, the lowest production ratio, its day and the output lost; and the totals.

    Days after a crash (NaN rows) are left out of every figure.
    """
    x0 = np.asarray(table.x, dtype=np.float64).ravel() / params.year_to_days
    computed = ~np.isnan(run.production).any(axis=1)
    prod = run.production[computed]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(x0 > 0, prod / x0, 1.0)
        total_ratio = prod.sum(axis=1) / x0.sum() if x0.sum() > 0 else np.ones(len(prod))
    lowest, worst = ratio.min(axis=0), ratio.argmin(axis=0)
    lost = x0 * len(prod) - prod.sum(axis=0)
    changed = np.flatnonzero(lowest < 1.0 - CHANGED)
    changed = changed[np.lexsort((changed, lowest[changed]))]
    n_sec = len(table.sectors)
    outcomes = tuple(
        IndustryOutcome(
            table.regions[i // n_sec],
            table.sectors[i % n_sec],
            float(lowest[i]),
            int(worst[i]),
            float(lost[i]),
        )
        for i in changed.tolist()
    )
    per_day = float(x0.sum())
    return IndustryRunSummary(
        days=run.production.shape[0],
        crashed_on_day=run.crashed_on_day,
        output_per_day=per_day,
        output_lost=float(lost.sum()),
        output_lost_days=float(lost.sum() / per_day) if per_day > 0 else 0.0,
        final_demand_unmet=float(run.final_demand_unmet[computed].sum()),
        lowest_production_ratio=float(total_ratio.min()),
        lowest_day=int(total_ratio.argmin()),
        industries_changed=int(changed.size),
        industries=outcomes,
    )
