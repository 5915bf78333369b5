"""Tests of inhd.reliability: every reliability formula of the compendium.

Kinds: hand examples (closed form, 1e-12); cross-checks between independent implementations (the
balanced closed forms against the general known-variance form, the quadrature against a Monte
Carlo average of the same integrand within 4 Monte Carlo SEs, the multilevel closed forms against
the reliabilities inhd.hlm reports on a fitted model); bad input.
"""

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR
from inhd.hlm import fit_known_variance
from inhd.rasch import fit_rating_scale
from inhd.reliability import (cluster_mean_reliability, expected_person_reliability,
                              nested_mean_reliability, reliability_from_components,
                              required_variance_ratios, separation_reliability)
from inhd.rsm import log_probs

from test_validity import simulate_three_level


# --------------------------------------------------------------------------------------------
# Rasch reliability
# --------------------------------------------------------------------------------------------
def test_separation_reliability_hand_example():
    # S2 = population variance of (-2, 0, 2) = 8/3; mean SE^2 = 1; T = 5/3
    rel, sep = separation_reliability([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    assert rel == pytest.approx(5 / 8, abs=1e-12)
    assert sep == pytest.approx(np.sqrt(5 / 3), abs=1e-12)
    # separation and reliability are two views of one ratio: R = G^2 / (1 + G^2)
    assert rel == pytest.approx(sep ** 2 / (1 + sep ** 2), abs=1e-12)


@pytest.mark.parametrize("measures, se, expected", [
    ([1.0], [0.5], (np.nan, np.nan)),                      # one measure: undefined
    ([1.0, 1.0], [0.5, 0.5], (np.nan, 0.0)),               # no variation
    ([-0.1, 0.1], [1.0, 1.0], (0.0, 0.0)),                 # error exceeds variation: floor at 0
])
def test_separation_reliability_edge_cases(measures, se, expected):
    np.testing.assert_equal(separation_reliability(measures, se), expected)


def test_separation_reliability_is_the_rasch_fits_person_reliability():
    # the engine reports Winsteps' model reliability of its non-extreme persons
    fit = fit_rating_scale(pd.read_csv(DATA_DIR / "reference" / "lfs.csv"))
    p = fit.persons[~fit.persons["extreme"].astype(bool)]
    rel, sep = separation_reliability(p["measure"], p["se"])
    assert rel == pytest.approx(fit.person_reliability, abs=1e-12)
    assert sep == pytest.approx(fit.person_separation, abs=1e-12)


def test_expected_person_reliability_equals_a_monte_carlo_average_of_its_integrand():
    difficulties, tau = np.linspace(-0.8, 0.8, 5), np.array([-2.0, -0.5, 0.5, 2.0])
    rel, e = expected_person_reliability(difficulties, tau, mean=0.5, sd=1.3)
    theta = np.random.default_rng(4).normal(0.5, 1.3, 400_000)
    lp, _ = log_probs(theta[:, None] - difficulties[None, :], tau)
    p = np.exp(lp)
    h = np.arange(p.shape[-1])
    info = ((p * h ** 2).sum(-1) - (p * h).sum(-1) ** 2).sum(-1)
    w = 1 - np.exp(lp[..., 0].sum(-1)) - np.exp(lp[..., -1].sum(-1))   # not extreme
    e_mc = np.sum(w / info) / w.sum()
    se_mc = np.std(w / info) / w.mean() / np.sqrt(theta.size)
    assert abs(e - e_mc) < 4 * se_mc
    v_mc = np.cov(theta, aweights=w, bias=True)
    assert rel == pytest.approx(v_mc / (v_mc + e_mc), abs=2e-3)     # ~4 MC SEs of the ratio


# --------------------------------------------------------------------------------------------
# Reliability of group means
# --------------------------------------------------------------------------------------------
def test_balanced_closed_form_equals_the_known_variance_form():
    # 12 networks of 7 persons, each with known error variance 0.4: lambda = tau / (tau + (s2 + v)/n)
    d = pd.DataFrame({"network_id": np.repeat([f"N{k}" for k in range(12)], 7),
                      "known_variance": 0.4})
    rel = reliability_from_components(d, variance_components={"network_id": 0.56, "residual": 3.1},
                                      groups=["network_id"])
    assert rel["network_id"] == pytest.approx(float(cluster_mean_reliability(0.56, 3.1 + 0.4, 7)),
                                              abs=1e-12)
    assert rel["person"] == pytest.approx(3.1 / 3.5, abs=1e-12)
    assert list(rel.index) == ["person", "network_id"]


def test_nested_closed_form_equals_the_known_variance_form():
    # unbalanced schools in networks, no measurement error: the two implementations agree
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 9, 40)
    network_of_school = np.repeat(np.arange(10), 4)
    persons = pd.DataFrame({
        "network_id": np.repeat(network_of_school, sizes),
        "school_id": np.repeat(np.arange(40), sizes),
        "known_variance": 0.0})
    vc = {"network_id": 0.3, "school_id": 0.15, "residual": 1.2}
    rel = reliability_from_components(persons, variance_components=vc)
    assert rel["network_id"] == pytest.approx(
        nested_mean_reliability(0.3, 0.15, 1.2, sizes, network_of_school), abs=1e-12)
    assert rel["school_id"] == pytest.approx(
        float(np.mean(cluster_mean_reliability(0.15, 1.2, sizes))), abs=1e-12)


def test_known_variance_form_hand_example():
    # one network, two schools of two persons; sigma2 = 1, v = 0 -> V_school = 1/2
    d = pd.DataFrame({"network_id": ["A"] * 4, "school_id": ["s", "s", "t", "t"],
                      "known_variance": [0.0] * 4})
    rel = reliability_from_components(
        d, variance_components={"network_id": 1.0, "school_id": 0.5, "residual": 1.0})
    # school: 0.5 / (0.5 + 0.5) = 0.5; network: W = 1 / (2 / (0.5 + 0.5)) = 0.5, 1 / 1.5
    assert rel["school_id"] == pytest.approx(0.5, abs=1e-12)
    assert rel["network_id"] == pytest.approx(1 / 1.5, abs=1e-12)
    assert rel["person"] == pytest.approx(1.0, abs=1e-12)


def test_closed_forms_equal_the_reliabilities_of_a_fitted_model():
    # inhd.hlm computes its reliabilities from the fitted model's own quantities; the closed
    # forms start from the variance components alone: agreement to rounding (achieved ~1e-15)
    d = simulate_three_level(np.random.default_rng(11))
    fit = fit_known_variance(d, "measure ~ 1", known_variance="known_variance",
                             groups=["network_id", "school_id"])
    closed = reliability_from_components(d, variance_components=fit.variance_components)
    for level in ("person", "network_id", "school_id"):
        assert float(fit.reliability[level]) == pytest.approx(closed[level], abs=1e-12), level


@pytest.mark.parametrize("kwargs, match", [
    ({"variance_components": {"network_id": 1.0, "residual": 1.0}}, r"\['school_id'\]"),
    ({"variance_components": {"network_id": 1.0, "school_id": 1.0, "residual": 1.0},
      "known_variance": "v"}, r"column\(s\) \['v'\]"),
])
def test_reliability_from_components_bad_input(kwargs, match):
    d = pd.DataFrame({"network_id": ["A"], "school_id": ["s"], "known_variance": [0.1]})
    with pytest.raises(ValueError, match=match):
        reliability_from_components(d, **kwargs)


def test_required_variance_ratios_balanced_closed_form():
    # balanced: lambda_s = a n / (1 + a n); lambda_k = b / (b + (a + 1/n) / J)
    n, J, K = 5, 8, 30
    sizes = np.full(J * K, n)
    nets = np.repeat(np.arange(K), J)
    a, b = required_variance_ratios(school_reliability=0.25, network_reliability=0.8,
                                    school_sizes=sizes, network_of_school=nets)
    a_exact = 0.25 / 0.75 / n
    b_exact = 0.8 / 0.2 * (a_exact + 1 / n) / J
    assert a == pytest.approx(a_exact, rel=1e-9)          # brentq's default xtol, 2e-12 absolute
    assert b == pytest.approx(b_exact, rel=1e-9)


def test_required_variance_ratios_reach_their_targets_on_unbalanced_designs():
    rng = np.random.default_rng(8)
    sizes = rng.integers(1, 12, 90)
    nets = np.sort(rng.integers(0, 25, 90))
    a, b = required_variance_ratios(school_reliability=0.2, network_reliability=0.85,
                                    school_sizes=sizes, network_of_school=nets)
    assert float(np.mean(cluster_mean_reliability(a, 1.0, sizes))) == pytest.approx(0.2, abs=1e-9)
    assert nested_mean_reliability(b, a, 1.0, sizes, nets) == pytest.approx(0.85, abs=1e-9)


@pytest.mark.parametrize("kw,match", [
    (dict(school_reliability=1.2), "school_reliability"),
    (dict(network_reliability=0.0), "network_reliability"),
    (dict(school_sizes=[]), "school_sizes"),
])
def test_required_variance_ratios_rejects(kw, match):
    args = dict(school_reliability=0.2, network_reliability=0.8, school_sizes=[5, 5],
                network_of_school=[0, 1])
    args.update(kw)
    with pytest.raises(ValueError, match=match):
        required_variance_ratios(**args)


def test_inputs_not_modified():
    sizes = np.array([3, 5, 4, 6])
    nets = np.array(["a", "a", "b", "b"], dtype=object)
    before = sizes.copy(), nets.copy()
    required_variance_ratios(school_reliability=0.2, network_reliability=0.7,
                             school_sizes=sizes, network_of_school=nets)
    np.testing.assert_array_equal(sizes, before[0])
    np.testing.assert_array_equal(nets, before[1])
    d = pd.DataFrame({"network_id": ["A", "A"], "school_id": ["s", "t"], "known_variance": [0.1, 0.2]})
    copy = d.copy()
    reliability_from_components(d, variance_components={"network_id": 1, "school_id": 1, "residual": 1})
    pd.testing.assert_frame_equal(d, copy)
