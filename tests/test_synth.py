"""Tests of the synthetic data (inhd.synth, inhd.synthetic_cohort, inhd.synthetic_survey): every calibration target of issue 5 (parts 1-2), reproducibility, the files.

Counts the papers print are checked exactly; moments the generator matches by construction are
checked at the printed precision; moments that vary from draw to draw are checked within 3 SE,
with the SE derived from the design (each test says how).
"""

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from inhd import (DATA_DIR, framework, hlm, published, rasch, sampling, synth, synthetic_cohort,
                  synthetic_survey)
from inhd.rsm import category_probabilities, simulate_rating_scale

PUBLISHED = DATA_DIR / "published"
MEASURE = [c for c, *_ in published.PB_ITEMS]
CANDIDATES = [c for c, _ in published.PB_CANDIDATE_ITEMS]


@pytest.fixture(scope="module")
def pb():
    return synth.simulate_participatory_benefits(rng=synth.PB_SEED)


@pytest.fixture(scope="module")
def nh():
    return synth.simulate_network_health(rng=synth.NH_SEED)


@pytest.fixture(scope="module")
def pb_fit(pb):
    """JMLE calibration of the nine measure items (as the paper's final measure)."""
    return rasch.fit_rating_scale(pb.respondents.set_index("respondent_id")[MEASURE])


# --------------------------------------------------------------------------------------------
# Participatory benefits: networks (Table 2)
# --------------------------------------------------------------------------------------------
def test_pb_network_counts_match_table2(pb):
    n = pb.networks
    t = published.PB_TABLE2
    assert len(n) == t["n_networks"] == 34
    assert n["network_id"].is_unique
    assert int(n["single_district"].sum()) == 15
    assert n["archetype"].value_counts().to_dict() == {"instructional": 19, "ewr": 10, "psm": 5}
    assert n["hub_type"].value_counts().to_dict() == {"ta": 19, "ihe": 7, "district": 4, "other": 4}
    # district hubs run single-district networks
    assert n.loc[n["hub_type"] == "district", "single_district"].eq(1).all()


def test_pb_duration_moments_match_table2(pb):
    d = pb.networks["duration_years"]
    assert round(d.mean(), 1) == 3.6          # Table 2 prints the mean to one decimal
    assert round(d.std(ddof=1), 2) == 1.15
    assert d.min() == 1.5 and d.max() == 5.0


# --------------------------------------------------------------------------------------------
# Participatory benefits: respondents (Table 1)
# --------------------------------------------------------------------------------------------
def test_pb_respondent_counts_match_table1(pb):
    r = pb.respondents
    assert len(r) == 2073 and r["respondent_id"].is_unique
    assert int(r["team_lead"].sum()) == 644
    assert r["gender"].value_counts().to_dict() == published.PB_TABLE1["gender"]
    assert r["race"].value_counts().to_dict() == published.PB_TABLE1["race"]
    assert set(r["network_id"]) == set(pb.networks["network_id"])
    assert (r["wave"] == 2023).all()
    # schools are nested in networks
    assert r.groupby("school_id")["network_id"].nunique().eq(1).all()


@pytest.mark.parametrize("col", ["tenure_years", "intensity"])
def test_pb_continuous_moments_match_table1(pb, col):
    x = pb.respondents[col]
    t = published.PB_TABLE1[col]
    assert round(x.mean(), 2) == t["mean"]
    assert round(x.std(ddof=1), 2) == t["sd"]
    assert x.min() == t["min"] and x.max() == t["max"]


def test_pb_intensity_is_frequency_times_consistency(pb):
    lat = pb.latent.loc[pb.respondents["respondent_id"]]
    np.testing.assert_allclose(pb.respondents["intensity"].to_numpy(),
                               (lat["frequency"] * lat["consistency"]).to_numpy(), atol=1e-12)
    # frequency is a property of the school's team
    freq = lat["frequency"].groupby(pb.respondents["school_id"].to_numpy()).nunique()
    assert freq.eq(1).all()


def test_pb_tenure_whole_years(pb):
    t = pb.respondents["tenure_years"]
    assert np.array_equal(t, np.round(t))


