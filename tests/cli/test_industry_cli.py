"""The input-output table in the store, `arsenal import-io` and `arsenal simulate-io` as a user runs them."""

import json
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pymrio
import pytest
from typer.testing import CliRunner

import arsenalnet.cli.main  # noqa: F401  (registers the commands)
from arsenalnet.cli.app import app
from arsenalnet.cli.industry import NoIOTable, io_rows, load_io_table, store_io_table
from arsenalnet.ingest.io_table import IOTable, read_io_table
from arsenalnet.store import Store
from factories import arsenal

SCENARIO = """\
name: reg2-mining-strike
days: 60
params:
  restore_days: 6
shocks:
  - type: capacity_loss
    label: reg2 mining
    facilities: {region: reg2, naics_prefix: mining}
    fraction: 0.5
    start: 5
    recovery: {type: linear, hold: 10, days: 30}
"""


@pytest.fixture(scope="module")
def mrio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pymrio's test MRIO (6 regions x 8 sectors) as ``save_all`` writes it."""
    folder = tmp_path_factory.mktemp("io") / "mrio"
    system = pymrio.load_test()
    system.calc_all()
    system.save_all(folder)
    return folder


def stored(db: Path) -> dict[str, pa.Table]:
    with Store(db, read_only=True) as store:
        return store.read_io_tables()


def stored_runs(db: Path) -> list[dict[str, object]]:
    with Store(db, read_only=True) as store:
        return list(store.runs().to_pylist())


def test_hand_checked_rows_and_round_trip(tmp_path: Path) -> None:
    """Two regions x one sector. Z = [[0, 2], [3, 0]]: two flows, 0 -> 1 of 2 and 1 -> 0 of 3;
    Y = [[1, 0], [0, 4]]: two final-demand cells; the zero cells are not stored."""
    table = IOTable(
        Z=np.array([[0.0, 2.0], [3.0, 0.0]]),
        Y=np.array([[1.0, 0.0], [0.0, 4.0]]),
        x=np.array([3.0, 7.0]),
        regions=("north", "south"),
        sectors=("steel",),
        final_demand=(("north", "households"), ("south", "government")),
    )
    rows = io_rows(table)
    assert rows["io_industry"].to_pylist() == [
        {"idx": 0, "region": "north", "sector": "steel", "output_per_year": 3.0},
        {"idx": 1, "region": "south", "sector": "steel", "output_per_year": 7.0},
    ]
    assert rows["io_flow"].to_pylist() == [
        {"from_idx": 0, "to_idx": 1, "value_per_year": 2.0},
        {"from_idx": 1, "to_idx": 0, "value_per_year": 3.0},
    ]
    assert rows["io_final"].to_pylist() == [
        {"idx": 0, "col": 0, "value_per_year": 1.0},
        {"idx": 1, "col": 1, "value_per_year": 4.0},
    ]
    assert rows["io_final_column"].to_pylist() == [
        {"col": 0, "region": "north", "category": "households"},
        {"col": 1, "region": "south", "category": "government"},
    ]
    with Store(tmp_path / "t.duckdb") as store:
        with pytest.raises(NoIOTable, match=r"no input-output table: run `arsenal import-io DIR` first"):
            load_io_table(store)
        assert store_io_table(store, table) == {
            "io_industry": 2,
            "io_flow": 2,
            "io_final_column": 2,
            "io_final": 2,
        }
        back = load_io_table(store)
    assert back.Z.tolist() == table.Z.tolist() and back.Y.tolist() == table.Y.tolist()
    assert back.x.tolist() == [3.0, 7.0]
    assert (back.regions, back.sectors, back.final_demand) == (
        table.regions,
        table.sectors,
        table.final_demand,
    )


def test_pymrio_table_round_trips_through_the_store(mrio: Path, tmp_path: Path) -> None:
    table = read_io_table(mrio)
    with Store(tmp_path / "t.duckdb") as store:
        store_io_table(store, table)
        store_io_table(store, table)  # a second import replaces the first: no duplicate rows
        counts = {name: t.num_rows for name, t in store.read_io_tables().items()}
        back = load_io_table(store)
    assert counts == {
        "io_industry": 48,
        "io_flow": int(np.count_nonzero(table.Z)),
        "io_final_column": 42,
        "io_final": int(np.count_nonzero(table.Y)),
    }
    np.testing.assert_array_equal(back.Z, table.Z)
    np.testing.assert_array_equal(back.Y, table.Y)
    np.testing.assert_array_equal(back.x, table.x)
    assert (back.regions, back.sectors, back.final_demand) == (
        table.regions,
        table.sectors,
        table.final_demand,
    )


