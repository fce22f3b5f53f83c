"""``arsenal mobilize`` end to end in a real process: a plan, its files, a what-if, bad input."""

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from arsenalnet.ingest import import_files
from arsenalnet.store import Store
from factories import TINY, arsenal


@pytest.fixture
def tiny_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tiny twin in a store; the cache folder (the last plan's pointer) inside tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "tiny.duckdb"
    with Store(path) as store:
        import_files(store, sorted(TINY.glob("*.csv")))
    return path


def test_a_plan_its_files_and_a_what_if(tiny_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    done = arsenal(
        "mobilize",
        "--product",
        "prd:shell",
        "--surge",
        "2",
        "--horizon",
        "60",
        "--cold-start",
        "--out",
        str(out),
        "--json",
        db=tiny_db,
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert [s["name"] for s in plan["stages"]] == ["DX", "flow"]
    [item] = plan["end_items"]
    assert item["product_id"] == "prd:shell" and item["required"] == 18000
    assert plan["shortfalls"][0]["chain"][0]["text"] == (
        "tier 0: fac:lap runs out of prd:powder: its suppliers make all they can"
    )
    for name in ("production", "shipments", "am_prints", "deliveries", "stocks", "expansions"):
        assert (out / f"{name}.parquet").exists()
    assert (out / "deliveries.png").stat().st_size > 10_000
    deliveries = pq.read_table(out / "deliveries.parquet")
    assert sum(deliveries["delivered"].to_pylist()) == pytest.approx(item["delivered"])

    more = arsenal("mobilize", "--what-if", "cap fac:powder +20%", "--json")
    assert more.returncode == 0, more.stderr
    changed = json.loads(more.stdout)
    assert changed["plan"] == str(out.resolve())
    assert changed["end_items"][0]["delivered"] > item["delivered"]
    assert (out / "what-if" / "deliveries.parquet").exists()

    text = arsenal("mobilize", "--what-if", "shock fac:powder 100%", "--out", str(out))
    assert text.returncode == 0, text.stderr
    assert "Re-solved in" in text.stdout and "delivered (base)" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--product", "prd:nope"], "unknown product prd:nope (see `arsenal info` for the end items)"),
        (["--product", "prd:shell", "--horizon", "0"], "--horizon must be at least 1 day, got 0"),
        (["--horizon", "10"], "give the end items: --product prd:… (repeatable) or --program all|PROGRAM"),
        (["--program", "prog:nobody"], "--program prog:nobody: no demand row of that program"),
        (
            ["--product", "prd:shell", "--require", "lots of shells"],
            "--require 'lots of shells': write PRODUCT",
        ),
        (
            ["--product", "prd:shell", "--am", "some"],
            "--am must be one of available, enrolled, none, got some",
        ),
        (["--what-if", "cap fac:lap +20%"], "no plan to start the what-if from"),
        (
            ["--product", "prd:shell", "--solver", "gurobi"],
            "--solver must be one of simplex, ipm, pdlp, got gurobi",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tiny_db: Path, args: list[str], message: str) -> None:
    done = arsenal("mobilize", *args, db=tiny_db)
    assert done.returncode == 2
    assert done.stderr.strip().startswith(message.split(" (")[0])
    assert len(done.stderr.strip().splitlines()) == 1


def test_contradictory_requirements_are_named_in_words(tiny_db: Path, tmp_path: Path) -> None:
    """3,000 shells by day 5 need more than 6 days of the plant's 150-200 a day: refused, naming
    the requirement and what it contradicts; nothing is written."""
    out = tmp_path / "never"
    done = arsenal(
        "mobilize",
        "--product",
        "prd:shell",
        "--horizon",
        "30",
        "--require",
        "prd:shell 3000 by 5",
        "--out",
        str(out),
        db=tiny_db,
    )
    assert done.returncode == 2
    assert (
        "infeasible plan (DX): cannot be met together: your requirement of 3,000 prd:shell by day 5"
        in done.stderr
    )
    assert not out.exists()


def test_a_what_if_naming_nothing_is_refused(tiny_db: Path, tmp_path: Path) -> None:
    assert (
        arsenal(
            "mobilize", "--product", "prd:shell", "--horizon", "20", "--out", str(tmp_path / "p"), db=tiny_db
        ).returncode
        == 0
    )
    for text, message in (("", "--what-if names no change"), ("cap fac:x +1%", "fac:x is not a facility")):
        done = arsenal("mobilize", "--what-if", text)
        assert done.returncode == 2 and message in done.stderr


def test_solver_pdlp_and_its_what_ifs(tiny_db: Path, tmp_path: Path) -> None:
    """--solver pdlp: each stage's optimum within 1e-4 of the simplex plan's, the method and its
    tolerance in the summary; a what-if re-solves with pdlp, and naming another method is refused."""
    runs = {}
    for solver in ("simplex", "pdlp"):
        out = tmp_path / solver
        args = ("--product", "prd:shell", "--horizon", "20", "--solver", solver, "--out", str(out))
        done = arsenal("mobilize", *args, "--json", db=tiny_db)
        assert done.returncode == 0, done.stderr
        runs[solver] = json.loads(done.stdout)
    first, exact = runs["pdlp"], runs["simplex"]
    assert (first["method"], first["pdlp_tolerance"], exact["method"]) == ("pdlp", 1e-7, "simplex")
    for f, e in zip(first["stages"], exact["stages"], strict=True):
        assert f["name"] == e["name"]
        assert abs(f["optimum"] - e["optimum"]) <= 1e-4 * max(1.0, abs(e["optimum"]))
    assert json.loads((tmp_path / "pdlp" / "request.json").read_text())["solver"] == "pdlp"

    text = arsenal("mobilize", "--what-if", "cap fac:powder +20%", "--out", str(tmp_path / "pdlp"))
    assert text.returncode == 0, text.stderr
    assert "PDLP, first order and approximate (relative tolerance 1e-07)" in text.stdout

    done = arsenal(
        "mobilize", "--what-if", "cap fac:powder +20%", "--solver", "simplex", "--out", str(tmp_path / "pdlp")
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "--solver simplex: a what-if re-solves with its plan's method (pdlp); "
        "make a new plan with --solver simplex instead"
    )
