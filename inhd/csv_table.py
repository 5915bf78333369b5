"""A CSV file streamed as chunks of text cells with their line numbers, and the checks of its cells.

:func:`open_csv` checks that a path is a readable UTF-8 CSV file (:func:`inhd.records.file_problem`)
and reads its header into a :class:`CsvSource`; :func:`tables` then yields its data rows as
:class:`CsvTable` chunks (:func:`inhd.records.chunks`), a row with another number of fields than the
header, or only empty fields, becoming a problem. A file of millions of rows is so read in bounded
memory. The checks of cells work chunk by chunk and record what they find in an
:class:`inhd.contract.ProblemLog` (grouped by file, column and kind): :func:`check_column` against a
:class:`inhd.contract.Column`, :func:`check_item` against a response scale, :func:`check_id_text`
(length and control characters of ids), and, across chunks, :class:`UniqueIds`, :class:`ItemCandidates`
(columns that may be items: what they hold, their problems kept aside, which are the items) and :class:`CovariateColumns`
(numbers or labels). Nothing here writes.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from inhd import records
from inhd.contract import FORBIDDEN_CHARACTERS, MAX_ID_LENGTH, Column, Problem, ProblemLog, excerpt

__all__ = ["CsvTable", "CsvSource", "open_csv", "tables", "column_at_lines", "UniqueIds", "ItemCandidates",
           "CovariateColumns", "na_as_empty", "numbers", "blank", "show_cell", "format_number", "check_id_text",
           "check_column", "check_item", "listed", "MAX_LABELS", "MISSING_CODES"]


@dataclass
class CsvTable:
    """A chunk of a CSV file as strings: ``cells`` maps each column position to an object array of
    str; ``lines`` the start line of each row. Factorised columns are kept, so the distinct values of a
    column with few of them (items, categories) are examined once per chunk."""

    label: str
    header: list[str]
    cells: dict[int, np.ndarray]
    lines: np.ndarray
    position: dict[str, int]      # column name -> first position in the header
    _factors: dict = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.lines)

    def col(self, name: str) -> pd.Series:
        return pd.Series(self.cells[self.position[name]], dtype=object, copy=False)

    def factors(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(codes, distinct values) of column position ``j``."""
        if j not in self._factors:
            self._factors[j] = pd.factorize(self.cells[j], use_na_sentinel=False)
        return self._factors[j]

    def replace(self, j: int, mask: np.ndarray, value: str) -> None:
        """Set the cells of column position ``j`` where ``mask`` holds to ``value`` (in this chunk only)."""
        self.cells[j] = np.where(mask, value, self.cells[j]).astype(object)
        self._factors.pop(j, None)

    def summary(self) -> str:
        return f"{self.label}: {len(self)} rows from line {int(self.lines[0]) if len(self) else '-'}"


@dataclass
class CsvSource:
    """An opened CSV file: its header and the stream of its data rows."""

    label: str
    path: Path
    header: list[str]
    header_line: int
    position: dict[str, int]
    first: records.Chunk
    rest: Iterator[records.Chunk]
    trailing: int | None = None          # position of an unnamed last column (a separator ending the header)
    trailing_filled: int = 0             # rows holding something in it (each a problem)

    def summary(self) -> str:
        return f"{self.label}: columns {', '.join(self.header)}"

    def notes(self) -> list[str]:
        """What the reading found worth saying that is not a problem (an empty trailing column)."""
        if self.trailing is None or self.trailing_filled:
            return []
        return [f"the header of {self.label} ends with a separator (an empty last column, as spreadsheets write): "
                f"column {self.trailing + 1} has no name and is empty in every row, so it is ignored"]


def _name_problem(name: str) -> str | None:
    """Why a column name cannot be used (too long, or holding a control character), or ``None``."""
    if len(name) > MAX_ID_LENGTH:
        return f"has {len(name)} characters: column names have at most {MAX_ID_LENGTH}"
    found = FORBIDDEN_CHARACTERS.search(name)
    return None if found is None else f"holds a control or invisible character (U+{ord(found.group()):04X})"


