"""Reporting scales: the four ordered categories and the 0-10 scale of the INHD reports.

Measures live on the logit scale. The papers and the network reports show them two other ways:

- **four ordered categories** (low, low-middle, high-middle, high) cut at the rating scale's
  half-point thresholds (:func:`four_category_cuts`, :func:`four_categories`,
  :func:`four_category_distribution`): the "probability density display" of Perlman, Bryk &
  Russell (2025), Figure 3, and of the network feedback reports;
- **a 0-10 scale** (:func:`rescale_logits`), a linear map whose ends are fixed by ONE convention
  (:func:`reporting_range`): the measures of the lowest and the highest raw score on all the
  items (extreme-adjusted, from the item calibration) map to 0 and 10. Columns on this scale carry the suffix ``_0_10`` (:func:`on_0_10_scale`).

The plots of these displays are in :mod:`inhd.plots`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inhd.rsm import solve_locations

__all__ = [
    "FOUR_CATEGORIES",
    "four_category_cuts",
    "four_categories",
    "four_category_distribution",
    "reporting_range",
    "rescale_logits",
    "on_0_10_scale",
]

#: The four ordered categories of the probability density display.
FOUR_CATEGORIES = ("low", "low-middle", "high-middle", "high")


def four_category_cuts(thresholds, *, difficulty=0.0, method="expected", scores=None):
    """Three logit cut points dividing respondents into low / low-middle / high-middle / high.

    Parameters
    ----------
    thresholds : array_like or pandas.Series
        The m Andrich thresholds of the rating scale.
    difficulty : float, default 0
        The item the cuts refer to; 0 is the mean item (difficulties sum to zero).
    method : {"expected", "andrich"}
        ``"expected"`` (default): the measures at which the expected score on the item crosses
        the score boundaries ``scores``. ``"andrich"``: the Andrich thresholds themselves,
        :math:`\\delta + \\tau_k`, where adjacent categories are equally probable (m = 3 only).
    scores : sequence of 3 floats, optional
        Expected-score boundaries on the 0..m scale for ``method="expected"``. Default
        ``(0.5, m / 2, m - 0.5)``: "low" expects the bottom response category, "high" the top
        one (Winsteps' half-point thresholds next to them), and the middle is split at the
        middle of the scale. For a four-category scale (m = 3) this is (0.5, 1.5, 2.5), the three
        half-point thresholds; for a five-category agreement scale (m = 4), (0.5, 2.0, 3.5). For
        a dichotomy (m = 1), where those three collapse into one, ``(0.25, 0.5, 0.75)``: the
        quartiles of the expected score, i.e. a 25%, 50% and 75% chance of a 1 on the item.

    Returns
    -------
    numpy.ndarray
        Three increasing cut points (logits).

    Raises
    ------
    ValueError
        An unknown ``method``, ``"andrich"`` without three thresholds, no threshold at all, or
        ``scores`` that are not three increasing values strictly inside 0..m.

    Notes
    -----
    Perlman, Bryk & Russell (2025) write that "the colons indicate where on the measurement
    scale respondents are most likely to shift among the categories" and that "the dotted lines
    represent the thresholds we established for the purposes of developing a probability
    density display". In Winsteps' Wright maps (Table 2) colons mark the half-point thresholds,
    where the expected score on an item crosses k - 0.5; the paper's colons are described the same
    way, but it names no program, so this is an inference. We cut on the expected score of the
    mean item: a respondent in "high" is expected to answer a typical item in the top
    category, one in "low" in the bottom category, as the paper describes its groups ("more than
    20% ... fell into this lowest category. These individuals experienced few or no personal
    benefits"; the top group "strongly agree"). Because the INHD papers do not publish their cut
    values, this is our reconstruction; pass ``scores`` for another split, or
    ``method="andrich"`` for the modal-category boundaries of a four-category scale.

    The papers cut rating scales only. For a dichotomy (items scored 0-1: knowledge tests, yes/no
    checklists) the half-point rule leaves a single cut, so we cut at the quartiles of the expected
    score instead, which is again our reconstruction: "low" is expected to score 1 on fewer than a
    quarter of items of average difficulty, "high" on more than three quarters, and the middle is
    split where a 1 and a 0 are equally likely. The cuts are ``difficulty + tau + log(p / (1 - p))``
    for p = 0.25, 0.5, 0.75: about -1.10, 0 and +1.10 logits around the item, its one threshold tau
    being 0 when the thresholds sum to zero.
    Examples
    --------
    >>> four_category_cuts([-1.2, 0.1, 1.1]).round(2).tolist()
    [-1.65, 0.03, 1.64]
    >>> four_category_cuts([-1.2, 0.1, 1.1], method="andrich").tolist()
    [-1.2, 0.1, 1.1]
    >>> four_category_cuts([0.0]).round(4).tolist()            # a dichotomy: 25%, 50%, 75% chance of a 1
    [-1.0986, 0.0, 1.0986]
    """
    tau = np.asarray(thresholds, dtype=float).ravel()
    m = tau.size
    if method == "andrich":
        if m != 3:
            raise ValueError(f"method='andrich' needs a four-category scale (3 thresholds); "
                             f"got {m} thresholds: use method='expected' with scores=")
        return np.sort(difficulty + tau)
    if method != "expected":
        raise ValueError(f"method must be 'expected' or 'andrich', got {method!r}")
    if scores is None:
        if m < 1:
            raise ValueError("four_category_cuts: no threshold: a scale needs at least two categories")
        scores = (0.25, 0.5, 0.75) if m == 1 else (0.5, m / 2, m - 0.5)
    scores = np.asarray(scores, dtype=float)
    if scores.size != 3 or np.any(np.diff(scores) <= 0) or scores[0] <= 0 or scores[-1] >= m:
        raise ValueError(f"scores must be 3 increasing values strictly between 0 and {m}; "
                         f"got {scores.tolist()}")
    cuts, _, _ = solve_locations(np.ones((3, 1), dtype=bool), np.array([float(difficulty)]),
                                  scores, tau)
    return np.asarray(cuts)


def _check_cuts(cuts) -> np.ndarray:
    cuts = np.asarray(cuts, dtype=float).ravel()
    if cuts.size != 3 or np.any(np.diff(cuts) <= 0):
        raise ValueError(f"cuts must be 3 increasing values, got {cuts.tolist()}")
    return cuts


def four_categories(measures, cuts) -> pd.Categorical:
    """The category of each measure: ``cuts[k-1] <= measure < cuts[k]`` is category k.

    A measure exactly on a cut belongs to the upper category. Returns an ordered
    :class:`pandas.Categorical` over :data:`FOUR_CATEGORIES`.

    Examples
    --------
    >>> list(four_categories([-2.0, -1.0, 0.5, 3.0], [-1.0, 0.0, 1.0]))
    ['low', 'low-middle', 'high-middle', 'high']
    """
    cuts = _check_cuts(cuts)
    m = np.asarray(measures, dtype=float).ravel()
    return pd.Categorical.from_codes(np.searchsorted(cuts, m, side="right"),
                                     categories=list(FOUR_CATEGORIES), ordered=True)


def four_category_distribution(measures, groups, cuts) -> pd.DataFrame:
    """Share of respondents of each group in the four categories defined by ``cuts``.

    Parameters
    ----------
    measures : array_like or pandas.Series
        Person measures (logits), one per respondent.
    groups : array_like or pandas.Series
        Group label per respondent (e.g. "five lowest networks" / "five highest networks").
    cuts : array_like
        Three increasing cut points (:func:`four_category_cuts`).

    Returns
    -------
    pandas.DataFrame
        Tidy, one row per group x category: ``group, category`` (ordered low..high),
        ``n_persons`` (respondents of the group in the category), ``n_persons_group`` (the
        group's respondents) and ``proportion``. Category k holds
        ``cuts[k-1] <= measure < cuts[k]`` (:func:`four_categories`).

    Raises
    ------
    ValueError
        Measures and groups of different lengths, bad cuts, or a missing measure or group
        (nothing is imputed).
    """
    m = np.asarray(measures, dtype=float).ravel()
    g = pd.Series(np.asarray(groups, dtype=object).ravel())
    cuts = _check_cuts(cuts)
    if m.size != g.size:
        raise ValueError(f"measures ({m.size}) and groups ({g.size}) differ in length")
    bad = int((~np.isfinite(m)).sum()) + int(g.isna().sum())
    if bad:
        raise ValueError(f"{bad} respondents have a missing measure or group; drop them first "
                         "(nothing is imputed)")
    frame = pd.DataFrame({"group": g.to_numpy(), "category": four_categories(m, cuts)})
    n = frame.groupby(["group", "category"], observed=False).size().rename("n_persons")
    n = n.reset_index()
    n["n_persons_group"] = n.groupby("group")["n_persons"].transform("sum")
    n["proportion"] = n["n_persons"] / n["n_persons_group"]
    return n


def reporting_range(difficulties, thresholds, *, extreme_adjustment: float = 0.3) -> tuple[float, float]:
    """The logits mapped to 0 and 10 on the reporting scale: the compendium's one convention.

    ``(low, high)`` = the measures of the lowest and the highest possible raw score on all the
    items, each moved in by ``extreme_adjustment`` score points (Winsteps' EXTRSC, the adjustment
    :func:`inhd.rasch.fit_rating_scale` gives extreme persons): the person who answers every item
    in the bottom category maps to 0, the one who answers every item in the top category to 10.
    The range comes from the item calibration alone (difficulties and thresholds, estimated from
    every respondent), never from any one respondent's measure, so a published 0-10 value and its
    logit cannot be combined to recover an individual's answers. When the calibration sample holds
    complete responders with both extreme scores, their measures are exactly ``low`` and ``high``.

    This is our convention: the papers do not say how they rescale. The participatory-benefits
    paper's "almost the entire 0-10 point range" describes its network EB estimates, which under
    this convention would span only about 3 points given its published variances
    (``inhd.benefits_published.published_eb_span``). The scale is comparable across years only
    with the same ``low`` and ``high``: fix them once per measure (from one calibration, or
    anchored item parameters) and reuse them.

    Parameters
    ----------
    difficulties : array_like or pandas.Series
        Item difficulties in logits (NaN, e.g. an item dropped as empty, ignored).
    thresholds : array_like or pandas.Series
        The rating scale's Andrich thresholds (m values for m + 1 categories).
    extreme_adjustment : float, default 0.3
        Score points by which the extreme raw scores are moved in, in (0, 1).

    Returns
    -------
    (low, high) : tuple of float

    Raises
    ------
    ValueError
        No finite difficulty, no threshold or a non-finite one, or ``extreme_adjustment`` outside
        (0, 1).

    Examples
    --------
    Two dichotomous items of difficulty 0: a raw score of 0.3 out of 2 is a 15% chance of a 1 on
    each item, log(0.15 / 0.85) = -1.7346 logits.

    >>> low, high = reporting_range([0.0, 0.0], [0.0])
    >>> round(low, 4), round(high, 4)
    (-1.7346, 1.7346)
    """
    d = np.asarray(difficulties, dtype=float).ravel()
    d = d[np.isfinite(d)]
    tau = np.asarray(thresholds, dtype=float).ravel()
    if d.size == 0:
        raise ValueError("reporting_range: no finite item difficulty")
    if tau.size == 0 or not np.all(np.isfinite(tau)):
        raise ValueError(f"reporting_range: need finite thresholds (at least one), got {tau.tolist()}")
    if not 0 < extreme_adjustment < 1:
        raise ValueError(f"reporting_range: extreme_adjustment must be in (0, 1), got {extreme_adjustment!r}")
    top = d.size * tau.size
    target = np.array([extreme_adjustment, top - extreme_adjustment])
    location, _, converged = solve_locations(np.ones((2, d.size), dtype=bool), d, target, tau)
    if not converged:  # the expected score is monotone and bracketed: this does not happen
        raise RuntimeError("reporting_range: the extreme scores' measures did not converge")
    return float(location[0]), float(location[1])


def rescale_logits(x, *, low, high, inverse=False, difference=False):
    """Linear map of logits to the INHD 0-10 reporting scale (and back).

    ``y = 10 * (x - low) / (high - low)``, so ``low`` -> 0 and ``high`` -> 10.

    Parameters
    ----------
    x : float, array_like or pandas.Series
        Measures in logits (or, with ``inverse=True``, values on the 0-10 scale).
    low, high : float
        The logits that map to 0 and 10: :func:`reporting_range` of the calibration.
        Values outside [low, high] map outside [0, 10]; nothing is clipped.
    inverse : bool, default False
        Map 0-10 values back to logits: ``x = low + y * (high - low) / 10``.
    difference : bool, default False
        ``x`` is a difference or a standard error: only the factor ``10 / (high - low)``
        applies (no shift), e.g. for the 2-SE bars of a caterpillar plot.

    Returns
    -------
    Same type as ``x`` (Series keep their index).

    Raises
    ------
    ValueError
        ``low`` and ``high`` not finite with ``low < high``.

    Examples
    --------
    >>> rescale_logits([-4.0, 0.0, 6.0], low=-4, high=6).tolist()
    [0.0, 4.0, 10.0]
    >>> rescale_logits(4.0, low=-4, high=6, inverse=True)
    0.0
    >>> rescale_logits(0.5, low=-4, high=1, difference=True)   # an SE of 0.5 logits
    1.0
    """
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low:
        raise ValueError(f"need finite low < high, got low={low}, high={high}")
    scale = 10.0 / (high - low)
    if isinstance(x, pd.Series):
        out = rescale_logits(x.to_numpy(dtype=float), low=low, high=high, inverse=inverse,
                             difference=difference)
        return pd.Series(np.atleast_1d(out), index=x.index, name=x.name)
    arr = np.asarray(x, dtype=float)
    if difference:
        out = arr / scale if inverse else arr * scale
    else:
        out = low + arr / scale if inverse else (arr - low) * scale
    return float(out) if np.ndim(out) == 0 else out


def on_0_10_scale(table: pd.DataFrame, *, low: float, high: float, mean: str = "mean",
                  se: str = "se") -> pd.DataFrame:
    """A copy of ``table`` with ``<mean>_0_10`` and ``<se>_0_10`` appended (:func:`rescale_logits`).

    The estimate column is shifted and scaled, the SE column only scaled.

    Examples
    --------
    >>> t = pd.DataFrame({"mean": [-1.0, 1.0], "se": [0.2, 0.4]})
    >>> on_0_10_scale(t, low=-1, high=1).round(2).to_dict("list")
    {'mean': [-1.0, 1.0], 'se': [0.2, 0.4], 'mean_0_10': [0.0, 10.0], 'se_0_10': [1.0, 2.0]}
    """
    missing = [c for c in (mean, se) if c not in table.columns]
    if missing:
        raise ValueError(f"on_0_10_scale: column(s) {missing} not in the table "
                         f"(it has {list(table.columns)})")
    out = table.copy()
    out[f"{mean}_0_10"] = rescale_logits(table[mean].to_numpy(dtype=float), low=low, high=high)
    out[f"{se}_0_10"] = rescale_logits(table[se].to_numpy(dtype=float), low=low, high=high,
                                       difference=True)
    return out
