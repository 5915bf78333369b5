"""Tests of inhd.rasch: Winsteps reference values, eRm through the public API, parameter
recovery, fast paths against naive loops (fit statistics, point-measure correlations), anchoring
and bad input. The engines have their own tests (test_jmle.py, test_cml.py, test_rsm.py)."""

import doctest
import json
import warnings

import numpy as np
import pandas as pd
import pytest

import inhd.rasch as rasch
from inhd import DATA_DIR, ROOT
from inhd.cml import cml_rating_scale
from inhd.rasch import (
    RatingScaleResult,
    estimate_persons,
    fit_rating_scale,
    fit_statistics,
)
from inhd.rsm import category_probabilities, simulate_rating_scale
from inhd.warnings import ConvergenceWarning

REF = DATA_DIR / "reference"


def simulate(rng, theta, delta, tau, *, missing=0.0, labels=True):
    """Rating-scale responses by inverse-CDF sampling of the model probabilities."""
    x = simulate_rating_scale(theta, delta, tau, rng=rng, missing=missing)
    frame = pd.DataFrame(x, columns=[f"q{j:02d}" for j in range(delta.size)])
    if labels:
        frame.index = [f"r{n}" for n in range(theta.size)]
    return frame


@pytest.fixture(scope="module")
def kct():
    return (pd.read_csv(REF / "kct.csv"), pd.read_csv(REF / "kct_items_ws.csv"),
            pd.read_csv(REF / "kct_people_ws.csv"))


@pytest.fixture(scope="module")
def kct_fit(kct):
    return fit_rating_scale(kct[0])


# ------------------------------------------------------------------ Winsteps reference values
def test_kct_extreme_status_matches_winsteps(kct, kct_fit):
    _, items_ws, people_ws = kct
    # Winsteps STATUS: 1 = measured, -1/0 = extreme (min/max). Person 35 (3 of 18) is extreme
    # only once items 1-3 (all right) and 18 (all wrong) are set aside: the iteration matters.
    np.testing.assert_array_equal(kct_fit.items["extreme"].to_numpy(), items_ws.STATUS != 1)
    np.testing.assert_array_equal(kct_fit.persons["extreme"].to_numpy(), people_ws.STATUS != 1)


def test_kct_measures_within_winsteps_tolerance(kct, kct_fit):
    _, items_ws, people_ws = kct
    # Winsteps MEASURE (stopped at its default criteria) vs our exactly converged JMLE: within
    # 0.2 logits, extreme-adjusted measures included (data/reference/README.md).
    np.testing.assert_allclose(kct_fit.items["difficulty"], items_ws.MEASURE, atol=0.2)
    np.testing.assert_allclose(kct_fit.persons["measure"], people_ws.MEASURE, atol=0.2)
    # the gap is a uniform few-percent stretch of the scale, not noise
    ratio = kct_fit.items["difficulty"].to_numpy()[3:17] / items_ws.MEASURE.to_numpy()[3:17]
    assert np.all((ratio > 1.0) & (ratio < 1.05))
    # Winsteps ERROR (model SE)
    np.testing.assert_allclose(kct_fit.items["se"], items_ws.ERROR, atol=0.05)
    np.testing.assert_allclose(kct_fit.persons["se"], people_ws.ERROR, atol=0.05)
    # Winsteps SCORE and COUNT
    np.testing.assert_array_equal(kct_fit.items["score"], items_ws.SCORE)
    np.testing.assert_array_equal(kct_fit.persons["raw_score"], people_ws.SCORE)
    np.testing.assert_array_equal(kct_fit.persons["n_items"], people_ws.COUNT)


