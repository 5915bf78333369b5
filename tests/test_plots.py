"""Smoke tests of inhd.plots on the Agg backend, looking at what was drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from inhd import DATA_DIR  # noqa: E402
from inhd.plots import (  # noqa: E402
    FOUR_CATEGORIES,
    category_curves,
    four_category_cuts,
    four_category_distribution,
    plot_four_bar,
    rescale_logits,
    wright_map,
)
from inhd.rasch import fit_rating_scale  # noqa: E402


@pytest.fixture(scope="module")
def lfs():
    return fit_rating_scale(pd.read_csv(DATA_DIR / "reference" / "lfs.csv"))


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_wright_map_draws_persons_items_thresholds_and_cuts(lfs):
    ax = wright_map(lfs, bins=20, cuts=[-1.0, 0.0, 1.0])
    assert len(ax.patches) == 20                                  # histogram bars
    heights = np.array([p.get_height() for p in ax.patches])
    assert heights.max() == pytest.approx(1.0)                    # scaled to the tallest bin
    names = {t.get_text() for t in ax.texts}
    assert set(lfs.items.index) <= names
    marks = [ln for ln in ax.lines if ln.get_marker() == "|"]
    assert len(marks) == len(lfs.items)
    x = np.concatenate([ln.get_xdata() for ln in marks])
    expected = (lfs.items["difficulty"].to_numpy()[:, None] + lfs.thresholds.to_numpy()).ravel()
    np.testing.assert_allclose(np.sort(x), np.sort(expected))
    dotted = [ln for ln in ax.lines if ln.get_linestyle() == ":"]
    assert sorted(ln.get_xdata()[0] for ln in dotted) == [-1.0, 0.0, 1.0]
    assert lfs.plot_wright_map() is not None


def test_category_curves_one_line_per_category(lfs):
    fig, ax = plt.subplots()
    out = category_curves(lfs, ax=ax)
    assert out is ax
    curves = [ln for ln in ax.lines if ln.get_linestyle() == "-"]
    assert len(curves) == 3
    total = sum(np.asarray(ln.get_ydata()) for ln in curves)
    np.testing.assert_allclose(total, 1.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [f"category {k}" for k in range(3)]
    item_ax = lfs.plot_category_curves()
    assert item_ax.get_xlabel().startswith("measure")


def test_four_category_cuts_are_half_point_thresholds():
    tau = np.array([-1.2, 0.1, 1.1])
    cuts = four_category_cuts(tau)
    from inhd.rsm import category_probabilities, moments as _moments
    for c, s in zip(cuts, (0.5, 1.5, 2.5)):
        e, _ = _moments(category_probabilities([c], thresholds=tau))
        assert e[0] == pytest.approx(s, abs=1e-9)
    assert np.all(np.diff(cuts) > 0)
    np.testing.assert_allclose(four_category_cuts(tau, method="andrich", difficulty=0.5), tau + 0.5)
    five = four_category_cuts([-2, -0.5, 0.5, 2])
    e, _ = _moments(category_probabilities(five, thresholds=[-2, -0.5, 0.5, 2]))
    np.testing.assert_allclose(e, [0.5, 2.0, 3.5], atol=1e-9)     # (0.5, m/2, m - 0.5), m = 4
    custom = four_category_cuts([-2, -0.5, 0.5, 2], scores=(1.5, 2.5, 3.5))
    assert custom.size == 3 and np.all(np.diff(custom) > 0) and custom[0] > five[0]


@pytest.mark.parametrize("kwargs, match", [
    ({"thresholds": [0.0]}, "dichotomy"),
    ({"thresholds": [-1, 1], "method": "andrich"}, "four-category"),
    ({"thresholds": [-1, 0, 1], "method": "median"}, "method must be"),
    ({"thresholds": [-1, 0, 1], "scores": (0.5, 0.4, 2.5)}, "increasing"),
])
def test_four_category_cuts_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        four_category_cuts(**kwargs)


def test_four_category_distribution_and_bar_chart():
    measures = np.array([-3.0, -1.0, -0.5, 0.2, 0.9, 2.0, 2.5, 3.0])
    groups = ["low five"] * 4 + ["high five"] * 4
    dist = four_category_distribution(measures, groups, [-0.8, 0.0, 1.0])
    assert list(dist.columns) == ["group", "category", "n", "n_persons", "proportion"]
    low = dist[dist["group"] == "low five"].set_index("category")["n"]
    assert low.to_dict() == {"low": 2, "low-middle": 1, "high-middle": 1, "high": 0}
    np.testing.assert_allclose(dist.groupby("group")["proportion"].sum(), 1.0)
    ax = plot_four_bar(dist)
    assert len(ax.patches) == 8
    heights = sorted(p.get_height() for p in ax.patches)
    np.testing.assert_allclose(heights, sorted(100 * dist["proportion"]))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(FOUR_CATEGORIES)


@pytest.mark.parametrize("measures, groups, cuts, match", [
    ([0.0, np.nan], ["a", "b"], [-1, 0, 1], "missing measure"),
    ([0.0, 1.0], ["a"], [-1, 0, 1], "differ in length"),
    ([0.0, 1.0], ["a", "b"], [1, 0, -1], "increasing"),
])
def test_four_category_distribution_bad_input(measures, groups, cuts, match):
    with pytest.raises(ValueError, match=match):
        four_category_distribution(measures, groups, cuts)


def test_rescale_logits_is_linear_and_invertible():
    x = np.array([-2.0, 0.5, 3.0])
    y = rescale_logits(x, low=-2, high=3)
    np.testing.assert_allclose(y, [0.0, 5.0, 10.0])
    np.testing.assert_allclose(rescale_logits(y, low=-2, high=3, inverse=True), x)
    assert rescale_logits(0.5, low=-2, high=3, difference=True) == pytest.approx(1.0)
    s = pd.Series(x, index=["a", "b", "c"], name="eb")
    out = rescale_logits(s, low=-2, high=3)
    assert list(out.index) == ["a", "b", "c"] and out.name == "eb"
    with pytest.raises(ValueError, match="low < high"):
        rescale_logits(x, low=1, high=1)


def test_docstring_examples_run():
    import doctest

    import inhd.plots

    assert doctest.testmod(inhd.plots).failed == 0
