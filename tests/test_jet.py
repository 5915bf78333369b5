"""Tests of inhd.jet: every operation's first and second derivatives against central differences
of the same computation on plain arrays."""

import numpy as np
import pytest

from inhd import jet
from inhd.jet import Jet

RNG = np.random.default_rng(11)
A0 = RNG.normal(size=(4, 3, 3))
B0 = RNG.normal(size=(3, 3))
SPD = np.einsum("jab,jcb->jac", A0, A0) + 3 * np.eye(3)


def _params(theta, order):
    """Three parameters entering through seeded jets (as the likelihood's parameters do)."""
    k = len(theta)
    a = Jet.seed(np.exp(theta[0]) * SPD, k, 0, np.exp(theta[0]) * SPD, np.exp(theta[0]) * SPD,
                 order)
    b = Jet.seed(theta[1] * B0, k, 1, B0, np.zeros_like(B0), order)
    c = Jet.seed(np.full(4, theta[2] ** 2 + 1.0), k, 2, np.full(4, 2 * theta[2]), np.full(4, 2.0),
                 order)
    return a, b, c


def _composite(theta, order=2):
    a, b, c = _params(theta, order)
    ab = jet.einsum("jab,bc->jac", a, b)                     # bilinear, both varying
    m = jet.einsum("jab,cb->jac", ab, B0) + SPD              # with a constant
    x = jet.inv(m)
    ld = jet.logdet(a).sum(0)
    cm = jet.mul(c, jet.einsum("jaa,->j", x, np.ones(())))   # elementwise, broadcasting
    r = jet.apply(cm, np.log1p, lambda z: 1 / (1 + z), lambda z: -1 / (1 + z) ** 2)
    s = r.reduceat(np.array([0, 2]), axis=0).take(np.array([1, 0, 1]))
    tail = jet.mul(Jet(2.0), c[1:3]).sum(0)
    return ld + s.sum(0) + tail - x[:, 0, 1].sum(0).scale(0.5)


def _value(theta):
    return float(_composite(theta, order=0).v)


@pytest.mark.parametrize("theta", [np.array([0.1, 0.3, -0.2]), np.array([-0.5, 1.2, 0.7])])
def test_composite_derivatives_equal_central_differences(theta):
    out = _composite(theta)
    k, h = len(theta), 1e-5
    grad = np.array([(_value(theta + e) - _value(theta - e)) / (2 * h) for e in np.eye(k) * h])
    np.testing.assert_allclose(out.d, grad, rtol=1e-8, atol=1e-9)
    # Hessian: central differences of the jet's own first derivatives (order 1) and of values
    first = lambda t: _composite(t, order=1).d                          # noqa: E731
    hess = np.array([(first(theta + e) - first(theta - e)) / (2 * h) for e in np.eye(k) * h])
    np.testing.assert_allclose(out.h, hess, rtol=1e-7, atol=1e-8)
    H = 1e-3
    hv = np.array([[(_value(theta + ei + ej) - _value(theta + ei - ej) - _value(theta - ei + ej)
                     + _value(theta - ei - ej)) / (4 * H * H) for ej in np.eye(k) * H]
                   for ei in np.eye(k) * H])
    np.testing.assert_allclose(out.h, hv, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.h, out.h.T, rtol=1e-12, atol=1e-14)


def test_order_zero_and_one_carry_fewer_derivatives():
    theta = np.array([0.1, 0.3, -0.2])
    v0, v1, v2 = (_composite(theta, order=o) for o in (0, 1, 2))
    assert v0.d is None and v0.h is None and v1.h is None
    assert v0.v == pytest.approx(v2.v, rel=1e-15)
    np.testing.assert_allclose(v1.d, v2.d, rtol=1e-15)


def test_constants_have_no_derivatives():
    a = Jet(np.eye(2))
    out = jet.logdet(jet.inv(jet.einsum("ab,bc->ac", a, 2 * np.eye(2))))
    assert out.d is None and out.v == pytest.approx(-2 * np.log(2.0))
