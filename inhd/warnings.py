"""Warnings raised by :mod:`inhd`.

Every warning the package emits is an :class:`InhdWarning`, so a caller can filter all of them at
once (``warnings.simplefilter("error", InhdWarning)``). Every iterative estimator in the package
signals non-convergence with :class:`ConvergenceWarning` *and* sets ``converged=False`` on its
result; it never fails silently.
"""


class InhdWarning(UserWarning):
    """Base class of every warning emitted by :mod:`inhd`."""


class ConvergenceWarning(InhdWarning):
    """An iterative estimator stopped before meeting its convergence criterion."""


class DataWarning(InhdWarning):
    """Valid data that suggest an option may be wrong (e.g. a response scale wider than the items use)."""
