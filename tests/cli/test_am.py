"""`arsenal am machines` and `arsenal am activate` as a user runs them, on the AM fixture."""

import json
from pathlib import Path

import pytest

from am_factories import am_twin
from factories import arsenal


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return am_twin(tmp_path_factory.mktemp("am-cli") / "twin.duckdb")


def test_machines_as_a_table_and_as_json(db: Path) -> None:
    done = arsenal("am", "machines", "--status", "available", db=db)
    assert done.returncode == 0, done.stderr
    assert "4 machines at 2 sites" in done.stdout and "Machines by process" in done.stdout
    assert "250 x 250 x 325" in done.stdout and "powder bed fusion, laser beam" in done.stdout
    listing = json.loads(arsenal("am", "machines", "--process", "PBF-LB", "--json", db=db).stdout)
    assert [m["machine_id"] for m in listing["machines"]] == ["am:forge-1", "am:forge-2", "am:forge-3"]
    assert listing["by_process"] == {"PBF-LB": {"enrolled": 0, "available": 2, "busy": 1}}


def test_activate_prints_each_machines_schedule(db: Path, tmp_path: Path) -> None:
    plot = tmp_path / "jobs.png"
    done = arsenal(
        "am", "activate", "--product", "prd:fuze-housing", "--qty", "100", "--plot", str(plot), db=db
    )
    assert done.returncode == 0, done.stderr
    assert (
        "100 units on 3 of 3 qualified available machines at 2 sites, all finished by day 7.00" in done.stdout
    )
    assert "am:lap-1" in done.stdout and "am:forge-3" not in done.stdout
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_activate_with_a_deadline(db: Path) -> None:
    met = arsenal(
        "am", "activate", "--product", "prd:fuze-housing", "--qty", "100", "--by", "10", "--json", db=db
    )
    a = json.loads(met.stdout)
    assert (a["finish_day"], a["deadline_met"], [j["machine_id"] for j in a["jobs"]]) == (
        8.5,
        True,
        ["am:lap-1"],
    )
    late = arsenal("am", "activate", "--product", "prd:fuze-housing", "--qty", "100", "--by", "5", db=db)
    assert late.returncode == 0, late.stderr
    assert (
        "cannot be met by day 5: 20 of 100 units by then; all of them by day 7.00 at the earliest"
        in late.stdout
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("activate", "--product", "prd:nothing", "--qty", "5"), "unknown product 'prd:nothing'"),
        (("activate", "--product", "prd:fuze-housing", "--qty", "0"), "qty must be at least 1 unit, got 0"),
        (("activate", "--product", "prd:fuze-housing", "--qty", "5", "--by", "-1"), "by must be a day >= 0"),
        (
            ("activate", "--product", "prd:shell", "--qty", "5"),
            "prd:shell has no qualified facility or machine",
        ),
        (("activate", "--product", "prd:body", "--qty", "5"), "none available (1 enrolled)"),
        (("machines", "--process", "SLS"), "unknown process 'SLS': use one of PBF-LB"),
        (("machines", "--material", "unobtainium"), "no enrolled machine prints material 'unobtainium'"),
        (("machines", "--status", "idle"), "unknown status 'idle'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(db: Path, args: tuple[str, ...], message: str) -> None:
    done = arsenal("am", *args, db=db)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stdout == ""
