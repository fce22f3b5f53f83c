"""Signed statements: COSE_Sign1 with ES256, issuer and subject as CWT claims (label 15).

A signed statement, in the style of the IETF SCITT architecture (RFC 9943), is a
COSE_Sign1 whose protected header holds ``alg`` (ES256), ``kid`` (the issuer key's RFC
9679 thumbprint), the payload's content type (header 3) and the CWT claims map (header
15) with ``iss`` (1), ``sub`` (2), ``iat`` (6) and, optionally, the statement type the
issuer declares under the text claim ``arsenalnet:statement-type`` (``build-record``,
``inspection``, ``hbom``, ...). The payload is attached.
"""

import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.thread.cose import (
    CWT_IAT,
    CWT_ISS,
    CWT_SUB,
    ES256,
    HDR_ALG,
    HDR_CONTENT_TYPE,
    HDR_CWT_CLAIMS,
    HDR_KID,
    Sign1,
    decode_sign1,
    sign1,
    thumbprint,
    to_be_signed,
)
from arsenalnet.thread.errors import StatementRefused

STATEMENT_TYPE_CLAIM = "arsenalnet:statement-type"
"""CWT claim (a text key) where the issuer declares what kind of statement it is."""


@dataclass(frozen=True)
class Statement:
    """A decoded signed statement (its signature not yet checked: see ``policy.admit``)."""

    raw: bytes
    """The COSE_Sign1 bytes exactly as given: the Merkle leaf once registered."""
    issuer: str
    subject: str
    content_type: str
    statement_type: str | None
    kid: bytes
    payload: bytes
    issued_at: int | None
    """CWT claim iat, seconds since 1970 (UTC), if the issuer set it."""
    sign1: Sign1

    @cached_property
    def to_be_signed(self) -> bytes:
        """The Sig_structure the issuer signed (RFC 9052 §4.4)."""
        return to_be_signed(self.sign1.protected_bytes, self.payload)

    @cached_property
    def signed_hash(self) -> bytes:
        """SHA-256 of the Sig_structure: the same signed content registers once."""
        return hashlib.sha256(self.to_be_signed).digest()


def sign_statement(
    payload: bytes,
    *,
    key: ec.EllipticCurvePrivateKey,
    issuer: str,
    subject: str,
    content_type: str,
    statement_type: str | None = None,
    issued_at: int | None = None,
) -> bytes:
    """A signed statement over ``payload`` by ``issuer`` about ``subject``.

    ``issued_at`` defaults to now (seconds since 1970, UTC).
    """
    claims: dict[Any, Any] = {
        CWT_ISS: issuer,
        CWT_SUB: subject,
        CWT_IAT: int(time.time()) if issued_at is None else issued_at,
    }
    if statement_type:
        claims[STATEMENT_TYPE_CLAIM] = statement_type
    protected = {
        HDR_ALG: ES256,
        HDR_CONTENT_TYPE: content_type,
        HDR_KID: thumbprint(key.public_key()),
        HDR_CWT_CLAIMS: claims,
    }
    return sign1(key, protected, payload)


def _text(claims: Mapping[Any, Any], key: Any, name: str, required: bool = True) -> str | None:
    value = claims.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise StatementRefused(f"statement: CWT claim {name} must be a non-empty text string")
    return value


def parse_statement(raw: bytes) -> Statement:
    """Decode ``raw`` as a signed statement; :class:`StatementRefused` names what is missing."""
    msg = decode_sign1(raw)
    h = msg.protected
    if h.get(HDR_ALG) != ES256:
        raise StatementRefused(f"statement: algorithm {h.get(HDR_ALG)!r} is not allowed (only ES256, -7)")
    kid = h.get(HDR_KID)
    if not isinstance(kid, bytes) or not kid:
        raise StatementRefused("statement: the protected header has no key id (kid, label 4)")
    content_type = h.get(HDR_CONTENT_TYPE)
    if not isinstance(content_type, str) or not content_type:
        raise StatementRefused("statement: the protected header has no content type (label 3, text)")
    claims = h.get(HDR_CWT_CLAIMS)
    if not isinstance(claims, Mapping):
        raise StatementRefused("statement: the protected header has no CWT claims (label 15)")
    if msg.payload is None:
        raise StatementRefused("statement: the payload is detached; register statements with their payload")
    iat = claims.get(CWT_IAT)
    if iat is not None and (not isinstance(iat, int) or isinstance(iat, bool)):
        raise StatementRefused("statement: CWT claim iat must be an integer")
    return Statement(
        raw=bytes(raw),
        issuer=str(_text(claims, CWT_ISS, "iss (1)")),
        subject=str(_text(claims, CWT_SUB, "sub (2)")),
        content_type=content_type,
        statement_type=_text(claims, STATEMENT_TYPE_CLAIM, STATEMENT_TYPE_CLAIM, required=False),
        kid=kid,
        payload=msg.payload,
        issued_at=iat,
        sign1=msg,
    )
