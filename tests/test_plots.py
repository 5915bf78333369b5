"""Smoke tests of inhd.plots on the Agg backend, looking at what was drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from inhd import DATA_DIR  # noqa: E402
from inhd.plots import CATERPILLAR_MAX_LABELS, category_curves, plot_caterpillar, plot_four_bar, wright_map  # noqa: E402
from inhd.rasch import fit_rating_scale  # noqa: E402
from inhd.scales import FOUR_CATEGORIES, four_category_distribution  # noqa: E402


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
    # the result's method draws the same map
    method_ax = lfs.plot_wright_map()
    assert method_ax is not ax and len(method_ax.patches) == 30      # wright_map's default bins
    assert len([ln for ln in method_ax.lines if ln.get_marker() == "|"]) == len(lfs.items)
    assert {t.get_text() for t in method_ax.texts} == {t.get_text() for t in ax.texts}


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


def test_four_bar_chart_draws_each_group_and_category():
    measures = np.array([-3.0, -1.0, -0.5, 0.2, 0.9, 2.0, 2.5, 3.0])
    groups = ["low five"] * 4 + ["high five"] * 4
    dist = four_category_distribution(measures, groups, [-0.8, 0.0, 1.0])
    ax = plot_four_bar(dist)
    assert len(ax.patches) == 8
    heights = sorted(p.get_height() for p in ax.patches)
    np.testing.assert_allclose(heights, sorted(100 * dist["proportion"]))
    assert [t.get_text() for t in ax.get_xticklabels()] == list(FOUR_CATEGORIES)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["high five", "low five"]
    with pytest.raises(ValueError, match="proportion"):
        plot_four_bar(dist.drop(columns="proportion"))


def test_plot_caterpillar_sorted_points():
    nets = pd.DataFrame({"network_id": ["a", "b", "c"], "mean": [2.0, -1.0, 0.5],
                         "se": [0.1, 0.2, 0.3]})
    ax = plot_caterpillar(nets, highlight="c")
    y = ax.collections[-1].get_offsets()[:, 1]
    np.testing.assert_allclose(y, [-1.0, 0.5, 2.0])
    colours = ax.collections[-1].get_facecolors()
    assert (colours[1] != colours[0]).any() and (colours[0] == colours[2]).all()   # c highlighted
    assert [t.get_text() for t in ax.get_xticklabels()] == ["b", "c", "a"]
    # the +-2 SE bars: one segment per network, 2 SE either side of its mean
    segments = ax.collections[0].get_segments()
    np.testing.assert_allclose([s[:, 1] for s in segments],
                               [[-1.4, -0.6], [-0.1, 1.1], [1.8, 2.2]], atol=1e-12)
    with pytest.raises(ValueError, match="mean_0_10"):
        plot_caterpillar(nets, estimate="mean_0_10")
    plt.close("all")


def test_plot_caterpillar_labels_only_the_highlighted_network_when_there_are_too_many():
    n = CATERPILLAR_MAX_LABELS + 1
    nets = pd.DataFrame({"network_id": [f"G{i}" for i in range(n)], "mean": np.arange(n, dtype=float),
                         "se": 0.1})
    ax = plot_caterpillar(nets, highlight="G7")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["G7"]
    assert ax.get_xticks().tolist() == [7.0]
    assert f"{n} networks" in ax.get_xlabel()
    ax = plot_caterpillar(nets.head(CATERPILLAR_MAX_LABELS))
    assert len(ax.get_xticklabels()) == CATERPILLAR_MAX_LABELS
    plt.close("all")
