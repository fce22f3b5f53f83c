"""Typed records of the digital thread, as the library returns them."""

from dataclasses import dataclass
from functools import cached_property

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.thread.errors import StatementRefused


@dataclass(frozen=True)
class PublicKey:
    """A registered public key (a row of ``thread_key``)."""

    kid: str
    """RFC 9679 thumbprint, hex."""
    issuer: str
    role: str
    """``issuer`` (signs statements) or ``service`` (signs tree heads)."""
    public_key_pem: str
    created_at: str

    @cached_property
    def key(self) -> ec.EllipticCurvePublicKey:
        """The key as a ``cryptography`` P-256 public key."""
        return load_public_key(self.public_key_pem.encode())


def load_public_key(pem: bytes) -> ec.EllipticCurvePublicKey:
    """A P-256 public key from SubjectPublicKeyInfo PEM; :class:`StatementRefused` otherwise."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as e:
        raise StatementRefused(f"not a PEM public key: {e}") from e
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise StatementRefused("the key is not a P-256 (ES256) public key")
    return key


@dataclass(frozen=True)
class PassportEntry:
    """One verified statement registered about a subject (what ``arsenal thread passport`` lists)."""

    index: int
    """Position in the log (the Merkle leaf index)."""
    subject: str
    issuer: str
    content_type: str
    statement_type: str | None
    """What the issuer declares the statement is: ``build-record``, ``inspection``, ``hbom``, ..."""
    payload: bytes
    kid: str
    issued_at: int | None
    """CWT iat, seconds since 1970 UTC, as the issuer signed it."""
    registered_at: str
    """When the log appended it, UTC, ISO 8601."""
