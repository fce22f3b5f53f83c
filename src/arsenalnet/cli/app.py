"""The Typer application and the options every command shares."""

from typing import Annotated

import typer

app = typer.Typer(
    name="arsenal",
    help="ArsenalNet: an open National Industrial Digital Twin.\n\n"
    "Start with `arsenal demo`, or `arsenal generate --facilities 100000` then `arsenal info`.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)

DbOption = Annotated[
    str | None,
    typer.Option("--db", help="DuckDB file of the twin (default: $ARSENAL_DB, else ./arsenal.duckdb)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
