"""Signed tree heads and COSE receipts with RFC 9162 inclusion proofs (RFC 9942 encoding).

A *signed tree head* is the service's ES256 signature over the log's Merkle root at a
size: a COSE_Sign1 with a detached payload (the 32-byte root) and the protected header
``{1: -7 (ES256), 4: service kid, 15: {1: service issuer, 6: iat, "arsenalnet:tree-size": size},
395: 1 (RFC9162_SHA256)}``: the signature covers the size too, which the proof's own
``tree_size`` (in the unprotected header) must equal.
A *receipt* for entry ``i`` is that same COSE_Sign1 with the inclusion proof of leaf ``i``
in its unprotected header: ``{396: {-1: [bstr .cbor [tree_size, i, [hashes]]]}}``, as
COSE Receipts (RFC 9942, formerly draft-ietf-cose-merkle-tree-proofs) define. A verifier
rebuilds the root from the statement bytes and the proof, then checks the signature over it.
One signature serves every entry of a registration batch (the receipt leaves out ``sub``:
the subject is in the statement the receipt is checked with).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.thread.cose import (
    CWT_IAT,
    CWT_ISS,
    ES256,
    HDR_ALG,
    HDR_CWT_CLAIMS,
    HDR_KID,
    decode_sign1,
    encode_protected,
    encode_sign1,
    sign_raw,
    thumbprint,
    to_be_signed,
    verify_sign1,
)
from arsenalnet.thread.errors import StatementRefused, VerificationError
from arsenalnet.thread.nodes import HASH_SIZE, leaf_hash, root_from_inclusion

HDR_VDS, HDR_VDP = 395, 396
"""COSE header labels of the verifiable data structure and its proofs (RFC 9942)."""
RFC9162_SHA256 = 1
"""The verifiable data structure: an RFC 9162 SHA-256 Merkle tree."""
VDP_INCLUSION = -1
"""Key of the inclusion proofs in the proofs map."""
TREE_SIZE_CLAIM = "arsenalnet:tree-size"
"""CWT claim of a signed tree head: the log's size at that root."""


@dataclass(frozen=True)
class TreeHead:
    """The root of the log at ``size`` entries, signed by the service key."""

    size: int
    root: bytes
    protected: bytes
    """The COSE protected header the signature covers (CBOR)."""
    signature: bytes
    signed_at: str
    """UTC, ISO 8601."""


@dataclass(frozen=True)
class ReceiptCheck:
    """What a receipt proved: the statement is leaf ``index`` of the tree of ``tree_size``
    entries with root ``root``, signed by the service ``issuer`` at ``issued_at``."""

    index: int
    tree_size: int
    root: bytes
    issuer: str | None
    issued_at: int | None


def sign_tree_head(
    size: int, root: bytes, key: ec.EllipticCurvePrivateKey, issuer: str, issued_at: int, signed_at: str
) -> TreeHead:
    """Sign the root of the log at ``size`` entries with the service key."""
    protected = encode_protected(
        {
            HDR_ALG: ES256,
            HDR_KID: thumbprint(key.public_key()),
            HDR_CWT_CLAIMS: {CWT_ISS: issuer, CWT_IAT: issued_at, TREE_SIZE_CLAIM: size},
            HDR_VDS: RFC9162_SHA256,
        }
    )
    return TreeHead(size, root, protected, sign_raw(key, to_be_signed(protected, root)), signed_at)


def verify_tree_head(head: TreeHead, key: ec.EllipticCurvePublicKey) -> bool:
    """True iff ``head`` is the service key's signature over its root."""
    msg = decode_sign1(encode_sign1(head.protected, {}, None, head.signature), "tree head")
    return verify_sign1(msg, key, detached_payload=head.root)


def make_receipt(head: TreeHead, index: int, proof: list[bytes]) -> bytes:
    """The receipt of entry ``index``: ``head`` with the inclusion proof of that leaf."""
    vdp = {HDR_VDP: {VDP_INCLUSION: [cbor2.dumps([head.size, index, proof])]}}
    return encode_sign1(head.protected, vdp, None, head.signature)


def _proof_of(unprotected: dict[Any, Any]) -> tuple[int, int, list[bytes]]:
    vdp = unprotected.get(HDR_VDP)
    proofs = vdp.get(VDP_INCLUSION) if isinstance(vdp, Mapping) else None
    if not isinstance(proofs, list | tuple) or len(proofs) != 1 or not isinstance(proofs[0], bytes):
        raise VerificationError("receipt: no inclusion proof (unprotected header 396, key -1)")
    try:
        size, index, path = cbor2.loads(proofs[0])
    except (cbor2.CBORDecodeError, ValueError, TypeError) as e:
        raise VerificationError(f"receipt: the inclusion proof is not [tree_size, index, path]: {e}") from e
    if not (
        isinstance(size, int)
        and isinstance(index, int)
        and isinstance(path, list | tuple)
        and all(isinstance(p, bytes) and len(p) == HASH_SIZE for p in path)
    ):
        raise VerificationError("receipt: the inclusion proof is not [tree_size, index, path]")
    return size, index, list(path)


def verify_receipt(statement: bytes, receipt: bytes, service_key: ec.EllipticCurvePublicKey) -> ReceiptCheck:
    """Check offline that ``receipt`` proves ``statement`` (its exact bytes) is in the log
    whose tree heads ``service_key`` signs. :class:`VerificationError` says what failed."""
    try:
        msg = decode_sign1(receipt, "receipt")
    except StatementRefused as e:
        raise VerificationError(str(e)) from e
    h = msg.protected
    if h.get(HDR_ALG) != ES256 or h.get(HDR_VDS) != RFC9162_SHA256:
        raise VerificationError("receipt: not an ES256 receipt over an RFC9162_SHA256 tree")
    if h.get(HDR_KID) != thumbprint(service_key):
        raise VerificationError("receipt: signed by another key than the service's (kid differs)")
    if msg.payload is not None:
        raise VerificationError("receipt: the payload (the root) must be detached")
    size, index, path = _proof_of(msg.unprotected)
    claims = h.get(HDR_CWT_CLAIMS)
    if not isinstance(claims, Mapping) or claims.get(TREE_SIZE_CLAIM) != size:
        raise VerificationError(f"receipt: the proof's tree size {size} is not the signed tree size")
    root = root_from_inclusion(leaf_hash(statement), index, size, path)
    if root is None:
        raise VerificationError(f"receipt: the inclusion proof does not fit leaf {index} of a tree of {size}")
    if not verify_sign1(msg, service_key, detached_payload=root):
        raise VerificationError(
            f"receipt: entry {index} does not verify: the statement, the proof or the signed "
            "tree head was changed"
        )
    iss, iat = claims.get(CWT_ISS), claims.get(CWT_IAT)
    return ReceiptCheck(
        index, size, root, iss if isinstance(iss, str) else None, iat if isinstance(iat, int) else None
    )
