"""The survey-data contract: the columns of the two CSV tables and the words for what is wrong.

A survey export is two CSV files: **respondents** (one row per respondent and wave; the columns of
:data:`RESPONDENT_COLUMNS` plus one column per survey item) and **networks** (one row per network;
:data:`NETWORK_COLUMNS`). The schema is data (:class:`Column` records), documented for people in
``data/README.md``. A :class:`Problem` names the file, line, column and value of one thing wrong; a
:class:`ValidationReport` holds them all; :class:`InvalidSurveyData` is raised with one. Reading,
checking and loading the files is :mod:`inhd.data`.

The columns are the variables of Perlman, Bryk & Russell (2025): Table 1 (person level: team lead,
member tenure, intensity of participation, gender and race/ethnicity with their "didn't disclose"
categories) and Table 2 (network level: single district, archetype, duration since launch,
intermediary hub type).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Column", "RESPONDENT_COLUMNS", "NETWORK_COLUMNS", "GENDERS", "RACES", "ARCHETYPES", "HUB_TYPES",
    "MAX_PROBLEMS", "MAX_ID_LENGTH", "FORBIDDEN_CHARACTERS", "Problem", "ProblemLog", "ValidationReport",
    "InvalidSurveyData", "excerpt",
]

GENDERS = ("woman", "man", "additional", "undisclosed")
RACES = ("white", "asian", "black", "latinx", "mixed", "additional", "undisclosed")
ARCHETYPES = ("instructional", "ewr", "psm")
HUB_TYPES = ("ta", "ihe", "district", "other")

#: Default number of problems kept in a :class:`ValidationReport` (all are counted).
MAX_PROBLEMS = 50

#: The longest id (respondent_id, network_id, school_id) and column name accepted, in characters.
MAX_ID_LENGTH = 200
#: Characters no id or column name may hold: control characters (tab, line breaks, escape, NUL, ...),
#: line and paragraph separators, bidirectional overrides and other invisible formatting characters.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                        "\ufff9-\ufffb\U000e0000-\U000e007f]")


@dataclass(frozen=True)
class Column:
    """One column of the contract.

    ``kind`` is one of ``"id"`` (text, never empty, kept exactly as written), ``"text"`` (optional
    text; empty = not known), ``"integer"``, ``"flag"`` (0 or 1), ``"number"`` (a real number within
    ``low``-``high``) or ``"category"`` (one of ``allowed``, exactly as spelled there).
    """

    name: str
    kind: str
    required: bool
    description: str
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None

    def range_text(self) -> str:
        """The allowed values in words, e.g. ``"a number from 0 to 1.5"``."""
        if self.kind == "category":
            return "one of " + ", ".join(self.allowed)
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


#: The respondents table's contract columns. Every other column is a survey item (unless the caller
#: names the items).
RESPONDENT_COLUMNS: dict[str, Column] = _columns(
    Column("respondent_id", "id", True, "unique identifier of the response"),
    Column("network_id", "id", True, "the respondent's network; must be a network_id of the networks table"),
    Column("school_id", "text", False, "the respondent's school (empty = not known)"),
    Column("wave", "integer", False, "survey year, e.g. 2023 for the 2022-23 survey"),
    Column("team_lead", "flag", True, "1 = leads the school's improvement team, 0 = does not"),
    Column("tenure_years", "number", True, "years in the network", low=0.0),
    Column("intensity", "number", True, "improvement-team meetings attended a month", low=0.0, high=1.5),
    Column("gender", "category", True, "gender as the respondent reported it", allowed=GENDERS),
    Column("race", "category", True, "race/ethnicity as the respondent reported it", allowed=RACES),
)

#: The networks table's columns. Further columns are kept, as text, unchecked.
NETWORK_COLUMNS: dict[str, Column] = _columns(
    Column("network_id", "id", True, "unique identifier of the network"),
    Column("single_district", "flag", True, "1 = all member schools in one district, 0 = several districts"),
    Column("archetype", "category", True, "the network's improvement target: instructional, ewr (early warning "
           "and response) or psm (post-secondary match: acceptance to a well-matched institution)",
           allowed=ARCHETYPES),
    Column("duration_years", "number", True, "years the network has operated (since launch), as of the survey",
           low=0.0),
    Column("hub_type", "category", True, "the intermediary hub organisation: ta (technical-assistance "
           "organisation), ihe (institution of higher education), district (central office) or other (alliances, "
           "charter management organisations, ...)", allowed=HUB_TYPES),
)


@dataclass(frozen=True)
class Problem:
    """One problem in a survey file.

    ``line`` is the CSV line the record starts on (the header is line 1, the first data row line 2;
    ``None`` for a problem with the whole file); ``column`` is ``None`` for a problem with a whole row
    or file; ``value`` is the offending cell exactly as written (``None`` when there is none).
    """

    file: str
    line: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f" line {self.line}"
        if self.column is not None:
            where += f"{',' if self.line is not None else ''} column {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    """What :func:`validate` found.

    Attributes
    ----------
    respondents_file, networks_file
        The files as the caller named them (``networks_file`` is ``None`` when only the respondents
        table was checked).
    problems
        The first ``max_problems`` problems, in file and line order.
    n_problems
        How many problems there are in all (``len(problems)`` is capped).
    notes
        Things worth knowing that are not problems (ignored columns, networks without respondents).
    n_persons, n_networks
        Data rows of the respondents table; networks with respondents (all networks of the networks
        table when only it was checked).
    items
        The item columns, in file order.
    scale
        The response scale ``(lowest, highest)``.
    max_problems
        How many problems ``problems`` and :meth:`summary` show.
    """

    respondents_file: str | None
    networks_file: str | None
    problems: tuple[Problem, ...]
    n_problems: int
    notes: tuple[str, ...]
    n_persons: int
    n_networks: int
    items: tuple[str, ...]
    scale: tuple[int, int]
    max_problems: int | None = MAX_PROBLEMS

    @property
    def ok(self) -> bool:
        """True when there is no problem."""
        return self.n_problems == 0

    @property
    def n_items(self) -> int:
        return len(self.items)

    def summary(self) -> str:
        """``"OK: N respondents in M networks, K items"`` or every problem (capped), then the notes."""
        if self.ok:
            if self.respondents_file is None:
                lines = [f"OK: {self.n_networks} networks"]
            else:
                lines = [f"OK: {self.n_persons} respondents in {self.n_networks} networks, "
                         f"{self.n_items} items (scale {self.scale[0]}-{self.scale[1]})"]
        else:
            files = " and ".join(f for f in (self.respondents_file, self.networks_file) if f is not None)
            s = "" if self.n_problems == 1 else "s"
            lines = [f"INVALID: {self.n_problems} problem{s} in {files}:"]
            lines += [f"  {p}" for p in self.problems]
            if self.n_problems > len(self.problems):
                lines.append(f"  ... and {self.n_problems - len(self.problems)} more")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    __str__ = summary


class ProblemLog:
    """The problems found in survey files, with a sort key (rank of the file, line, column position):
    keeps the first ``limit`` of each check and counts all (``total``)."""

    def __init__(self, limit: int | None):
        self.limit = limit
        self.kept: list[tuple[tuple, Problem]] = []
        self.total = 0

    def add(self, problem: Problem, *, rank: int, order: int = -1) -> None:
        self.total += 1
        self.kept.append(((rank, problem.line or 0, order), problem))

    def add_lines(self, label: str, lines, message: str, *, rank: int) -> None:
        """One problem per line of ``lines`` (a whole row each), the same ``message``."""
        self.total += len(lines)
        for line in lines[: self.limit] if self.limit is not None else lines:
            self.kept.append(((rank, int(line), -1), Problem(label, int(line), None, None, message)))

    def add_cells(self, table, name: str, mask, message, *, rank: int) -> None:
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


def excerpt(value: str, width: int = 60) -> str:
    """A possibly long text as a short quoted (escaped) excerpt."""
    return repr(value) if len(value) <= width else f"{value[:width]!r}... ({len(value)} characters)"


class InvalidSurveyData(ValueError):
    """The survey files break the data contract. ``report`` (a :class:`ValidationReport`) lists why."""

    def __init__(self, report: ValidationReport):
        super().__init__(report.summary())
        self.report = report
