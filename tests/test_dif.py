"""inhd.dif: DIF by separate calibrations and Andersen's likelihood-ratio test.

Reference values: reference/erm/make_dif_reference.R (eRm 1.0.2, nlm tightened to gradtol 1e-10)
on two real data sets shipped with psychotools, committed as JSON; the tests never need R.
"""

import json

import numpy as np
import pandas as pd
import pytest

from inhd import ROOT
from inhd.cml import conditional_loglik
from inhd.dif import DIFResult, median_split, rating_scale_dif
from inhd.rsm import simulate_rating_scale
from inhd.warnings import InhdWarning

ERM = ROOT / "reference" / "erm"


def _load(name):
    data = pd.read_csv(ERM / f"{name}.csv")
    ref = json.loads((ERM / f"{name}_lrtest.json").read_text())
    return data, data[ref["items"]], ref


@pytest.fixture(scope="module")
def va():
    return _load("verbal_aggression")


@pytest.fixture(scope="module")
def gcbs():
    return _load("gcbs")


@pytest.fixture(scope="module")
def va_gender(va):
    data, X, _ = va
    return rating_scale_dif(X, data["gender"])


@pytest.fixture(scope="module")
def gcbs_gender(gcbs):
    data, X, _ = gcbs
    return rating_scale_dif(X, data["gender"])


def _check_against_erm(res, lr, *, tol_stat=1e-6, tol_loc=2e-6, tol_se=1e-4):
    # eRm::LRtest(...)$LR, $df, $pvalue
    assert res.likelihood_ratio["statistic"] == pytest.approx(lr["statistic"], abs=tol_stat)
    assert res.likelihood_ratio["df"] == lr["df"]
    assert res.likelihood_ratio["p_value"] == pytest.approx(lr["p_value"], abs=1e-9)
    # eRm::LRtest(...)$likgroup and the pooled RSM's loglik
    assert res.groups["llf"].drop("pooled").to_numpy() == pytest.approx(lr["loglik_groups"],
                                                                          abs=1e-6)
    assert res.llf == pytest.approx(lr["loglik_pooled"], abs=1e-6)
    assert res.group_labels == lr["group_labels"]
    assert res.groups["n_persons"].drop("pooled").tolist() == lr["group_sizes"]
    kept = lr["pooled"]["items"]
    for g, ref in zip(lr["group_labels"], lr["groups"]):
        assert ref["items"] == kept
        # per-group centred locations from the group's eRm::RSM fit ($fitobj[[g]]$betapar)
        loc = res.items.loc[kept, f"location_{g}"].to_numpy()
        assert np.max(np.abs(loc - ref["difficulty"])) < tol_loc
        assert np.max(np.abs(res.items.loc[kept, f"se_{g}"] - ref["difficulty_se"])) < tol_se
        # per-group Andrich thresholds
        assert np.max(np.abs(res.thresholds[g].to_numpy() - ref["thresholds"])) < tol_loc
    pooled = res.thresholds["pooled"].to_numpy()
    assert np.max(np.abs(pooled - lr["pooled"]["thresholds"])) < tol_loc


def test_verbal_aggression_by_gender_equals_erm(va, va_gender):
    _, _, ref = va
    lr = ref["lrtest"][0]
    assert lr["split"] == "gender" and lr["excluded_items"] == []
    _check_against_erm(va_gender, lr)
    assert va_gender.converged and va_gender.dropped_items == ()


def test_conspiracist_beliefs_three_groups_with_missing_data_equal_erm(gcbs, gcbs_gender):
    data, X, ref = gcbs
    assert X.isna().sum().sum() == ref["n_missing"] == 106
    lr = ref["lrtest"][0]
    assert lr["group_labels"] == ["female", "male", "other"]
    _check_against_erm(gcbs_gender, lr)
    assert gcbs_gender.likelihood_ratio["df"] == 34          # (3 - 1) * (15 - 1 + 4 - 1)


def test_median_split_matches_erm_and_drops_the_item_erm_drops(va):
    data, X, ref = va
    lr = ref["lrtest"][1]
    assert lr["split"] == "median" and lr["excluded_items"] == ["S3DoShout"]
    split = median_split(X)
    assert (split == "high").astype(int).tolist() == lr["high_group"]
    with pytest.raises(ValueError, match=r"'S3DoShout': group 'low' never used its highest"):
        rating_scale_dif(X, "median")
    with pytest.warns(InhdWarning, match="S3DoShout"):
        res = rating_scale_dif(X, "median", incomplete_items="drop")
    assert res.dropped_items == ("S3DoShout",)
    assert res.items.loc["S3DoShout", "dropped"]
    assert res.items.loc["S3DoShout", ["location_low", "z", "p_value"]].isna().all()
    assert not res.items.drop(index="S3DoShout")["p_adjusted"].isna().any()
    _check_against_erm(res, lr)                              # LR 65.89 on 23 df, as eRm


def test_median_split_with_missing_data_is_per_pattern_as_erm(gcbs):
    _, X, ref = gcbs
    lr = ref["lrtest"][1]
    assert (median_split(X) == "high").astype(int).tolist() == lr["high_group"]
    res = rating_scale_dif(X, "median")
    _check_against_erm(res, lr)


