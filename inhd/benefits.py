"""The analysis steps of Perlman, Bryk & Russell (2025), participatory benefits, as library functions.

The paper builds a Rasch measure of educators' perceived benefits of network participation from
11 candidate survey items (two misfitting items are deleted, leaving nine), then analyses it with a
three-level HLM (a known-variance measurement model at level 1, persons at level 2, networks at
level 3). The notebook ``notebooks/04_participatory_benefits.ipynb`` tells that story; the steps
live here so that they can be tested and re-used on any survey export that follows the data
contract (``inhd.data``). The measure is built with :mod:`inhd.item_selection` (misfitting items
dropped by a documented rule, never by name); then:

- :func:`descriptive_tables`: Tables 1 and 2 (person- and network-level descriptives).
- :func:`design_matrix`: the predictors of Table 4, dummy coded with the paper's reference
  categories, person-level ones group-mean centred, network-level ones grand-mean centred.
- :func:`table4_models`: the unconditional, level-2, level-3 and final models of Table 4, with
  Hedges' g, reliabilities and network empirical-Bayes estimates, as tidy frames.
- :func:`compare_published`: our numbers beside the published ones.
- :func:`write_tables`: the five CSV files of the notebook's contract.

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from inhd import DATA_DIR
from inhd.effects import effect_sizes
from inhd.hlm import fit_known_variance
from inhd.published import NETWORK_PREDICTORS, PERSON_PREDICTORS
from inhd.scales import on_0_10_scale, reporting_range
from inhd.warnings import InhdWarning

__all__ = [
    "descriptive_tables", "design_matrix",
    "PERSON_PREDICTORS", "GENDER_PREDICTORS", "NETWORK_PREDICTORS", "MODEL_TERMS",
    "ModelFit", "Table4", "table4_models", "fit_known_variance_model", "hedges_g",
    "compare_published", "published_descriptive_tables", "published_reliability",
    "published_table4", "figure3_comparison", "table4_side_by_side",
    "plot_caterpillar", "network_eb_table", "reliability_table", "write_tables",
]

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
# Step 3: the design of Table 4
# ---------------------------------------------------------------------------------------------
# PERSON_PREDICTORS (group-mean centred) and NETWORK_PREDICTORS (grand-mean centred over networks)
# are Table 4's, from inhd.published.
#: Gender dummies (level-2 model only; reference: woman).
GENDER_PREDICTORS = ["gender_man", "gender_additional", "gender_undisclosed"]
#: The predictors of each of Table 4's models.
MODEL_TERMS = {
    "unconditional": [],
    "level2": PERSON_PREDICTORS + GENDER_PREDICTORS,
    "level3": NETWORK_PREDICTORS,
    "final": PERSON_PREDICTORS + NETWORK_PREDICTORS,
}
_REFERENCES = {"race": "white", "gender": "woman", "archetype": "instructional", "hub_type": "ta"}
_RANGE_TERMS = {"tenure_years", "intensity", "duration_years"}   # continuous: ES over min..max


def _dummies(values: pd.Series, prefix: str, categories) -> pd.DataFrame:
    return pd.DataFrame({f"{prefix}_{c}": (values == c).astype(float).to_numpy()
                         for c in categories}, index=values.index)


def design_matrix(respondents: pd.DataFrame, networks: pd.DataFrame) -> pd.DataFrame:
    """Centred, dummy-coded predictors of Table 4, one row per respondent.

    Person-level predictors (team lead, tenure, intensity, race and gender dummies) are
    group-mean centred on the respondent's network; network-level predictors (single district,
    duration since launch, archetype and hub dummies) are grand-mean centred over networks, each
    network counted once (HLM's grand mean at level 3). References: race white, gender woman,
    archetype instructional, hub technical-assistance organisation (Perlman, Bryk & Russell 2025,
    Table 4). Index: that of ``respondents``; columns: ``network_id`` then
    :data:`PERSON_PREDICTORS`, :data:`GENDER_PREDICTORS`, :data:`NETWORK_PREDICTORS`.

    Raises
    ------
    ValueError
        A respondent's network is missing from ``networks``.
    """
    r = respondents
    nets = networks.set_index(networks["network_id"].astype(str))
    nid = r["network_id"].astype(str)
    unknown = sorted(set(nid) - set(nets.index))
    if unknown:
        raise ValueError(f"respondents: network_id {unknown[:5]} not in the networks table")
    nets = nets.loc[sorted(set(nid))]               # networks with respondents (HLM's level 3)
    person = pd.concat([
        pd.DataFrame({"team_lead": r["team_lead"].astype(float).to_numpy(),
                      "tenure_years": r["tenure_years"].astype(float).to_numpy(),
                      "intensity": r["intensity"].astype(float).to_numpy()}, index=r.index),
        _dummies(r["race"], "race", [c for c in _RACE_LABELS if c != "white"]),
        _dummies(r["gender"], "gender", [c for c in _GENDER_LABELS if c != "woman"]),
    ], axis=1)
    person = person - person.groupby(nid.to_numpy()).transform("mean")
    net = pd.concat([
        pd.DataFrame({"single_district": nets["single_district"].astype(float),
                      "duration_years": nets["duration_years"].astype(float)}),
        _dummies(nets["archetype"], "archetype", ["ewr", "psm"]),
        _dummies(nets["hub_type"], "hub", ["ihe", "district", "other"]),
    ], axis=1)
    net = (net - net.mean()).loc[nid.to_numpy()].set_axis(r.index)
    out = pd.concat([person, net], axis=1)[PERSON_PREDICTORS + GENDER_PREDICTORS
                                           + NETWORK_PREDICTORS]
    out.insert(0, "network_id", nid.to_numpy())
    return out


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
        Indexed by term: ``estimate, se, statistic, df, p_value``: the t ratio referred to a t
        distribution with HLM's degrees of freedom (networks - network-level predictors - 1 for
        the intercept and the predictors constant within networks, persons - networks -
        person-level predictors for the others), as the paper's stars.
    variance_components : pandas.Series
        ``network_id`` (r00, between networks) and ``residual`` (e0, persons within networks
        beyond their known measurement error), in logits squared.
    networks : pandas.DataFrame
        Indexed by ``network_id``: ``n_persons``, the EB network ``mean`` (intercept + u_k), its
        ``deviation`` u_k and ``se``, the posterior SE of u_k (``metafor::ranef``'s, accounting for
        the estimation of the fixed effects; the bars of a caterpillar plot), in logits.
    reliability : pandas.Series
        ``person`` (mean of e0 / (e0 + v_i)) and ``network_id`` (mean over networks of
        r00 / (r00 + error variance of the network mean)).
    converged : bool
    llf : float
        The maximised REML log-likelihood (metafor's ``logLik``).
    """

    params: pd.Series
    bse: pd.Series
    fixed_effects: pd.DataFrame
    variance_components: pd.Series
    networks: pd.DataFrame
    reliability: pd.Series
    converged: bool
    llf: float

    def summary(self) -> str:
        """Fixed effects, variance components and reliabilities, as plain text."""
        return "\n".join([
            f"Known-variance model of {len(self.networks)} networks (REML, HLM's df); "
            f"converged {self.converged}, llf {self.llf:.4f}",
            self.fixed_effects.round(4).to_string(), "variance components: " + ", ".join(
                f"{k} {v:.4f}" for k, v in self.variance_components.items()),
            "reliability: " + ", ".join(f"{k} {v:.3f}" for k, v in self.reliability.items())])


def fit_known_variance_model(data: pd.DataFrame, terms, *, outcome="measure",
                             known_variance="error_variance", group="network_id") -> ModelFit:
    """Fit one known-variance persons-in-networks model (a Table 4 column).

    The model is :math:`y_i = x_i'\\beta + u_{k} + e_i + \\epsilon_i`, :math:`\\epsilon_i \\sim
    N(0, v_i)` with :math:`v_i` the squared Rasch SE (HLM's level-1 measurement model),
    :math:`e_i \\sim N(0, \\sigma^2)` (e0), :math:`u_k \\sim N(0, \\tau)` (r00); REML. In R:
    ``metafor::rma.mv(measure, error_variance, mods = ~ terms, random = ~ 1 | network_id/
    respondent_id, method = "REML")``.

    Parameters
    ----------
    data : pandas.DataFrame
        ``outcome``, ``known_variance``, ``group`` and the columns in ``terms`` (already centred).
    terms : list of str
        Predictor columns; an intercept is always included (named ``Intercept``).

    The fit is :func:`inhd.hlm.fit_known_variance` (checked against metafor); this function adds
    HLM's degrees of freedom for the p-values and the EB network means.

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
    return _fit_with_hlm(d, terms, outcome, known_variance, group)


def _hlm_df(d, terms, codes, k) -> np.ndarray:
    """HLM's degrees of freedom per coefficient (Raudenbush & Bryk 2002, ch. 3 and 8): the
    intercept and predictors constant within every network are tested against the networks
    (K - q_network - 1), the others against the persons (N - K - q_person)."""
    X_df = d[terms].astype(float)
    between = (X_df.groupby(codes).nunique().le(1).all().to_numpy() if terms
               else np.array([], bool))
    q_net, q_person = int(between.sum()), int((~between).sum())
    df = np.where(np.r_[True, between], k - q_net - 1, len(d) - k - q_person).astype(float)
    if (df < 1).any():
        raise ValueError(f"too few networks ({k}) for {q_net} network-level predictors")
    return df


def _fit_with_hlm(d, terms, outcome, known_variance, group) -> ModelFit:
    """Fit with inhd.hlm.fit_known_variance and bring its result into a ModelFit."""
    formula = f"{outcome} ~ " + (" + ".join(terms) if terms else "1")
    res = fit_known_variance(d, formula, known_variance=known_variance, groups=[group],
                             method="REML")
    vc = res.variance_components
    codes, groups = pd.factorize(d[group], sort=True)
    re = res.random_effects[group].reindex(groups)
    names = ["Intercept", *terms]
    params, bse = res.params.reindex(names).astype(float), res.bse.reindex(names).astype(float)
    df = _hlm_df(d, terms, codes, len(groups))           # HLM's t tests, as the paper's stars
    statistic = (params / bse).to_numpy()
    fixed = pd.DataFrame({"estimate": params, "se": bse, "statistic": statistic, "df": df,
                          "p_value": 2 * stats.t.sf(np.abs(statistic), df)},
                         index=pd.Index(names, name="term"))
    u = re["deviation"].to_numpy(float)
    networks = pd.DataFrame({"n_persons": re["n_persons"].to_numpy().astype(int),
                             "mean": float(params["Intercept"]) + u, "deviation": u,
                             "se": re["se"].to_numpy(float)},
                            index=pd.Index(groups.astype(str), name="network_id"))
    return ModelFit(
        params=params, bse=bse, fixed_effects=fixed,
        variance_components=pd.Series({"network_id": float(vc[group]),
                                       "residual": float(vc["residual"])}),
        networks=networks,
        reliability=pd.Series({"person": float(res.reliability["person"]),
                               "network_id": float(res.reliability[group])}),
        converged=bool(res.converged), llf=float(res.llf))


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
    """Table 4's four models.

    Attributes
    ----------
    fixed_effects : pandas.DataFrame
        ``model, term, estimate, se, p_value, hedges_g`` (``hedges_g`` for the final model's
        significant effects at p < .05, NaN elsewhere, as the paper prints it).
    variance_components : pandas.DataFrame
        ``model, component, variance`` with components ``network_id`` (r00, between networks) and
        ``residual`` (e0, persons within networks).
    reliability : pandas.DataFrame
        ``quantity, value``: reliability within and between networks (unconditional model),
        share of variance between networks, and the person reliability when given.
    network_eb : pandas.DataFrame
        The unconditional model's network EB estimates: ``network_id, n_persons, mean, se,
        mean_0_10, se_0_10`` (:func:`network_eb_table`).
    fits : dict of str to ModelFit
        The :class:`ModelFit` of each model.
    rescale_low, rescale_high : float
        The logits mapped to 0 and 10 in ``network_eb`` (:func:`inhd.scales.reporting_range`).
    """

    fixed_effects: pd.DataFrame
    variance_components: pd.DataFrame
    reliability: pd.DataFrame
    network_eb: pd.DataFrame
    fits: dict[str, ModelFit] = field(repr=False)
    rescale_low: float = np.nan
    rescale_high: float = np.nan

    def summary(self) -> str:
        """The four models' coefficients side by side, then their variance components."""
        wide = self.fixed_effects.pivot(index="term", columns="model", values="estimate")
        vc = self.variance_components.pivot(index="component", columns="model", values="variance")
        return "\n".join([wide.reindex(columns=list(MODEL_TERMS)).round(3).to_string(),
                          vc.reindex(columns=list(MODEL_TERMS)).round(3).to_string()])


def _analysis_data(respondents, networks, measures) -> tuple[pd.DataFrame, list[str]]:
    """The centred design of the respondents with a measure, and the predictors that do not vary."""
    for col in ("measure", "se"):
        if col not in measures.columns:
            raise ValueError(f"measures: column {col!r} missing (pass the Rasch persons table)")
    design = design_matrix(respondents, networks)
    data = design.join(measures[["measure", "se"]], how="left")
    keep = data["measure"].notna() & data["se"].notna()
    if (~keep).any():
        warnings.warn(f"table4_models: {int((~keep).sum())} respondents without a measure are "
                      "left out", InhdWarning, stacklevel=3)
    data = data[keep].copy()
    data["error_variance"] = data["se"].astype(float) ** 2
    # the design was centred on all respondents; re-centre on those analysed
    nid = data["network_id"].to_numpy()
    pcols = PERSON_PREDICTORS + GENDER_PREDICTORS
    data[pcols] = data[pcols] - data[pcols].groupby(nid).transform("mean")
    # a category absent from the data (or a predictor that never varies) leaves a column of zeros
    # after centring: it is not estimable, so it is left out of every model, with a warning
    constant = [c for c in MODEL_TERMS["level2"] + NETWORK_PREDICTORS
                if np.allclose(data[c].to_numpy(float), 0.0)]
    if constant:
        warnings.warn(f"table4_models: predictor(s) {constant} do not vary in these data (a "
                      "category nobody is in, or a variable with one value) and are left out",
                      InhdWarning, stacklevel=3)
    return data, constant


def _fixed_effects_table(fits, *, ranges, n_networks, alpha) -> pd.DataFrame:
    """``model, term, estimate, se, p_value, hedges_g`` of every model (g: final model, p < alpha)."""
    vc0 = fits["unconditional"].variance_components
    rows = []
    for model, fit in fits.items():
        fe = fit.fixed_effects
        q = sum(t in NETWORK_PREDICTORS for t in fe.index)
        for term, row in fe.iterrows():
            g = np.nan
            if model == "final" and term != "Intercept" and row["p_value"] < alpha:
                g = hedges_g(row["estimate"],
                             level="network" if term in NETWORK_PREDICTORS else "person",
                             value_range=ranges.get(term) if term in _RANGE_TERMS else None,
                             variance_components=vc0, n_networks=n_networks,
                             n_network_predictors=q)
            rows.append((model, term, row["estimate"], row["se"], row["p_value"], g))
    return pd.DataFrame(rows, columns=["model", "term", "estimate", "se", "p_value", "hedges_g"])


def table4_models(respondents: pd.DataFrame, networks: pd.DataFrame, *, measures: pd.DataFrame,
                  rescale_range=None, alpha=0.05) -> Table4:
    """Fit Table 4's unconditional, level-2, level-3 and final models.

    Parameters
    ----------
    respondents, networks : pandas.DataFrame
        Data-contract tables. Not modified.
    measures : pandas.DataFrame
        Person measures indexed like ``respondents``: columns ``measure`` and ``se`` (the Rasch
        persons table). The known level-1 variance is ``se**2``. Respondents without a measure are
        left out (and counted in an :class:`~inhd.warnings.InhdWarning`).
    rescale_range : (low, high), optional
        Logits mapped to 0 and 10 for the ``*_0_10`` EB columns (default: the lowest and highest
        person measure analysed, :func:`inhd.scales.reporting_range`).
    alpha : float, default 0.05
        Significance level for which final-model effects get a Hedges' g (as the paper does).

    Returns
    -------
    Table4

    Raises
    ------
    ValueError
        ``measures`` lacks ``measure`` or ``se``; a respondent's network is not in ``networks``.
    """
    data, constant = _analysis_data(respondents, networks, measures)
    fits = {model: fit_known_variance_model(data, [t for t in terms if t not in constant])
            for model, terms in MODEL_TERMS.items()}
    nid = sorted(set(data["network_id"]))
    r = respondents.loc[data.index]
    duration = networks.set_index(networks["network_id"].astype(str)).loc[nid, "duration_years"]
    ranges = {"tenure_years": float(r["tenure_years"].max() - r["tenure_years"].min()),
              "intensity": float(r["intensity"].max() - r["intensity"].min()),
              "duration_years": float(duration.max() - duration.min())}
    fixed = _fixed_effects_table(fits, ranges=ranges, n_networks=len(nid), alpha=alpha)
    vc = pd.DataFrame([(m, comp, float(val)) for m, f in fits.items()
                       for comp, val in f.variance_components.items()],
                      columns=["model", "component", "variance"])
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
                  rescale_low=low, rescale_high=high)


