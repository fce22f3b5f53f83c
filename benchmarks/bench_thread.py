"""The digital thread's log: registration throughput, proofs on a 10M-entry log, and pymerkle.

1. registration: N pre-signed ES256 statements registered in batches into a fresh store
   (each signature verified, appended, a receipt issued). Target >= 5,000 statements/s.
2. proofs: a 10,000,000-entry tree built in memory, its complete subtrees written to a
   store's thread_tile, then inclusion and consistency proofs read from the store
   (at most two thread_tile rows a stratum, one indexed query) and from memory. Target <= 1 ms each.
3. peer: pymerkle's InmemoryTree and ours on the same 1,000,000 leaves, one after the
   other in this process: append throughput and proof throughput. Target >= 20x.

Usage: .venv/bin/python benchmarks/bench_thread.py [registration|proofs|peer ...]
       [--statements N] [--batch B] [--log-size N] [--peer-size N]
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from arsenalnet.api import thread as api
from arsenalnet.api.keys import load_private_key
from arsenalnet.store import Store, thread_log
from arsenalnet.thread import merkle
from arsenalnet.thread.nodes import leaf_hashes
from arsenalnet.thread.receipt import sign_tree_head
from arsenalnet.thread.statement import sign_statement
from arsenalnet.thread.tree import MerkleTree
from machine import describe

ISSUER = "did:web:acme.example"
RECORD = b'{"serial": "SN-%07d", "operation": "final assembly", "torque_nm": 42.5, "inspector": "QA-7"}'


def entry(i: int) -> bytes:
    """Leaf i of the proof and peer benchmarks: 64 bytes, about a short statement's digest line."""
    return b"arsenalnet benchmark entry %020d ................................" % i


def bench_registration(n: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "log.duckdb") as store:
        keys = Path(tmp) / "keys"
        api.new_key(store, ISSUER, keys_dir=keys)
        svc = api.service(store, keys)
        key = load_private_key(keys / "did_web_acme.example.key.pem")
        start = time.perf_counter()
        statements = [
            sign_statement(
                RECORD % i,
                key=key,
                issuer=ISSUER,
                subject=f"part:SN-{i:07d}",
                content_type="application/json",
                statement_type="build-record",
            )
            for i in range(n)
        ]
        t_sign = time.perf_counter() - start
        api.register(store, statements[:batch], svc)  # warm up (imports, first transaction)
        start = time.perf_counter()
        for b in range(batch, n, batch):
            api.register(store, statements[b : b + batch], svc)
        t = time.perf_counter() - start
        size = thread_log.log_size(store)
    mean = len(statements[0]) if statements else 0
    print(f"signing {n:,} statements ({mean} bytes each): {n / t_sign:,.0f} statements/s (not counted)")
    print(f"registration, batches of {batch:,}: {(n - batch) / t:,.0f} statements/s ({size:,} entries)")


def timed(fn, args: list) -> list[float]:  # type: ignore[no-untyped-def, type-arg]
    out = []
    for a in args:
        start = time.perf_counter()
        fn(*a)
        out.append(time.perf_counter() - start)
    return out


def show(what: str, seconds: list[float]) -> None:
    ms = sorted(s * 1e3 for s in seconds)
    print(
        f"{what}: mean {statistics.fmean(ms):.3f} ms, median {ms[len(ms) // 2]:.3f} ms, "
        f"p99 {ms[int(len(ms) * 0.99)]:.3f} ms ({len(ms):,} proofs)"
    )


