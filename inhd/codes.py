"""Response codes: a respondents x items table checked and turned into codes 0..m.

Shared by the calibrations of :mod:`inhd.rasch` (rating-scale model) and
:mod:`inhd.partial_credit` (partial credit model): every bad value of a table is reported at once,
naming its column and row; codes are shifted so that the lowest category is 0; values given per
item or per person are aligned on the caller's labels; designs whose items fall into unlinked
blocks are refused.
"""

from __future__ import annotations

import warnings
from typing import Mapping

import numpy as np
import pandas as pd

from inhd.rsm import linked_items

__all__ = ["coerce_codes", "aligned", "check_connected"]


def _column_codes(s, name, col, index, problems):
    """One column as float codes (NaN where missing); bad values are reported in ``problems``."""
    present = s.notna().to_numpy()
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        v = s.astype("float64").to_numpy(na_value=np.nan)
    else:
        v = pd.to_numeric(s, errors="coerce").astype("float64").to_numpy(na_value=np.nan)
        if pd.api.types.is_string_dtype(s.dtype) or s.dtype == object:
            # text that happens to parse is still text: codes must be numbers
            is_num = np.array([isinstance(x, (int, float, np.integer, np.floating))
                               and not isinstance(x, bool) or pd.isna(x)
                               for x in s.to_numpy(dtype=object)])
            v = np.where(is_num, v, np.nan)
    with np.errstate(invalid="ignore"):
        bad = present & ~(np.isfinite(v) & (v == np.round(v)))
    if bad.any():
        idx = np.flatnonzero(bad)[:3]
        shown = ", ".join(f"{_show(s.iloc[i])} (row {_show(index[i])})" for i in idx)
        more = f" and {bad.sum() - len(idx)} more" if bad.sum() > len(idx) else ""
        text = any(isinstance(s.iloc[i], str) for i in idx)
        hint = " (text, not numbers: convert with pd.to_numeric)" if text else ""
        problems.append(f"column {col!r}: non-integer codes {shown}{more}{hint}")
        v = np.where(bad, np.nan, v)
    return v


def coerce_codes(responses, min_category, n_categories, *, name="responses", calibrating=True,
                 scale_from="min_category and n_categories"):
    """Validate a respondents x items frame of integer codes and shift them to 0..m.

    Parameters
    ----------
    responses : pandas.DataFrame
        Rows respondents, columns items; NaN/NA marks a missing response. Not modified.
    min_category, n_categories : int or None
        The scale (default: the smallest observed code, and up to the largest).
    name : str
        How messages name the table.
    calibrating : bool
        Refuse items nobody answered and a single observed category (a calibration needs
        them); scoring with fixed items does not.
    scale_from : str
        How messages name the source of the scale.

    Returns
    -------
    X : numpy.ndarray of float
        Codes 0..m, NaN where missing (a new array).
    min_category, m : int

    Raises
    ------
    TypeError
        ``responses`` is not a DataFrame.
    ValueError
        Naming every bad column with up to three of its rows: text or non-integer codes, codes
        outside the scale, duplicated or unanswered items, an empty table.
    """
    if not isinstance(responses, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame (rows respondents, columns items); "
                        f"got {type(responses).__name__}")
    if responses.shape[0] == 0 or responses.shape[1] == 0:
        raise ValueError(f"{name} is empty ({responses.shape[0]} rows x {responses.shape[1]} "
                         "columns); need at least one respondent and one item")
    dup = responses.columns[responses.columns.duplicated()].unique().tolist()
    if dup:
        raise ValueError(f"{name} has duplicated item columns: {dup}")
    problems: list[str] = []
    X = np.empty(responses.shape)
    for j, col in enumerate(responses.columns):
        X[:, j] = _column_codes(responses.iloc[:, j], name, col, responses.index, problems)
    if problems:
        raise ValueError(f"{name} must hold integer response codes (missing as NaN/NA): "
                         + "; ".join(problems))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)        # all-NaN columns
        col_min, col_max = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    never = [c for c, a in zip(responses.columns, np.isnan(col_min)) if a]
    if never and calibrating:
        raise ValueError(f"{name}: nobody answered item(s) {never}; drop these columns")
    if len(never) == len(responses.columns):
        raise ValueError(f"{name} holds no responses at all (every cell is missing)")
    low, high = int(np.nanmin(col_min)), int(np.nanmax(col_max))
    lo = low if min_category is None else int(min_category)
    if low < lo:
        raise ValueError(f"{name}: code {low} is below min_category={lo}")
    if n_categories is None:
        m = high - lo
    else:
        if int(n_categories) < 2:
            raise ValueError(f"n_categories must be at least 2, got {n_categories}")
        m = int(n_categories) - 1
        if high > lo + m:
            out = [f"{c!r}" for c, top in zip(responses.columns, col_max) if top > lo + m]
            raise ValueError(f"{name}: codes above {lo + m} (the scale {lo}-{lo + m} given by "
                             f"{scale_from}) in column(s) {', '.join(out)}")
    if low == high and calibrating:
        raise ValueError(f"{name}: only one response category (code {low}) is observed; "
                         "a Rasch model needs at least two")
    X -= lo
    return X, lo, m


def _show(value):
    """A value as a person would type it (no numpy reprs in messages)."""
    if isinstance(value, (np.generic,)):
        value = value.item()
    return repr(value) if isinstance(value, str) else str(value)


def aligned(values, labels, name):
    """Values given per item or per person as a float array in the order of ``labels``: a
    Series or mapping is matched on the labels, an array must have one value per label;
    all must be finite (``ValueError`` naming ``name`` otherwise)."""
    if isinstance(values, (pd.Series, Mapping)):
        s = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values
        missing = [k for k in labels if k not in s.index]
        if missing:
            raise ValueError(f"{name} has no value for {missing[:5]}")
        v = s.reindex(labels).to_numpy(dtype=float)
    else:
        v = np.asarray(values, dtype=float).ravel()
        if v.size != len(labels):
            raise ValueError(f"{name} has {v.size} values; expected {len(labels)}")
    if not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite")
    return v


def check_connected(obs, item_names, fixed):
    """Refuse designs whose persons and items fall into separate, unlinked blocks (the items
    are linked when some person answered both; every person answered some item)."""
    if fixed or obs.shape[0] == 0:
        return
    n_comp, label = linked_items(obs)
    if n_comp > 1:
        blocks = [list(map(str, item_names[label == k])) for k in np.unique(label)]
        raise ValueError("responses: the items fall into unlinked blocks answered by disjoint "
                         f"sets of respondents, so their relative difficulty is not identified: "
                         f"{blocks[:4]}; add linking items or calibrate the blocks separately")
