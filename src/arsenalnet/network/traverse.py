"""Upstream and downstream traversal of the compiled twin, tier by tier.

A node is a capability: a facility making a product. Upstream of node
(f, p) are the nodes (s, c) where c is an input of p in the bill of materials
and s ships c to f, and the node (f, c) when f makes c itself (in house).
Downstream is the reverse. Every step is vectorized over the whole frontier.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from arsenalnet.network.compile import Network
from arsenalnet.network.index import Int32Array, csr_expand

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tier:
    """The nodes first reached at one tier, with the node one tier closer that reached them.

    ``facility``/``product`` (N,) are the nodes; ``via_facility``/``via_product``
    the node of the previous tier they connect to (the first such, by index);
    ``share`` the link's share (1 for an input made in house, where ``in_house``
    is True). ``n_sources`` (N,) counts the distinct facilities at this tier that
    supply the same product: 1 means sole-sourced at this tier.
    """

    depth: int
    facility: Int32Array
    product: Int32Array
    via_facility: Int32Array
    via_product: Int32Array
    share: npt.NDArray[np.float64]
    n_sources: IntArray
    in_house: npt.NDArray[np.bool_]


def start_nodes(net: Network, *, product: int = -1, facility: int = -1) -> tuple[Int32Array, Int32Array]:
    """The capabilities to start from: every maker of ``product``, or every product of ``facility``."""
    mask = net.cap_product == product if product >= 0 else net.cap_facility == facility
    return net.cap_facility[mask], net.cap_product[mask]


@dataclass(frozen=True)
class _Keys:
    """Sorted int64 keys ``facility * P + product`` of links (by buyer) and capabilities."""

    link: IntArray
    cap: IntArray
    parents: sp.csr_matrix

    @classmethod
    def of(cls, net: Network) -> "_Keys":
        n_p = net.n_products
        return cls(
            net.link_buyer.astype(np.int64) * n_p + net.link_product,
            net.cap_facility.astype(np.int64) * n_p + net.cap_product,
            net.bom.T.tocsr(),
        )


def _contains(sorted_keys: IntArray, wanted: IntArray) -> npt.NDArray[np.bool_]:
    """Which ``wanted`` keys are in ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(len(wanted), dtype=bool)
    i = np.clip(np.searchsorted(sorted_keys, wanted), 0, len(sorted_keys) - 1)
    found: npt.NDArray[np.bool_] = sorted_keys[i] == wanted
    return found


Step = tuple[IntArray, IntArray, IntArray, npt.NDArray[np.float64], npt.NDArray[np.bool_]]
"""(frontier position, next facility, next product, share, in house) per edge."""


def _step_up(net: Network, keys: _Keys, f: Int32Array, p: Int32Array) -> Step:
    """Every supplier of every input of each node, and inputs the node's facility makes itself."""
    owner, pos = csr_expand(net.bom.indptr, p)
    child = net.bom.indices[pos].astype(np.int64)
    buyer = f[owner].astype(np.int64)
    key = buyer * net.n_products + child
    lo, hi = np.searchsorted(keys.link, key, "left"), np.searchsorted(keys.link, key, "right")
    counts = hi - lo
    links = np.repeat(lo, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    own = _contains(keys.cap, key)
    return (
        np.concatenate([np.repeat(owner, counts), owner[own]]),
        np.concatenate([net.link_supplier[links], buyer[own]]),
        np.concatenate([net.link_product[links], child[own]]),
        np.concatenate([net.share[links], np.ones(own.sum())]),
        np.concatenate([np.zeros(len(links), dtype=bool), np.ones(own.sum(), dtype=bool)]),
    )


def _step_down(net: Network, keys: _Keys, f: Int32Array, p: Int32Array) -> Step:
    """Every product made from each node's output: by its buyers, or in house."""
    owner, pos = csr_expand(net.out_indptr, f)
    links = net.out_order[pos]
    keep = net.link_product[links] == p[owner]
    owner, links = owner[keep], links[keep]
    # (frontier position, facility using the output, share) for buyers and for the maker itself
    who = np.concatenate([owner, np.arange(len(f), dtype=np.int64)])
    user = np.concatenate([net.link_buyer[links], f]).astype(np.int64)
    share = np.concatenate([net.share[links], np.ones(len(f))])
    in_house = np.concatenate([np.zeros(len(links), dtype=bool), np.ones(len(f), dtype=bool)])
    o2, pos2 = csr_expand(keys.parents.indptr, p[who])
    parent = keys.parents.indices[pos2].astype(np.int64)
    made = _contains(keys.cap, user[o2] * net.n_products + parent)
    o2 = o2[made]
    return who[o2], user[o2], parent[made], share[o2], in_house[o2]


def traverse(
    net: Network, f0: Int32Array, p0: Int32Array, *, up: bool = True, depth: int | None = None
) -> list[Tier]:
    """Tiers of nodes reachable from the start nodes (tier 0), nearest first.

    A node appears once, at the first tier that reaches it. ``depth`` limits the
    number of tiers after tier 0.
    """
    n_p = net.n_products
    keys = _Keys.of(net)
    seen = np.unique(f0.astype(np.int64) * n_p + p0)
    n0 = len(f0)
    tiers = [Tier(0, f0, p0, f0, p0, np.ones(n0), np.ones(n0, dtype=np.int64), np.zeros(n0, dtype=bool))]
    f, p = f0, p0
    d = 0
    while len(f) and (depth is None or d < depth):
        d += 1
        who, nf, np_, share, own = (_step_up if up else _step_down)(net, keys, f, p)
        key = nf * n_p + np_
        uniq, first = np.unique(key, return_index=True)
        sources_per_product = np.bincount(uniq % n_p, minlength=n_p)
        new = ~np.isin(uniq, seen)
        if not new.any():
            break
        first = first[new]
        seen = np.union1d(seen, uniq[new])
        next_f: Int32Array = nf[first].astype(np.int32)
        next_p: Int32Array = np_[first].astype(np.int32)
        who = who[first]
        n_src = sources_per_product[next_p].astype(np.int64)
        tiers.append(Tier(d, next_f, next_p, f[who], p[who], share[first], n_src, own[first]))
        f, p = next_f, next_p
    return tiers
