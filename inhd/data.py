"""Survey data: reading, validating and loading the two CSV tables of the data contract.

A survey export is two CSV files (UTF-8, comma-separated, header on line 1):

- **respondents**, one row per respondent (and wave): the contract columns of
  :data:`RESPONDENT_COLUMNS` plus one column per survey item;
- **networks**, one row per network: the columns of :data:`NETWORK_COLUMNS`.

The schema (:class:`Column` records) and the words for what is wrong (:class:`Problem`,
:class:`ValidationReport`, :class:`InvalidSurveyData`) are in :mod:`inhd.contract`, imported here.
:func:`validate` checks both files and reports *every* problem at once, each naming the file, the CSV
line (the header is line 1), the column and the offending value; :func:`load_survey` validates and
returns typed tables. Nothing here ever writes to the input files: they are read once, as bytes.

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

import csv
import difflib
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from inhd.contract import (ARCHETYPES, GENDERS, HUB_TYPES, MAX_PROBLEMS, NETWORK_COLUMNS, RACES,
                           RESPONDENT_COLUMNS, Column, InvalidSurveyData, Problem, ValidationReport)

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
# Reading a CSV file into strings, with line numbers


@dataclass
class _Table:
    """A CSV file as strings: ``cells`` has positional columns; ``lines`` the start line of each row."""

    label: str
    header: list[str]
    cells: pd.DataFrame
    lines: np.ndarray
    position: dict[str, int]      # column name -> first position in the header

    def col(self, name: str) -> pd.Series:
        return self.cells[self.position[name]]


class _Collector:
    """Problems with a sort key; keeps the first ``limit`` of each check, counts all."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.kept: list[tuple[tuple, Problem]] = []
        self.total = 0

    def add(self, problem: Problem, *, rank: int, order: int = -1) -> None:
        self.total += 1
        self.kept.append(((rank, problem.line or 0, order), problem))

    def add_cells(self, table: _Table, name: str, mask, message, *, rank: int) -> None:
        """One problem per True of ``mask`` (row positions of ``table``); ``message(value)`` words it."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        self.total += len(idx)
        values = table.col(name)
        order = table.position.get(name, -1)
        for i in idx[: self.limit] if self.limit is not None else idx:
            value = values.iloc[i]
            problem = Problem(table.label, int(table.lines[i]), name, value, message(value))
            self.kept.append(((rank, problem.line, order), problem))

    def problems(self) -> tuple[Problem, ...]:
        ordered = [p for _, p in sorted(self.kept, key=lambda kp: kp[0])]
        return tuple(ordered[: self.limit] if self.limit is not None else ordered)


def _read_csv(path, *, what: str, rank: int, out: _Collector) -> _Table | None:
    """Read ``path`` (never writing to it) into a :class:`_Table`; record problems in ``out``."""
    label = str(path)
    path = Path(path)

    def fail(message, line=None, column=None, value=None):
        out.add(Problem(label, line, column, value, message), rank=rank)

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
                     line=start)
                continue
            if not any(field.strip() for field in row):
                fail("the row is empty (only commas): delete it", line=start)
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
                 line=header_line)
        elif name in position:
            fail(f"column name appears twice in the header (columns {position[name] + 1} and {j + 1})",
                 line=header_line, column=name)
        else:
            position[name] = j
    cells = pd.DataFrame(rows, columns=range(len(header)), dtype="str") if rows else \
        pd.DataFrame({j: pd.Series([], dtype="str") for j in range(len(header))})
    return _Table(label, header, cells, np.asarray(lines, dtype=np.int64), position)


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


def _numbers(values: pd.Series):
    """(empty, number, text) for a column of strings: ``number`` is float with NaN where not numeric."""
    stripped = values.str.strip()
    empty = (stripped == "").to_numpy()
    number = pd.to_numeric(stripped, errors="coerce").to_numpy(dtype=float)
    text = ~empty & ~np.isfinite(number)
    return empty, number, text


def _check_column(table: _Table, col: Column, out: _Collector, *, rank: int, table_noun: str) -> None:
    name, values = col.name, table.col(col.name)
    if col.kind == "text":
        return
    if col.kind in ("id", "category"):
        empty = (values.str.strip() == "").to_numpy()
        if col.kind == "id":
            out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}", rank=rank)
            return
        hint = " (write 'undisclosed' if the respondent did not say)" if "undisclosed" in col.allowed else ""
        out.add_cells(table, name, empty, lambda v: f"empty: every {table_noun} needs a {name}{hint}", rank=rank)
        bad = ~empty & ~values.isin(col.allowed).to_numpy()
        out.add_cells(table, name, bad, lambda v: f"{v!r} is not an allowed {name} ({col.range_text()})"
                      + _suggest(v, col.allowed), rank=rank)
        return

    empty, number, text = _numbers(values)
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


def _check_item(table: _Table, name: str, scale: tuple[int, int], out: _Collector, *, rank: int) -> np.ndarray:
    """Check one item column; return which rows hold a number (an answer, valid or not)."""
    low, high = scale
    codes = f"{low}-{high}"
    empty, number, text = _numbers(table.col(name))
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


def _check_ids_unique(table: _Table, name: str, out: _Collector, *, rank: int) -> None:
    values = table.col(name)
    nonempty = (values.str.strip() != "").to_numpy()
    duplicated = values.duplicated(keep="first").to_numpy() & nonempty
    if duplicated.any():
        first = ~values.duplicated(keep="first").to_numpy()
        first_line = dict(zip(values[first], table.lines[first]))
        out.add_cells(table, name, duplicated,
                      lambda v: f"{v!r} appears again (first on line {first_line[v]}): {name} must be unique",
                      rank=rank)


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
    table: _Table | None
    items: list[str]
    notes: list[str]


def _check_respondents(path, items, scale, out: _Collector) -> _Checked:
    table = _read_csv(path, what="respondent", rank=0, out=out)
    if table is None:
        return _Checked(None, [], [])
    notes: list[str] = []
    header_line = 1

    def fail(message, column=None):
        out.add(Problem(table.label, header_line, column, None, message), rank=0,
                order=table.position.get(column, -1))

    misspelt = set()                              # probably a contract column misspelt: not an item
    for col in RESPONDENT_COLUMNS.values():
        if col.name not in table.position:
            candidates = [n for n in table.position if n not in RESPONDENT_COLUMNS]
            close = difflib.get_close_matches(col.name, candidates, n=1, cutoff=0.6)
            misspelt.update(close)
            if col.required:
                hint = f" (did you mean {close[0]!r}? the header must spell it exactly)" if close else ""
                fail(f"required column is missing{hint}", column=col.name)
            elif close:
                notes.append(f"{close[0]!r} looks like the optional column {col.name!r} misspelt; it was not "
                             "used as an item")
    missing = [c.name for c in RESPONDENT_COLUMNS.values() if c.required and c.name not in table.position]
    if len(missing) > len(RESPONDENT_COLUMNS) // 2:
        fail(f"this does not look like a respondents table ({len(missing)} required columns are missing; are "
             "the respondents and networks files swapped?): its rows were not checked")
        return _Checked(None, [], [])
    others = [n for n in table.position if n not in RESPONDENT_COLUMNS and (items is not None or n not in misspelt)]
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
            elif name not in table.position:
                close = difflib.get_close_matches(name, others, n=1, cutoff=0.7)
                fail("is named as an item but is not in the header"
                     + (f"; did you mean {close[0]!r}?" if close else ""), column=name)
            else:
                chosen.append(name)
        ignored = [n for n in others if n not in chosen]
        if ignored:
            notes.append(f"{len(ignored)} column(s) of {table.label} are neither contract columns nor named "
                         f"items and were ignored: {', '.join(ignored[:10])}{' ...' if len(ignored) > 10 else ''}")
    chosen = [n for n in table.header if n in set(chosen)]      # file order
    chosen = list(dict.fromkeys(chosen))

    if len(table.cells) == 0:
        if not any(p.file == table.label and p.line and p.line > 1 for _, p in out.kept):
            fail("no respondents: the file has a header but no data rows")
        return _Checked(table, chosen, notes)
    for col in RESPONDENT_COLUMNS.values():
        if col.name in table.position:
            _check_column(table, col, out, rank=0, table_noun="respondent")
    if "respondent_id" in table.position:
        _check_ids_unique(table, "respondent_id", out, rank=0)
    answered = np.zeros(len(table.cells), dtype=bool)
    for name in chosen:
        answered |= _check_item(table, name, scale, out, rank=0)
    if chosen:
        if (~answered).any():
            notes.append(f"{int((~answered).sum())} respondent(s) answered none of the {len(chosen)} items "
                         "(kept; they cannot be measured)")
    if "school_id" in table.position:
        unknown = int((table.col("school_id").str.strip() == "").sum())
        if unknown:
            notes.append(f"{unknown} respondent(s) have no school_id")
    return _Checked(table, chosen, notes)


def _check_networks(path, out: _Collector) -> _Checked:
    table = _read_csv(path, what="network", rank=1, out=out)
    if table is None:
        return _Checked(None, [], [])
    for col in NETWORK_COLUMNS.values():
        if col.required and col.name not in table.position:
            close = difflib.get_close_matches(col.name, list(table.position), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}? the header must spell it exactly)" if close else ""
            out.add(Problem(table.label, 1, col.name, None, f"required column is missing{hint}"), rank=1)
    missing = [c.name for c in NETWORK_COLUMNS.values() if c.required and c.name not in table.position]
    if len(missing) > len(NETWORK_COLUMNS) // 2:
        out.add(Problem(table.label, 1, None, None, f"this does not look like a networks table ({len(missing)} "
                        "required columns are missing; are the respondents and networks files swapped?): its "
                        "rows were not checked"), rank=1)
        return _Checked(None, [], [])
    if len(table.cells) == 0:
        if not any(p.file == table.label and p.line and p.line > 1 for _, p in out.kept):
            out.add(Problem(table.label, 1, None, None, "no networks: the file has a header but no data rows"),
                    rank=1)
        return _Checked(table, [], [])
    for col in NETWORK_COLUMNS.values():
        if col.name in table.position:
            _check_column(table, col, out, rank=1, table_noun="network")
    if "network_id" in table.position:
        _check_ids_unique(table, "network_id", out, rank=1)
    return _Checked(table, [], [])


def _check_links(resp: _Checked, nets: _Checked, out: _Collector) -> list[str]:
    """Every respondent's network_id is in the networks table; note networks without respondents."""
    if resp.table is None or nets.table is None or "network_id" not in resp.table.position \
            or "network_id" not in nets.table.position:
        return []
    r, known = resp.table.col("network_id"), nets.table.col("network_id")
    known_set = set(known)
    missing = ~r.isin(known_set).to_numpy() & (r.str.strip() != "").to_numpy()
    by_lower = {k.strip().lower(): k for k in known_set}
    counts = r[missing].value_counts()
    first = ~r.duplicated().to_numpy()

    def message(v):
        n = int(counts[v])
        close = by_lower.get(v.strip().lower())
        hint = f"; did you mean {close!r}? ids must match exactly" if close else ""
        rows = f" ({n} respondents; this is the first)" if n > 1 else ""
        return f"{v!r} is not a network_id of {nets.table.label}{rows}{hint}"

    # one problem per unknown network (on its first row), not one per respondent
    out.add_cells(resp.table, "network_id", missing & first, message, rank=0)
    empty = set(known_set) - set(r)
    if empty:
        names = sorted(empty)
        return [f"{len(names)} network(s) of {nets.table.label} have no respondents: "
                f"{', '.join(names[:10])}{' ...' if len(names) > 10 else ''}"]
    return []


