"""Tests of inhd.rsm, the rating-scale core: the category probabilities against the model's
definition written out term by term (the one independent statement of the formula in the test
suite), the fast power route against log-sum-exp, moments against naive sums, the person solve
against a scalar root finder, groups and item links against naive computations, the simulator's
frequencies against the probabilities, and bad input."""

import doctest
import itertools

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from inhd import rsm
from inhd.rsm import (RatingScaleEstimate, category_probabilities, check_responses,
                      linked_items, log_probs, log_weights, moments, pattern_groups, probs,
                      score_moments, simulate_rating_scale, solve_locations)


def _definition(d, tau):
    """P(X = h) = exp(h d - sum_{k<=h} tau_k) / sum_g exp(g d - sum_{k<=g} tau_k), term by term."""
    w = [np.exp(h * d - sum(tau[:h])) for h in range(len(tau) + 1)]
    return np.array(w) / sum(w)


TAU = np.array([-1.3, 0.2, 1.1])


# ------------------------------------------------------------------ probabilities
def test_log_probs_equal_the_definition():
    for d in np.linspace(-6, 6, 25):
        lp, lz = log_probs(d, TAU)
        np.testing.assert_allclose(np.exp(lp), _definition(d, TAU), rtol=1e-13)
        w = [np.exp(h * d - TAU[:h].sum()) for h in range(4)]
        assert lz == pytest.approx(np.log(sum(w)), rel=1e-14)
    np.testing.assert_allclose(log_weights(0.5, TAU), [0.0, 0.5 + 1.3, 1.0 + 1.1, 1.5 - 0.0],
                               rtol=0, atol=1e-15)


