"""The arsenal command as a user runs it: real processes, exit codes, one-line errors."""

import json
import subprocess
from pathlib import Path

import pytest

from arsenalnet.model import TABLE_ORDER
from factories import arsenal


@pytest.fixture(scope="module")
def twin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("cli") / "twin.duckdb"
    done = arsenal("generate", "--facilities", "2000", "--seed", "3", db=db)
    assert done.returncode == 0, done.stderr
    assert "generated" in done.stdout
    return db


def assert_one_line_error(done: subprocess.CompletedProcess[str], code: int, pattern: str) -> None:
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert pattern in lines[0]


def test_info_json_counts(twin: Path) -> None:
    done = arsenal("info", "--json", db=twin)
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["counts"]["facility"] > 2000  # generic plus reference plants
    assert info["counts"]["country_group"] == 91
    items = {e["product_id"]: e["priority"] for e in info["end_items"]}
    assert items == {"prd:155mm-shell": "DX", "prd:guided-missile": "DX", "prd:small-uas": "DO"}


def test_trace_json_finds_the_foreign_sole_source_of_tnt(twin: Path) -> None:
    done = arsenal("trace", "prd:155mm-shell", "--up", "--depth", "1", "--json", db=twin)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["tiers"]) == 2
    tnt = [n for n in report["tiers"][1]["nodes"] if n["product_id"] == "prd:explosive-fill-tnt"]
    assert [(n["country"], n["sole_sourced"]) for n in tnt] == [("POL", True)]


def test_trace_table_output_and_downstream(twin: Path) -> None:
    done = arsenal("trace", "fac:ref-ap-ut", "--down", db=twin)
    assert done.returncode == 0, done.stderr
    assert "Customers of facility fac:ref-ap-ut" in done.stdout
    assert "prd:guided-missile" in done.stdout


def test_query_is_read_only_and_prints_csv(twin: Path) -> None:
    done = arsenal(
        "query", "SELECT iso3 FROM country_group WHERE \"group\" = 'FIVE_EYES' ORDER BY 1", "--csv", db=twin
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['"iso3"', '"AUS"', '"CAN"', '"GBR"', '"NZL"', '"USA"']
    assert_one_line_error(arsenal("query", "DELETE FROM facility", db=twin), 2, "query refused")


def test_export_import_round_trip_through_the_cli(twin: Path, tmp_path: Path) -> None:
    assert arsenal("export", str(tmp_path / "out"), "--format", "csv", db=twin).returncode == 0
    files = sorted(str(p) for p in (tmp_path / "out").glob("*.csv"))
    assert len(files) == len(TABLE_ORDER)
    done = arsenal("import", *files, "--json", db=tmp_path / "copy.duckdb")
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout)
    original = json.loads(arsenal("info", "--json", db=twin).stdout)["counts"]
    assert {t: c["inserted"] + c["unchanged"] for t, c in counts.items()} == original


def test_generate_refuses_to_overwrite_without_replace(twin: Path) -> None:
    assert_one_line_error(arsenal("generate", "--facilities", "1000", db=twin), 2, "pass --replace")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("info",), 1, "no store at"),
        (("generate", "--facilities", "10"), 2, "--facilities must be between 1,000 and 2,000,000"),
        (("trace", "prd:nope"), 2, "unknown id 'prd:nope'"),
    ],
)
def test_errors_are_one_line(
    tmp_path: Path, twin: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    db = twin if args[0] == "trace" else tmp_path / "missing.duckdb"
    assert_one_line_error(arsenal(*args, db=db), code, message)


def test_usage_errors_exit_2_without_traceback() -> None:
    done = arsenal("bogus")
    assert done.returncode == 2
    assert "No such command" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", ["demo", "generate", "import", "export", "info", "trace", "query"])
def test_every_command_has_help_with_examples(command: str) -> None:
    done = arsenal(command, "--help")
    assert done.returncode == 0
    assert "Example" in done.stdout


def test_demo_prints_the_twin_and_the_three_supplier_trees(tmp_path: Path) -> None:
    done = arsenal("demo", "--facilities", "1000", db=tmp_path / "demo.duckdb")
    assert done.returncode == 0, done.stderr
    for pid in ("prd:155mm-shell", "prd:guided-missile", "prd:small-uas"):
        assert f"Supplier tree of {pid}" in done.stdout
        assert f"{pid}: " in done.stdout and "upstream facilities over" in done.stdout  # its exposure
    assert "What the twin holds" in done.stdout
    assert "Where the reference end items are fragile" in done.stdout
