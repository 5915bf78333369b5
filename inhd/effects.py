"""Centering, dummy coding and effect sizes for multilevel models (Table 4 of Perlman, Bryk &
Russell 2025, the participatory-benefits paper).

Every function returns a new DataFrame and never modifies its input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["group_mean_center", "grand_mean_center", "dummy_code", "hedges_correction",
           "effect_sizes", "TABLE4_DEFINITION"]


def _check_columns(data, columns, arg):
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, found {type(data).__name__}")
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(f"{arg}: columns {missing} are not in data (have {list(data.columns)})")
    bad = [c for c in columns if not pd.api.types.is_numeric_dtype(data[c])]
    if bad:
        raise ValueError(f"{arg}: columns {bad} are not numeric")


def group_mean_center(data, columns, *, group):
    """Subtract each group's mean from person-level predictors (HLM "group-mean centering").

    Used for all level-2 (person) predictors in Table 4, so their coefficients are within-network
    effects. Returns a copy of ``data`` with ``columns`` centred; missing values stay missing
    (the group mean is taken over the non-missing values).

    In R: ``dat$x_c <- dat$x - ave(dat$x, dat$network, FUN = function(v) mean(v, na.rm = TRUE))``.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _check_columns(data, columns, "columns")
    if group not in data.columns:
        raise ValueError(f"group: column {group!r} is not in data")
    if data[group].isna().any():
        raise ValueError(f"group: column {group!r} has {int(data[group].isna().sum())} missing "
                         f"values")
    out = data.copy()
    for c in columns:
        out[c] = data[c] - data.groupby(group)[c].transform("mean")
    return out


def grand_mean_center(data, columns, *, group=None):
    """Subtract the grand mean from predictors (HLM "grand-mean centering").

    With ``group`` (e.g. the network column) the mean is over units of that level, each counted
    once, as HLM centres level-3 predictors on the level-3 file; every unit must then have a single
    value of each column. Without ``group`` the mean is over rows. Table 4 grand-mean centres all
    network-level predictors.
    """
    columns = [columns] if isinstance(columns, str) else list(columns)
    _check_columns(data, columns, "columns")
    out = data.copy()
    for c in columns:
        if group is None:
            mean = data[c].mean()
        else:
            if group not in data.columns:
                raise ValueError(f"group: column {group!r} is not in data")
            n_values = data.groupby(group)[c].nunique(dropna=False)
            if (n_values > 1).any():
                raise ValueError(f"columns: {c!r} varies within {group} "
                                 f"{list(n_values.index[n_values > 1][:5])}; a {group}-level "
                                 f"predictor must be constant within each unit")
            mean = data.groupby(group)[c].first().mean()
        out[c] = data[c] - mean
    return out


def dummy_code(data, column, *, reference, prefix=None):
    """Dummy (treatment) coding of a categorical column with a named reference category.

    Returns a DataFrame (same index as ``data``) with one 0/1 column per non-reference category,
    named ``f"{prefix}{category}"`` (prefix defaults to ``""``), in order of first appearance.
    Table 4 uses White and woman as references for race and gender, the instructional archetype
    and technical-assistance hubs for the network variables. Missing values raise (never imputed).
    """
    if column not in data.columns:
        raise ValueError(f"column: {column!r} is not in data")
    values = data[column]
    if values.isna().any():
        rows = list(data.index[values.isna()][:5])
        raise ValueError(f"column {column!r}: {int(values.isna().sum())} missing values "
                         f"(first rows: {rows}); recode them as an explicit category")
    cats = list(pd.unique(values))
    if reference not in cats:
        raise ValueError(f"reference: {reference!r} is not a category of {column!r} "
                         f"(found {cats})")
    prefix = "" if prefix is None else prefix
    return pd.DataFrame({f"{prefix}{c}": (values == c).astype(int) for c in cats if c != reference},
                        index=data.index)


def hedges_correction(df):
    """Hedges' small-sample correction J = 1 - 3 / (4 df - 1) (Hedges 1981)."""
    df = np.asarray(df, dtype=float)
    if np.any(df <= 0.25):
        raise ValueError(f"df: expected degrees of freedom > 0.25, found {df}")
    return 1.0 - 3.0 / (4.0 * df - 1.0)


TABLE4_DEFINITION = """\
Effect size of Table 4 (Perlman, Bryk & Russell 2025), found by search against all 12 printed
values: g = J(df) * b * delta / sqrt(var0), where
  b      the final-model coefficient,
  delta  1 for dummies; max - min in the data for continuous predictors (tenure 0-5, intensity
         0-1.5, duration since launch 1.5-5),
  var0   the UNCONDITIONAL model's variance component at the level where the predictor varies:
         person-level predictors e_0 = 3.362, network-level predictors r_00 = 1.242,
  J(df)  Hedges' correction 1 - 3/(4 df - 1) with df = 34 (number of networks) for person-level
         and df = 26 (34 networks - 7 network predictors - 1, HLM's level-3 df) for network-level
         predictors.
Given the coefficients' rounding (+-0.005) every printed value is reproduced to +-0.005. Admissible
df: person-level 34-494 (df = 33, HLM's df for a fixed level-2 slope, misses "additional
race" 0.45 by 5e-6 at the rounding edge; no correction, J = 1, misses mixed race); network-level
19-29. Final-model components (3.119, 0.559) or total variances do not reproduce the table.
"""


def effect_sizes(params, *, sd, df=None, delta=None):
    """Standardised effect sizes (Hedges' g) of regression coefficients.

    Parameters
    ----------
    params : pandas.Series
        Coefficients by term.
    sd : float or mapping term -> float
        The standardiser: the square root of the variance component at the level where the
        predictor varies (Table 4: the unconditional model's, see ``TABLE4_DEFINITION``).
    df : float or mapping term -> float, optional
        Degrees of freedom for Hedges' correction; ``None`` for no correction (Cohen's d).
    delta : mapping term -> float, optional
        Predictor contrast: 1 for dummies (default), max - min for continuous predictors.

    Returns
    -------
    pandas.DataFrame
        Columns ``term, estimate, delta, sd, df, correction, effect_size`` (one row per term).

    Notes
    -----
    g = J(df) * estimate * delta / sd, J(df) = 1 - 3 / (4 df - 1). See ``TABLE4_DEFINITION``
    for how this reproduces Table 4 of the participatory-benefits paper.
    """
    params = pd.Series(params, dtype=float)
    terms = list(params.index)

    def per_term(x, name, default):
        if x is None:
            return pd.Series(default, index=terms, dtype=float)
        if np.isscalar(x):
            return pd.Series(float(x), index=terms)
        missing = [t for t in terms if t not in x]
        if missing and default is None:
            raise ValueError(f"{name}: no value for terms {missing}")
        return pd.Series({t: float(x[t]) if t in x else default for t in terms})

    sd_s = per_term(sd, "sd", None)
    if (sd_s <= 0).any() or sd_s.isna().any():
        raise ValueError(f"sd: expected positive values, found {sd_s.to_dict()}")
    delta_s = per_term(delta, "delta", 1.0)
    df_s = per_term(df, "df", np.nan) if df is not None else pd.Series(np.nan, index=terms)
    corr = pd.Series([1.0 if np.isnan(d) else float(hedges_correction(d)) for d in df_s],
                     index=terms)
    es = corr * params * delta_s / sd_s
    return pd.DataFrame({"term": terms, "estimate": params.to_numpy(), "delta": delta_s.to_numpy(),
                         "sd": sd_s.to_numpy(), "df": df_s.to_numpy(),
                         "correction": corr.to_numpy(), "effect_size": es.to_numpy()})
