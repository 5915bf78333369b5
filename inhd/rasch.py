"""Rasch rating-scale analysis (Andrich 1978): JMLE as in Winsteps, CML as in eRm.

The INHD measures (e.g. participatory benefits, Perlman, Bryk & Russell 2025, Figure 1 and the
reliability of 0.92 reported beside it) are built with the rating-scale model

.. math::

    P(X_{ni} = h) \\propto \\exp \\sum_{k \\le h} (\\theta_n - \\delta_i - \\tau_k),
    \\quad h = 0..m,

with item difficulties :math:`\\delta_i` summing to zero over the non-extreme items and Andrich
thresholds :math:`\\tau_1..\\tau_m` summing to zero. A higher difficulty means harder to endorse.

Public functions: :func:`fit_rating_scale` (JMLE or CML calibration, optionally anchored),
:func:`estimate_persons` (person measures given fixed items), :func:`fit_statistics`
(infit/outfit mean-squares and their Wilson-Hilferty z at any given measures),
:func:`fit_partial_credit` (the partial credit model, from :mod:`inhd.partial_credit`) and
:func:`rating_scale_vs_partial_credit` (the likelihood-ratio test of the rating scale against
it). The estimation itself is done by :mod:`inhd.jmle` and :mod:`inhd.cml`; this module prepares
the data (codes, extreme scores, anchors), measures the extreme persons and items, and labels the
results.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from scipy import stats

from inhd.cml import cml_partial_credit, cml_rating_scale
from inhd.codes import aligned, check_connected, coerce_codes
from inhd.fitstats import fit_sums, point_measure
from inhd.jmle import jmle_rating_scale
from inhd.partial_credit import PartialCreditResult, fit_partial_credit
from inhd.reliability import separation_reliability
from inhd.rsm import category_probabilities, item_tops, log_probs, moments, solve_locations
from inhd.scales import reporting_range
from inhd.warnings import ConvergenceWarning

__all__ = [
    "RatingScaleResult",
    "FitStatistics",
    "fit_rating_scale",
    "estimate_persons",
    "fit_statistics",
    "category_probabilities",
    "PartialCreditResult",
    "fit_partial_credit",
    "ModelComparison",
    "rating_scale_vs_partial_credit",
]


# --------------------------------------------------------------------------------------------
# Fit statistics at given measures
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FitStatistics:
    """Infit and outfit mean-squares with their Wilson-Hilferty z (ZSTD), as Winsteps reports.

    Attributes
    ----------
    persons, items : pandas.DataFrame
        Columns ``infit, outfit, infit_z, outfit_z`` and the count of responses used
        (``n_items`` for persons, ``n_persons`` for items), indexed by the caller's labels.
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
    X, _, m = coerce_codes(responses, min_category, len(tau) + 1, calibrating=False)
    theta = aligned(measures, responses.index, "measures")
    delta = aligned(difficulties, responses.columns, "difficulties")
    per, it = fit_sums(X, theta, delta, tau)
    per.index, it.index = responses.index, responses.columns
    return FitStatistics(persons=per, items=it)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RatingScaleResult:
    """A calibrated rating scale, labelled with the caller's item names and respondent index.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item: ``difficulty, se, infit, outfit, infit_z, outfit_z, n_persons, score,
        extreme, anchored, point_measure_r, point_measure_expected``. ``score`` is the raw score
        (codes minus ``min_category``) over all respondents kept; fit statistics are over
        non-extreme persons and NaN for extreme items. ``point_measure_r`` is Winsteps'
        point-measure correlation (PTMEA CORR.): the Pearson correlation of the item's observed
        responses with the measures of the persons who gave them,
        :math:`r = \\sum (x_n - \\bar x)(B_n - \\bar B) / \\sqrt{\\sum (x_n - \\bar x)^2
        \\sum (B_n - \\bar B)^2}`; ``point_measure_expected`` its expected value under the model
        (PTMEA EXP.), the same with each response replaced by its expectation
        :math:`E_n = E(X_{ni} \\mid B_n)` and the model variances :math:`W_n` added to its
        spread: :math:`r_E = \\sum (E_n - \\bar E)(B_n - \\bar B) / \\sqrt{\\sum [(E_n - \\bar
        E)^2 + W_n] \\sum (B_n - \\bar B)^2}` (Linacre, Winsteps manual, "Correlations:
        point-biserial, point-measure, residual"). Both use every person with a measure who
        answered the item, extreme persons included at their extreme-score measures (as
        Winsteps includes extreme scores in its correlations), and are NaN for an item whose
        responses do not vary.
    thresholds, thresholds_se : pandas.Series
        The m Andrich thresholds (sum to zero) and their model SEs, indexed by the code of the
        category each threshold leads into. With two categories the single threshold is 0 by
        the sum-to-zero constraint and its SE is NaN (under JMLE and CML alike); so are the SEs
        of anchored thresholds.
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

    def reporting_range(self) -> tuple[float, float]:
        """The logits mapped to 0 and 10 on the reporting scale: :func:`inhd.scales.reporting_range`
        of these items and thresholds, with this calibration's ``extreme_adjustment``."""
        return reporting_range(self.items["difficulty"], self.thresholds,
                               extreme_adjustment=self.extreme_adjustment)

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
# Calibration, step by step: prepare, estimate, extremes, assemble
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


