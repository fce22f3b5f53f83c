"""The registration policy: what the log admits, checked before anything is appended."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from arsenalnet.thread.cose import verify_raw
from arsenalnet.thread.errors import StatementRefused
from arsenalnet.thread.records import PublicKey
from arsenalnet.thread.statement import Statement, parse_statement

MAX_STATEMENT_BYTES = 1 << 20
"""Largest statement the log accepts (1 MiB); the HTTP service refuses larger bodies."""


@dataclass(frozen=True)
class RegistrationPolicy:
    """What a statement needs to be registered (beyond a well-formed ES256 COSE_Sign1)."""

    max_statement_bytes: int = MAX_STATEMENT_BYTES
    subject_pattern: str = r"[!-~]{1,256}"
    """Subjects are printable ASCII without spaces, at most 256 characters (``part:SN-0042``)."""
    content_type_pattern: str = r"[a-zA-Z0-9!#$&^_.+-]+/[a-zA-Z0-9!#$&^_.+-]+(;.*)?"
    """A media type (RFC 6838), parameters allowed."""


def check_claims(subject: str, content_type: str, policy: RegistrationPolicy) -> None:
    """Refuse (:class:`StatementRefused`) a subject or content type the policy does not admit:
    checked at registration, and before signing, so nothing is signed that the log would refuse."""
    if not re.fullmatch(policy.subject_pattern, subject):
        raise StatementRefused(f"statement: subject {subject!r} does not match {policy.subject_pattern}")
    if not re.fullmatch(policy.content_type_pattern, content_type):
        raise StatementRefused(f"statement: content type {content_type!r} is not a media type")


def admit(raw: bytes, keys: Mapping[str, PublicKey], policy: RegistrationPolicy) -> Statement:
    """The statement ``raw`` if the policy admits it: size, structure, a registered issuer
    key whose issuer matches ``iss``, and a valid signature. :class:`StatementRefused` says why not.

    ``keys`` maps key ids (hex) to registered keys.
    """
    if len(raw) > policy.max_statement_bytes:
        raise StatementRefused(
            f"statement of {len(raw):,} bytes is over the limit of {policy.max_statement_bytes:,}"
        )
    st = parse_statement(raw)
    check_claims(st.subject, st.content_type, policy)
    key = keys.get(st.kid.hex())
    if key is None or key.role != "issuer":
        raise StatementRefused(
            f"statement: unknown key id {st.kid.hex()[:16]}…: register the issuer's key first "
            "(arsenal thread keys new --issuer ...)"
        )
    if key.issuer != st.issuer:
        raise StatementRefused(
            f"statement: key {key.kid[:16]}… belongs to {key.issuer}, not to iss {st.issuer}"
        )
    if not verify_raw(key.key, st.sign1.signature, st.to_be_signed):
        raise StatementRefused(
            f"statement: the signature does not verify with {st.issuer}'s key {key.kid[:16]}…"
        )
    return st
