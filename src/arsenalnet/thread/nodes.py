"""Complete subtrees of an RFC 9162 Merkle tree: hashing by level, proof plans, assembly.

Node ``(level, index)`` is the hash of the leaves ``[index * 2**level, (index + 1) * 2**level)``.
Complete nodes never change once the log holds their last leaf, so a log keeps them
(``arsenalnet.store.thread_log``) and answers any proof from ``O(log n)`` of them:
:func:`proof_plan` and :func:`consistency_plan` name the proof's elements,
:func:`plan_nodes` the complete nodes they need, :func:`assemble` the proof.
An element that is not complete is the tree's right edge at its level (the leaves
``[index * 2**level, size)``); :func:`edge_hash` folds it from the :func:`border` nodes.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np
import numpy.typing as npt

HASH_SIZE = 32
"""Bytes of one SHA-256 hash."""

Node = tuple[int, int]
"""A complete subtree ``(level, index)``: the leaves ``[index * 2**level, (index + 1) * 2**level)``."""

Step = tuple[int, int, bool]
"""One proof element: ``(level, index, complete)``; not complete: the tree's right edge at ``level``."""

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> bytes:
    """``H(0x00 || data)``: the hash of one leaf (RFC 9162 §2.1.1).

    >>> leaf_hash(b"").hex()[:16]
    '6e340b9cffb37a98'
    """
    return _sha256(b"\x00" + bytes(data)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``H(0x01 || left || right)``: the hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


def leaf_hashes(leaves: Iterable[bytes]) -> bytes:
    """The leaf hashes of ``leaves``, concatenated (32 bytes each)."""
    return b"".join([_sha256(b"\x00" + bytes(d)).digest() for d in leaves])


def parent_level(level: bytes) -> bytes:
    """The complete nodes one level up from ``level`` (concatenated hashes): pairs hashed,
    an unpaired last node left out (it is not complete yet)."""
    b = b"\x01"
    return b"".join(
        [_sha256(b + level[i : i + 64]).digest() for i in range(0, len(level) - 63, 2 * HASH_SIZE)]
    )


def build_levels(hashes: bytes) -> list[bytes]:
    """Every complete node above the leaf hashes ``hashes``: ``levels[l]`` concatenates the
    hashes of the nodes ``(l, 0), (l, 1), ...``; ``levels[0]`` is ``hashes`` itself."""
    levels = [hashes]
    while len(levels[-1]) >= 2 * HASH_SIZE:
        levels.append(parent_level(levels[-1]))
    return levels


def border(size: int) -> list[Node]:
    """The complete nodes that cover ``[0, size)``, left to right (one per set bit of ``size``)."""
    return [(level, (size >> level) - 1) for level in reversed(range(size.bit_length())) if size >> level & 1]


def edge_hash(size: int, level: int, get: Callable[[Node], bytes]) -> bytes:
    """The hash of the leaves ``[(size >> level) << level, size)``: the incomplete node on the
    right edge of the tree at ``level`` (the root for ``level = size.bit_length()``).
    ``get`` returns the hash of a complete node."""
    nodes = [n for n in border(size) if n[0] < level]
    if not nodes:
        raise ValueError(f"no leaves right of {(size >> level) << level} in a tree of {size}")
    acc = get(nodes[-1])
    for n in reversed(nodes[:-1]):
        acc = node_hash(get(n), acc)
    return acc


def _path(level: int, index: int, size: int) -> list[Step]:
    """Siblings of node ``(level, index)`` up to the root of a tree of ``size`` leaves."""
    steps: list[Step] = []
    top = (size - 1).bit_length()
    for lvl in range(level, top):
        sib = (index >> (lvl - level)) ^ 1
        start = sib << lvl
        if start >= size:
            continue  # no right sibling: the node is promoted unchanged
        steps.append((lvl, sib, (sib + 1) << lvl <= size))
    return steps


def proof_plan(index: int, size: int) -> list[Step]:
    """The elements of the inclusion proof of leaf ``index`` in a tree of ``size`` leaves."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    return _path(0, index, size)


def consistency_plan(old_size: int, new_size: int) -> list[Step]:
    """The elements of the consistency proof from ``old_size`` to ``new_size`` leaves."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to {new_size}")
    if old_size in (0, new_size):
        return []
    level = (old_size & -old_size).bit_length() - 1  # the last complete subtree of the old tree
    index = (old_size - 1) >> level
    steps = _path(level, index, new_size)
    return steps if index == 0 else [(level, index, True), *steps]


def plan_nodes(plan: Sequence[Step], size: int) -> set[Node]:
    """The complete nodes whose hashes :func:`assemble` needs for ``plan`` (at most ``2 log2 size``)."""
    needed = {(lvl, idx) for lvl, idx, complete in plan if complete}
    if any(not complete for _, _, complete in plan):
        needed.update(border(size))
    return needed


def assemble(plan: Sequence[Step], size: int, hashes: Mapping[Node, bytes]) -> list[bytes]:
    """The proof for ``plan`` from the hashes of the complete nodes :func:`plan_nodes` named."""
    return [
        hashes[(lvl, idx)] if complete else edge_hash(size, lvl, hashes.__getitem__)
        for lvl, idx, complete in plan
    ]


