"""Joint maximum likelihood (JMLE) for the Andrich rating-scale model, as Winsteps estimates it.

The engine behind ``inhd.rasch.fit_rating_scale(..., method="jmle")`` (the default). Person
measures, item difficulties and thresholds are estimated together by maximising the joint
likelihood

.. math::

    \\ell = \\sum_{n,i} \\Big[x_{ni}(\\theta_n - \\delta_i) - \\sum_{k \\le x_{ni}} \\tau_k
            - \\log \\sum_{h=0}^m e^{h(\\theta_n - \\delta_i) - \\sum_{k \\le h}\\tau_k}\\Big],

over the persons with non-extreme raw scores (an extreme score has no finite ML measure; Winsteps
sets such persons and items aside, and :func:`inhd.rasch.fit_rating_scale` measures them
afterwards). Difficulties of the free items sum to zero when no item is anchored; thresholds sum
to zero.

Algorithm
---------
The joint likelihood is an exponential family in (theta, delta, tau), so it is concave and its
Hessian is minus the covariance of the sufficient statistics (person and item raw scores, and
the counts of responses at or above each category). Full Newton-Raphson with step halving
converges globally and quadratically. Two facts make it scale to millions of persons:

- persons with the same missing-data pattern and raw score have the same measure, so they are
  one group (weighted by its size);
- the person block of the information is diagonal, so it is eliminated by a Schur complement:
  each iteration solves a system of the size of the number of items plus thresholds, and the
  person steps follow by back-substitution.

Each iteration is one pass over the groups, in blocks that stay in the processor's cache, with
the category probabilities of :func:`inhd.rsm.probs` (one exponential per response) and the
gradient, the information and the Schur complement accumulated as the pass goes.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.linalg import null_space

from inhd.rsm import (PartialCreditEstimate, RatingScaleEstimate, check_iteration, check_responses, item_tops,
                      linked_items, partial_credit_summaries, pattern_groups, probs,
                      solve_locations)
from inhd.warnings import ConvergenceWarning

__all__ = ["jmle_rating_scale", "jmle_partial_credit", "RUNAWAY"]

#: |logits| beyond which a JMLE estimate is taken to be diverging (the MLE does not exist).
RUNAWAY = 25.0


@dataclass(frozen=True)
class _Groups:
    """Non-extreme persons grouped by (missing-data pattern, raw score)."""

    mask: np.ndarray         # (G, I) bool: items answered by the group
    score: np.ndarray        # (G,) raw score
    weight: np.ndarray       # (G,) persons in the group
    item_score: np.ndarray   # (I,) sum of the responses to each item
    n_resp: np.ndarray       # (I,) responses to each item
    cat_ge: np.ndarray       # (m,) responses at or above category k = 1..m
    counts: np.ndarray       # (m+1,) responses in each category
    rows: np.ndarray         # rows of X that are non-extreme
    group_of: np.ndarray     # each such row's group
    patterns: np.ndarray     # (P, I) bool: the distinct missing-data patterns


def _groups(X, obs, m, tops=None) -> _Groups:
    """Integer codes, the non-extreme persons and their groups (``tops``: each item's top
    category, when items differ; default m)."""
    x = np.zeros(X.shape, np.int8 if m < 128 else np.int64)      # integer codes, 0 if missing
    np.copyto(x, X, where=obs, casting="unsafe")
    score = x.sum(axis=1, dtype=np.int64)
    top_score = m * obs.sum(axis=1) if tops is None else obs @ tops
    rows = np.flatnonzero((score > 0) & (score < top_score))
    xk, ok = x[rows], obs[rows]
    counts = np.bincount(xk[ok], minlength=m + 1)
    first, group_of, weight = pattern_groups(ok, score[rows])
    mask = ok[first]
    return _Groups(mask=mask, score=score[rows][first].astype(float),
                   weight=weight.astype(float), item_score=xk.sum(axis=0, dtype=np.int64),
                   n_resp=ok.sum(axis=0),
                   cat_ge=counts[::-1].cumsum()[::-1][1:].astype(float),
                   counts=counts, rows=rows, group_of=group_of,
                   patterns=mask[pattern_groups(mask, np.zeros(len(mask)))[0]])


def _check(grp: _Groups, m, free, free_tau):
    """Refuse data for which the joint ML estimates of the free parameters do not exist."""
    if grp.rows.size == 0:
        raise ValueError("X has no person with a non-extreme raw score: nothing to estimate")
    n_resp = grp.n_resp
    problems = [f"item (column) {i} has no response from a non-extreme person"
                for i in np.flatnonzero(free & (n_resp == 0))]
    extreme = (grp.item_score == 0) | (grp.item_score == m * n_resp)
    for i in np.flatnonzero(free & (n_resp > 0) & extreme):
        side = "lowest" if grp.item_score[i] == 0 else "highest"
        problems.append(f"item (column) {i} has only {side} responses among non-extreme persons "
                        "(an extreme item; inhd.rasch.fit_rating_scale sets such items aside)")
    if free_tau:
        problems += [f"category {h} is never used by a non-extreme person (its threshold is not "
                     "estimable; collapse categories)" for h in np.flatnonzero(grp.counts == 0)]
    if problems:
        raise ValueError("JMLE estimates do not exist: " + "; ".join(problems))
    n_comp, label = linked_items(grp.patterns)
    if n_comp > 1 and free.any():
        blocks = "; ".join(str(np.flatnonzero(label == c).tolist()) for c in range(n_comp))
        raise ValueError(f"the items fall into {n_comp} blocks (columns {blocks}) that no "
                         "non-extreme person links by answering items of both: their relative "
                         "difficulty is not identified")


# --------------------------------------------------------------------------- one pass

def _gram(a, out):
    """out += a.T @ a, in row blocks small enough for single-threaded BLAS (threads only cost
    time at these sizes, and a lot on a busy machine)."""
    rows = max(1, 200_000 // max(1, a.shape[1] ** 2))
    for start in range(0, a.shape[0], rows):
        part = a[start:start + rows]
        out += part.T @ part


def _tails(p):
    """P(X >= k) and E[X 1{X >= k}] for k = 1..m, from probabilities with categories first."""
    m = p.shape[0] - 1
    ge, he = np.empty((m,) + p.shape[1:]), np.empty((m,) + p.shape[1:])
    ge[m - 1] = p[m]
    np.multiply(p[m], m, out=he[m - 1])
    for k in range(m - 1, 0, -1):
        np.add(ge[k], p[k], out=ge[k - 1])
        np.add(he[k], k * p[k], out=he[k - 1])
    return ge, he


def _block(theta, delta, tau, mask, score, w, fi, free_tau, acc):
    """One block of groups: log-likelihood, person derivatives, and the item/threshold sums
    added to ``acc``; returns (ll, g_p, i_pp, i_pq) for the block.

    The probabilities of unanswered items are set to zero, so every moment below is zero there.
    With G_k = P(X >= k) and H_k = E[X 1{X >= k}]: E(X) = H_1, E(X^2) = sum_k (2k-1) G_k,
    Cov(X, 1{X >= k}) = H_k - E(X) G_k, Cov(1{X >= k}, 1{X >= l}) = G_max(k,l) - G_k G_l."""
    m = tau.size
    p, log_z = probs(theta[:, None] - delta[None, :], tau, categories_first=True)
    mk = mask.astype(float)
    p *= mk
    ge, he = _tails(p)
    e = he[0]
    v = ge[0].copy()
    for k in range(1, m):
        v += (2 * k + 1) * ge[k]
    v -= e * e
    log_z *= mk
    ll = w @ (score * theta - log_z.sum(axis=1))
    g_p = w * (score - e.sum(axis=1))
    i_pp = w * v.sum(axis=1)
    acc["item_e"] += np.einsum("g,gi->i", w, e)
    acc["item_info"] += np.einsum("g,gi->i", w, v)
    cols = [-w[:, None] * v[:, fi]]
    if free_tau:
        he -= e * ge                                           # now Cov(X, 1{X >= k})
        acc["ge_tot"] += ge.sum(axis=2) @ w
        acc["item_tau"] += np.einsum("g,kgi->ik", w, he)
        cols.append(-w[:, None] * he.sum(axis=2).T)
        ge *= np.sqrt(w)[None, :, None]
        flat = ge.reshape(m, -1)
        step = max(1, 200_000 // (m * m))
        for start in range(0, flat.shape[1], step):
            part = flat[:, start:start + step]
            acc["tau_gram"] += part @ part.T
    return ll, g_p, i_pp, np.concatenate(cols, axis=1)


def _pass(theta, delta, tau, grp: _Groups, fi, free_tau, i_pq):
    """Joint log-likelihood, gradient and information at (theta, delta, tau), with the person
    block eliminated: returns ll, g_p, i_pp, the Schur complement and right-hand side of the
    item/threshold system, and the item information; fills ``i_pq`` (G, nq)."""
    m, n_items = tau.size, delta.size
    acc = {"item_e": np.zeros(n_items), "item_info": np.zeros(n_items), "ge_tot": np.zeros(m),
           "tau_gram": np.zeros((m, m)), "item_tau": np.zeros((n_items, m))}
    G = grp.score.size
    g_p, i_pp = np.empty(G), np.empty(G)
    nq = i_pq.shape[1]
    schur, rhs, ll = np.zeros((nq, nq)), np.zeros(nq), 0.0
    size = max(1, 20_000 // n_items)
    for start in range(0, G, size):
        part = slice(start, start + size)
        ll_b, g_p[part], i_pp[part], i_pq[part] = _block(
            theta[part], delta, tau, grp.mask[part], grp.score[part], grp.weight[part], fi,
            free_tau, acc)
        ll += ll_b
        i_pp[part] = np.maximum(i_pp[part], 1e-300)          # zero only for runaway groups
        _gram(i_pq[part] / np.sqrt(i_pp[part])[:, None], schur)
        rhs += np.einsum("gq,g->q", i_pq[part], g_p[part] / i_pp[part])
    ll -= grp.item_score @ delta + grp.cat_ge @ tau
    g_q = [-(grp.item_score[fi] - acc["item_e"][fi])]
    i_qq = np.zeros((nq, nq))
    i_qq[np.arange(fi.size), np.arange(fi.size)] = acc["item_info"][fi]
    if free_tau:
        g_q.append(-(grp.cat_ge - acc["ge_tot"]))
        t = slice(fi.size, nq)
        i_qq[t, t] = acc["ge_tot"][np.maximum.outer(np.arange(m), np.arange(m))] - acc["tau_gram"]
        i_qq[:fi.size, t] = acc["item_tau"][fi]
        i_qq[t, :fi.size] = acc["item_tau"][fi].T
    g_q = np.concatenate(g_q)
    return dict(ll=ll, g_p=g_p, i_pp=i_pp, schur=i_qq - schur, rhs=g_q - rhs,
                item_info=acc["item_info"])


# --------------------------------------------------------------------------- Newton

def _basis(fi, m, free_tau, center):
    """Null-space basis of the sum-to-zero constraints on the free items and thresholds."""
    nq = fi.size + (m if free_tau else 0)
    cons = []
    if center and fi.size:
        cons.append(np.r_[np.ones(fi.size), np.zeros(nq - fi.size)])
    if free_tau:
        cons.append(np.r_[np.zeros(fi.size), np.ones(m)])
    return null_space(np.array(cons)) if cons else np.eye(nq)


def _start(grp: _Groups, m, delta, tau, free, free_tau, center):
    """Log-odds start values: items from their mean scores, thresholds from the category counts,
    groups from their raw scores."""
    p_i = np.clip(grp.item_score / np.maximum(m * grp.n_resp, 1), 1e-3, 1 - 1e-3)
    d0 = np.log((1 - p_i) / p_i)
    d0 = d0 - d0.mean() if center else d0
    delta = np.where(free, d0, delta)
    if free_tau:
        tau = np.log(np.maximum(grp.counts[:-1], 1) / np.maximum(grp.counts[1:], 1))
        tau -= tau.mean()
    n = grp.mask.sum(axis=1)
    frac = grp.score / (m * n)
    theta = np.log(frac / (1 - frac)) + (grp.mask * delta).sum(axis=1) / n
    return theta, delta, tau


def _newton(grp: _Groups, theta, delta, tau, fi, free_tau, center, tol, max_iter):
    """Full Newton-Raphson on the joint likelihood, persons profiled by a Schur complement.

    Converged when the largest Newton step (any parameter, logits) is below ``tol``; that step
    is taken and the derivatives before it kept (for the standard errors)."""
    m = tau.size
    basis = _basis(fi, m, free_tau, center)
    nq = basis.shape[0]
    i_pq = np.empty((grp.score.size, nq))
    cur = _pass(theta, delta, tau, grp, fi, free_tau, i_pq)
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        if nq:
            try:
                step_q = basis @ np.linalg.solve(basis.T @ cur["schur"] @ basis,
                                                 basis.T @ cur["rhs"])
            except np.linalg.LinAlgError:           # connected data: only when running away
                break
        else:
            step_q = np.zeros(0)
        step_p = (cur["g_p"] - i_pq @ step_q) / cur["i_pp"]
        biggest = max(np.abs(step_p).max(), np.abs(step_q).max() if nq else 0.0)
        if biggest < tol:
            theta, delta, tau = _moved(theta, delta, tau, step_p, step_q, fi, free_tau, 1.0)
            converged = True
            break
        scale = min(1.0, 2.0 / biggest)
        for _ in range(40):                         # step-halving keeps the ascent monotone
            trial = _moved(theta, delta, tau, step_p, step_q, fi, free_tau, scale)
            new = _pass(*trial, grp, fi, free_tau, i_pq)
            if new["ll"] >= cur["ll"] - 1e-12 * abs(cur["ll"]):
                break
            scale *= 0.5
        (theta, delta, tau), cur = trial, new
    return theta, delta, tau, cur, basis, converged, n_iter


def _moved(theta, delta, tau, step_p, step_q, fi, free_tau, scale):
    """The parameters after ``scale`` times the Newton step."""
    delta = delta.copy()
    delta[fi] += scale * step_q[:fi.size]
    tau = tau + scale * step_q[fi.size:] if free_tau else tau
    return theta + scale * step_p, delta, tau


def _covariance(cur, basis, fi, n_items, m, free_tau):
    """Covariance of the free (difficulty, thresholds) from the inverse of the constrained
    Schur complement (persons profiled out), placed in the full (n_items + m) matrix (NaN for
    anchored parameters); None when nothing is free or the information is singular."""
    if basis.shape[0] == 0:
        return None
    try:
        cov_q = basis @ np.linalg.inv(basis.T @ cur["schur"] @ basis) @ basis.T
    except np.linalg.LinAlgError:                   # only for estimates that ran away
        return None
    idx = np.r_[fi, n_items + np.arange(m)] if free_tau else fi
    cov = np.full((n_items + m, n_items + m), np.nan)
    cov[np.ix_(idx, idx)] = cov_q
    return cov


# --------------------------------------------------------------------------- public

def jmle_rating_scale(X, *, n_categories, difficulty_anchors=None, threshold_anchors=None,
                      tol=1e-8, max_iter=100) -> RatingScaleEstimate:
    """Joint maximum-likelihood estimates of the rating-scale model (as Winsteps).

    Parameters
    ----------
    X : array_like of float, shape (n_persons, n_items)
        Response codes 0..m (m = n_categories - 1), ``np.nan`` for a missing response; every
        row must hold a response. Not modified. Persons with an extreme raw score (0 or the
        maximum over the items they answered) get no measure (NaN); items must not be extreme
        among the others unless anchored (:func:`inhd.rasch.fit_rating_scale` sets extreme
        persons and items aside first, iterating as Winsteps does).
    n_categories : int
        Number of categories m + 1 (>= 2).
    difficulty_anchors : array_like (n_items,), optional
        Difficulties to hold fixed, NaN for the items to estimate. With any item anchored, the
        free items are estimated in the anchored frame (no re-centring).
    threshold_anchors : array_like (m,), optional
        Thresholds to hold fixed.
    tol : float, default 1e-8
        Convergence when the largest Newton step of any parameter (logits) is below ``tol``.
    max_iter : int, default 100
        Newton iterations allowed.

    Returns
    -------
    inhd.rsm.RatingScaleEstimate
        ``method="jmle"``: difficulties with Winsteps' model SEs, thresholds with SEs from the
        joint information with persons and free items profiled out (NaN when anchored, and for
        the single threshold of a dichotomy, which the sum-to-zero constraint fixes at 0), the
        joint measures and model SEs of the non-extreme persons, the joint log-likelihood (NaN
        when everything is anchored), convergence flags.

    Raises
    ------
    ValueError
        Bad codes or shape; a free item with no response or with only its lowest (highest)
        category among the non-extreme persons; an unused category with free thresholds; items
        in blocks that no person links; bad anchors or control arguments.

    Warns
    -----
    ConvergenceWarning
        With ``converged=False``: ``max_iter`` reached, or estimates running off beyond
        :data:`RUNAWAY` logits because the JMLE does not exist for the data.

    Notes
    -----
    See the module notes for the algorithm. Person measures of a group (missing-data pattern
    and raw score) are equal, so their SE is :math:`1/\\sqrt{\\sum_i \\mathrm{Var}(X_{ni})}`
    at the estimate; an item's SE is Winsteps' model SE :math:`1/\\sqrt{\\sum_n
    \\mathrm{Var}(X_{ni})}` over the non-extreme persons. JMLE estimates carry the usual bias
    of order 1/L (no correction, as Winsteps' default STBIAS=No).

    References
    ----------
    Wright, B. D. & Masters, G. N. (1982). Rating Scale Analysis, ch. 5. MESA Press.
    Linacre, J. M. Winsteps Rasch measurement computer program user's guide ("Estimation").

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1]], float)
    >>> est = jmle_rating_scale(X, n_categories=3)
    >>> bool(est.converged), round(float(est.difficulty.sum()), 12), est.method
    (True, 0.0, 'jmle')
    """
    X, obs, m = check_responses(X, n_categories=n_categories)
    n_items = X.shape[1]
    delta, tau = _anchors(difficulty_anchors, threshold_anchors, n_items, m)
    check_iteration(tol, max_iter)
    free, free_tau = np.isnan(delta), threshold_anchors is None
    grp = _groups(X, obs, m)
    fi = np.flatnonzero(free)
    if fi.size == 0 and not free_tau:
        return _scored(X, grp, delta, tau, tol, max_iter)
    _check(grp, m, free, free_tau)
    center = bool(free.all())
    theta, delta, tau = _start(grp, m, np.nan_to_num(delta), tau, free, free_tau, center)
    theta, delta, tau, cur, basis, converged, n_iter = _newton(
        grp, theta, delta, tau, fi, free_tau, center, tol, max_iter)
    converged = _diagnose(theta, delta, tau, free, converged, max_iter, tol)
    cov = _covariance(cur, basis, fi, n_items, m, free_tau)
    tse = np.full(m, np.nan)
    if free_tau and m > 1 and cov is not None:
        tse = np.sqrt(np.maximum(np.diag(cov)[n_items:], 0.0))
    return _estimate(X, grp, delta, tau, tse, theta, cur, cov, converged, n_iter)


def _anchors(difficulty_anchors, threshold_anchors, n_items, m):
    """Anchor arrays: difficulties (NaN = free) and thresholds (zeros when free)."""
    delta = np.full(n_items, np.nan)
    if difficulty_anchors is not None:
        delta = np.asarray(difficulty_anchors, dtype=float).ravel()
        if delta.size != n_items or np.isinf(delta).any():
            raise ValueError(f"difficulty_anchors must hold {n_items} values (NaN for the items "
                             f"to estimate, finite otherwise); got {delta.size}")
    tau = np.zeros(m)
    if threshold_anchors is not None:
        tau = np.asarray(threshold_anchors, dtype=float).ravel()
        if tau.size != m or not np.all(np.isfinite(tau)):
            raise ValueError(f"threshold_anchors must hold {m} finite values; got {tau.size}")
    return delta, tau


def _diagnose(theta, delta, tau, free, converged, max_iter, tol):
    """Flag estimates running off towards infinity (no finite JMLE) and non-convergence."""
    runaway = [f"column {i}" for i in np.flatnonzero(free & (np.abs(delta) > RUNAWAY))]
    if np.any(np.abs(tau) > RUNAWAY):
        runaway.append("thresholds")
    if theta.size and np.any(np.abs(theta) > RUNAWAY + np.abs(delta).max()):
        runaway.append("some persons")
    if runaway:
        warnings.warn(f"JMLE estimates run off towards infinity ({', '.join(runaway[:8])}): "
                      "the maximum-likelihood estimate does not exist for these data (e.g. "
                      "an item whose responses are perfectly ordered with the persons' or a "
                      "rarely used category); converged=False. Collapse categories or drop "
                      "the item.", ConvergenceWarning, stacklevel=3)
        return False
    if not converged:
        warnings.warn(f"JMLE did not converge in {max_iter} iterations (tol={tol}); "
                      "results are provisional (converged=False)", ConvergenceWarning,
                      stacklevel=3)
    return converged


def _scored(X, grp: _Groups, delta, tau, tol, max_iter):
    """Everything anchored: only the persons are measured (ML given the items)."""
    theta = np.zeros(0)
    converged = True
    if grp.score.size:
        theta, _, converged = solve_locations(grp.mask, delta, grp.score, tau, tol=tol,
                                              max_iter=max_iter)
        if not converged:
            warnings.warn("person measures did not converge (converged=False)",
                          ConvergenceWarning, stacklevel=3)
    cur = _pass(theta, delta, tau, grp, np.zeros(0, int), False, np.empty((theta.size, 0)))
    cur["ll"] = np.nan
    return _estimate(X, grp, delta, tau, np.full(tau.size, np.nan), theta, cur, None,
                     converged, 0)


def _estimate(X, grp: _Groups, delta, tau, tse, theta, cur, cov, converged, n_iter):
    """Assemble the estimate: SEs from the information at the estimates, measures per row."""
    info = cur["item_info"]
    with np.errstate(divide="ignore"):
        dse = np.where(info > 0, 1.0 / np.sqrt(np.where(info > 0, info, 1.0)), np.nan)
        pse = 1.0 / np.sqrt(cur["i_pp"] / grp.weight)
    measures, measures_se = np.full(X.shape[0], np.nan), np.full(X.shape[0], np.nan)
    measures[grp.rows] = theta[grp.group_of]
    measures_se[grp.rows] = pse[grp.group_of]
    return RatingScaleEstimate(
        method="jmle", difficulty=delta, difficulty_se=dse, thresholds=tau, thresholds_se=tse,
        measures=measures, measures_se=measures_se, llf=float(cur["ll"]),
        converged=bool(converged), n_iter=int(n_iter), n_patterns=len(grp.patterns),
        n_persons=int(grp.rows.size), covariance=cov)


# --------------------------------------------------------------------------- partial credit

@dataclass(frozen=True)
class _Steps:
    """The partial credit model's free thresholds, item by item: K = sum of the items' tops."""

    tops: np.ndarray         # (I,) each item's top category
    item: np.ndarray         # (K,) the item of each threshold
    step: np.ndarray         # (K,) its step, 0-based (threshold k + 1)
    observed_ge: np.ndarray  # (K,) responses to the item at or above category k + 1
    basis: np.ndarray        # (K, K-1) null space of the centring (mean item location 0)

    def table(self, flat, m):
        """(I, m) thresholds, +inf above each item's top (as inhd.rsm.probs takes them)."""
        out = np.full((self.tops.size, m), np.inf)
        out[self.item, self.step] = flat
        return out


