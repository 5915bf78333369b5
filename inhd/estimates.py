"""Each network's empirical Bayes estimate from a known-variance model: the one table every paper
notebook and report uses.

:func:`network_estimates` turns a fitted :class:`inhd.hlm.KnownVarianceResult` into one row per
network: its EB mean (the fixed intercept plus the network's EB deviation u_k) with the posterior
SE of the deviation, on logits and, given the reporting range, on the papers' 0-10 scale; with a
random slope also the network's rate. The validity paper's Figure 1, the participatory-benefits
paper's Figure 2 and every network's feedback report draw it with :func:`inhd.plots.plot_caterpillar`.
"""

from __future__ import annotations

import pandas as pd

from inhd.hlm import KnownVarianceResult
from inhd.scales import on_0_10_scale

__all__ = ["network_estimates"]


def network_estimates(model: KnownVarianceResult, *, level: str = "network_id", scale=None,
                      slope: str | None = None) -> pd.DataFrame:
    """One row per unit of ``level``: ``network_id, n_persons, mean, se`` (+ ``mean_0_10, se_0_10``,
    ``rate, rate_se``).

    Parameters
    ----------
    model : inhd.hlm.KnownVarianceResult
        A fit with ``level`` among its grouping columns.
    level : str, default "network_id"
    scale : (low, high), optional
        The logits mapped to 0 and 10 (:func:`inhd.scales.reporting_range` of the calibration):
        adds ``mean_0_10`` and ``se_0_10`` (:func:`inhd.scales.on_0_10_scale`).
    slope : str, optional
        The model's random slope (e.g. ``"t"``, years): adds ``rate`` (the fixed slope plus the
        network's slope deviation) and ``rate_se``.

    Returns
    -------
    pandas.DataFrame
        ``mean`` = intercept + u_k, ``se`` the posterior SE of u_k (metafor's ``ranef``), in
        logits; the column ``network_id`` holds the unit labels (of ``level``).

    Examples
    --------
    >>> from inhd import ROOT
    >>> from inhd.hlm import fit_known_variance
    >>> sim = pd.read_csv(ROOT / "reference" / "metafor" / "simulated_persons.csv")
    >>> fit = fit_known_variance(sim, "y ~ 1", known_variance="v", groups=["network_id"])
    >>> list(network_estimates(fit, scale=(-3, 3)).columns)
    ['network_id', 'n_persons', 'mean', 'se', 'mean_0_10', 'se_0_10']
    """
    if level not in model.random_effects:
        raise ValueError(f"level: {level!r} is not a grouping level of the model ({', '.join(model.random_effects)})")
    re = model.random_effects[level]
    out = pd.DataFrame({
        "network_id": re.index.astype(str),
        "n_persons": re["n_persons"].to_numpy().astype(int),
        "mean": float(model.params["Intercept"]) + re["deviation"].to_numpy(float),
        "se": re["se"].to_numpy(float),
    })
    if slope is not None:
        if "slope_deviation" not in re.columns:
            raise ValueError(f"slope: the model has no random slope ({slope!r})")
        out["rate"] = float(model.params[slope]) + re["slope_deviation"].to_numpy(float)
        out["rate_se"] = re["slope_se"].to_numpy(float)
    if scale is not None:
        out = on_0_10_scale(out, low=scale[0], high=scale[1])
    return out
