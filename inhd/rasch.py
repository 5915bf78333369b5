"""Rasch rating-scale analysis (Andrich 1978): JMLE as in Winsteps, CML as in eRm.

The INHD measures (e.g. participatory benefits, Perlman, Bryk & Russell 2025, Figure 1 and the
reliability of 0.92 reported beside it) are built with the rating-scale model

.. math::

    P(X_{ni} = h) \\propto \\exp \\sum_{k \\le h} (\\theta_n - \\delta_i - \\tau_k),
    \\quad h = 0..m,

with item difficulties :math:`\\delta_i` summing to zero over the non-extreme items and Andrich
thresholds :math:`\\tau_1..\\tau_m` summing to zero. A higher difficulty means harder to endorse.

Public functions: :func:`fit_rating_scale` (JMLE or CML calibration, optionally anchored),
:func:`estimate_persons` (person measures given fixed items) and :func:`fit_statistics`
(infit/outfit mean-squares and their Wilson-Hilferty z at any given measures).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd
from scipy.linalg import null_space

from inhd.rsm import category_probabilities, log_probs, moments, pattern_groups, probs, solve_locations
from inhd.warnings import ConvergenceWarning

__all__ = [
    "RatingScaleResult",
    "FitStatistics",
    "fit_rating_scale",
    "estimate_persons",
    "fit_statistics",
    "category_probabilities",
]


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------
def _coerce_codes(responses, min_category, n_categories, *, name="responses", calibrating=True,
                  scale_from="min_category and n_categories"):
    """Validate a respondents x items frame; return (X with codes 0..m / NaN, min_category, m)."""
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame (rows respondents, columns items); "
            f"got {type(responses).__name__}"
        )
    if responses.shape[0] == 0 or responses.shape[1] == 0:
        raise ValueError(
            f"{name} is empty ({responses.shape[0]} rows x {responses.shape[1]} columns); "
            "need at least one respondent and one item"
        )
    dup = responses.columns[responses.columns.duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"{name} has duplicated item columns: {dup}")
    problems: list[str] = []
    cols = []
    for col in responses.columns:
        s = responses[col]
        present = s.notna().to_numpy()
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            v = s.astype("float64").to_numpy(na_value=np.nan)
        else:
            v = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
            if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
                # text that happens to parse is still text: codes must be numbers
                is_num = np.array([isinstance(x, (int, float, np.integer, np.floating))
                                   and not isinstance(x, bool) or pd.isna(x)
                                   for x in s.to_numpy(dtype=object)])
                v = np.where(is_num, v, np.nan)
        bad = present & ~(np.isfinite(v) & (v == np.round(v)))
        if bad.any():
            idx = np.flatnonzero(bad)[:3]
            shown = ", ".join(f"{_show(s.iloc[i])} (row {_show(responses.index[i])})"
                              for i in idx)
            more = f" and {bad.sum() - len(idx)} more" if bad.sum() > len(idx) else ""
            text = any(isinstance(s.iloc[i], str) for i in idx)
            hint = " (text, not numbers: convert with pd.to_numeric)" if text else ""
            problems.append(f"column {col!r}: non-integer codes {shown}{more}{hint}")
        cols.append(np.where(bad, np.nan, v))
    if problems:
        raise ValueError(f"{name} must hold integer response codes (missing as NaN/NA): "
                         + "; ".join(problems))
    X = np.column_stack(cols).astype(float)
    never = [c for c, a in zip(responses.columns, np.isnan(X).all(axis=0)) if a]
    if never and calibrating:
        raise ValueError(f"{name}: nobody answered item(s) {never}; drop these columns")
    observed = np.unique(X[~np.isnan(X)]).astype(int)
    if observed.size == 0:
        raise ValueError(f"{name} holds no responses at all (every cell is missing)")
    lo = int(observed[0]) if min_category is None else int(min_category)
    if min_category is not None and observed[0] < lo:
        raise ValueError(f"{name}: code {observed[0]} is below min_category={lo}")
    if n_categories is None:
        m = int(observed[-1]) - lo
    else:
        if int(n_categories) < 2:
            raise ValueError(f"n_categories must be at least 2, got {n_categories}")
        m = int(n_categories) - 1
        if observed[-1] > lo + m:
            out = [f"{c!r}" for c in responses.columns
                   if np.nanmax(X[:, responses.columns.get_loc(c)]) > lo + m]
            raise ValueError(f"{name}: codes above {lo + m} (the scale {lo}-{lo + m} given by "
                             f"{scale_from}) in column(s) {', '.join(out)}")
    if observed.size < 2 and calibrating:
        raise ValueError(f"{name}: only one response category (code {observed[0]}) is observed; "
                         "a rating-scale model needs at least two")
    return X - lo, lo, m


def _show(value):
    """A value as a person would type it (no numpy reprs in messages)."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


# --------------------------------------------------------------------------------------------
# Fit statistics
# --------------------------------------------------------------------------------------------
#: Winsteps bounds the model SD of a mean-square at sqrt(2) before the Wilson-Hilferty transform;
#: without the bound, outfit ZSTD for the KCT items 15-17 is +1.34 instead of Winsteps' -0.63.
_Q_MAX = np.sqrt(2.0)