def test_lr_statistic_is_twice_the_gain_in_conditional_loglik(va, va_gender):
    """Cross-check: every log-likelihood recomputed with cml.conditional_loglik."""
    data, X, _ = va
    res = va_gender
    total = 0.0
    for g in res.group_labels:
        Xg = X[data["gender"] == g].to_numpy(float)
        total += conditional_loglik(Xg, n_categories=3,
                                    difficulty=res.items[f"location_{g}"].to_numpy(),
                                    thresholds=res.thresholds[g].to_numpy())
    assert total == pytest.approx(res.groups["llf"].drop("pooled").sum(), abs=1e-8)
    assert res.likelihood_ratio["statistic"] == pytest.approx(2 * (total - res.llf), abs=1e-7)


def test_item_table_columns_and_two_group_wald_identities(va_gender):
    it = va_gender.items
    assert list(it.columns) == [
        "location_female", "location_male", "se_female", "se_male", "n_persons_female",
        "n_persons_male", "contrast", "se", "z", "statistic", "df", "p_value", "p_adjusted",
        "dropped"]
    assert it.index.tolist()[:2] == ["S1WantCurse", "S1DoCurse"]   # the caller's order
    np.testing.assert_allclose(it["contrast"], it["location_male"] - it["location_female"],
                               atol=1e-12)
    np.testing.assert_allclose(it["z"] ** 2, it["statistic"], rtol=1e-10)
    for g in ("female", "male"):
        assert abs(it[f"location_{g}"].mean()) < 1e-10           # centred in each group
    # Holm: the adjusted p-values are monotone in the raw ones, never smaller, at most 1
    order = np.argsort(it["p_value"].to_numpy())
    adj = it["p_adjusted"].to_numpy()[order]
    assert np.all(np.diff(adj) >= -1e-15) and np.all(adj >= it["p_value"].to_numpy()[order])
    assert adj.max() <= 1.0
    assert adj[0] == pytest.approx(len(it) * it["p_value"].min())
    c = va_gender.contrasts
    assert len(c) == len(it) and set(c["reference"]) == {"female"}
    np.testing.assert_allclose(c["z"].to_numpy(), it["z"].to_numpy())
    np.testing.assert_allclose(c["p_value"].to_numpy(), it["p_value"].to_numpy(), rtol=1e-10)


def test_three_groups_wald_chi_square_and_pairwise_contrasts(gcbs_gender):
    it, c = gcbs_gender.items, gcbs_gender.contrasts
    assert it["contrast"].isna().all() and (it["df"] == 2).all()
    assert len(c) == 3 * len(it)
    assert set(zip(c["reference"], c["group"])) == {("female", "male"), ("female", "other"),
                                                    ("male", "other")}
    # direct: precision-weighted chi-square around the weighted mean, for one item
    row = it.loc["q3"]
    d = np.array([row[f"location_{g}"] for g in ("female", "male", "other")])
    s = np.array([row[f"se_{g}"] for g in ("female", "male", "other")])
    centre = np.sum(d / s**2) / np.sum(1 / s**2)
    assert row["statistic"] == pytest.approx(np.sum((d - centre) ** 2 / s**2), rel=1e-12)


def _two_groups(n, shift, *, item=2, seed=7):
    rng = np.random.default_rng(seed)
    delta = np.linspace(-1.5, 1.5, 12)
    tau = [-1.0, 0.0, 1.0]
    ref = simulate_rating_scale(rng.normal(0, 1.2, n), delta, tau, rng=rng)
    d2 = delta.copy()
    d2[item] += shift
    foc = simulate_rating_scale(rng.normal(0.5, 1.2, n), d2, tau, rng=rng)
    X = pd.DataFrame(np.vstack([ref, foc]), columns=[f"i{j:02d}" for j in range(12)])
    return X, np.repeat(["reference", "focal"], n), delta


def test_planted_dif_item_is_found_and_its_contrast_recovered():
    shift = 1.0
    X, groups, _ = _two_groups(800, shift)
    res = rating_scale_dif(X, pd.Categorical(groups, categories=["reference", "focal"]))
    it = res.items
    assert it["statistic"].idxmax() == "i02"
    assert it.loc["i02", "p_adjusted"] < 1e-3
    assert (it.drop(index="i02")["p_adjusted"] > 0.05).all()
    # centred within groups, the planted item moves by shift (1 - 1/k), the others by -shift/k
    k = X.shape[1]
    truth = np.full(k, -shift / k)
    truth[2] += shift
    err = np.abs(it["contrast"].to_numpy() - truth) / it["se"].to_numpy()
    assert err.max() < 3.5                                 # 3.5 SE over 12 items
    assert res.likelihood_ratio["p_value"] < 1e-6


def test_no_dif_gives_a_quiet_likelihood_ratio():
    X, groups, _ = _two_groups(500, 0.0, seed=11)
    res = rating_scale_dif(X, groups)
    df = res.likelihood_ratio["df"]
    assert df == 13                                         # (12 - 1) + (3 - 1)
    assert res.likelihood_ratio["statistic"] < 34.5        # chi2(13) 99.9% quantile
    assert (res.items["p_adjusted"] > 0.05).all()


