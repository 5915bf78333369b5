"""Simulated demonstrations for the measure-construction lab: break a survey on purpose and watch
what the Rasch checks see.

Used by ``notebooks/08_teaching_measure_construction.ipynb`` through :mod:`inhd.teaching`.
Everything here is SIMULATED from the rating-scale model (with one item made to break it):

- :func:`compare_estimators`: JMLE (as Winsteps) beside CML (as eRm) over repeated draws, to see
  JMLE's outward bias and CML's consistency (:class:`EstimatorComparison`);
- :func:`misfit_demo`: one item that breaks the model in a chosen way (reverse-keyed, guessed,
  flat or steep, disordered thresholds), calibrated with and without it (:class:`MisfitDemo`);
- :func:`dif_demo`: two groups, one item biased against one of them (:class:`DIFDemo`).
"""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.cml import cml_rating_scale
from inhd.dif import DIFResult, rating_scale_dif
from inhd.jmle import jmle_rating_scale
from inhd.partial_credit import PartialCreditResult
from inhd.rasch import (RatingScaleResult, fit_partial_credit, fit_rating_scale,
                        rating_scale_vs_partial_credit)
from inhd.rsm import simulate_rating_scale
from inhd.warnings import InhdWarning

__all__ = ["LAB_THRESHOLDS", "MISFITS", "ODD_ITEM", "EstimatorComparison", "compare_estimators",
           "MisfitDemo", "misfit_demo", "DIFDemo", "dif_demo"]

#: The lab's rating scale: Andrich thresholds of a 1-5 agreement scale.
LAB_THRESHOLDS = (-1.8, -0.6, 0.6, 1.8)


def _wrapped(lines) -> str:
    """Lines of a summary wrapped to 76 characters (the width of the book's column)."""
    return "\n".join(part for line in lines
                     for part in textwrap.wrap(line, 76, subsequent_indent="  "))


# --------------------------------------------------------------------------------------------
# JMLE beside CML
# --------------------------------------------------------------------------------------------
def _stretch(truth, estimate):
    """Slope of estimates on centred true values through the origin: the factor by which the
    estimates spread the truth out (1 = no stretch)."""
    truth = np.asarray(truth, float) - np.mean(truth)
    estimate = np.asarray(estimate, float) - np.mean(estimate)
    return float(truth @ estimate / (truth @ truth))


