"""Where the log's tree hashes live in ``thread_tile``: strata of 8 levels, 256 nodes wide.

Stratum ``s`` holds the tree's levels ``8s .. 8s + 7``. Its row ``tile = s << 40 | b``
holds the nodes ``[256 b, 256 b + 256)`` of level ``8s`` and every node above them up to
level ``8s + 7`` (128, 64, ..., 2 of them): the subtree of height 8 under node
``(8s + 8, b)`` without its root, which is in stratum ``s + 1``. At most 510 hashes,
16,320 bytes (the layout of C2SP tlog-tiles, with every level stored, not rehashed).

A row holds its *complete* nodes in the order they complete, which is post-order:
node ``(8s + j, m)`` completes with node ``(8s, ((m + 1) << j) - 1)``, after the nodes below
it. So appending leaves only extends a row (``hashes || new``), never rewrites or pads it;
a node always sits at the same byte offset (:func:`locate`), and a row's length says which
nodes it holds (those before ``len / 32``).

A proof needs, per stratum, the siblings on one leaf's path (one row: they all lie under
the same level-``8s + 8`` node) and the border nodes of the tree's size (one row: the
stratum's last, where the right edge is): at most two rows a stratum, five on a 10M-entry
log (three strata). Pure functions here; the queries are in
:mod:`arsenalnet.store.thread_log`.
"""

from collections.abc import Iterator, Mapping, Sequence
from itertools import groupby

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from arsenalnet.model.thread import TILE_HEIGHT, TILE_NODES, TILE_STRATUM_SHIFT, TILE_WIDTH

HASH = 32
"""Bytes of one hash."""

Run = tuple[int, int, bytes]
"""New complete nodes of one level: ``(level, first index, concatenated hashes)``."""

CHUNK_ROWS = 2048
"""Rows :func:`pack` builds at a time (2,048 x 16 KiB = 32 MiB of hashes)."""

_START = [2 * TILE_WIDTH - (2 * TILE_WIDTH >> j) for j in range(TILE_HEIGHT)]
"""Level-major slot of the first node of the stratum's level ``j`` in a row (0, 256, 384, ...)."""


def _completion_order() -> npt.NDArray[np.int64]:
    """``order[p]``: the level-major slot of the ``p``-th node of a row to complete."""
    order = []
    for k in range(1, TILE_WIDTH + 1):  # bottom node k - 1 completes, then its complete ancestors
        j = 0
        while j < TILE_HEIGHT and k % (1 << j) == 0:
            order.append(_START[j] + (k >> j) - 1)
            j += 1
    return np.asarray(order, dtype=np.int64)


ORDER = _completion_order()
"""``ORDER[p]``: the level-major slot (level ``j``'s node ``m`` at ``_START[j] + m``) at position ``p``."""

POSITION = np.argsort(ORDER)
"""``POSITION[slot]``: the position (in hashes) of a level-major slot in a row's blob."""

_POSITION = [int(p) * HASH for p in POSITION]
_LEVEL_POSITIONS = [POSITION[_START[j] : _START[j] + (TILE_WIDTH >> j)] for j in range(TILE_HEIGHT)]


def tile_id(stratum: int, block: int) -> int:
    """The ``thread_tile`` key of row ``block`` of ``stratum``."""
    return stratum << TILE_STRATUM_SHIFT | block


def locate(level: int, index: int) -> tuple[int, int]:
    """``(tile, byte offset)`` of node ``(level, index)``.

    >>> locate(0, 0), locate(1, 0), locate(0, 257), locate(8, 3)
    ((0, 0), (0, 64), (1, 32), (1099511627776, 128))
    """
    stratum, j = divmod(level, TILE_HEIGHT)
    block, m = divmod(index, TILE_WIDTH >> j)
    return stratum << TILE_STRATUM_SHIFT | block, _POSITION[_START[j] + m]


def _blocks(level: int, first: int, count: int) -> tuple[int, int]:
    """The blocks (rows of ``level``'s stratum) holding nodes ``first .. first + count - 1``."""
    width = TILE_WIDTH >> level % TILE_HEIGHT
    return first // width, (first + count - 1) // width


