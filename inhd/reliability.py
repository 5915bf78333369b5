"""Reliability: every formula of the compendium, once, each with its source.

Two families, as in the papers:

- **Rasch (person and item) reliability** of measures with standard errors: Winsteps' "model"
  reliability and separation (:func:`separation_reliability`), and its expectation for a design
  (:func:`expected_person_reliability`), used to calibrate the synthetic surveys.
- **Reliability of group means** in a multilevel model (Raudenbush & Bryk 2002, eq. 3.58-3.59 and
  ch. 8): a unit's lambda = tau / (tau + error variance of the unit's mean), averaged over units.
  :func:`cluster_mean_reliability` for one level with n respondents a unit,
  :func:`nested_mean_reliability` for networks of schools of respondents,
  :func:`reliability_from_components` for respondents with known measurement-error variances
  (HLM's "V-known" level 1), and :func:`required_variance_ratios`, the inverse problem: the
  variance ratios that give target school and network reliabilities.

Variance components are named as everywhere in :mod:`inhd`: by grouping level (``network_id``,
``school_id``) plus ``residual``, the person-level variance beyond the known measurement error.

References
----------
Linacre, J. M. Winsteps Rasch measurement computer program user's guide: "Reliability and
separation of measures".
Wright, B. D., & Masters, G. N. (1982). Rating scale analysis. MESA Press, ch. 5.
Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.). Sage.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from inhd.rsm import log_probs

__all__ = [
    "separation_reliability",
    "expected_person_reliability",
    "cluster_mean_reliability",
    "nested_mean_reliability",
    "reliability_from_components",
    "required_variance_ratios",
]


# --------------------------------------------------------------------------------------------
# Rasch reliability
# --------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _hermite_nodes(n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss-Hermite nodes and weights (computed once per size; read-only)."""
    x, w = np.polynomial.hermite_e.hermegauss(n_nodes)
    x.flags.writeable = False
    w.flags.writeable = False
    return x, w


def separation_reliability(measures, se) -> tuple[float, float]:
    """Winsteps' model reliability and separation of a set of measures.

    Parameters
    ----------
    measures, se : array_like
        Measures (logits) and their model standard errors, one per person (or item). Extreme
        persons are usually left out first, as Winsteps does.

    Returns
    -------
    (reliability, separation) : tuple of float
        ``nan, nan`` with fewer than two measures; reliability ``nan`` when the measures do not
        vary.

    Notes
    -----
    With observed variance :math:`S^2` (population variance, Winsteps' P.SD squared) and mean
    squared error :math:`\\overline{SE^2}`, the true variance is
    :math:`T = \\max(S^2 - \\overline{SE^2}, 0)`; reliability :math:`T / S^2`, separation
    :math:`\\sqrt{T / \\overline{SE^2}}` (Wright & Masters 1982, ch. 5; Winsteps' "model"
    reliability, which uses the model SEs, not the misfit-inflated "real" ones).

    Examples
    --------
    >>> separation_reliability([-2.0, 0.0, 2.0], [1.0, 1.0, 1.0])   # S2 = 8/3, T = 5/3
    (0.625, 1.2909944487358056)
    """
    measures, se = np.asarray(measures, float), np.asarray(se, float)
    if measures.size < 2:
        return np.nan, np.nan
    observed = measures.var()                    # population variance, as Winsteps' P.SD
    mse = np.mean(se**2)
    true = max(observed - mse, 0.0)
    return (float(true / observed) if observed > 0 else np.nan), float(np.sqrt(true / mse))


