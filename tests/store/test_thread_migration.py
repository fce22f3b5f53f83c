"""Schema 11: a log whose ``thread_tile`` holds the old rows (64 hashes of one level a row)
is converted to strata when the store is opened, losing nothing; damaged old tiles are refused."""

from itertools import pairwise
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from arsenalnet.api import thread as api
from arsenalnet.store import Store, thread_log
from arsenalnet.store.migrations import META_TABLE, SchemaError, current_version, migrate, tiles_to_strata
from arsenalnet.store.thread_tiles import pack
from arsenalnet.thread import merkle
from arsenalnet.thread.errors import VerificationError
from arsenalnet.thread.tree import MerkleTree
from factories import arsenal
from thread_factories import make_log

OLD_ROW = 64 * 32

TileRows = list[tuple[int, bytes]]


def old_rows(levels: list[bytes]) -> TileRows:
    """The schema 6-10 rows of a tree: row ``level << 40 | c`` holds nodes ``64c .. 64c + 63``."""
    return [
        (level << 40 | c, bytes(h[c * OLD_ROW : (c + 1) * OLD_ROW]))
        for level, h in enumerate(levels)
        for c in range(-(-len(h) // OLD_ROW))
    ]


def strata_rows(levels: list[bytes]) -> TileRows:
    """The rows of the same tree in strata, packed at once."""
    t = pa.concat_tables(pack([(level, 0, bytes(h)) for level, h in enumerate(levels)]))
    return list(zip(t["tile"].to_pylist(), t["hashes"].to_pylist(), strict=True))


def tiles(path: Path) -> TileRows:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT tile, hashes FROM thread_tile ORDER BY tile").fetchall()
    finally:
        con.close()


def make_old(path: Path, rows: TileRows) -> None:
    """Make ``path`` (a new file, or a store) a schema-10 file whose ``thread_tile`` is ``rows``."""
    con = duckdb.connect(str(path))
    migrate(con, target=10)
    con.execute("DELETE FROM thread_tile")
    con.executemany("INSERT INTO thread_tile VALUES (?, ?)", rows)
    con.execute(f"UPDATE {META_TABLE} SET value = '10' WHERE key = 'schema_version'")
    con.close()


def version(path: Path) -> int:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return current_version(con)
    finally:
        con.close()


def registered_log(tmp_path: Path, cuts: list[int]) -> tuple[Path, list[bytes], TileRows]:
    """A store with ``cuts[-1]`` statements registered in batches ending at ``cuts``, then
    turned into a schema-10 file with the old tiles. Returns it, the statements, and the
    rows the log had in strata."""
    path = tmp_path / "log.duckdb"
    with Store(path) as store:
        log = make_log(store, tmp_path / "keys")
        statements = [log.sign(b'{"n": %d}' % i, f"part:SN-{i % 5}") for i in range(cuts[-1])]
        for lo, hi in pairwise([0, *cuts]):
            api.register(store, statements[lo:hi], log.service)
    new = tiles(path)
    tree = MerkleTree()
    tree.append(statements)
    make_old(path, old_rows(tree.levels))
    return path, statements, new


def test_a_registered_log_is_converted_losing_nothing(tmp_path: Path) -> None:
    """300 statements in three batches (the second crosses leaf 256, the first row's end):
    after `arsenal thread audit` opens the schema-10 file, thread_tile holds exactly the rows
    registration writes at schema 11, the audit passes and the proofs verify."""
    path, statements, new = registered_log(tmp_path, [100, 257, 300])
    assert version(path) == 10 and len(tiles(path)) == 5 + 3 + 2 + 1 + 1 + 1 + 1 + 1 + 1
    r = arsenal("thread", "audit", db=path)
    assert r.returncode == 0 and "OK: 300 entries and 3 signed tree heads verified" in r.stdout, r.stderr
    assert version(path) == 11 and tiles(path) == new
    with Store(path) as store:
        heads = {int(h["tree_size"]): bytes(h["root"]) for h in thread_log.tree_heads(store)}
        for i in (0, 99, 255, 256, 299):
            assert merkle.verify_inclusion(
                statements[i], i, 300, api.inclusion_proof(store, i, 300), heads[300]
            )
        for m in (100, 257):
            proof = api.consistency_proof(store, m, 300)
            assert merkle.verify_consistency(m, 300, heads[m], heads[300], proof)


@pytest.mark.parametrize("size", [1, 2, 255, 256, 257, 20_000, 65_537])
def test_old_tiles_become_the_strata_of_the_same_tree(tmp_path: Path, size: int) -> None:
    """Tiles alone (as the 10M-entry benchmark writes them): opening the file converts them
    to the rows of the same tree; converting 32 rows at a time (three chunks for 20,000
    leaves) gives the same rows."""
    tree = MerkleTree()
    tree.append([b"%d" % i for i in range(size)])
    for name in ("open", "chunks"):
        path = tmp_path / f"{name}.duckdb"
        make_old(path, old_rows(tree.levels))
        if name == "open":
            Store(path).close()
        else:
            con = duckdb.connect(str(path))
            con.begin()
            tiles_to_strata(con, chunk_rows=32)
            con.commit()
            con.close()
        assert tiles(path) == strata_rows(tree.levels)
    with Store(tmp_path / "open.duckdb") as store:
        for i in {0, size // 3, size - 1}:
            assert api.inclusion_proof(store, i, size) == tree.inclusion_proof(i)


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_a_flipped_old_hash_is_carried_over_for_audit_to_name(tmp_path: Path) -> None:
    path, _, _ = registered_log(tmp_path, [5, 12])
    rows = tiles(path)
    rows[0] = (rows[0][0], flip(rows[0][1], 9 * 32 + 5))  # leaf 9's hash
    make_old(path, rows)
    with (
        Store(path) as store,
        pytest.raises(VerificationError, match=r"^entry 9: its leaf hash in thread_tile"),
    ):
        api.audit(store)


@pytest.mark.parametrize(
    ("damage", "level"),
    [
        (f"DELETE FROM thread_tile WHERE tile = {1 << 40 | 1}", 1),  # a middle row of level 1
        ("UPDATE thread_tile SET hashes = hashes[:1000] WHERE tile = 1", 0),  # a short row, not the last
        (f"UPDATE thread_tile SET hashes = hashes || hashes[:32] WHERE tile = {2 << 40 | 1}", 2),
        (f"INSERT INTO thread_tile VALUES ({20 << 40}, repeat('x', 32)::BLOB)", 20),  # above the top
    ],
)
def test_damaged_old_tiles_are_refused_and_left_as_they_were(tmp_path: Path, damage: str, level: int) -> None:
    """300 leaves: levels 0..8 hold 300, 150, 75, ... 1 nodes in 5, 3, 2, 1, ... old rows."""
    tree = MerkleTree()
    tree.append([b"%d" % i for i in range(300)])
    path = tmp_path / "old.duckdb"
    make_old(path, old_rows(tree.levels))
    con = duckdb.connect(str(path))
    con.execute(damage)
    con.close()
    before = tiles(path)
    with pytest.raises(
        SchemaError,
        match=rf"^thread_tile level {level} .*: the log's tiles are damaged \(nothing was changed",
    ):
        Store(path)
    assert version(path) == 10 and tiles(path) == before
