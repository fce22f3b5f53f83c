"""The exposure report on a network solved by hand, and its properties on generated twins.

The rocket twin (tests/fixtures/risk): a rocket (10/day, DX) is made at fac:e (USA) from
1 motor and 2 fins; the motor at fac:a (USA) from 3 kg of steel made at fac:m (BRA);
fins half from fac:b1 (CAN) and half from fac:b2 (CHN). Stocks: fac:e holds 5 days of its
inputs, fac:a 4 days. Spare capacity: fac:b1 10 fins/day, fac:b2 20, nobody else any.
TTR: e 30, a 10, m 8, b1 and b2 60 days. Platforms: e and a Siemens, b1 and b2 Rockwell.
"""

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import import_tables
from arsenalnet.network import Network, compile_network
from arsenalnet.propagate.system import build_system
from arsenalnet.risk.outages import Outage, units_lost
from arsenalnet.risk.report import end_items, exposure_report
from arsenalnet.risk.results import ExposureReport, RiskError
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin


@pytest.fixture(scope="module")
def report(rocket: Network) -> ExposureReport:
    return exposure_report(rocket, build_system(rocket), "prd:rocket")


def test_single_points_and_concentration(report: ExposureReport) -> None:
    """Motor (one plant, USA) and steel (one plant, BRA) are single points; fins are not
    (two plants, two organizations, two countries). Units/day: 10 motors, 3 x 10 = 30 kg steel.
    HHI of fins: 0.5^2 + 0.5^2 = 5,000 by facility and by country."""
    spofs = {s.product_id: s for s in report.single_points}
    assert set(spofs) == {"prd:motor", "prd:steel"}
    assert spofs["prd:motor"].kinds == ["facility", "organization", "country"]
    assert (spofs["prd:motor"].tier, spofs["prd:motor"].units_per_day) == (1, 10.0)
    assert (spofs["prd:steel"].tier, spofs["prd:steel"].units_per_day, spofs["prd:steel"].countries) == (
        2,
        30.0,
        ["BRA"],
    )
    hhi = {c.product_id: (c.hhi_facility, c.hhi_country) for c in report.concentration}
    assert hhi == {"prd:motor": (10_000, 10_000), "prd:steel": (10_000, 10_000), "prd:fin": (5_000, 5_000)}


def test_foreign_exposure_tier_by_tier(report: ExposureReport) -> None:
    """Input lines: tier 1 motor (1.0 via a), fins (0.5 via b1, 0.5 via b2); tier 2 steel (1.0 via m).
    Foreign adversary (CHN): 0.5 of 3 lines = 1/6; non-allied (CHN, BRA): 1.5 of 3 = 1/2.
    Tier 1: CHN 0.5 of 2 = 25%; tier 2: BRA 1 of 1 = 100% non-allied, 0% adversary."""
    assert report.foreign_adversary_share == pytest.approx(1 / 6)
    assert report.non_allied_share == pytest.approx(1 / 2)
    assert [(t.tier, t.foreign_adversary, t.non_allied) for t in report.by_tier] == [
        (1, 0.25, 0.25),
        (2, 0.0, 1.0),
    ]
    shares = {c.country: c.share for c in report.by_country}
    assert shares == pytest.approx({"USA": 1 / 3, "BRA": 1 / 3, "CAN": 1 / 6, "CHN": 1 / 6})
    assert [(p.facility_id, p.share) for p in report.paths] == [("fac:m", 1.0), ("fac:b2", 0.5)]
    assert report.paths[0].path == ["fac:m (prd:steel)", "fac:a (prd:motor)", "fac:e (prd:rocket)"]


def test_time_to_survive_against_time_to_recover(report: ExposureReport) -> None:
    """TTS = buffer / (1 - cover). fac:e makes the rocket, no other maker: 0 days. fac:a: e's 5
    days of motors. fac:m: a's 4 days of steel + e's 5 days of motors = 9. The fin plants: the
    other's spare capacity (20 or 10 fins/day) covers their 10/day: unbounded.
    Recovery reaches the rocket one day per link later: e 30 + 0 > 0, a 10 + 1 > 5, m 8 + 2 > 9:
    all three flagged. Screened loss = 10/day x (TTR + links - TTS): 300, 60, 10."""
    rows = {f.facility_id: f for f in report.facilities}
    assert {k: (r.tts_days, r.ttr_days, r.flagged) for k, r in rows.items()} == {
        "fac:e": (0.0, 30.0, True),
        "fac:a": (5.0, 10.0, True),
        "fac:m": (9.0, 8.0, True),
        "fac:b1": (None, 60.0, False),
        "fac:b2": (None, 60.0, False),
    }
    assert [(f.facility_id, f.screened_units_lost) for f in report.facilities[:3]] == [
        ("fac:e", 300.0),
        ("fac:a", 60.0),
        ("fac:m", 10.0),
    ]


