"""The survey's measures: a Rasch calibration of each measure, persons labelled by network, school
and wave.

A survey of several measures names each measure's items in a measures file (``measure, name,
domain, items``: :func:`inhd.data.load_survey` reads it); the shipped network health survey also
names its items ``<measure>_1``, ``<measure>_2``, ... (:func:`measure_items`).
:func:`calibrate_measure` fits the rating-scale model
to one measure over every wave (one calibration puts all waves on the same logit scale, as the
INHD reports do) and labels each person's measure and standard error with the respondent's
network, school and wave: the input of the multilevel analyses of the validity
(:mod:`inhd.validity`) and variation (:mod:`inhd.variation`) papers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from inhd.rasch import RatingScaleResult, fit_rating_scale

__all__ = ["ID_COLUMNS", "MeasureCalibration", "measure_items", "calibrate_items", "calibrate_measure",
           "calibrate_measures"]

#: The columns that label a person's measure (``school_id`` and ``wave`` when the survey has them).
ID_COLUMNS = ("respondent_id", "network_id", "school_id", "wave")
#: The labels every survey has.
REQUIRED_ID_COLUMNS = ("respondent_id", "network_id")


def calibrate_items(responses: pd.DataFrame, *, scale=None, method: str = "jmle") -> RatingScaleResult:
    """The rating-scale model of one measure's items, on a declared response scale.

    Parameters
    ----------
    responses : pandas.DataFrame
        Respondents x items, integer codes, missing as NA.
    scale : (int, int), optional
        The response scale's lowest and highest code; codes outside it are refused. The model's
        categories run from the lowest to the highest code used (a category of the scale nobody
        chose has no estimable threshold; :func:`inhd.item_review.review_items` notes it).
    method : {"jmle", "cml"}

    Raises
    ------
    ValueError
        Codes outside ``scale``; a category inside the used range that no respondent with a
        non-extreme score chose (the message names it: collapse it with a neighbour,
        :func:`inhd.categories.collapse_categories`, or check the coding).
    """
    if scale is not None:
        low, high = int(scale[0]), int(scale[1])
        x = responses.to_numpy(dtype=float, na_value=np.nan)
        off = np.isfinite(x) & ((x < low) | (x > high))
        if off.any():
            col = responses.columns[np.flatnonzero(off.any(axis=0))[0]]
            raise ValueError(f"item {col!r} holds codes outside the response scale {low}-{high}")
    try:
        return fit_rating_scale(responses, method=method)
    except ValueError as err:
        if "never occur among non-extreme" not in str(err):
            raise
        items = ", ".join(map(str, responses.columns))
        raise ValueError(f"items {items}: {err}") from None


def measure_items(columns, measure: str) -> list[str]:
    """Item columns of ``measure`` among ``columns``: those named ``<measure>_<j>``, j = 1, 2, ...

    This is the naming of the shipped network health survey (``trust_leaders_1`` ..
    ``trust_leaders_5``); data named otherwise pass their item lists explicitly.

    Raises
    ------
    ValueError
        If no column is named ``<measure>_<digits>``.

    Examples
    --------
    >>> measure_items(["data_use_10", "data_use_2", "data_use_1", "data_users_1"], "data_use")
    ['data_use_1', 'data_use_2', 'data_use_10']
    """
    pattern = re.compile(rf"^{re.escape(measure)}_(\d+)$")
    found = sorted(((int(m.group(1)), c) for c in columns if (m := pattern.match(str(c)))))
    if not found:
        raise ValueError(f"measure {measure!r}: no item columns named '{measure}_<number>' "
                         f"among the {len(list(columns))} columns given")
    return [c for _, c in found]


@dataclass(frozen=True)
class MeasureCalibration:
    """A Rasch calibration of one measure over every respondent (all waves).

    Attributes
    ----------
    measure : str
        The measure's key.
    items : list of str
        Its item columns.
    rasch : inhd.rasch.RatingScaleResult or None
        The rating-scale fit (items, thresholds, persons, reliability); None for a measure of a
        single item, which is analysed as the item's score (one item gives no Rasch measure and
        no person reliability: the poster prints "N/A" for its five single-item measures).
    persons : pandas.DataFrame
        One row per respondent with at least one response to the measure's items:
        ``respondent_id, network_id``, ``school_id`` and ``wave`` when the respondents table has
        them, ``measure, se, known_variance, extreme``
        (``known_variance`` = se squared, the level-1 variance of the multilevel models; for a
        single item the score, with se 0: no measurement model at level 1).
    """

    measure: str
    items: list[str]
    rasch: RatingScaleResult | None
    persons: pd.DataFrame

    @property
    def is_item_score(self) -> bool:
        """True for a single-item measure analysed as the item's score (no Rasch calibration)."""
        return self.rasch is None

    def reporting_range(self, scale) -> tuple[float, float]:
        """The values mapped to 0 and 10 on the reporting scale: for a Rasch measure
        :func:`inhd.scales.reporting_range` of its items (the extreme scores' measures), for a
        single item the ends of its response ``scale`` ``(lowest, highest)``. Neither depends on
        any one respondent's answers."""
        if self.rasch is None:
            low, high = (float(v) for v in scale)
            if not low < high:
                raise ValueError(f"reporting_range: the response scale must run from low to high, got {scale!r}")
            return low, high
        return self.rasch.reporting_range()

    def summary(self) -> str:
        p = self.persons
        if self.rasch is None:
            return (f"{self.measure}: 1 item ({self.items[0]}), {len(p)} persons, analysed as the "
                    "item's score (no Rasch measure, no person reliability)")
        return (f"{self.measure}: {len(self.items)} items, {len(p)} persons "
                f"({int(p['extreme'].sum())} extreme), person reliability "
                f"{self.rasch.person_reliability:.3f}, converged {self.rasch.converged}")