def _extremes(x, obs, m, anchored):
    """Iteratively flag extreme persons and (unanchored) extreme items, as Winsteps does.

    ``x`` holds the integer codes (0 where missing)."""
    items = np.ones(x.shape[1], dtype=bool)
    n_all, sc_all = obs.sum(axis=1), x.sum(axis=1, dtype=np.int64)
    while True:
        out = ~items
        n = n_all - obs[:, out].sum(axis=1)
        sc = sc_all - x[:, out].sum(axis=1, dtype=np.int64)
        ext_p = (n == 0) | (sc == 0) | (sc == m * n)
        n_i = obs[~ext_p].sum(axis=0)
        s_i = x[~ext_p].sum(axis=0, dtype=np.int64)
        new = anchored | ~((n_i == 0) | (s_i == 0) | (s_i == m * n_i))
        if np.array_equal(new, items):
            return ext_p, ~items
        items = new


@dataclass(frozen=True)
class _Prepared:
    """Validated codes and the extreme persons and items (Winsteps' iteration)."""

    X: np.ndarray            # codes 0..m, NaN where missing (rows with a response)
    obs: np.ndarray
    index: pd.Index
    items: pd.Index
    lo: int
    m: int
    d_anchor: np.ndarray     # NaN for free items
    tau_anchor: np.ndarray | None
    ext_p: np.ndarray
    ext_i: np.ndarray
    counts: np.ndarray       # responses per category, non-extreme persons and items
    n_dropped: int


def _prepare(responses, method, min_category, n_categories, anchors, extreme_adjustment):
    """Check the arguments and codes, parse anchors, set extreme persons and items aside."""
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
    X, lo, m = coerce_codes(responses, min_category, n_categories,
                             calibrating=not fully_anchored, scale_from=scale_from)
    obs = ~np.isnan(X)
    keep = obs.any(axis=1)
    n_dropped = int((~keep).sum())
    if n_dropped:
        X, obs = X[keep], obs[keep]
    items = responses.columns
    d_anchor, tau_anchor = _parse_anchors(anchors, items, m)
    if method == "cml" and anchors is not None:
        raise ValueError("anchors are for JMLE calibration and scoring; with method='cml', "
                         "calibrate first, then use estimate_persons or anchors=result")
    x = np.zeros(X.shape, np.int8 if m < 128 else np.int64)      # integer codes, 0 if missing
    np.copyto(x, X, where=obs, casting="unsafe")
    anchored = ~np.isnan(d_anchor)
    ext_p, ext_i = _extremes(x, obs, m, anchored)
    fixed = tau_anchor is not None and anchored.all()
    if ((~ext_p).sum() == 0 and not fixed) or ext_i.all():
        raise ValueError("responses: every respondent (or item) has an extreme score; the "
                         "rating scale cannot be estimated from these data")
    rows, inc = np.flatnonzero(~ext_p), ~ext_i
    check_connected(obs[np.ix_(rows, inc)], items[inc], fixed)
    counts = np.bincount(x[np.ix_(rows, inc)][obs[np.ix_(rows, inc)]], minlength=m + 1)
    if tau_anchor is None and (counts == 0).any():
        empty = [lo + int(k) for k in np.flatnonzero(counts == 0)]
        raise ValueError(f"responses: category code(s) {empty} never occur among non-extreme "
                         "responses, so their thresholds are not estimable; recode (collapse) "
                         "the categories or set min_category/n_categories to the codes used")
    return _Prepared(X=X, obs=obs, index=responses.index[keep], items=items, lo=lo, m=m,
                     d_anchor=d_anchor, tau_anchor=tau_anchor, ext_p=ext_p, ext_i=ext_i,
                     counts=counts, n_dropped=n_dropped)


