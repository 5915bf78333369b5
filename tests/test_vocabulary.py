"""One vocabulary for every public output, as written in ``inhd/__init__``'s docstring (issue 10).

The rules, checked on the tables and result objects the package computes (and, in
``test_notebooks.py``, on every CSV a notebook writes):

- statistics are ``estimate, se, ci_low, ci_high, statistic, p_value`` (``df`` beside a t
  statistic), numeric, p-values in [0, 1]; never ``z``, ``tvalues``, ``pvalues`` and the like;
- counts are ``n_<unit>`` (``n_persons``, ``n_items``, ``n_networks``, ...) holding whole numbers;
  never a bare ``n`` or ``count``;
- variance components are named by grouping level plus ``residual``: the ``component`` of a long
  table (beside ``variance``), the suffix of a wide ``variance_<component>`` column, the index of a
  ``variance_components`` Series; never ``tau``/``sigma2``/``between``/``within`` names;
- a network table with a standard error says whether it holds the network's ``mean`` or its
  ``deviation`` (never a bare ``estimate``); 0-10 columns end in ``_0_10`` (never ``rescaled``);
- the maximised log-likelihood is ``llf``.

Out of scope: loaders that return a shipped file as it is stored (the published tables, the
SYNTHETIC files, whose names are frozen by byte-identical regeneration).

Also checked on every public result class of the package: a ``summary()`` method and typed fields
(no ``object``).
"""

import dataclasses
import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import inhd
from inhd import (benefits, benefits_published, equity, framework, hub, item_selection, privacy, report, reliability,
                  scales, survey_measures, synth, teaching, validation, validity, variation)
from inhd.covariates import describe_covariates
from inhd.data import load_survey, validate
from inhd.estimates import network_estimates
from inhd.item_review import item_table, review_items, threshold_table
from inhd.published import beside_published
from inhd.effects import effect_sizes
from inhd.rasch import fit_rating_scale

BANNED = {
    "n", "count", "counts", "tau", "sigma2", "u", "u_se", "z", "t", "p", "pvalue", "pvalues",
    "p_val", "tvalue", "tvalues", "zvalues", "loglik", "log_lik", "loglikelihood",
    "threshold_se", "lower", "upper", "ci_lower", "ci_upper", "std_err", "stderr", "std_error",
    "rescaled", "rescaled_se", "between_estimate", "intercept_se", "eb", "pct_n",
}
BANNED_PATTERNS = [r"^tau($|_)", r"^sigma2", r"rescaled", r"^(between|within)($|_(network|school|person))"]
#: Suffixes that qualify a vocabulary name (ours beside the published, before and after).
QUALIFIERS = re.compile(r"_(published|ours|all|final)$")
NUMERIC = {"estimate", "se", "ci_low", "ci_high", "statistic", "p_value", "variance", "df", "llf",
           "mean", "deviation"}
COMPONENT = re.compile(r"^(residual|\w+_id|\w+_id:\w+|cov\(\w+_id, \w+_id:\w+\))$")
COUNT = re.compile(r"^n_[a-z]+(_[a-z0-9]+)*$")


def vocabulary_problems(frame: pd.DataFrame, where: str) -> list[str]:
    """Every way ``frame``'s columns break the vocabulary, each naming ``where``."""
    problems = []
    if list(frame.index) == list(frame.columns):       # a covariance matrix, labelled by terms
        return problems
    columns = [c for c in frame.columns if isinstance(c, str)]
    names = columns + [n for n in frame.index.names if isinstance(n, str)]
    for c in names:
        if c in BANNED or any(re.search(p, c) for p in BANNED_PATTERNS):
            problems.append(f"{where}: column {c!r} is not in the vocabulary")
    for c in columns:
        values = frame[c]
        numeric_name = c in NUMERIC or c.endswith(("_se", "_p_value", "_0_10")) or COUNT.match(c)
        if numeric_name and not values.isna().all() and not pd.api.types.is_numeric_dtype(values):
            problems.append(f"{where}: column {c!r} should be numeric, is {values.dtype}")
            continue
        present = pd.to_numeric(values, errors="coerce").dropna() if numeric_name else None
        if COUNT.match(c) and present is not None and len(present):
            if not (np.all(np.mod(present, 1) == 0) and (present >= 0).all()):
                problems.append(f"{where}: count {c!r} holds values that are not whole numbers")
        if (c == "p_value" or c.endswith("_p_value")) and present is not None and len(present):
            if not present.between(0, 1).all():
                problems.append(f"{where}: {c!r} outside [0, 1]")
        if c.startswith("variance_") and not QUALIFIERS.search(c) \
                and not COMPONENT.match(c[len("variance_"):]):
            problems.append(f"{where}: {c!r} does not name a grouping level or residual")
    if "component" in columns:
        if not any(QUALIFIERS.sub("", c) == "variance" for c in columns):
            problems.append(f"{where}: a component column without a variance column")
        bad = sorted({v for v in frame["component"].astype(str) if not COMPONENT.match(v)})
        if bad:
            problems.append(f"{where}: components {bad} are not grouping levels or residual")
    if "network_id" in names and "se" in columns and "respondent_id" not in names:
        if not {"mean", "deviation"} & set(columns) or "estimate" in columns:
            problems.append(f"{where}: a network table with an SE must say whether it holds the "
                            f"network's 'mean' or its 'deviation' (no bare 'estimate'); it has "
                            f"{columns}")
    return problems


