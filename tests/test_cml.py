"""Tests of inhd.cml: conditional ML for the rating-scale model.

1. Reference values from eRm 1.0.2 (reference/erm/make_reference.R, outputs *_rsm.json): item
   difficulties, thresholds, their SEs, the conditional log-likelihood and (through
   inhd.rasch.estimate_persons) eRm::person.parameter's person measures.
2. Parameter recovery within 3 SE on seeded simulated data.
3. Cross-checks: analytic gradient and Hessian vs finite differences; the two-block ESFs vs
   brute-force enumeration and a log-space recursion; the pattern-grouped likelihood vs a naive
   per-person enumeration; the information matrix vs exact enumeration of the conditional
   covariance.

Tolerances against eRm are 10 x the agreement achieved (at least 1e-8), per data set: eRm stops
at nlm's gradient tolerance with a numerical gradient, so its estimates, not ours, set them.
"""
import doctest
import itertools
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import inhd
from inhd import cml
from inhd.cml import cml_rating_scale, conditional_loglik
from inhd.rsm import RatingScaleEstimate, check_responses, simulate_rating_scale
from inhd.warnings import ConvergenceWarning

REF = inhd.ROOT / "reference" / "erm"
DATASETS = ["lfs", "rsmdat", "simulated"]

#: Agreement achieved with eRm 1.0.2 (tightened nlm) per data set, times 10 (floor 1e-8):
#: parameters (logits), SEs (relative), conditional log-likelihood (absolute).
TOL = {
    "lfs": {"difficulty": 2e-6, "thresholds": 2e-7, "difficulty_se": 1.5e-3,
            "thresholds_se": 2e-5, "loglik": 1e-9, "theta": 3e-4, "theta_se": 3e-3},
    "rsmdat": {"difficulty": 2e-8, "thresholds": 2e-8, "difficulty_se": 3e-4,
               "thresholds_se": 3e-4, "loglik": 1e-9, "theta": 2e-5, "theta_se": 6e-4},
    "simulated": {"difficulty": 7e-5, "thresholds": 2e-4, "difficulty_se": 3e-4,
                  "thresholds_se": 2e-4, "loglik": 5e-7, "theta": 5e-4, "theta_se": 3e-3},
}


def _reference(name):
    ref = json.loads((REF / f"{name}_rsm.json").read_text())
    df = pd.read_csv(REF / f"{name}.csv", keep_default_na=True)
    df = df[ref["items"]]                    # lfs: without the item eRm cannot fit
    return ref, df


@pytest.fixture(scope="module", params=DATASETS)
def fitted(request):
    ref, df = _reference(request.param)
    X = df.to_numpy(dtype=float)
    return ref, df, X, cml_rating_scale(X, n_categories=ref["n_categories"])


def _simulate(rng, theta, delta, tau):
    return simulate_rating_scale(theta, delta, tau, rng=rng)


# ------------------------------------------------------------------ 1. eRm reference values

def test_reference_files_record_versions():
    for name in DATASETS:
        ref = json.loads((REF / f"{name}_rsm.json").read_text())
        assert ref["eRm_version"] == "1.0.2" and ref["R_version"].startswith("R version 4.")
        assert ref["tau_spread_across_items"] < 1e-10      # eRm's thresholds are an RSM's


def test_erm_item_difficulties(fitted):
    ref, _, _, est = fitted
    tol = TOL[ref["dataset"]]
    assert est.converged
    # eRm::RSM(X)$betapar mapped to sum-zero difficulties: -beta_im/m, centred (make_reference.R)
    np.testing.assert_allclose(est.difficulty, ref["difficulty"], atol=tol["difficulty"], rtol=0)
    assert abs(est.difficulty.sum()) < 1e-12