def open_csv(path, *, what: str, rank: int, out: ProblemLog) -> CsvSource | None:
    """Open ``path`` (never writing to it): check that it is a readable UTF-8 CSV file, read its header.
    Problems go to ``out``; ``None`` when the file cannot be read as a table."""
    label = str(path)

    def fail(message, line=None, column=None, kind=None):
        out.add(Problem(label, line, column, None, message, kind or message), rank=rank)

    problem = records.file_problem(path, what=what)
    if problem is not None:
        fail(problem.message, line=problem.line)
        return None
    stream = records.chunks(path)
    try:
        first = next(stream, None)
    except records.CsvSyntaxError as err:
        fail(err.message, line=err.line)
        first = None
    if first is None:
        fail(f"file is empty: expected a header row, then one row per {what}")
        return None
    header, header_line = first.rows[0], int(first.lines[0])
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons (;)" if ";" in header[0] else "tabs"
        fail(f"the columns are separated by {separator}, not commas: save the file as comma-separated CSV "
             "('CSV UTF-8 (comma delimited)' in Excel)", line=header_line)
        return None
    position: dict[str, int] = {}
    trailing = len(header) - 1 if len(header) > 1 and not header[-1].strip() and header[-2].strip() else None
    for j, name in enumerate(header):
        if j == trailing:                # checked row by row in tables(): ignored when empty everywhere
            continue
        if not name.strip():
            where = ("a saved row index? write the CSV without it (in R: row.names = FALSE)" if j == 0 else
                     "name it, or delete the column")
            fail(f"column {j + 1} of the header has no name ({where})", line=header_line,
                 kind="header columns without a name")
        elif _name_problem(name):
            fail(f"column {j + 1} of the header, {excerpt(name)}, {_name_problem(name)}: rename it", line=header_line,
                 kind="header names that cannot be used")
        elif name in position:
            fail(f"column name appears twice in the header (columns {position[name] + 1} and {j + 1})",
                 line=header_line, column=name, kind="column name appears twice in the header")
        else:
            position[name] = j
    rest = records.Chunk(first.rows[1:], first.lines[1:])
    return CsvSource(label, Path(path), header, header_line, position, rest, stream, trailing=trailing)


def tables(source: CsvSource, out: ProblemLog, *, rank: int) -> Iterator[CsvTable]:
    """The data rows of ``source`` as :class:`CsvTable` chunks. Rows with another number of fields than
    the header, or with only empty fields, become problems; a record that cannot be parsed ends the file."""
    width = len(source.header)
    try:
        for chunk in itertools.chain([source.first], source.rest):
            if not chunk.rows:
                continue
            lengths = np.fromiter(map(len, chunk.rows), dtype=np.int64, count=len(chunk.rows))
            wrong = lengths != width
            for n_fields in np.unique(lengths[wrong]):
                out.add_lines(source.label, chunk.lines[lengths == n_fields],
                              f"this row has {n_fields} field{'s' if n_fields != 1 else ''} but the header has "
                              f"{width}: a truncated or damaged row (or an unquoted comma in a value)",
                              kind="rows with more or fewer fields than the header", rank=rank)
            rows = [row for row, bad in zip(chunk.rows, wrong) if not bad] if wrong.any() else chunk.rows
            lines = chunk.lines[~wrong]
            empty = np.fromiter(map(len, map(str.strip, map("".join, rows))), dtype=np.int64, count=len(rows)) == 0
            if empty.any():
                out.add_lines(source.label, lines[empty], "the row is empty (only commas): delete it",
                              kind="empty rows", rank=rank)
                rows, lines = [row for row, blank_row in zip(rows, empty) if not blank_row], lines[~empty]
            if rows:
                cells = {j: np.array(column, dtype=object) for j, column in enumerate(zip(*rows))}
                if source.trailing is not None:
                    _check_trailing(source, cells[source.trailing], lines, out, rank=rank)
                yield CsvTable(source.label, source.header, cells, lines, source.position)
    except records.CsvSyntaxError as err:
        out.add(Problem(source.label, err.line, None, None, err.message, "the CSV cannot be parsed"), rank=rank)