def test_kct_fit_statistics_at_winsteps_measures(kct):
    data, items_ws, people_ws = kct
    pk, ik = people_ws.STATUS.to_numpy() == 1, items_ws.STATUS.to_numpy() == 1
    fit = fit_statistics(data.loc[pk, data.columns[ik]], measures=people_ws.MEASURE[pk].to_numpy(),
                         difficulties=items_ws.MEASURE[ik].to_numpy(), thresholds=[0.0])
    pairs = ((fit.items, items_ws[ik], "items"), (fit.persons, people_ws[pk], "persons"))
    for ours, ws, name in pairs:
        # IN.MSQ / OUT.MSQ: Winsteps prints measures to 0.01, which alone moves the MSQs ~0.005
        np.testing.assert_allclose(ours["infit"], ws["IN.MSQ"], atol=0.01, err_msg=name)
        np.testing.assert_allclose(ours["outfit"], ws["OUT.MSQ"], atol=0.01, err_msg=name)
        # IN.ZSTD (Wilson-Hilferty)
        np.testing.assert_allclose(ours["infit_z"], ws["IN.ZSTD"], atol=0.015, err_msg=name)
    # OUT.ZSTD persons: exact up to rounding
    np.testing.assert_allclose(fit.persons["outfit_z"], people_ws["OUT.ZSTD"][pk], atol=0.015)
    # OUT.ZSTD items: 9 of 14 within 0.015; five items whose responses include very improbable
    # ones differ by 0.06-0.18 (documented in fit_rating_scale Notes)
    diff = np.abs(fit.items["outfit_z"].to_numpy() - items_ws["OUT.ZSTD"][ik].to_numpy())
    assert np.sum(diff < 0.015) >= 9 and diff.max() < 0.2


def test_kct_persons_given_winsteps_items(kct):
    data, items_ws, people_ws = kct
    ik = items_ws.STATUS.to_numpy() == 1
    p = estimate_persons(data.loc[:, data.columns[ik]],
                         difficulties=items_ws.MEASURE[ik].to_numpy(),
                         thresholds=[0.0], min_category=0)
    # ML persons (and the 0.3-adjusted extreme person) at Winsteps' item measures: within 0.04
    np.testing.assert_allclose(p["measure"], people_ws.MEASURE, atol=0.04)
    np.testing.assert_allclose(p["se"], people_ws.ERROR, atol=0.04)


def test_liking_for_science_thresholds_and_counts():
    res = fit_rating_scale(pd.read_csv(REF / "lfs.csv"))
    # Winsteps manual: Andrich thresholds -0.86, +0.86 for LFS under the rating-scale model
    np.testing.assert_allclose(res.thresholds.to_numpy(), [-0.86, 0.86], atol=0.01)
    # category counts of the non-extreme children: 378, 620, 852
    np.testing.assert_array_equal(res.category_counts.to_numpy(), [378, 620, 852])
    assert res.persons["extreme"].sum() == 1 and res.converged
    assert abs(res.items.loc[~res.items["extreme"], "difficulty"].sum()) < 1e-8
    assert abs(res.thresholds.sum()) < 1e-10
    assert 0.8 < res.person_reliability < 0.95 and res.person_separation > 2


