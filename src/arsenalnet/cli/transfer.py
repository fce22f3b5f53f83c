"""Moving data in and out: ``import``, ``export``."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from arsenalnet.cli.app import DbOption, JsonOption, app
from arsenalnet.cli.output import console, print_json, progress
from arsenalnet.ingest import ImportReport, import_files
from arsenalnet.store import Store


class ExportFormat(StrEnum):
    """Formats ``arsenal export`` writes."""

    PARQUET = "parquet"
    CSV = "csv"


def render_import(report: ImportReport) -> None:
    """Print inserted/updated/unchanged per table."""
    t = Table(title="Imported (one transaction)")
    for col in ("table", "inserted", "updated", "unchanged"):
        t.add_column(col, justify="left" if col == "table" else "right")
    for name, c in report.counts.items():
        t.add_row(name, f"{c.inserted:,}", f"{c.updated:,}", f"{c.unchanged:,}")
    console.print(t)


@app.command("import")
def import_cmd(
    paths: Annotated[list[Path], typer.Argument(help="CSV, Parquet or JSON Lines files, one table each.")],
    table: Annotated[
        str | None,
        typer.Option("--table", help="Table all files hold (default: from each file name)."),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Validate files and import them all or nothing.

    The table is named by the file name (`supply_link.csv`) or `--table`. Every
    problem is listed as `file:line:column: reason` and nothing is written
    (exit 2). Rows whose key exists are updated.

    Examples: `arsenal import facility.csv capability.parquet`,
    `arsenal import links.jsonl --table supply_link`
    """
    with Store(db) as store, progress("importing", steps=len(paths) + 2, quiet=json) as step:
        report = import_files(store, paths, table, progress=step)
    if json:
        print_json(
            {
                name: {"inserted": c.inserted, "updated": c.updated, "unchanged": c.unchanged}
                for name, c in report.counts.items()
            }
        )
    else:
        render_import(report)


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="Folder to write one file per table into.")],
    format: Annotated[ExportFormat, typer.Option("--format", help="File format.")] = ExportFormat.PARQUET,
    db: DbOption = None,
) -> None:
    """Write every table of the twin to DIR as Parquet or CSV (re-importable with `arsenal import`).

    Examples: `arsenal export out/ --format csv`
    """
    with Store(db, read_only=True) as store, progress("exporting") as step:
        step(str(directory))
        paths = store.export(directory, format.value)
    console.print(f"wrote {len(paths)} files to {directory}")
