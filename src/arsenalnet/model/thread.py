"""The digital thread's transparency log in the store (schema version 6; tiles in strata since 11).

``thread_key``: the public keys of statement issuers and of the log service itself
(private keys never enter the store). ``thread_entry``: one registered signed
statement per row, in log order; the statement bytes are the Merkle leaf.
``thread_tile``: the hashes of every complete subtree of the log's RFC 9162 tree, in
strata of ``TILE_HEIGHT`` levels: a row holds a subtree of height 8 (up to 510 hashes),
so a proof reads at most two rows per stratum (``arsenalnet.store.thread_tiles``). ``thread_tree_head``: the
service's signed tree heads (the Merkle root at a size, signed as a COSE_Sign1), one
per registration batch. See ``docs/thread.md``.
"""

from arsenalnet.model.schema import Column, ColumnType, Table

S, INT, B = ColumnType.STR, ColumnType.INT, ColumnType.BLOB

THREAD_SINCE = 6
"""The schema version that added the log's tables."""

THREAD_STRATA_SINCE = 11
"""The schema version that stored ``thread_tile`` in strata (before: 64 hashes of one level a row)."""

TILE_HEIGHT = 8
"""Tree levels held by one stratum of ``thread_tile``: stratum ``s`` holds levels ``8s .. 8s + 7``."""

TILE_WIDTH = 2**TILE_HEIGHT
"""Nodes of a stratum's bottom level ``8s`` under one ``thread_tile`` row (256)."""

TILE_NODES = 2 * TILE_WIDTH - 2
"""Hashes in a full ``thread_tile`` row: 256 + 128 + ... + 2 = 510 (16,320 bytes)."""

TILE_STRATUM_SHIFT = 40
"""``tile = stratum << TILE_STRATUM_SHIFT | block``: row ``block`` of stratum ``stratum``."""

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
    "Hashes of complete subtrees of the log's Merkle tree, in strata of 8 levels: row (s, b) holds "
    "the nodes of levels 8s..8s+7 above nodes [256 b, 256 b + 256) of level 8s (a subtree of "
    "height 8 without its root), in the order they complete.",
    (
        Column("tile", INT, "s * 2^40 + b: row b of stratum s (levels 8s..8s+7)", minimum=0),
        Column(
            "hashes",
            B,
            "the block's complete nodes, 32 bytes each, in post-order (the order they complete): "
            "at most 510, never padded; appends only extend it",
        ),
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
