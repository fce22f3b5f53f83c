"""The digital thread end to end on a real store: keys, registration, receipts, passport, audit."""

import stat

import pyarrow as pa
import pytest
import scitt_cose

from arsenalnet.api import thread as api
from arsenalnet.store import thread_log
from arsenalnet.thread import merkle
from thread_factories import ISSUER, Log


def store_state(log: Log) -> dict[str, pa.Table]:
    """Every row of the log's tables."""
    return {
        t: log.store.arrow(f"SELECT * FROM {t}")
        for t in ("thread_key", "thread_entry", "thread_tile", "thread_tree_head")
    }


def test_keys_are_0600_outside_the_store_and_only_public_keys_are_registered(log: Log) -> None:
    private = log.keys / "did_web_acme.example.key.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((log.keys / "service.key.pem").stat().st_mode) == 0o600
    rows = thread_log.keys(log.store)
    assert sorted(r["role"] for r in rows) == ["issuer", "service"]
    assert all("PRIVATE" not in r["public_key_pem"] for r in rows)
    pem = private.read_bytes()
    dumped = str(store_state(log)).encode()
    assert b"PRIVATE" not in dumped and pem[40:80] not in dumped
    with pytest.raises(
        api.KeyFileError if hasattr(api, "KeyFileError") else Exception, match="is never overwritten"
    ):
        api.new_key(log.store, ISSUER, keys_dir=log.keys)


def test_register_returns_receipts_that_verify_offline_and_with_scitt_cose(log: Log) -> None:
    statements = [log.sign(b'{"serial": %d}' % i) for i in range(5)]
    regs = api.register(log.store, statements[:3], log.service) + api.register(
        log.store, statements[3:], log.service
    )
    assert [r.index for r in regs] == [0, 1, 2, 3, 4]
    for st, reg in zip(statements, regs, strict=True):
        v = api.verify(st, reg.receipt, log.service_pem, log.issuer_pem)
        assert (v.receipt.index, v.statement.subject, v.issuer_checked) == (reg.index, "part:SN-0042", True)
        peer = scitt_cose.verify_receipt(
            reg.receipt, leaf_entry_hex=st.hex(), log_public_key_pem=log.service_pem
        )
        assert peer.ok and peer.leaf_index == reg.index, peer.errors
        parsed = scitt_cose.parse_signed_statement(st, public_key_pem=log.issuer_pem)
        assert parsed["signature_verified"] and parsed["issuer"] == ISSUER
    # receipts for the first batch are against the head of size 3; the log's root at 5 matches the leaves
    assert api.latest_head(log.store).root == merkle.root_hash(statements)
    fresh = api.receipt(log.store, 1)
    assert api.verify(statements[1], fresh, log.service_pem).receipt.tree_size == 5


def test_consistency_between_stored_heads(log: Log) -> None:
    statements = [log.sign(b"%d" % i) for i in range(11)]
    for part in (statements[:3], statements[3:4], statements[4:11]):
        api.register(log.store, part, log.service)
    heads = {h["tree_size"]: bytes(h["root"]) for h in thread_log.tree_heads(log.store)}
    assert sorted(heads) == [3, 4, 11]
    for old in (3, 4):
        proof = api.consistency_proof(log.store, old, 11)
        assert proof == merkle.consistency_proof(statements, old)
        assert merkle.verify_consistency(old, 11, heads[old], heads[11], proof)
    for i in range(11):
        assert api.inclusion_proof(log.store, i, 11) == merkle.inclusion_proof(statements, i)


def test_passport_lists_verified_statements_about_a_subject(log: Log) -> None:
    a = log.sign(b'{"op": "build"}', "part:SN-0042", "build-record")
    b = log.sign(b'{"op": "other"}', "part:SN-0007", "build-record")
    c = log.sign(b'{"op": "inspect"}', "part:SN-0042", "inspection")
    api.register(log.store, [a, b, c], log.service)
    entries = api.passport(log.store, "part:SN-0042")
    assert [(e.index, e.statement_type, e.payload) for e in entries] == [
        (0, "build-record", b'{"op": "build"}'),
        (2, "inspection", b'{"op": "inspect"}'),
    ]
    assert entries[0].issuer == ISSUER and entries[0].content_type == "application/json"
    assert api.passport(log.store, "part:none") == []


def test_audit_rechecks_everything(log: Log) -> None:
    api.register(log.store, [log.sign(b"%d" % i) for i in range(70)], log.service)
    api.register(log.store, [log.sign(b"x%d" % i) for i in range(60)], log.service)
    report = api.audit(log.store)
    assert (report.entries, report.tree_heads) == (130, 2)
    assert report.root == api.latest_head(log.store).root.hex()
