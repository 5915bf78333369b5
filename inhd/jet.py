"""Second-order forward-mode derivatives of small array computations (jets).

A :class:`Jet` carries an array value ``v`` together with its first derivatives ``d`` (shape
``(k,) + v.shape``) and second derivatives ``h`` (shape ``(k, k) + v.shape``) with respect to ``k``
parameters; ``d`` or ``h`` is ``None`` where it is identically zero (a constant, or a computation
asked for fewer derivatives). Sums, products, ``einsum`` contractions, matrix inverses and
log-determinants propagate all three by the product and chain rules, so a likelihood written once
in these operations yields its exact gradient and Hessian.

:mod:`inhd.hlm_likelihood` uses it for the known-variance model, whose per-row work happens once per
evaluation (the parameters reach the rows only through the residual variance) and whose remaining
algebra runs on per-network matrices of a few rows; there forward mode costs a few times one
evaluation. Checked against central differences in ``tests/test_jet.py``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Jet", "einsum", "inv", "logdet", "apply", "mul"]


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _swap(x):
    """Swap the two parameter axes of a second-derivative array."""
    return np.swapaxes(x, 0, 1)


class Jet:
    """An array with its first (``d``) and second (``h``) derivatives; ``None`` means zero."""

    __slots__ = ("v", "d", "h")

    def __init__(self, v, d=None, h=None):
        self.v = np.asarray(v, dtype=float)
        self.d = d
        self.h = h

    @classmethod
    def seed(cls, v, k, i, d1, d2, order=2):
        """A quantity that depends on parameter ``i`` of ``k`` only, with derivatives ``d1``, ``d2``."""
        v = np.asarray(v, dtype=float)
        if order == 0:
            return cls(v)
        d = np.zeros((k,) + v.shape)
        d[i] = d1
        if order == 1:
            return cls(v, d)
        h = np.zeros((k, k) + v.shape)
        h[i, i] = d2
        return cls(v, d, h)

    def __getitem__(self, idx):
        idx = idx if isinstance(idx, tuple) else (idx,)
        return Jet(self.v[idx], None if self.d is None else self.d[(slice(None),) + idx],
                   None if self.h is None else self.h[(slice(None), slice(None)) + idx])

    def __add__(self, other):
        other = other if isinstance(other, Jet) else Jet(other)
        return Jet(self.v + other.v, _add(self.d, other.d), _add(self.h, other.h))

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.v, None if self.d is None else -self.d, None if self.h is None else -self.h)

    def __sub__(self, other):
        return self + (-(other if isinstance(other, Jet) else Jet(other)))

    def __rsub__(self, other):
        return (-self) + other

    def scale(self, c):
        """Multiply by a constant (scalar or array broadcasting against the value)."""
        return Jet(self.v * c, None if self.d is None else self.d * c,
                   None if self.h is None else self.h * c)

    def sum(self, axis):
        """Sum over an axis of the value (``axis`` counted on the value, non-negative)."""
        return Jet(self.v.sum(axis), None if self.d is None else self.d.sum(axis + 1),
                   None if self.h is None else self.h.sum(axis + 2))

    def reduceat(self, starts, axis=0):
        """Sums over runs of the value's ``axis`` beginning at ``starts`` (np.add.reduceat)."""
        return Jet(np.add.reduceat(self.v, starts, axis=axis),
                   None if self.d is None else np.add.reduceat(self.d, starts, axis=axis + 1),
                   None if self.h is None else np.add.reduceat(self.h, starts, axis=axis + 2))

    def take(self, idx, axis=0):
        """Rows ``idx`` of the value's ``axis`` (fancy indexing, e.g. a unit's parent)."""
        return Jet(np.take(self.v, idx, axis=axis),
                   None if self.d is None else np.take(self.d, idx, axis=axis + 1),
                   None if self.h is None else np.take(self.h, idx, axis=axis + 2))


def _as_jet(x):
    return x if isinstance(x, Jet) else Jet(x)


