"""Tests of inhd.hlm.fit_known_variance: metafor reference values (REML and ML), statsmodels MixedLM
as the known variances vanish, parameter recovery, the dense-matrix likelihood at the fit, errors,
plots. The likelihood's derivatives are checked in tests/test_hlm_likelihood.py, HLM 8's tests in
tests/test_hlm8.py."""

import json
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

from inhd import ROOT
from inhd.hlm import fit_known_variance
from inhd.validation import METAFOR_CASES, METAFOR_TOLERANCES, _unit_ids
from inhd.warnings import ConvergenceWarning

matplotlib.use("Agg")
REF_DIR = ROOT / "reference" / "metafor"
REF = json.loads((REF_DIR / "reference.json").read_text())
DATA = {f: pd.read_csv(REF_DIR / f) for f in ("konstantopoulos2011.csv", "simulated_persons.csv")}
SIM = DATA["simulated_persons.csv"]
SIM_F = "y ~ x_person + lead + net_z"
_FITS = {}


def _fit(name):
    if name not in _FITS:
        file, _, f, v, g, m, rs = METAFOR_CASES[name]
        _FITS[name] = fit_known_variance(DATA[file], f, known_variance=v, groups=g, method=m,
                                         random_slope=rs)
    return _FITS[name]


def test_every_reference_fit_is_tested():
    fits = {k for k in REF if k != "versions" and not k.endswith("_ranef")}
    assert fits == set(METAFOR_CASES) == set(METAFOR_TOLERANCES)
    assert {k for k in fits if k.endswith("_ml")} == {
        "konstantopoulos_ml", "sim_two_level_ml", "sim_three_level_ml", "sim_growth_ml",
        "sim_growth_school_ml"}


@pytest.mark.parametrize("name", list(METAFOR_CASES))
def test_matches_metafor(name):
    ref, res, tol = REF[name], _fit(name), METAFOR_TOLERANCES[name]
    assert res.converged and res.method == METAFOR_CASES[name][5] == ref["method"]
    # metafor: coef(fit), fixed effects
    np.testing.assert_allclose(res.params.to_numpy(), list(ref["beta"].values()), rtol=0,
                               atol=tol["coef"])
    # metafor: fit$se, relative
    np.testing.assert_allclose(res.bse.to_numpy(), list(ref["se"].values()), rtol=tol["se"])
    # metafor: logLik(fit) (REML includes +1/2 log|X'X| there and here)
    assert res.llf == pytest.approx(ref["logLik"], rel=0, abs=tol["llf"])
    if "tau2" in ref:   # struct="GEN": fit$tau2 (intercept, slope), fit$rho, fit$sigma2
        tau2, rho = ref["tau2"], ref["rho"]
        expected = [tau2[0], tau2[1], rho * np.sqrt(tau2[0] * tau2[1]), *ref["sigma2"].values()]
    else:               # fit$sigma2: outer, (inner,) then the row level = our residual
        expected = list(ref["sigma2"].values())
    np.testing.assert_allclose(res.variance_components.to_numpy(), expected, rtol=tol["vc"])


def _ranef_units(name):
    """metafor's EB estimates per grouping level: ranef(fit) (outermost first, then the persons,
    not compared), or for struct="GEN" the "<fit>_ranef" values from metafor's marginal
    covariance (make_reference.R)."""
    groups = METAFOR_CASES[name][4]
    if f"{name}_ranef" in REF:
        return {g: REF[f"{name}_ranef"][g] for g in groups}
    return dict(zip(groups, REF[name]["ranef"].values()))


@pytest.mark.parametrize("name", list(METAFOR_CASES))
def test_eb_estimates_equal_metafor_ranef(name):
    res, tol = _fit(name), METAFOR_TOLERANCES[name]
    for level, rr in _ranef_units(name).items():
        ours = res.random_effects[level]
        assert _unit_ids(ours.index, rr["id"]) == [str(i) for i in rr["id"]]
        # ranef(fit)[[level]]$intrcpt and $se (GEN: G Z'W r and sqrt(diag(G - G Z'PZ G)))
        np.testing.assert_allclose(ours["deviation"], rr["estimate"], rtol=0, atol=tol["ranef"])
        np.testing.assert_allclose(ours["se"], rr["se"], rtol=tol["ranef_se"])
        if "slope_estimate" in rr:
            np.testing.assert_allclose(ours["slope_deviation"], rr["slope_estimate"], rtol=0,
                                       atol=tol["ranef"])
            np.testing.assert_allclose(ours["slope_se"], rr["slope_se"], rtol=tol["ranef_se"])


