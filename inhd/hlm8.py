"""HLM 8's tests for the known-variance model: t-ratios on HLM's degrees of freedom, chi-square
tests of the variance components.

HLM (Raudenbush, Bryk, Cheong, Congdon & du Toit 2019, *HLM 8*; Raudenbush & Bryk 2002, ch. 3
and 8) writes the model level by level. In this package's terms the rows (persons, each with its
known measurement-error variance: HLM's level-1 measurement model) are nested in schools
(``groups[1]``, optional) nested in networks (``groups[0]``); each fixed effect belongs to one
coefficient's model, found from the level of its term (:func:`term_levels`):

========================  ==========================================  ===========================
term level                the fixed effect is ...                     HLM's df
========================  ==========================================  ===========================
``<network>``             the intercept or a network-level predictor  K - S - 1
                          of the intercept (constant within networks)
``<network>:<slope>``     the random slope's mean or a network-level  K - S_slope - 1
                          predictor of the slope (t x W, cross-level)
``<school>``              a school-level predictor (constant within   n_schools - F
                          schools; its coefficient does not vary
                          over networks)
``person``                a person-level predictor (coefficient not   N - F
                          random over any grouping level)
========================  ==========================================  ===========================

K is the number of networks, S (S_slope) the number of network-level predictors in the model for
the intercept (slope), N the number of rows, F the number of fixed effects. The first two rows are
HLM's rule for a coefficient that varies randomly over the units of a level: units minus that
coefficient's predictors minus 1 (Raudenbush & Bryk 2002, ch. 3, hypothesis tests for fixed
effects: J - S_q - 1). For a coefficient that is random over no level above, HLM reports the
number of level-1 records minus the number of fixed effects, which is the ``person`` row, the
rows here being HLM's level-1 records. HLM's own outputs show both rules (tested in
``tests/test_hlm8.py``): Singer & Willett's wages model A (6,402 records of 888 persons; an
intercept with one person-level predictor, a random EXPER slope with one, a fixed UE_7 slope;
5 fixed effects) reports 888 - 1 - 1 = 886 df for the first four and 6,402 - 5 = 6,397 for
UE_7; Hox's pupils (2,000 in 100 classes, fixed SEX slope) 99 and 1,998; Snijders & Bosker's
example 4.2 (2,287 pupils, 131 schools) 130 and 2,285. The ``<school>`` row applies the second
rule to the school units; it is this package's reading for the three-grouping-level case, not
taken from an HLM output. The issue's acceptance case: Perlman, Bryk & Russell's final Table 4
model has 34 networks and 7 network-level predictors, so its intercept and network-level terms
carry 34 - 7 - 1 = 26 df.

A term's level is detected from the data (a column constant within every network is
network-level; with a random slope on t, a column equal to c_k t within every network k is in the
slope's model; a column constant within every school is school-level; any other column is
person-level), or given by the caller (``levels``), which is what HLM's level-by-level input
amounts to.

Variance components are tested as in HLM (Raudenbush & Bryk 2002, eq. 3.103): for a random
coefficient q of the networks,

    chi^2_q = sum_k (b_qk - w_k' gamma_q)^2 / V_qqk,     df = K' - S_q - 1,

over the K' networks with sufficient data (their own GLS estimate b_k of the random coefficients
exists: Z_k' W_k Z_k invertible), where b_k is computed from network k's rows alone with the
fixed effects at their estimates and the lower levels' variances (schools, residual, known
error) at theirs, and V_k = (Z_k' W_k Z_k)^-1. Below the networks each unit's own estimate (a
school's precision-weighted mean residual, a person's measure with its known variance v_i) is
compared with the unit-specific estimates of the levels above it (HLM's three-level chi-square
for level-2 components, ch. 8): chi^2 is the precision-weighted residual sum of squares of the
unit estimates regressed, within each parent unit, on the parents' random coefficients, with
df = units - parameters of those regressions - the level's own predictors. Persons with v_i = 0
carry no test information and are left out; with no known variance at all the residual is HLM's
level-1 variance, which HLM does not test (NaN).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from inhd.hlm_likelihood import Criterion, Design

__all__ = ["term_levels", "hlm_df", "variance_tests", "PERSON"]

PERSON = "person"


def _constant_within(x, starts, tol):
    return bool(np.all(np.maximum.reduceat(x, starts) - np.minimum.reduceat(x, starts) <= tol))


def _proportional_to(x, t, starts, tol):
    """x = c_k t within every unit k (t not all zero there); returns (is_proportional, c)."""
    tt = np.add.reduceat(t * t, starts)
    if np.any(tt <= 0):
        return False, None
    c = np.add.reduceat(x * t, starts) / tt
    sizes = np.diff(np.r_[starts, len(x)])
    return bool(np.max(np.abs(x - np.repeat(c, sizes) * t)) <= tol), c


def _validate_levels(levels, names, allowed):
    problems = [f"{term!r} is not a term of the model (terms: {names})" for term in levels
                if term not in names]
    problems += [f"{term!r}: level {lev!r} is not one of {allowed}" for term, lev in levels.items()
                 if lev not in allowed]
    if problems:
        raise ValueError("levels: " + "; ".join(problems))


def term_levels(design: Design, names, groups, random_slope=None, levels=None) -> pd.Series:
    """The level of each fixed-effect term (see the module docstring): detected from the data,
    overridden by ``levels`` (a mapping term -> level) where given."""
    outer = groups[0]
    slope_level = f"{outer}:{random_slope}" if random_slope else None
    allowed = [outer] + ([slope_level] if slope_level else []) \
        + ([groups[1]] if design.has_inner else []) + [PERSON]
    levels = dict(levels or {})
    _validate_levels(levels, list(names), allowed)
    t = design.Z[:, 1] if design.q == 2 else None
    out = {}
    for j, name in enumerate(names):
        x = design.X[:, j]
        tol = 1e-10 * max(1.0, float(np.max(np.abs(x))))
        if name in levels:
            out[name] = levels[name]
        elif _constant_within(x, design.outer_start, tol):
            out[name] = outer
        elif t is not None and _proportional_to(x, t, design.outer_start, tol)[0]:
            out[name] = slope_level
        elif design.has_inner and _constant_within(x, design.inner_start, tol):
            out[name] = groups[1]
        else:
            out[name] = PERSON
    return pd.Series(out, name="level", dtype=object)


def hlm_df(levels: pd.Series, *, n_obs: int, n_units: dict, random_slope=None) -> pd.Series:
    """HLM's degrees of freedom per term from the terms' levels (module docstring's table)."""
    names = list(levels.index)
    outer = next(iter(n_units))
    n_fixed = len(names)
    s_int = int(sum(1 for n in names if levels[n] == outer and n != "Intercept"))
    slope_level = f"{outer}:{random_slope}" if random_slope else None
    s_slope = int(sum(1 for n in names if levels[n] == slope_level and n != random_slope))
    df = {}
    for name in names:
        lev = levels[name]
        if lev == outer:
            df[name] = n_units[outer] - s_int - 1
        elif lev == slope_level:
            df[name] = n_units[outer] - s_slope - 1
        elif lev == PERSON:
            df[name] = n_obs - n_fixed
        else:
            df[name] = n_units[lev] - n_fixed
    out = pd.Series(df, name="df", dtype=float)
    if (out < 1).any():
        bad = out[out < 1]
        raise ValueError(f"too few units for HLM's degrees of freedom: {bad.to_dict()} "
                         f"(units per level {dict(n_units)}, {n_fixed} fixed effects)")
    return out


def _row(stat, df, n_units):
    df = float(df)
    p = float(stats.chi2.sf(stat, df)) if df >= 1 else float("nan")
    return {"statistic": float(stat), "df": df, "p_value": p, "n_units": int(n_units)}


def _outer_tests(design, crit, names_q, s_q):
    """chi^2 per random coefficient of the networks (eq. 3.103)."""
    kk = design.p + 1
    P = crit.P
    C, ZZ = P[:, kk:, :kk], P[:, kk:, kk:]
    c_r = C @ np.r_[-crit.beta, 1.0]
    ok = np.linalg.cond(ZZ) < 1e12
    V = np.linalg.inv(ZZ[ok])
    b = np.einsum("jab,jb->ja", V, c_r[ok])
    n_ok = int(ok.sum())
    return {name: _row(np.sum(b[:, i] ** 2 / V[:, i, i]), n_ok - s_q[i] - 1, n_ok)
            for i, name in enumerate(names_q)}


def _within_rss(est, weight, unit_start, t=None):
    """Precision-weighted residual sum of squares of ``est`` regressed, within each run of units
    starting at ``unit_start``, on an intercept (and ``t``); returns (rss, parameters used)."""
    sw = np.add.reduceat(weight, unit_start)
    sizes = np.diff(np.r_[unit_start, len(est)])
    mean = np.add.reduceat(weight * est, unit_start) / sw
    e = est - np.repeat(mean, sizes)
    rss, n_par = float(np.sum(weight * e * e)), len(unit_start)
    if t is not None:
        tc = t - np.repeat(np.add.reduceat(weight * t, unit_start) / sw, sizes)
        stt = np.add.reduceat(weight * tc * tc, unit_start)
        ste = np.add.reduceat(weight * tc * e, unit_start)
        has = stt > 1e-12 * np.maximum(np.add.reduceat(weight * t * t, unit_start), 1e-300)
        rss -= float(np.sum(ste[has] ** 2 / stt[has]))
        n_par += int(has.sum())
    return rss, n_par


def _person_test(design, crit, n_person_terms):
    """chi^2 of the residual (person-level) variance: each person's measure with its known
    variance, against its school's or network's own intercept (and the network's slope)."""
    r = design.y - design.X @ crit.beta
    keep = design.v > 0
    if not keep.any():      # no measurement model: the residual is HLM's level-1 variance, untested
        return {"statistic": np.nan, "df": np.nan, "p_value": np.nan, "n_units": 0}
    parent = design.inner_start if design.has_inner else design.outer_start
    sizes = np.diff(np.r_[parent, design.n])
    unit = np.repeat(np.arange(len(parent)), sizes)[keep]
    starts = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    if design.q == 2:    # the network's slope on t, absorbed after the units' intercepts
        net = np.repeat(np.arange(design.n_outer), np.diff(np.r_[design.outer_start, design.n]))
        rss, n_par = _slope_absorbed(r[keep], 1.0 / design.v[keep], unit, net[keep],
                                     design.Z[keep, 1])
    else:
        rss, n_par = _within_rss(r[keep], 1.0 / design.v[keep], starts)
    n = int(keep.sum())
    return _row(rss, n - n_par - n_person_terms, n)


def _slope_absorbed(est, weight, unit, net, t):
    """RSS of est on unit intercepts plus one slope on t per network (Frisch-Waugh: centre est
    and t within units, then one slope per network)."""
    ustart = np.flatnonzero(np.r_[True, unit[1:] != unit[:-1]])
    usize = np.diff(np.r_[ustart, len(est)])
    sw = np.add.reduceat(weight, ustart)
    e = est - np.repeat(np.add.reduceat(weight * est, ustart) / sw, usize)
    tc = t - np.repeat(np.add.reduceat(weight * t, ustart) / sw, usize)
    nstart = np.flatnonzero(np.r_[True, net[1:] != net[:-1]])
    stt = np.add.reduceat(weight * tc * tc, nstart)
    ste = np.add.reduceat(weight * tc * e, nstart)
    has = stt > 1e-12 * np.maximum(np.add.reduceat(weight * t * t, nstart), 1e-300)
    rss = float(np.sum(weight * e * e) - np.sum(ste[has] ** 2 / stt[has]))
    return rss, len(ustart) + int(has.sum())


def _school_test(design, crit, n_school_terms):
    """chi^2 of the school variance: each school's precision-weighted mean residual (variance
    1 / s_m) against its network's own intercept (and slope on the school's mean t)."""
    kk = design.p + 1
    est = crit.S[:, :kk] @ np.r_[-crit.beta, 1.0] / crit.s
    t = crit.S[:, kk + 1] / crit.s if design.q == 2 else None
    rss, n_par = _within_rss(est, crit.s, design.inner_outer_start, t)
    n = len(est)
    return _row(rss, n - n_par - n_school_terms, n)


def variance_tests(design: Design, crit: Criterion, levels: pd.Series, *, groups,
                   random_slope=None) -> pd.DataFrame:
    """HLM's chi-square test of each variance component (module docstring): a frame indexed by
    component (the names of ``variance_components``, covariances excepted) with ``statistic, df,
    p_value, n_units`` (the units with sufficient data)."""
    outer = groups[0]
    names_q = [outer] + ([f"{outer}:{random_slope}"] if design.q == 2 else [])
    s_q = [int(sum(1 for n, lev in levels.items() if lev == outer and n != "Intercept"))]
    if design.q == 2:
        s_q.append(int(sum(1 for n, lev in levels.items()
                           if lev == names_q[1] and n != random_slope)))
    rows = _outer_tests(design, crit, names_q, s_q)
    if design.has_inner:
        rows[groups[1]] = _school_test(design, crit, int((levels == groups[1]).sum()))
    rows["residual"] = _person_test(design, crit, int((levels == PERSON).sum()))
    return pd.DataFrame.from_dict(rows, orient="index")[["statistic", "df", "p_value", "n_units"]]