def test_docstring_examples_run():
    assert doctest.testmod(rasch, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


# ------------------------------------------------------------------ parameter recovery
@pytest.fixture(scope="module")
def sim_truth():
    rng = np.random.default_rng(20250101)
    theta = rng.normal(0.3, 1.2, 600)
    delta = np.linspace(-1.5, 1.5, 30)
    delta -= delta.mean()
    tau = np.array([-1.2, 0.1, 1.1])
    data = simulate(rng, theta, delta, tau, missing=0.05)
    return theta, delta, tau, data


@pytest.mark.parametrize("method", ["jmle", "cml"])
def test_recovery_within_3_se(sim_truth, method):
    theta, delta, tau, data = sim_truth
    res = fit_rating_scale(data, method=method)
    assert res.converged
    # JMLE's 1/L bias is < 4% of |delta| <= 1.5 here (L=30), inside the 3 SE bound.
    z = (res.items["difficulty"].to_numpy() - delta) / res.items["se"].to_numpy()
    assert np.all(np.abs(z) < 3), z
    # thresholds: CML is consistent, 3 SE; JMLE stretches them by ~1.5|tau|/L (measured over
    # L = 10, 30, 90 in simulation, see fit_rating_scale Notes), allowed for explicitly
    bias = 0.0 if method == "cml" else 2.0 * np.abs(tau) / delta.size
    err = np.abs(res.thresholds.to_numpy() - tau)
    assert np.all(err < 3 * res.thresholds_se.to_numpy() + bias), err
    # persons: the share outside 3 SE is ~0.3% by sampling; allow 1.5% (binomial, n=600)
    pz = (res.persons["measure"].to_numpy() - theta) / res.persons["se"].to_numpy()
    assert np.mean(np.abs(pz) > 3) < 0.015
    assert res.persons.index.equals(data.index) and res.items.index.equals(data.columns)


# ------------------------------------------------------------------ fast paths vs naive loops
def _naive_fit(data, theta, delta, tau):
    """Infit/outfit and ZSTD (Winsteps' formulas, q capped at sqrt 2) one response at a time."""
    h = np.arange(tau.size + 1)
    cells = {}
    for n in range(data.shape[0]):
        for i in range(data.shape[1]):
            x = data.iat[n, i]
            if np.isnan(x):
                continue
            p = category_probabilities([theta[n]], difficulty=delta[i], thresholds=tau)[0]
            e = (h * p).sum()
            w = ((h - e) ** 2 * p).sum()
            c = ((h - e) ** 4 * p).sum()
            cells[n, i] = ((x - e) ** 2, w, c)

    def stats(keys):
        y2, w, c = np.array([cells[k] for k in keys]).T
        infit, outfit = y2.sum() / w.sum(), (y2 / w).mean()
        q_in = min(np.sqrt((c - w**2).sum()) / w.sum(), np.sqrt(2))
        q_out = min(np.sqrt((c / w**2).sum() / len(w)**2 - 1 / len(w)), np.sqrt(2))
        return [infit, outfit, (np.cbrt(infit) - 1) * 3 / q_in + q_in / 3,
                (np.cbrt(outfit) - 1) * 3 / q_out + q_out / 3]

    items = [stats([k for k in cells if k[1] == i]) for i in range(data.shape[1])]
    persons = [stats([k for k in cells if k[0] == n]) for n in range(data.shape[0])]
    return np.array(items), np.array(persons)


def test_fit_statistics_fast_path_against_naive_loop():
    rng = np.random.default_rng(7)
    delta, tau = np.array([-0.8, 0.0, 0.3, 0.5]), np.array([-1.0, 0.2, 0.8])
    theta = rng.normal(0, 1, 25)
    data = simulate(rng, theta, delta, tau, missing=0.15)
    fit = fit_statistics(data, measures=theta, difficulties=delta, thresholds=tau, min_category=0)
    items, persons = _naive_fit(data, theta, delta, tau)
    cols = ["infit", "outfit", "infit_z", "outfit_z"]
    np.testing.assert_allclose(fit.items[cols].to_numpy(), items, rtol=1e-11)
    np.testing.assert_allclose(fit.persons[cols].to_numpy(), persons, rtol=1e-11, atol=1e-12)
    np.testing.assert_array_equal(fit.items["n_persons"], data.notna().sum())


def _naive_point_measure(data, measure, delta, tau):
    """PTMEA CORR. and EXP. per item by np.corrcoef and the expected-value formula."""
    h = np.arange(tau.size + 1)
    out = []
    for i, col in enumerate(data.columns):
        ok = data[col].notna().to_numpy() & np.isfinite(measure)
        x, b = data[col].to_numpy()[ok], measure[ok]
        r = np.corrcoef(x, b)[0, 1] if x.std() > 0 else np.nan
        p = category_probabilities(b, difficulty=delta[i], thresholds=tau)
        e = p @ h
        w = p @ h**2 - e**2
        r_exp = ((e - e.mean()) * (b - b.mean())).sum() / np.sqrt(
            (((e - e.mean()) ** 2).sum() + w.sum()) * ((b - b.mean()) ** 2).sum())
        out.append((r, r_exp))
    return np.array(out).T


@pytest.mark.parametrize("name", ["kct", "sim"])
def test_point_measure_correlations_against_direct_computation(name, kct, kct_fit, sim_truth):
    if name == "kct":
        data, res = kct[0], kct_fit
    else:
        data = sim_truth[3]
        res = fit_rating_scale(data)
    measure = res.persons["measure"].to_numpy()
    r, r_exp = _naive_point_measure(data - res.min_category, measure,
                                    res.items["difficulty"].to_numpy(), res.thresholds.to_numpy())
    # Winsteps' PTMEA CORR. and EXP. (extreme persons included at their extreme measures)
    np.testing.assert_allclose(res.items["point_measure_r"], r, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.items["point_measure_expected"], r_exp, rtol=1e-12)
    if name == "kct":
        # items 1-3 (all right) and 18 (all wrong): no variation, no correlation
        assert res.items["point_measure_r"].isna().tolist() == [True] * 3 + [False] * 14 + [True]
    else:
        # data that fit the model: observed within sampling error of expected (~1/sqrt(n))
        diff = res.items["point_measure_r"] - res.items["point_measure_expected"]
        assert np.all(np.abs(diff) < 4 / np.sqrt(res.items["n_persons"])), diff


def test_category_probabilities_and_expected_score(kct_fit):
    res = fit_rating_scale(pd.read_csv(REF / "lfs.csv"))
    grid = np.linspace(-30, 30, 13)
    probs = res.category_probabilities(grid)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-12)
    assert list(probs.columns) == [0, 1, 2] and np.all(np.isfinite(probs.to_numpy()))
    e = res.expected_score(grid)
    assert np.all(np.diff(e) > 0) and e[0] == pytest.approx(0, abs=1e-10)
    # at a threshold the adjacent categories are equally probable
    p = res.category_probabilities([res.thresholds.iloc[0]]).to_numpy()[0]
    assert p[0] == pytest.approx(p[1], rel=1e-12)
    text = res.summary()
    assert "JMLE" in text and "reliability" in text and "WATCH A RAT" in text


