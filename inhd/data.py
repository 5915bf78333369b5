"""Survey data: reading, validating and loading the two CSV tables of the data contract.

A survey export is two CSV files (UTF-8, comma-separated, header on line 1):

- **respondents**, one row per respondent (and wave): the contract columns of
  :data:`RESPONDENT_COLUMNS` plus one column per survey item;
- **networks**, one row per network: the columns of :data:`NETWORK_COLUMNS`.

The schema (:class:`Column` records) and the words for what is wrong (:class:`Problem`,
:class:`ValidationReport`, :class:`InvalidSurveyData`) are in :mod:`inhd.contract`, imported here.
:func:`validate` checks both files and reports *every* problem at once, each naming the file, the CSV
line (the header is line 1), the column and the offending value; :func:`load_survey` validates and
returns typed tables. Nothing here ever writes to the input files. They are streamed: read in chunks
of records (:mod:`inhd.records`), each checked and let go, so that a file of millions of rows is
validated in bounded memory (``benchmarks/bench_validate.py``).

The columns are the variables of Perlman, Bryk & Russell (2025): Table 1 (person level: team lead,
member tenure, intensity of participation, gender and race/ethnicity with their "didn't disclose"
categories) and Table 2 (network level: single district, archetype, duration since launch,
intermediary hub type).

Examples
--------
>>> from inhd import DATA_DIR
>>> from inhd.data import load_survey
>>> survey = load_survey(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
...                      DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
>>> print(survey.summary())
OK: 2073 respondents in 34 networks, 11 items (scale 1-5)
>>> str(survey.respondents["pb_worthwhile"].dtype)
'Int64'

References
----------
Perlman, H., Bryk, A. S., & Russell, J. L. (2025). Measuring educators' perceived benefits of
participation in educational improvement networks. Tables 1 and 2.
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from inhd import records
from inhd.contract import (ARCHETYPES, FORBIDDEN_CHARACTERS, GENDERS, HUB_TYPES, MAX_ID_LENGTH, MAX_PROBLEMS,
                           NETWORK_COLUMNS, RACES, RESPONDENT_COLUMNS, Column, InvalidSurveyData, Problem,
                           ProblemLog, ValidationReport, excerpt)

__all__ = [
    "Column", "RESPONDENT_COLUMNS", "NETWORK_COLUMNS", "GENDERS", "RACES", "ARCHETYPES", "HUB_TYPES",
    "Problem", "ValidationReport", "InvalidSurveyData", "Survey",
    "validate", "load_survey", "load_respondents", "load_networks", "item_columns",
]


@dataclass(frozen=True, eq=False)
class Survey:
    """A validated survey: typed tables (see :func:`load_survey`) and the validation report."""

    respondents: pd.DataFrame
    networks: pd.DataFrame
    items: tuple[str, ...]
    scale: tuple[int, int]
    report: ValidationReport

    def summary(self) -> str:
        return self.report.summary()


# ----------------------------------------------------------------------------------------------------
# Reading a CSV file in chunks of strings, with line numbers

@dataclass
class _Table:
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


@dataclass
class _Source:
    """An opened CSV file: its header and the stream of its data rows."""

    label: str
    path: Path
    header: list[str]
    header_line: int
    position: dict[str, int]
    first: records.Chunk
    rest: Iterator[records.Chunk]


def _name_problem(name: str) -> str | None:
    """Why a column name cannot be used (too long, or holding a control character), or ``None``."""
    if len(name) > MAX_ID_LENGTH:
        return f"has {len(name)} characters: column names have at most {MAX_ID_LENGTH}"
    found = FORBIDDEN_CHARACTERS.search(name)
    return None if found is None else f"holds a control or invisible character (U+{ord(found.group()):04X})"


def _open(path, *, what: str, rank: int, out: ProblemLog) -> _Source | None:
    """Open ``path`` (never writing to it): check that it is a readable UTF-8 CSV file, read its header."""
    label = str(path)

    def fail(message, line=None, column=None, value=None):
        out.add(Problem(label, line, column, value, message), rank=rank)

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
    for j, name in enumerate(header):
        if not name.strip():
            fail(f"column {j + 1} of the header has no name (a saved row index? write the CSV without it)",
                 line=header_line)
        elif _name_problem(name):
            fail(f"column {j + 1} of the header, {excerpt(name)}, {_name_problem(name)}: rename it", line=header_line)
        elif name in position:
            fail(f"column name appears twice in the header (columns {position[name] + 1} and {j + 1})",
                 line=header_line, column=name)
        else:
            position[name] = j
    rest = records.Chunk(first.rows[1:], first.lines[1:])
    return _Source(label, Path(path), header, header_line, position, rest, stream)


def _tables(source: _Source, out: ProblemLog, *, rank: int) -> Iterator[_Table]:
    """The data rows of ``source`` as :class:`_Table` chunks. Rows with another number of fields than the
    header, or with only empty fields, become problems; a record that cannot be parsed ends the file."""
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
                              f"{width}: a truncated or damaged row (or an unquoted comma in a value)", rank=rank)
            rows = [row for row, bad in zip(chunk.rows, wrong) if not bad] if wrong.any() else chunk.rows
            lines = chunk.lines[~wrong]
            empty = np.fromiter(map(len, map(str.strip, map("".join, rows))), dtype=np.int64, count=len(rows)) == 0
            if empty.any():
                out.add_lines(source.label, lines[empty], "the row is empty (only commas): delete it", rank=rank)
                rows, lines = [row for row, blank in zip(rows, empty) if not blank], lines[~empty]
            if rows:
                cells = {j: np.array(column, dtype=object) for j, column in enumerate(zip(*rows))}
                yield _Table(source.label, source.header, cells, lines, source.position)
    except records.CsvSyntaxError as err:
        out.add(Problem(source.label, err.line, None, None, err.message), rank=rank)


def _column_at_lines(source: _Source, column: str, lines: np.ndarray) -> dict[int, str]:
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
# Checks


def _fmt(x: float) -> str:
    return f"{x:g}"


def _show(value: str) -> str:
    """A cell as it should appear in a message: numbers bare, text quoted."""
    try:
        return value.strip() if math.isfinite(float(value)) else repr(value)
    except ValueError:
        return repr(value)


def _suggest(value: str, allowed) -> str:
    close = [a for a in allowed if a.lower() == value.strip().lower()] or \
        difflib.get_close_matches(value.strip().lower(), list(allowed), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _stripped_lengths(values) -> np.ndarray:
    return np.fromiter(map(len, map(str.strip, values)), dtype=np.int64, count=len(values))


def _blank(table: _Table, j: int) -> np.ndarray:
    """Which cells of column position ``j`` are empty or only spaces."""
    if j in table._factors:
        codes, uniques = table.factors(j)
        return (_stripped_lengths(uniques) == 0)[codes]
    return _stripped_lengths(table.cells[j]) == 0


def _numbers(table: _Table, name: str):
    """(empty, number, text) for a column of strings: ``number`` is float with NaN where not numeric."""
    codes, uniques = table.factors(table.position[name])
    stripped = pd.Series(uniques, dtype=object).astype(str).str.strip()
    empty = (stripped == "").to_numpy()
    number = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float)
    return empty[codes], number[codes], (~empty & ~np.isfinite(number))[codes]


def _check_id_text(table: _Table, name: str, out: ProblemLog, *, rank: int) -> None:
    """Ids: at most MAX_ID_LENGTH characters, no control or invisible character."""
    strings = table.cells[table.position[name]]
    long = np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)) > MAX_ID_LENGTH
    out.add_cells(table, name, long,
                  lambda v: f"{excerpt(v)} has {len(v)} characters: ids have at most {MAX_ID_LENGTH} "
                            "(they name files and table rows; shorten it)", rank=rank)
    if FORBIDDEN_CHARACTERS.search(",".join(strings)) is None:      # the usual case: one scan of the chunk
        return
    bad = np.fromiter((FORBIDDEN_CHARACTERS.search(s) is not None for s in strings), dtype=bool, count=len(strings))

    def message(v):
        char = FORBIDDEN_CHARACTERS.search(v).group()
        return (f"{excerpt(v)} holds a control character or an invisible formatting character "
                f"(U+{ord(char):04X}) at position {v.index(char) + 1}: ids may not hold tabs, line breaks, "
                "escape sequences or invisible formatting characters")

    out.add_cells(table, name, bad & ~long, message, rank=rank)


def _check_column(table: _Table, col: Column, out: ProblemLog, *, rank: int, table_noun: str) -> None:
    name, values = col.name, table.col(col.name)
    if col.kind == "text":
        return
    if col.kind in ("id", "category"):
        empty = _blank(table, table.position[name])
        if col.kind == "id":
            out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}", rank=rank)
            _check_id_text(table, name, out, rank=rank)
            return
        hint = " (write 'undisclosed' if the respondent did not say)" if "undisclosed" in col.allowed else ""
        out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}{hint}", rank=rank)
        bad = ~empty & ~values.isin(col.allowed).to_numpy()
        out.add_cells(table, name, bad, lambda v: f"{v!r} is not an allowed {name} ({col.range_text()})"
                      + _suggest(v, col.allowed), rank=rank)
        return

    empty, number, text = _numbers(table, name)
    what = f"{name} takes {col.range_text()}"
    out.add_cells(table, name, empty,
                  lambda v: f"empty: every {table_noun} needs a {name} ({col.range_text()}; inhd does not "
                            "impute missing values)", rank=rank)

    def text_message(v):
        extra = " (use a point as the decimal separator)" if re.fullmatch(r"\s*-?\d+,\d+\s*", v) else ""
        return f"{_show(v)} is not a number: {what}{extra}"

    out.add_cells(table, name, text, text_message, rank=rank)
    finite = np.isfinite(number)
    with np.errstate(invalid="ignore"):
        if col.kind in ("integer", "flag"):
            fraction = finite & (number != np.floor(number))
            out.add_cells(table, name, fraction, lambda v: f"{_show(v)} is not a whole number: {what}", rank=rank)
            if col.kind == "flag":
                off = finite & ~fraction & (number != 0) & (number != 1)
                out.add_cells(table, name, off, lambda v: f"{_show(v)} is not 0 or 1: {what}", rank=rank)
        else:
            if col.low is not None:
                out.add_cells(table, name, finite & (number < col.low),
                              lambda v: f"{_show(v)} is below {_fmt(col.low)}: {what}", rank=rank)
            if col.high is not None:
                out.add_cells(table, name, finite & (number > col.high),
                              lambda v: f"{_show(v)} is above {_fmt(col.high)}: {what}", rank=rank)


def _check_item(table: _Table, name: str, scale: tuple[int, int], out: ProblemLog, *, rank: int) -> np.ndarray:
    """Check one item column; return which rows hold a number (an answer, valid or not)."""
    low, high = scale
    codes = f"{low}-{high}"
    empty, number, text = _numbers(table, name)
    out.add_cells(table, name, text,
                  lambda v: f"{_show(v)} is not a response: write the integer code ({codes}), or leave the cell "
                            "empty if the item was not answered", rank=rank)
    finite = np.isfinite(number)
    with np.errstate(invalid="ignore"):
        fraction = finite & (number != np.floor(number))
        out.add_cells(table, name, fraction,
                      lambda v: f"{_show(v)} is not a whole number: responses are integers on the scale {codes}",
                      rank=rank)
        off = finite & ~fraction & ((number < low) | (number > high))
    out.add_cells(table, name, off, lambda v: f"{_show(v)} is outside the response scale {codes}", rank=rank)
    return finite


class _UniqueIds:
    """Uniqueness of an id column across chunks, in bounded memory: the (64-bit, per-process) hash and
    the line of each id; ids whose hashes meet are read again from the file and compared as text."""

    def __init__(self, name: str):
        self.name, self.hashes, self.lines = name, [], []

    def add(self, table: _Table) -> None:
        values = table.cells[table.position[self.name]]
        present = ~_blank(table, table.position[self.name])
        self.hashes.append(np.fromiter(map(hash, values[present]), dtype=np.int64, count=int(present.sum())))
        self.lines.append(table.lines[present])

    def check(self, source: _Source, out: ProblemLog, *, rank: int) -> None:
        if not self.hashes:
            return
        hashes, lines = np.concatenate(self.hashes), np.concatenate(self.lines)
        order = np.argsort(hashes, kind="stable")
        same = hashes[order][1:] == hashes[order][:-1]
        if not same.any():
            return
        suspects = np.unique(np.r_[order[1:][same], order[:-1][same]])
        values = _column_at_lines(source, self.name, lines[suspects])
        first: dict[str, int] = {}
        again = []
        for line in sorted(values):
            value = values[line]
            if value in first:
                again.append((line, value))
            else:
                first[value] = line
        out.total += len(again)
        for line, value in again[: out.limit] if out.limit is not None else again:
            out.kept.append(((rank, line, source.position[self.name]),
                             Problem(source.label, line, self.name, value,
                                     f"{value!r} appears again (first on line {first[value]}): {self.name} must be "
                                     "unique")))


class _Links:
    """Every respondent's network_id is a network of the networks table: one problem per unknown network
    (on its first row, with the number of its respondents), gathered across chunks."""

    def __init__(self, known: set[str] | None):
        self.known = known
        self.seen: set[str] = set()
        self.unknown: dict[str, list[int]] = {}        # network_id -> [first line, respondents]

    def add(self, table: _Table) -> None:
        values = table.col("network_id")
        counts = values.value_counts(sort=False)
        self.seen.update(counts.index)
        unknown = [] if self.known is None else [v for v in counts.index if v not in self.known and v.strip()]
        if not unknown:
            return
        firsts = pd.Series(table.lines, index=values.to_numpy()).groupby(level=0, sort=False).first()
        for value in unknown:
            entry = self.unknown.setdefault(value, [int(firsts[value]), 0])
            entry[1] += int(counts[value])

    def check(self, label: str, networks_label: str, out: ProblemLog, *, rank: int, order: int) -> list[str]:
        by_lower = {k.strip().lower(): k for k in self.known}
        for value, (line, n) in sorted(self.unknown.items(), key=lambda kv: kv[1][0]):
            close = by_lower.get(value.strip().lower())
            hint = f"; did you mean {close!r}? ids must match exactly" if close else ""
            rows = f" ({n} respondents; this is the first)" if n > 1 else ""
            out.add(Problem(label, line, "network_id", value,
                            f"{value!r} is not a network_id of {networks_label}{rows}{hint}"), rank=rank, order=order)
        empty = sorted(self.known - self.seen)
        if empty:
            return [f"{len(empty)} network(s) of {networks_label} have no respondents: "
                    f"{', '.join(empty[:10])}{' ...' if len(empty) > 10 else ''}"]
        return []


def _check_scale(scale) -> tuple[int, int]:
    try:
        low, high = scale
    except (TypeError, ValueError):
        raise ValueError(f"scale must be (lowest, highest), e.g. (1, 5); got {scale!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (low, high)) or low >= high:
        raise ValueError(f"scale must be two integers (lowest, highest) with lowest < highest, e.g. (1, 5); "
                         f"got {scale!r}")
    return int(low), int(high)


def _check_items_argument(items) -> list[str] | None:
    if items is None:
        return None
    if isinstance(items, str) or not isinstance(items, Sequence) and not hasattr(items, "__iter__"):
        raise TypeError(f"items must be a list of column names, e.g. ['b01', 'b02']; got {items!r}")
    items = list(items)
    if not all(isinstance(i, str) for i in items):
        raise TypeError(f"items must be column names (strings); got {items!r}")
    if not items:
        raise ValueError("items is empty: name at least one item column, or pass items=None to use every "
                         "column that is not a contract column")
    return items




@dataclass
class _Checked:
    source: _Source | None
    items: list[str]
    notes: list[str]
    n_rows: int = 0
    frames: list[pd.DataFrame] = field(default_factory=list)
    network_ids: set[str] = field(default_factory=set)


def _respondent_header(source: _Source, items, out: ProblemLog) -> tuple[list[str], list[str]] | None:
    """The item columns named by the header and ``items``, and notes; ``None`` when the rows cannot be
    checked (too many required columns missing)."""
    notes: list[str] = []

    def fail(message, column=None):
        out.add(Problem(source.label, source.header_line, column, None, message), rank=0,
                order=source.position.get(column, -1))

    misspelt = set()                              # probably a contract column misspelt: not an item
    for col in RESPONDENT_COLUMNS.values():
        if col.name not in source.position:
            candidates = [n for n in source.position if n not in RESPONDENT_COLUMNS]
            close = difflib.get_close_matches(col.name, candidates, n=1, cutoff=0.6)
            misspelt.update(close)
            if col.required:
                hint = f" (did you mean {close[0]!r}? the header must spell it exactly)" if close else ""
                fail(f"required column is missing{hint}", column=col.name)
            elif close:
                notes.append(f"{close[0]!r} looks like the optional column {col.name!r} misspelt; it was not "
                             "used as an item")
    missing = [c.name for c in RESPONDENT_COLUMNS.values() if c.required and c.name not in source.position]
    if len(missing) > len(RESPONDENT_COLUMNS) // 2:
        fail(f"this does not look like a respondents table ({len(missing)} required columns are missing; are "
             "the respondents and networks files swapped?): its rows were not checked")
        return None
    others = [n for n in source.position if n not in RESPONDENT_COLUMNS and (items is not None or n not in misspelt)]
    if items is None:
        chosen = others
        if not chosen:
            fail("no item columns: every column that is not a contract column is an item, and there is none")
    else:
        chosen = []
        for name in items:
            if name in chosen:
                fail("is named twice in items", column=name)
            elif name in RESPONDENT_COLUMNS:
                fail(f"is a contract column ({RESPONDENT_COLUMNS[name].description}), not an item", column=name)
            elif name not in source.position:
                close = difflib.get_close_matches(name, others, n=1, cutoff=0.7)
                fail("is named as an item but is not in the header"
                     + (f"; did you mean {close[0]!r}?" if close else ""), column=name)
            else:
                chosen.append(name)
        ignored = [n for n in others if n not in chosen]
        if ignored:
            notes.append(f"{len(ignored)} column(s) of {source.label} are neither contract columns nor named "
                         f"items and were ignored: {', '.join(ignored[:10])}{' ...' if len(ignored) > 10 else ''}")
    chosen = list(dict.fromkeys(n for n in source.header if n in set(chosen)))      # file order
    return chosen, notes


def _check_respondents(path, items, scale, out: ProblemLog, *, links: _Links, collect: bool) -> _Checked:
    source = _open(path, what="respondent", rank=0, out=out)
    if source is None:
        return _Checked(None, [], [])
    header = _respondent_header(source, items, out)
    if header is None:
        return _Checked(None, [], [])
    chosen, notes = header
    checked = _Checked(source, chosen, notes)
    unique = _UniqueIds("respondent_id") if "respondent_id" in source.position else None
    keep = [n for n in source.header if n in RESPONDENT_COLUMNS or n in chosen]
    unanswered = unknown_school = 0
    for table in _tables(source, out, rank=0):
        checked.n_rows += len(table)
        for col in RESPONDENT_COLUMNS.values():
            if col.name in source.position:
                _check_column(table, col, out, rank=0, table_noun="respondent")
        if unique is not None:
            unique.add(table)
        if "network_id" in source.position:
            links.add(table)
        answered = np.zeros(len(table), dtype=bool)
        for name in chosen:
            answered |= _check_item(table, name, scale, out, rank=0)
        unanswered += int((~answered).sum()) if chosen else 0
        if "school_id" in source.position:
            unknown_school += int(_blank(table, source.position["school_id"]).sum())
        if collect and out.total == 0:           # invalid data are never loaded: stop typing them
            checked.frames.append(_typed(table, RESPONDENT_COLUMNS, keep, chosen))
    if checked.n_rows == 0:
        if not any(p.file == source.label and p.line and p.line > 1 for _, p in out.kept):
            out.add(Problem(source.label, source.header_line, None, None,
                            "no respondents: the file has a header but no data rows"), rank=0)
        return checked
    if unique is not None:
        unique.check(source, out, rank=0)
    if unanswered:
        notes.append(f"{unanswered} respondent(s) answered none of the {len(chosen)} items "
                     "(kept; they cannot be measured)")
    if unknown_school:
        notes.append(f"{unknown_school} respondent(s) have no school_id")
    return checked


def _check_networks(path, out: ProblemLog, *, collect: bool) -> _Checked:
    source = _open(path, what="network", rank=1, out=out)
    if source is None:
        return _Checked(None, [], [])
    for col in NETWORK_COLUMNS.values():
        if col.required and col.name not in source.position:
            close = difflib.get_close_matches(col.name, list(source.position), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}? the header must spell it exactly)" if close else ""
            out.add(Problem(source.label, 1, col.name, None, f"required column is missing{hint}"), rank=1)
    missing = [c.name for c in NETWORK_COLUMNS.values() if c.required and c.name not in source.position]
    if len(missing) > len(NETWORK_COLUMNS) // 2:
        out.add(Problem(source.label, 1, None, None, f"this does not look like a networks table ({len(missing)} "
                        "required columns are missing; are the respondents and networks files swapped?): its "
                        "rows were not checked"), rank=1)
        return _Checked(None, [], [])
    checked = _Checked(source, [], [])
    unique = _UniqueIds("network_id") if "network_id" in source.position else None
    for table in _tables(source, out, rank=1):
        checked.n_rows += len(table)
        for col in NETWORK_COLUMNS.values():
            if col.name in source.position:
                _check_column(table, col, out, rank=1, table_noun="network")
        if unique is not None:
            unique.add(table)
            checked.network_ids.update(table.col("network_id"))
        if collect and out.total == 0:
            checked.frames.append(_typed(table, NETWORK_COLUMNS, list(source.header), []))
    if checked.n_rows == 0:
        if not any(p.file == source.label and p.line and p.line > 1 for _, p in out.kept):
            out.add(Problem(source.label, 1, None, None, "no networks: the file has a header but no data rows"),
                    rank=1)
        return checked
    if unique is not None:
        unique.check(source, out, rank=1)
    return checked


# ----------------------------------------------------------------------------------------------------
# Typed frames


def _typed(table: _Table, columns: dict[str, Column], keep: list[str], items: list[str]) -> pd.DataFrame:
    out = {}
    for name in keep:
        values = table.col(name).reset_index(drop=True)
        col = columns.get(name)
        if name in items or (col is not None and col.kind in ("integer", "flag")):
            out[name] = pd.Series(_numbers(table, name)[1], dtype="float64").astype("Int64")
        elif col is not None and col.kind == "number":
            out[name] = pd.Series(_numbers(table, name)[1], dtype="float64")
        elif col is not None and col.kind in ("id", "category"):
            out[name] = values.astype("str")
        else:                                            # optional text and extra columns: empty = missing
            out[name] = values.astype("str").mask(_blank(table, table.position[name]))
    return pd.DataFrame(out, columns=keep)


def _frame(checked: _Checked, columns: dict[str, Column], keep: list[str], items: list[str]) -> pd.DataFrame:
    """The typed table of a checked file: its chunks joined (an empty table with the columns if none)."""
    if checked.frames:
        return pd.concat(checked.frames, ignore_index=True)
    empty = _Table(checked.source.label, checked.source.header,
                   {j: np.array([], dtype=object) for j in range(len(checked.source.header))},
                   np.array([], dtype=np.int64), checked.source.position)
    return _typed(empty, columns, keep, items)


def _run(respondents, networks, *, items, scale, max_problems, check_respondents=True, check_networks=True,
         collect=False):
    scale = _check_scale(scale)
    items = _check_items_argument(items)
    if max_problems is not None and (not isinstance(max_problems, (int, np.integer)) or max_problems < 1):
        raise ValueError(f"max_problems must be a positive integer or None; got {max_problems!r}")
    out = ProblemLog(max_problems)
    nets = _check_networks(networks, out, collect=collect) if check_networks else _Checked(None, [], [])
    linked = nets.source is not None and "network_id" in nets.source.position
    links = _Links(nets.network_ids if linked else None)
    resp = (_check_respondents(respondents, items, scale, out, links=links, collect=collect) if check_respondents
            else _Checked(None, [], []))
    notes = list(resp.notes)
    if linked and resp.source is not None and "network_id" in resp.source.position:
        notes += links.check(resp.source.label, nets.source.label, out, rank=0,
                             order=resp.source.position["network_id"])
    if resp.source is not None and "network_id" in resp.source.position:
        n_networks = len(links.seen)
    elif nets.source is not None:
        n_networks = nets.n_rows
    else:
        n_networks = 0
    report = ValidationReport(
        respondents_file=str(respondents) if check_respondents else None,
        networks_file=str(networks) if check_networks else None,
        problems=out.problems(), n_problems=out.total, notes=tuple(notes),
        n_persons=resp.n_rows, n_networks=n_networks, items=tuple(resp.items), scale=scale,
        max_problems=max_problems,
    )
    return report, resp, nets


# ----------------------------------------------------------------------------------------------------
# Public functions


def validate(respondents, networks, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5),
             max_problems: int | None = MAX_PROBLEMS) -> ValidationReport:
    """Check a survey export against the data contract; report every problem at once.

    Parameters
    ----------
    respondents, networks
        Paths of the two CSV files (UTF-8; the header on line 1). They are only read.
    items
        The item columns to use. ``None`` (default): every column that is not a contract column.
        Named items must exist; other non-contract columns are then ignored, with a note.
    scale
        ``(lowest, highest)`` response code, e.g. ``(1, 5)``; responses must be integers in this range.
    max_problems
        How many problems to keep (all are counted); ``None`` keeps every one.

    Returns
    -------
    ValidationReport
        ``ok``, ``problems`` (each with file, line, column, value, message), ``n_problems``, ``notes``.

    Raises
    ------
    ValueError, TypeError
        Only for bad arguments (``scale``, ``items``, ``max_problems``); problems with the data are
        reported, not raised.

    Notes
    -----
    Checked: required columns present; respondent_id unique and non-empty; every network_id in the
    networks table, network_id unique there; ids (respondent_id, network_id, school_id) and column
    names at most 200 characters, without control or invisible characters (tabs, line breaks, escape
    sequences, bidirectional overrides); item responses integers on ``scale`` (empty = not
    answered); numbers are numbers within their range (tenure_years >= 0, intensity 0-1.5,
    duration_years >= 0); 0/1 flags; categories in their allowed sets, spelled exactly; no empty cell in
    a required column (an empty gender or race should be written ``undisclosed``); every row has as many
    fields as the header; at least one respondent and one network; files that exist, are regular files
    (not a pipe or a device), are readable and UTF-8.

    Examples
    --------
    >>> from inhd import DATA_DIR
    >>> report = validate(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
    ...                   DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    >>> report.ok, report.n_persons, report.n_items
    (True, 2073, 11)
    """
    return _run(respondents, networks, items=items, scale=scale, max_problems=max_problems)[0]


def load_survey(respondents, networks, *, items: Sequence[str] | None = None,
                scale: tuple[int, int] = (1, 5)) -> Survey:
    """Validate a survey export and load it as typed tables.

    Parameters are those of :func:`validate`.

    Returns
    -------
    Survey
        ``respondents``: the contract columns present and the item columns, in file order, one row per
        data row (a RangeIndex); ``networks``: every column of the networks table; ``items``, ``scale``
        and the validation ``report``. Types: respondent_id, network_id, school_id, gender, race,
        archetype and hub_type are strings exactly as written (``"007"`` stays ``"007"``); item
        columns, wave, team_lead and single_district are nullable integers (``Int64``; an unanswered
        item is ``<NA>``); tenure_years, intensity and duration_years are ``float64``; extra network
        columns are strings. Empty optional cells (school_id, extra columns) are missing values.
        Non-contract columns not named in ``items`` are not loaded.

    Raises
    ------
    InvalidSurveyData
        A ``ValueError`` whose ``report`` lists every problem (its message shows the first 50).
    """
    report, resp, nets = _run(respondents, networks, items=items, scale=scale, max_problems=MAX_PROBLEMS,
                              collect=True)
    if not report.ok:
        raise InvalidSurveyData(report)
    keep = [n for n in resp.source.header if n in RESPONDENT_COLUMNS or n in resp.items]
    frame = _frame(resp, RESPONDENT_COLUMNS, keep, resp.items)
    nets_frame = _frame(nets, NETWORK_COLUMNS, list(nets.source.header), [])
    return Survey(frame, nets_frame, tuple(resp.items), report.scale, report)


def load_respondents(path, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5)) -> pd.DataFrame:
    """Validate and load the respondents table alone (no check against a networks table).

    Types as in :func:`load_survey`. Raises :class:`InvalidSurveyData` listing every problem.
    """
    report, resp, _ = _run(path, None, items=items, scale=scale, max_problems=MAX_PROBLEMS, check_networks=False,
                           collect=True)
    if not report.ok:
        raise InvalidSurveyData(report)
    keep = [n for n in resp.source.header if n in RESPONDENT_COLUMNS or n in resp.items]
    return _frame(resp, RESPONDENT_COLUMNS, keep, resp.items)


def load_networks(path) -> pd.DataFrame:
    """Validate and load the networks table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    report, _, nets = _run(None, path, items=None, scale=(1, 5), max_problems=MAX_PROBLEMS,
                           check_respondents=False, collect=True)
    if not report.ok:
        raise InvalidSurveyData(report)
    return _frame(nets, NETWORK_COLUMNS, list(nets.source.header), [])


def item_columns(frame: pd.DataFrame, items: Sequence[str] | None = None) -> list[str]:
    """The item columns of a respondents table.

    ``items=None``: every column that is not a contract column (:data:`RESPONDENT_COLUMNS`), in frame
    order. Otherwise ``items`` itself, after checking that each is a column of ``frame`` and not a
    contract column.

    Raises
    ------
    ValueError
        A named item is missing from ``frame`` or is a contract column.
    """
    if items is None:
        return [c for c in frame.columns if c not in RESPONDENT_COLUMNS]
    items = _check_items_argument(items)
    contract = [i for i in items if i in RESPONDENT_COLUMNS]
    if contract:
        raise ValueError(f"items {contract} are contract columns, not survey items")
    missing = [i for i in items if i not in frame.columns]
    if missing:
        raise ValueError(f"items {missing} are not columns of the respondents table "
                         f"(its columns: {', '.join(map(str, frame.columns))})")
    return items
