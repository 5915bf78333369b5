"""Residuals of the rating-scale model: dimensionality (PCA of residuals) and local dependence.

After a calibration, what the measures leave unexplained should be noise. Two checks look for
structure in it:

- :func:`residual_pca`: principal components of the standardised residuals, as Winsteps'
  Table 23 reports them (variance in item units, the first contrast's eigenvalue and item
  loadings). A second dimension shows as a large first contrast whose loadings split the items
  into two clusters.
- :func:`yen_q3`: Yen's Q3, the correlations of item residuals, with Q3* (Q3 minus the mean of
  all Q3) and the pairs it flags. A locally dependent pair (a repeated question, a testlet, an
  item that tells the answer to another) shows as one large Q3*.

Both start from :func:`residuals` at the measures of a :class:`inhd.rasch.RatingScaleResult`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.rasch import fit_rating_scale
from inhd.rsm import moments, probs

__all__ = ["residuals", "residual_pca", "yen_q3", "ResidualPCA", "Q3Result"]


# --------------------------------------------------------------------------------------------
# Residuals
# --------------------------------------------------------------------------------------------
def _calibrated(responses, result, method):
    """The caller's result, or a calibration of ``responses`` by ``method``."""
    if not isinstance(responses, pd.DataFrame):
        raise TypeError("responses must be a pandas DataFrame (rows respondents, columns items);"
                        f" got {type(responses).__name__}")
    if result is None:
        if method not in ("jmle", "cml"):
            raise ValueError(f"method must be 'jmle' or 'cml', got {method!r}")
        result = fit_rating_scale(responses, method=method)
    for field in ("items", "persons", "thresholds", "min_category"):
        if not hasattr(result, field):
            raise TypeError("result must be a RatingScaleResult from inhd.rasch.fit_rating_scale;"
                            f" got {type(result).__name__}")
    return result


def _model_parts(responses, result):
    """Observed codes (0..m), expectations and variances on the non-extreme persons and items.

    Returns (x, E, W, persons index, items index, theta, delta) with NaN where missing."""
    persons = result.persons
    items = result.items
    use_p = persons.index[~persons["extreme"].astype(bool) & persons["measure"].notna()]
    use_i = items.index[~items["extreme"].astype(bool) & items["difficulty"].notna()] \
        if "extreme" in items else items.index[items["difficulty"].notna()]
    missing_i = [str(k) for k in use_i if k not in responses.columns]
    missing_p = [str(k) for k in use_p if k not in responses.index]
    if missing_i or missing_p:
        raise ValueError("responses does not hold the data of result: "
                         + (f"items {missing_i[:5]} are not columns; " if missing_i else "")
                         + (f"respondents {missing_p[:5]} are not rows" if missing_p else ""))
    if len(use_i) < 2 or len(use_p) < 2:
        raise ValueError(f"need at least two non-extreme persons and items; result has "
                         f"{len(use_p)} and {len(use_i)}")
    sub = responses.loc[use_p, use_i]
    try:
        x = sub.to_numpy(dtype=float, na_value=np.nan) - result.min_category
    except (TypeError, ValueError):
        raise ValueError("responses must hold numeric response codes") from None
    m = len(result.thresholds)
    bad = ~np.isnan(x) & ((x < 0) | (x > m) | (x != np.round(x)))
    if bad.any():
        raise ValueError(f"responses hold codes outside the result's scale "
                         f"{result.min_category}-{result.min_category + m}")
    theta = persons.loc[use_p, "measure"].to_numpy(dtype=float)
    delta = items.loc[use_i, "difficulty"].to_numpy(dtype=float)
    p = probs(theta[:, None] - delta[None, :], result.thresholds.to_numpy(dtype=float))[0]
    E, W = moments(p)
    obs = ~np.isnan(x)
    return x, np.where(obs, E, np.nan), np.where(obs, W, np.nan), use_p, use_i, theta, delta


