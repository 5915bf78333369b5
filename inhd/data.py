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
typed tables, reverse-keyed items recoded. Nothing here ever writes to the input files. They are
streamed: read in chunks of records (:mod:`inhd.records`, :mod:`inhd.csv_table`), each checked and let
go, so that a file of millions of rows is validated in bounded memory
(``benchmarks/bench_validate.py``).

Which columns are items: those named (``items=``, or the measures file's ``items``). Values cannot
tell an item from a covariate answered on the same scale, so items left unnamed are a problem (its
hint lists the columns by the range of whole numbers they hold, with the exact options to pass),
except on a shipped SYNTHETIC cohort (:mod:`inhd.cohorts`), whose item columns are those at least half
of whose filled cells are whole numbers on the response scale. Other columns are reported as not
used, with what they hold.

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

from inhd.cohorts import shipped_cohort
from inhd.contract import (EXAMPLES_PER_GROUP, MEASURE_COLUMNS, NETWORK_COLUMNS, PAPER_NETWORK_COVARIATES, PAPER_PERSON_COVARIATES,
                           RESPONDENT_COLUMNS, Column, InvalidSurveyData, Problem, ProblemLog, ValidationReport)
from inhd.csv_table import (CovariateColumns, CsvSource, CsvTable, ItemCandidates, UniqueIds, blank, check_column,
                            na_as_empty, numbers, open_csv, tables)

__all__ = [
    "Column", "RESPONDENT_COLUMNS", "NETWORK_COLUMNS", "PAPER_PERSON_COVARIATES", "PAPER_NETWORK_COVARIATES",
    "MEASURE_COLUMNS", "Problem", "ValidationReport", "InvalidSurveyData", "Survey",
    "validate", "load_survey", "load_respondents", "load_networks", "item_columns", "reverse_items",
]



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


def _normal(name: str) -> str:
    """A column name without case, spaces, dashes and underscores (to recognise a misspelling)."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


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


@dataclass
class _Options:
    items: list[str] | None
    scale: tuple[int, int]
    reverse: list[str]
    person: list[str]
    network: list[str]
    references: dict[str, str]
    measures: list | None = None
    limit: int | None = 3
    shipped: bool = False           # a shipped SYNTHETIC cohort: its items may be left unnamed


@dataclass
class _Checked:
    source: CsvSource | None
    items: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    covariates: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    n_rows: int = 0
    frames: list[pd.DataFrame] = field(default_factory=list)
    network_ids: set[str] = field(default_factory=set)
    kinds: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _na_note(label: str, counts: dict[str, int]) -> list[str]:
    if not counts:
        return []
    shown = ", ".join(list(counts)[:10]) + (" ..." if len(counts) > 10 else "")
    return [f"{sum(counts.values()):,} cell(s) of {label} hold NA (R's missing-value code), in {shown}: read as "
            "empty (not answered, not known)"]


# ----------------------------------------------------------------------------------------------------
# The respondents table


def _close_name(name: str, names, cutoff: float = 0.75) -> str | None:
    """The name of ``names`` that ``name`` most likely misspells (case, punctuation, a letter or two), or None."""
    names = list(names)
    close = [h for h in names if _normal(h) == _normal(name)] or difflib.get_close_matches(name, names, n=1,
                                                                                          cutoff=cutoff)
    return close[0] if close else None


#: Header names that often hold a contract column under another name (a newcomer's ``id`` got no
#: suggestion, being too short to look like ``respondent_id``).
OTHER_NAMES = {"respondent_id": ("id", "respondent", "person_id", "resp_id", "participant_id")}


def _header_hint(name: str, header) -> str:
    """For a contract column missing from the header: ``" (did you mean 'X'? the header must spell it
    name)"`` when a header name is ``name`` differently written (or one of its :data:`OTHER_NAMES`),
    else ``""``."""
    header = list(header)
    close = _close_name(name, header) or next(
        (h for other in OTHER_NAMES.get(name, ()) for h in header if _normal(h) == _normal(other)), None)
    return f" (did you mean {close!r}? the header must spell it {name})" if close else ""


def _named_hint(name: str, names) -> str:
    """For a column named in an option but not found: ``" (did you mean 'X'?)"``, else ``""``."""
    close = _close_name(name, names)
    return f" (did you mean {close!r}?)" if close else ""


def _check_header(source: CsvSource, out: ProblemLog, opts: _Options) -> tuple[list[str], list[str]]:
    """Required and named columns of the respondents table; returns (covariates, misspelt)."""
    def fail(message, column, kind):
        out.add(Problem(source.label, source.header_line, column, None, message, kind), rank=0,
                order=source.position.get(column, -1))

    for col in RESPONDENT_COLUMNS.values():
        if col.required and col.name not in source.position:
            fail(f"required column is missing{_header_hint(col.name, source.position)}", col.name,
                 "required column is missing")
    misspelt = [h for h in source.position for col in RESPONDENT_COLUMNS.values()
                if not col.required and col.name not in source.position and h != col.name
                and _normal(h) == _normal(col.name)]
    covariates = [c for c in PAPER_PERSON_COVARIATES if c in source.position]
    for name in opts.person:
        if name in RESPONDENT_COLUMNS:
            fail(f"is a contract column ({RESPONDENT_COLUMNS[name].description}), not a covariate", name,
                 "named as a covariate")
        elif name not in source.position:
            fail(f"is named as a person covariate but is not in the header{_named_hint(name, source.position)}",
                 name, "named as a covariate")
        elif name not in covariates:
            covariates.append(name)
    return covariates, misspelt


def _candidates(source: CsvSource, out: ProblemLog, opts: _Options, covariates, misspelt) -> list[str]:
    """The columns that may be items: the named ones that exist (problems for the others), or every
    column that is not a contract column or a covariate."""
    known = set(RESPONDENT_COLUMNS) | set(PAPER_PERSON_COVARIATES) | set(PAPER_NETWORK_COVARIATES) | set(covariates)
    others = [n for n in source.position if n not in known and n not in misspelt]
    if opts.items is None:
        return others
    chosen = []
    for name in opts.items:
        problem = ("is named twice in items" if name in chosen else
                   "is a contract column or a covariate, not an item" if name in known else
                   None if name in source.position else "is named as an item but is not in the header")
        if problem is None:
            chosen.append(name)
            continue
        if problem.endswith("header"):
            close = [o for o in others if _normal(o) == _normal(name)] or \
                difflib.get_close_matches(name, others, n=1, cutoff=0.7)
            problem += f"; did you mean {close[0]!r}?" if close else ""
        out.add(Problem(source.label, 1, name, None, problem, "named as an item"), rank=0,
                order=source.position.get(name, -1))
    return list(dict.fromkeys(chosen + [n for n in others if n not in chosen]))


def _respondent_notes(source: CsvSource, opts, chosen, unused, misspelt) -> list[str]:
    notes = []
    for name in misspelt:
        notes.append(f"{name!r} looks like an optional contract column misspelt; it was not used "
                     f"(rename it to {[c for c in RESPONDENT_COLUMNS if _normal(c) == _normal(name)][0]!r})")
    if opts.items is None and opts.measures is None and chosen:
        shown = chosen if len(chosen) <= 30 else [*chosen[:15], "...", *chosen[-15:]]
        notes.append(f"the {len(chosen)} item column(s) of this shipped SYNTHETIC cohort were taken by their values, "
                     f"none being named: {', '.join(shown)} (name them with --items or a measures file to choose)")
    if unused:
        described = [f"{n} ({what})" for n, what in list(unused.items())[:12]]
        notes.append(f"{len(unused)} column(s) of {source.label} not used (neither items nor covariates): "
                     f"{', '.join(described)}{' ...' if len(unused) > 12 else ''} (name a column as an item or a "
                     "covariate to use it)")
    partial = [c for c in PAPER_PERSON_COVARIATES if c in source.position]
    if partial and len(partial) < len(PAPER_PERSON_COVARIATES) and not opts.person:
        notes.append(f"{len(partial)} of the paper's {len(PAPER_PERSON_COVARIATES)} person covariates are present "
                     f"({', '.join(partial)}): they form the default model only when all are")
    return notes


def _check_references(label: str, position, labels: Mapping[str, set], covariates, opts: _Options, out: ProblemLog,
                      *, rank: int) -> None:
    """A reference category (``references={column: value}``) must be a label the column holds."""
    for column, value in opts.references.items():
        if column in covariates and value not in labels.get(column, set()):
            found = sorted(labels.get(column, set()))
            shown = ", ".join(repr(v) for v in found[:10]) + (" ..." if len(found) > 10 else "")
            out.add(Problem(label, 1, column, value, f"the reference category {value!r} does not occur in {column} "
                            f"(its values: {shown})", "reference category not found"),
                    rank=rank, order=position.get(column, -1))


def _check_respondents(source: CsvSource | None, opts: _Options, out: ProblemLog, *, links: "_Links",
                       collect: bool) -> _Checked:
    if source is None:
        return _Checked(None)
    if all(c not in source.position for c in ("respondent_id", "network_id")):
        out.add(Problem(source.label, 1, None, None, "neither respondent_id nor network_id is in the header: the "
                        "rows were not checked", "not a respondents table"), rank=0)
        return _Checked(None)
    covariates, misspelt = _check_header(source, out, opts)
    if opts.measures is not None:
        opts.items = list(dict.fromkeys(i for m in opts.measures for i in m[3] if i in source.position))
    cand = ItemCandidates(_candidates(source, out, opts, covariates, misspelt), opts.scale, opts.limit)
    named = CovariateColumns([c for c in covariates if c not in PAPER_PERSON_COVARIATES], opts.limit)
    checked = _Checked(source, covariates=covariates)
    unique = UniqueIds("respondent_id") if "respondent_id" in source.position else None
    na, unknown_school = {}, 0
    keep = [n for n in source.header if n in RESPONDENT_COLUMNS or n in covariates or n in cand.names]
    for table in tables(source, out, rank=0):
        checked.n_rows += len(table)
        na_as_empty(table, na)
        for col in [*RESPONDENT_COLUMNS.values(), *PAPER_PERSON_COVARIATES.values()]:
            if col.name in source.position:
                check_column(table, col, out, rank=0, table_noun="respondent")
        named.add(table, {k: v for k, v in opts.references.items() if k in covariates})
        if unique is not None:
            unique.add(table)
        if "network_id" in source.position:
            links.add(table)
        cand.add(table)
        if "school_id" in source.position:
            unknown_school += int(blank(table, source.position["school_id"]).sum())
        if collect and out.total == 0:           # invalid data are never loaded: stop typing them
            checked.frames.append(_typed_chunk(table, keep, {**RESPONDENT_COLUMNS, **PAPER_PERSON_COVARIATES},
                                               set(cand.names)))
    chosen, unused = cand.choose(source.label, source.header, opts.items, out, shipped=opts.shipped)
    checked.items, checked.ignored = chosen, list(unused)
    measures = ({name or key: [i for i in items if i in chosen] for key, name, _, items in opts.measures}
                if opts.measures else {None: chosen})
    checked.warnings = cand.scale_use(measures, opts.reverse)
    checked.kinds = {n: named.kind(n) for n in named.names}
    for name in named.names:
        if named.kind(name) == "mixed":
            out.merge(named.logs[name])
    notes = source.notes() + _na_note(source.label, na) + _respondent_notes(source, opts, chosen, unused, misspelt)
    if checked.n_rows == 0:
        if not out.has(source.label, beyond_header=True):
            out.add(Problem(source.label, 1, None, None, "no respondents: the file has a header but no data rows",
                            "no respondents"), rank=0)
        checked.notes = notes
        return checked
    if unique is not None:
        unique.check(source, out, rank=0)
    for name in opts.reverse:
        if name not in chosen:
            close = _close_name(name, chosen, cutoff=0.7)
            listed = f"the items: {', '.join(chosen[:10])}{' ...' if len(chosen) > 10 else ''}"
            out.add(Problem(source.label, 1, name, None, "is named as reverse-keyed but is not an item"
                            + (f" (did you mean {close!r}?)" if close else f" ({listed})" if chosen else ""),
                            "reverse-keyed item not an item"),
                    rank=0, order=source.position.get(name, -1))
    unanswered = cand.unanswered(chosen)
    if unanswered:
        notes.append(f"{unanswered} respondent(s) answered none of the {len(chosen)} items (kept; they cannot be "
                     "measured)")
    if unknown_school:
        notes.append(f"{unknown_school} respondent(s) have no school_id")
    _check_references(source.label, source.position, named.labels, covariates, opts, out, rank=0)
    checked.notes = notes
    return checked


# ----------------------------------------------------------------------------------------------------
# The networks table, the links between the two, and the measures table


def _check_networks(path, opts: _Options, out: ProblemLog, respondents: CsvSource | None, *,
                    collect: bool) -> _Checked:
    source = open_csv(path, what="network", rank=1, out=out)
    if source is None:
        return _Checked(None)

    def fail(message, column, kind):
        out.add(Problem(source.label, 1, column, None, message, kind), rank=1, order=source.position.get(column, -1))

    if "network_id" not in source.position:
        fail(f"required column is missing{_header_hint('network_id', source.position)}", "network_id",
             "required column is missing")
        return _Checked(None)
    covariates = [c for c in PAPER_NETWORK_COVARIATES if c in source.position]
    elsewhere = respondents.label if respondents is not None else "the respondents table"
    for name in opts.network:
        if name == "network_id":
            fail("is the network's id, not a covariate", name, "named as a covariate")
        elif name not in source.position:
            there = respondents is not None and name in respondents.position
            fail("is named as a network covariate but is not in the header"
                 + (f"; it is a column of {elsewhere}: a network covariate has one value per network, in the "
                    "networks table" if there else _named_hint(name, source.position)), name, "named as a covariate")
        elif name not in covariates:
            covariates.append(name)
    checked = _Checked(source, covariates=covariates)
    named = CovariateColumns([c for c in covariates if c not in PAPER_NETWORK_COVARIATES], opts.limit)
    unique, na = UniqueIds("network_id"), {}
    for table in tables(source, out, rank=1):
        checked.n_rows += len(table)
        na_as_empty(table, na)
        for col in [*NETWORK_COLUMNS.values(), *PAPER_NETWORK_COVARIATES.values()]:
            if col.name in source.position:
                check_column(table, col, out, rank=1, table_noun="network")
        named.add(table, {k: v for k, v in opts.references.items() if k in covariates})
        unique.add(table)
        checked.network_ids.update(table.col("network_id"))
        if collect and out.total == 0:
            checked.frames.append(_typed_chunk(table, list(source.position),
                                               {**NETWORK_COLUMNS, **PAPER_NETWORK_COVARIATES}, set()))
    checked.kinds = {n: named.kind(n) for n in named.names}
    for name in named.names:
        if named.kind(name) == "mixed":
            out.merge(named.logs[name])
    checked.notes = source.notes() + _na_note(source.label, na)
    if checked.n_rows == 0:
        if not out.has(source.label, beyond_header=True):
            fail("no networks: the file has a header but no data rows", None, "no networks")
        return checked
    unique.check(source, out, rank=1)
    if "respondent_id" in source.position:
        out.hint(source.label, "network_id", "network_id not unique",
                 f"{source.label} has a respondent_id column: it looks like a respondents table, while --networks "
                 "takes a networks table (one row per network); was the respondents file named twice?")
    _check_references(source.label, source.position, named.labels, covariates, opts, out, rank=1)
    return checked


class _Links:
    """Every respondent's network_id is a network of the networks table: one problem per unknown network
    (on its first row, with the number of its respondents), gathered across chunks."""

    def __init__(self, known: set[str] | None):
        self.known = known
        self.seen: set[str] = set()
        self.unknown: dict[str, list[int]] = {}        # network_id -> [first line, respondents]

    def add(self, table: CsvTable) -> None:
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

    def check(self, label: str, networks_label: str, out: ProblemLog, *, order: int) -> list[str]:
        by_lower = {k.strip().lower(): k for k in self.known}
        for value, (line, n) in sorted(self.unknown.items(), key=lambda kv: kv[1][0]):
            close = by_lower.get(value.strip().lower())
            hint = f"; did you mean {close!r}? ids must match exactly" if close else ""
            rows = f" ({n} respondents; this is the first)" if n > 1 else ""
            out.add(Problem(label, line, "network_id", value, f"{value!r} is not a network_id of {networks_label}"
                            f"{rows}{hint}", "network_id not in the networks table"), rank=0, order=order)
        empty = sorted(self.known - self.seen)
        if empty:
            return [f"{len(empty)} network(s) of {networks_label} have no respondents: "
                    f"{', '.join(empty[:10])}{' ...' if len(empty) > 10 else ''}"]
        return []


def _check_measures(path, header: list[str] | None, out: ProblemLog) -> list[tuple]:
    """The measures table: ``(measure, name, domain, items)`` per row, items checked against ``header``."""
    source = open_csv(path, what="measure", rank=2, out=out)
    if source is None:
        return []

    def fail(line, column, value, message, kind):
        out.add(Problem(source.label, line, column, value, message, kind), rank=2,
                order=source.position.get(column, -1))

    missing = [c.name for c in MEASURE_COLUMNS.values() if c.required and c.name not in source.position]
    for name in missing:
        fail(1, name, None, f"required column is missing{_header_hint(name, source.position)}",
             "required column is missing")
    if missing:
        return []
    rows, seen, unique = [], {}, UniqueIds("measure")
    for table in tables(source, out, rank=2):
        for col in MEASURE_COLUMNS.values():
            if col.name in source.position:
                check_column(table, col, out, rank=2, table_noun="measure")
        unique.add(table)
        text = {c: table.col(c) if c in source.position else None for c in ("measure", "name", "domain", "items")}
        for i, line in enumerate(table.lines):
            key, cell = text["measure"].iloc[i], text["items"].iloc[i]
            items = [x.strip() for x in cell.split(";") if x.strip()]
            for item in items:
                if header is not None and item not in header:
                    close = [h for h in header if _normal(h) == _normal(item)]
                    spaces = (" (separate items with semicolons: a;b;c)" if " " in item or "," in item
                              else "")
                    fail(int(line), "items", cell, f"{item!r} is not a column of the respondents table"
                         + (f"; did you mean {close[0]!r}?" if close else spaces), "item not in the respondents table")
                seen.setdefault(item, []).append(key)
            name, domain = (("" if text[c] is None else text[c].iloc[i].strip()) for c in ("name", "domain"))
            rows.append((key, name or key, domain, tuple(items)))
    unique.check(source, out, rank=2)
    shared = {i: k for i, k in seen.items() if len(k) > 1}
    if shared:
        item, keys = next(iter(shared.items()))
        fail(None, "items", None, f"{len(shared)} item(s) belong to more than one measure, e.g. {item!r} in "
             f"{', '.join(keys)}: a measure's items are its own", "item in more than one measure")
    return rows


# ----------------------------------------------------------------------------------------------------
# Typed frames


def _typed_chunk(table: CsvTable, keep: list[str], columns: Mapping[str, Column], candidates: set) -> pd.DataFrame:
    """A chunk's columns typed: contract and paper columns by their kind, candidate items as float
    numbers (NaN where empty; whole numbers on the scale in a valid survey), other columns as text."""
    out = {}
    for name in keep:
        col = columns.get(name)
        kind = "candidate" if name in candidates else col.kind if col is not None else "raw"
        if kind in ("candidate", "integer", "flag", "number"):
            out[name] = pd.Series(numbers(table, name)[1], dtype="float64")
        elif kind == "id":
            out[name] = pd.Series(table.cells[table.position[name]], dtype=object).astype("str")
        else:                                            # text, labels, named covariates: empty = missing
            values = pd.Series(table.cells[table.position[name]], dtype=object).astype("str")
            out[name] = values.mask(blank(table, table.position[name]))
    return pd.DataFrame(out, columns=keep)


def _frame(checked: _Checked, columns: Mapping[str, Column], keep: list[str], items: list[str]) -> pd.DataFrame:
    """The typed table of a checked file: its chunks joined, items as nullable integers, named
    covariates as numbers or labels, only the ``keep`` columns (an empty table with them if none)."""
    frame = (pd.concat(checked.frames, ignore_index=True) if checked.frames
             else pd.DataFrame({n: pd.Series([], dtype=object) for n in keep}))
    frame = frame[[c for c in frame.columns if c in set(keep)]].copy()
    for name in frame.columns:
        col = columns.get(name)
        if name in items or (col is not None and col.kind in ("integer", "flag")):
            frame[name] = pd.to_numeric(frame[name]).astype("Int64")
        elif col is not None and col.kind == "number" or checked.kinds.get(name) == "number":
            frame[name] = pd.to_numeric(frame[name]).astype("float64")
    return frame


def _infer_numbers(frame: pd.DataFrame, names) -> pd.DataFrame:
    """Columns of text whose every filled cell is a number, as numbers (extra network columns)."""
    for name in names:
        values = frame[name]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):   # pandas 3 reads text as str
            as_number = pd.to_numeric(values.str.strip(), errors="coerce")
            if values.notna().any() and as_number[values.notna()].notna().all():
                frame[name] = as_number.astype("float64")
    return frame


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


def _run(respondents, networks, *, opts: _Options, measures=None, check_respondents=True, collect=False):
    out = ProblemLog(opts.limit)
    resp_source = open_csv(respondents, what="respondent", rank=0, out=out) if check_respondents else None
    opts.shipped = check_respondents and shipped_cohort(respondents) is not None
    if measures is not None:
        opts.measures = _check_measures(measures, None if resp_source is None else resp_source.header, out)
    nets = (_check_networks(networks, opts, out, resp_source, collect=collect) if networks is not None
            else _Checked(None))
    linked = nets.source is not None
    links = _Links(nets.network_ids if linked else None)
    resp = _check_respondents(resp_source, opts, out, links=links, collect=collect) if check_respondents \
        else _Checked(None)
    if check_respondents and resp_source is not None and "respondent_id" not in resp_source.position \
            and nets.source is not None and "respondent_id" in nets.source.position:
        out.hint(resp_source.label, "respondent_id", "required column is missing",
                 f"{nets.source.label} has a respondent_id column: are the two files swapped?")
    notes = resp.notes + nets.notes
    if linked and resp.source is not None and "network_id" in resp.source.position:
        notes += links.check(resp.source.label, nets.source.label, out, order=resp.source.position["network_id"])
    if resp.source is not None and "network_id" in resp.source.position:
        n_networks = len(links.seen)
    else:
        n_networks = nets.n_rows
    report = ValidationReport(
        respondents_file=str(respondents) if check_respondents else None,
        networks_file=None if networks is None else str(networks),
        measures_file=None if measures is None else str(measures),
        groups=out.report_groups(), n_problems=out.total, notes=tuple(notes), n_persons=resp.n_rows,
        n_networks=n_networks, items=tuple(resp.items), scale=opts.scale, ignored=tuple(resp.ignored),
        hints=tuple(out.hints), warnings=tuple(resp.warnings),
    )
    return report, resp, nets


def _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures,
             max_problems):
    if items is not None and measures is not None:
        raise ValueError("name the items either with items= (one measure) or with a measures file, not both")
    person = _check_names_argument(person_covariates, "person_covariates", "['age', 'gender']") or []
    network = _check_names_argument(network_covariates, "network_covariates", "['size']") or []
    if network and networks is None:
        raise ValueError(f"network covariates {network} need a networks table (networks=, --networks)")
    references = dict(references or {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in references.items()):
        raise TypeError(f"references must map covariate columns to category labels (text); got {references!r}")
    if max_problems is not None and (isinstance(max_problems, bool) or not isinstance(max_problems, (int, np.integer))
                                     or max_problems < 1):
        raise ValueError(f"max_problems must be a positive integer or None; got {max_problems!r}")
    return _Options(items=_check_items_argument(items), scale=_check_scale(scale),
                    reverse=_check_names_argument(reverse, "reverse", "['q04']") or [],
                    person=person, network=network, references=references, limit=max_problems)


# ----------------------------------------------------------------------------------------------------
# Public functions


def validate(respondents, networks=None, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5),
             measures=None, reverse: Sequence[str] | None = None, person_covariates: Sequence[str] | None = None,
             network_covariates: Sequence[str] | None = None, references: Mapping[str, str] | None = None,
             max_problems: int | None = EXAMPLES_PER_GROUP) -> ValidationReport:
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
    max_problems
        How many problems of each group (file, column, kind) to keep (all are counted); ``None``
        keeps every one.

    Returns
    -------
    ValidationReport
        ``ok``, ``groups`` of problems (each with its count and first problems: file, line, column,
        value, message), ``n_problems``, ``notes``, ``hints``.

    Raises
    ------
    ValueError, TypeError
        Only for bad arguments; problems with the data are reported, not raised.

    Notes
    -----
    Checked: respondent_id and network_id present, unique (respondent_id) and never empty; every
    network_id in the networks table (when given), network_id unique there; ids (respondent_id,
    network_id, school_id) and column names at most 200 characters, without control or invisible
    characters; item responses whole numbers on ``scale`` (empty = not answered; R's ``NA`` read as
    empty, with a note); wave a whole number, never empty when the column is there; the paper's
    covariates, when present, of their kind (team_lead and single_district 0 or 1; tenure_years,
    intensity and duration_years numbers >= 0; labels open, empty = not known); named covariates
    present, numbers or labels; every row as many fields as the header; at least one respondent;
    files that exist, are regular files, readable and UTF-8. The measures file: ``measure`` unique,
    every item a column of the respondents table, no item in two measures. The files are streamed
    in chunks (:mod:`inhd.records`), whatever their size.

    Examples
    --------
    >>> from inhd import DATA_DIR
    >>> report = validate(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
    ...                   DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    >>> report.ok, report.n_persons, report.n_items
    (True, 2073, 11)
    """
    opts = _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures,
                    max_problems)
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
    opts = _options(items, scale, reverse, person_covariates, network_covariates, references, networks, measures,
                    EXAMPLES_PER_GROUP)
    report, resp, nets = _run(respondents, networks, opts=opts, measures=measures, collect=True)
    if not report.ok:
        raise InvalidSurveyData(report)
    keep = [n for n in resp.source.header if n in RESPONDENT_COLUMNS or n in resp.covariates or n in resp.items]
    frame = _frame(resp, {**RESPONDENT_COLUMNS, **PAPER_PERSON_COVARIATES}, list(dict.fromkeys(keep)), resp.items)
    if opts.reverse:
        frame = reverse_items(frame, opts.reverse, scale=opts.scale)
    if nets.source is not None:
        columns = {**NETWORK_COLUMNS, **PAPER_NETWORK_COVARIATES}
        net_frame = _frame(nets, columns, list(nets.source.position), [])
        net_frame = _infer_numbers(net_frame, [c for c in net_frame.columns if c not in columns])
    else:
        net_frame = pd.DataFrame({"network_id": sorted(frame["network_id"].unique())})
    table = None if opts.measures is None else pd.DataFrame(opts.measures, columns=["measure", "name", "domain",
                                                                                  "items"])
    return Survey(frame, net_frame, tuple(resp.items), report.scale, report, tuple(opts.reverse), table)


def load_respondents(path, *, items: Sequence[str] | None = None, scale: tuple[int, int] = (1, 5)) -> pd.DataFrame:
    """Validate and load the respondents table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    return load_survey(path, None, items=items, scale=scale).respondents


def load_networks(path) -> pd.DataFrame:
    """Validate and load the networks table alone. Types as in :func:`load_survey`.

    Raises :class:`InvalidSurveyData` listing every problem.
    """
    opts = _options(None, (1, 5), None, None, None, None, path, None, EXAMPLES_PER_GROUP)
    report, _, nets = _run(None, path, opts=opts, check_respondents=False, collect=True)
    if not report.ok:
        raise InvalidSurveyData(report)
    columns = {**NETWORK_COLUMNS, **PAPER_NETWORK_COVARIATES}
    frame = _frame(nets, columns, list(nets.source.position), [])
    return _infer_numbers(frame, [c for c in frame.columns if c not in columns])


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
