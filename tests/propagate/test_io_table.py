"""Reading an MRIO table saved by pymrio: round trips and bad input with exact locations."""

from pathlib import Path

import numpy as np
import pymrio
import pytest

from arsenalnet.ingest import ImportRejected, Problem
from arsenalnet.ingest.io_table import read_io_table


@pytest.fixture(scope="module")
def mriot() -> pymrio.IOSystem:
    system = pymrio.load_test()
    system.calc_all()
    return system


def saved(mriot: pymrio.IOSystem, folder: Path, table_format: str = "txt") -> Path:
    mriot.save(folder, table_format=table_format)
    return folder


def set_cell(path: Path, line: int, column: int, value: str) -> None:
    """Replace the field at a 1-based line and column of a tab-separated file."""
    lines = path.read_text().split("\n")
    cells = lines[line - 1].split("\t")
    cells[column - 1] = value
    lines[line - 1] = "\t".join(cells)
    path.write_text("\n".join(lines))


def rejected(folder: Path) -> list[Problem]:
    with pytest.raises(ImportRejected) as info:
        read_io_table(folder)
    return list(info.value.problems)


@pytest.mark.parametrize("table_format", ["txt", "csv", "parquet"])
def test_round_trip(mriot: pymrio.IOSystem, tmp_path: Path, table_format: str) -> None:
    folder = saved(mriot, tmp_path / "mrio", table_format)
    table = read_io_table(folder)
    back = pymrio.load(folder)
    np.testing.assert_array_equal(table.Z, back.Z.to_numpy())
    np.testing.assert_array_equal(table.Y, back.Y.to_numpy())
    np.testing.assert_array_equal(table.x, back.x.to_numpy().ravel())
    np.testing.assert_allclose(table.Z, mriot.Z.to_numpy(), rtol=1e-11)
    np.testing.assert_allclose(table.x, mriot.x.to_numpy().ravel(), rtol=1e-11)
    assert table.regions == tuple(mriot.get_regions())
    assert table.sectors == tuple(mriot.get_sectors())
    assert table.final_demand == tuple(mriot.Y.columns)


def test_save_all_folder_with_extensions(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    mriot.save_all(tmp_path / "all")
    table = read_io_table(tmp_path / "all")
    assert table.Z.shape == (48, 48) and table.Y.shape == (48, 42) and table.x.shape == (48,)


def test_without_file_parameters_pymrio_layout_is_assumed(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio")
    (folder / "file_parameters.json").unlink()
    np.testing.assert_array_equal(read_io_table(folder).Z, pymrio.load_test().Z.to_numpy())


def test_not_a_directory(tmp_path: Path) -> None:
    where = tmp_path / "nowhere"
    assert rejected(where) == [Problem(str(where), 0, 0, "not a directory")]


def test_missing_table(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio")
    (folder / "Y.txt").unlink()
    assert rejected(folder) == [Problem("Y.txt", 0, 0, "missing: the Y table")]


def test_non_numeric_and_empty_cells(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    """Z.txt: two header lines and a line of index names, so the first values are on line 4,
    column 3 (after region and sector)."""
    folder = saved(mriot, tmp_path / "mrio")
    set_cell(folder / "Z.txt", 5, 7, "abc")
    set_cell(folder / "Z.txt", 9, 3, "")
    assert rejected(folder) == [
        Problem("Z.txt", 5, 7, "not a number: 'abc'"),
        Problem("Z.txt", 9, 3, "empty cell"),
    ]


def test_negative_output(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    """x.txt has one header line: industry k is on line k + 2."""
    folder = saved(mriot, tmp_path / "mrio")
    set_cell(folder / "x.txt", 3, 3, "-5")
    assert rejected(folder) == [Problem("x.txt", 3, 3, "negative value: -5.0")]


def test_negative_value_in_parquet(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    mriot = mriot.copy()
    mriot.Y.iloc[4, 2] = -1.0
    folder = saved(mriot, tmp_path / "mrio", "parquet")
    assert rejected(folder) == [Problem("Y.parquet", 5, 5, "negative value: -1.0")]


def test_extra_field(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio")
    path = folder / "Z.txt"
    lines = path.read_text().split("\n")
    lines[9] += "\t1.0"
    path.write_text("\n".join(lines))
    [problem] = rejected(folder)
    assert (problem.file, problem.line) == ("Z.txt", 10)
    assert problem.reason.startswith("wrong number of fields: Expected 50 fields in line 10, saw 51")


def test_rows_out_of_order(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio")
    path = folder / "Z.txt"
    lines = path.read_text().split("\n")
    lines[4], lines[5] = lines[5], lines[4]
    path.write_text("\n".join(lines))
    assert rejected(folder) == [
        Problem(
            "Z.txt",
            5,
            1,
            "row ('reg1', 'manufactoring') where the columns have ('reg1', 'mining'): "
            "Z's rows and columns must match, in order",
        )
    ]


def test_shape_mismatch(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    """Y.txt loses its last row (line 51): the first row Z has and Y lacks is reported."""
    folder = saved(mriot, tmp_path / "mrio")
    path = folder / "Y.txt"
    lines = path.read_text().rstrip("\n").split("\n")
    path.write_text("\n".join(lines[:-1]) + "\n")
    assert rejected(folder) == [Problem("Y.txt", 51, 1, "Y's rows are not Z's rows, in order")]


def test_broken_file_parameters(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio")
    (folder / "file_parameters.json").write_text('{"files": {\n  "Z": {"name": "Z.txt",}\n}}')
    [problem] = rejected(folder)
    assert (problem.file, problem.line, problem.column) == ("file_parameters.json", 2, 25)
    assert problem.reason.startswith("not valid JSON")


def test_pickle_is_refused(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    folder = saved(mriot, tmp_path / "mrio", "pkl")
    problems = rejected(folder)
    assert [p.file for p in problems] == ["Y.pkl", "Z.pkl", "x.pkl"]
    assert {p.reason for p in problems} == {"only pymrio's txt (tab-separated) and parquet formats are read"}


def test_rows_not_region_major(mriot: pymrio.IOSystem, tmp_path: Path) -> None:
    """Industries ordered sector by sector (rows and columns alike) are refused at the first misfit."""
    by_sector = sorted(mriot.Z.index, key=lambda rs: (list(mriot.get_sectors()).index(rs[1]), rs[0]))
    folder = tmp_path / "mrio"
    folder.mkdir()
    mriot.Z.loc[by_sector, by_sector].to_csv(folder / "Z.txt", sep="\t")
    mriot.Y.loc[by_sector].to_csv(folder / "Y.txt", sep="\t")
    mriot.x.loc[by_sector].to_csv(folder / "x.txt", sep="\t")
    assert rejected(folder) == [
        Problem("Z.txt", 5, 1, "row ('reg2', 'food') where region-major order needs ('reg1', 'mining')")
    ]
