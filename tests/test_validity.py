"""Tests of inhd.validity: the validity paper's pipeline (Bryk, Li, Luppescu & Bui 2025).

Three kinds, as everywhere in the compendium:
- reference values from someone else's code: the models this module fits (through inhd.hlm) against
  statsmodels MixedLM when the known variances are zero, and against metafor (reference/validity/);
- parameter recovery within 3 SE on seeded simulations (three-level and growth models);
- (the model reliabilities against their closed forms are in test_reliability.py).
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import inhd  # noqa: E402
from inhd import validity  # noqa: E402
from inhd.hlm import fit_known_variance  # noqa: E402
from inhd.survey_measures import MeasureCalibration, calibrate_measures  # noqa: E402
from inhd.estimates import network_estimates  # noqa: E402
from inhd.validity import (  # noqa: E402
    RELIABILITY_COLUMNS,
    fit_growth,
    load_published_reliabilities,
    measure_reliability,
    reliability_beside_published,
    reliability_table,
)


def _fit(data, formula, groups, random_slope=None):
    """The REML known-variance fit (the validity module's option; its default is full ML),
    known variance column ``known_variance``: the metafor references are REML fits."""
    return fit_known_variance(data, formula, known_variance="known_variance", groups=list(groups),
                              method="REML", random_slope=random_slope)


# ------------------------------------------------------------------------------------------------
# simulated data
# ------------------------------------------------------------------------------------------------
def simulate_three_level(rng, *, n_networks=60, schools=(3, 8), persons=(3, 9), gamma=0.5,
                         tau_network=0.6, tau_school=0.25, sigma2=1.5, slope=None):
    """Persons in schools in networks, each with a known error variance v_i in [0.2, 0.8].
    ``slope=(gamma_10, tau_slope, cov)`` adds waves 0-3 and a network random slope."""
    rows = []
    for k in range(n_networks):
        if slope is None:
            u0, u1 = rng.normal(0, np.sqrt(tau_network)), 0.0
        else:
            T = np.array([[tau_network, slope[2]], [slope[2], slope[1]]])
            u0, u1 = rng.multivariate_normal([0, 0], T)
        for j in range(rng.integers(*schools)):
            r = rng.normal(0, np.sqrt(tau_school))
            for _ in range(rng.integers(*persons)):
                t = float(rng.integers(0, 4)) if slope is not None else 0.0
                v = rng.uniform(0.2, 0.8)
                mean = gamma + u0 + r + ((slope[0] + u1) * t if slope is not None else 0.0)
                y = mean + rng.normal(0, np.sqrt(sigma2)) + rng.normal(0, np.sqrt(v))
                rows.append((f"N{k:03d}", f"N{k:03d}-S{j}", t, y, v))
    return pd.DataFrame(rows, columns=["network_id", "school_id", "t", "measure", "known_variance"])


@pytest.fixture(scope="module")
def three_level():
    return simulate_three_level(np.random.default_rng(11))


@pytest.fixture(scope="module")
def shipped():
    respondents = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    measures = pd.read_csv(inhd.DATA_DIR / "network_health_measures_SYNTHETIC.csv")
    return respondents, measures


@pytest.fixture(scope="module")
def shipped_calibrations(shipped):
    respondents, _ = shipped
    return calibrate_measures(respondents, measures=["team_inquiry", "expertise_diversity"])


@pytest.fixture(scope="module")
def shipped_growth(shipped_calibrations):
    return fit_growth(shipped_calibrations["expertise_diversity"])


# ------------------------------------------------------------------------------------------------
# the module's models (inhd.hlm) against other implementations
# ------------------------------------------------------------------------------------------------
def test_reml_equals_statsmodels_mixedlm_when_known_variances_are_zero():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(5)
    d = simulate_three_level(rng, n_networks=30, tau_school=0.0)
    d["known_variance"] = 0.0
    ours = _fit(d, "measure ~ 1", ["network_id"])
    sm = smf.mixedlm("measure ~ 1", d, groups=d["network_id"]).fit(reml=True)
    # statsmodels: cov_re = tau_network, scale = sigma2, fe_params, bse_fe, llf (REML).
    # Tolerances 10x the agreement achieved, which statsmodels' optimiser and numerical SEs set
    # (tau 9e-5, sigma2 3e-6, bse 1e-4 relative; intercept 5e-7, llf 5e-8, EB 2e-5 absolute)
    assert ours.variance_components["network_id"] == pytest.approx(float(sm.cov_re.iloc[0, 0]),
                                                                   rel=1e-3)
    assert ours.variance_components["residual"] == pytest.approx(float(sm.scale), rel=3e-5)
    assert ours.params["Intercept"] == pytest.approx(float(sm.fe_params.iloc[0]), abs=6e-6)
    assert ours.bse["Intercept"] == pytest.approx(float(sm.bse_fe.iloc[0]), rel=1e-3)
    # statsmodels' REML llf leaves out metafor's (and inhd.hlm's) 0.5 log|X'X|
    assert ours.llf - 0.5 * _logdet_xtx(np.ones((len(d), 1))) == pytest.approx(float(sm.llf), abs=5e-7)
    # statsmodels random_effects: conditional means of u_k
    sm_re = pd.Series({k: float(v.iloc[0]) for k, v in sm.random_effects.items()})
    ours_re = ours.random_effects["network_id"]["deviation"]
    np.testing.assert_allclose(ours_re.reindex(sm_re.index), sm_re, atol=2e-4)


REFERENCE = inhd.ROOT / "reference" / "validity"


def _logdet_xtx(X):
    return np.linalg.slogdet(X.T @ X)[1]


def test_three_level_equals_metafor():
    import json

    d = pd.read_csv(REFERENCE / "three_level.csv")
    ref = json.loads((REFERENCE / "metafor_three_level.json").read_text())
    fit = _fit(d, "measure ~ 1", ["network_id", "school_id"])
    vc = fit.variance_components
    # rma.mv(measure, known_variance, random = ~ 1 | network_id/school_id/respondent_id):
    # sigma2[1:3]. Tolerances 10x the agreement achieved (variance components 1.7e-6, intercept
    # SE 1.4e-7, EB SEs 2.8e-7 relative; intercept 2e-9, logLik 9e-12, EB 1.6e-7 absolute)
    assert vc["network_id"] == pytest.approx(ref["tau_network"], rel=2e-5)
    assert vc["school_id"] == pytest.approx(ref["tau_school"], rel=2e-5)
    assert vc["residual"] == pytest.approx(ref["sigma2"], rel=2e-5)
    assert fit.params["Intercept"] == pytest.approx(ref["intercept"], abs=2e-8)     # coef(fit)
    assert fit.bse["Intercept"] == pytest.approx(ref["intercept_se"], rel=2e-6)     # fit$se
    assert fit.llf == pytest.approx(ref["loglik_reml"], abs=1e-10)                   # logLik(fit)
    # ranef(fit)$network_id: EB estimates and their SEs (which include the uncertainty in beta)
    eb = fit.random_effects["network_id"]
    ref_eb, ref_se = pd.Series(ref["network_eb"]), pd.Series(ref["network_eb_se"])
    np.testing.assert_allclose(eb["deviation"].reindex(ref_eb.index), ref_eb, atol=2e-6)
    np.testing.assert_allclose(eb["se"].reindex(ref_se.index), ref_se, rtol=3e-6)


def test_growth_with_schools_equals_metafor():
    import json

    g = pd.read_csv(REFERENCE / "growth.csv")
    ref = json.loads((REFERENCE / "metafor_growth.json").read_text())
    fit = _fit(g, "measure ~ t", ["network_id", "school_id"], random_slope="t")   # REML
    vc = fit.variance_components
    # rma.mv(..., mods = ~ t, random = list(~ t | network_id, ~ 1 | school_id,
    #        ~ 1 | respondent_id), struct = "GEN"): tau2, rho, sigma2. Tolerances 10x the
    # agreement achieved (variance components 2.1e-6, slope SE 2.3e-8 relative; fixed effects
    # 9e-10, logLik 3e-12 absolute)
    assert vc["network_id"] == pytest.approx(ref["tau_intercept"], rel=3e-5)
    assert vc["network_id:t"] == pytest.approx(ref["tau_slope"], rel=3e-5)
    cov = ref["rho"] * np.sqrt(ref["tau_intercept"] * ref["tau_slope"])
    assert vc["cov(network_id, network_id:t)"] == pytest.approx(cov, rel=3e-5)
    assert vc["school_id"] == pytest.approx(ref["tau_school"], rel=3e-5)
    assert vc["residual"] == pytest.approx(ref["sigma2"], rel=3e-5)
    assert fit.params["Intercept"] == pytest.approx(ref["intercept"], abs=1e-8)
    assert fit.params["t"] == pytest.approx(ref["slope"], abs=1e-8)
    assert fit.bse["t"] == pytest.approx(ref["slope_se"], rel=3e-7)
    assert fit.llf == pytest.approx(ref["loglik_reml"], abs=3e-11)


# ------------------------------------------------------------------------------------------------
# recovery and analytic cross-checks
# ------------------------------------------------------------------------------------------------
def test_three_level_recovery_within_3_se():
    rng = np.random.default_rng(2024)
    truth = {"gamma": 0.5, "tau_network": 0.6, "tau_school": 0.25, "sigma2": 1.5}
    d = simulate_three_level(rng, n_networks=150, **truth)
    fit = _fit(d, "measure ~ 1", ["network_id", "school_id"])
    assert fit.converged
    assert abs(fit.params["Intercept"] - truth["gamma"]) < 3 * fit.bse["Intercept"]
    # sampling SE of a variance estimated from K units: about (tau + mean error of a unit
    # mean) * sqrt(2 / (K - 1)); the bound is 3 of those
    k_net, k_sch = d["network_id"].nunique(), d["school_id"].nunique()
    n_per_school = len(d) / k_sch
    err_school = (truth["sigma2"] + d["known_variance"].mean()) / n_per_school
    err_net = (truth["tau_school"] + err_school) / (k_sch / k_net)
    se_net = (truth["tau_network"] + err_net) * np.sqrt(2 / (k_net - 1))
    se_sch = (truth["tau_school"] + err_school) * np.sqrt(2 / (k_sch - k_net))
    se_sig = (truth["sigma2"] + d["known_variance"].mean()) * np.sqrt(2 / (len(d) - k_sch))
    vc = fit.variance_components
    assert abs(vc["network_id"] - truth["tau_network"]) < 3 * se_net
    assert abs(vc["school_id"] - truth["tau_school"]) < 3 * se_sch
    assert abs(vc["residual"] - truth["sigma2"]) < 3 * se_sig


def test_growth_recovery_within_3_se():
    rng = np.random.default_rng(77)
    d = simulate_three_level(rng, n_networks=80, schools=(3, 6), persons=(6, 12), gamma=0.2,
                             tau_network=0.5, tau_school=0.1, sigma2=1.0, slope=(0.3, 0.04, 0.05))
    d["wave"] = (2021 + d["t"]).astype(int)
    d["respondent_id"] = [f"R{i}" for i in range(len(d))]
    d["se"] = np.sqrt(d["known_variance"])
    d["extreme"] = False
    cal = MeasureCalibration(measure="sim", items=[], rasch=None, persons=d)
    g = fit_growth(cal)
    assert g.converged
    assert abs(g.params["t"] - 0.3) < 3 * g.bse["t"]
    assert abs(g.params["Intercept"] - 0.2) < 3 * g.bse["Intercept"]
    assert 0 < g.rate_reliability < g.intercept_reliability < 1
    assert list(g.networks.columns) == ["network_id", "n_persons", "mean", "se", "rate",
                                        "rate_se"]
    assert len(g.networks) == 80 and g.waves == (2021, 2022, 2023, 2024)
    # EB rates are shrunk: their spread is below the generating SD of the slopes plus noise
    assert g.networks["rate"].std() < np.sqrt(0.04) * 1.5


# ------------------------------------------------------------------------------------------------
# the pipeline on the shipped SYNTHETIC survey
# ------------------------------------------------------------------------------------------------
def test_reliability_table_shape_and_published_values(shipped, shipped_calibrations):
    _, measures = shipped
    names = dict(zip(measures["measure"], measures["name"]))
    published = load_published_reliabilities()
    tab = reliability_table(shipped_calibrations, names=names, test_components=False)
    t = tab.table
    assert list(t.columns) == RELIABILITY_COLUMNS
    assert list(t["measure"]) == ["team_inquiry", "expertise_diversity"]
    beside = reliability_beside_published(t, published)
    assert list(beside.columns[:4]) == ["measure", "name", "domain", "n_items"]
    assert {"network_ours", "network_published", "school_ns_published"} <= set(beside.columns)
    pub = published.set_index("measure")
    for _, row in beside.iterrows():              # published values come from the shipped file
        assert row["network_published"] == pub.loc[row["name"], "network"]
        assert row["school_published"] == pub.loc[row["name"], "school"]
    for col in ["individual", "school", "network"]:
        assert t[col].between(0, 1).all()
    assert (t["school"] < t["network"]).all()
    assert t["n_networks"].eq(27).all()           # 27 networks surveyed in 2021
    # the synthetic survey was calibrated to these published network reliabilities; ours are
    # estimates from 27 networks, so within a generous sampling band
    assert (beside["network_ours"] - beside["network_published"]).abs().max() < 0.15
    assert "Reliability of 2 measure(s), wave 2021" in tab.summary()
    shown = validity.format_reliability(beside)
    assert list(shown.columns) == ["Domain", "Measure", "Items", "Individual (ours)", "Individual (published)",
                                   "School (ours)", "School (published)", "Network (ours)", "Network (published)"]


def test_two_levels_without_schools(shipped_calibrations):
    # without a school level the model is persons in networks and the school columns are empty
    cal = shipped_calibrations["team_inquiry"]
    no_schools = MeasureCalibration(measure="x", items=cal.items, rasch=cal.rasch,
                                    persons=cal.persons.drop(columns="school_id"))
    fit = measure_reliability(no_schools, wave=2021)
    assert np.isnan(fit.school) and fit.n_schools == 0 and np.isnan(fit.variance_components["school_id"])
    assert 0 <= fit.network_p_value < 0.05 and fit.converged
    assert measure_reliability(cal, wave=2021, groups=["network_id"]).network == fit.network
    table = reliability_table({"x": no_schools}).table
    assert table["school"].isna().all() and table["school_ns"].isna().all() and not table["network_ns"].iloc[0]
    assert validity.format_reliability(table)["School"].iloc[0] == "-"


def test_single_item_measure_is_analysed_as_its_score(shipped):
    """A single-item measure: the item's score with no known error variance; no person
    reliability (the poster's N/A); the same model otherwise, with its variance tests."""
    respondents, _ = shipped
    cal = calibrate_measures(respondents, measures=["have_voice"])["have_voice"]
    assert cal.rasch is None and cal.is_item_score and cal.items == ["have_voice_1"]
    assert (cal.persons["known_variance"] == 0).all()
    assert set(cal.persons["measure"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    fit = measure_reliability(cal, wave=2021)
    assert np.isnan(fit.individual) and fit.individual_hlm == 1.0
    assert 0 < fit.school < fit.network < 1 and fit.network_p_value < 0.05 and fit.converged
    row = reliability_table({"have_voice": cal}, names={"have_voice": "Have a voice"}).table.iloc[0]
    assert row["n_items"] == 1 and np.isnan(row["individual"]) and row["test"] == "hlm"


def test_method_and_test_are_recorded_and_reml_is_an_option(shipped_calibrations):
    cal = shipped_calibrations["team_inquiry"]
    ml = measure_reliability(cal, wave=2021)
    reml = measure_reliability(cal, wave=2021, method="REML", test="lrt")
    assert (ml.method, ml.test, reml.method, reml.test) == ("ML", "hlm", "REML", "lrt")
    assert ml.model.method == "ML" and reml.model.method == "REML"
    # ML's network variance is below REML's (it ignores the intercept's degree of freedom)
    assert ml.variance_components["network_id"] < reml.variance_components["network_id"]
    t = reliability_table({"team_inquiry": cal}, method="REML", test="lrt").table
    assert (t["method"].iloc[0], t["test"].iloc[0]) == ("REML", "lrt")


def test_measure_reliability_tests_components(shipped_calibrations):
    fit = measure_reliability(shipped_calibrations["team_inquiry"], wave=2021)
    assert 0 <= fit.network_p_value < 0.05                  # networks differ (reliability ~0.9)
    assert 0 <= fit.school_p_value <= 0.5
    assert fit.n_persons_by_network.sum() == fit.n_persons
    eb = network_estimates(fit.model, scale=(-10.0, 10.0))
    assert list(eb.columns) == ["network_id", "n_persons", "mean", "se", "mean_0_10", "se_0_10"]
    np.testing.assert_allclose(eb["mean_0_10"], (eb["mean"] + 10) / 2, rtol=1e-15)
    np.testing.assert_allclose(eb["se_0_10"], eb["se"] / 2, rtol=1e-15)
    # the mean is the fixed intercept plus the network's EB deviation
    dev = fit.model.random_effects["network_id"]["deviation"].to_numpy()
    np.testing.assert_allclose(eb["mean"], fit.model.params["Intercept"] + dev, rtol=1e-15)
    assert eb["n_persons"].sum() == fit.n_persons


def test_growth_on_shipped_measure(shipped_growth):
    g = shipped_growth
    assert g.converged and g.base_wave == 2021
    assert g.params["t"] > 0                                       # the synthetic networks grow
    assert 0.3 < g.rate_reliability < 1
    assert "reliability of network status" in g.summary()
    assert g.time_unit == "year" and " a year (SE " in g.summary()     # the shipped waves are years


def test_growth_on_waves_numbered_1_to_4_is_a_rate_per_wave(shipped_calibrations):
    # newcomer trial: "mean growth 0.057 a year" with waves 1, 2, 3
    cal = shipped_calibrations["team_inquiry"]
    persons = cal.persons.assign(wave=cal.persons["wave"] - 2020)
    g = fit_growth(MeasureCalibration(measure="x", items=cal.items, rasch=cal.rasch, persons=persons))
    assert g.waves == (1, 2, 3, 4) and g.time_unit == "wave"
    assert " a wave (SE " in g.summary() and "a year" not in g.summary()


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------
def test_measure_reliability_absent_wave(shipped_calibrations):
    with pytest.raises(ValueError, match="no respondents in wave 1999"):
        measure_reliability(shipped_calibrations["team_inquiry"], wave=1999)


def test_reliability_table_unknown_name(shipped_calibrations):
    table = reliability_table(shipped_calibrations, test_components=False).table
    with pytest.raises(ValueError, match="not in the published table"):
        reliability_beside_published(table, load_published_reliabilities())


def test_growth_needs_three_waves(shipped_calibrations):
    cal = shipped_calibrations["team_inquiry"]
    two = MeasureCalibration(measure="x", items=cal.items, rasch=cal.rasch,
                                      persons=cal.persons[cal.persons["wave"] <= 2022])
    with pytest.raises(ValueError, match="at least 3"):
        fit_growth(two)


# ------------------------------------------------------------------------------------------------
# figures
# ------------------------------------------------------------------------------------------------
def test_plot_growth_one_line_per_network_plus_mean(shipped_growth):
    g = shipped_growth
    ax = validity.plot_growth(g, highlight={"W1": "tab:green"})
    assert len(ax.lines) == len(g.networks) + 1
    plt.close("all")


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(validity)
    assert result.attempted > 0 and result.failed == 0


# ---- the reliability wave (newcomer trial: the latest wave held one network, and its "reliability" was reported)
def _uneven_waves():
    # wave 1: 6 networks; wave 2: 3; wave 3 (the latest): 1, as the STAI panel of the trial
    rows = [(f"N{k}", w) for w, nets in [(1, 6), (2, 3), (3, 1)] for k in range(nets) for _ in range(4)]
    return pd.DataFrame(rows, columns=["network_id", "wave"])


def test_the_reliability_wave_is_the_one_with_the_most_networks():
    choice = validity.choose_reliability_wave(_uneven_waves())
    assert (choice.wave, choice.n_networks) == (1, 6)
    assert choice.n_networks_by_wave.to_dict() == {1: 6, 2: 3, 3: 1}
    assert choice.reason == ("Reliabilities in wave 1, the wave with the most networks (6; waves: 1 (6 networks), "
                             "2 (3 networks), 3 (1 network)).")
    assert choice.warning.startswith("Only 6 networks in wave 1: the variance between networks rests on 5 degrees")


def test_a_tie_goes_to_the_wave_with_more_respondents_then_the_latest():
    r = pd.DataFrame({"network_id": list("ABAB") + list("ABB"), "wave": [1] * 4 + [2] * 3})
    assert validity.choose_reliability_wave(r).wave == 1
    assert validity.choose_reliability_wave(pd.DataFrame({"network_id": list("ABAB"), "wave": [1, 1, 2, 2]})).wave == 2


def test_a_wave_asked_for_is_used_and_said_so_unless_it_has_one_network():
    choice = validity.choose_reliability_wave(_uneven_waves(), 2, why="the year of the poster's table")
    assert choice.wave == 2 and choice.reason == ("Reliabilities in wave 2, the year of the poster's table "
                                                  "(3 networks; wave 1 has 6).")
    assert "not estimable in any useful sense" in choice.warning
    with pytest.raises(ValueError, match=r"wave 3 holds 1 network\(s\): a network reliability needs at least 2 "
                                         r"\(waves: 1 \(6 networks\), 2 \(3 networks\), 3 \(1 network\)\); "
                                         r"choose another wave \(-p reliability_wave=1 has the most networks\)"):
        validity.choose_reliability_wave(_uneven_waves(), 3)
    with pytest.raises(ValueError, match="reliability wave 7 is not a wave of the data"):
        validity.choose_reliability_wave(_uneven_waves(), 7)
    with pytest.raises(ValueError, match="no survey wave holds two networks"):
        validity.choose_reliability_wave(pd.DataFrame({"network_id": ["A", "B"], "wave": [1, 2]}))


def test_without_waves_the_reliabilities_pool_the_data():
    choice = validity.choose_reliability_wave(pd.DataFrame({"network_id": [f"N{k}" for k in range(12)]}))
    assert (choice.wave, choice.n_networks, choice.warning) == (None, 12, "") and choice.summary() == choice.reason
    assert choice.reason == "Reliabilities from all respondents (the data have no survey waves), 12 networks."


@pytest.mark.slow
def test_measure_validity_reports_the_wave_with_the_most_networks(tmp_path, capsys):
    from inhd.cli import main
    from surveys import make_survey

    r, _, items = make_survey(tmp_path, n_categories=4, n_networks=12, per_network=(20, 30), n_items=5,
                              schools=False, waves=(1, 2), covariates=False, reversed_item=None)
    frame = pd.read_csv(r, dtype=str)
    frame["wave"] = np.where(frame["network_id"] == "NET01", frame["wave"], "1")   # wave 2: one network
    frame.to_csv(r, index=False)
    base = ["run", "measure-validity", "--respondents", str(r), "--items", ",".join(items), "--scale", "1-4",
            "--quiet"]
    assert main([*base, "--out", str(tmp_path / "mv")]) == 0, capsys.readouterr().err
    table = pd.read_csv(tmp_path / "mv" / "tables" / "reliability.csv")
    assert table["n_networks"].tolist() == [12]
    page = (tmp_path / "mv" / "02_measure_validity.html").read_text()
    assert "Reliabilities in wave 1, the wave with the most networks (12; waves: 1 (12 networks), 2 (1 network))" \
        in page
    assert "The network reliability is 0." in page and "over 1 measure" not in page    # one measure: no range
    assert "Reliability of the 1 measure, wave 1: ours" in page                          # not "1 measures, 1"
    # Figure 1's reading quotes the computed value (it once said "near 0.9" whatever the value)
    assert f"With a network reliability of {table['network'].iloc[0]:.2f} over 12 networks" in page
    # refused before any notebook runs: exit 2 (data that cannot be modelled), nothing written
    assert main([*base, "--out", str(tmp_path / "w2"), "-p", "reliability_wave=2"]) == 2
    assert "wave 2 holds 1 network(s): a network reliability needs at least 2" in capsys.readouterr().err
    assert not (tmp_path / "w2").exists()


@pytest.mark.parametrize("value, says", [
    (0.91, "networks at the two ends are clearly distinguishable"),
    (0.59, "networks in the middle cannot be told apart"),
    (0.3, "few networks can be told apart from the average one"),
    (0.0, "the measure does not tell these networks apart"),
    (float("nan"), "could not be estimated over 7 networks"),
])
def test_figure_1_is_read_from_the_reliability_computed(value, says):
    # newcomer trial: Figure 1 always said "with a network reliability near 0.9, networks at the two ends are
    # clearly distinguishable", beside a computed 0.59 or 0.00
    text = validity.reading_of_network_reliability(value, n_networks=7)
    assert says in text and ("0.9" not in text or value > 0.85)
    if np.isfinite(value):
        assert text.startswith(f"With a network reliability of {value:.2f} over 7 networks, ")


def _single_item_survey(folder):
    """A survey whose measures are all single items (a newcomer's univbct: three scale scores)."""
    from surveys import make_survey

    r, nets, items = make_survey(folder, n_networks=12, per_network=(20, 30), n_items=3, schools=False,
                                 waves=(1, 2, 3), covariates=False, reversed_item=None)
    m = folder / "single_measures.csv"
    m.write_text("measure,name,domain,items\n" + "".join(f"{q},Item {q},Attitudes,{q}\n" for q in items))
    return r, nets, m


@pytest.mark.slow
def test_measure_validity_runs_when_every_measure_is_a_single_item(tmp_path, capsys):
    # newcomer trial: three one-item measures failed in cell 4 with pandas' "No objects to concatenate"
    from inhd.cli import main

    r, _, m = _single_item_survey(tmp_path)
    code = main(["run", "measure-validity", "--respondents", str(r), "--measures", str(m), "--out",
                 str(tmp_path / "mv"), "--quiet"])
    assert code == 0, capsys.readouterr().err
    page = (tmp_path / "mv" / "02_measure_validity.html").read_text()
    assert "3 single-item measure(s) analysed as the item" in page
    assert "No measure has two items or more, so there is no Rasch calibration" in page
    # the charts' titles name the wave (they read "Reliability of the 1 measures, 3: ours"); growth a wave, not a year
    assert "Reliability of the 3 measures, wave 3: ours" in page and "Network EB estimates, wave 3, one measure" in page
    assert "mean growth" in page and " a wave (SE " in page and " a year (SE " not in page
    items = pd.read_csv(tmp_path / "mv" / "tables" / "items.csv")
    assert items.empty and items.columns[:2].tolist() == ["measure", "item"]
    table = pd.read_csv(tmp_path / "mv" / "tables" / "reliability.csv")
    assert table["n_items"].tolist() == [1, 1, 1] and table["individual"].isna().all()
    assert table["network"].between(0, 1).all()
