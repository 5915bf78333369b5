"""JMLE speed and memory: 100,000 respondents x 40 items, 5 categories (issue 3).

Goal: under 10 s and under 2 GB on the project's 2-core machine. Prints wall-clock seconds and
peak memory (tracemalloc: the peak of Python-allocated memory during the fit, numpy arrays
included; and the process's peak resident set size from resource.getrusage) for complete data
and for 5% of responses missing at random (then nearly every respondent has a distinct pattern,
the worst case for the grouped estimator). Not a test: run `make benchmark`.
"""

import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from inhd.rasch import fit_rating_scale
from inhd.rsm import simulate_rating_scale

N_PERSONS, N_ITEMS = 100_000, 40
TAU = np.array([-1.5, -0.5, 0.5, 1.5])


def simulate(rng, missing):
    theta = rng.normal(0.0, 1.5, N_PERSONS)
    delta = np.linspace(-2.0, 2.0, N_ITEMS)
    x = simulate_rating_scale(theta, delta, TAU, rng=rng, missing=missing)
    return pd.DataFrame(x, columns=[f"item{j:02d}" for j in range(N_ITEMS)]), delta


def main():
    rng = np.random.default_rng(2025)
    print(f"JMLE, {N_PERSONS:,} respondents x {N_ITEMS} items, {TAU.size + 1} categories")
    for missing in (0.0, 0.05):
        data, delta = simulate(rng, missing)
        tracemalloc.start()
        t0 = time.perf_counter()
        res = fit_rating_scale(data)
        seconds = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1] / 1e9
        tracemalloc.stop()
        err = np.abs(res.items["difficulty"].to_numpy() - delta).max()
        print(f"  missing {missing:4.0%}: {seconds:6.2f} s, peak traced memory {peak:5.2f} GB, "
              f"converged={res.converged} in {res.n_iter} iterations, "
              f"max |difficulty error| {err:.3f} logits "
              f"(goal: < 10 s, < 2 GB: {'met' if seconds < 10 and peak < 2 else 'NOT met'})")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1e6 if sys.platform != "darwin"
                                                                else 1e9)
    print(f"  process peak resident memory (incl. data and simulation): {rss:.2f} GB")


if __name__ == "__main__":
    main()
