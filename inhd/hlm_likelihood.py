"""The known-variance multilevel model's likelihood: design, exact derivatives, start values, Newton.

The model (see :mod:`inhd.hlm`) for the rows of network k is y_k ~ N(X_k beta, V_k) with

    V_k = diag(sigma^2 + v_i) + Z_k G Z_k' (+ tau_school * sum over its schools of 1 1'),

Z_k = [1, t] (t a random-slope column) or [1]. beta is profiled out by generalised least squares,
so the criterion is a function of the variance parameters theta alone:

    ML:    l(theta) = -1/2 [n log 2 pi + log|V| + r'V^-1 r]
    REML:  l(theta) = -1/2 [(n - p) log 2 pi - log|X'X| + log|V| + log|X'V^-1 X| + r'V^-1 r]

with r = y - X beta_hat(theta); these are metafor's ``logLik`` for ``method = "ML"`` and ``"REML"``
(metafor's REML includes the +1/2 log|X'X|). theta = (log tau_network, or the log-Cholesky factor
(log l11, l21, log l22) of G with a random slope; log tau_school; log sigma^2).

No N x N matrix is built. V_k^-1 is applied by the Woodbury identity, schools in closed form first
(scalar per school) and the network's q x q term next, through per-network sums of w_i a_i a_i'
with a_i = (x_i, y_i, z_i) and w_i = 1 / (sigma^2 + v_i). theta reaches the rows only through
w_i, so one evaluation costs three weighted row sums (w, w^2, w^3 give the value, gradient and
Hessian) and small per-network algebra, which :mod:`inhd.jet` differentiates exactly (second-order
forward mode). Newton's method on the exact Hessian then converges quadratically.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inhd import jet
from inhd.jet import Jet

__all__ = ["Design", "Criterion", "build_design", "criterion", "start_values", "optimise",
           "OptimiseResult"]

LOG_FLOOR = -30.0  # a log-variance held below this is a variance on its boundary (reported as 0)


@dataclass(frozen=True)
class Design:
    """Rows sorted by network (and school), with the per-row products the likelihood sums."""

    order: np.ndarray          # row permutation applied to the caller's rows
    y: np.ndarray
    X: np.ndarray
    v: np.ndarray
    Z: np.ndarray              # (n, q): 1 and, with a random slope, t
    outer_start: np.ndarray    # first row of each network
    inner_start: np.ndarray | None         # first row of each school
    inner_outer_start: np.ndarray | None   # first school of each network
    outer_of_inner: np.ndarray | None      # network of each school
    AAu: np.ndarray            # (n, m(m+1)/2): upper triangle of a_i a_i', a_i = (x_i, y_i, z_i)
    triu: tuple                # indices of that upper triangle
    logdet_xx: float
    var0: float                # variance of the OLS residuals (scale of the start values)
    resid_ols: np.ndarray      # OLS residuals (start values)

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def p(self) -> int:
        return self.X.shape[1]

    @property
    def q(self) -> int:
        return self.Z.shape[1]

    @property
    def m(self) -> int:
        return self.p + 1 + self.q

    @property
    def has_inner(self) -> bool:
        return self.inner_start is not None

    @property
    def n_outer(self) -> int:
        return len(self.outer_start)

    @property
    def n_params(self) -> int:
        return (1 if self.q == 1 else 3) + int(self.has_inner) + 1

    def logvar_index(self) -> list[int]:
        """Positions in theta of log-variances (log-sds for the Cholesky diagonal of G)."""
        idx = [0] if self.q == 1 else [0, 2]
        if self.has_inner:
            idx.append(self.n_params - 2)
        return idx + [self.n_params - 1]


def build_design(y, X, v, outer_codes, inner_codes=None, t=None) -> Design:
    """Sort rows by network (then school) and precompute the products the criterion sums.

    ``outer_codes``/``inner_codes`` are integer codes (schools coded uniquely across networks);
    ``t`` the random-slope column or None.
    """
    if inner_codes is not None:
        order = np.lexsort((inner_codes, outer_codes))
    else:
        order = np.argsort(outer_codes, kind="stable")
    y, X, v = y[order], X[order], v[order]
    oc = outer_codes[order]
    n = len(y)
    outer_start = np.flatnonzero(np.r_[True, oc[1:] != oc[:-1]])
    inner_start = inner_outer_start = outer_of_inner = None
    if inner_codes is not None:
        ic = inner_codes[order]
        change = np.r_[True, (ic[1:] != ic[:-1]) | (oc[1:] != oc[:-1])]
        inner_start = np.flatnonzero(change)
        outer_of_inner = np.searchsorted(outer_start, inner_start, side="right") - 1
        inner_outer_start = np.flatnonzero(np.r_[True, outer_of_inner[1:] != outer_of_inner[:-1]])
    Z = np.ones((n, 1)) if t is None else np.column_stack([np.ones(n), t[order]])
    A = np.column_stack([X, y, Z])
    m = A.shape[1]
    triu = np.triu_indices(m)
    AAu = np.empty((n, len(triu[0])))
    at = 0
    for i in range(m):                 # row i of the upper triangle: a_i a_i..m
        np.multiply(A[:, i:i + 1], A[:, i:], out=AAu[:, at:at + m - i])
        at += m - i
    xtx = X.T @ X                      # X has full column rank (checked by the caller)
    resid = y - X @ np.linalg.solve(xtx, X.T @ y)
    return Design(resid_ols=resid, order=order, y=y, X=X, v=v, Z=Z, outer_start=outer_start,
                  inner_start=inner_start, inner_outer_start=inner_outer_start,
                  outer_of_inner=outer_of_inner, AAu=AAu, triu=triu,
                  logdet_xx=float(np.linalg.slogdet(xtx)[1]),
                  var0=float(max(np.var(resid), 1e-8)))


@dataclass(frozen=True)
class Criterion:
    """One evaluation: the log-likelihood ``llf`` with its gradient and Hessian in theta (None when
    not asked for), and the GLS pieces at theta (values only)."""

    llf: float
    gradient: np.ndarray | None
    hessian: np.ndarray | None
    L: np.ndarray           # Cholesky factor of G (q x q)
    tau_inner: float
    sigma2: float
    P: np.ndarray           # per network: [X y Z]' W_k [X y Z], W_k the inverse of V_k less its G term
    Minv: np.ndarray        # per network: (I + L' Z'W_k Z L)^-1
    XtVX: np.ndarray
    beta: np.ndarray
    S: np.ndarray | None    # per school: [X y Z]' w (sums of w_i a_i)
    s: np.ndarray | None    # per school: sum of w_i


def _sym(flat, triu, m):
    """Unpack upper-triangle columns (last axis) into symmetric m x m matrices."""
    out = np.empty(flat.shape[:-1] + (m, m))
    out[..., triu[0], triu[1]] = flat
    out[..., triu[1], triu[0]] = flat
    return out


def _row_jets(design, log_s2, k, order):
    """Per-network sums of w_i a_i a_i' and sum log(sigma^2 + v_i), as jets in theta (sigma^2 is
    the last parameter; dw/dtheta = -s2 w^2, d2w/dtheta2 = -s2 w^2 + 2 s2^2 w^3)."""
    s2 = np.exp(log_s2)
    w = 1.0 / (s2 + design.v)
    ks, m = k - 1, design.m
    sums = [np.add.reduceat(design.AAu * w[:, None], design.outer_start, axis=0)]
    wsum = [w.sum()]
    if order >= 1:
        w2 = w * w
        sums.append(np.add.reduceat(design.AAu * w2[:, None], design.outer_start, axis=0))
        wsum.append(w2.sum())
    if order >= 2:
        sums.append(np.add.reduceat(design.AAu * (w2 * w)[:, None], design.outer_start, axis=0))
    full = [_sym(x, design.triu, m) for x in sums]
    ld = Jet.seed(np.sum(np.log(s2 + design.v)), k, ks, s2 * wsum[0],
                  s2 * wsum[0] - s2 * s2 * wsum[-1], order)
    if order == 0:
        return Jet(full[0]), ld, w
    return Jet.seed(full[0], k, ks, -s2 * full[1],
                    -s2 * full[1] + 2 * s2 * s2 * full[-1], order), ld, w


def _school_jets(design, w, log_s2, log_tau, k, order):
    """The schools' Woodbury correction: per network the sum over its schools of
    c_m S_m S_m' (c_m = tau / (1 + tau s_m)) and sum log(1 + tau s_m), as jets."""
    s2 = np.exp(log_s2)
    A = np.column_stack([design.X, design.y, design.Z])
    st = design.inner_start
    ks, kt = k - 1, k - 2
    pw = [w, w * w, w * w * w][:order + 1]
    S = [np.add.reduceat(A * x[:, None], st, axis=0) for x in pw]
    s = [np.add.reduceat(x, st) for x in pw]

    def seeded(vals):
        if order == 0:
            return Jet(vals[0])
        d2 = -s2 * vals[1] + 2 * s2 * s2 * vals[2] if order >= 2 else None
        return Jet.seed(vals[0], k, ks, -s2 * vals[1], d2, order)

    Sj, sj = seeded(S), seeded(s)
    tau = Jet.seed(np.exp(log_tau), k, kt, np.exp(log_tau), np.exp(log_tau), order)
    den = jet.mul(tau, sj) + 1.0
    c = jet.mul(tau, jet.apply(den, lambda x: 1 / x, lambda x: -1 / x ** 2, lambda x: 2 / x ** 3))
    cS = jet.einsum("j,ja->ja", c, Sj)
    corr = jet.einsum("ja,jb->jab", cS, Sj).reduceat(design.inner_outer_start, axis=0)
    ld = jet.apply(den, np.log, lambda x: 1 / x, lambda x: -1 / x ** 2).sum(0)
    return corr, ld, S[0], s[0]


