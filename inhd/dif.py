"""Differential item functioning (DIF) in the rating-scale model, as ``eRm::LRtest``.

Do the items work alike in groups of respondents (by race, gender, team role)? The rating-scale
model says an item's difficulty does not depend on who answers it; :func:`rating_scale_dif`
calibrates the items separately in each group and compares:

- per item, the group locations (each group's calibration centred so that its item locations
  average 0) with a Wald test of their equality, p-values adjusted across items;
- for the whole scale, Andersen's (1973) conditional likelihood-ratio test, exactly as
  ``eRm::LRtest(eRm::RSM(X), splitcr = groups)``.

Public: :func:`rating_scale_dif` (returns a :class:`DIFResult`) and :func:`median_split`
(eRm's default split by raw score).
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from inhd.codes import coerce_codes
from inhd.cml import cml_rating_scale
from inhd.rasch import fit_rating_scale
from inhd.warnings import ConvergenceWarning, InhdWarning

__all__ = ["DIFResult", "rating_scale_dif", "median_split"]

#: p-value adjustments accepted (names as in statsmodels.stats.multitest.multipletests).
ADJUSTMENTS = ("holm", "bonferroni", "fdr_bh", "none")


@dataclass(frozen=True)
class DIFResult:
    """Result of :func:`rating_scale_dif`.

    Attributes
    ----------
    items : pandas.DataFrame
        Indexed by item (the caller's labels, in the caller's order). For each group g (in the
        order of ``groups``): ``location_<g>`` (the item's location in a calibration of group
        g alone, centred so that the group's item locations average 0), ``se_<g>`` and
        ``n_persons_<g>`` (persons of g who answered the item). Then ``contrast`` (location in
        the second group minus location in the first; NaN with more than two groups), ``se``
        and ``z`` (``contrast / se``), ``statistic`` and ``df`` (Wald chi-square of equal
        locations across the groups, ``df`` = groups - 1; ``z**2`` for two groups),
        ``p_value``, ``p_adjusted`` (across items, by ``adjust``) and ``dropped`` (the item was
        left out, see ``incomplete_items``; its numbers are NaN).
    contrasts : pandas.DataFrame
        One row per item and pair of groups (Winsteps' Table 30.1 layout): ``item, group,
        reference, contrast, se, z, p_value, p_adjusted`` (adjusted across all rows).
    thresholds : pandas.DataFrame
        Andrich thresholds, indexed by the category each leads into, one column per group and
        ``pooled``.
    groups : pandas.DataFrame
        Indexed by group: ``n_persons`` (persons with a response), ``n_used`` (persons with a
        non-extreme raw score, who carry the conditional likelihood), ``llf``, ``converged``,
        ``n_iter``; a last row ``pooled`` for the calibration of everybody.
    likelihood_ratio : pandas.Series
        Andersen's test: ``statistic, df, p_value`` (NaN for ``method="jmle"``).
    dropped_items : tuple
        Items left out of every calibration (``incomplete_items="drop"``).
    method, adjust : str
        As passed.
    llf : float
        Conditional log-likelihood of the pooled calibration (CML).
    converged : bool
        Every calibration converged.
    """

    items: pd.DataFrame
    contrasts: pd.DataFrame
    thresholds: pd.DataFrame
    groups: pd.DataFrame
    likelihood_ratio: pd.Series
    dropped_items: tuple
    method: str
    adjust: str
    llf: float
    converged: bool

    @property
    def group_labels(self) -> list:
        """The groups, in the order of the ``location_<g>`` columns."""
        return [g for g in self.groups.index if g != "pooled"]

    def summary(self) -> str:
        """Plain-text report: Andersen's test, then the items by the size of their DIF."""
        lr = self.likelihood_ratio
        g = self.groups
        lines = [f"DIF in the rating-scale model ({self.method.upper()}), "
                 f"{len(self.group_labels)} groups: "
                 + ", ".join(f"{k} (n = {int(g.loc[k, 'n_persons'])})" for k in self.group_labels)]
        if np.isfinite(lr["statistic"]):
            lines.append(f"Andersen's likelihood-ratio test: chi2({int(lr['df'])}) = "
                         f"{lr['statistic']:.3f}, p = {lr['p_value']:.4g}")
        else:
            lines.append("Andersen's likelihood-ratio test: not available (it needs the "
                         "conditional likelihood: method='cml')")
        if self.dropped_items:
            lines.append(f"items left out (a category unused in a group): "
                         f"{', '.join(map(str, self.dropped_items))}")
        lines.append(f"p-values adjusted across items: {self.adjust}")
        lines.append("")
        order = self.items["statistic"].sort_values(ascending=False, na_position="last").index
        lines.append(self.items.loc[order].drop(columns="dropped").round(3).to_string())
        return "\n".join(lines)

    def plot_locations(self, ax=None, *, reference=None, label="flagged", alpha=0.05):
        """Item locations in each group against the reference group, with 95% bands.

        Parameters
        ----------
        ax : matplotlib Axes, optional
        reference : group label, optional
            The group on the x axis (default: the first group).
        label : {"flagged", "all", "none"}
            Which items to name: those with ``p_adjusted < alpha`` (default), all, or none.
        alpha : float, default 0.05

        Returns
        -------
        matplotlib.axes.Axes
            One marker per item and other group at (location in ``reference``, location in
            the other group), error bars of 1.96 SE on both axes, and the identity line: items
            off the line function differently.
        """
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots(figsize=(6, 6))
        labels = self.group_labels
        ref = labels[0] if reference is None else reference
        if ref not in labels:
            raise ValueError(f"reference must be one of the groups {labels}, got {ref!r}")
        if label not in ("flagged", "all", "none"):
            raise ValueError(f"label must be 'flagged', 'all' or 'none', got {label!r}")
        it = self.items[~self.items["dropped"]]
        x, xse = it[f"location_{ref}"], it[f"se_{ref}"]
        lo, hi = [], []
        for k, g in enumerate([g for g in labels if g != ref]):
            y, yse = it[f"location_{g}"], it[f"se_{g}"]
            ax.errorbar(x, y, xerr=1.96 * xse, yerr=1.96 * yse, fmt="o", ms=4, lw=0.8,
                        color=f"C{k}", label=str(g))
            lo.append(min(x.min(), y.min()))
            hi.append(max(x.max(), y.max()))
            names = it.index if label == "all" else (
                it.index[it["p_adjusted"] < alpha] if label == "flagged" else [])
            for name in names:
                ax.annotate(str(name), (x[name], y[name]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
        span = (min(lo) - 0.5, max(hi) + 0.5)
        ax.plot(span, span, color="0.5", lw=1, ls="--", label="equal locations")
        ax.set_xlabel(f"item location, {ref} (logits)")
        ax.set_ylabel("item location, other group (logits)")
        ax.set_title("Item locations by group")
        ax.legend(fontsize=8)
        return ax


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------
def _codes(responses, min_category, n_categories):
    """Validate a respondents x items frame (:func:`inhd.codes.coerce_codes`, at least two items);
    return (X coded 0..m with NaN, lowest code, m)."""
    if isinstance(responses, pd.DataFrame) and responses.shape[1] < 2:
        raise ValueError(f"responses must have at least one respondent and two items; got "
                         f"{responses.shape[0]} rows x {responses.shape[1]} columns")
    return coerce_codes(responses, min_category, n_categories)


def median_split(responses) -> pd.Series:
    """eRm's default split for Andersen's test: raw score at or below the median, or above.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, NaN for missing.

    Returns
    -------
    pandas.Series
        ``"low"`` or ``"high"`` for each row (same index), as a categorical with the
        categories in that order.

    Notes
    -----
    As ``eRm::LRtest(object, splitcr = "median")``: the raw score (sum of the codes given) is
    compared with the median raw score; ties go to ``"low"``. With missing responses eRm
    compares each person with the median of the persons who answered the same set of items
    (the same missing-data pattern), and so does this function.

    Examples
    --------
    >>> import pandas as pd
    >>> median_split(pd.DataFrame({"a": [0, 1, 2, 2], "b": [0, 1, 1, 2]})).tolist()
    ['low', 'low', 'high', 'high']
    """
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"responses must be a pandas DataFrame; got {type(responses).__name__}")
    X = responses.to_numpy(dtype=float, na_value=np.nan)
    score = np.nansum(X, axis=1)
    obs = ~np.isnan(X)
    if obs.all():
        high = score > np.median(score)
    else:
        pattern = pd.Series([r.tobytes() for r in np.packbits(obs, axis=1)], index=range(len(X)))
        med = pd.Series(score).groupby(pattern.to_numpy()).transform("median").to_numpy()
        high = score > med
    return pd.Series(pd.Categorical(np.where(high, "high", "low"), categories=["low", "high"]),
                     index=responses.index, name="median_split")


def _group_labels(responses, groups):
    """Return (group label per row as an object array, ordered list of groups)."""
    if isinstance(groups, str):
        if groups != "median":
            raise ValueError(f"groups must be a Series or array of group labels, or 'median'; "
                             f"got the string {groups!r}")
        groups = median_split(responses)
    if isinstance(groups, pd.Series):
        if not groups.index.equals(responses.index):
            if groups.index.has_duplicates or responses.index.has_duplicates:
                raise ValueError("groups is a Series whose index differs from responses.index "
                                 "and cannot be aligned (duplicated labels); pass values in "
                                 "the order of the rows")
            missing = responses.index.difference(groups.index)
            if len(missing):
                raise ValueError(f"groups has no label for {len(missing)} respondent(s) of "
                                 f"responses, e.g. {[str(k) for k in missing[:5]]}")
            groups = groups.reindex(responses.index)
        values = groups
    else:
        if isinstance(getattr(groups, "dtype", None), pd.CategoricalDtype):
            values = pd.Series(groups)                     # keeps the categories' order
        else:
            arr = np.asarray(groups, dtype=object)
            if arr.ndim != 1:
                raise ValueError(f"groups must be one-dimensional (one label per row); got "
                                 f"shape {arr.shape}")
            values = pd.Series(arr)
        if len(values) != len(responses):
            raise ValueError(f"groups must hold one label per row of responses "
                             f"({len(responses)}); got {len(values)} value(s)")
        values.index = responses.index
    na = values.isna().to_numpy()
    if na.any():
        rows = [str(r) for r in responses.index[na][:5]]
        raise ValueError(f"groups is missing for {int(na.sum())} respondent(s) (rows "
                         f"{', '.join(rows)}): assign a group or drop those rows first "
                         "(eRm::LRtest refuses missing split values too)")
    if isinstance(values.dtype, pd.CategoricalDtype):
        order = [c for c in values.cat.categories if (values == c).any()]
    else:
        uniq = pd.unique(values.to_numpy(dtype=object))
        try:
            order = sorted(uniq)
        except TypeError:
            order = sorted(uniq, key=str)
    names = [str(g) for g in order]
    if "pooled" in names:
        raise ValueError("'pooled' is reserved for the calibration of everybody; rename that "
                         "group")
    if len(set(names)) < len(names):
        raise ValueError(f"group labels {order} are not distinct as text (needed for the "
                         "location_<group> columns)")
    return values.to_numpy(dtype=object), order


# --------------------------------------------------------------------------------------------
# Checks per group, as eRm's datcheck.LRtest (and what CML needs beyond it)
# --------------------------------------------------------------------------------------------
def _incomplete_items(X, member, order, items, m, lo):
    """Items eRm::LRtest drops for a rating-scale model: in some group nobody answered the item,
    or its lowest or highest category is unused. Returns {item index: [reasons]}."""
    out = {}
    for g in order:
        Xg = X[member == g]
        answered = ~np.isnan(Xg)
        for i in range(X.shape[1]):
            col = Xg[answered[:, i], i]
            if col.size == 0:
                why = f"nobody in group {g!r} answered it"
            elif col.min() > 0:
                why = f"group {g!r} never used its lowest category ({lo})"
            elif col.max() < m:
                why = f"group {g!r} never used its highest category ({lo + m})"
            else:
                continue
            out.setdefault(i, []).append(why)
    return out


def _nonextreme(X, m):
    obs = ~np.isnan(X)
    score = np.nansum(X, axis=1)
    return obs.any(axis=1) & (score > 0) & (score < m * obs.sum(axis=1))


def _cml_problems(Xg, g, items, m, lo, min_persons):
    """What would make the conditional estimates of group ``g`` fail or be unreliable."""
    problems = []
    keep = _nonextreme(Xg, m)
    n_used = int(keep.sum())
    if n_used < min_persons:
        problems.append(f"group {g!r} has {n_used} person(s) with a non-extreme raw score, fewer "
                        f"than min_persons={min_persons}")
        return problems
    Xk = Xg[keep]
    obs = ~np.isnan(Xk)
    x = np.where(obs, Xk, 0)
    counts = np.array([((x == h) & obs).sum() for h in range(m + 1)])
    for h in np.flatnonzero(counts == 0):
        problems.append(f"in group {g!r} no non-extreme person used category {lo + h} (its "
                        "threshold is not estimable in that group; collapse categories with "
                        "inhd.categories.collapse_categories)")
    n_i = obs.sum(axis=0)
    s_i = x.sum(axis=0)
    for i in np.flatnonzero((n_i > 0) & ((s_i == 0) | (s_i == m * n_i))):
        side = "lowest" if s_i[i] == 0 else "highest"
        problems.append(f"in group {g!r} item {items[i]!r} has only {side} responses among "
                        "non-extreme persons (its location is infinite in that group)")
    return problems


# --------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------
def rating_scale_dif(responses, groups, *, method="cml", min_category=None, n_categories=None,
                     min_persons=20, incomplete_items="raise", adjust="holm", tol=1e-10,
                     max_iter=200) -> DIFResult:
    """Differential item functioning: separate calibrations by group and Andersen's LR test.

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items, integer codes; NaN marks a missing response. Rows
        without any response are left out. Not modified.
    groups : pandas.Series, array_like or "median"
        One group label per row (a Series is aligned on ``responses.index``); two or more
        groups. Missing labels are refused. Groups are ordered as the categories of a
        categorical, else sorted. ``"median"`` splits by raw score as eRm's default
        (:func:`median_split`).
    method : {"cml", "jmle"}
        Conditional maximum likelihood (as eRm; the default, and the only one that gives
        Andersen's test) or joint maximum likelihood (as Winsteps' separate calibrations).
    min_category, n_categories : int, optional
        The response scale (default: the smallest observed code, and the range observed).
    min_persons : int, default 20
        Each group needs at least this many persons with a non-extreme raw score. Smaller
        groups are refused: their locations are too imprecise for the asymptotic z and
        chi-square references. Lower it knowingly (at least 2).
    incomplete_items : {"raise", "drop"}
        What to do with an item that some group never answered, or answered without its
        lowest or highest category (so its location in that group is not identified by the
        rating-scale model with that group's data alone). ``"raise"`` (default) refuses and
        names every such item and group; ``"drop"`` does what ``eRm::LRtest`` does: it leaves
        the items out of every group's and the pooled calibration (an ``InhdWarning`` says
        which) and reports them as NaN rows with ``dropped=True``.
    adjust : {"holm", "bonferroni", "fdr_bh", "none"}
        Adjustment of the item p-values for testing every item (default Holm 1979, which
        controls the family-wise error rate without assuming independent tests).
    tol, max_iter
        Convergence of each calibration (see :func:`inhd.cml.cml_rating_scale`).

    Returns
    -------
    DIFResult
        ``items`` (per-item locations by group, contrast, Wald tests), ``contrasts`` (every
        pair of groups), ``thresholds`` by group, ``groups`` (sizes, log-likelihoods),
        ``likelihood_ratio`` (Andersen's test) and ``plot_locations()``.

    Raises
    ------
    TypeError
        ``responses`` is not a DataFrame.
    ValueError
        Bad codes, bad or missing group labels, fewer than two groups, a group with fewer than
        ``min_persons`` non-extreme persons, an incomplete item (with
        ``incomplete_items="raise"``), a category no non-extreme person of a group used (the
        group's threshold is not estimable: collapse categories), an item with only lowest or
        only highest responses among a group's non-extreme persons, fewer than two items left.
        Every problem is listed at once. (eRm::LRtest fits a group with an unused category
        anyway: on VerbalAggression with the men's "perhaps" recoded to "yes" its male
        thresholds run off to about -26 logits with NaN standard errors and LR = 1096.)

    Warns
    -----
    InhdWarning
        Items dropped (``incomplete_items="drop"``).
    ConvergenceWarning
        A calibration did not converge (``converged=False``).

    Notes
    -----
    Model: :math:`P(X_{ni}=h) \\propto \\exp\\sum_{k\\le h}(\\theta_n-\\delta_{ig}-\\tau_{kg})`
    for a person n of group g. Under no DIF, :math:`\\delta_{ig} = \\delta_i` and
    :math:`\\tau_{kg} = \\tau_k`.

    *Andersen's test* (Andersen 1973): with :math:`\\ell_g` the maximised conditional
    log-likelihood of group g's calibration and :math:`\\ell` that of everybody,
    :math:`LR = 2(\\sum_g \\ell_g - \\ell)`, referred to chi-square with
    :math:`(G-1)(k-1 + m-1)` degrees of freedom (k items, m thresholds: each calibration
    estimates k - 1 locations and m - 1 thresholds). This is
    ``eRm::LRtest(eRm::RSM(X), splitcr = groups)``: the statistic, degrees of freedom and
    group locations agree with eRm 1.0.2 within 1e-4 on two real data sets
    (``reference/erm/make_dif_reference.R``, ``tests/test_dif.py``). Persons with extreme raw
    scores carry no conditional information and drop out, as in eRm. The test covers
    thresholds as well as locations: a significant LR can come from the groups using the
    rating scale differently.

    *Item contrasts*: each group's locations are centred to average 0 (the CML
    identification, as eRm's ``sum0``); the two-group contrast is
    :math:`\\hat\\delta_{i2} - \\hat\\delta_{i1}` (positive: harder to endorse in the second
    group for persons of the same measure) with :math:`SE = \\sqrt{SE_1^2 + SE_2^2}` and
    :math:`z = contrast / SE`. With G groups, the per-item statistic is the Wald chi-square
    :math:`\\sum_g (\\hat\\delta_{ig} - \\bar\\delta_i)^2 / SE_g^2` around the
    precision-weighted mean, on G - 1 df (Winsteps' Table 30.4 "summary DIF chi-square"
    has this form); it is :math:`z^2` for two groups. Centring within each group means
    that a large DIF in one item shifts every other item's contrast by about its 1/k share
    (DIF contamination): refit without a clearly biased item to check the others.
    (``eRm::Waldtest`` for a rating-scale model tests the item-category parameters
    ``betapar``, which mix location and thresholds, so its z values are not these.)

    With ``method="jmle"`` each group is calibrated by :func:`inhd.rasch.fit_rating_scale`
    (JMLE, as Winsteps), locations re-centred over the items; the joint likelihood contains
    the person parameters, so Andersen's test is not defined and is reported as NaN.

    References
    ----------
    Andersen, E. B. (1973). A goodness of fit test for the Rasch model. Psychometrika 38.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. Scandinavian
    Journal of Statistics 6.
    Mair, P. & Hatzinger, R. (2007). Extended Rasch modeling: the eRm package. Journal of
    Statistical Software 20(9).
    Linacre, J. M. Winsteps user's guide, Table 30 (differential item functioning).

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import ROOT
    >>> va = pd.read_csv(ROOT / "reference" / "erm" / "verbal_aggression.csv")
    >>> X = va.loc[:, "S1WantCurse":"S4DoShout"]
    >>> res = rating_scale_dif(X, va["gender"])  # In R: eRm::LRtest(eRm::RSM(X), splitcr = gender)
    >>> res.likelihood_ratio.round(3).tolist()
    [90.544, 24.0, 0.0]
    >>> cols = ["location_female", "location_male", "contrast"]
    >>> res.items.loc["S2DoCurse", cols].round(2).tolist()
    [-0.66, -1.4, -0.74]
    """
    _check_options(method, incomplete_items, adjust, min_persons)
    X, lo, m = _codes(responses, min_category, n_categories)
    member, order = _group_labels(responses, groups)
    has = ~np.isnan(X).all(axis=1)
    X, member = X[has], member[has]
    items = list(responses.columns)
    order = [g for g in order if (member == g).any()]
    if len(order) < 2:
        raise ValueError(f"groups must define at least two groups of respondents with responses;"
                         f" found {len(order)}: {order}")

    small = [f"{g!r} ({int(_nonextreme(X[member == g], m).sum())})" for g in order
             if _nonextreme(X[member == g], m).sum() < min_persons]
    if small:
        raise ValueError(f"group(s) with fewer than min_persons={min_persons} persons with a "
                         f"non-extreme raw score: {', '.join(small)}; merge small groups or, "
                         "knowingly, lower min_persons")
    # eRm's item exclusions, then what the conditional estimates need in each group
    bad = _incomplete_items(X, member, order, items, m, lo)
    if bad and incomplete_items == "raise":
        listed = "; ".join(f"{items[i]!r}: {', '.join(why)}" for i, why in sorted(bad.items()))
        raise ValueError(
            f"{len(bad)} item(s) cannot be calibrated in every group: {listed}. eRm::LRtest "
            "drops such items from every group and the pooled model; pass "
            "incomplete_items='drop' to do the same, or collapse categories "
            "(inhd.categories.collapse_categories)")
    keep_items = np.array([i not in bad for i in range(len(items))])
    if keep_items.sum() < 2:
        raise ValueError(f"fewer than two items remain after leaving out the incomplete items "
                         f"{[items[i] for i in bad]}")
    if bad:
        warnings.warn(f"items left out of every calibration, as eRm::LRtest does (a category "
                      f"unused in a group): {[items[i] for i in sorted(bad)]}", InhdWarning,
                      stacklevel=2)
    Xk = X[:, keep_items]
    rows = ~np.isnan(Xk).all(axis=1)              # rows left without a response drop out
    Xk, member_k = Xk[rows], member[rows]
    kept = [items[i] for i in np.flatnonzero(keep_items)]
    problems = []
    for g in order:
        problems += _cml_problems(Xk[member_k == g], g, kept, m, lo, min_persons)
    if problems:
        raise ValueError("the groups cannot be calibrated separately: " + "; ".join(problems))

    fits = {g: _calibrate(Xk[member_k == g], m, lo, kept, method, tol, max_iter)
            for g in order}
    pooled = _calibrate(Xk, m, lo, kept, method, tol, max_iter)
    converged = all(f["converged"] for f in fits.values()) and pooled["converged"]
    if not converged:
        warnings.warn("a calibration did not converge; results are provisional "
                      "(converged=False)", ConvergenceWarning, stacklevel=2)
    if method == "cml":
        stat = 2.0 * (sum(f["llf"] for f in fits.values()) - pooled["llf"])
        df = (len(order) - 1) * (len(kept) - 1 + m - 1)
        p = float(stats.chi2.sf(stat, df))
    else:
        stat = df = p = np.nan
    lr = pd.Series({"statistic": stat, "df": float(df), "p_value": p}, name="andersen_lr")

    items_df = _items_table(fits, order, items, kept, keep_items, member, ~np.isnan(X),
                            name=responses.columns.name, adjust=adjust)
    contrasts = _pairwise_contrasts(items_df, order, items, adjust)

    cats = pd.Index(range(lo + 1, lo + m + 1), name="category")
    thresholds = pd.DataFrame({g: fits[g]["thresholds"] for g in order}, index=cats)
    thresholds["pooled"] = pooled["thresholds"]
    group_rows = {g: {"n_persons": int((member == g).sum()), "n_used": fits[g]["n_used"],
                      "llf": fits[g]["llf"], "converged": fits[g]["converged"],
                      "n_iter": fits[g]["n_iter"]} for g in order}
    group_rows["pooled"] = {"n_persons": int(len(member)), "n_used": pooled["n_used"],
                            "llf": pooled["llf"], "converged": pooled["converged"],
                            "n_iter": pooled["n_iter"]}
    groups_df = pd.DataFrame.from_dict(group_rows, orient="index")
    groups_df.index = pd.Index(list(group_rows), dtype=object, name="group")
    return DIFResult(items=items_df, contrasts=contrasts, thresholds=thresholds,
                     groups=groups_df, likelihood_ratio=lr,
                     dropped_items=tuple(items[i] for i in sorted(bad)), method=method,
                     adjust=adjust, llf=float(pooled["llf"]), converged=bool(converged))


def _items_table(fits, order, items, kept, keep_items, member, answered, *, name, adjust):
    """Per-item locations, SEs and counts by group, the two-group contrast and the Wald test."""
    index = pd.Index(items, name=name)
    cols = {}
    for g in order:
        cols[f"location_{g}"] = pd.Series(fits[g]["difficulty"], index=kept)
    for g in order:
        cols[f"se_{g}"] = pd.Series(fits[g]["se"], index=kept)
    for g in order:
        cols[f"n_persons_{g}"] = pd.Series(answered[member == g].sum(axis=0), index=items)
    items_df = pd.DataFrame(cols, index=index)
    items_df = items_df.astype({f"n_persons_{g}": int for g in order})
    loc = items_df[[f"location_{g}" for g in order]].to_numpy()
    sev = items_df[[f"se_{g}" for g in order]].to_numpy()
    if len(order) == 2:
        contrast = loc[:, 1] - loc[:, 0]
        cse = np.sqrt(sev[:, 0] ** 2 + sev[:, 1] ** 2)
        z = contrast / cse
    else:
        contrast = cse = z = np.full(len(items), np.nan)
    w = 1.0 / sev ** 2
    centre = (w * loc).sum(axis=1) / w.sum(axis=1)
    chi2 = (w * (loc - centre[:, None]) ** 2).sum(axis=1)
    chi2[~keep_items] = np.nan
    items_df["contrast"] = contrast
    items_df["se"] = cse
    items_df["z"] = z
    items_df["statistic"] = chi2
    items_df["df"] = float(len(order) - 1)
    items_df["p_value"] = stats.chi2.sf(chi2, len(order) - 1)
    items_df["p_adjusted"] = _adjusted(items_df["p_value"].to_numpy(), adjust)
    items_df["dropped"] = ~keep_items
    return items_df


def _pairwise_contrasts(items_df, order, items, adjust):
    """Every pair of groups: the contrast of each item's locations, its SE, z and p-values."""
    pairs = []
    for a, b in itertools.combinations(order, 2):
        c = items_df[f"location_{b}"] - items_df[f"location_{a}"]
        s_ = np.sqrt(items_df[f"se_{a}"] ** 2 + items_df[f"se_{b}"] ** 2)
        zz = c / s_
        pairs.append(pd.DataFrame({"item": items, "group": b, "reference": a,
                                   "contrast": c.to_numpy(), "se": s_.to_numpy(),
                                   "z": zz.to_numpy(),
                                   "p_value": 2 * stats.norm.sf(np.abs(zz.to_numpy()))}))
    contrasts = pd.concat(pairs, ignore_index=True)
    contrasts["p_adjusted"] = _adjusted(contrasts["p_value"].to_numpy(), adjust)
    return contrasts



def _check_options(method, incomplete_items, adjust, min_persons):
    """Refuse an unknown method, exclusion rule or adjustment, and a min_persons below 2."""
    if method not in ("cml", "jmle"):
        raise ValueError(f"method must be 'cml' or 'jmle', got {method!r}")
    if incomplete_items not in ("raise", "drop"):
        raise ValueError(f"incomplete_items must be 'raise' or 'drop', got {incomplete_items!r}")
    if adjust not in ADJUSTMENTS:
        raise ValueError(f"adjust must be one of {ADJUSTMENTS}, got {adjust!r}")
    if isinstance(min_persons, bool) or not isinstance(min_persons, (int, np.integer)) \
            or min_persons < 2:
        raise ValueError(f"min_persons must be an integer >= 2, got {min_persons!r}")


def _adjusted(p, adjust):
    """Adjusted p-values over the finite entries of ``p`` (NaN stays NaN)."""
    out = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if not ok.any():
        return out
    if adjust == "none":
        out[ok] = p[ok]
    else:
        from statsmodels.stats.multitest import multipletests

        out[ok] = multipletests(p[ok], method=adjust)[1]
    return out


def _calibrate(X, m, lo, items, method, tol, max_iter):
    """One calibration: centred locations, their SEs, thresholds, llf, persons used."""
    if method == "cml":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)   # reported once, above
            est = cml_rating_scale(X, n_categories=m + 1, tol=tol, max_iter=max_iter)
        return {"difficulty": np.asarray(est.difficulty, float),
                "se": np.asarray(est.difficulty_se, float),
                "thresholds": np.asarray(est.thresholds, float), "llf": float(est.llf),
                "converged": bool(est.converged), "n_iter": int(est.n_iter),
                "n_used": int(est.n_persons)}
    frame = pd.DataFrame(X + lo, columns=pd.Index(range(len(items))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        res = fit_rating_scale(frame, method="jmle", min_category=lo, n_categories=m + 1,
                               tol=tol, max_iter=max_iter)
    d = res.items["difficulty"].to_numpy(dtype=float)
    return {"difficulty": d - d.mean(), "se": res.items["se"].to_numpy(dtype=float),
            "thresholds": res.thresholds.to_numpy(dtype=float), "llf": float(res.llf),
            "converged": bool(res.converged), "n_iter": int(res.n_iter),
            "n_used": int((~res.persons["extreme"]).sum())}
