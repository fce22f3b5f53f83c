"""COSE_Sign1 (RFC 9052) with ES256 (RFC 9053), encoded with cbor2, signed with cryptography.

Only what the log needs: encode and sign a COSE_Sign1, decode one strictly (tag 18, four
elements, a deterministically encoded protected header, no trailing bytes), verify its
signature (attached or detached payload), and name a key by its RFC 9679 thumbprint.
ES256 signatures are ``r || s``, 32 bytes each (RFC 9053 §2.1).
"""

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from arsenalnet.thread.errors import StatementRefused

SIGN1_TAG = 18
ES256 = -7
"""COSE algorithm ECDSA w/ SHA-256 on P-256."""
HDR_ALG, HDR_CRIT, HDR_CONTENT_TYPE, HDR_KID, HDR_CWT_CLAIMS = 1, 2, 3, 4, 15
"""COSE header labels: alg, crit, content type, kid, CWT claims (RFC 9597)."""
CWT_ISS, CWT_SUB, CWT_IAT = 1, 2, 6
"""CWT claim keys (RFC 8392): issuer, subject, issued at."""

_ECDSA = ec.ECDSA(hashes.SHA256())


@dataclass(frozen=True)
class Sign1:
    """A decoded COSE_Sign1: the protected header as sent and decoded, the rest as sent."""

    protected_bytes: bytes
    protected: dict[Any, Any]
    unprotected: dict[Any, Any]
    payload: bytes | None
    signature: bytes


def to_be_signed(protected_bytes: bytes, payload: bytes) -> bytes:
    """The Sig_structure ``["Signature1", protected, h'', payload]`` (RFC 9052 §4.4)."""
    return cbor2.dumps(["Signature1", protected_bytes, b"", payload])


def sign_raw(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """An ES256 signature of ``data`` as ``r || s``."""
    r, s = decode_dss_signature(key.sign(data, _ECDSA))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def verify_raw(key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes) -> bool:
    """True iff ``signature`` (``r || s``) is an ES256 signature of ``data`` by ``key``."""
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        key.verify(der, data, _ECDSA)
    except InvalidSignature:
        return False
    return True


def encode_protected(header: Mapping[Any, Any]) -> bytes:
    """A protected header, deterministically encoded (RFC 8949 §4.2)."""
    return cbor2.dumps(header, canonical=True)


def sign1(
    key: ec.EllipticCurvePrivateKey,
    protected: dict[Any, Any],
    payload: bytes,
    *,
    unprotected: dict[Any, Any] | None = None,
    detached: bool = False,
) -> bytes:
    """A tagged COSE_Sign1 over ``payload`` (``nil`` in the message when ``detached``)."""
    pb = encode_protected(protected)
    signature = sign_raw(key, to_be_signed(pb, payload))
    return encode_sign1(pb, unprotected or {}, None if detached else payload, signature)


def encode_sign1(
    protected_bytes: bytes, unprotected: dict[Any, Any], payload: bytes | None, signature: bytes
) -> bytes:
    """The tagged COSE_Sign1 ``18([protected, unprotected, payload, signature])``."""
    return cbor2.dumps(cbor2.CBORTag(SIGN1_TAG, [protected_bytes, unprotected, payload, signature]))


def _loads_all(data: bytes, what: str) -> Any:
    fp = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(fp).decode()
    except (cbor2.CBORDecodeError, ValueError, RecursionError, EOFError) as e:
        raise StatementRefused(f"{what} is not valid CBOR: {e}") from e
    if fp.tell() != len(data):
        raise StatementRefused(f"{what} has {len(data) - fp.tell()} bytes after its CBOR value")
    return value


def decode_sign1(data: bytes, what: str = "statement") -> Sign1:
    """Decode a tagged COSE_Sign1 strictly; :class:`StatementRefused` says what is wrong."""
    value = _loads_all(data, what)
    if not isinstance(value, cbor2.CBORTag) or value.tag != SIGN1_TAG:
        raise StatementRefused(f"{what} is not a tagged COSE_Sign1 (CBOR tag 18)")
    items = value.value
    if not isinstance(items, list | tuple) or len(items) != 4:
        raise StatementRefused(f"{what}: a COSE_Sign1 is an array of 4 items")
    pb, unprotected, payload, signature = items
    if not isinstance(pb, bytes) or not isinstance(unprotected, Mapping):
        raise StatementRefused(f"{what}: the headers must be a byte string and a map")
    if not (payload is None or isinstance(payload, bytes)) or not isinstance(signature, bytes):
        raise StatementRefused(f"{what}: the payload and signature must be byte strings")
    protected = _loads_all(pb, f"{what}'s protected header") if pb else {}
    if not isinstance(protected, Mapping):
        raise StatementRefused(f"{what}: the protected header is not a map")
    if pb and encode_protected(protected) != pb:
        raise StatementRefused(
            f"{what}: the protected header is not deterministically encoded (RFC 8949 §4.2: "
            "sorted unique keys, shortest forms)"
        )
    if HDR_CRIT in protected:
        raise StatementRefused(f"{what}: critical headers (crit) are not supported")
    return Sign1(pb, dict(protected), dict(unprotected), payload, signature)


def verify_sign1(msg: Sign1, key: ec.EllipticCurvePublicKey, detached_payload: bytes | None = None) -> bool:
    """True iff ``msg`` is signed with ES256 by ``key`` over its payload (or ``detached_payload``)."""
    payload = msg.payload if detached_payload is None else detached_payload
    if payload is None or msg.protected.get(HDR_ALG) != ES256:
        return False
    return verify_raw(key, msg.signature, to_be_signed(msg.protected_bytes, payload))


def thumbprint(key: ec.EllipticCurvePublicKey) -> bytes:
    """The RFC 9679 COSE key thumbprint: SHA-256 of the deterministic CBOR of the EC2 key's
    required parameters ``{1: 2, -1: 1, -2: x, -3: y}``."""
    numbers = key.public_numbers()
    cose_key = {1: 2, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    return hashlib.sha256(cbor2.dumps(cose_key, canonical=True)).digest()
