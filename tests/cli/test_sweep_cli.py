"""`arsenal sweep` as a user runs it: files, the run table, a replayed draw, bad input."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from arsenalnet.store import Store
from factories import arsenal

PACIFIC = Path(__file__).resolve().parents[2] / "scenarios" / "pacific-conflict.yaml"
FILES = {"draws.parquet", "daily.parquet", "critical_path.parquet", "summary.json", "fulfillment_bands.png"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sweep") / "twin.duckdb"
    assert arsenal("generate", "--facilities", "2000", "--seed", "5", db=path).returncode == 0
    return path


@pytest.fixture(scope="module")
def swept(db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], Path]:
    out = tmp_path_factory.mktemp("out") / "pacific"
    done = arsenal("sweep", str(PACIFIC), "--runs", "60", "--seed", "4", "--out", str(out), "--json", db=db)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), out


def test_sweep_writes_its_files_and_records_the_run(db: Path, swept: tuple[dict[str, object], Path]) -> None:
    summary, out = swept
    assert {p.name for p in out.iterdir()} == FILES
    assert summary["runs"] == 60 and summary["seed"] == 4 and summary["simulated"] == "cone"
    items = summary["end_items"]
    assert isinstance(items, list) and len(items) == 3
    for item in items:
        bands = zip(item["p5"], item["p50"], item["p95"], strict=True)
        assert len(item["p50"]) == 180 and all(a <= b <= c for a, b, c in bands)
        assert item["lost_ci"][0] <= item["lost"] <= item["lost_ci"][1]
    draws = pq.read_table(out / "draws.parquet")
    assert draws.num_rows == 60 * len(items)
    assert set(draws.column_names) == {
        "draw",
        "seed",
        "product_id",
        "demanded",
        "delivered",
        "lost",
        "worst_share",
        "events",
    }
    daily = pq.read_table(out / "daily.parquet")
    assert daily.num_rows == 60 * len(items) * 180
    critical = pq.read_table(out / "critical_path.parquet")
    assert set(critical.column_names) == {"draw", "product_id", "facility_id", "root"}
    assert (out / "fulfillment_bands.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = json.loads((out / "summary.json").read_text())
    assert written == {k: v for k, v in summary.items() if k not in ("run_id", "out_dir")}
    shown = json.loads(arsenal("runs", "show", str(summary["run_id"]), "--json", db=db).stdout)
    assert shown["kind"] == "sweep" and shown["seed"] == 4 and shown["out_dir"] == str(out)
    assert shown["summary"]["end_items"] == items
    listed = arsenal("runs", db=db)
    assert listed.returncode == 0 and "pacific-conflict" in listed.stdout


def test_a_replayed_draw_is_the_sweeps_draw(
    db: Path, swept: tuple[dict[str, object], Path], tmp_path: Path
) -> None:
    """The draw that lost most, run alone on the whole twin: the same units lost per end item."""
    _, out = swept
    draws = pq.read_table(out / "draws.parquet").to_pandas()
    worst = draws.groupby("draw")["lost"].sum().idxmax()
    assert draws["lost"].sum() > 0  # some draw lost something
    out_r = tmp_path / "r"
    done = arsenal(
        "sweep", str(PACIFIC), "--replay", str(worst), "--seed", "4", "--out", str(out_r), "--json", db=db
    )
    assert done.returncode == 0, done.stderr
    replay = json.loads(done.stdout)
    assert replay["draw"] == worst and (tmp_path / "r" / "series.parquet").exists()
    mine = draws[draws["draw"] == worst].set_index("product_id")["lost"]
    for item in replay["end_items"]:
        assert item["lost"] == pytest.approx(mine[item["product_id"]], rel=1e-9, abs=1e-6)
    shown = json.loads(arsenal("runs", "show", replay["run_id"], "--json", db=db).stdout)
    assert shown["kind"] == "simulate"
    assert shown["scenario_name"] == f"pacific-conflict (draw {worst}, seed 4)"


def test_simulate_refuses_a_scenario_that_draws(db: Path) -> None:
    done = arsenal("simulate", str(PACIFIC), db=db)
    assert done.returncode == 2
    reason = "this scenario draws at random: run it with `arsenal sweep`"
    assert done.stderr.strip().startswith(f"{PACIFIC}:28: {reason}")


def _count_runs(db: Path) -> int:
    with Store(db, read_only=True) as store:
        return store.runs().num_rows


BAD_BETA = (
    "name: b\ndays: 5\nshocks:\n  - type: link_cut\n    mode: sea\n    fraction: {beta: {a: 0, b: 1}}\n"
)
UNKNOWN_COUNTRY = (
    "name: b\ndays: 5\nshocks:\n  - type: capacity_loss\n    facilities: {country: USA}\n    fraction: 1\n"
    "    probability: [{facilities: {country: XYZ}, p: 0.5}]\n"
)


@pytest.mark.parametrize(
    ("args", "file", "message"),
    [
        (["--runs", "0"], None, "--runs must be an integer >= 1, got 0"),
        (["--workers", "0"], None, "--workers must be an integer >= 1, got 0"),
        (["--replay", "-1"], None, "--replay must be a draw index >= 0, got -1"),
        (["--ray", "127.0.0.1:1"], None, "cannot reach the Ray cluster at 127.0.0.1:1: Connection refused"),
        ([], BAD_BETA, "{file}:6: beta a must be a number > 0, got 0"),
        ([], UNKNOWN_COUNTRY, "{file}:7: unknown country 'XYZ'"),
    ],
    ids=["runs", "workers", "replay", "ray", "beta", "country"],
)
def test_bad_input_is_one_line_and_writes_nothing(
    db: Path, tmp_path: Path, args: list[str], file: str | None, message: str
) -> None:
    scenario = PACIFIC
    if file is not None:
        scenario = tmp_path / "bad.yaml"
        scenario.write_text(file)
    before = _count_runs(db)
    out = tmp_path / "out"
    done = arsenal("sweep", str(scenario), "--runs", "5", *args, "--out", str(out), db=db)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == message.format(file=scenario)
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == (["bad.yaml"] if file else [])
    assert _count_runs(db) == before


def test_an_out_folder_that_is_not_a_runs_is_kept(db: Path, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me")
    done = arsenal("sweep", str(PACIFIC), "--runs", "2", "--out", str(tmp_path), db=db)
    assert done.returncode == 2
    reason = "exists and is not the folder of an earlier run; give another"
    assert done.stderr.strip() == f"--out {tmp_path}: {reason}"
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]