def test_erm_thresholds(fitted):
    ref, _, _, est = fitted
    tol = TOL[ref["dataset"]]
    # eRm::thresholds(fit) minus each item's Location = Andrich tau_k (same for every item)
    np.testing.assert_allclose(est.thresholds, ref["thresholds"], atol=tol["thresholds"], rtol=0)
    loc = np.array(ref["erm_threshold_table"]["location"])
    thr = np.array(ref["erm_threshold_table"]["thresholds"]).reshape(len(loc), -1)
    # eRm's table is printed with 7 significant digits: 1e-6
    np.testing.assert_allclose(est.thresholds, thr[0] - loc[0], atol=1e-6 + tol["thresholds"])
    # eRm's Location column, centred, is our difficulty
    np.testing.assert_allclose(est.difficulty, loc - loc.mean(), atol=1e-6 + tol["difficulty"])


def test_erm_loglik(fitted):
    ref, _, _, est = fitted
    # eRm::RSM(X)$loglik: the conditional log-likelihood (minus nlm's minimum); ours is the
    # maximum, so it can only be higher
    assert est.llf == pytest.approx(ref["loglik"], abs=TOL[ref["dataset"]]["loglik"])
    assert est.llf >= ref["loglik"] - 1e-9


def test_erm_standard_errors(fitted):
    ref, _, _, est = fitted
    tol = TOL[ref["dataset"]]
    # delta-method SEs from solve(fit$hessian) (nlm's finite-difference Hessian)
    np.testing.assert_allclose(est.difficulty_se, ref["difficulty_se"], rtol=tol["difficulty_se"])
    np.testing.assert_allclose(est.thresholds_se, ref["thresholds_se"], rtol=tol["thresholds_se"])


def test_erm_loglik_at_erm_estimates(fitted):
    ref, _, X, _ = fitted
    # our conditional likelihood evaluated at eRm's own estimates reproduces eRm's $loglik
    # (a closed-form evaluation: 1e-10)
    ll = conditional_loglik(X, n_categories=ref["n_categories"], difficulty=ref["difficulty"],
                            thresholds=ref["thresholds"])
    assert ll == pytest.approx(ref["loglik"], abs=1e-10)


def test_newton_converges_in_few_iterations(fitted):
    # Newton-Raphson with the exact Hessian converges quadratically from the log-odds start
    # (the quasi-Newton method it replaced took 12-15 iterations on these sets)
    ref, _, _, est = fitted
    assert est.converged and est.n_iter <= 6


def test_erm_patterns_and_persons_used(fitted):
    ref, _, X, est = fitted
    obs = ~np.isnan(X)
    score = np.nansum(X, axis=1)
    m = ref["n_categories"] - 1
    nonext = (score > 0) & (score < m * obs.sum(axis=1))
    assert est.n_persons == nonext.sum()
    assert est.n_patterns == np.unique(obs[nonext], axis=0).shape[0]
    if ref["dataset"] == "simulated":
        assert ref["n_missing"] > 0 and est.n_patterns > 1 and (~nonext).sum() >= 6


def test_erm_person_parameters(fitted):
    ref, df, X, est = fitted
    tol = TOL[ref["dataset"]]
    persons = pd.DataFrame(ref["persons"])
    rows = persons["row"].to_numpy() - 1                       # R rows are 1-based
    # eRm::person.parameter(fit)$thetapar (non-extreme persons, incl. those with missing
    # responses: ML given the items they answered), shifted to our centring (theta - c)
    np.testing.assert_allclose(est.measures[rows], persons["theta"], atol=tol["theta"])
    # eRm::person.parameter(fit)$se.theta
    np.testing.assert_allclose(est.measures_se[rows], persons["se_erm"], rtol=tol["theta_se"])
    # exactly the persons eRm measures (non-extreme) have a measure
    assert np.isfinite(est.measures).sum() == len(rows)
    np.testing.assert_array_equal(np.nansum(X, axis=1)[rows], persons["raw_score"])


# ------------------------------------------------------------------ 2. recovery