def test_zero_known_variance_equals_statsmodels_mixedlm():
    import statsmodels.formula.api as smf

    d = SIM.assign(v0=0.0)
    # statsmodels' default (BFGS) stops ~1e-4 short of the REML optimum here; Powell reaches it
    res = fit_known_variance(d, SIM_F, known_variance="v0", groups=["network_id"])
    sm = smf.mixedlm(SIM_F, d, groups=d["network_id"]).fit(reml=True, method="powell")
    np.testing.assert_allclose(res.params.to_numpy(), sm.fe_params.to_numpy(), atol=1e-4)
    np.testing.assert_allclose(res.bse.to_numpy(), sm.bse_fe.to_numpy(), rtol=1e-3)
    assert res.variance_components["network_id"] == pytest.approx(sm.cov_re.iloc[0, 0], rel=1e-3)
    assert res.variance_components["residual"] == pytest.approx(sm.scale, rel=1e-3)
    assert res.reliability["person"] == pytest.approx(1.0)


def test_dense_likelihood_cross_check():
    """The Woodbury/per-group likelihood equals the naive dense N x N computation."""
    d = SIM.iloc[:300]
    res = fit_known_variance(d, SIM_F, known_variance="v", groups=["network_id", "school_id"])
    import patsy
    y, X = (np.asarray(a) for a in patsy.dmatrices(SIM_F, d))
    y = y[:, 0]
    vc = res.variance_components
    net = d["network_id"].to_numpy()
    sch = (d["network_id"] + "/" + d["school_id"]).to_numpy()
    V = (vc["network_id"] * (net[:, None] == net[None])
         + vc["school_id"] * (sch[:, None] == sch[None])
         + np.diag(vc["residual"] + d["v"].to_numpy()))
    Vi = np.linalg.inv(V)
    XVX = X.T @ Vi @ X
    beta = np.linalg.solve(XVX, X.T @ Vi @ y)
    r = y - X @ beta
    n, p = X.shape
    ll = -0.5 * ((n - p) * np.log(2 * np.pi) - np.linalg.slogdet(X.T @ X)[1]
                 + np.linalg.slogdet(V)[1] + np.linalg.slogdet(XVX)[1] + r @ Vi @ r)
    assert res.llf == pytest.approx(ll, abs=1e-8)
    np.testing.assert_allclose(res.params.to_numpy(), beta, atol=1e-10)
    np.testing.assert_allclose(res.bse.to_numpy(), np.sqrt(np.diag(np.linalg.inv(XVX))), rtol=1e-10)


def _simulate(rng, n_net=60, tau=0.5, sigma2=0.8):
    rng = np.random.default_rng(rng)
    sizes = rng.integers(20, 40, n_net)
    net = np.repeat(np.arange(n_net), sizes)
    n = len(net)
    x = rng.normal(size=n)
    z = rng.normal(size=n_net)[net]
    v = rng.uniform(0.2, 1.2, n)
    y = (1.0 + 0.5 * x - 0.4 * z + rng.normal(0, np.sqrt(tau), n_net)[net]
         + rng.normal(0, np.sqrt(sigma2), n) + rng.normal(0, np.sqrt(v)))
    return pd.DataFrame({"y": y, "x": x, "z": z, "v": v, "net": net})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_parameter_recovery_within_3_se(seed):
    d = _simulate(seed)
    res = fit_known_variance(d, "y ~ x + z", known_variance="v", groups=["net"])
    truth = np.array([1.0, 0.5, -0.4])
    assert np.all(np.abs(res.params.to_numpy() - truth) < 3 * res.bse.to_numpy())
    # variance components: SE of tau-hat ~ tau*sqrt(2/J) (J networks), of sigma2-hat from N
    vc = res.variance_components
    assert abs(vc["net"] - 0.5) < 3 * 0.5 * np.sqrt(2 / 60) + 0.1
    assert abs(vc["residual"] - 0.8) < 3 * (0.8 + 0.7) * np.sqrt(2 / len(d))