def _check_trailing(source: CsvSource, values: np.ndarray, lines: np.ndarray, out: ProblemLog, *, rank: int) -> None:
    """The unnamed last column must be empty: a value there has no column to belong to."""
    filled = _stripped_lengths(values) > 0
    if not filled.any():
        return
    source.trailing_filled += int(filled.sum())
    for line, value in zip(lines[filled][: out.limit or len(lines)], values[filled]):
        out.add(Problem(source.label, int(line), None, value,
                        f"the last column has no name in the header but holds {show_cell(value)} on this row: name "
                        f"the column (column {source.trailing + 1}) or delete what it holds",
                        "values in the unnamed last column"), rank=rank)
    rest = int(filled.sum()) - min(int(filled.sum()), out.limit or len(lines))
    if rest:                                        # counted, not each shown
        out.add_lines(source.label, lines[filled][-rest:], "the last column has no name in the header but holds a "
                      "value on this row", kind="values in the unnamed last column", rank=rank)


def column_at_lines(source: CsvSource, column: str, lines: np.ndarray) -> dict[int, str]:
    """The values of ``column`` on the given lines, read again from the file (for rare problems)."""
    found, j = {}, source.position[column]
    try:
        for chunk in records.chunks(source.path):
            hit = np.flatnonzero(np.isin(chunk.lines, lines))
            found.update({int(chunk.lines[i]): chunk.rows[i][j] for i in hit if len(chunk.rows[i]) > j})
    except records.CsvSyntaxError:
        pass
    return found


# ----------------------------------------------------------------------------------------------------
# Cells


def format_number(x: float) -> str:
    return f"{x:g}"


def show_cell(value: str) -> str:
    """A cell as it should appear in a message: numbers bare, text quoted."""
    try:
        return value.strip() if math.isfinite(float(value)) else repr(value)
    except ValueError:
        return repr(value)


def _stripped_lengths(values) -> np.ndarray:
    return np.fromiter(map(len, map(str.strip, values)), dtype=np.int64, count=len(values))


def blank(table: CsvTable, j: int) -> np.ndarray:
    """Which cells of column position ``j`` are empty or only spaces."""
    codes, uniques = table.factors(j)
    return (_stripped_lengths(uniques) == 0)[codes]


def numbers(table: CsvTable, name: str):
    """(empty, number, text) for a column of strings: ``number`` is float with NaN where not numeric."""
    codes, uniques = table.factors(table.position[name])
    stripped = pd.Series(uniques, dtype=object).astype(str).str.strip()
    empty = (stripped == "").to_numpy()
    number = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float)
    return empty[codes], number[codes], (~empty & ~np.isfinite(number))[codes]


def check_id_text(table: CsvTable, name: str, out: ProblemLog, *, rank: int) -> None:
    """Ids: at most :data:`inhd.contract.MAX_ID_LENGTH` characters, no control or invisible character."""
    strings = table.cells[table.position[name]]
    long = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) > MAX_ID_LENGTH
    out.add_cells(table, name, long,
                  lambda v: f"{excerpt(v)} has {len(v)} characters: ids have at most {MAX_ID_LENGTH} "
                            "(they name files and table rows; shorten it)", kind="ids too long", rank=rank)
    if FORBIDDEN_CHARACTERS.search(",".join(strings)) is None:      # the usual case: one scan of the chunk
        return
    bad = np.fromiter((FORBIDDEN_CHARACTERS.search(s) is not None for s in strings), dtype=bool, count=len(strings))

    def message(v):
        char = FORBIDDEN_CHARACTERS.search(v).group()
        return (f"{excerpt(v)} holds a control character or an invisible formatting character "
                f"(U+{ord(char):04X}) at position {v.index(char) + 1}: ids may not hold tabs, line breaks, "
                "escape sequences or invisible formatting characters")

    out.add_cells(table, name, bad & ~long, message, kind="ids holding control characters", rank=rank)


def check_column(table: CsvTable, col: Column, out: ProblemLog, *, rank: int, table_noun: str) -> None:
    """Check the cells of ``table``'s column ``col`` against its kind: ids never empty and without
    control characters, a wave never empty, numbers, whole numbers, 0/1
    flags and bounds; labels and other text are not checked. ``table_noun`` words the messages."""
    name = col.name
    j = table.position[name]
    if col.kind in ("text", "category"):
        return
    empty = blank(table, j)
    if col.kind == "id" or name == "wave":
        out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}",
                      kind=f"empty {name}", rank=rank)
        if col.kind == "id":
            out.add_cells(table, name, r_na(table, j),
                          lambda v: f"NA is R's code for a missing value, not a {name}: every {table_noun} needs "
                                    f"one (if one is really called NA, rename it)",
                          kind=f"NA {name}", rank=rank)
            check_id_text(table, name, out, rank=rank)
            return
    _, number, text = numbers(table, name)
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