def test_parameter_recovery_within_3se():
    rng = np.random.default_rng(4242)
    delta = np.array([-1.2, -0.6, -0.1, 0.3, 0.7, 0.9])
    delta -= delta.mean()
    tau = np.array([-1.0, -0.2, 1.2])
    tau -= tau.mean()
    X = _simulate(rng, rng.normal(0, 1.2, 1500), delta, tau)
    X[rng.random(X.shape) < 0.08] = np.nan
    X = X[~np.isnan(X).all(axis=1)]
    est = cml_rating_scale(X, n_categories=4)
    assert est.converged and est.n_patterns > 10
    assert np.all(np.abs(est.difficulty - delta) < 3 * est.difficulty_se)
    assert np.all(np.abs(est.thresholds - tau) < 3 * est.thresholds_se)
    # the SEs are of the size sampling theory gives (not inflated to make the check pass)
    assert est.difficulty_se.max() < 0.06 and est.thresholds_se.max() < 0.05


# ------------------------------------------------------------------ 3. cross-checks

def _design(X, m):
    return cml._prepare(*check_responses(X, n_categories=m + 1))


def _free(est):
    return np.concatenate([est.difficulty[:-1], est.thresholds[:-1]])


@pytest.mark.parametrize("n_items, m, missing", [(10, 4, 0.05), (3, 2, 0.2), (2, 3, 0.0),
                                                 (5, 1, 0.1)])
def test_analytic_gradient_and_hessian_match_finite_differences(n_items, m, missing):
    # odd and tiny numbers of items exercise the two blocks (one item, an empty slot); m = 1 is
    # the dichotomous model
    rng = np.random.default_rng(7 + n_items)
    X = simulate_rating_scale(rng.normal(0, 1, 400), np.linspace(-0.8, 0.8, n_items),
                              np.linspace(-0.6, 0.6, m), rng=rng, missing=missing)
    X = X[~np.isnan(X).all(axis=1)]
    d = _design(X, m)
    p = rng.normal(0, 0.4, n_items - 1 + max(m - 1, 0))
    _, g, H = cml._objective(p, d, n_items)
    h = 1e-5
    E = np.eye(p.size) * h
    fd_g = np.array([(cml._objective(p + e, d, n_items, derivatives=False)[0]
                      - cml._objective(p - e, d, n_items, derivatives=False)[0]) / (2 * h)
                     for e in E])
    np.testing.assert_allclose(g, fd_g, rtol=1e-7, atol=1e-5)
    fd_H = np.array([(cml._objective(p + e, d, n_items)[1] - cml._objective(p - e, d, n_items)[1])
                     / (2 * h) for e in E])
    # central differences of the analytic gradient: error O(h^2) ~ 1e-8 of |H|
    np.testing.assert_allclose(H, fd_H, rtol=1e-6, atol=1e-7 * np.abs(H).max())


def test_gradient_vanishes_at_the_estimate():
    ref, df = _reference("simulated")
    X = df.to_numpy(float)
    est = cml_rating_scale(X, n_categories=5)
    _, g, _ = cml._objective(_free(est), _design(X, 4), 10)
    assert np.max(np.abs(g)) < 1e-6


def _brute_gamma(b, present):
    """gamma_r over the present items by enumerating every response vector."""
    items = np.flatnonzero(present)
    m = b.shape[1] - 1
    gam = np.zeros(m * len(present) + 1)
    for x in itertools.product(range(m + 1), repeat=len(items)):
        gam[sum(x)] += np.exp(sum(b[i, h] for i, h in zip(items, x)))
    return gam


def test_two_block_esf_matches_brute_force_enumeration():
    # each (pattern, score) row's log gamma_r from the two blocks' polynomials equals the sum
    # over every response vector with that score; 5 items (blocks of 3 and 2), codes 0-3
    rng = np.random.default_rng(3)
    X = simulate_rating_scale(rng.normal(0, 1, 300), np.linspace(-1, 1, 5),
                              np.array([-0.8, 0.1, 0.7]), rng=rng, missing=0.3)
    X = X[~np.isnan(X).all(axis=1)]
    d = _design(X, 3)
    assert d.n_patterns > 10
    b = cml._item_b(rng.normal(0, 1, 5), np.array([-0.8, 0.1, 0.7]))
    _, parts = cml._loglik_parts(b, d)
    obs = ~np.isnan(X)
    x, score, keep = cml._scores(X, obs, 3)
    checked = set()
    for row in np.flatnonzero(keep):
        key = (tuple(obs[row]), score[row])
        if key in checked:
            continue
        checked.add(key)
        gam = _brute_gamma(b, obs[row])
        k = np.flatnonzero([tuple(np.r_[d.present[a], d.present[bb]][:5]) == key[0]
                            and r == key[1] for a, bb, r in zip(d.row_a, d.row_b, d.row_score)])
        assert k.size == 1
        assert parts["log_gamma"][k[0]] == pytest.approx(np.log(gam[score[row]]), rel=1e-12)
    assert len(checked) == d.row_score.size