def _cholesky_jet(theta, q, k, order):
    """L with G = L L': q = 1, L = exp(theta_0 / 2); q = 2, theta_0..2 = (log l11, l21, log l22)."""
    if q == 1:
        L = np.exp(theta[0] / 2.0)
        return Jet.seed([[L]], k, 0, [[L / 2]], [[L / 4]], order)
    a, b, c = np.exp(theta[0]), theta[1], np.exp(theta[2])
    v = np.array([[a, 0.0], [b, c]])
    if order == 0:
        return Jet(v)
    d = np.zeros((k, 2, 2))
    d[0, 0, 0], d[1, 1, 0], d[2, 1, 1] = a, 1.0, c
    if order == 1:
        return Jet(v, d)
    h = np.zeros((k, k, 2, 2))
    h[0, 0, 0, 0], h[2, 2, 1, 1] = a, c
    return Jet(v, d, h)


def criterion(design: Design, theta, method: str, order: int = 2) -> Criterion:
    """The (restricted) log-likelihood at ``theta`` and, for ``order`` 1 or 2, its exact gradient
    and Hessian (see the module docstring)."""
    theta = np.asarray(theta, dtype=float)
    k, p, q, kk = len(theta), design.p, design.q, design.p + 1
    P, logdet, w = _row_jets(design, theta[-1], k, order)
    S = s = None
    tau_inner = 0.0
    if design.has_inner:
        corr, ld_s, S, s = _school_jets(design, w, theta[-1], theta[-2], k, order)
        P, logdet = P - corr, logdet + ld_s
        tau_inner = float(np.exp(theta[-2]))
    L = _cholesky_jet(theta, q, k, order)
    B, C, ZZ = P[:, :kk, :kk], P[:, kk:, :kk], P[:, kk:, kk:]
    M = jet.einsum("jbc,cd->jbd", jet.einsum("ab,jac->jbc", L, ZZ), L) + np.eye(q)
    Minv = jet.inv(M)
    logdet = logdet + jet.logdet(M).sum(0)
    LtC = jet.einsum("ab,jac->jbc", L, C)
    Q = B.sum(0) - jet.einsum("jab,jac->bc", LtC, jet.einsum("jab,jbc->jac", Minv, LtC))
    XtVX, XtVy, ytVy = Q[:p, :p], Q[:p, p], Q[p, p]
    H = jet.inv(XtVX)
    rss = ytVy - jet.einsum("a,a->", XtVy, jet.einsum("ab,b->a", H, XtVy))
    if method == "ML":
        ll = (logdet + rss).scale(-0.5) + (-0.5 * design.n * np.log(2 * np.pi))
    else:
        const = -0.5 * ((design.n - p) * np.log(2 * np.pi) - design.logdet_xx)
        ll = (logdet + jet.logdet(XtVX) + rss).scale(-0.5) + const
    return Criterion(llf=float(ll.v), gradient=ll.d, hessian=ll.h, L=L.v, tau_inner=tau_inner,
                     sigma2=float(np.exp(theta[-1])), P=P.v, Minv=Minv.v, XtVX=XtVX.v,
                     beta=np.linalg.solve(XtVX.v, XtVy.v), S=S, s=s)


