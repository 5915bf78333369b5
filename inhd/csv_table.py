"""A CSV file read as text cells with their line numbers, and the problems found in it.

:func:`read_csv_table` reads a file once, as bytes (never writing to it), into a :class:`CsvTable`
of strings, recording in a :class:`ProblemCollector` whatever stops a file from being read: missing,
a folder, unreadable, empty, UTF-16 or another encoding than UTF-8, separators other than commas,
rows with more or fewer fields than the header, quotes never closed, header names missing or twice.
The collector groups problems by file, column and kind (:class:`inhd.contract.ProblemGroup`),
counting all and keeping the first few of each. :func:`check_column` checks a column's cells against
its :class:`inhd.contract.Column` and :func:`check_unique` an id column's uniqueness. :mod:`inhd.data`
checks the survey tables with them.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.contract import EXAMPLES_PER_GROUP, Column, Problem, ProblemGroup

__all__ = ["CsvTable", "ProblemCollector", "read_csv_table", "cell_numbers", "show_cell", "format_number",
           "check_column", "check_unique"]


@dataclass
class CsvTable:
    """A CSV file as strings: ``cells`` has positional columns; ``lines`` the start line of each row."""

    label: str
    header: list[str]
    cells: pd.DataFrame
    lines: np.ndarray
    position: dict[str, int]      # column name -> first position in the header

    def col(self, name: str) -> pd.Series:
        return self.cells[self.position[name]]

    def summary(self) -> str:
        return f"{self.label}: {len(self.cells)} data rows, columns {', '.join(self.header)}"


class ProblemCollector:
    """Problems grouped by (file, column, kind): all counted, the first few of each kept."""

    def __init__(self):
        self.groups: dict[tuple, dict] = {}
        self.total = 0
        self.hints: list[str] = []     # about the problems as a whole

    def _group(self, problem: Problem, rank: int, order: int) -> dict:
        key = (problem.file, problem.column, problem.kind or problem.message)
        if key not in self.groups:
            # groups in file order, then column order, then where their first problem is
            self.groups[key] = {"rank": (rank, order, problem.line or 0), "n": 0, "examples": [], "hint": ""}
        return self.groups[key]

    def add(self, problem: Problem, *, rank: int, order: int = -1) -> None:
        group = self._group(problem, rank, order)
        self.total += 1
        group["n"] += 1
        if len(group["examples"]) < EXAMPLES_PER_GROUP:
            group["examples"].append(problem)

    def add_cells(self, table: CsvTable, name: str, mask, message, *, kind: str, rank: int) -> None:
        """One problem per True of ``mask`` (row positions of ``table``); ``message(value)`` words it."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(idx):
            return
        values = table.col(name)
        order = table.position.get(name, -1)
        first = Problem(table.label, int(table.lines[idx[0]]), name, values.iloc[idx[0]],
                        message(values.iloc[idx[0]]), kind)
        group = self._group(first, rank, order)
        room = max(0, EXAMPLES_PER_GROUP - len(group["examples"]))
        for i in idx[:room]:
            value = values.iloc[i]
            group["examples"].append(Problem(table.label, int(table.lines[i]), name, value, message(value), kind))
        group["n"] += len(idx)
        self.total += len(idx)

    def hint(self, file: str, column: str | None, kind: str, text: str) -> None:
        """Attach ``text`` to the group (file, column, kind); with ``column=None`` to the first group of
        that file and kind in report order."""
        if column is None:
            keys = sorted((k for k in self.groups if k[0] == file and k[2] == kind), key=lambda k: self.groups[k]["rank"])
            if not keys:
                return
            file, column, kind = keys[0]
        if (file, column, kind) in self.groups:
            self.groups[(file, column, kind)]["hint"] = text

    def has(self, file: str, *, beyond_header: bool = False) -> bool:
        return any(k[0] == file and (not beyond_header or any((p.line or 0) > 1 for p in g["examples"]))
                   for k, g in self.groups.items())

    def report_groups(self) -> tuple[ProblemGroup, ...]:
        ordered = sorted(self.groups.items(), key=lambda kg: kg[1]["rank"])
        return tuple(ProblemGroup(file, column, kind, g["n"], tuple(g["examples"]), g["hint"])
                     for (file, column, kind), g in ordered)


