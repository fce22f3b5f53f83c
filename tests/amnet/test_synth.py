"""The generated AM network: many small U.S. sites with a few machines each, qualifications of
reference parts on some of them, drawn from their own random stream."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from arsenalnet.ingest import import_tables
from arsenalnet.model.arrow import arrow_schema, empty_table
from arsenalnet.network import compile_network
from arsenalnet.network.am import compile_am
from arsenalnet.store import Store
from arsenalnet.synth.am import (
    MACHINE_KINDS,
    MAX_MACHINES_PER_SITE,
    PART_ROUTES,
    SITE_NAICS,
    SMALL_EMPLOYEES,
    enroll_am_network,
)
from arsenalnet.synth.generate import generate_twin

AM_TABLES = ("am_machine", "part_qualification")


@pytest.fixture(scope="module")
def twin() -> dict[str, pa.Table]:
    return generate_twin(1000, seed=5)


def test_hundreds_of_small_us_sites_with_a_few_machines_each(twin: dict[str, pa.Table]) -> None:
    machine, facility = twin["am_machine"], twin["facility"]
    sites = pc.unique(machine["facility_id"])
    assert len(sites) == 100  # MIN_SITES: 2% of 1,000 facilities is fewer
    at = facility.take(pc.index_in(sites, value_set=facility["facility_id"]))
    assert set(at["country"].to_pylist()) == {"USA"}
    assert max(at["employees"].to_pylist()) < SMALL_EMPLOYEES
    assert set(at["naics"].to_pylist()) <= set(SITE_NAICS)
    per_site = np.array(pc.value_counts(machine["facility_id"]).field("counts"))
    assert per_site.max() <= MAX_MACHINES_PER_SITE
    assert 1.8 <= per_site.mean() <= 3.2  # geometric, mean 2.5


def test_machines_print_only_their_kinds_materials(twin: dict[str, pa.Table]) -> None:
    """A powder bed prints metals or polymers, never both; every material is one of its kind's."""
    kinds: dict[str, list[set[str]]] = {}
    for k in MACHINE_KINDS:
        kinds.setdefault(k.process.value, []).append(set(k.materials))
    for row in twin["am_machine"].to_pylist():
        assert 1 <= len(row["materials"]) <= 3
        assert len(set(row["materials"])) == len(row["materials"])
        assert any(set(row["materials"]) <= m for m in kinds[row["process"]]), row


def test_every_qualification_gives_a_route_and_the_fuze_housing_has_several(
    twin: dict[str, pa.Table], tmp_path: Path
) -> None:
    with Store(tmp_path / "t.duckdb") as store:
        import_tables(store, twin)  # validated: every key and foreign key holds
        tables = store.read_tables()
    fleet = compile_am(tables, compile_network(tables))
    assert set(fleet.route_qual.tolist()) == set(range(len(fleet.qualifications)))
    products = set(twin["part_qualification"]["product_id"].to_pylist())
    assert products <= {r.product_id for r in PART_ROUTES}
    fuze = pc.equal(twin["part_qualification"]["product_id"], "prd:fuze-housing")
    assert pc.sum(fuze).as_py() >= 3


def test_its_own_stream_leaves_every_other_table_unchanged(twin: dict[str, pa.Table]) -> None:
    """Enrolling again from default_rng([5, 3]) gives the same network and touches nothing else."""
    rest = {k: v for k, v in twin.items() if k not in AM_TABLES}
    again = enroll_am_network(rest, np.random.default_rng([5, 3]))
    assert all(again[k] is rest[k] for k in rest)
    for name in AM_TABLES:
        assert again[name].equals(twin[name])


def test_a_twin_without_candidate_sites_enrolls_an_empty_network() -> None:
    empty = enroll_am_network({"facility": empty_table("facility")}, np.random.default_rng(0))
    assert empty["am_machine"].num_rows == empty["part_qualification"].num_rows == 0
    assert empty["part_qualification"].schema == arrow_schema("part_qualification")