def residuals(responses, *, result, standardized=True) -> pd.DataFrame:
    """Residuals of the observed responses from their rating-scale expectations.

    Parameters
    ----------
    responses : pandas.DataFrame
        The respondents x items data that ``result`` was calibrated on.
    result : inhd.rasch.RatingScaleResult
        A calibration (its measures, difficulties, thresholds and scale are used).
    standardized : bool, default True
        Standardised residuals :math:`z_{ni} = (x_{ni} - E_{ni}) / \\sqrt{W_{ni}}`; if False the
        raw residuals :math:`x_{ni} - E_{ni}`.

    Returns
    -------
    pandas.DataFrame
        Non-extreme persons x non-extreme items (the caller's labels), NaN where a response is
        missing. Extreme persons and items are left out, as in Winsteps (their residuals carry
        no information about the other items).

    Notes
    -----
    :math:`E_{ni} = \\sum_h h P(X_{ni}=h)` and :math:`W_{ni} = \\sum_h (h - E_{ni})^2 P(X_{ni}=h)`
    at the estimated :math:`\\theta_n, \\delta_i, \\tau_k` (Wright & Masters 1982, ch. 5).

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> from inhd.rasch import fit_rating_scale
    >>> lfs = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    >>> z = residuals(lfs, result=fit_rating_scale(lfs))
    >>> z.shape
    (74, 25)
    """
    x, E, W, rows, cols, _, _ = _model_parts(responses, _calibrated(responses, result, None))
    r = x - E
    return pd.DataFrame(r / np.sqrt(W) if standardized else r, index=rows, columns=cols)


def _pairwise_corr(a):
    """Pearson correlations of the columns of ``a`` over rows where both are present, and the
    number of such rows."""
    obs = ~np.isnan(a)
    if obs.all():
        c = np.corrcoef(a, rowvar=False)
        n = np.full(c.shape, a.shape[0])
        return c, n
    frame = pd.DataFrame(a)
    n = obs.T.astype(float) @ obs.astype(float)
    return np.array(frame.corr(min_periods=3), dtype=float), n.astype(int)