# --------------------------------------------------------------------------------------------
# Participatory benefits: the latent benefit follows Table 4's final model
# --------------------------------------------------------------------------------------------
def test_pb_latent_recovers_table4(pb):
    """True benefit regressed on the centred design (random network intercepts, REML).

    Fixed effects within 3 model SEs of Table 4's final estimates; the within variance within 3
    SE (SE = sigma^2 sqrt(2 / (N - K - p))), the between variance within 3 SE (SE =
    (tau + sigma^2 / n_h) sqrt(2 / (K - q - 1)), n_h the harmonic mean network size).
    """
    import statsmodels.api as sm

    design = pb.design()
    X = sm.add_constant(design)
    y = pb.latent.loc[pb.respondents["respondent_id"], "theta"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.MixedLM(y, X, groups=pb.respondents["network_id"].to_numpy()).fit(reml=True)
    truth = pd.Series(published.PB_TABLE4_FINAL["fixed"])
    est = fit.fe_params.rename({"const": "intercept"})
    se = fit.bse_fe.rename({"const": "intercept"})
    z = ((est - truth[est.index]) / se).abs()
    assert (z < 3).all(), z[z >= 3]
    n, k = len(y), len(pb.networks)
    sigma2, tau = fit.scale, float(fit.cov_re.iloc[0, 0])
    se_sigma2 = sigma2 * np.sqrt(2 / (n - k - len(published.PERSON_PREDICTORS)))
    assert abs(sigma2 - 3.119) < 3 * se_sigma2
    n_h = k / (1 / pb.respondents.groupby("network_id").size()).sum()
    se_tau = (tau + sigma2 / n_h) * np.sqrt(2 / (k - len(published.NETWORK_PREDICTORS) - 1))
    assert abs(tau - 0.559) < 3 * se_tau
    # the drawn network effects are what the latent carries
    lat = pb.latent.loc[pb.respondents["respondent_id"]]
    np.testing.assert_allclose(
        lat["network_effect"].to_numpy(),
        pb.network_effects.loc[pb.respondents["network_id"]].to_numpy(), atol=0)


def test_pb_design_centring(pb):
    d = pb.design()
    r = pb.respondents
    within = d[published.PERSON_PREDICTORS].groupby(r["network_id"].to_numpy()).mean()
    np.testing.assert_allclose(within.to_numpy(), 0.0, atol=1e-12)     # group-mean centred
    net = d[published.NETWORK_PREDICTORS].groupby(r["network_id"].to_numpy()).first()
    np.testing.assert_allclose(net.mean().to_numpy(), 0.0, atol=1e-12)  # grand-mean centred


# --------------------------------------------------------------------------------------------
# Participatory benefits: items
# --------------------------------------------------------------------------------------------
def test_pb_generating_difficulties_follow_table3(pb):
    items = pb.items.loc[MEASURE]
    ranks = items["difficulty"].rank().astype(int)
    assert ranks.to_dict() == {c: r for c, _, r in published.PB_ITEMS}
    assert abs(items["difficulty"].sum()) < 1e-12             # identification: sum zero
    assert abs(pb.thresholds.sum()) < 1e-12
    assert pb.thresholds.is_monotonic_increasing


def test_pb_estimated_item_order_is_table3(pb_fit):
    # the JMLE calibration puts the items in Table 3's order of difficulty
    est_rank = pb_fit.items["difficulty"].rank().astype(int)
    assert est_rank.to_dict() == {c: r for c, _, r in published.PB_ITEMS}


def test_pb_responses_on_scale_and_missing_mcar(pb):
    X = pb.respondents[MEASURE + CANDIDATES]
    vals = X.to_numpy(dtype=float, na_value=np.nan).ravel()
    assert set(np.unique(vals[~np.isnan(vals)])) == {1.0, 2.0, 3.0, 4.0, 5.0}
    rate = X.isna().to_numpy().mean()
    se = np.sqrt(0.03 * 0.97 / X.size)                       # binomial SE of the MCAR rate
    assert abs(rate - 0.03) < 3 * se
    # completely at random: the same rate above and below the median true benefit
    theta = pb.latent.loc[pb.respondents["respondent_id"], "theta"].to_numpy()
    hi = X.isna().to_numpy()[theta > np.median(theta)].mean()
    lo = X.isna().to_numpy()[theta <= np.median(theta)].mean()
    assert abs(hi - lo) < 3 * np.sqrt(2) * 2 * se
    assert X.notna().any(axis=1).all()


def test_pb_ceiling_more_than_500_at_the_top_of_every_item(pb):
    # Perlman et al.: "more than 500 individuals provided the highest responses across all items"
    top = (pb.respondents[MEASURE] == 5).sum()
    assert (top > 500).all(), top


def test_pb_measure_distribution(pb, pb_fit):
    """Measures as in Table 1: mean 2.72 within 3 SE, extremes near +7, reliability near 0.92.

    SE of the person-weighted mean: the network effects do not average out, so
    Var = sum_k (n_k / N)^2 tau_total + sigma2_total / N with tau_total = Table 4's unconditional
    between variance 1.242 and sigma2_total = 3.362 (unconditional within) + error.
    """
    m = pb_fit.persons["measure"]
    w = pb.respondents.groupby("network_id").size() / len(pb.respondents)
    se = np.sqrt((w ** 2).sum() * 1.242 + (3.362 + 1.0) / len(m))
    assert abs(m.mean() - 2.72) < 3 * se
    assert 6.5 < m.max() < 7.5                   # Table 1: 6.98 (an extreme score)
    assert m.min() < -3.5                        # Table 1: -7.1 (see data/README: narrower here)
    assert 0.85 < pb_fit.person_reliability < 0.95   # the paper: 0.92
    assert pb_fit.converged


def test_pb_candidates_misfit(pb):
    res = rasch.fit_rating_scale(pb.respondents.set_index("respondent_id")[MEASURE + CANDIDATES])
    it = res.items
    noisy, steep = it.loc["pb_cand_eases_workload"], it.loc["pb_cand_deterministic"]
    assert noisy["infit"] > 1.5 and noisy["outfit"] > 1.5
    assert steep["infit"] < 0.7 and steep["outfit"] < 0.7
    # once the two are deleted, the nine items fit (mean-squares in the usual 0.7-1.3 band)
    nine = rasch.fit_rating_scale(pb.respondents.set_index("respondent_id")[MEASURE]).items
    assert nine["infit"].between(0.7, 1.3).all() and nine["outfit"].between(0.7, 1.3).all()


def test_rasch_cml_recovers_the_generating_items(pb):
    """inhd.rasch's CML calibration (consistent, unlike JMLE) of the nine items recovers the
    generating difficulties and thresholds within 3 of its SEs (same sum-zero identification)."""
    res = rasch.fit_rating_scale(pb.respondents.set_index("respondent_id")[MEASURE], method="cml")
    assert res.converged
    truth = pb.items.loc[MEASURE, "difficulty"]
    z = (res.items.loc[MEASURE, "difficulty"] - truth) / res.items.loc[MEASURE, "se"]
    assert (z.abs() < 3).all(), z
    zt = (res.thresholds.to_numpy() - pb.thresholds.to_numpy()) / res.thresholds_se.to_numpy()
    assert (np.abs(zt) < 3).all(), zt


def test_simulated_category_frequencies():
    # inhd.rsm.simulate_rating_scale, which the generator uses: frequencies within 3 SE of P(X = h)
    draws = simulate_rating_scale(np.zeros(40_000), [0.0], [-1.0, 0.0, 1.0], rng=1)[:, 0]
    p = category_probabilities([0.0], thresholds=[-1.0, 0.0, 1.0])[0]
    freq = np.bincount(draws.astype(int), minlength=4) / draws.size
    se = np.sqrt(p * (1 - p) / draws.size)
    assert (np.abs(freq - p) < 3 * se).all()



# --------------------------------------------------------------------------------------------
# Reproducibility and inputs
# --------------------------------------------------------------------------------------------
def test_same_seed_same_frames(pb):
    again = synth.simulate_participatory_benefits(rng=synth.PB_SEED)
    pd.testing.assert_frame_equal(again.respondents, pb.respondents)
    pd.testing.assert_frame_equal(again.networks, pb.networks)
    pd.testing.assert_frame_equal(again.latent, pb.latent)
    gen = synth.simulate_participatory_benefits(rng=np.random.default_rng(synth.PB_SEED))
    pd.testing.assert_frame_equal(gen.respondents, pb.respondents)
    other = synth.simulate_participatory_benefits(rng=1)
    assert not other.respondents[MEASURE].equals(pb.respondents[MEASURE])


def test_nh_same_seed_same_frames(nh):
    again = synth.simulate_network_health(rng=synth.NH_SEED)
    pd.testing.assert_frame_equal(again.respondents, nh.respondents)
    pd.testing.assert_frame_equal(again.measures, nh.measures)


@pytest.mark.parametrize("func", [synth.simulate_participatory_benefits,
                                  synth.simulate_network_health])
def test_bad_arguments(func):
    with pytest.raises(TypeError, match="rng must be"):
        func(rng="seed")
    with pytest.raises(ValueError, match="missing_rate"):
        func(missing_rate=0.7)


def test_summary_mentions_synthetic(pb, nh):
    assert "SYNTHETIC" in pb.summary() and "2073" in pb.summary()
    assert "SYNTHETIC" in nh.summary()


# --------------------------------------------------------------------------------------------
# Network health survey
# --------------------------------------------------------------------------------------------
def test_nh_measures_from_published_table(nh):
    """All 38 measures of the poster's table, in its order, with its numbers of items and its
    three reliabilities (N/A individual reliability for the five single items)."""
    pub = pd.read_csv(PUBLISHED / "inhd_measure_reliabilities.csv")
    m = nh.measures
    assert list(m["name"]) == list(pub["measure"])
    assert set(m["framework_domain"]) >= set(framework.DOMAINS)
    pub = pub.set_index("measure")
    for key, row in m.iterrows():
        p = pub.loc[row["name"]]
        assert row["n_items"] == p["n_items"] == len(nh.measure_items(key))
        assert row["poster_domain"] == p["domain"]
        np.testing.assert_array_equal(
            row[["target_individual", "target_school", "target_network"]].to_numpy(float),
            p[["individual", "school", "network"]].to_numpy(float))
        assert row["analysed_as"] == ("item_score" if p["n_items"] == 1 else "rasch_measure")
    # the n.s. ones are targets like any other: 7 school-level and 2 network-level
    assert int(pub["school_ns"].sum()) == 7 and int(pub["network_ns"].sum()) == 2
    # the design implies the published reliabilities in 2021 (closed form / quadrature; the
    # individual reliability of a single item is N/A in the poster and NaN here)
    for lvl in ["individual", "school", "network"]:
        np.testing.assert_allclose(m[f"design_{lvl}"], m[f"target_{lvl}"], atol=1e-6)
    assert m["design_individual"].isna().sum() == 5


def test_nh_design_variances_are_consistent(nh):
    m = nh.measures
    rasch_m = m[m["analysed_as"] == "rasch_measure"]
    np.testing.assert_allclose(rasch_m["observed_variance"],
                               rasch_m["variance_residual"] + rasch_m["error_variance"], rtol=1e-12)
    for col in ["school_id", "network_id"]:
        np.testing.assert_array_equal(rasch_m[f"observed_variance_{col}"],
                                      rasch_m[f"variance_{col}"])
    items = m[m["analysed_as"] == "item_score"]
    assert items["error_variance"].isna().all()
    # the single items' latent variance is the median latent variance of the multi-item measures
    parts = ["variance_residual", "variance_school_id", "variance_network_id"]
    np.testing.assert_allclose(items[parts].sum(axis=1), rasch_m[parts].sum(axis=1).median(),
                               rtol=1e-12)
    np.testing.assert_allclose(m["variance_network_id:t"], 0.09 * m["variance_network_id"])


def test_single_item_components_match_a_monte_carlo_anova():
    """The single item's score components (quadrature) against a balanced nested ANOVA of
    simulated scores: 4,000 networks x 10 schools x 10 persons, each within 4 of its SEs
    (mean squares as scaled chi-squares)."""
    mu, tau_n, tau_s, sigma2 = 0.6, 0.9, 0.5, 4.0
    v_n, v_s, v_r = synthetic_survey._item_score_components(mu, tau_n, tau_s, sigma2,
                                                           synthetic_survey._NH_THRESHOLDS)
    rng = np.random.default_rng(1)
    K, J, n = 4000, 10, 10
    theta = (mu + rng.normal(0, np.sqrt(tau_n), K)[:, None, None]
             + rng.normal(0, np.sqrt(tau_s), (K, J))[:, :, None]
             + rng.normal(0, np.sqrt(sigma2), (K, J, n)))
    X = simulate_rating_scale(theta.ravel(), [0.0], synthetic_survey._NH_THRESHOLDS,
                              rng=rng)[:, 0].reshape(K, J, n).astype(float)
    msw = X.var(axis=2, ddof=1).mean()
    mss = X.mean(axis=2).var(axis=1, ddof=1).mean() * n
    msk = X.mean(axis=(1, 2)).var(ddof=1) * J * n
    est = np.array([(msk - mss) / (J * n), (mss - msw) / n, msw])
    se = np.array([
        np.sqrt(2 * msk ** 2 / (K - 1) + 2 * mss ** 2 / (K * (J - 1))) / (J * n),
        np.sqrt(2 * mss ** 2 / (K * (J - 1)) + 2 * msw ** 2 / (K * J * (n - 1))) / n,
        np.sqrt(2 * msw ** 2 / (K * J * (n - 1)))])
    assert (np.abs(est - [v_n, v_s, v_r]) < 4 * se).all(), (est, [v_n, v_s, v_r], se)


def test_nh_networks_and_waves(nh):
    n = nh.networks
    assert len(n) == 34 and n["network_id"].is_unique
    assert n["network_id"].tolist() == [f"NH{j:02d}" for j in range(1, 35)]
    assert int(n["single_district"].sum()) == 15
    assert n["archetype"].value_counts().to_dict() == {"instructional": 19, "ewr": 10, "psm": 5}
    assert n["hub_type"].value_counts().to_dict() == {"ta": 19, "ihe": 7, "district": 4, "other": 4}
    v = published.VARIATION_TABLE1.set_index("network")
    planted = n[n["structure_from"] != "drawn"].set_index("structure_from").loc[v.index]
    assert (planted["launch_year"] == v["launch_year"]).all()
    assert (planted["single_district"] == (v["districts"] == "Single").astype(int)).all()
    assert (planted["development"] == np.where(v.index.str.startswith("W"), "well",
                                               "least")).all()
    assert (n.loc[n["structure_from"] == "drawn", "development"] == "other").all()
    # duration 2023 - launch year, raised to the participatory-benefits paper's minimum 1.5
    assert n["duration_years"].min() == 1.5
    r = nh.respondents
    assert sorted(r["wave"].unique()) == list(synth.NH_WAVES)
    assert r["respondent_id"].is_unique
    first = r.groupby("network_id")["wave"].min()
    assert (first > n.set_index("network_id").loc[first.index, "launch_year"]).all()
    assert r.groupby("school_id")["network_id"].nunique().eq(1).all()


def test_nh_ids_never_reuse_the_posters_real_labels(nh):
    """The poster's only real labels are the variation paper's W1-W6 and L1-L5: no synthetic
    network or school carries one, and the planted networks are not the first or last ids."""
    real = set(published.VARIATION_TABLE1["network"])
    ids = set(nh.networks["network_id"]) | set(nh.respondents["school_id"])
    assert not ids & real
    assert not any(i.split("-")[0] in real for i in ids)
    dev = nh.networks["development"].to_numpy()
    assert set(dev[:6]) != {"well"} and set(dev[-5:]) != {"least"}
    committed = pd.read_csv(DATA_DIR / "network_health_respondents_SYNTHETIC.csv",
                            usecols=["network_id", "school_id"])
    assert not (set(committed["network_id"]) | set(committed["school_id"].str.split("-").str[0])) \
        & real


def test_nh_well_developed_above_least_developed(nh):
    eff = nh.network_effects.merge(nh.networks[["network_id", "development"]], on="network_id")
    mean = eff.groupby("development")["deviation"].mean()
    assert mean["well"] > mean["other"] > mean["least"]
    # on the data: every measure's 2024 raw mean is higher in the planted well-developed
    # networks than in the least-developed
    r = nh.respondents[nh.respondents["wave"] == 2024]
    dev = r["network_id"].map(nh.networks.set_index("network_id")["development"])
    for key in nh.measures.index:
        raw = r[nh.measure_items(key)].astype(float).mean(axis=1)
        assert raw[dev == "well"].mean() > raw[dev == "least"].mean(), key


def test_nh_network_growth(nh):
    """Mean growth of the true measures recovered within 3 SE; slopes vary between networks."""
    r = nh.respondents
    t = r["wave"].to_numpy() - 2021
    for key, row in nh.measures.iterrows():
        eff = nh.network_effects[nh.network_effects["measure"] == key].set_index("network_id")
        assert eff["slope_deviation"].var(ddof=0) == pytest.approx(row["variance_network_id:t"],
                                                                   rel=1e-9)
        # intercepts: the design's variance exactly over the 27 networks surveyed in 2021
        in_2021 = eff.index.isin(r.loc[r["wave"] == 2021, "network_id"])
        assert in_2021.sum() == 27
        assert eff.loc[in_2021, "deviation"].var(ddof=0) == pytest.approx(
            row["variance_network_id"], rel=1e-9)
        y = nh.latent[key].to_numpy()
        # network means by wave, regressed on wave: the average slope is the growth
        nm = pd.DataFrame({"y": y, "t": t, "k": r["network_id"].to_numpy()}).groupby(["k", "t"])[
            "y"].mean().reset_index()
        slopes = nm.groupby("k").apply(
            lambda d: np.polyfit(d["t"], d["y"], 1)[0] if d["t"].nunique() > 1 else np.nan,
            include_groups=False).dropna()
        se = slopes.std(ddof=1) / np.sqrt(len(slopes))
        assert abs(slopes.mean() - row["growth"]) < 3 * se, key


def _anova_reliabilities(y, school, network):
    """School- and network-level reliabilities from nested ANOVA (method of moments) estimates.

    sigma2 = pooled within-school mean square; tau_school from the schools-within-networks mean
    square, E[MS] = sigma2 + n0 tau_school with n0 = (N - sum n_jk^2 / n_k) / (J - K);
    tau_network from the networks' sum of squares, E[SS] = (K - 1) sigma2 + c_s tau_school +
    c_k tau_network. Approximate SEs: mean squares as scaled chi-squares, carried to the
    reliabilities by the delta method.
    """
    df = pd.DataFrame({"y": y, "s": school, "k": network}).dropna()
    N, ybar = len(df), df["y"].mean()
    sch = df.groupby("s").agg(n=("y", "size"), m=("y", "mean"), k=("k", "first"))
    net = df.groupby("k").agg(n=("y", "size"), m=("y", "mean"))
    J, K = len(sch), len(net)
    msw = ((df["y"] - df.groupby("s")["y"].transform("mean")) ** 2).sum() / (N - J)
    nk = net["n"].loc[sch["k"]].to_numpy()
    ms_s = (sch["n"] * (sch["m"] - net["m"].loc[sch["k"]].to_numpy()) ** 2).sum() / (J - K)
    n0 = (N - (sch["n"] ** 2 / nk).sum()) / (J - K)
    tau_s = max((ms_s - msw) / n0, 0.0)
    ss_k = (net["n"] * (net["m"] - ybar) ** 2).sum()
    c_s = (sch["n"] ** 2 / nk).sum() - (sch["n"] ** 2).sum() / N
    c_k = N - (net["n"] ** 2).sum() / N
    tau_k = max((ss_k - (K - 1) * msw - c_s * tau_s) / c_k, 0.0)
    se_ts = np.sqrt(2 / n0 ** 2 * (ms_s ** 2 / (J - K) + msw ** 2 / (N - J)))
    se_tk = np.sqrt(2 * (ss_k / (K - 1)) ** 2 / (K - 1)) * (K - 1) / c_k
    n = sch["n"].to_numpy(float)
    lam_s = np.mean(tau_s / (tau_s + msw / n))
    d_s = np.mean((msw / n) / (tau_s + msw / n) ** 2)
    v = 1.0 / pd.Series(1 / (tau_s + msw / n)).groupby(sch["k"].to_numpy()).sum().to_numpy()
    lam_k = np.mean(tau_k / (tau_k + v))
    d_k = np.mean(v / (tau_k + v) ** 2)
    return lam_s, d_s * se_ts, lam_k, d_k * se_tk


def test_nh_reliabilities_near_published(nh):
    """2021 wave, each measure as the analysis sees it (a CML Rasch measure, or a single item's
    score), then nested-ANOVA reliabilities: school- and network-level within 3 SE of the poster's
    for every measure, Bonferroni-adjusted over the 76 comparisons (|z| < 4.1, a family-wise
    0.27%, as 3 SE is for one). The person reliability of CML measures, which the design targets
    (ML persons given the items), is within 0.06 of the published one: the quadrature that sets
    the scale approximates a finite calibration."""
    r = nh.respondents[nh.respondents["wave"] == 2021]
    bound = stats.norm.isf(0.0027 / 2 / (2 * len(nh.measures)))
    assert 4.0 < bound < 4.2
    for key, row in nh.measures.iterrows():
        items = nh.measure_items(key)
        if row["analysed_as"] == "rasch_measure":
            res = rasch.fit_rating_scale(r.set_index("respondent_id")[items], method="cml")
            y = res.persons["measure"].reindex(r["respondent_id"]).to_numpy()
            assert res.converged, key
            assert abs(res.person_reliability - row["target_individual"]) < 0.06, key
        else:
            y = r[items[0]].to_numpy(dtype=float, na_value=np.nan)
        lam_s, se_s, lam_k, se_k = _anova_reliabilities(y, r["school_id"].to_numpy(),
                                                        r["network_id"].to_numpy())
        assert abs(lam_s - row["target_school"]) < bound * se_s, (key, lam_s, se_s)
        assert abs(lam_k - row["target_network"]) < bound * se_k, (key, lam_k, se_k)


def test_nh_jmle_converges_on_every_measure(nh):
    """The book's default calibration (JMLE, every wave pooled) exists for all 33 multi-item
    measures, including the widely spread "Benefits" and "Value"."""
    r = nh.respondents.set_index("respondent_id")
    for key in nh.measures.index[nh.measures["analysed_as"] == "rasch_measure"]:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            res = rasch.fit_rating_scale(r[nh.measure_items(key)])
        assert res.converged, key


# --------------------------------------------------------------------------------------------
# Published tables and committed files
# --------------------------------------------------------------------------------------------
def test_published_tables_agree_with_constants():
    tabs = published.published_tables()
    t1 = tabs["participatory_benefits_table1"].set_index("variable")
    assert t1.loc["Team lead", "n"] == published.PB_TABLE1["team_lead"]
    assert t1.loc["Woman", "n"] == published.PB_TABLE1["gender"]["woman"]
    assert t1.loc["Didn't disclose race", "n"] == published.PB_TABLE1["race"]["undisclosed"]
    race_rows = t1[t1["group"] == "race"]["n"].sum()
    assert race_rows == sum(published.PB_TABLE1["race"].values()) == 2073
    assert t1[t1["group"] == "gender"]["n"].sum() == 2073
    assert t1.loc["Member tenure in network", "mean"] == published.PB_TABLE1["tenure_years"]["mean"]
    t4 = tabs["participatory_benefits_table4"]
    final = t4[t4["model"] == "final"].set_index("term")["estimate"]
    fixed = pd.Series(published.PB_TABLE4_FINAL["fixed"])
    pd.testing.assert_series_equal(final.loc[fixed.index], fixed, check_names=False)
    assert final["var_within"] == published.PB_TABLE4_FINAL["variance_components"]["residual"]
    assert final["var_between"] == published.PB_TABLE4_FINAL["variance_components"]["network_id"]
    t3 = tabs["participatory_benefits_table3"]
    assert list(zip(t3["column"], t3["rasch_rank"])) == [(c, r) for c, _, r in published.PB_ITEMS]
    rel = tabs["inhd_measure_reliabilities"]
    assert len(rel) == 38
    v = tabs["variation_structural_table"]
    pd.testing.assert_frame_equal(v, published.VARIATION_TABLE1, check_dtype=False)


# the files inhd.synth writes (other modules, e.g. inhd.hub and inhd.equity, ship their own)
SYNTHETIC_FILES = sorted(p.name for stem in ("participatory_benefits", "network_health")
                         for p in DATA_DIR.glob(f"{stem}_*SYNTHETIC*.csv"))


def test_committed_files_exist_and_are_small():
    assert "participatory_benefits_respondents_SYNTHETIC.csv" in SYNTHETIC_FILES
    assert "network_health_respondents_SYNTHETIC.csv" in SYNTHETIC_FILES
    total = sum((DATA_DIR / f).stat().st_size for f in SYNTHETIC_FILES)
    assert total < 5_000_000


def test_committed_csvs_equal_a_fresh_regeneration(tmp_path):
    written = synth.write_synthetic_data(tmp_path)
    names = sorted(p.name for p in written if "SYNTHETIC" in p.name)
    assert names == SYNTHETIC_FILES
    for p in written:
        committed = DATA_DIR / p.relative_to(tmp_path)
        assert committed.read_bytes() == p.read_bytes(), p.name


def test_committed_respondents_read_back(pb):
    r = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv",
                    dtype={"respondent_id": str})
    items = r[MEASURE + CANDIDATES]
    pd.testing.assert_frame_equal(items.astype("Int64"), pb.respondents[MEASURE + CANDIDATES])


