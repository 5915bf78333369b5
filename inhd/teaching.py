"""The measure-construction lab: simulate a rating-scale survey, calibrate it, and see how reliability
moves with the number of items, respondents and networks.

Used by ``notebooks/08_teaching_measure_construction.ipynb``. Everything here is simulated (and says
so) except :func:`load_liking_for_science`, the real Liking for Science data of Wright & Masters (1982).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from inhd import DATA_DIR
from inhd.hlm import fit_known_variance
from inhd.rasch import fit_rating_scale
from inhd.reliability import cluster_mean_reliability
from inhd.rsm import simulate_rating_scale


def simulate_responses(
    *,
    n_persons: int,
    difficulties,
    thresholds,
    person_mean: float = 0.0,
    person_sd: float = 1.0,
    missing: float = 0.0,
    min_category: int = 1,
    rng=None,
) -> tuple[pd.DataFrame, pd.Series]:
    """Simulate responses from the rating-scale model.

    Parameters
    ----------
    n_persons
        Number of respondents, drawn from N(person_mean, person_sd^2) on the logit scale.
    difficulties
        Item difficulties (logits), one per item; a Series keeps its labels as item names.
    thresholds
        The m Andrich thresholds shared by all items (m + 1 categories).
    missing
        Probability that a response is missing, completely at random.
    min_category
        Code of the lowest category (1 for a 1-5 survey scale).
    rng
        A seed or a ``numpy.random.Generator``.

    Returns
    -------
    responses, theta
        Responses (rows ``p0001``..., columns the items, nullable integers) and the true measures.

    Notes
    -----
    P(X = h) is proportional to exp(sum_{k<=h}(theta - delta_i - tau_k)); categories are drawn by
    inverting the cumulative probabilities, computed in log space by :func:`inhd.rsm.simulate_rating_scale`.
    """
    rng = np.random.default_rng(rng)
    if n_persons < 1:
        raise ValueError(f"n_persons must be at least 1, got {n_persons}")
    if not 0 <= missing < 1:
        raise ValueError(f"missing must be a probability in [0, 1), got {missing}")
    difficulties = pd.Series(difficulties, dtype=float)
    if difficulties.index.equals(pd.RangeIndex(len(difficulties))):
        difficulties.index = [f"item{i + 1:02d}" for i in range(len(difficulties))]
    theta = pd.Series(rng.normal(person_mean, person_sd, n_persons),
                      index=pd.Index([f"p{i + 1:05d}" for i in range(n_persons)], name="respondent_id"), name="theta")
    codes = simulate_rating_scale(theta.to_numpy(), difficulties.to_numpy(), thresholds, rng=rng,
                                  missing=missing, min_category=min_category)
    responses = pd.DataFrame(codes, index=theta.index, columns=difficulties.index).astype("Int64")
    return responses, theta


def reliability_by_design(
    *,
    n_items: list[int],
    n_persons: list[int],
    thresholds=(-1.5, -0.5, 0.5, 1.5),
    person_sd: float = 1.5,
    rng=None,
) -> pd.DataFrame:
    """Person reliability (Rasch, JMLE) of simulated surveys over a grid of test lengths and sample sizes.

    Item difficulties are spread evenly over [-1.5, 1.5] logits. Returns a tidy frame with columns
    ``n_items, n_persons, person_reliability, person_separation, item_reliability``.
    """
    rng = np.random.default_rng(rng)
    rows = []
    for items in n_items:
        for persons in n_persons:
            responses, _ = simulate_responses(n_persons=persons, difficulties=np.linspace(-1.5, 1.5, items),
                                              thresholds=thresholds, person_sd=person_sd, rng=rng)
            fit = fit_rating_scale(responses)
            rows.append({"n_items": items, "n_persons": persons, "person_reliability": fit.person_reliability,
                         "person_separation": fit.person_separation, "item_reliability": fit.item_reliability})
    return pd.DataFrame(rows)


def simulate_networks(
    *,
    n_networks: int,
    n_persons_per_network: int,
    variance_network_id: float,
    variance_residual: float,
    error_variance: float,
    rng=None,
) -> pd.DataFrame:
    """Person measures in networks, each with a known error variance: the input of a known-variance model.

    Returns columns ``network_id, measure, known_variance``: true network effects
    N(0, ``variance_network_id``), person deviations N(0, ``variance_residual``), measurement error
    N(0, ``error_variance``), the latter known (``known_variance``).
    """
    rng = np.random.default_rng(rng)
    network = np.repeat(np.arange(n_networks), n_persons_per_network)
    u = rng.normal(0.0, np.sqrt(variance_network_id), n_networks)[network]
    e = rng.normal(0.0, np.sqrt(variance_residual), network.size)
    eps = rng.normal(0.0, np.sqrt(error_variance), network.size)
    return pd.DataFrame({"network_id": [f"N{j + 1:03d}" for j in network], "measure": u + e + eps,
                         "known_variance": np.full(network.size, error_variance)})


def network_reliability_by_design(
    *,
    n_networks: list[int],
    n_persons_per_network: list[int],
    variance_network_id: float = 0.56,
    variance_residual: float = 3.1,
    error_variance: float = 0.6,
    rng=None,
) -> pd.DataFrame:
    """Network-level reliability estimated from simulated data, beside its closed form.

    Fits the two-level known-variance model (:func:`inhd.hlm.fit_known_variance`) on each design and
    reports the estimated network variance and the mean reliability of network means, beside the
    closed form :func:`inhd.reliability.cluster_mean_reliability` of the true variances. The
    defaults are the participatory-benefits paper's final-model variances (Table 4).

    Returns a tidy frame: ``n_networks, n_persons_per_network, variance_network_id`` (estimated),
    ``network_reliability`` (estimated), ``network_reliability_formula``.
    """
    rng = np.random.default_rng(rng)
    rows = []
    for k in n_networks:
        for n in n_persons_per_network:
            data = simulate_networks(n_networks=k, n_persons_per_network=n,
                                     variance_network_id=variance_network_id,
                                     variance_residual=variance_residual,
                                     error_variance=error_variance, rng=rng)
            fit = fit_known_variance(data, "measure ~ 1", known_variance="known_variance", groups=["network_id"])
            rows.append({"n_networks": k, "n_persons_per_network": n,
                         "variance_network_id": float(fit.variance_components["network_id"]),
                         "network_reliability": float(fit.reliability["network_id"]),
                         "network_reliability_formula": float(cluster_mean_reliability(
                             variance_network_id, variance_residual + error_variance, n))})
    return pd.DataFrame(rows)


def load_liking_for_science() -> pd.DataFrame:
    """The Liking for Science data (Wright & Masters 1982): 75 children x 25 items scored 0-2. Real data."""
    return pd.read_csv(DATA_DIR / "reference" / "lfs.csv").astype("Int64")
