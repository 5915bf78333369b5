"""Tests of inhd.scales: the four ordered categories and the 0-10 reporting scale.

Cut points are checked against the model's expected scores (an analytic property, to 1e-9); the
categorisation and distribution against hand counts; the 0-10 map for linearity, its inverse and
the one convention for its ends.
"""

import numpy as np
import pandas as pd
import pytest

from inhd.rasch import fit_rating_scale
from inhd.rsm import category_probabilities, moments, score_moments, simulate_rating_scale
from inhd.scales import (FOUR_CATEGORIES, four_categories, four_category_cuts,
                         four_category_distribution, on_0_10_scale, reporting_range,
                         rescale_logits)


def test_four_category_cuts_are_half_point_thresholds():
    tau = np.array([-1.2, 0.1, 1.1])
    cuts = four_category_cuts(tau)
    for c, s in zip(cuts, (0.5, 1.5, 2.5)):
        e, _ = moments(category_probabilities([c], thresholds=tau))
        assert e[0] == pytest.approx(s, abs=1e-9)         # expected score at the cut
    assert np.all(np.diff(cuts) > 0)
    np.testing.assert_allclose(four_category_cuts(tau, method="andrich", difficulty=0.5), tau + 0.5)
    five = four_category_cuts([-2, -0.5, 0.5, 2])
    e, _ = moments(category_probabilities(five, thresholds=[-2, -0.5, 0.5, 2]))
    np.testing.assert_allclose(e, [0.5, 2.0, 3.5], atol=1e-9)     # (0.5, m/2, m - 0.5), m = 4
    custom = four_category_cuts([-2, -0.5, 0.5, 2], scores=(1.5, 2.5, 3.5))
    assert custom.size == 3 and np.all(np.diff(custom) > 0) and custom[0] > five[0]
    # cuts for an item of difficulty d are the mean item's cuts shifted by d
    np.testing.assert_allclose(four_category_cuts(tau, difficulty=0.7), cuts + 0.7, atol=1e-9)


def test_a_dichotomy_is_cut_at_the_quartiles_of_the_expected_score():
    # our reconstruction for 0-1 items: a 25%, 50% and 75% chance of a 1 on the mean item
    cuts = four_category_cuts([0.0])
    e, _ = moments(category_probabilities(cuts, thresholds=[0.0]))
    np.testing.assert_allclose(e, [0.25, 0.5, 0.75], atol=1e-9)          # expected score (chance of a 1)
    np.testing.assert_allclose(cuts, [-np.log(3), 0.0, np.log(3)], atol=1e-9)   # closed form, logit(p)
    np.testing.assert_allclose(four_category_cuts([0.0], difficulty=0.4), cuts + 0.4, atol=1e-9)
    assert list(four_categories([-2.0, -0.5, 0.5, 2.0], cuts)) == list(FOUR_CATEGORIES)


@pytest.mark.parametrize("kwargs, match", [
    ({"thresholds": []}, "no threshold"),
    ({"thresholds": [-1, 1], "method": "andrich"}, "four-category"),
    ({"thresholds": [-1, 0, 1], "method": "median"}, "method must be"),
    ({"thresholds": [-1, 0, 1], "scores": (0.5, 0.4, 2.5)}, "increasing"),
])
def test_four_category_cuts_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        four_category_cuts(**kwargs)


def test_four_categories_put_a_measure_on_a_cut_in_the_upper_category():
    cats = four_categories([-1.0, -0.999, 0.0, 1.0, 5.0, -7.0], [-1.0, 0.0, 1.0])
    assert list(cats) == ["low-middle", "low-middle", "high-middle", "high", "high", "low"]
    assert list(cats.categories) == list(FOUR_CATEGORIES) and cats.ordered


def test_four_category_distribution_hand_counts():
    measures = np.array([-3.0, -1.0, -0.5, 0.2, 0.9, 2.0, 2.5, 3.0])
    groups = ["low five"] * 4 + ["high five"] * 4
    dist = four_category_distribution(measures, groups, [-0.8, 0.0, 1.0])
    assert list(dist.columns) == ["group", "category", "n_persons", "n_persons_group", "proportion"]
    low = dist[dist["group"] == "low five"].set_index("category")["n_persons"]
    assert low.to_dict() == {"low": 2, "low-middle": 1, "high-middle": 1, "high": 0}
    high = dist[dist["group"] == "high five"].set_index("category")["n_persons"]
    assert high.to_dict() == {"low": 0, "low-middle": 0, "high-middle": 1, "high": 3}
    assert (dist["n_persons_group"] == 4).all()
    np.testing.assert_allclose(dist.groupby("group")["proportion"].sum(), 1.0, rtol=1e-15)


