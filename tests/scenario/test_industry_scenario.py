"""Scenario files at industry level: selectors over (region, sector), profiles as capacity shocks,
and the shock types and keys that have no meaning there refused at their line."""

from pathlib import Path

import numpy as np
import pymrio
import pytest

from arsenalnet.ingest.io_table import IOTable
from arsenalnet.propagate.industry import IndustryParams, simulate_industry
from arsenalnet.scenario import ScenarioError, load_scenario
from arsenalnet.scenario.industry import (
    capacity_shocks,
    compile_industry_scenario,
    summarize_industry_run,
)
from arsenalnet.scenario.model import Timing
from arsenalnet.scenario.profiles import Linear, Recovery, Step, Table, profile

SECTORS = ("food", "mining", "manufactoring", "electricity", "construction", "trade", "transport", "other")


@pytest.fixture(scope="module")
def table() -> IOTable:
    """pymrio's test MRIO: 6 regions (reg1 .. reg6) x the 8 sectors above, region-major."""
    m = pymrio.load_test()
    m.calc_all()
    return IOTable(
        Z=m.Z.to_numpy(),
        Y=m.Y.to_numpy(),
        x=m.x.to_numpy().ravel(),
        regions=tuple(m.get_regions()),
        sectors=tuple(m.get_sectors()),
        final_demand=tuple(m.Y.columns),
    )


def scenario_file(tmp_path: Path, shocks: str, days: int = 6) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\ndays: {days}\nshocks:\n{shocks}")
    return path


def test_sectors_are_as_assumed(table: IOTable) -> None:
    assert table.sectors == SECTORS
    assert table.regions == tuple(f"reg{k}" for k in range(1, 7))


def test_capacity_loss_compiles_to_a_hand_checked_profile(table: IOTable, tmp_path: Path) -> None:
    """reg2 is region 1: mining is industry 1 * 8 + 1 = 9, manufactoring 10. fraction 0.5 from day 1,
    held through offset 1, then down over 2 days: 0, 0.5, 0.5, 0.25, 0, 0 (docs/scenarios.md's example),
    which is the engine's shock with duration = hold = 1 and recovery_days = 2."""
    path = scenario_file(
        tmp_path,
        "  - type: capacity_loss\n"
        "    facilities: {region: reg2, naics_prefix: [mining, manuf]}\n"
        "    fraction: 0.5\n"
        "    start: 1\n"
        "    recovery: {type: linear, hold: 1, days: 2}\n",
    )
    shocks, params = compile_industry_scenario(load_scenario(path), table)
    assert params == IndustryParams()
    [shock] = shocks
    assert shock.industries.tolist() == [9, 10]
    assert (shock.start, shock.duration, shock.recovery_days) == (1, 1, 2)
    assert shock.profile(6)[:, 0].tolist() == [0.0, 0.5, 0.5, 0.25, 0.0, 0.0]
    assert shock.label == "capacity_loss (line 4)"


def test_not_removes_industries(table: IOTable, tmp_path: Path) -> None:
    """Every region but reg1 and reg6, every sector but food: 4 regions x 7 sectors."""
    path = scenario_file(
        tmp_path,
        "  - type: capacity_loss\n"
        "    facilities: {not: {region: [reg1, reg6]}}\n"
        "    fraction: 1\n"
        "  - type: capacity_loss\n"
        "    facilities: {naics_prefix: food}\n"
        "    fraction: 0.1\n",
    )
    first, second = compile_industry_scenario(load_scenario(path), table)[0]
    assert first.industries.tolist() == list(range(8, 40))
    assert second.industries.tolist() == [0, 8, 16, 24, 32, 40]
    assert (first.start, first.duration, first.recovery_days) == (0, 6, 0)  # permanent: to the end


@pytest.mark.parametrize(
    "recovery",
    [
        None,
        Step(after=3),
        Linear(days=4, hold=0),
        Linear(days=1, hold=0),
        Linear(days=5, hold=2),
        Table(((0.0, 1.0), (2.0, 0.5), (6.0, 0.0))),
        Table(((3.0, 0.2),)),
    ],
)
def test_every_recovery_profile_is_reproduced(recovery: Recovery | None) -> None:
    """The largest loss of the shocks on each day is the scenario's profile (to the engine's
    6-decimal rounding of a linear recovery)."""
    days, start, fraction = 16, 2, 0.7
    shocks = capacity_shocks(np.array([4, 7]), fraction, Timing(start, recovery), days, "x")
    worst = np.max([s.profile(days) for s in shocks], axis=0)
    expected = profile(days, fraction, start, recovery)
    np.testing.assert_allclose(worst, np.column_stack([expected, expected]), atol=1e-6)


