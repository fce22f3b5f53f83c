"""Tables the store keeps beside the twin (not imported, not exported with it).

``run``: one row per recorded simulation, with the scenario text, seed, code
version and summary, so runs can be listed and compared.

The input-output table (``arsenal import-io``, schema version 4): a multi-regional
table as pymrio writes it, with ``n = regions x sectors`` industries in region-major
order. ``io_industry`` holds one row per industry and its gross output ``x``,
``io_flow`` the nonzero cells of ``Z``, ``io_final_column`` the columns of ``Y`` and
``io_final`` its nonzero cells. Money is in the table's own monetary unit (pymrio
does not say which; EXIOBASE: million EUR, BEA: million USD), per year. The store
holds at most one input-output table; importing another replaces it whole.
"""

from arsenalnet.model.schema import Column, ColumnType, ForeignKey, Table
from arsenalnet.model.tables import ID_PATTERN

S, INT, F = ColumnType.STR, ColumnType.INT, ColumnType.FLOAT
MONEY_PER_YEAR = "money/year"
"""The unit of every flow of the input-output table: the table's monetary unit per year."""

RUN = Table(
    "run",
    "A recorded run of an engine (arsenal simulate, arsenal simulate-io, arsenal sweep): what "
    "ran, on what, and its summary.",
    (
        Column("run_id", S, "id of the run", pattern=ID_PATTERN),
        Column("created_at", S, "when it ran, UTC, ISO 8601"),
        Column(
            "kind",
            S,
            "what ran: the firm-level engine (simulate), the industry-level one (simulate-io), "
            "or a Monte Carlo sweep of the firm-level engine (sweep)",
            choices=("simulate", "simulate-io", "sweep"),
        ),
        Column("scenario_name", S, "the scenario's name"),
        Column("scenario_text", S, "the scenario file, as given"),
        Column("days", INT, "days simulated", unit="days", minimum=1),
        Column("seed", INT, "random seed, where the run draws any", nullable=True),
        Column("code_version", S, "arsenalnet version that ran it"),
        Column("summary", S, "the run's summary, JSON"),
        Column("out_dir", S, "folder its files were written to", nullable=True),
    ),
    key=("run_id",),
    since=3,
    rebuilt=(4, 10),  # version 4 allowed kind 'simulate-io', version 10 'sweep'
)

IO_INDUSTRY = Table(
    "io_industry",
    "An industry (region, sector) of the stored input-output table (arsenal import-io), "
    "with its gross output x.",
    (
        Column("idx", INT, "row of the table, 0-based, region-major", minimum=0),
        Column("region", S, "region name, as in the table"),
        Column("sector", S, "sector name, as in the table"),
        Column("output_per_year", F, "gross output x", unit=MONEY_PER_YEAR, minimum=0),
    ),
    key=("idx",),
    since=4,
)

IO_FLOW = Table(
    "io_flow",
    "A nonzero intermediate flow Z[from, to] of the stored input-output table: what industry "
    "from_idx sells to industry to_idx.",
    (
        Column("from_idx", INT, "selling industry (io_industry.idx)", minimum=0),
        Column("to_idx", INT, "buying industry (io_industry.idx)", minimum=0),
        Column("value_per_year", F, "the flow", unit=MONEY_PER_YEAR, minimum=0, min_exclusive=True),
    ),
    key=("from_idx", "to_idx"),
    foreign_keys=(
        ForeignKey(("from_idx",), "io_industry", ("idx",)),
        ForeignKey(("to_idx",), "io_industry", ("idx",)),
    ),
    since=4,
)

IO_FINAL_COLUMN = Table(
    "io_final_column",
    "A column of the final demand Y of the stored input-output table: who buys (a region) "
    "and what for (a category: households, government, investment, ...).",
    (
        Column("col", INT, "column of Y, 0-based", minimum=0),
        Column("region", S, "buying region (the first header row); none for a one-row header", nullable=True),
        Column("category", S, "final-demand category (the other header rows, joined by ' | ')"),
    ),
    key=("col",),
    since=4,
)

IO_FINAL = Table(
    "io_final",
    "A nonzero final-demand cell Y[idx, col] of the stored input-output table.",
    (
        Column("idx", INT, "selling industry (io_industry.idx)", minimum=0),
        Column("col", INT, "final-demand column (io_final_column.col)", minimum=0),
        Column("value_per_year", F, "final demand", unit=MONEY_PER_YEAR, minimum=0, min_exclusive=True),
    ),
    key=("idx", "col"),
    foreign_keys=(
        ForeignKey(("idx",), "io_industry", ("idx",)),
        ForeignKey(("col",), "io_final_column", ("col",)),
    ),
    since=4,
)

IO_ORDER: tuple[str, ...] = ("io_industry", "io_flow", "io_final_column", "io_final")
"""The input-output tables, in foreign-key order."""

RESULT_ORDER: tuple[str, ...] = ("run", *IO_ORDER)
RESULT_TABLES: dict[str, Table] = {t.name: t for t in (RUN, IO_INDUSTRY, IO_FLOW, IO_FINAL_COLUMN, IO_FINAL)}