def _estimate(prep: _Prepared, method, tol, max_iter):
    """Run the engine on the included items and the persons who answered one of them (the
    engine leaves the extreme persons unmeasured). Returns the engine's
    :class:`inhd.rsm.RatingScaleEstimate` and full-length person measures and SEs."""
    inc = ~prep.ext_i
    rows = prep.obs[:, inc].any(axis=1)
    X = prep.X if (rows.all() and inc.all()) else prep.X[np.ix_(rows, inc)]
    if method == "cml":
        est = cml_rating_scale(X, n_categories=prep.m + 1, tol=1e-10, max_iter=200)
    else:
        est = jmle_rating_scale(X, n_categories=prep.m + 1,
                                difficulty_anchors=prep.d_anchor[inc],
                                threshold_anchors=prep.tau_anchor, tol=tol, max_iter=max_iter)
    measures, measures_se = np.full(len(prep.X), np.nan), np.full(len(prep.X), np.nan)
    measures[rows], measures_se[rows] = est.measures, est.measures_se
    return est, measures, measures_se


def _adjusted(prep: _Prepared, rows, cols, offsets, tau, sign, adjustment):
    """Measures of persons (sign=+1: rows of X[rows][:, cols]) or items (sign=-1: columns)
    given the other side's ``offsets``, extreme scores moved in by ``adjustment``."""
    sub = prep.X[np.ix_(rows, cols)]
    sub = sub if sign > 0 else sub.T
    ok = ~np.isnan(sub)
    n = ok.sum(axis=1)
    target = np.clip(np.nan_to_num(sub).sum(axis=1), adjustment, prep.m * n - adjustment)
    out, out_se = np.full(len(sub), np.nan), np.full(len(sub), np.nan)
    has = n > 0
    if has.any():
        b, bse, _ = solve_locations(ok[has], offsets, target[has], tau)
        out[has], out_se[has] = sign * b, bse
    return out, out_se


def _measure_extremes(prep: _Prepared, est, measure, se, adjustment):
    """Full-length item and person measures: extreme items against the non-extreme persons and
    extreme persons against the non-extreme items, scores moved in by ``adjustment`` (Winsteps'
    EXTRSC); then whatever is left against everything measured."""
    inc = np.flatnonzero(~prep.ext_i)
    tau = est.thresholds
    delta, dse = np.full(len(prep.items), np.nan), np.full(len(prep.items), np.nan)
    delta[inc], dse[inc] = est.difficulty, est.difficulty_se
    ne, ep = np.flatnonzero(~prep.ext_p), np.flatnonzero(prep.ext_p)
    ei = np.flatnonzero(prep.ext_i)
    if ei.size:
        delta[ei], dse[ei] = _adjusted(prep, ne, ei, -measure[ne], tau, -1, adjustment)
    if ep.size:
        measure[ep], se[ep] = _adjusted(prep, ep, inc, est.difficulty, tau, 1, adjustment)
        left = ep[np.isnan(measure[ep])]
        known = np.flatnonzero(np.isfinite(delta))
        if left.size:
            measure[left], se[left] = _adjusted(prep, left, known, delta[known], tau, 1,
                                                adjustment)
    # extreme items answered only by extreme persons: against those persons
    left = np.flatnonzero(np.isnan(delta))
    if left.size:
        rows = np.flatnonzero(np.isfinite(measure))
        delta[left], dse[left] = _adjusted(prep, rows, left, -measure[rows], tau, -1, adjustment)
    unmeasured = [str(k) for k in prep.items[np.isnan(delta)]] + \
        [str(k) for k in prep.index[np.isnan(measure)]]
    if unmeasured:
        warnings.warn(f"no measure could be estimated for {unmeasured[:10]} (their only "
                      "responses are to unmeasured items/persons); reported as NaN",
                      ConvergenceWarning, stacklevel=3)
    return delta, dse