def result_problems(obj, where: str, seen=None) -> list[str]:
    """:func:`vocabulary_problems` of every table in a result object, its field names and its
    variance components, walking into nested results and dicts of them."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return []
    seen.add(id(obj))
    if isinstance(obj, pd.DataFrame):
        return vocabulary_problems(obj, where)
    if isinstance(obj, dict):
        return [p for k, v in obj.items() for p in result_problems(v, f"{where}[{k!r}]", seen)]
    if not dataclasses.is_dataclass(obj):
        return []
    problems = []
    for f in dataclasses.fields(obj):
        if f.name in BANNED or any(re.search(p, f.name) for p in BANNED_PATTERNS):
            problems.append(f"{where}.{f.name}: field name is not in the vocabulary")
        value = getattr(obj, f.name)
        if f.name == "variance_components" and isinstance(value, pd.Series):
            bad = [k for k in value.index if not COMPONENT.match(str(k))]
            if bad:
                problems.append(f"{where}.variance_components: {bad} are not grouping levels")
        problems += result_problems(value, f"{where}.{f.name}", seen)
    return problems


# ------------------------------------------------------------------------------------------------
# the outputs
# ------------------------------------------------------------------------------------------------
PB_RESP = inhd.DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv"
PB_NETS = inhd.DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv"


@pytest.fixture(scope="module")
def pb_survey():
    return load_survey(PB_RESP, PB_NETS)


@pytest.fixture(scope="module")
def nh_calibration():
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    return survey_measures.calibrate_measures(respondents, measures=["data_use"]), respondents


def _benefits_outputs(pb_survey):
    r, nets = pb_survey.respondents, pb_survey.networks
    selection = item_selection.select_items_by_fit(r[[c for c in r.columns if c.startswith("pb_")]])
    t4 = benefits.table4_models(r, nets, measures=selection.final.persons)
    t1, t2 = benefits.descriptive_tables(r, nets, measure=selection.final.persons["measure"])
    pub1, pub2 = benefits_published.published_descriptive_tables()
    fixed, vc = benefits_published.published_table4()
    dist = scales.four_category_distribution(
        selection.final.persons["measure"], r["network_id"].isin(["PB01", "PB02"]).map(
            {True: "five lowest networks", False: "five highest networks"}),
        scales.four_category_cuts(selection.final.thresholds))
    return {
        "item_selection.ItemSelection": selection,
        "item_selection.ItemSelection.fit_table()": selection.fit_table(),
        "benefits.Table4": t4,
        "benefits.reliability_table": benefits.reliability_table(t4, person_reliability=0.9),
        "benefits.descriptive_tables[0]": t1, "benefits.descriptive_tables[1]": t2,
        "benefits.published_descriptive_tables[0]": pub1,
        "benefits.published_descriptive_tables[1]": pub2,
        "benefits.published_reliability": benefits_published.published_reliability(),
        "benefits.published_table4[0]": fixed, "benefits.published_table4[1]": vc,
        "published.beside_published": beside_published(
            t4.variance_components, vc, on=["model", "component"], values="variance"),
        "benefits.Table4.model_terms()": t4.model_terms(),
        "benefits.agreement_with_published": benefits_published.agreement_with_published(t4.fixed_effects, fixed),
        "covariates.Design.terms": t4.design.terms,
        "covariates.describe_covariates": describe_covariates(r, nets, t4.covariates),
        "item_review.ItemReview": review_items(selection.initial, r, scale=(1, 5)),
        "item_review.item_table": item_table({"initial": selection.initial, "final": selection.final}),
        "item_review.threshold_table": threshold_table({"initial": selection.initial, "final": selection.final}),
        "scales.four_category_distribution": dist,
        "benefits.figure3_comparison": benefits_published.figure3_comparison(dist),
        "report.Calibration": (cal := report.calibrate(r, items=report.default_items(r))),
        "report.network_table": report.network_table(cal),
        "report.category_distribution": report.category_distribution(cal, "PB01"),
        "report.item_profile": report.item_profile(cal, "PB01"),
        "report.wave_trend": report.wave_trend(cal, "PB01"),
        "report.NetworkSummary": report.network_summary(cal, "PB01"),
        "privacy.group_counts": privacy.group_counts(r, ["network_id", "gender"]),
    }


def _network_health_outputs(nh_calibration):
    cals, respondents = nh_calibration
    fit = validity.measure_reliability(cals["data_use"], wave=2021, test_components=False)
    rel = validity.reliability_table(cals, names={"data_use": "Use of data and analytics"},
                                     test_components=False)
    growth = validity.fit_growth(cals["data_use"])
    profiles = variation.network_profiles(respondents, measures=["data_use"], calibrations=cals)
    clusters = variation.identify_clusters(profiles)
    nets = pd.read_csv(inhd.DATA_DIR / "network_health_networks_SYNTHETIC.csv")
    return {
        "survey_measures.MeasureCalibration": cals["data_use"],
        "validity.MeasureReliability": fit, "validity.ReliabilityTable": rel,
        "estimates.network_estimates": network_estimates(fit.model, scale=(-5.0, 5.0)),
        "validity.reliability_beside_published": validity.reliability_beside_published(
            rel.table, validity.load_published_reliabilities()),
        "validity.growth_table": validity.growth_table(growth),
        "validity.GrowthResult": growth,
        "variation.NetworkProfiles": profiles, "variation.NetworkProfiles.long()": profiles.long(),
        "variation.Clusters": clusters,
        "variation.cluster_characteristics": variation.cluster_characteristics(clusters, nets),
        "variation.structural_summary": variation.structural_summary(
            variation.load_structural_table()),
        "reliability.reliability_from_components": reliability.reliability_from_components(
            cals["data_use"].persons, variance_components=fit.variance_components).to_frame().T,
    }


def _other_outputs():
    coding = equity.load_equity_coding()
    survey = pd.read_csv(inhd.DATA_DIR / "hub_leadership_SYNTHETIC.csv")
    roles = hub.ostensive_role(survey)
    enacted = hub.enacted_roles(survey, rng=1, k_range=range(2, 4), n_init=2)
    lfs = fit_rating_scale(teaching.load_liking_for_science())
    return {
        "equity.EquityShares": equity.coverage_shares(coding),
        "equity.dimension_coverage": equity.dimension_coverage(coding),
        "equity.yearly_coverage": equity.yearly_coverage(coding),
        "hub.EnactedRoles": enacted,
        "hub.role_crosstab": hub.role_crosstab(roles, enacted.labels),
        "hub.team_composition": hub.team_composition(survey, roles),
        "framework.measures_by_domain": framework.measures_by_domain(),
        "teaching.reliability_by_design": teaching.reliability_by_design(
            n_items=[4], n_persons=[100], rng=1),
        "teaching.network_reliability_by_design": teaching.network_reliability_by_design(
            n_networks=[10], n_persons_per_network=[5], rng=1),
        "teaching.simulate_networks": teaching.simulate_networks(
            n_networks=3, n_persons_per_network=2, variance_network_id=0.5, variance_residual=1.0,
            error_variance=0.2, rng=1),
        "rasch.RatingScaleResult": lfs,
        "validation.winsteps_comparison": validation.winsteps_comparison(),
        "effects.effect_sizes": effect_sizes(pd.Series({"a": 0.3}), sd=1.0, df=30),
        "scales.on_0_10_scale": scales.on_0_10_scale(
            pd.DataFrame({"network_id": ["a"], "mean": [0.0], "se": [0.1]}), low=-1, high=1),
        "data.ValidationReport": validate(PB_RESP, PB_NETS),
    }


def test_every_public_output_uses_the_vocabulary(pb_survey, nh_calibration):
    outputs = {**_benefits_outputs(pb_survey), **_network_health_outputs(nh_calibration),
               **_other_outputs()}
    problems = [p for where, obj in outputs.items() for p in result_problems(obj, where)]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_synthetic_data_objects_use_the_vocabulary():
    # their committed files keep older names (synth.FILE_COLUMNS), the objects do not
    problems = result_problems(synth.simulate_participatory_benefits(), "SyntheticCohort")
    problems += result_problems(synth.simulate_network_health(), "SyntheticNetworkHealth")
    assert not problems, "\n".join(problems)
    assert set(synth.FILE_COLUMNS["network_health_measures_SYNTHETIC.csv"].values()) <= set(
        pd.read_csv(inhd.DATA_DIR / "network_health_measures_SYNTHETIC.csv", nrows=1).columns)


@pytest.mark.parametrize("frame, message", [
    (pd.DataFrame({"network_id": ["a"], "n": [3]}), "column 'n'"),
    (pd.DataFrame({"network_id": ["a"], "estimate": [0.1], "se": [0.2]}), "network's 'mean'"),
    (pd.DataFrame({"model": ["m"], "component": ["between_network"], "variance": [1.0]}),
     "between_network"),
    (pd.DataFrame({"tau_network": [0.3]}), "'tau_network'"),
    (pd.DataFrame({"variance_school": [0.3]}), "'variance_school'"),
    (pd.DataFrame({"n_persons": [2.5]}), "whole numbers"),
    (pd.DataFrame({"quantity": ["x"], "statistic": ["reliability"]}), "numeric"),
    (pd.DataFrame({"p_value": [1.5]}), r"outside \[0, 1\]"),
    (pd.DataFrame({"rescaled": [5.0]}), "'rescaled'"),
])
def test_the_rules_catch_what_they_look_for(frame, message):
    assert any(re.search(message, p) for p in vocabulary_problems(frame, "t")), \
        vocabulary_problems(frame, "t")


# ------------------------------------------------------------------------------------------------
# result classes: summary() and typed fields
# ------------------------------------------------------------------------------------------------
#: Records and specifications, not results: a schema column, one problem, a fit rule, a paper.
# Specifications and the HLM engine's working structures (a model's design, its criterion, one
# optimisation), passed between inhd.hlm's steps and never returned to a caller.
NOT_RESULTS = {"Column", "Problem", "FitRule", "Paper", "Design", "Criterion", "OptimiseResult"}
MODULES = sorted(p.stem for p in Path(inhd.__file__).parent.glob("*.py")
                 if p.stem not in ("__init__", "__main__"))


def _result_classes():
    for name in MODULES:
        module = importlib.import_module(f"inhd.{name}")
        for attr, cls in vars(module).items():
            if (isinstance(cls, type) and dataclasses.is_dataclass(cls)
                    and cls.__module__ == module.__name__ and not attr.startswith("_")
                    and not issubclass(cls, BaseException) and attr not in NOT_RESULTS):
                yield f"{name}.{attr}", cls


RESULT_CLASSES = dict(_result_classes())


def test_result_classes_are_found():
    assert {"benefits.Table4", "benefits.ModelFit", "validity.GrowthResult",
            "variation.NetworkProfiles", "report.Calibration", "report.NetworkSummary",
            "workflows.RunResult", "hlm.KnownVarianceResult"} <= set(RESULT_CLASSES)


@pytest.mark.parametrize("name", sorted(RESULT_CLASSES))
def test_every_result_class_has_a_summary_and_typed_fields(name):
    cls = RESULT_CLASSES[name]
    assert callable(getattr(cls, "summary", None)), f"{name} has no summary()"
    untyped = [f.name for f in dataclasses.fields(cls)
               if re.search(r"\bobject\b", str(f.type)) or f.type in (object, "")]
    assert not untyped, f"{name}: fields typed object: {untyped}"
    bad = [f.name for f in dataclasses.fields(cls)
           if f.name in BANNED or any(re.search(p, f.name) for p in BANNED_PATTERNS)]
    assert not bad, f"{name}: field names outside the vocabulary: {bad}"