def _logspace_esf(b):
    """Reference ESF recursion entirely in log space (logaddexp), one pattern, all items."""
    m = b.shape[1] - 1
    lg = np.array([0.0])
    for bi in b:
        new = np.full(lg.size + m, -np.inf)
        for h in range(m + 1):
            new[h:h + lg.size] = np.logaddexp(new[h:h + lg.size], lg + bi[h])
        lg = new
    return lg


def test_esf_scaling_matches_logspace_recursion():
    # 60 items x 5 categories, difficulties -6..6: gamma_r reaches exp(300) (an unscaled float
    # product would lose gamma_0 = 1 to rounding against it); the rescaled two-block ESFs match
    # a pure log-space recursion, and so does the conditional likelihood
    rng = np.random.default_rng(11)
    delta = np.linspace(-6, 6, 60)
    tau = np.array([-1.0, -0.3, 0.3, 1.0])
    X = _simulate(rng, rng.normal(0, 3, 300), delta, tau)
    b = cml._item_b(delta, tau)
    lg = _logspace_esf(b)
    assert lg.max() > 300
    score = X.sum(axis=1).astype(int)
    keep = (score > 0) & (score < 240)
    naive = sum(b[np.arange(60), X[n].astype(int)].sum() - lg[score[n]]
                for n in np.flatnonzero(keep))
    ll = conditional_loglik(X, n_categories=5, difficulty=delta, thresholds=tau)
    assert ll == pytest.approx(naive, rel=1e-12)
    _, parts = cml._loglik_parts(b, _design(X, 4))
    d = _design(X, 4)
    np.testing.assert_allclose(parts["log_gamma"], lg[d.row_score], rtol=1e-12)
    ll_shift = conditional_loglik(X, n_categories=5, difficulty=delta + 300.0, thresholds=tau)
    assert np.isfinite(ll) and ll == pytest.approx(ll_shift, rel=1e-12)
    est = cml_rating_scale(X, n_categories=5)
    assert est.converged and np.all(np.isfinite(est.difficulty_se))


def test_esf_underflow_is_reported_not_used():
    # documented limit: ESFs spanning more than ~700 nats within one pattern underflow;
    # that is an error naming the cause, never a silently wrong likelihood
    rng = np.random.default_rng(12)
    delta = np.linspace(-12, 12, 100)
    tau = np.array([-1.0, -0.3, 0.3, 1.0])
    X = _simulate(rng, rng.normal(0, 6, 300), delta, tau)
    with pytest.raises(ValueError, match="underflow"):
        conditional_loglik(X, n_categories=5, difficulty=delta, thresholds=tau)


def _naive_loglik(X, delta, tau):
    """Per-person conditional likelihood by brute-force enumeration over that person's items."""
    m = tau.size
    b = cml._item_b(np.asarray(delta, float), np.asarray(tau, float))
    total = 0.0
    for row in X:
        present = ~np.isnan(row)
        r = int(np.nansum(row))
        if r == 0 or r == m * present.sum():
            continue
        num = sum(b[i, int(row[i])] for i in np.flatnonzero(present))
        total += num - np.log(_brute_gamma(b, present)[r])
    return total


