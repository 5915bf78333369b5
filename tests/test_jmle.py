"""Tests of inhd.jmle, joint maximum likelihood for the rating-scale model.

Reference values (Winsteps on KCT and LFS) are checked through inhd.rasch.fit_rating_scale in
tests/test_rasch.py; here: the blocked, grouped pass against a naive per-response loop, its
analytic gradient and information against finite differences, the Schur-complement Newton step
against the full Newton system, anchoring, the conditions under which the estimates do not
exist, and bad input.
"""
import doctest
import warnings

import numpy as np
import pytest

from inhd import jmle
from inhd.jmle import jmle_rating_scale
from inhd.rsm import RatingScaleEstimate, check_responses, log_probs, simulate_rating_scale
from inhd.warnings import ConvergenceWarning

TAU = np.array([-0.7, 0.1, 0.6])


def _data(seed=3, n=60, missing=0.1, delta=(-1.0, -0.2, 0.4, 0.8)):
    rng = np.random.default_rng(seed)
    X = simulate_rating_scale(rng.normal(0, 1, n), np.array(delta), TAU, rng=rng,
                              missing=missing)
    return X[~np.isnan(X).all(axis=1)]


def _groups(X):
    return jmle._groups(*check_responses(X, n_categories=TAU.size + 1))


def _naive_joint_loglik(X, theta, delta, tau):
    """sum over non-extreme persons and their responses of log P(x_ni), one response at a time."""
    total = 0.0
    for row, t in zip(X, theta):
        for i, x in enumerate(row):
            if not np.isnan(x):
                total += log_probs(t - delta[i], tau)[0][int(x)]
    return total


def test_pass_loglik_equals_a_naive_loop():
    X = _data()
    grp = _groups(X)
    rng = np.random.default_rng(1)
    theta = rng.normal(0, 1, grp.score.size)
    delta, tau = np.array([-0.9, -0.1, 0.3, 0.7]), TAU + 0.05
    out = jmle._pass(theta, delta, tau, grp, np.arange(4), True, np.empty((theta.size, 7)))
    rows = X[grp.rows]
    assert out["ll"] == pytest.approx(_naive_joint_loglik(rows, theta[grp.group_of], delta, tau),
                                      rel=1e-13)


def _full_information(theta, delta, tau, grp):
    """Gradient and information of (group measures, all items, thresholds) from one pass."""
    fi = np.arange(delta.size)
    i_pq = np.empty((theta.size, fi.size + tau.size))
    out = jmle._pass(theta, delta, tau, grp, fi, True, i_pq)
    i_qq = out["schur"] + i_pq.T @ (i_pq / out["i_pp"][:, None])
    g_q = out["rhs"] + i_pq.T @ (out["g_p"] / out["i_pp"])
    info = np.block([[np.diag(out["i_pp"]), i_pq], [i_pq.T, i_qq]])
    return np.concatenate([out["g_p"], g_q]), info, out


def test_gradient_and_information_match_finite_differences():
    X = _data()
    grp = _groups(X)
    rng = np.random.default_rng(2)
    theta = rng.normal(0, 1, grp.score.size)
    delta, tau = np.array([-0.9, -0.1, 0.3, 0.7]), TAU + 0.05
    n_th, n_i = theta.size, delta.size
    v0 = np.concatenate([theta, delta, tau])

    def split(v):
        return v[:n_th], v[n_th:n_th + n_i], v[n_th + n_i:]

    def ll(v):
        return jmle._pass(*split(v), grp, np.arange(n_i), True,
                          np.empty((n_th, n_i + tau.size)))["ll"]

    eps = 1e-6
    grad, info, _ = _full_information(theta, delta, tau, grp)
    fd = np.array([(ll(v0 + eps * e) - ll(v0 - eps * e)) / (2 * eps) for e in np.eye(v0.size)])
    np.testing.assert_allclose(grad, fd, rtol=1e-7, atol=1e-7)
    fd_h = np.array([(_full_information(*split(v0 + eps * e), grp)[0]
                      - _full_information(*split(v0 - eps * e), grp)[0]) / (2 * eps)
                     for e in np.eye(v0.size)])
    np.testing.assert_allclose(-fd_h, info, atol=1e-7)


def test_schur_step_equals_the_full_newton_system():
    # the person block eliminated by a Schur complement gives the same constrained Newton step
    # as solving the whole (persons + items + thresholds) system directly
    X = _data(seed=5, n=80)
    grp = _groups(X)
    theta, delta, tau = jmle._start(grp, 3, np.zeros(4), np.zeros(3), np.ones(4, bool), True,
                                    True)
    grad, info, out = _full_information(theta, delta, tau, grp)
    basis = jmle._basis(np.arange(4), 3, True, True)
    nq = basis.shape[0]
    step_q = basis @ np.linalg.solve(basis.T @ out["schur"] @ basis, basis.T @ out["rhs"])
    i_pq = info[:theta.size, theta.size:]
    step_p = (out["g_p"] - i_pq @ step_q) / out["i_pp"]
    Z = np.zeros((theta.size + nq, theta.size + basis.shape[1]))
    Z[:theta.size, :theta.size] = np.eye(theta.size)
    Z[theta.size:, theta.size:] = basis
    full = Z @ np.linalg.solve(Z.T @ info @ Z, Z.T @ grad)
    np.testing.assert_allclose(np.concatenate([step_p, step_q]), full, rtol=1e-10, atol=1e-12)


