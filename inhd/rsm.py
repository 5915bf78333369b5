"""The rating-scale model itself: category probabilities, moments, person locations, a simulator.

The bottom floor of the package. Every estimator (:mod:`inhd.cml`, :mod:`inhd.jmle`,
:mod:`inhd.rasch`), display (:mod:`inhd.plots`) and generator (:mod:`inhd.synth`,
:mod:`inhd.teaching`, the tests and the benchmarks) computes the rating-scale model (Andrich 1978)
through these functions, so it is written once:

.. math::

    P(X_{ni} = h) = \\frac{\\exp\\left(h(\\theta_n - \\delta_i) - \\sum_{k \\le h} \\tau_k\\right)}
                          {\\sum_{g=0}^{m} \\exp\\left(g(\\theta_n - \\delta_i) - \\sum_{k \\le g}
                          \\tau_k\\right)}, \\quad h = 0..m,

with person measure :math:`\\theta_n`, item difficulty :math:`\\delta_i` (higher is harder to
endorse) and Andrich thresholds :math:`\\tau_1..\\tau_m`. Probabilities are computed so that
measures far off the scale neither overflow nor underflow (log-sum-exp, or powers of
:math:`e^{\\theta - \\delta}` where these provably stay inside the floating-point range).

The same functions compute the partial credit model (Masters 1982), in which each item has
thresholds of its own: wherever ``tau`` is an ``(n_items, m)`` array instead of a vector of m,
row i holds item i's thresholds :math:`\\tau_{i1}..\\tau_{im}` and the items are the last axis
of ``diff``. An item with fewer categories than the scale has ``+inf`` for the steps above its top
category, whose probability is then exactly zero (:func:`item_thresholds` builds such arrays).
With ``diff = theta`` (item difficulty 0) the rows are the points on the logit scale where
adjacent categories are equally likely.

The module also holds :class:`RatingScaleEstimate`, the one shape in which both estimators
(:func:`inhd.cml.cml_rating_scale`, :func:`inhd.jmle.jmle_rating_scale`) return their results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "check_iteration",
    "check_responses",
    "log_weights",
    "log_probs",
    "probs",
    "moments",
    "score_moments",
    "category_probabilities",
    "item_thresholds",
    "item_tops",
    "max_scores",
    "partial_credit_summaries",
    "pattern_groups",
    "linked_items",
    "solve_locations",
    "simulate_rating_scale",
    "RatingScaleEstimate",
    "PartialCreditEstimate",
]

#: Largest |h (theta - delta) - sum_{k<=h} tau_k| for which the category weights are formed as
#: powers of exp(theta - delta): e**600 and e**-600 are normal doubles, so nothing over- or
#: underflows and every weight keeps full relative precision.
_POWER_RANGE = 600.0


def check_iteration(tol, max_iter) -> None:
    """Refuse a stopping rule the estimators cannot use: ``tol`` a positive number (logits),
    ``max_iter`` a positive integer.

    Examples
    --------
    >>> check_iteration(1e-8, 100)
    >>> check_iteration(0.0, 100)
    Traceback (most recent call last):
    ...
    ValueError: tol must be a positive number, got 0.0
    """
    if not (isinstance(max_iter, (int, np.integer)) and max_iter >= 1):
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    if not (np.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive number, got {tol!r}")


def check_responses(X, *, n_categories) -> tuple[np.ndarray, np.ndarray, int]:
    """Validate a persons x items array of response codes for the estimators.

    Parameters
    ----------
    X : array_like, shape (n_persons, n_items)
        Codes 0..m (m = n_categories - 1), NaN for a missing response; every row must hold a
        response. Not modified (a float array is returned as is, without a copy).
    n_categories : int
        m + 1 (>= 2).

    Returns
    -------
    X : numpy.ndarray of float
    observed : numpy.ndarray of bool
        Where X holds a response.
    m : int

    Raises
    ------
    ValueError
        Naming the rows and columns of (up to five) bad codes, the rows without responses, or
        a wrong shape or ``n_categories``.
    """
    if isinstance(n_categories, bool) or not isinstance(n_categories, (int, np.integer)):
        raise ValueError(f"n_categories must be an integer >= 2, got {n_categories!r}")
    if n_categories < 2:
        raise ValueError(f"n_categories must be at least 2, got {n_categories}")
    try:
        X = np.asarray(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"X must be a numeric array of response codes: {exc}") from None
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (persons x items), got {X.ndim} dimension(s)")
    if X.shape[0] == 0 or X.shape[1] < 2:
        raise ValueError(f"X must have at least one person and two items, got shape {X.shape}")
    m = int(n_categories) - 1
    obs = ~np.isnan(X)
    with np.errstate(invalid="ignore"):
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


def log_weights(diff, tau) -> np.ndarray:
    """Unnormalised log category weights :math:`h\\,d - \\sum_{k \\le h} \\tau_k`, h = 0..m.

    Parameters
    ----------
    diff : array_like
        Person measure minus item difficulty (logits), any shape.
    tau : array_like
        The m Andrich thresholds, or item-specific thresholds ``(n_items, m)`` (partial credit;
        items on the last axis of ``diff``, ``+inf`` beyond an item's top category).

    Returns
    -------
    numpy.ndarray
        Shape ``diff.shape + (m + 1,)``; ``-inf`` for the categories an item does not have.
    """
    tau = np.asarray(tau, dtype=float)
    h = np.arange(tau.shape[-1] + 1, dtype=float)
    eta = np.asarray(diff, dtype=float)[..., None] * h
    cum = _cumulative(tau)
    if tau.ndim == 1 or eta.shape[-2:] == cum.shape:
        eta -= cum
        return eta
    return eta - cum                           # a person's diff broadcast over the items


def _cumulative(tau) -> np.ndarray:
    """0, tau_1, tau_1 + tau_2, ... along the last axis (``+inf`` from an item's first ``+inf``
    step on)."""
    return np.concatenate([np.zeros(tau.shape[:-1] + (1,)), np.cumsum(tau, axis=-1)], axis=-1)


def item_thresholds(thresholds, n_categories=None) -> np.ndarray:
    """Item-specific thresholds as the core functions take them: ``(n_items, m)``, ``+inf`` for
    the steps an item does not have.

    Parameters
    ----------
    thresholds : array_like (n_items, m)
        Each item's thresholds; NaN (or ``+inf``) for the steps above its top category. The
        steps an item has must come first and be finite.
    n_categories : array_like of int, optional
        Categories of each item (checked against the finite steps when given).

    Returns
    -------
    numpy.ndarray (n_items, m)

    Raises
    ------
    ValueError
        A row with a gap (a finite step after a missing one), an item without steps, or
        ``n_categories`` that disagrees with the finite steps.

    Examples
    --------
    >>> item_thresholds([[-1.0, 1.0], [0.5, np.nan]])
    array([[-1. ,  1. ],
           [ 0.5,  inf]])
    """
    tau = np.array(thresholds, dtype=float, ndmin=2)
    if tau.ndim != 2:
        raise ValueError(f"thresholds must be 2-D (items x steps), got {tau.ndim} dimensions")
    has = np.isfinite(tau)
    tops = has.sum(axis=1)
    gaps = np.flatnonzero((tops == 0) | (has != (np.arange(tau.shape[1]) < tops[:, None])).any(axis=1))
    if gaps.size:
        raise ValueError(f"thresholds: rows {gaps[:10].tolist()} must hold their item's steps "
                         "first (finite) and NaN only above the item's top category")
    if n_categories is not None and not np.array_equal(np.asarray(n_categories) - 1, tops):
        raise ValueError("thresholds: the finite steps do not match n_categories")
    return np.where(has, tau, np.inf)


def max_scores(tau, n_items) -> np.ndarray:
    """Highest score on each of ``n_items`` items: m for a rating scale, the number of finite
    steps of each row for item-specific thresholds."""
    tau = np.asarray(tau, dtype=float)
    if tau.ndim < 2:
        return np.full(n_items, float(tau.size))
    return np.isfinite(tau).sum(axis=-1).astype(float)


def log_probs(diff, tau) -> tuple[np.ndarray, np.ndarray]:
    """Log category probabilities and log normalisers at ``diff = theta - delta``.

    Parameters
    ----------
    diff : array_like
        Person measure minus item difficulty (logits), any shape.
    tau : array_like
        The m Andrich thresholds.

    Returns
    -------
    log_p : numpy.ndarray
        Shape ``diff.shape + (m + 1,)``: log P(X = h) for h = 0..m.
    log_z : numpy.ndarray
        Shape ``diff.shape``: the log normaliser.
    """
    return _log_softmax(log_weights(diff, tau))


def _log_softmax(eta) -> tuple[np.ndarray, np.ndarray]:
    """Normalise exponents over the last axis by log-sum-exp: (log probabilities, log Z)."""
    top = eta.max(axis=-1, keepdims=True)
    eta = eta - top
    lse = np.log(np.exp(eta).sum(axis=-1, keepdims=True))
    return eta - lse, (top + lse)[..., 0]


def probs(diff, tau, *, categories_first=False) -> tuple[np.ndarray, np.ndarray]:
    """Category probabilities and log normalisers at ``diff = theta - delta``.

    The hot path of the estimators. Where :math:`m|d| + \\max_h |\\sum_{k\\le h}\\tau_k|` stays
    below 600 (every response within 150 logits of its item for five categories), the weights
    are the powers :math:`w_h = e^{h d - \\sum_{k \\le h}\\tau_k}` built by repeated
    multiplication (one ``exp`` per response instead of m + 1), each inside
    :math:`[e^{-600}, e^{600}]`; beyond that range the log-sum-exp route of :func:`log_probs`
    is taken. Either way the probabilities equal ``exp(log_probs(...))`` to rounding.

    Parameters
    ----------
    diff : array_like
        Person measure minus item difficulty (logits), any shape.
    tau : array_like
        The m Andrich thresholds, or ``(n_items, m)`` item-specific thresholds (see the module
        notes).
    categories_first : bool, default False
        Return the probabilities with the category axis first, shape ``(m + 1,) + diff.shape``
        (contiguous per category: the layout the estimators sum over), instead of last.

    Returns
    -------
    p : numpy.ndarray
        P(X = h), category axis last (or first).
    log_z : numpy.ndarray
        Shape ``diff.shape``: the log normaliser :math:`\\log \\sum_h w_h`.
    """
    diff = np.asarray(diff, dtype=float)
    tau = np.asarray(tau, dtype=float)
    m = tau.shape[-1]
    cum = _cumulative(tau)
    reach = np.abs(cum[np.isfinite(cum)]).max()        # +inf steps give weights of exactly 0
    if diff.size == 0 or m * np.abs(diff).max() + reach >= _POWER_RANGE:
        log_p, log_z = log_probs(diff, tau)
        p = np.exp(log_p)
        return (np.moveaxis(p, -1, 0).copy() if categories_first else p), log_z
    p = np.empty((m + 1,) + diff.shape)
    p[0] = 1.0
    z = np.exp(diff)
    total = np.ones(diff.shape)
    for h in range(1, m + 1):
        np.multiply(p[h - 1], z, out=p[h])
        p[h] *= np.exp(-tau[..., h - 1])
        total += p[h]
    inv = 1.0 / total
    p *= inv
    log_z = np.log(total)
    return (p if categories_first else np.moveaxis(p, 0, -1)), log_z


def moments(p) -> tuple[np.ndarray, np.ndarray]:
    """Expected score and variance of a response from its category probabilities (last axis)."""
    p = np.asarray(p, dtype=float)
    h = np.arange(p.shape[-1], dtype=float)
    e = p @ h
    return e, p @ (h * h) - e * e


def score_moments(diff, tau) -> tuple[np.ndarray, np.ndarray]:
    """Expected score :math:`E = \\sum_h h P_h` and variance :math:`\\sum_h h^2 P_h - E^2` of a
    response at ``diff = theta - delta`` (the same shape as ``diff``).

    Examples
    --------
    >>> e, v = score_moments([0.0, 50.0], [-1.0, 1.0])
    >>> e.round(6).tolist(), v.round(6).tolist()
    ([1.0, 2.0], [0.423883, 0.0])
    """
    p, _ = probs(diff, tau, categories_first=True)
    e = np.zeros(p.shape[1:])
    e2 = np.zeros(p.shape[1:])
    for h in range(1, p.shape[0]):
        e += h * p[h]
        e2 += h * h * p[h]
    return e, np.maximum(e2 - e * e, 0.0)


def category_probabilities(theta, *, difficulty=0.0, thresholds) -> np.ndarray:
    """Rating-scale category probabilities, shape ``(len(theta), m + 1)``.

    Parameters
    ----------
    theta : array_like
        Person measures (logits).
    difficulty : float, default 0
        Item difficulty (logits).
    thresholds : array_like
        The m Andrich thresholds.

    Examples
    --------
    >>> category_probabilities([0.0], thresholds=[-1.0, 1.0]).round(3).tolist()
    [[0.212, 0.576, 0.212]]
    """
    theta = np.atleast_1d(np.asarray(theta, dtype=float))
    lp, _ = log_probs(theta - float(difficulty), np.asarray(thresholds, dtype=float))
    return np.exp(lp)


def item_tops(X, obs) -> np.ndarray:
    """Each item's top category: its highest observed code (the partial credit model's items
    have categories 0..top)."""
    return np.where(obs, X, 0.0).max(axis=0).astype(np.int64)


def partial_credit_summaries(flat, cov, tops, m):
    """Thresholds (n_items, m) with NaN above each item's top, item locations, and their SEs
    and full covariance, from the flat thresholds and their covariance (item-major)."""
    n_items = tops.size
    has = np.arange(m)[None, :] < tops[:, None]
    L = np.zeros((n_items, flat.size))                 # location_i = mean_h delta_ih
    L[np.repeat(np.arange(n_items), tops), np.arange(flat.size)] = np.repeat(1.0 / tops, tops)
    thr, thr_se = np.full((n_items, m), np.nan), np.full((n_items, m), np.nan)
    thr[has], thr_se[has] = flat, np.sqrt(np.clip(np.diag(cov), 0.0, None))
    full = np.full((n_items * m, n_items * m), np.nan)
    idx = np.flatnonzero(has.ravel())
    full[np.ix_(idx, idx)] = cov
    loc_cov = L @ cov @ L.T
    return thr, thr_se, L @ flat, np.sqrt(np.clip(np.diag(loc_cov), 0.0, None)), full


def pattern_groups(mask, target) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Group rows that share a missingness pattern and a target (e.g. a raw score).

    Rows in one group have the same ML measure, so the estimators solve once per group.

    Returns
    -------
    first, inverse, counts : numpy.ndarray
        The first row of each group, each row's group, and the rows per group.
    """
    packed = np.packbits(np.asarray(mask, dtype=bool), axis=1)
    key = np.concatenate([packed, np.asarray(target, dtype=np.float64)[:, None].view(np.uint8)],
                         axis=1)
    key = np.ascontiguousarray(key).view(np.dtype((np.void, key.shape[1])))[:, 0]
    _, first, inverse, counts = np.unique(key, return_index=True, return_inverse=True,
                                          return_counts=True)
    return first, inverse.ravel(), counts


