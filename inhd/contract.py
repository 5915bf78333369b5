"""The survey-data contract: the columns of the CSV tables and the words for what is wrong.

A survey export is a **respondents** table (one row per respondent and wave): ``respondent_id``,
``network_id`` and the item columns, with ``school_id`` and ``wave`` when the survey has them
(:data:`RESPONDENT_COLUMNS`); and, optionally, a **networks** table (one row per network:
``network_id`` and any network-level columns, :data:`NETWORK_COLUMNS`). Every other column may be
present: it is used only when it is named (as an item or a covariate), and otherwise reported as
ignored. A multi-measure survey adds a **measures** table (:data:`MEASURE_COLUMNS`).

The covariates of Perlman, Bryk & Russell (2025), Table 1 (person level: team lead, member tenure,
intensity of participation, gender, race/ethnicity) and Table 2 (network level: single district,
archetype, duration since launch, intermediary hub type) are recognised by name
(:data:`PAPER_PERSON_COVARIATES`, :data:`PAPER_NETWORK_COVARIATES`): when present they are checked
(a flag is 0 or 1, a duration is not negative) and, when all are present, they are the default
covariate model; they are never required, and their category labels are open.

The schema is data (:class:`Column` records), documented for people in ``data/README.md``. A
:class:`Problem` names the file, line, column and value of one thing wrong and the ``kind`` of
problem it is; a :class:`ValidationReport` counts them all and shows them grouped by file, column
and kind, the first three of each group (as a compiler does); :class:`InvalidSurveyData` is raised
with one. Reading, checking and loading the files is :mod:`inhd.data`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Column", "RESPONDENT_COLUMNS", "NETWORK_COLUMNS", "PAPER_PERSON_COVARIATES",
    "PAPER_NETWORK_COVARIATES", "MEASURE_COLUMNS", "EXAMPLES_PER_GROUP", "GROUPS_IN_FULL", "MAX_ID_LENGTH",
    "FORBIDDEN_CHARACTERS", "Problem", "ProblemGroup", "ProblemLog", "ValidationReport", "InvalidSurveyData",
    "excerpt",
]

#: How many problems of each group (file, column, kind) a report shows; all are counted.
EXAMPLES_PER_GROUP = 3
#: The longest id (respondent_id, network_id, school_id) and column name accepted, in characters.
MAX_ID_LENGTH = 200
#: Characters no id or column name may hold: control characters (tab, line breaks, escape, NUL, ...),
#: line and paragraph separators, bidirectional overrides and other invisible formatting characters.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e"
                                  "\u2060-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]")
#: How many groups a report's summary shows in full; the others get one line each.
GROUPS_IN_FULL = 12


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``kind`` is one of ``"id"`` (text, never empty, kept exactly as written), ``"text"`` (optional
    text; empty = not known), ``"integer"``, ``"flag"`` (0 or 1), ``"number"`` (a real number within
    ``low``-``high``) or ``"category"`` (any text label; empty = not known).
    """

    name: str
    kind: str
    required: bool
    description: str
    low: float | None = None
    high: float | None = None

    def range_text(self) -> str:
        """The allowed values in words, e.g. ``"a number >= 0"``."""
        if self.kind == "category":
            return "a text label"
        if self.kind == "flag":
            return "1 or 0"
        if self.kind == "integer":
            return "a whole number"
        if self.kind == "number":
            if self.low is not None and self.high is not None:
                return f"a number from {self.low:g} to {self.high:g}"
            if self.low is not None:
                return f"a number >= {self.low:g}"
            return "a number"
        return "text" if self.kind == "text" else "non-empty text"