@pytest.mark.parametrize("span", [10.0, 400.0])          # the power route, then log-sum-exp
def test_probs_fast_route_equals_log_sum_exp(span):
    d = np.linspace(-span, span, 2001).reshape(23, 87)
    p, lz = probs(d, TAU)
    lp, lz_ref = log_probs(d, TAU)
    np.testing.assert_allclose(p, np.exp(lp), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(lz, lz_ref, rtol=1e-14, atol=1e-12)
    first, lz_first = probs(d, TAU, categories_first=True)
    np.testing.assert_array_equal(first, np.moveaxis(p, -1, 0))
    np.testing.assert_array_equal(lz_first, lz)
    assert np.all(np.isfinite(p)) and np.allclose(p.sum(axis=-1), 1.0, rtol=1e-14)


def test_moments_equal_naive_sums():
    d = np.linspace(-8, 8, 41)
    e, v = score_moments(d, TAU)
    e2, v2 = moments(np.exp(log_probs(d, TAU)[0]))
    for k, dk in enumerate(d):
        p = _definition(dk, TAU)
        h = np.arange(4)
        mean = (h * p).sum()
        assert e[k] == pytest.approx(mean, rel=1e-13, abs=1e-15)
        assert v[k] == pytest.approx(((h - mean) ** 2 * p).sum(), rel=1e-9, abs=1e-15)
        assert e2[k] == pytest.approx(mean, rel=1e-13, abs=1e-15)
    np.testing.assert_allclose(v2, v, rtol=1e-9, atol=1e-15)


def test_category_probabilities_at_thresholds():
    # adjacent categories are equally likely where theta - delta is a threshold
    for k, t in enumerate(TAU):
        p = category_probabilities([t + 0.4], difficulty=0.4, thresholds=TAU)[0]
        assert p[k] == pytest.approx(p[k + 1], rel=1e-13)


# ------------------------------------------------------------------ persons
def test_solve_locations_against_brentq():
    delta = np.array([-1.0, 0.0, 0.5, 2.0])
    tau = np.array([-0.5, 0.5])
    mask = np.array([[1, 1, 1, 1], [1, 0, 1, 1], [1, 1, 1, 1], [0, 1, 1, 0]], dtype=bool)
    target = np.array([3.0, 0.3, 7.7, 2.0])
    b, se, ok = solve_locations(mask, delta, target, tau)
    assert ok
    for r in range(len(target)):
        def f(t, r=r):
            return score_moments(t - delta[mask[r]], tau)[0].sum() - target[r]
        assert b[r] == pytest.approx(brentq(f, -30, 30, xtol=1e-14), abs=1e-9)
        v = sum(((np.arange(3) - (np.arange(3) * _definition(b[r] - dj, tau)).sum()) ** 2
                 * _definition(b[r] - dj, tau)).sum() for dj in delta[mask[r]])
        assert se[r] == pytest.approx(1 / np.sqrt(v), rel=1e-10)


def test_solve_locations_rows_stop_once_converged():
    # 2,000 rows with scores across the range converge in a few Newton steps each (a row that
    # has converged is not moved again: it used to bounce between bisection and Newton)
    rng = np.random.default_rng(0)
    mask = rng.random((2000, 14)) > 0.1
    n = mask.sum(axis=1)
    target = np.minimum(rng.integers(1, 56, 2000), 4 * n - 1).astype(float)
    delta, tau = np.linspace(-1.5, 1.5, 14), np.linspace(-1.2, 1.2, 4)
    b, _, ok = solve_locations(mask, delta, target, tau, max_iter=8)
    assert ok
    e, _ = score_moments(b[:, None] - delta[None, :], tau)
    np.testing.assert_allclose((e * mask).sum(axis=1), target, atol=1e-9)


def test_pattern_groups_against_a_dictionary():
    rng = np.random.default_rng(1)
    mask = rng.random((300, 5)) > 0.3
    target = rng.integers(0, 4, 300).astype(float)
    first, inverse, counts = pattern_groups(mask, target)
    seen = {}
    for r in range(300):
        seen.setdefault((tuple(mask[r]), target[r]), []).append(r)
    assert len(first) == len(seen) and counts.sum() == 300
    for g, f in enumerate(first):
        rows = seen[(tuple(mask[f]), target[f])]
        assert sorted(np.flatnonzero(inverse == g)) == rows and counts[g] == len(rows)


@pytest.mark.parametrize("seed", range(6))
def test_linked_items_against_the_co_occurrence_graph(seed):
    rng = np.random.default_rng(seed)
    n_items = 9
    mask = np.zeros((12, n_items), bool)
    for r in range(12):                       # persons answering 1-3 items: several blocks
        mask[r, rng.choice(n_items, rng.integers(1, 4), replace=False)] = True
    n, labels = linked_items(mask)
    ref_n, ref = connected_components(csr_matrix(mask.T.astype(float) @ mask > 0),
                                      directed=False)
    assert n == ref_n
    for i, j in itertools.combinations(range(n_items), 2):
        assert (labels[i] == labels[j]) == (ref[i] == ref[j])
    assert labels[0] == 0 and set(labels) == set(range(n))


# ------------------------------------------------------------------ simulator
def test_simulated_frequencies_match_the_probabilities():
    n = 40_000
    x = simulate_rating_scale(np.zeros(n), [0.3], TAU, rng=7)[:, 0]
    p = _definition(-0.3, TAU)
    freq = np.bincount(x.astype(int), minlength=4) / n
    assert np.all(np.abs(freq - p) < 3 * np.sqrt(p * (1 - p) / n)), (freq, p)


def test_simulator_is_reproducible_labelled_and_missing_at_the_rate_asked():
    theta = pd.Series(np.linspace(-2, 2, 3000), index=[f"r{k}" for k in range(3000)])
    delta = pd.Series([0.0, 0.5, -0.5], index=["a", "b", "c"])
    x = simulate_rating_scale(theta, delta, TAU, rng=3, missing=0.2, min_category=1)
    y = simulate_rating_scale(theta, delta, TAU, rng=3, missing=0.2, min_category=1)
    pd.testing.assert_frame_equal(x, y)
    assert list(x.columns) == ["a", "b", "c"] and x.index.equals(theta.index)
    rate = x.isna().to_numpy().mean()
    assert abs(rate - 0.2) < 3 * np.sqrt(0.2 * 0.8 / x.size)
    assert set(np.unique(x.stack().dropna())) <= {1.0, 2.0, 3.0, 4.0}


@pytest.mark.parametrize("kwargs, match", [
    ({"missing": 1.0}, "missing must be a probability"),
    ({"discrimination": [1.0, 2.0]}, "discrimination has 2 values for 3 items"),
])
def test_simulator_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        simulate_rating_scale([0.0], [0.0, 0.1, 0.2], TAU, rng=1, **kwargs)


# ------------------------------------------------------------------ input checks
@pytest.mark.parametrize("X, n_categories, match", [
    ([[0, 1.5], [1, 0]], 3, r"row 0, column 1: 1.5"),
    ([[0, 3], [1, 0]], 3, "integer codes 0..2"),
    ([[0, -1], [1, 0]], 3, "outside"),
    ([[0, 1], [np.nan, np.nan]], 3, r"rows \[1\] have no responses"),
    ([0, 1, 2], 3, "must be 2-D"),
    ([[0], [1]], 3, "at least one person and two items"),
    ([[0, 1], [1, 0]], 1, "at least 2"),
    ([[0, 1], [1, 0]], 2.5, "must be an integer"),
    ([["a", "b"]], 3, "numeric array"),
])
def test_check_responses_bad_input(X, n_categories, match):
    with pytest.raises(ValueError, match=match):
        check_responses(X, n_categories=n_categories)


def test_check_responses_returns_the_array_unchanged():
    X = np.array([[0, 1, np.nan], [2, 0, 1]])
    before = X.copy()
    out, obs, m = check_responses(X, n_categories=3)
    assert out is X and m == 2 and obs.tolist() == [[True, True, False], [True, True, True]]
    np.testing.assert_array_equal(X, before)


def test_estimate_summary_and_doctests():
    est = RatingScaleEstimate(method="cml", difficulty=np.array([-0.5, 0.5]),
                              difficulty_se=np.array([0.1, 0.1]), thresholds=np.array([0.0]),
                              thresholds_se=np.array([np.nan]), measures=np.zeros(3),
                              measures_se=np.ones(3), llf=-12.5, converged=True, n_iter=4,
                              n_patterns=1, n_persons=3)
    text = est.summary()
    assert "CML" in text and "conditional log-likelihood -12.500000" in text and "tau 1" in text
    assert doctest.testmod(rsm).failed == 0


# ------------------------------------------------------------------ item-specific thresholds
#: Three items of the partial credit model; the second has 3 categories of the scale's 4.
ITEM_TAU = np.array([[-1.3, 0.2, 1.1], [0.9, -0.4, np.nan], [-0.2, 0.3, 2.5]])


def _pcm_definition(theta, row):
    """P(X = h) of one item, h = 0..its top, term by term: exp(h theta - sum_{k<=h} delta_k),
    each exponent less the largest (so that 400 logits off the scale does not overflow)."""
    steps = row[np.isfinite(row)]
    e = np.array([h * theta - steps[:h].sum() for h in range(steps.size + 1)])
    w = np.exp(e - e.max())
    return w / w.sum()


@pytest.mark.parametrize("span", [6.0, 400.0])          # the power route, then log-sum-exp
def test_item_specific_thresholds_equal_the_definition(span):
    tau = rsm.item_thresholds(ITEM_TAU)
    theta = np.linspace(-span, span, 41)
    p, _ = probs(np.repeat(theta[:, None], 3, axis=1), tau)
    assert p.shape == (41, 3, 4)
    for i in range(3):
        for t, row in zip(theta, p[:, i]):
            want = _pcm_definition(t, ITEM_TAU[i])
            np.testing.assert_allclose(row[:want.size], want, rtol=1e-12, atol=1e-300)
            assert np.all(row[want.size:] == 0.0)            # no category above the top
    # a rating scale is item-specific thresholds that happen to be equal
    same, _ = probs(np.repeat(theta[:, None], 3, axis=1), np.tile(TAU, (3, 1)))
    np.testing.assert_allclose(same, probs(np.repeat(theta[:, None], 3, axis=1), TAU)[0],
                               rtol=1e-14, atol=1e-300)


def test_item_thresholds_and_max_scores():
    tau = rsm.item_thresholds(ITEM_TAU)
    assert np.isinf(tau[1, 2]) and np.isfinite(tau[[0, 2]]).all()
    assert rsm.max_scores(tau, 3).tolist() == [3.0, 2.0, 3.0]
    assert rsm.max_scores(TAU, 4).tolist() == [3.0] * 4
    with pytest.raises(ValueError, match=r"rows \[0\]"):
        rsm.item_thresholds([[np.nan, 1.0], [0.0, 1.0]])     # a gap: steps must come first
    with pytest.raises(ValueError, match="n_categories"):
        rsm.item_thresholds(ITEM_TAU, n_categories=[4, 4, 4])


def test_solve_locations_with_item_specific_thresholds_against_brentq():
    tau = rsm.item_thresholds(ITEM_TAU)
    mask = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 1]], dtype=bool)
    target = np.array([4.0, 0.5, 4.2])                     # row 1: highest score 3 + 2 = 5
    b, se, ok = solve_locations(mask, np.zeros(3), target, tau)
    assert ok
    for r in range(3):
        items = np.flatnonzero(mask[r])

        def f(t, items=items, r=r):
            return sum((np.arange(4)[:_pcm_definition(t, ITEM_TAU[i]).size]
                        * _pcm_definition(t, ITEM_TAU[i])).sum() for i in items) - target[r]
        assert b[r] == pytest.approx(brentq(f, -30, 30, xtol=1e-14), abs=1e-9)
        e, v = score_moments(np.full(items.size, b[r]), tau[items])
        assert e.sum() == pytest.approx(target[r], abs=1e-9)
        assert se[r] == pytest.approx(1 / np.sqrt(v.sum()), rel=1e-12)


