"""Compile the twin's tables into a :class:`Network` of dense ids and sparse arrays.

The store hands over Arrow tables (``Store.read_tables()``); the compiler turns
string ids into int32 indices and builds the CSR structures every engine
takes. No engine reads the store.
"""

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from arsenalnet.model import CountryGroup, Priority
from arsenalnet.network.index import Index, Int32Array

FloatArray = npt.NDArray[np.float64]
Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Network:
    """The compiled twin. Shapes: F facilities, P products, C countries, L links, K capabilities.

    Facilities, products and countries are addressed by dense int32 indices
    (``facilities.ids[i]`` is facility ``i``'s string id). Per-row arrays are
    aligned with the row order given below.

    - ``facility_country`` (F,) country index; ``facility_region``, ``facility_naics`` (F,)
      strings; ``facility_org`` (F,) index into ``organizations``; the control-system
      platforms of facility f are ``control_systems.ids[control_index[control_indptr[f]:
      control_indptr[f+1]]]``; ``facility_ttr`` (F,) time to recover in days (NaN where the
      data give none).
    - ``product_kind``, ``product_naics``, ``product_hs`` (P,) strings.
    - ``country_groups`` (C, G) bool: membership of country c in group ``groups[g]``.
    - ``bom`` (P, P) CSR: ``bom[parent, child]`` = child units per parent unit.
    - capabilities, sorted by (facility, product): ``cap_facility``, ``cap_product``
      (K,), ``capacity`` (units/day), ``utilization`` (fraction), ``inventory_days``,
      ``ramp_days`` (days).
    - links, sorted by (buyer, product, supplier): ``link_supplier``, ``link_buyer``,
      ``link_product`` (L,), ``share`` (fraction), ``lead_time`` (days), ``link_mode``
      (strings); ``link_source`` (L,) the capability (supplier, product) that ships it. CSR row pointers over
      facilities: the links into buyer b are ``in_indptr[b]:in_indptr[b+1]``; the links
      out of supplier s are ``out_order[out_indptr[s]:out_indptr[s+1]]``.
    - demand rows: ``demand_product``, ``demand_customer`` (D,), ``demand_qty``
      (units/day),
      ``demand_priority`` (0 DX, 1 DO, 2 none), ``demand_start``/``demand_end`` (day;
      -1 = open-ended).
    """

    facilities: Index
    products: Index
    countries: Index
    groups: tuple[CountryGroup, ...]
    facility_country: Int32Array
    facility_region: pa.Array
    facility_naics: pa.Array
    organizations: Index
    facility_org: Int32Array
    control_systems: Index
    control_indptr: Int64Array
    control_index: Int32Array
    facility_ttr: FloatArray
    product_kind: pa.Array
    product_naics: pa.Array
    product_hs: pa.Array
    country_groups: npt.NDArray[np.bool_]
    bom: sp.csr_matrix
    cap_facility: Int32Array
    cap_product: Int32Array
    capacity: FloatArray
    utilization: FloatArray
    inventory_days: FloatArray
    ramp_days: FloatArray
    link_supplier: Int32Array
    link_buyer: Int32Array
    link_product: Int32Array
    share: FloatArray
    lead_time: FloatArray
    link_mode: pa.Array
    link_source: Int64Array
    in_indptr: Int64Array
    out_order: Int64Array
    out_indptr: Int64Array
    demand_product: Int32Array
    demand_customer: pa.Array
    demand_qty: FloatArray
    demand_priority: npt.NDArray[np.int8]
    demand_start: Int64Array
    demand_end: Int64Array

    @property
    def n_facilities(self) -> int:
        """F."""
        return len(self.facilities)

    @property
    def n_products(self) -> int:
        """P."""
        return len(self.products)

    @property
    def n_links(self) -> int:
        """L."""
        return len(self.link_supplier)

    def makes(self) -> sp.csr_matrix:
        """(F, P) CSR of capacity per day: ``makes()[f, p]`` > 0 where f makes p."""
        return sp.csr_matrix(
            (self.capacity, (self.cap_facility, self.cap_product)),
            shape=(self.n_facilities, self.n_products),
        )

    def in_group(self, group: CountryGroup) -> npt.NDArray[np.bool_]:
        """(F,) True where the facility's country belongs to ``group``."""
        member: npt.NDArray[np.bool_] = self.country_groups[self.facility_country, self.groups.index(group)]
        return member


def _np(col: pa.ChunkedArray | pa.Array, dtype: type) -> npt.NDArray:  # type: ignore[type-arg]
    return np.asarray(col.to_numpy(zero_copy_only=False), dtype=dtype)