def bench_proofs(n: int) -> None:
    rng = np.random.default_rng(7)
    start = time.perf_counter()
    tree = MerkleTree()
    chunk = 1_000_000
    for at in range(0, n, chunk):
        tree.append_hashes(leaf_hashes(entry(i) for i in range(at, min(n, at + chunk))))
    t_build = time.perf_counter() - start
    print(f"build the {n:,}-leaf tree in memory (2 x {n:,} SHA-256): {t_build:.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "log.duckdb"
        with Store(db) as store:
            keys = Path(tmp) / "keys"
            svc = api.service(store, keys)
            start = time.perf_counter()
            runs = [(level, 0, bytes(hashes)) for level, hashes in enumerate(tree.levels)]
            head = sign_tree_head(n, tree.root(), svc.key, svc.issuer, 0, "2026-01-01T00:00:00+00:00")
            thread_log.append(
                store,
                None,
                runs,
                {
                    "tree_size": n,
                    "root": head.root,
                    "protected": head.protected,
                    "signature": head.signature,
                    "signed_at": head.signed_at,
                },
            )
            nodes, took = sum(len(h) for _, _, h in runs) // 32, time.perf_counter() - start
            print(f"write its {nodes:,} complete-subtree hashes to thread_tile: {took:.1f} s")
        print(f"store file: {db.stat().st_size / 2**20:,.0f} MiB")
        with Store(db, read_only=True) as store:
            root = tree.root()
            idx = [int(i) for i in rng.integers(0, n, 1000)]
            olds = [int(m) for m in rng.integers(1, n, 1000)]
            for i in idx[:20]:
                proof = api.inclusion_proof(store, i, n)
                assert merkle.verify_inclusion(entry(i), i, n, proof, root)
            for m in olds[:20]:
                assert merkle.verify_consistency(m, n, tree.root(m), root, api.consistency_proof(store, m, n))
            show(
                f"inclusion proof from the store ({n:,})",
                timed(lambda i: api.inclusion_proof(store, i, n), [(i,) for i in idx]),
            )
            show(
                f"consistency proof from the store ({n:,})",
                timed(lambda m: api.consistency_proof(store, m, n), [(m,) for m in olds]),
            )
    show(f"inclusion proof in memory ({n:,})", timed(tree.inclusion_proof, [(i,) for i in idx]))
    show(f"consistency proof in memory ({n:,})", timed(tree.consistency_proof, [(m,) for m in olds]))
    start = time.perf_counter()
    tree.inclusion_proofs(np.asarray(rng.integers(0, n, 100_000)))
    rate = 100_000 / (time.perf_counter() - start)
    print(f"vectorized inclusion proofs in memory ({n:,} leaves): {rate:,.0f} proofs/s")


def bench_peer(n: int) -> None:
    from pymerkle import InmemoryTree

    entries = [entry(i) for i in range(n)]
    rng = np.random.default_rng(11)
    idx = [int(i) for i in rng.integers(0, n, 2000)]
    olds = [int(m) for m in rng.integers(1, n, 2000)]

    peer = InmemoryTree()
    start = time.perf_counter()
    for e in entries:
        peer.append_entry(e)
    t_peer = time.perf_counter() - start
    start = time.perf_counter()
    for i in idx:
        peer.prove_inclusion(i + 1)
    p_incl = time.perf_counter() - start
    start = time.perf_counter()
    for m in olds:
        peer.prove_consistency(m)
    p_cons = time.perf_counter() - start
    peer_root = peer.get_root()
    del peer

    ours = MerkleTree()
    start = time.perf_counter()
    for at in range(0, n, 10_000):
        ours.append(entries[at : at + 10_000])
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    for i in idx:
        ours.inclusion_proof(i)
    o_incl = time.perf_counter() - start
    start = time.perf_counter()
    for m in olds:
        ours.consistency_proof(m)
    o_cons = time.perf_counter() - start
    big = np.asarray(rng.integers(0, n, 100_000))
    start = time.perf_counter()
    ours.inclusion_proofs(big)
    o_batch = time.perf_counter() - start
    assert ours.root() == peer_root, "the two trees disagree"

    print(f"same {n:,} leaves, same root: {peer_root.hex()[:16]}…")
    print(f"append: pymerkle {n / t_peer:,.0f}/s, ours (batches of 10,000) {n / t_ours:,.0f}/s: ", end="")
    print(f"{t_peer / t_ours:.1f}x")
    print(
        f"inclusion proofs: pymerkle {len(idx) / p_incl:,.0f}/s, ours one by one {len(idx) / o_incl:,.0f}/s "
        f"({p_incl / o_incl:.1f}x), ours vectorized {len(big) / o_batch:,.0f}/s "
        f"({len(big) / o_batch / (len(idx) / p_incl):.0f}x)"
    )
    print(
        f"consistency proofs: pymerkle {len(olds) / p_cons:,.0f}/s, ours {len(olds) / o_cons:,.0f}/s: ",
        end="",
    )
    print(f"{p_cons / o_cons:.1f}x")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("parts", nargs="*", default=["registration", "proofs", "peer"])
    ap.add_argument("--statements", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=1_000)
    ap.add_argument("--log-size", type=int, default=10_000_000)
    ap.add_argument("--peer-size", type=int, default=1_000_000)
    args = ap.parse_args()
    print(f"machine: {describe()}")
    if "registration" in args.parts:
        bench_registration(args.statements, args.batch)
    if "proofs" in args.parts:
        bench_proofs(args.log_size)
    if "peer" in args.parts:
        bench_peer(args.peer_size)


if __name__ == "__main__":
    main()
