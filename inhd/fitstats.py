"""Winsteps' fit statistics of the rating-scale model: infit and outfit mean-squares, their
Wilson-Hilferty z (ZSTD), and the point-measure correlations of the items.

Computed at given person measures and item difficulties, over a persons x items array of codes
(NaN where missing), a block of persons at a time so that memory stays small for any number of
persons. :func:`inhd.rasch.fit_rating_scale` reports them in its ``items`` and ``persons``
tables, :func:`inhd.rasch.fit_statistics` at measures the caller supplies.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from inhd.rsm import probs, score_moments

__all__ = ["fit_sums", "point_measure"]

#: Winsteps bounds the model SD of a mean-square at sqrt(2) before the Wilson-Hilferty transform;
#: without the bound, outfit ZSTD for the KCT items 15-17 is +1.34 instead of Winsteps' -0.63.
_Q_MAX = np.sqrt(2.0)


def _wh_z(ms, q):
    """Wilson-Hilferty cube-root transformation of a mean-square with model SD q (Winsteps)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (np.cbrt(ms) - 1.0) * (3.0 / q) + q / 3.0


def _blocks(X, rows, cols, cells=40_000):
    """Blocks of rows of X[rows][:, cols] (copies of a few thousand cells each)."""
    step = max(1, cells // max(1, cols.size))
    whole = cols.size == X.shape[1] and np.array_equal(cols, np.arange(X.shape[1]))
    for a in range(0, rows.size, step):
        r = rows[a:a + step]
        yield slice(a, a + step), (X[r] if whole else X[np.ix_(r, cols)])


def fit_sums(X, theta, delta, tau, rows=None, cols=None):
    """Infit and outfit mean-squares and ZSTD of the persons and of the items.

    Parameters
    ----------
    X : numpy.ndarray (n_persons, n_items)
        Codes 0..m, NaN where missing. Not modified.
    theta : numpy.ndarray
        A measure for each row used.
    delta : numpy.ndarray
        A difficulty for each column used.
    tau : array_like
        The m Andrich thresholds, or item-specific thresholds ``(n_items, m)`` of all the
        columns of ``X`` (the partial credit model, with ``delta`` zero; see :mod:`inhd.rsm`).
    rows, cols : numpy.ndarray of int, optional
        The rows and columns of ``X`` to use (default: all); only these are read.

    Returns
    -------
    persons, items : pandas.DataFrame
        ``infit, outfit, infit_z, outfit_z`` and the responses used (``n_items`` per person,
        ``n_persons`` per item), in the order of ``rows`` and ``cols``.

    Notes
    -----
    With :math:`E, W, C` the model mean, variance and fourth central moment of a response and
    :math:`z^2 = (x - E)^2 / W`: outfit = mean :math:`z^2`; infit =
    :math:`\\sum (x-E)^2 / \\sum W`. ZSTD is the Wilson-Hilferty transformation
    :math:`(MS^{1/3} - 1)(3/q) + q/3` with :math:`q^2_{out} = \\sum (C/W^2)/n^2 - 1/n` and
    :math:`q^2_{in} = \\sum (C - W^2)/(\\sum W)^2` (Wright & Masters 1982; Winsteps manual,
    "Fit statistics"), q bounded at :math:`\\sqrt 2` as Winsteps does. A response with model
    variance 0 (far off the scale) contributes nothing rather than 0/0.
    """
    rows = np.arange(X.shape[0]) if rows is None else rows
    cols = np.arange(X.shape[1]) if cols is None else cols
    tau = _of_columns(tau, cols)
    h = np.arange(tau.shape[-1] + 1, dtype=float)
    acc_r, acc_c = np.zeros((6, rows.size)), np.zeros((6, cols.size))
    for part, x in _blocks(X, rows, cols):
        obs = ~np.isnan(x)
        p, _ = probs(theta[part, None] - delta[None, :], tau, categories_first=True)
        e = np.zeros(p.shape[1:])
        for k in range(1, h.size):
            e += h[k] * p[k]
        w, c = np.zeros(e.shape), np.zeros(e.shape)
        for k in range(h.size):                         # central moments 2 and 4
            d2 = (h[k] - e) ** 2
            w += d2 * p[k]
            c += d2 * d2 * p[k]
        y2 = np.where(obs, (np.nan_to_num(x) - e) ** 2, 0.0)
        w_safe = np.where(obs & (w > 0), w, np.inf)          # W = 0 only far off the scale
        terms = (obs, y2, np.where(obs, w, 0.0), np.where(obs, y2 / w_safe, 0.0),
                 np.where(obs, c / w_safe**2, 0.0), np.where(obs, c - w * w, 0.0))
        # (a response with model variance 0 contributes nothing rather than 0/0)
        for k, arr in enumerate(terms):
            acc_r[k, part] = arr.sum(axis=1)
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


def _of_columns(tau, cols):
    """The thresholds of the columns used (item-specific thresholds are rows per column)."""
    tau = np.asarray(tau, dtype=float)
    return tau[cols] if tau.ndim == 2 else tau


def point_measure(X, measure, delta, tau):
    """Winsteps' point-measure correlation of each item (PTMEA CORR.) and its expected value
    (PTMEA EXP.).

    Parameters
    ----------
    X : numpy.ndarray (n_persons, n_items)
        Codes 0..m, NaN where missing.
    measure : numpy.ndarray (n_persons,)
        Person measures; persons with NaN are left out.
    delta : numpy.ndarray (n_items,)
        Item difficulties; items with NaN get NaN.
    tau : array_like
        The m Andrich thresholds, or item-specific thresholds ``(n_items, m)``.

    Returns
    -------
    numpy.ndarray (2, n_items)
        The observed correlations and their expected values; NaN where an item's responses
        (among persons with a measure) do not vary or number fewer than two.

    Notes
    -----
    Over the persons n with a measure :math:`B_n` who answered item i:
    :math:`r = \\sum (x_n - \\bar x)(B_n - \\bar B) / \\sqrt{\\sum (x_n - \\bar x)^2
    \\sum (B_n - \\bar B)^2}`, and its expected value with the responses replaced by their
    model expectations :math:`E_n` and the model variances :math:`W_n` added to their spread,
    :math:`r_E = \\sum (E_n - \\bar E)(B_n - \\bar B) / \\sqrt{\\sum [(E_n - \\bar E)^2
    + W_n] \\sum (B_n - \\bar B)^2}` (Linacre, Winsteps manual, "Correlations:
    point-biserial, point-measure, residual"). The measures are centred before the sums of
    squares are formed.
    """
    rows, cols = np.flatnonzero(np.isfinite(measure)), np.flatnonzero(np.isfinite(delta))
    centre = measure[rows].mean() if rows.size else 0.0
    b_all = measure[rows] - centre                     # centred: sums of squares stay exact
    sums = np.zeros((9, cols.size))                    # n, x, x2, b, b2, xb, E, E2 + W, Eb
    for part, x in _blocks(X, rows, cols):
        obs = ~np.isnan(x)
        b = np.where(obs, b_all[part, None], 0.0)
        xs = np.where(obs, x, 0.0)
        e, w = score_moments(b_all[part, None] + centre - delta[None, cols],
                             _of_columns(tau, cols))
        e, w = np.where(obs, e, 0.0), np.where(obs, w, 0.0)
        for k, arr in enumerate((obs, xs, xs * xs, b, b * b, xs * b, e, e * e + w, e * b)):
            sums[k] += arr.sum(axis=0)
    n, sx, sxx, sb, sbb, sxb, se, see_w, seb = sums
    with np.errstate(divide="ignore", invalid="ignore"):
        vb = sbb - sb * sb / n
        r = (sxb - sx * sb / n) / np.sqrt((sxx - sx * sx / n) * vb)
        r_exp = (seb - se * sb / n) / np.sqrt((see_w - se * se / n) * vb)
    out = np.full((2, delta.size), np.nan)
    out[:, cols] = np.where(n > 1, [r, r_exp], np.nan)
    return out
