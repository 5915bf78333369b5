"""The partial credit model (Masters 1982): each item with thresholds of its own, by CML or JMLE.

.. math::

    P(X_{ni} = h) \\propto \\exp \\sum_{k \\le h} (\\theta_n - \\delta_{ik}), \\quad h = 0..m_i,

with item thresholds :math:`\\delta_{ik}`, the measures at which categories k - 1 and k of item i
are equally likely. An item's *location* is the mean of its thresholds; the locations average 0
(as ``eRm::thresholds`` reports them, shifted by their mean). The rating-scale model is the special
case :math:`\\delta_{ik} = \\delta_i + \\tau_k`; :func:`inhd.rasch.rating_scale_vs_partial_credit`
tests it against this model.

Public: :func:`fit_partial_credit` (also ``inhd.rasch.fit_partial_credit``) returning a
:class:`PartialCreditResult` with the shape of :class:`inhd.rasch.RatingScaleResult`. The estimation
is done by :func:`inhd.cml.cml_partial_credit` and :func:`inhd.jmle.jmle_partial_credit`; this
module checks the data, measures the persons with extreme scores, computes fit statistics and
labels the results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.cml import cml_partial_credit
from inhd.codes import check_connected, coerce_codes
from inhd.fitstats import fit_sums, point_measure
from inhd.jmle import jmle_partial_credit
from inhd.reliability import separation_reliability
from inhd.rsm import item_thresholds, item_tops, log_probs, solve_locations

__all__ = ["PartialCreditResult", "fit_partial_credit"]


@dataclass(frozen=True)
class PartialCreditResult:
    """A calibrated partial credit model, labelled with the caller's item names and respondents.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item: ``location, se, infit, outfit, infit_z, outfit_z, n_persons, score,
        n_categories, disordered, point_measure_r, point_measure_expected``. ``location`` is the
        mean of the item's thresholds (the locations average 0); ``n_categories`` the item's
        categories (from the lowest code of the scale to the item's highest observed code);
        ``disordered`` whether its thresholds fail to increase (a middle category that is never
        the most likely one). Fit statistics and point-measure correlations as in
        :class:`inhd.rasch.RatingScaleResult`.
    thresholds, thresholds_se : pandas.DataFrame
        Indexed by item, one column per step, labelled by the code of the category the step
        leads into: the measure at which that category and the one below are equally likely
        (on the scale where the item locations average 0), NaN above an item's top category.
    persons : pandas.DataFrame
        As in :class:`inhd.rasch.RatingScaleResult`: ``measure, se, raw_score, n_items,
        extreme, infit, outfit, infit_z, outfit_z``.
    person_reliability, person_separation, item_reliability, item_separation : float
        Winsteps' "model" reliability and separation (items: of the locations).
    category_counts : pandas.DataFrame
        Indexed by item, one column per category code: responses among non-extreme persons.
    converged, n_iter, method, n_dropped_empty, min_category, n_categories, extreme_adjustment,
    llf, n_parameters : as named (``llf``: the conditional log-likelihood under CML, as
        ``eRm::PCM(X)$loglik``, the joint one under JMLE; ``n_parameters``: free item
        parameters, the number of thresholds minus one).
    """

    items: pd.DataFrame
    thresholds: pd.DataFrame
    thresholds_se: pd.DataFrame
    persons: pd.DataFrame
    person_reliability: float
    person_separation: float
    item_reliability: float
    item_separation: float
    category_counts: pd.DataFrame
    converged: bool
    n_iter: int
    method: str
    n_dropped_empty: int
    min_category: int
    n_categories: int
    extreme_adjustment: float
    llf: float
    n_parameters: int

    @property
    def steps(self) -> pd.DataFrame:
        """Each item's thresholds minus its location (in a rating-scale model these would be
        the same Andrich thresholds for every item)."""
        return self.thresholds.sub(self.items["location"], axis=0)

    def category_probabilities(self, theta, *, item) -> pd.DataFrame:
        """P(category | theta) on ``item``: a DataFrame indexed by ``theta``, one column per
        category code of the scale (0 above the item's top category)."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        tau = item_thresholds(self.thresholds.loc[[item]].to_numpy())
        p = np.exp(log_probs(theta[:, None], tau)[0][:, 0, :])
        cols = pd.Index(range(self.min_category, self.min_category + self.n_categories),
                        name="category")
        return pd.DataFrame(p, index=pd.Index(theta, name="theta"), columns=cols)

    def expected_score(self, theta, *, item="all") -> np.ndarray:
        """Expected response (in the caller's codes) at ``theta`` on ``item``, or the expected
        raw score over all items (``item="all"``)."""
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        rows = self.thresholds if item == "all" else self.thresholds.loc[[item]]
        p = np.exp(log_probs(theta[:, None], item_thresholds(rows.to_numpy()))[0])
        e = (p * np.arange(p.shape[-1])).sum(axis=-1).sum(axis=1)
        return e + self.min_category * len(rows)

    def summary(self) -> str:
        """A text summary: persons, reliabilities, items with their thresholds."""
        p = self.persons
        ne = p[~p["extreme"]]
        table = self.items[["location", "se", "infit", "outfit", "n_categories", "disordered"]]
        table = table.join(self.thresholds.add_prefix("threshold_"))
        return "\n".join([
            f"Rasch partial credit model ({self.method.upper()}), {len(p)} persons x "
            f"{len(self.items)} items, categories {self.min_category}-"
            f"{self.min_category + self.n_categories - 1}",
            f"converged: {self.converged} after {self.n_iter} iterations; log-likelihood "
            f"{self.llf:.4f} ({self.n_parameters} item parameters)",
            f"persons: {len(ne)} non-extreme (+{int(p['extreme'].sum())} extreme), mean measure "
            f"{ne['measure'].mean():.3f}, SD {ne['measure'].std(ddof=0):.3f}",
            f"person reliability (model) {self.person_reliability:.3f}, separation "
            f"{self.person_separation:.2f}; item reliability {self.item_reliability:.3f}",
            "",
            table.round(3).to_string(),
        ])


def _check_categories(X, obs, keep, tops, items, lo):
    """Every category of every item, up to its top, used by a non-extreme person; else a
    message naming the items and the codes."""
    problems = [f"{items[i]!r} has a single category (code {lo + tops[i]})"
                for i in np.flatnonzero(tops == 0)]
    x = np.where(obs[keep], X[keep], -1.0)
    for i in np.flatnonzero(tops > 0):
        unused = [lo + h for h in range(tops[i] + 1) if not (x[:, i] == h).any()]
        if unused:
            problems.append(f"{items[i]!r}: code(s) {unused} of {lo}-{lo + tops[i]} never "
                            "used by a respondent with a non-extreme score")
    if problems:
        raise ValueError("responses: the partial credit model cannot be estimated: "
                         + "; ".join(problems) + ". The thresholds beside an unused category "
                         "are infinite; collapse categories (inhd.categories."
                         "collapse_categories) or drop the item")


def fit_partial_credit(responses, *, method="cml", min_category=None, n_categories=None,
                       extreme_adjustment=0.3, tol=1e-8, max_iter=100) -> PartialCreditResult:
    """Calibrate the partial credit model by CML (as ``eRm::PCM``) or JMLE.

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items, integer codes; NaN/NA marks a missing response. Rows
        without any response are dropped and counted. Not modified.
    method : {"cml", "jmle"}
        Conditional maximum likelihood (:func:`inhd.cml.cml_partial_credit`; consistent item
        estimates, the same as eRm's) or joint maximum likelihood
        (:func:`inhd.jmle.jmle_partial_credit`; biased outwards for short tests).
    min_category : int, optional
        Code of the lowest category (default: the smallest observed code).
    n_categories : int, optional
        Categories of the scale (default: up to the largest observed code). Each item's own
        categories run from ``min_category`` to its highest observed code: an item whose top
        categories nobody chose has fewer steps (NaN beyond).
    extreme_adjustment : float, default 0.3
        Score points by which zero and perfect scores are moved inwards before those persons
        are measured (Winsteps' EXTRSC=0.3).
    tol : float, default 1e-8
        JMLE convergence (largest Newton step, logits); CML converges to 1e-10.
    max_iter : int, default 100
        JMLE iterations (CML: 200).

    Returns
    -------
    PartialCreditResult

    Raises
    ------
    TypeError
        If ``responses`` is not a DataFrame.
    ValueError
        Bad codes (every bad column named); an item with one category, or a category of an
        item (between the lowest code and the item's highest observed code) that no respondent
        with a non-extreme score used: its thresholds would be infinite (collapse categories
        or drop the item); no respondent with a non-extreme score; unlinked blocks of items;
        a bad ``method``.

    Notes
    -----
    Model and identification: see the module notes (item locations average 0). Persons with
    an extreme raw score (0, or the sum of the top categories of the items they answered) are
    set aside for the estimation and then measured against the estimated items with their
    scores moved in by ``extreme_adjustment``. Fit statistics and point-measure correlations are
    computed as for the rating-scale model, at the estimated measures, with each item's own
    category probabilities. Agreement with ``eRm::PCM`` on the committed references
    (``tests/test_partial_credit.py``): locations, thresholds and their SEs and the
    conditional log-likelihood within 1e-4 on VerbalAggression and the conspiracist-beliefs
    data (missing responses included).

    References
    ----------
    Masters, G. N. (1982). A Rasch model for partial credit scoring. Psychometrika 47.
    Mair, P. & Hatzinger, R. (2007). Extended Rasch modeling: the eRm package. Journal of
    Statistical Software 20(9).

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import ROOT
    >>> data = pd.read_csv(ROOT / "reference" / "erm" / "verbal_aggression.csv")
    >>> res = fit_partial_credit(data.iloc[:, 3:])       # In R: eRm::PCM(X)
    >>> round(res.llf, 3), res.thresholds.shape
    (-5177.782, (24, 2))
    """
    if method not in ("cml", "jmle"):
        raise ValueError(f"method must be 'cml' or 'jmle', got {method!r}")
    if not (isinstance(extreme_adjustment, (int, float)) and 0 < extreme_adjustment < 1):
        raise ValueError(f"extreme_adjustment must be in (0, 1) score points, "
                         f"got {extreme_adjustment!r}")
    X, lo, m = coerce_codes(responses, min_category, n_categories)
    obs = ~np.isnan(X)
    rows = obs.any(axis=1)
    X, obs, index = X[rows], obs[rows], responses.index[rows]
    items = responses.columns
    tops = item_tops(X, obs)
    score = np.where(obs, X, 0.0).sum(axis=1)
    top_score = obs @ tops
    extreme = (score == 0) | (score == top_score)
    if extreme.all():
        raise ValueError("responses: every respondent has an extreme (zero or perfect) score; "
                         "the partial credit model cannot be estimated from these data")
    _check_categories(X, obs, ~extreme, tops, items, lo)
    check_connected(obs[~extreme], items, False)
    engine = cml_partial_credit if method == "cml" else jmle_partial_credit
    if method == "cml":
        est = engine(X, n_categories=m + 1, tol=1e-10, max_iter=200)
    else:
        est = engine(X, n_categories=m + 1, tol=tol, max_iter=max_iter)
    thr = item_thresholds(est.thresholds)
    measure, se = est.measures.copy(), est.measures_se.copy()
    ep = np.flatnonzero(extreme)
    if ep.size:
        target = np.clip(score[ep], extreme_adjustment, top_score[ep] - extreme_adjustment)
        measure[ep], se[ep], _ = solve_locations(obs[ep], np.zeros(len(items)), target, thr)
    return _assemble(X, obs, index, items, lo, m, tops, extreme, est, measure, se,
                     extreme_adjustment, int(np.count_nonzero(~rows)))


def _assemble(X, obs, index, items, lo, m, tops, extreme, est, measure, se, adjustment,
              n_dropped):
    """Labelled tables: fit, point-measure correlations, reliabilities, category counts."""
    thr = item_thresholds(est.thresholds)
    ne = np.flatnonzero(~extreme)
    zero = np.zeros(len(items))
    pfit, ifit = fit_sums(X, measure[ne], zero, thr, rows=ne)
    persons = pd.DataFrame({"measure": measure, "se": se,
                            "raw_score": X.sum(axis=1, where=obs), "n_items": obs.sum(axis=1),
                            "extreme": extreme}, index=index)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        persons[col] = np.nan
        persons.loc[~extreme, col] = pfit[col].to_numpy()
    steps = pd.Index(range(lo + 1, lo + m + 1), name="category")
    label = pd.Index(items, name="item")
    with np.errstate(invalid="ignore"):
        disordered = (np.diff(est.thresholds, axis=1) < 0).any(axis=1)
    table = pd.DataFrame({"location": est.location, "se": est.location_se}, index=label)
    for col in ("infit", "outfit", "infit_z", "outfit_z"):
        table[col] = ifit[col].to_numpy()
    table["n_persons"] = obs.sum(axis=0)
    table["score"] = X.sum(axis=0, where=obs)
    table["n_categories"] = tops + 1
    table["disordered"] = disordered
    table["point_measure_r"], table["point_measure_expected"] = point_measure(X, measure, zero,
                                                                              thr)
    x = np.where(obs[ne], X[ne], -1.0)
    counts = pd.DataFrame(np.stack([(x == h).sum(axis=0) for h in range(m + 1)], axis=1),
                          index=label, columns=pd.Index(range(lo, lo + m + 1), name="category"))
    p_rel = separation_reliability(measure[ne], se[ne])
    i_rel = separation_reliability(est.location, est.location_se)
    return PartialCreditResult(
        items=table, thresholds=pd.DataFrame(est.thresholds, index=label, columns=steps),
        thresholds_se=pd.DataFrame(est.thresholds_se, index=label, columns=steps),
        persons=persons, person_reliability=float(p_rel[0]), person_separation=float(p_rel[1]),
        item_reliability=float(i_rel[0]), item_separation=float(i_rel[1]),
        category_counts=counts, converged=bool(est.converged), n_iter=int(est.n_iter),
        method=est.method, n_dropped_empty=n_dropped, min_category=int(lo), n_categories=m + 1,
        extreme_adjustment=float(adjustment), llf=float(est.llf),
        n_parameters=int(est.n_parameters))
