"""The analysis steps of Perlman, Bryk & Russell (2025), participatory benefits, as library functions.

The paper builds a Rasch measure of educators' perceived benefits of network participation from
11 candidate survey items (two misfitting items are deleted, leaving nine), then analyses it with a
three-level HLM (a known-variance measurement model at level 1, persons at level 2, networks at
level 3). The notebook ``notebooks/04_participatory_benefits.ipynb`` tells that story; the steps
live here so that they can be tested and re-used on any survey export that follows the data
contract (``inhd.data``). The measure is built with :mod:`inhd.item_selection` (misfitting items
dropped by a documented rule, never by name); then:

- :func:`descriptive_tables`: Tables 1 and 2 (person- and network-level descriptives).
- :func:`design_matrix`: the predictors of Table 4 (:func:`inhd.covariates.covariate_design` with
  the paper's covariates and reference categories).
- :func:`table4_models`: the covariate models of Table 4 (the paper's covariates, a survey's own,
  or none: :func:`inhd.covariates.choose_covariates`), with Hedges' g, reliabilities and network
  empirical-Bayes estimates, as tidy frames.
- :func:`figure3_distribution`: Figure 3's four-category distributions; the published findings
  are read and set beside ours by :mod:`inhd.benefits_published`.
- :func:`write_tables`: the CSV files of the notebook's contract (:data:`CONTRACT_COLUMNS`).

References
----------
Perlman, H., Bryk, A. S., & Russell, J. L. (2025). Measuring educators' perceived benefits of
participation in educational improvement networks. Peabody Journal of Education 100(1), 82-99.
Bond, T. G., Yan, Z., & Heene, M. (2020). Applying the Rasch model (4th ed.). Routledge.
Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.). Sage.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import chi2


from inhd.covariates import PAPER_COVARIATES, CovariateSpec, Design, choose_covariates, covariate_design
from inhd.effects import effect_sizes
from inhd.estimates import network_estimates
from inhd.hlm import KnownVarianceResult, fit_known_variance
from inhd.item_review import ITEM_COLUMNS, THRESHOLD_COLUMNS
from inhd.published import NETWORK_PREDICTORS, PERSON_PREDICTORS
from inhd.scales import four_category_distribution, reporting_range
from inhd.warnings import InhdWarning

__all__ = [
    "descriptive_tables", "design_matrix",
    "PERSON_PREDICTORS", "GENDER_PREDICTORS", "NETWORK_PREDICTORS", "MODEL_TERMS",
    "ModelFit", "Table4", "table4_models", "fit_known_variance_model", "hedges_g",
    "INTERACTION_MODERATORS", "INTERACTION_MEMBERS", "INTERACTION_TERMS", "interaction_columns",
    "figure3_distribution", "network_eb_table", "reliability_table", "write_tables", "CONTRACT_COLUMNS", "SHIPPED_NOTES",
]

#: What the notebook says about the shipped SYNTHETIC cohort, and only about it.
SHIPPED_NOTES = {
    "banner": "The paper's survey data are confidential: the numbers below show what the paper's method gives "
              "on the synthetic cohort, not findings about real networks; the published numbers are shown "
              "beside ours.",
    "variance": "Read these side by side with care: the synthetic cohort reproduces the paper's design and its "
                "final model, not its respondents. Two things shape our variance components: the measures come "
                "from JMLE, whose logits are stretched by about L/(L-1) (9/8 with nine items; Winsteps' default, "
                "which the paper used too), and the ceiling (a few hundred respondents are at the top of every "
                "item they answered) compresses the top of the scale, so within-network variance comes out below "
                "the published 3.36.",
    "figure3": "On the shipped SYNTHETIC data the top five networks look as the paper describes them, but the "
               "bottom five do not reach its bottom category: far fewer than 20% fall in \"low\". Two reasons, "
               "both visible above: the synthetic latent benefit is normal with Table 4's variances, so its "
               "measures stop near -5.5 logits where the paper's reach -7.1 (Table 1), and the paper does not "
               "print its cut points, so ours (expected answer below 1.5 on the average item) are a reconstruction "
               "that may sit lower than theirs. The check is kept as computed, not tuned.",
    "agreement": "The paper's headline findings, and whether our estimates from the synthetic data agree in sign "
                 "and significance: team leads, more intense participation and longer tenure go with greater "
                 "benefits; members of minoritized racial groups report more benefit than White colleagues, those "
                 "who did not disclose their race less; members of single-district networks report less, "
                 "longer-running networks, early warning and response networks and networks with university hubs "
                 "more.",
}


# ---------------------------------------------------------------------------------------------
# Step 2: Tables 1 and 2
# ---------------------------------------------------------------------------------------------
_GENDER_LABELS = {"woman": "Woman", "man": "Man", "additional": "Additional gender identity",
                  "undisclosed": "Didn't disclose gender"}
_RACE_LABELS = {"white": "White", "asian": "Asian", "black": "Black", "latinx": "Latinx",
                "mixed": "Mixed race", "additional": "Additional race identity",
                "undisclosed": "Didn't disclose race"}
_ARCHETYPE_LABELS = {"instructional": "Instructional", "ewr": "Early warning and response",
                     "psm": "Post-secondary match"}
_HUB_LABELS = {"ta": "Technical assistance org.", "ihe": "Institution of higher education",
               "district": "District", "other": "Other"}
_TABLE_COLUMNS = ["group", "variable", "n", "pct", "mean", "sd", "min", "max"]
_COUNT = {1: "n_persons", 2: "n_networks"}       # what Table 1's and Table 2's counts count


def _count_rows(values: pd.Series, labels: dict, group: str, total: int) -> list:
    counts = values.value_counts()
    return [(group, lab, int(counts.get(key, 0)), 100 * counts.get(key, 0) / total,
             np.nan, np.nan, np.nan, np.nan) for key, lab in labels.items()]


def _moment_row(x: pd.Series, group: str, label: str, total: int) -> tuple:
    x = x.astype(float).dropna()
    return (group, label, int(x.size), 100 * x.size / total, x.mean(), x.std(ddof=1), x.min(),
            x.max())


def descriptive_tables(respondents: pd.DataFrame, networks: pd.DataFrame, *, measure=None):
    """Tables 1 (persons) and 2 (networks) of Perlman, Bryk & Russell (2025).

    Parameters
    ----------
    respondents, networks : pandas.DataFrame
        Tables in the data contract (:mod:`inhd.data`). Not modified.
    measure : pandas.Series, optional
        Person measures (logits) for Table 1's last row, "Member participatory benefits".

    Returns
    -------
    (table1, table2) : tuple of pandas.DataFrame
        Columns ``group, variable, n_persons, pct, mean, sd, min, max`` (Table 1) and ``group,
        variable, n_networks, pct, mean, sd, min, max`` (Table 2), the layout of
        :func:`published_descriptive_tables` (SD with ddof 1; percentages of all respondents /
        networks).

    Examples
    --------
    >>> from inhd import DATA_DIR
    >>> from inhd.data import load_survey
    >>> survey = load_survey(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
    ...                      DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    >>> table1, table2 = descriptive_tables(survey.respondents, survey.networks)
    >>> table1.set_index("variable").loc[["Team lead", "Team member"], "n_persons"].tolist()
    [644, 1429]
    >>> int(table2.set_index("variable").loc["Single district", "n_networks"])
    15
    """
    r, nets = respondents, networks
    n = len(r)
    if n == 0 or len(nets) == 0:
        raise ValueError("respondents and networks must each have at least one row")
    rows = [_moment_row(r["tenure_years"], "membership", "Member tenure in network", n)]
    lead = r["team_lead"].astype(int)
    rows += [("membership", "Team lead", int(lead.sum()), 100 * lead.mean(), *[np.nan] * 4),
             ("membership", "Team member", int((1 - lead).sum()), 100 * (1 - lead).mean(),
              *[np.nan] * 4)]
    rows.append(_moment_row(r["intensity"], "membership", "Intensity of participation", n))
    rows += _count_rows(r["gender"], _GENDER_LABELS, "gender", n)
    rows += _count_rows(r["race"], _RACE_LABELS, "race", n)
    if measure is not None:
        rows.append(_moment_row(pd.Series(measure), "outcome", "Member participatory benefits", n))
    t1 = pd.DataFrame(rows, columns=_TABLE_COLUMNS).rename(columns={"n": _COUNT[1]})
    k = len(nets)
    sd = nets["single_district"].astype(int)
    rows = [("context", "Single district", int(sd.sum()), 100 * sd.mean(), *[np.nan] * 4)]
    rows += _count_rows(nets["archetype"], _ARCHETYPE_LABELS, "archetype", k)
    rows.append(_moment_row(nets["duration_years"], "duration", "Duration since launch", k))
    rows += _count_rows(nets["hub_type"], _HUB_LABELS, "hub", k)
    t2 = pd.DataFrame(rows, columns=_TABLE_COLUMNS).rename(columns={"n": _COUNT[2]})
    return t1, t2


# ---------------------------------------------------------------------------------------------
# Step 3: the design of Table 4 (inhd.covariates builds it, for the paper's covariates or others)
# ---------------------------------------------------------------------------------------------
# PERSON_PREDICTORS (group-mean centred) and NETWORK_PREDICTORS (grand-mean centred over networks)
# are Table 4's, from inhd.published.
#: Gender dummies (level-2 model only; reference: woman).
GENDER_PREDICTORS = ["gender_man", "gender_additional", "gender_undisclosed"]
#: The paper's interaction tests (its last paragraph of findings): "interaction effects of network
#: archetype and hub type on individual membership variables of improvement team role, member
#: tenure in network, and intensity of participation". Terms are ``<network>:<person>``, the
#: product of the two centred columns (a network-level predictor of a person-level slope).
INTERACTION_MODERATORS = ["archetype_ewr", "archetype_psm", "hub_ihe", "hub_district", "hub_other"]
INTERACTION_MEMBERS = ["team_lead", "tenure_years", "intensity"]
INTERACTION_TERMS = [f"{w}:{x}" for w in INTERACTION_MODERATORS for x in INTERACTION_MEMBERS]
#: The predictors of each of Table 4's models.
MODEL_TERMS = {
    "unconditional": [],
    "level2": PERSON_PREDICTORS + GENDER_PREDICTORS,
    "level3": NETWORK_PREDICTORS,
    "final": PERSON_PREDICTORS + NETWORK_PREDICTORS,
}


def design_matrix(respondents: pd.DataFrame, networks: pd.DataFrame) -> pd.DataFrame:
    """Centred, dummy-coded predictors of Table 4, one row per respondent.

    Person-level predictors (team lead, tenure, intensity, race and gender dummies) are
    group-mean centred on the respondent's network; network-level predictors (single district,
    duration since launch, archetype and hub dummies) are grand-mean centred over networks, each
    network counted once (HLM's grand mean at level 3). References: race white, gender woman,
    archetype instructional, hub technical-assistance organisation (Perlman, Bryk & Russell 2025,
    Table 4). This is :func:`inhd.covariates.covariate_design` with
    :data:`inhd.covariates.PAPER_COVARIATES`. Index: that of ``respondents``; columns:
    ``network_id`` then the predictors present in the data, in Table 4's order.

    Raises
    ------
    ValueError
        A respondent's network is missing from ``networks``.
    """
    design = covariate_design(respondents, networks, PAPER_COVARIATES)
    order = [t for t in PERSON_PREDICTORS + GENDER_PREDICTORS + NETWORK_PREDICTORS if t in design.data.columns]
    return design.data[["network_id", *order]]


# ---------------------------------------------------------------------------------------------
# Step 4: known-variance three-level model (inhd.hlm, with HLM's degrees of freedom)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelFit:
    """One fitted model of Table 4 (:func:`fit_known_variance_model`).

    Attributes
    ----------
    params, bse : pandas.Series
        Fixed effects and their SEs, indexed ``Intercept`` then the predictors.
    fixed_effects : pandas.DataFrame
        Indexed by term: ``estimate, se, t_ratio, df, p_value``: HLM 8's t-ratio referred to a t
        distribution on HLM's degrees of freedom by the term's level (:mod:`inhd.hlm8`, which
        documents the rule with its sources: for the intercept and a network-level predictor,
        networks - network-level predictors - 1; for a person-level predictor, persons - fixed
        effects), or a z test under ``test="z"``.
    variance_components : pandas.Series
        ``network_id`` (r00, between networks) and ``residual`` (e0, persons within networks
        beyond their known measurement error), in logits squared.
    variance_tests : pandas.DataFrame
        Indexed like ``variance_components``: HLM's chi-square test of each (``statistic, df,
        p_value``; Raudenbush & Bryk 2002, eq. 3.103), NaN under ``test="z"``.
    networks : pandas.DataFrame
        Indexed by ``network_id``: ``n_persons``, the EB network ``mean`` (intercept + u_k), its
        ``deviation`` u_k and ``se``, the posterior SE of u_k (``metafor::ranef``'s, accounting for
        the estimation of the fixed effects; the bars of a caterpillar plot), in logits.
    reliability : pandas.Series
        ``person`` (mean of e0 / (e0 + v_i)) and ``network_id`` (mean over networks of
        r00 / (r00 + error variance of the network mean)).
    converged : bool
    llf : float
        The maximised (full ML, or REML) log-likelihood (metafor's ``logLik``).
    model : inhd.hlm.KnownVarianceResult
        The fit itself (its terms renamed back to the covariates' names).
    method : str
        ``"ML"`` (full maximum likelihood, as HLM 8's three-level module) or ``"REML"``.
    """

    params: pd.Series
    bse: pd.Series
    fixed_effects: pd.DataFrame
    variance_components: pd.Series
    networks: pd.DataFrame
    reliability: pd.Series
    converged: bool
    llf: float
    model: KnownVarianceResult = field(repr=False)
    variance_tests: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    method: str = "ML"

    def summary(self) -> str:
        """Fixed effects, variance components and reliabilities, as plain text."""
        return "\n".join([
            f"Known-variance model of {len(self.networks)} networks ({self.method}, HLM's df); "
            f"converged {self.converged}, llf {self.llf:.4f}",
            self.fixed_effects.round(4).to_string(), "variance components: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.variance_components.items()),
            "reliability: " + ", ".join(f"{k} {v:.3f}" for k, v in self.reliability.items())])


def fit_known_variance_model(data: pd.DataFrame, terms, *, outcome="measure",
                             known_variance="error_variance", group="network_id",
                             method: str = "ML", test: str = "hlm") -> ModelFit:
    """Fit one known-variance persons-in-networks model (a Table 4 column).

    The model is :math:`y_i = x_i'\\beta + u_{k} + e_i + \\epsilon_i`, :math:`\\epsilon_i \\sim
    N(0, v_i)` with :math:`v_i` the squared Rasch SE (our reading of the paper's level-1
    "measurement model"), :math:`e_i \\sim N(0, \\sigma^2)` (e0), :math:`u_k \\sim N(0, \\tau)`
    (r00). By default with HLM 8's conventions: full maximum likelihood (the estimation HLM's
    three-level module uses; the paper does not state its method), t-ratios on HLM's degrees of
    freedom and HLM's chi-square test of each variance component (``test="hlm"``,
    :mod:`inhd.hlm8`). In R: ``metafor::rma.mv(measure, error_variance, mods = ~ terms, random =
    ~ 1 | network_id/respondent_id, method = "ML")``.

    Parameters
    ----------
    data : pandas.DataFrame
        ``outcome``, ``known_variance``, ``group`` and the columns in ``terms`` (already centred).
    terms : list of str
        Predictor columns; an intercept is always included (named ``Intercept``).
    method : {"ML", "REML"}, default "ML"
    test : {"hlm", "z"}, default "hlm"

    The fit is :func:`inhd.hlm.fit_known_variance` (checked against metafor); this function
    brings its fixed effects (``t_ratio`` and ``df``), variance tests and EB network means into a
    :class:`ModelFit`.

    Returns
    -------
    ModelFit
    """
    terms = list(terms)
    need = [outcome, known_variance, group, *terms]
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"data: column(s) {missing} not found")
    d = data[need].copy()
    bad = d[[outcome, known_variance, *terms]].astype(float).isna().any(axis=1)
    if bad.any():
        raise ValueError(f"data: {int(bad.sum())} rows have a missing outcome, known variance or "
                         "predictor; drop them first (nothing is imputed)")
    if str(method).upper() not in ("ML", "REML") or test not in ("hlm", "z"):
        raise ValueError(f"method must be 'ML' or 'REML' and test 'hlm' or 'z'; got {method!r}, {test!r}")
    return _fit_with_hlm(d, terms, outcome, known_variance, group, str(method).upper(), test)


def _fit_with_hlm(d, terms, outcome, known_variance, group, method="ML", test="hlm") -> ModelFit:
    """Fit with inhd.hlm.fit_known_variance and bring its result into a ModelFit.

    The formula is written with safe names (``x0``, ``x1``, ...), never with the terms themselves:
    a covariate's label from a user's file is data, not formula syntax."""
    safe = {t: f"x{j}" for j, t in enumerate(terms)}
    back = {"Intercept": "Intercept", **{v: k for k, v in safe.items()}}
    data = d.rename(columns=safe).rename(columns={outcome: "y_", known_variance: "v_", group: "g_"})
    formula = "y_ ~ " + (" + ".join(safe.values()) if terms else "1")
    res = fit_known_variance(data, formula, known_variance="v_", groups=["g_"], method=method,
                             test=test)
    names = ["Intercept", *terms]
    res = replace(res, params=res.params.rename(back), bse=res.bse.rename(back),
                  fixed_effects=res.fixed_effects.rename(index=back),
                  cov_params=res.cov_params.rename(index=back, columns=back),
                  variance_components=res.variance_components.rename({"g_": "network_id"}),
                  random_effects={"network_id": res.random_effects["g_"]},
                  reliability=res.reliability.rename({"g_": "network_id"}), groups=("network_id",),
                  n_groups=res.n_groups.rename({"g_": "network_id"}),
                  formula=f"{outcome} ~ " + (" + ".join(terms) if terms else "1"))
    vc = res.variance_components
    codes, groups = pd.factorize(d[group], sort=True)
    re = res.random_effects["network_id"].reindex(groups)
    params, bse = res.params.reindex(names).astype(float), res.bse.reindex(names).astype(float)
    fe = res.fixed_effects.reindex(names)
    fixed = pd.DataFrame({"estimate": params, "se": bse, "t_ratio": fe["statistic"].astype(float),
                          "df": (fe["df"].astype(float) if "df" in fe.columns
                                 else pd.Series(np.inf, index=fe.index)),
                          "p_value": fe["p_value"].astype(float)},
                         index=pd.Index(names, name="term"))
    if res.variance_tests is not None:
        vt = res.variance_tests.rename({"g_": "network_id"})[["statistic", "df", "p_value"]]
    else:
        vt = pd.DataFrame(np.nan, index=["network_id", "residual"], columns=["statistic", "df", "p_value"])
    u = re["deviation"].to_numpy(float)
    networks = pd.DataFrame({"n_persons": re["n_persons"].to_numpy().astype(int),
                             "mean": float(params["Intercept"]) + u, "deviation": u,
                             "se": re["se"].to_numpy(float)},
                            index=pd.Index(groups.astype(str), name="network_id"))
    return ModelFit(
        params=params, bse=bse, fixed_effects=fixed,
        variance_components=pd.Series({"network_id": float(vc["network_id"]),
                                       "residual": float(vc["residual"])}),
        networks=networks,
        reliability=pd.Series({"person": float(res.reliability["person"]),
                               "network_id": float(res.reliability["network_id"])}),
        converged=bool(res.converged), llf=float(res.llf), model=res,
        variance_tests=vt.reindex(["network_id", "residual"]), method=method)


def hedges_g(estimate: float, *, level: str, value_range: float | None,
             variance_components: Mapping[str, float], n_networks: int,
             n_network_predictors: int) -> float:
    """Hedges' g of a Table 4 coefficient, as the paper computes it (via :mod:`inhd.effects`).

    ``g = J(df) x estimate x range / sqrt(var0)``: ``range`` is max - min of the predictor for the
    continuous ones (tenure, intensity, duration: Table 4 note a) and 1 for dummies; ``var0`` the
    unconditional model's variance component at the predictor's level (``residual`` = e0 for
    person-level, ``network_id`` = r00 for network-level predictors, from
    ``variance_components``); ``J(df) = 1 - 3 / (4 df - 1)`` with df the number of networks
    (person level) or networks - network predictors - 1 (network level). This reproduces every
    printed effect size of Table 4 to rounding (``inhd.effects.TABLE4_DEFINITION``, found by the
    effects module's search).

    Raises
    ------
    ValueError
        ``level`` is neither ``"person"`` nor ``"network"``.
    """
    if level not in ("person", "network"):
        raise ValueError(f"level must be 'person' or 'network', got {level!r}")
    person = level == "person"
    df = n_networks if person else n_networks - n_network_predictors - 1
    var0 = variance_components["residual" if person else "network_id"]
    out = effect_sizes(pd.Series({"b": float(estimate)}), sd=float(np.sqrt(var0)), df=df,
                       delta={"b": 1.0 if value_range is None else float(value_range)})
    return float(out["effect_size"].iloc[0])


# ---------------------------------------------------------------------------------------------
# Step 5: Table 4
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Table4:
    """Table 4's models: the paper's four, or those a survey's covariates make.

    Attributes
    ----------
    fixed_effects : pandas.DataFrame
        ``model, term, estimate, se, t_ratio, df, p_value, hedges_g`` (HLM's t-ratio and degrees
        of freedom; ``hedges_g`` for the final model's significant effects at p < .05, NaN
        elsewhere, as the paper prints it). With the paper's covariates a last model
        ``interactions`` adds the paper's interaction tests (:data:`INTERACTION_TERMS`).
    variance_components : pandas.DataFrame
        ``model, component, variance, statistic, df, p_value, method`` with components
        ``network_id`` (r00, between networks) and ``residual`` (e0, persons within networks),
        HLM's chi-square test of each, and the estimation method (``ML`` or ``REML``).
    interaction_test : pandas.DataFrame
        ``quantity, value``: the likelihood-ratio test of all interaction terms at once (final
        against ``interactions``, full ML; with REML the log-likelihoods of models with different
        fixed parts are not comparable and the row holds NaN); empty without that model.
    reliability : pandas.DataFrame
        ``quantity, value``: reliability within and between networks (unconditional model),
        share of variance between networks, and the person reliability when given.
    network_eb : pandas.DataFrame
        The unconditional model's network EB estimates: ``network_id, n_persons, mean, se,
        mean_0_10, se_0_10`` (:func:`network_eb_table`).
    fits : dict of str to ModelFit
        The :class:`ModelFit` of each model fitted, in order (``unconditional`` first).
    rescale_low, rescale_high : float
        The logits mapped to 0 and 10 in ``network_eb`` (:func:`inhd.scales.reporting_range`).
    covariates : inhd.covariates.CovariateSpec
        Which covariates, and why (:meth:`~inhd.covariates.CovariateSpec.describe`).
    design : inhd.covariates.Design
        The terms of each model, how they are coded and centred, and what was left out.
    """

    fixed_effects: pd.DataFrame
    variance_components: pd.DataFrame
    reliability: pd.DataFrame
    network_eb: pd.DataFrame
    fits: dict[str, ModelFit] = field(repr=False)
    rescale_low: float = np.nan
    rescale_high: float = np.nan
    covariates: CovariateSpec = field(default_factory=CovariateSpec, repr=False)
    design: Design | None = field(default=None, repr=False)
    interaction_test: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["quantity", "value"]),
                                           repr=False)
    method: str = "ML"

    def summary(self) -> str:
        """The models' coefficients side by side, then their variance components."""
        wide = self.fixed_effects.pivot(index="term", columns="model", values="estimate")
        vc = self.variance_components.pivot(index="component", columns="model", values="variance")
        return "\n".join([self.covariates.describe(),
                          wide.reindex(columns=list(self.fits)).round(3).to_string(),
                          vc.reindex(columns=list(self.fits)).round(3).to_string()])

    def model_terms(self) -> pd.DataFrame:
        """``model, term, column, level, coding, reference, centring``: the terms of each model fitted."""
        terms = self.design.terms.set_index("term")
        rows = [(m, t, *terms.loc[t, ["column", "level", "coding", "reference", "centring"]])
                for m, ts in self.design.models.items() for t in ts]
        if "interactions" in self.fits:
            for t in self.fits["interactions"].params.index[1:]:
                if t in terms.index:
                    rows.append(("interactions", t, *terms.loc[t, ["column", "level", "coding", "reference",
                                                                  "centring"]]))
                else:
                    w, x = t.split(":")
                    rows.append(("interactions", t, f"{terms.loc[w, 'column']}:{terms.loc[x, 'column']}",
                                 "person", "product", "", "product of the two centred columns"))
        return pd.DataFrame(rows, columns=["model", "term", "column", "level", "coding", "reference", "centring"])


def _analysis_data(respondents, networks, measures, spec) -> tuple[pd.DataFrame, Design]:
    """The design of the respondents with a measure (centred once, on them) and their measures."""
    for col in ("measure", "se"):
        if col not in measures.columns:
            raise ValueError(f"measures: column {col!r} missing (pass the Rasch persons table)")
    m = measures.reindex(respondents.index)[["measure", "se"]]
    keep = m["measure"].notna() & m["se"].notna()
    if (~keep).any():
        warnings.warn(f"table4_models: {int((~keep).sum())} respondents without a measure are "
                      "left out", InhdWarning, stacklevel=3)
    design = covariate_design(respondents, networks, spec, rows=keep[keep].index)
    data = design.data.join(m)
    data["error_variance"] = data["se"].astype(float) ** 2
    for note in design.notes:
        warnings.warn(f"table4_models: {note}", InhdWarning, stacklevel=3)
    return data, design


def _fixed_effects_table(fits, *, design: Design, n_networks, alpha) -> pd.DataFrame:
    """``model, term, estimate, se, t_ratio, df, p_value, hedges_g`` of every model (g: the final
    model's effects with p < alpha; the last covariate model's when there is no ``final``)."""
    vc0 = fits["unconditional"].variance_components
    terms = design.terms.set_index("term")
    last = "final" if "final" in fits else [m for m in fits if m != "interactions"][-1]
    rows = []
    for model, fit in fits.items():
        fe = fit.fixed_effects
        q = sum(terms.loc[t, "level"] == "network" for t in fe.index if t in terms.index)
        for term, row in fe.iterrows():
            g = np.nan
            if model == last and model != "unconditional" and term != "Intercept" and row["p_value"] < alpha:
                info = terms.loc[term]
                g = hedges_g(row["estimate"], level=info["level"],
                             value_range=info["value_range"] if info["coding"] == "number" else None,
                             variance_components=vc0, n_networks=n_networks, n_network_predictors=q)
            rows.append((model, term, row["estimate"], row["se"], row["t_ratio"], row["df"], row["p_value"], g))
    return pd.DataFrame(rows, columns=["model", "term", "estimate", "se", "t_ratio", "df", "p_value", "hedges_g"])


def interaction_columns(data: pd.DataFrame) -> pd.DataFrame:
    """The paper's interaction terms (:data:`INTERACTION_TERMS`) from a centred design: each the
    product of a grand-mean-centred network-level column and a group-mean-centred person-level
    one (in HLM, the network-level predictor of that person-level slope); terms whose columns are
    absent are left out."""
    cols = {f"{w}:{x}": data[w].astype(float) * data[x].astype(float)
            for w in INTERACTION_MODERATORS for x in INTERACTION_MEMBERS
            if w in data.columns and x in data.columns}
    return pd.DataFrame(cols, index=data.index)


def _interaction_test(final: ModelFit, full: ModelFit) -> pd.DataFrame:
    """LR test of the interaction terms: 2 (llf_full - llf_final) on as many df as terms added."""
    k = len(full.params) - len(final.params)
    if final.method != "ML":
        lr = p = np.nan
    else:
        lr = max(0.0, 2.0 * (full.llf - final.llf))
        p = float(chi2.sf(lr, k))
    n_sig = int((full.fixed_effects.loc[full.params.index[len(final.params):], "p_value"] < 0.05).sum())
    return pd.DataFrame({"quantity": ["n_interaction_terms", "statistic", "df", "p_value",
                                      "n_significant_at_05"],
                         "value": [float(k), lr, float(k), p, float(n_sig)]})


def table4_models(respondents: pd.DataFrame, networks: pd.DataFrame, *, measures: pd.DataFrame,
                  covariates: CovariateSpec | None = None, rescale_range=None, alpha=0.05,
                  method: str = "ML", test: str = "hlm", interactions: bool | None = None) -> Table4:
    """Fit Table 4's models: unconditional, then the covariate models.

    Parameters
    ----------
    respondents, networks : pandas.DataFrame
        Data-contract tables (:func:`inhd.data.load_survey`). Not modified.
    measures : pandas.DataFrame
        Person measures indexed like ``respondents``: columns ``measure`` and ``se`` (the Rasch
        persons table). The known level-1 variance is ``se**2``. Respondents without a measure are
        left out (and counted in an :class:`~inhd.warnings.InhdWarning`).
    covariates : inhd.covariates.CovariateSpec, optional
        Default :func:`inhd.covariates.choose_covariates` without names: the paper's covariates
        (unconditional, level-2, level-3 and final models) when all nine columns are present,
        else none (the unconditional model only).
    rescale_range : (low, high), optional
        Logits mapped to 0 and 10 for the ``*_0_10`` EB columns (default: the lowest and highest
        person measure analysed, :func:`inhd.scales.reporting_range`).
    alpha : float, default 0.05
        Significance level for which the final model's effects get a Hedges' g (as the paper does).
    method : {"ML", "REML"}, default "ML"
        Full maximum likelihood, as HLM 8's three-level module estimates (the paper ran HLM 8.2.3
        and does not state its method), or REML.
    test : {"hlm", "z"}, default "hlm"
        HLM's t-ratios on its degrees of freedom and chi-square tests of the variance components
        (:mod:`inhd.hlm8`), or z tests.
    interactions : bool, optional
        Fit the ``interactions`` model (the final model plus :data:`INTERACTION_TERMS`); default:
        with the paper's covariates.

    Returns
    -------
    Table4

    Raises
    ------
    ValueError
        ``measures`` lacks ``measure`` or ``se``; a respondent's network is not in ``networks``.

    Notes
    -----
    Hedges' g (:func:`hedges_g`) of a number covariate refers to the difference between its
    minimum and maximum (the paper's note a), of a flag or a dummy to a difference of 1; the
    standardiser is the unconditional model's variance at the covariate's level.
    """
    spec = choose_covariates(respondents, networks) if covariates is None else covariates
    data, design = _analysis_data(respondents, networks, measures, spec)
    fit = lambda d, terms: fit_known_variance_model(d, terms, method=method, test=test)  # noqa: E731
    fits = {model: fit(data, terms) for model, terms in design.models.items()}
    inter_test = pd.DataFrame(columns=["quantity", "value"])
    if (spec.source == "paper" if interactions is None else interactions) and "final" in fits:
        extra = interaction_columns(data)
        if extra.shape[1]:
            fits["interactions"] = fit(data.join(extra), [*design.models["final"], *extra.columns])
            inter_test = _interaction_test(fits["final"], fits["interactions"])
    nid = sorted(set(data["network_id"]))
    fixed = _fixed_effects_table(fits, design=design, n_networks=len(nid), alpha=alpha)
    vc = pd.DataFrame([(m, comp, float(val), *f.variance_tests.loc[comp, ["statistic", "df", "p_value"]],
                        f.method)
                       for m, f in fits.items() for comp, val in f.variance_components.items()],
                      columns=["model", "component", "variance", "statistic", "df", "p_value", "method"])
    unc = fits["unconditional"]
    tau, sigma2 = unc.variance_components["network_id"], unc.variance_components["residual"]
    rel = pd.DataFrame([("reliability_within_networks", unc.reliability["person"]),
                        ("reliability_between_networks", unc.reliability["network_id"]),
                        ("share_between_networks", tau / (tau + sigma2))],
                       columns=["quantity", "value"])
    low, high = (reporting_range(data["measure"]) if rescale_range is None
                 else (float(rescale_range[0]), float(rescale_range[1])))
    return Table4(fixed_effects=fixed, variance_components=vc, reliability=rel,
                  network_eb=network_eb_table(unc, low=low, high=high), fits=fits,
                  rescale_low=low, rescale_high=high, covariates=spec, design=design,
                  interaction_test=inter_test, method=str(method).upper())


def network_eb_table(fit: ModelFit, *, low: float, high: float) -> pd.DataFrame:
    """``network_eb.csv``: ``network_id, n_persons, mean, se, mean_0_10, se_0_10``.

    The EB network means of ``fit`` with their posterior SEs, and both on the 0-10 reporting scale
    whose ends are ``low`` and ``high``: :func:`inhd.estimates.network_estimates`.
    """
    return network_estimates(fit.model, scale=(low, high))


def reliability_table(table4: Table4, *, person_reliability: float | None = None) -> pd.DataFrame:
    """``reliability.csv``: ``quantity, value`` (person reliability first when given)."""
    rows = [] if person_reliability is None else [("person_reliability", person_reliability)]
    out = pd.DataFrame(rows, columns=["quantity", "value"])
    return pd.concat([out, table4.reliability], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Figure 3; writing the contract tables (the published figures beside ours: inhd.benefits_published)
# ---------------------------------------------------------------------------------------------
def figure3_distribution(network_eb: pd.DataFrame, persons: pd.DataFrame, respondents: pd.DataFrame, cuts, *,
                         n_networks: int = 5) -> pd.DataFrame:
    """Figure 3's groups: the respondents of the ``n_networks`` networks with the lowest EB means and
    of the ``n_networks`` with the highest, in the four categories cut at ``cuts``.

    ``persons`` is the Rasch persons table (``measure``, indexed like ``respondents``); the groups
    are named ``"five lowest networks"`` and ``"five highest networks"`` (the number in words up to
    ten). With fewer than ``2 * n_networks`` networks the groups take half the networks each.
    Returns :func:`inhd.scales.four_category_distribution`'s table.
    """
    ranked = network_eb.sort_values("mean")["network_id"].astype(str)
    n = max(1, min(int(n_networks), len(ranked) // 2))
    words = dict(enumerate(["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"], 1))
    word = words.get(n, str(n))
    group_of = pd.Series({**{k: f"{word} lowest networks" for k in ranked.head(n)},
                          **{k: f"{word} highest networks" for k in ranked.tail(n)}})
    who = respondents.loc[persons.index, "network_id"].astype(str).map(group_of)
    chosen = who.notna() & persons["measure"].notna()
    return four_category_distribution(persons.loc[chosen, "measure"], who[chosen], cuts)


#: The exact columns of the contract files (``items.csv``: one row per item per calibration).
CONTRACT_COLUMNS = {
    "items.csv": ITEM_COLUMNS,
    "thresholds.csv": THRESHOLD_COLUMNS,
    "hlm_fixed_effects.csv": ["model", "term", "estimate", "se", "t_ratio", "df", "p_value", "hedges_g"],
    "hlm_variance_components.csv": ["model", "component", "variance", "statistic", "df", "p_value", "method"],
    "model_terms.csv": ["model", "term", "column", "level", "coding", "reference", "centring"],
    "reliability.csv": ["quantity", "value"],
    "network_eb.csv": ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"],
}


def write_tables(output_dir, *, items: pd.DataFrame, thresholds: pd.DataFrame, table4: Table4,
                 reliability: pd.DataFrame) -> list[Path]:
    """Write the notebook contract's CSV files (:data:`CONTRACT_COLUMNS`) to ``output_dir``
    (created if needed), values unrounded.

    Returns the paths written. Raises ``ValueError`` if a frame lacks a contract column.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {"items.csv": items, "thresholds.csv": thresholds, "hlm_fixed_effects.csv": table4.fixed_effects,
              "hlm_variance_components.csv": table4.variance_components, "model_terms.csv": table4.model_terms(),
              "reliability.csv": reliability, "network_eb.csv": table4.network_eb}
    written = []
    for name, frame in frames.items():
        cols = CONTRACT_COLUMNS[name]
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: column(s) {missing} missing")
        path = out / name
        frame[cols].to_csv(path, index=False)
        written.append(path)
    return written
