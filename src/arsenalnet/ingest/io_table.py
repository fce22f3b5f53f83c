"""Read a multi-regional input-output table saved by pymrio (``IOSystem.save`` / ``save_all``).

A pymrio folder holds ``file_parameters.json`` naming each table's file and how many
index columns and header rows it has, and the tables themselves: ``Z`` (intermediate
flows), ``Y`` (final demand) and ``x`` (gross output), as tab-separated text (pymrio's
``txt`` format, saved as ``.txt`` or ``.csv``) or Parquet. Other files (``A``, ``L``,
extensions) are ignored. Without ``file_parameters.json`` the files ``Z``, ``Y`` and
``x`` with the extension ``.txt``, ``.csv`` or ``.parquet`` are read with pymrio's
layout: two index columns (region, sector), two header rows for ``Z`` and ``Y``, one
for ``x``.

Everything wrong is reported at once as :class:`ImportRejected`, each problem with its
file, 1-based line (the physical line of a text file, the row of a Parquet file) and
1-based column.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from arsenalnet.ingest.problems import ImportRejected, Problem

FloatArray = npt.NDArray[np.float64]

PARAMETERS_FILE = "file_parameters.json"
TABLES = ("Z", "Y", "x")
DEFAULT_LAYOUT = {"Z": (2, 2), "Y": (2, 2), "x": (2, 1)}
"""Index columns and header rows of each table when there is no ``file_parameters.json``."""
TEXT_SUFFIXES = (".txt", ".csv", ".tsv")
PARQUET_SUFFIXES = (".parquet", ".pq")
MAX_PROBLEMS_PER_FILE = 100


@dataclass(frozen=True)
class IOTable:
    """A multi-regional input-output table; money per year in the table's unit.

    ``n = len(regions) * len(sectors)`` industries, region-major: row ``i`` is region
    ``regions[i // S]``, sector ``sectors[i % S]``. Satisfies
    :class:`arsenalnet.propagate.industry.IndustryTable`.
    """

    Z: FloatArray
    """(n, n) intermediate flows: ``Z[i, j]`` sold by industry i to industry j."""
    Y: FloatArray
    """(n, m) final demand, one column per ``final_demand`` label."""
    x: FloatArray
    """(n,) gross output."""
    regions: tuple[str, ...]
    sectors: tuple[str, ...]
    final_demand: tuple[tuple[str, ...], ...] = ()
    """The column labels of ``Y`` (region, category)."""


@dataclass(frozen=True)
class _Frame:
    """One parsed table: row labels, column labels, values, and where the values sit."""

    name: str
    rows: list[tuple[str, ...]]
    columns: list[tuple[str, ...]]
    values: FloatArray
    first_line: int
    """Line (or Parquet row) of the first value row."""
    first_column: int
    """Column of the first value (after the index columns)."""


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.total = 0

    def add(self, file: str, line: int, column: int, reason: str) -> None:
        self.total += 1
        if len(self.problems) < MAX_PROBLEMS_PER_FILE * len(TABLES) + 10:
            self.problems.append(Problem(file, line, column, reason))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ImportRejected(self.problems, self.total)


def _layout(directory: Path, out: _Collector) -> dict[str, tuple[Path, int, int]]:
    """Where each of Z, Y, x is and its (index columns, header rows)."""
    params_path = directory / PARAMETERS_FILE
    found: dict[str, tuple[Path, int, int]] = {}
    if params_path.is_file():
        try:
            content = json.loads(params_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            out.add(params_path.name, err.lineno, err.colno, f"not valid JSON: {err.msg}")
            return found
        except UnicodeDecodeError:
            out.add(params_path.name, 0, 0, "not UTF-8 text")
            return found
        files = content.get("files") if isinstance(content, dict) else None
        for name in TABLES:
            entry = files.get(name) if isinstance(files, dict) else None
            try:
                if not isinstance(entry, dict):
                    raise TypeError(name)
                found[name] = (
                    directory / str(entry["name"]),
                    int(entry["nr_index_col"]),
                    int(entry["nr_header"]),
                )
            except (KeyError, TypeError, ValueError):
                out.add(params_path.name, 0, 0, f'no usable entry for table "{name}" under "files"')
        return found
    for name in TABLES:
        candidates = [directory / f"{name}{suffix}" for suffix in TEXT_SUFFIXES + PARQUET_SUFFIXES]
        path = next((p for p in candidates if p.is_file()), candidates[0])
        found[name] = (path, *DEFAULT_LAYOUT[name])
    return found


def _read_text(path: Path, n_index: int, n_header: int, out: _Collector) -> _Frame | None:
    with path.open(encoding="utf-8") as f:
        head = [f.readline().rstrip("\r\n").split("\t") for _ in range(n_header + 1)]
    # under several header rows pandas writes a line of index names with empty value cells
    names_line = n_header > 1 and all(cell == "" for cell in head[n_header][n_index:])
    header_lines = n_header + (1 if names_line else 0)
    if len(head[0]) <= n_index:
        out.add(path.name, 1, 0, f"expected {n_index} index columns and then values, tab-separated")
        return None
    columns = list(zip(*(cells[n_index:] for cells in head[:n_header]), strict=False))
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            header=None,
            skiprows=header_lines,
            dtype={k: str for k in range(n_index)},
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
        )
    except pd.errors.ParserError as err:
        text = str(err)
        line = int(text.split(" in line ")[1].split(",")[0]) if " in line " in text else 0
        out.add(path.name, line, 0, f"wrong number of fields: {text.split('C error: ')[-1]}")
        return None
    except pd.errors.EmptyDataError:
        out.add(path.name, header_lines + 1, 0, "no data rows")
        return None
    if frame.shape[1] != n_index + len(columns):
        out.add(
            path.name,
            header_lines + 1,
            0,
            f"{frame.shape[1]} fields, the header has {n_index + len(columns)}",
        )
        return None
    rows = [tuple(str(v) for v in r) for r in frame.iloc[:, :n_index].itertuples(index=False)]
    values = _numbers(path.name, frame.iloc[:, n_index:], header_lines + 1, n_index + 1, out)
    return _Frame(path.stem, rows, columns, values, header_lines + 1, n_index + 1)


def _read_parquet(path: Path, n_index: int, n_header: int, out: _Collector) -> _Frame | None:
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # pyarrow raises many types for a broken file
        out.add(path.name, 0, 0, f"not a readable Parquet file: {err}")
        return None
    rows = [tuple(str(v) for v in (r if isinstance(r, tuple) else (r,))) for r in frame.index]
    columns = [tuple(str(v) for v in (c if isinstance(c, tuple) else (c,))) for c in frame.columns]
    values = _numbers(path.name, frame, 1, frame.index.nlevels + 1, out)
    return _Frame(path.stem, rows, columns, values, 1, frame.index.nlevels + 1)


def _numbers(file: str, block: pd.DataFrame, line0: int, col0: int, out: _Collector) -> FloatArray:
    """The block as floats; every empty, non-numeric, infinite or negative cell is a problem."""
    numeric = block.apply(pd.to_numeric, errors="coerce") if block.shape[1] else block
    values = np.asarray(numeric, dtype=np.float64)
    bad_rows, bad_cols = np.nonzero(~np.isfinite(values) | (values < 0))
    for r, c in list(zip(bad_rows.tolist(), bad_cols.tolist(), strict=True))[:MAX_PROBLEMS_PER_FILE]:
        raw = block.iat[r, c]
        if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
            reason = "empty cell"
        elif not np.isfinite(values[r, c]) and np.isnan(values[r, c]):
            reason = f"not a number: {str(raw)!r}"
        elif not np.isfinite(values[r, c]):
            reason = f"not finite: {raw}"
        else:
            reason = f"negative value: {raw}"
        out.add(file, line0 + r, col0 + c, reason)
    out.total += max(bad_rows.size - MAX_PROBLEMS_PER_FILE, 0)
    return values


def _check_labels(frames: dict[str, _Frame], files: dict[str, str], out: _Collector) -> IOTable | None:
    z, y, x = frames["Z"], frames["Y"], frames["x"]
    rows = z.rows
    if any(len(r) != 2 for r in rows):
        out.add(files["Z"], z.first_line, 1, "rows need two index columns: region and sector")
        return None
    for k, (got, want) in enumerate(zip(rows, z.columns, strict=False)):
        if got != want:
            reason = f"row {got} where the columns have {want}: Z's rows and columns must match, in order"
            out.add(files["Z"], z.first_line + k, 1, reason)
            return None
    if len(rows) != len(z.columns):
        out.add(files["Z"], 1, 0, f"Z has {len(rows)} rows and {len(z.columns)} columns")
        return None
    regions = tuple(dict.fromkeys(r for r, _ in rows))
    sectors = tuple(dict.fromkeys(s for _, s in rows))
    expected = [(r, s) for r in regions for s in sectors]
    for k, (got, want) in enumerate(zip(rows, expected, strict=False)):
        if got != want:
            out.add(files["Z"], z.first_line + k, 1, f"row {got} where region-major order needs {want}")
            return None
    if len(rows) != len(expected):
        out.add(
            files["Z"], z.first_line, 1, f"{len(rows)} rows, not every region has all {len(sectors)} sectors"
        )
        return None
    for frame in (y, x):
        if frame.rows != rows:
            pairs = enumerate(zip(frame.rows, rows, strict=False))
            k = next((k for k, (a, b) in pairs if a != b), min(len(frame.rows), len(rows)))
            out.add(
                files[frame.name], frame.first_line + k, 1, f"{frame.name}'s rows are not Z's rows, in order"
            )
    if x.values.ndim != 2 or x.values.shape[1] != 1:
        out.add(files["x"], 1, x.first_column, f"x needs exactly one value column, has {x.values.shape[1]}")
    if out.problems:
        return None
    return IOTable(
        Z=np.ascontiguousarray(z.values),
        Y=np.ascontiguousarray(y.values),
        x=np.ascontiguousarray(x.values[:, 0]),
        regions=regions,
        sectors=sectors,
        final_demand=tuple(y.columns),
    )


def read_io_table(directory: Path) -> IOTable:
    """Read the table pymrio saved in ``directory``; raise :class:`ImportRejected` if it is unusable."""
    out = _Collector()
    if not directory.is_dir():
        out.add(str(directory), 0, 0, "not a directory")
        out.raise_if_any()
    layout = _layout(directory, out)
    out.raise_if_any()
    frames: dict[str, _Frame] = {}
    for name, (path, n_index, n_header) in layout.items():
        if not path.is_file():
            out.add(path.name, 0, 0, f"missing: the {name} table")
            continue
        if n_index < 1 or n_header < 1:
            out.add(PARAMETERS_FILE, 0, 0, f"table {name}: nr_index_col and nr_header must be >= 1")
            continue
        try:
            if path.suffix.lower() in PARQUET_SUFFIXES:
                frame = _read_parquet(path, n_index, n_header, out)
            elif path.suffix.lower() in TEXT_SUFFIXES:
                frame = _read_text(path, n_index, n_header, out)
            else:
                out.add(path.name, 0, 0, "only pymrio's txt (tab-separated) and parquet formats are read")
                continue
        except UnicodeDecodeError:
            out.add(path.name, 0, 0, "not UTF-8 text")
            continue
        if frame is not None:
            frames[name] = frame
    out.raise_if_any()
    table = _check_labels(frames, {name: layout[name][0].name for name in TABLES}, out)
    out.raise_if_any()
    assert table is not None
    return table
