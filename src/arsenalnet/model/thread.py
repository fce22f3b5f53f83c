"""The digital thread's transparency log in the store (schema version 6).

``thread_key``: the public keys of statement issuers and of the log service itself
(private keys never enter the store). ``thread_entry``: one registered signed
statement per row, in log order; the statement bytes are the Merkle leaf.
``thread_tile``: the hashes of every complete subtree of the log's RFC 9162 tree,
``TILE_WIDTH`` to a row, so a proof is ``O(log n)`` reads. ``thread_tree_head``: the
service's signed tree heads (the Merkle root at a size, signed as a COSE_Sign1), one
per registration batch. See ``docs/thread.md``.
"""

from arsenalnet.model.schema import Column, ColumnType, Table

S, INT, B = ColumnType.STR, ColumnType.INT, ColumnType.BLOB

THREAD_SINCE = 6
"""The schema version that added the log's tables."""

TILE_WIDTH = 64
"""Hashes of one level held by one ``thread_tile`` row (64 x 32 bytes = 2 KiB)."""

TILE_LEVEL_SHIFT = 40
"""``tile = level << TILE_LEVEL_SHIFT | index // TILE_WIDTH``: the row holding node (level, index)."""

KEY_ROLES = ("issuer", "service")

THREAD_KEY = Table(
    "thread_key",
    "A public key of the digital thread: an issuer's statement key or the log service's receipt key.",
    (
        Column("kid", S, "key id: the RFC 9679 COSE key thumbprint (SHA-256), hex", pattern=r"[0-9a-f]{64}"),
        Column("issuer", S, "who holds the private key, e.g. did:web:acme.example", pattern=r"[!-~]{1,256}"),
        Column(
            "role", S, "what the key signs: statements (issuer) or tree heads (service)", choices=KEY_ROLES
        ),
        Column("public_key_pem", S, "the ES256 (P-256) public key, SubjectPublicKeyInfo PEM"),
        Column("created_at", S, "when it was registered, UTC, ISO 8601"),
    ),
    key=("kid",),
    since=THREAD_SINCE,
    enforced=True,
)

THREAD_ENTRY = Table(
    "thread_entry",
    "A signed statement registered in the transparency log; the statement bytes are leaf idx.",
    (
        Column("idx", INT, "position in the log (the Merkle leaf index), from 0", minimum=0),
        Column("statement", B, "the COSE_Sign1 signed statement exactly as registered (the leaf)"),
        Column(
            "signed_hash", B, "SHA-256 of the statement's Sig_structure: one registration per signed content"
        ),
        Column("issuer", S, "CWT claim iss of the statement"),
        Column("subject", S, "CWT claim sub: what the statement is about, e.g. part:SN-0042"),
        Column("content_type", S, "media type of the payload (COSE header 3)"),
        Column(
            "statement_type",
            S,
            "the kind of statement the issuer declares (build-record, ...)",
            nullable=True,
        ),
        Column("kid", S, "key id that signed it (thread_key.kid), hex"),
        Column("registered_at", S, "when the log appended it, UTC, ISO 8601"),
    ),
    key=("idx",),
    since=THREAD_SINCE,
    enforced=True,
    unique=("signed_hash",),
)

THREAD_TILE = Table(
    "thread_tile",
    "Hashes of complete subtrees of the log's Merkle tree: nodes (level, index) for index in "
    "[chunk * 64, chunk * 64 + 64), concatenated 32 bytes each.",
    (
        Column("tile", INT, "level << 40 | chunk, where chunk = index // 64", minimum=0),
        Column("hashes", B, "up to 64 node hashes of one level, in index order"),
    ),
    key=("tile",),
    since=THREAD_SINCE,
    enforced=True,
)

THREAD_TREE_HEAD = Table(
    "thread_tree_head",
    "A signed tree head: the log's Merkle root at a size, signed by the service key (COSE_Sign1, "
    "detached payload = root). Receipts carry it.",
    (
        Column("tree_size", INT, "entries in the log at this head", minimum=1),
        Column("root", B, "RFC 9162 root hash at tree_size (32 bytes)"),
        Column("protected", B, "the COSE protected header of the signature (CBOR)"),
        Column("signature", B, "ES256 signature, r || s (64 bytes)"),
        Column("signed_at", S, "when it was signed, UTC, ISO 8601"),
    ),
    key=("tree_size",),
    since=THREAD_SINCE,
    enforced=True,
)

THREAD_ORDER: tuple[str, ...] = ("thread_key", "thread_entry", "thread_tile", "thread_tree_head")
THREAD_TABLES: dict[str, Table] = {
    t.name: t for t in (THREAD_KEY, THREAD_ENTRY, THREAD_TILE, THREAD_TREE_HEAD)
}