def test_estimates_maximise_the_joint_likelihood():
    X = _data(seed=6, n=200, missing=0.05)
    est = jmle_rating_scale(X, n_categories=4, tol=1e-10)
    assert isinstance(est, RatingScaleEstimate) and est.method == "jmle" and est.converged
    grp = _groups(X)
    first = np.unique(grp.group_of, return_index=True)[1]
    theta = est.measures[grp.rows][first]
    out = jmle._pass(theta, est.difficulty, est.thresholds, grp, np.arange(4), True,
                     np.empty((theta.size, 7)))
    assert out["ll"] == pytest.approx(est.llf, rel=1e-12)
    assert np.max(np.abs(out["g_p"])) < 1e-8 and np.max(np.abs(out["rhs"])) < 1e-8
    assert abs(est.difficulty.sum()) < 1e-12 and abs(est.thresholds.sum()) < 1e-12
    # extreme persons are not measured; the others are, with positive SEs
    score = np.nansum(X, axis=1)
    extreme = (score == 0) | (score == 3 * (~np.isnan(X)).sum(axis=1))
    assert np.array_equal(np.isnan(est.measures), extreme) and extreme.any()
    assert np.all(est.measures_se[~extreme] > 0) and est.n_persons == (~extreme).sum()


def test_anchoring():
    X = _data(seed=7, n=400, missing=0.05)
    free = jmle_rating_scale(X, n_categories=4)
    anchors = np.array([free.difficulty[0], np.nan, np.nan, free.difficulty[3]])
    part = jmle_rating_scale(X, n_categories=4, difficulty_anchors=anchors,
                             threshold_anchors=free.thresholds)
    np.testing.assert_array_equal(part.difficulty[[0, 3]], anchors[[0, 3]])
    # anchoring at the free solution reproduces it (to rounding)
    np.testing.assert_allclose(part.difficulty, free.difficulty, atol=1e-12)
    assert np.isnan(part.thresholds_se).all() and np.isnan(part.covariance[4:, 4:]).all()
    fixed = jmle_rating_scale(X, n_categories=4, difficulty_anchors=free.difficulty,
                              threshold_anchors=free.thresholds)
    assert fixed.n_iter == 0 and np.isnan(fixed.llf) and fixed.covariance is None
    np.testing.assert_allclose(fixed.measures, free.measures, atol=1e-12)
    np.testing.assert_allclose(fixed.difficulty_se, free.difficulty_se, rtol=1e-12)


def test_dichotomous_threshold_has_no_se():
    rng = np.random.default_rng(9)
    X = simulate_rating_scale(rng.normal(0, 1, 300), np.linspace(-1, 1, 5), [0.0], rng=rng)
    est = jmle_rating_scale(X, n_categories=2)
    assert est.converged and est.thresholds.tolist() == [0.0]
    assert np.isnan(est.thresholds_se).all()


def test_running_off_and_non_convergence_are_flagged():
    X = _data(seed=4, n=60, missing=0.0, delta=(-0.5, 0.0, 0.5))
    X = np.column_stack([X, np.full(len(X), 3.0)])
    X = np.vstack([X, [0.0, 0.0, 0.0, 2.0]])     # the only non-top answer to the last item
    with pytest.warns(ConvergenceWarning, match=r"run off towards infinity \(column 3"):
        est = jmle_rating_scale(X, n_categories=4)
    assert est.converged is False
    with pytest.warns(ConvergenceWarning, match="did not converge in 1 iterations"):
        est = jmle_rating_scale(_data(), n_categories=4, max_iter=1)
    assert est.converged is False and est.n_iter == 1


def test_input_not_modified():
    X = _data()
    before = X.copy()
    jmle_rating_scale(X, n_categories=4)
    np.testing.assert_array_equal(X, before)


@pytest.mark.parametrize("X, kwargs, match", [
    (np.array([[0, 3, 1], [1, 3, 2], [2, 3, 0]], float), {}, r"column\) 1 has only highest"),
    (np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], float), {}, "category 2 is never used"),
    (np.array([[0, 0, 0], [3, 3, 3]], float), {}, "no person with a non-extreme raw score"),
    (np.array([[0, 1, np.nan, np.nan], [1, 0, np.nan, np.nan], [np.nan, np.nan, 0, 1],
               [np.nan, np.nan, 1, 0]], float), {"n_categories": 2},
     r"2 blocks \(columns \[0, 1\]; \[2, 3\]\)"),
    (_data(), {"difficulty_anchors": [0.0, 0.0]}, "difficulty_anchors must hold 4 values"),
    (_data(), {"threshold_anchors": [0.0, np.nan, 0.0]}, "threshold_anchors must hold 3"),
    (_data(), {"tol": 0.0}, "tol must be a positive number"),
    (_data(), {"max_iter": 0}, "max_iter must be a positive integer"),
])
def test_bad_input(X, kwargs, match):
    kwargs = {"n_categories": 4, **kwargs}
    with pytest.raises(ValueError, match=match):
        jmle_rating_scale(X, **kwargs)


def test_doctests():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert doctest.testmod(jmle).failed == 0
