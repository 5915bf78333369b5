"""inhd.categories: category diagnostics (Winsteps Table 3.2) and collapsing categories.

Evidence: Facets' printed category table for Liking for Science
(reference/winsteps/lfs_published.json), a direct loop, and simulated scales with a planted
empty, rare, mis-ordered or never-modal category.
"""

import json

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR, ROOT
from inhd.categories import CategoryDiagnostics, category_diagnostics, collapse_categories
from inhd.rasch import fit_rating_scale
from inhd.rsm import category_probabilities, simulate_rating_scale

FACETS = json.loads((ROOT / "reference" / "winsteps" / "lfs_published.json").read_text())[
    "facets_table_8_1"]


@pytest.fixture(scope="module")
def lfs():
    data = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    return data, fit_rating_scale(data)


def test_liking_for_science_matches_the_published_category_table(lfs):
    data, res = lfs
    c = category_diagnostics(data, result=res).categories
    assert c["count"].tolist() == FACETS["count"]                      # exact
    # Facets' estimates stop short of exact convergence (its thresholds are -0.85/0.85, ours
    # -0.86/0.86): averages agree within 0.025 logits, outfits within the printed rounding
    np.testing.assert_allclose(c["observed_average"], FACETS["observed_average"], atol=0.025)
    np.testing.assert_allclose(c["expected_average"], FACETS["expected_average"], atol=0.025)
    np.testing.assert_allclose(c["outfit"], FACETS["outfit"], atol=0.05)
    np.testing.assert_allclose(c["threshold"].iloc[1:], FACETS["threshold"][1:], atol=0.02)
    np.testing.assert_allclose(c["threshold_se"].iloc[1:], FACETS["threshold_se"][1:],
                               atol=0.01)
    assert c["percent"].sum() == pytest.approx(100)


def test_category_statistics_equal_a_direct_loop(lfs):
    data, res = lfs
    c = category_diagnostics(data, result=res).categories
    tau = res.thresholds.to_numpy()
    persons = res.persons.index[~res.persons["extreme"]]
    obs_sum, n = np.zeros(3), np.zeros(3)
    exp_num, exp_den = np.zeros(3), np.zeros(3)
    z2_obs, z2_exp = np.zeros(3), np.zeros(3)
    for p in persons:
        for i in data.columns:
            beta = res.persons.loc[p, "measure"] - res.items.loc[i, "difficulty"]
            pr = category_probabilities([beta], thresholds=tau)[0]
            e = pr @ np.arange(3)
            w = pr @ (np.arange(3) - e) ** 2
            x = int(data.loc[p, i])
            obs_sum[x] += beta
            n[x] += 1
            z2_obs[x] += (x - e) ** 2 / w
            for k in range(3):
                exp_num[k] += pr[k] * beta
                exp_den[k] += pr[k]
                z2_exp[k] += pr[k] * (k - e) ** 2 / w
    np.testing.assert_allclose(c["observed_average"], obs_sum / n, atol=1e-12)
    np.testing.assert_allclose(c["expected_average"], exp_num / exp_den, atol=1e-12)
    np.testing.assert_allclose(c["outfit"], z2_obs / z2_exp, atol=1e-12)
    np.testing.assert_allclose(c["count"], n)


def test_an_empty_category_is_reported_not_calibrated_and_a_collapse_restores_the_scale(lfs):
    data, _ = lfs
    shifted = data + 1                                  # codes 1-3 on a 0-3 scale: 0 unused
    with pytest.raises(ValueError, match="never occur"):
        fit_rating_scale(shifted, min_category=0, n_categories=4)
    diag = category_diagnostics(shifted, min_category=0, n_categories=4)
    assert not diag.calibrated and not diag.ok
    assert diag.categories["empty"].tolist() == [True, False, False, False]
    assert diag.categories["observed_average"].isna().all()
    assert diag.suggested_mapping == {0: 0, 1: 0, 2: 1, 3: 2}
    assert any("never used" in a for a in diag.advice)
    fixed = collapse_categories(shifted, diag.suggested_mapping)
    pd.testing.assert_frame_equal(fixed, data.astype(float))          # back to LFS exactly
    assert category_diagnostics(fixed).ok


