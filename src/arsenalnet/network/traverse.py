"""Upstream and downstream traversal of the compiled twin, tier by tier.

A node is a capability: a facility making a product. Upstream of node
(f, p) are the nodes (s, c) where c is an input of p in the bill of materials
and s ships c to f. Downstream is the reverse. Every step is vectorized over
the whole frontier.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from arsenalnet.network.compile import Network
from arsenalnet.network.index import Int32Array

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tier:
    """The nodes first reached at one tier, with the node one tier closer that reached them.

    ``facility``/``product`` (N,) are the nodes; ``via_facility``/``via_product``
    the node of the previous tier they connect to (the first such, by index);
    ``share`` the link's share. ``n_sources`` (N,) counts the distinct facilities
    at this tier that supply the same product: 1 means sole-sourced at this tier.
    """

    depth: int
    facility: Int32Array
    product: Int32Array
    via_facility: Int32Array
    via_product: Int32Array
    share: npt.NDArray[np.float64]
    n_sources: IntArray


def _expand(indptr: npt.NDArray[np.integer], rows: npt.NDArray[np.integer]) -> tuple[IntArray, IntArray]:
    """For each row r, every position indptr[r]..indptr[r+1]: (row number, position)."""
    starts, ends = indptr[rows], indptr[rows + 1]
    counts = (ends - starts).astype(np.int64)
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    offsets = np.arange(counts.sum(), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(starts.astype(np.int64), counts) + offsets


def start_nodes(net: Network, *, product: int = -1, facility: int = -1) -> tuple[Int32Array, Int32Array]:
    """The capabilities to start from: every maker of ``product``, or every product of ``facility``."""
    mask = net.cap_product == product if product >= 0 else net.cap_facility == facility
    return net.cap_facility[mask], net.cap_product[mask]


def _step_up(net: Network, f: Int32Array, p: Int32Array) -> tuple[IntArray, IntArray]:
    """(frontier position, link index) for every link feeding an input of each node."""
    owner, pos = _expand(net.bom.indptr, p)
    child = net.bom.indices[pos]
    buyer = f[owner]
    key = buyer.astype(np.int64) * net.n_products + child
    link_key = net.link_buyer.astype(np.int64) * net.n_products + net.link_product
    lo, hi = np.searchsorted(link_key, key, "left"), np.searchsorted(link_key, key, "right")
    counts = hi - lo
    who = np.repeat(owner, counts)
    links = np.repeat(lo, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    return who, links


def _step_down(
    net: Network, f: Int32Array, p: Int32Array
) -> tuple[IntArray, Int32Array, Int32Array, IntArray]:
    """(frontier position, buyer, buyer's product, link) for every use of each node's output."""
    owner, pos = _expand(net.out_indptr, f)
    links = net.out_order[pos]
    keep = net.link_product[links] == p[owner]
    owner, links = owner[keep], links[keep]
    buyer = net.link_buyer[links]
    # products the buyer makes that use this product
    parents = net.bom.T.tocsr()
    o2, pos2 = _expand(parents.indptr, net.link_product[links])
    parent = parents.indices[pos2].astype(np.int32)
    b2 = buyer[o2]
    cap_key = net.cap_facility.astype(np.int64) * net.n_products + net.cap_product
    wanted = b2.astype(np.int64) * net.n_products + parent
    i = np.clip(np.searchsorted(cap_key, wanted), 0, max(len(cap_key) - 1, 0))
    made = cap_key[i] == wanted if len(cap_key) else np.zeros(len(wanted), bool)
    return owner[o2][made], b2[made], parent[made], links[o2][made]


def traverse(
    net: Network, f0: Int32Array, p0: Int32Array, *, up: bool = True, depth: int | None = None
) -> list[Tier]:
    """Tiers of nodes reachable from the start nodes (tier 0), nearest first.

    A node appears once, at the first tier that reaches it. ``depth`` limits the
    number of tiers after tier 0.
    """
    n_p = net.n_products
    seen = np.unique(f0.astype(np.int64) * n_p + p0)
    ones = np.ones(len(f0))
    tiers = [Tier(0, f0, p0, f0, p0, ones, np.ones(len(f0), dtype=np.int64))]
    f, p = f0, p0
    d = 0
    while len(f) and (depth is None or d < depth):
        d += 1
        if up:
            who, links = _step_up(net, f, p)
            nf, np_ = net.link_supplier[links], net.link_product[links]
        else:
            who, nf, np_, links = _step_down(net, f, p)
        key = nf.astype(np.int64) * n_p + np_
        uniq, first = np.unique(key, return_index=True)
        sources_per_product = np.bincount(uniq % n_p, minlength=n_p)
        new = ~np.isin(uniq, seen)
        if not new.any():
            break
        first = first[new]
        seen = np.union1d(seen, uniq[new])
        nf, np_, who, links = nf[first], np_[first], who[first], links[first]
        n_src = sources_per_product[np_]
        tiers.append(
            Tier(
                d,
                nf.astype(np.int32),
                np_.astype(np.int32),
                f[who],
                p[who],
                net.share[links],
                n_src.astype(np.int64),
            )
        )
        f, p = nf.astype(np.int32), np_.astype(np.int32)
    return tiers
