"""What a survey notebook runs on, and what its page says about it.

:func:`open_survey` validates and loads a survey export (:func:`inhd.data.load_survey`) with the
options of ``inhd run`` (items or a measures file, response scale, reverse-keyed items, estimation
method, covariates) and returns a :class:`SurveyRun`: the survey, its measures, the levels the data
let a multilevel model fit (:func:`survey_levels`: networks always; schools when every respondent
has one and schools are not the networks or the persons over again; the survey waves), and whether
the data are one of the compendium's shipped SYNTHETIC cohorts (:func:`shipped_cohort`, decided by
the files' content, not by their names or a flag).

A page says what it ran on from the run itself (:meth:`SurveyRun.describe`): counts, scale, item
names, levels, reverse-keyed items, method. The SYNTHETIC banner (:meth:`SurveyRun.banner`) and the
published values beside ours appear only for a shipped cohort. Everything from the user's files
(file and item names, labels) is escaped before it reaches Markdown or HTML (:func:`markdown_text`).
"""

from __future__ import annotations

import html
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from inhd import DATA_DIR
from inhd.cohorts import SHIPPED_COHORTS, ShippedCohort, shipped_cohort
from inhd.data import Survey, load_survey
from inhd.warnings import InhdWarning

__all__ = ["ShippedCohort", "SHIPPED_COHORTS", "DEFAULT_MEASURES", "shipped_cohort", "shipped_note", "Levels",
           "survey_levels", "SurveyRun", "open_survey", "markdown_text", "METHODS", "FEW_NETWORKS", "few_networks"]

#: The measures file of the shipped network health survey: the default measures of its notebooks.
DEFAULT_MEASURES = DATA_DIR / "network_health_measures.csv"

#: Estimation methods, as a page names them.
METHODS = {"jmle": "joint maximum likelihood (JMLE, as Winsteps)",
           "cml": "conditional maximum likelihood (CML, as eRm)"}


#: Below this many networks, a variance between networks (and every reliability or ranking drawn from
#: it) is flagged as too imprecise to read (:func:`few_networks`).
FEW_NETWORKS = 10


def few_networks(n_networks: int, *, where: str = "") -> str:
    """A warning sentence when ``n_networks`` is too few for a variance between networks (2 to
    :data:`FEW_NETWORKS` - 1), else ``""``; ``where`` says which data (``" in wave 4"``).

    ``n`` networks give the variance between networks ``n - 1`` degrees of freedom: with fewer than 5
    it, the network reliability and the networks' estimates are not estimable in any useful sense;
    with fewer than 10 they are very imprecise (our rule of thumb, after Raudenbush & Bryk 2002's
    advice that level-2 variances need many units).

    Examples
    --------
    >>> few_networks(2)[:90]
    'Only 2 networks: the variance between networks rests on 1 degree of freedom, so the networ'
    >>> few_networks(30)
    ''
    """
    n = int(n_networks)
    if n < 2 or n >= FEW_NETWORKS:
        return ""
    head = (f"Only {n} networks{where}: the variance between networks rests on {n - 1} degree"
            f"{'s' if n > 2 else ''} of freedom, so ")
    if n < 5:
        return head + ("the network variance, the network reliability and the networks' estimates and ranks are "
                       "not estimable in any useful sense; read them as a description of these networks, not as "
                       "evidence about networks in general")
    return head + (f"the network variance and the network reliability are very imprecise (about {FEW_NETWORKS} "
                   "networks or more give a useful estimate)")


def shipped_note(respondents) -> str:
    """Markdown saying that a report is drawn from a shipped SYNTHETIC cohort, when ``respondents`` is
    one (by content, :func:`shipped_cohort`); an empty string for anyone else's data."""
    if shipped_cohort(respondents) is None:
        return ""
    return ("> **SYNTHETIC DATA.** This report is drawn from the compendium's synthetic cohort, calibrated to the "
            "published tables; no real network or respondent is shown.")


def markdown_text(value) -> str:
    """``value`` as text that Markdown shows literally: every ASCII punctuation character, ``<``
    and ``&`` included, backslash-escaped (CommonMark), so names from a user's file are data, never
    markup.

    Examples
    --------
    >>> print(markdown_text("q_1 <b>*"))
    q\\_1 \\<b\\>\\*
    """
    return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", str(value))


def _names(values, limit: int = 12) -> str:
    values = [markdown_text(v) for v in values]
    return ", ".join(values[:limit]) + (f" and {len(values) - limit} more" if len(values) > limit else "")


