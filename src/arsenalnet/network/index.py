"""Dense integer ids for string ids: the bridge between the store and the engines."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

Int32Array = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Index:
    """An ordered set of string ids; id ``ids[i]`` has dense int32 index ``i``."""

    ids: pa.Array

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, values: pa.Array | pa.ChunkedArray) -> "Index":
        """An index of the distinct values, in first-seen order."""
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        return cls(pc.unique(values.cast(pa.string())))

    def codes(self, values: pa.Array | pa.ChunkedArray) -> Int32Array:
        """Dense indices of ``values`` (-1 where a value is not in the index)."""
        found = pc.index_in(values, value_set=self.ids)
        return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int32)

    def position(self, value: str) -> int:
        """The index of one id, or -1."""
        return int(self.codes(pa.array([value], pa.string()))[0])

    def id(self, i: int) -> str:
        """The string id at index ``i``."""
        return str(self.ids[i].as_py())

    def take(self, idx: npt.NDArray[np.integer]) -> list[str]:
        """String ids at many indices."""
        return [str(v) for v in self.ids.take(pa.array(np.asarray(idx, dtype=np.int64))).to_pylist()]


def csr_expand(
    indptr: npt.NDArray[np.integer], rows: npt.NDArray[np.integer]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every position of every listed row of a CSR structure, vectorized.

    Returns ``(owner, position)``: ``owner[i]`` is the index into ``rows`` and
    ``position[i]`` runs over ``indptr[rows[owner[i]]] .. indptr[rows[owner[i]] + 1] - 1``.

    >>> csr_expand(np.array([0, 2, 2, 5]), np.array([2, 0]))
    (array([0, 0, 0, 1, 1]), array([2, 3, 4, 0, 1]))
    """
    starts = indptr[rows].astype(np.int64)
    counts = indptr[rows + 1].astype(np.int64) - starts
    owner = np.repeat(np.arange(len(rows), dtype=np.int64), counts)
    offsets = np.arange(counts.sum(), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(starts, counts) + offsets