def mean_denominators(values, *, largest: int = 8, tolerance: float = 1e-4, minimum: int = 3) -> list[int]:
    """The denominators (2 to ``largest``) that make every one of ``values`` a whole number, the
    smallest each value needs, when all of them are means of a few integer responses; ``[]`` when
    some value is not, or there are fewer than ``minimum`` values (a typo or two is not a column of
    means). A scale mean exported as an item (a newcomer's 1.666667 and 2.75) is thereby told apart
    from a mistyped response.

    Examples
    --------
    >>> mean_denominators([1.666667, 2.75, 3.5, 2.333333])
    [2, 3, 4]
    >>> mean_denominators([2.5, 1.37, 3.5]), mean_denominators([2.5, 3.5])
    ([], [])
    """
    if len(values) < minimum:
        return []
    found = set()
    for v in np.asarray(values, dtype=float):
        k = next((k for k in range(2, largest + 1) if abs(v * k - round(v * k)) < tolerance * k), None)
        if k is None:
            return []
        found.add(k)
    return sorted(found)


def check_item(table: CsvTable, name: str, scale: tuple[int, int], out: ProblemLog, *, rank: int):
    """Check one item column of a chunk against the response ``scale``; return ``(filled, answered,
    whole, on_scale, number)``: which cells are filled, hold a number, a whole number, one on the scale,
    and the numbers (NaN elsewhere)."""
    low, high = scale
    codes = f"{low}-{high}"
    empty, number, text = numbers(table, name)
    kind = "not a response (text)"
    out.add_cells(table, name, text,
                  lambda v: f"{show_cell(v)} is not a response: write the integer code ({codes}), or leave the cell "
                            "empty if the item was not answered", kind=kind, rank=rank)
    if text.any():
        found = {v.strip() for v in table.factors(table.position[name])[1]} & MISSING_CODES
        if found:
            out.hint(table.label, name, kind, f"{sorted(found)[0]!r} marks a missing response in some programs; here "
                     "an unanswered item is an empty cell (in R: write.csv(x, na = \"\"); in pandas: "
                     "to_csv(na_rep=\"\"))")
    finite = np.isfinite(number)
    with np.errstate(invalid="ignore"):
        fraction = finite & (number != np.floor(number))
        out.add_cells(table, name, fraction,
                      lambda v: f"{show_cell(v)} is not a whole number: responses are integers on the scale {codes}",
                      kind="not a whole number", rank=rank)
        means = mean_denominators(number[fraction])
        if means:
            out.hint(table.label, name, "not a whole number",
                     f"the values are multiples of {' and '.join(f'1/{k}' for k in means)}: they look like means of "
                     f"{' or '.join(str(k) for k in means)} items (a scale score), not responses; export the item "
                     "responses themselves and name them with --items (a rounded mean is not an item)")
        whole = finite & ~fraction
        on_scale = whole & (number >= low) & (number <= high)
    out.add_cells(table, name, whole & ~on_scale, lambda v: f"{show_cell(v)} is outside the response scale {codes}",
                  kind=f"outside the response scale {codes}", rank=rank)
    return ~empty, finite, whole, on_scale, number


# ----------------------------------------------------------------------------------------------------
# What columns hold, gathered chunk by chunk


def listed(names: list[str], limit: int = 10) -> str:
    """Names joined by commas, the first ``limit`` of them and a count of the others."""
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")

#: Item cells that are a missing-value code of a statistics package, not an empty cell (R's ``NA`` is
#: read as empty by :func:`na_as_empty`).
MISSING_CODES = {"N/A", "NaN", "nan", ".", "-99", "-999", "-9", "missing", "NULL"}
#: Labels of a covariate kept to check a reference category against (more are not tracked).
MAX_LABELS = 10_000


