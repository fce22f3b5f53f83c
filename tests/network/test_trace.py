"""Compile and trace the tiny twin; every figure here can be checked on paper.

Tiny twin: shell <- body (x1) + powder (x10 kg); body <- steel (0.05 t);
steel <- ore (1.6 t). The load-assemble-pack plant (USA) makes shells from the
forge's bodies (USA) and the powder works' powder (CHN, a foreign adversary);
the forge buys steel from two mills (USA 70%, CAN 30%); both mills buy ore
from one mine (USA).
"""

from pathlib import Path

import numpy as np
import pytest

from arsenalnet.model import CountryGroup
from arsenalnet.network import Network, compile_network
from arsenalnet.network.trace import UnknownId, trace
from arsenalnet.store import Store


@pytest.fixture
def net(tiny_store: Store) -> Network:
    return compile_network(tiny_store.read_tables())


def test_compiled_shapes_and_bom(net: Network) -> None:
    assert (net.n_facilities, net.n_products, net.n_links) == (6, 5, 6)
    p = net.products.position
    assert net.bom[p("prd:shell"), p("prd:powder")] == 10
    assert net.bom[p("prd:body"), p("prd:steel")] == 0.05
    assert net.bom.nnz == 4
    fa = net.in_group(CountryGroup.FOREIGN_ADVERSARY)
    assert net.facilities.take(np.flatnonzero(fa)) == ["fac:powder"]
    forge = net.facilities.position("fac:forge")
    into_forge = slice(net.in_indptr[forge], net.in_indptr[forge + 1])
    assert sorted(net.share[into_forge].tolist()) == [0.3, 0.7]
    mine = net.facilities.position("fac:mine")
    out = net.out_order[net.out_indptr[mine] : net.out_indptr[mine + 1]]
    assert sorted(net.facilities.take(net.link_buyer[out])) == ["fac:mill-a", "fac:mill-b"]
    assert net.demand_priority.tolist() == [0] and net.demand_end.tolist() == [-1]


def test_upstream_tiers_of_the_shell(net: Network) -> None:
    report = trace(net, "prd:shell", up=True)
    tiers = [
        [(n.facility_id, n.product_id, n.country, n.sole_sourced) for n in t.nodes] for t in report.tiers
    ]
    assert tiers[0] == [("fac:lap", "prd:shell", "USA", True)]
    assert sorted(tiers[1]) == [
        ("fac:forge", "prd:body", "USA", True),
        ("fac:powder", "prd:powder", "CHN", True),
    ]
    assert sorted(tiers[2]) == [
        ("fac:mill-a", "prd:steel", "USA", False),
        ("fac:mill-b", "prd:steel", "CAN", False),
    ]
    assert tiers[3] == [("fac:mine", "prd:ore", "USA", True)]
    assert len(report.tiers) == 4
    powder = next(n for n in report.tiers[1].nodes if n.product_id == "prd:powder")
    assert powder.foreign_adversary and powder.via_facility_id == "fac:lap"
    assert report.tiers[2].countries == [("CAN", 1), ("USA", 1)]


def test_downstream_from_the_mine_and_depth(net: Network) -> None:
    report = trace(net, "fac:mine", up=False)
    assert [sorted(n.facility_id for n in t.nodes) for t in report.tiers] == [
        ["fac:mine"],
        ["fac:mill-a", "fac:mill-b"],
        ["fac:forge"],
        ["fac:lap"],
    ]
    assert len(trace(net, "fac:mine", up=False, depth=1).tiers) == 2


def test_unknown_id_is_refused(net: Network) -> None:
    with pytest.raises(UnknownId, match="unknown id 'prd:nope'"):
        trace(net, "prd:nope")


def test_inputs_made_in_house_are_followed(tiny_store: Store, tmp_path: Path) -> None:
    """If the forge also makes steel, tier 2 holds the forge itself (in house) besides the mills."""
    from arsenalnet.ingest import import_files

    extra = tmp_path / "capability.csv"
    extra.write_text(
        "facility_id,product_id,capacity_per_day,utilization,inventory_days,ramp_days\n"
        "fac:forge,prd:steel,5,0.5,0,30\n"
    )
    import_files(tiny_store, [extra])
    net = compile_network(tiny_store.read_tables())
    tier2 = trace(net, "prd:shell", up=True).tiers[2]
    nodes = sorted((n.facility_id, n.in_house, n.share) for n in tier2.nodes)
    assert nodes == [("fac:forge", True, 1.0), ("fac:mill-a", False, 0.7), ("fac:mill-b", False, 0.3)]
    down = trace(net, "fac:forge", up=False)
    assert [sorted((n.facility_id, n.product_id) for n in t.nodes) for t in down.tiers] == [
        [("fac:forge", "prd:body"), ("fac:forge", "prd:steel")],
        [("fac:lap", "prd:shell")],
    ]
