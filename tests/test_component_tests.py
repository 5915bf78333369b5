"""Tests of inhd.component_tests: the boundary likelihood-ratio test of a variance component."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from inhd import ROOT
from inhd.component_tests import (COMPONENT_TEST_COLUMNS, _no_group_llf,
                                  boundary_lrt_p_value, variance_component_tests)
from inhd.hlm import fit_known_variance

SIM = ROOT / "reference" / "metafor" / "simulated_persons.csv"


@pytest.fixture(scope="module")
def sim():
    return pd.read_csv(SIM)


def test_p_value_is_half_the_chi2_1_tail_and_one_at_zero():
    for lr in [0.01, 0.5, 2.705543, 3.841459, 10.0]:
        # closed form: 0.5 P(chi2_0 >= lr) + 0.5 P(chi2_1 >= lr), chi2_0 a point mass at 0
        assert boundary_lrt_p_value(lr) == pytest.approx(0.5 * stats.chi2.sf(lr, 1), abs=1e-15)
    assert boundary_lrt_p_value(0.0) == 1.0
    assert boundary_lrt_p_value(-1e-9) == 1.0          # optimiser noise counts as 0
    # 2.705543 is chi2_1's 90% point, so the boundary test rejects at 5% where chi2_1 would not
    assert boundary_lrt_p_value(2.705543) == pytest.approx(0.05, abs=1e-6)
    # a random slope with its covariance: mixture of chi2_1 and chi2_2
    assert boundary_lrt_p_value(4.0, n_covariances=1) == pytest.approx(
        0.5 * stats.chi2.sf(4.0, 1) + 0.5 * stats.chi2.sf(4.0, 2), abs=1e-15)
    assert np.isnan(boundary_lrt_p_value(float("nan")))


@pytest.mark.parametrize("bad", [-1, 0.5, "1"])
def test_p_value_rejects_bad_covariance_counts(bad):
    with pytest.raises(ValueError, match="n_covariances must be"):
        boundary_lrt_p_value(1.0, n_covariances=bad)


def test_hlm_test_is_the_engines_chi_square(sim):
    """test="hlm" reports inhd.hlm's HLM chi-square of each level (tests/test_hlm8.py checks it
    against HLM's own outputs), from one full-ML fit."""
    out = variance_component_tests(sim, outcome="y", known_variance="v").set_index("component")
    fit = fit_known_variance(sim, "y ~ 1", known_variance="v", groups=["network_id", "school_id"],
                             method="ML", test="hlm")
    for level in ["network_id", "school_id"]:
        row = fit.variance_tests.loc[level]
        assert (out.loc[level, "statistic"], out.loc[level, "df"], out.loc[level, "p_value"]) == (
            row["statistic"], row["df"], row["p_value"])
        assert out.loc[level, "variance"] == fit.variance_components[level]
    assert (out["test"] == "hlm").all() and (out["method"] == "ML").all()
    assert not out["not_significant"].any()


def test_statistic_is_twice_the_llf_difference_of_the_two_fits(sim):
    out = variance_component_tests(sim, outcome="y", known_variance="v", test="lrt",
                                   method="REML").set_index("component")
    assert list(out.reset_index().columns) == COMPONENT_TEST_COLUMNS
    full = fit_known_variance(sim, "y ~ 1", known_variance="v",
                              groups=["network_id", "school_id"])
    for level, rest in [("network_id", ["school_id"]), ("school_id", ["network_id"])]:
        reduced = fit_known_variance(sim, "y ~ 1", known_variance="v", groups=rest)
        # llf of both fits equal metafor's logLik (tests/test_hlm.py), hence so does LR
        assert out.loc[level, "statistic"] == pytest.approx(2 * (full.llf - reduced.llf),
                                                            abs=1e-9)
        assert out.loc[level, "variance"] == pytest.approx(full.variance_components[level])
        assert out.loc[level, "p_value"] == pytest.approx(
            0.5 * stats.chi2.sf(out.loc[level, "statistic"], 1), abs=1e-15)
    assert (out["test"] == "lrt").all() and (out["method"] == "REML").all()
    assert out["converged"].all()


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_model_without_groups_matches_the_engine(sim, method):
    """The one-level case compares with a model without any grouping level; its llf equals the
    engine's llf for a grouping in which every person is alone (tau + sigma2 is identified)."""
    alone = sim.assign(pid=np.arange(len(sim)).astype(str))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = fit_known_variance(alone, "y ~ 1", known_variance="v", groups=["pid"],
                                 method=method)
    assert _no_group_llf(alone, "y", "v", method) == pytest.approx(fit.llf, abs=1e-6)


def test_input_not_modified_and_names_checked(sim):
    before = sim.copy()
    for test in ("hlm", "lrt"):
        variance_component_tests(sim, outcome="y", known_variance="v", groups=["network_id"],
                                 test=test)
    pd.testing.assert_frame_equal(sim, before)


@pytest.mark.parametrize("kwargs,match", [
    ({"test": "wald"}, "test must be one of"),
    ({"method": "OLS"}, "method must be"),
    ({"alpha": 1.5}, "alpha must be in"),
    ({"groups": []}, "at least one grouping column"),
    ({"outcome": "nope"}, r"column\(s\) \['nope'\] not found"),
])
def test_bad_arguments(sim, kwargs, match):
    args = {"outcome": "y", "known_variance": "v", **kwargs}
    with pytest.raises(ValueError, match=match):
        variance_component_tests(sim, **args)


@pytest.mark.slow
@pytest.mark.parametrize("test", ["lrt", "hlm"])
def test_size_under_the_null_is_alpha(test):
    """Data with no school variance (tau_school = 0): each test rejects at about the nominal 5%
    (within 3 binomial SEs over 300 replications); for the boundary LRT, chi2_1 would reject
    less often."""
    rng = np.random.default_rng(13)
    n_rep, rejected, rejected_naive = 300, 0, 0
    net = np.repeat(np.arange(20), 20)
    school = np.repeat(np.arange(80), 5)
    for _ in range(n_rep):
        v = rng.uniform(0.2, 0.8, net.size)
        y = (rng.normal(0, 0.6, 20)[net] + rng.normal(0, np.sqrt(1.0), net.size)
             + rng.normal(0, np.sqrt(v)))
        d = pd.DataFrame({"y": y, "v": v, "network_id": net, "school_id": school})
        row = variance_component_tests(d, outcome="y", known_variance="v", test=test).set_index(
            "component").loc["school_id"]
        rejected += row["p_value"] < 0.05
        rejected_naive += stats.chi2.sf(row["statistic"], 1) < 0.05
    se = np.sqrt(0.05 * 0.95 / n_rep)
    assert abs(rejected / n_rep - 0.05) < 3 * se, rejected
    if test == "lrt":
        assert rejected_naive <= rejected
