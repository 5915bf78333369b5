"""Simulate the rating-scale data set used as an eRm::RSM reference (simulated.csv).

500 persons x 10 items, 5 categories (codes 0-4), about 5% of responses missing completely at
random, and some extreme scorers (persons with very low or very high locations, plus a few rows
forced to all-lowest / all-highest). Run from the repository root:

    .venv/bin/python reference/erm/make_simulated.py

Model: P(X_ni = h) proportional to exp(sum_{k<=h} (theta_n - delta_i - tau_k)), drawn by
inhd.rsm.simulate_rating_scale (the package's one simulator; the file it writes is the one
committed, byte for byte). The generating values are written to simulated_truth.json beside the
CSV.
"""
import json
from pathlib import Path

import numpy as np

from inhd.rsm import simulate_rating_scale

HERE = Path(__file__).resolve().parent


def main():
    rng = np.random.default_rng(20261122)
    n, k = 500, 10
    delta = np.linspace(-1.2, 1.2, k)
    delta -= delta.mean()
    tau = np.array([-1.5, -0.4, 0.5, 1.4])
    tau -= tau.mean()
    theta = rng.normal(0.0, 1.3, n)
    theta[:6] = rng.normal(-6.0, 0.5, 6)      # very low: mostly zero scores
    theta[6:12] = rng.normal(6.0, 0.5, 6)     # very high: mostly perfect scores
    X = simulate_rating_scale(theta, delta, tau, rng=rng)
    X[12:15] = 0.0                           # forced extreme scorers
    X[15:18] = 4.0
    miss = rng.random(X.shape) < 0.05
    miss[np.isnan(np.where(miss, np.nan, X)).all(axis=1)] = False   # keep every row answered
    X[miss] = np.nan
    header = ",".join(f"i{j + 1:02d}" for j in range(k))
    lines = [header] + [",".join("NA" if np.isnan(v) else str(int(v)) for v in row) for row in X]
    (HERE / "simulated.csv").write_text("\n".join(lines) + "\n")
    (HERE / "simulated_truth.json").write_text(json.dumps(
        {"seed": 20261122, "delta": delta.tolist(), "tau": tau.tolist(),
         "theta": theta.tolist(), "missing_fraction": float(miss.mean())}, indent=1) + "\n")


if __name__ == "__main__":
    main()
