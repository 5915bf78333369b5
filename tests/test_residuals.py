"""inhd.residuals: residuals, PCA of standardised residuals (Winsteps Table 23) and Yen's Q3.

Three kinds of evidence: Winsteps' printed output for Liking for Science
(reference/winsteps/lfs_published.json), a direct (loop) implementation, and simulated data
with a planted second dimension and a planted locally dependent pair.
"""

import json

import numpy as np
import pandas as pd
import pytest

from inhd import DATA_DIR, ROOT
from inhd.rasch import fit_rating_scale
from inhd.residuals import Q3Result, ResidualPCA, residual_pca, residuals, yen_q3
from inhd.rsm import category_probabilities, simulate_rating_scale

WINSTEPS = json.loads((ROOT / "reference" / "winsteps" / "lfs_published.json").read_text())


@pytest.fixture(scope="module")
def lfs():
    data = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    return data, fit_rating_scale(data)


def _direct(responses, result, standardized=True):
    """Residuals by a loop over persons and items with rsm.category_probabilities."""
    p_use = result.persons.index[~result.persons["extreme"]]
    i_use = result.items.index[~result.items["extreme"]]
    tau = result.thresholds.to_numpy()
    out = pd.DataFrame(np.nan, index=p_use, columns=i_use)
    for n in p_use:
        for i in i_use:
            x = responses.loc[n, i]
            if pd.isna(x):
                continue
            pr = category_probabilities([result.persons.loc[n, "measure"]],
                                        difficulty=result.items.loc[i, "difficulty"],
                                        thresholds=tau)[0]
            h = np.arange(pr.size)
            e = pr @ h
            w = pr @ (h - e) ** 2
            r = x - result.min_category - e
            out.loc[n, i] = r / np.sqrt(w) if standardized else r
    return out


def test_residuals_equal_a_direct_loop(lfs):
    data, res = lfs
    z = residuals(data, result=res)
    assert z.shape == (74, 25)                       # the one extreme child left out
    np.testing.assert_allclose(z.to_numpy(), _direct(data, res).to_numpy(), atol=1e-12)
    raw = residuals(data, result=res, standardized=False)
    np.testing.assert_allclose(raw.to_numpy(), _direct(data, res, False).to_numpy(), atol=1e-12)
    # JMLE score equations: each non-extreme person's and item's raw residuals sum to 0
    assert np.abs(raw.sum(axis=1)).max() < 1e-6 and np.abs(raw.sum(axis=0)).max() < 1e-6


def test_variance_table_matches_winsteps_for_liking_for_science(lfs):
    data, res = lfs
    pca = residual_pca(data, result=res)
    ref = WINSTEPS["winsteps_table_24_0"]
    # explained / unexplained raw variance: Winsteps 76.8183 / 74 (Table 24.0, printed to 4 dp)
    ratio = pca.variance.loc["explained", "eigenvalue"] / pca.variance.loc["unexplained",
                                                                          "eigenvalue"]
    assert ratio == pytest.approx(ref["explained_by_measures"] / ref["unexplained_total"],
                                  rel=1e-5)
    assert pca.variance.loc["unexplained", "eigenvalue"] == 25
    v = pca.variance
    assert v.loc["total", "eigenvalue"] == pytest.approx(
        v.loc["explained", "eigenvalue"] + v.loc["unexplained", "eigenvalue"], rel=1e-12)
    assert v.loc["explained", "percent"] == pytest.approx(
        100 * ref["explained_by_measures"] / ref["total_raw_variance"], abs=0.01)
    assert v.loc["contrast_1", "percent_unexplained"] == pytest.approx(
        100 * pca.first_contrast / 25, rel=1e-12)


def test_person_side_contrasts_are_close_to_winsteps_table_24(lfs):
    """The same standardised residuals, correlated across persons (Winsteps' Table 24): its
    eigenvalues at Winsteps' (not fully converged) measures are within 0.1% of ours."""
    data, res = lfs
    z = residuals(data, result=res).to_numpy()
    lam = np.sort(np.linalg.eigvalsh(np.corrcoef(z)))[::-1][:5]
    np.testing.assert_allclose(lam, WINSTEPS["winsteps_table_24_0"]["contrast_eigenvalues"],
                               rtol=2e-3)


