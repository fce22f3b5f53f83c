"""An RFC 9162 Merkle tree held in memory: batched appends, single and vectorized proofs.

The store-backed log (``arsenalnet.api.thread``) reads the same complete nodes from the
store; this holds them in ``bytearray`` levels, for a service that keeps its tree in
memory and for the benchmarks. ``levels[l]`` concatenates the hashes of the complete
nodes ``(l, 0), (l, 1), ...``.
"""

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from arsenalnet.thread.nodes import (
    HASH_SIZE,
    Node,
    assemble,
    batch_proofs,
    border,
    consistency_plan,
    edge_hash,
    extend,
    leaf_hashes,
    plan_nodes,
    proof_plan,
)


class MerkleTree:
    """An append-only RFC 9162 tree of raw entries (only their hashes are kept)."""

    def __init__(self) -> None:
        self.levels: list[bytearray] = []
        self.size = 0

    def _get(self, node: Node) -> bytes:
        level, index = node
        return bytes(self.levels[level][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def append(self, entries: Sequence[bytes]) -> None:
        """Append raw entries (their leaf hashes are computed here)."""
        self.append_hashes(leaf_hashes(entries))

    def append_hashes(self, hashes: bytes) -> None:
        """Append leaves given by their leaf hashes (concatenated)."""
        runs, _ = extend(self.size, {n: self._get(n) for n in border(self.size)}, hashes)
        for level, _start, new in runs:
            if level == len(self.levels):
                self.levels.append(bytearray())
            self.levels[level] += new
        self.size += len(hashes) // HASH_SIZE

    def root(self, size: int | None = None) -> bytes:
        """The root hash at ``size`` leaves (default: all)."""
        n = self.size if size is None else size
        if n == 0:
            return hashlib.sha256(b"").digest()
        return edge_hash(n, n.bit_length(), self._get)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf ``index`` at ``size`` leaves."""
        n = self.size if size is None else size
        plan = proof_plan(index, n)
        return assemble(plan, n, {node: self._get(node) for node in plan_nodes(plan, n)})

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The consistency proof from ``old_size`` to ``new_size`` leaves."""
        n = self.size if new_size is None else new_size
        plan = consistency_plan(old_size, n)
        return assemble(plan, n, {node: self._get(node) for node in plan_nodes(plan, n)})

    def inclusion_proofs(
        self, indices: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.bool_]]:
        """The audit paths of many leaves of the whole tree at once (see :func:`batch_proofs`)."""
        return batch_proofs(indices, self.size, lambda level: (0, bytes(self.levels[level])), self._get)
