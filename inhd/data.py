"""Survey data: reading, validating and loading the CSV tables of the data contract.

A survey export is (UTF-8, comma-separated, header on line 1):

- **respondents**, one row per respondent (and wave): ``respondent_id``, ``network_id``, the item
  columns, and ``school_id`` and ``wave`` when the survey has them (:data:`RESPONDENT_COLUMNS`);
  any other column (age, gender, ...) is used only when named as a covariate;
- **networks** (optional), one row per network: ``network_id`` and any network-level columns;
- **measures** (optional, for a survey of several measures), one row per measure: ``measure, name,
  domain, items`` (:data:`MEASURE_COLUMNS`).

The schema (:class:`Column` records) and the words for what is wrong (:class:`Problem`,
:class:`ValidationReport`, :class:`InvalidSurveyData`) are in :mod:`inhd.contract`.
:func:`validate` checks the files and reports *every* problem at once, grouped by file, column and
kind with the count and the first three lines of each group, each naming the file, the CSV line (the
header is line 1), the column and the offending value; :func:`load_survey` validates and returns
typed tables, reverse-keyed items recoded. Nothing here ever writes to the input files: they are
read once, as bytes.

Which columns are items: those named (``items=``, or the measures file's ``items``); when none are
named, every column that is not a contract column, a recognised covariate of the paper
(:data:`PAPER_PERSON_COVARIATES`) or a named covariate, and at least half of whose filled cells are
whole numbers on the response scale. Other columns are reported as not used, with what they hold.

Examples
--------
>>> from inhd import DATA_DIR
>>> from inhd.data import load_survey
>>> survey = load_survey(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
...                      DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
>>> print(survey.summary().splitlines()[0])
OK: 2073 respondents in 34 networks, 11 items (scale 1-5)
>>> str(survey.respondents["pb_worthwhile"].dtype)
'Int64'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
import numpy as np
import pandas as pd

from inhd.contract import (MEASURE_COLUMNS, NETWORK_COLUMNS, PAPER_NETWORK_COVARIATES,
                           PAPER_PERSON_COVARIATES, RESPONDENT_COLUMNS, Column, InvalidSurveyData, Problem,
                           ValidationReport)
from inhd.csv_table import (CsvTable, ProblemCollector, cell_numbers, check_column, check_unique, format_number,
                            read_csv_table, show_cell)

__all__ = [
    "Column", "RESPONDENT_COLUMNS", "NETWORK_COLUMNS", "PAPER_PERSON_COVARIATES", "PAPER_NETWORK_COVARIATES",
    "MEASURE_COLUMNS", "Problem", "ValidationReport", "InvalidSurveyData", "Survey",
    "validate", "load_survey", "load_respondents", "load_networks", "item_columns", "reverse_items",
]

#: Item cells that are a missing-value code of a statistics package, not an empty cell.
_MISSING_CODES = {"NA", "N/A", "NaN", "nan", ".", "-99", "-999", "-9", "missing", "NULL"}


@dataclass(frozen=True, eq=False)
class Survey:
    """A validated survey (:func:`load_survey`).

    Attributes
    ----------
    respondents : pandas.DataFrame
        Contract columns present, covariates (recognised or named) and items, in file order.
    networks : pandas.DataFrame
        The networks table; without one, a table of the respondents' ``network_id``s.
    items : tuple of str
    scale : (int, int)
    report : ValidationReport
    reversed : tuple of str
        Items recoded as ``lowest + highest - x`` when loaded.
    measures : pandas.DataFrame or None
        ``measure, name, domain, items`` (``items`` a tuple of columns), from the measures file.
    """

    respondents: pd.DataFrame
    networks: pd.DataFrame
    items: tuple[str, ...]
    scale: tuple[int, int]
    report: ValidationReport
    reversed: tuple[str, ...] = ()
    measures: pd.DataFrame | None = field(default=None, repr=False)

    def summary(self) -> str:
        return self.report.summary()


# ----------------------------------------------------------------------------------------------------
# Checks of cells


def _normal(name: str) -> str:
    """A column name without case, spaces, dashes and underscores (to recognise a misspelling)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