def _steps(grp: _Groups, X, tops, m) -> _Steps:
    """Threshold bookkeeping; refuses items whose thresholds do not exist."""
    x = np.where(~np.isnan(X[grp.rows]), X[grp.rows], -1.0)
    problems = [f"item (column) {i} has a single category (code {tops[i]}): nothing to estimate"
                for i in np.flatnonzero(tops == 0)]
    for i in np.flatnonzero(tops > 0):
        unused = [h for h in range(tops[i] + 1) if not (x[:, i] == h).any()]
        if unused:
            problems.append(f"item (column) {i}: categor{'ies' if len(unused) > 1 else 'y'} "
                            f"{unused} of 0..{tops[i]} never used by a non-extreme person")
    if grp.rows.size == 0:
        problems.insert(0, "no person has a non-extreme raw score")
    if problems:
        raise ValueError("partial credit JMLE estimates do not exist (thresholds next to an "
                         "unused category are infinite; collapse categories, e.g. with "
                         "inhd.categories.collapse_categories, or drop the item): "
                         + "; ".join(problems))
    n_comp, label = linked_items(grp.patterns)
    if n_comp > 1:
        blocks = "; ".join(str(np.flatnonzero(label == c).tolist()) for c in range(n_comp))
        raise ValueError(f"the items fall into {n_comp} blocks (columns {blocks}) that no "
                         "non-extreme person links by answering items of both")
    item = np.repeat(np.arange(tops.size), tops)
    step = np.concatenate([np.arange(t) for t in tops])
    observed_ge = (x[:, item] >= step + 1).sum(axis=0).astype(float)
    w = 1.0 / tops[item]
    return _Steps(tops=tops, item=item, step=step, observed_ge=observed_ge,
                  basis=null_space(w[None, :]))


