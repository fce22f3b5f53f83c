"""The digital thread as library calls: keys, signing, registration with receipts,
passports, audits and offline verification (what ``arsenal thread ...`` runs).

The pure parts (COSE, Merkle, receipts, the registration policy) are in
:mod:`arsenalnet.thread`; the log's rows in :mod:`arsenalnet.store.thread_log`.
"""

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric import ec

from arsenalnet.api.keys import (
    SERVICE_STEM,
    issuer_of,
    load_private_key,
    private_path,
    public_pem,
    resolve_keys_dir,
    stem,
    write_key_pair,
)
from arsenalnet.store import Store, StoreError
from arsenalnet.store import thread_log as log
from arsenalnet.thread.cose import HDR_KID, decode_sign1, encode_sign1, thumbprint, verify_sign1
from arsenalnet.thread.errors import StatementRefused, VerificationError
from arsenalnet.thread.merkle import verify_inclusion
from arsenalnet.thread.nodes import (
    HASH_SIZE,
    Node,
    assemble,
    batch_proofs,
    batch_window,
    border,
    consistency_plan,
    extend,
    leaf_hashes,
    plan_nodes,
    proof_lists,
    proof_plan,
    run_lookup,
)
from arsenalnet.thread.policy import RegistrationPolicy, admit, check_claims
from arsenalnet.thread.receipt import (
    ReceiptCheck,
    TreeHead,
    make_receipt,
    sign_tree_head,
    verify_receipt,
    verify_tree_head,
)
from arsenalnet.thread.records import PassportEntry, PublicKey, load_public_key
from arsenalnet.thread.statement import Statement, parse_statement, sign_statement

DEFAULT_SERVICE_ISSUER = "did:web:localhost"
"""The log service's name in its tree heads, unless ``keys new --service --issuer`` says otherwise."""


def _now() -> tuple[int, str]:
    t = time.time()
    return int(t), datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


def registered_keys(store: Store) -> dict[str, PublicKey]:
    """Every registered public key, by kid (hex)."""
    return {r["kid"]: PublicKey(**r) for r in log.keys(store)}


def _register_key(store: Store, key: ec.EllipticCurvePublicKey, issuer: str, role: str) -> PublicKey:
    row = PublicKey(thumbprint(key).hex(), issuer, role, public_pem(key), _now()[1])
    log.add_key(store, row.__dict__)
    return row


def new_key(
    store: Store, issuer: str, *, service: bool = False, keys_dir: str | Path | None = None
) -> PublicKey:
    """Make an ES256 key pair for ``issuer`` (or the log service) in the keys directory,
    private key mode 0600, and register its public key in the store."""
    directory = resolve_keys_dir(keys_dir)
    private = write_key_pair(directory, SERVICE_STEM if service else stem(issuer), issuer)
    return _register_key(store, private.public_key(), issuer, "service" if service else "issuer")


@dataclass(frozen=True)
class Service:
    """The log service's signing key and name."""

    key: ec.EllipticCurvePrivateKey
    issuer: str

    @property
    def kid(self) -> str:
        """The service key's RFC 9679 thumbprint, hex."""
        return thumbprint(self.key.public_key()).hex()


def service(store: Store, keys_dir: str | Path | None = None) -> Service:
    """The service key of the keys directory, made and registered on first use."""
    directory = resolve_keys_dir(keys_dir)
    path = private_path(directory, SERVICE_STEM)
    if not path.exists():
        new_key(store, DEFAULT_SERVICE_ISSUER, service=True, keys_dir=directory)
    key = load_private_key(path)
    known = registered_keys(store).get(thumbprint(key.public_key()).hex())
    if known is None:
        known = _register_key(store, key.public_key(), issuer_of(path) or DEFAULT_SERVICE_ISSUER, "service")
    return Service(key, known.issuer)