def _check_item(table: CsvTable, name: str, scale: tuple[int, int], out: ProblemCollector, *, rank: int):
    """Check one item column; return (rows holding a number, the whole numbers found)."""
    low, high = scale
    codes = f"{low}-{high}"
    empty, number, text = cell_numbers(table.col(name))
    kind = "not a response (text)"
    out.add_cells(table, name, text,
                  lambda v: f"{show_cell(v)} is not a response: write the integer code ({codes}), or leave the cell "
                            "empty if the item was not answered", kind=kind, rank=rank)
    codes_found = set(table.col(name)[text].str.strip())
    if codes_found & _MISSING_CODES:
        code = sorted(codes_found & _MISSING_CODES)[0]
        out.hint(table.label, name, kind, f"{code!r} marks a missing response in some programs; here an unanswered "
                 "item is an empty cell (in R: write.csv(x, na = \"\"); in pandas: to_csv(na_rep=\"\"))")
    finite = np.isfinite(number)
    with np.errstate(invalid="ignore"):
        fraction = finite & (number != np.floor(number))
        out.add_cells(table, name, fraction,
                      lambda v: f"{show_cell(v)} is not a whole number: responses are integers on the scale {codes}",
                      kind="not a whole number", rank=rank)
        whole = finite & ~fraction
        off = whole & ((number < low) | (number > high))
    out.add_cells(table, name, off, lambda v: f"{show_cell(v)} is outside the response scale {codes}",
                  kind=f"outside the response scale {codes}", rank=rank)
    return finite, number[whole]


def _looks_like_items(table: CsvTable, candidates, scale) -> tuple[list[str], dict[str, str]]:
    """Split columns into items (at least half of the filled cells whole numbers on the scale) and
    the others, with what each other column holds."""
    low, high = scale
    items, others = [], {}
    for name in candidates:
        empty, number, text = cell_numbers(table.col(name))
        filled = int((~empty).sum())
        with np.errstate(invalid="ignore"):
            on_scale = np.isfinite(number) & (number == np.floor(number)) & (number >= low) & (number <= high)
        if filled and on_scale.sum() >= filled / 2:
            items.append(name)
        elif not filled:
            others[name] = "empty"
        elif text.sum() > filled / 2:
            others[name] = "text"
        else:
            finite = number[np.isfinite(number)]
            others[name] = f"numbers {format_number(finite.min())} to {format_number(finite.max())}, not on the scale {low}-{high}"
    return items, others


def _covariate_kind(values: pd.Series) -> str:
    """``"number"`` when every filled cell is a number, ``"mixed"`` when most are, else ``"category"``."""
    empty, _, text = cell_numbers(values)
    if not text.any():
        return "number"
    return "mixed" if text.sum() < (~empty).sum() / 2 else "category"


def _check_covariate(table: CsvTable, name: str, out: ProblemCollector, *, rank: int) -> None:
    """A named covariate: numbers or text labels; a mostly numeric column with some text is a problem."""
    if _covariate_kind(table.col(name)) == "mixed":
        _, _, text = cell_numbers(table.col(name))
        out.add_cells(table, name, text,
                      lambda v: f"{show_cell(v)} is not a number, but most of {name} are: a numeric covariate takes "
                                "numbers (leave a value that is not known empty)", kind="not a number", rank=rank)


def _check_scale(scale) -> tuple[int, int]:
    try:
        low, high = scale
    except (TypeError, ValueError):
        raise ValueError(f"scale must be (lowest, highest), e.g. (1, 5); got {scale!r}") from None
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (low, high)) or low >= high:
        raise ValueError(f"scale must be two integers (lowest, highest) with lowest < highest, e.g. (1, 5); "
                         f"got {scale!r}")
    return int(low), int(high)


def _check_names_argument(names, what: str, example: str) -> list[str] | None:
    if names is None:
        return None
    if isinstance(names, str) or not isinstance(names, Sequence) and not hasattr(names, "__iter__"):
        raise TypeError(f"{what} must be a list of column names, e.g. {example}; got {names!r}")
    names = list(names)
    if not all(isinstance(i, str) for i in names):
        raise TypeError(f"{what} must be column names (strings); got {names!r}")
    return names


def _check_items_argument(items) -> list[str] | None:
    items = _check_names_argument(items, "items", "['b01', 'b02']")
    if items is not None and not items:
        raise ValueError("items is empty: name at least one item column, or pass items=None to use every "
                         "column that holds responses on the scale")
    return items
# ----------------------------------------------------------------------------------------------------
# Checks of tables


@dataclass
class _Options:
    items: list[str] | None
    scale: tuple[int, int]
    reverse: list[str]
    person: list[str]
    network: list[str]
    references: dict[str, str]
    measures: object = None