# ------------------------------------------------------------------ conventions and contracts
def test_codes_labels_and_dropped_rows():
    rng = np.random.default_rng(11)
    data = simulate(rng, rng.normal(0, 1, 150), np.array([-1.0, 0.0, 0.4, 0.6]),
                    np.array([-0.5, 0.5])) + 1          # codes 1..3
    data.loc["empty-1"] = np.nan
    data.loc["empty-2"] = np.nan
    res = fit_rating_scale(data)
    assert res.min_category == 1 and res.n_categories == 3 and res.n_dropped_empty == 2
    assert "empty-1" not in res.persons.index and len(res.persons) == 150
    assert list(res.thresholds.index) == [2, 3]
    shifted = fit_rating_scale(data - 1)
    np.testing.assert_allclose(res.items["difficulty"], shifted.items["difficulty"], atol=1e-10)


def test_inputs_not_modified(sim_truth):
    data = sim_truth[3].iloc[:200].copy()
    before = data.copy()
    res = fit_rating_scale(data)
    pd.testing.assert_frame_equal(data, before)
    estimate_persons(data, difficulties=res.items["difficulty"], thresholds=res.thresholds)
    fit_statistics(data.dropna(), measures=np.zeros(len(data.dropna())),
                   difficulties=res.items["difficulty"], thresholds=res.thresholds)
    pd.testing.assert_frame_equal(data, before)


def test_non_convergence_warns_and_flags(sim_truth):
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        res = fit_rating_scale(sim_truth[3], max_iter=1)
    assert res.converged is False and res.n_iter == 1


# ------------------------------------------------------------------ anchoring
def test_anchored_estimation_reproduces_anchors_and_recovers_persons():
    rng = np.random.default_rng(5)
    delta = np.linspace(-1.2, 1.2, 12)
    tau = np.array([-1.0, 0.0, 1.0])
    calib = fit_rating_scale(simulate(rng, rng.normal(0, 1, 800), delta, tau))
    theta_new = rng.normal(0.5, 1, 300)
    new = simulate(rng, theta_new, delta, tau, missing=0.05)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_rating_scale(new, anchors=calib)
    np.testing.assert_array_equal(res.items["difficulty"], calib.items["difficulty"])
    np.testing.assert_array_equal(res.thresholds, calib.thresholds)
    assert res.items["anchored"].all() and res.converged
    direct = estimate_persons(new, difficulties=calib.items["difficulty"],
                              thresholds=calib.thresholds, min_category=0)
    # the same ML solve (rsm.solve_locations) on the same items: equal to rounding
    np.testing.assert_allclose(res.persons["measure"], direct["measure"], atol=1e-12)
    np.testing.assert_allclose(res.persons["se"], direct["se"], atol=1e-12)
    pz = (res.persons["measure"].to_numpy() - theta_new) / res.persons["se"].to_numpy()
    assert np.mean(np.abs(pz) > 3) < 0.02 and abs(np.mean(pz)) < 3 / np.sqrt(300) + 0.1