def sign(
    payload: bytes,
    *,
    issuer: str,
    subject: str,
    content_type: str,
    statement_type: str | None = None,
    keys_dir: str | Path | None = None,
) -> bytes:
    """A signed statement by ``issuer`` (its private key from the keys directory); a subject or
    content type the default registration policy would refuse is refused here, before signing."""
    check_claims(subject, content_type, RegistrationPolicy())
    key = load_private_key(private_path(resolve_keys_dir(keys_dir), stem(issuer)))
    return sign_statement(
        payload,
        key=key,
        issuer=issuer,
        subject=subject,
        content_type=content_type,
        statement_type=statement_type,
    )


@dataclass(frozen=True)
class Registration:
    """A registered statement: its position in the log and its receipt (COSE, CBOR bytes)."""

    index: int
    receipt: bytes


def _entry_rows(statements: Sequence[Statement], start: int, at: str) -> pa.Table:
    return pa.table(
        {
            "idx": pa.array(range(start, start + len(statements)), pa.int64()),
            "statement": pa.array([s.raw for s in statements], pa.binary()),
            "signed_hash": pa.array([s.signed_hash for s in statements], pa.binary()),
            "issuer": [s.issuer for s in statements],
            "subject": [s.subject for s in statements],
            "content_type": [s.content_type for s in statements],
            "statement_type": pa.array([s.statement_type for s in statements], pa.string()),
            "kid": [s.kid.hex() for s in statements],
            "registered_at": [at] * len(statements),
        }
    )


def _admit_batch(store: Store, raws: Sequence[bytes], policy: RegistrationPolicy) -> list[Statement]:
    keys = registered_keys(store)
    statements = []
    for i, raw in enumerate(raws):
        try:
            statements.append(admit(raw, keys, policy))
        except StatementRefused as e:
            raise StatementRefused(
                f"{e} (statement {i + 1} of {len(raws)}; nothing registered)" if len(raws) > 1 else str(e)
            ) from e
    seen: dict[bytes, int] = {}
    for i, st in enumerate(statements):
        if st.signed_hash in seen:
            raise StatementRefused(
                f"statement {i + 1} repeats statement {seen[st.signed_hash] + 1} of the batch; "
                "nothing registered"
            )
        seen[st.signed_hash] = i
    dup = log.registered(store, list(seen))
    if dup:
        first = min(dup, key=lambda h: seen[h])
        raise StatementRefused(
            f"duplicate registration: the statement is already entry {dup[first]}"
            + (f" (statement {seen[first] + 1} of {len(raws)}; nothing registered)" if len(raws) > 1 else "")
        )
    return statements


def register(
    store: Store, raws: Sequence[bytes], svc: Service, policy: RegistrationPolicy | None = None
) -> list[Registration]:
    """Register a batch of signed statements, all or nothing: each is checked against the
    policy and its issuer's registered key, appended, and gets a receipt for the new signed
    tree head. :class:`StatementRefused` names the first bad statement; nothing is appended."""
    if not raws:
        return []
    statements = _admit_batch(store, raws, policy or RegistrationPolicy())
    size = log.log_size(store)
    edge = border(size)
    known = log.node_hashes(store, edge)
    if len(known) != len(edge):
        raise StoreError(
            f"thread_tile lacks tree nodes of the log's {size:,} entries: run `arsenal thread audit`"
        )
    runs, root = extend(size, known, leaf_hashes(s.raw for s in statements))
    new_size = size + len(statements)
    iat, at = _now()
    head = sign_tree_head(new_size, root, svc.key, svc.issuer, iat, at)
    get = run_lookup(runs, known)
    hashes, present = batch_proofs(np.arange(size, new_size), new_size, batch_window(size, runs, known), get)
    receipts = [
        Registration(size + k, make_receipt(head, size + k, proof))
        for k, proof in enumerate(proof_lists(hashes, present))
    ]
    log.append(store, _entry_rows(statements, size, at), runs, _head_row(head))
    return receipts


def _head_row(head: TreeHead) -> dict[str, object]:
    return {
        "tree_size": head.size,
        "root": head.root,
        "protected": head.protected,
        "signature": head.signature,
        "signed_at": head.signed_at,
    }