@dataclass
class _Checked:
    table: CsvTable | None
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    measures: list[tuple] = field(default_factory=list)


def _header_hint(name: str, header) -> str:
    """``" (did you mean 'X'? ...)"`` when a header name is ``name`` misspelt, else ``""``."""
    close = [h for h in header if _normal(h) == _normal(name)] or \
        difflib.get_close_matches(name, list(header), n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}? the header must spell it {name})" if close else ""


def _check_header(table: CsvTable, out: ProblemCollector, opts: _Options) -> tuple[list[str], list[str]]:
    """Required and named columns of the respondents table; returns (covariates, misspelt)."""
    def fail(message, column=None, kind=None):
        out.add(Problem(table.label, 1, column, None, message, kind or message), rank=0,
                order=table.position.get(column, -1))

    for col in RESPONDENT_COLUMNS.values():
        if col.required and col.name not in table.position:
            fail(f"required column is missing{_header_hint(col.name, table.position)}", col.name,
                 "required column is missing")
    misspelt = [h for h in table.position for col in RESPONDENT_COLUMNS.values()
                if not col.required and col.name not in table.position and h != col.name
                and _normal(h) == _normal(col.name)]
    covariates = [c for c in PAPER_PERSON_COVARIATES if c in table.position]
    for name in opts.person:
        if name in RESPONDENT_COLUMNS:
            fail(f"is a contract column ({RESPONDENT_COLUMNS[name].description}), not a covariate", name,
                 "named as a covariate")
        elif name not in table.position:
            fail(f"is named as a person covariate but is not in the header{_header_hint(name, table.position)}",
                 name, "named as a covariate")
        elif name not in covariates:
            covariates.append(name)
    return covariates, misspelt


def _choose_items(table: CsvTable, out: ProblemCollector, opts: _Options, covariates, misspelt) -> tuple[list, dict]:
    """The item columns (named, from the measures file, or recognised by their values) and the
    columns not used, with what each holds."""
    def fail(message, column=None, kind="named as an item"):
        out.add(Problem(table.label, 1, column, None, message, kind), rank=0, order=table.position.get(column, -1))

    known = set(RESPONDENT_COLUMNS) | set(PAPER_PERSON_COVARIATES) | set(PAPER_NETWORK_COVARIATES) | set(covariates)
    others = [n for n in table.position if n not in known and n not in misspelt]
    if opts.items is None:
        chosen, unused = _looks_like_items(table, others, opts.scale)
        if not chosen:
            low, high = opts.scale
            fail(f"no item columns: no column besides the contract columns holds responses on the scale "
                 f"{low}-{high}" + (f" (columns found: {', '.join(others[:10])})" if others else ""),
                 kind="no item columns")
            _whole_numbers_hint(table, out, others)
        return chosen, unused
    chosen = []
    for name in opts.items:
        if name in chosen:
            fail("is named twice in items", name)
        elif name in known:
            fail("is a contract column or a covariate, not an item", name)
        elif name not in table.position:
            close = [o for o in others if _normal(o) == _normal(name)] or \
                difflib.get_close_matches(name, others, n=1, cutoff=0.7)
            fail("is named as an item but is not in the header" + (f"; did you mean {close[0]!r}?" if close else ""),
                 name)
        else:
            chosen.append(name)
    _, unused = _looks_like_items(table, [n for n in others if n not in chosen], opts.scale)
    unused = {n: what for n, what in unused.items()} | {
        n: "responses on the scale, not named as an item" for n in others if n not in chosen and n not in unused}
    return [n for n in table.header if n in set(chosen)], unused


def _whole_numbers_hint(table: CsvTable, out: ProblemCollector, columns) -> None:
    """No item found: say which whole numbers the columns that hold mostly whole numbers hold."""
    found, lows, highs = [], [], []
    for name in columns:
        empty, number, _ = cell_numbers(table.col(name))
        whole = number[np.isfinite(number) & (number == np.floor(number))]
        if whole.size and whole.size >= (~empty).sum() / 2:
            found.append(name)
            lows.append(int(whole.min()))
            highs.append(int(whole.max()))
    if found and max(highs) - min(lows) <= 20:
        low, high = min(lows), max(highs)
        out.hints.append(f"{', '.join(found[:10])}{' ...' if len(found) > 10 else ''} hold whole numbers from {low} "
                         f"to {high}: if they are the items and that is the response scale, say so "
                         f"(--scale {low}-{high})")