def test_partial_anchoring_estimates_the_free_items_in_the_anchored_frame():
    rng = np.random.default_rng(9)
    delta = np.linspace(-1.0, 1.0, 10) + 0.5         # true difficulties NOT centred
    tau = np.array([-0.8, 0.8])
    data = simulate(rng, rng.normal(0.5, 1, 1500), delta, tau)
    anchors = {"difficulty": dict(zip(data.columns[:5], delta[:5])), "thresholds": tau}
    res = fit_rating_scale(data, anchors=anchors)
    np.testing.assert_array_equal(res.items["difficulty"].to_numpy()[:5], delta[:5])
    z = (res.items["difficulty"].to_numpy()[5:] - delta[5:]) / res.items["se"].to_numpy()[5:]
    assert np.all(np.abs(z) < 3), z


def test_estimate_persons_keeps_empty_rows_as_nan():
    data = pd.DataFrame({"a": [0, 1, np.nan, 2], "b": [1, 2, np.nan, 2]}, index=list("wxyz"))
    out = estimate_persons(data, difficulties={"a": 0.2, "b": -0.2}, thresholds=[-0.5, 0.5],
                           min_category=0)
    assert list(out.index) == list("wxyz")
    assert np.isnan(out.loc["y", "measure"]) and out.loc["y", "n_items"] == 0
    assert out.loc["z", "extreme"] and np.isfinite(out.loc["z", "measure"])
    assert out.loc["w", "measure"] < out.loc["x", "measure"] < out.loc["z", "measure"]


# ------------------------------------------------------------------ bad input
GOOD = pd.DataFrame({"a": [0, 1, 2, 1], "b": [1, 0, 2, 2], "c": [2, 1, 0, 1]})


