"""Properties of the store-backed log: however statements are batched, the log's tree is the
RFC 9162 tree of the statements, every receipt verifies, every pair of heads is consistent."""

import itertools
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from arsenalnet.api import thread as api
from arsenalnet.store import Store, thread_log
from arsenalnet.thread import merkle
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
