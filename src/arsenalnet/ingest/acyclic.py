"""Cycle detection for the bill of materials, vectorized over edges."""

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc


def find_cycle(parents: pa.Array | pa.ChunkedArray, children: pa.Array | pa.ChunkedArray) -> list[str] | None:
    """A cycle of the graph parent -> child as a closed path of ids, or None if acyclic.

    Peels nodes with no remaining parent edges (Kahn's algorithm, one numpy
    pass per BOM level); what is left lies on or below a cycle, and a walk from
    any node left must return to a node it has already visited.

    >>> find_cycle(pa.array(["a", "b", "c"]), pa.array(["b", "c", "a"]))
    ['b', 'c', 'a', 'b']
    >>> find_cycle(pa.array(["a", "a"]), pa.array(["b", "c"])) is None
    True
    """
    if len(parents) == 0:
        return None
    both = pa.chunked_array([parents, children], type=pa.string()).combine_chunks()
    codes = pc.dictionary_encode(both)
    ids = codes.dictionary
    idx = codes.indices.to_numpy().astype(np.int64)
    src, dst = idx[: len(parents)], idx[len(parents) :]
    n = len(ids)
    alive = np.ones(len(src), dtype=bool)
    indeg = np.bincount(dst, minlength=n)
    removed = np.zeros(n, dtype=bool)
    while True:
        free = (indeg == 0) & ~removed
        if not free.any():
            break
        removed |= free
        drop = alive & free[src]
        alive &= ~drop
        indeg -= np.bincount(dst[drop], minlength=n)
    if removed.all():
        return None
    return _walk(src[alive], dst[alive], ids)


def _walk(src: npt.NDArray[np.int64], dst: npt.NDArray[np.int64], ids: pa.Array) -> list[str]:
    """Follow edges from a node that has a parent among the remaining edges until one repeats."""
    order = np.argsort(src, kind="stable")
    src, dst = src[order], dst[order]
    node = int(dst[0])
    seen: dict[int, int] = {}
    path: list[int] = []
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = int(dst[np.searchsorted(src, node)])
    cycle = [*path[seen[node] :], node]
    return [str(ids[i]) for i in cycle]