@dataclass(frozen=True)
class EstimatorComparison:
    """JMLE and CML calibrations of the same simulated surveys, drawn again and again.

    Attributes
    ----------
    items : pandas.DataFrame
        One row per draw, method and item: ``draw, method, item, difficulty_true`` (centred),
        ``estimate`` (centred over the items), ``se`` (the model SE the calibration reports).
    thresholds : pandas.DataFrame
        One row per draw, method and threshold: ``draw, method, category, threshold_true,
        estimate, se``.
    n_items, n_persons, n_draws : int
        The design and the number of surveys drawn.
    """

    items: pd.DataFrame
    thresholds: pd.DataFrame
    n_items: int
    n_persons: int
    n_draws: int

    def stretch(self) -> pd.DataFrame:
        """Per method: the mean stretch of the difficulties and of the thresholds over the draws
        (the slope of the estimates on the truth), with their Monte Carlo SEs; beside them the
        rule of thumb L/(L-1) for L items (``stretch_rule``)."""
        rows = []
        for method in ("jmle", "cml"):
            d = [_stretch(g["difficulty_true"], g["estimate"])
                 for _, g in self.items[self.items["method"] == method].groupby("draw")]
            t = [_stretch(g["threshold_true"], g["estimate"])
                 for _, g in self.thresholds[self.thresholds["method"] == method].groupby("draw")]
            rows.append({"method": method, "n_items": self.n_items, "n_persons": self.n_persons,
                         "difficulty_stretch": np.mean(d),
                         "difficulty_stretch_se": np.std(d, ddof=1) / np.sqrt(len(d)),
                         "threshold_stretch": np.mean(t),
                         "threshold_stretch_se": np.std(t, ddof=1) / np.sqrt(len(t)),
                         "stretch_rule": self.n_items / (self.n_items - 1)})
        return pd.DataFrame(rows).set_index("method")

    def by_item(self) -> pd.DataFrame:
        """Per method and item, over the draws: the true difficulty, the mean estimate, its
        ``bias``, the spread of the estimates (``sd``), the mean reported ``se``, and the bias
        in units of that SE (``bias_in_se``: what a z of estimate against truth shows on
        average)."""
        g = self.items.groupby(["method", "item"], sort=False)
        out = pd.DataFrame({"difficulty_true": g["difficulty_true"].first(),
                            "estimate": g["estimate"].mean(), "sd": g["estimate"].std(ddof=1),
                            "se": g["se"].mean()})
        out.insert(2, "bias", out["estimate"] - out["difficulty_true"])
        out["bias_in_se"] = out["bias"] / out["se"]
        return out

    def plot(self, ax=None):
        """Each item's mean error (estimate minus truth) over the draws, with the spread of the
        estimates (one SD), for JMLE and CML; the dashed line is the error a stretch of
        L/(L-1) would give."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6.5, 3.8))
        table = self.by_item()
        for k, (method, colour) in enumerate((("jmle", "#c0392b"), ("cml", "#1f4e79"))):
            t = table.loc[method]
            ax.errorbar(t["difficulty_true"] + (k - 0.5) * 0.04, t["bias"], yerr=t["sd"],
                        fmt="o", color=colour, capsize=2, label=method.upper())
        truth = np.sort(table.loc["jmle", "difficulty_true"].to_numpy())
        ax.plot(truth, truth / (self.n_items - 1), "--", color="0.4",
                label="stretch L/(L-1)")
        ax.axhline(0.0, color="0.6", lw=0.8)
        ax.set_xlabel("true difficulty (logits)")
        ax.set_ylabel("estimate - truth (logits)")
        ax.set_title(f"{self.n_draws} draws of {self.n_persons} respondents x "
                     f"{self.n_items} items")
        ax.legend(fontsize=8)
        return ax

    def summary(self) -> str:
        """The stretch table and the per-item biases as text."""
        return (f"JMLE and CML on {self.n_draws} simulated surveys of {self.n_persons} "
                f"respondents x {self.n_items} items\n"
                + self.stretch().round(4).to_string() + "\n\n"
                + self.by_item().round(3).to_string())


def compare_estimators(*, n_items=9, n_persons=800, n_draws=200, thresholds=LAB_THRESHOLDS,
                       person_sd=1.5, missing=0.0, rng=None) -> EstimatorComparison:
    """Calibrate the same simulated surveys by JMLE and by CML, ``n_draws`` times.

    Parameters
    ----------
    n_items, n_persons : int
        The design: difficulties evenly spread over [-1.5, 1.5] logits, respondents drawn from
        N(0, ``person_sd``^2).
    n_draws : int
        Surveys drawn, each calibrated both ways (:func:`inhd.jmle.jmle_rating_scale`, as
        Winsteps; :func:`inhd.cml.cml_rating_scale`, as eRm).
    thresholds : sequence of float
        The Andrich thresholds used to simulate (centred before they are compared).
    missing : float
        Probability that a response is missing.
    rng : int or numpy.random.Generator

    Returns
    -------
    EstimatorComparison

    Raises
    ------
    ValueError
        ``n_draws`` below 2, or a design so small that ten draws in a row have no estimates
        (an item answered only in its lowest or highest category).

    Notes
    -----
    JMLE estimates every person together with the items; each person's measure rests on only
    L responses and is biased outwards, and the item estimates inherit that bias, so JMLE
    spreads items and thresholds out by a factor near L/(L-1) that does not shrink as
    respondents are added (Andersen 1973: exactly 2 for two dichotomous items; Wright &
    Douglas 1977). CML conditions the persons out through their raw scores and is consistent.
    Persons with extreme scores are left out of both calibrations (neither estimates them);
    a draw without estimates is drawn again. Estimates are centred over the items before
    they are compared with the centred truth.
    """
    if n_draws < 2:
        raise ValueError(f"n_draws must be at least 2, got {n_draws}")
    rng = np.random.default_rng(rng)
    truth = np.linspace(-1.5, 1.5, n_items)
    names = [f"item{i + 1:02d}" for i in range(n_items)]
    tau = np.asarray(thresholds, float)
    cats = np.arange(1, tau.size + 1)
    items, thr = [], []
    for draw in range(n_draws):
        for attempt in range(10):
            X = simulate_rating_scale(rng.normal(0.0, person_sd, n_persons), truth, tau, rng=rng,
                                      missing=missing)
            X = X[~np.isnan(X).all(axis=1)]
            try:
                fits = {"jmle": jmle_rating_scale(X, n_categories=tau.size + 1),
                        "cml": cml_rating_scale(X, n_categories=tau.size + 1)}
                break
            except ValueError as err:
                if attempt == 9:
                    raise ValueError(f"compare_estimators: ten draws in a row without "
                                     f"estimates ({err}); use more respondents") from None
        for method, fit in fits.items():
            items.append(pd.DataFrame({"draw": draw, "method": method, "item": names,
                                       "difficulty_true": truth - truth.mean(),
                                       "estimate": fit.difficulty - fit.difficulty.mean(),
                                       "se": fit.difficulty_se}))
            thr.append(pd.DataFrame({"draw": draw, "method": method, "category": cats,
                                     "threshold_true": tau - tau.mean(),
                                     "estimate": fit.thresholds, "se": fit.thresholds_se}))
    return EstimatorComparison(items=pd.concat(items, ignore_index=True),
                               thresholds=pd.concat(thr, ignore_index=True), n_items=n_items,
                               n_persons=n_persons, n_draws=n_draws)


# --------------------------------------------------------------------------------------------
# Misfit on purpose
# --------------------------------------------------------------------------------------------
#: The ways :func:`misfit_demo` breaks one item, with the default strength of each and what the
#: strength means.
MISFITS = {
    "reverse-keyed": (1.0, "share of respondents who answer the item as if it were worded in "
                           "reverse (a negatively worded item nobody recoded)"),
    "guessing": (0.5, "probability that a respondent more than 1 logit below the item answers "
                      "at random (a lower asymptote, as guessing gives)"),
    "discrimination": (0.3, "the item's discrimination: below 1 flatter than the others (it "
                            "tells respondents apart less well), above 1 steeper"),
    "disordered thresholds": (1.2, "s in the item's thresholds (-1.8, s, -s, 1.8) on the lab's "
                                   "scale: a middle category that is never the most likely"),
}
ODD_ITEM = "odd_item"


@dataclass(frozen=True)
class MisfitDemo:
    """One simulated survey with one item that breaks the model, calibrated with and without it.

    Attributes
    ----------
    kind : str
        One of :data:`MISFITS`.
    strength : float
    responses : pandas.DataFrame
        The survey; the broken item is the column ``odd_item``.
    table : pandas.DataFrame
        Per item: ``infit_all, outfit_all, infit_z_all, outfit_z_all, point_measure_r_all``
        (calibration with every item) and ``infit_final, outfit_final, infit_z_final,
        outfit_z_final`` (after dropping ``odd_item``; NaN on its row).
    likelihood_ratio : pandas.DataFrame
        Indexed by ``items`` (``all``, ``final``): the test of the rating-scale model against
        the partial credit model (``statistic, df, p_value``;
        :func:`inhd.rasch.rating_scale_vs_partial_credit`).
    all, final : inhd.rasch.RatingScaleResult
        The calibrations (JMLE) with every item and without ``odd_item``.
    partial_credit : inhd.partial_credit.PartialCreditResult
        The partial credit model with every item (CML): each item's own thresholds.
    """

    kind: str
    strength: float
    responses: pd.DataFrame
    table: pd.DataFrame
    likelihood_ratio: pd.DataFrame
    all: RatingScaleResult
    final: RatingScaleResult
    partial_credit: PartialCreditResult

    def summary(self) -> str:
        """What broke, how the broken item and the others fit, before and after dropping it."""
        t = self.table
        others = t.drop(index=ODD_ITEM)
        lr = self.likelihood_ratio
        return _wrapped([
            f"{self.kind} (strength {self.strength:g}): {MISFITS[self.kind][1]}",
            f"{ODD_ITEM}: infit {t.loc[ODD_ITEM, 'infit_all']:.2f}, outfit "
            f"{t.loc[ODD_ITEM, 'outfit_all']:.2f}, point-measure correlation "
            f"{t.loc[ODD_ITEM, 'point_measure_r_all']:.2f}",
            f"the other items' infit: {others['infit_all'].min():.2f}-"
            f"{others['infit_all'].max():.2f} with {ODD_ITEM}, "
            f"{others['infit_final'].min():.2f}-{others['infit_final'].max():.2f} without",
            f"rating scale against partial credit: chi2({int(lr.loc['all', 'df'])}) = "
            f"{lr.loc['all', 'statistic']:.1f} with {ODD_ITEM}, chi2("
            f"{int(lr.loc['final', 'df'])}) = {lr.loc['final', 'statistic']:.1f} without"])

    def overview(self) -> pd.Series:
        """One line of figures: the odd item's fit and point-measure correlation, the range of
        the other items' infit with and without it, and the likelihood-ratio test of the
        rating-scale model against the partial credit model with and without it."""
        t, lr = self.table, self.likelihood_ratio
        others = t.drop(index=ODD_ITEM)
        return pd.Series({
            "strength": self.strength, "infit": t.loc[ODD_ITEM, "infit_all"],
            "outfit": t.loc[ODD_ITEM, "outfit_all"],
            "point_measure_r": t.loc[ODD_ITEM, "point_measure_r_all"],
            "others_infit_min_all": others["infit_all"].min(),
            "others_infit_max_all": others["infit_all"].max(),
            "others_infit_min_final": others["infit_final"].min(),
            "others_infit_max_final": others["infit_final"].max(),
            "statistic_all": lr.loc["all", "statistic"], "p_value_all": lr.loc["all", "p_value"],
            "statistic_final": lr.loc["final", "statistic"],
            "p_value_final": lr.loc["final", "p_value"]}, name=self.kind)

    def plot(self, ax=None):
        """Infit of every item with and without ``odd_item`` (the band 0.7-1.3 shaded)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(8, 3.2))
        x = np.arange(len(self.table))
        ax.axhspan(0.7, 1.3, color="0.92", zorder=0)
        ax.axhline(1.0, color="0.5", lw=0.8)
        ax.plot(x, self.table["infit_all"], "o", color="#c0392b", label=f"with {ODD_ITEM}")
        ax.plot(x, self.table["infit_final"], "s", mfc="none", color="#1f4e79",
                label=f"{ODD_ITEM} dropped")
        ax.set_xticks(x, self.table.index, rotation=45, ha="right", fontsize=8)
        ax.set_ylabel("infit mean-square")
        ax.set_title(f"{self.kind}: infit with and without the odd item")
        ax.legend(fontsize=8, loc="upper left")
        return ax