class ItemCandidates:
    """Columns that may be items, each checked as an item into a log of its own (merged when it is one)
    with what it holds across the file: filled cells, whole numbers (their range), cells on the scale,
    text; and which rows answered which (packed bits), for the respondents who answered no item."""

    def __init__(self, names: list[str], scale: tuple[int, int], limit):
        self.names, self.scale = names, scale
        self.logs = {n: ProblemLog(limit) for n in names}
        zero = dict(filled=0, whole=0, on_scale=0, text=0, low=np.inf, high=-np.inf, off=0)
        self.stats = {n: dict(zero) for n in names}
        self.answered: list[np.ndarray] = []

    def add(self, table: CsvTable) -> None:
        answered = np.zeros((len(table), max(len(self.names), 1)), dtype=bool)
        for k, name in enumerate(self.names):
            filled, finite, whole, on_scale, number = check_item(table, name, self.scale, self.logs[name], rank=0)
            st = self.stats[name]
            st["filled"] += int(filled.sum())
            st["whole"] += int(whole.sum())
            st["on_scale"] += int(on_scale.sum())
            st["off"] += int((whole & ~on_scale).sum())
            st["text"] += int((filled & ~finite).sum())
            if whole.any():
                st["low"], st["high"] = min(st["low"], number[whole].min()), max(st["high"], number[whole].max())
            answered[:, k] = finite
        self.answered.append(np.packbits(answered, axis=1))

    def looks_like_item(self, name: str) -> bool:
        st = self.stats[name]
        return st["filled"] > 0 and st["on_scale"] >= st["filled"] / 2

    def describe(self, name: str) -> str:
        st, (low, high) = self.stats[name], self.scale
        if not st["filled"]:
            return "empty"
        if st["text"] > st["filled"] / 2:
            return "text"
        return (f"numbers {format_number(st['low'])} to {format_number(st['high'])}, not on the scale {low}-{high}"
                if st["whole"] else "numbers, not on the scale")

    # -- which columns are the items
    def choose(self, label: str, header: list[str], items: list[str] | None, out: ProblemLog, *,
               shipped: bool) -> tuple[list[str], dict[str, str]]:
        """The item columns and the other candidates (with what each holds); the items' problems join
        ``out``, with a hint about the scale when the data suggest one.

        ``items`` named: those, in file order. Unnamed: only on a ``shipped`` cohort are the columns
        that look like items taken by their values; anywhere else it is a problem whose hint lists the
        candidates by the range of their values and the exact options (:meth:`not_named`).
        """
        if items is not None:
            chosen = [n for n in header if n in set(items) and n in self.names]       # file order
            unused = {n: (self.describe(n) if not self.looks_like_item(n) else
                          "responses on the scale, not named as an item") for n in self.names if n not in chosen}
        elif shipped:                     # the compendium's own SYNTHETIC cohorts: their items are known
            chosen = [n for n in self.names if self.looks_like_item(n)]
            unused = {n: self.describe(n) for n in self.names if n not in chosen}
        else:
            self.not_named(label, out)
            return [], {}
        for name in chosen:
            out.merge(self.logs[name])
        self._scale_hint(chosen, out)
        return chosen, unused

    def _span(self, names) -> tuple[int, int]:
        return int(min(self.stats[n]["low"] for n in names)), int(max(self.stats[n]["high"] for n in names))

    def _scale_hint(self, chosen: list[str], out: ProblemLog) -> None:
        """When many responses lie outside the scale: the scale the items hold, or, when only some items
        lie outside and on a range of their own, that they are another measure (never a wider scale
        taking in items of two codings)."""
        whole = sum(self.stats[n]["whole"] for n in chosen)
        off = sum(self.stats[n]["off"] for n in chosen)
        if not whole or off < 0.01 * whole:          # none, or a stray typo: not the scale
            return
        low, high = self.scale
        outside = [n for n in chosen if self.stats[n]["off"] >= 0.01 * max(self.stats[n]["whole"], 1)]
        inside = [n for n in chosen if not self.stats[n]["off"] and self.stats[n]["whole"]]
        a, b = self._span(outside or chosen)
        if inside and outside and not (a <= self._span(inside)[0] and self._span(inside)[1] <= b):
            out.hints.append(f"{off:,} responses lie outside the scale {low}-{high}, all in {listed(outside)} (whole "
                             f"numbers {a} to {b}), while {len(inside)} other item(s) lie within it: items on another "
                             "range are another measure, or coded another way; give each measure its items in a "
                             "measures file (--measures M.csv), or name one measure's items with --items and its "
                             "own --scale")
        elif b - a <= 20:
            out.hints.append(f"{off:,} responses lie outside the scale {low}-{high}; the item columns hold whole "
                             f"numbers from {a} to {b}: if that is the response scale, say so (--scale {a}-{b}, or "
                             f"scale=({a}, {b}))")

    def scale_use(self, measures: Mapping[str | None, list[str]], reverse: list[str]) -> list[str]:
        """Warnings for each measure (``{name or None: its items}``) whose items use neither the lowest
        or the highest category of the scale: the data suggest a narrower scale, and reverse-keyed items
        recoded on the wider one would be shifted by the categories nobody uses."""
        low, high = self.scale
        found = []
        for measure, names in measures.items():
            names = [n for n in names if n in self.stats and self.stats[n]["on_scale"]]
            if not names or any(self.stats[n]["off"] for n in names):    # off the scale: a problem, said so
                continue
            a, b = self._span(names)
            if (a, b) == (low, high):
                continue
            unused = " or ".join(str(v) for v, used in ((low, a == low), (high, b == high)) if not used)
            ends = ("the bottom" if a > low and b == high else "the top" if b < high and a == low else
                    "either end")
            who = f"measure {measure}: no item holds" if measure is not None else "no item holds"
            text = (f"{who} {unused} ({ends} of the response scale {low}-{high}): the items hold {a} to {b}; is "
                    f"the response scale {a}-{b} (--scale {a}-{b})? If {unused} is a category nobody chose, ignore "
                    "this")
            flipped = [n for n in names if n in set(reverse)]
            if flipped:
                text += (f". Reverse-keyed items are recoded as {low + high} - x on the scale {low}-{high}, so "
                         f"{listed(flipped, 5)} would run {low + high - b} to {low + high - a} while the other items run "
                         f"{a} to {b}: on too wide a scale the recoding shifts them")
            found.append(text)
        return found

    def ranges(self) -> list[tuple[tuple[int, int], list[str]]]:
        """The columns at least half of whose filled cells are whole numbers, grouped by the range of those
        numbers: a column whose range lies within a larger group's joins it (an item in which nobody chose
        the lowest category is still on its measure's scale). Largest group first; columns in file order."""
        exact: dict[tuple[int, int], list[str]] = {}
        for name in self.names:
            st = self.stats[name]
            if st["whole"] and st["whole"] >= st["filled"] / 2:
                exact.setdefault((int(st["low"]), int(st["high"])), []).append(name)
        merged: list[tuple[tuple[int, int], list[str]]] = []
        for (a, b), names in sorted(exact.items(), key=lambda kv: (-len(kv[1]), kv[0][0] - kv[0][1], kv[0])):
            home = next((group for (lo, hi), group in merged if lo <= a and b <= hi), None)
            if home is None:
                merged.append(((a, b), list(names)))
            else:
                home.extend(names)
        order = {name: k for k, name in enumerate(self.names)}
        return [(r, sorted(names, key=order.get)) for r, names in merged]

    def not_named(self, label: str, out: ProblemLog) -> None:
        """The items were not named: a problem, with a hint listing the columns that could be items by the
        range of whole numbers they hold and the exact options for each group (never a wider scale to
        take columns of different ranges in at once)."""
        kind = "item columns not named"
        out.add(Problem(label, 1, None, None,
                        "the item columns are not named: name the columns that make up the measure with --items a,b,c "
                        "(items= in Python), or the measures of a survey of several with --measures M.csv; inhd does "
                        "not choose items by their values, which cannot tell an item from a covariate answered on the "
                        "same scale (a frequency, an age band)", kind), rank=0)
        groups = self.ranges()
        if not groups:
            found = f" (columns found: {listed(self.names)})" if self.names else ""
            out.hint(label, None, kind, f"no column besides the contract columns holds whole numbers{found}")
            return
        hint = "columns holding whole numbers, by their range: " + "; ".join(
            f"{a} to {b}: {listed(names, 30)}" for (a, b), names in groups) + "."
        measures = [(r, names) for r, names in groups if len(names) > 1] or groups[:1]

        def option(r, names):         # a scale of its own only for a group that lies outside the one given
            inside = self.scale[0] <= r[0] and r[1] <= self.scale[1]
            return f"--items {','.join(names)}" + ("" if inside else f" --scale {r[0]}-{r[1]}")

        if len(measures) == 1:
            hint += f" As one measure: {option(*measures[0])}"
        else:
            hint += (" Columns on different ranges are different measures (or covariates). One measure at a time: "
                     + " or ".join(option(r, names) for r, names in measures)
                     + "; several at once: a measures file (--measures M.csv: measure,name,domain,items, the items "
                       "separated by semicolons; see data/README.md)")
        hint += " (leave out any column that is not an item of the measure, such as a covariate on the same scale)."
        out.hint(label, None, kind, hint)

    def unanswered(self, chosen: list[str]) -> int:
        if not self.answered or not chosen:
            return 0
        cols = [self.names.index(n) for n in chosen]
        bits = np.unpackbits(np.concatenate(self.answered), axis=1, count=max(len(self.names), 1))
        return int((~bits[:, cols].astype(bool).any(axis=1)).sum())