def test_missing_patterns_equal_per_person_computation():
    rng = np.random.default_rng(5)
    X = _simulate(rng, rng.normal(0, 1, 60), np.array([-0.5, 0.0, 0.2, 0.3]),
                  np.array([-0.4, 0.4]))
    X[rng.random(X.shape) < 0.25] = np.nan
    X = X[~np.isnan(X).all(axis=1)]
    delta, tau = np.array([-0.7, 0.1, 0.2, 0.4]), np.array([-0.3, 0.3])
    grouped = conditional_loglik(X, n_categories=3, difficulty=delta, thresholds=tau)
    assert grouped == pytest.approx(_naive_loglik(X, delta, tau), abs=1e-10)
    per_row = sum(conditional_loglik(row[None, :], n_categories=3, difficulty=delta,
                                     thresholds=tau) for row in X)
    assert grouped == pytest.approx(per_row, abs=1e-10)
    # the estimate maximises the pattern-grouped likelihood: the naive one is no higher nearby
    est = cml_rating_scale(X, n_categories=3)
    best = _naive_loglik(X, est.difficulty, est.thresholds)
    assert best == pytest.approx(est.llf, abs=1e-10)
    for e in np.eye(4)[:3] * 1e-3:
        d = est.difficulty + e - e.mean()
        assert _naive_loglik(X, d, est.thresholds) < best


def test_standard_errors_equal_exact_information_by_enumeration():
    # the covariance (inverse of the analytic Hessian) against the exact observed information
    # sum_n Cov(d/dp sum_i b_{i,x_i} | r_n, S_n), enumerated response by response
    rng = np.random.default_rng(8)
    X = _simulate(rng, rng.normal(0, 1, 150), np.array([-0.6, -0.1, 0.2, 0.5]),
                  np.array([-0.5, 0.5]))
    X[rng.random(X.shape) < 0.15] = np.nan
    X = X[~np.isnan(X).all(axis=1)]
    est = cml_rating_scale(X, n_categories=3)
    n_items, m = 4, 2
    p_hat = np.concatenate([est.difficulty[:-1], est.thresholds[:-1]])

    def b_of(p):
        return cml._item_b(*cml._unpack(p, n_items, m))

    b = b_of(p_hat)
    A = np.stack([(b_of(e) - b_of(0 * e)).ravel() for e in np.eye(p_hat.size)], axis=1)
    info = np.zeros((p_hat.size, p_hat.size))
    for row in X:
        items = np.flatnonzero(~np.isnan(row))
        r = int(np.nansum(row))
        if r == 0 or r == m * items.size:
            continue
        xs = [x for x in itertools.product(range(m + 1), repeat=items.size) if sum(x) == r]
        t = np.zeros((len(xs), b.size))
        for k, x in enumerate(xs):
            t[k, items * (m + 1) + np.array(x)] = 1.0
        w = np.exp(t @ b.ravel())
        w /= w.sum()
        S = t @ A
        mu = w @ S
        info += (S - mu).T @ ((S - mu) * w[:, None])
    T = cml._full_map(n_items, m)
    cov = T @ np.linalg.inv(info) @ T.T
    # the Hessian is exact (taken at most 1e-7 logits from the estimate): agreement 6e-11
    np.testing.assert_allclose(est.covariance, cov, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(np.r_[est.difficulty_se, est.thresholds_se],
                               np.sqrt(np.diag(cov)), rtol=1e-9)


def test_fit_rating_scale_cml_matches_erm_end_to_end():
    # inhd.rasch.fit_rating_scale(method="cml") (which calls this engine and then measures
    # persons) against eRm::RSM + eRm::person.parameter on the simulated set with missing data
    from inhd.rasch import fit_rating_scale
    ref, df = _reference("simulated")
    tol = TOL["simulated"]
    res = fit_rating_scale(df, method="cml")
    np.testing.assert_allclose(res.items["difficulty"], ref["difficulty"], atol=tol["difficulty"])
    np.testing.assert_allclose(res.thresholds, ref["thresholds"], atol=tol["thresholds"])
    persons = pd.DataFrame(ref["persons"])
    np.testing.assert_allclose(res.persons["measure"].to_numpy()[persons["row"] - 1],
                               persons["theta"], atol=tol["theta"])


def test_input_not_modified():
    ref, df = _reference("simulated")
    X = df.to_numpy(float)
    before = X.copy()
    cml_rating_scale(X, n_categories=5)
    np.testing.assert_array_equal(X, before)          # NaNs in the same places, values equal


def test_convergence_warning_and_flag():
    _, df = _reference("rsmdat")
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        est = cml_rating_scale(df.to_numpy(float), n_categories=4, max_iter=1)
    assert est.converged is False and est.n_iter == 1


def test_dichotomous_and_summary():
    rng = np.random.default_rng(9)
    delta = np.linspace(-1, 1, 5)
    X = _simulate(rng, rng.normal(0, 1, 400), delta, np.array([0.0]))
    est = cml_rating_scale(X, n_categories=2)
    assert isinstance(est, RatingScaleEstimate) and est.converged and est.method == "cml"
    assert np.all(np.abs(est.difficulty - delta) < 3 * est.difficulty_se)
    # the single threshold is fixed at 0 by the sum-to-zero constraint: no SE (as under JMLE)
    assert est.thresholds.tolist() == [0.0] and np.isnan(est.thresholds_se).all()
    assert "conditional log-likelihood" in est.summary()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cml_rating_scale(X, n_categories=2)


def _good():
    return np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1]], float)


