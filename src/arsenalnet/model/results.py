"""Tables of results the store keeps beside the twin (not imported, not exported).

The first is ``run``: one row per recorded simulation, with the scenario text,
seed, code version and summary, so runs can be listed and compared.
"""

from arsenalnet.model.schema import Column, ColumnType, Table
from arsenalnet.model.tables import ID_PATTERN

RUN = Table(
    "run",
    "A recorded run of an engine (arsenal simulate): what ran, on what, and its summary.",
    (
        Column("run_id", ColumnType.STR, "id of the run", pattern=ID_PATTERN),
        Column("created_at", ColumnType.STR, "when it ran, UTC, ISO 8601"),
        Column("kind", ColumnType.STR, "what ran", choices=("simulate",)),
        Column("scenario_name", ColumnType.STR, "the scenario's name"),
        Column("scenario_text", ColumnType.STR, "the scenario file, as given"),
        Column("days", ColumnType.INT, "days simulated", unit="days", minimum=1),
        Column("seed", ColumnType.INT, "random seed, where the run draws any", nullable=True),
        Column("code_version", ColumnType.STR, "arsenalnet version that ran it"),
        Column("summary", ColumnType.STR, "the run's summary, JSON"),
        Column("out_dir", ColumnType.STR, "folder its files were written to", nullable=True),
    ),
    key=("run_id",),
    since=3,
)

RESULT_ORDER: tuple[str, ...] = ("run",)
RESULT_TABLES: dict[str, Table] = {"run": RUN}