def read_csv_table(path, *, what: str, rank: int, out: ProblemCollector) -> CsvTable | None:
    """Read ``path`` (never writing to it) into a :class:`CsvTable`; record problems in ``out``."""
    label = str(path)
    path = Path(path)

    def fail(message, line=None, column=None, value=None, kind=None):
        out.add(Problem(label, line, column, value, message, kind or message), rank=rank)

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        fail(f"file not found (looked for {path.resolve()})")
        return None
    except IsADirectoryError:
        fail("is a folder, not a CSV file")
        return None
    except PermissionError:
        fail("cannot be read: permission denied")
        return None
    except OSError as err:
        fail(f"cannot be read: {err.strerror or err}")
        return None
    if not raw.strip():
        fail(f"file is empty: expected a header row, then one row per {what}")
        return None
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        fail("the file is UTF-16 encoded (Excel's 'Unicode Text'): save it as 'CSV UTF-8 (comma delimited)'")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        byte = raw[err.start: err.start + 1].hex()
        fail(f"byte 0x{byte} is not valid UTF-8: the file is in another encoding (Latin-1/Windows-1252?); "
             "save it as 'CSV UTF-8' (in Excel) or re-encode it as UTF-8", line=line)
        return None

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not row:                                     # blank line
                continue
            if header is None:
                header = row
                header_line = start
                continue
            if len(row) != len(header):
                fail(f"this row has {len(row)} field{'s' if len(row) != 1 else ''} but the header has "
                     f"{len(header)}: a truncated or damaged row (or an unquoted comma in a value)",
                     line=start, kind="rows with more or fewer fields than the header")
                continue
            if not any(field.strip() for field in row):
                fail("the row is empty (only commas): delete it", line=start, kind="empty rows")
                continue
            rows.append(row)
            lines.append(start)
    except csv.Error as err:
        fail(f"the CSV cannot be parsed here ({err}): a quote opened on this line is not closed properly; "
             "the rest of the file was not read", line=previous + 1)
    if header is None:
        fail(f"file is empty: expected a header row, then one row per {what}")
        return None
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons (;)" if ";" in header[0] else "tabs"
        fail(f"the columns are separated by {separator}, not commas: save the file as comma-separated CSV "
             "('CSV UTF-8 (comma delimited)' in Excel)", line=header_line)
        return None

    position: dict[str, int] = {}
    for j, name in enumerate(header):
        if not name.strip():
            fail(f"column {j + 1} of the header has no name (a saved row index? write the CSV without it)",
                 line=header_line, kind="header columns without a name")
        elif name in position:
            fail(f"column name appears twice in the header (columns {position[name] + 1} and {j + 1})",
                 line=header_line, column=name, kind="column name appears twice in the header")
        else:
            position[name] = j
    cells = pd.DataFrame(rows, columns=range(len(header)), dtype="str") if rows else \
        pd.DataFrame({j: pd.Series([], dtype="str") for j in range(len(header))})
    return CsvTable(label, header, cells, np.asarray(lines, dtype=np.int64), position)


def format_number(x: float) -> str:
    return f"{x:g}"


def show_cell(value: str) -> str:
    """A cell as it should appear in a message: numbers bare, text quoted."""
    try:
        return value.strip() if math.isfinite(float(value)) else repr(value)
    except ValueError:
        return repr(value)


def cell_numbers(values: pd.Series):
    """(empty, number, text) for a column of strings: ``number`` is float with NaN where not numeric."""
    stripped = values.str.strip()
    empty = (stripped == "").to_numpy()
    number = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float)
    text = ~empty & ~np.isfinite(number)
    return empty, number, text


def check_column(table: CsvTable, col: Column, out: ProblemCollector, *, rank: int, table_noun: str) -> None:
    """Check the cells of ``table``'s column ``col`` (an :class:`inhd.contract.Column`) against its kind:
    ids never empty, a wave never empty, numbers, whole numbers, 0/1 flags and bounds; text and labels
    are not checked. ``table_noun`` words the messages (``"respondent"``)."""
    name, values = col.name, table.col(col.name)
    if col.kind in ("text", "category"):
        return
    empty = (values.str.strip() == "").to_numpy()
    if col.kind == "id" or col.name == "wave":
        out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}",
                      kind=f"empty {name}", rank=rank)
        if col.kind == "id":
            return
    _, number, text = cell_numbers(values)
    what = f"{name} takes {col.range_text()}"

    def text_message(v):
        extra = " (use a point as the decimal separator)" if re.fullmatch(r"\s*-?\d+,\d+\s*", v) else ""
        return f"{show_cell(v)} is not a number: {what}{extra}"

    out.add_cells(table, name, text, text_message, kind="not a number", rank=rank)
    finite = np.isfinite(number)
    with np.errstate(invalid="ignore"):
        if col.kind in ("integer", "flag"):
            fraction = finite & (number != np.floor(number))
            out.add_cells(table, name, fraction, lambda v: f"{show_cell(v)} is not a whole number: {what}",
                          kind="not a whole number", rank=rank)
            if col.kind == "flag":
                off = finite & ~fraction & (number != 0) & (number != 1)
                out.add_cells(table, name, off, lambda v: f"{show_cell(v)} is not 0 or 1: {what}", kind="not 0 or 1",
                              rank=rank)
        else:
            if col.low is not None:
                out.add_cells(table, name, finite & (number < col.low),
                              lambda v: f"{show_cell(v)} is below {format_number(col.low)}: {what}",
                              kind=f"below {format_number(col.low)}", rank=rank)
            if col.high is not None:
                out.add_cells(table, name, finite & (number > col.high),
                              lambda v: f"{show_cell(v)} is above {format_number(col.high)}: {what}",
                              kind=f"above {format_number(col.high)}", rank=rank)


def check_unique(table: CsvTable, name: str, out: ProblemCollector, *, rank: int) -> None:
    """Report every repeat of a value of ``table``'s column ``name`` (an id), naming the line of its first."""
    values = table.col(name)
    nonempty = (values.str.strip() != "").to_numpy()
    duplicated = values.duplicated(keep="first").to_numpy() & nonempty
    if duplicated.any():
        first = ~values.duplicated(keep="first").to_numpy()
        first_line = dict(zip(values[first], table.lines[first]))
        out.add_cells(table, name, duplicated,
                      lambda v: f"{v!r} appears again (first on line {first_line[v]}): {name} must be unique",
                      kind=f"{name} not unique", rank=rank)
