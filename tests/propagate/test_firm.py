"""The firm-level engine on networks small enough to follow on paper, and its invariants.

Every case runs on the default backend (the compiled kernels) and on the array backend
(the GPU code, on NumPy): both must give the hand-worked numbers."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.ingest import import_tables
from arsenalnet.model.arrow import arrow_schema
from arsenalnet.network import Network, compile_network
from arsenalnet.propagate.firm import simulate
from arsenalnet.propagate.params import Params
from arsenalnet.propagate.shocks import CapacityShock, DemandShock, LinkShock, Shocks
from arsenalnet.propagate.system import build_system
from arsenalnet.store import Store
from arsenalnet.synth.generate import generate_twin

BACKENDS = pytest.mark.parametrize("backend", ["cpu", "array"])


def twin(tmp: Path, rows: dict[str, list[dict[str, object]]]) -> Network:
    """Import ``rows`` (table -> list of row dicts, model columns) and compile them."""
    tables = {}
    for name, data in rows.items():
        schema = arrow_schema(name)
        tables[name] = pa.Table.from_pylist(
            [{c: r.get(c) for c in schema.names} for r in data], schema=schema
        )
    with Store(tmp / "t.duckdb") as store:
        import_tables(store, tables)
        return compile_network(store.read_tables())


def fac(fid: str) -> dict[str, object]:
    return {"facility_id": fid, "org_id": "org:a", "name": fid, "country": "USA", "naics": "3311"}


def cap(fid: str, pid: str, capacity: float, util: float, inv: float, ramp: float = 10) -> dict[str, object]:
    return {
        "facility_id": fid,
        "product_id": pid,
        "capacity_per_day": capacity,
        "utilization": util,
        "inventory_days": inv,
        "ramp_days": ramp,
    }


def link(s: str, b: str, p: str, share: float = 1.0) -> dict[str, object]:
    return {
        "supplier_id": s,
        "buyer_id": b,
        "product_id": p,
        "share": share,
        "lead_time_days": 1,
        "mode": "truck",
    }


def product(pid: str, kind: str) -> dict[str, object]:
    return {"product_id": pid, "name": pid, "kind": kind, "unit": "each"}


BASE = {
    "organization": [{"org_id": "org:a", "name": "A", "country": "USA", "size_class": "small"}],
    "product": [
        product("prd:ore", "raw_material"),
        product("prd:steel", "part"),
        product("prd:widget", "end_item"),
    ],
    "bom_line": [
        {"parent_id": "prd:widget", "child_id": "prd:steel", "qty_per_unit": 2.0},
        {"parent_id": "prd:steel", "child_id": "prd:ore", "qty_per_unit": 1.0},
    ],
    "demand": [
        {
            "product_id": "prd:widget",
            "customer": "prog:x",
            "qty_per_day": 10.0,
            "priority": "DX",
            "start_day": 0,
        }
    ],
}


@pytest.fixture
def chain(tmp_path: Path) -> Network:
    """Mine M -> mill S -> plant P -> a DX program needing 10 widgets a day.

    Baseline: P makes 10 widgets (needs 20 steel); S makes max(0.5 x 40, 20) = 20 steel
    (needs 20 ore); M makes max(0.5 x 100, 20) = 50 ore, 30 of it for outside demand.
    Stocks: P holds 3 days of steel (60), S 2 days of ore (40).
    """
    return twin(
        tmp_path,
        BASE
        | {
            "facility": [fac("fac:m"), fac("fac:s"), fac("fac:p")],
            "capability": [
                cap("fac:m", "prd:ore", 100, 0.5, 0),
                cap("fac:s", "prd:steel", 40, 0.5, 2),
                cap("fac:p", "prd:widget", 10, 1.0, 3),
            ],
            "supply_link": [link("fac:m", "fac:s", "prd:ore"), link("fac:s", "fac:p", "prd:steel")],
        },
    )


def node(net: Network, fid: str) -> int:
    return int(np.flatnonzero(net.cap_facility == net.facilities.position(fid))[0])


def test_chain_baseline(chain: Network) -> None:
    sy = build_system(chain)
    x0 = dict(zip(chain.facilities.take(sy.node_facility), sy.x0.tolist(), strict=True))
    assert x0 == {"fac:m": 50.0, "fac:s": 20.0, "fac:p": 10.0}
    assert dict(zip(chain.facilities.take(sy.node_facility), sy.other_demand.tolist(), strict=True)) == {
        "fac:m": 30.0,
        "fac:s": 0.0,
        "fac:p": 0.0,
    }


@BACKENDS
def test_chain_mill_down_three_days(chain: Network, backend: str) -> None:
    """The mill loses all capacity on days 2, 3 and 4.

    Days 2-4: the plant lives on its 60 steel (20 a day), ending day 4 with 0; its
    orders grow 20 + (60 - 40)/6 = 23.33, then 26.67, then 30. The mill's demand
    exceeds its ceiling (0) three days, so its utilization headroom is 0.3 of the way
    from normal (20) to full (40) when it is back: day 5 ceiling = 40 x (0.5 + 0.5 x 0.3)
    = 26 < 30 ordered, so it makes 26 (it holds 60 ore: it kept receiving the day-1 order
    on day 2 and stopped ordering while down). The plant has no steel on day 5 and makes
    nothing: exactly one day of the program (10 widgets) is lost. Day 6 it makes 10 again.
    """
    loss = np.zeros(12)
    loss[2:5] = 1.0
    sy = build_system(chain)
    tr = simulate(
        sy, Shocks(12, capacity=(CapacityShock(np.array([node(chain, "fac:s")]), loss),)), backend=backend
    )
    met = tr.row_delivered[:, 0] / tr.row_demand[:, 0]
    assert met.tolist() == [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1]
    assert tr.row_demand[:, 0].sum() - tr.row_delivered[:, 0].sum() == pytest.approx(10.0)
    mill = tr.change_production[tr.change_node == node(chain, "fac:s")]
    assert mill[:4].tolist() == pytest.approx([0.0, 0.0, 0.0, 26.0])
    assert tr.change_day[tr.change_node == node(chain, "fac:s")][:4].tolist() == [2, 3, 4, 5]


@BACKENDS
def test_no_shock_is_a_steady_state_for_a_year(chain: Network, backend: str) -> None:
    tr = simulate(build_system(chain), Shocks(365), backend=backend)
    assert tr.change_day.size == 0
    assert np.array_equal(tr.row_delivered, tr.row_demand)
    assert tr.production_ratio.tolist() == [1.0] * 365


@pytest.fixture
def diamond(tmp_path: Path) -> Network:
    """Plant P buys steel half from S1, half from S2 (each makes 20: 10 for P, 10 for outside)."""
    return twin(
        tmp_path,
        BASE
        | {
            "facility": [fac("fac:m"), fac("fac:s1"), fac("fac:s2"), fac("fac:p")],
            "capability": [
                cap("fac:m", "prd:ore", 100, 0.5, 0),
                cap("fac:s1", "prd:steel", 40, 0.5, 2),
                cap("fac:s2", "prd:steel", 40, 0.5, 2),
                cap("fac:p", "prd:widget", 10, 1.0, 3),
            ],
            "supply_link": [
                link("fac:m", "fac:s1", "prd:ore"),
                link("fac:m", "fac:s2", "prd:ore"),
                link("fac:s1", "fac:p", "prd:steel", 0.5),
                link("fac:s2", "fac:p", "prd:steel", 0.5),
            ],
        },
    )


@BACKENDS
def test_buyer_switches_to_the_substitute_after_the_delay_and_back(diamond: Network, backend: str) -> None:
    """S1 is down on days 1-9. After 2 short days (days 1, 2) the plant sends all its steel
    orders to S2 from day 3; S2 serves the DX-rated plant first, cutting its unrated outside
    customers, ramps up, and the program never misses a widget. S1 is back on day 10 and
    the plant's orders return to the 50/50 split the next day."""
    loss = np.zeros(20)
    loss[1:10] = 1.0
    sy = build_system(diamond)
    s1, s2 = node(diamond, "fac:s1"), node(diamond, "fac:s2")
    tr = simulate(
        sy,
        Shocks(20, capacity=(CapacityShock(np.array([s1]), loss),)),
        Params(switch_days=2),
        backend=backend,
    )
    assert np.array_equal(tr.row_delivered, tr.row_demand)  # the DX program is always served
    prod_s2 = {
        int(d): float(x)
        for d, n, x in zip(tr.change_day, tr.change_node, tr.change_production, strict=True)
        if n == s2
    }
    assert 1 not in prod_s2 and 2 not in prod_s2  # before the switch S2 sees its usual 20
    assert prod_s2[3] > 20.0  # day 3: the plant's whole order lands on S2
    assert tr.worst_overproduction <= 1e-9


