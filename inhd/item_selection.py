"""Item selection by fit: drop misfitting items one at a time by a documented rule.

Rasch practice builds a measure from candidate items and deletes those whose infit or outfit
mean-squares say they do not fit the rating-scale model (Bond, Yan & Heene 2020; Wright & Linacre
1994). :class:`FitRule` states when an item misfits; :func:`select_items_by_fit` removes the worst
misfit, refits and repeats, choosing items by their statistics only, never by name; the
participatory-benefits paper (Perlman, Bryk & Russell 2025) built its nine-item measure this way
from eleven candidates. The items table of both calibrations (``items.csv``) is
:func:`inhd.item_review.item_table`.

References
----------
Bond, T. G., Yan, Z., & Heene, M. (2020). Applying the Rasch model (4th ed.). Routledge.
Wright, B. D., & Linacre, J. M. (1994). Reasonable mean-square fit values. Rasch Measurement
Transactions 8(3), 370.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.rasch import RatingScaleResult, fit_rating_scale
from inhd.warnings import InhdWarning

__all__ = ["FitRule", "ItemSelection", "select_items_by_fit"]




@dataclass(frozen=True)
class FitRule:
    """When an item misfits the rating-scale model.

    An item misfits when its infit or its outfit mean-square lies outside
    ``[min_infit, max_infit]`` / ``[min_outfit, max_outfit]``, and (when ``max_abs_z`` is given)
    the offending statistic's standardised value (Wilson-Hilferty ZSTD) exceeds ``max_abs_z`` in
    absolute value as well.

    Defaults: mean-squares in [0.6, 1.4], ZSTD not used. Bond & Fox (2015, Table 12.6;
    Bond, Yan & Heene 2020) give 0.6-1.4 as the reasonable infit/outfit range for rating-scale
    (Likert) survey items; Wright & Linacre (1994) give the same range for rating scales. ZSTD is
    off by default because with two thousand respondents almost any departure is "significant"
    (Linacre: with large samples, judge by mean-square); set ``max_abs_z=2`` for the common
    "MSQ outside the range and |ZSTD| > 2" rule.
    """

    min_infit: float = 0.6
    max_infit: float = 1.4
    min_outfit: float = 0.6
    max_outfit: float = 1.4
    max_abs_z: float | None = None
    min_items: int = 3

    def __post_init__(self):
        for lo, hi, name in ((self.min_infit, self.max_infit, "infit"),
                             (self.min_outfit, self.max_outfit, "outfit")):
            if not (np.isfinite(lo) and np.isfinite(hi) and 0 <= lo < 1 < hi):
                raise ValueError(f"FitRule: need 0 <= min_{name} < 1 < max_{name}; "
                                 f"got min_{name}={lo}, max_{name}={hi}")
        if self.max_abs_z is not None and not self.max_abs_z > 0:
            raise ValueError(f"FitRule: max_abs_z must be positive or None, got {self.max_abs_z}")
        if int(self.min_items) < 2:
            raise ValueError(f"FitRule: min_items must be at least 2, got {self.min_items}")

    def severity(self, items: pd.DataFrame) -> pd.Series:
        """How far each item lies outside the rule: the largest |log| ratio of a mean-square to the
        bound it crosses (0 = fits). ``items`` has columns infit, outfit, infit_z, outfit_z."""
        parts = []
        for stat, lo, hi in (("infit", self.min_infit, self.max_infit),
                             ("outfit", self.min_outfit, self.max_outfit)):
            msq = items[stat].astype(float)
            out = np.maximum(np.log(msq / hi), np.log(lo / msq)).clip(lower=0.0)
            if self.max_abs_z is not None:
                out = out.where(items[f"{stat}_z"].abs() > self.max_abs_z, 0.0)
            parts.append(out.fillna(0.0))
        return pd.concat(parts, axis=1).max(axis=1).rename("severity")

    def describe(self) -> str:
        z = "" if self.max_abs_z is None else f" and |ZSTD| > {self.max_abs_z:g}"
        return (f"infit outside [{self.min_infit:g}, {self.max_infit:g}] or outfit outside "
                f"[{self.min_outfit:g}, {self.max_outfit:g}]{z}; drop the worst item, refit, repeat")


@dataclass(frozen=True)
class ItemSelection:
    """The outcome of :func:`select_items_by_fit`.

    Attributes
    ----------
    initial, final : inhd.rasch.RatingScaleResult
        The fit with every candidate item, and the fit with the retained items.
    retained, dropped : tuple of str
        Items kept, and items removed in the order they were removed.
    steps : pandas.DataFrame
        One row per removal: ``step, item, infit, outfit, infit_z, outfit_z, severity``.
    rule : FitRule
    """

    initial: RatingScaleResult
    final: RatingScaleResult
    retained: tuple[str, ...]
    dropped: tuple[str, ...]
    steps: pd.DataFrame
    rule: FitRule

    def fit_table(self) -> pd.DataFrame:
        """Item fit before (all candidates) and after (retained items), side by side."""
        cols = ["difficulty", "se", "infit", "outfit", "infit_z", "outfit_z"]
        before = self.initial.items[cols].add_suffix("_all")
        after = self.final.items[cols].add_suffix("_final")
        out = before.join(after, how="left")
        out["retained"] = out.index.isin(self.retained)
        return out

    def summary(self) -> str:
        lines = [f"Fit rule: {self.rule.describe()}",
                 f"candidates {len(self.retained) + len(self.dropped)}, retained "
                 f"{len(self.retained)}, dropped {list(self.dropped) or 'none'}"]
        if len(self.steps):
            lines.append(self.steps.round(3).to_string(index=False))
        return "\n".join(lines)


def select_items_by_fit(responses: pd.DataFrame, *, rule: FitRule | None = None,
                        method: str = "jmle") -> ItemSelection:
    """Drop misfitting items one at a time by a fit rule until every remaining item fits.

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns candidate items (integer codes, missing allowed). Not modified.
    rule : FitRule, optional
        The misfit rule (default ``FitRule()``: infit and outfit mean-squares in [0.6, 1.4]).
    method : {"jmle", "cml"}
        Passed to :func:`inhd.rasch.fit_rating_scale` (both estimators are deterministic).

    Returns
    -------
    ItemSelection

    Notes
    -----
    Fit statistics depend on the other items (a grossly misfitting item distorts the measures the
    others are judged against), so items are removed one at a time, as Rasch practice recommends
    (Bond & Fox): fit all candidates, remove the single item with the largest
    :meth:`FitRule.severity`, refit, and repeat until no item misfits or ``rule.min_items`` are
    left. Items are chosen by their statistics only, never by name. Perlman, Bryk & Russell
    (2025) report that "initial analyses identified two misfitting items, which were
    subsequently deleted resulting in a final nine-item measure".

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import DATA_DIR
    >>> r = pd.read_csv(DATA_DIR / "participatory_benefits_respondents_SYNTHETIC.csv")
    >>> sel = select_items_by_fit(r.filter(like="pb_"))
    >>> sorted(sel.dropped)
    ['pb_cand_deterministic', 'pb_cand_eases_workload']
    """
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"responses must be a pandas DataFrame, got {type(responses).__name__}")
    rule = FitRule() if rule is None else rule
    if not isinstance(rule, FitRule):
        raise TypeError(f"rule must be a FitRule, got {type(rule).__name__}")
    if responses.shape[1] < rule.min_items:
        raise ValueError(f"responses: {responses.shape[1]} item columns, fewer than the rule's "
                         f"min_items={rule.min_items}")
    items = list(responses.columns)
    initial = res = fit_rating_scale(responses[items], method=method)
    dropped, steps = [], []
    while len(items) > rule.min_items:
        sev = rule.severity(res.items)
        worst = sev.idxmax()
        if not sev[worst] > 0:
            break
        row = res.items.loc[worst]
        steps.append({"step": len(steps) + 1, "item": worst, "infit": row["infit"],
                      "outfit": row["outfit"], "infit_z": row["infit_z"],
                      "outfit_z": row["outfit_z"], "severity": sev[worst]})
        dropped.append(worst)
        items.remove(worst)
        res = fit_rating_scale(responses[items], method=method)
    else:
        if (rule.severity(res.items) > 0).any():
            warnings.warn(f"select_items_by_fit: stopped at min_items={rule.min_items} with "
                          "items still misfitting", InhdWarning, stacklevel=2)
    steps = pd.DataFrame(steps, columns=["step", "item", "infit", "outfit", "infit_z",
                                         "outfit_z", "severity"])
    return ItemSelection(initial=initial, final=res, retained=tuple(items),
                         dropped=tuple(dropped), steps=steps, rule=rule)