def test_days_override_and_a_start_beyond_the_horizon(table: IOTable, tmp_path: Path) -> None:
    path = scenario_file(
        tmp_path, "  - type: capacity_loss\n    facilities: {region: reg3}\n    fraction: 1\n    start: 9\n"
    )
    [shock] = compile_industry_scenario(load_scenario(path), table, days=20)[0]
    assert (shock.start, shock.duration) == (9, 11)
    [shock] = compile_industry_scenario(load_scenario(path), table, days=5)[0]
    assert not shock.profile(5).any()


@pytest.mark.parametrize(
    ("shocks", "message"),
    [
        (
            "  - type: capacity_loss\n    facilities: {region: reg1}\n    fraction: 1\n"
            "  - type: export_ban\n    from: {region: reg2}\n    products: {id: prd:x}\n",
            r"s\.yaml:7: export_ban is not supported at industry level$",
        ),
        (
            "  - type: link_cut\n    mode: sea\n",
            r"s\.yaml:4: link_cut is not supported at industry level$",
        ),
        (
            "  - type: demand_change\n    products: {id: prd:x}\n    scale: 2\n",
            r"s\.yaml:4: demand_change is not supported at industry level$",
        ),
        (
            "  - type: capacity_loss\n    facilities: {region: reg1}\n    products: {kind: part}\n"
            "    fraction: 1\n",
            r"s\.yaml:6: products is not supported at industry level "
            r"\(an industry is a region and a sector\)",
        ),
        (
            "  - type: capacity_loss\n    facilities:\n      region: reg1\n      country: USA\n"
            "    fraction: 1\n",
            r"s\.yaml:7: selector key 'country' is not supported at industry level; "
            r"use region, naics_prefix, not$",
        ),
        (
            "  - type: capacity_loss\n    facilities: {region: [reg1, TX]}\n    fraction: 1\n",
            r"s\.yaml:5: unknown region 'TX'; the table's regions: reg1, reg2, reg3, reg4, reg5, reg6$",
        ),
        (
            "  - type: capacity_loss\n    facilities: {naics_prefix: '3361'}\n    fraction: 1\n",
            r"s\.yaml:5: selector matches no industry$",
        ),
    ],
)
def test_refused_at_industry_level(table: IOTable, tmp_path: Path, shocks: str, message: str) -> None:
    scenario = load_scenario(scenario_file(tmp_path, shocks))
    with pytest.raises(ScenarioError, match=message):
        compile_industry_scenario(scenario, table)


def test_summary_of_a_run(table: IOTable, tmp_path: Path) -> None:
    """reg2 mining (industry 9) at half capacity on days 1 and 2 (a step of 2 days): its production
    is at most half its daily output then; the baseline run loses nothing."""
    path = scenario_file(
        tmp_path,
        "  - type: capacity_loss\n    facilities: {region: reg2, naics_prefix: mining}\n"
        "    fraction: 0.5\n    start: 1\n    recovery: {type: step, after: 2}\n",
        days=30,
    )
    shocks, params = compile_industry_scenario(load_scenario(path), table)
    summary = summarize_industry_run(table, simulate_industry(table, shocks, params, 30), params)
    hit = summary.industries[0]
    assert (hit.region, hit.sector, hit.worst_day) == ("reg2", "mining", 1)
    assert hit.lowest_ratio == pytest.approx(0.5, abs=1e-9)
    assert hit.output_lost > 0 and summary.output_lost > 0 and summary.crashed_on_day is None
    assert summary.days == 30 and summary.industries_changed == len(summary.industries) >= 1
    baseline = summarize_industry_run(table, simulate_industry(table, [], params, 30), params)
    assert baseline.industries == () and baseline.industries_changed == 0
    assert abs(baseline.output_lost) < 1e-6 * baseline.output_per_day
    assert baseline.lowest_production_ratio == pytest.approx(1.0, abs=1e-12)
