"""Generated survey exports for the tests: any scale, with or without schools, waves, covariates and
a reverse-keyed item, written as CSV files in the data contract (``inhd.rsm.simulate_rating_scale``
draws the responses from the rating-scale model).

The latent measure of respondent i in network k is theta = u_k + 0.03 (age - 40) + 0.5 [role =
leader] + 0.15 (size - 20) / 10 + 0.4 [region = south] + e_i, u_k ~ N(0, 0.5), e_i ~ N(0, 1): so
every covariate matters and the models have something to find.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from inhd.rsm import simulate_rating_scale


def make_survey(folder, *, n_categories=5, n_networks=12, per_network=(25, 45), n_items=8, schools=True,
                waves=(2022, 2023, 2024), covariates=True, reversed_item="q03", extra_columns=True,
                missing=0.03, rng=7, prefix="my"):
    """Write ``<prefix>_respondents.csv`` and ``<prefix>_networks.csv`` into ``folder``.

    Returns ``(respondents_path, networks_path, items)``. Responses are codes 1..n_categories;
    ``reversed_item`` (if any) is written the other way round (1 = strongly agree), so its
    point-measure correlation is negative until it is recoded.
    """
    g = np.random.default_rng(rng)
    folder = Path(folder)
    networks = [f"NET{k + 1:02d}" for k in range(n_networks)]
    sizes = g.integers(per_network[0], per_network[1] + 1, n_networks)
    nets = pd.DataFrame({"network_id": networks, "size": g.integers(5, 40, n_networks).astype(float),
                         "region": g.choice(["north", "south", "east"], n_networks)})
    u = pd.Series(g.normal(0, np.sqrt(0.5), n_networks), index=networks)
    rows = []
    for k, (net, n) in enumerate(zip(networks, sizes)):
        for i in range(n):
            rows.append({"respondent_id": f"P{k + 1:02d}-{i + 1:03d}", "network_id": net})
    r = pd.DataFrame(rows)
    n = len(r)
    if schools:
        r["school_id"] = [f"{net}-S{g.integers(1, 4)}" for net in r["network_id"]]
    if waves:
        r["wave"] = g.choice(list(waves), n)
    age = g.integers(22, 65, n).astype(float)
    role = g.choice(["teacher", "leader", "coach"], n, p=[0.6, 0.25, 0.15])
    net_info = nets.set_index("network_id").loc[r["network_id"]]
    theta = (u.loc[r["network_id"]].to_numpy() + 0.03 * (age - 40) + 0.5 * (role == "leader")
             + 0.15 * (net_info["size"].to_numpy() - 20) / 10 + 0.4 * (net_info["region"].to_numpy() == "south")
             + g.normal(0, 1, n))
    if waves:
        theta = theta + 0.2 * (r["wave"].to_numpy() - min(waves))
    m = n_categories - 1
    thresholds = np.linspace(-1.8, 1.8, m) if m > 1 else np.zeros(1)
    difficulties = np.linspace(-1, 1, n_items)
    x = simulate_rating_scale(theta, difficulties, thresholds, rng=g, missing=missing)
    items = [f"q{j + 1:02d}" for j in range(n_items)]
    responses = pd.DataFrame(x + 1, columns=items).astype("Int64")
    if reversed_item:
        responses[reversed_item] = 1 + n_categories - responses[reversed_item]
    if covariates:
        r["age"] = age
        r["role"] = role
    if extra_columns:
        r["comments"] = g.choice(["", "good", "too long"], n)
    r = pd.concat([r, responses], axis=1)
    resp_path, nets_path = folder / f"{prefix}_respondents.csv", folder / f"{prefix}_networks.csv"
    r.to_csv(resp_path, index=False)
    (nets if covariates else nets[["network_id"]]).to_csv(nets_path, index=False)
    return resp_path, nets_path, items
