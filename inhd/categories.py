"""Rating-scale categories: do they work as intended, and what to do when they do not.

A rating scale works when every category is used, persons who choose a higher category are
higher on the measure, and each category is, somewhere on the scale, the most probable one
(ordered Andrich thresholds). :func:`category_diagnostics` reports these checks per category as
Winsteps' Table 3.2 does (counts, observed and expected average measures, category outfit,
thresholds) with flags following Linacre's (2002) guidelines, and proposes a collapse when a
category fails; :func:`collapse_categories` applies one.

An unused category has no estimable threshold (the likelihood has no maximum), and a category
used a handful of times gives an absurd one (many logits out, with a huge SE). Calibrating such
data is refused by :func:`inhd.rasch.fit_rating_scale`; here the counts are still reported with
the advice to collapse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from inhd.codes import coerce_codes
from inhd.rasch import fit_rating_scale
from inhd.rsm import moments, probs

__all__ = ["CategoryDiagnostics", "category_diagnostics", "collapse_categories"]


@dataclass(frozen=True)
class CategoryDiagnostics:
    """Result of :func:`category_diagnostics`.

    Attributes
    ----------
    categories : pandas.DataFrame
        Indexed by category code: ``count`` and ``percent`` (responses of non-extreme persons to
        non-extreme items), ``observed_average`` (mean of :math:`\\theta_n - \\delta_i` over
        those responses, Winsteps' "OBSVD AVRGE"), ``expected_average`` (its value if the data
        fit the model, "SAMPLE EXPECT"), ``outfit`` (category outfit mean-square),
        ``threshold`` and ``threshold_se`` (the Andrich threshold into the category; NaN for
        the lowest), then the flags ``empty``, ``few`` (fewer than ``min_count`` responses),
        ``disordered_average`` (the observed average does not exceed the one below),
        ``disordered_threshold`` (the threshold is below the one before) and ``misfit``
        (outfit above 2).
    advice : tuple of str
        What the flags mean and what to do, one sentence each (empty when nothing is flagged).
    suggested_mapping : dict or None
        A collapse (old code -> new code) for :func:`collapse_categories` that removes the
        first problem found; None when nothing is flagged.
    calibrated : bool
        False when a category is empty: no calibration is possible, so only counts are given.
    min_count : int
    """

    categories: pd.DataFrame
    advice: tuple = field(default_factory=tuple)
    suggested_mapping: dict | None = None
    calibrated: bool = True
    min_count: int = 10

    @property
    def ok(self) -> bool:
        """True when no category is flagged."""
        return not self.advice

    def summary(self) -> str:
        """Text: the category table (as Winsteps' Table 3.2), then the advice."""
        flags = ["empty", "few", "disordered_average", "disordered_threshold", "misfit"]
        table = self.categories.drop(columns=flags).round(3).to_string()
        marks = self.categories[flags].apply(
            lambda r: ", ".join(f for f in flags if r[f]) or "-", axis=1)
        lines = ["Rating-scale categories (non-extreme persons and items)", table, "",
                 "flags: " + "; ".join(f"{k}: {v}" for k, v in marks.items())]
        lines += list(self.advice) or ["The categories work as intended."]
        return "\n".join(lines)

    def plot_averages(self, ax=None):
        """Observed and expected average measures by category (they should both advance).

        Returns
        -------
        matplotlib.axes.Axes
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 4))
        c = self.categories
        ax.plot(c.index, c["expected_average"], "s--", color="0.5", label="expected")
        ax.plot(c.index, c["observed_average"], "o-", color="C0", label="observed")
        for code in c.index[c["disordered_average"]]:
            ax.annotate("disordered", (code, c.loc[code, "observed_average"]), fontsize=7,
                        xytext=(4, -10), textcoords="offset points", color="C3")
        ax.set_xticks(list(c.index))
        ax.set_xlabel("category")
        ax.set_ylabel("average measure (person - item, logits)")
        ax.set_title("Average measure by category")
        ax.legend(fontsize=8)
        return ax


def _neighbour(c, counts):
    """The adjacent category to merge ``c`` into: the only one at an end, else the one with
    fewer responses (the merged scale is then more even), the lower one on a tie."""
    if c == 0:
        return 1
    if c == len(counts) - 1:
        return c - 1
    return c - 1 if counts[c - 1] <= counts[c + 1] else c + 1


def _mapping(merge_a, merge_b, m, lo):
    """Old code -> new code merging categories ``merge_a`` and ``merge_b`` (0-based)."""
    high = max(merge_a, merge_b)            # the two are adjacent: high merges into high - 1
    new, out = 0, {}
    for c in range(m + 1):
        if c == high:
            out[lo + c] = lo + new - 1
            continue
        out[lo + c] = lo + new
        new += 1
    return out


def category_diagnostics(responses, *, result=None, method="jmle", min_category=None,
                         n_categories=None, min_count=10) -> CategoryDiagnostics:
    """How each rating-scale category works (Winsteps' Table 3.2), flagged by Linacre's rules.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.
    result : inhd.rasch.RatingScaleResult, optional
        A calibration of ``responses``; default: ``fit_rating_scale(responses, method=method)``
        when every category is used (otherwise only counts are reported).
    method : {"jmle", "cml"}, default "jmle"
    min_category, n_categories : int, optional
        The response scale (default: the result's, else the codes observed). Give them when a
        category might be unused, e.g. nobody chose "1" on a 1-5 scale.
    min_count : int, default 10
        Fewer responses than this flag a category as ``few``.

    Returns
    -------
    CategoryDiagnostics

    Notes
    -----
    Over non-extreme persons and items (as Winsteps), for a response :math:`x_{ni}` with
    :math:`\\beta_{ni} = \\theta_n - \\delta_i` and model probabilities :math:`P_{nik}`:

    - ``observed_average`` :math:`= \\sum_{x_{ni}=k} \\beta_{ni} / n_k` and ``expected_average``
      :math:`= \\sum_{ni} P_{nik} \\beta_{ni} / \\sum_{ni} P_{nik}`;
    - ``outfit`` :math:`= \\sum_{x_{ni}=k} z_{ni}^2 / \\sum_{ni} P_{nik} z_{nik}^2`, the squared
      standardised residuals of the responses in category k over their model expectation
      (:math:`z_{nik} = (k - E_{ni})/\\sqrt{W_{ni}}`);
    - flags after Linacre (2002): at least ``min_count`` (10) responses per category; average
      measures advance with the category; outfit below 2; thresholds advance (disordered
      thresholds mean a category is nowhere the most probable; whether that alone calls for
      collapsing is debated, Adams, Wu & Wilson 2012 against Andrich 2013, so this flag
      advises a look, not an automatic fix).

    For Liking for Science (JMLE) the counts are 378/620/852, the observed averages
    -0.874/0.134/2.245 and the category outfits 1.20/0.70/1.47; Facets prints -.87/.13/2.23 and
    1.2/.7/1.5 for the same data at its (not fully converged) estimates
    (``reference/winsteps/lfs_published.json``, ``tests/test_categories.py``).

    The suggested collapse merges the flagged category with a neighbour (an end category with
    its only neighbour, else with the neighbour that has fewer responses): for an empty or rare
    category, that category; for a disordered threshold into k, category k - 1 (the one that is
    never the most probable); for a disordered average at k, categories k - 1 and k. Collapse,
    recalibrate, and look again: one problem at a time.

    References
    ----------
    Linacre, J. M. (2002). Optimizing rating scale category effectiveness. Journal of Applied
    Measurement 3(1), 85-106.
    Linacre, J. M. Winsteps user's guide, Table 3.2; Facets user's guide, Table 8.1.
    Adams, R. J., Wu, M. L. & Wilson, M. (2012). The Rasch rating model and the disordered
    threshold controversy. Educational and Psychological Measurement 72(4), 547-573.
    Andrich, D. (2013). An expanded derivation of the threshold structure of the polytomous
    Rasch model that dispels any "threshold disorder controversy". Educational and
    Psychological Measurement 73(1), 78-124.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> lfs = pd.read_csv(DATA_DIR / "reference" / "lfs.csv")
    >>> diag = category_diagnostics(lfs)           # as Winsteps Table 3.2
    >>> diag.categories["count"].tolist(), diag.categories["observed_average"].round(3).tolist()
    ([378, 620, 852], [-0.874, 0.134, 2.245])
    >>> diag.ok
    True
    """
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) \
            or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, got {min_count!r}")
    if result is not None:
        for name in ("items", "persons", "thresholds", "min_category", "n_categories"):
            if not hasattr(result, name):
                raise TypeError("result must be a RatingScaleResult from "
                                f"inhd.rasch.fit_rating_scale; got {type(result).__name__}")
        min_category, n_categories = result.min_category, result.n_categories
    elif method not in ("jmle", "cml"):
        raise ValueError(f"method must be 'jmle' or 'cml', got {method!r}")
    X, lo, m = coerce_codes(responses, min_category, n_categories)
    cats = pd.Index(range(lo, lo + m + 1), name="category")

    if result is None:
        obs = ~np.isnan(X)
        score = np.nansum(X, axis=1)
        nonext = obs.any(axis=1) & (score > 0) & (score < m * obs.sum(axis=1))
        Xn = X[nonext]
        counts = np.array([(Xn == h).sum() for h in range(m + 1)])
        if (counts == 0).any():
            return _uncalibrated(counts, cats, lo, m, min_count)
        result = fit_rating_scale(responses, method=method, min_category=lo,
                                  n_categories=m + 1)

    persons, items = result.persons, result.items
    use_p = np.flatnonzero((~persons["extreme"].astype(bool)).to_numpy()
                           & persons["measure"].notna().to_numpy())
    use_i = np.flatnonzero((~items["extreme"].astype(bool)).to_numpy()
                           & items["difficulty"].notna().to_numpy())
    p_lab, i_lab = persons.index[use_p], items.index[use_i]
    missing = [str(k) for k in i_lab if k not in responses.columns]
    if missing or not p_lab.isin(responses.index).all():
        raise ValueError("responses does not hold the data of result (items or respondents "
                         f"missing{': ' + ', '.join(missing[:5]) if missing else ''})")
    x = responses.loc[p_lab, i_lab].to_numpy(dtype=float, na_value=np.nan) - lo
    obs = ~np.isnan(x)
    beta = (persons.loc[p_lab, "measure"].to_numpy(float)[:, None]
            - items.loc[i_lab, "difficulty"].to_numpy(float)[None, :])
    tau = result.thresholds.to_numpy(dtype=float)
    P = probs(beta, tau)[0]
    E, W = moments(P)
    h = np.arange(m + 1)
    zk2 = (h[None, None, :] - E[..., None]) ** 2 / W[..., None]       # z^2 if x were k
    P = np.where(obs[..., None], P, 0.0)
    counts = np.array([((x == k) & obs).sum() for k in range(m + 1)])
    rows = []
    for k in range(m + 1):
        sel = (x == k) & obs
        pk = P[..., k]
        rows.append({
            "count": int(counts[k]),
            "percent": 100.0 * counts[k] / counts.sum(),
            "observed_average": beta[sel].mean() if sel.any() else np.nan,
            "expected_average": (pk * beta).sum() / pk.sum(),
            "outfit": zk2[..., k][sel].sum() / (pk * zk2[..., k]).sum(),
        })
    table = pd.DataFrame(rows, index=cats)
    table["threshold"] = np.concatenate([[np.nan], tau])
    tse = getattr(result, "thresholds_se", None)
    table["threshold_se"] = np.concatenate(
        [[np.nan], np.asarray(tse, float) if tse is not None else np.full(m, np.nan)])
    return _flagged(table, lo, m, min_count, calibrated=True)


def _uncalibrated(counts, cats, lo, m, min_count):
    table = pd.DataFrame({"count": counts.astype(int),
                          "percent": 100.0 * counts / max(counts.sum(), 1)}, index=cats)
    for col in ("observed_average", "expected_average", "outfit", "threshold", "threshold_se"):
        table[col] = np.nan
    return _flagged(table, lo, m, min_count, calibrated=False)


def _flagged(table, lo, m, min_count, *, calibrated):
    counts = table["count"].to_numpy()
    table["empty"] = counts == 0
    table["few"] = (counts > 0) & (counts < min_count)
    avg = table["observed_average"].to_numpy()
    thr = table["threshold"].to_numpy()
    with np.errstate(invalid="ignore"):
        table["disordered_average"] = np.concatenate([[False], avg[1:] <= avg[:-1]])
        table["disordered_threshold"] = np.concatenate([[False, False], thr[2:] < thr[1:-1]])
        table["misfit"] = table["outfit"].to_numpy() > 2.0
    advice, merge = [], None
    for k in range(m + 1):
        code = lo + k
        if table["empty"].iloc[k]:
            advice.append(f"Category {code} is never used by a non-extreme person: its "
                          "threshold cannot be estimated (a calibration would not exist or "
                          "would put it at an absurd distance). Collapse it with a neighbour.")
            merge = merge or (k, _neighbour(k, counts))
        elif table["few"].iloc[k]:
            advice.append(f"Category {code} has only {counts[k]} responses (fewer than "
                          f"{min_count}): its threshold is imprecise and easily absurd. Consider "
                          "collapsing it with a neighbour.")
            merge = merge or (k, _neighbour(k, counts))
    for k in range(m + 1):
        code = lo + k
        if table["disordered_threshold"].iloc[k]:
            advice.append(f"The threshold into category {code} ({thr[k]:.2f}) is below the one "
                          f"into {code - 1} ({thr[k - 1]:.2f}): category {code - 1} is nowhere "
                          "the most probable. Check whether the categories are distinct for "
                          "respondents; collapsing is one remedy.")
            merge = merge or (k - 1, _neighbour(k - 1, counts))
        if table["disordered_average"].iloc[k]:
            advice.append(f"Persons choosing category {code} are on average not higher than "
                          f"those choosing {code - 1} ({avg[k]:.2f} vs {avg[k - 1]:.2f} "
                          "logits): the categories may not be ordered for respondents.")
            merge = merge or (k - 1, k)
        if table["misfit"].iloc[k]:
            advice.append(f"Category {code} misfits (outfit {table['outfit'].iloc[k]:.2f} > 2): "
                          "it is chosen in unexpected places; look at who chooses it.")
    mapping = _mapping(*merge, m, lo) if merge is not None else None
    if mapping is not None:
        advice.append(f"Suggested: collapse_categories(responses, {mapping}), then recalibrate "
                      "and look again.")
    return CategoryDiagnostics(categories=table, advice=tuple(advice), suggested_mapping=mapping,
                               calibrated=calibrated, min_count=int(min_count))


def collapse_categories(responses, mapping, *, columns=None) -> pd.DataFrame:
    """Recode response categories, merging adjacent ones (the caller's frame is not modified).

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.
    mapping : dict
        Old code -> new code, for every code that occurs. It must keep the order (a higher old
        code never gets a lower new code) and the new codes must be consecutive integers, so
        the result is again a rating scale without gaps.
    columns : list, optional
        The item columns to recode (default: all). A rating-scale model shares one scale, so
        recode all its items alike.

    Returns
    -------
    pandas.DataFrame
        A copy with the recoded columns as floats (NaN stays NaN), other columns unchanged.

    Raises
    ------
    ValueError
        A code with no mapping (every such code and its columns listed), an order-reversing
        mapping, gaps in the new codes, unknown columns.

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 2, 5, None], "b": [3, 4, 5, 1]})
    >>> collapse_categories(x, {1: 1, 2: 1, 3: 2, 4: 3, 5: 4})["a"].tolist()
    [1.0, 1.0, 4.0, nan]
    """
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"responses must be a pandas DataFrame; got {type(responses).__name__}")
    if not isinstance(mapping, dict) or not mapping:
        raise ValueError("mapping must be a non-empty dict of old code -> new code")
    try:
        old = np.array([float(k) for k in mapping])
        new = np.array([float(v) for v in mapping.values()])
    except (TypeError, ValueError):
        raise ValueError("mapping must map integer codes to integer codes") from None
    if np.any(old != np.round(old)) or np.any(new != np.round(new)):
        raise ValueError("mapping must map integer codes to integer codes")
    order = np.argsort(old)
    if np.any(np.diff(new[order]) < 0):
        raise ValueError(f"mapping reverses the order of categories: {mapping}; only adjacent "
                         "categories may be merged, keeping their order")
    targets = np.unique(new)
    if np.any(np.diff(targets) != 1):
        raise ValueError(f"the new codes {targets.astype(int).tolist()} have gaps; use "
                         "consecutive integers (a gap is an empty category)")
    cols = list(responses.columns) if columns is None else list(columns)
    unknown = [c for c in cols if c not in responses.columns]
    if unknown:
        raise ValueError(f"columns not in responses: {unknown[:5]}")
    out = responses.copy()
    lookup = dict(zip(old, new))
    problems = {}
    for c in cols:
        v = out[c].to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(v)
        for code in np.unique(v[present]):
            if code not in lookup:
                problems.setdefault(code, []).append(str(c))
        out[c] = np.where(present, [lookup.get(u, np.nan) for u in np.nan_to_num(v)], np.nan)
    if problems:
        listed = "; ".join(f"{int(code) if code == round(code) else code} in "
                           f"{', '.join(cs[:5])}" for code, cs in sorted(problems.items()))
        raise ValueError(f"mapping has no new code for: {listed}")
    return out