def _check_columns(df: pd.DataFrame, columns, where: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{where}: column(s) {missing} not found; the respondents table has "
                         f"{list(df.columns)[:12]}{' ...' if df.shape[1] > 12 else ''}")


def calibrate_measure(respondents: pd.DataFrame, *, measure: str, items=None,
                      method: str = "jmle", scale=None) -> MeasureCalibration:
    """Rasch rating-scale calibration of one measure, persons labelled by network, school, wave.

    Parameters
    ----------
    respondents : pandas.DataFrame
        One row per respondent (and wave): ``respondent_id, network_id``, ``school_id`` and
        ``wave`` when the survey has them, and the item columns. Not modified.
    measure : str
        The measure's key (used for labels and, when ``items`` is None, to find its items).
    items : list of str, optional
        Item columns; default :func:`measure_items` (``<measure>_1``, ``<measure>_2``, ...).
    method : {"jmle", "cml"}
        Rasch estimation (:func:`inhd.rasch.fit_rating_scale`).
    scale : (int, int), optional
        The response scale (:func:`calibrate_items`).

    Returns
    -------
    MeasureCalibration

    Notes
    -----
    One calibration over all waves puts every wave on the same logit scale, so growth is
    measured on a fixed ruler. Respondents without any response to the measure's items are dropped
    by the Rasch fit and counted there (``rasch.n_dropped_empty``). In R: ``eRm::RSM`` on the
    items (CML), or Winsteps (JMLE). A measure of a single item is not calibrated: its persons
    are the item's score (codes as given), with se 0 and no extremes, and ``rasch`` is None.

    Examples
    --------
    >>> import pandas as pd, inhd
    >>> survey = pd.read_csv(inhd.DATA_DIR / "network_health_respondents_SYNTHETIC.csv")
    >>> cal = calibrate_measure(survey, measure="data_use")
    >>> cal.items
    ['data_use_1', 'data_use_2', 'data_use_3', 'data_use_4']
    >>> round(cal.rasch.person_reliability, 2), len(cal.persons)
    (0.89, 6213)
    """
    if not isinstance(respondents, pd.DataFrame):
        raise TypeError(f"respondents must be a pandas DataFrame, got {type(respondents).__name__}")
    items = measure_items(respondents.columns, measure) if items is None else list(items)
    _check_columns(respondents, [*REQUIRED_ID_COLUMNS, *items], f"calibrate_measure({measure!r})")
    if respondents["respondent_id"].duplicated().any():
        dup = respondents.loc[respondents["respondent_id"].duplicated(), "respondent_id"].iloc[0]
        raise ValueError(f"respondents: respondent_id must be unique (one row per response); "
                         f"{dup!r} appears more than once")
    ids = [c for c in ID_COLUMNS if c in respondents.columns]
    if len(items) == 1:
        return _item_score(respondents, measure, items[0], ids, scale)
    rasch = calibrate_items(respondents.set_index("respondent_id")[items], scale=scale, method=method)
    persons = rasch.persons[["measure", "se", "extreme"]].rename_axis("respondent_id").reset_index()
    persons = persons.merge(respondents[ids], on="respondent_id", how="left", validate="one_to_one")
    persons["known_variance"] = persons["se"] ** 2
    if "wave" in persons.columns:                # a loaded survey's nullable Int64 (never empty) as int64
        persons["wave"] = persons["wave"].astype("int64")
    persons = persons[[*ids, "measure", "se", "known_variance", "extreme"]]
    return MeasureCalibration(measure=measure, items=items, rasch=rasch, persons=persons)


def _item_score(respondents, measure, item, ids, scale) -> MeasureCalibration:
    """A single-item measure as its score: respondents who answered, se 0, never extreme."""
    score = pd.to_numeric(respondents[item], errors="coerce").astype(float)
    if scale is not None:
        off = score.notna() & ((score < scale[0]) | (score > scale[1]))
        if off.any():
            raise ValueError(f"item {item!r} holds codes outside the response scale "
                             f"{scale[0]}-{scale[1]}")
    answered = score.notna().to_numpy()
    persons = respondents.loc[answered, ids].reset_index(drop=True)
    persons["measure"] = score[answered].to_numpy()
    persons["se"] = 0.0
    persons["known_variance"] = 0.0
    persons["extreme"] = False
    if "wave" in persons.columns:
        persons["wave"] = persons["wave"].astype("int64")
    return MeasureCalibration(measure=measure, items=[item], rasch=None,
                              persons=persons[[*ids, "measure", "se", "known_variance", "extreme"]])


def calibrate_measures(respondents: pd.DataFrame, *, measures, method: str = "jmle", scale=None
                       ) -> dict[str, MeasureCalibration]:
    """:func:`calibrate_measure` for each measure.

    ``measures`` is a list of keys (items found by :func:`measure_items`), a mapping
    ``{measure: [item columns]}``, or a measures table (``measure`` and ``items`` columns, as
    ``Survey.measures``).
    """
    if isinstance(measures, pd.DataFrame):
        measures = dict(zip(measures["measure"], measures["items"]))
    if isinstance(measures, dict):
        return {m: calibrate_measure(respondents, measure=m, items=list(it), method=method, scale=scale)
                for m, it in measures.items()}
    return {m: calibrate_measure(respondents, measure=m, method=method, scale=scale) for m in measures}