def _odd_item(kind, strength, theta, tau, rng):
    """Responses (0..m) of the broken item, and its item-specific thresholds when it has some."""
    m = tau.size
    if kind == "discrimination":
        return simulate_rating_scale(theta, [0.0], tau, rng=rng, discrimination=[strength])[:, 0]
    if kind == "disordered thresholds":
        own = tau.copy()
        k = max(m // 2, 1)
        own[k - 1:k + 1] = [strength, -strength]
        return simulate_rating_scale(theta, [0.0], own[None, :], rng=rng)[:, 0]
    if kind == "guessing":
        x = simulate_rating_scale(theta, [1.0], tau, rng=rng)[:, 0]
        guess = (rng.random(theta.size) < strength) & (theta < 0.0)
        x[guess] = rng.integers(0, m + 1, int(guess.sum()))
        return x
    x = simulate_rating_scale(theta, [0.0], tau, rng=rng)[:, 0]            # reverse-keyed
    flip = rng.random(theta.size) < strength
    x[flip] = m - x[flip]
    return x


def misfit_demo(kind, *, strength=None, n_persons=800, n_items=9, person_sd=1.5,
                thresholds=LAB_THRESHOLDS, min_category=1, rng=None) -> MisfitDemo:
    """Simulate a survey whose last item breaks the model, then calibrate with and without it.

    Parameters
    ----------
    kind : str
        ``"reverse-keyed"``, ``"guessing"``, ``"discrimination"`` or ``"disordered
        thresholds"`` (:data:`MISFITS` says what each does and what ``strength`` means).
    strength : float, optional
        How strongly the item misfits (default: :data:`MISFITS`' value).
    n_persons, n_items, person_sd : as in :func:`compare_estimators`
        ``n_items`` well-behaved items plus ``odd_item``.
    thresholds : sequence of float
        The rating scale of the well-behaved items.
    min_category : int
        Code of the lowest category (1 for a 1-5 scale).
    rng : int or numpy.random.Generator

    Returns
    -------
    MisfitDemo

    Notes
    -----
    The guessing item sits 1 logit above the middle of the others; a respondent more than 1
    logit below it answers at random with probability ``strength``. The odd item's responses
    come from the same respondents as the others, so the calibration with every item measures
    them on a unit that the odd item has changed: that is why the *other* items look too good
    (infit below 1) when the odd item is too noisy, and return to about 1 when it is dropped.
    """
    if kind not in MISFITS:
        raise ValueError(f"kind must be one of {list(MISFITS)}, got {kind!r}")
    strength = MISFITS[kind][0] if strength is None else float(strength)
    if kind in ("reverse-keyed", "guessing") and not 0 <= strength <= 1:
        raise ValueError(f"strength of {kind!r} is a probability in [0, 1], got {strength}")
    if kind == "discrimination" and not strength > 0:
        raise ValueError(f"strength of 'discrimination' must be positive, got {strength}")
    rng = np.random.default_rng(rng)
    tau = np.asarray(thresholds, float)
    names = [f"item{i + 1:02d}" for i in range(n_items)]
    theta = rng.normal(0.0, person_sd, n_persons)
    codes = simulate_rating_scale(theta, np.linspace(-1.5, 1.5, n_items), tau, rng=rng)
    odd = _odd_item(kind, strength, theta, tau, rng)
    responses = pd.DataFrame(np.column_stack([codes, odd]) + min_category,
                             index=pd.Index([f"p{i + 1:05d}" for i in range(n_persons)],
                                            name="respondent_id"),
                             columns=[*names, ODD_ITEM]).astype("Int64")
    every, final = fit_rating_scale(responses), fit_rating_scale(responses.drop(columns=ODD_ITEM))
    cols = ["infit", "outfit", "infit_z", "outfit_z"]
    table = every.items[cols + ["point_measure_r"]].add_suffix("_all").join(
        final.items[cols].add_suffix("_final"))
    lr = pd.DataFrame([rating_scale_vs_partial_credit(responses).likelihood_ratio,
                       rating_scale_vs_partial_credit(responses.drop(columns=ODD_ITEM))
                       .likelihood_ratio], index=pd.Index(["all", "final"], name="items"))
    return MisfitDemo(kind=kind, strength=strength, responses=responses, table=table,
                      likelihood_ratio=lr, all=every, final=final,
                      partial_credit=fit_partial_credit(responses))


# --------------------------------------------------------------------------------------------
# DIF: one biased item
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DIFDemo:
    """Two simulated groups of respondents; one item is harder for the second group than its
    members' measures warrant.

    Attributes
    ----------
    responses : pandas.DataFrame
    groups : pandas.Series
        ``"A"`` or ``"B"`` per respondent.
    biased_item : str
    dif : float
        How much harder ``biased_item`` is for group B (logits).
    impact : float
        How much lower group B stands on the measure itself (a real difference, not bias).
    result : inhd.dif.DIFResult
        :func:`inhd.dif.rating_scale_dif` (CML, Andersen's test, Holm-adjusted item tests).
    """

    responses: pd.DataFrame
    groups: pd.Series
    biased_item: str
    dif: float
    impact: float
    result: DIFResult

    def summary(self) -> str:
        """The biased item's contrast, the items flagged, and Andersen's test."""
        it = self.result.items
        flagged = it.index[it["p_adjusted"] < 0.05].tolist()
        row = it.loc[self.biased_item]
        lr = self.result.likelihood_ratio
        left_out = ", ".join(map(str, self.result.dropped_items))
        dropped = ([f"left out (a category unused in a group, as eRm::LRtest does): {left_out}"]
                   if left_out else [])
        return _wrapped(dropped + [
            f"{self.biased_item} is {self.dif:g} logits harder for group B; impact "
            f"{self.impact:g} (group B's true mean is that much lower)",
            f"estimated contrast B - A for {self.biased_item}: {row['contrast']:.2f} "
            f"(SE {row['se']:.2f}), adjusted p = {row['p_adjusted']:.3g}",
            f"items flagged at adjusted p < 0.05: {', '.join(map(str, flagged)) or 'none'}",
            f"Andersen's likelihood-ratio test: chi2({int(lr['df'])}) = {lr['statistic']:.1f}, "
            f"p = {lr['p_value']:.3g}"])


def dif_demo(*, dif=0.8, impact=0.5, n_persons=500, n_items=9, person_sd=1.2,
             thresholds=LAB_THRESHOLDS, rng=None) -> DIFDemo:
    """Simulate two groups of ``n_persons`` each, with one item biased against group B, and
    test every item for DIF.

    Parameters
    ----------
    dif : float
        Extra difficulty of the biased item (the middle one) for group B, in logits.
    impact : float
        Group B's mean is this much below group A's (N(0, sd) against N(-impact, sd)): a real
        difference that DIF analysis must not mistake for bias.
    n_persons, n_items, person_sd, thresholds, rng
        As in :func:`compare_estimators` (``n_persons`` per group).

    Returns
    -------
    DIFDemo

    Notes
    -----
    Items that a group never answers in its lowest or highest category are left out of every
    calibration, as ``eRm::LRtest`` does (``incomplete_items="drop"``); the summary names them.
    """
    rng = np.random.default_rng(rng)
    tau = np.asarray(thresholds, float)
    names = [f"item{i + 1:02d}" for i in range(n_items)]
    biased = names[n_items // 2]
    delta = np.linspace(-1.5, 1.5, n_items)
    parts = []
    for group, mean, shift in (("A", 0.0, 0.0), ("B", -impact, dif)):
        d = delta.copy()
        d[n_items // 2] += shift
        parts.append(simulate_rating_scale(rng.normal(mean, person_sd, n_persons), d, tau,
                                           rng=rng, min_category=1))
    index = pd.Index([f"p{i + 1:05d}" for i in range(2 * n_persons)], name="respondent_id")
    responses = pd.DataFrame(np.vstack(parts), index=index, columns=names).astype("Int64")
    groups = pd.Series(np.repeat(["A", "B"], n_persons), index=index, name="group")
    with warnings.catch_warnings():              # the summary names any item left out
        warnings.simplefilter("ignore", InhdWarning)
        result = rating_scale_dif(responses, groups, incomplete_items="drop")
    return DIFDemo(responses=responses, groups=groups, biased_item=biased, dif=float(dif),
                   impact=float(impact), result=result)
