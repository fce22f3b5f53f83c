"""The declarations are consistent: keys, foreign keys and the table order agree."""

from arsenalnet.model import TABLE_ORDER, TABLES, Priority
from arsenalnet.model.seeds import country_group_rows, country_rows


def test_every_table_is_ordered_once() -> None:
    assert sorted(TABLE_ORDER) == sorted(TABLES)


def test_foreign_keys_point_backwards_to_declared_columns() -> None:
    for position, name in enumerate(TABLE_ORDER):
        for fk in TABLES[name].foreign_keys:
            assert fk.table in TABLE_ORDER[:position], (name, fk.table)
            ref = TABLES[fk.table]
            assert set(fk.ref_columns) <= set(ref.column_names)
            assert len(fk.columns) == len(fk.ref_columns)


def test_keys_are_never_nullable() -> None:
    for t in TABLES.values():
        assert all(not t.column(k).nullable for k in t.key), t.name


def test_priority_ranks_dx_before_do_before_unrated() -> None:
    assert sorted(Priority, key=lambda p: p.rank) == [Priority.DX, Priority.DO, Priority.NONE]


def test_seed_groups_have_their_published_sizes() -> None:
    counts: dict[str, int] = {}
    for group, _ in country_group_rows():
        counts[group] = counts.get(group, 0) + 1
    assert counts == {"NATO": 32, "EU": 27, "FIVE_EYES": 5, "US_FTA": 20, "FOREIGN_ADVERSARY": 7}
    known = {iso3 for iso3, _ in country_rows()}
    assert {iso3 for _, iso3 in country_group_rows()} <= known
    fa = {iso3 for g, iso3 in country_group_rows() if g == "FOREIGN_ADVERSARY"}
    assert fa == {"CHN", "HKG", "CUB", "IRN", "PRK", "RUS", "VEN"}