def test_reliability_definitions():
    res = _fit("sim_three_level_reml")
    vc = res.variance_components
    d = SIM.copy()
    w = 1 / (vc["residual"] + d["v"])
    s = w.groupby([d["network_id"], d["school_id"]]).sum()
    lam_school = vc["school_id"] / (vc["school_id"] + 1 / s)
    assert res.reliability["school_id"] == pytest.approx(lam_school.mean(), rel=1e-12)
    prec_net = (1 / (vc["school_id"] + 1 / s)).groupby(level=0).sum()
    lam_net = vc["network_id"] / (vc["network_id"] + 1 / prec_net)
    assert res.reliability["network_id"] == pytest.approx(lam_net.mean(), rel=1e-10)
    assert res.reliability["person"] == pytest.approx(
        (vc["residual"] / (vc["residual"] + d["v"])).mean())
    g = _fit("sim_growth_reml")
    assert 0 < g.reliability["network_id:wave"] < 1


@pytest.mark.parametrize("formula, plain", [
    ("y ~ x_person + lead + net_z", True), ("y ~ 1", True), ("  y~x_person+wave ", True),
    ("y ~ x_person + x_person", False), ("y ~ x_person * lead", False),
    ("y ~ x_person - 1", False), ("y ~ school_id", False), ("y ~ np.log(v)", False),
])
def test_plain_formulas_build_the_design_patsy_builds(formula, plain):
    import patsy

    from inhd.hlm import _design_matrices, _plain_design

    assert (_plain_design(SIM, formula) is not None) == plain
    y, X, names = _design_matrices(SIM, formula)
    py, pX = patsy.dmatrices(formula, SIM, NA_action="raise")
    assert names == pX.design_info.column_names
    np.testing.assert_array_equal(X, np.asarray(pX))
    np.testing.assert_array_equal(y, np.asarray(py)[:, 0])


def test_inputs_not_modified():
    d = SIM.copy()
    before = d.copy()
    fit_known_variance(d, SIM_F, known_variance="v", groups=["network_id", "school_id"])
    pd.testing.assert_frame_equal(d, before)


