"""Tests of inhd.hlm_likelihood: the Woodbury/per-network criterion against a dense N x N
computation, its analytic gradient and Hessian against central differences of that exact dense
log-likelihood, and Newton's convergence and boundary handling."""

import numpy as np
import pandas as pd
import patsy
import pytest

from inhd import ROOT
from inhd.hlm_likelihood import build_design, criterion, optimise, start_values

SIM = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")
SMALL = SIM[SIM["network_id"].isin(["N00", "N01", "N02", "N03", "N04", "N05"])].reset_index(
    drop=True)
STRUCTURES = {          # (schools nested?, random slope on wave?)
    "two_level": (False, False),
    "three_level": (True, False),
    "growth": (False, True),
    "growth_school": (True, True),
}


def _inputs(data, schools, slope, formula="y ~ x_person + lead + net_z"):
    y, X = (np.asarray(a) for a in patsy.dmatrices(formula, data))
    outer = pd.factorize(data["network_id"], sort=True)[0]
    inner = pd.factorize(data["school_id"], sort=True)[0] if schools else None
    t = data["wave"].to_numpy(float) if slope else None
    return y[:, 0], X, data["v"].to_numpy(float), outer, inner, t


def _dense_llf(theta, y, X, v, outer, inner, t, method):
    """The exact (restricted) log-likelihood from the dense N x N marginal covariance."""
    theta = np.asarray(theta, dtype=float)
    if t is None:
        G = np.array([[np.exp(theta[0])]])
        Z = np.ones((len(y), 1))
    else:
        L = np.array([[np.exp(theta[0]), 0.0], [theta[1], np.exp(theta[2])]])
        G = L @ L.T
        Z = np.column_stack([np.ones(len(y)), t])
    same_net = outer[:, None] == outer[None]
    V = (Z @ G @ Z.T) * same_net + np.diag(np.exp(theta[-1]) + v)
    if inner is not None:
        V += np.exp(theta[-2]) * (inner[:, None] == inner[None])
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    beta = np.linalg.solve(XVX, X.T @ Vi @ y)
    r = y - X @ beta
    n, p = X.shape
    if method == "ML":
        return -0.5 * (n * np.log(2 * np.pi) + np.linalg.slogdet(V)[1] + r @ Vi @ r)
    return -0.5 * ((n - p) * np.log(2 * np.pi) - np.linalg.slogdet(X.T @ X)[1]
                   + np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + r @ Vi @ r)


def _theta(schools, slope):
    """A point away from the optimum, every parameter doing something."""
    th = [np.log(0.7)] if not slope else [np.log(0.8), 0.1, np.log(0.3)]
    if schools:
        th.append(np.log(0.25))
    return np.array(th + [np.log(0.9)])


@pytest.mark.parametrize("method", ["REML", "ML"])
@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_woodbury_equals_dense_and_derivatives_equal_central_differences(structure, method):
    schools, slope = STRUCTURES[structure]
    args = _inputs(SMALL, schools, slope)
    design = build_design(*args)
    theta = _theta(schools, slope)
    crit = criterion(design, theta, method)
    dense = lambda th: _dense_llf(th, *args, method)                     # noqa: E731
    # the per-network Woodbury criterion is the dense log-likelihood
    assert crit.llf == pytest.approx(dense(theta), abs=1e-9)
    k, h = len(theta), 1e-5
    grad = np.array([(dense(theta + e) - dense(theta - e)) / (2 * h) for e in np.eye(k) * h])
    # analytic gradient vs central differences of the dense log-likelihood
    np.testing.assert_allclose(crit.gradient, grad, rtol=1e-6, atol=1e-6)
    H = 1e-3
    hess = np.array([[(dense(theta + ei + ej) - dense(theta + ei - ej) - dense(theta - ei + ej)
                       + dense(theta - ei - ej)) / (4 * H * H) for ej in np.eye(k) * H]
                     for ei in np.eye(k) * H])
    # analytic Hessian vs second central differences of the dense log-likelihood
    np.testing.assert_allclose(crit.hessian, hess, rtol=1e-4, atol=1e-4 * np.abs(hess).max())
    # and vs central differences of the analytic gradient (a tighter check of consistency)
    g = lambda th: criterion(design, th, method, order=1).gradient       # noqa: E731
    hg = np.array([(g(theta + e) - g(theta - e)) / (2 * h) for e in np.eye(k) * h])
    np.testing.assert_allclose(crit.hessian, hg, rtol=1e-6, atol=1e-7 * np.abs(hg).max())


@pytest.mark.parametrize("structure", list(STRUCTURES))
def test_newton_reaches_a_stationary_point_quadratically(structure):
    schools, slope = STRUCTURES[structure]
    design = build_design(*_inputs(SIM, schools, slope))
    res = optimise(design, start_values(design), "REML")
    assert res.converged and res.n_iter <= 12
    assert np.max(np.abs(res.crit.gradient)) < 1e-6
    assert np.all(np.linalg.eigvalsh(res.crit.hessian) < 0)     # a maximum
    # the likelihood falls in every direction of a small step
    for e in np.eye(len(res.theta)) * 1e-3:
        for sign in (1, -1):
            assert criterion(design, res.theta + sign * e, "REML", 0).llf < res.crit.llf


def test_variance_on_its_boundary_is_held_and_flagged():
    """Networks without any between-network variance: tau is driven to 0 and held there."""
    rng = np.random.default_rng(3)
    n_net, size = 40, 25
    net = np.repeat(np.arange(n_net), size)
    v = rng.uniform(0.2, 1.0, net.size)
    # group means exactly equal: no between-network variation in y at all
    e = rng.normal(0, 1, net.size) + rng.normal(0, np.sqrt(v))
    e -= np.repeat(np.add.reduceat(e, np.arange(0, net.size, size)) / size, size)
    X = np.ones((net.size, 1))
    design = build_design(e + 1.0, X, v, net)
    res = optimise(design, start_values(design), "REML")
    assert res.converged and res.at_boundary[0] and not res.at_boundary[-1]
    assert res.crit.gradient[0] < 0 or abs(res.crit.gradient[0]) < 1e-12  # no pull inwards
    # at 0 the criterion's derivative in tau is negative: the boundary is the maximum
    small = res.theta.copy()
    small[0] = np.log(1e-6)
    assert criterion(design, small, "REML", 0).llf < res.crit.llf


def test_max_iter_stops_without_convergence():
    design = build_design(*_inputs(SIM, True, True))
    res = optimise(design, start_values(design), "REML", max_iter=1)
    assert res.n_iter == 1 and not res.converged
