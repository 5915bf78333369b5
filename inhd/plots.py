"""Displays of Rasch rating-scale results used in the INHD papers.

- :func:`wright_map`: persons' histogram above the logit scale, items below by difficulty with
  their threshold marks (Perlman, Bryk & Russell 2025, Figure 1).
- :func:`category_curves`: category probability curves of the rating scale.
- :func:`four_category_cuts`, :func:`four_category_distribution`, :func:`plot_four_bar`: the
  INHD "probability density display" (Figure 3 there): respondents in four ordered categories
  (low, low-middle, high-middle, high), compared between groups.
- :func:`rescale_logits`: the documented linear map of logits to the papers' 0-10 scale.

Every plotting function takes ``ax=None`` (a new figure is made) and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inhd.rsm import solve_locations

__all__ = [
    "FOUR_CATEGORIES",
    "wright_map",
    "category_curves",
    "four_category_cuts",
    "four_category_distribution",
    "plot_four_bar",
    "rescale_logits",
]

#: The four ordered categories of the probability density display.
FOUR_CATEGORIES = ("low", "low-middle", "high-middle", "high")


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 6))
    return ax


def wright_map(result, *, ax=None, bins=30, cuts=None):
    """Wright map: persons' histogram above the logit scale, items below with threshold marks.

    Parameters
    ----------
    result : inhd.rasch.RatingScaleResult
    ax : matplotlib Axes, optional
    bins : int, default 30
        Histogram bins for the person measures.
    cuts : array_like, optional
        Logit cut points to draw as dotted vertical lines (e.g. :func:`four_category_cuts`), as
        the dotted lines of Perlman, Bryk & Russell (2025), Figure 1.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    Items sit one per row below the axis, ordered by difficulty (hardest at the bottom). Each
    row shows the item's difficulty (a filled dot) and its Andrich threshold locations
    :math:`\\delta_i + \\tau_k` (``|`` marks), i.e. where adjacent categories are equally
    probable for that item. Person counts are drawn upwards from 0.
    """
    ax = _axes(ax)
    measures = result.persons["measure"].dropna().to_numpy()
    counts, edges = np.histogram(measures, bins=bins)
    top = counts.max() if counts.size else 1
    ax.bar(edges[:-1], counts / top, width=np.diff(edges), align="edge", color="0.6",
           edgecolor="white", label="persons")
    items = result.items.sort_values("difficulty", ascending=False)
    tau = result.thresholds.to_numpy()
    for row, (name, d) in enumerate(items["difficulty"].items(), start=1):
        y = -row * 0.12
        ax.plot([d], [y], "o", color="C0", ms=4)
        ax.plot(d + tau, np.full(tau.size, y), "|", color="C3", ms=8)
        ax.text(d + tau.max() + 0.1, y, str(name), va="center", fontsize=7)
    if cuts is not None:
        for c in np.asarray(cuts, dtype=float):
            ax.axvline(c, ls=":", color="k", lw=1)
    ax.axhline(0, color="k", lw=0.8)
    ax.set_yticks([0, 1], ["0", str(int(top))])
    ax.set_xlabel("measure (logits)")
    ax.set_ylabel("persons (count)")
    ax.set_title("Wright map")
    return ax


def category_curves(result, *, item=None, ax=None, theta=None):
    """Category probability curves of the rating scale (for the mean item unless ``item``).

    Parameters
    ----------
    result : inhd.rasch.RatingScaleResult
    item : str, optional
        An item label; default: an item of difficulty 0 (the mean item).
    ax : matplotlib Axes, optional
    theta : array_like, optional
        Grid of measures; default: 201 points over the thresholds +- 4 logits.

    Returns
    -------
    matplotlib.axes.Axes
        One line per category (labelled by its code) and dotted lines at the thresholds, where
        adjacent categories are equally probable.
    """
    ax = _axes(ax)
    delta = 0.0 if item is None else float(result.items.loc[item, "difficulty"])
    tau = result.thresholds.to_numpy()
    if theta is None:
        theta = np.linspace(delta + tau.min() - 4, delta + tau.max() + 4, 201)
    probs = result.category_probabilities(theta, item=item)
    for code in probs.columns:
        ax.plot(probs.index, probs[code], label=f"category {code}")
    for t in delta + tau:
        ax.axvline(t, ls=":", color="0.4", lw=1)
    ax.set_xlabel("measure relative to item (logits)" if item is None else "measure (logits)")
    ax.set_ylabel("probability")
    ax.set_ylim(0, 1)
    ax.set_title("Category probability curves" + ("" if item is None else f": {item}"))
    ax.legend(fontsize=8)
    return ax


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
        half-point thresholds; for a five-category agreement scale (m = 4), (0.5, 2.0, 3.5).

    Returns
    -------
    numpy.ndarray
        Three increasing cut points (logits).

    Notes
    -----
    Perlman, Bryk & Russell (2025) write that "the colons indicate where on the measurement
    scale respondents are most likely to shift among the categories" and that "the dotted lines
    represent the thresholds we established for the purposes of developing a probability
    density display". The colons of a Winsteps Wright map/Table 2 are the half-point thresholds:
    where the expected score on an item crosses k - 0.5. We therefore cut on the expected score
    of the mean item: a respondent in "high" is expected to answer a typical item in the top
    category, one in "low" in the bottom category, as the paper describes its groups ("more than
    20% ... fell into this lowest category. These individuals experienced few or no personal
    benefits"; the top group "strongly agree"). Because the INHD papers do not publish their cut
    values, this is our reconstruction; pass ``scores`` for another split, or
    ``method="andrich"`` for the modal-category boundaries of a four-category scale.

    Examples
    --------
    >>> four_category_cuts([-1.2, 0.1, 1.1]).round(2).tolist()
    [-1.65, 0.03, 1.64]
    >>> four_category_cuts([-1.2, 0.1, 1.1], method="andrich").tolist()
    [-1.2, 0.1, 1.1]
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
        if m < 2:
            raise ValueError("a dichotomy (1 threshold) cannot be cut into four ordered "
                             "categories by expected score; pass three logit cuts directly")
        scores = (0.5, m / 2, m - 0.5)
    scores = np.asarray(scores, dtype=float)
    if scores.size != 3 or np.any(np.diff(scores) <= 0) or scores[0] <= 0 or scores[-1] >= m:
        raise ValueError(f"scores must be 3 increasing values strictly between 0 and {m}; "
                         f"got {scores.tolist()}")
    cuts, _, _ = solve_locations(np.ones((3, 1), dtype=bool), np.array([float(difficulty)]),
                                  scores, tau)
    return np.asarray(cuts)


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
        Tidy, one row per group x category: ``group, category`` (ordered low..high), ``n``,
        ``n_persons`` (group size) and ``proportion``. Category k holds
        ``cuts[k-1] <= measure < cuts[k]``.
    """
    m = np.asarray(measures, dtype=float).ravel()
    g = pd.Series(np.asarray(groups, dtype=object).ravel())
    cuts = np.asarray(cuts, dtype=float).ravel()
    if m.size != g.size:
        raise ValueError(f"measures ({m.size}) and groups ({g.size}) differ in length")
    if cuts.size != 3 or np.any(np.diff(cuts) <= 0):
        raise ValueError(f"cuts must be 3 increasing values, got {cuts.tolist()}")
    bad = int((~np.isfinite(m)).sum()) + int(g.isna().sum())
    if bad:
        raise ValueError(f"{bad} respondents have a missing measure or group; drop them first "
                         "(nothing is imputed)")
    cat = pd.Categorical.from_codes(np.searchsorted(cuts, m, side="right"),
                                    categories=list(FOUR_CATEGORIES), ordered=True)
    frame = pd.DataFrame({"group": g.to_numpy(), "category": cat})
    n = frame.groupby(["group", "category"], observed=False).size().rename("n").reset_index()
    n["n_persons"] = n.groupby("group")["n"].transform("sum")
    n["proportion"] = n["n"] / n["n_persons"]
    return n


