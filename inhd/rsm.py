"""The rating-scale model itself: category probabilities, moments, person locations, a simulator.

The bottom floor of the package. Every estimator (:mod:`inhd.cml`, :mod:`inhd.rasch`), display
(:mod:`inhd.plots`) and generator (:mod:`inhd.synth`, :mod:`inhd.teaching`, the tests and the
benchmarks) computes the rating-scale model (Andrich 1978) through these functions, so it is written
once:

.. math::

    P(X_{ni} = h) = \\frac{\\exp\\left(h(\\theta_n - \\delta_i) - \\sum_{k \\le h} \\tau_k\\right)}
                          {\\sum_{g=0}^{m} \\exp\\left(g(\\theta_n - \\delta_i) - \\sum_{k \\le g}
                          \\tau_k\\right)}, \\quad h = 0..m,

with person measure :math:`\\theta_n`, item difficulty :math:`\\delta_i` (higher is harder to
endorse) and Andrich thresholds :math:`\\tau_1..\\tau_m`. Everything is computed in log space
(log-sum-exp), so measures far off the scale neither overflow nor underflow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "log_probs",
    "probs",
    "moments",
    "category_probabilities",
    "pattern_groups",
    "solve_locations",
    "simulate_rating_scale",
]


def _exponents(diff, tau) -> np.ndarray:
    """h (theta - delta) - sum_{k <= h} tau_k for h = 0..m, on a new last axis."""
    tau = np.asarray(tau, dtype=float)
    h = np.arange(tau.size + 1, dtype=float)
    cum = np.concatenate([[0.0], np.cumsum(tau)])
    eta = np.asarray(diff, dtype=float)[..., None] * h
    eta -= cum
    return eta


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
    return _log_softmax(_exponents(diff, tau))


def _log_softmax(eta) -> tuple[np.ndarray, np.ndarray]:
    """Normalise exponents over the last axis by log-sum-exp: (log probabilities, log Z)."""
    top = eta.max(axis=-1, keepdims=True)
    eta = eta - top
    lse = np.log(np.exp(eta).sum(axis=-1, keepdims=True))
    return eta - lse, (top + lse)[..., 0]


def probs(diff, tau) -> tuple[np.ndarray, np.ndarray]:
    """Category probabilities and log normalisers: :func:`log_probs` with fewer temporaries.

    The hot path of the estimators. Shifting by the largest exponent before exponentiating keeps
    it overflow-free (log-sum-exp); the probabilities are exp(log_p) to rounding.
    """
    p = _exponents(diff, tau)
    n_h = p.shape[-1]
    top = p[..., 0].copy()                    # max over a short last axis: pairwise is faster
    for k in range(1, n_h):
        np.maximum(top, p[..., k], out=top)
    p -= top[..., None]
    np.exp(p, out=p)
    total = p @ np.ones(n_h)                  # BLAS beats a reduction over a length-(m+1) axis
    p /= total[..., None]
    return p, top + np.log(total)


def moments(p) -> tuple[np.ndarray, np.ndarray]:
    """Expected score and variance of a response from its category probabilities (last axis)."""
    p = np.asarray(p, dtype=float)
    h = np.arange(p.shape[-1], dtype=float)
    e = p @ h
    return e, p @ (h * h) - e * e


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


def solve_locations(mask, offsets, target, tau, *, tol=1e-10, max_iter=100):
    """Solve :math:`\\sum_j \\mathrm{mask}_{rj} E(b_r - \\mathrm{offsets}_j) = \\mathrm{target}_r`
    for each row r by safeguarded Newton steps.

    With ``offsets`` the item difficulties this is the ML person measure for raw score
    ``target``; with ``offsets`` minus the person measures it gives minus an item difficulty.
    Targets must lie strictly inside (0, m * n_r).

    Returns
    -------
    location, se, converged
        One location and model SE (1 / sqrt(information)) per row, and whether every row met
        ``tol`` (logits) within ``max_iter`` steps.
    """
    mask = np.asarray(mask, dtype=bool)
    offsets = np.asarray(offsets, dtype=float)
    first, inverse, _ = pattern_groups(mask, target)
    gm = mask[first].astype(float)
    gt = np.asarray(target, float)[first]
    n = gm.sum(axis=1)
    m = len(tau)
    frac = np.clip(gt / (m * n), 1e-6, 1 - 1e-6)
    span = np.max(np.abs(offsets)) + np.sum(np.abs(tau)) + 40.0
    lo, hi = np.full(len(gt), -span), np.full(len(gt), span)
    off_mean = (gm * offsets).sum(axis=1) / n
    b = off_mean + np.log(frac / (1 - frac))
    converged = False
    for _ in range(max_iter):
        e, v = moments(probs(b[:, None] - offsets[None, :], tau)[0])
        f = gt - (gm * e).sum(axis=1)          # decreasing in b
        info = (gm * v).sum(axis=1)
        lo = np.where(f > 0, np.maximum(lo, b), lo)
        hi = np.where(f < 0, np.minimum(hi, b), hi)
        step = f / np.maximum(info, 1e-300)
        new = b + np.clip(step, -2.0, 2.0)
        outside = (new <= lo) | (new >= hi)
        new = np.where(outside, 0.5 * (lo + hi), new)
        delta = np.abs(new - b)
        b = new
        if np.all(delta < tol):
            converged = True
            break
    e, v = moments(probs(b[:, None] - offsets[None, :], tau)[0])
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
        The m Andrich thresholds shared by the items (m + 1 categories).
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
    missingness: the same random stream for the same seed and shapes.

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
    eta = _exponents(th[:, None] - d[None, :], thresholds)
    eta *= a[..., None] if a.ndim else a
    lp, _ = _log_softmax(eta)
    cdf = np.cumsum(np.exp(lp), axis=-1)
    u = rng.random(lp.shape[:-1])
    codes = np.minimum((u[..., None] > cdf[..., :-1]).sum(axis=-1), lp.shape[-1] - 1)
    codes = codes.astype(float) + min_category
    if missing > 0:
        codes[rng.random(codes.shape) < missing] = np.nan
    if isinstance(theta, pd.Series) or isinstance(difficulties, pd.Series):
        index = theta.index if isinstance(theta, pd.Series) else None
        columns = difficulties.index if isinstance(difficulties, pd.Series) else None
        return pd.DataFrame(codes, index=index, columns=columns)
    return codes
