"""Bad statements are refused with a clear reason and the store stays exactly as it was."""

import cbor2
import pyarrow as pa
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.api import thread as api
from arsenalnet.thread.cose import (
    ES256,
    HDR_ALG,
    HDR_CONTENT_TYPE,
    HDR_CWT_CLAIMS,
    HDR_KID,
    decode_sign1,
    encode_sign1,
    sign1,
    thumbprint,
)
from arsenalnet.thread.errors import StatementRefused
from arsenalnet.thread.statement import sign_statement
from thread_factories import ISSUER, Log

TABLES = ("thread_key", "thread_entry", "thread_tile", "thread_tree_head")


def state(log: Log) -> dict[str, pa.Table]:
    return {t: log.store.arrow(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def issuer_key(log: Log) -> ec.EllipticCurvePrivateKey:
    from arsenalnet.api.keys import load_private_key

    return load_private_key(log.keys / "did_web_acme.example.key.pem")


def headers(kid: bytes, alg: int = ES256, iss: str = ISSUER) -> dict[object, object]:
    return {
        HDR_ALG: alg,
        HDR_CONTENT_TYPE: "application/json",
        HDR_KID: kid,
        HDR_CWT_CLAIMS: {1: iss, 2: "part:1"},
    }


def bad_statements(log: Log) -> dict[str, tuple[bytes, str]]:
    key = issuer_key(log)
    kid = thumbprint(key.public_key())
    good = log.sign(b'{"ok": true}')
    msg = decode_sign1(good)
    stranger = ec.generate_private_key(ec.SECP256R1())
    reordered = cbor2.dumps(
        {HDR_CWT_CLAIMS: {1: ISSUER, 2: "part:1"}, HDR_ALG: ES256, HDR_KID: kid, HDR_CONTENT_TYPE: "a/b"}
    )
    return {
        "malformed CBOR": (b"\xd2\x84\x43", "not valid CBOR"),
        "trailing bytes": (good + b"\x00", "1 bytes after its CBOR value"),
        "not COSE_Sign1": (cbor2.dumps([1, 2, 3]), "not a tagged COSE_Sign1"),
        "wrong algorithm": (sign1(key, headers(kid, alg=-35), b"{}"), "algorithm -35 is not allowed"),
        "unknown kid": (
            sign_statement(
                b"{}", key=stranger, issuer=ISSUER, subject="part:1", content_type="application/json"
            ),
            "unknown key id",
        ),
        "other issuer": (
            sign1(key, headers(kid, iss="did:web:evil.example"), b"{}"),
            "belongs to did:web:acme.example",
        ),
        "signature over other bytes": (
            encode_sign1(msg.protected_bytes, {}, b'{"ok": false}', msg.signature),
            "signature does not verify",
        ),
        "oversized": (log.sign(b"x" * (1 << 20)), "over the limit of 1,048,576"),
        "detached payload": (
            encode_sign1(msg.protected_bytes, {}, None, msg.signature),
            "payload is detached",
        ),
        "non-deterministic header": (
            encode_sign1(reordered, {}, b"{}", msg.signature),
            "not deterministically encoded",
        ),
        "no subject": (
            sign1(key, {**headers(kid), HDR_CWT_CLAIMS: {1: ISSUER}}, b"{}"),
            r"claim sub \(2\) must be",
        ),
    }


CASES = [
    "malformed CBOR",
    "trailing bytes",
    "not COSE_Sign1",
    "wrong algorithm",
    "unknown kid",
    "other issuer",
    "signature over other bytes",
    "oversized",
    "detached payload",
    "non-deterministic header",
    "no subject",
]


@pytest.mark.parametrize("case", CASES)
def test_refused_and_nothing_appended(log: Log, case: str) -> None:
    api.register(log.store, [log.sign(b"first")], log.service)
    before = state(log)
    raw, reason = bad_statements(log)[case]
    with pytest.raises(StatementRefused, match=reason):
        api.register(log.store, [raw], log.service)
    # in a batch with good statements: the whole batch is refused and named
    with pytest.raises(StatementRefused, match=r"statement 2 of 2; nothing registered"):
        api.register(log.store, [log.sign(b"good"), raw], log.service)
    assert state(log) == before


def test_duplicates_are_refused(log: Log) -> None:
    st = log.sign(b"once")
    api.register(log.store, [st], log.service)
    before = state(log)
    with pytest.raises(StatementRefused, match="duplicate registration: the statement is already entry 0"):
        api.register(log.store, [st], log.service)
    # the same signed content with another unprotected header is the same statement
    msg = decode_sign1(st)
    relabelled = encode_sign1(msg.protected_bytes, {99: "x"}, msg.payload, msg.signature)
    with pytest.raises(StatementRefused, match="already entry 0"):
        api.register(log.store, [relabelled], log.service)
    other = log.sign(b"twice")
    with pytest.raises(StatementRefused, match="statement 2 repeats statement 1 of the batch"):
        api.register(log.store, [other, other], log.service)
    assert state(log) == before


def test_pycose_signed_statement_registers(log: Log) -> None:
    """A statement signed by an independent COSE library (pycose) registers and verifies."""
    from pycose.keys import EC2Key
    from pycose.messages import Sign1Message

    key = issuer_key(log)
    n = key.private_numbers()
    cose_key = EC2Key(
        crv="P_256",
        d=n.private_value.to_bytes(32, "big"),
        x=n.public_numbers.x.to_bytes(32, "big"),
        y=n.public_numbers.y.to_bytes(32, "big"),
    )
    kid = thumbprint(key.public_key())
    msg = Sign1Message(phdr=headers(kid), payload=b'{"by": "pycose"}', key=cose_key)
    raw = msg.encode()
    reg = api.register(log.store, [raw], log.service)[0]
    assert (
        api.verify(raw, reg.receipt, log.service_pem, log.issuer_pem).statement.payload == b'{"by": "pycose"}'
    )


@pytest.mark.parametrize(
    ("subject", "content_type", "reason"),
    [
        ("part x", "application/json", r"subject 'part x' does not match"),
        ("part:1", "notamediatype", r"content type 'notamediatype' is not a media type"),
    ],
)
def test_what_the_log_would_refuse_is_not_signed(
    log: Log, subject: str, content_type: str, reason: str
) -> None:
    """Signing checks the subject and content type against the registration policy first."""
    with pytest.raises(StatementRefused, match=reason):
        api.sign(b"{}", issuer=ISSUER, subject=subject, content_type=content_type, keys_dir=log.keys)
