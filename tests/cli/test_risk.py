"""`arsenal risk` as a user runs it, on the hand-checked rocket twin (tests/risk/test_report.py)."""

import json
from pathlib import Path

import pytest

from factories import arsenal


def test_one_end_item_as_json(rocket_db: Path) -> None:
    done = arsenal("risk", "prd:rocket", "--json", db=rocket_db)
    assert done.returncode == 0, done.stderr
    r = json.loads(done.stdout)
    assert r["product_id"] == "prd:rocket" and r["priority"] == "DX"
    assert r["foreign_adversary_share"] == pytest.approx(1 / 6)
    assert [c["facility_id"] for c in r["criticality"]][:3] == ["fac:e", "fac:a", "fac:m"]
    assert {f["facility_id"]: f["tts_days"] for f in r["facilities"]}["fac:b1"] is None  # unbounded


def test_every_program_with_tables_and_an_html_page(rocket_db: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    done = arsenal("risk", "--program", "all", "--top", "2", "--html", str(page), db=rocket_db)
    assert done.returncode == 0, done.stderr
    for title in ("Single points of failure", "Foreign exposure by tier", "Criticality", "Common-mode cyber"):
        assert title in done.stdout
    text = page.read_text()
    assert text.startswith("<!doctype html>") and "prd:rocket" in text
    assert "<script src=" not in text and "<link" not in text  # plotly.js inlined: works offline
    assert text.count("plotly-graph-div") == 2  # the map and the bars


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give one end item (arsenal risk prd:…) or --program all"),
        (("prd:nothing",), "unknown end item 'prd:nothing'"),
        (("prd:steel",), "prd:steel has no upstream network"),
        (("prd:rocket", "--html", "/no-dir/r.html"), "--html /no-dir/r.html: not a file in"),
    ],
)
def test_bad_requests_get_one_line_and_exit_2(rocket_db: Path, args: tuple[str, ...], message: str) -> None:
    done = arsenal("risk", *args, db=rocket_db)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message)
