"""Covariate models: which covariates, how they are coded and centred, and the design, built once.

The participatory-benefits paper relates its measure to person- and network-level covariates in
four models (Perlman, Bryk & Russell 2025, Table 4). The same design serves any survey:

- :func:`choose_covariates`: the covariates a run uses (a :class:`CovariateSpec`): the ones named
  (person- and network-level), else the paper's when all nine are present
  (:data:`PAPER_COVARIATES`), else none; and the models they make (``unconditional``; ``level2``
  with the person-level covariates, ``level3`` with the network-level ones, ``final`` with both).
- :func:`covariate_design`: the design matrix of those models, built once on the respondents
  analysed: numbers as they are, text labels dummy-coded against a reference category (the one
  named, else the most frequent), person-level terms group-mean centred within networks and
  network-level terms grand-mean centred over networks, as the paper does; terms that do not vary
  are left out, and respondents missing a covariate are left out of every model (nothing is
  imputed), each stated in the design's notes.

References
----------
Perlman, H., Bryk, A. S., & Russell, J. L. (2025). Measuring educators' perceived benefits of
participation in educational improvement networks. Peabody Journal of Education 100(1), Table 4.
Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.), ch. 5 (centring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["CovariateSpec", "PAPER_COVARIATES", "choose_covariates", "Design", "covariate_design",
           "describe_covariates", "MODEL_NAMES"]

#: The models, in order: which covariates each takes ("person", "network" or both).
MODEL_NAMES = {"unconditional": (), "level2": ("person",), "level3": ("network",), "final": ("person", "network")}


@dataclass(frozen=True)
class CovariateSpec:
    """The covariates of a run and the models they make.

    Attributes
    ----------
    person, network : tuple of str
        Person-level columns (respondents table) and network-level columns (networks table).
    references : dict
        ``{column: label}``: reference categories of text covariates named by the caller (the
        others take their most frequent label).
    source : {"paper", "named", "none"}
        The paper's covariates, the caller's, or none.
    models : dict
        ``{model: columns}``, in the order fitted.
    categories : dict
        ``{column: labels}``: the order of a text covariate's dummies (the paper's); others sorted.
    prefixes : dict
        ``{column: prefix}`` of dummy names (``hub_type`` -> ``hub`` in the paper); default the column.
    """

    person: tuple[str, ...] = ()
    network: tuple[str, ...] = ()
    references: dict = field(default_factory=dict)
    source: str = "none"
    models: dict = field(default_factory=lambda: {"unconditional": ()})
    categories: dict = field(default_factory=dict)
    prefixes: dict = field(default_factory=dict)

    def describe(self) -> str:
        """A sentence: which covariates, and which models."""
        if self.source == "none":
            return ("No covariates: only the unconditional model (how much networks differ) is fitted. Name "
                    "covariates with --person-covariates and --network-covariates to relate the measure to them.")
        which = "the paper's covariates (Table 4)" if self.source == "paper" else "the covariates named for this run"
        parts = [f"person level: {', '.join(self.person)}" if self.person else "",
                 f"network level: {', '.join(self.network)}" if self.network else ""]
        return (f"Covariates: {which}; " + "; ".join(p for p in parts if p) + ". Models: "
                + ", ".join(self.models) + ".")

    summary = describe


#: Table 4's covariates, references and models (gender only in the level-2 model, as printed).
PAPER_COVARIATES = CovariateSpec(
    person=("team_lead", "tenure_years", "intensity", "race", "gender"),
    network=("single_district", "duration_years", "archetype", "hub_type"),
    references={"race": "white", "gender": "woman", "archetype": "instructional", "hub_type": "ta"},
    source="paper",
    models={"unconditional": (),
            "level2": ("team_lead", "tenure_years", "intensity", "race", "gender"),
            "level3": ("single_district", "duration_years", "archetype", "hub_type"),
            "final": ("team_lead", "tenure_years", "intensity", "race", "single_district", "duration_years",
                      "archetype", "hub_type")},
    categories={"race": ("white", "asian", "black", "latinx", "mixed", "additional", "undisclosed"),
                "gender": ("woman", "man", "additional", "undisclosed"),
                "archetype": ("instructional", "ewr", "psm"), "hub_type": ("ta", "ihe", "district", "other")},
    prefixes={"hub_type": "hub"},
)


def choose_covariates(respondents: pd.DataFrame, networks: pd.DataFrame, *, person=None, network=None,
                      references=None) -> CovariateSpec:
    """The covariates of a run: those named; without names, the paper's when all are present; else none.

    Parameters
    ----------
    respondents, networks : pandas.DataFrame
        The loaded survey (:func:`inhd.data.load_survey`).
    person, network : list of str, optional
        Covariate columns of the respondents and the networks table.
    references : dict, optional
        ``{column: label}``: reference categories of text covariates.

    Raises
    ------
    ValueError
        A named covariate is not a column of its table.

    Examples
    --------
    >>> spec = choose_covariates(pd.DataFrame(columns=["network_id", "age"]), pd.DataFrame(columns=["network_id"]),
    ...                          person=["age"])
    >>> spec.source, list(spec.models)
    ('named', ['unconditional', 'level2'])
    """
    references = dict(references or {})
    person, network = tuple(person or ()), tuple(network or ())
    for names, frame, what in ((person, respondents, "respondents"), (network, networks, "networks")):
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise ValueError(f"covariate(s) {missing} are not columns of the {what} table")
    if person or network:
        models = {m: tuple(c for level in levels for c in (person if level == "person" else network))
                  for m, levels in MODEL_NAMES.items()
                  if all((person if level == "person" else network) for level in levels)}
        return CovariateSpec(person=person, network=network, references=references, source="named", models=models)
    spec = PAPER_COVARIATES
    if set(spec.person) <= set(respondents.columns) and set(spec.network) <= set(networks.columns):
        return CovariateSpec(person=spec.person, network=spec.network, references={**spec.references, **references},
                             source="paper", models=spec.models, categories=spec.categories, prefixes=spec.prefixes)
    return CovariateSpec()


@dataclass(frozen=True)
class Design:
    """The design matrix of a :class:`CovariateSpec` on the respondents analysed.

    Attributes
    ----------
    data : pandas.DataFrame
        Indexed like the respondents analysed: ``network_id`` and one centred column per term.
    terms : pandas.DataFrame
        One row per term: ``term, column, level`` (``person``/``network``), ``coding`` (``number``,
        ``flag`` or ``dummy``), ``reference`` (a dummy's reference label), ``value_range`` (max -
        min of a number, the span Hedges' g refers to; 1 for flags and dummies), ``centring``.
    models : dict
        ``{model: [terms]}``, models that would repeat another left out.
    notes : tuple of str
        What was left out and why.
    n_persons_left_out : int
        Respondents missing a covariate value (left out of every model).
    """

    data: pd.DataFrame
    terms: pd.DataFrame
    models: dict
    notes: tuple[str, ...] = ()
    n_persons_left_out: int = 0

    def summary(self) -> str:
        return "\n".join([self.terms.to_string(index=False),
                          *[f"{m}: {', '.join(t) or 'intercept only'}" for m, t in self.models.items()], *self.notes])


def _values(respondents, networks, column, level) -> pd.Series:
    if level == "person":
        return respondents[column]
    by_network = networks.set_index(networks["network_id"].astype(str))[column]
    return respondents["network_id"].astype(str).map(by_network)


def _expand(values: pd.Series, column: str, spec: CovariateSpec, unit_values: pd.Series):
    """(columns, rows of the terms table) of one covariate; ``unit_values``: one value per unit."""
    if pd.api.types.is_numeric_dtype(values):
        x = values.astype(float)
        flag = set(pd.unique(unit_values.dropna().astype(float))) <= {0.0, 1.0}
        span = 1.0 if flag else float(unit_values.max() - unit_values.min())
        return {column: x}, [(column, column, "flag" if flag else "number", "", span)]
    counts = unit_values.astype(str).value_counts()
    labels = [c for c in spec.categories.get(column, ()) if c in counts.index] + \
        sorted(c for c in counts.index if c not in spec.categories.get(column, ()))
    reference = spec.references.get(column, counts.idxmax() if len(counts) else "")
    prefix = spec.prefixes.get(column, column)
    cols, rows = {}, []
    for label in labels:
        if label != reference:
            term = f"{prefix}_{label}"
            cols[term] = (values.astype(str) == label).astype(float).where(values.notna())
            rows.append((term, column, "dummy", reference, 1.0))
    return cols, rows


def covariate_design(respondents: pd.DataFrame, networks: pd.DataFrame, spec: CovariateSpec, *,
                     rows=None) -> Design:
    """The centred design of ``spec``'s models on the respondents ``rows`` (default: all).

    Person-level terms are group-mean centred within networks, network-level terms grand-mean
    centred over the networks analysed (each network once, as HLM centres at level 3). Respondents
    missing a covariate value are left out; terms that do not vary among the rest are left out of
    every model; a model whose terms repeat an earlier model's is not fitted. Everything left out
    is named in ``notes``.

    Raises
    ------
    ValueError
        A respondent's network is missing from ``networks``.
    """
    r = respondents if rows is None else respondents.loc[rows]
    nid = r["network_id"].astype(str)
    unknown = sorted(set(nid) - set(networks["network_id"].astype(str)))
    if unknown:
        raise ValueError(f"respondents: network_id {unknown[:5]} not in the networks table")
    notes, raw, term_rows = [], {}, []
    levels = {c: "person" for c in spec.person} | {c: "network" for c in spec.network}
    values = {c: _values(r, networks, c, lvl) for c, lvl in levels.items()}
    complete = pd.concat(values, axis=1).notna().all(axis=1) if values else pd.Series(True, index=r.index)
    if (~complete).any():
        missing = [c for c, v in values.items() if v.isna().any()]
        notes.append(f"{int((~complete).sum()):,} respondent(s) without a value of {', '.join(missing)} are left "
                     "out of every model (nothing is imputed).")
    r, nid = r[complete], nid[complete]
    for column, level in levels.items():
        v = values[column][complete]
        unit = v if level == "person" else v.groupby(nid.to_numpy()).first()
        cols, rows_ = _expand(v, column, spec, unit)
        raw.update(cols)
        term_rows += [(t, c, level, coding, ref, span) for t, c, coding, ref, span in rows_]
    terms = pd.DataFrame(term_rows, columns=["term", "column", "level", "coding", "reference", "value_range"])
    terms["centring"] = np.where(terms["level"] == "person", "group mean (network)", "grand mean (networks)")
    data = pd.DataFrame(raw, index=r.index)
    person_terms = list(terms.loc[terms["level"] == "person", "term"])
    network_terms = list(terms.loc[terms["level"] == "network", "term"])
    if person_terms:
        data[person_terms] = data[person_terms] - data[person_terms].groupby(nid.to_numpy()).transform("mean")
    if network_terms:
        per_network = data[network_terms].groupby(nid.to_numpy()).first()
        data[network_terms] = data[network_terms] - per_network.mean()
    constant = [t for t in terms["term"] if np.allclose(data[t].to_numpy(float), 0.0)]
    if constant:
        notes.append(f"Term(s) {', '.join(constant)} do not vary among the respondents analysed (a label nobody "
                     "has, or one value for everyone) and are left out.")
    data.insert(0, "network_id", nid.to_numpy())
    models, seen = {}, {}
    for model, columns in spec.models.items():
        kept = [t for t in terms["term"] if terms.set_index("term").loc[t, "column"] in columns and t not in constant]
        key = tuple(kept)
        if key in seen:
            notes.append(f"Model {model} would repeat model {seen[key]} (its covariates do not vary) and is not fitted.")
            continue
        seen[key] = model
        models[model] = kept
    return Design(data=data, terms=terms[~terms["term"].isin(constant)].reset_index(drop=True), models=models,
                  notes=tuple(notes), n_persons_left_out=int((~complete).sum()))


def describe_covariates(respondents: pd.DataFrame, networks: pd.DataFrame, spec: CovariateSpec) -> pd.DataFrame:
    """Descriptive statistics of the covariates: ``level, column, label, n_units, pct, mean, sd, min,
    max``: a number's moments (SD with ddof 1), a label's count and share; ``n_units`` counts
    respondents (person level) or networks (network level), each network once."""
    rows = []
    for level, columns in (("person", spec.person), ("network", spec.network)):
        frame = respondents if level == "person" else networks[networks["network_id"].isin(
            set(respondents["network_id"]))]
        for column in columns:
            v = frame[column]
            total = len(v)
            if pd.api.types.is_numeric_dtype(v):
                x = v.astype(float).dropna()
                rows.append((level, column, "", x.size, 100 * x.size / max(total, 1), x.mean(), x.std(ddof=1),
                             x.min(), x.max()))
            else:
                for label, n in v.value_counts().items():
                    rows.append((level, column, label, int(n), 100 * n / max(total, 1), *[np.nan] * 4))
    return pd.DataFrame(rows, columns=["level", "column", "label", "n_units", "pct", "mean", "sd", "min", "max"])
