"""A corpus of deliberately bad input files, each pinned to where its first problem is reported.

Every case in ``tests/fixtures/bad/<case>/`` is imported (all files of the
folder, in name order) into a store that already holds the tiny twin of
``tests/fixtures/tiny``. ``tests/fixtures/bad/cases.csv`` gives, per case, the
file, line and column of the first problem, a regular expression its reason
must match and the total number of problems. A rejected import must leave
every table exactly as it was.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from arsenalnet.ingest import ImportRejected, import_files
from arsenalnet.store import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BAD = FIXTURES / "bad"
TINY = sorted((FIXTURES / "tiny").glob("*.csv"))
ARSENAL = Path(sys.executable).with_name("arsenal")


@dataclass(frozen=True)
class Case:
    """One row of ``cases.csv``."""

    case: str
    file: str
    table: str | None
    line: int
    column: int
    reason_regex: str
    total: int | None

    @property
    def folder(self) -> Path:
        return BAD / self.case

    def files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_file())


def load_cases() -> list[Case]:
    with (BAD / "cases.csv").open(newline="", encoding="utf-8") as f:
        return [
            Case(
                r["case"],
                r["file"],
                r["table"] or None,
                int(r["line"]),
                int(r["column"]),
                r["reason_regex"],
                int(r["total"]) if r.get("total") else None,
            )
            for r in csv.DictReader(f)
        ]


CASES = load_cases()


def same_tables(a: dict[str, pa.Table], b: dict[str, pa.Table]) -> bool:
    return a.keys() == b.keys() and all(a[k].equals(b[k]) for k in a)


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, pa.Table]]:
    """A closed store file holding the tiny twin, and its tables."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.duckdb"
    with Store(path) as store:
        import_files(store, TINY)
        tables = store.read_tables()
    return path, tables


@pytest.fixture
def tiny_store(tmp_path: Path, tiny_db: tuple[Path, dict[str, pa.Table]]) -> Iterator[Store]:
    path = tmp_path / "store.duckdb"
    shutil.copyfile(tiny_db[0], path)
    store = Store(path)
    yield store
    store.close()


def test_corpus_is_complete() -> None:
    """Every folder has a manifest row, every row a folder; at least 35 cases."""
    folders = {p.name for p in BAD.iterdir() if p.is_dir()}
    named = {c.case for c in CASES}
    assert folders == named
    assert len(named) == len(CASES) >= 35
    for c in CASES:
        assert (c.folder / c.file).is_file(), c


@pytest.mark.parametrize("case", CASES, ids=[c.case for c in CASES])
def test_bad_case(case: Case, tiny_store: Store, tiny_db: tuple[Path, dict[str, pa.Table]]) -> None:
    before = tiny_store.read_tables()
    assert same_tables(before, tiny_db[1])
    with pytest.raises(ImportRejected) as info:
        import_files(tiny_store, case.files(), table=case.table)
    problems = info.value.problems
    assert problems, "rejected without a problem"
    first = problems[0]
    got = (Path(first.file).name, first.line, first.column)
    assert got == (case.file, case.line, case.column), str(first)
    assert Path(first.file) == case.folder / case.file
    assert re.search(case.reason_regex, first.reason), str(first)
    assert str(first) == f"{first.file}:{first.line}:{first.column}: {first.reason}"
    if case.total is not None:
        assert info.value.total == case.total, [str(p) for p in problems]
    assert same_tables(tiny_store.read_tables(), before)


# --- files that look odd but are fine


def test_header_only_file_is_not_bad(tiny_store: Store, tmp_path: Path) -> None:
    before = tiny_store.read_tables()
    path = tmp_path / "supply_link.csv"
    path.write_text("supplier_id,buyer_id,product_id,share,lead_time_days,mode\n")
    report = import_files(tiny_store, [path])
    assert report.rows == 0
    assert report.counts["supply_link"].rows == 0
    assert same_tables(tiny_store.read_tables(), before)


