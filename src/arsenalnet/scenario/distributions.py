"""Distributions a scenario file may give instead of a number, and how a draw samples them.

Written as a one-key mapping in place of the number::

    fraction: {beta: {a: 2, b: 5}}                    # in [0, 1], mean a / (a + b)
    recovery: {type: step, after: {lognormal: {median: 21, sigma: 0.8}}}
    start: {uniform: {low: 0, high: 60}}
    scale: {triangular: {low: 1.5, mode: 2, high: 4}}

A field keeps its range: a draw that could leave it is refused when the file is
read (a lognormal fraction could exceed 1). Day counts (``start``, ``after``,
``days``, ``hold``, ``ramp_days``) are rounded to the nearest integer and raised
to their minimum (a lognormal duration of 0.3 days lasts 1 day).

>>> Range(1, integer=True).clip(np.array([0.3, 2.5, 3.7])).tolist()
[1.0, 2.0, 4.0]
"""

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.scenario.reader import Reader, hint
from arsenalnet.scenario.yaml_lines import YEntry, YMap

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Range:
    """The values a field takes: [low, high], integers (days) if ``integer``."""

    low: float
    high: float = math.inf
    integer: bool = False

    def clip(self, x: FloatArray) -> FloatArray:
        """Draws as the field takes them: day counts rounded (half to even) and raised to ``low``."""
        return np.maximum(np.rint(x), self.low) if self.integer else x

    @property
    def floor(self) -> float:
        """The lowest draw allowed before :meth:`clip` (day counts: 0, raised afterwards)."""
        return 0.0 if self.integer else self.low


@dataclass(frozen=True)
class Beta:
    """Beta(a, b) on [0, 1]: a, b > 0; mean a / (a + b)."""

    a: float
    b: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` draws."""
        return rng.beta(self.a, self.b, n)

    @property
    def mean(self) -> float:
        """The mean."""
        return self.a / (self.a + self.b)


@dataclass(frozen=True)
class LogNormal:
    """``median * exp(sigma * Z)``, Z standard normal: median > 0, sigma >= 0 (sigma of the log)."""

    median: float
    sigma: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` draws."""
        return rng.lognormal(math.log(self.median), self.sigma, n)

    @property
    def mean(self) -> float:
        """The mean, ``median * exp(sigma^2 / 2)``."""
        return self.median * math.exp(self.sigma**2 / 2)


@dataclass(frozen=True)
class Uniform:
    """Uniform on [low, high), low < high."""

    low: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` draws."""
        return rng.uniform(self.low, self.high, n)

    @property
    def mean(self) -> float:
        """The mean."""
        return (self.low + self.high) / 2


@dataclass(frozen=True)
class Triangular:
    """Triangular on [low, high] with its peak at ``mode``: low <= mode <= high, low < high."""

    low: float
    mode: float
    high: float

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` draws."""
        return rng.triangular(self.low, self.mode, self.high, n)

    @property
    def mean(self) -> float:
        """The mean."""
        return (self.low + self.mode + self.high) / 3


Distribution = Beta | LogNormal | Uniform | Triangular

PARAMS: dict[str, tuple[str, ...]] = {
    "beta": ("a", "b"),
    "lognormal": ("median", "sigma"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
}
"""Each distribution's name in a file and its parameters."""


def is_distribution(e: YEntry) -> bool:
    """Whether the value under ``e`` is written as a distribution (a mapping) rather than a number."""
    return isinstance(e.value, YMap)


def read_distribution(e: YEntry, r: Reader, field: Range) -> Distribution:
    """The distribution written under ``e`` for a field taking ``field``'s values."""
    m = r.mapping(e.value, str(e.key))
    names = tuple(PARAMS)
    if len(m.entries) != 1:
        raise r.fail(
            m.line,
            f"{e.key} must be a number or one distribution ({', '.join(names)}), "
            "e.g. {beta: {a: 2, b: 5}}",
        )
    d = m.entries[0]
    name = str(d.key)
    if name not in PARAMS:
        allowed = ", ".join(names)
        raise r.fail(d.key_line, f"unknown distribution '{name}'{hint(name, names)}; allowed: {allowed}")
    params = r.mapping(d.value, f"{name}'s parameters")
    r.keys(params, PARAMS[name], name, required=PARAMS[name])

    def num(key: str, low: float = -math.inf, high: float = math.inf, above: bool = False) -> float:
        entry = params.get(key)
        assert entry is not None  # required above
        return r.number(entry, low, high, name=f"{name} {key}", above=above)

    if name == "beta":
        return Beta(num("a", 0.0, above=True), num("b", 0.0, above=True))
    if name == "lognormal":
        if field.high < math.inf:
            raise r.fail(
                d.key_line,
                f"{e.key} cannot be lognormal: its draws may exceed {field.high:g}; use beta, uniform "
                "or triangular",
            )
        return LogNormal(num("median", 0.0, above=True), num("sigma", 0.0))
    low = num("low", field.floor, field.high)
    if name == "uniform":
        high = num("high", field.floor, field.high)
        if not low < high:
            raise r.fail(params.line, f"uniform needs low < high, got low {low:g}, high {high:g}")
        return Uniform(low, high)
    mode, high = num("mode", field.floor, field.high), num("high", field.floor, field.high)
    if not (low <= mode <= high and low < high):
        raise r.fail(
            params.line,
            f"triangular needs low <= mode <= high and low < high, got {low:g}, {mode:g}, {high:g}",
        )
    return Triangular(low, mode, high)
