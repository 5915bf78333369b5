"""Conditional maximum likelihood (CML) for the Andrich rating-scale model, as in ``eRm::RSM``.

The engine behind ``inhd.rasch.fit_rating_scale(..., method="cml")``. Person locations are
conditioned out through their raw scores, so item difficulties and thresholds are estimated
consistently (JMLE's are not), and missing responses are handled by response pattern exactly
as eRm does: persons are grouped by the set of items they answered and each group's elementary
symmetric functions run over its own items.

Model (Andrich 1978)
--------------------
P(X_ni = h) is proportional to exp(sum_{k<=h} (theta_n - delta_i - tau_k)), h = 0..m,
with item difficulties delta summing to zero and Andrich thresholds tau summing to zero; higher
difficulty means harder to endorse. Writing b_ih = -h delta_i - (tau_1 + ... + tau_h),

    P(x_n | r_n) = exp(sum_i b_{i,x_ni}) / gamma_{r_n}(S_n),

where r_n is the raw score, S_n the items person n answered and gamma_r(S) the polynomial
elementary symmetric function (ESF) of order r of exp(b_ih), i in S. Persons with an extreme
raw score (0 or m |S_n|) have conditional probability one and contribute nothing.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from inhd.warnings import ConvergenceWarning

__all__ = ["CMLEstimate", "cml_rating_scale", "conditional_loglik"]


@dataclass(frozen=True)
class CMLEstimate:
    """Result of :func:`cml_rating_scale`.

    Attributes
    ----------
    difficulty, difficulty_se : ndarray (n_items,)
        Item difficulties (sum to zero) and their standard errors.
    thresholds, thresholds_se : ndarray (m,)
        Andrich thresholds tau_1..tau_m (sum to zero) and their standard errors.
    llf : float
        Conditional log-likelihood at the estimates (``eRm::RSM(X)$loglik``).
    converged : bool
        Whether the Newton iterations met ``tol``.
    n_iter : int
        Newton iterations taken.
    n_patterns : int
        Number of distinct missing-data patterns among the persons used.
    n_persons : int
        Persons used (non-extreme raw scores).
    covariance : ndarray (n_items + m, n_items + m)
        Covariance of (difficulty, thresholds): inverse observed information, mapped through the
        sum-to-zero constraints.
    """

    difficulty: np.ndarray
    difficulty_se: np.ndarray
    thresholds: np.ndarray
    thresholds_se: np.ndarray
    llf: float
    converged: bool
    n_iter: int
    n_patterns: int
    n_persons: int = 0
    covariance: np.ndarray | None = None

    def summary(self) -> str:
        """Plain-text table of the estimates."""
        lines = [f"Rating-scale model, CML: {self.difficulty.size} items, "
                 f"{self.thresholds.size + 1} categories, {self.n_persons} non-extreme persons "
                 f"in {self.n_patterns} missing-data patterns",
                 f"conditional log-likelihood {self.llf:.6f}; converged={self.converged} "
                 f"after {self.n_iter} iterations",
                 f"{'':>12}{'estimate':>12}{'se':>10}"]
        for i, (d, s) in enumerate(zip(self.difficulty, self.difficulty_se)):
            lines.append(f"{'item ' + str(i):>12}{d:12.4f}{s:10.4f}")
        for k, (t, s) in enumerate(zip(self.thresholds, self.thresholds_se)):
            lines.append(f"{'tau ' + str(k + 1):>12}{t:12.4f}{s:10.4f}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- data preparation

@dataclass(frozen=True)
class _Data:
    pm: np.ndarray        # (G, I) bool: items answered in each pattern
    N: np.ndarray         # (G, R+1) persons per pattern and raw score
    counts: np.ndarray    # (I, m+1) responses of item i in category h (non-extreme persons)
    m: int


def _validate(X, n_categories):
    if isinstance(n_categories, bool) or not isinstance(n_categories, (int, np.integer)):
        raise ValueError(f"n_categories must be an integer >= 2, got {n_categories!r}")
    if n_categories < 2:
        raise ValueError(f"n_categories must be at least 2, got {n_categories}")
    try:
        X = np.array(X, dtype=float)            # a copy: the caller's array is never touched
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X must be a numeric array of response codes: {exc}") from None
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (persons x items), got {X.ndim} dimension(s)")
    if X.shape[0] == 0 or X.shape[1] < 2:
        raise ValueError(f"X must have at least one person and two items, got shape {X.shape}")
    m = int(n_categories) - 1
    obs = ~np.isnan(X)
    bad = obs & ((X != np.round(X)) | (X < 0) | (X > m))
    if bad.any():
        where = np.argwhere(bad)[:5]
        shown = ", ".join(f"row {r}, column {c}: {float(X[r, c])!r}" for r, c in where)
        raise ValueError(f"X must hold integer codes 0..{m} (n_categories={n_categories}) or NaN;"
                         f" {int(bad.sum())} value(s) outside, e.g. {shown}")
    empty = np.flatnonzero(~obs.any(axis=1))
    if empty.size:
        raise ValueError(f"X rows {empty[:10].tolist()} have no responses; drop them first")
    return X, obs, m


def _prepare(X, obs, m) -> _Data:
    n_items = X.shape[1]
    x = np.where(obs, X, 0.0).astype(np.int64)
    score = x.sum(axis=1)
    keep = (score > 0) & (score < m * obs.sum(axis=1))
    if not keep.any():
        raise ValueError("X has no person with a non-extreme raw score: the conditional "
                         "likelihood is empty")
    pm, inv = np.unique(obs[keep], axis=0, return_inverse=True)
    inv = inv.ravel()
    N = np.zeros((pm.shape[0], m * n_items + 1))
    np.add.at(N, (inv, score[keep]), 1.0)
    xk, ok = x[keep], obs[keep]
    counts = np.stack([((xk == h) & ok).sum(axis=0) for h in range(m + 1)], axis=1)
    problems = []
    n_resp = counts.sum(axis=1)
    for i in np.flatnonzero(n_resp == 0):
        problems.append(f"item (column) {i} has no response from a non-extreme person")
    item_score = (counts * np.arange(m + 1)).sum(axis=1)
    for i in np.flatnonzero((n_resp > 0) & ((item_score == 0) | (item_score == m * n_resp))):
        side = "lowest" if item_score[i] == 0 else "highest"
        problems.append(f"item (column) {i} has only {side}"
                        f" responses among non-extreme persons (its difficulty is infinite)")
    for h in np.flatnonzero(counts.sum(axis=0) == 0):
        problems.append(f"category {h} is never used by a non-extreme person (its threshold is "
                        "not estimable; collapse categories)")
    if problems:
        raise ValueError("CML estimates do not exist: " + "; ".join(problems))
    # items must be linked by persons who answered both (otherwise the blocks' relative
    # locations are not identified)
    link = (pm.T.astype(float) @ pm.astype(float)) > 0
    from scipy.sparse.csgraph import connected_components
    n_comp, label = connected_components(link, directed=False)
    if n_comp > 1:
        blocks = "; ".join(str(np.flatnonzero(label == c).tolist()) for c in range(n_comp))
        raise ValueError(f"the information matrix is singular: the items fall into {n_comp} "
                         f"blocks (columns {blocks}) that no non-extreme person links by "
                         "answering items of both")
    return _Data(pm=pm, N=N, counts=counts.astype(float), m=m)


# --------------------------------------------------------------------------- ESFs

def _item_b(delta, tau):
    """b_ih = -h delta_i - sum_{k<=h} tau_k, shape (I, m+1), b_i0 = 0.

    The difficulties are centred first: the conditional likelihood is invariant to a common
    shift (b_ih -> b_ih + h c), and centred values keep the ESFs in floating-point range."""
    m = tau.size
    delta = delta - delta.mean()
    cum = np.concatenate([[0.0], np.cumsum(tau)])
    return -np.arange(m + 1)[None, :] * delta[:, None] - cum[None, :]


def _forward(b, pm):
    """Scaled prefix ESFs. Returns E (G,I,m+1) scaled item weights, F (G,I+1,R+1) scaled prefix
    ESFs with log scale logA (G,I+1), and logM (G,) so that
    log gamma_r(S_g) = log F[g, I, r] + logA[g, I] + logM[g]."""
    G, n_items = pm.shape
    m = b.shape[1] - 1
    R = m * n_items
    M = b.max(axis=1)
    e = np.exp(b - M[:, None])
    unit = np.zeros(m + 1)
    unit[0] = 1.0                                   # an unanswered item: polynomial 1
    E = np.where(pm[:, :, None], e[None, :, :], unit[None, None, :])
    F = np.zeros((G, n_items + 1, R + 1))
    F[:, 0, 0] = 1.0
    logA = np.zeros((G, n_items + 1))
    for i in range(n_items):
        top = m * i + 1
        new = F[:, i + 1]
        for h in range(m + 1):
            new[:, h:h + top] += E[:, i, h, None] * F[:, i, :top]
        s = new.max(axis=1)
        new /= s[:, None]
        logA[:, i + 1] = logA[:, i] + np.log(s)
    return E, F, logA, pm @ M


def _log_esf(b, pm):
    """log gamma_r(S_g), shape (G, R+1); -inf where no response pattern has score r."""
    _, F, logA, logM = _forward(b, pm)
    with np.errstate(divide="ignore"):
        return np.log(F[:, -1]) + (logA[:, -1] + logM)[:, None]


def _loglik_grad_b(b, data: _Data, *, grad=True, chunk_elems=4_000_000):
    """Conditional log-likelihood and its gradient with respect to b (I, m+1). Patterns are
    processed in chunks so the (patterns x items x scores) work arrays stay below
    ``chunk_elems`` doubles each."""
    G, n_items = data.pm.shape
    per = (n_items + 1) * (data.m * n_items + 1)
    size = max(1, chunk_elems // per)
    ll = float((data.counts * b).sum())
    expected = np.zeros_like(b)
    for start in range(0, G, size):
        sl = slice(start, start + size)
        lg, ex = _patterns_part(b, data.pm[sl], data.N[sl], grad=grad)
        ll -= lg
        if grad:
            expected += ex
    return ll, (data.counts - expected if grad else None)


def _patterns_part(b, pm, N, *, grad=True):
    """sum_g sum_r N_gr log gamma_r(S_g) and the expected category counts
    sum_g sum_r N_gr P(x_i = h | r, S_g), shape (I, m+1), by a forward-backward pass over items
    (vectorised over patterns)."""
    E, F, logA, logM = _forward(b, pm)
    gam = F[:, -1]
    pos = N > 0
    if np.any(pos & (gam <= 0)):
        raise FloatingPointError("elementary symmetric function underflow at an observed score")
    loggam = np.log(np.where(pos, gam, 1.0)) + (logA[:, -1] + logM)[:, None]
    lg = float((N * np.where(pos, loggam, 0.0)).sum())
    if not grad:
        return lg, None
    G, n_items = pm.shape
    m = b.shape[1] - 1
    R = m * n_items
    # backward messages: beta_I(s) = N_s / gamma_s; beta_i(s) = sum_h e_ih beta_{i+1}(s+h)
    Bk = np.zeros((G, n_items + 1, R + 1))
    logB = np.zeros((G, n_items + 1))
    Bk[:, -1] = np.where(pos, N / np.where(pos, gam, 1.0), 0.0)
    logB[:, -1] = -logA[:, -1]
    for i in range(n_items - 1, -1, -1):
        top = m * i + 1                  # only prefix scores 0..m*i meet F_i below
        new = Bk[:, i]
        for h in range(m + 1):
            new[:, :top] += E[:, i, h, None] * Bk[:, i + 1, h:h + top]
        s = new.max(axis=1)
        new /= s[:, None]
        logB[:, i] = logB[:, i + 1] + np.log(s)
    scale = np.exp(logA[:, :-1] + logB[:, 1:])            # (G, I)
    Ec = np.empty((G, n_items, m + 1))
    for h in range(m + 1):
        Ec[:, :, h] = E[:, :, h] * np.einsum("gir,gir->gi", F[:, :-1, :R + 1 - h],
                                              Bk[:, 1:, h:]) * scale
    return lg, (Ec * pm[:, :, None]).sum(axis=0)


# --------------------------------------------------------------------------- parametrisation

def _constraint(k):
    """(k, k-1) map from free parameters to a sum-to-zero vector."""
    C = np.zeros((k, max(k - 1, 0)))
    C[:k - 1] = np.eye(k - 1)
    C[k - 1] = -1.0
    return C


def _unpack(p, n_items, m):
    delta = _constraint(n_items) @ p[:n_items - 1]
    tau = _constraint(m) @ p[n_items - 1:] if m > 1 else np.zeros(1)
    return delta, tau


def _objective(p, data, n_items, *, grad=True):
    m = data.m
    delta, tau = _unpack(p, n_items, m)
    ll, D = _loglik_grad_b(_item_b(delta, tau), data, grad=grad)
    if not grad:
        return ll, None
    h = np.arange(m + 1)
    g_delta = -(D * h[None, :]).sum(axis=1)                       # d ll / d delta_i
    tail = np.cumsum(D.sum(axis=0)[::-1])[::-1]                    # sum_{h>=k} sum_i D_ih
    g_tau = -tail[1:]                                              # d ll / d tau_k, k=1..m
    g = _constraint(n_items).T @ g_delta
    if m > 1:
        g = np.concatenate([g, _constraint(m).T @ g_tau])
    return ll, g


def _hessian(p, data, n_items, step=1e-4, g0=None):
    """Observed Hessian of the conditional log-likelihood: central differences of the analytic
    gradient (error O(step^2), about 1e-8 relative), or forward differences from the gradient
    ``g0`` at ``p`` when given (half the cost; used only to start the Newton iterations)."""
    k = p.size
    H = np.empty((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = step
        if g0 is None:
            H[:, j] = (_objective(p + e, data, n_items)[1]
                       - _objective(p - e, data, n_items)[1]) / (2 * step)
        else:
            H[:, j] = (_objective(p + e, data, n_items)[1] - g0) / step
    return 0.5 * (H + H.T)


def conditional_loglik(X, *, n_categories, difficulty, thresholds) -> float:
    """Conditional log-likelihood of the rating-scale model at given parameters.

    Parameters
    ----------
    X : array_like (n_persons, n_items)
        Codes 0..m, NaN for missing. Not modified.
    n_categories : int
        m + 1.
    difficulty : array_like (n_items,)
    thresholds : array_like (m,)
        Andrich thresholds.

    Returns
    -------
    float
        sum over non-extreme persons of log P(x_n | r_n); invariant to a common shift of the
        difficulties (the quantity ``eRm::RSM(X)$loglik`` maximises).
    """
    X, obs, m = _validate(X, n_categories)
    delta = np.asarray(difficulty, dtype=float).ravel()
    tau = np.asarray(thresholds, dtype=float).ravel()
    if delta.size != X.shape[1] or tau.size != m:
        raise ValueError(f"difficulty must have {X.shape[1]} values and thresholds {m}; got "
                         f"{delta.size} and {tau.size}")
    x = np.where(obs, X, 0.0).astype(np.int64)
    score = x.sum(axis=1)
    keep = (score > 0) & (score < m * obs.sum(axis=1))
    if not keep.any():
        return 0.0
    pm, inv = np.unique(obs[keep], axis=0, return_inverse=True)
    N = np.zeros((pm.shape[0], m * X.shape[1] + 1))
    np.add.at(N, (inv.ravel(), score[keep]), 1.0)
    counts = np.stack([((x[keep] == h) & obs[keep]).sum(axis=0) for h in range(m + 1)], axis=1)
    data = _Data(pm=pm, N=N, counts=counts.astype(float), m=m)
    try:
        return _loglik_grad_b(_item_b(delta, tau), data, grad=False)[0]
    except FloatingPointError as exc:
        raise ValueError(f"conditional_loglik: {exc} (parameters too extreme)") from None


def cml_rating_scale(X, *, n_categories, tol=1e-10, max_iter=200) -> CMLEstimate:
    """Conditional maximum-likelihood estimates of the rating-scale model (as ``eRm::RSM``).

    Parameters
    ----------
    X : array_like of float, shape (n_persons, n_items)
        Response codes 0..m (m = n_categories - 1), ``np.nan`` for a missing response. Every row
        must hold at least one response. Not modified.
    n_categories : int
        Number of categories m + 1 (>= 2).
    tol : float, default 1e-10
        Convergence when the largest Newton step (in logits) is below ``tol``.
    max_iter : int, default 200
        Newton iterations allowed.

    Returns
    -------
    CMLEstimate
        Difficulties and thresholds (each summing to zero) with standard errors from the inverse
        observed information, the conditional log-likelihood, convergence flags and the number
        of missing-data patterns.

    Raises
    ------
    ValueError
        Non-integer or out-of-range codes, rows with no response, fewer than two items, no
        non-extreme person, an item answered only in its lowest (highest) category or by
        nobody, an unused category, or a singular information matrix (disconnected design).

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` is reached; the result then has ``converged=False``.

    Notes
    -----
    P(X_ni = h) ∝ exp(sum_{k<=h}(theta_n - delta_i - tau_k)); item difficulties sum to zero
    and thresholds sum to zero. The conditional likelihood is
    prod_n exp(sum_i b_{i,x_ni}) / gamma_{r_n}(S_n) with b_ih = -h delta_i - sum_{k<=h} tau_k
    and gamma the polynomial elementary symmetric functions over the items S_n that person n
    answered. Persons are grouped by S_n (as eRm groups by NA pattern) and, within a pattern,
    by raw score, so the cost is one forward-backward pass over items per pattern. The ESFs are
    computed by the summation algorithm with every item polynomial and partial product rescaled
    to max 1 (log scale carried), so they cannot overflow and every entry keeps full relative
    precision (all terms are positive). Limit: within one missing-data pattern the ESFs must
    span less than ~700 nats (no problem for, e.g., 60 items with difficulties within +-6
    logits); beyond that an observed score's ESF underflows, which is detected and raised, never
    used. The gradient is analytic (the forward-backward pass gives E[1{x_i = h} | r] for every
    item, category and pattern). Newton-Raphson with step halving on the sum-to-zero-identified
    parameters starts from a forward-difference Hessian of the analytic gradient, which BFGS
    updates afterwards; the standard errors use the central-difference Hessian of the analytic
    gradient at the estimates (agrees with the exact observed information to ~1e-8).

    ``eRm::RSM(X)`` reports easiness parameters ``betapar`` = beta_ih = b_ih up to a common
    h * c; our difficulties are ``-betapar[i, m] / m`` centred, our thresholds the successive
    differences ``-(beta_ih - beta_i,h-1)`` minus the item location (see
    ``reference/erm/make_reference.R``).

    References
    ----------
    Andrich, D. (1978). A rating formulation for ordered response categories. Psychometrika 43.
    Mair, P. & Hatzinger, R. (2007). Extended Rasch modeling: the eRm package for the application
    of IRT models in R. Journal of Statistical Software 20(9).

    Examples
    --------
    >>> import numpy as np
    >>> from inhd.cml import cml_rating_scale
    >>> X = np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1]], float)
    >>> est = cml_rating_scale(X, n_categories=3)      # In R: eRm::RSM(X)
    >>> bool(est.converged), round(float(est.difficulty.sum()), 12)
    (True, 0.0)
    """
    X, obs, m = _validate(X, n_categories)
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")
    data = _prepare(X, obs, m)
    n_items = X.shape[1]
    return _fit(data, n_items, m, tol, max_iter)


def _fit(data, n_items, m, tol, max_iter):
    """Newton/BFGS iterations and standard errors on prepared data."""
    # start: item difficulties from item means (centred logits), thresholds zero
    n_resp = data.counts.sum(axis=1)
    mean = (data.counts * np.arange(m + 1)).sum(axis=1) / n_resp / m
    d0 = -np.log(mean / (1 - mean))
    d0 -= d0.mean()
    p = np.concatenate([d0[:-1], np.zeros(m - 1)])

    ll, g = _objective(p, data, n_items)
    # Newton-Raphson started from the finite-difference Hessian of the analytic gradient, the
    # Hessian then carried by BFGS updates (each iteration costs one gradient; superlinear).
    B = -_hessian(p, data, n_items, g0=g)            # positive definite at a maximum
    converged, n_iter = False, 0
    for n_iter in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(B, g)
        except np.linalg.LinAlgError:
            raise ValueError("the conditional information matrix is singular: the items are not "
                             "linked by common respondents (disconnected missing-data design)")
        big = np.max(np.abs(step))
        if big > 2.0:                                  # keep early steps moderate
            step *= 2.0 / big
        t = 1.0
        while True:
            try:
                ll_new, g_new = _objective(p + t * step, data, n_items)
            except FloatingPointError:                 # ESF underflow far from the optimum
                ll_new, g_new = -np.inf, g
            if ll_new >= ll - 1e-12 * abs(ll) or t < 1e-6:
                break
            t *= 0.5
        if not np.isfinite(ll_new):
            raise ValueError("CML failed: elementary symmetric functions underflow along the "
                             "Newton path (extreme parameter values; check the data)")
        s_k = t * step
        y_k = g - g_new                                # B approximates minus the Hessian
        p, ll, g = p + s_k, ll_new, g_new
        if np.max(np.abs(s_k)) < tol:
            converged = True
            break
        sy = s_k @ y_k
        if sy > 1e-300:
            Bs = B @ s_k
            B = B - np.outer(Bs, Bs) / (s_k @ Bs) + np.outer(y_k, y_k) / sy
    H = _hessian(p, data, n_items)
    try:
        cov_p = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        raise ValueError("the conditional information matrix is singular: the items are not "
                         "linked by common respondents (disconnected missing-data design)")
    eig = np.linalg.eigvalsh(-H)
    if eig.min() <= 1e-10 * eig.max():
        raise ValueError("the conditional information matrix is (nearly) singular: the items "
                         "are not linked by common respondents, or the estimates do not exist")
    if not converged:
        warnings.warn(f"CML did not converge in {max_iter} Newton iterations (tol={tol}); "
                      "results are provisional (converged=False)", ConvergenceWarning,
                      stacklevel=3)
    # map to the full sum-to-zero parameters
    T = np.zeros((n_items + m, p.size))
    T[:n_items, :n_items - 1] = _constraint(n_items)
    if m > 1:
        T[n_items:, n_items - 1:] = _constraint(m)
    cov = T @ cov_p @ T.T
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    delta, tau = _unpack(p, n_items, m)
    if m == 1:
        se[n_items:] = 0.0
    return CMLEstimate(difficulty=delta, difficulty_se=se[:n_items], thresholds=tau,
                       thresholds_se=se[n_items:], llf=ll, converged=converged,
                       n_iter=n_iter, n_patterns=int(data.pm.shape[0]),
                       n_persons=int(data.N.sum()), covariance=cov)
