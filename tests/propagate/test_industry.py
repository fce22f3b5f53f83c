"""Industry-level ARIO: a hand-checked case, properties, and BoARIO 0.7.2 as the peer."""

import inspect
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pymrio
import pytest
from boario.event import EventArbitraryProd
from boario.extended_models import ARIOPsiModel
from boario.simulation import Simulation
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.ingest.io_table import IOTable
from arsenalnet.propagate.industry import (
    CapacityShock,
    IndustryInputError,
    IndustryParams,
    OrderType,
    simulate_industry,
)

BOARIO_WARNINGS = "ignore:The inplace keyword:pandas.errors.Pandas4Warning"
"""BoARIO 0.7.2 calls pandas with ``inplace=True``, which pandas 3.1 deprecates."""


def two_sector_table() -> IOTable:
    """One region, sectors a and b; per day a sells 1 to b, b sells 1 to a, each 1 to households."""
    return IOTable(
        Z=np.array([[0.0, 365.0], [365.0, 0.0]]),
        Y=np.array([[365.0], [365.0]]),
        x=np.array([730.0, 730.0]),
        regions=("r",),
        sectors=("a", "b"),
    )


def test_two_sectors_by_hand() -> None:
    """a loses half its capacity on day 1; inventories 2 days, psi 1, restored in 1 day, no overproduction.

    Per day: x0 = (2, 2); A[a, b] = A[b, a] = 1/2; inventories I[a, b] (a's goods held by b)
    = I[b, a] = 2 * 1/2 * 2 = 2; orders O[a, b] = O[b, a] = 1; demand D = (2, 2).

    Day 0: P = (2, 2); every flow as in the table; nothing changes.
    Day 1: capacity (1, 2), P* = (1, 2); needs: I[a, b] >= 2 * 1/2 * 2 = 2 (has 2), I[b, a] >= 1 (has 2):
      P = (1, 2). a serves half of each demand: b gets 0.5, households 0.5 (0.5 unmet); b serves all.
      I[a, b] = 2 - 2 * 1/2 + 0.5 = 1.5; I[b, a] = 2 - 1 * 1/2 + 1 = 2.5.
      Orders: b to a: (2 - 1.5) + 1 = 1.5; a to b: max(1 - 2.5, 0) + 0.5 = 0.5; D = (2.5, 1.5).
    Day 2: capacity (2, 2), P* = (2, 1.5); needs 1.5 (has 1.5) and 2 (has 2.5): P = (2, 1.5).
      a serves 2 / 2.5 = 80%: b gets 1.2, households 0.8 (0.2 unmet); b serves all: a gets 0.5.
      I[a, b] = 1.5 - 0.75 + 1.2 = 1.95; I[b, a] = 2.5 - 1 + 0.5 = 2.
      Orders: b to a: max(1.5 - 1.95, 0) + 0.75 = 0.75; a to b: max(2 - 2, 0) + 1 = 1; D = (1.75, 2).
    Day 3: P* = (1.75, 2); b needs I[a, b] >= 2, has 1.95: b produces 2 * 1.95 / 2 = 1.95.
      a serves all (b gets 0.75); b serves 97.5%: a gets 0.975, households 0.975 (0.025 unmet).
      I[a, b] = 1.95 - 0.975 + 0.75 = 1.725; I[b, a] = 2 - 0.875 + 0.975 = 2.1.
    """
    params = IndustryParams(alpha_max=1.0, psi=1.0, main_inv_dur=2.0, inventory_restoration_tau=1.0)
    shock = CapacityShock(industries=np.array([0]), loss=np.array([0.5]), start=1, duration=1)
    run = simulate_industry(two_sector_table(), [shock], params, days=4)
    np.testing.assert_allclose(
        run.production, np.array([[2, 2], [1, 2], [2, 1.5], [1.75, 1.95]]), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(run.capacity, np.array([[2, 2], [1, 2], [2, 2], [2, 2.0]]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        run.demand, np.array([[2, 2], [2, 2], [2.5, 1.5], [1.75, 2]]), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        run.final_demand_unmet, np.array([[0, 0], [0.5, 0], [0.2, 0], [0, 0.025]]), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(run.inventories, [[0, 1.725], [2.1, 0]], rtol=0, atol=1e-12)
    assert run.crashed_on_day is None


def test_overproduction_rises_with_scarcity() -> None:
    """From day 2 alpha moves towards alpha_max by scarcity / alpha_tau, scarcity being the share
    of today's demand that yesterday's production would leave unserved. In the case above, day 2's
    demand on a is 2.5 and a produced 1 on day 1: scarcity 0.6, alpha_a = 1 + (1.25 - 1) * 0.6 / 10
    = 1.015; b: demand 1.5 < production 2, scarcity -1/3, alpha_b = 1 - 0.25 / 3 / 10 < 1, so 1."""
    params = IndustryParams(alpha_tau=10.0, psi=1.0, main_inv_dur=2.0, inventory_restoration_tau=1.0)
    shock = CapacityShock(industries=np.array([0]), loss=np.array([0.5]), start=1, duration=1)
    run = simulate_industry(two_sector_table(), [shock], params, days=3)
    np.testing.assert_allclose(run.overproduction[:2], 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(run.overproduction[2], [1.015, 1.0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.capacity[2], [2 * 1.015, 2.0], rtol=0, atol=1e-12)


def test_capacity_shock_profile() -> None:
    """Full loss on days start .. start+duration-1, then linear over recovery_days, rounded to 1e-6."""
    shock = CapacityShock(
        industries=np.array([3, 1]), loss=np.array([0.3, 0.7]), start=2, duration=2, recovery_days=3
    )
    expected_first = [0, 0, 0.3, 0.3, 0.3, 0.2, 0.1, 0, 0]
    np.testing.assert_allclose(shock.profile(9)[:, 0], expected_first, rtol=0, atol=1e-15)
    np.testing.assert_allclose(shock.profile(9)[5, 1], 0.466667, rtol=0, atol=1e-15)
    boario = CapacityShock.like_boario_arbitrary(
        np.array([0]), 0.5, occurrence=5, duration=10, recovery_tau=30
    )
    assert (boario.start, boario.duration, boario.recovery_days) == (6, 11, 30)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"industries": np.array([], dtype=np.int64), "loss": 0.5, "start": 0}, "at least one industry"),
        ({"industries": np.array([1, 1]), "loss": 0.5, "start": 0}, "names an industry twice"),
        ({"industries": np.array([1]), "loss": 1.5, "start": 0}, r"fraction in \[0, 1\]"),
        ({"industries": np.array([1]), "loss": 0.5, "start": 0, "duration": 0}, "duration >= 1"),
    ],
)
def test_bad_shocks_are_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(IndustryInputError, match=match):
        CapacityShock(**kwargs)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(IndustryInputError, match=r"psi must be in \(0, 1\]"):
        IndustryParams(psi=1.5)
    with pytest.raises(IndustryInputError, match="one value per sector"):
        simulate_industry(two_sector_table(), [], IndustryParams(inventory_days=(1.0, 2.0, 3.0)), days=2)
    with pytest.raises(IndustryInputError, match="names industry 5 of 2"):
        simulate_industry(
            two_sector_table(), [CapacityShock(np.array([5]), np.array([0.1]), 0)], IndustryParams(), 2
        )
    table = two_sector_table()
    bad = IOTable(Z=table.Z, Y=table.Y, x=np.array([730.0, -1.0]), regions=("r",), sectors=("a", "b"))
    with pytest.raises(IndustryInputError, match="table x has a negative"):
        simulate_industry(bad, [], IndustryParams(), 2)


def test_defaults_are_boarios() -> None:
    """Every parameter shared with BoARIO's ARIOPsiModel has its default."""
    boario = inspect.signature(ARIOPsiModel.__init__).parameters
    ours = IndustryParams()
    assert ours.order_type == boario["order_type"].default
    for name in ("alpha_base", "alpha_max", "alpha_tau", "main_inv_dur", "inventory_restoration_tau"):
        assert getattr(ours, name) == boario[name].default, name
    assert ours.psi == boario["psi_param"].default
    assert ours.year_to_days == boario["iotable_year_to_temporal_unit_factor"].default


@st.composite
def tables(draw: st.DrawFn) -> IOTable:
    """Small random MRIO tables whose inputs all pass BoARIO's technology threshold."""
    n_regions = draw(st.integers(1, 3))
    n_sectors = draw(st.integers(1, 3))
    n = n_regions * n_sectors
    flows = st.one_of(st.just(0.0), st.floats(0.1, 10.0))
    z = np.array(draw(st.lists(flows, min_size=n * n, max_size=n * n))).reshape(n, n) * 365
    y = np.array(draw(st.lists(st.floats(1.0, 10.0), min_size=n, max_size=n)))[:, None] * 365
    return IOTable(
        Z=z,
        Y=y,
        x=z.sum(axis=1) + y.sum(axis=1),
        regions=tuple(f"r{k}" for k in range(n_regions)),
        sectors=tuple(f"s{k}" for k in range(n_sectors)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[IOTable, list[CapacityShock], IndustryParams, int]:
    table = draw(tables())
    n, n_sectors = table.x.size, len(table.sectors)
    hit = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    shock = CapacityShock(
        industries=np.array(hit),
        loss=np.array(draw(st.lists(st.floats(0.0, 0.95), min_size=len(hit), max_size=len(hit)))),
        start=draw(st.integers(0, 5)),
        duration=draw(st.integers(1, 10)),
        recovery_days=draw(st.integers(0, 20)),
    )
    params = IndustryParams(
        order_type=draw(st.sampled_from(list(OrderType))),
        alpha_max=draw(st.floats(1.0, 1.5)),
        alpha_tau=draw(st.floats(5.0, 365.0)),
        psi=draw(st.floats(0.5, 1.0)),  # psi * inventory days >= 1: see IndustryParams.psi
        inventory_days=tuple(draw(st.lists(st.floats(2.0, 30.0), min_size=n_sectors, max_size=n_sectors))),
        inventory_restoration_tau=draw(st.floats(1.0, 60.0)),
    )
    return table, [shock], params, draw(st.integers(1, 60))


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_production_within_capacity_and_inventories_never_negative(
    scenario: tuple[IOTable, list[CapacityShock], IndustryParams, int],
) -> None:
    table, shocks, params, days = scenario
    run = simulate_industry(table, shocks, params, days)
    x0 = table.x / params.year_to_days
    loss = np.zeros((days, x0.size))
    loss[:, shocks[0].industries] = shocks[0].profile(days)
    assert run.crashed_on_day is None
    assert (run.inventories >= 0).all()
    assert (run.production >= 0).all()
    assert (run.production <= run.capacity * (1 + 1e-12)).all()
    assert (run.production <= run.demand * (1 + 1e-12)).all()
    assert (run.overproduction >= 1).all() and (run.overproduction <= params.alpha_max + 1e-12).all()
    np.testing.assert_allclose(run.capacity, x0 * (1 - loss) * run.overproduction, rtol=1e-12)
    assert (run.final_demand_unmet >= -1e-9 * x0).all()


@settings(max_examples=50, deadline=None)
@given(tables(), st.sampled_from(list(OrderType)))
def test_without_shock_the_table_is_a_steady_state(table: IOTable, order: OrderType) -> None:
    run = simulate_industry(table, [], IndustryParams(order_type=order), days=365)
    x0 = table.x / 365
    np.testing.assert_allclose(run.production, np.broadcast_to(x0, run.production.shape), rtol=1e-9)
    np.testing.assert_allclose(run.demand, np.broadcast_to(x0, run.demand.shape), rtol=1e-9)
    np.testing.assert_allclose(run.final_demand_unmet, 0.0, atol=1e-9 * x0.max())
    assert (run.overproduction == 1.0).all()


# --- BoARIO 0.7.2 as the peer -------------------------------------------------------------------


@pytest.fixture
def boario_output(tmp_path: Path) -> Iterator[Path]:
    """A folder for BoARIO's files; the log handler BoARIO attaches there is closed afterwards."""
    yield tmp_path
    logger = logging.getLogger("boario")
    for handler in list(logger.handlers):
        if isinstance(handler, logging.FileHandler) and Path(handler.baseFilename).is_relative_to(tmp_path):
            logger.removeHandler(handler)
            handler.close()


class PeerCase(NamedTuple):
    order_type: str
    main_inv_dur: int
    psi: float
    restoration_tau: int
    infinite: tuple[str, ...]
    """Sectors whose inventories never constrain."""


PEER_CASES = {
    "boario-defaults": PeerCase("alt", 90, 0.8, 60, ()),
    "short-inventories": PeerCase("noalt", 5, 0.9, 3, ("construction",)),
    "tight-alt": PeerCase("alt", 3, 1.0, 1, ("trade",)),
}
HIT = {
    ("reg1", "manufactoring"): 0.3,
    ("reg2", "electricity"): 0.5,
    ("reg3", "mining"): 0.2,
    ("reg1", "transport"): 0.7,
}


@pytest.mark.filterwarnings(BOARIO_WARNINGS)
@pytest.mark.parametrize("case", PEER_CASES)
def test_same_daily_production_as_boario(case: str, boario_output: Path) -> None:
    """pymrio's test MRIO, BoARIO's ``EventArbitraryProd`` (from day 5 for 10 days, 30 days of
    linear recovery), 365 days: daily production of every region-sector agrees within 1e-4."""
    c = PEER_CASES[case]
    mriot = pymrio.load_test()
    mriot.calc_all()
    sectors = list(mriot.get_sectors())
    inventories: dict[str, int | str] = {s: ("inf" if s in c.infinite else c.main_inv_dur) for s in sectors}
    model = ARIOPsiModel(
        mriot,
        order_type=c.order_type,
        alpha_base=1.0,
        alpha_max=1.25,
        alpha_tau=365,
        main_inv_dur=c.main_inv_dur,
        inventory_dict=inventories,
        psi_param=c.psi,
        inventory_restoration_tau=c.restoration_tau,
        temporal_units_by_step=1,
        iotable_year_to_temporal_unit_factor=365,
        productive_capital_to_VA_dict=dict.fromkeys(sectors, 4),
    )
    sim = Simulation(model, n_temporal_units_to_sim=365, boario_output_dir=boario_output)
    impact = pd.Series(HIT).rename_axis(["region", "sector"])
    sim.add_event(EventArbitraryProd(impact=impact, occurrence=5, duration=10, recovery_tau=30))
    sim.loop()
    assert not sim.has_crashed

    table = IOTable(
        Z=mriot.Z.to_numpy(),
        Y=mriot.Y.to_numpy(),
        x=mriot.x.to_numpy().ravel(),
        regions=tuple(mriot.get_regions()),
        sectors=tuple(sectors),
    )
    rows = pd.MultiIndex.from_product([table.regions, table.sectors])
    hit = rows.get_indexer(list(HIT))
    shock = CapacityShock.like_boario_arbitrary(
        hit, np.array(list(HIT.values())), occurrence=5, duration=10, recovery_tau=30
    )
    params = IndustryParams(
        order_type=OrderType(c.order_type),
        psi=c.psi,
        main_inv_dur=c.main_inv_dur,
        inventory_days=tuple(float(inventories[s]) for s in sectors),
        inventory_restoration_tau=c.restoration_tau,
    )
    ours = simulate_industry(table, [shock], params, days=365)

    theirs = sim.production_realised.reindex(columns=rows).to_numpy()
    assert theirs.shape == ours.production.shape == (365, 48)
    assert not np.isnan(theirs).any()
    relative = np.abs(ours.production - theirs) / np.abs(theirs)
    assert relative.max() < 1e-4, f"max relative difference {relative.max():.3e}"
    # the event bites: the hit industries lose capacity and the others feel it
    assert (theirs[:, hit].min(axis=0) < 0.9 * theirs[0, hit]).all()
    if case != "boario-defaults":
        optimal = np.minimum(ours.demand, ours.capacity)
        assert (ours.production < optimal * (1 - 1e-9)).any(), "the inventory constraint never bound"


@pytest.mark.filterwarnings(BOARIO_WARNINGS)
def test_crash_on_the_same_day_as_boario(boario_output: Path) -> None:
    """b buys a trickle of a (1e-5 a year, under the technology threshold, so it never limits b's
    production); a stops from day 2: b's 3-day inventory of a runs out and turns negative on day 7
    in both models, which then stop."""
    z = np.array([[0.0, 1e-5], [365.0, 0.0]])
    y = np.array([[365.0], [365.0]])
    table = IOTable(Z=z, Y=y, x=z.sum(axis=1) + y.sum(axis=1), regions=("r",), sectors=("a", "b"))
    shock = CapacityShock.like_boario_arbitrary(np.array([0]), 1.0, occurrence=1, duration=50, recovery_tau=1)
    ours = simulate_industry(table, [shock], IndustryParams(main_inv_dur=3), days=60)

    rows = pd.MultiIndex.from_product([table.regions, table.sectors], names=["region", "sector"])
    zf = pd.DataFrame(z, index=rows, columns=rows)
    xf = pd.DataFrame(table.x, index=rows, columns=["indout"])
    fd = pd.MultiIndex.from_tuples([("r", "households")], names=["region", "category"])
    mriot = pymrio.IOSystem(Z=zf, Y=pd.DataFrame(y, index=rows, columns=fd), x=xf, A=pymrio.calc_A(zf, xf))
    model = ARIOPsiModel(mriot, main_inv_dur=3, productive_capital_to_VA_dict={"a": 4, "b": 4})
    sim = Simulation(model, n_temporal_units_to_sim=60, boario_output_dir=boario_output)
    sim.add_event(EventArbitraryProd(impact=pd.Series([1.0], index=rows[:1]), occurrence=1, duration=50))
    with pytest.warns(UserWarning, match="crashed"):
        sim.loop()

    assert sim.has_crashed and sim.current_temporal_unit == ours.crashed_on_day == 7
    theirs = sim.production_realised.to_numpy()
    np.testing.assert_allclose(ours.production[:8], theirs[:8], rtol=1e-12)
    assert np.isnan(ours.production[8:]).all() and np.isnan(theirs[8:]).all()