def expected_person_reliability(difficulties, thresholds, *, mean: float, sd: float,
                                n_nodes: int = 81) -> tuple[float, float]:
    """Expected Rasch person reliability of non-extreme persons when theta ~ N(mean, sd^2).

    Parameters
    ----------
    difficulties : array_like
        Item difficulties (logits).
    thresholds : array_like
        The Andrich thresholds shared by the items.
    mean, sd : float
        Mean and SD of the true person measures.
    n_nodes : int, default 81
        Gauss-Hermite quadrature nodes.

    Returns
    -------
    (reliability, error_variance) : tuple of float
        :math:`V_w / (V_w + e_w)` and :math:`e_w`.

    Notes
    -----
    Winsteps' "model" reliability (:func:`separation_reliability`) sets aside persons with extreme
    (all-lowest or all-highest) scores and compares the variance of the rest with their mean
    squared model SE. Its expectation is approximated by quadrature: with weights
    :math:`w(\\theta) = \\phi(\\theta) (1 - P_{min}(\\theta) - P_{max}(\\theta))`, true variance
    :math:`V_w` and error variance :math:`e_w = E_w[1/I(\\theta)]` (I the test information).
    The synthetic network health survey (:mod:`inhd.synthetic_survey`) sets its person-level
    variance with it so that the design reproduces the published individual reliabilities.

    Examples
    --------
    >>> rel, e = expected_person_reliability([-0.5, 0.0, 0.5], [-1.0, 1.0], mean=0.0, sd=1.5)
    >>> 0 < rel < 1 and e > 0
    True
    """
    x, w = _hermite_nodes(int(n_nodes))
    theta = mean + sd * x
    log_p, _ = log_probs(theta[:, None] - np.asarray(difficulties)[None, :], thresholds)
    p = np.exp(log_p)
    h = np.arange(p.shape[-1])
    info = ((p * h ** 2).sum(-1) - (p * h).sum(-1) ** 2).sum(-1)
    extreme = np.exp(log_p[..., 0].sum(-1)) + np.exp(log_p[..., -1].sum(-1))
    wt = w * (1.0 - extreme)
    wt = wt / wt.sum()
    m = wt @ theta
    v = wt @ (theta - m) ** 2
    ok = info > 1e-12                     # far-off nodes are extreme with certainty (weight 0)
    e = float(wt[ok] @ (1.0 / info[ok]))
    return float(v / (v + e)), e


# --------------------------------------------------------------------------------------------
# Reliability of group means
# --------------------------------------------------------------------------------------------
def cluster_mean_reliability(tau, sigma2, n):
    """Reliability of a cluster's mean of ``n`` respondents: lambda = tau / (tau + sigma2 / n).

    Raudenbush & Bryk (2002, eq. 3.59). ``tau`` is the between-cluster variance, ``sigma2`` the
    within-cluster variance of the observed measures (add the measures' error variance to the
    person variance when they carry one), ``n`` the cluster sizes (scalar or array). Returns the
    lambdas, one per cluster (average them for the level's reliability).

    Examples
    --------
    >>> cluster_mean_reliability(0.5, 3.0, [6, 30]).round(3).tolist()
    [0.5, 0.833]
    """
    return tau / (tau + sigma2 / np.asarray(n, float))


def nested_mean_reliability(tau_outer, tau_inner, sigma2, inner_sizes, outer_of_inner) -> float:
    """Mean reliability of outer units' means (networks) with inner units (schools) nested.

    A network's mean has error variance :math:`W_k = [\\sum_j (\\tau_\\pi + \\sigma^2 /
    n_{jk})^{-1}]^{-1}` over its schools j, and :math:`\\lambda_k = \\tau_\\beta / (\\tau_\\beta +
    W_k)` (Raudenbush & Bryk 2002, ch. 8); returns the mean over networks.

    Parameters
    ----------
    tau_outer, tau_inner, sigma2 : float
        Network-level, school-level and within-school variance of the observed measures.
    inner_sizes : array_like
        Respondents in each school.
    outer_of_inner : array_like
        The network of each school (same length).

    Examples
    --------
    Balanced: 8 schools of 5 in each network, W = (0.2 + 1.0 / 5) / 8 = 0.05, lambda = 1 / 1.05:

    >>> round(nested_mean_reliability(1.0, 0.2, 1.0, [5] * 16, [0] * 8 + [1] * 8), 6)
    0.952381
    """
    v = pd.Series(1.0 / (tau_inner + sigma2 / np.asarray(inner_sizes, float))).groupby(
        np.asarray(outer_of_inner)).sum()
    return float(np.mean(tau_outer / (tau_outer + 1.0 / v.to_numpy())))


