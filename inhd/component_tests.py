"""Tests of variance components: can a level's units be told apart at all?

The poster's reliability table (Bryk, Li, Luppescu & Bui 2025) prints "(n.s.)" beside nine
school- and network-level reliabilities and does not say which test produced the marks. A
reliability is "significant" when the variance component it rests on is distinguishable from
zero, so the marks are tests of ``tau = 0`` against ``tau > 0``. This module computes them for one
measure's unconditional multilevel model with known level-1 error variances
(:func:`inhd.hlm.fit_known_variance`), by one of two documented tests:

``"hlm"`` (the default)
    HLM's own test of a variance component (Raudenbush & Bryk 2002, eq. 3.103 and ch. 8), as
    HLM 8 prints it beside every variance component: a chi-square statistic built from the
    units' own least-squares estimates, on the units with sufficient data minus the level's
    predictors minus 1 degrees of freedom (:mod:`inhd.hlm8`). It is the natural reading of an
    HLM user's "n.s.", though the poster does not say so. It needs one fit.

``"lrt"``
    The likelihood-ratio test, one component at a time, the other components free:
    LR = 2 (llf of the full model - llf of the model without that level). Under the null the
    variance lies on the boundary of its parameter space, so LR is not chi-square on 1 df but
    the 50:50 mixture of a point mass at 0 (chi-square on 0 df) and chi-square on 1 df (Self &
    Liang 1987, case 5; Stram & Lee 1994): p = 0.5 P(chi2_1 > LR) for LR > 0 and p = 1 for
    LR = 0. Referring LR to chi2_1 instead would double every p-value. The fixed part is the
    same in both models (an intercept), so the test is valid under REML as under ML. It needs
    one fit more per level.

Both tests hold their size under the null (``tests/test_component_tests.py``: 300 data sets
without school variance, rejection at 5% within 3 binomial SEs).

References
----------
Self, S. G., & Liang, K.-Y. (1987). Asymptotic properties of maximum likelihood estimators and
likelihood ratio tests under nonstandard conditions. *JASA*, 82(398), 605-610.
Stram, D. O., & Lee, J. W. (1994). Variance components testing in the longitudinal mixed effects
model. *Biometrics*, 50(4), 1171-1177.
Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.), ch. 3 and 8.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from inhd.hlm import fit_known_variance

__all__ = ["TESTS", "COMPONENT_TEST_COLUMNS", "boundary_lrt_p_value", "variance_component_tests"]

#: The tests :func:`variance_component_tests` knows, with the reference distribution of each.
TESTS = {"hlm": "chi2(df), HLM (Raudenbush & Bryk 2002, eq. 3.103)",
         "lrt": "0.5 chi2(0) + 0.5 chi2(1)"}
#: Columns of :func:`variance_component_tests` (they never vary).
COMPONENT_TEST_COLUMNS = ["component", "variance", "statistic", "df", "p_value", "test",
                          "reference", "method", "not_significant", "converged"]


def boundary_lrt_p_value(statistic: float, *, n_covariances: int = 0) -> float:
    """p-value of a likelihood-ratio statistic for one variance component on the boundary.

    Parameters
    ----------
    statistic : float
        LR = 2 (llf_full - llf_reduced); negative values (optimiser noise) count as 0.
    n_covariances : int, default 0
        Covariances of the tested random effect with the ones kept (0 for a level's own
        intercept variance; 1 for a random slope that covaries with the intercept).

    Returns
    -------
    float
        P(T >= LR) for T the 50:50 mixture of chi2(k) and chi2(k + 1), k = ``n_covariances``
        (Stram & Lee 1994); chi2(0) is a point mass at 0, so the p-value is 1 at LR = 0.

    Examples
    --------
    >>> round(boundary_lrt_p_value(2.705543), 4)     # the chi2_1 90% point: half of 0.10
    0.05
    >>> boundary_lrt_p_value(0.0)
    1.0
    """
    if not isinstance(n_covariances, (int, np.integer)) or n_covariances < 0:
        raise ValueError(f"n_covariances must be a whole number >= 0, got {n_covariances!r}")
    lr = float(statistic)
    if np.isnan(lr):
        return float("nan")
    lr = max(lr, 0.0)
    k = int(n_covariances)
    upper = float(stats.chi2.sf(lr, k + 1))
    lower = (1.0 if lr <= 0 else 0.0) if k == 0 else float(stats.chi2.sf(lr, k))
    return 0.5 * lower + 0.5 * upper


def variance_component_tests(data: pd.DataFrame, *, outcome: str = "measure",
                             known_variance: str = "known_variance",
                             groups: Sequence[str] = ("network_id", "school_id"),
                             test: str = "hlm", method: str = "ML",
                             alpha: float = 0.05) -> pd.DataFrame:
    """Test each grouping level's variance component of an unconditional model.

    The model is ``outcome_i = gamma + u_network + u_school + e_i + eps_i`` with
    ``eps_i ~ N(0, v_i)`` known (``known_variance``; 0 for an outcome without measurement
    error, such as a single item's score), fitted by :func:`inhd.hlm.fit_known_variance`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person: ``outcome``, ``known_variance`` and the grouping columns. Not modified.
    outcome, known_variance : str
        Column names.
    groups : sequence of str
        Grouping columns, outermost first (one or two).
    test : {"hlm", "lrt"}
        See the module docstring.
    method : {"ML", "REML"}
        Estimation of every model fitted (HLM 8's three-level module uses full ML).
    alpha : float, default 0.05
        A component with ``p_value >= alpha`` is marked ``not_significant``.

    Returns
    -------
    pandas.DataFrame
        One row per grouping level, columns :data:`COMPONENT_TEST_COLUMNS`: the ``component``
        (grouping column), its estimated ``variance`` in the full model, the test ``statistic``
        (HLM's chi-square, or LR), ``df`` (HLM's; for LR 1, the larger chi-square of the
        mixture), ``p_value``, ``test``, the ``reference`` distribution, ``method``,
        ``not_significant`` and ``converged`` (every fit behind the row).

    Raises
    ------
    ValueError
        An unknown ``test`` or ``method``, ``alpha`` outside (0, 1), no grouping column, or a
        column missing from ``data`` (the fitting function checks the rest).

    Examples
    --------
    >>> from inhd import ROOT
    >>> sim = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")
    >>> out = variance_component_tests(sim, outcome="y", known_variance="v")
    >>> out[["component", "df", "not_significant"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'component': 'network_id', 'df': 29.0, 'not_significant': False},
     {'component': 'school_id', 'df': 74.0, 'not_significant': False}]
    """
    if test not in TESTS:
        raise ValueError(f"test must be one of {sorted(TESTS)}, got {test!r}")
    if str(method).upper() not in ("REML", "ML"):
        raise ValueError(f"method must be 'REML' or 'ML', got {method!r}")
    if not 0.0 < float(alpha) < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    groups = list(groups)
    if not groups:
        raise ValueError("groups: give at least one grouping column")
    missing = [c for c in [outcome, known_variance, *groups] if c not in data.columns]
    if missing:
        raise ValueError(f"data: column(s) {missing} not found")
    formula = f"Q('{outcome}') ~ 1" if not outcome.isidentifier() else f"{outcome} ~ 1"

    def fit(levels, hlm=False):
        return fit_known_variance(data, formula, known_variance=known_variance, groups=levels,
                                  method=str(method).upper(), test="hlm" if hlm else "z")

    full = fit(groups, hlm=test == "hlm")
    rows = []
    if test == "hlm":
        chi2 = full.variance_tests
        for level in groups:
            p = float(chi2.loc[level, "p_value"])
            rows.append({"component": level,
                         "variance": float(full.variance_components[level]),
                         "statistic": float(chi2.loc[level, "statistic"]),
                         "df": float(chi2.loc[level, "df"]), "p_value": p, "test": test,
                         "reference": TESTS[test], "method": str(method).upper(),
                         "not_significant": bool(p >= alpha),
                         "converged": bool(full.converged)})
        return pd.DataFrame(rows, columns=COMPONENT_TEST_COLUMNS)
    for level in groups:
        rest = [g for g in groups if g != level]
        if rest:
            reduced = fit(rest)
            llf_reduced, ok = float(reduced.llf), bool(reduced.converged)
        else:
            llf_reduced, ok = _no_group_llf(data, outcome, known_variance, method), True
        lr = max(0.0, 2.0 * (float(full.llf) - llf_reduced))
        p = boundary_lrt_p_value(lr)
        rows.append({"component": level, "variance": float(full.variance_components[level]),
                     "statistic": lr, "df": 1.0, "p_value": p, "test": test,
                     "reference": TESTS[test], "method": str(method).upper(),
                     "not_significant": bool(p >= alpha),
                     "converged": bool(full.converged) and ok})
    return pd.DataFrame(rows, columns=COMPONENT_TEST_COLUMNS)


def _no_group_llf(data, outcome, known_variance, method) -> float:
    """Maximised (restricted) log-likelihood of y_i = gamma + e_i + eps_i, Var = sigma2 + v_i:
    the model without any grouping level (one parameter, found by bounded search)."""
    from scipy.optimize import minimize_scalar

    y = data[outcome].to_numpy(float)
    v = data[known_variance].to_numpy(float)
    reml = str(method).upper() == "REML"

    def negll(log_s2):
        w = 1.0 / (np.exp(log_s2) + v)
        g = np.sum(w * y) / np.sum(w)
        ll = -0.5 * (len(y) * np.log(2 * np.pi) - np.sum(np.log(w)) + np.sum(w * (y - g) ** 2))
        if reml:
            ll += -0.5 * np.log(np.sum(w)) + 0.5 * np.log(len(y)) + 0.5 * np.log(2 * np.pi)
        return -ll

    spread = max(float(np.var(y)), 1e-8)
    res = minimize_scalar(negll, bounds=(np.log(spread) - 30, np.log(spread) + 5),
                          method="bounded", options={"xatol": 1e-10})
    return -float(res.fun)