def test_pca_equals_a_direct_eigendecomposition(lfs):
    data, res = lfs
    pca = residual_pca(data, result=res, n_contrasts=3)
    z = _direct(data, res)
    C = np.corrcoef(z.to_numpy(), rowvar=False)
    lam, vec = np.linalg.eigh(C)
    lam, vec = lam[::-1], vec[:, ::-1]
    np.testing.assert_allclose(pca.eigenvalues.to_numpy(), lam, atol=1e-10)
    assert pca.eigenvalues.sum() == pytest.approx(25, abs=1e-10)
    for j in range(3):
        direct = vec[:, j] * np.sqrt(lam[j])
        ours = pca.loadings[f"contrast_{j + 1}"].to_numpy()
        assert min(np.abs(ours - direct).max(), np.abs(ours + direct).max()) < 1e-10
    # loadings are the correlations of the item residuals with the component scores
    scores = (z.to_numpy() - z.mean().to_numpy()) / z.std(ddof=0).to_numpy() @ vec[:, 0]
    corr = [np.corrcoef(z.iloc[:, i], scores)[0, 1] for i in range(25)]
    assert np.abs(np.abs(corr) - np.abs(pca.loadings["contrast_1"].to_numpy())).max() < 1e-10
    top = pca.loadings["contrast_1"].abs().idxmax()
    assert pca.loadings.loc[top, "contrast_1"] > 0              # sign convention
    assert list(pca.items["loading"]) == sorted(pca.items["loading"], reverse=True)


def _two_dimensions(r, *, n=600, n_items=20, seed=1):
    """Even-numbered items measure theta_1, odd-numbered theta_2; corr(theta_1, theta_2) = r."""
    rng = np.random.default_rng(seed)
    theta = rng.multivariate_normal([0, 0], [[1, r], [r, 1]], size=n)
    d = np.linspace(-1.5, 1.5, n_items)
    tau = [-1.0, 0.0, 1.0]
    X = np.empty((n, n_items))
    X[:, ::2] = simulate_rating_scale(theta[:, 0], d[::2], tau, rng=rng)
    X[:, 1::2] = simulate_rating_scale(theta[:, 1], d[1::2], tau, rng=rng)
    return pd.DataFrame(X, columns=[f"i{j:02d}" for j in range(n_items)])


def test_planted_second_dimension_is_the_first_contrast():
    pca = residual_pca(_two_dimensions(0.3))
    # the first contrast is about the size of the second dimension (10 items sharing
    # variance) and far beyond what unidimensional data of the same size give (next test)
    assert pca.first_contrast > 3.0
    sign = np.sign(pca.loadings["contrast_1"].to_numpy())
    assert len(set(sign[::2])) == 1 and len(set(sign[1::2])) == 1 and sign[0] != sign[1]
    assert set(pca.items.query("cluster == 1").index) <= set(pca.items.index[
        np.sign(pca.items["loading"]) == 1])


def test_unidimensional_data_give_a_small_first_contrast():
    pca = residual_pca(_two_dimensions(1.0))           # theta_1 = theta_2: one dimension
    assert pca.first_contrast < 2.0                     # Linacre's rule of thumb
    assert pca.variance.loc["contrast_1", "percent_unexplained"] < 10


def _dependent_pair(*, n=600, n_items=20, copy=0.5, seed=1):
    """Item i07 repeats the answer to i06 for a random half of the persons."""
    rng = np.random.default_rng(seed)
    X = simulate_rating_scale(rng.normal(0, 1.2, n), np.linspace(-1.5, 1.5, n_items),
                              [-1.0, 0.0, 1.0], rng=rng)
    same = rng.random(n) < copy
    X[same, 7] = X[same, 6]
    return pd.DataFrame(X, columns=[f"i{j:02d}" for j in range(n_items)])