def test_jmle_gives_locations_but_no_andersen_test(va, va_gender):
    data, X, _ = va
    res = rating_scale_dif(X, data["gender"], method="jmle")
    assert res.likelihood_ratio.isna().all()
    assert "not available" in res.summary()
    for g in ("female", "male"):
        r = np.corrcoef(res.items[f"location_{g}"], va_gender.items[f"location_{g}"])[0, 1]
        assert r > 0.99
        assert abs(res.items[f"location_{g}"].mean()) < 1e-10


def test_inputs_are_not_modified(va):
    data, X, _ = va
    X0, g0 = X.copy(), data["gender"].copy()
    rating_scale_dif(X, data["gender"], adjust="none")
    pd.testing.assert_frame_equal(X, X0)
    pd.testing.assert_series_equal(data["gender"], g0)


def test_groups_series_is_aligned_by_index(va, va_gender):
    data, X, _ = va
    shuffled = data["gender"].sample(frac=1.0, random_state=3)
    res = rating_scale_dif(X, shuffled)
    assert res.likelihood_ratio["statistic"] == pytest.approx(
        va_gender.likelihood_ratio["statistic"], abs=1e-9)


def _small():
    X, groups, _ = _two_groups(60, 0.0, seed=5)
    return X, groups


@pytest.mark.parametrize("change, match", [
    (lambda X, g: (X.to_numpy(), g), "must be a pandas DataFrame"),
    (lambda X, g: (X, g[:-1]), "one label per row"),
    (lambda X, g: (X, np.where(np.arange(len(g)) == 3, None, g)), r"missing for 1 respondent"),
    (lambda X, g: (X, np.repeat("a", len(g))), "at least two groups"),
    (lambda X, g: (X, "mean"), "or 'median'"),
    (lambda X, g: (X, np.where(g == "focal", "pooled", g)), "'pooled' is reserved"),
    (lambda X, g: (X.assign(i00=X["i00"] + 0.5), g), "non-integer codes"),
    (lambda X, g: (X, np.where(np.arange(len(g)) < 10, "tiny", g)), "fewer than min_persons"),
])
def test_bad_inputs_are_refused(change, match):
    X, g = _small()
    data, groups = change(X, g)
    with pytest.raises((ValueError, TypeError), match=match):
        rating_scale_dif(data, groups)


@pytest.mark.parametrize("kwargs, match", [
    ({"method": "mml"}, "method must be"),
    ({"adjust": "sidak"}, "adjust must be one of"),
    ({"incomplete_items": "keep"}, "incomplete_items must be"),
    ({"min_persons": 1}, "min_persons must be"),
])
def test_bad_options_are_refused(kwargs, match):
    X, g = _small()
    with pytest.raises(ValueError, match=match):
        rating_scale_dif(X, g, **kwargs)


def test_a_category_unused_in_one_group_is_refused_with_advice(va):
    """eRm::LRtest fits such a group anyway (its thresholds run off to about -26 logits with
    NaN SEs on these data); we refuse and say what to do."""
    data, X, _ = va
    X = X.copy()
    male = data["gender"] == "male"
    X.loc[male] = X.loc[male].replace(1, 2)            # the men's "perhaps" read as "yes"
    for option in ("raise", "drop"):
        with pytest.raises(ValueError, match=r"in group 'male' no non-extreme person used "
                                             r"category 1 .*collapse_categories"):
            rating_scale_dif(X, data["gender"], incomplete_items=option)


def test_an_item_nobody_in_a_group_answered(va):
    data, X, _ = va
    X = X.copy()
    X.loc[data["gender"] == "male", "S1DoCurse"] = np.nan
    with pytest.raises(ValueError, match=r"'S1DoCurse': nobody in group 'male' answered it"):
        rating_scale_dif(X, data["gender"])
    with pytest.warns(InhdWarning):
        res = rating_scale_dif(X, data["gender"], incomplete_items="drop")
    assert res.items.loc["S1DoCurse", "n_persons_male"] == 0
    assert res.likelihood_ratio["df"] == 23


def test_summary_and_plot(va_gender):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = va_gender.summary()
    assert "chi2(24) = 90.544" in text and "female (n = 243)" in text
    ax = va_gender.plot_locations()
    assert ax.get_xlabel().startswith("item location, female")
    # one error-bar container for the male group, and the flagged items named
    assert len(ax.containers) == 1
    named = {t.get_text() for t in ax.texts}
    assert named == set(va_gender.items.index[va_gender.items["p_adjusted"] < 0.05])
    assert "S2DoCurse" in named
    ax2 = va_gender.plot_locations(reference="male", label="none")
    assert len(ax2.texts) == 0 and ax2.get_xlabel().startswith("item location, male")
    with pytest.raises(ValueError, match="reference must be one of"):
        va_gender.plot_locations(reference="nobody")
    plt.close("all")


def test_result_is_frozen(va_gender):
    assert isinstance(va_gender, DIFResult)
    with pytest.raises(Exception):
        va_gender.method = "jmle"