def pack(runs: Sequence[Run], chunk_rows: int = CHUNK_ROWS) -> Iterator[pa.Table]:
    """The ``thread_tile`` writes that store the new complete nodes ``runs`` (as
    :func:`arsenalnet.thread.nodes.extend` makes them, one run per level), ``chunk_rows``
    rows at a time: columns ``tile``, ``at`` and ``hashes``.

    ``hashes`` continues the row's stored blob at byte ``at``: 0 for a new row, the stored
    length for the row a stratum's run starts in (it extends it). ``ValueError`` if
    the runs leave a gap in a row (they do not continue a tree).
    """
    nonempty = sorted((r for r in runs if r[2]), key=lambda r: r[0])
    for stratum, group in groupby(nonempty, key=lambda r: r[0] // TILE_HEIGHT):
        sruns = list(group)
        spans = [_blocks(level, first, len(h) // HASH) for level, first, h in sruns]
        lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
        for c0 in range(lo, hi + 1, chunk_rows):
            yield _pack_rows(stratum, sruns, c0, min(c0 + chunk_rows, hi + 1), c0 == lo)


def _pack_rows(stratum: int, runs: Sequence[Run], c0: int, c1: int, extends: bool) -> pa.Table:
    """Rows ``c0 .. c1 - 1`` of ``stratum``: the new nodes of ``runs`` that fall in them;
    ``extends``: row ``c0`` may be a stored row that they extend."""
    rows = c1 - c0
    grid = np.zeros((rows, TILE_NODES, HASH), dtype=np.uint8)
    have = np.zeros((rows, TILE_NODES), dtype=bool)
    for level, first, hashes in runs:
        j = level - stratum * TILE_HEIGHT
        width = TILE_WIDTH >> j
        a = max(first, c0 * width)
        b = min(first + len(hashes) // HASH, c1 * width)
        if a >= b:
            continue
        idx = np.arange(a, b)
        row, slot = idx // width - c0, _START[j] + idx % width
        grid[row, slot] = np.frombuffer(
            hashes, dtype=np.uint8, offset=(a - first) * HASH, count=(b - a) * HASH
        ).reshape(-1, HASH)
        have[row, slot] = True
    have = have[:, ORDER]
    count = have.sum(axis=1)
    start = have.argmax(axis=1)
    end = TILE_NODES - have[:, ::-1].argmax(axis=1)
    if (count == 0).any() or (end - start != count).any() or (start[int(extends) :] != 0).any():
        raise ValueError(f"the new nodes leave a gap in thread_tile stratum {stratum}, rows {c0}..{c1 - 1}")
    data = grid[:, ORDER][have]
    offsets = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(count * HASH, out=offsets[1:])
    blobs = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), rows, [None, pa.py_buffer(offsets), pa.py_buffer(data.tobytes())]
    )
    return pa.table(
        {
            "tile": pa.array(np.arange(c0, c1, dtype=np.int64) | stratum << TILE_STRATUM_SHIFT),
            "at": pa.array(start * HASH, pa.int64()),
            "hashes": blobs,
        }
    )


def level_slice(rows: Mapping[int, bytes], level: int, start: int, stop: int) -> bytes:
    """The hashes of nodes ``start .. stop - 1`` of ``level``, concatenated, from the rows
    ``rows`` (``tile -> blob``) of its stratum; they end at the first node not stored."""
    if stop <= start:
        return b""
    stratum, j = divmod(level, TILE_HEIGHT)
    b0, b1 = _blocks(level, start, stop - start)
    positions = _LEVEL_POSITIONS[j]  # ascending: a level's nodes complete left to right
    out = []
    for block in range(b0, b1 + 1):
        blob = rows.get(tile_id(stratum, block), b"")
        held = len(blob) // HASH
        mine = positions[positions < held]
        out.append(np.frombuffer(blob, dtype=np.uint8, count=held * HASH).reshape(-1, HASH)[mine].tobytes())
        if len(mine) < len(positions):
            break
    skip = (start - b0 * (TILE_WIDTH >> j)) * HASH
    return b"".join(out)[skip : skip + (stop - start) * HASH]