@pytest.mark.parametrize("frame, kwargs, match", [
    (pd.DataFrame(), {}, "empty"),
    (pd.DataFrame({"a": []}, dtype=float), {}, "empty"),
    (GOOD.assign(b=[1, 0.5, 2, 2]), {}, r"non-integer codes 0\.5 \(row 1\)"),
    (GOOD.assign(b=["agree", "no", "yes", "no"]), {}, "column 'b': non-integer"),
    (GOOD.assign(c=[np.inf, 1, 0, 1]), {}, "column 'c'"),
    (GOOD.assign(c=np.nan), {}, r"nobody answered item\(s\) \['c'\]"),
    (pd.DataFrame({"a": [1, 1, 1], "b": [1, 1, np.nan]}), {}, "only one response category"),
    (GOOD, {"n_categories": 2}, "codes above 1"),
    (GOOD, {"min_category": 1}, "below min_category"),
    (GOOD, {"n_categories": 1}, "at least 2"),
    (pd.DataFrame({"a": [0, 2, 2, 0, 2], "b": [2, 0, 2, 0, 0]}), {}, r"category code\(s\) \[1\]"),
    (pd.DataFrame({"a": [0, 1], "b": [0, 1]}), {}, "extreme score"),
    (GOOD, {"method": "mml"}, "method must be"),
    (GOOD, {"extreme_adjustment": 0}, "extreme_adjustment"),
    (GOOD, {"anchors": {"difficulty": {"a": 0.0}}}, "must include 'thresholds'"),
    (GOOD, {"anchors": {"thresholds": [0.0]}}, "scale 0-1 given by the 1 anchored thresholds"),
    (GOOD, {"anchors": {"thresholds": [0.0, np.nan]}}, "must hold 2 finite values"),
    (GOOD, {"anchors": {"difficulty": {"zz": 0.0}, "thresholds": [-1, 1]}}, "not in responses"),
    (GOOD, {"anchors": {"thresholds": [-1, 1]}, "method": "cml"}, "anchors are for JMLE"),
])
def test_bad_input_raises_value_error(frame, kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_rating_scale(frame, **kwargs)


@pytest.mark.parametrize("bad", [np.zeros((3, 2)), [[0, 1], [1, 0]], pd.Series([0, 1])])
def test_non_dataframe_raises_type_error(bad):
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        fit_rating_scale(bad)


def test_all_problems_reported_at_once():
    frame = GOOD.assign(a=[0, 1.5, 2, 1], c=["x", 1, 0, 1])
    with pytest.raises(ValueError, match="column 'a'.*column 'c'"):
        fit_rating_scale(frame)


@pytest.mark.parametrize("kwargs, match", [
    ({"difficulties": [0.0, 0.0], "thresholds": [-1, 1]}, "has 2 values; expected 3"),
    ({"difficulties": {"a": 0.0}, "thresholds": [-1, 1]}, "no value for"),
    ({"difficulties": [0.0, 0.0, np.nan], "thresholds": [-1, 1]}, "finite"),
    ({"difficulties": [0.0, 0.0, 0.0], "thresholds": [np.nan, 1]}, "finite"),
])
def test_estimate_persons_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        estimate_persons(GOOD, **kwargs)


def test_result_is_frozen(kct_fit):
    assert isinstance(kct_fit, RatingScaleResult)
    with pytest.raises(AttributeError):
        kct_fit.converged = False


# ------------------------------------------------------------------ the CML path
def test_cml_path_uses_the_engine_and_measures_persons_by_ml(sim_truth):
    """method='cml': items, thresholds, SEs and llf are inhd.cml's; persons are the ML measures
    given those items (estimate_persons), fit statistics at those measures."""
    data = sim_truth[3]
    res = fit_rating_scale(data, method="cml")
    est = cml_rating_scale(data.to_numpy(float), n_categories=4)
    assert res.method == "cml" and res.n_iter == est.n_iter and res.llf == est.llf
    np.testing.assert_array_equal(res.items["difficulty"], est.difficulty)
    np.testing.assert_array_equal(res.items["se"], est.difficulty_se)
    np.testing.assert_array_equal(res.thresholds_se, est.thresholds_se)
    direct = estimate_persons(data, difficulties=est.difficulty, thresholds=est.thresholds,
                              min_category=0)
    ne = ~res.persons["extreme"].to_numpy()
    np.testing.assert_allclose(res.persons["measure"][ne], direct["measure"][ne], atol=1e-12)
    np.testing.assert_allclose(res.persons["se"][ne], direct["se"][ne], rtol=1e-12)
    np.testing.assert_allclose(res.persons["outfit"][ne], direct["outfit"][ne], rtol=1e-11)


def test_dichotomous_threshold_se_is_nan_under_both_methods(kct):
    # the single threshold of a dichotomy is 0 by the sum-to-zero constraint
    for method in ("jmle", "cml"):
        data = kct[0].iloc[:, 3:17] if method == "cml" else kct[0]
        res = fit_rating_scale(data, method=method)
        assert res.thresholds.tolist() == [0.0] and res.thresholds_se.isna().all(), method


def test_extreme_rows_and_columns_that_only_meet_each_other_are_still_measured():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.integers(0, 3, (30, 4)), columns=list("abcd")).astype(float)
    df["e"] = 2.0                                   # everyone endorses e maximally: extreme item
    df["f"] = np.nan
    df.loc["only-e"] = [np.nan] * 4 + [2.0, np.nan]  # answered only the extreme item
    df.loc["all-max"] = 2.0                         # the only person who answered f
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_rating_scale(df)
    assert res.items.loc[["e", "f"], "extreme"].all()
    assert res.persons.loc[["only-e", "all-max"], "extreme"].all()
    assert np.all(np.isfinite(res.items["difficulty"]))
    assert np.all(np.isfinite(res.persons["measure"]))
    # e is easier than every non-extreme item; "only-e" sits above e (score 1.7 of 2 on it)
    assert res.items.loc["e", "difficulty"] < res.items.loc[list("abcd"), "difficulty"].min()
    assert res.persons.loc["only-e", "measure"] > res.items.loc["e", "difficulty"]
    # f is measured against "all-max" alone: 1.7 of 2 puts it below that person
    assert res.items.loc["f", "difficulty"] < res.persons.loc["all-max", "measure"]