def _wh_z(ms, q):
    """Wilson-Hilferty cube-root transformation of a mean-square with model SD q (Winsteps)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.cbrt(ms) - 1.0) * (3.0 / q) + q / 3.0


def _fit_sums(X, theta, delta, tau, *, chunk_elems=4_000_000):
    """Infit/outfit mean-squares and z for the rows (persons) and columns (items) of X."""
    n_rows, n_cols = X.shape
    h = np.arange(len(tau) + 1, dtype=float)
    acc_r = np.zeros((6, n_rows))
    acc_c = np.zeros((6, n_cols))
    step = max(1, chunk_elems // (n_cols * h.size))
    for a in range(0, n_rows, step):
        x = X[a:a + step]
        obs = ~np.isnan(x)
        p = probs(theta[a:a + step, None] - delta[None, :], tau)[0]
        e = p @ h
        h2 = p @ (h * h)
        w = h2 - e * e
        c = p @ h**4 - 4 * e * (p @ h**3) + 6 * e * e * h2 - 3 * e**4   # 4th central moment
        y2 = np.where(obs, (np.nan_to_num(x) - e) ** 2, 0.0)
        w_safe = np.where(obs & (w > 0), w, np.inf)          # W = 0 only far off the scale
        parts = (obs, y2, np.where(obs, w, 0.0), np.where(obs, y2 / w_safe, 0.0),
                 np.where(obs, c / w_safe**2, 0.0), np.where(obs, c - w * w, 0.0))
        # (a response with model variance 0 contributes nothing rather than 0/0)
        for k, arr in enumerate(parts):
            acc_r[k, a:a + step] = arr.sum(axis=1)
            acc_c[k] += arr.sum(axis=0)

    def table(acc, count):
        n, y2, w, z2, cw, cvar = acc
        with np.errstate(divide="ignore", invalid="ignore"):
            infit = y2 / w
            outfit = z2 / n
            q_in = np.minimum(np.sqrt(np.maximum(cvar, 0.0)) / w, _Q_MAX)
            q_out = np.minimum(np.sqrt(np.maximum(cw / n**2 - 1.0 / n, 0.0)), _Q_MAX)
        return pd.DataFrame({"infit": infit, "outfit": outfit, "infit_z": _wh_z(infit, q_in),
                             "outfit_z": _wh_z(outfit, q_out), count: n.astype(int)})

    return table(acc_r, "n_items"), table(acc_c, "n_persons")


@dataclass(frozen=True)
class FitStatistics:
    """Infit and outfit mean-squares with their Wilson-Hilferty z (ZSTD), as Winsteps reports.

    Attributes
    ----------
    persons, items : pandas.DataFrame
        Columns ``infit, outfit, infit_z, outfit_z, n`` indexed by the caller's labels.
    """

    persons: pd.DataFrame
    items: pd.DataFrame

    def summary(self) -> str:
        return ("Persons\n" + self.persons.describe().round(3).to_string()
                + "\n\nItems\n" + self.items.round(3).to_string())


def fit_statistics(responses, *, measures, difficulties, thresholds, min_category=None):
    """Infit/outfit mean-squares and ZSTD evaluated at given measures.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.
    measures : array_like or pandas.Series
        One person measure per row (a Series is aligned on ``responses.index``).
    difficulties : array_like or pandas.Series
        One difficulty per column (a Series is aligned on ``responses.columns``).
    thresholds : array_like
        The m Andrich thresholds.
    min_category : int, optional
        The code of the lowest category (default: the smallest observed code).

    Returns
    -------
    FitStatistics

    Notes
    -----
    With :math:`E, W, C` the model mean, variance and fourth central moment of a response and
    :math:`z^2 = (x - E)^2 / W`: outfit = mean :math:`z^2`; infit = :math:`\\sum (x-E)^2 / \\sum W`.
    ZSTD is the Wilson-Hilferty transformation :math:`(MS^{1/3} - 1)(3/q) + q/3` with
    :math:`q^2_{out} = \\sum (C/W^2)/n^2 - 1/n` and :math:`q^2_{in} = \\sum (C - W^2)/(\\sum W)^2`
    (Wright & Masters 1982; Winsteps manual, "Fit statistics"), q bounded at :math:`\\sqrt 2` as
    Winsteps does (found by matching its KCT output). All responses given are used: to
    reproduce Winsteps, pass the non-extreme persons and items only.
    """
    tau = np.asarray(thresholds, dtype=float)
    X, _, m = _coerce_codes(responses, min_category, len(tau) + 1, calibrating=False)
    theta = _aligned(measures, responses.index, "measures")
    delta = _aligned(difficulties, responses.columns, "difficulties")
    per, it = _fit_sums(X, theta, delta, tau)
    per.index, it.index = responses.index, responses.columns
    return FitStatistics(persons=per, items=it)


def _aligned(values, labels, name):
    if isinstance(values, (pd.Series, Mapping)):
        s = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values
        missing = [k for k in labels if k not in s.index]
        if missing:
            raise ValueError(f"{name} has no value for {missing[:5]}")
        v = s.reindex(labels).to_numpy(dtype=float)
    else:
        v = np.asarray(values, dtype=float).ravel()
        if v.size != len(labels):
            raise ValueError(f"{name} has {v.size} values; expected {len(labels)}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite")
    return v


# --------------------------------------------------------------------------------------------
# JMLE: full Newton-Raphson on the joint likelihood (persons profiled through a Schur complement)
# --------------------------------------------------------------------------------------------
#: |logits| beyond which a JMLE estimate is taken to be diverging (the MLE does not exist).
_RUNAWAY = 25.0


def _joint_loglik(theta, delta, tau, gmask, gscore, w, item_score, cat_ge):
    """Joint log-likelihood of grouped persons and its (masked) category probabilities."""
    p, log_z = probs(theta[:, None] - delta[None, :], tau)
    ll = (w * gscore * theta).sum() - item_score @ delta - cat_ge @ tau \
        - (w[:, None] * gmask * log_z).sum()
    p *= gmask[:, :, None]
    return ll, p


def _joint_derivatives(p, gscore, w, item_score, cat_ge, fi, free_tau):
    r"""Analytic gradient and information of the joint log-likelihood.

    Returns ``(g_p, i_pp, g_q, i_pq, i_qq)``: the gradient for the group measures, their
    (diagonal) information, the gradient for the free difficulties ``fi`` followed by the
    thresholds (if ``free_tau``), and the person-by-Q and Q-by-Q blocks of the information.
    With :math:`E, V` the model mean and variance of a response and :math:`G_k = P(X \ge k)`:
    :math:`\partial\ell/\partial\theta = \sum (x - E)`,
    :math:`\partial\ell/\partial\delta_i = -\sum (x - E)`,
    :math:`\partial\ell/\partial\tau_k = -\sum ([x \ge k] - G_k)`; the information blocks
    are the covariances of the sufficient statistics :math:`X` and :math:`[X \ge k]`.
    """
    n_g, n_i, n_h = p.shape
    m = n_h - 1
    h = np.arange(n_h, dtype=float)

    upper = np.tril(np.ones((n_h, n_h)))[:, 1:]          # upper[h, k-1] = [h >= k]

    def at_or_above(a):                       # sum over categories h >= k, for k = 1..m
        return a @ upper

    e, v = moments(p)
    g_p = w * (gscore - e.sum(axis=1))
    i_pp = w * v.sum(axis=1)
    nq = fi.size + (m if free_tau else 0)
    blocks_g, blocks_pq = [np.zeros(0)], [np.zeros((n_g, 0))]
    if fi.size:
        blocks_g.append(-(item_score[fi] - w @ e[:, fi]))
        blocks_pq.append(-w[:, None] * v[:, fi])
    if free_tau:
        p_gh = p.sum(axis=1)                                             # (G, m+1)
        ge_tot = at_or_above(w @ p_gh)                                   # sum w P(X >= k)
        blocks_g.append(-(cat_ge - ge_tot))
        # sum_i Cov(X, [X >= k]) per group: sum_{h >= k} sum_i (h - E_i) p_ih
        e_p = np.matmul(e[:, None, :], p)[:, 0, :]                       # sum_i E_i p_ih
        blocks_pq.append(-w[:, None] * at_or_above(p_gh * h - e_p))
    g_q = np.concatenate(blocks_g)
    i_pq = np.concatenate(blocks_pq, axis=1)
    i_qq = np.zeros((nq, nq))
    if fi.size:
        i_qq[np.arange(fi.size), np.arange(fi.size)] = w @ v[:, fi]
    if free_tau:
        t = slice(fi.size, nq)
        kk = np.maximum.outer(np.arange(m), np.arange(m))
        ge = at_or_above(p).reshape(n_g * n_i, m) * np.repeat(np.sqrt(w), n_i)[:, None]
        i_qq[t, t] = ge_tot[kk] - ge.T @ ge
        if fi.size:
            pw = (w @ p.reshape(n_g, n_i * n_h)).reshape(n_i, n_h)[fi]  # sum_g w p_gih
            epw = np.einsum("gi,gih->ih", (w[:, None] * e)[:, fi], p[:, fi])
            cross = at_or_above(pw * h - epw)
            i_qq[:fi.size, t] = cross
            i_qq[t, :fi.size] = cross.T
    return g_p, i_pp, g_q, i_pq, i_qq


def _jmle(gmask, gscore, gweight, item_score, cat_ge, theta, delta, tau, *, free_items,
          free_tau, center, tol, max_iter):
    """Maximise the joint likelihood over group measures, free difficulties and thresholds.

    ``gmask`` (G, L) marks the responses of each (missingness pattern, raw score) group of
    non-extreme persons, ``gweight`` counts its persons; ``item_score`` and ``cat_ge`` (the number
    of responses at or above category k) are the sufficient statistics. The joint likelihood is
    concave in (theta, delta, tau) (an exponential family with natural parameters linear in
    them), so Newton steps with step-halving converge globally and quadratically. The person
    block of the information is diagonal and is eliminated by a Schur complement; the
    sum-to-zero constraints are imposed by solving in their null space.
    """
    m = tau.size
    fi = np.flatnonzero(free_items)
    nq = fi.size + (m if free_tau else 0)
    cons = []
    if center and fi.size:
        cons.append(np.r_[np.ones(fi.size), np.zeros(nq - fi.size)])
    if free_tau:
        cons.append(np.r_[np.zeros(fi.size), np.ones(m)])
    basis = null_space(np.array(cons)) if cons else np.eye(nq)
    w = gweight.astype(float)
    stats = (gmask, gscore, w, item_score, cat_ge)
    ll, p = _joint_loglik(theta, delta, tau, *stats)
    converged, it = False, 0
    for it in range(1, max_iter + 1):
        g_p, i_pp, g_q, i_pq, i_qq = _joint_derivatives(p, gscore, w, item_score, cat_ge, fi,
                                                        free_tau)
        i_pp = np.maximum(i_pp, 1e-300)            # zero only for runaway groups
        if nq:
            schur = i_qq - i_pq.T @ (i_pq / i_pp[:, None])
            rhs = g_q - i_pq.T @ (g_p / i_pp)
            try:
                step_q = basis @ np.linalg.solve(basis.T @ schur @ basis, basis.T @ rhs)
            except np.linalg.LinAlgError:           # connected data: only when running away
                break
            step_p = (g_p - i_pq @ step_q) / i_pp
        else:
            step_q = np.zeros(0)
            step_p = g_p / i_pp
        biggest = max(np.abs(step_p).max(), np.abs(step_q).max() if nq else 0.0)
        scale = min(1.0, 2.0 / biggest) if biggest > 0 else 1.0
        for _ in range(40):                         # step-halving keeps the ascent monotone
            new_theta = theta + scale * step_p
            new_delta, new_tau = delta.copy(), tau.copy()
            new_delta[fi] += scale * step_q[:fi.size]
            if free_tau:
                new_tau += scale * step_q[fi.size:]
            new_ll, new_p = _joint_loglik(new_theta, new_delta, new_tau, *stats)
            if new_ll >= ll - 1e-12 * abs(ll):
                break
            scale *= 0.5
        theta, delta, tau, ll, p = new_theta, new_delta, new_tau, new_ll, new_p
        if biggest < tol:
            converged = True
            break
    return theta, delta, tau, ll, converged, it


def _threshold_se(p_g, gscore, w, item_score, cat_ge, *, free_items, center):
    """Model SEs of the thresholds from the joint information, persons and free items profiled.

    The threshold block of the inverse of the (sum-to-zero constrained) joint information,
    i.e. accounting for the uncertainty of the person and free item parameters. NaN for a
    dichotomy (the single threshold is fixed at 0).
    """
    m = p_g.shape[-1] - 1
    if m == 1:
        return np.full(1, np.nan)
    fi = np.flatnonzero(free_items)
    _, i_pp, _, i_pq, i_qq = _joint_derivatives(p_g, gscore, w, item_score, cat_ge, fi, True)
    schur = i_qq - i_pq.T @ (i_pq / i_pp[:, None])
    nq = schur.shape[0]
    cons = [np.r_[np.zeros(fi.size), np.ones(m)]]
    if center and fi.size:
        cons.append(np.r_[np.ones(fi.size), np.zeros(m)])
    z = null_space(np.array(cons)) if cons else np.eye(nq)
    try:
        cov = z @ np.linalg.inv(z.T @ schur @ z) @ z.T
    except np.linalg.LinAlgError:             # only for estimates that ran away
        return np.full(m, np.nan)
    return np.sqrt(np.maximum(np.diag(cov)[fi.size:], 0.0))


def _reliability(measure, se):
    """Winsteps' "model" reliability and separation: true variance = observed - mean error var."""
    measure, se = np.asarray(measure, float), np.asarray(se, float)
    if measure.size < 2:
        return np.nan, np.nan
    observed = measure.var()                    # population variance, as Winsteps' P.SD
    mse = np.mean(se**2)
    true = max(observed - mse, 0.0)
    return (true / observed if observed > 0 else np.nan), float(np.sqrt(true / mse))


