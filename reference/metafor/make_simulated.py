"""Simulate the persons-in-schools-in-networks data set used as a metafor reference (SYNTHETIC).

Run from the repository root: ``.venv/bin/python reference/metafor/make_simulated.py``. Writes
``simulated_persons.csv`` (seeded, so re-running reproduces the committed file byte for byte).

Model (generating values, also written to ``simulated_truth.json``)::

    y        = 0.5 + 0.4 x_person + 0.3 lead + 0.6 net_z + u_network + u_school + e + eps
    y_growth = 0.2 + 0.25 wave + 0.4 x_person + u0_network + u1_network wave + e + eps
    y_growth_school = y_growth + u_school   (the growth model with schools nested in networks)
    eps ~ N(0, v) with v (the squared Rasch SE) known, uniform on [0.2, 1.5]
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
TRUTH = {
    "beta_y": {"Intercept": 0.5, "x_person": 0.4, "lead": 0.3, "net_z": 0.6},
    "tau_network": 0.6, "tau_school": 0.2, "sigma2": 1.0,
    "beta_growth": {"Intercept": 0.2, "wave": 0.25, "x_person": 0.4},
    "G_growth": [[0.5, 0.05], [0.05, 0.08]],
}


def simulate(rng):
    rng = np.random.default_rng(rng)
    rows = []
    for j in range(30):
        net = f"N{j + 1:02d}"
        n_j = int(rng.integers(15, 55))
        n_schools = int(rng.integers(2, 6))
        z = rng.normal()
        u_net = rng.normal(0, np.sqrt(TRUTH["tau_network"]))
        u_g = rng.multivariate_normal([0, 0], TRUTH["G_growth"])
        u_sch = rng.normal(0, np.sqrt(TRUTH["tau_school"]), n_schools)
        school = rng.integers(0, n_schools, n_j)
        for i in range(n_j):
            rows.append(dict(network_id=net, school_id=f"{net}-S{school[i] + 1}",
                             net_z=z, u_net=u_net, u_sch=u_sch[school[i]],
                             u0=u_g[0], u1=u_g[1]))
    df = pd.DataFrame(rows)
    n = len(df)
    df.insert(0, "person_id", [f"P{i + 1:04d}" for i in range(n)])
    df["wave"] = rng.integers(0, 3, n)
    df["x_person"] = rng.normal(0, 1, n)
    df["lead"] = rng.binomial(1, 0.3, n)
    df["v"] = rng.uniform(0.2, 1.5, n)
    e = rng.normal(0, np.sqrt(TRUTH["sigma2"]), n)
    eps = rng.normal(0, np.sqrt(df["v"].to_numpy()))
    b = TRUTH["beta_y"]
    df["y"] = (b["Intercept"] + b["x_person"] * df.x_person + b["lead"] * df.lead
               + b["net_z"] * df.net_z + df.u_net + df.u_sch + e + eps)
    g = TRUTH["beta_growth"]
    e2 = rng.normal(0, np.sqrt(TRUTH["sigma2"]), n)
    eps2 = rng.normal(0, np.sqrt(df["v"].to_numpy()))
    df["y_growth"] = (g["Intercept"] + g["wave"] * df.wave + g["x_person"] * df.x_person
                      + df.u0 + df.u1 * df.wave + e2 + eps2)
    df["y_growth_school"] = df["y_growth"] + df.u_sch   # no new draws: the other columns are unchanged
    cols = ["person_id", "network_id", "school_id", "wave", "x_person", "lead", "net_z",
            "v", "y", "y_growth", "y_growth_school"]
    return df[cols].round(6)


if __name__ == "__main__":
    simulate(20261122).to_csv(HERE / "simulated_persons.csv", index=False)
    (HERE / "simulated_truth.json").write_text(json.dumps(TRUTH, indent=2) + "\n")