@pytest.fixture(scope="module")
def db(mrio: Path) -> Path:
    """A store holding pymrio's test MRIO, imported with `arsenal import-io --json` (checked)."""
    path = mrio.parent / "twin.duckdb"
    done = arsenal("import-io", str(mrio), "--json", db=path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["regions"], report["sectors"], report["industries"]) == (6, 8, 48)
    assert report["flows"] == 48 * 48 and report["final_demand_columns"] == 42
    assert report["output_per_year"] == pytest.approx(float(read_io_table(mrio).x.sum()), rel=1e-12)
    return path


def test_a_bad_folder_changes_nothing(mrio: Path, db: Path, tmp_path: Path) -> None:
    before = stored(db)
    bad = tmp_path / "bad"
    shutil.copytree(mrio, bad)
    lines = (bad / "Z.txt").read_text().split("\n")
    cells = lines[4].split("\t")
    cells[6] = "abc"  # line 5, column 7 (after region and sector, two header lines and the names line)
    lines[4] = "\t".join(cells)
    (bad / "Z.txt").write_text("\n".join(lines))
    done = arsenal("import-io", str(bad), db=db)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Z.txt:5:7: not a number: 'abc'",
        "import rejected: 1 problem(s); the store is unchanged",
    ]
    assert stored(db) == before


def test_import_io_prints_the_table_size(mrio: Path, tmp_path: Path) -> None:
    done = CliRunner().invoke(app, ["import-io", str(mrio), "--db", str(tmp_path / "t.duckdb")])
    assert done.exit_code == 0, done.output
    assert "6 regions x 8 sectors = 48 industries, 2,304 nonzero flows, 42 final-demand columns" in (
        " ".join(done.output.split())
    )


def test_simulate_io_end_to_end(db: Path, tmp_path: Path) -> None:
    scenario = tmp_path / "strike.yaml"
    scenario.write_text(SCENARIO)
    done = arsenal("simulate-io", str(scenario), "--days", "40", "--json", db=db)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    hit = result["industries"][0]
    assert (hit["region"], hit["sector"], hit["worst_day"]) == ("reg2", "mining", 5)
    assert hit["lowest_ratio"] == pytest.approx(0.5, abs=1e-9)
    assert result["days"] == 40 and result["crashed_on_day"] is None and result["output_lost"] > 0
    assert result["ignored_params"] == ["restore_days"]

    listed = json.loads(arsenal("runs", "--json", db=db).stdout)
    assert result["run_id"] in [r["run_id"] for r in listed]
    with Store(db, read_only=True) as store:
        row = store.run(result["run_id"])
    assert (row["kind"], row["days"], row["scenario_text"]) == ("simulate-io", 40, SCENARIO)
    assert json.loads(row["summary"])["output_lost"] == result["output_lost"]

    done = arsenal("simulate-io", str(scenario), db=db)
    assert done.returncode == 0, done.stderr
    assert "reg2-mining-strike: 60 days by sector, 6 regions x 8 sectors" in done.stdout
    assert "reg2" in done.stdout and "50.0%" in done.stdout
    assert "Ignored: params restore_days belong to the firm-level engine." in done.stdout

    scenario.write_text(
        "name: ban\ndays: 10\nshocks:\n  - type: export_ban\n    from: {region: reg1}\n"
        "    products: {id: prd:x}\n"
    )
    done = arsenal("simulate-io", str(scenario), db=db)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{scenario}:4: export_ban is not supported at industry level"
    assert [r["kind"] for r in stored_runs(db)] == ["simulate-io", "simulate-io"]


def test_help_gives_examples() -> None:
    runner = CliRunner()
    for command, example in (("import-io", "arsenal import-io exiobase/"), ("simulate-io", "--days 180")):
        done = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
        assert done.exit_code == 0 and example in done.output, done.output
