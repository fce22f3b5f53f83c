"""Properties of the store-backed log: however statements are batched, the log's tree is the
RFC 9162 tree of the statements, every receipt verifies, every pair of heads is consistent."""

import itertools
import tempfile
from pathlib import Path
from random import Random

import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.api import thread as api
from arsenalnet.store import Store, thread_log
from arsenalnet.store.thread_tiles import pack
from arsenalnet.thread import merkle
from arsenalnet.thread.nodes import border, extend, leaf_hashes
from arsenalnet.thread.receipt import sign_tree_head
from arsenalnet.thread.tree import MerkleTree
from thread_factories import make_log

POOL: list[bytes] = []
KEY_ROWS: list[dict[str, object]] = []
KEYS = Path(tempfile.mkdtemp()) / "keys"


def pool() -> list[bytes]:
    """20 statements signed once by one issuer key (signing is the slow part)."""
    if not POOL:
        with Store(KEYS.parent / "seed.duckdb") as store:
            log = make_log(store, KEYS)
            POOL.extend(log.sign(b'{"n": %d}' % i, f"part:SN-{i % 4}") for i in range(20))
            KEY_ROWS.extend(thread_log.keys(store))
    return POOL


@settings(max_examples=12, deadline=None)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=5))
def test_any_batching_gives_the_same_verified_log(sizes: list[int]) -> None:
    statements = pool()
    cuts = list(itertools.accumulate(sizes))
    cuts = [c for c in cuts if c <= len(statements)] or [1]
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "log.duckdb") as store:
        for row in KEY_ROWS:
            thread_log.add_key(store, row)
        svc = api.service(store, KEYS)
        regs = []
        for lo, hi in itertools.pairwise([0, *cuts]):
            regs += api.register(store, statements[lo:hi], svc)
        n = cuts[-1]
        assert api.latest_head(store).root == merkle.root_hash(statements[:n])
        pem = (KEYS / "service.pub.pem").read_bytes()
        for i, reg in enumerate(regs):
            assert api.verify(statements[i], reg.receipt, pem).receipt.index == i
        heads = [(int(h["tree_size"]), bytes(h["root"])) for h in thread_log.tree_heads(store)]
        assert [s for s, _ in heads] == cuts
        for (m, old), (k, new) in itertools.combinations(heads, 2):
            assert merkle.verify_consistency(m, k, old, new, api.consistency_proof(store, m, k))
        assert api.audit(store).entries == n


SERVICE_KEY = ec.generate_private_key(ec.SECP256R1())
BOUNDARIES = (255, 256, 257, 511, 512, 65_535, 65_536, 65_537)
"""Sizes where a row of stratum 0 fills or starts, and where stratum 2 starts."""


@st.composite
def growth(draw: st.DrawFn) -> list[int]:
    """The log's sizes after each append: up to 70,000 leaves in 1 to 9 batches, often cut
    at a stratum boundary."""
    total = draw(st.one_of(st.integers(1, 700), st.integers(65_530, 70_000), st.integers(1, 70_000)))
    cuts = draw(st.lists(st.one_of(st.integers(1, total), st.sampled_from(BOUNDARIES)), max_size=8))
    return sorted({c for c in cuts if c < total} | {total})


def append_leaves(store: Store, hashes: bytes) -> None:
    """What ``register`` does to the tree: read the border, extend, append with a signed head."""
    size = thread_log.log_size(store)
    runs, root = extend(size, thread_log.node_hashes(store, border(size)), hashes)
    head = sign_tree_head(size + len(hashes) // 32, root, SERVICE_KEY, "did:web:test", 0, "2026-01-01")
    thread_log.append(
        store, None, runs, {"tree_size": head.size, "root": root, "protected": head.protected,
                            "signature": head.signature, "signed_at": head.signed_at},
    )  # fmt: skip


@settings(max_examples=15, deadline=None)
@given(growth(), st.randoms(use_true_random=False))
def test_proofs_from_the_store_are_the_trees(sizes: list[int], rng: Random) -> None:
    """However a log of up to 70,000 leaves grows, ``thread_tile`` holds the rows of the whole
    tree packed at once, every level reads back as the in-memory tree's, and inclusion and
    consistency proofs at every head are the in-memory tree's and verify (RFC 9162)."""
    leaves = [b"leaf %d" % i for i in range(sizes[-1])]
    tree = MerkleTree()
    tree.append(leaves)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "log.duckdb") as store:
        for lo, hi in itertools.pairwise([0, *sizes]):
            append_leaves(store, leaf_hashes(leaves[lo:hi]))
        stored = store.execute("SELECT tile, hashes FROM thread_tile ORDER BY tile").fetchall()
        whole = pa.concat_tables(pack([(lvl, 0, bytes(h)) for lvl, h in enumerate(tree.levels)]))
        assert stored == list(zip(whole["tile"].to_pylist(), whole["hashes"].to_pylist(), strict=True))
        for level, hashes in enumerate(tree.levels):
            assert thread_log.level_hashes(store, level, 0, len(hashes) // 32) == hashes
        for n in sizes:
            root = tree.root(n)
            picks = {0, n - 1, *(rng.randrange(n) for _ in range(6)), *(b for b in BOUNDARIES if b < n)}
            for i in picks:
                proof = api.inclusion_proof(store, i, n)
                assert proof == tree.inclusion_proof(i, n)
                assert merkle.verify_inclusion(leaves[i], i, n, proof, root)
            for m in {1, *sizes, *(rng.randrange(1, n + 1) for _ in range(3))} - set(
                range(n + 1, sizes[-1] + 1)
            ):
                proof = api.consistency_proof(store, m, n)
                assert proof == tree.consistency_proof(m, n)
                assert merkle.verify_consistency(m, n, tree.root(m), root, proof)