def test_simulated_partial_credit_frequencies_match_the_probabilities():
    n = 40_000
    x = simulate_rating_scale(np.full(n, 0.4), np.zeros(3), ITEM_TAU, rng=11)
    for i in range(3):
        p = _pcm_definition(0.4, ITEM_TAU[i])
        freq = np.bincount(x[:, i].astype(int), minlength=4) / n
        assert freq[p.size:].sum() == 0                       # never above the item's top
        assert np.all(np.abs(freq[:p.size] - p) < 3 * np.sqrt(p * (1 - p) / n)), (i, freq, p)
    with pytest.raises(ValueError, match="2 rows for 3 items"):
        simulate_rating_scale([0.0], np.zeros(3), ITEM_TAU[:2], rng=1)


def test_partial_credit_summaries_map_the_flat_thresholds():
    tops = np.array([3, 2, 3])
    flat = ITEM_TAU[np.isfinite(ITEM_TAU)]
    A = np.random.default_rng(0).normal(size=(8, 8))
    cov = A @ A.T
    thr, thr_se, loc, loc_se, full = rsm.partial_credit_summaries(flat, cov, tops, 3)
    np.testing.assert_array_equal(np.isnan(thr), np.isnan(ITEM_TAU))
    np.testing.assert_allclose(loc, np.nanmean(ITEM_TAU, axis=1), rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(thr_se[np.isfinite(ITEM_TAU)], np.sqrt(np.diag(cov)), rtol=1e-14)
    # location 1 is the mean of flat entries 3, 4: its variance by the delta method
    assert loc_se[1] == pytest.approx(np.sqrt(cov[3:5, 3:5].sum() / 4), rel=1e-13)
    assert np.isnan(full[5]).all() and full[0, 0] == cov[0, 0]


def test_partial_credit_estimate_summary():
    est = rsm.PartialCreditEstimate(
        method="cml", thresholds=ITEM_TAU, thresholds_se=np.full((3, 3), 0.1),
        location=np.nanmean(ITEM_TAU, axis=1), location_se=np.full(3, 0.05),
        measures=np.zeros(2), measures_se=np.ones(2), llf=-3.25, converged=True, n_iter=3,
        n_patterns=1, n_persons=2, n_parameters=7)
    text = est.summary()
    assert "Partial credit model, CML" in text and "-3.250000 (7 parameters)" in text
    assert "step 3" in text and "nan" in text