def _indptr(sorted_rows: Int32Array, n: int) -> Int64Array:
    """CSR row pointers for rows already sorted: rows of r span ``ptr[r]:ptr[r+1]``."""
    return np.searchsorted(sorted_rows, np.arange(n + 1)).astype(np.int64)


def compile_network(tables: Mapping[str, pa.Table]) -> Network:
    """Build the :class:`Network` from the twin's tables (as ``Store.read_tables()`` gives)."""
    fac, prd = tables["facility"], tables["product"]
    countries = Index.of(tables["country"]["iso3"])
    facilities = Index.of(fac["facility_id"])
    products = Index.of(prd["product_id"])
    groups = tuple(CountryGroup)
    cg = tables["country_group"]
    membership = np.zeros((len(countries), len(groups)), dtype=bool)
    g_codes = np.array([groups.index(CountryGroup(g)) for g in cg["group"].to_pylist()], dtype=np.int64)
    membership[countries.codes(cg["iso3"]), g_codes] = True

    bom_t = tables["bom_line"]
    n_p = len(products)
    bom = sp.csr_matrix(
        (
            _np(bom_t["qty_per_unit"], np.float64),
            (products.codes(bom_t["parent_id"]), products.codes(bom_t["child_id"])),
        ),
        shape=(n_p, n_p),
    )

    cap = tables["capability"]
    cf, cp = facilities.codes(cap["facility_id"]), products.codes(cap["product_id"])
    corder = np.lexsort((cp, cf))

    link = tables["supply_link"]
    ls = facilities.codes(link["supplier_id"])
    lb = facilities.codes(link["buyer_id"])
    lp = products.codes(link["product_id"])
    lorder = np.lexsort((ls, lp, lb))
    ls, lb, lp = ls[lorder], lb[lorder], lp[lorder]
    n_f = len(facilities)
    out_order = np.argsort(ls, kind="stable").astype(np.int64)

    cap_key = cf[corder].astype(np.int64) * n_p + cp[corder]
    wanted = ls.astype(np.int64) * n_p + lp
    at = np.clip(np.searchsorted(cap_key, wanted), 0, max(len(cap_key) - 1, 0))
    link_source = np.where(cap_key[at] == wanted, at, -1) if len(cap_key) else np.full(len(ls), -1)

    organizations = Index.of(fac["org_id"])
    systems = fac["control_systems"].combine_chunks()
    flat = pc.list_flatten(systems)
    control_systems = Index.of(flat) if len(flat) else Index(pa.array([], pa.string()))
    lengths = pc.list_value_length(systems).fill_null(0).to_numpy(zero_copy_only=False)
    dem = tables["demand"]
    rank = {p.value: p.rank for p in Priority}
    return Network(
        facilities=facilities,
        products=products,
        countries=countries,
        groups=groups,
        facility_country=countries.codes(fac["country"]),
        facility_region=fac["region"].combine_chunks(),
        facility_naics=fac["naics"].combine_chunks(),
        organizations=organizations,
        facility_org=organizations.codes(fac["org_id"]),
        control_systems=control_systems,
        control_indptr=np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
        control_index=control_systems.codes(flat) if len(flat) else np.zeros(0, np.int32),
        facility_ttr=_np(fac["ttr_days"].fill_null(np.nan), np.float64),
        product_kind=prd["kind"].combine_chunks(),
        product_naics=prd["naics"].combine_chunks(),
        product_hs=prd["hs_code"].combine_chunks(),
        country_groups=membership,
        bom=bom,
        cap_facility=cf[corder],
        cap_product=cp[corder],
        capacity=_np(cap["capacity_per_day"], np.float64)[corder],
        utilization=_np(cap["utilization"], np.float64)[corder],
        inventory_days=_np(cap["inventory_days"], np.float64)[corder],
        ramp_days=_np(cap["ramp_days"], np.float64)[corder],
        link_supplier=ls,
        link_buyer=lb,
        link_product=lp,
        share=_np(link["share"], np.float64)[lorder],
        lead_time=_np(link["lead_time_days"], np.float64)[lorder],
        link_source=link_source.astype(np.int64),
        link_mode=link["mode"].combine_chunks().take(pa.array(lorder)),
        in_indptr=_indptr(lb, n_f),
        out_order=out_order,
        out_indptr=_indptr(ls[out_order], n_f),
        demand_product=products.codes(dem["product_id"]),
        demand_customer=dem["customer"].combine_chunks(),
        demand_qty=_np(dem["qty_per_day"], np.float64),
        demand_priority=np.array([rank[v] for v in dem["priority"].to_pylist()], dtype=np.int8),
        demand_start=_np(dem["start_day"], np.int64),
        demand_end=_np(dem["end_day"].fill_null(-1), np.int64),
    )