# ----------------------------------------------------------------------------------------------------
# Typed frames


def _typed(table: _Table, columns: dict[str, Column], keep: list[str], items: list[str]) -> pd.DataFrame:
    out = {}
    for name in keep:
        values = table.col(name).reset_index(drop=True)
        col = columns.get(name)
        if name in items or (col is not None and col.kind in ("integer", "flag")):
            out[name] = pd.to_numeric(values.str.strip(), errors="raise").astype("Int64") if len(values) else \
                pd.Series([], dtype="Int64")
        elif col is not None and col.kind == "number":
            out[name] = pd.to_numeric(values.str.strip(), errors="raise").astype("float64") if len(values) else \
                pd.Series([], dtype="float64")
        elif col is not None and col.kind in ("id", "category"):
            out[name] = values.astype("str")
        else:                                            # optional text and extra columns: empty = missing
            out[name] = values.astype("str").mask(values.str.strip() == "")
    return pd.DataFrame(out, columns=keep)


def _run(respondents, networks, *, items, scale, max_problems, check_respondents=True, check_networks=True):
    scale = _check_scale(scale)
    items = _check_items_argument(items)
    if max_problems is not None and (not isinstance(max_problems, (int, np.integer)) or max_problems < 1):
        raise ValueError(f"max_problems must be a positive integer or None; got {max_problems!r}")
    out = _Collector(max_problems)
    resp = _check_respondents(respondents, items, scale, out) if check_respondents else _Checked(None, [], [])
    nets = _check_networks(networks, out) if check_networks else _Checked(None, [], [])
    notes = resp.notes + _check_links(resp, nets, out)
    if resp.table is not None and "network_id" in resp.table.position:
        n_networks = int(resp.table.col("network_id").nunique())
    elif nets.table is not None:
        n_networks = len(nets.table.cells)
    else:
        n_networks = 0
    report = ValidationReport(
        respondents_file=str(respondents) if check_respondents else None,
        networks_file=str(networks) if check_networks else None,
        problems=out.problems(), n_problems=out.total, notes=tuple(notes),
        n_persons=0 if resp.table is None else len(resp.table.cells),
        n_networks=n_networks, items=tuple(resp.items), scale=scale, max_problems=max_problems,
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
    networks table, network_id unique there; item responses integers on ``scale`` (empty = not
    answered); numbers are numbers within their range (tenure_years >= 0, intensity 0-1.5,
    duration_years >= 0); 0/1 flags; categories in their allowed sets, spelled exactly; no empty cell in
    a required column (an empty gender or race should be written ``undisclosed``); every row has as many
    fields as the header; at least one respondent and one network; files that exist, are readable and
    UTF-8.

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
    report, resp, nets = _run(respondents, networks, items=items, scale=scale, max_problems=MAX_PROBLEMS)
    if not report.ok:
        raise InvalidSurveyData(report)
    keep = [n for n in resp.table.header if n in RESPONDENT_COLUMNS or n in resp.items]
    frame = _typed(resp.table, RESPONDENT_COLUMNS, keep, resp.items)
    nets_frame = _typed(nets.table, NETWORK_COLUMNS, list(nets.table.header), [])
    return Survey(frame, nets_frame, tuple(resp.items), report.scale, report)


def load_respondents(path, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5)) -> pd.DataFrame:
    """Validate and load the respondents table alone (no check against a networks table).

    Types as in :func:`load_survey`. Raises :class:`InvalidSurveyData` listing every problem.
    """
    report, resp, _ = _run(path, None, items=items, scale=scale, max_problems=MAX_PROBLEMS, check_networks=False)
    if not report.ok:
        raise InvalidSurveyData(report)
    keep = [n for n in resp.table.header if n in RESPONDENT_COLUMNS or n in resp.items]
    return _typed(resp.table, RESPONDENT_COLUMNS, keep, resp.items)


def load_networks(path) -> pd.DataFrame:
    """Validate and load the networks table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    report, _, nets = _run(None, path, items=None, scale=(1, 5), max_problems=MAX_PROBLEMS,
                           check_respondents=False)
    if not report.ok:
        raise InvalidSurveyData(report)
    return _typed(nets.table, NETWORK_COLUMNS, list(nets.table.header), [])


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