def plot_four_bar(distribution, *, ax=None):
    """Four-bar chart comparing groups (Perlman, Bryk & Russell 2025, Figure 3).

    Parameters
    ----------
    distribution : pandas.DataFrame
        The output of :func:`four_category_distribution`.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.axes.Axes
        For each group one bar per category, height = percent of the group's respondents.
    """
    ax = _axes(ax)
    need = {"group", "category", "proportion"}
    if not need <= set(distribution.columns):
        raise ValueError(f"distribution needs columns {sorted(need)}; "
                         "use four_category_distribution()")
    groups = list(pd.unique(distribution["group"]))
    width = 0.8 / max(len(groups), 1)
    x = np.arange(len(FOUR_CATEGORIES))
    for j, grp in enumerate(groups):
        sub = distribution[distribution["group"] == grp].set_index("category")
        pct = 100 * sub["proportion"].reindex(list(FOUR_CATEGORIES)).fillna(0.0).to_numpy()
        ax.bar(x + (j - (len(groups) - 1) / 2) * width, pct, width=width, label=str(grp))
    ax.set_xticks(x, list(FOUR_CATEGORIES))
    ax.set_ylabel("percent of respondents")
    ax.set_ylim(0, 100)
    ax.legend()
    ax.set_title("Probability density display")
    return ax


def rescale_logits(x, *, low, high, inverse=False, difference=False):
    """Linear map of logits to the INHD 0-10 reporting scale (and back).

    ``y = 10 * (x - low) / (high - low)``, so ``low`` -> 0 and ``high`` -> 10.

    Parameters
    ----------
    x : float, array_like or pandas.Series
        Measures in logits (or, with ``inverse=True``, values on the 0-10 scale).
    low, high : float
        The logits that map to 0 and 10. Convention used in the compendium: the lowest and
        highest person measures of the calibration sample (extreme-adjusted), so the whole
        observed range of the measure spans 0-10, as the papers' caterpillar plots ("almost the
        entire 0-10 point range", Perlman, Bryk & Russell 2025, Figure 2). Fix them once per
        measure and reuse them: the scale is only comparable across years with the same
        ``low``/``high``. Values outside [low, high] map outside [0, 10]; nothing is clipped.
    inverse : bool, default False
        Map 0-10 values back to logits: ``x = low + y * (high - low) / 10``.
    difference : bool, default False
        ``x`` is a difference or a standard error: only the factor ``10 / (high - low)``
        applies (no shift), e.g. for the 2-SE bars of a caterpillar plot.

    Returns
    -------
    Same type as ``x`` (Series keep their index).

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