def _scale_hint(out: ProblemCollector, table: CsvTable, found: list, scale) -> None:
    """Off-scale responses in at least 1% of the answers (not a stray typo): say which whole numbers
    the item columns hold."""
    low, high = scale
    values = np.concatenate(found) if found else np.array([])
    if not values.size or ((values < low) | (values > high)).mean() < 0.01:
        return
    a, b = int(values.min()), int(values.max())
    if b - a <= 20:
        out.hints.append(f"{((values < low) | (values > high)).sum():,} responses lie outside the scale {low}-{high}; "
                         f"the item columns hold whole numbers from {a} to {b}: if that is the response scale, "
                         f"say so (--scale {a}-{b}, or scale=({a}, {b}))")


def _read_na_as_empty(table: CsvTable) -> str | None:
    """Cells holding exactly ``NA`` (R's default missing-value code) outside the id columns become empty
    cells (not answered, not known); returns the note saying so, or None."""
    counts = {}
    for name, j in table.position.items():
        if name in ("respondent_id", "network_id"):
            continue
        na = table.cells[j].str.strip() == "NA"
        if na.any():
            counts[name] = int(na.sum())
            table.cells.loc[na, j] = ""
    if not counts:
        return None
    shown = ", ".join(list(counts)[:10]) + (" ..." if len(counts) > 10 else "")
    return (f"{sum(counts.values()):,} cell(s) of {table.label} hold NA (R's missing-value code), in {shown}: read as "
            "empty (not answered, not known)")


def _check_respondents(table: CsvTable | None, opts: _Options, out: ProblemCollector) -> _Checked:
    if table is None:
        return _Checked(None)
    notes: list[str] = [note] if (note := _read_na_as_empty(table)) else []
    if all(c not in table.position for c in ("respondent_id", "network_id")):
        out.add(Problem(table.label, 1, None, None, "neither respondent_id nor network_id is in the header: the "
                        "rows were not checked", "not a respondents table"), rank=0)
        return _Checked(None)
    covariates, misspelt = _check_header(table, out, opts)
    for name in misspelt:
        notes.append(f"{name!r} looks like an optional contract column misspelt; it was not used "
                     f"(rename it to {[c for c in RESPONDENT_COLUMNS if _normal(c) == _normal(name)][0]!r})")
    if opts.measures is not None:
        opts.items = list(dict.fromkeys(i for m in opts.measures for i in m[3] if i in table.position))
    items, unused = _choose_items(table, out, opts, covariates, misspelt)
    if opts.items is None and items:
        shown = items if len(items) <= 30 else [*items[:15], "...", *items[-15:]]
        notes.append(f"the {len(items)} item column(s) were recognised by their values, none being named: "
                     f"{', '.join(shown)} (name them with --items or a measures file to choose)")
    if unused:
        described = [f"{n} ({what})" for n, what in list(unused.items())[:12]]
        notes.append(f"{len(unused)} column(s) of {table.label} not used (neither items nor covariates): "
                     f"{', '.join(described)}{' ...' if len(unused) > 12 else ''} (name a column as an item or a "
                     "covariate to use it)")
    partial = [c for c in PAPER_PERSON_COVARIATES if c in table.position]
    if partial and len(partial) < len(PAPER_PERSON_COVARIATES) and not opts.person:
        notes.append(f"{len(partial)} of the paper's {len(PAPER_PERSON_COVARIATES)} person covariates are present "
                     f"({', '.join(partial)}): they form the default model only when all are")
    if len(table.cells) == 0:
        if not out.has(table.label, beyond_header=True):
            out.add(Problem(table.label, 1, None, None, "no respondents: the file has a header but no data rows",
                            "no respondents"), rank=0)
        return _Checked(table, items, notes, covariates, list(unused))
    for col in [*RESPONDENT_COLUMNS.values(), *PAPER_PERSON_COVARIATES.values()]:
        if col.name in table.position:
            check_column(table, col, out, rank=0, table_noun="respondent")
    for name in covariates:
        if name not in PAPER_PERSON_COVARIATES:
            _check_covariate(table, name, out, rank=0)
    if "respondent_id" in table.position:
        check_unique(table, "respondent_id", out, rank=0)
    answered = np.zeros(len(table.cells), dtype=bool)
    found = []
    for name in items:
        finite, whole = _check_item(table, name, opts.scale, out, rank=0)
        answered |= finite
        found.append(whole)
    _scale_hint(out, table, found, opts.scale)
    for name in opts.reverse:
        if name not in items:
            out.add(Problem(table.label, 1, name, None, "is named as reverse-keyed but is not an item"
                            + (f" (the items: {', '.join(items[:10])}{' ...' if len(items) > 10 else ''})"
                               if items else ""), "reverse-keyed item not an item"),
                    rank=0, order=table.position.get(name, -1))
    if items and (~answered).any():
        notes.append(f"{int((~answered).sum())} respondent(s) answered none of the {len(items)} items "
                     "(kept; they cannot be measured)")
    if "school_id" in table.position:
        unknown = int((table.col("school_id").str.strip() == "").sum())
        if unknown:
            notes.append(f"{unknown} respondent(s) have no school_id")
    _check_references(table, out, opts, covariates, rank=0)
    return _Checked(table, items, notes, covariates, list(unused))