@dataclass(frozen=True)
class Levels:
    """The levels a multilevel model of these data can fit.

    Attributes
    ----------
    groups : tuple of str
        Grouping columns, outermost first: ``("network_id",)`` or ``("network_id", "school_id")``.
    n_networks, n_schools : int
        Networks; schools within networks (0 when the school level is not fitted).
    waves : tuple of int
        The survey waves (empty without a ``wave`` column).
    notes : tuple of str
        Why a level is left out, or what to know about it.
    """

    groups: tuple[str, ...]
    n_networks: int
    n_schools: int
    waves: tuple[int, ...]
    notes: tuple[str, ...] = ()

    @property
    def schools(self) -> bool:
        return "school_id" in self.groups

    def describe(self) -> str:
        """One sentence: the levels and the waves."""
        levels = (f"respondents in {self.n_schools:,} schools in {self.n_networks:,} networks" if self.schools
                  else f"respondents in {self.n_networks:,} networks (no school level)")
        waves = (f"{len(self.waves)} survey waves ({', '.join(map(str, self.waves))})" if len(self.waves) > 1
                 else f"one survey wave ({self.waves[0]})" if self.waves else "no wave column (one survey)")
        return f"Levels: {levels}; {waves}."

    def summary(self) -> str:
        return "\n".join([self.describe(), *self.notes])


def survey_levels(respondents: pd.DataFrame, *, warn: bool = True) -> Levels:
    """Which levels the data let a model fit: networks always; schools when they can be told apart.

    The school level is fitted when there is a ``school_id`` column, every respondent has a school,
    and schools are neither the networks again (every network a single school) nor the respondents
    again (every school a single respondent): in those cases the school variance cannot be told
    apart from the network (or person) variance, and the level is left out with an
    :class:`~inhd.warnings.InhdWarning` (``warn=True``). Schools are nested in networks: a
    ``school_id`` in two networks counts as two schools.
    """
    r = respondents
    n_networks = int(r["network_id"].nunique())
    notes, fitted = [], False
    n_schools = 0
    if "school_id" not in r.columns:
        notes.append("No school_id column: respondents in networks, two levels.")
    elif r["school_id"].isna().any():
        notes.append(f"{int(r['school_id'].isna().sum()):,} respondents have no school_id, so the school level "
                     "is left out: respondents in networks.")
    else:
        schools = r.groupby(["network_id", "school_id"], sort=False).size()
        per_network = schools.groupby(level=0).size()
        if (per_network == 1).all():
            notes.append("Every network has a single school: schools are the networks again, and their variance "
                         "cannot be told apart from the networks'; the school level is left out.")
        elif (schools == 1).all():
            notes.append("Every school has a single respondent: schools are the respondents again; the school "
                         "level is left out.")
        else:
            fitted, n_schools = True, len(schools)
            shared = int((schools.reset_index().groupby("school_id")["network_id"].nunique() > 1).sum())
            if shared:
                notes.append(f"{shared} school_id(s) occur in more than one network; a school is counted within "
                             "its network.")
    if n_networks < 2:
        notes.append("A single network: no variation between networks can be estimated.")
    if warn:
        for note in notes:
            if "left out" in note and "No school_id" not in note or n_networks < 2:
                warnings.warn(note, InhdWarning, stacklevel=2)
    waves = tuple(sorted(int(w) for w in r["wave"].dropna().unique())) if "wave" in r.columns else ()
    return Levels(groups=("network_id", "school_id") if fitted else ("network_id",), n_networks=n_networks,
                  n_schools=n_schools, waves=waves, notes=tuple(notes))