@pytest.mark.parametrize("stem,n_items", [("participatory_benefits", 11), ("network_health", 146)])
def test_committed_csvs_pass_the_data_contract(stem, n_items):
    from inhd import data

    resp = DATA_DIR / f"{stem}_respondents_SYNTHETIC.csv"
    nets = DATA_DIR / f"{stem}_networks_SYNTHETIC.csv"
    report = data.validate(resp, nets)
    assert report.ok, report.problems
    survey = data.load_survey(resp, nets)
    assert len(data.item_columns(survey.respondents)) == n_items


@pytest.mark.parametrize("module", [synthetic_cohort, synthetic_survey, sampling])
def test_docstring_examples_run(module):
    import doctest

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def test_a_generator_is_used_not_copied():
    g = np.random.default_rng(5)
    state = g.bit_generator.state
    a = synth.simulate_participatory_benefits(rng=g)
    g.bit_generator.state = state          # a Generator is used, not copied: same state, same data
    b = synth.simulate_participatory_benefits(rng=g)
    pd.testing.assert_frame_equal(a.respondents, b.respondents)


@pytest.mark.slow
def test_hlm_recovers_table4_with_known_measurement_error(pb, pb_fit):
    """inhd.hlm (known-variance REML, issue 4) recovers Table 4's final model within 3 SE.

    Outcome: the true benefit plus a measurement error drawn with a known variance, as in the
    paper's level-1 measurement model; the known variances are the squared JMLE SEs of the
    measures, randomly permuted across respondents so that they are independent of the benefit
    (a respondent's own SE depends on their measure: extreme respondents have large SEs, and the
    known-variance model then takes part of the person variance for error, estimating sigma^2
    about 2.6 rather than 3.1; that is a property of the paper's pipeline, not of the estimator).
    Predictors centred as in the paper. Fixed effects within 3 of the model's SEs; the network
    variance within 3 SE = (tau + s2_bar / n_h) sqrt(2 / (K - q - 1)), the person variance within
    3 SE = (sigma^2 + v_bar) sqrt(2 / (N - K - p)).
    """
    r = pb.respondents
    design = pb.design()
    g = np.random.default_rng(11)
    v = g.permutation((pb_fit.persons["se"] ** 2).reindex(r["respondent_id"]).to_numpy())
    theta = pb.latent.loc[r["respondent_id"], "theta"].to_numpy()
    data = design.assign(
        y=theta + g.normal(0.0, np.sqrt(v)), known_variance=v,
        network_id=r["network_id"].to_numpy())
    formula = "y ~ " + " + ".join(design.columns)
    fit = hlm.fit_known_variance(data, formula, known_variance="known_variance",
                                 groups=["network_id"], method="REML")
    assert fit.converged
    truth = pd.Series(published.PB_TABLE4_FINAL["fixed"]).rename({"intercept": "Intercept"})
    z = (fit.params[truth.index] - truth) / fit.bse[truth.index]
    assert (z.abs() < 3).all(), z[z.abs() >= 3]
    vc = fit.variance_components
    n, k = len(data), len(pb.networks)
    n_h = k / (1 / r.groupby("network_id").size()).sum()
    sigma2, tau = vc["residual"], vc["network_id"]
    q = len(published.NETWORK_PREDICTORS)
    se_tau = (tau + (sigma2 + v.mean()) / n_h) * np.sqrt(2 / (k - q - 1))
    se_sigma2 = (sigma2 + v.mean()) * np.sqrt(2 / (n - k - len(published.PERSON_PREDICTORS)))
    assert abs(tau - 0.559) < 3 * se_tau
    assert abs(sigma2 - 3.119) < 3 * se_sigma2