def test_planted_dependent_pair_is_flagged_by_q3_and_nothing_else():
    q3 = yen_q3(_dependent_pair())
    assert isinstance(q3, Q3Result)
    top = q3.pairs.iloc[0]
    assert (top["item_1"], top["item_2"]) == ("i06", "i07")
    assert top["q3_star"] > 0.3 and top["flagged"]
    assert len(q3.flagged) == 1
    # under local independence the mean Q3 is about -1/(L-1)
    assert q3.mean == pytest.approx(-1 / 19, abs=0.01)
    assert q3.q3_star == pytest.approx(top["q3"] - q3.mean)


def test_q3_equals_a_direct_computation(lfs):
    data, res = lfs
    q3 = yen_q3(data, result=res)
    raw = _direct(data, res, standardized=False)
    direct = raw.corr().to_numpy().copy()
    np.fill_diagonal(direct, np.nan)
    np.testing.assert_allclose(q3.matrix.to_numpy(), direct, atol=1e-12)
    iu = np.triu_indices(25, 1)
    assert q3.mean == pytest.approx(np.mean(direct[iu]), abs=1e-14)
    assert len(q3.pairs) == 300
    row = q3.pairs.iloc[0]
    assert row["q3"] == pytest.approx(raw[row["item_1"]].corr(raw[row["item_2"]]), abs=1e-12)
    assert (q3.pairs["flagged"] == (q3.pairs["q3_star"] > 0.2)).all()


def test_missing_responses_use_pairwise_complete_persons():
    X = _dependent_pair(n=400, seed=3)
    rng = np.random.default_rng(4)
    X = X.mask(rng.random(X.shape) < 0.1)
    res = fit_rating_scale(X)
    q3 = yen_q3(X, result=res)
    raw = residuals(X, result=res, standardized=False)
    np.testing.assert_allclose(q3.matrix.to_numpy()[0, 1], raw.iloc[:, 0].corr(raw.iloc[:, 1]),
                               atol=1e-12)
    n01 = int((raw.iloc[:, 0].notna() & raw.iloc[:, 1].notna()).sum())
    pair = q3.pairs.query("item_1 == 'i00' and item_2 == 'i01'").iloc[0]
    assert pair["n_persons"] == n01 < len(raw)
    pca = residual_pca(X, result=res)
    z = residuals(X, result=res)
    np.testing.assert_allclose(np.sort(pca.eigenvalues.to_numpy()),
                               np.sort(np.linalg.eigvalsh(z.corr().to_numpy())), atol=1e-10)
    assert q3.pairs.iloc[0][["item_1", "item_2"]].tolist() == ["i06", "i07"]


def test_cml_calibration_can_be_used(lfs):
    data, _ = lfs
    pca = residual_pca(data, method="cml")
    assert isinstance(pca, ResidualPCA) and pca.n_items == 25
    assert yen_q3(data, method="cml").n_persons == 74


@pytest.mark.parametrize("call, match", [
    (lambda d, r: residual_pca(d.to_numpy(), result=r), "must be a pandas DataFrame"),
    (lambda d, r: residual_pca(d, result="fit"), "must be a RatingScaleResult"),
    (lambda d, r: residual_pca(d.drop(columns="WATCH BIRDS"), result=r), "not columns"),
    (lambda d, r: residual_pca(d, result=r, n_contrasts=0), "n_contrasts"),
    (lambda d, r: residual_pca(d, method="pairwise"), "method must be"),
    (lambda d, r: yen_q3(d, result=r, cutoff=2), "cutoff"),
    (lambda d, r: residuals(d + 5, result=r), "outside the result's scale"),
])
def test_bad_inputs_are_refused(lfs, call, match):
    data, res = lfs
    with pytest.raises((ValueError, TypeError), match=match):
        call(data, res)


def test_summaries_and_plots(lfs):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data, res = lfs
    pca = residual_pca(data, result=res)
    assert "First contrast: eigenvalue" in pca.summary()
    ax = pca.plot_contrast()
    assert len(ax.texts) == 25 and "first contrast" in ax.get_xlabel()
    q3 = yen_q3(data, result=res)
    assert "flagged" in q3.summary()
    ax = q3.plot()
    assert len(ax.patches) == 2 * len(q3.flagged) and ax.images
    plt.close("all")
