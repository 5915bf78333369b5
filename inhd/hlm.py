"""Multilevel models with a known-variance measurement model (HLM 8's "V-known" model, metafor).

The INHD papers analyse Rasch person measures with a three-level HLM whose level 1 is a measurement
model: each person's measure carries a known error variance (its squared Rasch SE).

    y_i = x_i' beta + u_network[i] (+ u_school[i]) + e_i + eps_i,
    eps_i ~ N(0, v_i) known,  e_i ~ N(0, sigma^2),  u_network ~ N(0, tau_network),
    u_school ~ N(0, tau_school)  (optionally a network-specific slope on a wave column).

In R this is ``metafor::rma.mv(y, v, mods = ~ x, random = ~ 1 | network/person)`` (or
``~ 1 | network/school/person``); our ``residual`` is metafor's ``network/person`` component.
No N x N matrix is ever built: the marginal covariance is block diagonal by network and each block
is inverted with the Woodbury identity (schools within a network in closed form), using per-group
sums of the data, so one likelihood evaluation costs O(N p^2).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import patsy
from scipy import optimize, stats

from inhd.warnings import ConvergenceWarning

__all__ = ["KnownVarianceResult", "fit_known_variance"]

_LOG_FLOOR = -30.0  # log-variance below which a component is reported as 0 (boundary)


@dataclass(frozen=True)
class KnownVarianceResult:
    """Result of :func:`fit_known_variance`.

    Attributes
    ----------
    params, bse : pandas.Series
        Fixed effects (intercept named ``Intercept``) and their SEs (inverse of X'V^-1 X).
    fixed_effects : pandas.DataFrame
        Indexed by term: ``estimate, se, statistic, p_value, ci_low, ci_high``, the statistic a
        z statistic with two-sided normal p-value and 95% interval (metafor's default
        ``test="z"``).
    cov_params : pandas.DataFrame
        Covariance matrix of the fixed effects.
    variance_components : pandas.Series
        One entry per grouping column (its name), then, with a random slope on ``t``,
        ``"<outer>:<t>"`` (slope variance) and ``"cov(<outer>, <outer>:<t>)"``, then ``residual``.
    llf : float
        Maximised (restricted) log-likelihood, on metafor's scale (REML includes +1/2 log|X'X|).
    method : str
    converged : bool
    n_iter : int
    random_effects : dict of str to pandas.DataFrame
        Per grouping level, indexed by unit (inner levels by ``(outer, inner)``): empirical Bayes
        estimates of the unit's deviation ``deviation`` (u_j) and posterior SEs ``se`` (metafor's ``ranef``: sqrt of
        diag(G - G Z' P Z G), accounting for the estimation of beta), ``ci_low``/``ci_high``
        (+-1.96 se), ``n_persons`` and the unit's ``reliability``; with a random slope also
        ``slope_deviation``, ``slope_se``, ``slope_reliability``.
    reliability : pandas.Series
        Mean reliability per level (Raudenbush & Bryk 2002, eq. 3.58): for a grouping level the
        mean over units of lambda_j = tau / (tau + Delta_j), Delta_j the error variance of unit j's
        precision-weighted mean given the lower levels; ``"<outer>:<t>"`` the same for slopes; and
        ``person`` the mean of sigma^2 / (sigma^2 + v_i).
    """

    params: pd.Series
    bse: pd.Series
    fixed_effects: pd.DataFrame
    cov_params: pd.DataFrame
    variance_components: pd.Series
    llf: float
    method: str
    converged: bool
    n_iter: int
    random_effects: dict
    reliability: pd.Series
    n_obs: int
    n_groups: pd.Series
    formula: str
    groups: tuple
    random_slope: str | None

    def summary(self) -> str:
        """A plain-text summary: fixed effects, variance components, reliabilities."""
        fe = self.fixed_effects
        lines = [f"Known-variance multilevel model ({self.method}), formula: {self.formula}",
                 f"n_obs = {self.n_obs}; groups: "
                 + ", ".join(f"{k} = {v}" for k, v in self.n_groups.items()),
                 f"log-likelihood = {self.llf:.4f}; converged = {self.converged} "
                 f"({self.n_iter} iterations)", "", "Fixed effects:", fe.to_string(), "",
                 "Variance components:", self.variance_components.to_string(), "",
                 "Reliability (mean lambda):", self.reliability.to_string()]
        return "\n".join(lines)

    def plot_caterpillar(self, level=None, *, ax=None, rescale=None, highlight=None):
        """Caterpillar plot of a level's EB estimates (Intercept + u_j), sorted, with +-2 SE bars.

        Parameters
        ----------
        level : str, optional
            A grouping column; default the outermost.
        ax : matplotlib Axes, optional
        rescale : callable, optional
            A linear map of the logit scale (e.g. onto the 0-10 reporting scale), applied to the
            estimates and the bar ends (Figure 2 of the participatory-benefits paper).
        highlight : optional
            A unit id drawn in a contrasting colour.
        """
        import matplotlib.pyplot as plt

        level = self.groups[0] if level is None else level
        if level not in self.random_effects:
            raise ValueError(f"level: {level!r} is not one of the grouping levels "
                             f"{list(self.groups)}")
        re = self.random_effects[level]
        centre = re["deviation"] + float(self.params.get("Intercept", 0.0))
        order = np.argsort(centre.to_numpy(), kind="stable")
        est = centre.to_numpy()[order]
        lo, hi = est - 2 * re["se"].to_numpy()[order], est + 2 * re["se"].to_numpy()[order]
        if rescale is not None:
            est, lo, hi = (np.asarray(rescale(a), dtype=float) for a in (est, lo, hi))
        if ax is None:
            _, ax = plt.subplots()
        x = np.arange(len(est))
        ids = list(re.index[order])
        colors = ["C3" if (highlight is not None and i == highlight) else "C0" for i in ids]
        ax.vlines(x, lo, hi, colors=colors)
        ax.scatter(x, est, c=colors, zorder=3)
        ax.set_xticks(x, [str(i) for i in ids], rotation=90)
        ax.set_xlabel(str(level))
        ax.set_ylabel("EB estimate (±2 SE)" + (" rescaled" if rescale is not None else ""))
        return ax


def _validate(data, formula, known_variance, groups, method, random_slope):
    problems = []
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data: expected a pandas DataFrame, found {type(data).__name__}")
    if method not in ("REML", "ML"):
        problems.append(f"method: expected 'REML' or 'ML', found {method!r}")
    if isinstance(groups, str):
        groups = [groups]
    groups = list(groups)
    if not 1 <= len(groups) <= 2:
        problems.append(f"groups: expected one or two grouping columns (outermost first), "
                        f"found {groups!r}")
    for col in [known_variance, *groups] + ([random_slope] if random_slope else []):
        if col not in data.columns:
            problems.append(f"column {col!r} (from argument known_variance/groups/random_slope) "
                            f"is not in data")
    if known_variance in data.columns:
        v = pd.to_numeric(data[known_variance], errors="coerce")
        bad = data.index[~np.isfinite(v.to_numpy(dtype=float, na_value=np.nan))
                         | (v.to_numpy(dtype=float, na_value=np.nan) < 0)]
        if len(bad):
            problems.append(f"known_variance column {known_variance!r}: {len(bad)} rows are "
                            f"missing, negative or non-numeric (first rows: {list(bad[:5])})")
    for g in groups:
        if g in data.columns and data[g].isna().any():
            problems.append(f"groups column {g!r}: {int(data[g].isna().sum())} missing values "
                            f"(first rows: {list(data.index[data[g].isna()][:5])})")
    if random_slope and random_slope in data.columns:
        t = pd.to_numeric(data[random_slope], errors="coerce")
        if t.isna().any():
            problems.append(f"random_slope column {random_slope!r}: missing or non-numeric values")
    if problems:
        raise ValueError("; ".join(problems))
    return groups


class _Model:
    """Sorted data and per-group sums for the block-diagonal likelihood."""

    def __init__(self, y, X, v, outer_codes, inner_codes, tcol):
        order = np.lexsort((inner_codes, outer_codes)) if inner_codes is not None \
            else np.argsort(outer_codes, kind="stable")
        self.order = order
        self.y, self.X, self.v = y[order], X[order], v[order]
        self.n, self.p = X.shape
        oc = outer_codes[order]
        self.outer_start = np.flatnonzero(np.r_[True, oc[1:] != oc[:-1]])
        self.n_outer = len(self.outer_start)
        Z = [np.ones(self.n)] + ([tcol[order]] if tcol is not None else [])
        self.Z = np.column_stack(Z)
        self.q = self.Z.shape[1]
        self.A = np.column_stack([self.X, self.y, self.Z])  # m = p + 1 + q columns
        self.AA = self.A[:, :, None] * self.A[:, None, :]
        self.has_inner = inner_codes is not None
        if self.has_inner:
            ic = inner_codes[order]
            key_change = np.r_[True, (ic[1:] != ic[:-1]) | (oc[1:] != oc[:-1])]
            self.inner_start = np.flatnonzero(key_change)
            inner_of_row = np.cumsum(key_change) - 1
            outer_of_inner = np.searchsorted(self.outer_start, self.inner_start, side="right") - 1
            self.inner_outer_start = np.flatnonzero(
                np.r_[True, outer_of_inner[1:] != outer_of_inner[:-1]])
            self.outer_of_inner = outer_of_inner
            self.inner_of_row = inner_of_row
        self.logdet_xx = np.linalg.slogdet(self.X.T @ self.X)[1]

    def unpack(self, theta):
        q = self.q
        if q == 1:
            L = np.array([[np.exp(theta[0])]])
            k = 1
        else:
            L = np.array([[np.exp(theta[0]), 0.0], [theta[1], np.exp(theta[2])]])
            k = 3
        tau_in = np.exp(theta[k]) if self.has_inner else 0.0
        sigma2 = np.exp(theta[-1])
        return L, tau_in, sigma2

    def pieces(self, theta):
        L, tau_in, sigma2 = self.unpack(theta)
        p, q = self.p, self.q
        d = sigma2 + self.v
        w = 1.0 / d
        P = np.add.reduceat(self.AA * w[:, None, None], self.outer_start, axis=0)
        logdet = np.sum(np.log(d))
        out = {"L": L, "tau_in": tau_in, "sigma2": sigma2, "w": w}
        if self.has_inner:
            S = np.add.reduceat(self.A * w[:, None], self.inner_start, axis=0)
            s = np.add.reduceat(w, self.inner_start)
            c = tau_in / (1.0 + tau_in * s)
            P = P - np.add.reduceat(c[:, None, None] * S[:, :, None] * S[:, None, :],
                                    self.inner_outer_start, axis=0)
            logdet += np.sum(np.log1p(tau_in * s))
            out.update(S=S, s=s, g=1.0 / (1.0 + tau_in * s))
        k = p + 1
        B, C, ZZ = P[:, :k, :k], P[:, k:, :k], P[:, k:, k:]
        M = np.eye(q)[None] + np.einsum("ab,jac,cd->jbd", L, ZZ, L)
        Minv = np.linalg.inv(M)
        logdet += np.sum(np.linalg.slogdet(M)[1])
        LtC = np.einsum("ab,jac->jbc", L, C)
        Q = (B - np.einsum("jba,jbc,jcd->jad", LtC, Minv, LtC)).sum(axis=0)
        XtVX, XtVy, ytVy = Q[:p, :p], Q[:p, p], Q[p, p]
        beta = np.linalg.solve(XtVX, XtVy)
        rss = ytVy - XtVy @ beta
        out.update(P=P, B=B, C=C, ZZ=ZZ, Minv=Minv, XtVX=XtVX, beta=beta, rss=rss, logdet=logdet)
        return out

    def loglik(self, theta, method):
        pc = self.pieces(theta)
        if method == "ML":
            return -0.5 * (self.n * np.log(2 * np.pi) + pc["logdet"] + pc["rss"])
        logdet_xvx = np.linalg.slogdet(pc["XtVX"])[1]
        return -0.5 * ((self.n - self.p) * np.log(2 * np.pi) - self.logdet_xx + pc["logdet"]
                       + logdet_xvx + pc["rss"])


def _num_grad(f, x, h=1e-5):
    g = np.empty_like(x)
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def _num_hess(f, x, h=1e-4):
    k = len(x)
    H = np.empty((k, k))
    for i in range(k):
        e = np.zeros(k)
        e[i] = h
        H[i] = (_num_grad(f, x + e) - _num_grad(f, x - e)) / (2 * h)
    return 0.5 * (H + H.T)


def fit_known_variance(data, formula, *, known_variance, groups, method="REML",
                       random_slope=None, tol=1e-8, max_iter=200):
    """Fit a multilevel model whose level-1 error variances are known (HLM's V-known model).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per person (never modified).
    formula : str
        patsy formula for the fixed part, e.g. ``"measure ~ team_lead + tenure"``.
    known_variance : str
        Column holding each row's known error variance (the squared Rasch SE).
    groups : list of str
        Grouping columns, outermost first (one or two): ``["network_id"]`` or
        ``["network_id", "school_id"]``; inner units are nested (identified within outer ones).
    method : {"REML", "ML"}
    random_slope : str, optional
        Numeric column (e.g. survey wave) with a random slope at the outer level; intercept and
        slope covary (metafor ``struct = "GEN"``).
    tol : float
        Convergence tolerance on the Newton step of the log-variance parameters.
    max_iter : int

    Returns
    -------
    KnownVarianceResult

    Raises
    ------
    ValueError
        Missing columns, negative or missing known variances, missing group labels, missing
        values in the formula's variables, a rank-deficient design, a bad ``method``.

    Notes
    -----
    Model: y = X beta + Z_net u_net (+ Z_school u_school) + e + eps, Var(e_i + eps_i) =
    sigma^2 + v_i with v_i known. beta is profiled out by GLS; the log-variances (a Cholesky
    factor with log diagonal for the random slope) are optimised by BFGS and polished by Newton
    steps, both with central-difference derivatives of the exact (restricted) log-likelihood.
    ``llf`` equals metafor's ``logLik`` (REML includes +1/2 log|X'X|).

    In R: ``metafor::rma.mv(y, v, mods = ~ x, random = ~ 1 | network/person, method = "REML")``.
    Verified against metafor 3.8.1 in ``tests/test_hlm.py`` (reference/metafor/). A variance
    component on the boundary is reported as (near) 0. Only the outermost level may carry a slope;
    at most two grouping levels (networks, schools) above persons.

    Examples
    --------
    >>> import pandas as pd
    >>> from inhd import ROOT
    >>> sim = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")
    >>> res = fit_known_variance(sim, "y ~ x_person + lead + net_z", known_variance="v",
    ...                          groups=["network_id", "school_id"])
    >>> res.variance_components.round(3).to_dict()
    {'network_id': 0.915, 'school_id': 0.276, 'residual': 0.869}
    >>> sorted(res.reliability.index)
    ['network_id', 'person', 'school_id']

    References
    ----------
    Raudenbush, S. W. & Bryk, A. S. (2002). Hierarchical linear models (2nd ed.), ch. 3, 7 and 8.
    Perlman, Bryk & Russell (2025), Table 4 (the three-level model with a measurement model).
    """
    groups = _validate(data, formula, known_variance, groups, method, random_slope)
    try:
        y_df, X_df = patsy.dmatrices(formula, data, return_type="dataframe", NA_action="raise")
    except patsy.PatsyError as exc:
        raise ValueError(f"formula {formula!r}: {exc}") from None
    X = X_df.to_numpy(dtype=float)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise ValueError(f"formula {formula!r}: the fixed-effects design is rank deficient "
                         f"(columns {list(X_df.columns)})")
    y = y_df.to_numpy(dtype=float)[:, 0]
    v = pd.to_numeric(data[known_variance]).to_numpy(dtype=float)
    outer_codes, outer_labels = pd.factorize(data[groups[0]], sort=True)
    inner_codes = inner_labels = None
    if len(groups) == 2:
        pairs = pd.MultiIndex.from_arrays([data[groups[0]], data[groups[1]]])
        inner_codes, inner_labels = pd.factorize(pairs, sort=True)
    tcol = pd.to_numeric(data[random_slope]).to_numpy(dtype=float) if random_slope else None
    model = _Model(y, X, v, outer_codes, inner_codes, tcol)

    # starting values from OLS residuals
    resid = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    var0 = max(np.var(resid), 1e-4)
    sig0 = max(var0 - np.mean(v), 0.3 * var0)
    # theta: log tau_outer (or log-Cholesky of G with a slope), log tau_inner, log sigma^2
    theta0 = [np.log(0.3 * var0)] if model.q == 1 else [np.log(np.sqrt(0.3 * var0)), 0.0,
                                                          np.log(np.sqrt(0.05 * var0))]
    if model.has_inner:
        theta0.append(np.log(0.1 * var0))
    theta0.append(np.log(sig0))
    theta0 = np.asarray(theta0, dtype=float)

    def nll(th):
        if model.q == 1:
            th = th.copy()
            th[0] = th[0] / 2.0  # theta holds log tau; L = sqrt(tau)
        val = -model.loglik(th, method)
        return val if np.isfinite(val) else 1e300

    def to_model(th):
        th = th.copy()
        if model.q == 1:
            th[0] = th[0] / 2.0
        return th

    res = optimize.minimize(nll, theta0, jac=lambda t: _num_grad(nll, t), method="BFGS",
                            options={"gtol": 1e-6, "maxiter": max_iter})
    theta = res.x
    n_iter = int(res.nit)
    converged = False
    free = np.ones(len(theta), dtype=bool)
    for _ in range(20):
        # log-variances far below zero sit on the boundary: hold them fixed
        logvar_idx = [0] if model.q == 1 else []
        if model.has_inner:
            logvar_idx.append(len(theta) - 2)
        for i in logvar_idx:
            if theta[i] < _LOG_FLOOR / (1 if model.q == 1 or i else 2):
                free[i] = False
        idx = np.flatnonzero(free)
        sub = lambda t: nll(np.where(free, 0, theta) + _scatter(t, idx, len(theta)))  # noqa: E731
        g = _num_grad(sub, theta[idx])
        H = _num_hess(sub, theta[idx])
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            break
        n_iter += 1
        f0, lam = nll(theta), 1.0
        while lam > 1e-4:
            cand = theta.copy()
            cand[idx] -= lam * step
            if nll(cand) <= f0 + 1e-10:
                break
            lam /= 2
        theta = cand
        if np.max(np.abs(lam * step)) < max(tol, 1e-12) * 100 or np.max(np.abs(g)) < 1e-8:
            converged = np.max(np.abs(_num_grad(sub, theta[idx]))) < 1e-3
            break
        if n_iter >= max_iter:
            break
    if not converged:
        warnings.warn(f"fit_known_variance: the optimiser stopped after {n_iter} iterations "
                      f"without meeting tol={tol}", ConvergenceWarning, stacklevel=2)

    th = to_model(theta)
    pc = model.pieces(th)
    llf = -nll(theta)
    L, tau_in, sigma2 = pc["L"], pc["tau_in"], pc["sigma2"]
    G = L @ L.T
    if model.q == 1 and theta[0] < _LOG_FLOOR:
        G = np.zeros((1, 1))
    if model.has_inner and np.log(max(tau_in, 1e-300)) < _LOG_FLOOR:
        tau_in = 0.0
    names = list(X_df.columns)
    beta = pc["beta"]
    cov = np.linalg.inv(pc["XtVX"])
    bse = np.sqrt(np.diag(cov))
    params = pd.Series(beta, index=names, name="estimate")
    bse_s = pd.Series(bse, index=names, name="se")
    z = stats.norm.isf(0.025)
    fixed = pd.DataFrame({"estimate": beta, "se": bse, "statistic": beta / bse,
                          "p_value": 2 * stats.norm.sf(np.abs(beta / bse)),
                          "ci_low": beta - z * bse, "ci_high": beta + z * bse}, index=names)

    vc = {groups[0]: G[0, 0]}
    if model.q == 2:
        vc[f"{groups[0]}:{random_slope}"] = G[1, 1]
        vc[f"cov({groups[0]}, {groups[0]}:{random_slope})"] = G[0, 1]
    if model.has_inner:
        vc[groups[1]] = tau_in
    vc["residual"] = sigma2
    vcs = pd.Series(vc, name="variance")

    # --- empirical Bayes estimates (metafor ranef) ---
    p, q = model.p, model.q
    C, ZZ, Minv = pc["C"], pc["ZZ"], pc["Minv"]
    bvec = np.r_[-beta, 1.0]
    c_r = C @ bvec                                     # Z'W^-1 r   (J x q)
    LMLt = np.einsum("ab,jbc,dc->jad", L, Minv, L)     # L M^-1 L'  (J x q x q)
    ZVr = c_r - np.einsum("jab,jbc,jc->ja", ZZ, LMLt, c_r)
    u = ZVr @ G.T
    ZVZ = ZZ - np.einsum("jab,jbc,jcd->jad", ZZ, LMLt, ZZ)
    Cx = C[:, :, :p]                                   # Z'W^-1 X  (J x q x p)
    XVZ = Cx - np.einsum("jab,jbc,jcd->jad", ZZ, LMLt, Cx)   # (Z'V^-1 X), J x q x p
    ZPZ = ZVZ - np.einsum("jap,pk,jbk->jab", XVZ, cov, XVZ)
    vpred = G[None] - np.einsum("ab,jbc,cd->jad", G, ZPZ, G)
    se_u = np.sqrt(np.clip(np.diagonal(vpred, axis1=1, axis2=2), 0, None))
    n_outer = np.diff(np.r_[model.outer_start, model.n])
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.linalg.inv(ZZ)                      # error covariance of unit j's GLS estimates
    lam = np.diag(G)[None] / (np.diag(G)[None] + np.diagonal(delta, axis1=1, axis2=2))
    outer_df = pd.DataFrame({"deviation": u[:, 0], "se": se_u[:, 0]},
                            index=pd.Index(outer_labels, name=groups[0]))
    outer_df["ci_low"] = outer_df["deviation"] - z * outer_df["se"]
    outer_df["ci_high"] = outer_df["deviation"] + z * outer_df["se"]
    outer_df["n_persons"] = n_outer
    outer_df["reliability"] = lam[:, 0]
    rel = {groups[0]: float(np.mean(lam[:, 0]))}
    if q == 2:
        outer_df["slope_deviation"] = u[:, 1]
        outer_df["slope_se"] = se_u[:, 1]
        outer_df["slope_reliability"] = lam[:, 1]
        rel[f"{groups[0]}:{random_slope}"] = float(np.mean(lam[:, 1]))
    re = {groups[0]: outer_df}
    n_groups = {groups[0]: model.n_outer}
    if model.has_inner:
        S, s, g = pc["S"], pc["s"], pc["g"]
        j = model.outer_of_inner
        k1 = p + 1
        SZ = g[:, None] * S[:, k1:]                     # Z'W^-1 1_k  (K x q)
        a_r = g * (S[:, :k1] @ bvec)                    # 1_k'W^-1 r
        LM = LMLt[j]
        kVr = a_r - np.einsum("ka,kab,kb->k", SZ, LM, c_r[j])
        kVk = s * g - np.einsum("ka,kab,kb->k", SZ, LM, SZ)
        xVk = g[:, None] * S[:, :p] - np.einsum("kap,kab,kb->kp", Cx[j], LM, SZ)
        kPk = kVk - np.einsum("kp,pq,kq->k", xVk, cov, xVk)
        u_in = tau_in * kVr
        se_in = np.sqrt(np.clip(tau_in - tau_in ** 2 * kPk, 0, None))
        lam_in = tau_in / (tau_in + 1.0 / s)
        inner_df = pd.DataFrame({"deviation": u_in, "se": se_in},
                                index=pd.MultiIndex.from_tuples(
                                    list(inner_labels), names=groups))
        inner_df["ci_low"] = inner_df["deviation"] - z * inner_df["se"]
        inner_df["ci_high"] = inner_df["deviation"] + z * inner_df["se"]
        inner_df["n_persons"] = np.diff(np.r_[model.inner_start, model.n])
        inner_df["reliability"] = lam_in
        re[groups[1]] = inner_df
        rel[groups[1]] = float(np.mean(lam_in))
        n_groups[groups[1]] = len(s)
    rel["person"] = float(np.mean(sigma2 / (sigma2 + v)))
    return KnownVarianceResult(
        params=params, bse=bse_s, fixed_effects=fixed,
        cov_params=pd.DataFrame(cov, index=names, columns=names),
        variance_components=vcs, llf=float(llf), method=method, converged=bool(converged),
        n_iter=n_iter, random_effects=re, reliability=pd.Series(rel, name="reliability"),
        n_obs=model.n, n_groups=pd.Series(n_groups, name="n_units"), formula=formula,
        groups=tuple(groups), random_slope=random_slope)


def _scatter(t, idx, k):
    out = np.zeros(k)
    out[idx] = t
    return out