def _columns(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


#: The respondents table's own columns: two required, two optional. The item columns come beside
#: them (named, or recognised by their values: see :func:`inhd.data.validate`).
RESPONDENT_COLUMNS: dict[str, Column] = _columns(
    Column("respondent_id", "id", True, "unique identifier of the response"),
    Column("network_id", "id", True, "the respondent's network (a network_id of the networks table, when one "
           "is given)"),
    Column("school_id", "text", False, "the respondent's school, nested in the network (empty = not known)"),
    Column("wave", "integer", False, "survey wave, e.g. the year 2023 for the 2022-23 survey"),
)

#: The person-level covariates of Perlman, Bryk & Russell (2025), Table 1: optional, checked when
#: present, the default person-level covariates when all five are present.
PAPER_PERSON_COVARIATES: dict[str, Column] = _columns(
    Column("team_lead", "flag", False, "1 = leads the school's improvement team, 0 = does not"),
    Column("tenure_years", "number", False, "years in the network", low=0.0),
    Column("intensity", "number", False, "improvement-team meetings attended a month", low=0.0),
    Column("gender", "category", False, "gender as the respondent reported it (the paper: woman, man, "
           "additional, undisclosed)"),
    Column("race", "category", False, "race/ethnicity as the respondent reported it (the paper: white, asian, "
           "black, latinx, mixed, additional, undisclosed)"),
)

#: The networks table's own column. Every other column is a network-level variable.
NETWORK_COLUMNS: dict[str, Column] = _columns(
    Column("network_id", "id", True, "unique identifier of the network"),
)

#: The network-level covariates of Perlman, Bryk & Russell (2025), Table 2: optional, checked when
#: present, the default network-level covariates when all four are present.
PAPER_NETWORK_COVARIATES: dict[str, Column] = _columns(
    Column("single_district", "flag", False, "1 = all member schools in one district, 0 = several districts"),
    Column("archetype", "category", False, "the network's improvement target (the paper: instructional, ewr = "
           "early warning and response, psm = post-secondary match)"),
    Column("duration_years", "number", False, "years the network has operated (since launch), as of the survey",
           low=0.0),
    Column("hub_type", "category", False, "the intermediary hub organisation (the paper: ta = technical "
           "assistance, ihe = higher education, district, other)"),
)

#: The measures table: one row per measure of a multi-measure survey.
MEASURE_COLUMNS: dict[str, Column] = _columns(
    Column("measure", "id", True, "a short key, unique in the file, e.g. trust_leaders"),
    Column("name", "text", False, "the measure's name as a page shows it (default: the key)"),
    Column("domain", "text", False, "the framework domain the measure belongs to"),
    Column("items", "id", True, "the measure's item columns, separated by semicolons: q01;q02;q03"),
)


@dataclass(frozen=True)
class Problem:
    """One problem in a survey file.

    ``line`` is the CSV line the record starts on (the header is line 1, the first data row line 2;
    ``None`` for a problem with the whole file); ``column`` is ``None`` for a problem with a whole row
    or file; ``value`` is the offending cell exactly as written (``None`` when there is none);
    ``kind`` names the kind of problem in a few words (``"outside the response scale 1-5"``), the
    same for every problem of its kind: problems are grouped by file, column and kind.
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str
    kind: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f"{',' if self.line is not None else ''} column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ProblemGroup:
    """The problems of one file, column and kind: how many, the first few, and a hint.

    ``hint`` is a sentence that follows from the data (e.g. the values found when they are all
    outside the scale), or empty.
    """

    file: str
    column: str | None
    kind: str
    n_problems: int
    examples: tuple[Problem, ...]
    hint: str = ""

    def summary(self) -> str:
        """One problem as ``file line L, column C: message``; several as a heading (file, column,
        count, kind), the first few ``line L: message`` and a count of the rest; then the hint."""
        if self.n_problems == 1:
            lines = [str(self.examples[0])]
        else:
            where = self.file + (f", column {self.column}" if self.column is not None else "")
            lines = [f"{where}: {self.n_problems:,} problems: {self.kind}"]
            lines += [f"  line {p.line}: {p.message}" if p.line is not None else f"  {p.message}"
                      for p in self.examples]
            rest = self.n_problems - len(self.examples)
            if rest > 0:
                lines.append(f"  ... and {rest:,} more like these")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`inhd.data.validate` found.

    Attributes
    ----------
    respondents_file, networks_file, measures_file
        The files as the caller named them (``None`` for a file not given or not checked).
    groups
        The problems grouped by file, column and kind (:class:`ProblemGroup`), in the order their
        first problem comes in the files; each keeps its first :data:`EXAMPLES_PER_GROUP`.
    n_problems
        How many problems there are in all.
    notes
        Things worth knowing that are not problems (columns not used, networks without respondents,
        respondents who answered nothing).
    n_persons, n_networks
        Data rows of the respondents table; networks with respondents (all networks of the networks
        table when only it was checked).
    items
        The item columns, in file order.
    scale
        The response scale ``(lowest, highest)``.
    ignored
        Columns of the respondents table that are used neither as items nor as covariates.
    hints
        Sentences about the problems as a whole that follow from the data (e.g. the range of whole
        numbers the item columns hold when many are outside the scale), shown first.
    warnings
        What valid data suggest may be wrong with the options (e.g. a response scale wider than the
        items use), shown after the first line; they do not make the data invalid.
    """

    respondents_file: str | None
    networks_file: str | None
    groups: tuple[ProblemGroup, ...]
    n_problems: int
    notes: tuple[str, ...]
    n_persons: int
    n_networks: int
    items: tuple[str, ...]
    scale: tuple[int, int]
    measures_file: str | None = None
    ignored: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return self.n_problems == 0

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems shown: the first few of each group, group by group."""
        return tuple(p for g in self.groups for p in g.examples)

    def summary(self) -> str:
        """``"OK: N respondents in M networks, K items (scale 1-5)"`` or every group of problems,
        then the notes."""
        if self.ok:
            if self.respondents_file is None:
                lines = [f"OK: {self.n_networks} networks"]
            else:
                lines = [f"OK: {self.n_persons} respondents in {self.n_networks} networks, "
                         f"{self.n_items} items (scale {self.scale[0]}-{self.scale[1]})"]
        else:
            named = list(dict.fromkeys(f for f in (self.respondents_file, self.networks_file, self.measures_file)
                                       if f is not None))
            files = " and ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1 else named)
            s = "" if self.n_problems == 1 else "s"
            kinds = f", in {len(self.groups)} groups" if len(self.groups) > 1 else ""
            lines = [f"INVALID: {self.n_problems:,} problem{s} in {files}{kinds}:"]
            lines += [f"hint: {h}" for h in self.hints]
            lines += [g.summary() for g in self.groups[:GROUPS_IN_FULL]]
            rest = self.groups[GROUPS_IN_FULL:]
            if rest:
                lines.append(f"... and {len(rest)} more group(s) like these:")
                lines += [f"  {g.file}{', column ' + g.column if g.column is not None else ''}: {g.n_problems:,} "
                          f"problem{'s' if g.n_problems != 1 else ''}: {g.kind} (first on line {g.examples[0].line})"
                          for g in rest]
        lines[1:1] = [f"warning: {w}" for w in self.warnings]
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    __str__ = summary


class ProblemLog:
    """The problems found in survey files, grouped by (file, column, kind): every problem counted
    (``total``), the first ``limit`` of each group kept (``None``: all), in file order whatever the
    chunks the files are read in; ``hints`` about the problems as a whole."""

    def __init__(self, limit: int | None = EXAMPLES_PER_GROUP):
        self.limit = limit
        self.groups: dict[tuple, dict] = {}
        self.total = 0
        self.hints: list[str] = []

    def _group(self, file: str, column: str | None, kind: str, *, rank: int, order: int, line: int | None) -> dict:
        key = (file, column, kind)
        if key not in self.groups:       # groups in file order, then column order, then where they begin
            self.groups[key] = {"rank": (rank, order, line or 0), "n": 0, "examples": [], "hint": ""}
        return self.groups[key]

    def _room(self, group: dict) -> int:
        return len(group["examples"]) + 10**18 if self.limit is None else max(0, self.limit - len(group["examples"]))

    def add(self, problem: Problem, *, rank: int, order: int = -1) -> None:
        group = self._group(problem.file, problem.column, problem.kind or problem.message, rank=rank, order=order,
                            line=problem.line)
        self.total += 1
        group["n"] += 1
        if self._room(group):
            group["examples"].append(problem)

    def add_lines(self, label: str, lines, message: str, *, kind: str, rank: int) -> None:
        """One problem per line of ``lines`` (a whole row each), the same ``message``."""
        if not len(lines):
            return
        group = self._group(label, None, kind, rank=rank, order=-1, line=int(lines[0]))
        for line in lines[: self._room(group)]:
            group["examples"].append(Problem(label, int(line), None, None, message, kind))
        group["n"] += len(lines)
        self.total += len(lines)

    def add_cells(self, table, name: str, mask, message, *, kind: str, rank: int) -> None:
        """One problem per True of ``mask`` (row positions of ``table``, which has ``label``, ``lines``,
        ``position`` and ``col(name)``); ``message(value)`` words it."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(idx):
            return
        values = table.col(name)
        group = self._group(table.label, name, kind, rank=rank, order=table.position.get(name, -1),
                            line=int(table.lines[idx[0]]))
        for i in idx[: self._room(group)]:
            value = values.iloc[i]
            group["examples"].append(Problem(table.label, int(table.lines[i]), name, value, message(value), kind))
        group["n"] += len(idx)
        self.total += len(idx)

    def merge(self, other: "ProblemLog") -> None:
        """Add the problems of ``other`` (a log kept aside, e.g. of a column not yet known to be an item)."""
        for (file, column, kind), g in other.groups.items():
            group = self._group(file, column, kind, rank=g["rank"][0], order=g["rank"][1], line=g["rank"][2])
            group["examples"] += g["examples"][: self._room(group)]
            group["n"] += g["n"]
            group["hint"] = group["hint"] or g["hint"]
            self.total += g["n"]
        self.hints += other.hints

    def hint(self, file: str, column: str | None, kind: str, text: str) -> None:
        """Attach ``text`` to the group (file, column, kind)."""
        if (file, column, kind) in self.groups:
            self.groups[(file, column, kind)]["hint"] = text

    def has(self, file: str, *, beyond_header: bool = False) -> bool:
        """Whether ``file`` has a problem (beyond its header line)."""
        return any(k[0] == file and (not beyond_header or any((p.line or 0) > 1 for p in g["examples"]))
                   for k, g in self.groups.items())

    def report_groups(self) -> tuple[ProblemGroup, ...]:
        ordered = sorted(self.groups.items(), key=lambda kg: kg[1]["rank"])
        return tuple(ProblemGroup(file, column, kind, g["n"], tuple(g["examples"]), g["hint"])
                     for (file, column, kind), g in ordered)


def excerpt(value: str, width: int = 60) -> str:
    """A possibly long text as a short quoted (escaped) excerpt."""
    return repr(value) if len(value) <= width else f"{value[:width]!r}... ({len(value)} characters)"


class InvalidSurveyData(ValueError):
    """The survey files break the data contract. ``report`` (a :class:`ValidationReport`) lists why."""

    def __init__(self, report: ValidationReport):
        super().__init__(report.summary())
        self.report = report
