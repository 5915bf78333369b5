"""Tests of inhd.benefits: the participatory-benefits analysis steps (Perlman, Bryk & Russell 2025).

Kinds: recovery of planted misfits and planted coefficients on seeded simulations (bounds from
sampling error), the known-variance model against metafor and statsmodels' MixedLM
(someone else's code) as the known variances go to zero, exact counts against the published Tables
1-2 on the shipped SYNTHETIC cohort, and the contract's shapes and columns.
"""

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR, ROOT, benefits, benefits_published
from inhd.benefits import (MODEL_TERMS, NETWORK_PREDICTORS, PERSON_PREDICTORS, descriptive_tables,
                           design_matrix, table4_models)
from inhd.covariates import choose_covariates, covariate_design
from inhd.published import beside_published
from inhd.rsm import simulate_rating_scale
from inhd.scales import reporting_range
from inhd.warnings import InhdWarning

RESP = DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv"
NETS = DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv"

#: Generating coefficients of :func:`simulate_survey` (logits; person-level ones on group-mean
#: centred predictors, network-level ones on grand-mean centred predictors).
TRUE = {"Intercept": 0.5, "team_lead": 0.8, "intensity": 0.4, "single_district": -1.0}
THRESHOLDS = np.array([-1.6, -0.5, 0.5, 1.6])


def _range(res):
    """The 0-10 range of a calibration (its items' extreme scores)."""
    return reporting_range(res.items["difficulty"], res.thresholds, extreme_adjustment=res.extreme_adjustment)


