"""What a researcher needs to judge a measure's items: correlations, categories, thresholds.

- :func:`review_items`: for one calibration, each item's point-measure correlation (observed and
  expected, Winsteps' PTMEA CORR. and EXP.) with a warning naming the items whose correlation is
  negative (an item that runs against the measure is often reverse-keyed), the frequency of every
  category of the response scale with the unused ones noted, and the Andrich thresholds with the
  disordered ones flagged.
- :func:`item_table` and :func:`threshold_table`: the ``items.csv`` and ``thresholds.csv`` the
  survey notebooks write, one row per item (threshold) per calibration, at full precision;
  :func:`measure_tables`: the same for several measures' final calibrations, with a ``measure``
  column (empty, with the same columns, when every measure is a single item).

References
----------
Linacre, J. M. Winsteps user's guide: "Correlations: point-biserial, point-measure, residual";
Table 3.2 (rating-scale categories).
Linacre, J. M. (2002). Optimizing rating scale category effectiveness. Journal of Applied
Measurement 3(1), 85-106.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.rasch import RatingScaleResult

__all__ = ["ItemReview", "review_items", "item_table", "threshold_table", "measure_tables", "ITEM_COLUMNS",
           "THRESHOLD_COLUMNS"]

#: The columns of ``items.csv`` (after a ``measure`` column when a notebook has several measures).
ITEM_COLUMNS = ["item", "calibration", "difficulty", "se", "infit", "outfit", "infit_z", "outfit_z",
                "point_measure_r", "point_measure_expected", "n_persons", "retained"]
#: The columns of ``thresholds.csv``: the threshold into category ``step`` (a code of the scale).
THRESHOLD_COLUMNS = ["calibration", "step", "threshold", "se"]


@dataclass(frozen=True)
class ItemReview:
    """The items and categories of one calibration, as a researcher judges them.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per item, hardest first: ``item, difficulty, se, infit, outfit, infit_z,
        outfit_z, point_measure_r, point_measure_expected, n_persons, negative, weak``
        (``negative``: the point-measure correlation is below 0; ``weak``: it is not negative but
        below half its expected value).
    categories : pandas.DataFrame
        One row per category of the response scale, lowest first: ``category`` (the code),
        ``n_responses`` (every response given, extreme respondents included), ``percent``,
        ``used``, ``threshold`` and ``se`` (the Andrich threshold into the category; NaN for the
        lowest category of the model and for unused ones), ``disordered`` (the threshold is below
        the one before it).
    negative : tuple of str
        Items whose point-measure correlation is negative.
    unused : tuple of int
        Categories of the scale nobody chose.
    disordered : tuple of int
        Categories whose threshold is below the previous one.
    warnings : tuple of str
        One sentence per finding worth a look (empty when there is none).
    scale : (int, int)
    """

    items: pd.DataFrame
    categories: pd.DataFrame
    negative: tuple[str, ...]
    unused: tuple[int, ...]
    disordered: tuple[int, ...]
    warnings: tuple[str, ...]
    scale: tuple[int, int]

    def summary(self) -> str:
        """The warnings (or that there are none), then the item and category tables."""
        lines = list(self.warnings) or ["Every item correlates positively with the measure; every category "
                                        "is used; the thresholds advance."]
        lines += ["", self.items.round(3).to_string(index=False), "",
                  self.categories.round(3).to_string(index=False)]
        return "\n".join(lines)


def review_items(result: RatingScaleResult, responses: pd.DataFrame, *, scale) -> ItemReview:
    """Point-measure correlations, category use and threshold order of one calibration.

    Parameters
    ----------
    result : inhd.rasch.RatingScaleResult
        A calibration of (some of) the columns of ``responses``.
    responses : pandas.DataFrame
        The responses calibrated (codes on ``scale``, missing as NA); only ``result``'s items are used.
    scale : (int, int)
        The response scale's lowest and highest code: every code in between is a category.

    Returns
    -------
    ItemReview

    Notes
    -----
    The point-measure correlation (``point_measure_r``, from :func:`inhd.rasch.fit_rating_scale`)
    is the correlation of an item's responses with the respondents' measures; the model expects it
    near ``point_measure_expected``. A negative one means that respondents high on the measure
    answer the item low: usually a reverse-keyed (negatively worded) item left unrecoded, which
    pulls the measure's meaning apart. One below half its expected value hardly runs with the
    measure (a reverse-keyed item among fewer items the other way, or another construct); both are
    named in ``warnings``. Disordered thresholds mean a category is nowhere the most
    probable (Linacre 2002): a reason to look at the category's wording and use, not an automatic
    collapse.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from inhd.rasch import fit_rating_scale
    >>> from inhd.rsm import simulate_rating_scale
    >>> x = simulate_rating_scale(np.random.default_rng(1).normal(0, 1.5, 400), [-1, -0.5, 0, 0.5, 1],
    ...                           [-1.5, 0, 1.5], rng=2)
    >>> data = pd.DataFrame(x + 1, columns=[f"q{j}" for j in range(1, 6)])
    >>> data["q5"] = 5 - data["q5"]                       # q5 written the other way round
    >>> review = review_items(fit_rating_scale(data), data, scale=(1, 4))
    >>> review.negative
    ('q5',)
    """
    low, high = int(scale[0]), int(scale[1])
    items = list(result.items.index)
    x = responses[items].to_numpy(dtype=float, na_value=np.nan)
    codes = np.arange(low, high + 1)
    n = np.array([(x == c).sum() for c in codes], dtype=int)
    cats = pd.DataFrame({"category": codes, "n_responses": n, "percent": 100 * n / max(n.sum(), 1), "used": n > 0})
    cats["threshold"] = cats["category"].map(result.thresholds).astype(float)
    cats["se"] = cats["category"].map(result.thresholds_se).astype(float)
    previous = cats["threshold"].ffill().shift(1)
    cats["disordered"] = (cats["threshold"] < previous).fillna(False).astype(bool)
    table = result.items.reset_index(names="item")
    table = table[["item", "difficulty", "se", "infit", "outfit", "infit_z", "outfit_z", "point_measure_r",
                   "point_measure_expected", "n_persons"]].copy()
    table["negative"] = (table["point_measure_r"] < 0).to_numpy()
    r, expected = table["point_measure_r"], table["point_measure_expected"]
    table["weak"] = ((r >= 0) & (r < expected / 2)).to_numpy()
    table = table.sort_values("difficulty", ascending=False, ignore_index=True)
    negative = tuple(table.loc[table["negative"], "item"].astype(str))
    weak = table.loc[table["weak"], ["item", "point_measure_r", "point_measure_expected"]]
    unused = tuple(int(c) for c in cats.loc[~cats["used"], "category"])
    disordered = tuple(int(c) for c in cats.loc[cats["disordered"], "category"])
    warnings = []
    if negative:
        shown = ", ".join(f"{i} (r = {r:.2f})" for i, r in
                          table.loc[table["negative"], ["item", "point_measure_r"]].itertuples(index=False))
        warnings.append(f"Negative point-measure correlation: {shown}. Respondents high on the measure answer "
                        f"{'this item' if len(negative) == 1 else 'these items'} low: reverse-keyed? If the "
                        f"wording runs the other way, recode it as {low + high} - x (--reverse).")
    if len(weak):
        shown = ", ".join(f"{i} (r = {r:.2f}, expected {e:.2f})" for i, r, e in weak.itertuples(index=False))
        warnings.append(f"Point-measure correlation less than half its expected value: {shown}. "
                        f"{'This item hardly runs' if len(weak) == 1 else 'These items hardly run'} with the "
                        "measure: reverse-keyed (with other items pulling the other way), another construct, or "
                        "miscoded?")
    if unused:
        warnings.append(f"Categories never chosen: {', '.join(map(str, unused))} (of the scale {low}-{high}); the "
                        "model has no threshold for them.")
    if disordered:
        which = (f"the threshold into category {disordered[0]} lies below the one before it" if len(disordered) == 1
                 else f"the thresholds into categories {', '.join(map(str, disordered))} lie below the ones before "
                      "them")
        warnings.append(f"Disordered thresholds: {which}, so a category is nowhere the most probable answer; look "
                        "at how the categories are worded and used.")
    return ItemReview(items=table, categories=cats, negative=negative, unused=unused, disordered=disordered,
                      warnings=tuple(warnings), scale=(low, high))


def item_table(calibrations: Mapping[str, RatingScaleResult], *, retained=None) -> pd.DataFrame:
    """``items.csv``: one row per item per calibration, columns :data:`ITEM_COLUMNS`.

    ``calibrations`` maps a calibration's name (``"initial"``: every candidate item; ``"final"``:
    the items kept) to its result; ``retained`` lists the items kept (default: the items of the
    last calibration). Values are not rounded.
    """
    results = list(calibrations.values())
    kept = set(results[-1].items.index if retained is None else retained)
    parts = []
    for name, res in calibrations.items():
        t = res.items.reset_index(names="item")
        t.insert(1, "calibration", name)
        t["item"] = t["item"].astype(str)
        t["retained"] = t["item"].isin({str(k) for k in kept})
        parts.append(t[ITEM_COLUMNS])
    return pd.concat(parts, ignore_index=True)


def threshold_table(calibrations: Mapping[str, RatingScaleResult]) -> pd.DataFrame:
    """``thresholds.csv``: ``calibration, step, threshold, se``, ``step`` the code of the category the
    threshold leads into. Values are not rounded."""
    parts = [pd.DataFrame({"calibration": name, "step": res.thresholds.index.astype(int),
                           "threshold": res.thresholds.to_numpy(float), "se": res.thresholds_se.to_numpy(float)})
             for name, res in calibrations.items()]
    return pd.concat(parts, ignore_index=True)[THRESHOLD_COLUMNS]


def measure_tables(results: Mapping[str, RatingScaleResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``items.csv`` and ``thresholds.csv`` of several measures: each measure's final calibration
    (:func:`item_table`, :func:`threshold_table` with ``calibration`` ``"final"``) after a leading
    ``measure`` column, the measures in the order of ``results``.

    ``results`` maps a measure's key to its rating-scale result; a measure of a single item has no
    calibration and is left out by the caller. With no measure at all (every measure a single item,
    analysed as its score) both tables are empty, with the same columns, so that a notebook's
    summaries of them still run (a newcomer's survey of three one-item measures once failed with
    pandas' "No objects to concatenate").

    Examples
    --------
    >>> items, thresholds = measure_tables({})
    >>> list(items.columns[:3]), len(items), list(thresholds.columns)
    (['measure', 'item', 'calibration'], 0, ['measure', 'calibration', 'step', 'threshold', 'se'])
    """
    items = [item_table({"final": res}).assign(measure=str(m)) for m, res in results.items()]
    thresholds = [threshold_table({"final": res}).assign(measure=str(m)) for m, res in results.items()]
    empty_items = pd.DataFrame(columns=[*ITEM_COLUMNS, "measure"])
    empty_thresholds = pd.DataFrame(columns=[*THRESHOLD_COLUMNS, "measure"])
    items_out = pd.concat(items, ignore_index=True) if items else empty_items
    thresholds_out = pd.concat(thresholds, ignore_index=True) if thresholds else empty_thresholds
    return (items_out[["measure", *ITEM_COLUMNS]], thresholds_out[["measure", *THRESHOLD_COLUMNS]])
