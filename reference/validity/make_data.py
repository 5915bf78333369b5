"""Write the two small simulated data sets the metafor reference values are computed on.

Run from the repository root: ``.venv/bin/python reference/validity/make_data.py``; then
``Rscript reference/validity/metafor_reference.R``. The data are simulated (seeded); they are not
INHD data.
"""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def simulate(rng, *, n_networks, slope):
    rows = []
    for k in range(n_networks):
        T = np.array([[0.6, 0.05], [0.05, 0.05]])
        u0, u1 = rng.multivariate_normal([0, 0], T)
        for j in range(rng.integers(3, 6)):
            r = rng.normal(0, 0.5)
            for _ in range(rng.integers(3, 7)):
                t = float(rng.integers(0, 4)) if slope else 0.0
                v = rng.uniform(0.2, 0.8)
                y = 0.5 + u0 + r + (0.3 + u1) * t * slope + rng.normal(0, 1.2) + rng.normal(0, np.sqrt(v))
                rows.append((f"N{k:02d}", f"N{k:02d}-S{j}", t, round(y, 6), round(v, 6)))
    d = pd.DataFrame(rows, columns=["network_id", "school_id", "t", "measure", "known_variance"])
    d.insert(0, "respondent_id", [f"R{i:04d}" for i in range(len(d))])
    return d


if __name__ == "__main__":
    simulate(np.random.default_rng(101), n_networks=30, slope=False).to_csv(HERE / "three_level.csv", index=False)
    simulate(np.random.default_rng(202), n_networks=30, slope=True).to_csv(HERE / "growth.csv", index=False)