def _check_references(table: CsvTable, out: ProblemCollector, opts: _Options, covariates, *, rank: int) -> None:
    """A reference category (``references={column: value}``) must be a label the column holds."""
    for column, value in opts.references.items():
        if column not in covariates:
            continue
        values = table.col(column)
        labels = sorted(set(values[values.str.strip() != ""]))
        if value not in set(labels):
            shown = ", ".join(repr(v) for v in labels[:10]) + (" ..." if len(labels) > 10 else "")
            out.add(Problem(table.label, 1, column, value, f"the reference category {value!r} does not occur in "
                            f"{column} (its values: {shown})", "reference category not found"),
                    rank=rank, order=table.position.get(column, -1))


def _check_networks(path, opts: _Options, out: ProblemCollector, respondents: CsvTable | None) -> _Checked:
    table = read_csv_table(path, what="network", rank=1, out=out)
    if table is None:
        return _Checked(None)
    na_note = _read_na_as_empty(table)
    def fail(message, column, kind):
        out.add(Problem(table.label, 1, column, None, message, kind), rank=1, order=table.position.get(column, -1))

    if "network_id" not in table.position:
        fail(f"required column is missing{_header_hint('network_id', table.position)}", "network_id",
             "required column is missing")
        return _Checked(None)
    covariates = [c for c in PAPER_NETWORK_COVARIATES if c in table.position]
    elsewhere = respondents.label if respondents is not None else "the respondents table"
    for name in opts.network:
        if name == "network_id":
            fail("is the network's id, not a covariate", name, "named as a covariate")
        elif name not in table.position:
            there = respondents is not None and name in respondents.position
            fail("is named as a network covariate but is not in the header"
                 + (f"; it is a column of {elsewhere}: a network covariate has one value per network, in the "
                    "networks table" if there else _header_hint(name, table.position)), name, "named as a covariate")
        elif name not in covariates:
            covariates.append(name)
    if len(table.cells) == 0:
        if not out.has(table.label, beyond_header=True):
            fail("no networks: the file has a header but no data rows", None, "no networks")
        return _Checked(table, covariates=covariates, notes=[na_note] if na_note else [])
    for col in [*NETWORK_COLUMNS.values(), *PAPER_NETWORK_COVARIATES.values()]:
        if col.name in table.position:
            check_column(table, col, out, rank=1, table_noun="network")
    for name in covariates:
        if name not in PAPER_NETWORK_COVARIATES:
            _check_covariate(table, name, out, rank=1)
    check_unique(table, "network_id", out, rank=1)
    _check_references(table, out, opts, covariates, rank=1)
    return _Checked(table, covariates=covariates, notes=[na_note] if na_note else [])


def _check_links(resp: _Checked, nets: _Checked, out: ProblemCollector) -> list[str]:
    """Every respondent's network_id is in the networks table; note networks without respondents."""
    if resp.table is None or nets.table is None or "network_id" not in resp.table.position:
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
    out.add_cells(resp.table, "network_id", missing & first, message, kind="network_id not in the networks table",
                  rank=0)
    empty = set(known_set) - set(r)
    if empty:
        names = sorted(empty)
        return [f"{len(names)} network(s) of {nets.table.label} have no respondents: "
                f"{', '.join(names[:10])}{' ...' if len(names) > 10 else ''}"]
    return []