def test_criticality_simulates_each_outage_for_its_ttr(report: ExposureReport) -> None:
    """Day by day in the engine: fac:e out 30 days loses 30 x 10 = 300 rockets. fac:a out days
    0-9: e lives on its 50 motors through day 4, makes nothing on days 5-10 (a's day-10 motors
    arrive on day 11): 60. fac:m out days 0-7: a's 120 kg last through day 3, a makes nothing
    on days 4-8, e's 50 motors last through day 8, e makes nothing on day 9 only: 10. A fin plant
    out: e switches its orders to the other after 7 days with 30 fins left; the other (ramp 1
    day) delivers in full from the next day: 0. REI = loss / worst loss."""
    assert [(f.rank, f.facility_id, f.units_lost) for f in report.criticality] == [
        (1, "fac:e", 300.0),
        (2, "fac:a", 60.0),
        (3, "fac:m", 10.0),
        (4, "fac:b1", 0.0),
        (5, "fac:b2", 0.0),
    ]
    assert [f.rei for f in report.criticality] == pytest.approx([1.0, 0.2, 1 / 30, 0.0, 0.0])


def test_common_mode_cyber(report: ExposureReport) -> None:
    """Siemens (e and a) down 14 days: e makes nothing for 14 days: 140. Rockwell (both fin
    plants) down 14 days: e's 100 fins last through day 4, nothing on days 5-14: 100.
    Supply lines, every tier: the rocket at e (1), the motor at a (1), fins at b1 and b2 (1/2 +
    1/2), steel at m (1): 4. Siemens carries e's and a's: 2/4; Rockwell both fin halves: 1/4."""
    assert [(p.platform, p.facilities, p.units_lost) for p in report.cyber] == [
        ("Siemens SIMATIC S7", 2, 140.0),
        ("Rockwell ControlLogix", 2, 100.0),
    ]
    assert [p.share for p in report.cyber] == pytest.approx([0.5, 0.25])


@pytest.mark.parametrize(
    ("product", "reason"),
    [
        ("prd:nothing", "unknown end item 'prd:nothing'"),
        ("prd:steel", "prd:steel has no upstream network"),
    ],
)
def test_what_cannot_be_assessed_is_refused(rocket: Network, product: str, reason: str) -> None:
    with pytest.raises(RiskError, match=reason):
        exposure_report(rocket, build_system(rocket), product)


def _compiled(tables: dict[str, pa.Table]) -> Network:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "t.duckdb") as store:
        import_tables(store, tables)
        return compile_network(store.read_tables())


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 10_000), top=st.integers(1, 8))
def test_report_properties_on_generated_twins(seed: int, top: int) -> None:
    """Shares are shares, HHI is within [10,000 / n, 10,000], the adversary share is inside the
    non-allied share, losses are within demand x horizon and the worst has REI 1."""
    net = _compiled(generate_twin(1000, seed))
    system = build_system(net)
    for item in end_items(net):
        r = exposure_report(net, system, item, top=top)
        assert 0 <= r.foreign_adversary_share <= r.non_allied_share <= 1
        assert sum(c.share for c in r.by_country) == pytest.approx(1)
        for c in r.concentration:
            assert 10_000 / c.facilities - 0.05 <= c.hhi_facility <= 10_000  # rounded to 0.1
            assert c.hhi_facility - 0.1 <= c.hhi_country <= 10_000
        for f in r.facilities:
            assert 0 <= f.share <= 1 and (f.screened_units_lost == 0 or f.flagged)
        lost = [f.units_lost for f in r.criticality]
        assert len(lost) == min(top, len(r.facilities))
        assert all(0 <= x <= r.demand_per_day * r.horizon_days + 1e-6 for x in lost if x is not None)
        if any(x for x in lost):
            assert max(f.rei or 0 for f in r.criticality) == 1.0


def test_a_batch_of_outages_equals_each_outage_alone(generated_net: Network) -> None:
    """Batching is only an economy: one run per outage gives the same losses."""
    system = build_system(generated_net)
    nodes = np.argsort(-system.x0)[:6]
    outages = [Outage(np.array([k]), 10 + 3 * i) for i, k in enumerate(nodes)]
    rows = np.arange(len(system.row_qty))
    together = units_lost(system, outages, rows, 60)
    alone = units_lost(system, outages, rows, 60, max_nodes=1)
    assert np.array_equal(together, alone)