def _scale(tau, *, n=300, seed=6, sd=1.0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(simulate_rating_scale(rng.normal(0, sd, n), np.linspace(-1, 1, 10), tau,
                                              rng=rng),
                        columns=[f"q{j}" for j in range(10)])


def test_a_rare_category_is_flagged_and_collapsing_it_removes_an_absurd_threshold():
    X = _scale([-1.5, -0.5, 0.5, 6.5])                  # the top category almost never used
    diag = category_diagnostics(X)
    c = diag.categories
    assert c.loc[4, "count"] < 10 and c.loc[4, "few"]
    assert c.loc[4, "threshold"] > 5 and c.loc[4, "threshold_se"] > 2 * c.loc[3, "threshold_se"]
    assert diag.suggested_mapping == {0: 0, 1: 1, 2: 2, 3: 3, 4: 3}
    after = category_diagnostics(collapse_categories(X, diag.suggested_mapping))
    assert after.ok and len(after.categories) == 4
    assert after.categories["threshold"].abs().max() < 2


def test_disordered_thresholds_are_flagged_with_the_never_modal_category():
    X = _scale([0.5, -0.5, 0.0], seed=5, sd=1.2)        # category 1 is nowhere the most probable
    diag = category_diagnostics(X)
    c = diag.categories
    assert c["disordered_threshold"].tolist() == [False, False, True, False]
    assert not c["disordered_average"].any()
    assert any("category 1 is nowhere the most probable" in a for a in diag.advice)
    assert diag.suggested_mapping == {0: 0, 1: 1, 2: 1, 3: 2}


def test_mis_ordered_categories_give_disordered_averages():
    rng = np.random.default_rng(5)
    X = pd.DataFrame(simulate_rating_scale(rng.normal(0, 1.5, 500), np.linspace(-1, 1, 10),
                                           [-1, 0, 1], rng=rng))
    swapped = X.replace({1: 2, 2: 1})                   # "1" and "2" mis-keyed
    diag = category_diagnostics(swapped)
    assert diag.categories["disordered_average"].tolist() == [False, False, True, False]
    assert diag.suggested_mapping == {0: 0, 1: 1, 2: 1, 3: 2}
    assert category_diagnostics(X).ok                   # the correctly keyed data pass


def test_cml_result_and_min_count(lfs):
    data, _ = lfs
    diag = category_diagnostics(data, method="cml")
    assert isinstance(diag, CategoryDiagnostics) and diag.ok
    strict = category_diagnostics(data, min_count=500)
    assert strict.categories["few"].tolist() == [True, False, False]
    assert strict.suggested_mapping == {0: 0, 1: 0, 2: 1}


def test_collapse_categories_validates_and_never_modifies_its_input():
    x = pd.DataFrame({"a": [1, 2, 5, np.nan], "b": [3, 4, 5, 1], "group": ["u", "v", "u", "v"]})
    before = x.copy()
    out = collapse_categories(x, {1: 1, 2: 1, 3: 2, 4: 3, 5: 4}, columns=["a", "b"])
    pd.testing.assert_frame_equal(x, before)
    assert out["a"].tolist()[:3] == [1.0, 1.0, 4.0] and np.isnan(out["a"].iloc[3])
    assert out["group"].tolist() == ["u", "v", "u", "v"]
    with pytest.raises(ValueError, match=r"no new code for: 4 in b; 5 in a, b"):
        collapse_categories(x, {1: 1, 2: 1, 3: 2}, columns=["a", "b"])
    with pytest.raises(ValueError, match="reverses the order"):
        collapse_categories(x, {1: 2, 2: 1, 3: 3, 4: 4, 5: 5}, columns=["a", "b"])
    with pytest.raises(ValueError, match="gaps"):
        collapse_categories(x, {1: 1, 2: 1, 3: 3, 4: 4, 5: 5}, columns=["a", "b"])
    with pytest.raises(ValueError, match="columns not in responses"):
        collapse_categories(x, {1: 1}, columns=["zz"])
    with pytest.raises(ValueError, match="non-empty dict"):
        collapse_categories(x, [1, 2])
    with pytest.raises(TypeError, match="DataFrame"):
        collapse_categories(x.to_numpy(), {1: 1})


@pytest.mark.parametrize("kwargs, match", [
    ({"min_count": 0}, "min_count"),
    ({"method": "pairwise"}, "method must be"),
    ({"result": "fit"}, "must be a RatingScaleResult"),
    ({"min_category": 1}, "below min_category"),
])
def test_bad_arguments_are_refused(lfs, kwargs, match):
    data, _ = lfs
    with pytest.raises((ValueError, TypeError), match=match):
        category_diagnostics(data, **kwargs)


def test_summary_and_plot(lfs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, res = lfs
    diag = category_diagnostics(data, result=res)
    assert "work as intended" in diag.summary()
    ax = diag.plot_averages()
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_allclose(lines[1].get_ydata(), diag.categories["observed_average"])
    plt.close("all")