def _assemble(prep: _Prepared, est, measure, se, delta, dse, method, adjustment):
    """Labelled tables: fit statistics over the non-extreme persons and items, point-measure
    correlations, reliabilities, category counts."""
    ne, inc = np.flatnonzero(~prep.ext_p), np.flatnonzero(~prep.ext_i)
    tau = est.thresholds
    pfit, ifit = fit_sums(prep.X, measure[ne], est.difficulty, tau, rows=ne, cols=inc)
    persons = pd.DataFrame({"measure": measure, "se": se,
                            "raw_score": prep.X.sum(axis=1, where=prep.obs),
                            "n_items": prep.obs.sum(axis=1), "extreme": prep.ext_p},
                           index=prep.index)
    items = pd.DataFrame({"difficulty": delta, "se": dse}, index=prep.items)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        persons[col] = np.nan
        persons.loc[~prep.ext_p, col] = pfit[col].to_numpy()
        items[col] = np.nan
        items.loc[~prep.ext_i, col] = ifit[col].to_numpy()
    items["n_persons"] = prep.obs.sum(axis=0)
    items["score"] = prep.X.sum(axis=0, where=prep.obs)
    items["extreme"] = prep.ext_i
    items["anchored"] = ~np.isnan(prep.d_anchor)
    items["point_measure_r"], items["point_measure_expected"] = point_measure(
        prep.X, measure, delta, tau)
    lo, m = prep.lo, prep.m
    cats = pd.Index(range(lo + 1, lo + m + 1), name="category")
    p_rel = separation_reliability(measure[ne], se[ne])
    i_rel = separation_reliability(est.difficulty, est.difficulty_se)
    return RatingScaleResult(
        items=items, thresholds=pd.Series(tau, index=cats, name="threshold"),
        thresholds_se=pd.Series(est.thresholds_se, index=cats, name="se"), persons=persons,
        person_reliability=float(p_rel[0]), person_separation=float(p_rel[1]),
        item_reliability=float(i_rel[0]), item_separation=float(i_rel[1]),
        category_counts=pd.Series(prep.counts, name="count",
                                  index=pd.Index(range(lo, lo + m + 1), name="category")),
        converged=bool(est.converged), n_iter=int(est.n_iter), method=method,
        n_dropped_empty=prep.n_dropped, min_category=int(lo), n_categories=m + 1,
        extreme_adjustment=float(adjustment), llf=float(est.llf))


def fit_rating_scale(responses, *, method="jmle", min_category=None, n_categories=None,
                     anchors=None, extreme_adjustment=0.3, tol=1e-8, max_iter=100):
    """Calibrate the Andrich rating-scale model by JMLE (as Winsteps) or CML (as eRm).

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items, integer codes; NaN/NA marks a missing response. Rows
        without any response are dropped and counted (``n_dropped_empty``). Not modified.
    method : {"jmle", "cml"}
        Joint maximum likelihood with Winsteps' conventions (:mod:`inhd.jmle`), or conditional
        maximum likelihood (:mod:`inhd.cml`) with persons then measured by ML given the items.
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

    The calibration runs in four steps: prepare (codes, anchors; persons with zero or perfect
    scores and items that every non-extreme person endorses maximally or minimally are set
    aside, iterating until none remain, as Winsteps does), estimate
    (:func:`inhd.jmle.jmle_rating_scale` or :func:`inhd.cml.cml_rating_scale` on the rest),
    extremes (extreme persons are measured against the non-extreme items and extreme items
    against the non-extreme persons with their scores moved in by ``extreme_adjustment``),
    assemble (fit statistics, point-measure correlations, reliabilities, labelled tables).
    JMLE maximises the joint likelihood by full Newton-Raphson to ``tol`` (persons with the same
    missingness pattern and raw score share a measure; the person block is eliminated by a
    Schur complement). SEs are model SEs (inverse square root of the information). Fit
    statistics follow Winsteps (see :func:`fit_statistics`). Reliability is Winsteps' "model"
    reliability: (observed variance - mean squared model SE) / observed variance over
    non-extreme persons (items), with the population variance; separation = true SD / RMSE.

    Agreement with Winsteps (tests/test_rasch.py, data/reference): on the Knox Cube Test the
    measures agree within 0.2 logits (non-extreme persons and items; exactly converged JMLE is a
    few percent wider than Winsteps' stopping point), SEs within 0.05; fit mean-squares evaluated
    at Winsteps' printed measures agree within 0.01 (the printed measures are rounded to 0.01),
    infit ZSTD and person outfit ZSTD within 0.015; item outfit ZSTD within 0.2 (for four
    items with very improbable responses Winsteps' z is smaller than the published formula
    gives; we keep the formula). Liking for Science: thresholds -0.86/+0.86 within 0.01 and
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
    prep = _prepare(responses, method, min_category, n_categories, anchors, extreme_adjustment)
    est, measure, se = _estimate(prep, method, tol, max_iter)
    delta, dse = _measure_extremes(prep, est, measure, se, extreme_adjustment)
    return _assemble(prep, est, measure, se, delta, dse, method, extreme_adjustment)


def estimate_persons(responses, *, difficulties, thresholds, min_category=None,
                     extreme_adjustment=0.3, tol=1e-10, max_iter=100) -> pd.DataFrame:
    """Person measures by maximum likelihood given fixed item difficulties and thresholds.

    Used to score new respondents on an existing calibration (as the INHD reports do each year);
    it measures persons the way :func:`fit_rating_scale` does under CML and with anchored items
    (both through :func:`inhd.rsm.solve_locations`).

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
    X, lo, m = coerce_codes(responses, min_category, tau.size + 1, calibrating=False,
                             scale_from=f"the {tau.size} thresholds")
    delta = aligned(difficulties, responses.columns, "difficulties")
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
    pfit, _ = fit_sums(X, measure[fit_rows], delta, tau, rows=np.flatnonzero(fit_rows))
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        out[col] = np.nan
        out.loc[fit_rows, col] = pfit[col].to_numpy()
    return out


