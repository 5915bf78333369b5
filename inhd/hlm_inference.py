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
    out = pd.DataFrame({"estimate": beta, "se": se, "statistic": stat}, index=pd.Index(names))
    if df is None:
        crit, p = Z95, 2 * stats.norm.sf(np.abs(stat))
    else:
        df = np.asarray(df, dtype=float)
        out["df"] = df
        crit, p = stats.t.isf(0.025, df), 2 * stats.t.sf(np.abs(stat), df)
    out["p_value"] = p
    out["ci_low"], out["ci_high"] = beta - crit * se, beta + crit * se
    return out


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


def _with_intervals(frame):
    frame["ci_low"] = frame["deviation"] - Z95 * frame["se"]
    frame["ci_high"] = frame["deviation"] + Z95 * frame["se"]
    return frame


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
    outer = pd.DataFrame({"deviation": u[:, 0], "se": se[:, 0]},
                         index=pd.Index(outer_labels, name=groups[0]))
    outer = _with_intervals(outer)
    outer["n_persons"] = np.diff(np.r_[design.outer_start, design.n])
    outer["reliability"] = lam[:, 0]
    rel = {groups[0]: float(np.mean(lam[:, 0]))}
    if design.q == 2:
        outer["slope_deviation"], outer["slope_se"] = u[:, 1], se[:, 1]
        outer["slope_reliability"] = lam[:, 1]
        rel[f"{groups[0]}:{random_slope}"] = float(np.mean(lam[:, 1]))
    effects = {groups[0]: outer}
    if design.has_inner:
        u_in, se_in, lam_in = _inner_eb(design, crit, tau_in, cov, parts)
        inner = pd.DataFrame({"deviation": u_in, "se": se_in},
                             index=pd.MultiIndex.from_tuples(list(inner_labels), names=groups))
        inner = _with_intervals(inner)
        inner["n_persons"] = np.diff(np.r_[design.inner_start, design.n])
        inner["reliability"] = lam_in
        effects[groups[1]] = inner
        rel[groups[1]] = float(np.mean(lam_in))
    rel["person"] = float(np.mean(sigma2 / (sigma2 + design.v)))
    return effects, pd.Series(rel, name="reliability")