# --------------------------------------------------------------------------------------------
# PCA of standardised residuals (Winsteps Table 23)
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ResidualPCA:
    """Result of :func:`residual_pca`.

    Attributes
    ----------
    variance : pandas.DataFrame
        Winsteps' Table 23.0, indexed by ``total, explained, unexplained, contrast_1, ...``;
        columns ``eigenvalue`` (in item units: the unexplained variance equals the number of
        items), ``percent`` (of the total) and ``percent_unexplained`` (of the unexplained,
        for ``unexplained`` and the contrasts).
    eigenvalues : pandas.Series
        All eigenvalues of the residual correlation matrix (they sum to the number of items),
        indexed 1, 2, ...
    loadings : pandas.DataFrame
        Item loadings on the contrasts (``contrast_1`` ...), indexed by item.
    items : pandas.DataFrame
        Table 23.2/23.3: per item ``loading`` (first contrast), ``difficulty``, ``infit``,
        ``outfit`` and ``cluster`` (1, 2, 3 from the highest loadings down; see
        ``cluster_cut`` in :func:`residual_pca`), sorted by loading, highest first.
    n_persons, n_items : int
        Non-extreme persons and items analysed.
    """

    variance: pd.DataFrame
    eigenvalues: pd.Series
    loadings: pd.DataFrame
    items: pd.DataFrame
    n_persons: int
    n_items: int

    @property
    def first_contrast(self) -> float:
        """Eigenvalue of the first contrast (in item units)."""
        return float(self.eigenvalues.iloc[0])

    def summary(self) -> str:
        """Winsteps-style text: the variance table, then the first contrast's loadings."""
        v = self.variance.copy()
        lines = [f"PCA of standardised residuals: {self.n_persons} persons x {self.n_items} "
                 "items (non-extreme); variance in eigenvalue (item) units",
                 v.round(3).to_string(), "",
                 f"First contrast: eigenvalue {self.first_contrast:.3f} "
                 "(Winsteps' rule of thumb: above about 2 items' worth is worth a look; compare "
                 "with simulated data of the same size)",
                 self.items.round(3).to_string()]
        return "\n".join(lines)

    def plot_contrast(self, ax=None):
        """Winsteps' Table 23.2: first-contrast loading against item difficulty.

        Returns
        -------
        matplotlib.axes.Axes
            One labelled point per item; items far above or below 0 form the contrast.
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 5))
        it = self.items
        ax.scatter(it["loading"], it["difficulty"], s=14, color="C0")
        for name, row in it.iterrows():
            ax.annotate(str(name), (row["loading"], row["difficulty"]), fontsize=7,
                        xytext=(3, 2), textcoords="offset points")
        ax.axvline(0, color="0.6", lw=1)
        ax.set_xlabel(f"loading on the first contrast (eigenvalue {self.first_contrast:.2f})")
        ax.set_ylabel("item difficulty (logits)")
        ax.set_title("First contrast of the standardised residuals")
        return ax


def residual_pca(responses, *, result=None, method="jmle", n_contrasts=5,
                 cluster_cut=0.3) -> ResidualPCA:
    """Principal components of standardised residuals, as Winsteps' Table 23.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.
    result : inhd.rasch.RatingScaleResult, optional
        A calibration of ``responses``; default: ``fit_rating_scale(responses, method=method)``.
    method : {"jmle", "cml"}, default "jmle"
        How to calibrate when ``result`` is not given (JMLE, as Winsteps).
    n_contrasts : int, default 5
        Contrasts reported in ``variance`` and ``loadings``.
    cluster_cut : float, default 0.3
        ``items["cluster"]`` is 1 for loadings >= ``cluster_cut``, 3 for loadings <=
        ``-cluster_cut`` and 2 in between (as Winsteps' item clusters on the first contrast).

    Returns
    -------
    ResidualPCA

    Notes
    -----
    Over non-extreme persons and items (as Winsteps), with :math:`E_{ni}, W_{ni}` the model mean
    and variance of a response, :math:`\\bar x` the mean observation and
    :math:`z_{ni} = (x_{ni}-E_{ni})/\\sqrt{W_{ni}}`:

    - the *contrasts* are the eigenvalues :math:`\\lambda_1 \\ge \\lambda_2 \\ge ...` of the
      item-by-item correlation matrix of :math:`z` (pairwise over persons who answered both
      items); they sum to L, the number of items, so each is in "item units". Loadings are
      eigenvectors times :math:`\\sqrt{\\lambda}`, the correlations of the items' residuals
      with the component, signed so that the largest loading is positive;
    - the variance rows use raw residuals (as current Winsteps versions do): the total
      :math:`\\sum (x_{ni} - \\bar x)^2`, the unexplained :math:`\\sum (x_{ni} - E_{ni})^2`,
      the explained their difference; all are rescaled by L / unexplained, so the unexplained
      variance is L item units and the contrasts sit on the same scale. With these
      definitions the explained/unexplained ratio of Liking for Science (JMLE, 74 non-extreme
      children) is Winsteps' printed 76.8183/74 (its Table 24.0) to six digits
      (``tests/test_residuals.py``). Winsteps also splits the explained variance between
      persons and items and prints a "modeled" column; its manual does not give those
      formulas and the obvious candidates do not reproduce its numbers, so they are not
      reported here.

    A first contrast well above what unidimensional data of the same size give (about 1.4-2
    item units; Raîche 2005, Linacre's rule of thumb 2) suggests a second dimension; the
    items loading at the two ends say what it is. Checked in ``tests/test_residuals.py``
    against a direct implementation and on simulated data with a planted second dimension.

    References
    ----------
    Linacre, J. M. (1998). Structure in Rasch residuals: why principal components analysis?
    Rasch Measurement Transactions 12(2), 636.
    Linacre, J. M. (2006). Data variance explained by Rasch measures. Rasch Measurement
    Transactions 20(1), 1045.
    Linacre, J. M. Winsteps user's guide, Table 23 (dimensionality: contrasts and variances).
    Raîche, G. (2005). Critical eigenvalue sizes in standardized residual principal components
    analysis. Rasch Measurement Transactions 19(1), 1012.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> lfs = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    >>> pca = residual_pca(lfs)                   # as Winsteps Table 23 (JMLE)
    >>> round(float(pca.variance.loc["unexplained", "eigenvalue"]), 6)
    25.0
    >>> bool(pca.eigenvalues.sum().round(8) == 25)
    True
    """
    if isinstance(n_contrasts, bool) or not isinstance(n_contrasts, (int, np.integer)) \
            or n_contrasts < 1:
        raise ValueError(f"n_contrasts must be a positive integer, got {n_contrasts!r}")
    if not 0 < cluster_cut < 1:
        raise ValueError(f"cluster_cut must be in (0, 1), got {cluster_cut!r}")
    result = _calibrated(responses, result, method)
    x, E, W, rows, cols, theta, delta = _model_parts(responses, result)
    z = (x - E) / np.sqrt(W)
    C, _ = _pairwise_corr(z)
    if not np.all(np.isfinite(C)):
        raise ValueError("residual correlations are undefined for some item pairs (fewer than "
                         "three persons answered both, or a residual is constant)")
    lam, vec = np.linalg.eigh(C)
    lam, vec = lam[::-1], vec[:, ::-1]
    L = len(cols)
    k = min(n_contrasts, L)
    sign = np.sign(vec[np.argmax(np.abs(vec), axis=0), np.arange(L)])
    vec = vec * sign
    load = vec * np.sqrt(np.clip(lam, 0, None))

    xbar = np.nanmean(x)
    total = np.nansum((x - xbar) ** 2)
    unexplained = np.nansum((x - E) ** 2)
    explained = total - unexplained
    scale = L / unexplained
    rows_v = {
        "total": (scale * total, 100.0, np.nan),
        "explained": (scale * explained, 100 * explained / total, np.nan),
        "unexplained": (float(L), 100 * unexplained / total, 100.0),
    }
    for j in range(k):
        rows_v[f"contrast_{j + 1}"] = (lam[j], 100 * lam[j] / (scale * total), 100 * lam[j] / L)
    variance = pd.DataFrame.from_dict(rows_v, orient="index",
                                      columns=["eigenvalue", "percent", "percent_unexplained"])
    names = [f"contrast_{j + 1}" for j in range(k)]
    loadings = pd.DataFrame(load[:, :k], index=cols, columns=names)
    table = pd.DataFrame({"loading": load[:, 0], "difficulty": delta}, index=cols)
    for col in ("infit", "outfit"):
        table[col] = result.items.loc[cols, col].to_numpy(dtype=float) \
            if col in result.items else np.nan
    table["cluster"] = np.where(table["loading"] >= cluster_cut, 1,
                                np.where(table["loading"] <= -cluster_cut, 3, 2))
    table = table.sort_values("loading", ascending=False, kind="stable")
    return ResidualPCA(variance=variance,
                       eigenvalues=pd.Series(lam, index=pd.RangeIndex(1, L + 1, name="contrast"),
                                             name="eigenvalue"),
                       loadings=loadings, items=table, n_persons=len(rows), n_items=L)


# --------------------------------------------------------------------------------------------
# Yen's Q3
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Q3Result:
    """Result of :func:`yen_q3`.

    Attributes
    ----------
    matrix : pandas.DataFrame
        Q3 for every pair of items (items x items, NaN on the diagonal).
    pairs : pandas.DataFrame
        One row per pair: ``item_1, item_2, q3, q3_star, n_persons, flagged``, sorted by
        ``q3_star``, largest first.
    mean : float
        Mean Q3 over all pairs (about -1/(L-1) under local independence).
    cutoff : float
        A pair is flagged when ``q3_star > cutoff``.
    n_persons, n_items : int
    """

    matrix: pd.DataFrame
    pairs: pd.DataFrame
    mean: float
    cutoff: float
    n_persons: int
    n_items: int

    @property
    def q3_max(self) -> float:
        """Largest Q3."""
        return float(self.pairs["q3"].max())

    @property
    def q3_star(self) -> float:
        """Largest Q3 minus the mean Q3 (Christensen, Makransky & Horton's Q3*)."""
        return float(self.pairs["q3_star"].max())

    @property
    def flagged(self) -> pd.DataFrame:
        """The flagged pairs."""
        return self.pairs[self.pairs["flagged"]]

    def summary(self) -> str:
        """Text: mean and largest Q3, then the flagged pairs (or the top five)."""
        head = self.flagged if len(self.flagged) else self.pairs.head(5)
        return "\n".join([
            f"Yen's Q3: {self.n_persons} persons x {self.n_items} items; mean Q3 {self.mean:.3f},"
            f" max {self.q3_max:.3f}, Q3* (max - mean) {self.q3_star:.3f}",
            f"pairs flagged (Q3 - mean > {self.cutoff}): {len(self.flagged)}"
            + ("" if len(self.flagged) else "; the largest five:"),
            head.round(3).to_string(index=False)])

    def plot(self, ax=None):
        """Heat map of Q3 - mean Q3 (items in the caller's order); flagged pairs boxed.

        Returns
        -------
        matplotlib.axes.Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(7, 6))
        q = self.matrix.to_numpy() - self.mean
        lim = max(self.cutoff, np.nanmax(np.abs(q)))
        im = ax.imshow(q, cmap="RdBu_r", vmin=-lim, vmax=lim)
        names = [str(c) for c in self.matrix.columns]
        ax.set_xticks(range(len(names)), names, rotation=90, fontsize=6)
        ax.set_yticks(range(len(names)), names, fontsize=6)
        pos = {k: j for j, k in enumerate(self.matrix.columns)}
        from matplotlib.patches import Rectangle

        for _, row in self.flagged.iterrows():
            for a, b in ((row["item_1"], row["item_2"]), (row["item_2"], row["item_1"])):
                ax.add_patch(Rectangle((pos[b] - 0.5, pos[a] - 0.5), 1, 1, fill=False, lw=1.5,
                                       color="k"))
        ax.figure.colorbar(im, ax=ax, label="Q3 - mean Q3")
        ax.set_title("Residual correlations (Yen's Q3)")
        return ax


def yen_q3(responses, *, result=None, method="jmle", cutoff=0.2) -> Q3Result:
    """Yen's Q3: correlations of item residuals, with Q3* and flagged pairs.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.
    result : inhd.rasch.RatingScaleResult, optional
        A calibration of ``responses``; default: ``fit_rating_scale(responses, method=method)``.
    method : {"jmle", "cml"}, default "jmle"
        How to calibrate when ``result`` is not given.
    cutoff : float, default 0.2
        Flag a pair when its Q3 exceeds the mean Q3 by more than ``cutoff``.

    Returns
    -------
    Q3Result

    Notes
    -----
    :math:`d_{ni} = x_{ni} - E_{ni}` (raw residuals at the estimated measures, Yen 1984);
    :math:`Q3_{ij} = \\mathrm{corr}(d_{\\cdot i}, d_{\\cdot j})` over the non-extreme persons who
    answered both items. Under local independence Q3 is not centred at 0 but slightly
    negative (about -1/(L-1), because the residuals of a person sum to about zero), and its
    spread depends on the test length and sample, so fixed cut-offs mislead (Christensen,
    Makransky & Horton 2017). The rule here is theirs and Marais' (2013): a pair is flagged
    when :math:`Q3^*_{ij} = Q3_{ij} - \\overline{Q3} > 0.2`, the mean taken over all pairs.
    ``Q3Result.q3_star`` is their summary :math:`Q3_{max} - \\overline{Q3}`. Checked in
    ``tests/test_residuals.py`` against a direct implementation and on simulated data with a
    planted dependent pair.

    References
    ----------
    Yen, W. M. (1984). Effects of local item dependence on the fit and equating performance of
    the three-parameter logistic model. Applied Psychological Measurement 8(2), 125-145.
    Marais, I. (2013). Local dependence. In Christensen, Kreiner & Mesbah (eds), Rasch Models
    in Health. Wiley.
    Christensen, K. B., Makransky, G. & Horton, M. (2017). Critical values for Yen's Q3:
    identification of local dependence in the Rasch model using residual correlations.
    Applied Psychological Measurement 41(3), 178-194.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> lfs = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    >>> q3 = yen_q3(lfs)
    >>> q3.matrix.shape, len(q3.pairs)
    ((25, 25), 300)
    """
    if not (isinstance(cutoff, (int, float)) and 0 < cutoff < 1):
        raise ValueError(f"cutoff must be a number in (0, 1), got {cutoff!r}")
    result = _calibrated(responses, result, method)
    x, E, _, rows, cols, _, _ = _model_parts(responses, result)
    C, n = _pairwise_corr(x - E)
    L = len(cols)
    np.fill_diagonal(C, np.nan)
    iu = np.triu_indices(L, k=1)
    q = C[iu]
    mean = float(np.nanmean(q))
    pairs = pd.DataFrame({"item_1": cols[iu[0]], "item_2": cols[iu[1]], "q3": q,
                          "q3_star": q - mean, "n_persons": n[iu].astype(int)})
    pairs["flagged"] = pairs["q3_star"] > cutoff
    pairs = pairs.sort_values("q3_star", ascending=False, kind="stable").reset_index(drop=True)
    return Q3Result(matrix=pd.DataFrame(C, index=cols, columns=cols), pairs=pairs, mean=mean,
                    cutoff=float(cutoff), n_persons=len(rows), n_items=L)
