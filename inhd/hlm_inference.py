"""What a fitted known-variance model reports: fixed-effects table, variance components, EB estimates.

The steps after :func:`inhd.hlm_likelihood.optimise` in :func:`inhd.hlm.fit_known_variance`:
the fixed-effects table (z or t tests), the variance components named by grouping level, and the
empirical Bayes (EB) estimates of every unit's deviation with metafor's posterior SEs and the
units' reliabilities (Raudenbush & Bryk 2002, eq. 3.58).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from inhd.hlm_likelihood import Criterion, Design

__all__ = ["fixed_effects_table", "variance_components", "empirical_bayes"]

Z95 = float(stats.norm.isf(0.025))


def fixed_effects_table(beta, cov, names, df=None) -> pd.DataFrame:
    """``estimate, se, statistic, p_value, ci_low, ci_high`` per term: z tests and normal 95%
    intervals (metafor's ``test = "z"``) when ``df`` is None, otherwise t tests on ``df`` (a value
    per term, shown as a ``df`` column after ``statistic``) with t intervals (HLM's t-ratios)."""
    beta, se = np.asarray(beta, dtype=float), np.sqrt(np.diag(cov))
    stat = beta / se
    cols = {"estimate": beta, "se": se, "statistic": stat}
    if df is None:
        crit, p = Z95, 2 * stats.norm.sf(np.abs(stat))
    else:
        cols["df"] = df = np.asarray(df, dtype=float)
        crit, p = stats.t.isf(0.025, df), 2 * stats.t.sf(np.abs(stat), df)
    cols.update(p_value=p, ci_low=beta - crit * se, ci_high=beta + crit * se)
    return pd.DataFrame(cols, index=pd.Index(names))


def variance_components(crit: Criterion, at_boundary, design: Design, groups, random_slope):
    """The variance components as a Series named by grouping level (then the slope's variance and
    covariance, then ``residual``), a variance held on its boundary reported as 0; also returns
    G (q x q) and the school variance for the EB step."""
    L = crit.L
    G = L @ L.T
    if design.q == 1 and at_boundary[0]:
        G = np.zeros((1, 1))
    tau_in = crit.tau_inner if design.has_inner and not at_boundary[-2] else 0.0
    sigma2 = crit.sigma2 if not at_boundary[-1] else 0.0
    vc = {groups[0]: G[0, 0]}
    if design.q == 2:
        vc[f"{groups[0]}:{random_slope}"] = G[1, 1]
        vc[f"cov({groups[0]}, {groups[0]}:{random_slope})"] = G[0, 1]
    if design.has_inner:
        vc[groups[1]] = tau_in
    vc["residual"] = sigma2
    return pd.Series(vc, name="variance", dtype=float), G, tau_in, sigma2


def _frame(deviation, se, n_persons, reliability, index, **slope):
    """A level's EB frame in one construction: the vocabulary's columns, then the slope's."""
    cols = {"deviation": deviation, "se": se, "ci_low": deviation - Z95 * se,
            "ci_high": deviation + Z95 * se, "n_persons": n_persons, "reliability": reliability}
    return pd.DataFrame({**cols, **slope}, index=index)


def _outer_eb(design, crit, G, cov):
    """EB deviations of the networks (metafor's ``ranef``): u = G Z'V^-1 r and
    Var(u - u_hat) = G - G Z'P Z G, with the Woodbury pieces of the fit; also the pieces the
    schools' EB needs."""
    kk, p = design.p + 1, design.p
    L, Minv, P = crit.L, crit.Minv, crit.P
    C, ZZ = P[:, kk:, :kk], P[:, kk:, kk:]
    bvec = np.r_[-crit.beta, 1.0]
    c_r = C @ bvec                                         # Z'W r      (J x q)
    LMLt = np.einsum("ab,jbc,dc->jad", L, Minv, L)         # L M^-1 L'  (J x q x q)
    ZVr = c_r - np.einsum("jab,jbc,jc->ja", ZZ, LMLt, c_r)
    u = ZVr @ G.T
    ZVZ = ZZ - np.einsum("jab,jbc,jcd->jad", ZZ, LMLt, ZZ)
    Cx = C[:, :, :p]                                       # Z'W X      (J x q x p)
    XVZ = Cx - np.einsum("jab,jbc,jcd->jad", ZZ, LMLt, Cx)
    ZPZ = ZVZ - np.einsum("jap,pk,jbk->jab", XVZ, cov, XVZ)
    vpred = G[None] - np.einsum("ab,jbc,cd->jad", G, ZPZ, G)
    se = np.sqrt(np.clip(np.diagonal(vpred, axis1=1, axis2=2), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.linalg.inv(ZZ)          # error covariance of each network's own GLS estimate
    lam = np.diag(G)[None] / (np.diag(G)[None] + np.diagonal(delta, axis1=1, axis2=2))
    return u, se, lam, (c_r, LMLt, Cx, bvec)


def _inner_eb(design, crit, tau_in, cov, outer_parts):
    """EB deviations of the schools: u_m = tau 1_m'V^-1 r, Var(u_m - u_hat_m) = tau - tau^2 1'P 1."""
    c_r, LMLt, Cx, bvec = outer_parts
    p, kk = design.p, design.p + 1
    S, s = crit.S, crit.s
    g = 1.0 / (1.0 + tau_in * s)
    j = design.outer_of_inner
    SZ = g[:, None] * S[:, kk:]                            # Z'W 1_m    (K x q)
    a_r = g * (S[:, :kk] @ bvec)                           # 1_m'W r
    LM = LMLt[j]
    kVr = a_r - np.einsum("ka,kab,kb->k", SZ, LM, c_r[j])
    kVk = s * g - np.einsum("ka,kab,kb->k", SZ, LM, SZ)
    xVk = g[:, None] * S[:, :p] - np.einsum("kap,kab,kb->kp", Cx[j], LM, SZ)
    kPk = kVk - np.einsum("kp,pq,kq->k", xVk, cov, xVk)
    u = tau_in * kVr
    se = np.sqrt(np.clip(tau_in - tau_in ** 2 * kPk, 0, None))
    lam = tau_in / (tau_in + 1.0 / s)
    return u, se, lam


def empirical_bayes(design: Design, crit: Criterion, G, tau_in, sigma2, cov, *, groups,
                    outer_labels, inner_labels, random_slope):
    """Per grouping level a frame indexed by unit: ``deviation, se, ci_low, ci_high, n_persons,
    reliability`` (with a random slope also ``slope_deviation, slope_se, slope_reliability``),
    and the mean reliability per level (plus ``person``: mean sigma^2 / (sigma^2 + v_i))."""
    u, se, lam, parts = _outer_eb(design, crit, G, cov)
    slope = {}
    rel = {groups[0]: float(np.mean(lam[:, 0]))}
    if design.q == 2:
        slope = {"slope_deviation": u[:, 1], "slope_se": se[:, 1], "slope_reliability": lam[:, 1]}
        rel[f"{groups[0]}:{random_slope}"] = float(np.mean(lam[:, 1]))
    effects = {groups[0]: _frame(u[:, 0], se[:, 0], np.diff(np.r_[design.outer_start, design.n]),
                                 lam[:, 0], pd.Index(outer_labels, name=groups[0]), **slope)}
    if design.has_inner:
        u_in, se_in, lam_in = _inner_eb(design, crit, tau_in, cov, parts)
        index = pd.MultiIndex.from_tuples(list(inner_labels), names=groups)
        effects[groups[1]] = _frame(u_in, se_in, np.diff(np.r_[design.inner_start, design.n]),
                                    lam_in, index)
        rel[groups[1]] = float(np.mean(lam_in))
    rel["person"] = float(np.mean(sigma2 / (sigma2 + design.v)))
    return effects, pd.Series(rel, name="reliability")
