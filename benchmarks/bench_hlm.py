"""Benchmark inhd.hlm.fit_known_variance (issue 4).

1. 2,700 persons in 40 networks, 4 covariates: our known-variance REML fit vs statsmodels MixedLM
   fitting a plain random-intercept model on the same data (goal: ours faster).
2. 100,000 persons in 1,000 networks: our fit's time (goal: under 10 s).

Run: ``.venv/bin/python benchmarks/bench_hlm.py``
"""

import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from inhd.hlm import fit_known_variance


def simulate(n_persons, n_networks, rng):
    rng = np.random.default_rng(rng)
    net = np.sort(rng.integers(0, n_networks, n_persons))
    d = pd.DataFrame({"network_id": net})
    for k in range(3):
        d[f"x{k}"] = rng.normal(size=n_persons)
    d["z"] = rng.normal(size=n_networks)[net]
    d["v"] = rng.uniform(0.2, 1.5, n_persons)
    d["y"] = (0.5 + d.x0 * 0.3 - d.x1 * 0.2 + d.x2 * 0.1 + 0.5 * d.z
              + rng.normal(0, 0.8, n_networks)[net] + rng.normal(0, 1, n_persons)
              + rng.normal(0, np.sqrt(d.v)))
    return d


def best_of(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return min(times), out


if __name__ == "__main__":
    formula = "y ~ x0 + x1 + x2 + z"
    d = simulate(2700, 40, 1)
    t_ours, res = best_of(lambda: fit_known_variance(d, formula, known_variance="v",
                                                     groups=["network_id"]), 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_sm, _ = best_of(lambda: smf.mixedlm(formula, d, groups=d["network_id"]).fit(reml=True),
                          5)
    print(f"2,700 persons / 40 networks: inhd {t_ours:.3f} s (converged={res.converged}), "
          f"statsmodels MixedLM {t_sm:.3f} s, ratio statsmodels/inhd = {t_sm / t_ours:.1f}")
    d = simulate(100_000, 1_000, 2)
    t_big, res = best_of(lambda: fit_known_variance(d, formula, known_variance="v",
                                                    groups=["network_id"]), 1)
    print(f"100,000 persons / 1,000 networks: inhd {t_big:.2f} s (converged={res.converged}, "
          f"goal < 10 s)")