def reliability_from_components(data: pd.DataFrame, *, variance_components: Mapping[str, float],
                                known_variance: str = "known_variance",
                                groups: Sequence[str] = ("network_id", "school_id")) -> pd.Series:
    """Reliabilities of person measures and of group means implied by the variance components.

    The closed forms of Raudenbush & Bryk (2002, ch. 8) with a known level-1 variance v_i:

    - persons: the mean over persons of sigma2 / (sigma2 + v_i), sigma2 = ``residual``;
    - the innermost level (e.g. schools): lambda_j = tau_j / (tau_j + V_j) with
      V_j = [sum_i 1 / (sigma2 + v_i)]^-1, the error variance of the unit's precision-weighted
      mean;
    - each level above (e.g. networks): lambda_k = tau_k / (tau_k + W_k) with
      W_k = [sum_j 1 / (tau_j + V_j)]^-1 over the units j nested in k;

    each level's reliability is the mean of its units' lambdas. This is an independent check of
    the reliabilities :func:`inhd.hlm.fit_known_variance` reports.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person: the grouping columns and ``known_variance``.
    variance_components : mapping
        ``residual`` and one variance per grouping column, named by it (the ``variance_components``
        of :func:`inhd.hlm.fit_known_variance`).
    known_variance : str
        Column of the known error variances v_i.
    groups : sequence of str
        Grouping columns, outermost first (each nested in the one before).

    Returns
    -------
    pandas.Series
        ``person``, then one reliability per grouping column, named by it.

    Raises
    ------
    ValueError
        A grouping column or a variance component is missing.

    Examples
    --------
    One network of two schools with two error-free respondents each: a school mean has error
    variance 1/2, the network mean (1/2 + 1/2) / 2 = 1/2.

    >>> d = pd.DataFrame({"network_id": ["A"] * 4, "school_id": ["s", "s", "t", "t"],
    ...                   "known_variance": [0.0] * 4})
    >>> vc = {"network_id": 1.0, "school_id": 0.5, "residual": 1.0}
    >>> reliability_from_components(d, variance_components=vc).round(3).to_dict()
    {'person': 1.0, 'network_id': 0.667, 'school_id': 0.5}
    """
    groups = list(groups)
    missing = [c for c in [*groups, known_variance] if c not in data.columns]
    if missing:
        raise ValueError(f"data: column(s) {missing} not found")
    absent = [c for c in [*groups, "residual"] if c not in variance_components]
    if absent:
        raise ValueError(f"variance_components: no entry for {absent} (need one per grouping "
                         "column and 'residual')")
    sigma2 = float(variance_components["residual"])
    v = data[known_variance].to_numpy(dtype=float)
    out = {"person": float(np.mean(sigma2 / (sigma2 + v)))}
    keys = pd.DataFrame({g: data[g].to_numpy() for g in groups})
    # precision of each innermost unit's mean, then up the levels: W = [sum 1 / (tau + V)]^-1
    precision = pd.Series(1.0 / (sigma2 + v)).groupby([keys[g] for g in groups],
                                                      sort=False).sum()
    for depth in range(len(groups) - 1, -1, -1):
        tau = float(variance_components[groups[depth]])
        error = 1.0 / precision
        lam = tau / (tau + error) if tau > 0 else 0.0 * error
        out[groups[depth]] = float(np.mean(lam))
        if depth:
            precision = (1.0 / (tau + error)).groupby(level=list(range(depth)), sort=False).sum()
    return pd.Series({"person": out["person"], **{g: out[g] for g in groups}})


def required_variance_ratios(*, school_reliability: float, network_reliability: float,
                             school_sizes, network_of_school) -> tuple[float, float]:
    """Variance ratios that give the target school- and network-level reliabilities.

    Parameters
    ----------
    school_reliability, network_reliability : float
        Targets in (0, 1), e.g. a row of the poster's reliability table (Bryk et al. 2025).
    school_sizes : array_like of int
        Respondents in each school (one wave).
    network_of_school : array_like
        The network of each school (same length).

    Returns
    -------
    tuple of float
        ``(tau_school / sigma2, tau_network / sigma2)``, with sigma2 the within-school variance of
        the observed measures.

    Raises
    ------
    ValueError
        A target outside (0, 1), or no school sizes (or one below 1).

    Notes
    -----
    Reliabilities of a three-level HLM averaged over units (:func:`cluster_mean_reliability`,
    :func:`nested_mean_reliability`). Each is increasing in its tau, so each ratio is found by
    bracketing root search (first the school ratio, then the network ratio given it).

    Examples
    --------
    Balanced: 30 networks of 8 schools of 5 respondents; then
    :math:`\\tau_\\pi/\\sigma^2 = \\lambda/(1-\\lambda)/n`:

    >>> a, b = required_variance_ratios(school_reliability=0.25, network_reliability=0.8,
    ...                                 school_sizes=np.full(240, 5),
    ...                                 network_of_school=np.repeat(np.arange(30), 8))
    >>> round(a, 4), round(b, 4)
    (0.0667, 0.1333)
    """
    for name, val in [("school_reliability", school_reliability),
                      ("network_reliability", network_reliability)]:
        if not 0.0 < float(val) < 1.0:
            raise ValueError(f"{name} must be in (0, 1), got {val!r}")
    sizes = np.asarray(school_sizes, float)
    if sizes.size == 0 or (sizes < 1).any():
        raise ValueError("school_sizes must be a non-empty array of sizes >= 1")
    a = brentq(lambda t: float(np.mean(cluster_mean_reliability(t, 1.0, sizes)))
               - school_reliability, 1e-9, 1e3)
    b = brentq(lambda t: nested_mean_reliability(t, a, 1.0, sizes, network_of_school)
               - network_reliability, 1e-9, 1e3)
    return float(a), float(b)
