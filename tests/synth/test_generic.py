"""Tests of the generic synthetic industrial base (invariants, determinism, calibration)."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pycountry
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arsenalnet.model import TABLES, ColumnType
from arsenalnet.synth.calibration import load
from arsenalnet.synth.facilities import apportion
from arsenalnet.synth.generic import GENERIC_TABLES, generate_generic

ARROW = {
    ColumnType.STR: pa.string(),
    ColumnType.INT: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.STR_LIST: pa.list_(pa.string()),
}


@cache
def tables(n: int, seed: int) -> dict[str, pa.Table]:
    return generate_generic(n, np.random.default_rng(seed))


def col(t: pa.Table, name: str) -> np.ndarray:
    return np.asarray(t[name].to_numpy(zero_copy_only=False))


def check_invariants(d: dict[str, pa.Table]) -> None:
    assert set(d) == set(GENERIC_TABLES)
    for name, t in d.items():
        decl = TABLES[name]
        assert [f.name for f in t.schema] == [c.name for c in decl.columns]
        for f, c in zip(t.schema, decl.columns, strict=True):
            assert f.type == ARROW[c.type], (name, c.name)
            arr = t[c.name]
            if not c.nullable:
                assert arr.null_count == 0, (name, c.name)
            valid = pc.drop_null(arr)
            if c.minimum is not None and len(valid):
                lo = pc.min(valid).as_py()
                assert lo > c.minimum if c.min_exclusive else lo >= c.minimum, (name, c.name)
            if c.maximum is not None:
                assert pc.max(valid).as_py() <= c.maximum, (name, c.name)
            if c.choices:
                assert pc.all(pc.is_in(valid, pa.array(c.choices))).as_py(), (name, c.name)
            if c.pattern:
                ok = pc.match_substring_regex(valid, f"^(?:{c.pattern})$")
                assert pc.all(ok).as_py() is not False, (name, c.name)
        keys = [col(t, k).astype(str) for k in decl.key]
        joined = np.char.add(np.char.add(keys[0], "|"), keys[-1]) if len(keys) > 1 else keys[0]
        if len(keys) == 3:
            joined = np.char.add(np.char.add(joined, "|"), keys[1])
        assert np.unique(joined).size == t.num_rows, f"duplicate key in {name}"
    org, fac, prd = d["organization"], d["facility"], d["product"]
    bom, cap, lk = d["bom_line"], d["capability"], d["supply_link"]
    fac_ids, prd_ids = col(fac, "facility_id"), col(prd, "product_id")
    assert np.isin(col(fac, "org_id"), col(org, "org_id")).all()
    for t, c in ((bom, "parent_id"), (bom, "child_id"), (cap, "product_id"), (lk, "product_id")):
        assert np.isin(col(t, c), prd_ids).all()
    for t, c in ((cap, "facility_id"), (lk, "supplier_id"), (lk, "buyer_id")):
        assert np.isin(col(t, c), fac_ids).all()
    codes = {c.alpha_3 for c in pycountry.countries}
    assert set(col(fac, "country").tolist()) <= codes
    assert set(col(org, "country").tolist()) <= codes
    cap_key = np.char.add(np.char.add(col(cap, "facility_id").astype(str), "|"),
                          col(cap, "product_id").astype(str))  # fmt: skip
    lk_key = np.char.add(np.char.add(col(lk, "supplier_id").astype(str), "|"),
                         col(lk, "product_id").astype(str))  # fmt: skip
    assert np.isin(lk_key, cap_key).all(), "a link without the supplier's capability"
    assert (col(lk, "supplier_id") != col(lk, "buyer_id")).all()
    assert (col(bom, "parent_id") != col(bom, "child_id")).all()
    # shares per (buyer, product) sum to 1
    bp = np.char.add(col(lk, "buyer_id").astype(str), col(lk, "product_id").astype(str))
    _, inv = np.unique(bp, return_inverse=True)
    assert np.allclose(np.bincount(inv, col(lk, "share")), 1.0)
    assert_acyclic(col(bom, "parent_id"), col(bom, "child_id"))
    # foreign facilities have no upstream links
    foreign = set(fac_ids[col(fac, "country") != "USA"].tolist())
    assert not foreign & set(col(lk, "buyer_id").tolist())
    # every product is made somewhere
    assert np.isin(prd_ids, col(cap, "product_id")).all()
    # critical minerals exist with the agreed ids
    cm = [p for p in prd_ids.tolist() if p.startswith("prd:cm-")]
    assert {"prd:cm-gallium", "prd:cm-rare-earths", "prd:cm-aluminum"} <= set(cm)
    assert len(cm) == load().mineral_name.size
    assert all(re.fullmatch(r"prd:(n\d{4}-\d{3}|cm-[a-z-]+)", p) for p in prd_ids.tolist())


def assert_acyclic(parent: np.ndarray, child: np.ndarray) -> None:
    """Kahn's algorithm over the BOM edges."""
    nodes, inv = np.unique(np.concatenate([parent, child]), return_inverse=True)
    p, c = inv[: parent.size], inv[parent.size :]
    indeg = np.bincount(c, minlength=nodes.size)
    frontier = np.flatnonzero(indeg == 0)
    seen = 0
    order = np.argsort(p, kind="stable")
    start = np.searchsorted(p[order], np.arange(nodes.size + 1))
    while frontier.size:
        seen += frontier.size
        nxt = []
        for u in frontier.tolist():  # products: a few thousand at most
            for v in c[order[start[u] : start[u + 1]]].tolist():
                indeg[v] -= 1
                if indeg[v] == 0:
                    nxt.append(v)
        frontier = np.array(nxt, dtype=np.int64)
    assert seen == nodes.size, "the BOM has a cycle"