def test_utf8_bom_at_file_start_is_fine(tiny_store: Store, tmp_path: Path) -> None:
    path = tmp_path / "organization.csv"
    path.write_bytes(
        b"\xef\xbb\xbforg_id,name,country,size_class,uei,cage\n" + "org:cafe,Café Co,FRA,small,,\n".encode()
    )
    report = import_files(tiny_store, [path])
    assert report.counts["organization"].inserted == 1
    orgs = tiny_store.read_table("organization").to_pylist()
    assert {
        "org_id": "org:cafe",
        "name": "Café Co",
        "country": "FRA",
        "size_class": "small",
        "uei": None,
        "cage": None,
    } in orgs


# --- many problems: 50 shown, all counted

HEADER = "facility_id,product_id,capacity_per_day,utilization,inventory_days,ramp_days"


def many_bad_rows(path: Path, n: int) -> Path:
    """``n`` capability rows, each with one bad utilization (line i + 1, column 4)."""
    rows = [f"fac:mine,prd:p{i:03d},1,{1 + (i + 1) / 1000},1,1" for i in range(n)]
    # the products exist so that the only problem per row is the utilization
    products = ["product_id,name,kind,unit,hs_code,naics,critical_mineral"]
    products += [f"prd:p{i:03d},P{i},part,each,,," for i in range(n)]
    (path.parent / "product.csv").write_text("\n".join(products) + "\n")
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    return path


def test_problem_list_stops_at_50_with_total(tiny_store: Store, tmp_path: Path) -> None:
    before = tiny_store.read_tables()
    bad = many_bad_rows(tmp_path / "capability.csv", 120)
    with pytest.raises(ImportRejected) as info:
        import_files(tiny_store, [tmp_path / "product.csv", bad])
    e = info.value
    assert len(e.problems) == 50
    assert e.total == 120
    assert [(p.line, p.column) for p in e.problems] == [(i, 4) for i in range(2, 52)]
    assert all(p.reason.startswith("utilization: must be in [0, 1]") for p in e.problems)
    text = e.diagnostics().splitlines()
    assert text[50] == "… and 70 more problems"
    assert "120 problem(s)" in text[-1]
    assert same_tables(tiny_store.read_tables(), before)


# --- the command line


def test_cli_import_bad_file_exits_2_without_traceback(
    tiny_db: tuple[Path, dict[str, pa.Table]], tmp_path: Path
) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(tiny_db[0], db)
    bad = BAD / "share_above_one" / "supply_link.csv"
    many = many_bad_rows(tmp_path / "capability.csv", 60)
    env = {k: v for k, v in os.environ.items() if k not in ("ARSENAL_DEBUG", "ARSENAL_DB")}
    env["COLUMNS"] = "80"
    proc = subprocess.run(
        [str(ARSENAL), "import", str(tmp_path / "product.csv"), str(many), str(bad), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    located = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<reason>.+)$")
    lines = [m for ln in proc.stderr.splitlines() if (m := located.match(ln))]
    assert len(lines) == 50, proc.stderr
    assert lines[0].group("file") == str(many)
    assert (lines[0].group("line"), lines[0].group("col")) == ("2", "4")
    assert f"{bad}:3:4: share: must be in (0, 1], got '1.5'" not in proc.stderr  # 51st of 61
    assert "… and 11 more problems" in proc.stderr
    assert "61 problem(s)" in proc.stderr
    with Store(db) as store:
        assert same_tables(store.read_tables(), tiny_db[1])


def test_cli_import_single_bad_file(tiny_db: tuple[Path, dict[str, pa.Table]], tmp_path: Path) -> None:
    db = tmp_path / "cli.duckdb"
    shutil.copyfile(tiny_db[0], db)
    bad = BAD / "share_above_one" / "supply_link.csv"
    env = {k: v for k, v in os.environ.items() if k not in ("ARSENAL_DEBUG", "ARSENAL_DB")}
    env["COLUMNS"] = "60"
    proc = subprocess.run(
        [str(ARSENAL), "import", str(bad), "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert f"{bad}:3:4: share: must be in (0, 1], got '1.5'\n" in proc.stderr
    with Store(db) as store:
        assert same_tables(store.read_tables(), tiny_db[1])