def _pcm_pass(theta, flat, grp: _Groups, st: _Steps, m, i_pq):
    """Joint log-likelihood, person derivatives and the Schur-complemented threshold system of
    the partial credit model (the analogue of :func:`_pass`); fills ``i_pq`` (G, K)."""
    thr = st.table(flat, m)
    n_items, K = st.tops.size, st.item.size
    ge_sum, gg_sum = np.zeros((m, n_items)), np.zeros((n_items, m, m))
    G = grp.score.size
    g_p, i_pp = np.empty(G), np.empty(G)
    schur, rhs, ll = np.zeros((K, K)), np.zeros(K), 0.0
    size = max(1, 20_000 // (n_items * m))
    for start in range(0, G, size):
        part = slice(start, start + size)
        w, mk = grp.weight[part], grp.mask[part].astype(float)
        p, log_z = probs(np.repeat(theta[part, None], n_items, axis=1), thr,
                         categories_first=True)
        p *= mk
        ge, he = _tails(p)                                        # (m, g, I)
        e = he[0]
        v = ge[0].copy()
        for k in range(1, m):
            v += (2 * k + 1) * ge[k]
        v -= e * e
        ll += w @ (grp.score[part] * theta[part] - (log_z * mk).sum(axis=1))
        g_p[part] = w * (grp.score[part] - e.sum(axis=1))
        i_pp[part] = np.maximum(w * v.sum(axis=1), 1e-300)     # zero only for runaway groups
        ge_sum += np.einsum("g,kgi->ki", w, ge)
        gg_sum += np.einsum("g,kgi,lgi->ikl", w, ge, ge)
        he -= e * ge                                              # Cov(X, 1{X >= k})
        i_pq[part] = -(w[None, :] * he[st.step, :, st.item]).T
        _gram(i_pq[part] / np.sqrt(i_pp[part])[:, None], schur)
        rhs += i_pq[part].T @ (g_p[part] / i_pp[part])
    ll -= st.observed_ge @ flat
    g_q = ge_sum[st.step, st.item] - st.observed_ge
    same = st.item[:, None] == st.item[None, :]
    top = np.maximum.outer(st.step, st.step)
    i_qq = np.where(same, ge_sum[top, st.item[:, None]] - gg_sum[st.item[:, None], st.step[:, None],
                                                                  st.step[None, :]], 0.0)
    return dict(ll=ll, g_p=g_p, i_pp=i_pp, schur=i_qq - schur, rhs=g_q - rhs)


def _pcm_start(grp: _Groups, X, st: _Steps, m):
    """Thresholds from adjacent-category log-odds, centred; groups from their raw scores."""
    x = X[grp.rows]
    counts = np.stack([(x == h).sum(axis=0) for h in range(m + 1)], axis=1).astype(float)
    flat = np.log(counts[st.item, st.step] / counts[st.item, st.step + 1])
    location = np.bincount(st.item, flat) / st.tops
    flat -= location.mean()
    top = grp.mask @ st.tops
    frac = grp.score / top
    centre = (grp.mask * (np.bincount(st.item, flat) / st.tops)).sum(axis=1) / grp.mask.sum(axis=1)
    return np.log(frac / (1 - frac)) + centre, flat


def jmle_partial_credit(X, *, n_categories, tol=1e-8, max_iter=100) -> PartialCreditEstimate:
    """Joint maximum-likelihood estimates of the partial credit model.

    Parameters
    ----------
    X : array_like of float, shape (n_persons, n_items)
        Response codes 0..m (m = n_categories - 1), ``np.nan`` for a missing response; every
        row must hold a response. Not modified. Each item's categories are 0 up to its highest
        observed code. Persons with an extreme raw score (0 or the sum of the top categories of
        the items they answered) get no measure.
    n_categories : int
        Categories of the scale, m + 1 (>= 2).
    tol : float, default 1e-8
        Convergence when the largest Newton step of any parameter (logits) is below ``tol``.
    max_iter : int, default 100
        Newton iterations allowed.

    Returns
    -------
    inhd.rsm.PartialCreditEstimate
        ``method="jmle"``: item thresholds and locations (centred so that the locations average
        0) with SEs from the joint information with the persons profiled out, the joint
        measures and model SEs of the non-extreme persons, the joint log-likelihood.

    Raises
    ------
    ValueError
        Bad codes or shape; an item with one category, or a category of an item (at or below
        its top) that no non-extreme person used; items in unlinked blocks.

    Warns
    -----
    ConvergenceWarning
        With ``converged=False``: ``max_iter`` reached, or estimates running off beyond
        :data:`RUNAWAY` logits (the JMLE does not exist for the data).

    Notes
    -----
    :math:`P(X_{ni} = h) \\propto \\exp \\sum_{k \\le h} (\\theta_n - \\delta_{ik})`.
    Full Newton-Raphson as :func:`jmle_rating_scale` (persons grouped by missing-data pattern
    and raw score, the person block eliminated by a Schur complement), with each item's
    thresholds in place of the common difficulty and thresholds; the threshold block of the
    information is block-diagonal by item. Like every JMLE, the estimates carry a bias of order
    1/L that grows with the number of parameters per item; use ``method="cml"`` in
    :func:`inhd.rasch.fit_partial_credit` for consistent item estimates.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1],
    ...               [1, 2, 0], [0, 1, 1]], float)
    >>> est = jmle_partial_credit(X, n_categories=3)
    >>> bool(est.converged), round(float(est.location.mean()), 12), est.method
    (True, 0.0, 'jmle')
    """
    X, obs, m = check_responses(X, n_categories=n_categories)
    check_iteration(tol, max_iter)
    tops = item_tops(X, obs)
    grp = _groups(X, obs, m, tops)
    st = _steps(grp, X, tops, m)
    theta, flat = _pcm_start(grp, X, st, m)
    i_pq = np.empty((grp.score.size, st.item.size))
    cur = _pcm_pass(theta, flat, grp, st, m, i_pq)
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        B = st.basis
        try:
            step_q = B @ np.linalg.solve(B.T @ cur["schur"] @ B, B.T @ cur["rhs"])
        except np.linalg.LinAlgError:               # connected data: only when running away
            break
        step_p = (cur["g_p"] - i_pq @ step_q) / cur["i_pp"]
        biggest = max(np.abs(step_p).max(), np.abs(step_q).max())
        if biggest < tol:
            theta, flat, converged = theta + step_p, flat + step_q, True
            break
        scale = min(1.0, 2.0 / biggest)
        for _ in range(40):                         # step-halving keeps the ascent monotone
            new = _pcm_pass(theta + scale * step_p, flat + scale * step_q, grp, st, m, i_pq)
            if new["ll"] >= cur["ll"] - 1e-12 * abs(cur["ll"]):
                break
            scale *= 0.5
        theta, flat, cur = theta + scale * step_p, flat + scale * step_q, new
    converged = _diagnose(theta, flat, np.zeros(1), np.ones(flat.size, bool), converged,
                          max_iter, tol)
    try:
        cov = st.basis @ np.linalg.inv(st.basis.T @ cur["schur"] @ st.basis) @ st.basis.T
    except np.linalg.LinAlgError:
        cov = np.full((flat.size, flat.size), np.nan)
    thr, thr_se, location, location_se, full = partial_credit_summaries(flat, cov, tops, m)
    measures, measures_se = np.full(X.shape[0], np.nan), np.full(X.shape[0], np.nan)
    measures[grp.rows] = theta[grp.group_of]
    measures_se[grp.rows] = (1.0 / np.sqrt(cur["i_pp"] / grp.weight))[grp.group_of]
    return PartialCreditEstimate(
        method="jmle", thresholds=thr, thresholds_se=thr_se, location=location,
        location_se=location_se, measures=measures, measures_se=measures_se,
        llf=float(cur["ll"]), converged=bool(converged), n_iter=int(n_iter),
        n_patterns=len(grp.patterns), n_persons=int(grp.rows.size),
        n_parameters=int(tops.sum() - 1), covariance=full)