def test_apportion_is_exact() -> None:
    assert apportion(5, np.array([1.0, 1.0, 2.0])).tolist() == [1, 1, 3]
    assert apportion(7, np.array([0.0, 3.0])).tolist() == [0, 7]


def test_invariants_at_20k() -> None:
    check_invariants(tables(20_000, 1))


def test_deterministic() -> None:
    a = generate_generic(2_000, np.random.default_rng(3))
    b = generate_generic(2_000, np.random.default_rng(3))
    c = generate_generic(2_000, np.random.default_rng(4))
    assert all(a[k].equals(b[k]) for k in GENERIC_TABLES)
    assert not a["facility"].equals(c["facility"])
    assert not a["supply_link"].equals(c["supply_link"])
    assert a["product"].column("product_id").equals(c["product"].column("product_id"))


def test_rejects_too_small() -> None:
    with pytest.raises(ValueError, match="at least 1000"):
        generate_generic(999, np.random.default_rng(0))


def test_progress_reports_phases() -> None:
    seen: list[str] = []
    generate_generic(1_000, np.random.default_rng(0), seen.append)
    assert len(seen) >= 5 and seen[-1] == "tables"


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1_000, 3_000), seed=st.integers(0, 2**32 - 1))
def test_invariants_small(n: int, seed: int) -> None:
    d = generate_generic(n, np.random.default_rng(seed))
    assert d["facility"].num_rows == n
    check_invariants(d)
    # every NAICS4 of the calibration has a facility
    assert set(col(d["facility"], "naics").tolist()) == set(load().naics4.tolist())


def test_calibration_state_shares_follow_cbp() -> None:
    d = tables(20_000, 1)
    fac = d["facility"]
    cal = load()
    dom = col(fac, "country") == "USA"
    region = col(fac, "region")[dom].astype(str)
    states = np.unique(cal.cell_state)
    got = np.array([(region == s).sum() for s in states], dtype=float)
    want = np.array([cal.cell_establishments[cal.cell_state == s].sum() for s in states])
    assert np.corrcoef(got, want)[0, 1] > 0.99
    assert "WY" not in set(region.tolist())  # absent from the CBP source
    assert 0.07 < 1 - dom.mean() < 0.09