def simulate_survey(*, rng=7, n_persons=600, n_networks=20, n_items=10, item_prefix="s",
                    noisy=("s07",), steep=(), missing=0.02):
    """A small survey in the data contract, with its own item names and planted misfits.

    ``noisy`` items are answered at random (uniform over 1-5: outfit/infit well above 1);
    ``steep`` items have discrimination 4 (near-Guttman: mean-squares well below 1). The latent
    benefit is ``TRUE["Intercept"] + 0.8 team_lead_c + 0.4 intensity_c - 1.0 single_district_c +
    u_k + e``, ``u_k ~ N(0, 0.3)``, ``e ~ N(0, 1)``, person predictors centred on network means
    and network ones on the mean over networks. Returns (respondents, networks, items).
    """
    g = np.random.default_rng(rng)
    k = n_networks
    nets = pd.DataFrame({
        "network_id": [f"N{j:02d}" for j in range(k)],
        "single_district": np.arange(k) % 2,
        "archetype": np.array(["instructional", "ewr", "psm"])[np.arange(k) % 3],
        "duration_years": np.round(g.uniform(1.5, 5, k), 1),
        "hub_type": np.array(["ta", "ihe", "district", "other"])[(np.arange(k) // 2) % 4],
    })
    net = g.integers(0, k, n_persons)
    net[:k] = np.arange(k)                                   # every network has respondents
    lead = (g.random(n_persons) < 0.3).astype(int)
    intensity = g.choice([0.0, 0.5, 1.0, 1.5], n_persons)
    resp = pd.DataFrame({
        "respondent_id": [f"P{i:04d}" for i in range(n_persons)],
        "network_id": nets["network_id"].to_numpy()[net],
        "team_lead": lead, "tenure_years": g.integers(0, 6, n_persons).astype(float),
        "intensity": intensity,
        "gender": g.choice(["woman", "man", "additional", "undisclosed"], n_persons,
                           p=[.55, .3, .05, .1]),
        "race": g.choice(["white", "asian", "black", "latinx", "mixed", "additional",
                          "undisclosed"], n_persons, p=[.35, .1, .15, .2, .08, .04, .08]),
    })
    gm = lambda x: x - pd.Series(x).groupby(net).transform("mean").to_numpy()  # noqa: E731
    sd = nets["single_district"].to_numpy(float)
    theta = (TRUE["Intercept"] + TRUE["team_lead"] * gm(lead.astype(float))
             + TRUE["intensity"] * gm(intensity)
             + TRUE["single_district"] * (sd - sd.mean())[net]
             + g.normal(0, np.sqrt(0.3), k)[net] + g.normal(0, 1.0, n_persons))
    names = [f"{item_prefix}{i + 1:02d}" for i in range(n_items)]
    delta = np.linspace(-1.0, 1.0, n_items)
    g.shuffle(delta)
    for name, d in zip(names, delta):
        if name in noisy:
            codes = g.integers(1, 6, n_persons)
        else:
            codes = simulate_rating_scale(theta, [d], THRESHOLDS, rng=g, min_category=1,
                                          discrimination=4.0 if name in steep else 1.0)[:, 0]
        col = pd.array(codes.astype(int), dtype="Int64")
        col[g.random(n_persons) < missing] = pd.NA
        resp[name] = col
    return resp, nets, names


@pytest.fixture(scope="module")
def shipped():
    from inhd.data import load_survey
    s = load_survey(RESP, NETS)
    return s.respondents, s.networks


@pytest.fixture(scope="module")
def small():
    return simulate_survey()


# ------------------------------------------------------------------------------------------------
# Tables 1 and 2
# ------------------------------------------------------------------------------------------------
def test_descriptive_tables_reproduce_the_published_counts(shipped):
    r, n = shipped
    t1, t2 = descriptive_tables(r, n)
    pub1, pub2 = benefits_published.published_descriptive_tables()
    for ours, pub, count in ((t1, pub1[pub1["group"] != "outcome"], "n_persons"),
                             (t2, pub2, "n_networks")):
        cmp = beside_published(ours, pub, on=["group", "variable"], values=[count, "mean", "sd"])
        assert len(cmp) == len(pub) and cmp[f"{count}_ours"].notna().all()
        assert (cmp[f"{count}_ours"] == cmp[f"{count}_published"]).all()          # exact counts
        m = cmp["mean_published"].notna()
        # moments as printed (the cohort is calibrated to round to them; duration to 0.1)
        np.testing.assert_allclose(cmp.loc[m, "mean_ours"], cmp.loc[m, "mean_published"], atol=0.05)
        np.testing.assert_allclose(cmp.loc[m, "sd_ours"], cmp.loc[m, "sd_published"], atol=0.005)
    assert list(t1.columns) == ["group", "variable", "n_persons", "pct", "mean", "sd", "min", "max"]
    assert list(t2.columns) == ["group", "variable", "n_networks", "pct", "mean", "sd", "min", "max"]


# ------------------------------------------------------------------------------------------------
# Design: centring and dummy coding
# ------------------------------------------------------------------------------------------------
def test_design_matrix_centring_and_references(small):
    resp, nets, _ = small
    before_r, before_n = resp.copy(), nets.copy()
    d = design_matrix(resp, nets)
    person = PERSON_PREDICTORS + benefits.GENDER_PREDICTORS
    # group-mean centring: every person-level column averages 0 within each network
    np.testing.assert_allclose(d.groupby("network_id")[person].mean().to_numpy(), 0, atol=1e-12)
    # grand-mean centring at level 3: the mean over networks (each counted once) is 0 ...
    per_net = d.groupby("network_id")[NETWORK_PREDICTORS].first()
    np.testing.assert_allclose(per_net.mean().to_numpy(), 0, atol=1e-12)
    # ... and the values are the network variable minus that mean
    sd = nets.set_index("network_id")["single_district"].astype(float)
    np.testing.assert_allclose(per_net["single_district"], (sd - sd.mean()).loc[per_net.index])
    # dummies against the references: a white woman in a ta/instructional network has raw 0s
    raw_black = (resp["race"] == "black").astype(float)
    expect = raw_black - raw_black.groupby(resp["network_id"]).transform("mean")
    np.testing.assert_allclose(d["race_black"], expect)
    assert not {"race_white", "gender_woman", "archetype_instructional", "hub_ta"} & set(d.columns)
    pd.testing.assert_frame_equal(resp, before_r)
    pd.testing.assert_frame_equal(nets, before_n)


def test_design_matrix_unknown_network():
    resp, nets, _ = simulate_survey(n_persons=60, n_networks=6)
    with pytest.raises(ValueError, match="network_id"):
        design_matrix(resp, nets.iloc[1:])


# ------------------------------------------------------------------------------------------------
# Known-variance model and Table 4
# ------------------------------------------------------------------------------------------------
def test_reml_equals_statsmodels_mixedlm_as_known_variances_vanish():
    import statsmodels.formula.api as smf

    g = np.random.default_rng(5)
    k, n = 25, 500
    grp = g.integers(0, k, n)
    x = g.normal(size=n)
    y = 1.0 + 0.5 * x + g.normal(0, 0.7, k)[grp] + g.normal(0, 1.2, n)
    df = pd.DataFrame({"y": y, "x": x, "g": [f"G{j:02d}" for j in grp], "v": 1e-10})
    ours = benefits.fit_known_variance_model(df, ["x"], outcome="y", known_variance="v",
                                             group="g", method="REML")
    assert ours.method == "REML"
    sm = smf.mixedlm("y ~ x", df, groups=df["g"]).fit(reml=True)
    # tolerances 10x the agreement achieved (statsmodels' own optimiser and numerical SEs set it:
    # params 1.4e-7, bse 1.0e-4, tau 3e-5, sigma2 1.3e-6 relative; BLUPs 8e-6 absolute)
    np.testing.assert_allclose(ours.params.to_numpy(), sm.fe_params.to_numpy(), rtol=2e-6)
    np.testing.assert_allclose(ours.bse.to_numpy(), sm.bse_fe.to_numpy(), rtol=1e-3)
    vc = ours.variance_components
    np.testing.assert_allclose(vc["network_id"], float(sm.cov_re.iloc[0, 0]), rtol=3e-4)
    np.testing.assert_allclose(vc["residual"], sm.scale, rtol=2e-5)
    # EB estimates: intercept + BLUP (statsmodels' random effects)
    blup = pd.Series({k_: float(v.iloc[0]) for k_, v in sm.random_effects.items()})
    nets = ours.networks
    np.testing.assert_allclose(nets["deviation"], blup.loc[nets.index], atol=8e-5)
    np.testing.assert_allclose(nets["mean"] - ours.params["Intercept"], nets["deviation"],
                               atol=1e-12)


def test_known_variance_recovers_variances_within_3_se():
    # with known v_i the person variance sigma2 is separated from measurement error
    g = np.random.default_rng(8)
    k, n = 60, 3000
    grp = g.integers(0, k, n)
    v = g.uniform(0.2, 1.5, n)
    y = 2.0 + g.normal(0, np.sqrt(0.5), k)[grp] + g.normal(0, 1.0, n) + g.normal(0, np.sqrt(v))
    df = pd.DataFrame({"y": y, "g": grp.astype(str), "v": v})
    fit = benefits.fit_known_variance_model(df, [], outcome="y", known_variance="v", group="g")
    # SE(sigma2) ~ sqrt(2/n) (sigma2 + mean v), SE(tau) ~ sqrt(2/k) (tau + (sigma2+v)/n_k)
    vc = fit.variance_components
    assert abs(vc["residual"] - 1.0) < 3 * np.sqrt(2 / n) * (1.0 + v.mean())
    assert abs(vc["network_id"] - 0.5) < 3 * np.sqrt(2 / k) * (0.5 + (1 + v.mean()) / (n / k))
    assert abs(fit.params["Intercept"] - 2.0) < 3 * fit.bse["Intercept"]


@pytest.fixture(scope="module")
def small_table4(small):
    from inhd.rasch import fit_rating_scale
    resp, nets, names = small
    res = fit_rating_scale(resp[[c for c in names if c != "s07"]])
    return table4_models(resp, nets, measures=res.persons, rescale_range=_range(res)), res


def test_table4_shapes_and_columns(small_table4, small):
    t4, res = small_table4
    resp, nets, _ = small
    fe = t4.fixed_effects
    assert list(fe.columns) == ["model", "term", "estimate", "se", "t_ratio", "df", "p_value", "hedges_g"]
    # the paper's four models, then its interaction tests (terms network:person)
    assert list(pd.unique(fe["model"])) == [*MODEL_TERMS, "interactions"]
    for model, terms in MODEL_TERMS.items():
        assert fe.loc[fe["model"] == model, "term"].tolist() == ["Intercept", *terms]
    inter = fe.loc[fe["model"] == "interactions", "term"].tolist()
    assert inter == ["Intercept", *MODEL_TERMS["final"], *benefits.INTERACTION_TERMS]
    assert len(benefits.INTERACTION_TERMS) == 15 and "archetype_ewr:team_lead" in inter
    assert fe.loc[fe["model"] != "final", "hedges_g"].isna().all()
    sig = (fe["model"] == "final") & (fe["p_value"] < 0.05) & (fe["term"] != "Intercept")
    assert fe.loc[sig, "hedges_g"].notna().all() and fe.loc[~sig, "hedges_g"].isna().all()
    np.testing.assert_allclose(fe["t_ratio"], fe["estimate"] / fe["se"], rtol=1e-10)
    vc = t4.variance_components
    assert list(vc.columns) == ["model", "component", "variance", "statistic", "df", "p_value", "method"]
    assert len(vc) == 10 and (vc["variance"] > 0).all() and (vc["method"] == "ML").all()
    assert vc["component"].tolist() == ["network_id", "residual"] * 5
    assert vc["p_value"].between(0, 1).all() and (vc["df"] > 0).all()      # HLM's chi-square tests
    it = t4.interaction_test.set_index("quantity")["value"]
    assert it["df"] == 15 and 0 <= it["p_value"] <= 1 and it["statistic"] >= 0
    assert t4.reliability["quantity"].tolist() == [
        "reliability_within_networks", "reliability_between_networks", "share_between_networks"]
    assert t4.reliability["value"].between(0, 1).all()
    eb = t4.network_eb
    assert list(eb.columns) == ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"]
    assert len(eb) == len(nets) and eb["n_persons"].sum() == len(resp)
    # the 0-10 scale maps the extreme scores' measures to 0 and 10, so the shrunken network
    # means fall strictly inside; SEs scale by 10 / (high - low)
    assert (t4.rescale_low, t4.rescale_high) == _range(res)
    assert eb["mean_0_10"].between(0, 10).all()
    factor = 10 / (t4.rescale_high - t4.rescale_low)
    np.testing.assert_allclose(eb["se_0_10"], eb["se"] * factor, rtol=1e-12)
    np.testing.assert_allclose(eb["mean_0_10"], (eb["mean"] - t4.rescale_low) * factor, rtol=1e-12)
    assert "unconditional" in t4.summary() and "residual" in t4.summary()
    unc = t4.fits["unconditional"]
    assert list(unc.fixed_effects.columns) == ["estimate", "se", "t_ratio", "df", "p_value"]
    assert "converged True" in unc.summary()


def test_table4_recovers_planted_coefficients_within_3_se(small_table4):
    t4, _ = small_table4
    fin = t4.fixed_effects[t4.fixed_effects["model"] == "final"].set_index("term")
    for term in ("team_lead", "intensity", "single_district"):
        assert abs(fin.loc[term, "estimate"] - TRUE[term]) < 3 * fin.loc[term, "se"], term
    # unplanted person predictors: zero within 3 SE
    for term in ("race_black", "tenure_years"):
        assert abs(fin.loc[term, "estimate"]) < 3 * fin.loc[term, "se"], term


def test_hedges_g_reproduces_the_published_table4_effect_sizes():
    # printed final-model coefficients and unconditional variances (e0 3.362, r00 1.242), 34
    # networks, 7 network predictors; ranges tenure 0-5, intensity 0-1.5, duration 1.5-5
    fixed, vc = benefits_published.published_table4()
    unc = vc[vc["model"] == "unconditional"].set_index("component")["variance"]
    final = fixed[(fixed["model"] == "final") & fixed["hedges_g"].notna()].set_index("term")
    ranges = {"tenure_years": 5.0, "intensity": 1.5, "duration_years": 3.5}
    assert len(final) == 12
    for term, row in final.iterrows():
        g = [benefits.hedges_g(row["estimate"] + e,
                               level="network" if term in NETWORK_PREDICTORS else "person",
                               value_range=ranges.get(term), variance_components=unc,
                               n_networks=34, n_network_predictors=7)
             for e in (-0.005, 0.0, 0.005)]
        # g printed to 2 decimals from a coefficient printed to 2 decimals: some coefficient
        # within its rounding interval gives a g that rounds to the printed value
        assert min(g) - 0.005 <= row["hedges_g"] <= max(g) + 0.005, (term, g, row["hedges_g"])
        assert abs(g[1] - row["hedges_g"]) < 0.01, (term, g[1], row["hedges_g"])


def test_table4_leaves_out_absent_categories_and_constant_covariates(small):
    from inhd.rasch import fit_rating_scale
    resp, nets, names = small
    resp = resp[resp["gender"] != "additional"]
    res = fit_rating_scale(resp[names[:4]])
    t4 = table4_models(resp, nets, measures=res.persons, rescale_range=_range(res))
    assert "gender_additional" not in set(t4.fixed_effects["term"])        # nobody has the label
    nets = nets.assign(duration_years=3.0)                                  # one value for every network
    with pytest.warns(InhdWarning, match="duration_years do not vary"):
        t4 = table4_models(resp, nets, measures=res.persons, rescale_range=_range(res))
    assert "duration_years" not in set(t4.fixed_effects["term"])


def test_table4_without_covariates_fits_only_the_unconditional_model(small):
    from inhd.rasch import fit_rating_scale
    resp, nets, names = small
    res = fit_rating_scale(resp[names[:4]])
    bare = resp[["respondent_id", "network_id", *names]]
    t4 = table4_models(bare, nets[["network_id"]], measures=res.persons, rescale_range=_range(res))
    assert list(t4.fits) == ["unconditional"] and t4.covariates.source == "none"
    assert set(t4.fixed_effects["term"]) == {"Intercept"} and t4.fixed_effects["hedges_g"].isna().all()
    assert "No covariates" in t4.summary()


def test_table4_with_covariates_of_other_names(small):
    # numbers as they are, text dummy-coded against the most frequent label unless one is named;
    # a model that would repeat another is not fitted
    from inhd.rasch import fit_rating_scale
    resp, nets, names = small
    res = fit_rating_scale(resp[names[:4]])
    r = resp.assign(age=np.linspace(20, 60, len(resp)), role=np.where(resp["team_lead"] == 1, "lead", "member"))
    n = nets.assign(region=["north", "south"] * (len(nets) // 2) + ["north"] * (len(nets) % 2))
    spec = choose_covariates(r, n, person=["age", "role"], network=["region"], references={"role": "lead"})
    t4 = table4_models(r, n, measures=res.persons, rescale_range=_range(res), covariates=spec)
    assert list(t4.fits) == ["unconditional", "level2", "level3", "final"]
    terms = t4.model_terms().query("model == 'final'").set_index("term")
    assert list(terms.index) == ["age", "role_member", "region_south"]
    assert terms.loc["role_member", "reference"] == "lead" and terms.loc["region_south", "reference"] == "north"
    assert terms.loc["age", "coding"] == "number"
    # role_member is -team_lead: its coefficient is minus team_lead's when role is the only person covariate
    t_lead = table4_models(r, n, measures=res.persons, rescale_range=_range(res),
                           covariates=choose_covariates(r, n, person=["team_lead"]))
    t_role = table4_models(r, n, measures=res.persons, rescale_range=_range(res),
                           covariates=choose_covariates(r, n, person=["role"], references={"role": "lead"}))
    a = t_lead.fixed_effects.set_index(["model", "term"]).loc[("level2", "team_lead"), "estimate"]
    b = t_role.fixed_effects.set_index(["model", "term"]).loc[("level2", "role_member"), "estimate"]
    np.testing.assert_allclose(a, -b, rtol=1e-6)
    # only a network covariate: unconditional and level3, the latter is the last model (Hedges' g there)
    t3 = table4_models(r, n, measures=res.persons, rescale_range=_range(res), covariates=choose_covariates(r, n, network=["region"]))
    assert list(t3.fits) == ["unconditional", "level3"]


def test_covariate_labels_never_reach_a_formula(small):
    # labels from a user's file are data: spaces, operators and quotes in them do not break the fit
    from inhd.rasch import fit_rating_scale
    resp, nets, names = small
    res = fit_rating_scale(resp[names[:4]])
    r = resp.assign(role=np.where(resp["team_lead"] == 1, "a + b ~ c", "it's (x)"))
    t4 = table4_models(r, nets, measures=res.persons, rescale_range=_range(res), covariates=choose_covariates(r, nets, person=["role"]))
    assert "role_a + b ~ c" in set(t4.fixed_effects["term"]) or "role_it's (x)" in set(t4.fixed_effects["term"])


def test_covariate_design_centring_and_missing_values(small):
    resp, nets, _ = small
    r = resp.assign(age=np.where(np.arange(len(resp)) % 10 == 0, np.nan, np.arange(len(resp)) % 50 + 20.0))
    spec = choose_covariates(r, nets, person=["age"], network=["single_district"])
    design = covariate_design(r, nets, spec)
    assert design.n_persons_left_out == int(r["age"].isna().sum()) and len(design.data) == r["age"].notna().sum()
    assert "left out of every model (nothing is imputed)" in design.notes[0]
    np.testing.assert_allclose(design.data.groupby("network_id")["age"].mean(), 0, atol=1e-10)
    np.testing.assert_allclose(design.data.groupby("network_id")["single_district"].first().mean(), 0, atol=1e-12)


def test_table4_bad_measures(small):
    resp, nets, _ = small
    with pytest.raises(ValueError, match="'se'"):
        table4_models(resp, nets, measures=pd.DataFrame({"measure": np.zeros(len(resp))}), rescale_range=(-5, 5))


def test_write_tables_and_published(tmp_path, small_table4):
    t4, res = small_table4
    from inhd.item_review import item_table, threshold_table
    items, thresholds = item_table({"initial": res, "final": res}), threshold_table({"final": res})
    rel = benefits.reliability_table(t4, person_reliability=res.person_reliability)
    paths = benefits.write_tables(tmp_path, items=items, thresholds=thresholds, table4=t4, reliability=rel)
    assert sorted(p.name for p in paths) == sorted(benefits.CONTRACT_COLUMNS)
    for p in paths:
        assert list(pd.read_csv(p).columns) == benefits.CONTRACT_COLUMNS[p.name]
    # written at full precision: the CSV gives back the floats exactly
    back = pd.read_csv(tmp_path / "thresholds.csv")
    np.testing.assert_array_equal(back["threshold"].to_numpy(), res.thresholds.to_numpy())
    with pytest.raises(ValueError, match="items.csv"):
        benefits.write_tables(tmp_path, items=items.drop(columns="se"), thresholds=thresholds, table4=t4,
                              reliability=rel)
    fixed, vc = benefits_published.published_table4()
    assert fixed.query("model == 'final' and term == 'single_district'")["estimate"].item() == -1.36
    assert set(vc["component"]) == {"residual", "network_id"} and len(vc) == 8
    side = benefits_published.table4_side_by_side(t4.fixed_effects, fixed)
    assert side.loc["team_lead", ("final", "published")] == "0.47 (0.10)***"
    ours_only = benefits_published.table4_side_by_side(t4.fixed_effects)
    assert {side for _, side in ours_only.columns} == {"ours"}
    agree = benefits_published.agreement_with_published(t4.fixed_effects, fixed)
    assert list(agree.columns) == ["term", "estimate_published", "significant_published", "estimate_ours",
                                   "se_ours", "significant_ours", "same_sign", "within_2_se"]
    assert agree.set_index("term").loc["single_district", "estimate_published"] == -1.36


def test_docstring_examples_run():
    import doctest
    out = doctest.testmod(benefits)
    assert out.attempted > 0 and out.failed == 0


def test_p_values_use_hlm_degrees_of_freedom(small_table4, small):
    from scipy import stats
    t4, _ = small_table4
    resp, nets, _ = small
    fin = t4.fixed_effects[t4.fixed_effects["model"] == "final"].set_index("term")
    k, n = len(nets), len(resp)
    t = fin["estimate"] / fin["se"]
    # HLM's rule (inhd.hlm8, from HLM outputs): the intercept and network-level terms on
    # K - 7 - 1 df; person-level terms on N - F, F = 17 fixed effects of the final model
    assert (fin.loc[["Intercept", *benefits.NETWORK_PREDICTORS], "df"] == k - 8).all()
    assert (fin.loc[benefits.PERSON_PREDICTORS, "df"] == n - 17).all()
    np.testing.assert_allclose(fin.loc["single_district", "p_value"],
                               2 * stats.t.sf(abs(t["single_district"]), k - 8), rtol=1e-10)
    np.testing.assert_allclose(fin.loc["team_lead", "p_value"],
                               2 * stats.t.sf(abs(t["team_lead"]), n - 17), rtol=1e-10)


def test_figure3_comparison_checks_each_statement():
    dist = pd.DataFrame({
        "group": ["five highest networks"] * 4 + ["five lowest networks"] * 4,
        "category": ["low", "low-middle", "high-middle", "high"] * 2,
        "proportion": [0.02, 0.05, 0.33, 0.60, 0.25, 0.22, 0.33, 0.20]})
    out = benefits_published.figure3_comparison(dist)
    assert list(out.columns) == ["group", "categories", "comparison", "share", "ours", "holds",
                                 "quote"]
    assert out["holds"].all()                                   # a distribution like the paper's
    np.testing.assert_allclose(out["ours"], [0.60, 0.02, 0.93, 0.25, 0.22, 0.47])
    dist.loc[dist["group"] == "five lowest networks", "proportion"] = [0.05, 0.1, 0.45, 0.4]
    assert not benefits_published.figure3_comparison(dist).query("group == 'five lowest networks'")[
        "holds"].any()


METAFOR = ROOT / "reference" / "metafor"


def test_model_equals_metafor_rma_mv():
    # reference values from metafor 3.8.1 (reference/metafor/make_reference.R, committed with
    # inhd.hlm): rma.mv(y, v, mods = ~ x_person + lead + net_z,
    #                   random = ~ 1 | network_id/person_id, method = "REML").
    # Tolerances: 10x the agreement achieved (beta 1e-7, se 3e-6, sigma2 5e-6 relative; logLik
    # 3e-10 absolute; ranef 5e-7 absolute, its se 2e-6 relative), set by metafor's optimiser.
    import json
    ref = json.loads((METAFOR / "reference.json").read_text())
    r = ref["sim_two_level_reml"]
    d = pd.read_csv(METAFOR / "simulated_persons.csv")
    f = benefits.fit_known_variance_model(d, ["x_person", "lead", "net_z"], outcome="y",
                                          known_variance="v", group="network_id", method="REML")
    vc = f.variance_components
    np.testing.assert_allclose(f.params.to_numpy(), list(r["beta"].values()), rtol=1e-6)  # beta
    np.testing.assert_allclose(f.bse.to_numpy(), list(r["se"].values()), rtol=3e-5)      # se
    np.testing.assert_allclose([vc["network_id"], vc["residual"]],                      # sigma2
                               [r["sigma2"]["network_id"], r["sigma2"]["network_id/person_id"]],
                               rtol=6e-5)
    np.testing.assert_allclose(f.llf, r["logLik"], rtol=0, atol=3e-9)                    # logLik
    eb = r["ranef"]["network_id"]                                   # ranef(fit)$network_id
    np.testing.assert_allclose(f.networks.loc[eb["id"], "deviation"], eb["estimate"], atol=5e-6)
    np.testing.assert_allclose(f.networks.loc[eb["id"], "se"], eb["se"], rtol=3e-5)
    # a real data set: dat.konstantopoulos2011 (schools in districts), year uncentred; achieved
    # beta 2e-8, se 3.6e-8, sigma2 7e-7 relative, logLik 3e-11 absolute
    r = ref["konstantopoulos_reml"]
    k = pd.read_csv(METAFOR / "konstantopoulos2011.csv").assign(
        district=lambda x: x["district"].astype(str))
    f = benefits.fit_known_variance_model(k, ["year"], outcome="yi", known_variance="vi",
                                          group="district", method="REML")
    vc = f.variance_components
    np.testing.assert_allclose(f.params.to_numpy(), list(r["beta"].values()), rtol=2e-7)  # beta
    np.testing.assert_allclose(f.bse.to_numpy(), list(r["se"].values()), rtol=4e-7)      # se
    np.testing.assert_allclose([vc["network_id"], vc["residual"]],                      # sigma2
                               [r["sigma2"]["district"], r["sigma2"]["district/school"]],
                               rtol=7e-6)
    np.testing.assert_allclose(f.llf, r["logLik"], rtol=0, atol=4e-10)                   # logLik


@pytest.mark.parametrize("key, file, terms, outcome, known, group, sigma2_keys", [
    ("sim_two_level_ml", "simulated_persons.csv", ["x_person", "lead", "net_z"], "y", "v", "network_id",
     ["network_id", "network_id/person_id"]),
    ("konstantopoulos_ml", "konstantopoulos2011.csv", ["year"], "yi", "vi", "district",
     ["district", "district/school"]),
])
def test_default_is_full_ml_equal_to_metafor_ml(key, file, terms, outcome, known, group, sigma2_keys):
    """The default (HLM 8's full ML) against metafor's method = "ML" (reference/metafor/, metafor
    3.8.1): fixed effects, SEs, variance components and logLik within 1e-4 (the issue's bound; the
    engine achieves 1e-6 or better, tests/test_hlm.py)."""
    import json
    r = json.loads((METAFOR / "reference.json").read_text())[key]
    d = pd.read_csv(METAFOR / file).assign(**{group: lambda x: x[group].astype(str)})
    f = benefits.fit_known_variance_model(d, terms, outcome=outcome, known_variance=known, group=group)
    assert f.method == "ML" and f.model.method == "ML"
    vc = f.variance_components
    np.testing.assert_allclose(f.params.to_numpy(), list(r["beta"].values()), rtol=1e-4)   # beta
    np.testing.assert_allclose(f.bse.to_numpy(), list(r["se"].values()), rtol=1e-4)       # se
    np.testing.assert_allclose([vc["network_id"], vc["residual"]],                       # sigma2
                               [r["sigma2"][k_] for k_ in sigma2_keys], rtol=1e-4)
    np.testing.assert_allclose(f.llf, r["logLik"], rtol=0, atol=1e-4)                     # logLik


def test_inputs_are_not_modified():
    from inhd.rasch import fit_rating_scale
    resp, nets, names = simulate_survey(rng=9, n_persons=240, n_networks=12)
    res = fit_rating_scale(resp[names[:5]])
    persons = res.persons
    copies = resp.copy(), nets.copy(), persons.copy()
    table4_models(resp, nets, measures=persons, rescale_range=_range(res))
    descriptive_tables(resp, nets, measure=persons["measure"])
    for before, after in zip(copies, (resp, nets, persons)):
        pd.testing.assert_frame_equal(before, after)


# ---- what the fit rule left (newcomer trial: 13 of 20 STAI items dropped, the 7 kept all reverse-keyed, and the
# page said so only in a monospace print)
STAI = ["calm", "secure", "tense", "regretful", "at.ease", "upset", "rested", "anxious", "joyful", "pleasant"]
STAI_REVERSED = ["calm", "secure", "at.ease", "rested", "joyful", "pleasant"]


def test_the_note_says_how_many_items_were_dropped_and_what_the_measure_is():
    note = benefits.selection_note(STAI, ["calm", "secure", "at.ease", "pleasant"], reversed=STAI_REVERSED)
    lines = note.split("\n>\n")
    assert lines[0] == ("> **6 of 10 candidate items dropped by the fit rule; the final measure is the 4 items calm, "
                        "secure, at\\.ease, pleasant.** Every model below uses this measure.")
    assert lines[1].startswith("> More than half of the candidates were dropped (tense, regretful, upset, rested, "
                               "anxious, joyful)")
    assert lines[2].startswith("> All 4 items kept are reverse-keyed, and none of the 4 candidates keyed the other "
                               "way survived: the two keyings may measure two dimensions")


@pytest.mark.parametrize("retained, reversed, n_lines, says", [
    (STAI, STAI_REVERSED, 0, ""),                                                   # nothing dropped: no note
    (STAI[2:], STAI_REVERSED, 1, "2 of 10 candidate items dropped"),                 # both keyings kept
    (["tense", "regretful", "upset", "anxious", "calm", "secure", "at.ease", "rested"], STAI_REVERSED, 1, "2 of 10"),
    (["tense", "regretful", "upset", "anxious", "calm", "joyful"], [], 1, "4 of 10"),   # no keying given
    (["tense", "regretful", "upset", "anxious"], STAI_REVERSED, 3, "none of the 6 candidates reverse-keyed survived"),
])
def test_the_note_speaks_of_keying_only_when_one_keying_is_left(retained, reversed, n_lines, says):
    note = benefits.selection_note(STAI, retained, reversed=reversed)
    assert len(note.split("\n>\n")) == n_lines if note else n_lines == 0
    assert says in note