class CovariateColumns:
    """Named covariates of one table: numbers or labels (decided over the whole file; a mostly numeric
    column with some text is a problem, kept aside until that is known), and the labels of each (for
    a reference category)."""

    def __init__(self, names: list[str], limit):
        self.names = names
        self.logs = {n: ProblemLog(limit) for n in names}
        self.counts = {n: [0, 0] for n in names}              # filled, text
        self.labels: dict[str, set[str]] = {n: set() for n in names}

    def add(self, table: CsvTable, references: Mapping[str, str]) -> None:
        for name in self.names:
            empty, _, text = numbers(table, name)
            self.counts[name][0] += int((~empty).sum())
            self.counts[name][1] += int(text.sum())
            self.logs[name].add_cells(
                table, name, text, lambda v, n=name: f"{show_cell(v)} is not a number, but most of {n} are: a numeric "
                                                      "covariate takes numbers (leave a value that is not known empty)",
                kind="not a number", rank=0)
        for name in references:
            if name in table.position and len(self.labels.setdefault(name, set())) < MAX_LABELS:
                values = table.factors(table.position[name])[1]
                self.labels[name].update(v for v in values if v.strip())

    def kind(self, name: str) -> str:
        filled, text = self.counts[name]
        return "number" if not text else "mixed" if text < filled / 2 else "category"