@BACKENDS
def test_export_ban_cuts_a_link_and_the_buyer_uses_the_other(diamond: Network, backend: str) -> None:
    """Blocking S1 -> P (a link, not a plant) from day 1 for good: P switches to S2 after the delay."""
    arc = int(
        np.flatnonzero(
            (diamond.link_supplier == diamond.facilities.position("fac:s1"))
            & (diamond.link_product == diamond.products.position("prd:steel"))
        )[0]
    )
    blocked = np.zeros(30)
    blocked[1:] = 1.0
    tr = simulate(
        build_system(diamond),
        Shocks(30, links=(LinkShock(np.array([arc]), blocked),)),
        Params(switch_days=3),
        backend=backend,
    )
    assert np.array_equal(tr.row_delivered, tr.row_demand)
    s1 = node(diamond, "fac:s1")
    late = tr.change_production[(tr.change_node == s1) & (tr.change_day >= 10)]
    assert late.size and np.all(late < 20.0)  # S1 lost the plant's orders


@BACKENDS
def test_demand_tripled_is_capacity_bound(chain: Network, backend: str) -> None:
    """Tripling the program to 30/day: the plant can make at most 10 (its capacity)."""
    factor = np.full(60, 3.0)
    tr = simulate(
        build_system(chain), Shocks(60, demand=(DemandShock(np.array([0]), factor),)), backend=backend
    )
    assert tr.row_demand[:, 0].tolist() == [30.0] * 60
    assert tr.row_delivered[:, 0].max() == pytest.approx(10.0)