def linked_items(mask) -> tuple[int, np.ndarray]:
    """Which items share a scale: components of the items linked by persons who answered both.

    Without a person answering items of two blocks, the blocks' relative locations are not
    identified (every estimator refuses such a design).

    Parameters
    ----------
    mask : array_like of bool, shape (n_persons, n_items)
        Which items each person answered.

    Returns
    -------
    n_components : int
    labels : numpy.ndarray of int (n_items,)
        The component of each item, numbered in order of first appearance (an item nobody
        answered is a component of its own).

    Examples
    --------
    >>> linked_items([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]])
    (2, array([0, 0, 0, 1]))
    """
    mask = np.asarray(mask, dtype=bool)
    n_items = mask.shape[1]
    dtype = np.int16 if n_items < 2**15 else np.int64
    labels = np.arange(n_items, dtype=dtype)
    rows = max(1, 2**18 // max(1, n_items))
    while True:                          # each person pulls its items to their smallest label
        new = labels.copy()
        for start in range(0, mask.shape[0], rows):
            part = mask[start:start + rows]
            row_min = np.where(part, labels, n_items).min(axis=1)
            np.minimum(new, np.where(part, row_min[:, None], n_items).min(axis=0), out=new)
        if np.array_equal(new, labels):
            break
        labels = new
    _, first, comp = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return int(first.size), order[comp.ravel()]


def solve_locations(mask, offsets, target, tau, *, tol=1e-10, max_iter=100):
    """Solve :math:`\\sum_j \\mathrm{mask}_{rj} E(b_r - \\mathrm{offsets}_j) = \\mathrm{target}_r`
    for each row r by safeguarded Newton steps.

    With ``offsets`` the item difficulties this is the ML person measure for raw score
    ``target`` (Wright & Masters 1982, ch. 5; ``eRm::person.parameter`` for the non-extreme
    scores); with ``offsets`` minus the person measures it gives minus an item difficulty.
    Targets must lie strictly inside (0, the row's highest score). Rows sharing a mask and a
    target are solved once (:func:`pattern_groups`). ``tau`` may be item-specific
    (``(n_items, m)``, the partial credit model), with ``offsets`` zero.

    Returns
    -------
    location, se, converged
        One location and model SE (1 / sqrt(information)) per row, and whether every row met
        ``tol`` (logits) within ``max_iter`` steps.

    Notes
    -----
    The expected score is increasing in :math:`b` (its derivative is the information
    :math:`\\sum_j \\mathrm{Var}(X_{rj})`), so each row's root is bracketed: a Newton step
    (at most 2 logits) that leaves the current bracket is replaced by bisection. A row stops
    once its step is below ``tol``.
    """
    mask = np.asarray(mask, dtype=bool)
    offsets = np.asarray(offsets, dtype=float)
    first, inverse, _ = pattern_groups(mask, target)
    gm = mask[first].astype(float)
    gt = np.asarray(target, float)[first]
    n = gm.sum(axis=1)
    tau = np.asarray(tau, dtype=float)
    top = gm @ max_scores(tau, gm.shape[1])
    frac = np.clip(gt / top, 1e-6, 1 - 1e-6)
    finite = np.where(np.isfinite(tau), np.abs(tau), 0.0)
    span = np.max(np.abs(offsets)) + finite.sum(axis=-1).max() + 40.0
    lo, hi = np.full(len(gt), -span), np.full(len(gt), span)
    b = (gm * offsets).sum(axis=1) / n + np.log(frac / (1 - frac))
    active = np.arange(len(gt))
    for _ in range(max_iter):
        ga, ba = gm[active], b[active]
        e, v = score_moments(ba[:, None] - offsets[None, :], tau)
        f = gt[active] - (ga * e).sum(axis=1)          # decreasing in b
        info = (ga * v).sum(axis=1)
        lo[active] = np.where(f > 0, np.maximum(lo[active], ba), lo[active])
        hi[active] = np.where(f < 0, np.minimum(hi[active], ba), hi[active])
        new = ba + np.clip(f / np.maximum(info, 1e-300), -2.0, 2.0)
        outside = (new < lo[active]) | (new > hi[active])
        new = np.where(outside, 0.5 * (lo[active] + hi[active]), new)
        b[active] = new
        active = active[np.abs(new - ba) >= tol]
        if active.size == 0:
            break
    converged = active.size == 0
    _, v = score_moments(b[:, None] - offsets[None, :], tau)
    info = (gm * v).sum(axis=1)
    return b[inverse], 1.0 / np.sqrt(info[inverse]), converged


def simulate_rating_scale(theta, difficulties, thresholds, *, rng, missing=0.0,
                          discrimination=1.0, min_category=0):
    """Draw responses from the rating-scale model: the package's one response simulator.

    Parameters
    ----------
    theta : array_like or pandas.Series
        Person measures (logits), one per respondent; a Series lends its index to the rows.
    difficulties : array_like or pandas.Series
        Item difficulties (logits), one per item; a Series lends its labels to the columns.
    thresholds : array_like
        The m Andrich thresholds shared by the items (m + 1 categories), or item-specific
        thresholds ``(n_items, m)`` to draw from the partial credit model (NaN or ``+inf``
        above an item's top category; see :func:`item_thresholds`).
    rng : int or numpy.random.Generator
        A seed or a Generator (required: simulations are reproducible).
    missing : float, default 0
        Probability that a response is missing, completely at random.
    discrimination : float or array_like, default 1
        Multiplies the exponents (per item if an array). 1 is the Rasch model; other values
        simulate items that misfit it (too flat below 1, too steep above).
    min_category : int, default 0
        Code of the lowest category (1 for a 1-5 survey scale).

    Returns
    -------
    numpy.ndarray or pandas.DataFrame
        Persons x items codes ``min_category..min_category + m`` as floats, NaN where missing;
        a DataFrame when ``theta`` or ``difficulties`` is a Series.

    Notes
    -----
    One uniform draw per response, inverted through the cumulative category probabilities
    (computed in log space), then, when ``missing > 0``, one uniform draw per response for
    missingness: the same random stream for the same seed and shapes. The probabilities are
    formed a block of persons at a time, so memory stays a few times that of the result.

    Examples
    --------
    >>> x = simulate_rating_scale([-1.0, 0.0, 1.0], [0.0, 0.5], [-1.0, 1.0], rng=1)
    >>> x.shape, bool(np.isin(x, [0, 1, 2]).all())
    ((3, 2), True)
    """
    rng = np.random.default_rng(rng)
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be a probability in [0, 1), got {missing}")
    th = np.asarray(theta, dtype=float).ravel()
    d = np.asarray(difficulties, dtype=float).ravel()
    a = np.asarray(discrimination, dtype=float)
    if a.ndim and a.size != d.size:
        raise ValueError(f"discrimination has {a.size} values for {d.size} items")
    thresholds = np.asarray(thresholds, dtype=float)
    if thresholds.ndim == 2:
        if thresholds.shape[0] != d.size:
            raise ValueError(f"thresholds has {thresholds.shape[0]} rows for {d.size} items")
        thresholds = item_thresholds(thresholds)
    n_cat = thresholds.shape[-1] + 1
    u = rng.random((th.size, d.size))
    codes = np.empty((th.size, d.size))
    rows = max(1, 2_000_000 // max(1, d.size * n_cat))
    for start in range(0, th.size, rows):
        part = slice(start, start + rows)
        eta = log_weights(th[part, None] - d[None, :], thresholds)
        eta *= a[..., None] if a.ndim else a
        lp, _ = _log_softmax(eta)
        cdf = np.cumsum(np.exp(lp), axis=-1)
        codes[part] = np.minimum((u[part, :, None] > cdf[..., :-1]).sum(axis=-1), n_cat - 1)
    if thresholds.ndim == 2:                  # no category above an item's top, even by rounding
        np.minimum(codes, max_scores(thresholds, d.size), out=codes)
    codes += min_category
    if missing > 0:
        codes[rng.random(codes.shape) < missing] = np.nan
    if isinstance(theta, pd.Series) or isinstance(difficulties, pd.Series):
        index = theta.index if isinstance(theta, pd.Series) else None
        columns = difficulties.index if isinstance(difficulties, pd.Series) else None
        return pd.DataFrame(codes, index=index, columns=columns)
    return codes


@dataclass(frozen=True)
class RatingScaleEstimate:
    """Item and person parameters of the rating-scale model as an estimator returns them.

    Both engines return this shape: :func:`inhd.cml.cml_rating_scale` (conditional ML, as
    ``eRm::RSM``) and :func:`inhd.jmle.jmle_rating_scale` (joint ML, as Winsteps).
    :func:`inhd.rasch.fit_rating_scale` turns it into a labelled
    :class:`inhd.rasch.RatingScaleResult`.

    Attributes
    ----------
    method : str
        ``"cml"`` or ``"jmle"``.
    difficulty, difficulty_se : numpy.ndarray (n_items,)
        Item difficulties and standard errors. CML: from the inverse conditional information
        (difficulties sum to zero). JMLE: Winsteps' model SE
        :math:`1/\\sqrt{\\sum_n \\mathrm{Var}(X_{ni})}` (difficulties of the free items sum to
        zero unless some items are anchored).
    thresholds, thresholds_se : numpy.ndarray (m,)
        Andrich thresholds (sum to zero) and standard errors: from the inverse information of
        the (conditional or joint, persons profiled out) likelihood under the sum-to-zero
        constraint. With two categories the single threshold is fixed at 0 by that constraint,
        so its SE is NaN; so are the SEs of anchored thresholds.
    measures, measures_se : numpy.ndarray (n_persons,)
        One measure and model SE per row of the data; NaN for rows with an extreme (zero or
        perfect) score, which have no finite ML measure. CML: ML measures given the estimated
        items (``eRm::person.parameter``); JMLE: the joint estimates.
    llf : float
        Maximised log-likelihood: conditional (``eRm::RSM(X)$loglik``) or joint; NaN when
        nothing was estimated (everything anchored).
    converged : bool
        Whether the Newton iterations met the tolerance.
    n_iter : int
        Newton iterations taken.
    n_patterns : int
        Distinct missing-data patterns among the persons used.
    n_persons : int
        Persons used (non-extreme raw scores).
    covariance : numpy.ndarray (n_items + m, n_items + m) or None
        Covariance of (difficulty, thresholds) from the inverse information under the
        sum-to-zero constraints (JMLE: persons profiled out); None when nothing is free.
    """

    method: str
    difficulty: np.ndarray
    difficulty_se: np.ndarray
    thresholds: np.ndarray
    thresholds_se: np.ndarray
    measures: np.ndarray
    measures_se: np.ndarray
    llf: float
    converged: bool
    n_iter: int
    n_patterns: int
    n_persons: int
    covariance: np.ndarray | None = None

    def summary(self) -> str:
        """Plain-text table of the estimates."""
        kind = {"cml": "conditional", "jmle": "joint"}.get(self.method, self.method)
        lines = [f"Rating-scale model, {self.method.upper()}: {self.difficulty.size} items, "
                 f"{self.thresholds.size + 1} categories, {self.n_persons} non-extreme persons "
                 f"in {self.n_patterns} missing-data patterns",
                 f"{kind} log-likelihood {self.llf:.6f}; converged={self.converged} "
                 f"after {self.n_iter} iterations",
                 f"{'':>12}{'estimate':>12}{'se':>10}"]
        for i, (d, s) in enumerate(zip(self.difficulty, self.difficulty_se)):
            lines.append(f"{'item ' + str(i):>12}{d:12.4f}{s:10.4f}")
        for k, (t, s) in enumerate(zip(self.thresholds, self.thresholds_se)):
            lines.append(f"{'tau ' + str(k + 1):>12}{t:12.4f}{s:10.4f}")
        return "\n".join(lines)


@dataclass(frozen=True)
class PartialCreditEstimate:
    """Item and person parameters of the partial credit model as an estimator returns them.

    Both engines return this shape: :func:`inhd.cml.cml_partial_credit` (conditional ML, as
    ``eRm::PCM``) and :func:`inhd.jmle.jmle_partial_credit` (joint ML).
    :func:`inhd.rasch.fit_partial_credit` turns it into a labelled
    :class:`inhd.partial_credit.PartialCreditResult`.

    Attributes
    ----------
    method : str
        ``"cml"`` or ``"jmle"``.
    thresholds, thresholds_se : numpy.ndarray (n_items, m)
        Item thresholds :math:`\\delta_{ih}`, the measures at which categories h - 1 and h of
        item i are equally likely, centred so that the item locations average 0; NaN above an
        item's top category. SEs from the inverse information under that constraint (CML:
        conditional; JMLE: joint, persons profiled out).
    location, location_se : numpy.ndarray (n_items,)
        Item locations, the mean of each item's thresholds (``eRm::thresholds``' "Location"),
        averaging 0, and their SEs.
    measures, measures_se : numpy.ndarray (n_persons,)
        As in :class:`RatingScaleEstimate` (NaN for extreme scores).
    llf : float
        Maximised log-likelihood: conditional (``eRm::PCM(X)$loglik``) or joint.
    converged : bool
    n_iter : int
    n_patterns : int
        Distinct missing-data patterns among the persons used.
    n_persons : int
        Persons used (non-extreme raw scores).
    n_parameters : int
        Free parameters: the steps of all items minus one (the centring); the df of a
        likelihood-ratio test against the rating-scale model is ``n_parameters`` minus the
        rating-scale model's ``(n_items - 1) + (m - 1)``.
    covariance : numpy.ndarray (n_items * m, n_items * m) or None
        Covariance of the thresholds flattened item by item (row ``i * m + h - 1``), NaN for
        the steps an item does not have.
    """

    method: str
    thresholds: np.ndarray
    thresholds_se: np.ndarray
    location: np.ndarray
    location_se: np.ndarray
    measures: np.ndarray
    measures_se: np.ndarray
    llf: float
    converged: bool
    n_iter: int
    n_patterns: int
    n_persons: int
    n_parameters: int
    covariance: np.ndarray | None = None

    def summary(self) -> str:
        """Plain-text table of the estimates."""
        kind = {"cml": "conditional", "jmle": "joint"}.get(self.method, self.method)
        n_items, m = self.thresholds.shape
        lines = [f"Partial credit model, {self.method.upper()}: {n_items} items, up to {m + 1} "
                 f"categories, {self.n_persons} non-extreme persons in {self.n_patterns} "
                 "missing-data patterns",
                 f"{kind} log-likelihood {self.llf:.6f} ({self.n_parameters} parameters); "
                 f"converged={self.converged} after {self.n_iter} iterations",
                 f"{'':>8}{'location':>10}{'se':>8}" + "".join(f"{'step ' + str(h + 1):>10}"
                                                            for h in range(m))]
        for i in range(n_items):
            steps = "".join(f"{t:10.4f}" for t in self.thresholds[i])
            lines.append(f"{'item ' + str(i):>8}{self.location[i]:10.4f}"
                         f"{self.location_se[i]:8.4f}{steps}")
        return "\n".join(lines)