def _with(i, j, v):
    X = _good()
    X[i, j] = v
    return X


@pytest.mark.parametrize("X, n_categories, match", [
    (_with(0, 1, 1.5), 3, "integer codes 0..2"),
    (_with(0, 1, 3.0), 3, "row 0, column 1: 3.0"),
    (_with(2, 0, -1.0), 3, "outside"),
    (np.vstack([_good(), [np.nan] * 3]), 3, r"rows \[6\] have no responses"),
    (_good()[0], 3, "must be 2-D"),
    (_good()[:, :1], 3, "at least one person and two items"),
    (_good(), 1, "n_categories must be at least 2"),
    (_good(), 2.5, "n_categories must be an integer"),
    (np.array([[0, 0, 1], [1, 1, 0], [1, 0, 1]], float), 3, "category 2 is never used"),
    (np.array([[0, 1, 2], [0, 2, 1], [0, 1, 1]], float), 3, "item \\(column\\) 0 has only lowest"),
    (np.array([[0, 0, 0], [2, 2, 2]], float), 3, "no person with a non-extreme raw score"),
    ([["a", "b"], ["c", "d"]], 3, "numeric array"),
])
def test_bad_input(X, n_categories, match):
    with pytest.raises(ValueError, match=match):
        cml_rating_scale(X, n_categories=n_categories)


@pytest.mark.parametrize("kwargs, match", [
    ({"tol": 0.0}, "tol must be a positive number"),
    ({"tol": float("nan")}, "tol must be a positive number"),
    ({"max_iter": 0}, "max_iter must be a positive integer"),
    ({"max_iter": 2.5}, "max_iter must be a positive integer"),
])
def test_bad_control_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cml_rating_scale(_good(), n_categories=3, **kwargs)


def test_conditional_loglik_checks_parameter_lengths():
    with pytest.raises(ValueError, match="difficulty must have 3 values and thresholds 2"):
        conditional_loglik(_good(), n_categories=3, difficulty=[0.0, 0.0], thresholds=[0, 0])


def test_disconnected_design_is_refused():
    # two blocks of items never answered by the same persons: the difference between the
    # blocks is not identified
    rng = np.random.default_rng(2)
    A = _simulate(rng, rng.normal(0, 1, 80), np.array([-0.5, 0.5]), np.array([-0.5, 0.5]))
    B = _simulate(rng, rng.normal(0, 1, 80), np.array([-0.3, 0.3]), np.array([-0.5, 0.5]))
    X = np.full((160, 4), np.nan)
    X[:80, :2], X[80:, 2:] = A, B
    with pytest.raises(ValueError, match=r"2 blocks \(columns \[0, 1\]; \[2, 3\]\)"):
        cml_rating_scale(X, n_categories=3)


def test_doctests():
    assert doctest.testmod(cml).failed == 0