def level_lookup(levels: Sequence[bytes]) -> Callable[[Node], bytes]:
    """``get(node)`` over the concatenated levels of :func:`build_levels`."""

    def get(node: Node) -> bytes:
        level, index = node
        return levels[level][index * HASH_SIZE : (index + 1) * HASH_SIZE]

    return get


def root_from_inclusion(leaf_digest: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes | None:
    """The root that ``proof`` leads to from the leaf *hash* ``leaf_digest``
    (RFC 9162 §2.1.3.2), or ``None`` if the proof has the wrong shape."""
    if not 0 <= index < size or any(len(p) != HASH_SIZE for p in proof):
        return None
    fn, sn, r = index, size - 1, leaf_digest
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return r if sn == 0 else None


Run = tuple[int, int, bytes]
"""New complete nodes of one level: ``(level, first index, concatenated hashes)``."""


def extend(size: int, known: Mapping[Node, bytes], new_leaves: bytes) -> tuple[list[Run], bytes]:
    """Append the leaf hashes ``new_leaves`` (concatenated) to a tree of ``size`` leaves.

    ``known`` must hold the :func:`border` nodes of ``size``. Returns the complete nodes
    the append creates, one run per level, and the root hash of the grown tree. Hashing
    is ``O(appended)``: each new node is hashed once.
    """
    runs: list[Run] = []
    level, first, buf = 0, size, new_leaves
    while buf:
        runs.append((level, first, buf))
        if first & 1:  # the border node at this level gets its right sibling
            buf, first = known[(level, first - 1)] + buf, first - 1
        buf, first, level = parent_level(buf), first >> 1, level + 1
    new_size = size + len(new_leaves) // HASH_SIZE
    if new_size == 0:
        return runs, _sha256(b"").digest()
    return runs, edge_hash(new_size, new_size.bit_length(), run_lookup(runs, known))


def run_lookup(runs: Sequence[Run], known: Mapping[Node, bytes]) -> Callable[[Node], bytes]:
    """``get(node)`` over the runs of :func:`extend`, falling back to ``known``."""
    by_level = {lvl: (start, hashes) for lvl, start, hashes in runs}

    def get(node: Node) -> bytes:
        lvl, idx = node
        if lvl in by_level:
            start, hashes = by_level[lvl]
            if start <= idx < start + len(hashes) // HASH_SIZE:
                return hashes[(idx - start) * HASH_SIZE : (idx - start + 1) * HASH_SIZE]
        return known[node]

    return get


Window = Callable[[int], tuple[int, bytes]]
"""``window(level) -> (first index, concatenated hashes)``: consecutive complete nodes of a level."""


def batch_proofs(
    indices: npt.NDArray[np.int64], size: int, window: Window, get: Callable[[Node], bytes]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
    """The inclusion proofs of many leaves of a tree of ``size`` leaves, vectorized by level.

    ``window(level)`` must hold every complete sibling the proofs need at that level;
    ``get`` the :func:`border` nodes (for the right edge). Returns ``(hashes, present)``
    of shapes ``(len(indices), height, 32)`` and ``(len(indices), height)``: the proof of
    ``indices[k]`` is ``hashes[k][present[k]]``, leaf to root (see :func:`proof_lists`).
    """
    idx = np.asarray(indices, dtype=np.int64)
    height = max((size - 1).bit_length(), 0)
    out = np.zeros((idx.size, height, HASH_SIZE), dtype=np.uint8)
    present = np.zeros((idx.size, height), dtype=bool)
    for level in range(height):
        sib = (idx >> level) ^ 1
        complete = ((sib + 1) << level) <= size
        edge = ((sib << level) < size) & ~complete
        if complete.any():
            first, data = window(level)
            view = np.frombuffer(data, dtype=np.uint8).reshape(-1, HASH_SIZE)
            out[complete, level] = view[sib[complete] - first]
        if edge.any():
            out[edge, level] = np.frombuffer(edge_hash(size, level, get), dtype=np.uint8)
        present[:, level] = complete | edge
    return out, present


def proof_lists(hashes: npt.NDArray[np.uint8], present: npt.NDArray[np.bool_]) -> list[list[bytes]]:
    """The proofs of :func:`batch_proofs` as lists of 32-byte hashes."""
    out = []
    for h, p in zip(hashes, present, strict=True):
        row = h[p].tobytes()
        out.append([row[i : i + HASH_SIZE] for i in range(0, len(row), HASH_SIZE)])
    return out


def batch_window(size: int, runs: Sequence[Run], known: Mapping[Node, bytes]) -> Window:
    """The :data:`Window` for the proofs of leaves appended to a tree of ``size`` leaves:
    at each level, the border node of ``size`` (if any) followed by the new nodes of ``runs``."""
    by_level = {lvl: hashes for lvl, _, hashes in runs}

    def window(level: int) -> tuple[int, bytes]:
        first = size >> level
        if first & 1:
            return first - 1, known[(level, first - 1)] + by_level.get(level, b"")
        return first, by_level.get(level, b"")

    return window
