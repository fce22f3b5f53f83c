"""Profiles over days: how strongly a shock acts on each simulated day.

A shock has a magnitude ``m`` (a fraction of capacity lost, of a link blocked)
and acts from day ``start``. Its *shape* is a value in [0, 1] per day, 0 before
``start``; the profile is ``m * shape``. With ``o = t - start`` the day offset:

- no recovery (permanent): ``shape = 1`` for ``o >= 0``;
- :class:`Step` ``after = N``: ``shape = 1`` for ``0 <= o < N``, then 0;
- :class:`Linear` ``days = N, hold = H``: ``shape = 1`` for ``o <= H``, then
  ``1 - (o - H) / N`` down to 0 at ``o = H + N``;
- :class:`Table` ``points = {o_i: v_i}``: linear interpolation between the
  points, the first value held before the first point and the last after the last.

>>> profile(6, 0.5, start=1, recovery=Linear(days=2, hold=1)).tolist()
[0.0, 0.5, 0.5, 0.25, 0.0, 0.0]
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Step:
    """Full magnitude for ``after`` days (>= 1) from the start, then none."""

    after: int


@dataclass(frozen=True)
class Linear:
    """Full magnitude for ``hold`` days (>= 0), then down to none linearly over ``days`` days (>= 1)."""

    days: int
    hold: int = 0


@dataclass(frozen=True)
class Table:
    """``points``: (day offset from start >= 0, fraction of magnitude in [0, 1]), sorted by offset."""

    points: tuple[tuple[float, float], ...]


Recovery = Step | Linear | Table


def shape(days: int, start: int, recovery: Recovery | None) -> FloatArray:
    """(days,) fraction of the magnitude in force on each day, in [0, 1]; 0 before ``start``."""
    offset = np.arange(days, dtype=np.float64) - start
    active = offset >= 0
    if recovery is None:
        level = np.ones(days)
    elif isinstance(recovery, Step):
        level = (offset < recovery.after).astype(np.float64)
    elif isinstance(recovery, Linear):
        level = np.clip(1.0 - (offset - recovery.hold) / recovery.days, 0.0, 1.0)
    else:
        xs = np.array([x for x, _ in recovery.points], dtype=np.float64)
        ys = np.array([y for _, y in recovery.points], dtype=np.float64)
        level = np.interp(offset, xs, ys)
    return np.where(active, level, 0.0)


def profile(days: int, magnitude: float, start: int, recovery: Recovery | None) -> FloatArray:
    """(days,) ``magnitude * shape``: e.g. the fraction of capacity lost on each day."""
    return magnitude * shape(days, start, recovery)


def ramp(days: int, start: int, ramp_days: int) -> FloatArray:
    """(days,) 0 before ``start``, then ``(t - start) / ramp_days`` up to 1 (at once if ``ramp_days`` = 0)."""
    offset = np.arange(days, dtype=np.float64) - start
    rising = np.ones(days) if ramp_days == 0 else np.clip(offset / ramp_days, 0.0, 1.0)
    return np.where(offset >= 0, rising, 0.0)


def demand_factor(
    days: int, target: float, start: int, ramp_days: int, recovery: Recovery | None
) -> FloatArray:
    """(days,) demand multiplier: 1 before ``start``, ramping linearly to ``target`` over
    ``ramp_days`` days, and back towards 1 along ``recovery`` (whichever envelope is lower).

    ``factor = 1 + (target - 1) * min(ramp, shape)``.

    >>> demand_factor(5, 3.0, start=1, ramp_days=2, recovery=None).tolist()
    [1.0, 1.0, 2.0, 3.0, 3.0]
    """
    envelope = np.minimum(ramp(days, start, ramp_days), shape(days, start, recovery))
    return 1.0 + (target - 1.0) * envelope