@pytest.mark.parametrize("measures, groups, cuts, match", [
    ([0.0, np.nan], ["a", "b"], [-1, 0, 1], "missing measure"),
    ([0.0, 1.0], ["a"], [-1, 0, 1], "differ in length"),
    ([0.0, 1.0], ["a", "b"], [1, 0, -1], "increasing"),
    ([0.0, 1.0], ["a", "b"], [0, 1], "3 increasing"),
])
def test_four_category_distribution_bad_input(measures, groups, cuts, match):
    with pytest.raises(ValueError, match=match):
        four_category_distribution(measures, groups, cuts)


def test_rescale_logits_is_linear_and_invertible():
    x = np.array([-2.0, 0.5, 3.0])
    y = rescale_logits(x, low=-2, high=3)
    np.testing.assert_allclose(y, [0.0, 5.0, 10.0], atol=1e-14)
    np.testing.assert_allclose(rescale_logits(y, low=-2, high=3, inverse=True), x, atol=1e-14)
    assert rescale_logits(0.5, low=-2, high=3, difference=True) == pytest.approx(1.0, abs=1e-15)
    assert rescale_logits(1.0, low=-2, high=3, difference=True, inverse=True) == pytest.approx(0.5)
    s = pd.Series(x, index=["a", "b", "c"], name="eb")
    out = rescale_logits(s, low=-2, high=3)
    assert list(out.index) == ["a", "b", "c"] and out.name == "eb"
    assert rescale_logits(-3.0, low=-2, high=3) == pytest.approx(-2.0)    # nothing is clipped
    with pytest.raises(ValueError, match="low < high"):
        rescale_logits(x, low=1, high=1)


def test_reporting_range_is_the_measures_of_the_extreme_adjusted_scores():
    d = pd.Series([-1.0, 0.2, np.nan, 0.8], index=list("abcd"))     # c: an item dropped as empty
    tau = pd.Series([-1.5, 0.1, 1.4])
    low, high = reporting_range(d, tau)
    finite = d.dropna().to_numpy()
    # the expected raw score on the three items at low is 0.3, at high 9 - 0.3
    for location, score in ((low, 0.3), (high, 3 * 3 - 0.3)):
        e, _ = score_moments(location - finite, tau.to_numpy())
        assert e.sum() == pytest.approx(score, abs=1e-9)
    wider = reporting_range(d, tau, extreme_adjustment=0.1)
    assert wider[0] < low and wider[1] > high
    for bad, match in (([np.nan], "no finite item difficulty"), ((d, [0.0, np.nan]), "finite thresholds")):
        args = (bad, tau) if match.startswith("no") else bad
        with pytest.raises(ValueError, match=match):
            reporting_range(*args)
    with pytest.raises(ValueError, match="extreme_adjustment"):
        reporting_range(d, tau, extreme_adjustment=1.0)


@pytest.mark.parametrize("method", ["jmle", "cml"])
def test_reporting_range_equals_complete_extreme_responders_measures(method):
    """The ends of the 0-10 scale are where the calibration puts a respondent who answered every item
    in the bottom (top) category: the range is the model's, not any respondent's."""
    rng = np.random.default_rng(11)
    x = pd.DataFrame(simulate_rating_scale(rng.normal(0, 2.5, 600), np.linspace(-1, 1, 6), [-1.0, 0.0, 1.0],
                                           rng=rng))
    x.iloc[0], x.iloc[1] = 0, 3                         # one complete responder at each extreme
    fit = fit_rating_scale(x, method=method)
    low, high = reporting_range(fit.items["difficulty"], fit.thresholds,
                                extreme_adjustment=fit.extreme_adjustment)
    assert fit.reporting_range() == (low, high)
    persons = fit.persons
    assert persons.loc[0, "extreme"] and persons.loc[1, "extreme"]
    assert low == pytest.approx(persons.loc[0, "measure"], abs=1e-8)
    assert high == pytest.approx(persons.loc[1, "measure"], abs=1e-8)
    non_extreme = persons.loc[~persons["extreme"], "measure"]
    assert low < non_extreme.min() and non_extreme.max() < high


def test_on_0_10_scale_adds_suffixed_columns_and_keeps_the_input():
    t = pd.DataFrame({"network_id": ["a", "b"], "mean": [-1.0, 3.0], "se": [0.2, 0.5]})
    before = t.copy()
    out = on_0_10_scale(t, low=-1.0, high=3.0)
    assert list(out.columns) == ["network_id", "mean", "se", "mean_0_10", "se_0_10"]
    np.testing.assert_allclose(out["mean_0_10"], [0.0, 10.0], atol=1e-14)
    np.testing.assert_allclose(out["se_0_10"], [0.5, 1.25], atol=1e-14)
    pd.testing.assert_frame_equal(t, before)
    with pytest.raises(ValueError, match="'se'"):
        on_0_10_scale(t.drop(columns="se"), low=0, high=1)