@BACKENDS
@settings(max_examples=6, deadline=None)
@given(
    seed=st.integers(0, 2**20),
    share=st.floats(0.05, 0.5),
    start=st.integers(0, 20),
    length=st.integers(1, 60),
)
def test_invariants_on_generated_twins(
    tmp_path_factory: pytest.TempPathFactory, backend: str, seed: int, share: float, start: int, length: int
) -> None:
    """Random capacity losses on a generated twin: production never exceeds shocked capacity,
    stocks never go negative, nothing ships that was not made, and deliveries never exceed demand."""
    with Store(tmp_path_factory.mktemp("inv") / "t.duckdb") as store:
        import_tables(store, generate_twin(1000, seed))
        net = compile_network(store.read_tables())
    sy = build_system(net)
    rng = np.random.default_rng(seed)
    hit = rng.choice(sy.n_nodes, size=max(1, int(share * sy.n_nodes)), replace=False)
    loss = np.zeros(90)
    loss[start : start + length] = rng.uniform(0.2, 1.0)
    tr = simulate(sy, Shocks(90, capacity=(CapacityShock(hit, loss),)), backend=backend)
    assert tr.worst_overproduction <= 1e-9 * max(1.0, float(sy.capacity.max()))
    assert tr.lowest_stock >= -1e-9 * max(1.0, float(sy.x0.max()))
    assert tr.worst_overshipment <= 1e-6 * max(1.0, float(sy.x0.max()))
    assert np.all(tr.row_delivered <= tr.row_demand * (1 + 1e-12) + 1e-12)
    assert np.all(tr.lost_output_days >= -1e-9)
