"""`arsenal simulate` and `arsenal runs` as a user runs them."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from factories import arsenal

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sim") / "twin.duckdb"
    assert arsenal("generate", "--facilities", "2000", "--seed", "5", db=path).returncode == 0
    return path


def test_simulate_writes_files_and_records_the_run(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "surge"
    done = arsenal(
        "simulate", str(SCENARIOS / "155mm-surge.yaml"), "--days", "60", "--out", str(out), "--json", db=db
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    shell = next(i for i in summary["end_items"] if i["product_id"] == "prd:155mm-shell")
    assert shell["priority"] == "DX" and len(shell["met"]) == 60
    assert shell["worst_share"] < 0.75  # tripled demand cannot be met from normal capacity
    assert shell["lost"] > 0
    series = pq.read_table(out / "series.parquet")
    assert series.num_rows > 0
    assert set(series.column_names) == {"day", "facility_id", "product_id", "production", "baseline", "ratio"}
    assert (out / "fulfillment.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    listed = json.loads(arsenal("runs", "--json", db=db).stdout)
    assert summary["run_id"] in [r["run_id"] for r in listed]
    shown = json.loads(arsenal("runs", "show", summary["run_id"][:15], "--json", db=db).stdout)
    assert shown["scenario_text"] == (SCENARIOS / "155mm-surge.yaml").read_text()
    assert shown["days"] == 60


def test_compare_two_runs(db: Path, tmp_path: Path) -> None:
    ids = []
    for name in ("ics-cyberattack.yaml", "155mm-surge.yaml"):
        done = arsenal(
            "simulate", str(SCENARIOS / name), "--days", "30", "--out", str(tmp_path / name), "--json", db=db
        )
        assert done.returncode == 0, done.stderr
        ids.append(json.loads(done.stdout)["run_id"])
    done = arsenal("runs", "compare", ids[0], ids[1], "--json", db=db)
    assert done.returncode == 0, done.stderr
    rows = {r["product_id"]: r for r in json.loads(done.stdout)["end_items"]}
    assert rows["prd:155mm-shell"]["lost_b"] > rows["prd:155mm-shell"]["lost_a"] >= 0
    table = arsenal("runs", "compare", ids[0], ids[1], db=db)
    assert "(ics-cyberattack)" in table.stdout and "prd:155mm-shell" in table.stdout


def test_bad_scenario_and_unknown_run_are_one_line(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ndays: 10\nshocks:\n  - type: capacity_los\n")
    done = arsenal("simulate", str(bad), db=db)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert next(ln for ln in done.stderr.splitlines() if ln.strip()).startswith(f"{bad}:4:")
    done = arsenal("runs", "show", "nope", db=db)
    assert done.returncode == 2 and "no run has id 'nope'" in done.stderr


def test_an_out_that_holds_something_is_refused_before_any_work(db: Path, tmp_path: Path) -> None:
    """Another run's folder, or a file: one line, exit 2, the folder as it was, no run recorded."""
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "summary.json").write_text("{}")
    (tmp_path / "file").write_text("x")
    before = json.loads(arsenal("runs", "--json", db=db).stdout)
    for out in (taken, tmp_path / "file"):
        done = arsenal(
            "simulate", str(SCENARIOS / "155mm-surge.yaml"), "--days", "5", "--out", str(out), db=db
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip() == f"--out {out}: exists and is not an empty folder; give another"
    assert [p.name for p in taken.iterdir()] == ["summary.json"] and (
        taken / "summary.json"
    ).read_text() == "{}"
    assert json.loads(arsenal("runs", "--json", db=db).stdout) == before


def test_runs_of_different_kinds_are_not_compared(db: Path, tmp_path: Path) -> None:
    swept = arsenal(
        "sweep", str(SCENARIOS / "pacific-conflict.yaml"), "--runs", "2", "--days", "5",
        "--out", str(tmp_path / "sw"), "--json", db=db,
    )  # fmt: skip
    assert swept.returncode == 0, swept.stderr
    done = arsenal(
        "simulate",
        str(SCENARIOS / "155mm-surge.yaml"),
        "--days",
        "5",
        "--out",
        str(tmp_path / "s"),
        "--json",
        db=db,
    )
    assert done.returncode == 0, done.stderr
    a, b = json.loads(swept.stdout)["run_id"], json.loads(done.stdout)["run_id"]
    refused = arsenal("runs", "compare", a, b, db=db)
    assert refused.returncode == 2
    assert (
        refused.stderr.strip() == f"run {a} is a sweep run and {b} a simulate run: compare runs of one kind"
    )