def network_eb_table(fit: ModelFit, *, low: float, high: float) -> pd.DataFrame:
    """``network_eb.csv``: ``network_id, n_persons, mean, se, mean_0_10, se_0_10``.

    The EB network means of ``fit`` with their posterior SEs, and both on the 0-10 reporting scale
    whose ends are ``low`` and ``high`` (:func:`inhd.scales.on_0_10_scale`).
    """
    out = fit.networks.reset_index()[["network_id", "n_persons", "mean", "se"]]
    return on_0_10_scale(out, low=low, high=high)


def reliability_table(table4: Table4, *, person_reliability: float | None = None) -> pd.DataFrame:
    """``reliability.csv``: ``quantity, value`` (person reliability first when given)."""
    rows = [] if person_reliability is None else [("person_reliability", person_reliability)]
    out = pd.DataFrame(rows, columns=["quantity", "value"])
    return pd.concat([out, table4.reliability], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Published vs ours; writing the contract tables
# ---------------------------------------------------------------------------------------------
def compare_published(ours: pd.DataFrame, published: pd.DataFrame, *, on, values) -> pd.DataFrame:
    """Our numbers beside the published ones.

    Parameters
    ----------
    ours, published : pandas.DataFrame
        Tidy frames sharing the key column(s) ``on`` and the value columns ``values``.
    on : str or list of str
    values : str or list of str

    Returns
    -------
    pandas.DataFrame
        The keys, then for each value column ``<value>_published`` and ``<value>_ours``, in the
        published table's row order; rows only one side has show NaN on the other (an outer join).
    """
    on = [on] if isinstance(on, str) else list(on)
    values = [values] if isinstance(values, str) else list(values)
    for name, frame in (("ours", ours), ("published", published)):
        missing = [c for c in on + values if c not in frame.columns]
        if missing:
            raise ValueError(f"{name}: column(s) {missing} missing")
    a = published[on + values].rename(columns={v: f"{v}_published" for v in values})
    b = ours[on + values].rename(columns={v: f"{v}_ours" for v in values})
    out = a.merge(b, on=on, how="outer", sort=False)
    return out[on + [f"{v}_{side}" for v in values for side in ("published", "ours")]]


def published_descriptive_tables(directory=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Tables 1 and 2 as printed (``data/published/participatory_benefits_table{1,2}.csv``), in
    :func:`descriptive_tables`' shape: the count column is ``n_persons`` (Table 1) and
    ``n_networks`` (Table 2). Table 1 includes the outcome row (group ``outcome``)."""
    folder = Path(directory) if directory is not None else Path(DATA_DIR) / "published"
    return tuple(pd.read_csv(folder / f"participatory_benefits_table{k}.csv")
                 .rename(columns={"n": _COUNT[k]}) for k in (1, 2))


def published_reliability(path=None) -> pd.DataFrame:
    """The reliabilities the paper reports in its text
    (``data/published/participatory_benefits_reliability.csv``), in :func:`reliability_table`'s
    shape: ``quantity, value``."""
    path = Path(DATA_DIR) / "published" / "participatory_benefits_reliability.csv" \
        if path is None else path
    return pd.read_csv(path).rename(columns={"statistic": "quantity"})


def published_table4(path=None):
    """Table 4 as printed (``data/published/participatory_benefits_table4.csv``), in the contract's
    shape: ``(fixed_effects, variance_components)`` with columns ``model, term, estimate, se,
    significance, hedges_g`` (term ``Intercept`` for the intercept) and ``model, component,
    variance`` (components ``residual`` = e0, ``network_id`` = r00)."""
    path = DATA_DIR / "published" / "participatory_benefits_table4.csv" if path is None else path
    t = pd.read_csv(path)
    t["term"] = t["term"].astype(str).replace({"intercept": "Intercept"})
    var = t["term"].isin(["var_within", "var_between"])
    fixed = t[~var][["model", "term", "variable", "estimate", "se", "significance", "hedges_g"]]
    vc = t[var].assign(component=t.loc[var, "term"].map({"var_within": "residual",
                                                         "var_between": "network_id"}))
    vc = vc.rename(columns={"estimate": "variance"})[["model", "component", "variance"]]
    return fixed.reset_index(drop=True), vc.reset_index(drop=True)


def _stars(p):
    return "" if not np.isfinite(p) else "***" if p < .001 else "**" if p < .01 else "*" if p < .05 else ""


def table4_side_by_side(fixed_effects: pd.DataFrame, published: pd.DataFrame | None = None):
    """Table 4 laid out as printed, ours beside the published: one row per term, for each model a
    ``published`` and an ``ours`` column holding ``"estimate (se)stars"``, then Hedges' g both ways.

    ``published`` defaults to :func:`published_table4`'s fixed effects.
    """
    pub = published_table4()[0] if published is None else published
    def cell(frame, stars):
        return frame.apply(lambda r: f"{r['estimate']:.2f} ({r['se']:.2f}){stars(r)}", axis=1)
    ours = fixed_effects.assign(text=cell(fixed_effects, lambda r: _stars(r["p_value"])))
    pubs = pub.assign(text=cell(pub, lambda r: "" if pd.isna(r["significance"])
                                else str(r["significance"])))
    order = list(dict.fromkeys(["Intercept", *PERSON_PREDICTORS, *GENDER_PREDICTORS,
                                *NETWORK_PREDICTORS, *fixed_effects["term"], *pub["term"]]))
    cols = {}
    for model in MODEL_TERMS:
        cols[(model, "published")] = pubs[pubs["model"] == model].set_index("term")["text"]
        cols[(model, "ours")] = ours[ours["model"] == model].set_index("term")["text"]
    cols[("hedges_g", "published")] = pub[pub["model"] == "final"].set_index("term")["hedges_g"]
    cols[("hedges_g", "ours")] = fixed_effects[fixed_effects["model"] == "final"].set_index(
        "term")["hedges_g"].round(2)
    out = pd.DataFrame(cols).reindex(order)
    out.columns = pd.MultiIndex.from_tuples(out.columns)
    return out.astype(object).where(out.notna(), "")


def plot_caterpillar(network_eb: pd.DataFrame, *, ax=None):
    """Caterpillar plot of network EB estimates on the 0-10 scale, sorted, with +-2 SE bars
    (Perlman, Bryk & Russell 2025, Figure 2).

    ``network_eb`` is :attr:`Table4.network_eb` (columns ``network_id, mean_0_10, se_0_10``).
    Returns the Axes.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    d = network_eb.sort_values("mean_0_10").reset_index(drop=True)
    x = np.arange(len(d))
    ax.errorbar(x, d["mean_0_10"], yerr=2 * d["se_0_10"], fmt="o", ms=4, color="C0",
                ecolor="0.5", capsize=2)
    ax.set_xticks(x, d["network_id"].astype(str), rotation=90, fontsize=7)
    ax.set_ylim(0, 10)
    ax.set_ylabel("benefits (0-10 scale)")
    ax.set_xlabel("network (sorted by EB estimate)")
    ax.set_title("Network EB estimates, +-2 SE")
    return ax


def figure3_comparison(distribution: pd.DataFrame, published: pd.DataFrame | None = None,
                       *, tolerance: float = 0.10) -> pd.DataFrame:
    """The paper's statements about Figure 3 checked against our four-category distribution.

    Parameters
    ----------
    distribution : pandas.DataFrame
        :func:`inhd.scales.four_category_distribution` output with groups named ``"five lowest
        networks"`` and ``"five highest networks"``.
    published : pandas.DataFrame, optional
        ``group, categories, comparison, share, quote`` (default:
        ``data/published/participatory_benefits_figure3.csv``, transcribed from the text);
        ``categories`` joins category names with ``|``; ``comparison`` is ``<``, ``>``, ``~``
        (within ``tolerance``) or ``mode`` (the categories hold the group's modal category).

    Returns
    -------
    pandas.DataFrame
        ``group, categories, comparison, share, ours, holds, quote``.
    """
    if published is None:
        published = pd.read_csv(DATA_DIR / "published" / "participatory_benefits_figure3.csv")
    wide = distribution.pivot(index="group", columns="category", values="proportion")
    rows = []
    for _, p in published.iterrows():
        cats = str(p["categories"]).split("|")
        if p["group"] not in wide.index:
            ours, holds = np.nan, False
        elif p["comparison"] == "mode":
            ours = float(wide.loc[p["group"], cats].sum())
            holds = str(wide.loc[p["group"]].astype(float).idxmax()) in cats
        else:
            ours = float(wide.loc[p["group"], cats].sum())
            share = float(p["share"])
            holds = {"<": ours < share, ">": ours > share,
                     "~": abs(ours - share) <= tolerance}[p["comparison"]]
        rows.append((p["group"], p["categories"], p["comparison"], p["share"], ours, bool(holds),
                     p["quote"]))
    return pd.DataFrame(rows, columns=["group", "categories", "comparison", "share", "ours",
                                       "holds", "quote"])


#: The exact columns of the five contract files.
CONTRACT_COLUMNS = {
    "items.csv": ["item", "difficulty", "se", "infit", "outfit", "retained"],
    "hlm_fixed_effects.csv": ["model", "term", "estimate", "se", "p_value", "hedges_g"],
    "hlm_variance_components.csv": ["model", "component", "variance"],
    "reliability.csv": ["quantity", "value"],
    "network_eb.csv": ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"],
}


def write_tables(output_dir, *, items: pd.DataFrame, table4: Table4,
                 reliability: pd.DataFrame) -> list[Path]:
    """Write the notebook contract's five CSV files to ``output_dir`` (created if needed).

    Returns the paths written. Raises ``ValueError`` if a frame lacks a contract column.
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    frames = {"items.csv": items, "hlm_fixed_effects.csv": table4.fixed_effects,
              "hlm_variance_components.csv": table4.variance_components,
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
