"""Tests of inhd.simulation_study: replications of the participatory-benefits design."""

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR
from inhd.hlm import fit_known_variance
from inhd.published import NETWORK_PREDICTORS, PB_TABLE4_FINAL, PERSON_PREDICTORS
from inhd.rasch import fit_rating_scale
from inhd.rsm import simulate_rating_scale
from inhd.simulation_study import (SIMULATION_COLUMNS, TERMS, SimulationStudy,
                                   simulate_final_model)
from inhd.benefits import design_matrix
from inhd.synthetic_cohort import measure_item_parameters


@pytest.fixture(scope="module")
def cohort():
    r = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv")
    n = pd.read_csv(DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    return r, n


@pytest.fixture(scope="module")
def small(cohort):
    return simulate_final_model(*cohort, n_replications=4, rng=7, n_jobs=1)


def _by_hand(cohort, seed, *, method="ML"):
    """Replication ``seed`` written out: the published final model, the generator's nine items,
    3% MCAR, JMLE measures, the final model with HLM's tests."""
    r, n = cohort
    design = design_matrix(r, n)[["network_id", *PERSON_PREDICTORS,
                                  *NETWORK_PREDICTORS]].reset_index(drop=True)
    codes, _ = pd.factorize(design["network_id"], sort=True)
    fixed = pd.Series(PB_TABLE4_FINAL["fixed"]).rename({"intercept": "Intercept"})[TERMS]
    vc = PB_TABLE4_FINAL["variance_components"]
    g = np.random.default_rng(seed)
    theta = (fixed["Intercept"] + design[TERMS[1:]].to_numpy() @ fixed[TERMS[1:]].to_numpy()
             + g.normal(0, np.sqrt(vc["network_id"]), 34)[codes]
             + g.normal(0, np.sqrt(vc["residual"]), len(design)))
    difficulties, thresholds = measure_item_parameters()
    X = simulate_rating_scale(theta, difficulties.to_numpy(), thresholds.to_numpy(), rng=g,
                              min_category=1)
    miss = g.random(X.shape) < 0.03
    miss[miss.all(axis=1), 0] = False
    X = pd.DataFrame(np.where(miss, np.nan, X), columns=difficulties.index).astype("Int64")
    persons = fit_rating_scale(X).persons
    data = design.assign(measure=persons["measure"].to_numpy(),
                         known_variance=persons["se"].to_numpy() ** 2)
    return fit_known_variance(data, "measure ~ " + " + ".join(TERMS[1:]),
                              known_variance="known_variance", groups=["network_id"],
                              method=method, test="hlm")


def test_table_shape_and_truth(small):
    assert isinstance(small, SimulationStudy)
    t = small.table
    assert list(t.columns) == SIMULATION_COLUMNS
    assert list(t["term"]) == TERMS + ["variance_network_id", "variance_residual"]
    truth = t.set_index("term")["truth"]
    assert truth["Intercept"] == 3.03 and truth["intensity"] == 0.50
    assert (truth["variance_network_id"], truth["variance_residual"]) == (0.559, 3.119)
    assert (t["n_replications"] == 4).all() and (t["method"] == "ML").all()
    assert small.estimates.shape == (4 * len(TERMS), 7)
    assert (small.converged["error"] == "").all()
    assert "4 replications" in small.summary()


def test_summary_statistics_from_the_replications(small):
    t = small.table.set_index("term")
    est = small.estimates
    for term in ["team_lead", "single_district"]:
        e = est[est["term"] == term]
        truth = t.loc[term, "truth"]
        assert t.loc[term, "mean_estimate"] == pytest.approx(e["estimate"].mean(), abs=1e-12)
        assert t.loc[term, "bias"] == pytest.approx(e["estimate"].mean() - truth, abs=1e-12)
        assert t.loc[term, "rmse"] == pytest.approx(
            np.sqrt(((e["estimate"] - truth) ** 2).mean()), abs=1e-12)
        assert t.loc[term, "coverage_95"] == ((e["ci_low"] <= truth)
                                              & (truth <= e["ci_high"])).mean()
        assert t.loc[term, "power"] == (e["p_value"] < 0.05).mean()


def test_one_replication_equals_the_pipeline_by_hand(cohort):
    """Replication 0's seed, run by hand through the same steps, gives the same estimates."""
    study = simulate_final_model(*cohort, n_replications=2, rng=11, n_jobs=1)
    seed = np.random.SeedSequence(int(np.random.default_rng(11).integers(2 ** 63))).spawn(2)[0]
    fit = _by_hand(cohort, seed)
    ours = study.estimates[study.estimates["replication"] == 0].set_index("term")
    np.testing.assert_allclose(ours.loc[TERMS, "estimate"], fit.fixed_effects.loc[TERMS,
                                                                                  "estimate"],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.loc[TERMS, "p_value"], fit.fixed_effects.loc[TERMS,
                                                                                 "p_value"],
                               rtol=0, atol=1e-12)
    # HLM's df: the network-level terms and the intercept on 34 - 7 - 1 = 26
    assert (fit.fixed_effects.loc[["Intercept", *NETWORK_PREDICTORS], "df"] == 26).all()


def test_same_seed_same_study_whatever_the_processes(cohort, small):
    again = simulate_final_model(*cohort, n_replications=4, rng=7, n_jobs=2)
    pd.testing.assert_frame_equal(again.estimates, small.estimates)
    pd.testing.assert_frame_equal(again.table, small.table)


def test_input_not_modified(cohort):
    r, n = cohort
    before = (r.copy(), n.copy())
    simulate_final_model(r, n, n_replications=2, n_jobs=1)
    pd.testing.assert_frame_equal(r, before[0])
    pd.testing.assert_frame_equal(n, before[1])


@pytest.mark.parametrize("kwargs,match", [
    ({"method": "OLS"}, "method must be one of"),
    ({"test": "wald"}, "test must be one of"),
    ({"rasch_method": "pcm"}, "rasch_method must be one of"),
    ({"n_replications": 1}, "n_replications must be"),
    ({"alpha": 0.0}, "alpha must be in"),
    ({"missing_rate": 0.6}, "missing_rate must be in"),
])
def test_bad_arguments(cohort, kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_final_model(*cohort, n_jobs=1, **kwargs)


def test_distribution_plot_marks_truth_and_shipped(small):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shipped = pd.Series({"intensity": 0.30})
    fig = small.plot_distributions(shipped=shipped, terms=["team_lead", "intensity"], ncols=2)
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == ["team_lead", "intensity"]
    lines = [[ln.get_xdata()[0] for ln in ax.get_lines()] for ax in axes]
    assert lines == [[0.47], [0.50, 0.30]]
    plt.close(fig)


@pytest.mark.slow
def test_reml_covers_every_term_at_95_percent(cohort):
    """200 replications under REML: every fixed effect's 95% interval covers the published
    value in 95% of replications, within 3 binomial SEs (0.95 +- 0.046). (Under full ML the
    network-level terms fall short: ML underestimates the network variance with 34 networks and
    eight network-level fixed effects; the book reports both.)"""
    study = simulate_final_model(*cohort, n_replications=200, rng=3, method="REML", n_jobs=2)
    cov = study.table.set_index("term").loc[TERMS, "coverage_95"]
    assert ((cov - 0.95).abs() < 3 * np.sqrt(0.95 * 0.05 / 200)).all(), cov
    assert (study.converged["error"] == "").all() and study.converged["hlm"].all()
