"""Warnings raised by :mod:`inhd`.

Every iterative estimator in the package signals non-convergence with
:class:`ConvergenceWarning` *and* sets ``converged=False`` on its result; it never
fails silently.
"""


class ConvergenceWarning(UserWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""
