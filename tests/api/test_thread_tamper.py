"""Tamper evidence: changed entries, signatures, tiles, receipts and a rewritten history are caught,
and the failure names what is wrong."""

import pytest

from arsenalnet.api import thread as api
from arsenalnet.store import Store, StoreError, thread_log
from arsenalnet.store.thread_tiles import locate
from arsenalnet.thread import merkle
from arsenalnet.thread.cose import decode_sign1, encode_sign1
from arsenalnet.thread.errors import VerificationError
from thread_factories import Log, make_log


def fill(log: Log, n: int = 12, prefix: bytes = b"") -> list[bytes]:
    statements = [log.sign(prefix + b'{"step": %d}' % i, f"part:SN-{i % 3}") for i in range(n)]
    api.register(log.store, statements[:5], log.service)
    api.register(log.store, statements[5:], log.service)
    return statements


def set_statement(log: Log, index: int, raw: bytes) -> None:
    log.store.execute("UPDATE thread_entry SET statement = ? WHERE idx = ?", [raw, index])


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def test_a_flipped_payload_byte_is_named_by_audit_and_passport(log: Log) -> None:
    statements = fill(log)
    raw = statements[4]
    set_statement(log, 4, flip(raw, len(raw) - 70))  # inside the payload
    with pytest.raises(VerificationError, match=r"^entry 4: statement: the signature does not verify"):
        api.audit(log.store)
    with pytest.raises(VerificationError, match=r"^entry 4: "):
        api.passport(log.store, "part:SN-1")
    assert len(api.passport(log.store, "part:SN-0")) == 4  # the other subjects still verify


def test_a_flipped_signature_byte_is_named(log: Log) -> None:
    statements = fill(log)
    msg = decode_sign1(statements[7])
    forged = encode_sign1(msg.protected_bytes, msg.unprotected, msg.payload, flip(msg.signature, 10))
    set_statement(log, 7, forged)
    with pytest.raises(VerificationError, match=r"^entry 7: statement: the signature does not verify"):
        api.audit(log.store)


def flip_node(log: Log, level: int, index: int) -> None:
    """Flip one bit of node ``(level, index)``'s hash where ``thread_tile`` stores it."""
    tile, at = locate(level, index)
    blob = log.store.execute("SELECT hashes FROM thread_tile WHERE tile = ?", [tile]).fetchall()[0][0]
    log.store.execute("UPDATE thread_tile SET hashes = ? WHERE tile = ?", [flip(bytes(blob), at + 5), tile])


def test_a_flipped_tree_hash_is_named(log: Log) -> None:
    fill(log)
    flip_node(log, 0, 9)
    with pytest.raises(VerificationError, match=r"^entry 9: its leaf hash in thread_tile differs"):
        api.audit(log.store)
    # a receipt issued from the damaged tree no longer verifies
    with pytest.raises(VerificationError, match="does not verify"):
        api.verify(log.sign(b"unrelated"), api.receipt(log.store, 8), log.service_pem)


@pytest.mark.parametrize(("level", "index"), [(1, 2), (2, 1), (3, 0)])
def test_a_flipped_interior_hash_is_named(log: Log, level: int, index: int) -> None:
    """12 entries: complete nodes (1, 0..5), (2, 0..2), (3, 0); each lives in row 0 of stratum 0."""
    fill(log)
    flip_node(log, level, index)
    with pytest.raises(VerificationError, match=rf"^tree node \({level}, {index}\) in thread_tile differs"):
        api.audit(log.store)


def test_every_flipped_receipt_or_statement_byte_fails_verification(log: Log) -> None:
    statements = fill(log, 6)
    receipt = api.receipt(log.store, 3)
    assert api.verify(statements[3], receipt, log.service_pem).receipt.index == 3
    for at in range(len(receipt)):
        with pytest.raises(VerificationError):
            api.verify(statements[3], flip(receipt, at), log.service_pem)
    for at in range(0, len(statements[3]), 3):
        with pytest.raises(VerificationError):
            api.verify(flip(statements[3], at), receipt, log.service_pem, log.issuer_pem)


def test_a_rewritten_history_is_caught(log: Log, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The operator rewrites entry 2 with another validly signed statement and rebuilds
    the entries and the tree consistently, but cannot re-sign the old heads: audit names the
    first head whose root no longer matches. Re-signing every head (with the service key)
    passes audit, but a client's copy of an old head fails the consistency proof."""
    statements = fill(log, 12)
    old_head = api.latest_head(log.store)
    first_head = thread_log.tree_head(log.store, 5)
    assert first_head is not None
    forged = [*statements[:2], log.sign(b'{"step": "forged"}', "part:SN-2"), *statements[3:]]
    with Store(tmp_path / "forged.duckdb") as other:
        other.execute("INSERT INTO thread_key SELECT * FROM thread_key")  # no-op on the fresh store
        for row in thread_log.keys(log.store):
            thread_log.add_key(other, row)
        svc = api.service(other, log.keys)
        api.register(other, forged[:5], svc)
        api.register(other, forged[5:], svc)
        forged_root = api.latest_head(other).root
        proof = api.consistency_proof(other, 5, 12)
        assert api.audit(other).entries == 12  # a full re-signing passes its own audit...
        rows = {t: other.arrow(f"SELECT * FROM {t}") for t in ("thread_entry", "thread_tile")}
    # ...but the head of size 5 that clients saw is not a prefix of the forged log
    assert not merkle.verify_consistency(5, 12, bytes(first_head["root"]), forged_root, proof)
    assert merkle.verify_consistency(
        5, 12, bytes(first_head["root"]), old_head.root, api.consistency_proof(log.store, 5, 12)
    )
    # the operator swaps entries and tree in place, keeping the signed heads
    for name, table in rows.items():
        log.store.execute(f"DELETE FROM {name}")
        log.store.con.register("__t", table)
        log.store.execute(f"INSERT INTO {name} SELECT * FROM __t")
        log.store.con.unregister("__t")
    with pytest.raises(VerificationError, match=r"^tree head 5: its root differs .* the log was rewritten"):
        api.audit(log.store)


def test_missing_entry_is_named(log: Log) -> None:
    fill(log)
    log.store.execute("DELETE FROM thread_entry WHERE idx = 6")
    with pytest.raises(VerificationError, match=r"^entry 6: missing from the log"):
        api.audit(log.store)


def test_a_fresh_store_with_the_log_audits(store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = make_log(store, tmp_path / "keys")
    fill(log, 3)
    assert api.audit(store).entries == 3


@pytest.mark.parametrize(
    ("damage", "refusal"),
    [
        ("hashes || hashes[1:32]", r"^thread_tile rows \[0\] do not end where the log does"),
        ("hashes[1:64]", r"^thread_tile lacks tree nodes of the log's 3 entries"),
    ],
    ids=["runs past the log", "cut short"],
)
def test_a_damaged_tile_stops_registration(log: Log, damage: str, refusal: str) -> None:
    """3 entries: row 0 holds h0 h1 h01 h2 (128 bytes). With one hash too many the next append
    cannot continue the row; cut to h0 h1 it lacks the border nodes of size 3 (h01 and h2, bytes
    64-127). Either way: refused in words, nothing appended."""
    fill(log, 3)
    log.store.execute(f"UPDATE thread_tile SET hashes = {damage} WHERE tile = 0")
    with pytest.raises(StoreError, match=refusal):
        api.register(log.store, [log.sign(b'{"step": 3}')], log.service)
    assert thread_log.log_size(log.store) == 3
    assert log.store.execute("SELECT count(*) FROM thread_entry").fetchall() == [(3,)]