def test_calibration_employees() -> None:
    emp = col(tables(20_000, 1)["facility"], "employees")
    small = emp[emp < 500]
    assert 0.80 <= (small < 20).mean() <= 0.90
    assert emp.max() <= 50_000
    cal = load()
    cbp_mean = cal.cell_employees.sum() / cal.cell_establishments.sum()
    assert 0.5 * cbp_mean < emp.mean() < 2.0 * cbp_mean


def test_calibration_links() -> None:
    d = tables(20_000, 1)
    lk, fac = d["supply_link"], d["facility"]
    n = fac.num_rows
    mean = lk.num_rows / n
    assert 3.5 <= mean <= 6.0  # about 5 at national scale (1M facilities: 4.9, see benchmarks)
    _, out = np.unique(col(lk, "supplier_id"), return_counts=True)
    _, inn = np.unique(col(lk, "buyer_id"), return_counts=True)
    assert out.max() > 20 * mean
    assert inn.max() > 20 * mean
    # heavy tails: the complementary CDF falls slower than any exponential (power-law-like)
    for degree in (out, inn):
        ccdf = [(degree >= k).mean() for k in (10, 20, 40)]
        assert ccdf[2] > 0 and ccdf[1] / ccdf[0] < 1 and ccdf[2] / ccdf[1] >= 0.5 * ccdf[1] / ccdf[0]
    foreign = set(col(fac, "facility_id")[col(fac, "country") != "USA"].tolist())
    share_foreign = np.isin(col(lk, "supplier_id"), list(foreign)).mean()
    assert 0.10 < share_foreign < 0.40  # BEA import shares of intermediate goods ~15-30%
    modes = col(lk, "mode")
    assert set(modes[~np.isin(col(lk, "supplier_id"), list(foreign))].tolist()) <= {"truck", "rail"}


def test_critical_minerals_follow_import_reliance() -> None:
    d = tables(20_000, 1)
    fac, cap = d["facility"], d["capability"]
    country = dict(zip(col(fac, "facility_id").tolist(), col(fac, "country").tolist(), strict=True))
    makers = [country[f] for f, p in zip(col(cap, "facility_id").tolist(),
              col(cap, "product_id").tolist(), strict=True) if p == "prd:cm-gallium"]  # fmt: skip
    assert makers and "USA" not in makers  # NIR 100%
    assert set(makers) <= {"JPN", "CHN", "DEU", "CAN"}
    be = [country[f] for f, p in zip(col(cap, "facility_id").tolist(),
          col(cap, "product_id").tolist(), strict=True) if p == "prd:cm-beryllium"]  # fmt: skip
    assert be and set(be) == {"USA"}  # net exporter


def test_capacity_covers_orders() -> None:
    """At baseline (capacity x utilization) each supplier covers the orders it receives."""
    d = tables(20_000, 1)
    cap, bom, lk = d["capability"], d["bom_line"], d["supply_link"]
    util = col(cap, "utilization")
    assert 0.70 < util.mean() < 0.80
    assert (col(cap, "capacity_per_day") > 0).all()
    keys = zip(col(cap, "facility_id").tolist(), col(cap, "product_id").tolist(), strict=True)
    x = dict(zip(keys, (col(cap, "capacity_per_day") * util).tolist(), strict=True))
    uses: dict[str, list[tuple[str, float]]] = {}
    for p, c, q in zip(col(bom, "child_id").tolist(), col(bom, "parent_id").tolist(),
                       col(bom, "qty_per_unit").tolist(), strict=True):  # fmt: skip
        uses.setdefault(p, []).append((c, q))
    made: dict[str, list[str]] = {}
    for f, p in x:
        made.setdefault(f, []).append(p)
    orders: dict[tuple[str, str], float] = {}
    for s, b, c, sh in zip(col(lk, "supplier_id").tolist(), col(lk, "buyer_id").tolist(),
                           col(lk, "product_id").tolist(), col(lk, "share").tolist(),
                           strict=True):  # fmt: skip
        parents = {p for p in made[b]}
        need = sum(q * x[(b, p)] for p, q in uses.get(c, []) if p in parents)
        orders[(s, c)] = orders.get((s, c), 0.0) + sh * need
    assert orders
    assert all(x[k] >= v * (1 - 1e-9) for k, v in orders.items())