def einsum(spec, a, b):
    """The bilinear contraction ``np.einsum(spec, a, b)`` of two jets (or a jet and an array).

    ``spec`` must not use the letters ``Y`` and ``Z``, which index the parameters here.
    """
    a, b = _as_jet(a), _as_jet(b)
    ins, out = spec.split("->")
    sa, sb = ins.split(",")
    v = np.einsum(spec, a.v, b.v)
    d = None
    if a.d is not None:
        d = np.einsum(f"Y{sa},{sb}->Y{out}", a.d, b.v)
    if b.d is not None:
        d = _add(d, np.einsum(f"{sa},Y{sb}->Y{out}", a.v, b.d))
    h = None
    if a.h is not None:
        h = np.einsum(f"YZ{sa},{sb}->YZ{out}", a.h, b.v)
    if b.h is not None:
        h = _add(h, np.einsum(f"{sa},YZ{sb}->YZ{out}", a.v, b.h))
    if a.d is not None and b.d is not None and (a.h is not None or b.h is not None):
        cross = np.einsum(f"Y{sa},Z{sb}->YZ{out}", a.d, b.d)
        h = _add(h, cross + _swap(cross))
    return Jet(v, d, h)


def _lift(x, lead, nd):
    """Insert axes after the ``lead`` parameter axes so that the value part has ``nd`` axes
    (numpy broadcasting aligns trailing axes; the parameter axes must stay in front)."""
    if x is None:
        return None
    extra = nd - (x.ndim - lead)
    return x.reshape(x.shape[:lead] + (1,) * extra + x.shape[lead:]) if extra > 0 else x


def mul(a, b):
    """Elementwise product of two jets (numpy broadcasting on the values' trailing axes)."""
    a, b = _as_jet(a), _as_jet(b)
    nd = max(a.v.ndim, b.v.ndim)
    ad, ah, bd, bh = _lift(a.d, 1, nd), _lift(a.h, 2, nd), _lift(b.d, 1, nd), _lift(b.h, 2, nd)
    v = a.v * b.v
    d = _add(None if ad is None else ad * b.v, None if bd is None else a.v * bd)
    h = _add(None if ah is None else ah * b.v, None if bh is None else a.v * bh)
    if ad is not None and bd is not None and (ah is not None or bh is not None):
        cross = ad[:, None] * bd[None]
        h = _add(h, cross + _swap(cross))
    return Jet(v, d, h)


def apply(a, f0, f1, f2):
    """An elementwise function: ``f0`` its value, ``f1`` and ``f2`` its first and second derivative,
    each evaluated on the value's array."""
    v = f0(a.v)
    if a.d is None:
        return Jet(v)
    g1 = f1(a.v)
    d = a.d * g1
    h = None
    if a.h is not None:
        h = a.h * g1 + a.d[:, None] * a.d[None] * f2(a.v)
    return Jet(v, d, h)


def inv(a):
    """Inverse of a (batch of) square matrices in the last two axes."""
    x = np.linalg.inv(a.v)
    if a.d is None:
        return Jet(x)
    xa = x @ a.d                      # X A_i, shape (k, ..., n, n)
    d = -(xa @ x)
    h = None
    if a.h is not None:
        cross = xa[:, None] @ xa[None] @ x
        h = -(x @ a.h @ x) + cross + _swap(cross)
    return Jet(x, d, h)


def logdet(a):
    """log|A| of a (batch of) positive-definite matrices in the last two axes."""
    sign, v = np.linalg.slogdet(a.v)
    if a.d is None:
        return Jet(v)
    x = np.linalg.inv(a.v)
    xa = x @ a.d
    d = np.trace(xa, axis1=-2, axis2=-1)
    h = None
    if a.h is not None:
        h = (np.trace(x @ a.h, axis1=-2, axis2=-1)
             - np.einsum("Y...ab,Z...ba->YZ...", xa, xa))
    return Jet(v, d, h)
