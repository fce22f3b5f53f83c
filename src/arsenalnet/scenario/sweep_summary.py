"""What a sweep says per end item: fulfillment bands, expected units lost, the critical path.

For N draws and end item e:

- the **share of demand met** on day t in draw d is delivered / demand (1 on a
  day without demand); the **bands** P5, P50, P95 are its 5th, 50th and 95th
  percentiles over the draws, day by day (NumPy's default linear interpolation
  between order statistics: with 5 draws of shares 0, 0.25, 0.5, 0.75, 1 they
  are 0.05, 0.5, 0.95);
- the **units lost** in draw d are the sum over days of demand - delivered; the
  **expected units lost** is their mean over the draws, with a 95% confidence
  interval of the mean, ``mean +- t(0.975, N-1) s / sqrt(N)`` (Student's t, s
  the sample standard deviation; the interval is the mean alone for N = 1 or
  s = 0), its lower end clipped at 0 (no draw loses fewer than 0 units). Rare
  severe draws make the distribution skewed and the interval rough: read it
  with the percentiles of the units lost (P5, P50, P95) beside it;
- a facility's **critical-path share** is the share of draws in which it was
  on e's critical path (:mod:`arsenalnet.scenario.critical`).
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from arsenalnet.propagate.summary import RECOVERED
from arsenalnet.scenario.critical import SHORT, unique_keys
from arsenalnet.scenario.sweep import SweepResult

FloatArray = npt.NDArray[np.float64]

TOP = 10
"""Facilities listed per end item, most often on its critical path first."""
CONFIDENCE = 0.95
"""Level of the interval around the expected units lost."""


@dataclass(frozen=True)
class CriticalFacility:
    """A facility, the share of draws in which it was on the critical path, and the share in
    which it was on it as a root (shocked itself, or its exports blocked)."""

    facility_id: str
    share: float
    root_share: float


@dataclass(frozen=True)
class ItemSummary:
    """One end item over the sweep (units: the item's; shares of demand met in [0, 1]).

    ``p5``, ``p50``, ``p95`` (days,) are the bands of the daily share met; ``worst_share``
    and ``worst_day`` the lowest point of the P50 band, ``recovery_day`` the first day from
    which the P50 band stays >= 0.999 (0: never below, None: not by the end). ``lost`` is
    the expected units lost, ``lost_ci`` its 95% confidence interval, ``lost_p5`` ..
    ``lost_p95`` the percentiles of the units lost, ``short_share`` the share of draws in
    which it fell short (lost more than ``critical.SHORT`` of its demand).
    """

    product_id: str
    priority: str
    demanded: float
    lost: float
    lost_ci: tuple[float, float]
    lost_p5: float
    lost_p50: float
    lost_p95: float
    short_share: float
    worst_share: float
    worst_day: int
    recovery_day: int | None
    p5: list[float]
    p50: list[float]
    p95: list[float]
    critical: list[CriticalFacility]


@dataclass(frozen=True)
class EventSummary:
    """A scenario event: its probability and the share of draws in which it occurred."""

    name: str
    probability: float
    occurred_share: float


@dataclass(frozen=True)
class SweepSummary:
    """The summary printed, recorded in the ``run`` table and written as summary.json.

    ``simulated`` is ``"cone"`` (the end items' upstream cone) or ``"whole"``, ``nodes`` the
    capabilities one draw simulates;
    ``critical`` lists the facilities most often on the critical path of any end item.
    """

    scenario: str
    runs: int
    requested: int
    seed: int
    days: int
    simulated: str
    nodes: int
    executor: str
    seconds: float
    events: list[EventSummary]
    end_items: list[ItemSummary]
    critical: list[CriticalFacility]


def share_met(delivered: FloatArray, demand: FloatArray) -> FloatArray:
    """delivered / demand, 1 where there is no demand."""
    return np.where(demand > 0, delivered / np.where(demand > 0, demand, 1.0), 1.0)


def mean_interval(x: FloatArray, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Student's t interval of the mean of ``x``; the mean alone for one value or no spread.

    >>> [round(v, 2) for v in mean_interval(np.array([0.0, 10, 20, 30, 40]))]
    [0.37, 39.63]
    """
    mean = float(x.mean())
    sem = float(x.std(ddof=1) / np.sqrt(len(x))) if len(x) > 1 else 0.0
    if sem == 0:
        return mean, mean
    half = float(stats.t.ppf(0.5 + confidence / 2, len(x) - 1)) * sem
    return mean - half, mean + half


def _r(x: float) -> float:
    return round(float(x), 6)


def _top(rows: npt.NDArray[np.int64], runs: int, names: tuple[str, ...]) -> list[CriticalFacility]:
    """The :data:`TOP` facilities of ``rows`` (draw, facility, root), most draws first, then
    most draws as a root."""
    n = len(names)
    counts = np.bincount(rows[:, 1], minlength=n).astype(np.float64)
    as_root = np.bincount(rows[:, 1], rows[:, 2], minlength=n)
    order = np.lexsort((np.arange(n), -as_root, -counts))[:TOP]
    share, root_share = counts / runs, as_root / runs
    return [CriticalFacility(names[f], _r(share[f]), _r(root_share[f])) for f in order if counts[f] > 0]


def _recovery(p50: FloatArray) -> int | None:
    short = np.flatnonzero(p50 < RECOVERED)
    if len(short) == 0:
        return 0
    return None if short[-1] == len(p50) - 1 else int(short[-1] + 1)


def summarize_sweep(r: SweepResult) -> SweepSummary:
    """Bands, expected losses and critical paths of every end item of ``r``."""
    n = r.runs
    met = share_met(r.delivered, r.demand)
    bands = np.percentile(met, [5, 50, 95], axis=0)  # (3, days, I)
    lost = (r.demand - r.delivered).sum(axis=1)  # (N, I)
    items = []
    for i, pid in enumerate(r.items.product_ids):
        rows = r.critical[r.critical[:, 1] == i][:, [0, 2, 3]]
        p5, p50, p95 = np.percentile(lost[:, i], [5, 50, 95])
        worst = int(np.argmin(bands[1, :, i]))
        low, high = mean_interval(lost[:, i])
        low = max(low, 0.0)
        items.append(
            ItemSummary(
                product_id=pid,
                priority=r.items.priorities[i],
                demanded=_r(r.demand[:, :, i].sum(axis=1).mean()),
                lost=_r(lost[:, i].mean()),
                lost_ci=(_r(low), _r(high)),
                lost_p5=_r(p5),
                lost_p50=_r(p50),
                lost_p95=_r(p95),
                short_share=_r(np.mean(lost[:, i] > SHORT * r.demand[:, :, i].sum(axis=1))),
                worst_share=_r(bands[1, worst, i]),
                worst_day=worst,
                recovery_day=_recovery(bands[1, :, i]),
                p5=[_r(v) for v in bands[0, :, i]],
                p50=[_r(v) for v in bands[1, :, i]],
                p95=[_r(v) for v in bands[2, :, i]],
                critical=_top(rows, n, r.facility_ids),
            )
        )
    # a facility on several items' paths in one draw counts once, as a root if it was one for any
    by_draw = unique_keys(r.critical[:, [0, 2, 3]], 2)
    events = [
        EventSummary(e.name, e.probability, _r(r.occurred[:, k].mean()))
        for k, e in enumerate(r.scenario.events)
    ]
    return SweepSummary(
        scenario=r.scenario.name,
        runs=n,
        requested=r.requested,
        seed=r.seed,
        days=r.days,
        simulated="whole" if r.whole else "cone",
        nodes=r.nodes,
        executor=r.executor,
        seconds=round(r.seconds, 3),
        events=events,
        end_items=items,
        critical=_top(by_draw, n, r.facility_ids),
    )