def _head(row: dict[str, object]) -> TreeHead:
    return TreeHead(
        int(row["tree_size"]),  # type: ignore[call-overload]
        bytes(row["root"]),  # type: ignore[call-overload]
        bytes(row["protected"]),  # type: ignore[call-overload]
        bytes(row["signature"]),  # type: ignore[call-overload]
        str(row["signed_at"]),
    )


def latest_head(store: Store) -> TreeHead:
    """The newest signed tree head; :class:`VerificationError` if the log is empty."""
    row = log.tree_head(store)
    if row is None:
        raise VerificationError("the log is empty: register a statement first")
    return _head(row)


def inclusion_proof(store: Store, index: int, size: int) -> list[bytes]:
    """The RFC 9162 audit path of entry ``index`` in the log's tree of ``size`` entries,
    from ``O(log size)`` stored nodes."""
    plan = proof_plan(index, size)
    return assemble(plan, size, log.node_hashes(store, plan_nodes(plan, size)))


def consistency_proof(store: Store, old_size: int, new_size: int) -> list[bytes]:
    """The RFC 9162 consistency proof between the log's trees of ``old_size`` and ``new_size``."""
    plan = consistency_plan(old_size, new_size)
    return assemble(plan, new_size, log.node_hashes(store, plan_nodes(plan, new_size)))


class EntryNotFound(StatementRefused):
    """No entry has the index asked for."""


def receipt(store: Store, index: int) -> bytes:
    """A receipt of entry ``index`` for the newest signed tree head."""
    head = latest_head(store)
    if not 0 <= index < head.size:
        raise EntryNotFound(f"no entry {index}: the log has {head.size} entries")
    return make_receipt(head, index, inclusion_proof(store, index, head.size))


def _check_head(head: TreeHead, keys: dict[str, PublicKey]) -> None:
    kid = decode_sign1(encode_sign1(head.protected, {}, None, head.signature), "tree head").protected.get(
        HDR_KID
    )
    key = keys.get(kid.hex()) if isinstance(kid, bytes) else None
    if key is None or key.role != "service" or not verify_tree_head(head, key.key):
        raise VerificationError(
            f"tree head {head.size}: its signature does not verify with a registered service key"
        )


def passport(store: Store, subject: str) -> list[PassportEntry]:
    """Every statement registered about ``subject``, in log order, each verified: its
    signature with the issuer's registered key, and its inclusion in the newest signed tree
    head. :class:`VerificationError` names an entry that fails."""
    rows = log.entries_about(store, subject)
    if not rows:
        return []
    keys = registered_keys(store)
    head = latest_head(store)
    _check_head(head, keys)
    out = []
    for row in rows:
        index = int(row["idx"])
        raw = bytes(row["statement"])
        try:
            st = admit(raw, keys, RegistrationPolicy(max_statement_bytes=len(raw)))
        except StatementRefused as e:
            raise VerificationError(f"entry {index}: {e}") from e
        if st.subject != subject or st.issuer != row["issuer"]:
            raise VerificationError(
                f"entry {index}: the stored subject or issuer differs from the signed one"
            )
        if not verify_inclusion(raw, index, head.size, inclusion_proof(store, index, head.size), head.root):
            raise VerificationError(
                f"entry {index}: not included in the signed tree head of size {head.size}"
            )
        out.append(
            PassportEntry(
                index=index,
                subject=st.subject,
                issuer=st.issuer,
                content_type=st.content_type,
                statement_type=st.statement_type,
                payload=st.payload,
                kid=st.kid.hex(),
                issued_at=st.issued_at,
                registered_at=str(row["registered_at"]),
            )
        )
    return out


@dataclass(frozen=True)
class AuditReport:
    """What ``audit`` rechecked: every entry, every tree node and every signed tree head."""

    entries: int
    tree_heads: int
    root: str
    """The newest root, hex (empty for an empty log)."""