# --------------------------------------------------------------------------------------------
# The rating-scale model against the partial credit model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelComparison:
    """A likelihood-ratio test of the rating-scale model against the partial credit model.

    Attributes
    ----------
    models : pandas.DataFrame
        Indexed by ``model`` (``rating_scale``, ``partial_credit``): ``llf`` (the conditional
        log-likelihood, as eRm's ``$loglik``), ``n_parameters``.
    likelihood_ratio : pandas.Series
        ``statistic`` (twice the gain in log-likelihood), ``df`` (the extra parameters,
        (n_items - 1)(m - 1)), ``p_value`` (chi-square).
    n_persons : int
        Persons with a non-extreme raw score (the same in both models).
    """

    models: pd.DataFrame
    likelihood_ratio: pd.Series
    n_persons: int

    def summary(self) -> str:
        lr = self.likelihood_ratio
        return "\n".join([
            f"Rating-scale model against the partial credit model (CML, {self.n_persons} "
            "non-extreme persons)",
            self.models.round(4).to_string(),
            f"likelihood ratio {lr['statistic']:.4f} on {int(lr['df'])} df, "
            f"p = {lr['p_value']:.4g}"])


def rating_scale_vs_partial_credit(responses, *, min_category=None,
                                   n_categories=None) -> ModelComparison:
    """Conditional likelihood-ratio test of the rating-scale model against the partial credit
    model on the same responses.

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items, integer codes, NaN for missing. Not modified.
    min_category, n_categories : int, optional
        The scale (default: the observed codes).

    Returns
    -------
    ModelComparison

    Raises
    ------
    ValueError
        Items with different numbers of categories (the models are not nested then), and
        whatever either calibration refuses.

    Notes
    -----
    Both models are fitted by CML (:func:`inhd.cml.cml_rating_scale`,
    :func:`inhd.cml.cml_partial_credit`) on the same persons, so their conditional
    likelihoods compare: the statistic :math:`2(\\ell_{PCM} - \\ell_{RSM})` is referred to
    chi-square on :math:`(k - 1)(m - 1)` df (k items, m + 1 categories) when the rating-scale
    model holds. This is the deviance difference that ``anova(pcm, rsm)`` prints in eRm 1.0.2;
    its ``LR`` column is half of it (the absolute difference of the log-likelihoods) and its
    p-value refers that half to chi-square, which understates the evidence against the rating
    scale (VerbalAggression: eRm prints LR = 26.13, p = 0.29; the likelihood-ratio statistic is
    52.26 on 23 df, p = 0.0005; ``reference/erm/README_dif_pcm.md``).

    Examples
    --------
    >>> from inhd import ROOT
    >>> data = pd.read_csv(ROOT / "reference" / "erm" / "verbal_aggression.csv")
    >>> test = rating_scale_vs_partial_credit(data.iloc[:, 3:])
    >>> test.likelihood_ratio.round(2).tolist()
    [52.26, 23.0, 0.0]
    """
    X, _, m = coerce_codes(responses, min_category, n_categories)
    X = X[~np.isnan(X).all(axis=1)]
    tops = item_tops(X, ~np.isnan(X))
    short = [str(c) for c, t in zip(responses.columns, tops) if t < m]
    if short:
        raise ValueError(f"responses: item(s) {short[:10]} use fewer categories than the scale "
                         f"(0-{m} after shifting); the rating-scale model is nested in the "
                         "partial credit model only when every item has every category")
    rsm = cml_rating_scale(X, n_categories=m + 1)
    pcm = cml_partial_credit(X, n_categories=m + 1)
    k = X.shape[1]
    n_rsm = k - 1 + (m - 1)
    models = pd.DataFrame({"llf": [rsm.llf, pcm.llf], "n_parameters": [n_rsm, pcm.n_parameters]},
                          index=pd.Index(["rating_scale", "partial_credit"], name="model"))
    statistic = 2.0 * (pcm.llf - rsm.llf)
    df = pcm.n_parameters - n_rsm
    lr = pd.Series({"statistic": statistic, "df": float(df),
                    "p_value": float(stats.chi2.sf(statistic, df)) if df else np.nan})
    return ModelComparison(models=models, likelihood_ratio=lr, n_persons=int(rsm.n_persons))