@pytest.mark.parametrize("kwargs, match", [
    (dict(known_variance="nope", groups=["network_id"]), "'nope'"),
    (dict(known_variance="v", groups=["missing_col"]), "missing_col"),
    (dict(known_variance="v", groups=["network_id"], method="OLS"), "method"),
    (dict(known_variance="v", groups=["a", "b", "c"]), "groups"),
    (dict(known_variance="v", groups=["network_id"], test="t"), "test: expected 'z'"),
    (dict(known_variance="v", groups=["network_id"], levels={"lead": "person"}), "levels"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        fit_known_variance(SIM, SIM_F, **kwargs)


def test_bad_values():
    d = SIM.copy()
    d.loc[3, "v"] = -1.0
    with pytest.raises(ValueError, match="negative"):
        fit_known_variance(d, SIM_F, known_variance="v", groups=["network_id"])
    d = SIM.copy()
    d.loc[5, "x_person"] = np.nan
    with pytest.raises(ValueError, match="formula"):
        fit_known_variance(d, SIM_F, known_variance="v", groups=["network_id"])
    with pytest.raises(ValueError, match="rank deficient"):
        fit_known_variance(SIM.assign(x2=SIM.x_person * 2), "y ~ x_person + x2",
                           known_variance="v", groups=["network_id"])


def test_non_convergence_warns():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = fit_known_variance(SIM, SIM_F, known_variance="v", groups=["network_id"], max_iter=1)
    assert not res.converged
    assert any(issubclass(w.category, ConvergenceWarning) for w in rec)


def test_summary_and_caterpillar():
    res = _fit("sim_two_level_reml")
    text = res.summary()
    assert "z tests" in text and "REML" in text
    assert "x_person" in text and "residual" in text
    ax = res.plot_caterpillar(rescale=lambda x: 5 + x, highlight="N03")
    ys = ax.collections[1].get_offsets()[:, 1]
    assert len(ys) == 30 and np.all(np.diff(ys) >= 0)
    expected = np.sort(res.random_effects["network_id"]["deviation"] + res.params["Intercept"]) + 5
    np.testing.assert_allclose(ys, expected)
    with pytest.raises(ValueError, match="level"):
        res.plot_caterpillar(level="nope")


def test_random_slope_recovery_and_slope_reliability():
    rng = np.random.default_rng(7)
    n_net, G = 80, np.array([[0.5, 0.05], [0.05, 0.1]])
    sizes = rng.integers(20, 40, n_net)
    net = np.repeat(np.arange(n_net), sizes)
    n = len(net)
    wave = rng.integers(0, 3, n)
    u = rng.multivariate_normal([0, 0], G, n_net)
    v = rng.uniform(0.2, 1.0, n)
    y = (0.2 + 0.3 * wave + u[net, 0] + u[net, 1] * wave + rng.normal(0, 1, n)
         + rng.normal(0, np.sqrt(v)))
    d = pd.DataFrame({"y": y, "wave": wave, "v": v, "net": net})
    res = fit_known_variance(d, "y ~ wave", known_variance="v", groups=["net"],
                             random_slope="wave")
    assert res.converged
    assert np.all(np.abs(res.params.to_numpy() - [0.2, 0.3]) < 3 * res.bse.to_numpy())
    # slope variance: SE roughly tau * sqrt(2 / J) plus its sampling noise from persons
    assert abs(res.variance_components["net:wave"] - 0.1) < 3 * 0.1 * np.sqrt(2 / n_net) + 0.05
    re = res.random_effects["net"]
    assert {"slope_deviation", "slope_se", "slope_reliability"} <= set(re.columns)
    # EB slopes track the true network slopes
    assert np.corrcoef(re["slope_deviation"], u[:, 1])[0, 1] > 0.5
    assert res.reliability["net:wave"] == pytest.approx(re["slope_reliability"].mean())


def test_newton_stops_at_the_rounding_floor_of_the_criterion():
    """A 2,073-person ML fit whose gradient cannot fall below 1.4e-7 (the criterion's rounding at
    llf -4316): the old rule (full Newton step below 1e-8) never held and Newton ran 200
    iterations of 1.3e-8 steps; now it stops at the optimum within a few iterations. The data:
    one replication of inhd.simulation_study's design (seed SeedSequence(1).spawn(6)[3])."""
    from inhd import DATA_DIR
    from inhd.benefits import design_matrix
    from inhd.hlm_likelihood import build_design, criterion, optimise, start_values
    from inhd.published import NETWORK_PREDICTORS, PB_TABLE4_FINAL, PERSON_PREDICTORS
    from inhd.rasch import fit_rating_scale
    from inhd.rsm import simulate_rating_scale
    from inhd.synthetic_cohort import measure_item_parameters

    r = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv")
    n = pd.read_csv(DATA_DIR / "participatory_benefits_networks_SYNTHETIC.csv")
    terms = PERSON_PREDICTORS + NETWORK_PREDICTORS
    d = design_matrix(r, n)[["network_id", *terms]].reset_index(drop=True)
    codes, _ = pd.factorize(d["network_id"], sort=True)
    fe = pd.Series(PB_TABLE4_FINAL["fixed"])
    g = np.random.default_rng(np.random.SeedSequence(1).spawn(6)[3])
    theta = (fe["intercept"] + d[terms].to_numpy() @ fe[terms].to_numpy()
             + g.normal(0, np.sqrt(0.559), 34)[codes] + g.normal(0, np.sqrt(3.119), len(d)))
    b, tau = measure_item_parameters()
    X = simulate_rating_scale(theta, b.to_numpy(), tau.to_numpy(), rng=g, min_category=1)
    miss = g.random(X.shape) < 0.03
    miss[miss.all(axis=1), 0] = False
    persons = fit_rating_scale(pd.DataFrame(np.where(miss, np.nan, X)).astype("Int64")).persons
    d = d.assign(measure=persons["measure"].to_numpy(), v=persons["se"].to_numpy() ** 2)
    formula = "measure ~ " + " + ".join(terms)
    res = fit_known_variance(d, formula, known_variance="v", groups=["network_id"], method="ML")
    assert res.converged and res.n_iter <= 10
    # it stopped at the optimum: the exact gradient is at its rounding floor, the Hessian negative
    # definite, and a step of 1e-4 along either log-variance lowers the log-likelihood
    design = build_design(d["measure"].to_numpy(), np.column_stack([np.ones(len(d)),
                                                                    d[terms].to_numpy()]),
                          d["v"].to_numpy(), codes)
    opt = optimise(design, start_values(design), "ML")
    assert opt.converged
    at = criterion(design, opt.theta, "ML")
    assert np.max(np.abs(at.gradient)) < 1e-5 and np.all(np.linalg.eigvalsh(at.hessian) < 0)
    assert at.llf == pytest.approx(res.llf, abs=1e-9)
    for i in range(len(opt.theta)):
        for h in (-1e-4, 1e-4):
            moved = opt.theta.copy()
            moved[i] += h
            assert criterion(design, moved, "ML", order=0).llf < at.llf
