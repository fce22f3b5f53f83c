"""Industry-level disruption propagation on a multi-regional input-output table (ARIO).

The same equations as BoARIO 0.7.2's ``ARIOPsiModel`` driven by its ``Simulation``
(Hallegatte 2008, 2014; Guan et al. 2020 for the order rule), vectorized over
industries with a compiled day loop. One step is one day; money is the table's
unit. ``n = len(regions) * len(sectors)`` industries in pymrio's region-major
order; industry ``i`` belongs to sector ``i % S``.

Day ``t`` (state: inventories ``I[s, j]``, overproduction ``alpha[j]``, yesterday's
production ``P[j]``, today's demand ``D[j]`` = orders placed yesterday + final demand):

0. for ``t > 1``: ``scarcity = (D - P) / D`` (0 where ``D = 0``; negative when demand fell);
   ``alpha += (alpha_max - alpha) * scarcity / alpha_tau`` where scarcity is not 0, else
   ``alpha += (alpha_base - alpha) / alpha_tau``; then ``alpha = max(alpha, 1)``.
1. capacity ``K = x0 * (1 - loss[t]) * alpha``; optimal production ``P* = min(D, K)``;
   with ``A_S[s, j]`` the table's input coefficients summed over supplying regions,
   production ``P[j] = P*[j] * min(1, min_s I[s, j] / (psi * inv[s] * A_S[s, j] * P*[j]))``
   over the inputs ``s`` that count (``Z_S[s, j] > technology_threshold * x0[j]``).
2. each industry splits ``P`` among its customers in proportion to their demand;
   inventories ``I[s, j] += sum_{i in s} delivered[i, j] - A_S[s, j] * P[j]``.
3. orders for day ``t + 1``: ``gap[s, j] = max(inv[s] A_S[s, j] P*[j] - I[s, j], 0) /
   restoration_tau[s] + A_S[s, j] P[j]``, split among the suppliers ``i`` of sector ``s``
   in proportion to ``Z[i, j] * K[i] / x0[i]`` (order type ``alt``) or ``Z[i, j]``
   (``noalt``); ``D = row sums of the orders + final demand``.

``x0``, ``Z`` and ``Y`` are the table's yearly flows divided by ``year_to_days``.
The details BoARIO adds (its ``allclose`` short cuts, the threshold, the timing and
rounding of events) are listed in ``docs/propagation-industry.md``.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from arsenalnet.model.errors import InputError
from arsenalnet.propagate.industry_kernel import run_days

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]

TECHNOLOGY_THRESHOLD = 1e-5
"""An input counts in the inventory constraint only where its yearly flow exceeds this
share of the buyer's daily output (BoARIO's ``TECHNOLOGY_THRESHOLD``, with its units)."""
LOSS_DECIMALS = 6
"""Decimals kept of a capacity loss while it recovers (BoARIO's ``EVENT_ARBITRARY_PRECISION``)."""
MIN_INVENTORY_DAYS = 2.0
"""Inventory targets of one day or less are raised to this (as BoARIO does)."""


class IndustryInputError(InputError):
    """A table, shock or parameter the industry model cannot run with."""


class OrderType(StrEnum):
    """How a buyer splits its order for an input among the regions that supply it."""

    ALT = "alt"
    """In proportion to the initial flows weighted by each supplier's current capacity
    relative to its initial output (Guan et al. 2020; BoARIO's default)."""
    NOALT = "noalt"
    """In proportion to the initial flows, whatever the suppliers' state."""


class IndustryTable(Protocol):
    """A multi-regional input-output table (see :class:`arsenalnet.ingest.io_table.IOTable`).

    Yearly money flows; ``n = len(regions) * len(sectors)`` rows in region-major order.
    """

    @property
    def Z(self) -> "FloatArray | sp.sparray":  # noqa: N802
        """(n, n) intermediate flows: ``Z[i, j]`` sold by industry i to industry j per year."""

    @property
    def Y(self) -> FloatArray:  # noqa: N802
        """(n, m) final demand per year, one column per (region, category)."""

    @property
    def x(self) -> FloatArray:
        """(n,) gross output per year."""

    @property
    def regions(self) -> tuple[str, ...]:
        """Region names, in row order."""

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sector names, in row order within a region."""


@dataclass(frozen=True)
class IndustryParams:
    """Behaviour of industries; names and defaults are BoARIO 0.7.2's ``ARIOPsiModel``'s.

    Durations are in days (one step is one day).
    """

    order_type: OrderType = OrderType.ALT
    """How orders for an input are split among supplying regions (``order_type``)."""
    alpha_base: float = 1.0
    """Overproduction factor in normal times (dimensionless, ``alpha_base``)."""
    alpha_max: float = 1.25
    """Highest overproduction factor (dimensionless, ``alpha_max``)."""
    alpha_tau: float = 365.0
    """Characteristic time of overproduction (days, ``alpha_tau``)."""
    psi: float = 0.80
    """Share of the inventory target below which production is constrained (``psi_param``), in (0, 1].
    Inventories of the inputs that count cannot run negative while ``psi * inventory days >= 1``;
    below that a day's use may exceed the stock, and the run stops as BoARIO's does (``crashed_on_day``)."""
    main_inv_dur: float = 90.0
    """Inventory target of every input (days of use, ``main_inv_dur``)."""
    inventory_days: tuple[float, ...] | None = None
    """Per input sector, in the table's sector order, overriding ``main_inv_dur`` (days of
    use; ``inf``: the input never constrains; BoARIO's ``inventory_dict``)."""
    inventory_restoration_tau: float | tuple[float, ...] = 60.0
    """Characteristic time to restore an inventory gap (days), one value or one per
    sector (``inventory_restoration_tau``)."""
    year_to_days: float = 365.0
    """Days per year of the table's flows (``iotable_year_to_temporal_unit_factor``)."""
    technology_threshold: float = TECHNOLOGY_THRESHOLD
    """See :data:`TECHNOLOGY_THRESHOLD`."""

    def __post_init__(self) -> None:
        if not 1.0 <= self.alpha_base <= self.alpha_max:
            raise IndustryInputError(
                f"need 1 <= alpha_base <= alpha_max, got {self.alpha_base}, {self.alpha_max}"
            )
        if not 0.0 < self.psi <= 1.0:
            raise IndustryInputError(f"psi must be in (0, 1], got {self.psi}")
        for name in ("alpha_tau", "main_inv_dur", "year_to_days"):
            if not getattr(self, name) > 0:
                raise IndustryInputError(f"{name} must be > 0, got {getattr(self, name)}")
        taus = np.atleast_1d(np.asarray(self.inventory_restoration_tau, dtype=float))
        if not (taus > 0).all() or not np.isfinite(taus).all():
            raise IndustryInputError("inventory_restoration_tau must be finite and > 0")
        if self.inventory_days is not None and not (np.asarray(self.inventory_days) > 0).all():
            raise IndustryInputError("inventory_days must be > 0")


@dataclass(frozen=True)
class CapacityShock:
    """Industries lose a share of their production capacity for a while, then recover linearly.

    On day ``t`` industry ``industries[k]`` loses ``loss[k]`` (fraction in [0, 1]) of its
    capacity for ``start <= t < start + duration``; then, with ``u = t - start - duration``,
    ``round(loss[k] * (1 - u / recovery_days), 6)`` for ``0 <= u < recovery_days``, and 0
    after. Several shocks on one industry take the largest loss (as BoARIO does).
    """

    industries: IndexArray
    """Industry indices (rows of the table), no repeats."""
    loss: FloatArray
    """(len(industries),) fraction of capacity lost, in [0, 1]."""
    start: int
    """First day of the loss (day 0 is the first simulated day)."""
    duration: int = 1
    """Days at the full loss, >= 1."""
    recovery_days: int = 0
    """Days of linear recovery after the full loss (0: back at once)."""
    label: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        ind = np.asarray(self.industries, dtype=np.int64).ravel()
        loss = np.broadcast_to(np.asarray(self.loss, dtype=np.float64), ind.shape).copy()
        object.__setattr__(self, "industries", ind)
        object.__setattr__(self, "loss", loss)
        if ind.size == 0:
            raise IndustryInputError("a capacity shock needs at least one industry")
        if np.unique(ind).size != ind.size:
            raise IndustryInputError("a capacity shock names an industry twice")
        if not ((loss >= 0) & (loss <= 1)).all():
            raise IndustryInputError("a capacity loss must be a fraction in [0, 1]")
        if self.start < 0 or self.duration < 1 or self.recovery_days < 0:
            raise IndustryInputError(
                f"need start >= 0, duration >= 1, recovery_days >= 0; got {self.start}, "
                f"{self.duration}, {self.recovery_days}"
            )

    @classmethod
    def like_boario_arbitrary(
        cls,
        industries: IndexArray,
        loss: FloatArray | float,
        occurrence: int,
        duration: int = 1,
        recovery_tau: int = 1,
        label: str = "",
    ) -> "CapacityShock":
        """The shock BoARIO 0.7.2 applies for ``EventArbitraryProd(impact=loss, occurrence,
        duration, recovery_tau, recovery_function="linear")``.

        A BoARIO ``Simulation`` reads an event's loss one step after it updates it, and
        starts the linear recovery one step after the event's end; so the capacity is
        reduced from day ``occurrence + 1`` at the full loss for ``duration + 1`` days, then
        recovers over ``recovery_tau`` days.
        """
        return cls(
            industries=np.asarray(industries, dtype=np.int64),
            loss=np.asarray(loss, dtype=np.float64),
            start=occurrence + 1,
            duration=duration + 1,
            recovery_days=recovery_tau,
            label=label,
        )

    def profile(self, days: int) -> FloatArray:
        """(days, len(industries)) capacity share lost on each day."""
        t = np.arange(days, dtype=np.float64)[:, None]
        full = (t >= self.start) & (t < self.start + self.duration)
        u = t - (self.start + self.duration)
        recovering = (u >= 0) & (u < self.recovery_days)
        tau = max(self.recovery_days, 1)
        ramp = np.round(self.loss[None, :] * (1.0 - (u / tau)), LOSS_DECIMALS)
        out: FloatArray = np.where(full, self.loss[None, :], np.where(recovering, ramp, 0.0))
        return out


@dataclass(frozen=True)
class IndustryTrajectory:
    """Daily results; money per day in the table's unit; rows are days 0 .. days-1.

    If an inventory turns negative on day ``crashed_on_day`` (BoARIO stops there too),
    the rows after that day are NaN.
    """

    production: FloatArray
    """(days, n) production realised."""
    capacity: FloatArray
    """(days, n) production capacity ``x0 * (1 - loss) * alpha``."""
    overproduction: FloatArray
    """(days, n) overproduction factor ``alpha`` (dimensionless)."""
    demand: FloatArray
    """(days, n) total demand addressed to each industry (orders + final demand)."""
    final_demand_unmet: FloatArray
    """(days, n) final demand not served."""
    inventories: FloatArray
    """(S, n) input inventories at the end: ``inventories[s, j]`` held by j of sector s's goods."""
    crashed_on_day: int | None = None


def _per_sector(
    value: float | tuple[float, ...] | None, default: float, n_sectors: int, name: str
) -> FloatArray:
    arr = np.asarray(default if value is None else value, dtype=np.float64)
    if arr.ndim == 0:
        return np.full(n_sectors, float(arr))
    if arr.shape != (n_sectors,):
        raise IndustryInputError(f"{name} needs one value per sector ({n_sectors}), got {arr.shape[0]}")
    return arr


def _check_table(table: IndustryTable) -> tuple[sp.csc_array, FloatArray, FloatArray]:
    n_sec = len(table.sectors)
    n = len(table.regions) * n_sec
    z = sp.csc_array(table.Z, dtype=np.float64)
    z.sum_duplicates()
    z.eliminate_zeros()
    x = np.asarray(table.x, dtype=np.float64).ravel()
    y = np.asarray(table.Y, dtype=np.float64)
    if n == 0 or z.shape != (n, n) or x.shape != (n,) or y.ndim != 2 or y.shape[0] != n:
        raise IndustryInputError(
            f"table shapes do not match {len(table.regions)} regions x {n_sec} sectors: "
            f"Z {z.shape}, Y {y.shape}, x {x.shape}"
        )
    for name, values in (("Z", z.data), ("Y", y), ("x", x)):
        if not np.isfinite(values).all() or (values < 0).any():
            raise IndustryInputError(f"table {name} has a negative or non-finite value")
    return z, y, x


def simulate_industry(
    table: IndustryTable,
    shocks: Sequence[CapacityShock],
    params: IndustryParams,
    days: int,
) -> IndustryTrajectory:
    """Simulate ``days`` days of the industry-level ARIO model after ``shocks``.

    With no shock the economy stays at the table's flows. Runs the same equations as
    BoARIO 0.7.2 (``ARIOPsiModel`` in a ``Simulation``) on the same table, parameters
    and (``CapacityShock.like_boario_arbitrary``) events.
    """
    if days < 1:
        raise IndustryInputError(f"days must be >= 1, got {days}")
    z_year, y_year, x_year = _check_table(table)
    n_sec = len(table.sectors)
    n = x_year.shape[0]
    per_day = 1.0 / params.year_to_days
    x0 = x_year * per_day
    z0 = (z_year * per_day).tocsc()
    sector_of = np.arange(n, dtype=np.int64) % n_sec
    aggregate = sp.csr_array((np.ones(n), (sector_of, np.arange(n))), shape=(n_sec, n))
    # A_S[s, j] = sum_{i in s} Z[i, j] / x[j] (0 where x[j] = 0), as (n, S) for the kernel
    inv_x = np.divide(1.0, x_year, out=np.zeros(n), where=x_year != 0)
    z_sector = (aggregate @ z_year).toarray()  # (S, n) yearly
    tech = np.ascontiguousarray((z_sector * inv_x[None, :]).T)
    is_input = np.ascontiguousarray((z_sector > x0[None, :] * params.technology_threshold).T)

    inv = _per_sector(params.inventory_days, params.main_inv_dur, n_sec, "inventory_days")
    inv = np.where(inv <= 1.0, MIN_INVENTORY_DAYS, inv)
    tau = _per_sector(params.inventory_restoration_tau, 60.0, n_sec, "inventory_restoration_tau")
    loss = np.zeros((days, n))
    for shock in shocks:
        if shock.industries.max() >= n:
            raise IndustryInputError(f"a capacity shock names industry {shock.industries.max()} of {n}")
        loss[:, shock.industries] = np.maximum(loss[:, shock.industries], shock.profile(days))

    with np.errstate(invalid="ignore"):
        stock = np.ascontiguousarray((x0[:, None] * tech) * inv[None, :])
    stock[np.isnan(stock)] = np.inf  # infinite inventories hold no finite target
    out = {name: np.full((days, n), np.nan) for name in ("prod", "cap", "alpha", "demand", "unmet")}
    crashed = run_days(
        z0.indptr.astype(np.int64),
        z0.indices.astype(np.int64),
        z0.data,
        sector_of,
        tech,
        is_input,
        x0,
        np.asarray(y_year.sum(axis=1)) * per_day,
        inv,
        1.0 / tau,
        loss,
        float(params.psi),
        float(params.alpha_base),
        float(params.alpha_max),
        1.0 / params.alpha_tau,
        params.order_type == OrderType.ALT,
        out["prod"],
        out["cap"],
        out["alpha"],
        out["demand"],
        out["unmet"],
        stock,
    )
    return IndustryTrajectory(
        production=out["prod"],
        capacity=out["cap"],
        overproduction=out["alpha"],
        demand=out["demand"],
        final_demand_unmet=out["unmet"],
        inventories=np.ascontiguousarray(stock.T),
        crashed_on_day=None if crashed < 0 else int(crashed),
    )