@dataclass(frozen=True, eq=False)
class SurveyRun:
    """A survey as a notebook analyses it (:func:`open_survey`).

    Attributes
    ----------
    survey : inhd.data.Survey
        The validated tables (reverse-keyed items already recoded).
    respondents_file : str
        The respondents file's name (no folders: pages never show machine paths).
    shipped : ShippedCohort or None
        The shipped SYNTHETIC cohort these data are, by content; None for anyone else's data.
    levels : Levels
    measures : pandas.DataFrame
        ``measure, name, domain, items`` (``items`` a tuple): from the measures file, or one measure
        made of every item.
    method : str
        ``"jmle"`` or ``"cml"``.
    """

    survey: Survey
    respondents_file: str
    shipped: ShippedCohort | None
    levels: Levels
    measures: pd.DataFrame = field(repr=False)
    method: str = "jmle"

    @property
    def respondents(self) -> pd.DataFrame:
        return self.survey.respondents

    @property
    def networks(self) -> pd.DataFrame:
        return self.survey.networks

    @property
    def items(self) -> list[str]:
        return list(self.survey.items)

    @property
    def scale(self) -> tuple[int, int]:
        return self.survey.scale

    def names(self) -> dict[str, str]:
        """``{measure: name}``."""
        return dict(zip(self.measures["measure"], self.measures["name"]))

    def banner(self, text: str | None = None) -> str:
        """For a shipped cohort, an HTML warning box saying the data are SYNTHETIC (``text`` adds what
        the page shows of them); for anyone else's data, an empty string."""
        if self.shipped is None:
            return ""
        r = self.respondents
        body = (f"The survey responses analysed on this page are <strong>SYNTHETIC</strong>: "
                f"<code>data/{html.escape(self.shipped.respondents)}</code> ({len(r):,} invented respondents in "
                f"{r['network_id'].nunique()} invented networks) is {html.escape(self.shipped.description)}. "
                "No real respondent, school or network appears here.")
        if text:
            body += " " + html.escape(text)
        return ('<div class="admonition warning"><p class="admonition-title">Warning</p>'
                f"<p>{body}</p></div>")

    def describe(self) -> str:
        """Markdown: the data this page ran on, from the run itself, then the warnings: the validation's and
        too few networks for a variance between them (:func:`few_networks`)."""
        r, (low, high) = self.respondents, self.scale
        lines = [f"**The data.** {markdown_text(self.respondents_file)}: {len(r):,} respondents in "
                 f"{r['network_id'].nunique():,} networks. {self.levels.describe()}"]
        lines += [markdown_text(note) for note in self.levels.notes]
        if len(self.measures) > 1:
            lines.append(f"{len(self.items)} items in {len(self.measures)} measures, answered on the response "
                         f"scale {low}-{high}.")
        else:
            lines.append(f"{len(self.items)} items answered on the response scale {low}-{high}: "
                         f"{_names(self.items)}.")
        if self.survey.reversed:
            lines.append(f"Reverse-keyed items, recoded as {low + high} - x before any analysis: "
                         f"{_names(self.survey.reversed)}.")
        lines.append(f"Rasch estimation: {METHODS[self.method]}.")
        lines += [f"> **Warning.** {markdown_text(w)}." for w in
                  (*self.survey.report.warnings, *filter(None, [few_networks(r["network_id"].nunique())]))]
        return "\n\n".join(lines)

    def summary(self) -> str:
        return re.sub(r"\\(.)", r"\1", self.describe().replace("**", ""))


def _single_measure(items) -> pd.DataFrame:
    return pd.DataFrame({"measure": ["measure"], "name": [f"All {len(items)} items"], "domain": [""],
                         "items": [tuple(items)]})


def open_survey(respondents, networks=None, *, default=None, items=None, scale=(1, 5), measures=None,
                reverse=None, method: str = "jmle", person_covariates=None, network_covariates=None,
                references=None) -> SurveyRun:
    """Validate and load a survey for a notebook; the page's facts come from the result.

    Parameters
    ----------
    respondents, networks
        Paths of the CSV files; ``None`` takes the ``default`` shipped cohort's file (a key of
        :data:`SHIPPED_COHORTS`).
    items, scale, measures, reverse, person_covariates, network_covariates, references
        As :func:`inhd.data.load_survey`. Without ``items`` and ``measures``, the shipped network
        health survey takes :data:`DEFAULT_MEASURES`.
    method : {"jmle", "cml"}

    Raises
    ------
    inhd.data.InvalidSurveyData
        The data break the contract (every problem listed).
    ValueError
        Bad arguments.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}; got {method!r}")
    cohort = SHIPPED_COHORTS.get(default) if default is not None else None
    if default is not None and cohort is None:
        raise ValueError(f"default must be one of {', '.join(SHIPPED_COHORTS)}; got {default!r}")
    if respondents is None:
        if cohort is None:
            raise ValueError("name the respondents file (respondents_path)")
        respondents = DATA_DIR / cohort.respondents
        networks = DATA_DIR / cohort.networks if networks is None else networks
    shipped = shipped_cohort(respondents)
    if measures is None and items is None and shipped is not None and shipped.key == "network_health":
        measures = DEFAULT_MEASURES
    survey = load_survey(respondents, networks, items=items, scale=tuple(scale), measures=measures, reverse=reverse,
                         person_covariates=person_covariates, network_covariates=network_covariates,
                         references=references)
    table = survey.measures if survey.measures is not None else _single_measure(survey.items)
    return SurveyRun(survey=survey, respondents_file=Path(respondents).name, shipped=shipped,
                     levels=survey_levels(survey.respondents), measures=table, method=method)