def _check_measures(path, header: list[str] | None, out: ProblemCollector) -> list[tuple]:
    """The measures table: ``(measure, name, domain, items)`` per row, items checked against ``header``."""
    table = read_csv_table(path, what="measure", rank=2, out=out)
    if table is None:
        return []

    def fail(line, column, value, message, kind):
        out.add(Problem(table.label, line, column, value, message, kind), rank=2,
                order=table.position.get(column, -1))

    for col in MEASURE_COLUMNS.values():
        if col.required and col.name not in table.position:
            fail(1, col.name, None, f"required column is missing{_header_hint(col.name, table.position)}",
                 "required column is missing")
    if any(c.required and c.name not in table.position for c in MEASURE_COLUMNS.values()):
        return []
    for col in MEASURE_COLUMNS.values():
        if col.name in table.position:
            check_column(table, col, out, rank=2, table_noun="measure")
    check_unique(table, "measure", out, rank=2)
    rows, seen = [], {}
    for i in range(len(table.cells)):
        line = int(table.lines[i])
        key = table.col("measure").iloc[i]
        cell = table.col("items").iloc[i]
        items = [x.strip() for x in cell.split(";") if x.strip()]
        for item in items:
            if header is not None and item not in header:
                close = [h for h in header if _normal(h) == _normal(item)]
                spaces = " (separate items with semicolons)" if " " in item else ""
                fail(line, "items", cell, f"{item!r} is not a column of the respondents table"
                     + (f"; did you mean {close[0]!r}?" if close else spaces), "item not in the respondents table")
            seen.setdefault(item, []).append(key)
        text = {c: (table.col(c).iloc[i].strip() if c in table.position else "") for c in ("name", "domain")}
        rows.append((key, text["name"] or key, text["domain"], tuple(items)))
    shared = {i: k for i, k in seen.items() if len(k) > 1}
    if shared:
        item, keys = next(iter(shared.items()))
        fail(None, "items", None, f"{len(shared)} item(s) belong to more than one measure, e.g. {item!r} in "
             f"{', '.join(keys)}: a measure's items are its own", "item in more than one measure")
    return rows
# ----------------------------------------------------------------------------------------------------
# Typed frames


def _typed_column(values: pd.Series, kind: str) -> pd.Series:
    values = values.reset_index(drop=True)
    stripped = values.str.strip()
    if kind in ("item", "integer", "flag"):
        return pd.to_numeric(stripped.mask(stripped == ""), errors="raise").astype("Int64")
    if kind == "number":
        return pd.to_numeric(stripped.mask(stripped == ""), errors="raise").astype("float64")
    if kind == "id":
        return values.astype("str")
    return values.astype("str").mask(stripped == "")        # text and labels: empty = not known


def _kind_of(table: CsvTable, name: str, columns: Mapping[str, Column]) -> str:
    if name in columns:
        return columns[name].kind
    return "number" if _covariate_kind(table.col(name)) == "number" else "category"


def _typed_respondents(checked: _Checked, reverse, scale) -> pd.DataFrame:
    table = checked.table
    known = {**RESPONDENT_COLUMNS, **PAPER_PERSON_COVARIATES}
    keep = [n for n in table.header if n in RESPONDENT_COLUMNS or n in checked.covariates or n in checked.items]
    keep = list(dict.fromkeys(keep))
    out = {n: _typed_column(table.col(n), "item" if n in checked.items else _kind_of(table, n, known)) for n in keep}
    frame = pd.DataFrame(out, columns=keep)
    return reverse_items(frame, list(reverse), scale=scale) if reverse else frame


def _typed_networks(checked: _Checked | None, respondents: pd.DataFrame) -> pd.DataFrame:
    if checked is None or checked.table is None:
        return pd.DataFrame({"network_id": sorted(respondents["network_id"].unique())})
    table = checked.table
    known = {**NETWORK_COLUMNS, **PAPER_NETWORK_COVARIATES}
    return pd.DataFrame({n: _typed_column(table.col(n), _kind_of(table, n, known)) for n in table.header},
                        columns=list(table.header))


def reverse_items(frame: pd.DataFrame, items: Sequence[str], *, scale: tuple[int, int]) -> pd.DataFrame:
    """A copy of ``frame`` with the reverse-keyed ``items`` recoded as ``lowest + highest - x``.

    On a 1-6 scale 1 becomes 6 and 6 becomes 1; unanswered cells stay unanswered.

    Examples
    --------
    >>> reverse_items(pd.DataFrame({"q1": [1, 2, 6], "q2": [1, 2, 6]}), ["q2"], scale=(1, 6))["q2"].tolist()
    [6, 5, 1]
    """
    low, high = _check_scale(scale)
    missing = [i for i in items if i not in frame.columns]
    if missing:
        raise ValueError(f"reverse_items: {missing} are not columns of the table")
    out = frame.copy()
    for item in items:
        out[item] = low + high - out[item]
    return out