def audit(store: Store, step: Callable[[int, int], None] | None = None) -> AuditReport:
    """Recheck the whole log: each entry's signature, issuer key and stored columns, every
    stored tree hash against the hashes recomputed from the entries, and every signed tree
    head's root and signature. :class:`VerificationError` names the first entry, tile or
    head that is wrong. ``step(done, total)`` reports progress."""
    keys = registered_keys(store)
    heads = [_head(r) for r in log.tree_heads(store)]
    total = heads[-1].size if heads else 0
    for head in heads:
        _check_head(head, keys)
    head_at = {h.size: h for h in heads}
    size, known, root = 0, dict[Node, bytes](), b""
    for batch in log.entry_batches(store):
        statements: list[Statement] = []
        for row in batch:
            index = int(row["idx"])
            if index != size + len(statements):
                raise VerificationError(
                    f"entry {size + len(statements)}: missing from the log (found {index} next)"
                )
            raw = bytes(row["statement"])
            try:
                st = admit(raw, keys, RegistrationPolicy(max_statement_bytes=len(raw)))
            except StatementRefused as e:
                raise VerificationError(f"entry {index}: {e}") from e
            stored = (row["issuer"], row["subject"], row["content_type"], row["statement_type"], row["kid"])
            signed = (st.issuer, st.subject, st.content_type, st.statement_type, st.kid.hex())
            if stored != signed or bytes(row["signed_hash"]) != st.signed_hash:
                raise VerificationError(f"entry {index}: its stored columns differ from the signed statement")
            statements.append(st)
        # grow the tree head by head, so each head's root is checked at its size
        cuts = sorted({s for s in head_at if size < s < size + len(statements)} | {size + len(statements)})
        done = 0
        for cut in cuts:
            part = statements[done : cut - size]
            runs, root = extend(size + done, known, leaf_hashes(s.raw for s in part))
            _check_runs(store, runs)
            get = run_lookup(runs, known)
            known = {n: get(n) for n in border(cut)}
            if cut in head_at and head_at[cut].root != root:
                raise VerificationError(
                    f"tree head {cut}: its root differs from the root of entries 0..{cut - 1}: "
                    "the log was rewritten"
                )
            done = cut - size
        size += len(statements)
        if step:
            step(size, total)
    if size != total:
        raise VerificationError(f"entry {size}: missing: the newest tree head has {total} entries")
    return AuditReport(size, len(heads), root.hex())


def _check_runs(store: Store, runs: Sequence[tuple[int, int, bytes]]) -> None:
    for level, first, hashes in runs:
        stored = log.level_hashes(store, level, first, first + len(hashes) // HASH_SIZE)
        if stored != hashes:
            bad = next(
                i
                for i in range(0, len(hashes), HASH_SIZE)
                if stored[i : i + HASH_SIZE] != hashes[i : i + HASH_SIZE]
            )
            node = first + bad // HASH_SIZE
            what = f"entry {node}: its leaf hash" if level == 0 else f"tree node ({level}, {node})"
            raise VerificationError(f"{what} in thread_tile differs from the hash of the stored entries")


@dataclass(frozen=True)
class Verified:
    """A statement and its receipt, checked offline."""

    statement: Statement
    receipt: ReceiptCheck
    issuer_checked: bool
    """Whether the statement's own signature was checked (an issuer key was at hand)."""


def verify(
    statement: bytes, receipt_bytes: bytes, service_key_pem: bytes, issuer_key_pem: bytes | None = None
) -> Verified:
    """Check offline, without the store: the receipt proves ``statement`` is in the log
    whose tree heads the service key signs; with ``issuer_key_pem``, the statement's own
    signature too. :class:`VerificationError` says what failed."""
    try:
        st = parse_statement(statement)
    except StatementRefused as e:
        raise VerificationError(str(e)) from e
    check = verify_receipt(statement, receipt_bytes, load_public_key(service_key_pem))
    if issuer_key_pem is not None:
        key = load_public_key(issuer_key_pem)
        if thumbprint(key) != st.kid or not verify_sign1(st.sign1, key):
            raise VerificationError(f"statement: its signature does not verify with {st.issuer}'s key")
    return Verified(st, check, issuer_key_pem is not None)
