"""Conditional maximum likelihood (CML) for the rating-scale model (``eRm::RSM``) and the partial
credit model (``eRm::PCM``).

The engine behind ``inhd.rasch.fit_rating_scale(..., method="cml")``. Person locations are
conditioned out through their raw scores, so item difficulties and thresholds are estimated
consistently (JMLE's are not), and missing responses are handled by response pattern exactly
as eRm does: each person's conditional probability uses the elementary symmetric functions of
the items that person answered.

Model (Andrich 1978)
--------------------
P(X_ni = h) is proportional to exp(sum_{k<=h} (theta_n - delta_i - tau_k)), h = 0..m,
with item difficulties delta summing to zero and Andrich thresholds tau summing to zero; higher
difficulty means harder to endorse. Writing b_ih = -h delta_i - (tau_1 + ... + tau_h),

    P(x_n | r_n) = exp(sum_i b_{i,x_ni}) / gamma_{r_n}(S_n),

where r_n is the raw score, S_n the items person n answered and gamma_r(S) the polynomial
elementary symmetric function (ESF) of order r of exp(b_ih), i in S: the coefficient of t^r in
prod_{i in S} sum_h exp(b_ih) t^h. Persons with an extreme raw score (0 or m |S_n|) have
conditional probability one and contribute nothing.

Algorithm: two blocks of items ("meet in the middle")
-----------------------------------------------------
With many missing-data patterns the ESFs per pattern are the cost. The items are split into two
blocks A and B; a pattern S is a pair (S_A, S_B) of block patterns, and far fewer distinct block
patterns occur than patterns (at most 2^7 for a block of 7 items, whatever the number of
persons). The polynomial of each distinct block pattern, and its leave-one-out polynomials, are
computed once by the summation algorithm (forward products over the block's items); a pattern's
ESF at an observed score is then a single convolution sum_a Gamma_A(a) Gamma_B(r - a). Everything a
pattern contributes to the gradient and Hessian is passed to its block patterns as aggregated
"outside" messages (sums over persons of 1/gamma_r times the other block's polynomial), so the
per-item work is done per block pattern, not per pattern or person. The analytic Hessian is the
conditional covariance of the sufficient statistics,

    -d2 log L = sum_n Cov(t(x) | r_n, S_n),   t = (1{x_i = h})_{i,h},

whose pairwise joint probabilities come from leave-two-out products inside a block and from
leave-one-out polynomials of both blocks across them. Newton-Raphson with this Hessian converges
quadratically and its inverse gives the standard errors.

The partial credit model
------------------------
Nothing above depends on the rating scale except the map from the free parameters to the
log weights b_ih, which is linear: b = J p. The partial credit model (Masters 1982) gives each
item thresholds of its own, b_ih = -(delta_i1 + ... + delta_ih), so the same ESFs, gradient and
Hessian serve it with another J (:func:`cml_partial_credit`); categories above an item's top have
b_ih = -inf (weight exactly zero).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import sparse

from inhd.rsm import (PartialCreditEstimate, RatingScaleEstimate, check_iteration, check_responses,
                      item_thresholds, item_tops, linked_items, log_weights,
                      partial_credit_summaries, solve_locations)
from inhd.warnings import ConvergenceWarning

__all__ = ["CMLEstimate", "cml_rating_scale", "cml_partial_credit", "conditional_loglik"]

#: The estimate shape shared with :func:`inhd.jmle.jmle_rating_scale` (name kept for callers).
CMLEstimate = RatingScaleEstimate


# --------------------------------------------------------------------------- data preparation

@dataclass(frozen=True)
class _Design:
    """Sufficient statistics of the conditional likelihood, arranged for the two-block ESFs.

    The block patterns of A and of B are stacked into one set of K "block rows" (A's first),
    each with ``n`` item slots (B padded with an unanswered slot when the number of items is
    odd), so that one pass over the slots serves both blocks. Persons are grouped into rows
    (missing-data pattern, raw score)."""

    n_items: int
    m: int
    n_a: int                 # block rows [0, n_a) belong to A, [n_a, K) to B
    items: tuple             # the items of block A and of block B, by slot
    slot_item: np.ndarray    # (K, n) item in each slot of each block row
    present: np.ndarray      # (K, n) whether that item was answered in the block pattern
    row_a: np.ndarray        # per row: its block row in A
    row_b: np.ndarray        # per row: its block row in B (offset by n_a)
    row_score: np.ndarray    # per row: raw score r
    row_count: np.ndarray    # per row: persons with this pattern and score
    to_block: sparse.csr_matrix  # (K, 2 rows): each side of each row to its block row
    counts: np.ndarray       # (n_items, m+1) responses in each category (non-extreme persons)
    n_patterns: int
    jacobian: np.ndarray     # (n_items (m+1), free parameters): d b_ih / d p
    b_offset: np.ndarray     # (n_items, m+1): b = b_offset + J p (-inf: a category an item lacks)
    other_index: np.ndarray  # (2 rows, R+1) flat index: the other block's polynomial at r - t
    cross_index: np.ndarray  # (rows, n, R+1+m) flat index: B's leave-one-out polys at r - t


def _unique_rows(a):
    """np.unique(a, axis=0, return_inverse=True) for a small 2-D integer/bool array, by keys."""
    a = np.ascontiguousarray(a)
    key = a.view(np.dtype((np.void, a.dtype.itemsize * a.shape[1])))[:, 0]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return a[first], inverse.ravel()


def _design(pm, inv, score, counts, m, jacobian=None, b_offset=None) -> _Design:
    """Group persons by (missing-data pattern ``pm[inv]``, raw score) and split the items into
    two blocks. ``jacobian`` and ``b_offset`` give the log weights b = b_offset + J p (default:
    the rating-scale model's, :func:`_b_map` and :func:`_full_map`)."""
    n_items = pm.shape[1]
    rows, inv_row = _unique_rows(np.stack([inv, score], axis=1).astype(np.int64))
    row_count = np.bincount(inv_row, minlength=rows.shape[0]).astype(float)
    n = (n_items + 1) // 2
    slots = [np.arange(n), np.arange(n, n_items)]
    pats, which = zip(*(_unique_rows(pm[:, s]) for s in slots))
    n_a = pats[0].shape[0]
    present = np.zeros((n_a + pats[1].shape[0], n), bool)
    present[:n_a] = pats[0]
    present[n_a:, :slots[1].size] = pats[1]
    slot_item = np.zeros(present.shape, np.int64)
    slot_item[:n_a] = slots[0]
    slot_item[n_a:, :slots[1].size] = slots[1]
    row_a, row_b = which[0][rows[:, 0]], n_a + which[1][rows[:, 0]]
    n_rows = rows.shape[0]
    to_block = sparse.csr_matrix((np.ones(2 * n_rows), (np.r_[row_a, row_b],
                                                        np.arange(2 * n_rows))),
                                 shape=(present.shape[0], 2 * n_rows))
    R1 = m * n + 1
    t = np.arange(R1)
    r = np.r_[rows[:, 1], rows[:, 1]]
    other_index = np.r_[row_b, row_a][:, None] * (3 * R1 - 2) + r[:, None] - t + R1 - 1
    width = R1 + m
    t = np.arange(width)
    cross_index = ((row_b[:, None, None] * n + np.arange(n)[None, :, None]) * (R1 + 2 * width)
                   + rows[:, 1, None, None] - t[None, None, :] + width)
    return _Design(n_items=n_items, m=m, n_a=n_a, items=tuple(slots), slot_item=slot_item,
                   present=present,
                   row_a=row_a, row_b=row_b, row_score=rows[:, 1], row_count=row_count,
                   to_block=to_block, counts=counts.astype(float), n_patterns=pm.shape[0],
                   jacobian=(_b_map(n_items, m) @ _full_map(n_items, m) if jacobian is None
                             else jacobian),
                   b_offset=np.zeros((n_items, m + 1)) if b_offset is None else b_offset,
                   other_index=other_index, cross_index=cross_index)


def _scores(X, obs, m):
    """Integer codes (0 where missing), raw scores and the non-extreme rows."""
    x = np.where(obs, X, 0.0).astype(np.int64)
    score = x.sum(axis=1)
    return x, score, (score > 0) & (score < m * obs.sum(axis=1))


def _prepare(X, obs, m) -> _Design:
    """Checks that the CML estimates exist, then the design of the non-extreme persons."""
    x, score, keep = _scores(X, obs, m)
    if not keep.any():
        raise ValueError("X has no person with a non-extreme raw score: the conditional "
                         "likelihood is empty")
    xk, ok = x[keep], obs[keep]
    counts = np.stack([((xk == h) & ok).sum(axis=0) for h in range(m + 1)], axis=1)
    problems = []
    n_resp = counts.sum(axis=1)
    for i in np.flatnonzero(n_resp == 0):
        problems.append(f"item (column) {i} has no response from a non-extreme person")
    item_score = (counts * np.arange(m + 1)).sum(axis=1)
    for i in np.flatnonzero((n_resp > 0) & ((item_score == 0) | (item_score == m * n_resp))):
        side = "lowest" if item_score[i] == 0 else "highest"
        problems.append(f"item (column) {i} has only {side}"
                        f" responses among non-extreme persons (its difficulty is infinite)")
    for h in np.flatnonzero(counts.sum(axis=0) == 0):
        problems.append(f"category {h} is never used by a non-extreme person (its threshold is "
                        "not estimable; collapse categories)")
    if problems:
        raise ValueError("CML estimates do not exist: " + "; ".join(problems))
    pm, inv = _unique_rows(ok)
    _check_linked(pm)
    return _design(pm, inv, score[keep], counts, m)


def _check_linked(pm):
    """Items must be linked by persons who answered both (``pm``: the missing-data patterns),
    else the blocks' relative locations are not identified."""
    n_comp, label = linked_items(pm)
    if n_comp > 1:
        blocks = "; ".join(str(np.flatnonzero(label == c).tolist()) for c in range(n_comp))
        raise ValueError(f"the information matrix is singular: the items fall into {n_comp} "
                         f"blocks (columns {blocks}) that no non-extreme person links by "
                         "answering items of both")


# --------------------------------------------------------------------------- ESFs of the blocks

def _item_b(delta, tau):
    """b_ih = -h delta_i - sum_{k<=h} tau_k, shape (I, m+1), b_i0 = 0: the rating-scale log
    weights (:func:`inhd.rsm.log_weights`) at theta = 0.

    The difficulties are centred first: the conditional likelihood is invariant to a common
    shift (b_ih -> b_ih + h c), and centred values keep the ESFs in floating-point range."""
    delta = np.asarray(delta, dtype=float)
    return log_weights(-(delta - delta.mean()), tau)


def _toeplitz(e, width):
    """Per item the (width, width) matrix T with T[a, s] = e_{i, s - a} (0 <= s - a <= m):
    a polynomial's coefficient (row) vector times T is the polynomial times the item's."""
    m = e.shape[1] - 1
    lag = np.arange(width)[None, :] - np.arange(width)[:, None]
    return np.pad(e, ((0, 0), (0, 1)))[:, np.where((lag >= 0) & (lag <= m), lag, m + 1)]


def _mm(a, b):
    """a @ b over the last axis of ``a``, in row chunks that keep each BLAS call small enough to
    run single-threaded (threads only cost time at these sizes, and a lot on a busy machine)."""
    flat = a.reshape(-1, a.shape[-1])
    rows = max(1, 200_000 // (b.shape[0] * b.shape[1]))
    out = np.empty((flat.shape[0], b.shape[1]))
    for start in range(0, flat.shape[0], rows):
        np.matmul(flat[start:start + rows], b, out=out[start:start + rows])
    return out.reshape(a.shape[:-1] + (b.shape[1],))


def _times_slot(poly, T, d: _Design, slot, *, backward=False):
    """Each block row's polynomial(s) (last axis) times the polynomial of the item in ``slot``
    of its block (unchanged where that item was not answered); ``backward`` multiplies by the
    transpose (the backward messages' step)."""
    out = poly.copy()
    for rows, items in ((slice(0, d.n_a), d.items[0]), (slice(d.n_a, None), d.items[1])):
        if slot < items.size:
            M = T[items[slot]]
            out[rows] = _mm(poly[rows], M.T if backward else M)
    keep = ~d.present[:, slot]
    out[keep] = poly[keep]
    return out


def _rescale(a):
    """Divide each polynomial (last axis) by its largest entry; return (scaled, log scale)."""
    s = a.max(axis=-1)
    s = np.where(s > 0, s, 1.0)
    return a / s[..., None], np.log(s)


def _forward(T, d: _Design):
    """Scaled prefix products F[:, i] = prod_{slots < i} (max 1) and their log scales."""
    K, n = d.present.shape
    F = np.zeros((K, n + 1, T.shape[1]))
    F[:, 0, 0] = 1.0
    logF = np.zeros((K, n + 1))
    for i in range(n):
        F[:, i + 1], s = _rescale(_times_slot(F[:, i], T, d, i))
        logF[:, i + 1] = logF[:, i] + s
    return F, logF


def _backward(T, logF, message, d: _Design):
    """Backward messages Bk_i(t) = sum_h e_ih Bk_{i+1}(t + h), Bk_n = message (log scale
    -logF[:, n], i.e. in units of the block polynomial), scaled with log scales logB and
    zero-padded by 2m scores on the right."""
    K, n = d.present.shape
    R1 = T.shape[1]
    Bk = np.zeros((K, n + 1, R1 + 2 * d.m))
    logB = np.zeros((K, n + 1))
    Bk[:, n, :R1], s = _rescale(message)
    logB[:, n] = s - logF[:, n]
    for i in range(n - 1, -1, -1):
        Bk[:, i, :R1], s = _rescale(_times_slot(Bk[:, i + 1, :R1], T, d, i, backward=True))
        logB[:, i] = logB[:, i + 1] + s
    return Bk, logB


def _sweep(T, F, logF, Bk, logB, d: _Design):
    """Leave-one-out polynomials of every slot and the within-block pair sums.

    G^(i) runs over the slots skipping i (G^(i)_j = prod_{l < j, l != i}); at slot j the pairs
    i < j give sum_a G^(i)_j(a) Bk_{j+1}(a + s), s = 0..2m: the sum over persons of
    gamma^(ij)_{r-s} / gamma_r, both items answered. Returns the leave-one-out polynomials on
    the block polynomial's scale (zero for unanswered slots), shape (K, n, R+1), and the pair
    sums per block, shape (2, n, n, 2m+1) (upper triangle)."""
    K, n = d.present.shape
    R1, m, pm = T.shape[1], d.m, d.present
    block = np.zeros((K, 2))
    block[:d.n_a, 0] = block[d.n_a:, 1] = 1.0
    G = np.zeros((K, n, R1))
    logG = np.zeros((K, n))
    pairs = np.zeros((2, n, n, 2 * m + 1))
    for j in range(n):
        if j:
            win = sliding_window_view(Bk[:, j + 1], 2 * m + 1, axis=1)[:, :R1]
            q = np.matmul(G[:, :j], win)                       # (K, j, 2m+1)
            w = np.exp(logG[:, :j] + logB[:, j + 1, None]) * (pm[:, :j] & pm[:, j, None])
            pairs[:, :j, j] = np.einsum("kis,ki,kb->bis", q, w, block)
            G[:, :j], s = _rescale(_times_slot(G[:, :j], T, d, j))
            logG[:, :j] += s
        G[:, j] = F[:, j]
        logG[:, j] = logF[:, j]
    loo = G * (np.exp(logG - logF[:, n, None]) * pm)[..., None]
    return loo, pairs


# --------------------------------------------------------------------------- likelihood

def _loglik_parts(b, d: _Design):
    """Conditional log-likelihood, and the pieces its derivatives reuse."""
    M = b.max(axis=1)
    e = np.exp(b - M[:, None])
    T = _toeplitz(e, d.m * d.present.shape[1] + 1)
    F, logF = _forward(T, d)
    poly = F[:, -1]                                            # (K, R+1), max 1
    R = poly.shape[1] - 1
    # each side of each row: the other block's polynomial at r - t, t = 0..R
    gath = np.pad(poly, ((0, 0), (R, R))).ravel()[d.other_index]
    n_rows = d.row_score.size
    conv = np.einsum("ra,ra->r", poly[d.row_a], gath[:n_rows])
    if np.any(conv <= 0) or not np.all(np.isfinite(1.0 / conv)):
        raise FloatingPointError("elementary symmetric function underflow at an observed score")
    scale = logF[:, -1] + (d.present * M[d.slot_item]).sum(axis=1)
    log_gamma = np.log(conv) + scale[d.row_a] + scale[d.row_b]
    ll = float((d.counts * np.where(d.counts > 0, b, 0.0)).sum() - d.row_count @ log_gamma)
    return ll, dict(e=e, T=T, F=F, logF=logF, conv=conv, gath=gath, log_gamma=log_gamma)


def _cross_pairs(loo, d: _Design, w):
    """sum over persons of P(x_i = h, x_j = k | r) / (e_ih e_jk), i in A, j in B, by
    s = h + k: sum_a loo_A,i(a) M_j(a + s), with the messages M_j of B's leave-one-out
    polynomials aggregated over the rows of each A pattern."""
    m = d.m
    n, R1 = loo.shape[1], loo.shape[2]
    width = R1 + m
    gath = np.pad(loo, ((0, 0), (0, 0), (width, width))).ravel()[d.cross_index]
    n_rows = w.size
    msg = d.to_block[:d.n_a, :n_rows] @ (w[:, None] * gath.reshape(n_rows, -1))
    win = sliding_window_view(msg.reshape(d.n_a, n, width), 2 * m + 1, axis=2)
    return np.einsum("lia,ljas->ijs", loo[:d.n_a, :, :R1 - m], win)


def _derivatives(parts, d: _Design):
    """Gradient and information matrix with respect to the free parameters.

    With t the indicators 1{x_i = h}, the gradient in b is counts - sum_n E[t | r_n, S_n] and
    the information sum_n Cov(t | r_n, S_n) = sum_n (E[t t'] - E[t] E[t]'); both are mapped to
    the free parameters through the Jacobian of b (linear)."""
    m, e, conv, gath = d.m, parts["e"], parts["conv"], parts["gath"]
    n_rows = conv.size
    w = d.row_count / conv
    message = d.to_block @ (np.r_[w, w][:, None] * gath)
    Bk, logB = _backward(parts["T"], parts["logF"], message, d)
    loo, pairs = _sweep(parts["T"], parts["F"], parts["logF"], Bk, logB, d)
    # per-row marginals P(x_i = h | r) = e_ih sum_a loo_i(a) Gamma_other(r - h - a) / conv
    own = np.r_[d.row_a, d.row_b]
    R1 = gath.shape[1]
    marg = np.matmul(loo[own][:, :, :R1 - m], sliding_window_view(gath, m + 1, axis=1))
    marg *= e[d.slot_item[own]] / np.r_[conv, conv][:, None, None]
    n = d.present.shape[1]
    P = np.concatenate([marg[:n_rows], marg[n_rows:, :d.n_items - n]], axis=1)
    expected = np.einsum("r,rih->ih", d.row_count, P)
    # pair sums Q[i, j, s] for i < j: within A, within B, and across
    Q = np.zeros((d.n_items, d.n_items, 2 * m + 1))
    Q[:n, :n] = pairs[0]
    Q[n:, n:] = pairs[1][:d.n_items - n, :d.n_items - n]
    Q[:n, n:] = _cross_pairs(loo, d, w)[:, :d.n_items - n]
    s = np.add.outer(np.arange(m + 1), np.arange(m + 1))
    joint = (e[:, None, :, None] * e[None, :, None, :] * Q[:, :, s]).transpose(0, 2, 1, 3)
    joint = joint.reshape(d.n_items * (m + 1), -1)
    joint = joint + joint.T + np.diag(expected.ravel())
    flat = _mm(P.reshape(n_rows, -1), d.jacobian)           # sum_h P_ih d b_ih / d(delta, tau)
    info = d.jacobian.T @ joint @ d.jacobian - np.einsum("ri,r,rj->ij", flat, d.row_count, flat)
    return d.jacobian.T @ (d.counts - expected).ravel(), info


# --------------------------------------------------------------------------- parametrisation

def _constraint(k):
    """(k, k-1) map from free parameters to a sum-to-zero vector."""
    C = np.zeros((k, max(k - 1, 0)))
    C[:k - 1] = np.eye(k - 1)
    C[k - 1] = -1.0
    return C


def _unpack(p, n_items, m):
    delta = _constraint(n_items) @ p[:n_items - 1]
    tau = _constraint(m) @ p[n_items - 1:] if m > 1 else np.zeros(1)
    return delta, tau


def _full_map(n_items, m):
    """(n_items + m, k) map from the free parameters to (delta, tau)."""
    k = n_items - 1 + (m - 1 if m > 1 else 0)
    T = np.zeros((n_items + m, k))
    T[:n_items, :n_items - 1] = _constraint(n_items)
    if m > 1:
        T[n_items:, n_items - 1:] = _constraint(m)
    return T


def _b_map(n_items, m):
    """(I(m+1), n_items + m) Jacobian of b_ih = -h delta_i - sum_{k<=h} tau_k."""
    A = np.zeros((n_items, m + 1, n_items + m))
    h = np.arange(m + 1)
    A[np.arange(n_items), :, np.arange(n_items)] = -h
    A[:, :, n_items:] = -(h[:, None] >= np.arange(1, m + 1)[None, :]).astype(float)
    return A.reshape(n_items * (m + 1), n_items + m)


def _objective(p, d: _Design, n_items, *, derivatives=True):
    """Conditional log-likelihood at the free parameters p and, if asked, its gradient and
    Hessian with respect to p (analytic)."""
    b = d.b_offset + (d.jacobian @ p).reshape(n_items, d.m + 1)
    ll, parts = _loglik_parts(b, d)
    if not derivatives:
        return ll, None, None
    grad, info = _derivatives(parts, d)
    return ll, grad, -info


def conditional_loglik(X, *, n_categories, difficulty, thresholds) -> float:
    """Conditional log-likelihood of the rating-scale model at given parameters.

    Parameters
    ----------
    X : array_like (n_persons, n_items)
        Codes 0..m, NaN for missing. Not modified.
    n_categories : int
        m + 1.
    difficulty : array_like (n_items,)
    thresholds : array_like (m,)
        Andrich thresholds.

    Returns
    -------
    float
        sum over non-extreme persons of log P(x_n | r_n); invariant to a common shift of the
        difficulties (the quantity ``eRm::RSM(X)$loglik`` maximises).
    """
    X, obs, m = check_responses(X, n_categories=n_categories)
    delta = np.asarray(difficulty, dtype=float).ravel()
    tau = np.asarray(thresholds, dtype=float).ravel()
    if delta.size != X.shape[1] or tau.size != m:
        raise ValueError(f"difficulty must have {X.shape[1]} values and thresholds {m}; got "
                         f"{delta.size} and {tau.size}")
    x, score, keep = _scores(X, obs, m)
    if not keep.any():
        return 0.0
    counts = np.stack([((x[keep] == h) & obs[keep]).sum(axis=0) for h in range(m + 1)], axis=1)
    try:
        design = _design(*_unique_rows(obs[keep]), score[keep], counts, m)
        return _loglik_parts(_item_b(delta, tau), design)[0]
    except FloatingPointError as exc:
        raise ValueError(f"conditional_loglik: {exc} (parameters too extreme)") from None


# --------------------------------------------------------------------------- estimation

def cml_rating_scale(X, *, n_categories, tol=1e-10, max_iter=200) -> RatingScaleEstimate:
    """Conditional maximum-likelihood estimates of the rating-scale model (as ``eRm::RSM``).

    Parameters
    ----------
    X : array_like of float, shape (n_persons, n_items)
        Response codes 0..m (m = n_categories - 1), ``np.nan`` for a missing response. Every row
        must hold at least one response. Not modified.
    n_categories : int
        Number of categories m + 1 (>= 2).
    tol : float, default 1e-10
        Convergence when the largest Newton step (in logits) is below ``tol``.
    max_iter : int, default 200
        Newton iterations allowed.

    Returns
    -------
    inhd.rsm.RatingScaleEstimate
        ``method="cml"``: difficulties and thresholds (each summing to zero) with standard
        errors from the inverse observed information, person measures (ML given the items, as
        ``eRm::person.parameter``; NaN for extreme scores), the conditional log-likelihood,
        convergence flags and the number of missing-data patterns.

    Raises
    ------
    ValueError
        Non-integer or out-of-range codes, rows with no response, fewer than two items, no
        non-extreme person, an item answered only in its lowest (highest) category or by
        nobody, an unused category, or a singular information matrix (disconnected design).

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` is reached; the result then has ``converged=False``.

    Notes
    -----
    P(X_ni = h) ∝ exp(sum_{k<=h}(theta_n - delta_i - tau_k)); item difficulties sum to zero
    and thresholds sum to zero. The conditional likelihood is
    prod_n exp(sum_i b_{i,x_ni}) / gamma_{r_n}(S_n) with b_ih = -h delta_i - sum_{k<=h} tau_k
    and gamma the polynomial elementary symmetric functions over the items S_n that person n
    answered (grouped by pattern and raw score, as eRm groups by NA pattern). The ESFs are
    formed per block of items (see the module notes), with every partial product rescaled to
    max 1 (log scale carried), so they cannot overflow and every entry keeps full relative
    precision (all terms are positive). Limit: within one missing-data pattern the ESFs must
    span less than ~700 nats (no problem for, e.g., 60 items with difficulties within +-6
    logits); beyond that an observed score's ESF underflows, which is detected and raised, never
    used. Gradient and Hessian are analytic (the Hessian is the conditional covariance of the
    sufficient statistics, checked against finite differences and brute-force enumeration in
    tests/test_cml.py); Newton-Raphson with step halving on the sum-to-zero-identified
    parameters converges quadratically, and the standard errors come from the Hessian at the
    estimates. Persons are then measured by ML given the items
    (:func:`inhd.rsm.solve_locations`).

    ``eRm::RSM(X)`` reports easiness parameters ``betapar`` = beta_ih = b_ih up to a common
    h * c; our difficulties are ``-betapar[i, m] / m`` centred, our thresholds the successive
    differences ``-(beta_ih - beta_i,h-1)`` minus the item location (see
    ``reference/erm/make_reference.R``).

    References
    ----------
    Andrich, D. (1978). A rating formulation for ordered response categories. Psychometrika 43.
    Mair, P. & Hatzinger, R. (2007). Extended Rasch modeling: the eRm package for the application
    of IRT models in R. Journal of Statistical Software 20(9).
    Verhelst, N. D., Glas, C. A. W. & van der Sluis, A. (1984). Estimation problems in the Rasch
    model: the basic symmetric functions. Computational Statistics Quarterly 1.

    Examples
    --------
    >>> import numpy as np
    >>> from inhd.cml import cml_rating_scale
    >>> X = np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1]], float)
    >>> est = cml_rating_scale(X, n_categories=3)      # In R: eRm::RSM(X)
    >>> bool(est.converged), round(float(est.difficulty.sum()), 12)
    (True, 0.0)
    """
    X, obs, m = check_responses(X, n_categories=n_categories)
    check_iteration(tol, max_iter)
    design = _prepare(X, obs, m)
    n_items = X.shape[1]
    p, ll, H, converged, n_iter = _newton(design, n_items, tol, max_iter,
                                          _start(design, n_items))
    cov, se = _covariance(H, _full_map(n_items, m))
    delta, tau = _unpack(p, n_items, m)
    if m == 1:
        se[n_items:] = np.nan                    # the single threshold is fixed at 0
    _, score, keep = _scores(X, obs, m)
    measures, measures_se = np.full(X.shape[0], np.nan), np.full(X.shape[0], np.nan)
    measures[keep], measures_se[keep], ok = solve_locations(obs[keep], delta,
                                                            score[keep].astype(float), tau)
    return RatingScaleEstimate(
        method="cml", difficulty=delta, difficulty_se=se[:n_items], thresholds=tau,
        thresholds_se=se[n_items:], measures=measures, measures_se=measures_se, llf=ll,
        converged=bool(converged and ok), n_iter=n_iter, n_patterns=design.n_patterns,
        n_persons=int(keep.sum()), covariance=cov)


def _start(d: _Design, n_items):
    """Item difficulties from item means (centred logits), thresholds zero."""
    m = d.m
    mean = (d.counts * np.arange(m + 1)).sum(axis=1) / d.counts.sum(axis=1) / m
    d0 = -np.log(mean / (1 - mean))
    d0 -= d0.mean()
    return np.concatenate([d0[:-1], np.zeros(max(m - 1, 0))])


def _newton(d: _Design, n_items, tol, max_iter, p):
    """Newton-Raphson with the analytic Hessian and step halving.

    Converged when the largest Newton step s_k is below ``tol``, or when it is below 1e-7 and
    quadratic convergence puts the next one below ``tol`` (|s_k|^3 / |s_{k-1}|^2 < tol: the
    error after a Newton step is about |s_k|^2 |s_k| / |s_{k-1}|^2); that last step is taken
    and the Hessian before it kept (which moves the standard errors by less than 1e-7,
    relative). ``p``: the start values."""
    ll, g, H = _objective(p, d, n_items)
    converged, n_iter, previous = False, 0, np.inf
    for n_iter in range(1, max_iter + 1):
        try:
            step = np.linalg.solve(-H, g)
        except np.linalg.LinAlgError:
            raise ValueError("the conditional information matrix is singular: the items are not "
                             "linked by common respondents (disconnected missing-data design)")
        size = np.max(np.abs(step))
        if size < tol or (size < 1e-7 and size ** 3 < tol * previous ** 2):
            ll_new = _trial(p + step, d, n_items, derivatives=False)[0]
            if ll_new >= ll - 1e-12 * abs(ll):
                p, ll, converged = p + step, ll_new, True
                break
        step *= min(1.0, 2.0 / size)                      # keep early steps moderate
        t = 1.0
        while True:
            trial = _trial(p + t * step, d, n_items)
            if trial[0] >= ll - 1e-12 * abs(ll) or t < 1e-6:
                break
            t *= 0.5
        if not np.isfinite(trial[0]):
            raise ValueError("CML failed: elementary symmetric functions underflow along the "
                             "Newton path (extreme parameter values; check the data)")
        p, (ll, g, H), previous = p + t * step, trial, t * np.max(np.abs(step))
    if not converged:
        warnings.warn(f"CML did not converge in {max_iter} Newton iterations (tol={tol}); "
                      "results are provisional (converged=False)", ConvergenceWarning,
                      stacklevel=3)
    return p, ll, H, converged, n_iter


def _trial(p, d, n_items, derivatives=True):
    """The objective at a trial point; -inf where the ESFs underflow (far from the optimum)."""
    try:
        return _objective(p, d, n_items, derivatives=derivatives)
    except FloatingPointError:
        return -np.inf, None, None


def _covariance(H, T):
    """Covariance of the reported parameters T p from the Hessian of the free parameters p,
    and their SEs."""
    eig = np.linalg.eigvalsh(-H)
    if eig.min() <= 1e-10 * eig.max():
        raise ValueError("the conditional information matrix is (nearly) singular: the items "
                         "are not linked by common respondents, or the estimates do not exist")
    cov = T @ np.linalg.inv(-H) @ T.T
    return cov, np.sqrt(np.clip(np.diag(cov), 0.0, None))


# --------------------------------------------------------------------------- partial credit

def _pcm_maps(tops, m):
    """The partial credit parametrisation.

    The thresholds delta_ih (h = 1..top_i, item-major, K of them) are centred so that the item
    locations (the means of each item's thresholds) average 0: the last is fixed by the others.
    Returns (C, J, b_offset): the (K, K-1) map from the free parameters to the thresholds, the
    (n_items (m+1), K-1) Jacobian of b_ih = -sum_{k<=h} delta_ik, and b's offset (-inf above
    an item's top)."""
    n_items = tops.size
    item = np.repeat(np.arange(n_items), tops)
    step = np.concatenate([np.arange(1, t + 1) for t in tops])
    K = item.size
    w = 1.0 / (n_items * tops[item])                  # sum_i mean_h delta_ih / n_items = w @ d
    C = np.zeros((K, K - 1))
    C[:K - 1] = np.eye(K - 1)
    C[K - 1] = -w[:-1] / w[-1]
    B = np.zeros((n_items, m + 1, K))
    for col, (i, k) in enumerate(zip(item, step)):
        B[i, k:tops[i] + 1, col] = -1.0
    offset = np.where(np.arange(m + 1)[None, :] <= tops[:, None], 0.0, -np.inf)
    return C, B.reshape(n_items * (m + 1), K) @ C, offset


def _prepare_pcm(X, obs, m, tops):
    """Checks that the partial credit CML estimates exist, then the design."""
    x = np.where(obs, X, 0.0).astype(np.int64)
    score = x.sum(axis=1)
    keep = (score > 0) & (score < obs @ tops)
    if not keep.any():
        raise ValueError("X has no person with a non-extreme raw score: the conditional "
                         "likelihood is empty")
    xk, ok = x[keep], obs[keep]
    counts = np.stack([((xk == h) & ok).sum(axis=0) for h in range(m + 1)], axis=1)
    problems = [f"item (column) {i} has a single category (code {tops[i]}): nothing to estimate"
                for i in np.flatnonzero(tops == 0)]
    for i in np.flatnonzero(tops > 0):
        unused = [h for h in range(tops[i] + 1) if counts[i, h] == 0]
        if unused:
            problems.append(f"item (column) {i}: categor{'ies' if len(unused) > 1 else 'y'} "
                            f"{unused} of 0..{tops[i]} never used by a non-extreme person")
    if problems:
        raise ValueError("partial credit CML estimates do not exist (thresholds next to an "
                         "unused category are infinite; collapse categories, e.g. with "
                         "inhd.categories.collapse_categories, or drop the item): "
                         + "; ".join(problems))
    pm, inv = _unique_rows(ok)
    _check_linked(pm)
    C, J, offset = _pcm_maps(tops, m)
    return _design(pm, inv, score[keep], counts, m, jacobian=J, b_offset=offset), C, keep, score


def _pcm_start(d: _Design, tops, C):
    """Thresholds from adjacent-category log-odds of the counts, centred; as free parameters."""
    thr = np.concatenate([np.log(d.counts[i, :t] / d.counts[i, 1:t + 1])
                          for i, t in enumerate(tops)])
    item = np.repeat(np.arange(tops.size), tops)
    location = np.bincount(item, thr) / tops
    thr -= location.mean()
    return np.linalg.lstsq(C, thr, rcond=None)[0]


def cml_partial_credit(X, *, n_categories, tol=1e-10, max_iter=200) -> PartialCreditEstimate:
    """Conditional maximum-likelihood estimates of the partial credit model (as ``eRm::PCM``).

    Parameters
    ----------
    X : array_like of float, shape (n_persons, n_items)
        Response codes 0..m (m = n_categories - 1), ``np.nan`` for a missing response. Every row
        must hold a response. Not modified. Each item's categories are 0 up to its highest
        observed code (an item may have fewer categories than the scale).
    n_categories : int
        Categories of the scale, m + 1 (>= 2).
    tol, max_iter
        As in :func:`cml_rating_scale`.

    Returns
    -------
    inhd.rsm.PartialCreditEstimate
        ``method="cml"``: item thresholds (NaN above an item's top category) and locations,
        centred so that the locations average 0, with SEs from the inverse conditional
        information; person measures (ML given the items); the conditional log-likelihood.

    Raises
    ------
    ValueError
        As :func:`cml_rating_scale`; and an item with one category only, or a category of an
        item (at or below its top) that no non-extreme person used: the thresholds beside it
        are infinite, so the estimates do not exist (collapse categories or drop the item).

    Notes
    -----
    :math:`P(X_{ni} = h) \\propto \\exp \\sum_{k \\le h} (\\theta_n - \\delta_{ik})`, h = 0..m_i
    (Masters 1982). The thresholds :math:`\\delta_{ik}` are where categories k - 1 and k are
    equally likely; an item's location is their mean, and the locations average 0 (eRm's
    ``thresholds()`` "Location", shifted by their mean). The conditional likelihood, ESFs,
    gradient and Hessian are those of :func:`cml_rating_scale` with the log weights
    :math:`b_{ih} = -\\sum_{k \\le h} \\delta_{ik}` (see the module notes). In eRm's easiness
    parameters :math:`\\beta_{ih}` (``betapar``): :math:`\\delta_{ih} = -(\\beta_{ih} -
    \\beta_{i,h-1}) - c`, with c the mean location (``reference/erm/README_dif_pcm.md``).

    References
    ----------
    Masters, G. N. (1982). A Rasch model for partial credit scoring. Psychometrika 47.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0, 1, 2], [1, 1, 0], [2, 1, 1], [0, 0, 1], [1, 2, 2], [2, 0, 1],
    ...               [1, 2, 0], [0, 1, 1]], float)
    >>> est = cml_partial_credit(X, n_categories=3)      # In R: eRm::PCM(X)
    >>> bool(est.converged), round(float(est.location.mean()), 12), est.thresholds.shape
    (True, 0.0, (3, 2))
    """
    X, obs, m = check_responses(X, n_categories=n_categories)
    check_iteration(tol, max_iter)
    tops = item_tops(X, obs)
    design, C, keep, score = _prepare_pcm(X, obs, m, tops)
    n_items = X.shape[1]
    p, ll, H, converged, n_iter = _newton(design, n_items, tol, max_iter,
                                          _pcm_start(design, tops, C))
    cov, _ = _covariance(H, C)
    thr, thr_se, location, location_se, full = partial_credit_summaries(C @ p, cov, tops, m)
    measures, measures_se = np.full(X.shape[0], np.nan), np.full(X.shape[0], np.nan)
    measures[keep], measures_se[keep], ok = solve_locations(
        obs[keep], np.zeros(n_items), score[keep].astype(float), item_thresholds(thr))
    return PartialCreditEstimate(
        method="cml", thresholds=thr, thresholds_se=thr_se, location=location,
        location_se=location_se, measures=measures, measures_se=measures_se, llf=ll,
        converged=bool(converged and ok), n_iter=n_iter, n_patterns=design.n_patterns,
        n_persons=int(keep.sum()), n_parameters=int(tops.sum() - 1), covariance=full)
