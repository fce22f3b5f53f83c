"""Selectors resolved against a :class:`Network` into boolean masks, without a loop over rows.

A facility selector is a mapping of clauses, each ``key: value`` or
``key: [v1, v2]`` (OR within a list); clauses AND together; ``not:`` holds a
nested selector whose matches are removed. Keys: ``id``, ``country`` (ISO3),
``group`` (country group), ``region``, ``naics_prefix``, ``control_system``,
``organization``. A product selector takes ``id``, ``kind``, ``naics_prefix``,
``hs_prefix`` and ``not``.

Ids, countries, groups, control systems, organizations and product ids must
exist in the network; a selector (other than one under ``not:``) must match
something.
"""

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.enums import CountryGroup
from arsenalnet.network import Index, Network
from arsenalnet.scenario.errors import ScenarioError
from arsenalnet.scenario.model import Clause, Selector, SelectorKind

BoolArray = npt.NDArray[np.bool_]


def select_facilities(selector: Selector, net: Network, source: str) -> BoolArray:
    """(F,) True for the facilities ``selector`` matches; an error if none."""
    mask = _mask(selector, net, source)
    if not mask.any():
        raise ScenarioError(source, selector.line, "selector matches no facility")
    return mask


def select_products(selector: Selector, net: Network, source: str) -> BoolArray:
    """(P,) True for the products ``selector`` matches; an error if none."""
    mask = _mask(selector, net, source)
    if not mask.any():
        raise ScenarioError(source, selector.line, "selector matches no product")
    return mask


def codes_of(index: Index, clause: Clause, what: str, source: str) -> npt.NDArray[np.int32]:
    """Dense indices of the clause's values in ``index``; an error names the first unknown one."""
    codes = index.codes(pa.array(clause.values, pa.string()))
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise ScenarioError(source, clause.line, f"unknown {what} '{clause.values[missing[0]]}'")
    return codes


def _mask(selector: Selector, net: Network, source: str) -> BoolArray:
    n = net.n_facilities if selector.kind is SelectorKind.FACILITY else net.n_products
    mask = np.ones(n, dtype=bool)
    for clause in selector.clauses:
        if selector.kind is SelectorKind.FACILITY:
            mask &= _facility_clause(clause, net, source)
        else:
            mask &= _product_clause(clause, net, source)
    if selector.exclude is not None:
        mask &= ~_mask(selector.exclude, net, source)
    return mask


def _starts_with(strings: pa.Array, prefixes: tuple[str, ...]) -> BoolArray:
    hit = np.zeros(len(strings), dtype=bool)
    for prefix in prefixes:  # a loop over the few prefixes written, not over rows
        hit |= np.asarray(pc.starts_with(strings, prefix).fill_null(False).to_numpy(zero_copy_only=False))
    return hit


def is_in(strings: pa.Array, values: tuple[str, ...]) -> BoolArray:
    """True where ``strings[i]`` is one of ``values`` (null never is)."""
    found = pc.is_in(strings, value_set=pa.array(values, pa.string()))
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _facility_clause(clause: Clause, net: Network, source: str) -> BoolArray:
    key = clause.key
    if key == "id":
        mask = np.zeros(net.n_facilities, dtype=bool)
        mask[codes_of(net.facilities, clause, "facility id", source)] = True
        return mask
    if key == "country":
        return np.isin(net.facility_country, codes_of(net.countries, clause, "country", source))
    if key == "group":
        mask = np.zeros(net.n_facilities, dtype=bool)
        for group in clause.values:  # validated against CountryGroup when read
            mask |= net.in_group(CountryGroup(group))
        return mask
    if key == "region":
        return is_in(net.facility_region, clause.values)
    if key == "naics_prefix":
        return _starts_with(net.facility_naics, clause.values)
    if key == "control_system":
        wanted = codes_of(net.control_systems, clause, "control system", source)
        owner = np.repeat(np.arange(net.n_facilities), np.diff(net.control_indptr))
        mask = np.zeros(net.n_facilities, dtype=bool)
        mask[owner[np.isin(net.control_index, wanted)]] = True
        return mask
    if key == "organization":
        return np.isin(net.facility_org, codes_of(net.organizations, clause, "organization", source))
    raise ScenarioError(source, clause.line, f"unknown facility selector key '{key}'")  # pragma: no cover


def _product_clause(clause: Clause, net: Network, source: str) -> BoolArray:
    key = clause.key
    if key == "id":
        mask = np.zeros(net.n_products, dtype=bool)
        mask[codes_of(net.products, clause, "product id", source)] = True
        return mask
    if key == "kind":
        return is_in(net.product_kind, clause.values)
    if key == "naics_prefix":
        return _starts_with(net.product_naics, clause.values)
    if key == "hs_prefix":
        return _starts_with(net.product_hs, clause.values)
    raise ScenarioError(source, clause.line, f"unknown product selector key '{key}'")  # pragma: no cover
