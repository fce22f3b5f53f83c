"""The digital thread's log in the store: keys, entries, tiles of tree hashes, signed heads.

Plain reads and one-transaction appends; no hashing or signing here (that is
:mod:`arsenalnet.thread`). Node ``(level, index)`` of the Merkle tree lives in row
``tile = level << 40 | index // 64`` of ``thread_tile``, at byte ``32 * (index % 64)``:
any set of nodes is one indexed query (:func:`node_hashes`).
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa

from arsenalnet.model.thread import THREAD_TABLES, TILE_LEVEL_SHIFT, TILE_WIDTH
from arsenalnet.store.database import Store, StoreError
from arsenalnet.store.ddl import quote

HASH = 32
Node = tuple[int, int]
Run = tuple[int, int, bytes]


def tile_id(level: int, index: int) -> int:
    """The ``thread_tile`` row that holds node ``(level, index)``."""
    return level << TILE_LEVEL_SHIFT | index // TILE_WIDTH


def _cols(name: str) -> tuple[str, ...]:
    return THREAD_TABLES[name].column_names


def _insert(store: Store, name: str, rows: pa.Table) -> None:
    cols = ", ".join(quote(c) for c in _cols(name))
    store.con.register("__thread_rows", rows)
    try:
        store.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM __thread_rows")
    finally:
        store.con.unregister("__thread_rows")


def _dicts(store: Store, name: str, where: str = "", params: list[Any] | None = None) -> list[dict[str, Any]]:
    cols = _cols(name)
    key = ", ".join(THREAD_TABLES[name].key)
    sql = f"SELECT {', '.join(quote(c) for c in cols)} FROM {name} {where} ORDER BY {key}"
    return [dict(zip(cols, r, strict=True)) for r in store.execute(sql, params).fetchall()]


def add_key(store: Store, row: Mapping[str, Any]) -> None:
    """Register a public key (a ``thread_key`` row) in its own transaction."""
    cols = _cols("thread_key")
    with store.transaction():
        store.execute(f"INSERT INTO thread_key VALUES ({', '.join('?' * len(cols))})", [row[c] for c in cols])


def keys(store: Store) -> list[dict[str, Any]]:
    """Every registered public key, by kid."""
    return _dicts(store, "thread_key")


def log_size(store: Store) -> int:
    """Entries in the log: the size of its newest signed tree head (0 when empty)."""
    return int(store.execute("SELECT coalesce(max(tree_size), 0) FROM thread_tree_head").fetchall()[0][0])


def tree_heads(store: Store, since: int = 0) -> list[dict[str, Any]]:
    """The signed tree heads with ``tree_size >= since``, oldest first."""
    return _dicts(store, "thread_tree_head", "WHERE tree_size >= ?", [since])


def tree_head(store: Store, size: int | None = None) -> dict[str, Any] | None:
    """The signed tree head at ``size`` (the newest if ``None``), or ``None``."""
    if size is None:
        size = log_size(store)
    rows = _dicts(store, "thread_tree_head", "WHERE tree_size = ?", [size])
    return rows[0] if rows else None


def node_hashes(store: Store, nodes: Iterable[Node]) -> dict[Node, bytes]:
    """The stored hashes of the complete nodes ``nodes`` (one query; missing nodes are absent)."""
    wanted = set(nodes)
    if not wanted:
        return {}
    ids = sorted({tile_id(lvl, idx) for lvl, idx in wanted})
    rows = store.execute(f"SELECT tile, hashes FROM thread_tile WHERE tile IN ({', '.join(map(str, ids))})")
    tiles = dict(rows.fetchall())
    out = {}
    for lvl, idx in wanted:
        blob = tiles.get(tile_id(lvl, idx))
        at = (idx % TILE_WIDTH) * HASH
        if blob is not None and len(blob) >= at + HASH:
            out[(lvl, idx)] = bytes(blob[at : at + HASH])
    return out


def level_hashes(store: Store, level: int, start: int, stop: int) -> bytes:
    """The stored hashes of nodes ``start..stop-1`` of ``level``, concatenated (for audits)."""
    if stop <= start:
        return b""
    lo, hi = tile_id(level, start), tile_id(level, stop - 1)
    rows = store.execute("SELECT hashes FROM thread_tile WHERE tile BETWEEN ? AND ? ORDER BY tile", [lo, hi])
    data = b"".join(bytes(r[0]) for r in rows.fetchall())
    skip = (start % TILE_WIDTH) * HASH
    return data[skip : skip + (stop - start) * HASH]


def _write_runs(store: Store, runs: Sequence[Run]) -> None:
    """Store new complete nodes: fill each level's last tile, then add whole new tiles."""
    ids: list[int] = []
    blobs: list[bytes] = []
    for level, first, hashes in runs:
        offset = first % TILE_WIDTH
        if offset:
            tid = tile_id(level, first)
            take = (TILE_WIDTH - offset) * HASH
            old = store.execute("SELECT hashes FROM thread_tile WHERE tile = ?", [tid]).fetchall()
            if not old or len(old[0][0]) != offset * HASH:
                raise StoreError(
                    f"thread_tile {tid} does not end where level {level} does: run `arsenal thread audit`"
                )
            store.execute(
                "UPDATE thread_tile SET hashes = ? WHERE tile = ?", [bytes(old[0][0]) + hashes[:take], tid]
            )
            first, hashes = first + take // HASH, hashes[take:]
        for at in range(0, len(hashes), TILE_WIDTH * HASH):
            ids.append(tile_id(level, first + at // HASH))
            blobs.append(hashes[at : at + TILE_WIDTH * HASH])
    if ids:
        _insert(
            store,
            "thread_tile",
            pa.table({"tile": pa.array(ids, pa.int64()), "hashes": pa.array(blobs, pa.binary())}),
        )


def append(store: Store, entries: pa.Table | None, runs: Sequence[Run], head: Mapping[str, Any]) -> None:
    """Append ``entries`` (``thread_entry`` columns), the complete tree nodes they create and
    the signed tree head of the grown log, in one transaction: all or nothing. ``entries``
    is ``None`` only for a tree built without entry rows (the 10M-entry benchmark)."""
    with store.transaction():
        if entries is not None and entries.num_rows:
            _insert(store, "thread_entry", entries)
        _write_runs(store, runs)
        cols = _cols("thread_tree_head")
        store.execute(
            f"INSERT INTO thread_tree_head VALUES ({', '.join('?' * len(cols))})", [head[c] for c in cols]
        )


def registered(store: Store, signed_hashes: Sequence[bytes]) -> dict[bytes, int]:
    """Which of ``signed_hashes`` the log already holds, and at which index."""
    if not signed_hashes:
        return {}
    rows = store.execute(
        "SELECT signed_hash, idx FROM thread_entry WHERE signed_hash IN (SELECT unnest(?::BLOB[]))",
        [list(signed_hashes)],
    )
    return {bytes(h): int(i) for h, i in rows.fetchall()}


def entries_about(store: Store, subject: str) -> list[dict[str, Any]]:
    """Every entry whose statement's subject is ``subject``, in log order."""
    return _dicts(store, "thread_entry", "WHERE subject = ?", [subject])


def entry(store: Store, index: int) -> dict[str, Any] | None:
    """Entry ``index`` of the log, or ``None``."""
    rows = _dicts(store, "thread_entry", "WHERE idx = ?", [index])
    return rows[0] if rows else None


def entry_batches(store: Store, batch: int = 10_000) -> Iterator[list[dict[str, Any]]]:
    """Every entry, in log order, ``batch`` at a time."""
    size = log_size(store)
    for start in range(0, size, batch):
        yield _dicts(store, "thread_entry", "WHERE idx >= ? AND idx < ?", [start, start + batch])
