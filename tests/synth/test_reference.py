"""The reference end items: realistic structure, sole sources and foreign dependencies."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import import_tables
from arsenalnet.model.errors import InputError
from arsenalnet.model.recovery import ttr_median_days
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin
from arsenalnet.synth.reference import DEMAND, ITEMS, REFERENCE_END_ITEMS, required_flow


@pytest.fixture(scope="module")
def twin() -> dict[str, pa.Table]:
    return generate_twin(2000, seed=11)


def makers(twin: dict[str, pa.Table], product: str) -> list[tuple[str, str]]:
    cap = twin["capability"].filter(pc.equal(twin["capability"]["product_id"], product))
    fac = twin["facility"]
    where = pc.index_in(cap["facility_id"], value_set=fac["facility_id"])
    countries = fac["country"].take(where).to_pylist()
    return sorted(zip(cap["facility_id"].to_pylist(), countries, strict=True))


def test_required_flow_is_the_bom_explosion_by_hand() -> None:
    need = required_flow()
    # 1,300 rounds/day x 10.8 kg TNT each
    assert need["prd:explosive-fill-tnt"] == pytest.approx(1300 * 10.8)
    # nitric acid: TNT 1.3 kg/kg, nitrocellulose 1.0 kg/kg (9 kg per charge), HMX 2.0 kg/kg (3 kg/warhead)
    assert need["prd:nitric-acid"] == pytest.approx(1300 * 10.8 * 1.3 + 1300 * 9 * 1.0 + 2.5 * 3 * 2.0)
    # magnets: 4 actuators x 2 per missile, 12 per motor x (4 + 3 gimbal motors) per drone
    assert need["prd:ndfeb-magnet"] == pytest.approx(2.5 * 4 * 2 + 30 * (4 + 3) * 12)


def test_end_items_have_dx_or_do_demand(twin: dict[str, pa.Table]) -> None:
    d = twin["demand"]
    assert sorted(d["product_id"].to_pylist()) == sorted(REFERENCE_END_ITEMS)
    assert set(d["priority"].to_pylist()) <= {"DX", "DO"}
    assert len(DEMAND) == 3


@pytest.mark.parametrize(
    ("product", "countries"),
    [
        ("prd:explosive-fill-tnt", ["POL"]),
        ("prd:nitrocellulose", ["USA"]),
        ("prd:ammonium-perchlorate", ["USA"]),
        ("prd:nitroguanidine", ["DEU"]),
    ],
)
def test_sole_sources_as_in_reality(twin: dict[str, pa.Table], product: str, countries: list[str]) -> None:
    assert [c for _, c in makers(twin, product)] == countries


def test_magnets_and_germanium_depend_on_china(twin: dict[str, pa.Table]) -> None:
    magnet = [c for _, c in makers(twin, "prd:ndfeb-magnet")]
    assert magnet.count("CHN") == 3 and len(magnet) == 5
    assert "CHN" in [c for _, c in makers(twin, "prd:germanium-metal")]


def test_every_maker_is_linked_to_suppliers_of_every_input(twin: dict[str, pa.Table]) -> None:
    """Each input comes over a supply link, unless the plant makes it in house."""
    link, cap = twin["supply_link"], twin["capability"]
    linked = set(zip(link["buyer_id"].to_pylist(), link["product_id"].to_pylist(), strict=True))
    made = set(zip(cap["facility_id"].to_pylist(), cap["product_id"].to_pylist(), strict=True))
    in_house = []
    for item in ITEMS:
        for fid, _ in makers(twin, item.product_id):
            for child, _ in item.children:
                assert (fid, child) in linked | made, (fid, item.product_id, child)
                if (fid, child) not in linked:
                    in_house.append((fid, child))
    # lead azide at the detonator plant, AP propellant at both rocket motor plants
    assert sorted(in_house) == [
        ("fac:ref-azide-ar", "prd:lead-azide"),
        ("fac:ref-motor-ut", "prd:ap-composite-propellant"),
        ("fac:ref-motor-va", "prd:ap-composite-propellant"),
    ]


def test_same_seed_same_twin_other_seed_other_pools() -> None:
    a, b = generate_twin(1000, seed=5), generate_twin(1000, seed=5)
    assert all(a[t].equals(b[t]) for t in a)
    c = generate_twin(1000, seed=6)
    assert not a["supply_link"].equals(c["supply_link"])


def test_shares_of_each_buyer_and_product_sum_to_one(twin: dict[str, pa.Table]) -> None:
    link = twin["supply_link"]
    sums = link.group_by(["buyer_id", "product_id"]).aggregate([("share", "sum")])
    assert np.allclose(sums["share_sum"].to_numpy(), 1.0)


@pytest.mark.parametrize("n", [999, 2_000_001])
def test_size_out_of_range_is_refused(n: int) -> None:
    with pytest.raises(InputError, match="--facilities must be between"):
        generate_twin(n, seed=1)


@settings(max_examples=8, deadline=None)
@given(n=st.integers(1000, 3000), seed=st.integers(0, 2**31))
def test_any_generated_twin_passes_full_import_validation(
    tmp_path_factory: pytest.TempPathFactory, n: int, seed: int
) -> None:
    """Generic base plus reference items always pass every rule of the import path."""
    with Store(tmp_path_factory.mktemp("gen") / "twin.duckdb") as store:
        report = import_tables(store, generate_twin(n, seed))
        assert report.counts["facility"].inserted >= n


def test_every_site_has_a_time_to_recover_around_its_industry_median(twin: dict[str, pa.Table]) -> None:
    fac = twin["facility"]
    ttr = np.asarray(fac["ttr_days"].to_numpy(zero_copy_only=False))
    assert fac["ttr_days"].null_count == 0
    assert ttr.min() >= 1 and np.array_equal(ttr, np.rint(ttr))
    naics = fac["naics"].to_pylist()
    ratio = ttr / np.array([ttr_median_days(code) for code in naics])
    assert 0.8 < float(np.median(ratio)) < 1.25  # lognormal around the median