def _run(respondents, networks, *, opts: _Options, measures=None, check_respondents=True):
    out = ProblemCollector()
    resp_table = read_csv_table(respondents, what="respondent", rank=0, out=out) if check_respondents else None
    if measures is not None:
        opts.measures = _check_measures(measures, None if resp_table is None else resp_table.header, out)
    resp = _check_respondents(resp_table, opts, out) if check_respondents else _Checked(None)
    nets = _check_networks(networks, opts, out, resp.table) if networks is not None else _Checked(None)
    if check_respondents and resp.table is not None and "respondent_id" not in resp.table.position \
            and nets.table is not None and "respondent_id" in nets.table.position:
        out.hint(resp.table.label, "respondent_id", "required column is missing",
                 f"{nets.table.label} has a respondent_id column: are the two files swapped?")
    notes = resp.notes + nets.notes + _check_links(resp, nets, out)
    if resp.table is not None and "network_id" in resp.table.position:
        n_networks = int(resp.table.col("network_id").nunique())
    elif nets.table is not None:
        n_networks = len(nets.table.cells)
    else:
        n_networks = 0
    report = ValidationReport(
        respondents_file=str(respondents) if check_respondents else None,
        networks_file=None if networks is None else str(networks),
        measures_file=None if measures is None else str(measures),
        groups=out.report_groups(), n_problems=out.total, notes=tuple(notes),
        n_persons=0 if resp.table is None else len(resp.table.cells),
        n_networks=n_networks, items=tuple(resp.items), scale=opts.scale, ignored=tuple(resp.ignored),
        hints=tuple(out.hints),
    )
    return report, resp, nets


def _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures):
    if items is not None and measures is not None:
        raise ValueError("name the items either with items= (one measure) or with a measures file, not both")
    person = _check_names_argument(person_covariates, "person_covariates", "['age', 'gender']") or []
    network = _check_names_argument(network_covariates, "network_covariates", "['size']") or []
    if network and networks is None:
        raise ValueError(f"network covariates {network} need a networks table (networks=, --networks)")
    references = dict(references or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in references.items()):
        raise TypeError(f"references must map covariate columns to category labels (text); got {references!r}")
    return _Options(items=_check_items_argument(items), scale=_check_scale(scale),
                    reverse=_check_names_argument(reverse, "reverse", "['q04']") or [],
                    person=person, network=network, references=references)


# ----------------------------------------------------------------------------------------------------
# Public functions


def validate(respondents, networks=None, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5),
             measures=None, reverse: Sequence[str] | None = None, person_covariates: Sequence[str] | None = None,
             network_covariates: Sequence[str] | None = None,
             references: Mapping[str, str] | None = None) -> ValidationReport:
    """Check a survey export against the data contract; report every problem at once.

    Parameters
    ----------
    respondents
        Path of the respondents CSV file (UTF-8; the header on line 1). Only read.
    networks
        Path of the networks CSV file, or ``None`` (no network-level variables).
    items
        The item columns. ``None`` (default): the measures file's items, or every column that is
        not a contract column or a covariate and at least half of whose filled cells are whole
        numbers on ``scale``; the other columns are noted as not used.
    scale
        ``(lowest, highest)`` response code, e.g. ``(1, 5)``; responses must be integers in this range.
    measures
        Path of a measures CSV file (``measure, name, domain, items``) for a survey of several
        measures; its items are the item columns.
    reverse
        Reverse-keyed items (recoded by :func:`load_survey`); each must be an item.
    person_covariates, network_covariates
        Covariate columns of the respondents and networks tables: numbers, or text labels
        (dummy-coded by the analyses). Without them, the paper's covariates when all are present.
    references
        ``{covariate: label}``: the reference category of a text covariate; it must occur in it.

    Returns
    -------
    ValidationReport
        ``ok``, ``groups`` of problems (each with its count and first problems: file, line, column,
        value, message), ``n_problems``, ``notes``.

    Raises
    ------
    ValueError, TypeError
        Only for bad arguments; problems with the data are reported, not raised.

    Notes
    -----
    Checked: respondent_id and network_id present, unique (respondent_id) and never empty; every
    network_id in the networks table (when given), network_id unique there; item responses whole
    numbers on ``scale`` (empty = not answered); wave a whole number, never empty when the column is
    there; the paper's covariates, when present, of their kind (team_lead and single_district 0 or
    1; tenure_years, intensity and duration_years numbers >= 0; labels open, empty = not known);
    named covariates present, numbers or labels; every row as many fields as the header; at least one
    respondent; files that exist, are readable and UTF-8. The measures file: ``measure`` unique,
    every item a column of the respondents table, no item in two measures.

    Examples
    --------
    >>> from inhd import DATA_DIR
    >>> report = validate(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
    ...                   DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    >>> report.ok, report.n_persons, report.n_items
    (True, 2073, 11)
    """
    opts = _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures)
    return _run(respondents, networks, opts=opts, measures=measures)[0]


