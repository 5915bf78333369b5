"""Displays of Rasch rating-scale results used in the INHD papers.

- :func:`wright_map`: persons' histogram above the logit scale, items below by difficulty with
  their threshold marks (Perlman, Bryk & Russell 2025, Figure 1).
- :func:`category_curves`: category probability curves of the rating scale.
- :func:`plot_four_bar`: the INHD "probability density display" (Figure 3 there): respondents in
  four ordered categories (low, low-middle, high-middle, high), compared between groups; the
  categories and their cut points are in :mod:`inhd.scales`.
- :func:`plot_caterpillar`: networks' estimates sorted, with bars of two standard errors (the
  validity paper's Figure 1, the participatory-benefits paper's Figure 2, the network reports).

Every plotting function takes ``ax=None`` (a new figure is made) and returns the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inhd.scales import FOUR_CATEGORIES

__all__ = [
    "wright_map",
    "category_curves",
    "plot_four_bar",
    "plot_caterpillar",
]


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
        Logit cut points to draw as dotted vertical lines (e.g.
        :func:`inhd.scales.four_category_cuts`), as the dotted lines of Perlman, Bryk & Russell
        (2025), Figure 1.

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


def plot_four_bar(distribution, *, ax=None):
    """Four-bar chart comparing groups (Perlman, Bryk & Russell 2025, Figure 3).

    Parameters
    ----------
    distribution : pandas.DataFrame
        The output of :func:`inhd.scales.four_category_distribution`.
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
                         "use inhd.scales.four_category_distribution()")
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


#: Above this many networks a caterpillar labels only the highlighted one (99 labels at 7 points smear).
CATERPILLAR_MAX_LABELS = 60


def plot_caterpillar(networks, *, estimate="mean", se="se", label="network_id", highlight=None, ax=None,
                     ylabel=None, title=None, average=True):
    """Caterpillar plot: one estimate per network, sorted, with bars of two standard errors.

    Parameters
    ----------
    networks : pandas.DataFrame
        One row per network (e.g. :func:`inhd.estimates.network_estimates`), with the columns
        ``estimate``, ``se`` and ``label``: logits (``mean``, ``se``), the 0-10 scale
        (``mean_0_10``, ``se_0_10``) or rates (``rate``, ``rate_se``).
    highlight : optional
        A network label drawn in red (a network's own report).
    ylabel, title : str, optional
    average : bool, default True
        A dashed line at the mean of the estimates.

    Returns
    -------
    matplotlib.axes.Axes
        Networks along x (labels as text; beyond :data:`CATERPILLAR_MAX_LABELS` networks only the
        highlighted one is labelled), estimates along y; on the 0-10 scale the axis spans 0-10.
    """
    need = [estimate, se, label]
    missing = [c for c in need if c not in networks.columns]
    if missing:
        raise ValueError(f"plot_caterpillar: column(s) {missing} not in the table (it has {list(networks.columns)})")
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(9, 4.5))
    d = networks.sort_values(estimate).reset_index(drop=True)
    x = np.arange(len(d))
    y, bars = d[estimate].to_numpy(float), 2 * d[se].to_numpy(float)
    colours = np.where(d[label].astype(str) == str(highlight), "#c0392b", "#1f4e79")
    ax.errorbar(x, y, yerr=bars, fmt="none", ecolor="0.6", elinewidth=1, capsize=2)
    ax.scatter(x, y, c=colours, zorder=3, s=22)
    if average and len(d):
        ax.axhline(float(np.mean(y)), color="0.3", lw=0.8, ls="--")
    labels = d[label].astype(str)
    if len(d) <= CATERPILLAR_MAX_LABELS:
        ax.set_xticks(x, labels.tolist(), rotation=90, fontsize=7, parse_math=False)   # ids are text
        ax.set_xlabel("network (sorted)")
    else:                            # more labels than the axis can print legibly: only the highlighted one
        shown = labels == str(highlight)
        ax.set_xticks(x[shown], labels[shown].tolist(), rotation=90, fontsize=7, parse_math=False)
        ax.set_xlabel(f"{len(d)} networks, sorted (too many to label; their figures are in the table)")
    if estimate.endswith("_0_10"):
        ax.set_ylim(0, 10)
    ax.set_ylabel(ylabel or ("network estimate (0-10 scale)" if estimate.endswith("_0_10")
                             else f"network {estimate} (logits)"))
    if title:
        ax.set_title(title)
    return ax
