"""Cycle detection for the bill of materials, vectorized over edges."""

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def find_cycle(parents: pa.Array | pa.ChunkedArray, children: pa.Array | pa.ChunkedArray) -> list[str] | None:
    """A cycle of the graph parent -> child as a closed path of ids, or None if acyclic.

    Peels nodes with no remaining incoming edge, then nodes with no remaining
    outgoing edge (Kahn's algorithm both ways, one numpy pass per BOM level).
    Every node left has an edge in and an edge out among the nodes left, so a
    walk from any of them must come back to a node it has already visited.
    The walk starts at the smallest id left and follows the smallest next id,
    so the same graph always gives the same cycle.

    >>> find_cycle(pa.array(["a", "b", "c"]), pa.array(["b", "c", "a"]))
    ['a', 'b', 'c', 'a']
    >>> find_cycle(pa.array(["a", "a", "b"]), pa.array(["c", "b", "a"]))
    ['a', 'b', 'a']
    >>> find_cycle(pa.array(["a", "a"]), pa.array(["b", "c"])) is None
    True
    """
    if len(parents) == 0:
        return None
    both = pa.chunked_array([parents, children], type=pa.string()).combine_chunks()
    ids = pc.unique(both).sort()
    idx = pc.index_in(both, value_set=ids).to_numpy().astype(np.int64)
    src, dst = idx[: len(parents)], idx[len(parents) :]
    alive = np.ones(len(src), dtype=bool)
    while True:
        peeled = _peel(dst, src, len(ids), _peel(src, dst, len(ids), alive))
        if (peeled == alive).all():
            break
        alive = peeled
    if not alive.any():
        return None
    return _walk(src[alive], dst[alive], ids)


def _peel(
    src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], n: int, alive: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Edges left after repeatedly removing nodes with no remaining edge into them."""
    alive = alive.copy()
    indeg = np.bincount(dst[alive], minlength=n)
    removed = np.zeros(n, dtype=bool)
    while True:
        free = (indeg == 0) & ~removed
        drop = alive & free[src]
        if not drop.any():
            return alive
        removed |= free
        alive &= ~drop
        indeg -= np.bincount(dst[drop], minlength=n)


def _walk(src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], ids: pa.Array) -> list[str]:
    """Follow the smallest outgoing edge from the smallest node until a node repeats."""
    order = np.lexsort((dst, src))
    src, dst = src[order], dst[order]
    node = int(src[0])
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = int(dst[np.searchsorted(src, node)])
    cycle = [*path[seen[node] :], node]
    return [str(ids[i]) for i in cycle]
