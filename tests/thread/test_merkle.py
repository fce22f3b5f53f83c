"""RFC 9162 Merkle trees: published vectors, hand-checked small trees, two peers, properties."""

import hashlib

import numpy as np
import pytest
import scitt_cose.merkle as peer
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree

from arsenalnet.thread.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from arsenalnet.thread.nodes import border, consistency_plan, proof_plan
from arsenalnet.thread.tree import MerkleTree

# The leaves and roots of the RFC 6962 test tree (certificate-transparency, merkle_tree_test.cc).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]


def h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_roots(size: int) -> None:
    assert root_hash(CT_LEAVES[:size]).hex() == CT_ROOTS[size - 1]


def test_empty_tree_is_the_hash_of_nothing() -> None:
    assert root_hash([]) == h(b"")


def test_three_leaves_by_hand() -> None:
    """h_i = H(0x00 || d_i); the root of 3 leaves is H(0x01 || H(0x01 || h0 || h1) || h2)
    (k = 2, the largest power of two below 3). Leaf 2's path is [H(0x01||h0||h1)];
    leaf 0's path is [h1, h2]; the proof from size 2 to 3 is [h2]."""
    d = [b"a", b"b", b"c"]
    h0, h1, h2 = (h(b"\x00" + x) for x in d)
    h01 = h(b"\x01" + h0 + h1)
    assert leaf_hash(b"a") == h0
    assert root_hash(d) == h(b"\x01" + h01 + h2)
    assert inclusion_proof(d, 2) == [h01]
    assert inclusion_proof(d, 0) == [h1, h2]
    assert consistency_proof(d, 2) == [h2]
    assert consistency_proof(d, 1) == [h1, h2]


def test_plans_name_complete_nodes_and_the_right_edge() -> None:
    """Size 7 = 4 + 2 + 1: border nodes (2,0), (1,2), (0,6). Leaf 0's path: (0,1), (1,1),
    then the right edge at level 2 (leaves 4..6). From size 6 to 7: node (1,2), then
    the right edge at level 1 (leaf 6 alone) and the left subtree (2,0)."""
    assert border(7) == [(2, 0), (1, 2), (0, 6)]
    assert proof_plan(0, 7) == [(0, 1, True), (1, 1, True), (2, 1, False)]
    assert consistency_plan(6, 7) == [(1, 2, True), (1, 3, False), (2, 0, True)]
    assert consistency_plan(4, 7) == [(2, 1, False)]


def test_against_scitt_cose_and_pymerkle() -> None:
    """Every root, inclusion and consistency proof of trees up to 33 leaves equals the
    independent implementations' (scitt-cose's RFC 9162 functions; pymerkle's roots)."""
    leaves = [bytes([i]) * (i % 5) + bytes([i]) for i in range(33)]
    tree = InmemoryTree()
    for n in range(1, len(leaves) + 1):
        tree.append_entry(leaves[n - 1])
        part, part_hex = leaves[:n], [x.hex() for x in leaves[:n]]
        root = root_hash(part)
        assert root.hex() == peer.merkle_root(part_hex) == tree.get_root().hex()
        for i in range(n):
            assert [p.hex() for p in inclusion_proof(part, i)] == peer.inclusion_proof(part_hex, i)
        for m in range(1, n + 1):
            proof = consistency_proof(part, m)
            assert [p.hex() for p in proof] == peer.consistency_proof(part_hex, m, n)
            assert peer.verify_consistency(
                root_hash(leaves[:m]).hex(), root.hex(), m, n, [p.hex() for p in proof]
            )


entries = st.lists(st.binary(max_size=40), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(entries, st.data())
def test_every_inclusion_proof_verifies_and_any_flip_fails(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    root = root_hash(leaves)
    i = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(leaves, i)
    assert verify_inclusion(leaves[i], i, n, proof, root)
    bad_root = bytearray(root)
    bad_root[data.draw(st.integers(0, 31))] ^= 1 << data.draw(st.integers(0, 7))
    assert not verify_inclusion(leaves[i], i, n, proof, bytes(bad_root))
    assert not verify_inclusion(leaves[i] + b"x", i, n, proof, root)
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = bytearray(proof[k])
        bad[data.draw(st.integers(0, 31))] ^= 0x80
        assert not verify_inclusion(leaves[i], i, n, [*proof[:k], bytes(bad), *proof[k + 1 :]], root)
        assert not verify_inclusion(leaves[i], i, n, proof[:-1], root)
    assert not verify_inclusion(leaves[i], i, n, [*proof, root], root)
    if n > 1:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
        assert not verify_inclusion(leaves[i], j, n, proof, root) or leaves[i] == leaves[j]


@settings(max_examples=40, deadline=None)
@given(entries, st.data())
def test_consistency_for_every_old_size(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    new_root = root_hash(leaves)
    for m in range(0, n + 1):
        old_root = root_hash(leaves[:m])
        proof = consistency_proof(leaves, m)
        assert verify_consistency(m, n, old_root, new_root, proof)
        if 0 < m < n:
            k = data.draw(st.integers(0, len(proof) - 1))
            bad = bytearray(proof[k])
            bad[0] ^= 1
            assert not verify_consistency(m, n, old_root, new_root, [*proof[:k], bytes(bad), *proof[k + 1 :]])
            assert not verify_consistency(m, n, h(old_root), new_root, proof)
            assert not verify_consistency(m, n, old_root, h(new_root), proof)


def test_a_rewritten_history_fails_consistency() -> None:
    """The log of 10 entries rewrites entry 3 and grows to 12: the old head of size 10 is
    not a prefix of the new tree, whichever proof the log offers."""
    leaves = [f"entry {i}".encode() for i in range(12)]
    old_root = root_hash(leaves[:10])
    rewritten = [*leaves[:3], b"forged", *leaves[4:]]
    assert not verify_consistency(10, 12, old_root, root_hash(rewritten), consistency_proof(rewritten, 10))
    assert verify_consistency(10, 12, old_root, root_hash(leaves), consistency_proof(leaves, 10))


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="leaf 3 is not in a tree of 3 leaves"):
        inclusion_proof([b"a", b"b", b"c"], 3)
    with pytest.raises(ValueError, match="no consistency proof from size 4 to 3"):
        consistency_proof([b"a", b"b", b"c"], 4)
    assert not verify_inclusion(b"a", 3, 3, [], root_hash([b"a"]))
    assert not verify_consistency(4, 3, b"", b"", [])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(st.binary(max_size=8), max_size=20), min_size=1, max_size=6))
def test_in_memory_tree_grows_batch_by_batch(batches: list[list[bytes]]) -> None:
    """Appending in any batches gives the roots and proofs of the whole list, at every size."""
    tree, leaves = MerkleTree(), []
    for batch in batches:
        tree.append(batch)
        leaves += batch
        assert tree.size == len(leaves) and tree.root() == root_hash(leaves)
    for m in range(len(leaves) + 1):
        assert tree.root(m) == root_hash(leaves[:m])
        assert tree.consistency_proof(m) == consistency_proof(leaves, m)
    if leaves:
        for i in range(len(leaves)):
            assert tree.inclusion_proof(i) == inclusion_proof(leaves, i)
        hashes, present = tree.inclusion_proofs(np.arange(len(leaves)))
        for i in range(len(leaves)):
            assert [bytes(h) for h in hashes[i][present[i]]] == inclusion_proof(leaves, i)
