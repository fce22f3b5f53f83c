"""The digital thread's log in the store: keys, entries, tiles of tree hashes, signed heads.

Plain reads and one-transaction appends; no hashing or signing here (that is
:mod:`arsenalnet.thread`). The Merkle tree's complete nodes live in ``thread_tile`` in
strata of 8 levels (:mod:`arsenalnet.store.thread_tiles`): the nodes of a proof are one
query for at most two rows a stratum (:func:`node_hashes`).
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from arsenalnet.model.thread import THREAD_TABLES
from arsenalnet.store.database import Store, StoreError
from arsenalnet.store.ddl import quote
from arsenalnet.store.thread_tiles import HASH, Run, level_slice, locate, pack

Node = tuple[int, int]


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
    where = {node: locate(*node) for node in nodes}
    if not where:
        return {}
    ids = ", ".join(map(str, {tile for tile, _ in where.values()}))
    tiles = dict(store.execute(f"SELECT tile, hashes FROM thread_tile WHERE tile IN ({ids})").fetchall())
    out = {}
    for node, (tile, at) in where.items():
        blob = tiles.get(tile)
        if blob is not None and len(blob) >= at + HASH:
            out[node] = blob[at : at + HASH]
    return out


def level_hashes(store: Store, level: int, start: int, stop: int) -> bytes:
    """The stored hashes of nodes ``start..stop-1`` of ``level``, concatenated (for audits);
    they end at the first node not stored."""
    if stop <= start:
        return b""
    (lo, _), (hi, _) = locate(level, start), locate(level, stop - 1)
    rows = store.execute("SELECT tile, hashes FROM thread_tile WHERE tile BETWEEN ? AND ?", [lo, hi])
    return level_slice(dict(rows.fetchall()), level, start, stop)


def _write_runs(store: Store, runs: Sequence[Run]) -> None:
    """Store new complete nodes: extend the row each stratum's run starts in, add new rows."""
    for rows in pack(runs):
        grow = rows.filter(pc.greater(rows["at"], 0))
        if grow.num_rows:
            store.con.register("__thread_grow", grow)
            try:
                done = store.execute(
                    "UPDATE thread_tile t SET hashes = t.hashes || g.hashes FROM __thread_grow g "
                    "WHERE t.tile = g.tile AND octet_length(t.hashes) = g.at"
                ).fetchall()[0][0]
            finally:
                store.con.unregister("__thread_grow")
            if done != grow.num_rows:
                raise StoreError(
                    f"thread_tile rows {grow['tile'].to_pylist()} do not end where the log does: "
                    "run `arsenal thread audit`"
                )
        new = rows.filter(pc.equal(rows["at"], 0))
        if new.num_rows:
            _insert(store, "thread_tile", new.select(["tile", "hashes"]))


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