def _check_connected(obs, item_names, fixed):
    """Refuse designs whose persons and items fall into separate, unlinked blocks."""
    if fixed or obs.shape[0] == 0:
        return
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n_p, n_i = obs.shape
    r, c = np.nonzero(obs)
    graph = coo_matrix((np.ones(r.size), (r, n_p + c)), shape=(n_p + n_i, n_p + n_i))
    n_comp, label = connected_components(graph, directed=False)
    if n_comp > 1:
        blocks = [list(map(str, item_names[label[n_p:] == k])) for k in np.unique(label[n_p:])]
        raise ValueError("responses: the items fall into unlinked blocks answered by disjoint "
                         f"sets of respondents, so their relative difficulty is not identified: "
                         f"{blocks[:4]}; add linking items or calibrate the blocks separately")


def _extremes(X, m, anchored):
    """Iteratively flag extreme persons and (unanchored) extreme items, as Winsteps does."""
    obs = ~np.isnan(X)
    x0 = np.nan_to_num(X)
    items = np.ones(X.shape[1], dtype=bool)
    while True:
        n = obs[:, items].sum(axis=1)
        sc = x0[:, items].sum(axis=1)
        ext_p = (n == 0) | (sc == 0) | (sc == m * n)
        n_i = obs[~ext_p].sum(axis=0)
        s_i = x0[~ext_p].sum(axis=0)
        new = anchored | ~((n_i == 0) | (s_i == 0) | (s_i == m * n_i))
        if np.array_equal(new, items):
            return ext_p, ~items
        items = new


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RatingScaleResult:
    """A calibrated rating scale, labelled with the caller's item names and respondent index.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item: ``difficulty, se, infit, outfit, infit_z, outfit_z, n_persons, score, extreme,
        anchored``. ``score`` is the raw score (codes minus ``min_category``) over all respondents
        kept; fit statistics are over non-extreme persons and NaN for extreme items.
    thresholds, thresholds_se : pandas.Series
        The m Andrich thresholds (sum to zero) and their model SEs, indexed by the code of the
        category each threshold leads into.
    persons : pandas.DataFrame
        Indexed by respondent: ``measure, se, raw_score, n_items, extreme, infit, outfit,
        infit_z, outfit_z``; rows without any response are dropped (counted in
        ``n_dropped_empty``). Person fit is over the non-extreme items; extreme persons have
        NaN fit statistics (Winsteps prints 1.00 and 0.00 there).
    person_reliability, person_separation, item_reliability, item_separation : float
        Winsteps' "model" reliability and separation over non-extreme persons / items.
    category_counts : pandas.Series
        Responses in each category among non-extreme persons and items.
    converged, n_iter, method, n_dropped_empty, min_category, n_categories, extreme_adjustment,
    llf : as named (``llf`` is the joint log-likelihood for JMLE, the conditional one for
        CML, NaN when every parameter is anchored).
    """

    items: pd.DataFrame
    thresholds: pd.Series
    thresholds_se: pd.Series
    persons: pd.DataFrame
    person_reliability: float
    person_separation: float
    item_reliability: float
    item_separation: float
    category_counts: pd.Series
    converged: bool
    n_iter: int
    method: str
    n_dropped_empty: int
    min_category: int
    n_categories: int
    extreme_adjustment: float
    llf: float

    def category_probabilities(self, theta, *, item=None) -> pd.DataFrame:
        """P(category | theta) for an item (default: an item of difficulty 0, the mean item).

        Returns a DataFrame indexed by ``theta`` with one column per category code.
        """
        delta = 0.0 if item is None else float(self.items.loc[item, "difficulty"])
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        p = category_probabilities(theta, difficulty=delta, thresholds=self.thresholds.to_numpy())
        cols = pd.Index(range(self.min_category, self.min_category + self.n_categories),
                        name="category")
        return pd.DataFrame(p, index=pd.Index(theta, name="theta"), columns=cols)

    def expected_score(self, theta, *, item=None) -> np.ndarray:
        """Expected response (in the caller's codes) at ``theta`` on an item (default: the mean
        item, difficulty 0); with ``item="all"`` the expected raw score over all items."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        tau = self.thresholds.to_numpy()
        if isinstance(item, str) and item == "all":
            d = self.items["difficulty"].to_numpy()
            e, _ = moments(np.exp(log_probs(theta[:, None] - d[None, :], tau)[0]))
            return e.sum(axis=1) + self.min_category * d.size
        delta = 0.0 if item is None else float(self.items.loc[item, "difficulty"])
        e, _ = moments(np.exp(log_probs(theta - delta, tau)[0]))
        return e + self.min_category

    def summary(self) -> str:
        """A Winsteps-style text summary (Tables 3.1, 14 and 3.2 in brief)."""
        p = self.persons
        ne = p[~p["extreme"]]
        lines = [
            f"Rasch rating-scale model ({self.method.upper()}), {len(p)} persons x "
            f"{len(self.items)} items, categories {self.min_category}-"
            f"{self.min_category + self.n_categories - 1}",
            f"converged: {self.converged} after {self.n_iter} iterations; "
            f"rows without responses dropped: {self.n_dropped_empty}",
            f"persons: {len(ne)} non-extreme (+{int(p['extreme'].sum())} extreme), mean measure "
            f"{ne['measure'].mean():.3f}, SD {ne['measure'].std(ddof=0):.3f}",
            f"person reliability (model) {self.person_reliability:.3f}, separation "
            f"{self.person_separation:.2f}",
            f"item reliability (model) {self.item_reliability:.3f}, separation "
            f"{self.item_separation:.2f}",
            "",
            "Items (by difficulty):",
            self.items.sort_values("difficulty", ascending=False).round(3).to_string(),
            "",
            "Andrich thresholds:",
            pd.DataFrame({"threshold": self.thresholds, "se": self.thresholds_se,
                          "count": self.category_counts.iloc[1:].to_numpy()}).round(3).to_string(),
        ]
        return "\n".join(lines)

    def plot_wright_map(self, ax=None):
        """Wright map (persons above, items and thresholds below); see inhd.plots.wright_map."""
        from inhd.plots import wright_map
        return wright_map(self, ax=ax)

    def plot_category_curves(self, ax=None):
        """Category probability curves; see inhd.plots.category_curves."""
        from inhd.plots import category_curves
        return category_curves(self, ax=ax)


# --------------------------------------------------------------------------------------------
# Public estimators
# --------------------------------------------------------------------------------------------
def _parse_anchors(anchors, items, m):
    """Return (difficulty anchors with NaN for free items, threshold anchors or None)."""
    delta = np.full(len(items), np.nan)
    if anchors is None:
        return delta, None
    if isinstance(anchors, RatingScaleResult):
        anchors = {"difficulty": anchors.items["difficulty"], "thresholds": anchors.thresholds}
    if not isinstance(anchors, Mapping) or set(anchors) - {"difficulty", "thresholds"}:
        raise ValueError("anchors must be a RatingScaleResult or a mapping with keys "
                         "'difficulty' (item -> logits, partial allowed) and 'thresholds'")
    if "thresholds" not in anchors:
        raise ValueError("anchors must include 'thresholds' (the m Andrich thresholds of the "
                         "calibration); item difficulties alone do not fix the rating scale")
    tau = np.asarray(anchors["thresholds"], dtype=float).ravel()
    if tau.size != m or not np.all(np.isfinite(tau)):
        raise ValueError(f"anchors['thresholds'] must hold {m} finite values for a scale with "
                         f"{m + 1} categories; got {tau.size}")
    d = pd.Series(anchors.get("difficulty", {}), dtype=float)
    unknown = [k for k in d.index if k not in items]
    if unknown:
        raise ValueError(f"anchors['difficulty'] names item(s) not in responses: {unknown[:5]}")
    for k, val in d.items():
        delta[items.get_loc(k)] = val
    return delta, tau


def fit_rating_scale(responses, *, method="jmle", min_category=None, n_categories=None,
                     anchors=None, extreme_adjustment=0.3, tol=1e-8, max_iter=100, rng=None):
    """Calibrate the Andrich rating-scale model by JMLE (as Winsteps) or CML (as eRm).

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items, integer codes; NaN/NA marks a missing response. Rows
        without any response are dropped and counted (``n_dropped_empty``). Not modified.
    method : {"jmle", "cml"}
        Joint maximum likelihood with Winsteps' conventions, or conditional maximum likelihood
        (``inhd.cml``) with persons then measured by ML given the items.
    min_category : int, optional
        Code of the lowest category (default: the smallest observed code).
    n_categories : int, optional
        Number of categories m + 1 (default: largest observed code - min_category + 1).
    anchors : RatingScaleResult or mapping, optional
        Hold parameters at values from an earlier calibration, to score new respondents on the
        same scale: ``{"difficulty": {item: logits, ...}, "thresholds": [tau_1, ..., tau_m]}``.
        Thresholds are required; item anchors may be partial (the other items are estimated
        in the anchored frame, without re-centring). JMLE only.
    extreme_adjustment : float, default 0.3
        Score points by which extreme (zero or perfect) scores are moved inwards before their
        measures are estimated (Winsteps' EXTRSC=0.3).
    tol : float, default 1e-8
        Convergence: the largest Newton step (logits) of any parameter.
    max_iter : int, default 100
        Newton iterations before stopping with a ConvergenceWarning and ``converged=False``.
    rng : None
        Accepted for a uniform signature across ``inhd`` estimators; both estimators are
        deterministic and do not use it.

    Returns
    -------
    RatingScaleResult

    Raises
    ------
    TypeError
        If ``responses`` is not a DataFrame.
    ValueError
        Empty frame, non-integer codes, an item nobody answered, a single observed category, a
        category never used by non-extreme responses (thresholds not estimable), no non-extreme
        respondent, items in unlinked blocks (disjoint sets of respondents), bad anchors or
        method.

    Warns
    -----
    ConvergenceWarning
        With ``converged=False``: the iterations hit ``max_iter``, or estimates ran off towards
        infinity (beyond 25 logits) because the JMLE does not exist for the data (e.g. the only
        non-top response to an item comes from a respondent who scored 0 on everything else).

    Notes
    -----
    Model: :math:`P(X_{ni}=h) \\propto \\exp\\sum_{k\\le h}(\\theta_n-\\delta_i-\\tau_k)`,
    :math:`h = 0..m`. Identification: the difficulties of the non-extreme items sum to zero (as
    Winsteps' UIMEAN=0; when no item is extreme, all difficulties sum to zero, as in eRm) and
    the thresholds sum to zero.

    JMLE follows Winsteps: persons with zero or perfect scores and items that every non-extreme
    person endorses maximally or minimally are set aside (iterating until none remain), the
    joint likelihood of the rest is maximised by full Newton-Raphson (persons with the same
    missingness pattern and raw score share a measure, so the work scales with the number of such
    groups; the person block is eliminated by a Schur complement) to ``tol``; then extreme
    persons are measured against the non-extreme items and extreme items against the
    non-extreme persons with their scores moved in by ``extreme_adjustment``. SEs are model SEs
    (inverse square root of the information). Fit statistics follow Winsteps (see
    :func:`fit_statistics`). Reliability is Winsteps' "model" reliability: (observed variance -
    mean squared model SE) / observed variance over non-extreme persons (items), with the
    population variance; separation = true SD / RMSE.

    Agreement with Winsteps (tests/test_rasch.py, data/reference): on the Knox Cube Test the
    measures agree within 0.2 logits (non-extreme persons and items; exactly converged JMLE is a
    few percent wider than Winsteps' stopping point), SEs within 0.05; fit mean-squares evaluated
    at Winsteps' printed measures agree within 0.01 (the printed measures are rounded to 0.01),
    infit ZSTD and person outfit ZSTD within 0.015; item outfit ZSTD within 0.2 (for four
    items with very improbable responses Winsteps' z is smaller than the published formula
    gives; we keep the formula). Liking for Science: thresholds -0.86/+0.86 within 0.02 and
    category counts 378/620/852 exactly.

    JMLE estimates carry the usual JMLE bias of order 1/L (no correction is applied, as
    Winsteps' default STBIAS=No): in simulations with thresholds (-1.2, 0.1, 1.1) the outer
    thresholds are stretched by about 17%, 5% and 2% with 10, 30 and 90 items. Use
    ``method="cml"`` for consistent item and threshold estimates. Threshold SEs come from the
    joint information with persons and items profiled out (they match the simulated spread).

    References
    ----------
    Andrich, D. (1978). A rating formulation for ordered response categories. Psychometrika 43.
    Wright, B. D. & Masters, G. N. (1982). Rating Scale Analysis. MESA Press.
    Linacre, J. M. Winsteps Rasch measurement computer program user's guide.
    Perlman, Bryk & Russell (2025), Figure 1 and the person reliability of 0.92.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> lfs = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    >>> res = fit_rating_scale(lfs)          # as Winsteps with its default settings
    >>> res.thresholds.round(2).tolist()
    [-0.86, 0.86]
    >>> int(res.persons["extreme"].sum()), res.category_counts.tolist()
    (1, [378, 620, 852])

    ``method="cml"`` corresponds to ``eRm::RSM(X)`` followed by ``eRm::person.parameter`` (eRm
    refuses LFS itself, because not every item uses every category).
    """
    if method not in ("jmle", "cml"):
        raise ValueError(f"method must be 'jmle' or 'cml', got {method!r}")
    if not (isinstance(extreme_adjustment, (int, float)) and 0 < extreme_adjustment < 1):
        raise ValueError(f"extreme_adjustment must be in (0, 1) score points, "
                         f"got {extreme_adjustment!r}")
    if isinstance(anchors, RatingScaleResult):
        min_category = anchors.min_category if min_category is None else min_category
        n_categories = anchors.n_categories if n_categories is None else n_categories
    scale_from = "min_category and n_categories"
    if isinstance(anchors, Mapping) and "thresholds" in anchors and n_categories is None:
        n_categories = np.size(anchors["thresholds"]) + 1
        scale_from = f"the {n_categories - 1} anchored thresholds"
    fully_anchored = False
    if anchors is not None and isinstance(responses, pd.DataFrame):
        names = (anchors.items.index if isinstance(anchors, RatingScaleResult)
                 else pd.Index(list(dict(anchors.get("difficulty", {})))))
        fully_anchored = bool(len(responses.columns)) and responses.columns.isin(names).all()
    X, lo, m = _coerce_codes(responses, min_category, n_categories,
                             calibrating=not fully_anchored, scale_from=scale_from)
    keep = ~np.isnan(X).all(axis=1)
    n_dropped = int((~keep).sum())
    X, index, items = X[keep], responses.index[keep], responses.columns
    d_anchor, tau_anchor = _parse_anchors(anchors, items, m)
    anchored = ~np.isnan(d_anchor)
    if method == "cml" and anchors is not None:
        raise ValueError("anchors are for JMLE calibration and scoring; with method='cml', "
                         "calibrate first, then use estimate_persons or anchors=result")

    ext_p, ext_i = _extremes(X, m, anchored)
    inc = ~ext_i
    fixed = tau_anchor is not None and anchored.all()      # pure scoring: nothing to estimate
    if ((~ext_p).sum() == 0 and not fixed) or inc.sum() == 0:
        raise ValueError("responses: every respondent (or item) has an extreme score; the "
                         "rating scale cannot be estimated from these data")
    Xn = X[~ext_p][:, inc]
    obs_n = ~np.isnan(Xn)
    _check_connected(obs_n, items[inc], fixed)
    xn = np.nan_to_num(Xn)
    counts = np.bincount(xn[obs_n].astype(int), minlength=m + 1)
    if tau_anchor is None and (counts == 0).any():
        empty = [lo + int(k) for k in np.flatnonzero(counts == 0)]
        raise ValueError(f"responses: category code(s) {empty} never occur among non-extreme "
                         "responses, so their thresholds are not estimable; recode (collapse) "
                         "the categories or set min_category/n_categories to the codes used")
    cat_ge = counts[::-1].cumsum()[::-1][1:].astype(float)
    item_score = xn.sum(axis=0)
    pscore = xn.sum(axis=1)
    n_it = obs_n.sum(axis=0)

    first, inverse, wts = pattern_groups(obs_n, pscore)     # persons sharing a measure
    gmask, gscore = obs_n[first].astype(float), pscore[first]
    if method == "jmle" and fixed:
        d_inc, tau, ll, n_iter = d_anchor[inc], tau_anchor.copy(), np.nan, 0
        theta_n, _, converged = solve_locations(obs_n, d_inc, pscore.astype(float), tau,
                                                 tol=tol, max_iter=max_iter)
        if not converged:
            warnings.warn("person measures did not converge (converged=False)",
                          ConvergenceWarning, stacklevel=2)
    elif method == "jmle":
        p_i = np.clip(item_score / np.maximum(m * n_it, 1), 1e-3, 1 - 1e-3)
        d0 = np.log((1 - p_i) / p_i)
        free_items = ~anchored[inc]
        center = bool(free_items.all())
        d0 = d0 - d0.mean() if center else np.where(free_items, d0, d_anchor[inc])
        if tau_anchor is None:
            t0 = np.log(np.maximum(counts[:-1], 1) / np.maximum(counts[1:], 1))
            t0 -= t0.mean()
        else:
            t0 = tau_anchor.copy()
        frac = gscore / (m * gmask.sum(axis=1))
        th0 = np.log(frac / (1 - frac)) + (gmask * d0).sum(axis=1) / gmask.sum(axis=1)
        gth, d_inc, tau, ll, converged, n_iter = _jmle(
            gmask, gscore, wts, item_score, cat_ge, th0, d0, t0, free_items=free_items,
            free_tau=tau_anchor is None, center=center, tol=tol, max_iter=max_iter)
        theta_n = gth[inverse]
        runaway = [str(k) for k in items[inc][np.abs(d_inc) > _RUNAWAY]]
        if np.any(np.abs(tau) > _RUNAWAY):
            runaway.append("thresholds")
        if np.any(np.abs(gth) > _RUNAWAY + np.abs(d_inc).max()):
            runaway.append("some persons")
        if runaway:
            converged = False
            warnings.warn(f"JMLE estimates run off towards infinity ({', '.join(runaway[:8])}): "
                          "the maximum-likelihood estimate does not exist for these data (e.g. "
                          "an item whose responses are perfectly ordered with the persons' or a "
                          "rarely used category); converged=False. Collapse categories or drop "
                          "the item.", ConvergenceWarning, stacklevel=2)
        elif not converged:
            warnings.warn(f"JMLE did not converge in {max_iter} iterations (tol={tol}); "
                          "results are provisional (converged=False)", ConvergenceWarning,
                          stacklevel=2)
    else:
        from inhd.cml import cml_rating_scale
        rows = (~np.isnan(X[:, inc])).any(axis=1)
        est = cml_rating_scale(X[rows][:, inc], n_categories=m + 1, tol=1e-10, max_iter=200)
        d_inc = np.asarray(est.difficulty, dtype=float)
        tau = np.asarray(est.thresholds, dtype=float)
        converged, n_iter, ll = bool(est.converged), int(est.n_iter), float(est.llf)
        if not converged:
            warnings.warn("CML did not converge; results are provisional (converged=False)",
                          ConvergenceWarning, stacklevel=2)
        theta_n, _, ok = solve_locations(obs_n, d_inc, pscore.astype(float), tau)
        converged = converged and ok

    # non-extreme persons and included items at the estimates
    n_obs, n_items = X.shape
    measure, se = np.full(n_obs, np.nan), np.full(n_obs, np.nan)
    measure[~ext_p] = theta_n
    p_g = probs(theta_n[first][:, None] - d_inc[None, :], tau)[0]
    p_g *= gmask[:, :, None]
    _, v_g = moments(p_g)
    se[~ext_p] = (1.0 / np.sqrt(v_g.sum(axis=1)))[inverse]
    delta, dse = np.full(n_items, np.nan), np.full(n_items, np.nan)
    delta[inc] = d_inc
    if method == "cml":                       # conditional-likelihood SEs from the CML engine
        dse[inc] = np.asarray(est.difficulty_se, dtype=float)
    else:                                     # Winsteps' model SE
        with np.errstate(divide="ignore"):
            info_i = wts @ v_g
        dse[inc] = np.where(info_i > 0, 1.0 / np.sqrt(np.where(info_i > 0, info_i, 1.0)), np.nan)

    def adjusted(rows, cols, offsets, sign):
        """Measures of persons (sign=+1: rows of X[rows][:, cols]) or items (sign=-1: columns)
        given the other side's ``offsets``, extreme scores moved in by the adjustment."""
        sub = X[np.ix_(rows, cols)] if sign > 0 else X[np.ix_(rows, cols)].T
        ok = ~np.isnan(sub)
        n = ok.sum(axis=1)
        target = np.clip(np.nan_to_num(sub).sum(axis=1), extreme_adjustment,
                         m * n - extreme_adjustment)
        out, out_se = np.full(len(sub), np.nan), np.full(len(sub), np.nan)
        has = n > 0
        if has.any():
            b, bse, _ = solve_locations(ok[has], offsets, target[has], tau)
            out[has], out_se[has] = sign * b, bse
        return out, out_se

    # extreme items against the non-extreme persons (Winsteps), scores moved in by 0.3
    ei, ep = np.flatnonzero(ext_i), np.flatnonzero(ext_p)
    if ei.size:
        delta[ei], dse[ei] = adjusted(np.flatnonzero(~ext_p), ei, -theta_n, -1)
    # extreme persons against the non-extreme items; if they answered none, against all the
    # items they answered that have a measure
    if ep.size:
        measure[ep], se[ep] = adjusted(ep, np.flatnonzero(inc), d_inc, 1)
        left = ep[np.isnan(measure[ep])]
        known = np.flatnonzero(np.isfinite(delta))
        if left.size:
            measure[left], se[left] = adjusted(left, known, delta[known], 1)
    # extreme items answered only by extreme persons: against those persons
    left = np.flatnonzero(np.isnan(delta))
    if left.size:
        rows = np.flatnonzero(np.isfinite(measure))
        delta[left], dse[left] = adjusted(rows, left, -measure[rows], -1)
    unmeasured = [str(k) for k in items[np.isnan(delta)]] + \
        [str(k) for k in index[np.isnan(measure)]]
    if unmeasured:
        warnings.warn(f"no measure could be estimated for {unmeasured[:10]} (their only "
                      "responses are to unmeasured items/persons); reported as NaN",
                      ConvergenceWarning, stacklevel=2)

    pfit, ifit = _fit_sums(Xn, theta_n, d_inc, tau)
    allobs = ~np.isnan(X)
    persons = pd.DataFrame({
        "measure": measure, "se": se,
        "raw_score": np.nan_to_num(X).sum(axis=1), "n_items": allobs.sum(axis=1),
        "extreme": ext_p}, index=index)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        persons[col] = np.nan
        persons.loc[~ext_p, col] = pfit[col].to_numpy()
    items_df = pd.DataFrame({"difficulty": delta, "se": dse}, index=items)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        items_df[col] = np.nan
        items_df.loc[inc, col] = ifit[col].to_numpy()
    items_df["n_persons"] = allobs.sum(axis=0)
    items_df["score"] = np.nan_to_num(X).sum(axis=0)
    items_df["extreme"] = ext_i
    items_df["anchored"] = anchored

    if tau_anchor is not None:
        tse = np.full(m, np.nan)
    elif method == "cml":
        tse = np.asarray(est.thresholds_se, dtype=float)
    else:
        free = ~anchored[inc]
        tse = _threshold_se(p_g, gscore, wts.astype(float), item_score, cat_ge, free_items=free,
                            center=bool(free.all()))
    cats = pd.Index(range(lo + 1, lo + m + 1), name="category")
    p_rel = _reliability(measure[~ext_p], se[~ext_p])
    i_rel = _reliability(d_inc, dse[inc])
    return RatingScaleResult(
        items=items_df, thresholds=pd.Series(tau, index=cats, name="threshold"),
        thresholds_se=pd.Series(tse, index=cats, name="se"), persons=persons,
        person_reliability=float(p_rel[0]), person_separation=float(p_rel[1]),
        item_reliability=float(i_rel[0]), item_separation=float(i_rel[1]),
        category_counts=pd.Series(counts, index=pd.Index(range(lo, lo + m + 1), name="category"),
                                  name="count"),
        converged=bool(converged), n_iter=int(n_iter), method=method,
        n_dropped_empty=n_dropped, min_category=int(lo), n_categories=m + 1,
        extreme_adjustment=float(extreme_adjustment), llf=float(ll))


def estimate_persons(responses, *, difficulties, thresholds, min_category=None,
                     extreme_adjustment=0.3, tol=1e-10, max_iter=100) -> pd.DataFrame:
    """Person measures by maximum likelihood given fixed item difficulties and thresholds.

    Used to score new respondents on an existing calibration (as the INHD reports do each year)
    and, inside :func:`fit_rating_scale`, for persons under CML.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing. Not modified.
    difficulties : pandas.Series, mapping or array_like
        Item difficulties (logits); a Series/mapping is matched to ``responses.columns``.
    thresholds : array_like
        The m Andrich thresholds of the calibration (m + 1 categories).
    min_category : int, optional
        Code of the lowest category. Pass the calibration's ``min_category``: the default (the
        smallest code observed in ``responses``) is wrong if nobody used the lowest category.
    extreme_adjustment : float, default 0.3
        Zero and perfect scores are measured at score + 0.3 and maximum - 0.3 (Winsteps).
    tol, max_iter
        Convergence of the safeguarded Newton iterations (logits).

    Returns
    -------
    pandas.DataFrame
        One row per row of ``responses`` (same index): ``measure, se, raw_score, n_items,
        extreme, infit, outfit, infit_z, outfit_z``. Rows with no response have NaN measure and
        SE (never imputed); extreme rows have NaN fit statistics.

    Notes
    -----
    Solves :math:`r_n = \\sum_i E(X_{ni} \\mid \\theta_n)` over the items person n answered;
    the model SE is :math:`1/\\sqrt{\\sum_i \\mathrm{Var}(X_{ni})}`. Equivalent to Winsteps with
    anchored items (IAFILE, SAFILE) or ``eRm::person.parameter`` for non-extreme persons.
    """
    tau = np.asarray(thresholds, dtype=float).ravel()
    if tau.size < 1 or not np.all(np.isfinite(tau)):
        raise ValueError("thresholds must hold at least one finite value")
    X, lo, m = _coerce_codes(responses, min_category, tau.size + 1, calibrating=False,
                             scale_from=f"the {tau.size} thresholds")
    delta = _aligned(difficulties, responses.columns, "difficulties")
    obs = ~np.isnan(X)
    n = obs.sum(axis=1)
    sc = np.nan_to_num(X).sum(axis=1)
    has = n > 0
    extreme = has & ((sc == 0) | (sc == m * n))
    target = np.clip(sc, extreme_adjustment, m * n - extreme_adjustment)
    measure, se = np.full(len(X), np.nan), np.full(len(X), np.nan)
    converged = True
    if has.any():
        measure[has], se[has], converged = solve_locations(obs[has], delta, target[has], tau,
                                                            tol=tol, max_iter=max_iter)
    if not converged:
        warnings.warn("person measures did not converge", ConvergenceWarning, stacklevel=2)
    out = pd.DataFrame({"measure": measure, "se": se, "raw_score": sc, "n_items": n,
                        "extreme": extreme}, index=responses.index)
    fit_rows = has & ~extreme
    pfit, _ = _fit_sums(X[fit_rows], measure[fit_rows], delta, tau)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        out[col] = np.nan
        out.loc[fit_rows, col] = pfit[col].to_numpy()
    return out
