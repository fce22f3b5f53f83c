"""``arsenal thread`` in real processes: the issue's command sequence, bad input, tampering."""

import json
from pathlib import Path

from factories import arsenal


def test_the_digital_thread_commands(tmp_path: Path) -> None:
    db, keys = tmp_path / "log.duckdb", str(tmp_path / "keys")
    record = tmp_path / "build-record.json"
    record.write_text('{"serial": "SN-0042", "operation": "final assembly"}')
    r = arsenal("thread", "keys", "new", "--issuer", "did:web:acme.example", "--keys", keys, db=db)
    assert r.returncode == 0, r.stderr
    assert "issuer key of did:web:acme.example" in r.stdout
    stmt, receipt = tmp_path / "stmt.cose", tmp_path / "receipt.cbor"
    r = arsenal(
        "thread", "sign", str(record), "--subject", "part:SN-0042", "--content-type", "application/json",
        "--type", "build-record", "--keys", keys, "--out", str(stmt),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    r = arsenal("thread", "register", str(stmt), "--keys", keys, "--out", str(receipt), db=db)
    assert r.returncode == 0 and "registered as entry 0" in r.stderr, r.stderr
    r = arsenal("thread", "verify", str(stmt), str(receipt), "--keys", keys, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["entry"] == 0 and out["subject"] == "part:SN-0042" and out["issuer_signature_checked"]
    r = arsenal("thread", "passport", "part:SN-0042", "--json", db=db)
    entries = json.loads(r.stdout)
    assert [(e["index"], e["statement_type"]) for e in entries] == [(0, "build-record")]
    assert json.loads(entries[0]["payload"])["serial"] == "SN-0042"
    r = arsenal("thread", "audit", db=db)
    assert r.returncode == 0 and "OK: 1 entries and 1 signed tree heads verified" in r.stdout

    # registering it again: one line, exit 2, nothing appended
    r = arsenal("thread", "register", str(stmt), "--keys", keys, "--out", str(tmp_path / "again.cbor"), db=db)
    assert r.returncode == 2 and r.stderr.strip().splitlines() == [
        "duplicate registration: the statement is already entry 0"
    ]
    # a batch of two, receipts into a folder; a fresh receipt of entry 0 for the newest head
    batch = []
    for k in (1, 2):
        record.write_text(json.dumps({"serial": "SN-0042", "inspection": k}))
        batch.append(tmp_path / f"insp{k}.cose")
        r = arsenal(
            "thread", "sign", str(record), "--subject", "part:SN-0042", "--content-type", "application/json",
            "--type", "inspection", "--keys", keys, "--out", str(batch[-1]),
        )  # fmt: skip
    r = arsenal(
        "thread", "register", *map(str, batch), "--keys", keys, "--out", str(tmp_path / "receipts"), db=db
    )
    assert r.returncode == 0 and "registered as entries 1..2" in r.stderr, r.stderr
    r = arsenal(
        "thread", "verify", str(batch[1]), str(tmp_path / "receipts" / "insp2.receipt.cbor"), "--keys", keys
    )
    assert r.returncode == 0 and r.stdout.startswith("OK: entry 2 of the log of 3 entries"), (
        r.stdout + r.stderr
    )
    r = arsenal("thread", "receipt", "0", "--out", str(tmp_path / "fresh.cbor"), db=db)
    r = arsenal("thread", "verify", str(stmt), str(tmp_path / "fresh.cbor"), "--keys", keys, "--json")
    assert json.loads(r.stdout)["tree_size"] == 3

    # a tampered receipt: exit 1 naming the entry
    data = bytearray(receipt.read_bytes())
    data[-5] ^= 1
    (tmp_path / "bad.cbor").write_bytes(bytes(data))
    r = arsenal("thread", "verify", str(stmt), str(tmp_path / "bad.cbor"), "--keys", keys)
    assert r.returncode == 1 and "receipt: entry 0 does not verify" in r.stderr
    # malformed statement: exit 2, one line
    (tmp_path / "junk.cose").write_bytes(b"\xd2\x84\x01")
    r = arsenal(
        "thread", "register", str(tmp_path / "junk.cose"), "--keys", keys, "--out", str(tmp_path / "j"), db=db
    )
    assert r.returncode == 2 and "not valid CBOR" in r.stderr and len(r.stderr.strip().splitlines()) == 1