def start_values(design: Design) -> np.ndarray:
    """Moment-based start: the within-network variance of the OLS residuals less the mean known
    variance for sigma^2; the variance of network means less their sampling variance for tau."""
    r, var0 = design.resid_ols, design.var0
    sizes = np.diff(np.r_[design.outer_start, design.n])
    means = np.add.reduceat(r, design.outer_start) / sizes
    within = np.sum((r - np.repeat(means, sizes)) ** 2) / max(design.n - len(sizes), 1)
    sigma2 = max(within - np.mean(design.v), 0.1 * within, 1e-4 * var0)
    between = np.var(means) if len(sizes) > 1 else 0.0
    tau = max(between - np.mean((sigma2 + np.mean(design.v)) / sizes), 0.1 * var0)
    theta = [np.log(tau)] if design.q == 1 else [np.log(np.sqrt(tau)), 0.0,
                                                   np.log(np.sqrt(0.1 * tau))]
    if design.has_inner:
        theta.append(np.log(0.5 * tau))
    theta.append(np.log(sigma2))
    return np.asarray(theta, dtype=float)


@dataclass(frozen=True)
class OptimiseResult:
    theta: np.ndarray
    at_boundary: np.ndarray    # bool per parameter: a variance held at 0
    converged: bool
    n_iter: int
    crit: Criterion