def test_disconnected_design_is_refused():
    rng = np.random.default_rng(1)
    data = simulate(rng, rng.normal(0, 1, 200), np.array([-1, 0, 0.5, 1.0]), np.array([-0.5, 0.5]))
    data.iloc[:100, 2:] = np.nan                    # items q00, q01 and q02, q03 never meet
    data.iloc[100:, :2] = np.nan
    blocks = r"unlinked blocks .*\[\['q00', 'q01'\], \['q02', 'q03'\]\]"
    with pytest.raises(ValueError, match=blocks):
        fit_rating_scale(data)


def test_scoring_a_single_new_respondent_on_an_anchored_scale():
    lfs = pd.read_csv(REF / "lfs.csv")
    calib = fit_rating_scale(lfs)
    one = lfs.iloc[[1]]                              # a child answering every item with 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = fit_rating_scale(one, anchors=calib)   # one category observed: fine when anchored
        direct = estimate_persons(one, difficulties=calib.items["difficulty"],
                                  thresholds=calib.thresholds, min_category=0)
    assert res.persons["extreme"].iloc[0] and res.converged and res.n_iter == 0
    assert res.persons["measure"].iloc[0] == pytest.approx(direct["measure"].iloc[0], abs=1e-12)
    # the 0.3 adjustment: expected score at the measure is 50 - 0.3
    assert res.expected_score(res.persons["measure"], item="all")[0] == pytest.approx(49.7)


def test_nonexistent_jmle_is_flagged_not_reported_as_converged():
    # Everyone answers item "d" with 2 except one respondent who answers 1 there and 0
    # elsewhere: that person and item d run off to -infinity together (no finite JMLE).
    rng = np.random.default_rng(4)
    data = simulate(rng, rng.normal(0, 1, 60), np.array([-0.5, 0.0, 0.5]), np.array([-0.5, 0.5]))
    data["d"] = 2.0
    data.loc["odd"] = [0.0, 0.0, 0.0, 1.0]
    with pytest.warns(ConvergenceWarning, match=r"run off towards infinity \(.*d"):
        res = fit_rating_scale(data)
    assert res.converged is False


#: Agreement with eRm 1.0.2 achieved per data set, times 10 (see tests/test_cml.py)
ERM_TOL = {"lfs": (2e-6, 2e-7, 1.5e-3, 3e-4, 3e-3), "rsmdat": (2e-8, 2e-8, 3e-4, 2e-5, 6e-4),
           "simulated": (7e-5, 2e-4, 3e-4, 5e-4, 3e-3)}


@pytest.mark.parametrize("name", ["lfs", "rsmdat", "simulated"])
def test_cml_through_the_public_api_matches_erm(name):
    """fit_rating_scale(method="cml") vs eRm::RSM + eRm::person.parameter (reference/erm/,
    made by reference/erm/make_reference.R with R 4.2 and eRm 1.0.2)."""
    ref = json.loads((ROOT / "reference" / "erm" / f"{name}_rsm.json").read_text())
    data = pd.read_csv(ROOT / "reference" / "erm" / f"{name}.csv")[ref["items"]]
    d_tol, t_tol, se_tol, th_tol, th_se_tol = ERM_TOL[name]
    res = fit_rating_scale(data, method="cml")
    assert res.converged and res.method == "cml"
    # eRm difficulties (betapar mapped, sum zero) and thresholds
    np.testing.assert_allclose(res.items["difficulty"], ref["difficulty"], atol=d_tol)
    np.testing.assert_allclose(res.thresholds, ref["thresholds"], atol=t_tol)
    # their SEs (delta method on eRm's Hessian), relative
    np.testing.assert_allclose(res.items["se"], ref["difficulty_se"], rtol=se_tol)
    # eRm::person.parameter thetapar / se.theta of the non-extreme persons, on our origin
    persons = pd.DataFrame(ref["persons"])
    rows = persons["row"].to_numpy() - 1
    np.testing.assert_allclose(res.persons["measure"].to_numpy()[rows], persons["theta"],
                               atol=th_tol)
    np.testing.assert_allclose(res.persons["se"].to_numpy()[rows], persons["se_erm"],
                               rtol=th_se_tol)
    assert not res.persons["extreme"].to_numpy()[rows].any()
