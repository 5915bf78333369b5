"""inhd.item_review: what a researcher judges items by, and the items.csv / thresholds.csv tables."""

import numpy as np
import pandas as pd
import pytest

from inhd.item_review import ITEM_COLUMNS, THRESHOLD_COLUMNS, item_table, review_items, threshold_table
from inhd.rasch import fit_rating_scale
from inhd.rsm import simulate_rating_scale


@pytest.fixture(scope="module")
def survey():
    g = np.random.default_rng(5)
    x = simulate_rating_scale(g.normal(0, 1.5, 500), np.linspace(-1, 1, 6), [-1.5, -0.5, 0.5, 1.5], rng=g)
    data = pd.DataFrame(x + 1, columns=[f"q{j}" for j in range(1, 7)])   # a 1-5 scale
    data["q4"] = 6 - data["q4"]                                           # q4 written the other way round
    return data


def test_a_reverse_keyed_item_is_named_and_recoding_it_turns_its_correlation_positive(survey):
    review = review_items(fit_rating_scale(survey), survey, scale=(1, 5))
    assert review.negative == ("q4",)
    row = review.items.set_index("item").loc["q4"]
    assert row["point_measure_r"] < 0 < row["point_measure_expected"] and row["negative"]
    assert "Negative point-measure correlation: q4 (r = " in review.warnings[0] and "reverse-keyed?" in \
        review.warnings[0] and "recode it as 6 - x (--reverse)" in review.warnings[0]
    fixed = survey.assign(q4=6 - survey["q4"])
    review = review_items(fit_rating_scale(fixed), fixed, scale=(1, 5))
    assert review.negative == () and (review.items["point_measure_r"] > 0.5).all()
    # observed within 4/sqrt(n) of expected on data simulated from the model
    gap = (review.items["point_measure_r"] - review.items["point_measure_expected"]).abs()
    assert (gap < 4 / np.sqrt(len(fixed))).all()
    assert "Every item correlates positively" in review.summary()


def test_categories_of_the_declared_scale_with_unused_ones_noted(survey):
    fixed = survey.assign(q4=6 - survey["q4"])
    review = review_items(fit_rating_scale(fixed), fixed, scale=(1, 7))   # categories 6 and 7: nobody
    cats = review.categories
    assert cats["category"].tolist() == list(range(1, 8)) and review.unused == (6, 7)
    assert cats["n_responses"].sum() == fixed.notna().sum().sum()
    np.testing.assert_array_equal(cats["n_responses"].iloc[:5], [(fixed == c).sum().sum() for c in range(1, 6)])
    assert cats["threshold"].isna().tolist() == [True, False, False, False, False, True, True]
    assert "Categories never chosen: 6, 7 (of the scale 1-7)" in review.warnings[0]


def test_disordered_thresholds_are_flagged():
    g = np.random.default_rng(2)
    x = simulate_rating_scale(g.normal(0, 1, 800), np.linspace(-1, 1, 8), [-0.5, -1.5, 1.5, 0.5], rng=g)
    data = pd.DataFrame(x + 1, columns=[f"q{j}" for j in range(8)])
    review = review_items(fit_rating_scale(data), data, scale=(1, 5))
    assert set(review.disordered) == {3, 5} and review.categories.set_index("category").loc[[3, 5], "disordered"].all()
    assert "the thresholds into categories 3, 5 lie below the ones before them" in " ".join(review.warnings)


def test_item_and_threshold_tables(survey):
    initial = fit_rating_scale(survey)
    final = fit_rating_scale(survey.drop(columns="q4"))
    items = item_table({"initial": initial, "final": final})
    assert list(items.columns) == ITEM_COLUMNS
    assert items.groupby("calibration").size().to_dict() == {"final": 5, "initial": 6}
    assert not items.loc[items["item"] == "q4", "retained"].any() and items.loc[items["item"] != "q4", "retained"].all()
    first = items[items["calibration"] == "initial"].set_index("item")
    np.testing.assert_array_equal(first["difficulty"], initial.items["difficulty"])    # unrounded
    thresholds = threshold_table({"initial": initial, "final": final})
    assert list(thresholds.columns) == THRESHOLD_COLUMNS and thresholds["step"].tolist() == [2, 3, 4, 5] * 2
    np.testing.assert_array_equal(thresholds["threshold"].iloc[:4], initial.thresholds.to_numpy())


def test_an_item_far_below_its_expected_correlation_is_named():
    # five items of one measure and a sixth answered at random: its correlation is near 0 and far
    # below what the model expects of an item of the measure
    g = np.random.default_rng(9)
    x = simulate_rating_scale(g.normal(0, 1.5, 600), np.linspace(-1, 1, 5), [-1.5, 0, 1.5], rng=g)
    data = pd.DataFrame(x + 1, columns=[f"q{j}" for j in range(1, 6)])
    data["noise"] = g.integers(1, 5, len(data))
    review = review_items(fit_rating_scale(data), data, scale=(1, 4))
    row = review.items.set_index("item").loc["noise"]
    assert row["weak"] and not row["negative"] and row["point_measure_r"] < row["point_measure_expected"] / 2
    assert not review.items.set_index("item").drop(index="noise")["weak"].any()
    assert any("less than half its expected value: noise (r = " in w for w in review.warnings)


def test_measure_tables_of_several_measures_and_of_none(survey):
    from inhd.item_review import measure_tables

    a, b = fit_rating_scale(survey[["q1", "q2", "q3"]]), fit_rating_scale(survey[["q5", "q6"]])
    items, thresholds = measure_tables({"a": a, "b": b})
    assert list(items.columns) == ["measure", *ITEM_COLUMNS]
    assert items["measure"].tolist() == ["a"] * 3 + ["b"] * 2
    assert items["item"].tolist() == ["q1", "q2", "q3", "q5", "q6"]
    assert (items["calibration"] == "final").all()
    assert list(thresholds.columns) == ["measure", *THRESHOLD_COLUMNS] and len(thresholds) == 2 * 4
    # every measure a single item (a newcomer's survey of three one-item scores): empty tables, same columns,
    # whose summaries still run (pd.concat of nothing raised "No objects to concatenate")
    items, thresholds = measure_tables({})
    assert items.empty and list(items.columns) == ["measure", *ITEM_COLUMNS]
    assert thresholds.empty and list(thresholds.columns) == ["measure", *THRESHOLD_COLUMNS]
    assert items.groupby("measure").agg(n_items=("item", "size")).empty
