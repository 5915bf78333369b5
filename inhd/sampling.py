"""Draws that hit their targets: the building blocks of the calibrated synthetic data.

Published tables give counts and rounded moments. These draws reproduce them exactly, not in
expectation: :func:`exact_counts` permutes labels with the given counts, :func:`match_moments`
nudges discrete values until their sample mean and SD round to the printed ones,
:func:`largest_remainder` splits a total in proportion to weights. :func:`as_generator` turns a
seed into a :class:`numpy.random.Generator` (a Generator is used, not copied).
"""

from __future__ import annotations

import numpy as np

__all__ = ["as_generator", "exact_counts", "match_moments", "largest_remainder"]


def as_generator(rng) -> np.random.Generator:
    """A Generator from a seed, a Generator (returned as is) or None (fresh entropy).

    Raises
    ------
    TypeError
        Anything else.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be an int seed, a numpy Generator or None, "
                    f"got {type(rng).__name__}")


def exact_counts(counts: dict, rng: np.random.Generator) -> np.ndarray:
    """A random permutation of labels with exactly the given counts.

    Examples
    --------
    >>> labels = exact_counts({"a": 2, "b": 1}, np.random.default_rng(0))
    >>> sorted(labels.tolist())
    ['a', 'a', 'b']
    """
    labels = np.concatenate([[k] * int(v) for k, v in counts.items()])
    return rng.permutation(labels)


def match_moments(codes, levels, *, mean, sd, mean_decimals, sd_decimals, rng,
                  frozen=None, weights=None, max_iter=200_000):
    """Nudge discrete codes (indices into ``levels``) until the sample mean and SD round to targets.

    Greedy random local search: a random unit moves one level up or down when that brings the
    rounded-moment loss down. Values stay on ``levels`` (so within its bounds); ``frozen`` units
    never move (they pin the published minimum and maximum). ``weights`` multiply the level
    value (the intensity is frequency x consistency: the search moves consistency, the weights
    are the frequencies). The SD is the sample SD (ddof = 1). Returns the new codes (the input
    is not modified); raises RuntimeError if it cannot get there within ``max_iter`` steps.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> codes = match_moments(rng.integers(0, 6, 500), np.arange(6.0), mean=2.17, sd=1.39,
    ...                       mean_decimals=2, sd_decimals=2, rng=rng)
    >>> round(float(codes.mean()), 2), round(float(codes.std(ddof=1)), 2)
    (2.17, 1.39)
    """
    codes = np.array(codes, dtype=int)
    levels = np.asarray(levels, dtype=float)
    w = np.ones(codes.size) if weights is None else np.asarray(weights, dtype=float)
    movable = np.ones(codes.size, bool) if frozen is None else ~np.asarray(frozen, bool)
    idx_movable = np.flatnonzero(movable)
    n = codes.size
    x = levels[codes] * w
    s1, s2 = x.sum(), (x ** 2).sum()
    tol_m, tol_s = 0.5 * 10.0 ** -mean_decimals, 0.5 * 10.0 ** -sd_decimals
    # aim at the centre of the rounding interval, accept anywhere comfortably inside it
    def loss(a, b):
        m = a / n
        v = (b - n * m * m) / (n - 1)
        return ((m - mean) / tol_m) ** 2 + ((np.sqrt(max(v, 0.0)) - sd) / tol_s) ** 2
    cur = loss(s1, s2)
    for _ in range(max_iter):
        m = s1 / n
        s = np.sqrt((s2 - n * m * m) / (n - 1))
        if abs(m - mean) < 0.8 * tol_m and abs(s - sd) < 0.8 * tol_s:
            return codes
        i = idx_movable[rng.integers(idx_movable.size)]
        step = 1 if rng.random() < 0.5 else -1
        c = codes[i] + step
        if c < 0 or c >= levels.size:
            continue
        new = levels[c] * w[i]
        a, b = s1 - x[i] + new, s2 - x[i] ** 2 + new ** 2
        nl = loss(a, b)
        if nl < cur:
            codes[i], x[i], s1, s2, cur = c, new, a, b, nl
    raise RuntimeError("could not match the target moments; try another seed")


def largest_remainder(weights, total: int, minimum: int = 0) -> np.ndarray:
    """Integers proportional to ``weights``, each at least ``minimum``, summing to ``total``.

    Examples
    --------
    >>> largest_remainder([1.0, 1.0, 2.0], 10, minimum=1).tolist()
    [3, 3, 4]
    """
    w = np.asarray(weights, dtype=float)
    spare = total - minimum * w.size
    raw = spare * w / w.sum()
    out = np.floor(raw).astype(int)
    out[np.argsort(-(raw - out))[: spare - out.sum()]] += 1
    return out + minimum
