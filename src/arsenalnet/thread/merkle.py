"""RFC 9162 §2.1 Merkle trees over raw entry bytes: root hash, inclusion and consistency proofs.

The six functions of this module take and return bytes. A leaf is the raw bytes of one
log entry (in the digital thread's log: the registered COSE_Sign1 statement, byte for
byte; see ``docs/thread.md``). With ``H = SHA-256``::

    leaf hash   MTH({d})   = H(0x00 || d)
    node hash   MTH(D[n])  = H(0x01 || MTH(D[0:k]) || MTH(D[k:n])),  k the largest power of 2 < n
    empty tree  MTH({})    = H("")

Proofs are lists of 32-byte hashes ordered from the leaf towards the root, exactly as
RFC 9162 §2.1.3.1 (PATH) and §2.1.4.1 (SUBPROOF) define them. The verifiers follow
§2.1.3.2 and §2.1.4.2 step by step. The log itself builds proofs from stored complete
subtrees (:mod:`arsenalnet.thread.nodes`); these functions recompute from the leaves.

>>> leaves = [b"a", b"b", b"c"]
>>> root = root_hash(leaves)
>>> verify_inclusion(b"c", 2, 3, inclusion_proof(leaves, 2), root)
True
>>> verify_consistency(2, 3, root_hash(leaves[:2]), root, consistency_proof(leaves, 2))
True
"""

import hashlib
import hmac
from collections.abc import Sequence

from arsenalnet.thread.nodes import (
    HASH_SIZE,
    Step,
    assemble,
    build_levels,
    consistency_plan,
    edge_hash,
    leaf_hash,
    leaf_hashes,
    level_lookup,
    node_hash,
    plan_nodes,
    proof_plan,
    root_from_inclusion,
)

__all__ = [
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]


def _root(levels: Sequence[bytes], size: int) -> bytes:
    if size == 0:
        return hashlib.sha256(b"").digest()
    return edge_hash(size, size.bit_length(), level_lookup(levels))


def root_hash(leaves: Sequence[bytes]) -> bytes:
    """``MTH(leaves)``: the root hash of the tree over the raw entries ``leaves``."""
    return _root(build_levels(leaf_hashes(leaves)), len(leaves))


def _proof(levels: Sequence[bytes], size: int, plan: Sequence[Step]) -> list[bytes]:
    get = level_lookup(levels)
    return assemble(plan, size, {n: get(n) for n in plan_nodes(plan, size)})


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """``PATH(index, leaves)``: the audit path of leaf ``index`` (RFC 9162 §2.1.3.1)."""
    return _proof(build_levels(leaf_hashes(leaves)), len(leaves), proof_plan(index, len(leaves)))


def consistency_proof(leaves: Sequence[bytes], old_size: int) -> list[bytes]:
    """``PROOF(old_size, leaves)``: the consistency proof from the first ``old_size``
    leaves to all of ``leaves`` (RFC 9162 §2.1.4.1)."""
    return _proof(build_levels(leaf_hashes(leaves)), len(leaves), consistency_plan(old_size, len(leaves)))


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """True iff ``proof`` shows the raw entry ``leaf`` at ``index`` of the tree of ``size``
    leaves whose root hash is ``root`` (RFC 9162 §2.1.3.2)."""
    r = root_from_inclusion(leaf_hash(leaf), index, size, proof)
    return r is not None and hmac.compare_digest(r, root)


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True iff ``proof`` shows that the tree of ``new_size`` leaves with root ``new_root``
    extends the tree of ``old_size`` leaves with root ``old_root`` (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size or any(len(p) != HASH_SIZE for p in proof):
        return False
    if old_size == new_size:
        return not proof and hmac.compare_digest(old_root, new_root)
    if old_size == 0:
        return not proof  # the empty tree is a prefix of every tree
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and hmac.compare_digest(fr, old_root) and hmac.compare_digest(sr, new_root)
