"""A sweep's folder is written all at once or not at all."""

from pathlib import Path

import pytest

from arsenalnet.scenario.errors import SweepError
from arsenalnet.scenario.sweep_outputs import atomic_folder


def test_a_failure_leaves_the_earlier_folder_as_it_was(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier")
    with pytest.raises(RuntimeError, match="disk full"), atomic_folder(folder) as tmp:
        (tmp / "draws.parquet").write_text("half")
        raise RuntimeError("disk full")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert [p.name for p in folder.iterdir()] == ["summary.json"]
    assert (folder / "summary.json").read_text() == "earlier"


def test_success_replaces_an_earlier_runs_folder_whole(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "summary.json").write_text("earlier")
    (folder / "series.parquet").write_text("earlier")
    with atomic_folder(folder) as tmp:
        assert not (tmp / "summary.json").exists()
        (tmp / "summary.json").write_text("new")
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert [p.name for p in folder.iterdir()] == ["summary.json"]
    assert (folder / "summary.json").read_text() == "new"


def test_a_new_folder_and_its_parents_are_made(tmp_path: Path) -> None:
    folder = tmp_path / "a" / "b"
    with atomic_folder(folder) as tmp:
        (tmp / "summary.json").write_text("{}")
    assert [p.name for p in folder.iterdir()] == ["summary.json"]
    assert [p.name for p in folder.parent.iterdir()] == ["b"]


def test_a_folder_of_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    refused = pytest.raises(SweepError, match="exists and is not the folder of an earlier run")
    with refused, atomic_folder(tmp_path):
        pass
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