def r_na(table: CsvTable, j: int) -> np.ndarray:
    """Which cells of ``table``'s column ``j`` hold exactly ``NA`` (R's missing-value code), spaces aside."""
    codes, uniques = table.factors(j)
    na = np.fromiter((u.strip() == "NA" for u in uniques), dtype=bool, count=len(uniques))
    return na[codes] if na.any() else np.zeros(len(codes), dtype=bool)


def na_as_empty(table: CsvTable, counts: dict[str, int]) -> None:
    """Cells holding exactly ``NA`` (R's missing-value code) outside the id columns become empty cells
    (not answered, not known), counted by column in ``counts``."""
    for name, j in table.position.items():
        if name in ("respondent_id", "network_id"):
            continue
        mask = r_na(table, j)
        if mask.any():
            counts[name] = counts.get(name, 0) + int(mask.sum())
            table.replace(j, mask, "")


class UniqueIds:
    """Uniqueness of an id column across chunks, in bounded memory: the (64-bit, per-process) hash and
    the line of each id; ids whose hashes meet are read again from the file and compared as text."""

    def __init__(self, name: str):
        self.name, self.hashes, self.lines = name, [], []

    def add(self, table: CsvTable) -> None:
        values = table.cells[table.position[self.name]]
        present = ~blank(table, table.position[self.name])
        self.hashes.append(np.fromiter(map(hash, values[present]), dtype=np.int64, count=int(present.sum())))
        self.lines.append(table.lines[present])

    def check(self, source: CsvSource, out: ProblemLog, *, rank: int) -> None:
        """Report every repeat of an id, naming the line of its first."""
        if not self.hashes:
            return
        hashes, lines = np.concatenate(self.hashes), np.concatenate(self.lines)
        order = np.argsort(hashes, kind="stable")
        same = hashes[order][1:] == hashes[order][:-1]
        if not same.any():
            return
        suspects = np.unique(np.r_[order[1:][same], order[:-1][same]])
        values = column_at_lines(source, self.name, lines[suspects])
        first: dict[str, int] = {}
        for line in sorted(values):
            value = values[line]
            if value in first:
                out.add(Problem(source.label, line, self.name, value,
                                f"{value!r} appears again (first on line {first[value]}): {self.name} must be unique",
                                f"{self.name} not unique"), rank=rank, order=source.position[self.name])
            else:
                first[value] = line
