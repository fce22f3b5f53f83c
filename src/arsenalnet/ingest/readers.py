"""Readers for CSV, Parquet and JSON Lines files, with exact line numbers.

A reader returns a :class:`RawFile`: the file's columns as Arrow arrays (CSV
cells as strings, empty cells as nulls) and, per row, the line the row starts
on. A file that cannot be parsed raises :class:`ImportRejected` with the line
and field where parsing fails.
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arsenalnet.ingest.problems import ImportRejected, Problem

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}


@dataclass(frozen=True)
class RawFile:
    """A file's rows before validation.

    ``header`` lists the file's column names in file order; ``data`` holds
    those columns plus ``__line`` (int64, the 1-based line or row of each row).
    """

    label: str
    header: tuple[str, ...]
    data: pa.Table


def file_format(path: Path) -> str:
    """``csv``, ``parquet`` or ``jsonl`` from the file's extension."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportRejected(
            [
                Problem(
                    str(path),
                    1,
                    0,
                    f"unknown file type {path.suffix!r}: use .csv, .parquet or .jsonl",
                )
            ]
        )
    return fmt


def read_file(path: Path) -> RawFile:
    """Read ``path`` by its extension."""
    if not path.is_file():
        raise ImportRejected([Problem(str(path), 0, 0, "no such file")])
    reader = {"csv": read_csv, "parquet": read_parquet, "jsonl": read_jsonl}[file_format(path)]
    return reader(path)


def _with_lines(label: str, header: tuple[str, ...], table: pa.Table, lines: pa.Array) -> RawFile:
    return RawFile(label, header, table.append_column("__line", lines))


def read_csv(path: Path) -> RawFile:
    """Read a CSV file with a header row; every cell as a string, empty = null."""
    label = str(path)
    data = path.read_bytes()
    if not data.strip():
        raise ImportRejected([Problem(label, 1, 0, "empty file: expected a header row")])
    header = _csv_header(label, data)
    if _has_blank_line(data):
        raise ImportRejected(diagnose_csv(label, data, len(header)))
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=list(header), skip_rows=1, use_threads=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=True,
                null_values=[""],
                quoted_strings_can_be_null=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        problems = diagnose_csv(label, data, len(header))
        raise ImportRejected(problems or [Problem(label, 1, 0, f"unreadable CSV: {e}")]) from e
    lines = pa.array(range(2, table.num_rows + 2), pa.int64())
    return _with_lines(label, header, table, lines)


def _has_blank_line(data: bytes) -> bool:
    """True if an empty line stands before the last line with content."""
    for sep in (b"\n\n", b"\n\r\n"):
        i = data.find(sep)
        if i >= 0 and data[i:].strip(b"\r\n"):
            return True
    return False


def _csv_header(label: str, data: bytes) -> tuple[str, ...]:
    first = data.split(b"\n", 1)[0]
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportRejected([Problem(label, 1, _field_at(first, e.start), "header is not UTF-8")]) from e
    names = next(csv.reader([text.rstrip("\r")]), [])
    names = [n.strip() for n in names]
    for i, name in enumerate(names):
        if not name:
            raise ImportRejected([Problem(label, 1, i + 1, "empty column name in header")])
        if name in names[:i]:
            raise ImportRejected([Problem(label, 1, i + 1, f"column {name!r} appears twice in header")])
    return tuple(names)


def _field_at(line: bytes, offset: int) -> int:
    """1-based field number of byte ``offset`` in a CSV line (commas outside quotes)."""
    field, quoted = 1, False
    for b in line[:offset]:
        if b == 0x22:
            quoted = not quoted
        elif b == 0x2C and not quoted:
            field += 1
    return field


def diagnose_csv(label: str, data: bytes, n_fields: int) -> list[Problem]:
    """Find where a CSV file that the fast reader refused goes wrong.

    Reports bytes that are not UTF-8, rows with too few or too many fields
    (a truncated file ends with one), empty lines, and broken quoting.
    """
    problems: list[Problem] = []
    raw_lines = data.split(b"\n")
    for lineno, raw in enumerate(raw_lines, 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            problems.append(
                Problem(
                    label,
                    lineno,
                    _field_at(raw, e.start),
                    f"invalid UTF-8 byte 0x{raw[e.start]:02x}",
                )
            )
    if problems:
        return problems
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        next(reader)
        start = reader.line_num + 1
        for row in reader:
            if not row:
                problems.append(Problem(label, start, 0, "empty line"))
            elif len(row) < n_fields:
                problems.append(
                    Problem(
                        label,
                        start,
                        len(row) + 1,
                        f"expected {n_fields} fields, found {len(row)} (truncated row?)",
                    )
                )
            elif len(row) > n_fields:
                problems.append(
                    Problem(label, start, n_fields + 1, f"expected {n_fields} fields, found {len(row)}")
                )
            elif reader.line_num != start:
                problems.append(Problem(label, start, 0, "line break inside a quoted value"))
            start = reader.line_num + 1
    except csv.Error as e:
        if "end of data" in str(e):
            line = raw_lines[start - 1] if start - 1 < len(raw_lines) else b""
            problems.append(Problem(label, start, _open_quote_field(line), "quoted value is never closed"))
        else:
            problems.append(Problem(label, reader.line_num or start, 0, f"malformed CSV: {e}"))
    return problems


def _open_quote_field(line: bytes) -> int:
    """1-based field of the quote left open at the end of ``line`` (0 if none is)."""
    opened, quoted = -1, False
    for i, b in enumerate(line):
        if b == 0x22:
            quoted = not quoted
            opened = i if quoted else opened
    return _field_at(line, opened) if quoted else 0


def read_parquet(path: Path) -> RawFile:
    """Read a Parquet file; ``__line`` is the 1-based row number."""
    label = str(path)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as e:
        raise ImportRejected([Problem(label, 1, 0, f"not a readable Parquet file: {e}")]) from e
    lines = pa.array(range(1, table.num_rows + 1), pa.int64())
    return _with_lines(label, tuple(table.column_names), table, lines)


def read_jsonl(path: Path) -> RawFile:
    """Read JSON Lines: one JSON object per line; blank lines are skipped."""
    label = str(path)
    columns: dict[str, list[object]] = {}
    lines: list[int] = []
    problems: list[Problem] = []
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                problems.append(
                    Problem(label, lineno, e.start + 1, f"invalid UTF-8 byte 0x{raw[e.start]:02x}")
                )
                continue
            if not text.strip():
                continue
            text = text.rstrip("\r\n")
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                problems.append(Problem(label, lineno, e.colno, f"invalid JSON: {e.msg}"))
                continue
            if not isinstance(obj, dict):
                problems.append(Problem(label, lineno, 1, "expected a JSON object"))
                continue
            row = len(lines)
            for key, value in obj.items():
                col = columns.setdefault(key, [None] * row)
                col.append(_jsonl_cell(value))
            lines.append(lineno)
            for col in columns.values():
                if len(col) < row + 1:
                    col.append(None)
    if problems:
        raise ImportRejected(problems)
    header = tuple(columns)
    table = pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()})
    return _with_lines(label, header, table, pa.array(lines, pa.int64()))


def _jsonl_cell(value: object) -> str | None:
    """A JSON value as the text the validator casts (lists ';'-joined)."""
    if value is None:
        return None
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
