"""The strata layout of ``thread_tile``: where each node lives, how appends extend rows."""

import pyarrow as pa
import pytest

from arsenalnet.store.thread_tiles import HASH, locate, pack, tile_id

S1 = 1 << 40  # the first row of stratum 1


def h(k: int) -> bytes:
    """A stand-in hash: 32 bytes of ``k`` (pack copies hashes, it does not compute them)."""
    return bytes([k]) * HASH


def rows(runs: list[tuple[int, int, bytes]], chunk_rows: int = 2048) -> list[dict[str, object]]:
    return pa.concat_tables(pack(runs, chunk_rows)).to_pylist()


def test_a_row_holds_its_nodes_in_the_order_they_complete() -> None:
    """Leaves 0, 1 complete (0,0), (0,1), then (1,0); leaf 2 completes (0,2); leaf 3 completes
    (0,3), (1,1), (2,0): positions 0..6. The row's last node is (7,1), after leaf 255: position
    509 of 510. Level 8 starts stratum 1: node (8, 256) is node 0 of its block 1; node (9, 0)
    completes after (8, 0) and (8, 1), at position 2 of row 0."""
    order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0)]
    assert [locate(*n) for n in order] == [(0, HASH * p) for p in range(7)]
    assert locate(7, 1) == (0, 509 * HASH)
    assert locate(7, 2) == (1, 254 * HASH)  # (7, 2) covers leaves 256..383: row 1, half full
    assert locate(0, 256) == (1, 0)
    assert locate(8, 256) == (tile_id(1, 1), 0) == (S1 | 1, 0)
    assert locate(9, 0) == (S1, 2 * HASH)
    assert locate(16, 5) == (2 << 40, locate(0, 5)[1])


def test_appends_extend_a_row_and_start_new_ones() -> None:
    """Three leaves: row 0 = h0 h1 h01 h2. A fourth leaf appends h3 h23 h0123 at byte 128.
    Leaves 4..259 fill row 0 (510 hashes) and start row 1 with leaves 256..259 and their
    parents (1, 128), (1, 129), (2, 64); the level-8 node (8, 0) starts stratum 1."""
    assert rows([(0, 0, h(0) + h(1) + h(2)), (1, 0, h(10))]) == [
        {"tile": 0, "at": 0, "hashes": h(0) + h(1) + h(10) + h(2)}
    ]
    assert rows([(0, 3, h(3)), (1, 1, h(23)), (2, 0, h(99))]) == [
        {"tile": 0, "at": 4 * HASH, "hashes": h(3) + h(23) + h(99)}
    ]
    runs = [
        (level, 4 >> level, h(level) * ((260 >> level) - (4 >> level))) for level in range(9) if 260 >> level
    ]
    out = rows(runs)
    assert [(r["tile"], r["at"], len(r["hashes"]) // HASH) for r in out] == [  # type: ignore[arg-type]
        (0, 7 * HASH, 510 - 7),
        (1, 0, 4 + 2 + 1),
        (S1, 0, 1),
    ]
    assert out[1]["hashes"] == h(0) + h(0) + h(1) + h(0) + h(0) + h(1) + h(2)


def test_chunks_give_the_same_rows() -> None:
    runs = [(level, 0, h(level) * (5000 >> level)) for level in range(13)]
    assert rows(runs, chunk_rows=3) == rows(runs)
    assert len(list(pack(runs, chunk_rows=3))) == 7 + 1  # 20 rows of stratum 0 by 3, one of stratum 1


@pytest.mark.parametrize(
    "runs",
    [
        [(0, 0, h(0) + h(1) + h(2))],  # (1, 0) is missing between leaves 1 and 2
        [(0, 0, h(0) + h(1)), (2, 0, h(2))],  # (1, 0) is missing before (2, 0)
        [(0, 255, h(0)), (1, 128, h(1))],  # row 1 would start with (1, 128), without leaves 256, 257
    ],
)
def test_a_gap_is_refused(runs: list[tuple[int, int, bytes]]) -> None:
    with pytest.raises(ValueError, match="leave a gap in thread_tile stratum 0"):
        rows(runs)


def test_a_run_may_start_inside_a_row() -> None:
    """Leaf 300 is node 44 of row 1, at position 44 + 22 + 11 + 5 + 2 + 1 = 85 (the nodes that
    complete before it: leaves 256..299 and their complete ancestors in the row)."""
    assert rows([(0, 300, h(0))]) == [{"tile": 1, "at": 85 * HASH, "hashes": h(0)}]
