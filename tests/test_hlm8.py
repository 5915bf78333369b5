"""Tests of inhd.hlm8 (HLM 8's conventions): term levels, HLM's degrees of freedom checked against
published HLM outputs' df and the issue's Table 4 case, the chi-square tests of the variance
components against a naive dense loop, and their null distribution."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from inhd import ROOT
from inhd.hlm import fit_known_variance

SIM = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")


def _nested(rng, sizes, n_person_terms=0, n_network_terms=0, tau=0.5, sigma2=1.0):
    """Persons in networks of the given sizes with person- and network-level predictors."""
    rng = np.random.default_rng(rng)
    sizes = np.asarray(sizes)
    net = np.repeat(np.arange(len(sizes)), sizes)
    d = pd.DataFrame({"net": net, "v": rng.uniform(0.2, 1.0, net.size)})
    for j in range(n_person_terms):
        d[f"p{j}"] = rng.normal(size=net.size)
    for j in range(n_network_terms):
        d[f"w{j}"] = rng.normal(size=len(sizes))[net]
    d["y"] = (rng.normal(0, np.sqrt(tau), len(sizes))[net] + rng.normal(0, np.sqrt(sigma2), net.size)
              + rng.normal(0, np.sqrt(d["v"])))
    return d


def _formula(d):
    terms = [c for c in d.columns if c[0] in "pwt" and c[1:].isdigit() or c == "t"]
    return "y ~ " + (" + ".join(terms) if terms else "1")


def test_table4_final_model_network_terms_carry_26_df():
    """Issue 13's acceptance: 34 networks, 7 network-level predictors -> 34 - 7 - 1 = 26 df for the
    intercept and every network-level term; person-level terms N - F (2,073 - 17)."""
    sizes = np.full(34, 61)
    sizes[:33] = 61
    sizes[33] = 2073 - 61 * 33
    d = _nested(5, sizes, n_person_terms=9, n_network_terms=7)
    res = fit_known_variance(d, _formula(d), known_variance="v", groups=["net"], method="ML",
                             test="hlm")
    fe = res.fixed_effects
    assert list(fe.columns) == ["estimate", "se", "statistic", "df", "p_value", "ci_low",
                                "ci_high"]
    network = ["Intercept"] + [f"w{j}" for j in range(7)]
    assert (fe.loc[network, "df"] == 26).all()
    assert (fe.drop(index=network)["df"] == 2073 - 17).all()
    assert (res.term_levels[network] == "net").all()
    # t-ratio p-values and intervals on those df
    t = fe["estimate"] / fe["se"]
    np.testing.assert_allclose(fe["p_value"], 2 * stats.t.sf(np.abs(t), fe["df"]), rtol=1e-12)
    np.testing.assert_allclose(fe["ci_high"] - fe["estimate"],
                               stats.t.isf(0.025, fe["df"]) * fe["se"], rtol=1e-12)


@pytest.mark.parametrize("n_rows, n_units, person_terms, expected", [
    # Hox, Multilevel analysis, ch. 4 in HLM (UCLA's textbook examples): 2,000 pupils in 100
    # classes, SEX with a fixed slope: G00 99 df, G10 1998 df
    (2000, 100, 1, {"Intercept": 99, "p0": 1998}),
    # Snijders & Bosker, example 4.2 in HLM: 2,287 pupils in 131 schools, IQ fixed: 130 and 2285
    (2287, 131, 1, {"Intercept": 130, "p0": 2285}),
    # Kreft & de Leeuw, table 4.2 in HLM: 23 schools, intercept only: 22
    (519, 23, 0, {"Intercept": 22}),
])
def test_df_equal_published_hlm_outputs(n_rows, n_units, person_terms, expected):
    rng = np.random.default_rng(n_rows)
    sizes = np.bincount(np.r_[np.arange(n_units), rng.integers(0, n_units, n_rows - n_units)])
    d = _nested(rng, sizes, n_person_terms=person_terms)
    res = fit_known_variance(d, _formula(d), known_variance="v", groups=["net"], test="hlm")
    assert res.fixed_effects["df"].to_dict() == {k: float(v) for k, v in expected.items()}


def test_df_with_random_slope_equal_singer_willett_wages_output():
    """Singer & Willett's wages model A in HLM (6,402 records of 888 persons): intercept with
    one person-level predictor HGC_9 886 df, the random EXPER slope with BLACK 886 and 886, the
    fixed UE_7 slope 6,402 - 5 = 6,397."""
    rng = np.random.default_rng(8)
    sizes = np.bincount(np.r_[np.arange(888), rng.integers(0, 888, 6402 - 888)])
    sizes = np.maximum(sizes, 2)
    sizes[np.argmax(sizes)] -= sizes.sum() - 6402
    d = _nested(rng, sizes)
    d["t"] = rng.uniform(0, 5, len(d))                       # EXPER: varies within persons
    d["w0"] = rng.normal(size=888)[d["net"]]                  # HGC_9: constant within
    d["black"] = rng.integers(0, 2, 888)[d["net"]]
    d["tb"] = d["t"] * d["black"]                             # BLACK x EXPER (cross-level)
    d["p0"] = rng.normal(size=len(d))                         # UE_7: fixed slope
    res = fit_known_variance(d, "y ~ w0 + t + tb + p0", known_variance="v", groups=["net"],
                             random_slope="t", test="hlm")
    assert res.term_levels.to_dict() == {"Intercept": "net", "w0": "net", "t": "net:t",
                                         "tb": "net:t", "p0": "person"}
    assert res.fixed_effects["df"].to_dict() == {"Intercept": 886.0, "w0": 886.0, "t": 886.0,
                                                 "tb": 886.0, "p0": 6397.0}


def test_school_level_terms_and_caller_levels():
    d = SIM.assign(s_w=SIM.groupby("school_id")["x_person"].transform("mean"))
    res = fit_known_variance(d, "y ~ x_person + lead + net_z + s_w", known_variance="v",
                             groups=["network_id", "school_id"], test="hlm")
    n, n_sch = len(d), d["school_id"].nunique()
    assert res.term_levels.to_dict() == {"Intercept": "network_id", "x_person": "person",
                                         "lead": "person", "net_z": "network_id",
                                         "s_w": "school_id"}
    assert res.fixed_effects["df"].to_dict() == {"Intercept": 28.0, "x_person": n - 5.0,
                                                 "lead": n - 5.0, "net_z": 28.0,
                                                 "s_w": n_sch - 5.0}
    # a caller's mapping overrides the detection (HLM's level-by-level input)
    res2 = fit_known_variance(d, "y ~ x_person + lead + net_z + s_w", known_variance="v",
                              groups=["network_id", "school_id"], test="hlm",
                              levels={"s_w": "person"})
    assert res2.fixed_effects.loc["s_w", "df"] == n - 5.0
    assert res2.fixed_effects.loc["Intercept", "df"] == 28.0


@pytest.mark.parametrize("levels, match", [
    ({"nope": "network_id"}, "'nope' is not a term"),
    ({"lead": "district"}, "'district' is not one of"),
])
def test_bad_levels(levels, match):
    with pytest.raises(ValueError, match=match):
        fit_known_variance(SIM, "y ~ x_person + lead", known_variance="v", groups=["network_id"],
                           test="hlm", levels=levels)


def test_too_few_networks_for_hlm_df():
    d = _nested(1, [5, 6, 7], n_network_terms=2)
    with pytest.raises(ValueError, match="too few units"):
        fit_known_variance(d, _formula(d), known_variance="v", groups=["net"], test="hlm")


def _naive_tests(res, d, formula, groups, slope):
    """The chi-square statistics from their definitions, unit by unit with dense matrices."""
    import patsy

    y, X = (np.asarray(a) for a in patsy.dmatrices(formula, d))
    r = y[:, 0] - X @ res.params.to_numpy()
    vc, v = res.variance_components, d["v"].to_numpy()
    out = {}
    net_stat = np.zeros(2)
    for _, rows in d.groupby(groups[0]).indices.items():
        W = np.diag(vc["residual"] + v[rows])
        if len(groups) == 2:
            sch = d[groups[1]].to_numpy()[rows]
            W = W + vc[groups[1]] * (sch[:, None] == sch[None])
        Wi = np.linalg.inv(W)
        Z = np.ones((len(rows), 1)) if slope is None else np.column_stack(
            [np.ones(len(rows)), d[slope].to_numpy()[rows]])
        Vb = np.linalg.inv(Z.T @ Wi @ Z)
        b = Vb @ Z.T @ Wi @ r[rows]
        net_stat[:len(b)] += b ** 2 / np.diag(Vb)
    out[groups[0]] = net_stat[0]
    if slope is not None:
        out[f"{groups[0]}:{slope}"] = net_stat[1]
    parent = groups[-1]
    rss = 0.0
    for _, rows in d.groupby(groups[0]).indices.items():   # persons within their parents
        units = d[parent].to_numpy()[rows]
        A = (units[:, None] == np.unique(units)[None]).astype(float)
        if slope is not None:
            A = np.column_stack([A, d[slope].to_numpy()[rows]])
        sw = 1 / np.sqrt(v[rows])
        coef = np.linalg.lstsq(A * sw[:, None], r[rows] * sw, rcond=None)[0]
        rss += np.sum(((r[rows] - A @ coef) * sw) ** 2)
    out["residual"] = rss
    return out


@pytest.mark.parametrize("groups, slope, formula", [
    (["network_id"], None, "y ~ x_person + lead + net_z"),
    (["network_id", "school_id"], None, "y ~ x_person + lead + net_z"),
    (["network_id"], "wave", "y_growth ~ wave + x_person"),
])
def test_variance_tests_equal_a_naive_dense_loop(groups, slope, formula):
    res = fit_known_variance(SIM, formula, known_variance="v", groups=groups,
                             random_slope=slope, test="hlm")
    naive = _naive_tests(res, SIM, formula, groups, slope)
    vt = res.variance_tests
    for name, stat in naive.items():
        assert vt.loc[name, "statistic"] == pytest.approx(stat, rel=1e-9)
    k = SIM["network_id"].nunique()
    assert vt.loc[groups[0], "df"] == k - (1 if slope is None else 0) - 1
    assert vt.loc["residual", "n_units"] == len(SIM)
    np.testing.assert_allclose(vt["p_value"], stats.chi2.sf(vt["statistic"], vt["df"]))
    assert "variance_tests" not in fit_known_variance(SIM, formula, known_variance="v",
                                                      groups=groups).summary()


def test_school_variance_test_equals_weighted_anova_of_school_means():
    res = fit_known_variance(SIM, "y ~ x_person + lead + net_z", known_variance="v",
                             groups=["network_id", "school_id"], test="hlm")
    vc = res.variance_components
    r = SIM["y"] - (res.params["Intercept"] + res.params["x_person"] * SIM["x_person"]
                    + res.params["lead"] * SIM["lead"] + res.params["net_z"] * SIM["net_z"])
    w = 1 / (vc["residual"] + SIM["v"])
    g = SIM.assign(wr=w * r, w=w).groupby(["network_id", "school_id"])[["wr", "w"]].sum()
    mean = g["wr"] / g["w"]
    net_mean = (g["wr"].groupby(level=0).sum() / g["w"].groupby(level=0).sum())
    stat = float(np.sum(g["w"] * (mean - net_mean.reindex(mean.index, level=0)) ** 2))
    row = res.variance_tests.loc["school_id"]
    assert row["statistic"] == pytest.approx(stat, rel=1e-9)
    assert row["df"] == len(g) - SIM["network_id"].nunique()


def test_network_chi_square_follows_its_null_distribution():
    """No network variance: the statistic is chi-square on K - S - 1 df; over 40 seeded data sets
    its mean lies within 3 standard errors of that df."""
    stats_, df = [], None
    for seed in range(40):
        d = _nested(seed, np.full(60, 20), n_network_terms=1, tau=0.0)
        res = fit_known_variance(d, "y ~ w0", known_variance="v", groups=["net"], test="hlm")
        stats_.append(res.variance_tests.loc["net", "statistic"])
        df = res.variance_tests.loc["net", "df"]
    assert df == 58
    assert abs(np.mean(stats_) - df) < 3 * np.sqrt(2 * df / len(stats_))


def test_no_measurement_model_leaves_the_residual_untested():
    res = fit_known_variance(SIM.assign(v0=0.0), "y ~ x_person", known_variance="v0",
                             groups=["network_id"], test="hlm")
    row = res.variance_tests.loc["residual"]
    assert row["n_units"] == 0 and np.isnan(row["statistic"]) and np.isnan(row["p_value"])
    assert res.variance_tests.loc["network_id", "p_value"] < 1e-6


def test_summary_shows_hlm_tests():
    res = fit_known_variance(SIM, "y ~ x_person + net_z", known_variance="v",
                             groups=["network_id"], method="ml", test="hlm")
    text = res.summary()
    assert res.method == "ML" and "t-ratios on HLM's df" in text and "p_value" in text
    assert "level" in text and res.variance_tests.loc["network_id", "p_value"] < 1e-6