def _newton_step(g, H):
    """Newton step for minimising: -H^-1 g, with |eigenvalues| where H is not positive definite
    (a descent direction in every case)."""
    lam, vec = np.linalg.eigh(H)
    floor = 1e-10 * max(np.max(np.abs(lam)), 1e-300)
    return -vec @ ((vec.T @ g) / np.maximum(np.abs(lam), floor)), bool(lam.min() > floor)


def _update_boundary(design, theta, g, step, free, released):
    """Hold at the boundary (0) a variance that Newton drives towards 0 far below the data's scale
    (a log-variance falls by about 1 per step there); release it, once, when the criterion's
    derivative in the variance points inwards (the sign of g, since g = variance x that
    derivative). Returns whether anything changed."""
    scale, changed = np.log(design.var0), False
    for i in design.logvar_index():
        half = 2.0 if (design.q == 2 and i in (0, 2)) else 1.0   # log-sd on the Cholesky diagonal
        floor = (LOG_FLOOR + scale) / half
        if (free[i] and i not in released and theta[i] < floor + 18.0 / half
                and step[i] < -0.25 and g[i] > 0):
            theta[i], free[i], changed = floor, False, True
        elif not free[i] and g[i] < 0:
            theta[i], free[i], changed = (scale - 8.0) / half, True, True
            released.add(i)
    return changed


def optimise(design: Design, theta0, method: str, *, tol: float = 1e-8,
             max_iter: int = 200) -> OptimiseResult:
    """Maximise the criterion by Newton's method on the exact Hessian, with a backtracking line
    search; converged when the full Newton step of every free parameter is below ``tol`` at a
    point where the Hessian is negative definite, or, at such a point, when a step below 1e-7 is
    no longer shrinking (not below half the previous one): Newton converges quadratically, so a
    step that stalls there sits at the rounding floor of the gradient (e.g. 1.4e-7 at llf -4316
    on a 2,073-person fit whose step stayed at 1.3e-8 for 200 iterations)."""
    theta = np.asarray(theta0, dtype=float).copy()
    free, released = np.ones(len(theta), dtype=bool), set()
    crit = criterion(design, theta, method)
    n_iter, converged, last_size = 0, False, np.inf
    while True:
        g, H = -crit.gradient, -crit.hessian            # minimise f = -llf
        idx = np.flatnonzero(free)
        step, pos_def = np.zeros_like(theta), True
        if len(idx):
            step[idx], pos_def = _newton_step(g[idx], H[np.ix_(idx, idx)])
        size = np.max(np.abs(step), initial=0.0)
        if pos_def and (size < tol or (size < 1e-7 and size > 0.5 * last_size)):
            converged = True          # below tol, or at the rounding floor (no longer shrinking)
            break
        last_size = size
        if _update_boundary(design, theta, g, step, free, released):
            crit = criterion(design, theta, method)
            continue
        if n_iter >= max_iter:
            break
        n_iter += 1
        step *= min(1.0, 3.0 / max(np.max(np.abs(step)), 1e-300))
        slope, lam = float(g @ step), 1.0
        while True:
            cand = criterion(design, theta + lam * step, method, order=2 if lam == 1.0 else 0)
            if -cand.llf <= -crit.llf + 1e-4 * lam * slope or lam < 1e-8:
                break
            lam /= 2
        if lam != 1.0:
            cand = criterion(design, theta + lam * step, method)
        theta = theta + lam * step
        crit = cand
    return OptimiseResult(theta=theta, at_boundary=~free, converged=converged, n_iter=n_iter,
                          crit=crit)