def load_survey(respondents, networks=None, *, items: Sequence[str] | None = None,
                scale: tuple[int, int] = (1, 5), measures=None, reverse: Sequence[str] | None = None,
                person_covariates: Sequence[str] | None = None, network_covariates: Sequence[str] | None = None,
                references: Mapping[str, str] | None = None) -> Survey:
    """Validate a survey export and load it as typed tables, reverse-keyed items recoded.

    Parameters are those of :func:`validate`.

    Returns
    -------
    Survey
        ``respondents``: the contract columns present, the covariates (the paper's present, and the
        named ones) and the items, in file order, one row per data row (a RangeIndex);
        ``networks``: every column of the networks table (or the respondents' network_ids); ``items``,
        ``scale``, ``reversed``, ``measures`` and the validation ``report``. Types: ids are strings
        exactly as written (``"007"`` stays ``"007"``); items, wave and 0/1 flags nullable integers
        (``Int64``; an unanswered item is ``<NA>``); numbers ``float64``; labels and other text
        strings, an empty cell a missing value. Reverse-keyed items hold ``lowest + highest - x``.

    Raises
    ------
    InvalidSurveyData
        A ``ValueError`` whose ``report`` lists every problem.
    """
    opts = _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures)
    report, resp, nets = _run(respondents, networks, opts=opts, measures=measures)
    if not report.ok:
        raise InvalidSurveyData(report)
    frame = _typed_respondents(resp, opts.reverse, opts.scale)
    table = None
    if opts.measures is not None:
        table = pd.DataFrame(opts.measures, columns=["measure", "name", "domain", "items"])
    return Survey(frame, _typed_networks(nets if networks is not None else None, frame), tuple(resp.items),
                  report.scale, report, tuple(opts.reverse), table)


def load_respondents(path, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5)) -> pd.DataFrame:
    """Validate and load the respondents table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    return load_survey(path, None, items=items, scale=scale).respondents


def load_networks(path) -> pd.DataFrame:
    """Validate and load the networks table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    opts = _options(None, (1, 5), None, None, None, None, path, None)
    report, _, nets = _run(None, path, opts=opts, check_respondents=False)
    if not report.ok:
        raise InvalidSurveyData(report)
    return _typed_networks(nets, pd.DataFrame({"network_id": []}))


def item_columns(frame: pd.DataFrame, items: Sequence[str] | None = None) -> list[str]:
    """The item columns of a respondents table.

    ``items=None``: every column that is neither a contract column (:data:`RESPONDENT_COLUMNS`) nor
    one of the paper's covariates (:data:`PAPER_PERSON_COVARIATES`), in frame order (a loaded
    survey knows its items exactly: ``Survey.items``). Otherwise ``items`` itself, after checking
    that each is a column of ``frame`` and not a contract column.

    Raises
    ------
    ValueError
        A named item is missing from ``frame`` or is a contract column.
    """
    known = {**RESPONDENT_COLUMNS, **PAPER_PERSON_COVARIATES}
    if items is None:
        return [c for c in frame.columns if c not in known]
    items = _check_items_argument(items)
    contract = [i for i in items if i in known]
    if contract:
        raise ValueError(f"items {contract} are contract columns, not survey items")
    missing = [i for i in items if i not in frame.columns]
    if missing:
        raise ValueError(f"items {missing} are not columns of the respondents table "
                         f"(its columns: {', '.join(map(str, frame.columns))})")
    return items
